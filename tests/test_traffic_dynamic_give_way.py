"""Give-way in dynamic loading (issue 15, mobility: one junction model for static and dynamic).

Hand T junction J: a major street A -> J -> C (primary, 1,800 veh/h) crossed by a minor one
B -> J -> D (residential, 1,800 veh/h), links of 600 m at 15 m/s (40 s), step 1 s, free-flow
routes. The minor stream (1,440 veh/h) is above every give-way capacity, so a queue stands on
B -> J and its outflow is its stop-line capacity each step. Once the major outflow at J is
constant (from 40 s) and the averaging window (120 s) lies inside that period, ``v_c`` is that
constant up to rounding (a difference of cumulative sums of about 1e2 vehicles), so the minor
outflow slope equals Harders' capacity to 1e-9 relative (no time-discretisation error: the
capacity is applied per step, and the slope is measured over whole steps).

Also: the kernel formula equals :meth:`twin.traffic.priority.Junctions.capacity`; a roundabout
entry at HCM 2010 Eq. 21-1; recovery to ``3600 / t_f`` one window after the major stream stops;
give-way off (and give-way that never binds) gives the same curves bit for bit; Saint-Gilles
through the command line; bad input is one line.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from twin.errors import InputError
from twin.traffic.dynamic import simulate
from twin.traffic.network import Network
from twin.traffic.priority import GiveWayParameters, classify_junctions

SPEED = 15.0
LENGTH = 600.0
XY = {"A": (-600.0, 0.0), "C": (600.0, 0.0), "B": (0.0, -600.0), "D": (0.0, 600.0), "J": (0.0, 0.0)}
LINKS = [("AJ", "A", "J"), ("JC", "J", "C"), ("BJ", "B", "J"), ("JD", "J", "D")]
WINDOW_S = 120.0
FREE_S = LENGTH / SPEED


def harders(vc: float, tc: float = 6.5, tf: float = 4.0) -> float:
    """Harders' potential capacity, veh/h, written out (HCM 2010 Eq. 19-30)."""
    return vc * math.exp(-vc * tc / 3600.0) / (1.0 - math.exp(-vc * tf / 3600.0)) if vc > 0 else 3600.0 / tf


def t_junction(minor_cap: float = 1800.0) -> Network:
    ids = list(XY)
    length = np.full(len(LINKS), LENGTH)
    cap = [minor_cap if a == "BJ" else 1800.0 for a, _, _ in LINKS]
    return Network.build(
        node_ids=np.array(ids, dtype=object), link_ids=np.array([k[0] for k in LINKS], dtype=object), from_node=[ids.index(k[1]) for k in LINKS],
        to_node=[ids.index(k[2]) for k in LINKS], free_flow_time=length / SPEED, capacity=cap, length=length, time_unit="s", length_unit="m",
    )  # fmt: skip


def junctions_of(net: Network, roundabout: bool = False):
    cls = {"AJ": "primary", "JC": "primary", "BJ": "residential", "JD": "residential"}
    ring = {"AJ": "roundabout", "JC": "roundabout"} if roundabout else {}
    xy = np.array([XY[v] for v in net.node_ids.tolist()])
    lids = net.link_ids.tolist()
    return classify_junctions(net, [cls[k] for k in lids], xy, junction=[ring.get(k, "") for k in lids])


def demand(major_veh_h: float, major_end_s: float, minor_end_s: float) -> pd.DataFrame:
    rows = [("B", "D", 0.0, minor_end_s, 0.4)]
    if major_veh_h > 0:
        rows.append(("A", "C", 0.0, major_end_s, major_veh_h / 3600.0))
    return pd.DataFrame(rows, columns=["origin", "destination", "t_start_s", "t_end_s", "flow_veh_s"])


def run(net: Network, dem: pd.DataFrame, give_way, duration_s: float = 2400.0, **kw):
    return simulate(net, dem, dt_s=1.0, duration_s=duration_s, route_choice="free_flow", give_way=give_way, **kw)


