"""Signals from OSM: read from the 2013 Brussels extract and counted against GDAL's OSM driver,
the Saint-Gilles excerpt against the same file, and put on the Saint-Gilles street nodes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import shared_path
from twin.errors import InputError
from twin.traffic.network import Network
from twin.traffic.signals import add_signals, mark_signals, read_osm_signals

SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"
EXCERPT = SAMPLES / "stgilles_signals_osm2013.geojson"
STREETS = SAMPLES / "stgilles_streets_osm2013.geojson"
BOX = (148_000.0, 168_000.0, 149_000.0, 169_000.0)  # EPSG:31370, as scripts/cut_stgilles_signals.py


def gdal_signals(pbf: Path):
    """Signal nodes by GDAL's OSM driver ('points' layer), independently of pyosmium."""
    import pyogrio

    pts = pyogrio.read_dataframe(pbf, layer="points", columns=["osm_id", "highway", "other_tags"])
    highway = pts["highway"].fillna("").map(lambda v: "traffic_signals" in v.split(";"))
    crossing = pts["other_tags"].fillna("").str.contains('"crossing"=>"traffic_signals"', regex=False) & ~highway
    return pts, highway.to_numpy(), crossing.to_numpy()


@pytest.fixture(scope="module")
def brussels():
    return shared_path("brussels", "brussels_capital_region_2013-01-01.osm.pbf")


def test_brussels_signals_counted_against_the_file(brussels) -> None:
    twin_sig = read_osm_signals(brussels)
    pts, highway, crossing = gdal_signals(brussels)
    ids = pts["osm_id"].astype(np.int64).to_numpy()
    mine = twin_sig["osm_id"].to_numpy()
    assert set(mine[twin_sig["kind"] == "traffic_signals"]) == set(ids[highway])
    assert set(mine[twin_sig["kind"] == "crossing"]) == set(ids[crossing])
    # 512 highway=traffic_signals + 3 "traffic_signals;crossing"; 313 crossing=traffic_signals, 10 of them also highway=traffic_signals
    assert int(highway.sum()) == 515 and int(crossing.sum()) == 303


def test_stgilles_excerpt_is_the_box_of_the_file(brussels) -> None:
    pts, highway, crossing = gdal_signals(brussels)
    lam = pts[highway | crossing].to_crs("EPSG:31370")
    x, y = lam.geometry.x.to_numpy(), lam.geometry.y.to_numpy()
    inside = (x >= BOX[0]) & (x <= BOX[2]) & (y >= BOX[1]) & (y <= BOX[3])
    excerpt = read_osm_signals(EXCERPT)
    assert set(excerpt["osm_id"]) == set(lam["osm_id"].astype(np.int64)[inside])
    assert (excerpt["kind"] == "traffic_signals").sum() == 12 and (excerpt["kind"] == "crossing").sum() == 6


def test_stgilles_signals_on_the_street_nodes() -> None:
    from twin.workflows.scene_loading import load_scene

    scene = load_scene([STREETS], scene_crs="EPSG:31370", source_crs=None)
    signals = read_osm_signals(EXCERPT)
    match = mark_signals(scene, signals)
    # 11 signals are street nodes; one (osm node 30149801) sits 3.4 m before its junction
    assert (match.at_node, match.snapped, match.unmatched, match.n_signalised_nodes) == (11, 1, [], 12)
    nodes = scene.nodes
    assert int(nodes["signalised"].sum()) == 12
    moved = nodes.loc[nodes["signal_source"].str.contains("30149801"), "signal_source"].iloc[0]
    assert moved == "osm node 30149801 highway=traffic_signals, 3.4 m along the street"
    net = Network.from_scene(scene, mode="car")
    assert int(net.meta["signalised"].sum()) == 12
    assert {s for s in net.meta["signal_source"] if s} == set(nodes.loc[nodes["signalised"], "signal_source"])
    sig = add_signals(net)  # the flagged nodes
    stop = np.flatnonzero(sig.approach_of >= 0)
    signalised = np.flatnonzero(net.meta["signalised"])
    approaches = np.flatnonzero(np.isin(net.to_node, signalised) & (net.capacity > 0))
    assert stop.size == approaches.size > 12
    g = 82.0 / 180.0
    np.testing.assert_allclose(np.sort(sig.network.capacity[stop]), np.sort(1900.0 * net.meta["lanes"][approaches] * g), rtol=1e-12)
    np.testing.assert_allclose(sig.network.free_flow_time[stop], 0.5 * 90.0 * (1.0 - g) ** 2, rtol=1e-12)  # s
    # crossings are opt-in: three more nodes (four crossings share one junction with a signal)
    assert mark_signals(scene, signals, include_crossings=True).n_signalised_nodes == 15


def test_signal_file_errors(tmp_path) -> None:
    with pytest.raises(InputError, match="signal file not found"):
        read_osm_signals(tmp_path / "missing.geojson")
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"osm_id": 1}, "geometry": {"type": "Point", "coordinates": [4.3, 50.8]}}]}')
    with pytest.raises(InputError, match="signal file lacks column 'kind'"):
        read_osm_signals(bad)


def test_stgilles_assignment_with_signals() -> None:
    """The path a user runs: scene -> signals on the nodes -> network -> stop lines -> Algorithm B."""
    from tests.traffic_helpers import extreme_car_nodes
    from twin.traffic.assign import assign
    from twin.workflows.scene_loading import load_scene

    scene = load_scene([STREETS], scene_crs="EPSG:31370", source_crs=None)
    mark_signals(scene, read_osm_signals(EXCERPT))
    zones = extreme_car_nodes(scene)  # W, E, S, N ends
    net = Network.from_scene(scene, mode="car", zones=zones)
    demand = np.full((4, 4), 400.0)
    np.fill_diagonal(demand, 0.0)
    plain = assign(net, demand, algorithm="b", gap=1e-8)
    sig = add_signals(net)
    res = assign(sig.network, demand, algorithm="b", gap=1e-8)
    assert res.converged and res.history[-1].relative_gap <= 1e-8
    assert float(res.flow @ res.cost) > float(plain.flow @ plain.cost)  # signals add delay
    table = sig.approaches(res.flow)
    assert len(table) == int((sig.approach_of >= 0).sum()) and (table["flow"] > 0).any()
    # flow conservation on the original links: zones send and receive 1,200 veh/h, other nodes balance
    flow = sig.link_flow(res.flow)
    out_of = np.bincount(net.from_node, weights=flow, minlength=net.n_nodes)
    into = np.bincount(net.to_node, weights=flow, minlength=net.n_nodes)
    np.testing.assert_allclose((out_of - into)[:4], demand.sum(axis=1) - demand.sum(axis=0), atol=1e-6)
    np.testing.assert_allclose((out_of - into)[4:], 0.0, atol=1e-6)
