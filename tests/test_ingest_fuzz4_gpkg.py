"""What the GeoPackage fault walk of helper fuzz3 left (helper fuzz4).

* A GeoPackage whose ``gpkg_spatial_ref_sys`` page is overwritten by zeros was refused as a file
  that "declares no CRS", which sends the user after the wrong problem.
* A GeoPackage with a page of its spatial index overwritten was read without a word.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from tests.cli_harness import assert_one_line_error, run_twin


def _good(path: Path) -> Path:
    squares = [shapely.box(148_000 + 20 * i, 168_000, 148_010 + 20 * i, 168_010) for i in range(40)]
    frame = gpd.GeoDataFrame({"osm_id": [str(i) for i in range(40)], "building": ["yes"] * 40},
                             geometry=squares, crs="EPSG:31370")
    frame.to_file(path, layer="buildings", driver="GPKG")
    return path


def _zero_root_page(path: Path, table_like: str, out: Path) -> Path:
    """A copy of ``path`` with the first page of the first table whose name is LIKE ``table_like`` zeroed."""
    con = sqlite3.connect(path)
    (page_size,) = con.execute("PRAGMA page_size").fetchone()
    (root,) = con.execute("SELECT rootpage FROM sqlite_master WHERE name LIKE ? AND rootpage > 1 ORDER BY name",
                          (table_like,)).fetchone()
    con.close()
    data = path.read_bytes()
    start = (root - 1) * page_size
    out.write_bytes(data[:start] + b"\0" * page_size + data[start + page_size:])
    return out


@pytest.mark.parametrize("table", ["gpkg_spatial_ref_sys", "rtree_buildings_geom_node"])
def test_a_geopackage_with_a_zeroed_page_is_said_to_be_damaged(tmp_path: Path, table: str) -> None:
    path = _zero_root_page(_good(tmp_path / "good.gpkg"), table, tmp_path / "damaged.gpkg")
    out = tmp_path / "scene"
    line = assert_one_line_error(run_twin(["ingest", path, "-o", out, "-q"]),
                                 contains=("damaged.gpkg", "the GeoPackage is damaged", "SQLite: "))
    assert "declares no CRS" not in line
    assert not out.exists()


def test_an_intact_geopackage_passes_the_check(tmp_path: Path) -> None:
    from twin.io.geopackage_damage import check_geopackage_intact

    path = _good(tmp_path / "good.gpkg")
    check_geopackage_intact(path)  # raises nothing
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.gpkg"]  # nothing written beside it


def test_the_attribute_tables_of_a_geopackage_are_named_as_not_read(tmp_path: Path) -> None:
    import pandas as pd
    import pyogrio

    from twin.ingest.vector import read_vector

    path = _good(tmp_path / "city.gpkg")
    pyogrio.write_dataframe(pd.DataFrame({"osm_id": ["1"], "heating": ["gas"]}), path, layer="heating_survey", driver="GPKG")
    assert read_vector(path).meta["tables_not_read"] == ["heating_survey"]
    assert "tables_not_read" not in read_vector(path, source_layer="buildings").meta  # the caller chose the layer
    result = run_twin(["ingest", path, "-o", tmp_path / "scene"])
    assert result.code == 0, result.stderr
    notes = [line for line in result.stdout.splitlines() if "heating_survey" in line]
    assert notes == ["  not read: table(s) without geometry ['heating_survey'] (twin reads the layers with geometry)"], result.stdout


def test_a_folder_of_shapefiles_is_still_left_to_gdal(tmp_path: Path) -> None:
    from twin.ingest.vector import read_vector

    folder = tmp_path / "shapes"
    folder.mkdir()
    gpd.GeoDataFrame({"building": ["yes"]}, geometry=[shapely.box(148_000, 168_000, 148_010, 168_010)],
                     crs="EPSG:31370").to_file(folder / "b.shp")
    assert len(read_vector(folder).layers["buildings"]) == 1
