"""GeoJSON / GeoPackage / GeoParquet / shapefile ingest: counts against independent reads,
strict CRS, geometry repair and drop reasons, documented defaults."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from tests.conftest import shared_path
from tests.geojson_builders import LAMBERT72, X0, Y0, square, write_geojson
from twin.errors import CRSError, InputError, TwinError
from twin.ingest import read
from twin.ingest.defaults import complete_buildings, load_defaults, parse_number, parse_year
from twin.ingest.vector import geojson_declares_crs, read_vector
from twin.scene import Scene


def _features(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)["features"]


def _box(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def _at(coords):
    """Local (x, y) pairs (nested lists) moved to (X0 + x, Y0 + y)."""
    if coords and isinstance(coords[0], (int, float)):
        return [X0 + coords[0], Y0 + coords[1]]
    return [_at(c) for c in coords]


# ----------------------------------------------------------------------------- Saint-Gilles
def test_stgilles_footprints_counts_ids_and_defaults():
    path = shared_path("brussels", "stgilles_buildings_osm2013.geojson")
    feats = _features(path)
    result = read_vector(path)
    b = result.layers["buildings"]
    assert len(b) == len(feats) == 3991
    assert result.dropped == []
    expected = {f"osm:{f['properties']['osm_type']}/{f['properties']['osm_id']}" for f in feats}
    assert set(b["building_id"]) == expected
    # no height, storeys or year in the file: every value defaulted and flagged
    assert b["height_defaulted"].all() and b["storeys_defaulted"].all() and b["year_defaulted"].all()
    assert b["construction_year"].isna().all()
    # use: 'building=city_hall' -> public (data); untagged 'yes' without a name -> residential,
    # or 'other' for a footprint of 1000 m2 or more (default); a name such as 'Piscine ...' -> inferred
    hall = b.set_index("building_id").loc["osm:way/13766097"]
    assert hall["use"] == "public" and not hall["use_defaulted"] and hall["use_source"] == "data"
    untagged = [f"osm:way/{f['properties']['osm_id']}" for f in feats
                if f["properties"]["building"] == "yes" and not f["properties"]["amenity"] and not f["properties"]["shop"]
                and not f["properties"]["name"]]
    sub = b.set_index("building_id").loc[untagged]
    assert sub["use_defaulted"].all() and (sub["use_source"] == "default").all()
    large = sub["footprint_area_m2"] >= 1000
    assert 10 <= large.sum() <= 30 and (sub.loc[large, "use"] == "other").all() and (sub.loc[~large, "use"] == "residential").all()
    pool = b.set_index("building_id").loc["osm:way/23872546"]
    assert pool["name"].startswith("Piscine") and pool["use"] == "sport" and pool["use_source"] == "inferred"
    # storeys by use and footprint (R+2 under 150 m2, never more than 5 without evidence),
    # height = storeys x 3.0 m for dwellings
    res = sub[(sub["footprint_area_m2"] >= 30) & (sub["footprint_area_m2"] < 150)]
    assert len(res) > 3000 and (res["n_storeys"] == 3).all()
    assert np.allclose(res["height_m"], 9.0)
    assert b["n_storeys"].max() <= 5
    assert (b["n_storeys_source"] == "default").all() and (b["height_m_source"] == "default").all()
    assert np.allclose(b["floor_area_m2"], b["footprint_area_m2"] * b["n_storeys"])


def test_stgilles_footprint_area_matches_the_scene_projection():
    path = shared_path("brussels", "stgilles_buildings_osm2013.geojson")
    result = read_vector(path)
    scene = Scene()
    scene.add("buildings", result.layers["buildings"], source=result.path)
    lambert = shapely.area(np.asarray(scene.buildings.geometry.values))
    # reader: equal-area projection around the data; scene: Lambert 72 (conformal, scale ~1)
    assert np.allclose(result.layers["buildings"]["footprint_area_m2"], lambert, rtol=2e-3)


def test_stgilles_landcover_classes_and_sealed_fractions():
    path = shared_path("brussels", "stgilles_landcover_osm2013.geojson")
    feats = _features(path)
    result = read_vector(path)
    lc = result.layers["landcover"]
    assert len(lc) == len(feats) == 96
    table = load_defaults()["landcover"]
    parks = [f"osm:way/{f['properties']['osm_id']}" for f in feats if f["properties"]["leisure"] == "park"]
    got = lc.set_index("landcover_id").loc[parks]
    assert (got["cover_class"] == "park").all()
    surfaces = {f"osm:way/{f['properties']['osm_id']}": f["properties"]["surface"] for f in feats}
    for lid, row in got.iterrows():
        want = table["surface"][surfaces[lid]] if surfaces[lid] in table["surface"] else table["classes"]["leisure"]["park"]["sealed"]
        assert row["sealed_fraction"] == pytest.approx(want)
    assert lc["sealed_defaulted"].all()
    assert ((lc["sealed_fraction"] >= 0) & (lc["sealed_fraction"] <= 1)).all()


def test_dispatch_reads_geojson_with_the_vector_reader():
    path = shared_path("brussels", "stgilles_landcover_osm2013.geojson")
    assert read(path).counts() == {"landcover": 96}


# ----------------------------------------------------------------------------- CRS
def test_geojson_without_crs_is_wgs84_by_rfc7946(tmp_path):
    path = write_geojson(tmp_path / "no_crs.geojson", [square(4.35, 50.82, 0.0001, building="yes")], crs=None)
    result = read_vector(path)
    assert result.meta["crs"] == "EPSG:4326" and result.meta["crs_source"] == "rfc7946"
    assert result.layers["buildings"]["footprint_area_m2"].iloc[0] == pytest.approx(78.3, rel=0.01)  # 7.0 m x 11.1 m
    # naming a CRS replaces the RFC default (the caller knows better)
    assert read_vector(path, crs="EPSG:4326").meta["crs_source"] == "caller"


def test_lambert_metres_in_a_geojson_without_crs_are_refused_naming_the_crs(tmp_path):
    """RFC 7946 makes it WGS84, but 148,000 is no longitude: refused, not moved into the ocean."""
    from twin.ingest import ingest

    path = write_geojson(tmp_path / "no_crs.geojson", [square(X0, Y0, building="yes")], crs=None)
    with pytest.raises(CRSError) as err:
        read_vector(path)
    assert "no_crs.geojson" in str(err.value) and err.value.field == "crs" and "RFC 7946" in str(err.value)
    with pytest.raises(TwinError, match="no_crs.geojson"):
        read(path)
    # with a scene, the error names the scene CRS the metres fit
    with pytest.raises(CRSError, match="--source-crs EPSG:31370"):
        ingest([path])
    ok = read_vector(path, crs="EPSG:31370")
    assert ok.meta["crs_source"] == "caller" and ok.layers["buildings"]["footprint_area_m2"].iloc[0] == pytest.approx(100.0)


def test_real_geojson_without_crs_member_is_read_as_wgs84():
    path = shared_path("brussels", "equalstreetnames_brussels_ways.geojson")
    assert not geojson_declares_crs(path)
    result = read_vector(path)
    assert result.meta["crs_source"] == "rfc7946" and len(result.layers["links"]) > 0


def test_projected_crs_holding_degrees_is_refused(tmp_path):
    """Longitude/latitude declared as EPSG:31370 would give a building of 1e-8 m2 near Lambert's origin."""
    path = write_geojson(tmp_path / "deg.geojson", [square(4.35, 50.82, 0.0001, building="yes")])
    with pytest.raises(CRSError, match="look like longitude/latitude: use --source-crs EPSG:4326"):
        read_vector(path)
    fixed = read_vector(path, crs="EPSG:4326", crs_override=True)
    assert fixed.layers["buildings"]["footprint_area_m2"].iloc[0] == pytest.approx(78.3, rel=0.01)


