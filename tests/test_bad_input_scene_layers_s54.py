"""A value out of range in a layer of a stored scene is quoted as a number (helper fuzz, s54).

With NumPy 2 the message quoted the value with ``repr``: ``field 'height_m': value
np.float64(nan) is not a finite number``, ``value np.float64(-1.0) outside [0.0, inf]``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from tests.cli_harness import assert_one_line_error, run_twin


@pytest.fixture(scope="module")
def scene_folder(tmp_path_factory) -> Path:
    from twin.export import write_scene
    from twin.ingest import ingest

    folder = tmp_path_factory.mktemp("scene_layers")
    footprints = folder / "footprints.gpkg"
    squares = [shapely.box(148_000 + 20 * i, 168_000, 148_010 + 20 * i, 168_010) for i in range(3)]
    gpd.GeoDataFrame({"building": ["yes"] * 3}, geometry=squares, crs="EPSG:31370").to_file(footprints, layer="buildings", driver="GPKG")
    scene, _ = ingest([footprints])
    write_scene(scene, folder / "scene")
    return folder / "scene"


@pytest.mark.parametrize(("column", "value", "says"), [
    ("height_m", np.nan, "field 'height_m': value nan is not a finite number"),
    ("height_m", np.inf, "field 'height_m': value inf is not a finite number"),
    ("footprint_area_m2", -5.0, "field 'footprint_area_m2': value -5 outside [0, inf]"),
])
def test_the_value_is_quoted_as_a_number(scene_folder: Path, tmp_path: Path, column: str, value: float, says: str) -> None:
    scene = tmp_path / "edited"
    shutil.copytree(scene_folder, scene)
    frame = gpd.read_parquet(scene / "buildings.parquet")
    frame.loc[1, column] = value
    frame.to_parquet(scene / "buildings.parquet")
    line = assert_one_line_error(run_twin(["info", scene]), contains=("buildings.parquet", says))
    assert "np." not in line


def test_a_garbage_geopackage_scene_is_named_without_gdal_driver_advice(tmp_path: Path) -> None:
    """GDAL's advice ("It might help to specify the correct driver explicitly by prefixing the file
    path with '<DRIVER>:', e.g. 'CSV:path'") was part of the one line of twin info."""
    scene = tmp_path / "scene.gpkg"
    scene.write_bytes(bytes(range(256)) * 20)
    line = assert_one_line_error(run_twin(["info", scene]), contains=("scene.gpkg", "not a readable GeoPackage", "not recognized"))
    assert "It might help" not in line and "DRIVER" not in line