def slope_veh_h(res, link: str, t0: float, t1: float) -> float:
    a = res.network.link_ids.tolist().index(link)
    return (res.cum_out[a, int(t1)] - res.cum_out[a, int(t0)]) / (t1 - t0) * 3600.0


def test_classification_of_the_t_and_kernel_formula_equal_to_static() -> None:
    from twin.kernels.give_way import give_way_capacity_veh_h
    from twin.traffic.dynamic_give_way import give_way_arrays

    net = t_junction()
    j = junctions_of(net)
    assert (
        net.link_ids[j.approach].tolist() == ["BJ"] and [net.link_ids[c].tolist() for c in j.conflicts] == [["AJ"]] and j.rule.tolist() == ["major"]
    )
    params = GiveWayParameters(critical_headway_s=5.5, follow_up_headway_s=3.3)
    arrays = give_way_arrays(net, j, params=params).kernel
    rb = junctions_of(net, roundabout=True)
    assert rb.rule.tolist() == ["roundabout"]
    for vc in (0.0, 1e-6, 1.0, 250.0, 600.0, 1500.0, 3000.0, 20000.0):
        static = j.capacity(np.array([vc]), params)[0]
        assert give_way_capacity_veh_h(vc, False, arrays.params) == pytest.approx(static, rel=1e-13)
        assert give_way_capacity_veh_h(vc, True, arrays.params) == pytest.approx(rb.capacity(np.array([vc]), params)[0], rel=1e-13)
    assert give_way_capacity_veh_h(20000.0, False, arrays.params) == 10.0  # the floor of static assignment


@pytest.mark.parametrize("major_veh_h", [600.0, 300.0, 0.0])
def test_minor_approach_discharges_at_harders_capacity(major_veh_h) -> None:
    net = t_junction()
    res = run(net, demand(major_veh_h, 2400.0, 2400.0), junctions_of(net), give_way_window_s=WINDOW_S)
    expected = harders(major_veh_h)
    assert expected < 1440.0 - 100.0  # the minor demand is above it: a standing queue
    assert slope_veh_h(res, "BJ", FREE_S + WINDOW_S + 60.0, 2000.0) == pytest.approx(expected, rel=1e-9)
    if major_veh_h:
        assert slope_veh_h(res, "AJ", FREE_S + 10.0, 2000.0) == pytest.approx(major_veh_h, rel=1e-9)  # the priority stream is not slowed
    cap = res.give_way_capacity_veh_s[0, int(FREE_S + WINDOW_S) + 1 : 2000] * 3600.0
    np.testing.assert_allclose(cap, expected, rtol=1e-9)
    assert res.meta["give_way"] == "on" and res.meta["give_way_yielding_approaches"] == 1 and res.meta["give_way_major_road_junctions"] == 1
    assert res.meta["give_way_queue_veh_h"] > 1.0
    off = run(net, demand(major_veh_h, 2400.0, 2400.0), None)
    assert slope_veh_h(off, "BJ", FREE_S + WINDOW_S + 60.0, 2000.0) == pytest.approx(1440.0, rel=1e-9)  # no give-way: the demand passes


def test_capacity_recovers_one_window_after_the_major_stream_stops() -> None:
    net = t_junction()
    stop = 1200.0
    res = run(net, demand(600.0, stop, 2400.0), junctions_of(net), duration_s=3000.0, give_way_window_s=WINDOW_S)
    last_major_out = stop + FREE_S  # the last major vehicle leaves J
    assert slope_veh_h(res, "BJ", 400.0, stop) == pytest.approx(harders(600.0), rel=1e-9)
    assert slope_veh_h(res, "BJ", last_major_out + WINDOW_S + 1.0, 2300.0) == pytest.approx(3600.0 / 4.0, rel=1e-9)
    during = slope_veh_h(res, "BJ", last_major_out + 10.0, last_major_out + WINDOW_S - 10.0)
    assert harders(600.0) + 1.0 < during < 900.0 - 1.0  # the window's lag: neither capacity while the average decays


