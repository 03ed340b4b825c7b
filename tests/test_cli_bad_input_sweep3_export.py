"""Bad-input sweep 3 of ``twin export``: a CityJSON export of a scene without buildings.

It wrote an empty CityJSON, "wrote 0 buildings", exit 0. Now an error naming the scene (the
GeoParquet and GeoPackage exports of such a scene still work: they hold its other layers).
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli_harness import assert_one_line_error, run_twin
from tests.output_helpers import write_tiny_inputs


def test_cityjson_export_of_a_scene_without_buildings_is_refused(tmp_path: Path) -> None:
    inputs = write_tiny_inputs(tmp_path / "in")
    scene = tmp_path / "scene"
    assert run_twin(["ingest", inputs / "weather.epw", "-o", scene, "-q"]).code == 0  # weather only
    out = tmp_path / "b.city.json"
    result = run_twin(["export", scene, "-o", out])
    assert_one_line_error(result, contains=(str(scene), "'buildings'", "no buildings", "CityJSON"))
    assert not out.exists()
    gpkg = run_twin(["export", scene, "-o", tmp_path / "s.gpkg"])  # its other layers still export
    assert gpkg.code == 0, gpkg.stderr


def test_cityjson_export_of_buildings_still_works(tmp_path: Path) -> None:
    inputs = write_tiny_inputs(tmp_path / "in")
    scene = tmp_path / "scene"
    assert run_twin(["ingest", inputs / "district.geojson", "-o", scene, "-q"]).code == 0
    out = tmp_path / "b.city.json"
    result = run_twin(["export", scene, "-o", out])
    assert result.code == 0, result.stderr
    assert len(json.loads(out.read_text())["CityObjects"]) > 0


def test_cityjson_export_does_not_replace_a_source_cityjson(tmp_path: Path) -> None:
    """An existing CityJSON that twin did not write (e.g. the LoD2 file the scene came from) was
    replaced by the LoD1 export, exit 0. Now refused, the file untouched; an earlier export of
    twin is still replaced (a rerun)."""
    inputs = write_tiny_inputs(tmp_path / "in")
    scene = tmp_path / "scene"
    assert run_twin(["ingest", inputs / "district.geojson", "-o", scene, "-q"]).code == 0
    source = tmp_path / "source.city.json"
    text = json.dumps({"type": "CityJSON", "version": "2.0", "CityObjects": {"b": {"type": "Building"}}, "vertices": []})
    source.write_text(text)
    result = run_twin(["export", scene, "-o", source])
    assert_one_line_error(result, contains=("source.city.json", "'--out'", "not a CityJSON export of twin", "would be replaced"))
    assert source.read_text() == text
    again = tmp_path / "again.city.json"
    for _ in range(2):
        rerun = run_twin(["export", scene, "-o", again])
        assert rerun.code == 0, rerun.stderr