def test_crs_member_after_the_features_is_found(tmp_path):
    path = tmp_path / "late.geojson"  # written here: the shared writer puts "crs" before "features"
    crs = {"type": "name", "properties": {"name": LAMBERT72}}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [square(X0, Y0, building="yes")], "crs": crs}), encoding="utf-8")
    assert geojson_declares_crs(path)
    result = read_vector(path)
    assert result.meta["crs"] == "EPSG:31370"
    assert result.layers["buildings"]["footprint_area_m2"].iloc[0] == pytest.approx(100.0)


def test_a_crs_property_inside_features_is_not_a_crs_member(tmp_path):
    path = write_geojson(tmp_path / "prop.geojson", [square(4.35, 50.82, 0.0001, building="yes", crs="EPSG:31370")], crs=None)
    assert not geojson_declares_crs(path)


def test_lambert_coordinates_declared_as_degrees_are_refused(tmp_path):
    path = write_geojson(tmp_path / "lambert.geojson", [square(X0, Y0, building="yes")], crs=None)
    with pytest.raises(CRSError, match="not longitude/latitude"):
        read_vector(path, crs="EPSG:4326")


def test_lyon_bdtopo_declared_crs_heights_and_ground():
    path = shared_path("gis", "lyon_bdtopo_oneBlock_buildings.geojson")
    feats = _features(path)
    result = read_vector(path)
    b = result.layers["buildings"].set_index("building_id")
    assert result.meta["crs"] == "EPSG:3946"
    assert len(b) == len(feats)
    for f in feats:
        row = b.loc[f"lyon_bdtopo_oneBlock_buildings:{f['properties']['ID']}"]
        assert row["height_m"] == pytest.approx(f["properties"]["HAUTEUR"])
        assert not row["height_defaulted"] and row["storeys_defaulted"]
        assert row["ground_z_m"] == pytest.approx(f["properties"]["Z_MIN"])
        area = shapely.area(shapely.force_2d(shapely.from_geojson(json.dumps(f["geometry"]))))
        assert row["footprint_area_m2"] == pytest.approx(area)


