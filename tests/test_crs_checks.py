"""CRS checks: coordinates must fit the CRS they are declared in and the scene CRS they go to.

The cases of the issue: longitude/latitude declared as EPSG:31370 (a building of 1e-8 m2),
Zurich data reprojected into Lambert 72 (Y = -211 km), two IFC files placed at X = -5,000 km,
and GeoJSON without ``crs`` (WGS84 by RFC 7946).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyproj
import pytest
import shapely

from tests.conftest import DATA_SAMPLES, shared_path
from tests.geojson_builders import LAMBERT72, X0, Y0, square, write_geojson
from twin.errors import CRSError
from twin.ingest import ingest, read
from twin.ingest.crs_check import (
    AREA_TOLERANCE_DEG,
    check_layer,
    data_bounds,
    inside_area,
    to_lonlat,
    utm_for,
)

LAMBERT = pyproj.CRS.from_epsg(31370)


def _frame(geoms, crs) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"a": range(len(geoms))}, geometry=list(geoms), crs=crs)


def _building(path: Path, x: float, y: float, size: float, crs: str | None = None) -> Path:
    """One square building (see :func:`tests.geojson_builders.square`) written to ``path`` with
    ``crs`` as its ``"crs"`` member (None: none, WGS84 by RFC 7946)."""
    return write_geojson(path, [square(x, y, size, building="yes")], crs)


# --------------------------------------------------------------------------- functions
def test_bounds_ignore_missing_and_non_finite_geometry():
    geoms = [shapely.box(0, 0, 1, 1), None, shapely.Point(float("nan"), 0.0), shapely.box(5, -2, 6, 3)]
    assert data_bounds(geoms) == (0.0, -2.0, 6.0, 3.0)
    assert data_bounds([None]) is None and data_bounds([]) is None


def test_lambert_origin_is_just_outside_belgium():
    """Degrees read as Lambert metres land at Lambert's false origin, SW of Belgium's box."""
    lonlat = to_lonlat((4.3, 50.8, 4.4, 50.9), LAMBERT)
    assert lonlat is not None and lonlat[1] < LAMBERT.area_of_use.south - AREA_TOLERANCE_DEG
    assert not inside_area(lonlat, LAMBERT)
    saint_gilles = to_lonlat((148_000, 168_000, 150_000, 170_000), LAMBERT)
    assert inside_area(saint_gilles, LAMBERT)


def test_area_tolerance_and_crs_without_area():
    area = LAMBERT.area_of_use
    just_out = (area.east + AREA_TOLERANCE_DEG / 2, 50.0, area.east + AREA_TOLERANCE_DEG / 2, 50.0)
    assert inside_area(just_out, LAMBERT)
    assert not inside_area((area.east + 2 * AREA_TOLERANCE_DEG, 50.0, area.east + 2 * AREA_TOLERANCE_DEG, 50.0), LAMBERT)
    local = pyproj.CRS.from_proj4("+proj=tmerc +lat_0=49.1 +lon_0=8.4 +k=1 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs")
    assert local.area_of_use is None and inside_area((100.0, 80.0, 101.0, 81.0), local)


def test_area_across_the_antimeridian():
    fiji = pyproj.CRS.from_epsg(3460)  # Fiji 1986 / Fiji Map Grid: area crosses 180 degrees
    assert fiji.area_of_use.west > fiji.area_of_use.east
    assert inside_area((178.4, -18.2, 178.5, -18.1), fiji)
    assert inside_area((-179.9, -16.5, -179.8, -16.4), fiji)
    assert not inside_area((4.3, 50.8, 4.4, 50.9), fiji)


def test_utm_zone_of_a_place():
    assert utm_for((8.43, 49.10, 8.44, 49.11)).to_epsg() == 32632  # Karlsruhe
    assert utm_for((-87.64, 41.87, -87.63, 41.88)).to_epsg() == 32616  # Chicago


def test_check_layer_messages_name_the_crs_to_use():
    deg = _frame([shapely.box(4.34, 50.83, 4.3401, 50.8301)], "EPSG:31370")
    with pytest.raises(CRSError, match="use --source-crs EPSG:4326") as info:
        check_layer(deg, path="deg.geojson", layer="buildings")
    assert info.value.path == "deg.geojson" and info.value.field == "crs"
    metres = _frame([shapely.box(148_000, 168_000, 148_010, 168_010)], "EPSG:4326")
    with pytest.raises(CRSError, match="--source-crs EPSG:31370"):
        check_layer(metres, path="m.geojson", layer=None, scene_crs="EPSG:31370")
    with pytest.raises(CRSError, match="--source-crs EPSG:<code>"):
        check_layer(metres, path="m.geojson", layer=None)
    ok = check_layer(_frame([shapely.box(148_000, 168_000, 148_010, 168_010)], "EPSG:31370"), path="x", layer="b")
    assert ok is not None and inside_area(ok.lonlat, LAMBERT)


# --------------------------------------------------------------------------- the cases, end to end
def test_lonlat_declared_as_lambert_is_refused(tmp_path):
    path = _building(tmp_path / "deg.geojson", 4.34, 50.83, 1e-4, LAMBERT72)
    with pytest.raises(CRSError, match="look like longitude/latitude: use --source-crs EPSG:4326"):
        ingest([path])
    scene, _ = ingest([path], source_crs="EPSG:4326", override_crs=True)
    assert scene.buildings["footprint_area_m2"].iloc[0] == pytest.approx(78.0, rel=0.02)  # not 1e-8 m2


def test_zurich_in_lambert_72_is_refused_naming_lv95(tmp_path):
    path = _building(tmp_path / "zurich.geojson", 2_683_000.0, 1_247_000.0, 10.0, "urn:ogc:def:crs:EPSG::2056")
    with pytest.raises(CRSError) as info:
        ingest([path])  # default scene CRS EPSG:31370
    message = str(info.value)
    assert "zurich.geojson" in message and "--crs EPSG:2056" in message and "latitude 47.36" in message
    scene, _ = ingest([path], crs="EPSG:2056")
    assert scene.buildings.geometry.iloc[0].centroid.x == pytest.approx(2_683_005.0)


def test_real_zurich_cityjson_refused_in_lambert_and_read_in_lv95():
    path = shared_path("gis", "zurich_subset_lod2.city.json")
    with pytest.raises(CRSError, match="--crs EPSG:2056"):
        ingest([path])
    scene, _ = ingest([path], crs="EPSG:2056")
    assert len(scene.buildings) > 0


@pytest.mark.parametrize("name, utm", [("duplex.ifc", 32616), ("Office_A_20110811.ifc", 32619)])
def test_ifc_models_abroad_are_not_placed_in_lambert_72(name, utm):
    """duplex.ifc (Chicago) and Office_A (Boston) landed at X = -5,700 / -5,100 km in Lambert 72."""
    path = shared_path("bim", name)
    with pytest.raises(CRSError) as info:
        ingest([path])
    message = str(info.value)
    assert name in message and f"--crs EPSG:{utm}" in message and "--origin" in message
    scene, _ = ingest([path], crs=f"EPSG:{utm}")
    assert len(scene.buildings) == 1


def test_permit_model_placed_by_origin_is_accepted():
    scene, _ = ingest([DATA_SAMPLES / "permit_AC20-FZK-Haus.ifc"], origin=(148_500.0, 168_700.0), rotation_deg=20.0)
    c = scene.buildings.geometry.iloc[0].centroid
    assert abs(c.x - 148_500.0) < 30 and abs(c.y - 168_700.0) < 30


def test_geojson_without_crs_member_is_wgs84(tmp_path):
    path = _building(tmp_path / "rfc.geojson", 4.34, 50.83, 1e-4)
    result = read(path)
    assert result.meta["crs"] == "EPSG:4326" and result.meta["crs_source"] == "rfc7946"
    scene, _ = ingest([path])
    assert 140_000 < scene.buildings.geometry.iloc[0].centroid.x < 160_000


def test_source_crs_does_not_override_a_declaration_unless_asked(tmp_path):
    declared = _building(tmp_path / "decl.geojson", X0, Y0, 10.0, LAMBERT72)
    scene, results = ingest([declared], source_crs="EPSG:4326")
    assert results[0].meta["crs_source"] == "file" and len(scene.buildings) == 1
    with pytest.raises(CRSError):  # forcing degrees onto Lambert metres
        ingest([declared], source_crs="EPSG:4326", override_crs=True)


def test_saint_gilles_inputs_pass_the_checks():
    files = [DATA_SAMPLES / n for n in ("stgilles_buildings_osm2013.geojson", "stgilles_streets_osm2013.geojson", "stgilles_landcover_osm2013.geojson")]
    scene, results = ingest(files)
    assert len(scene.buildings) == 3991
    assert all(set(r.meta["lonlat_bounds"]) for r in results)
    for r in results:
        for b in r.meta["lonlat_bounds"].values():
            assert inside_area(tuple(b), LAMBERT)