def test_roundabout_entry_at_hcm_eq_21_1() -> None:
    net = t_junction()
    res = run(net, demand(600.0, 2400.0, 2400.0), junctions_of(net, roundabout=True), give_way_window_s=WINDOW_S)
    assert slope_veh_h(res, "BJ", FREE_S + WINDOW_S + 60.0, 2000.0) == pytest.approx(1130.0 * math.exp(-1.0e-3 * 600.0), rel=1e-9)
    assert res.meta["give_way_roundabout_entries"] == 1


def test_give_way_off_and_never_binding_are_bit_identical() -> None:
    """Off (None, False) and give-way on an approach whose capacity (600 veh/h) is below every
    give-way capacity it sees (no conflicting traffic: 900 veh/h) give the same curves bit for bit:
    the kernel's stop-line capacity is then the link's, as before give-way existed."""
    net = t_junction(minor_cap=600.0)
    dem = demand(0.0, 0.0, 1800.0)
    base = run(net, dem, None)
    for other in (run(net, dem, False), run(net, dem, junctions_of(net))):
        for key in ("cum_in", "cum_out", "cum_gen", "cum_dep", "cum_arr", "link_time_s", "movement_veh"):
            assert np.array_equal(getattr(base, key), getattr(other, key)), key
    assert base.meta["give_way"] == "off" and base.give_way_capacity_veh_s is None
    assert base.totals()["total_delay_veh_h"] > 0.1  # the approach's own capacity binds


def test_bad_give_way_input_is_one_clear_error() -> None:
    net = t_junction()
    dem = demand(600.0, 600.0, 600.0)
    with pytest.raises(InputError, match="classify_junctions") as e:
        run(net, dem, True)
    assert e.value.field == "give_way"
    with pytest.raises(InputError, match="window") as e:
        run(net, dem, junctions_of(net), give_way_window_s=0.5)
    assert e.value.field == "give_way_window_s"
    with pytest.raises(InputError, match="without give_way"):
        run(net, dem, None, give_way_window_s=60.0)
    with pytest.raises(InputError, match="follow_up_headway_s"):
        run(net, dem, junctions_of(net), give_way_params=GiveWayParameters(follow_up_headway_s=-1.0))
    other = Network.build(node_ids=np.array(["X", "Y"], dtype=object), link_ids=np.array(["XY"], dtype=object), from_node=[0], to_node=[1],
                          free_flow_time=[10.0], capacity=[900.0], length=[150.0], time_unit="s", length_unit="m")  # fmt: skip
    with pytest.raises(InputError, match="not a link of the network|does not enter"):
        simulate(other, pd.DataFrame({"origin": ["X"], "destination": ["Y"], "t_start_s": [0.0], "t_end_s": [60.0], "flow_veh_s": [0.1]}),
                 dt_s=1.0, route_choice="free_flow", give_way=junctions_of(net))  # fmt: skip


def test_scene_without_road_classes_is_one_clear_error(tmp_path) -> None:
    from types import SimpleNamespace

    from twin.traffic.dynamic_commands import scene_give_way

    scene = SimpleNamespace(links=pd.DataFrame({"link_id": ["AJ"], "modes": ["car"]}))
    with pytest.raises(InputError, match="road_class") as e:
        scene_give_way(scene, t_junction(), [tmp_path / "streets.geojson"], signalised=False)
    assert e.value.field == "--give-way" and "streets.geojson" in str(e.value) and "links layer" in str(e.value)
    assert "\n" not in str(e.value)


def test_cli_give_way_on_a_scenario_folder_is_one_line() -> None:
    from tests.conftest import shared_path

    folder = shared_path("traffic", "grid11")
    bad = run_twin(["traffic", "simulate", folder, "--give-way"])
    assert_one_line_error(bad, contains=("--give-way", "scenes only", "grid11"))


