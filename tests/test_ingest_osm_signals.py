"""Traffic signals read by the OSM ingest onto the street nodes (issue 15, build 1: signals where
the scene has them), checked on a hand-made file, against the separate pyosmium reader and
:func:`twin.traffic.signals.mark_signals` on the 2013 Brussels extract, through a written
scene folder, and on the command line of dynamic loading."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
import shapely

from tests.cli_harness import run_twin
from tests.conftest import shared_path
from twin.ingest import ingest
from twin.traffic.network import Network

# 0.0001 degree of longitude at 50.83 N is about 7.03 m; nodes in the order of their ids (GDAL's OSM driver needs it)
OSM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="hand">
  <node id="1" lat="50.8300000" lon="4.3500000"/>
  <node id="2" lat="50.8300000" lon="4.3510000"/>
  <node id="3" lat="50.8300000" lon="4.3520000"><tag k="highway" v="crossing"/><tag k="crossing" v="traffic_signals"/></node>
  <node id="4" lat="50.8306000" lon="4.3510000"><tag k="highway" v="traffic_signals;crossing"/></node>
  <node id="7" lat="50.8300000" lon="4.3508500"><tag k="highway" v="traffic_signals"/></node>
  <node id="8" lat="50.8320000" lon="4.3535000"><tag k="highway" v="traffic_signals"/></node>
  <node id="80" lat="50.8320000" lon="4.3530000"/>
  <node id="81" lat="50.8320000" lon="4.3540000"/>
  <way id="10"><nd ref="1"/><nd ref="7"/><nd ref="2"/><tag k="highway" v="residential"/></way>
  <way id="20"><nd ref="2"/><nd ref="3"/><tag k="highway" v="residential"/></way>
  <way id="30"><nd ref="2"/><nd ref="4"/><tag k="highway" v="residential"/></way>
  <way id="70"><nd ref="80"/><nd ref="8"/><nd ref="81"/><tag k="highway" v="footway"/></way>
</osm>
"""


@pytest.fixture
def hand_file(tmp_path):
    path = tmp_path / "signals.osm"
    path.write_text(OSM_XML)
    return path


def _node_near(nodes, lon: float, lat: float) -> int:
    """Row of the street node at a WGS84 position (the scene's nodes are in EPSG:31370)."""
    import pyproj

    x, y = pyproj.Transformer.from_crs("EPSG:4326", nodes.crs, always_xy=True).transform(lon, lat)
    d = shapely.distance(np.asarray(nodes.geometry.values), shapely.Point(x, y))
    assert d.min() < 0.01
    return int(np.argmin(d))


def test_hand_made_signals_on_their_junctions(hand_file):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene, (result,) = ingest([hand_file], crs="EPSG:31370")
    nodes = scene.nodes
    junction, north = _node_near(nodes, 4.3510, 50.8300), _node_near(nodes, 4.3510, 50.8306)
    assert set(np.flatnonzero(nodes["signalised"].to_numpy())) == {junction, north}
    # the stop-line signal 7, 0.00015 degree of longitude (10.56 m) before junction 2, moves onto it
    moved = nodes["signal_source"].iloc[junction]
    assert moved.startswith("osm node 7 highway=traffic_signals, ") and moved.endswith(" m along the street")
    import pyproj

    _, _, along_m = pyproj.Geod(ellps="WGS84").inv(4.35085, 50.83, 4.3510, 50.83)  # 10.56 m on the ellipsoid
    assert abs(float(moved.split(", ")[1].split()[0]) - along_m) <= 0.05 + 0.01  # printed to 0.1 m; Lambert 72 scale
    assert nodes["signal_source"].iloc[north] == "osm node 4 highway=traffic_signals"  # the ';' list is read
    # the signal on a footway (no street open to cars within 1 m) is reported, not placed;
    # crossing=traffic_signals (node 3) is not read
    dropped = [d for d in result.dropped if d.reason.startswith("traffic signal not placed")]
    assert [d.obj for d in dropped] == ["osm:node/8"]
    assert result.meta["signals"] == {"read": 3, "at_node": 1, "moved_to_junction": 1, "not_placed": 1, "signalised_nodes": 2}
    assert not nodes.loc[nodes["signal_source"].str.contains("osm node 3"), "signalised"].any()


