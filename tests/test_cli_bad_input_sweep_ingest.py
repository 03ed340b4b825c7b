"""Bad-input sweep of ``twin ingest --overrides``: a value outside the scene's bounds of a building.

An override height of 5000 m, 400 storeys, a construction year 3020 or 900, or a height over
storeys below 1.5 m used to drop the building as if its *source file* were at fault (a warning
naming the GeoJSON), then fail with "1 row matches no building of the scene" naming the override
row that had just removed it; a year 1925.5 was taken. Now one ``twin: error:`` line names the
overrides table, the line, the building and the column, before any input file is read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import REPO, assert_one_line_error, run_twin
from tests.geojson_builders import polygon_feature, rectangle_ring, write_geojson
from tests.test_cli_bad_input_rel3 import _footprints


@pytest.mark.parametrize(
    ("table", "contains"),
    [
        ("height_m\n5000\n", ("'height_m'", "'5000'", "0..1000 m")),
        ("n_storeys\n400\n", ("'n_storeys'", "'400'", "whole number in 1..250")),
        ("n_storeys\n2.5\n", ("'n_storeys'", "whole number")),
        ("construction_year\n3020\n", ("'construction_year'", "'3020'", "1000..2100")),
        ("construction_year\n900\n", ("'construction_year'", "'900'")),
        ("construction_year\n1925.5\n", ("'construction_year'", "whole number")),
        ("height_m,n_storeys\n3,10\n", ("'height_m'", "over n_storeys 10", "below 1.5 m")),
    ],
    ids=["height-5000", "storeys-400", "storeys-2.5", "year-3020", "year-900", "year-fraction", "storeys-0.3-m"],
)
def test_override_out_of_bounds_names_the_table(tmp_path: Path, table: str, contains: tuple[str, ...]) -> None:
    src = _footprints(tmp_path / "h.geojson", [{}])
    header, values = table.splitlines()
    overrides = tmp_path / "ov.csv"
    overrides.write_text(f"building_id,{header}\nh:b0,{values}\n", encoding="utf-8")
    result = run_twin(["ingest", src, "--overrides", overrides, "-o", tmp_path / "scene"])
    line = assert_one_line_error(result, contains=("ov.csv", "line 2", "building h:b0", *contains))
    assert "h.geojson" not in result.stderr and "matches no building" not in line
    assert not (tmp_path / "scene").exists()


def test_override_within_bounds_is_applied(tmp_path: Path) -> None:
    import geopandas as gpd

    src = _footprints(tmp_path / "h.geojson", [{}])
    overrides = tmp_path / "ov.csv"
    overrides.write_text("building_id,height_m,n_storeys,construction_year\nh:b0,12,4,1925\n", encoding="utf-8")
    result = run_twin(["ingest", src, "--overrides", overrides, "-o", tmp_path / "scene", "-q"])
    assert result.code == 0, result.stderr
    b = gpd.read_parquet(tmp_path / "scene" / "buildings.parquet").set_index("building_id").loc["h:b0"]
    assert (b["height_m"], b["n_storeys"], b["construction_year"]) == (12.0, 4, 1925)
    assert b["height_m_source"] == "user"


BUILDINGS = REPO / "data_samples" / "stgilles_buildings_osm2013.geojson"


def test_a_sites_file_without_polygons_is_refused(tmp_path: Path) -> None:
    # was: a warning "no objects found", exit 0, and no building got a site
    empty = write_geojson(tmp_path / "sites.geojson", [], crs=None)
    out = tmp_path / "scene"
    result = run_twin(["ingest", BUILDINGS, "--sites", empty, "-o", out, "-q"])
    assert_one_line_error(result, contains=(str(empty), "'sites'", "no site polygon"))
    assert not out.exists()


def test_sites_that_hold_no_building_are_refused(tmp_path: Path) -> None:
    # a site 60 km away (WGS84 around Liege): every building would be outside every site
    far = tmp_path / "far.geojson"
    write_geojson(far, [polygon_feature(rectangle_ring(5.0, 50.0, 5.01, 50.01), name="far")], crs=None)
    out = tmp_path / "scene"
    result = run_twin(["ingest", BUILDINGS, "--sites", far, "-o", out, "-q"])
    assert_one_line_error(result, contains=(str(far), "'sites'", "no building stands in any of the 1 site polygon"))
    assert not out.exists()