def test_geoparquet_without_crs_metadata_is_an_error(tmp_path):
    frame = gpd.GeoDataFrame({"building": ["yes"]}, geometry=[_box(0, 0, 10, 10)], crs="EPSG:31370")
    path = tmp_path / "fp.parquet"
    frame.to_parquet(path)
    assert read_vector(path).meta["crs"] == "EPSG:31370"
    frame.set_crs(None, allow_override=True).to_parquet(tmp_path / "nocrs.parquet")
    with pytest.raises(CRSError, match="nocrs.parquet"):
        read_vector(tmp_path / "nocrs.parquet")
    assert len(read_vector(tmp_path / "nocrs.parquet", crs="EPSG:31370").layers["buildings"]) == 1


def test_shapefile_without_prj_is_an_error(tmp_path):
    frame = gpd.GeoDataFrame({"building": ["yes"]}, geometry=[_box(0, 0, 10, 10)], crs="EPSG:31370")
    path = tmp_path / "fp.shp"
    frame.to_file(path)
    assert read_vector(path).layers["buildings"]["footprint_area_m2"].iloc[0] == pytest.approx(100.0)
    path.with_suffix(".prj").unlink()
    with pytest.raises(CRSError, match="fp.shp"):
        read_vector(path)


# ----------------------------------------------------------------------------- formats and layers
def test_geopackage_layers_are_classified_and_counted(tmp_path):
    path = tmp_path / "district.gpkg"
    fp = gpd.GeoDataFrame(
        {"building": ["house", "yes", "school"], "height": ["12", None, "15 m"], "building:levels": [None, "2", None]},
        geometry=[_box(0, 0, 6, 10), _box(6, 0, 12, 10), _box(30, 0, 60, 20)],
        crs="EPSG:31370",
    )
    streets = gpd.GeoDataFrame(
        {"highway": ["residential", "footway"], "name": ["Rue A", None]},
        geometry=[shapely.LineString(_at([(0, -5), (50, -5)])), shapely.LineString(_at([(50, -5), (50, -30)]))],
        crs="EPSG:31370",
    )
    fp.to_file(path, layer="footprints")
    streets.to_file(path, layer="streets")
    result = read_vector(path)
    # independent count
    assert len(pyogrio.read_dataframe(path, layer="footprints")) == len(result.layers["buildings"]) == 3
    b = result.layers["buildings"].set_index("building_id")
    assert b.index[0].startswith("district/footprints:")
    assert list(b["height_m"]) == [12.0, 6.0, 15.0]
    assert list(b["height_defaulted"]) == [False, True, False]
    assert list(b["n_storeys"]) == [4, 2, 4]  # 12 m / 3.0 m; known; 15 m / 3.5 m (education)
    assert list(b["use"]) == ["residential", "residential", "education"]
    assert len(result.layers["links"]) == 4 and len(result.layers["nodes"]) == 3
    only = read_vector(path, source_layer="streets")
    assert set(only.layers) == {"nodes", "links"}
    with pytest.raises(InputError, match="no layer"):
        read_vector(path, source_layer="nope")