def test_streets_without_signals_keep_their_nodes_as_they_were(tmp_path):
    path = tmp_path / "plain.osm"
    path.write_text(OSM_XML.replace('<tag k="highway" v="traffic_signals"/>', "").replace("traffic_signals;crossing", "crossing"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene, (result,) = ingest([path], crs="EPSG:31370")
    assert "signals" not in result.meta
    assert "signalised" not in scene.nodes.columns or not scene.nodes["signalised"].fillna(False).astype(bool).any()


def test_signals_survive_the_scene_folder_and_reach_the_network(hand_file, tmp_path):
    from twin.export.layers import write_scene
    from twin.scene.io import read_scene

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene, _ = ingest([hand_file], crs="EPSG:31370")
    write_scene(scene, tmp_path / "scene")
    back = read_scene(tmp_path / "scene")
    pd.testing.assert_series_equal(back.nodes["signalised"].astype(bool), scene.nodes["signalised"].astype(bool), check_names=False)
    assert list(back.nodes["signal_source"]) == list(scene.nodes["signal_source"])
    net = Network.from_scene(back, mode="car")
    assert int(np.asarray(net.meta["signalised"]).sum()) == 2


def test_simulate_command_applies_and_reports_the_ingested_signals(hand_file, tmp_path):
    """``twin ingest`` then ``twin traffic simulate``: both flagged nodes get stop lines on their
    approaches (reported with their count); --no-signals turns them off."""
    from twin.scene.io import read_scene

    run = run_twin(["ingest", hand_file, "-o", tmp_path / "scene", "-q"])
    assert run.code == 0, run.stderr
    net = Network.from_scene(read_scene(tmp_path / "scene"), mode="car")
    signalised = np.flatnonzero(net.meta["signalised"])
    approaches = int(np.isin(net.to_node, signalised).sum())
    od = tmp_path / "od.csv"
    pd.DataFrame({"origin": [net.node_ids[net.from_node[0]]], "destination": [net.node_ids[net.to_node[0]]], "t_start_s": [0.0],
                  "t_end_s": [60.0], "vehicles": [1.0]}).to_csv(od, index=False)  # fmt: skip
    on = run_twin(["traffic", "simulate", tmp_path / "scene", "--demand", od, "--json"])
    assert on.code == 0, on.stderr
    s = json.loads(on.stdout)
    assert s["signals"] == 2 and s["signals_without_approach"] == [] and s["signal_approaches"] == approaches > 0
    text = run_twin(["traffic", "simulate", tmp_path / "scene", "--demand", od])
    assert f"signals                      2 signalised nodes ({approaches} approaches)" in text.stdout
    off = run_twin(["traffic", "simulate", tmp_path / "scene", "--demand", od, "--no-signals"])
    assert off.code == 0, off.stderr
    assert "signals                      off (--no-signals)" in off.stdout


def test_brussels_signals_equal_the_pyosmium_reader_and_mark_signals():
    """The ingest's GDAL read and placement give the flags of the separate path: pyosmium's
    :func:`read_osm_signals` and :func:`mark_signals` on the same streets (515 signals, 466 nodes)."""
    from twin.traffic.signals import mark_signals, read_osm_signals

    pbf = shared_path("brussels", "brussels_capital_region_2013-01-01.osm.pbf")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene, (result,) = ingest([pbf], layers=("streets",))
    flags = scene.nodes["signalised"].to_numpy(dtype=bool).copy()
    sources = scene.nodes["signal_source"].to_numpy().copy()
    match = mark_signals(scene, read_osm_signals(pbf))
    assert np.array_equal(flags, scene.nodes["signalised"].to_numpy(dtype=bool))
    assert (sources == scene.nodes["signal_source"].to_numpy()).all()
    assert result.meta["signals"] == {"read": 515, "at_node": match.at_node, "moved_to_junction": match.snapped,
                                      "not_placed": len(match.unmatched), "signalised_nodes": match.n_signalised_nodes}
    assert match.n_signalised_nodes == int(flags.sum()) > 400


def test_a_flagged_node_no_car_street_enters_is_reported_not_an_error(tmp_path):
    """A signal at the start of a one-way street (node 1: no car link enters it) is flagged by the
    map but cannot hold a stop line: the run applies the other two and lists it (it stopped the run
    with an InputError before)."""
    from twin.scene.io import read_scene

    path = tmp_path / "oneway.osm"
    path.write_text(OSM_XML.replace('<node id="1" lat="50.8300000" lon="4.3500000"/>',
                                    '<node id="1" lat="50.8300000" lon="4.3500000"><tag k="highway" v="traffic_signals"/></node>')
                           .replace('<nd ref="2"/><tag k="highway" v="residential"/></way>\n  <way id="20">',
                                    '<nd ref="2"/><tag k="highway" v="residential"/><tag k="oneway" v="yes"/></way>\n  <way id="20">'))
    run = run_twin(["ingest", path, "-o", tmp_path / "scene", "-q"])
    assert run.code == 0, run.stderr
    scene = read_scene(tmp_path / "scene")
    net = Network.from_scene(scene, mode="car")
    start = _node_near(scene.nodes, 4.3500, 50.8300)
    start_id = scene.nodes["node_id"].iloc[start]
    assert bool(scene.nodes["signalised"].iloc[start])
    v = list(net.node_ids).index(start_id)
    assert net.in_start[v + 1] == net.in_start[v]  # no car link enters it
    od = tmp_path / "od.csv"
    pd.DataFrame({"origin": [start_id], "destination": [net.node_ids[net.to_node[net.out_start[v]]]], "t_start_s": [0.0], "t_end_s": [60.0],
                  "vehicles": [1.0]}).to_csv(od, index=False)  # fmt: skip
    on = run_twin(["traffic", "simulate", tmp_path / "scene", "--demand", od, "--json"])
    assert on.code == 0, on.stderr
    s = json.loads(on.stdout)
    assert s["signals"] == 2 and s["signals_without_approach"] == [start_id]
    text = run_twin(["traffic", "simulate", tmp_path / "scene", "--demand", od])
    assert "; 1 flagged node(s) without an approach in the car network not applied (ids: --json)" in text.stdout


def test_static_scene_assignment_pays_the_hcm_delay_of_the_ingested_signal(hand_file, tmp_path):
    """``twin traffic assign --scene``: 1 veh/h from the west end to the east end crosses junction 2
    (signalised by the ingest: the stop-line signal 10.6 m before it). Its approach's time is the
    free time plus the HCM 2000 delay by hand (Eq. 16-9 to 16-12: d1 = 0.5 C (1 - g)^2 / (1 - X g),
    d2 = 900 T [(X - 1) + sqrt((X - 1)^2 + 8 k I X / (c T))], k 0.5, I 1, T 0.25 h; C 90 s,
    g = (90 - 8) / 180, s 1,900 veh/h per lane); the other link's time is unchanged."""
    import math

    from twin.scene.io import read_scene

    run = run_twin(["ingest", hand_file, "-o", tmp_path / "scene", "-q"])
    assert run.code == 0, run.stderr
    scene = read_scene(tmp_path / "scene")
    west, east = (scene.nodes["node_id"].iloc[_node_near(scene.nodes, lon, 50.8300)] for lon in (4.3500, 4.3520))
    od = tmp_path / "od.csv"
    pd.DataFrame({"origin": [west], "destination": [east], "flow_veh_h": [1.0]}).to_csv(od, index=False)
    times = {}
    for flag in ("--signals", "--no-signals"):
        out = tmp_path / f"links{flag}.csv"
        r = run_twin(["traffic", "assign", "--scene", tmp_path / "scene", "--demand", od, flag, "-o", out, "--gap", "1e-9", "-q"])
        assert r.code == 0, r.stderr
        frame = pd.read_csv(out).set_index("link_id")
        times[flag] = frame["time"]
        assert frame.loc["osm:way/10:0:f", "flow"] == pytest.approx(1.0, rel=1e-9)
    assert "signals                      off (--no-signals)" in r.stdout  # the last run of the loop
    lanes = float(scene.links.set_index("link_id").loc["osm:way/10:0:f", "lanes"])
    cycle, g, period_h = 90.0, (90.0 - 8.0) / 180.0, 0.25
    c = 1900.0 * lanes * g
    x = 1.0 / c
    d1 = 0.5 * cycle * (1.0 - g) ** 2 / (1.0 - min(x, 1.0) * g)
    d2 = 900.0 * period_h * ((x - 1.0) + math.sqrt((x - 1.0) ** 2 + 8.0 * 0.5 * 1.0 * x / (c * period_h)))
    assert times["--signals"]["osm:way/10:0:f"] - times["--no-signals"]["osm:way/10:0:f"] == pytest.approx(d1 + d2, abs=1e-6)
    assert times["--signals"]["osm:way/20:0:f"] == pytest.approx(times["--no-signals"]["osm:way/20:0:f"], abs=1e-9)
    text = run_twin(["traffic", "assign", "--scene", tmp_path / "scene", "--demand", od, "-q"])
    assert "signals                      2 signalised nodes" in text.stdout
