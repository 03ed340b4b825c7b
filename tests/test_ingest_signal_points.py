"""Traffic-signal points of GeoJSON / GeoPackage files flag the street nodes of the same ingest,
by the rule of the OSM file path (:mod:`twin.ingest.signal_points`): the Saint-Gilles samples
against a placement computed here with shapely from the two files, a hand-made GeoPackage (a
``;`` list, a signal off the streets, a crossing, a point without ``osm_id``, a POI beside them),
the command line (no "service category" drop, the summary line, a signals file alone is one
error line) and ``twin traffic assign --scene`` on the ingested scene."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from tests.cli_harness import assert_one_line_error, run_twin
from twin.errors import InputError
from twin.ingest import ingest
from twin.ingest.signal_points import CROSSING_NOT_READ, NEEDS_STREETS, NO_OSM_ID, NOT_PLACED

SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"
STREETS = SAMPLES / "stgilles_streets_osm2013.geojson"
SIGNALS = SAMPLES / "stgilles_signals_osm2013.geojson"
CRS = "EPSG:31370"


def _ingest(paths):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ingest(paths, crs=CRS)


@pytest.fixture(scope="module")
def stgilles():
    return _ingest([STREETS, SIGNALS])


def expected_flags(nodes: gpd.GeoDataFrame) -> tuple[dict[int, list[tuple[int, float]]], int, int]:
    """Where each ``highway=traffic_signals`` point of the sample belongs, computed from the two files:
    a street node within 0.5 m (distance 0), else the street node nearest along the street line of
    the streets file that passes within 1 m of it, if within 30 m along it. Returns node row ->
    [(osm id, metres moved)], and the counts at a node and moved."""
    sig = gpd.read_file(SIGNALS).to_crs(CRS)
    sig = sig[sig["highway"].fillna("").map(lambda v: "traffic_signals" in v.split(";"))]
    streets = gpd.read_file(STREETS).to_crs(CRS)
    xy = np.asarray(nodes.geometry.values)
    out: dict[int, list[tuple[int, float]]] = {}
    at_node = moved = 0
    for oid, pt in zip(sig["osm_id"].astype(int), sig.geometry, strict=True):
        d = shapely.distance(xy, pt)
        if d.min() <= 0.5:
            out.setdefault(int(np.argmin(d)), []).append((oid, 0.0))
            at_node += 1
            continue
        best = None
        for line in streets.geometry[streets.distance(pt) <= 1.0]:
            on_line = np.flatnonzero(shapely.distance(xy, line) < 0.01)
            along = abs(np.array([line.project(xy[r]) for r in on_line]) - line.project(pt))
            k = int(np.argmin(along))
            if along[k] <= 30.0 and (best is None or along[k] < best[1]):
                best = (int(on_line[k]), float(along[k]))
        assert best is not None, oid
        out.setdefault(best[0], []).append((oid, best[1]))
        moved += 1
    return out, at_node, moved


def test_sample_signals_flag_the_street_nodes_computed_from_the_two_files(stgilles):
    scene, (streets, signals) = stgilles
    nodes = scene.nodes
    expected, at_node, moved = expected_flags(nodes)
    flagged = np.flatnonzero(nodes["signalised"].to_numpy(dtype=bool))
    assert set(flagged) == set(expected) and len(flagged) == 12
    assert signals.meta["signals"] == {"read": 12, "at_node": at_node, "moved_to_junction": moved, "not_placed": 0,
                                       "signalised_nodes": len(expected)}
    assert moved >= 1  # the sample has a stop-line signal a few metres before its junction
    for row, found in expected.items():
        parts = nodes["signal_source"].iloc[row].split("; ")
        assert len(parts) == len(found)
        for text, (oid, dist) in zip(parts, sorted(found), strict=True):
            if dist == 0.0:
                assert text == f"osm node {oid} highway=traffic_signals"
            else:
                m = re.fullmatch(rf"osm node {oid} highway=traffic_signals, ([0-9.]+) m along the street", text)
                assert m is not None, text
                assert abs(float(m.group(1)) - dist) <= 0.05 + 1e-6
    assert (nodes["signal_source"].iloc[np.setdiff1d(np.arange(len(nodes)), flagged)] == "").all()
    # the six signalised crossings are dropped with their reason, none is a POI or a "service category" drop
    crossing = {d.obj for d in signals.dropped if d.reason == CROSSING_NOT_READ}
    sample = gpd.read_file(SIGNALS)
    assert crossing == {f"osm:node/{i}" for i in sample.loc[sample["kind"] == "crossing", "osm_id"]} and len(crossing) == 6
    assert not any("service category" in d.reason for d in signals.dropped) and len(scene.pois) == 0
    assert streets.dropped == [] or all(d.path == str(STREETS) for d in streets.dropped)


def test_sample_flags_equal_mark_signals_on_the_streets_alone(stgilles):
    """The vector ingest gives the flags the separate path gives (read_osm_signals + mark_signals)."""
    from twin.traffic.signals import mark_signals, read_osm_signals

    scene, _ = stgilles
    plain, _ = _ingest([STREETS])
    assert "signalised" not in plain.nodes.columns
    mark_signals(plain, read_osm_signals(SIGNALS))
    assert np.array_equal(plain.nodes["signalised"].to_numpy(dtype=bool), scene.nodes["signalised"].to_numpy(dtype=bool))
    assert list(plain.nodes["signal_source"]) == list(scene.nodes["signal_source"])


def _hand_gpkg(path: Path) -> Path:
    """Two layers: an east-west street (148000-148200, 168000) with a side street north from 148100,
    and points: signals at the junction (1), 0.2 m from the east end in a ';' list (2), 50 m off
    every street (3), 20 m up the side street (6); a crossing (4), a pharmacy (5), a signal without osm_id."""
    lines = gpd.GeoDataFrame(
        {"osm_id": [10, 20], "osm_type": ["way", "way"], "highway": ["residential", "residential"]},
        geometry=[shapely.LineString([(148000, 168000), (148100, 168000), (148200, 168000)]),
                  shapely.LineString([(148100, 168000), (148100, 168100)])], crs=CRS)  # fmt: skip
    pts = gpd.GeoDataFrame(
        {"osm_id": [1, 2, 3, 4, 5, None, 6],
         "highway": ["traffic_signals", "crossing;traffic_signals", "traffic_signals", "crossing", None, "traffic_signals", "traffic_signals"],
         "crossing": [None, None, None, "traffic_signals", None, None, None],
         "amenity": [None, None, None, None, "pharmacy", None, None]},
        geometry=shapely.points([(148100, 168000), (148200.2, 168000), (148050, 168050), (148150, 168000), (148150, 168030),
                                 (148000, 168000), (148100, 168020)]), crs=CRS)  # fmt: skip
    lines.to_file(path, layer="streets", driver="GPKG")
    pts.to_file(path, layer="points", driver="GPKG")
    return path


def _row_at(nodes, x: float, y: float) -> int:
    d = shapely.distance(np.asarray(nodes.geometry.values), shapely.Point(x, y))
    assert d.min() < 1e-6
    return int(np.argmin(d))


def test_hand_made_geopackage(tmp_path):
    scene, (result,) = _ingest([_hand_gpkg(tmp_path / "hand.gpkg")])
    nodes = scene.nodes
    junction, east = _row_at(nodes, 148100, 168000), _row_at(nodes, 148200, 168000)
    assert set(np.flatnonzero(nodes["signalised"].to_numpy(dtype=bool))) == {junction, east}
    assert nodes["signal_source"].iloc[junction] == "osm node 1 highway=traffic_signals; osm node 6 highway=traffic_signals, 20.0 m along the street"
    assert nodes["signal_source"].iloc[east] == "osm node 2 highway=traffic_signals"
    assert result.meta["signals"] == {"read": 4, "at_node": 2, "moved_to_junction": 1, "not_placed": 1, "signalised_nodes": 2}
    reasons = {d.obj: d.reason for d in result.dropped}
    assert reasons["osm:node/3"] == NOT_PLACED and reasons["osm:node/4"] == CROSSING_NOT_READ
    assert [o for o, r in reasons.items() if r == NO_OSM_ID] == ["hand/points:5"]  # the row of the point without osm_id
    assert list(scene.pois["category"].str.len() > 0) == [True] and list(scene.pois["poi_id"]) == ["osm:node/5"]


def test_signals_of_a_second_file_add_to_the_flags_of_the_first(tmp_path):
    gpkg = _hand_gpkg(tmp_path / "hand.gpkg")
    west = tmp_path / "west.geojson"
    gpd.GeoDataFrame({"osm_id": [7], "highway": ["traffic_signals"]}, geometry=[shapely.Point(148000, 168000)], crs=CRS).to_file(west)
    scene, (_, second) = _ingest([gpkg, west])
    nodes = scene.nodes
    rows = {_row_at(nodes, x, 168000) for x in (148000, 148100, 148200)}
    assert set(np.flatnonzero(nodes["signalised"].to_numpy(dtype=bool))) == rows
    assert nodes["signal_source"].iloc[_row_at(nodes, 148000, 168000)] == "osm node 7 highway=traffic_signals"
    assert nodes["signal_source"].iloc[_row_at(nodes, 148100, 168000)].startswith("osm node 1 highway=traffic_signals; osm node 6")
    assert second.meta["signals"]["signalised_nodes"] == 1


def test_signals_without_streets_is_an_error_in_the_library():
    with pytest.raises(InputError, match=NEEDS_STREETS) as err:
        _ingest([SIGNALS])
    assert err.value.path == str(SIGNALS)


def test_cli_signals_file_alone_is_one_error_line(tmp_path):
    run = run_twin(["ingest", SIGNALS, "-o", tmp_path / "scene"])
    assert_one_line_error(run, contains=("stgilles_signals_osm2013.geojson", NEEDS_STREETS))
    assert not (tmp_path / "scene").exists()


def test_cli_ingest_then_assign_uses_the_flagged_signals(tmp_path):
    from twin.scene.io import read_scene
    from twin.traffic.network import Network

    run = run_twin(["ingest", STREETS, SIGNALS, "-o", tmp_path / "scene"])
    assert run.code == 0, run.stderr
    assert "service category" not in run.stdout and "service category" not in run.stderr
    scene = read_scene(tmp_path / "scene")
    flagged = int(scene.nodes["signalised"].astype(bool).sum())
    assert flagged == 12
    assert f"{SIGNALS}: traffic signal points 12\n" in run.stdout
    assert f"  traffic signals: 12 read, 11 at a street node, 1 moved along the street to its junction, 0 not placed: {flagged} signalised street nodes" in run.stdout
    net = Network.from_scene(scene, mode="car")
    signalised = np.flatnonzero(np.asarray(net.meta["signalised"], dtype=bool))
    approaches = int(np.isin(net.to_node, signalised).sum())
    od = tmp_path / "od.csv"
    pd.DataFrame({"origin": [net.node_ids[net.from_node[0]]], "destination": [net.node_ids[net.to_node[0]]],
                  "flow_veh_h": [10.0]}).to_csv(od, index=False)  # fmt: skip
    on = run_twin(["traffic", "assign", "--scene", tmp_path / "scene", "--demand", od, "--json", "-q"])
    assert on.code == 0, on.stderr
    s = json.loads(on.stdout)
    assert s["signals"] + len(s["signals_without_approach"]) == flagged == len(signalised)
    assert s["signal_approaches"] == approaches > 0
