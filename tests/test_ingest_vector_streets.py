"""Street lines -> routable network: splitting at shared vertices, direction, attributes,
lengths, and the Saint-Gilles network (checked with scipy's graph routines and pyproj)."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from tests.conftest import shared_path
from twin.ingest.streets import build_network, parse_maxspeed, street_attributes
from twin.ingest.vector import read_vector
from twin.scene import Scene

KMH = 1 / 3.6


def _net(lines, crs="EPSG:31370", **tags):
    frame = gpd.GeoDataFrame(pd.DataFrame(tags), geometry=lines, crs=crs)
    dropped = []
    nodes, links = build_network(
        frame, source_ids=[f"w{i}" for i in range(len(lines))], node_prefix="t", drop=lambda o, r: dropped.append((o, r))
    )
    return nodes, links, dropped


def test_crossing_lines_are_split_at_their_shared_vertex():
    ns = shapely.LineString([(0, -100), (0, 0), (0, 100)])
    ew = shapely.LineString([(-50, 0), (0, 0), (50, 0)])
    nodes, links, dropped = _net([ns, ew], highway=["residential", "residential"])
    assert dropped == []
    assert len(nodes) == 5  # four ends and the intersection
    assert len(links) == 8  # four pieces, both directions
    assert sorted(links["length_m"].round(6).unique()) == [50.0, 100.0]
    centre = nodes[shapely.equals(nodes.geometry.values, shapely.Point(0, 0))]["node_id"].iloc[0]
    assert (links["from_node"] == centre).sum() == 4 and (links["to_node"] == centre).sum() == 4
    # every link's geometry runs from its tail node to its head node
    xy = dict(zip(nodes["node_id"], shapely.get_coordinates(nodes.geometry.values).tolist()))
    first = shapely.get_coordinates(shapely.get_point(links.geometry.values, 0)).tolist()
    last = shapely.get_coordinates(shapely.get_point(links.geometry.values, -1)).tolist()
    assert first == [xy[n] for n in links["from_node"]] and last == [xy[n] for n in links["to_node"]]


def test_lines_crossing_without_a_shared_vertex_stay_apart():
    nodes, links, _ = _net(
        [shapely.LineString([(0, -100), (0, 100)]), shapely.LineString([(-50, 0), (50, 0)])], highway=["primary", "primary"]
    )
    assert len(nodes) == 4 and len(links) == 4


def test_vertices_within_the_snapping_grid_are_one_node():
    a = shapely.LineString([(0.0, 0.0), (10.0, 0.0)])
    b = shapely.LineString([(10.002, 0.001), (10.0, 20.0)])  # 2 mm off: same 1 cm cell
    nodes, _, _ = _net([a, b], highway=["residential", "residential"])
    assert len(nodes) == 3


def test_oneway_tags_and_roundabouts():
    lines = [
        shapely.LineString([(0, 0), (100, 0)]),
        shapely.LineString([(0, 10), (100, 10)]),
        shapely.LineString([(0, 20), (100, 20)]),
        shapely.LineString([(0, 30), (100, 30)]),
        shapely.LineString([(200, 0), (220, 0), (220, 20), (200, 20), (200, 0)]),  # closed roundabout
    ]
    _, links, _ = _net(
        lines,
        highway=["residential", "residential", "residential", "motorway", "primary"],
        oneway=["yes", "-1", None, None, None],
        junction=[None, None, None, None, "roundabout"],
        **{"oneway:bicycle": [None, "no", None, None, None]},
    )
    car = links[links["modes"].str.contains("car")]
    per_way = car.groupby("source_id")["link_id"].apply(lambda s: sorted(x[-1] for x in s))
    assert per_way["w0"] == ["f"]  # oneway=yes: along the line only
    assert per_way["w1"] == ["b"]  # oneway=-1: against the line only
    assert per_way["w2"] == ["b", "f"]
    assert per_way["w3"] == ["f"]  # motorway: oneway by definition
    assert set(per_way["w4"]) == {"f"}  # roundabout: forward only, split in two pieces
    assert (car["source_id"] == "w4").sum() == 2
    # pedestrians walk both ways on a oneway street; bikes only where oneway:bicycle=no
    contra = links[(links["source_id"] == "w0") & links["link_id"].str.endswith(":b")]
    assert contra["modes"].tolist() == ["walk"] and contra["capacity_veh_h"].tolist() == [0.0]
    assert contra["free_speed_m_s"].iloc[0] == pytest.approx(5 * KMH)
    contra1 = links[(links["source_id"] == "w1") & links["link_id"].str.endswith(":f")]
    assert contra1["modes"].tolist() == ["bike,walk"]
    assert not (links["source_id"] == "w3").loc[~links["modes"].str.contains("car")].any()  # no walking on motorways
    loop = links[links["source_id"] == "w4"]
    assert loop["length_m"].sum() == pytest.approx(2 * 80.0)  # 80 m, both directions (cars one way, walk back)
    assert (loop["from_node"] != loop["to_node"]).all()


def test_speed_lanes_capacity_and_modes_by_class_and_tags():
    tags = pd.DataFrame(
        {
            "highway": ["residential", "primary", "secondary", "footway", "cycleway", "service", "trunk", "construction", "foo"],
            "maxspeed": [None, "70", "30 mph", None, None, None, "BE:urban", None, None],
            "lanes": [None, "4", None, None, None, None, "3", None, None],
            "oneway": [None, None, None, None, None, None, "yes", None, None],
            "access": [None, None, None, None, None, "private", None, None, None],
        }
    )
    a = street_attributes(tags)
    assert a["free_speed_m_s_f"].iloc[0] == pytest.approx(30 * KMH)  # Brussels zone 30 default
    assert a["free_speed_m_s_f"].iloc[1] == pytest.approx(70 * KMH)
    assert a["free_speed_m_s_f"].iloc[2] == pytest.approx(30 * 1.609344 * KMH)
    assert a["free_speed_m_s_f"].iloc[6] == pytest.approx(50 * KMH)
    assert list(a["lanes_f"].iloc[:2]) == [1, 2] and a["lanes_b"].iloc[1] == 2  # 4 lanes two-way: 2 + 2
    assert a["lanes_f"].iloc[6] == 3  # oneway: all lanes one way
    assert a["capacity_veh_h_f"].iloc[0] == 600.0 and a["capacity_veh_h_f"].iloc[1] == 2 * 1500.0
    assert a["capacity_veh_h_f"].iloc[6] == 3 * 2000.0
    assert a["modes_f"].iloc[3] == "walk" and a["capacity_veh_h_f"].iloc[3] == 0.0
    assert a["modes_f"].iloc[4] == "bike,walk" and a["free_speed_m_s_f"].iloc[4] == pytest.approx(15 * KMH)
    assert "bike" not in a["modes_f"].iloc[6] and "walk" not in a["modes_f"].iloc[6]
    assert not a["routable"].iloc[5] and "access=private" in a["reason"].iloc[5]
    assert not a["routable"].iloc[7] and "construction" in a["reason"].iloc[7]
    assert not a["routable"].iloc[8] and "unknown street class 'foo'" == a["reason"].iloc[8]


def test_maxspeed_parser():
    got = parse_maxspeed(["50", "30 mph", "BE:urban", "50;70", "signals", None, "walk"], {"BE:urban": 50, "walk": 5})
    want = np.array([50, 30 * 1.609344, 50, 50, np.nan, np.nan, 5]) / 3.6
    np.testing.assert_allclose(got, want)


def test_geodesic_lengths_in_degrees_match_projected_lengths():
    line = shapely.LineString([(4.34, 50.82), (4.345, 50.823), (4.35, 50.821)])
    _, links, _ = _net([line], crs="EPSG:4326", highway=["residential"])
    lambert = shapely.length(gpd.GeoSeries([line], crs="EPSG:4326").to_crs("EPSG:31370").iloc[0])
    # Lambert 72 scale error in Brussels is below 1e-4
    assert links["length_m"].iloc[0] == pytest.approx(lambert, rel=2e-4)


def test_street_file_without_class_column_gets_the_default_class(tmp_path):
    path = shared_path("gis", "lyon_bdtopo_multi_line_string_road.geojson")
    result = read_vector(path)
    links = result.layers["links"]
    assert (links["road_class"] == "residential").all() and len(links) == 2
    with open(path, encoding="utf-8") as fh:
        geom = shapely.force_2d(shapely.from_geojson(json.dumps(json.load(fh)["features"][0]["geometry"])))
    assert links["length_m"].iloc[0] == pytest.approx(shapely.length(geom))


# ----------------------------------------------------------------------------- Saint-Gilles
@pytest.fixture(scope="module")
def stgilles():
    path = shared_path("brussels", "stgilles_streets_osm2013.geojson")
    with open(path, encoding="utf-8") as fh:
        feats = json.load(fh)["features"]
    return path, feats, read_vector(path)


def test_stgilles_network_is_connected(stgilles):
    _, feats, result = stgilles
    nodes, links = result.layers["nodes"], result.layers["links"]
    assert result.dropped == []
    assert set(links["source_id"]) == {f"osm:way/{f['properties']['osm_id']}" for f in feats}
    idx = pd.Series(np.arange(len(nodes)), index=nodes["node_id"])
    a, b = idx.loc[links["from_node"]].to_numpy(), idx.loc[links["to_node"]].to_numpy()
    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(len(nodes), len(nodes)))
    _, label = connected_components(graph, directed=True, connection="weak")
    assert np.bincount(label).max() / len(nodes) > 0.9
    car = links["modes"].str.contains("car").to_numpy()
    g2 = coo_matrix((np.ones(car.sum()), (a[car], b[car])), shape=(len(nodes), len(nodes)))
    _, label2 = connected_components(g2, directed=True, connection="strong")
    # clipped at the box edge, many one-way streets lead out: still a large strongly connected core
    assert np.bincount(label2).max() > 150


def test_stgilles_oneway_streets_have_car_links_in_one_direction_only(stgilles):
    _, feats, result = stgilles
    links = result.layers["links"]
    car = links[links["modes"].str.contains("car")]
    direction = car.groupby("source_id")["link_id"].agg(lambda s: {x.rsplit(":", 1)[1] for x in s})
    oneway = {f"osm:way/{f['properties']['osm_id']}": f["properties"]["oneway"] for f in feats}
    roundabout = {f"osm:way/{f['properties']['osm_id']}" for f in feats if f["properties"]["junction"] == "roundabout"}
    n_checked = 0
    for way, dirs in direction.items():
        if oneway[way] == "yes" or way in roundabout:
            assert dirs == {"f"}, way
            n_checked += 1
        elif oneway[way] == "-1":
            assert dirs == {"b"}, way
        else:
            assert dirs == {"f", "b"}, way
    assert n_checked >= 60


def test_stgilles_link_lengths_add_up_to_the_street_lengths(stgilles):
    _, feats, result = stgilles
    links = result.layers["links"]
    forward = links[links["link_id"].str.endswith(":f")]
    geod = pyproj.Geod(ellps="WGS84")
    ref = sum(geod.line_length(*zip(*f["geometry"]["coordinates"])) for f in feats)
    assert forward["length_m"].sum() == pytest.approx(ref, rel=1e-9)
    assert ref == pytest.approx(24_550, rel=0.01)  # SOURCE.md: 24.55 km


def test_stgilles_network_enters_the_scene(stgilles):
    _, _, result = stgilles
    scene = Scene()
    scene.add("nodes", result.layers["nodes"], source=result.path)
    scene.add("links", result.layers["links"], source=result.path)
    assert scene.links.crs.to_epsg() == 31370
    lambert = shapely.length(np.asarray(scene.links.geometry.values))
    assert np.allclose(scene.links["length_m"], lambert, rtol=5e-4)
    assert scene.links["from_node"].isin(scene.nodes["node_id"]).all()
