"""``twin export SCENE -o NAME``: a NAME with a file suffix that twin does not write is refused.

``-o out.xyz`` wrote a folder named ``out.xyz``, exit 0: a planner who typed a file name expects
that file. Now one line naming ``--out`` and the forms twin writes (a folder for GeoParquet,
``OUT.gpkg``, ``OUT.city.json``), before the scene is read, and nothing is written. A name without
a suffix stays a folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.output_helpers import write_tiny_inputs


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("export_out_suffix")
    inputs = write_tiny_inputs(root / "in")
    scene = root / "scene"
    result = run_twin(["ingest", inputs / "district.geojson", "-o", scene, "-q"])
    assert result.code == 0, result.stderr
    return scene


@pytest.mark.parametrize("name", ["out.xyz", "out.gpx", "out.v2", "out.geojson", "out.shp"])
def test_an_out_with_a_file_suffix_twin_does_not_write_is_refused(scene: Path, tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    result = run_twin(["export", scene, "-o", out])
    line = assert_one_line_error(result, contains=(name, "'--out'", "folder", "OUT.gpkg", "OUT.city.json"))
    assert "reading" not in result.stderr, f"the scene was read before the refusal: {line}"
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_an_out_without_a_suffix_is_a_geoparquet_folder(scene: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_twin(["export", scene, "-o", out])
    assert result.code == 0, result.stderr
    assert (out / "buildings.parquet").is_file()


def test_ingest_refuses_an_out_with_a_file_suffix_too(tmp_path: Path) -> None:
    """The same check serves twin ingest -o (it wrote a folder named out.xyz too)."""
    inputs = write_tiny_inputs(tmp_path / "in")
    out = tmp_path / "out.xyz"
    result = run_twin(["ingest", inputs / "district.geojson", "-o", out])
    assert_one_line_error(result, contains=("out.xyz", "'--out'", "OUT.gpkg", "'.xyz'"))
    assert not out.exists()