def test_points_become_pois_and_layer_can_be_forced(tmp_path):
    pts = gpd.GeoDataFrame(
        {"amenity": ["school", None, "pharmacy"], "shop": [None, "bakery", None], "name": ["A", "B", None]},
        geometry=[shapely.Point(_at([0, 0])), shapely.Point(_at([1, 1])), shapely.Point(_at([2, 2]))],
        crs="EPSG:31370",
    )
    path = tmp_path / "pois.gpkg"
    pts.to_file(path)
    p = read_vector(path).layers["pois"]
    assert list(p["category"]) == ["school", "grocery", "pharmacy"]
    assert list(p["name"]) == ["A", "B", ""]
    # a polygon layer of parks read as POIs: a point inside each polygon
    parks = gpd.GeoDataFrame({"leisure": ["park"]}, geometry=[_box(0, 0, 100, 50)], crs="EPSG:31370")
    parks.to_file(tmp_path / "parks.gpkg")
    assert read_vector(tmp_path / "parks.gpkg").counts() == {"landcover": 1}
    forced = read_vector(tmp_path / "parks.gpkg", layer="pois").layers["pois"]
    assert forced["category"].tolist() == ["park"]
    assert shapely.contains(_box(0, 0, 100, 50), forced.geometry.iloc[0])
    with pytest.raises(InputError, match="unknown target layer"):
        read_vector(path, layer="trees")


