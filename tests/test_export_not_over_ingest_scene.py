"""``twin export A -o B`` must not replace the scene folder ``B`` that ``twin ingest`` wrote.

Every scene folder holds ``scene.json``, so an ingested scene counted as an earlier result of
the export and was replaced whole, exit 0 (noticed by a sweep). ``twin export`` now records
``written_by: twin export`` in the ``scene.json`` it writes and replaces only such a folder; a
rerun of the export over its own output, and of ``twin ingest`` over its own, still work.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli_harness import assert_one_line_error, run_twin
from tests.output_helpers import write_tiny_inputs


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_export_does_not_replace_an_ingested_scene(tmp_path: Path) -> None:
    inputs = write_tiny_inputs(tmp_path / "in")
    a, b = tmp_path / "A", tmp_path / "B"
    assert run_twin(["ingest", inputs / "district.geojson", "-o", a, "-q"]).code == 0
    assert run_twin(["ingest", inputs / "weather.epw", "-o", b, "-q"]).code == 0  # another scene
    before = _snapshot(b)
    result = run_twin(["export", a, "-o", b])
    assert_one_line_error(result, contains=(str(b), "'--out'", "not an earlier result of twin export", "remove it"))
    assert _snapshot(b) == before


def test_export_and_ingest_still_replace_their_own_earlier_results(tmp_path: Path) -> None:
    inputs = write_tiny_inputs(tmp_path / "in")
    a, c = tmp_path / "A", tmp_path / "C"
    for _ in range(2):  # ingest over its own earlier output
        rerun = run_twin(["ingest", inputs / "district.geojson", "-o", a, "-q"])
        assert rerun.code == 0, rerun.stderr
    for _ in range(2):  # export over its own earlier output
        rerun = run_twin(["export", a, "-o", c])
        assert rerun.code == 0, rerun.stderr
    assert json.loads((c / "scene.json").read_text())["written_by"] == "twin export"
    assert json.loads((a / "scene.json").read_text())["written_by"] == "twin ingest"  # recorded since tests/test_output_ownership.py
    assert run_twin(["export", c, "-o", tmp_path / "D"]).code == 0  # an export reads as a scene


def test_export_does_not_replace_an_ingested_geopackage(tmp_path: Path) -> None:
    """The same for ``-o B.gpkg``: a scene GeoPackage of ``twin ingest`` is refused, an earlier export replaced."""
    inputs = write_tiny_inputs(tmp_path / "in")
    a, b, c = tmp_path / "A", tmp_path / "B.gpkg", tmp_path / "C.gpkg"
    assert run_twin(["ingest", inputs / "district.geojson", "-o", a, "-q"]).code == 0
    assert run_twin(["ingest", inputs / "weather.epw", "-o", b, "-q"]).code == 0
    before = b.read_bytes()
    result = run_twin(["export", a, "-o", b])
    assert_one_line_error(result, contains=(str(b), "'--out'", "not an earlier result of twin export", "remove it"))
    assert b.read_bytes() == before
    for _ in range(2):
        rerun = run_twin(["export", a, "-o", c])
        assert rerun.code == 0, rerun.stderr
    assert run_twin(["export", c, "-o", tmp_path / "D"]).code == 0  # an exported GeoPackage reads as a scene
    assert run_twin(["ingest", inputs / "district.geojson", "-o", b, "-q"]).code == 0  # ingest still replaces its own
