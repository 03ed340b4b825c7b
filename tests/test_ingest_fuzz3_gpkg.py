"""Damaged GeoPackages through ``twin ingest`` (fault-injection walk of helper fuzz3).

* A GeoPackage cut short or with a damaged page was refused with GDAL's SQL statement quoted
  (``cannot open: sqlite3_get_table(SELECT c.table_name, ...``) cut at 200 characters, so the line
  often ended before SQLite's reason.
* A GeoPackage whose only layer has no geometry (an attribute table) gave "no objects found" and
  "nothing to write: no object of the 1 input file(s) could be used (0 dropped)", which does not
  say why.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from tests.cli_harness import assert_one_line_error, run_twin


def _good(path: Path) -> Path:
    squares = [shapely.box(148_000 + 20 * i, 168_000, 148_010 + 20 * i, 168_010) for i in range(40)]
    frame = gpd.GeoDataFrame({"osm_id": [str(i) for i in range(40)], "building": ["yes"] * 40,
                              "name": ["x" * 200] * 40}, geometry=squares, crs="EPSG:31370")
    frame.to_file(path, layer="buildings", driver="GPKG")
    return path


@pytest.mark.parametrize("damage", ["cut-short", "schema-page-zeroed"])
def test_a_damaged_geopackage_is_one_line_with_sqlites_reason(tmp_path: Path, damage: str) -> None:
    data = _good(tmp_path / "good.gpkg").read_bytes()
    if damage == "cut-short":
        data = data[: len(data) // 2]
    else:  # page 3: the schema of gpkg_contents and gpkg_geometry_columns
        data = data[: 2 * 4096] + b"\0" * 4096 + data[3 * 4096:]
    path = tmp_path / "damaged.gpkg"
    path.write_bytes(data)
    out = tmp_path / "scene"
    line = assert_one_line_error(run_twin(["ingest", path, "-o", out, "-q"]),
                                 contains=("damaged.gpkg", "the GeoPackage is damaged", "SQLite: "))
    assert "sqlite3_" not in line and "SELECT" not in line
    assert not out.exists()


def test_a_geopackage_without_a_geometry_layer_is_refused_naming_its_tables(tmp_path: Path) -> None:
    from twin.errors import ParseError
    from twin.ingest.vector import read_vector

    path = tmp_path / "table.gpkg"
    pyogrio.write_dataframe(pd.DataFrame({"osm_id": ["1"], "building": ["yes"]}), path, layer="attrs", driver="GPKG")
    with pytest.raises(ParseError, match=r"no layer with geometry \(attribute tables only: \['attrs'\]\)") as info:
        read_vector(path)
    assert "table.gpkg" in str(info.value)