def test_invalid_geometries_are_repaired_or_dropped_with_a_reason(tmp_path):
    bowtie = {"type": "Polygon", "coordinates": _at([[[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]])}
    collapsed = {"type": "Polygon", "coordinates": _at([[[20, 0], [30, 0], [25, 0], [20, 0]]])}
    feats = [
        {"type": "Feature", "properties": {"building": "yes", "id": "bowtie"}, "geometry": bowtie},
        {"type": "Feature", "properties": {"building": "yes", "id": "flat"}, "geometry": collapsed},
        {"type": "Feature", "properties": {"building": "yes", "id": "none"}, "geometry": None},
        square(X0 + 40, Y0, building="yes", id="fine"),
    ]
    path = write_geojson(tmp_path / "bad.geojson", feats)
    result = read_vector(path)
    b = result.layers["buildings"].set_index("building_id")
    assert set(b.index) == {"bad:bowtie", "bad:fine"}
    assert result.meta["repaired"] == 1
    # the bow-tie becomes its two triangles, 25 m2 each
    assert b.loc["bad:bowtie", "footprint_area_m2"] == pytest.approx(50.0)
    assert shapely.is_valid(b.loc["bad:bowtie", "geometry"])
    reasons = {d.obj: d.reason for d in result.dropped}
    assert reasons["bad:none"] == "no geometry"
    assert reasons["bad:flat"].startswith("invalid geometry that cannot be repaired")
    assert all(d.path == str(path) for d in result.dropped)


def test_repeated_ids_are_made_unique(tmp_path):
    feats = [square(X0, Y0, building="yes", osm_id="7"), square(X0 + 20, Y0, building="yes", osm_id="7")]
    path = write_geojson(tmp_path / "dup.geojson", feats)
    assert list(read_vector(path).layers["buildings"]["building_id"]) == ["osm:way/7", "osm:way/7#1"]


def test_polygons_without_any_tag_are_dropped_when_a_building_column_exists(tmp_path):
    feats = [square(X0, Y0, building="yes"), square(X0 + 20, Y0, building=None), square(X0 + 40, Y0, building=None, landuse="grass")]
    path = write_geojson(tmp_path / "mixed.geojson", feats)
    result = read_vector(path)
    assert result.counts() == {"buildings": 1, "landcover": 1}
    assert [d.reason for d in result.dropped] == ["feature fits no scene layer (no building or land-cover attributes)"]


# ----------------------------------------------------------------------------- defaults
def test_defaults_rules_and_flags():
    frame = pd.DataFrame(
        {
            "building_id": list("abcdefg"),
            "footprint_area_m2": [80.0, 20.0, 500.0, 80.0, 80.0, 2000.0, 80.0],
            "height_m": [np.nan, np.nan, np.nan, 12.0, np.nan, 30.0, np.nan],
            "n_storeys": [np.nan, np.nan, np.nan, np.nan, 4.0, 5.0, np.nan],
            "construction_year": [np.nan, np.nan, np.nan, np.nan, np.nan, 1931.0, np.nan],
            "building": ["yes", "yes", "yes", "yes", "yes", "yes", "office"],
        }
    )
    out = complete_buildings(frame).set_index("building_id")
    # neither height nor storeys: storeys by use and area, height = storeys x 3.0 m
    assert (out.loc["a", "n_storeys"], out.loc["a", "height_m"]) == (3, 9.0)
    assert (out.loc["b", "n_storeys"], out.loc["b", "height_m"]) == (1, 3.0)  # < 30 m2: annex
    assert (out.loc["c", "n_storeys"], out.loc["c", "height_m"]) == (4, 12.0)  # 150-1000 m2 untagged: R+3
    assert out.loc["a", "height_defaulted"] and out.loc["a", "storeys_defaulted"]
    # only height: storeys = round(h / 3.0)
    assert out.loc["d", "n_storeys"] == 4 and not out.loc["d", "height_defaulted"] and out.loc["d", "storeys_defaulted"]
    # only storeys: height = storeys x 3.0
    assert out.loc["e", "height_m"] == 12.0 and out.loc["e", "height_defaulted"] and not out.loc["e", "storeys_defaulted"]
    # both: kept, storey height derived
    assert out.loc["f", "storey_height_m"] == pytest.approx(6.0) and not out.loc["f", "year_defaulted"]
    # office: 3.5 m storeys, 4 storeys under 400 m2
    assert out.loc["g", "use"] == "office" and out.loc["g", "height_m"] == pytest.approx(14.0)
    assert out["year_defaulted"].sum() == 6 and out["construction_year"].isna().sum() == 6


def test_defaults_and_overrides_can_be_changed_by_the_caller(tmp_path):
    frame = pd.DataFrame({"building_id": ["a", "b"], "footprint_area_m2": [80.0, 80.0], "building": ["yes", "yes"]})
    out = complete_buildings(frame, defaults={"buildings": {"storey_height_m": {"residential": 2.8}}}).set_index("building_id")
    assert out.loc["a", "height_m"] == pytest.approx(3 * 2.8)
    over = pd.DataFrame({"building_id": ["b"], "height_m": [21.0], "use": ["office"], "construction_year": [1965]})
    out = complete_buildings(frame, overrides=over).set_index("building_id")
    assert out.loc["b", "height_m"] == 21.0 and not out.loc["b", "height_defaulted"]
    assert out.loc["b", "n_storeys"] == 6 and out.loc["b", "storeys_defaulted"]  # 21 / 3.5
    assert out.loc["b", "use"] == "office" and not out.loc["b", "use_defaulted"]
    assert out.loc["b", "construction_year"] == 1965 and not out.loc["b", "year_defaulted"]
    assert out.loc["a", "height_defaulted"]
    csv = tmp_path / "over.csv"
    over.to_csv(csv, index=False)
    assert complete_buildings(frame, overrides=csv).set_index("building_id").loc["b", "height_m"] == 21.0
    yaml_path = tmp_path / "d.yaml"
    yaml_path.write_text("buildings:\n  small_footprint_m2: 100\n", encoding="utf-8")
    assert (complete_buildings(frame, defaults=yaml_path)["n_storeys"] == 1).all()
    with pytest.raises(InputError, match="unknown override column"):
        complete_buildings(frame, overrides={"a": {"colour": "red"}})
    with pytest.raises(InputError, match="use 'castle'"):
        complete_buildings(frame, overrides={"a": {"use": "castle"}})
    with pytest.raises(InputError, match="positive"):
        complete_buildings(frame, overrides={"a": {"height_m": -3}})


def test_reader_passes_overrides_by_building_id():
    path = shared_path("brussels", "stgilles_buildings_osm2013.geojson")
    result = read_vector(path, overrides={"osm:way/13766097": {"height_m": 25.0, "n_storeys": 5}})
    hall = result.layers["buildings"].set_index("building_id").loc["osm:way/13766097"]
    assert (hall["height_m"], hall["n_storeys"], hall["height_defaulted"], hall["storeys_defaulted"]) == (25.0, 5, False, False)
    assert result.meta["overrides_applied"] == 1


def test_tag_parsers():
    assert np.allclose(parse_number(["12", "12 m", "7,5", "3;4"]), [12.0, 12.0, 7.5, 3.0])
    assert parse_number(["40'"], feet_to_m=True)[0] == pytest.approx(12.192)
    assert np.isnan(parse_number([None, "abc"])).all()
    years = parse_year(["1890", "1890-05-01", "~1890", "1890s", "C19", None, "abc", "0"])
    assert np.allclose(years[:5], [1890, 1890, 1890, 1895, 1850])
    assert np.isnan(years[5:]).all()


def test_mixed_geometry_file_is_split_and_row_ids_are_file_rows(tmp_path):
    line = {"type": "Feature", "properties": {"highway": "residential"},
            "geometry": {"type": "MultiLineString", "coordinates": _at([[[0, 0], [0, 10]], [[0, 10], [5, 10]]])}}
    point = {"type": "Feature", "properties": {"amenity": "school", "osm_id": "9", "osm_type": "node"},
             "geometry": {"type": "Point", "coordinates": _at([5, 5])}}
    collection = {"type": "Feature", "properties": {}, "geometry": {"type": "GeometryCollection", "geometries": []}}
    feats = [point, square(X0, Y0, 1, building="yes"), line, collection]
    path = write_geojson(tmp_path / "mixed.geojson", feats)
    result = read_vector(path)
    assert result.counts() == {"buildings": 1, "nodes": 3, "links": 4, "pois": 1}
    assert result.layers["pois"]["poi_id"].tolist() == ["osm:node/9"]
    assert result.layers["buildings"]["building_id"].tolist() == ["mixed:1"]
    assert sorted(result.layers["links"]["link_id"]) == ["mixed:2:0:b", "mixed:2:0:f", "mixed:2:1:b", "mixed:2:1:f"]
    assert [(d.obj, d.reason) for d in result.dropped] == [("mixed:3", "geometry collection: not a footprint, line or point")]


def test_a_file_of_unroutable_lines_gives_empty_network_layers(tmp_path):
    feats = [{"type": "Feature", "properties": {"highway": "construction", "osm_id": "5"},
              "geometry": {"type": "LineString", "coordinates": _at([[0, 0], [10, 0]])}}]
    result = read_vector(write_geojson(tmp_path / "works.geojson", feats))
    assert result.counts() == {"nodes": 0, "links": 0}
    assert [d.reason for d in result.dropped] == ["not a routable street (class 'construction')"]
    scene = Scene()
    for name, frame in result.layers.items():
        scene.add(name, frame)
    assert len(scene.links) == 0


def test_crs_scan_skips_brackets_inside_strings(tmp_path):
    text = '{"type":"FeatureCollection","name":"a{b\\"}","crs":{"type":"name","properties":{"name":"EPSG:31370"}},"features":[]}'
    path = tmp_path / "braces.geojson"
    path.write_text(text, encoding="utf-8")
    assert json.loads(text)["name"] == 'a{b"}'
    assert geojson_declares_crs(path)
    path.write_text('{"type":"FeatureCollection","name":"crs","features":[]}', encoding="utf-8")
    assert not geojson_declares_crs(path)