def test_saint_gilles_every_vehicle_arrives_with_the_static_counts(tmp_path) -> None:
    """``twin traffic simulate SCENE --give-way`` (signals on): the counts of the static
    classification of the same scene (signalised nodes left out), every vehicle arrives, and the
    printed line."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from tests.test_traffic_mobility_signals import SIGNALS
    from tests.traffic_helpers import stgilles_scene
    from twin.export import write_scene
    from twin.kernels.give_way import give_way_capacity_veh_h
    from twin.traffic.dynamic_give_way import give_way_arrays
    from twin.traffic.priority import scene_junctions
    from twin.traffic.scene_graph import build_scene_graph
    from twin.traffic.signals import mark_signals, read_osm_signals

    scene = stgilles_scene()
    mark_signals(scene, read_osm_signals(SIGNALS))  # the 12 OSM signals: their nodes are no give-way junctions
    write_scene(scene, tmp_path / "scene")
    net = Network.from_scene(scene, mode="car")
    static = build_scene_graph(scene, net, restrictions=True, signals=True, turn_penalties=False, give_way=True).counts
    graph = coo_matrix((np.ones(net.n_links), (net.from_node, net.to_node)), shape=(net.n_nodes, net.n_nodes))
    _, label = connected_components(graph, directed=True, connection="strong")
    ends = net.node_ids[label == np.bincount(label).argmax()]
    pick = np.random.default_rng(3).choice(ends.size, 8, replace=False)
    pairs = [(ends[pick[i]], ends[pick[i + 4]]) for i in range(4)]
    od = tmp_path / "od.csv"
    pd.DataFrame(
        {"origin": [a for a, _ in pairs], "destination": [b for _, b in pairs], "t_start_s": 0.0, "t_end_s": 600.0, "vehicles": 40.0}
    ).to_csv(od, index=False)
    common = ["traffic", "simulate", tmp_path / "scene", "--demand", od, "--duration", "2400", "--give-way"]
    r = run_twin([*common, "--json"], timeout_s=600)
    assert r.code == 0, r.stderr
    s = json.loads(r.stdout)
    street = np.isin(net.link_ids, scene.links["link_id"].to_numpy()) & (net.capacity > 0) & (net.vdf < 2)
    keys = [f"give_way_{k}" for k in scene_junctions(scene, scene.links, net, street=street, signalised=True).summary()]
    assert len(keys) >= 6 and {k: s[k] for k in keys} == {k: static[k] for k in keys}
    junctions = scene_junctions(scene, scene.links, net, street=street, signalised=True)
    kernel = give_way_arrays(net, junctions).kernel  # every rule the scene has: the kernel's capacity is the static one
    vc = np.random.default_rng(4).uniform(0.0, 2500.0, junctions.approach.size)
    static_cap = junctions.capacity(vc, GiveWayParameters())
    assert [give_way_capacity_veh_h(v, r, kernel.params) for v, r in zip(vc, kernel.roundabout, strict=True)] == pytest.approx(static_cap, rel=1e-13)
    unsignalised = scene_junctions(scene, scene.links, net, street=street, signalised=False).summary()
    assert unsignalised["junctions"] > s["give_way_junctions"]  # the signalised nodes were left out
    assert s["give_way"] == "on" and s["give_way_yielding_approaches"] > 50 and s["signals"] > 0
    assert s["arrived_veh"] == pytest.approx(160.0, rel=1e-6) and s["generated_veh"] == pytest.approx(160.0, rel=1e-9)
    assert 10.0 <= s["give_way_mean_capacity_veh_h"] <= 1130.0 and s["give_way_window_s"] == 120.0
    text = run_twin(common, timeout_s=600)
    assert text.code == 0 and f"give-way                     {s['give_way_junctions']} unsignalised junctions" in text.stdout
