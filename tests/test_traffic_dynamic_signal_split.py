"""Dynamic loading honours the signals' green split (issue 15, mobility): stop-line capacities
``s g`` with Webster's green written out by hand, the point queue at the new ``s g``, the equal
split unchanged bit for bit, design flows, the static and dynamic greens on Saint-Gilles and
grid11, bad input.

Hand junction J: a N-S street of 2 lanes and 3,000 veh/h, an E-W street of 1 lane and 900 veh/h,
two-way, saturation flow 1,900 veh/h/lane. ``y_NS = 3000 / 3800 = 15/19``, ``y_EW = 900 / 1900 =
9/19``; Webster's rule (Webster 1958; HCM 2000 ch. 16) with the 90 s cycle and 2 x 4 s lost time
gives ``g_NS = 82/90 x 15/24`` and ``g_EW = 82/90 x 9/24`` (above the 12 s minimum green).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twin.errors import InputError, TwinError
from twin.traffic.dynamic import LinkDynamics, simulate
from twin.traffic.dynamic_turns import signal_stop_lines
from twin.traffic.network import Network
from twin.traffic.signal_phases import network_bearings
from twin.traffic.signals import SignalTiming

SPEED = 15.0  # m/s
XY = {"J": (0.0, 0.0), "N": (0.0, 300.0), "S": (0.0, -300.0), "E": (300.0, 0.0), "W": (-300.0, 0.0)}
ARMS = {"N": (2, 3000.0), "S": (2, 3000.0), "E": (1, 900.0), "W": (1, 900.0)}  # lanes, veh/h
G_EQUAL = (90.0 - 2 * 4.0) / (2 * 90.0)
G_NS = 82.0 / 90.0 * 15.0 / 24.0
G_EW = 82.0 / 90.0 * 9.0 / 24.0


def junction(length_in_m: float = 300.0, lanes_meta: bool = True) -> tuple[Network, LinkDynamics, np.ndarray]:
    """The hand junction (approach links ``NJ`` ... of ``length_in_m``, exits ``JN`` ... of 300 m),
    its link dynamics and its links' bearings from the node coordinates."""
    ids = list(XY)
    links = [(f"{a}J", a, "J", n, c, length_in_m) for a, (n, c) in ARMS.items()] + [(f"J{a}", "J", a, n, c, 300.0) for a, (n, c) in ARMS.items()]
    length = np.array([k[5] for k in links])
    net = Network.build(
        node_ids=np.array(ids, dtype=object), link_ids=np.array([k[0] for k in links], dtype=object),
        from_node=[ids.index(k[1]) for k in links], to_node=[ids.index(k[2]) for k in links], free_flow_time=length / SPEED,
        capacity=[k[4] for k in links], length=length, time_unit="s", length_unit="m",
    )  # fmt: skip
    lanes = np.array([float(k[3]) for k in links])
    order = [[k[0] for k in links].index(lid) for lid in net.link_ids.tolist()]
    if lanes_meta:
        net.meta["lanes"] = lanes[order]
    dyn = LinkDynamics.from_network(net, lanes=lanes[order])
    return net, dyn, network_bearings(net, np.array([XY[k] for k in ids]))


def by_link(net: Network, lines) -> dict[str, float]:
    return {net.link_ids[i]: float(lines.discharge_veh_s[i]) for i in lines.approaches}


def one_od(origin: str, destination: str, flow_veh_s: float, t_end_s: float = 600.0) -> pd.DataFrame:
    return pd.DataFrame({"origin": [origin], "destination": [destination], "t_start_s": [0.0], "t_end_s": [t_end_s], "flow_veh_s": [flow_veh_s]})


def test_capacity_split_stop_lines_are_s_g_of_webster_by_hand() -> None:
    net, dyn, bearing = junction()
    lines = signal_stop_lines(net, dyn.capacity_veh_s, dyn.lanes, ["J"], timing=SignalTiming(split="capacity"), bearing=bearing)
    expect = {"NJ": 3800.0 * G_NS, "SJ": 3800.0 * G_NS, "EJ": 1900.0 * G_EW, "WJ": 1900.0 * G_EW}  # veh/h, all below the capacity
    assert by_link(net, lines) == pytest.approx({k: v / 3600.0 for k, v in expect.items()}, rel=1e-12)
    assert dict(zip(net.link_ids[lines.approaches], lines.green)) == pytest.approx({"NJ": G_NS, "SJ": G_NS, "EJ": G_EW, "WJ": G_EW}, rel=1e-12)
    assert lines.split == {"split": "capacity", "nodes_split": 1, "nodes_one_axis": 0, "nodes_without_bearing": 0, "nodes_no_flow": 0}
    # the other links keep their capacity; with a 35 s minimum green E-W gets 35 s, N-S the other 47 s
    others = np.setdiff1d(np.arange(net.n_links), lines.approaches)
    assert np.array_equal(lines.discharge_veh_s[others], dyn.capacity_veh_s[others])
    floor = signal_stop_lines(net, dyn.capacity_veh_s, dyn.lanes, ["J"], timing=SignalTiming(split="capacity", min_green_s=35.0), bearing=bearing)
    assert by_link(net, floor) == pytest.approx({"NJ": 3800.0 * 47.0 / 90.0 / 3600.0, "SJ": 3800.0 * 47.0 / 90.0 / 3600.0,
                                                 "EJ": 1900.0 * 35.0 / 90.0 / 3600.0, "WJ": 1900.0 * 35.0 / 90.0 / 3600.0}, rel=1e-12)  # fmt: skip


@pytest.mark.parametrize(("origin", "destination", "demand", "mu_split", "mu_equal"), [
    ("N", "S", 0.75, 3800.0 * G_NS / 3600.0, 3800.0 * G_EQUAL / 3600.0),
    ("W", "E", 0.22, 1900.0 * G_EW / 3600.0, 1900.0 * G_EQUAL / 3600.0),
])  # fmt: skip
def test_point_queue_discharges_at_the_split_s_g(origin, destination, demand, mu_split, mu_equal) -> None:
    """Demand ``lambda`` for T = 600 s on a 3 km approach (200 s): with the capacity split the approach
    discharges at exactly ``mu = s g`` of its phase while the queue lasts, its vertical queue grows at
    ``lambda - mu`` and the total delay is the point queue's ``T^2 lambda (lambda - mu) / (2 mu)``
    (Daganzo 1997 ch. 2). N-S: 0.75 veh/s above both the split's 0.601 and the equal 0.481 veh/s;
    W-E: 0.22 veh/s above the split's 0.180 veh/s but below the equal split's 0.240 (no queue)."""
    net, dyn, bearing = junction(length_in_m=3000.0)
    opts = {"dynamics": dyn, "dt_s": 5.0, "duration_s": 2400.0, "route_choice": "free_flow", "signals": ["J"]}
    res = simulate(net, one_od(origin, destination, demand), signal_timing=SignalTiming(split="capacity"), signal_bearing=bearing, **opts)
    equal = simulate(net, one_od(origin, destination, demand), **opts)
    a = int(np.flatnonzero(net.link_ids == f"{origin}J")[0])
    t = res.times_s
    out_rate = np.diff(res.cum_out[a]) / res.dt_s
    queued = (t[1:] > 200.0 + 5.0) & (t[1:] <= 200.0 + 600.0 * demand / mu_split - 5.0)
    assert np.allclose(out_rate[queued], mu_split, rtol=1e-12, atol=0) and out_rate.max() == pytest.approx(mu_split, rel=1e-12)
    point_queue = np.maximum(np.minimum((demand - mu_split) * (t - 200.0), (demand - mu_split) * 600.0 - mu_split * (t - 800.0)), 0.0)
    assert np.allclose(res.queue_veh()[a], point_queue, atol=1e-9)  # at every sample, emptying included
    # the closed form integrates the continuous queue; the samples every 5 s cut its last kink (< 1e-4)
    delay = 600.0**2 * demand * (demand - mu_split) / (2 * mu_split)
    assert res.totals()["total_delay_veh_h"] * 3600.0 == pytest.approx(delay, rel=1e-4)
    equal_delay = 600.0**2 * demand * max(demand - mu_equal, 0.0) / (2 * mu_equal)
    assert equal.totals()["total_delay_veh_h"] * 3600.0 == pytest.approx(equal_delay, rel=1e-4, abs=1e-9)
    assert res.meta["signal_split"] == "capacity" and res.meta["signal_nodes_split"] == 1 and res.meta["signal_approaches"] == 4
    assert equal.meta["signal_split"] == "equal" and equal.meta["signal_nodes_split"] == 0


@pytest.mark.parametrize("lanes_meta", [True, False])
def test_equal_split_is_the_old_stop_line_bit_for_bit(lanes_meta) -> None:
    """``split="equal"`` (default) gives every approach ``min(capacity, s g)`` with the expression of
    dynamic loading before the split (``s`` = 1,900 x lanes / 3,600 veh/s, or the capacity without
    lanes); a capacity split without bearings keeps it too (counted), curves identical."""
    net, dyn, _ = junction(lanes_meta=lanes_meta)
    lines = signal_stop_lines(net, dyn.capacity_veh_s, dyn.lanes, ["J"])
    discharge, approaches = lines.discharge_veh_s, lines.approaches
    old = np.array(dyn.capacity_veh_s, copy=True)
    for i in approaches:
        s_veh_s = 1900.0 * float(dyn.lanes[i]) / 3600.0 if lanes_meta else float(dyn.capacity_veh_s[i])
        old[i] = min(float(dyn.capacity_veh_s[i]), s_veh_s * SignalTiming().green)
    assert np.array_equal(discharge, old) and sorted(net.link_ids[approaches]) == ["EJ", "NJ", "SJ", "WJ"]
    demand = pd.concat([one_od("N", "S", 0.7), one_od("W", "E", 0.3)])
    opts = {"dynamics": dyn, "dt_s": 5.0, "duration_s": 1800.0, "route_choice": "free_flow", "signals": ["J"]}
    default = simulate(net, demand, **opts)
    no_bearing = simulate(net, demand, signal_timing=SignalTiming(split="capacity"), **opts)
    for key in ("cum_in", "cum_out", "cum_arr"):
        assert np.array_equal(getattr(default, key), getattr(no_bearing, key))
    assert default.totals()["total_delay_veh_h"] > 0.01  # the signal binds
    assert no_bearing.meta["signal_nodes_without_bearing"] == 1 and no_bearing.meta["signal_nodes_split"] == 0


def test_flows_split_with_capacity_where_no_flow_and_capped_at_capacity() -> None:
    """Design flows N 1,900, S 950, W 1,140 veh/h, E none (its 900 veh/h capacity): y_NS =
    max(1900, 950) / 3800 = 0.5, y_EW = max(1140, 900) / 1900 = 0.6; g_NS = 82/90 x 0.5/1.1,
    g_EW = 82/90 x 0.6/1.1; E-W's s g = 944.2 veh/h is above its 900 veh/h capacity: capped."""
    net, dyn, bearing = junction()
    flows = {"NJ": 1900.0, "SJ": 950.0, "WJ": 1140.0}
    g_ns, g_ew = 82.0 / 90.0 * 0.5 / 1.1, 82.0 / 90.0 * 0.6 / 1.1
    expect = {"NJ": 3800.0 * g_ns / 3600.0, "SJ": 3800.0 * g_ns / 3600.0, "EJ": 900.0 / 3600.0, "WJ": 900.0 / 3600.0}
    timing = SignalTiming(split="flows")
    lines = signal_stop_lines(net, dyn.capacity_veh_s, dyn.lanes, ["J"], timing=timing, bearing=bearing, flows=flows)
    assert by_link(net, lines) == pytest.approx(expect, rel=1e-12)
    assert dict(zip(net.link_ids[lines.approaches], lines.green)) == pytest.approx({"NJ": g_ns, "SJ": g_ns, "EJ": g_ew, "WJ": g_ew}, rel=1e-12)
    per_link = np.zeros(net.n_links)
    for lid, v in flows.items():
        per_link[net.link_ids.tolist().index(lid)] = v
    res = simulate(net, one_od("N", "S", 0.75), dynamics=dyn, dt_s=5.0, duration_s=1800.0, route_choice="free_flow", signals={"J": timing},
                   signal_bearing=bearing, signal_flows=per_link)  # fmt: skip
    a = net.link_ids.tolist().index("NJ")
    assert (np.diff(res.cum_out[a]) / res.dt_s).max() == pytest.approx(expect["NJ"], rel=1e-12)
    assert res.meta["signal_split"] == "flows" and res.meta["signal_nodes_split"] == 1


def test_grid11_bearings_from_the_scenario_nodes() -> None:
    """grid11 (shared data): the Network carries no coordinates, the scenario's nodes.csv does
    (x_m, y_m, in the network's node order). Equal links: a capacity split gives every phase
    half of the 82 s green (corner: 2 approaches, edge: 3, inner: 4, all split in two phases)."""
    from tests.conftest import shared_path
    from twin.traffic.dynamic_scenario import read_scenario

    scen = read_scenario(shared_path("traffic", "grid11"))
    net = scen.network
    assert scen.nodes["node_id"].tolist() == net.node_ids.tolist()
    bearing = network_bearings(net, scen.nodes[["x_m", "y_m"]].to_numpy(np.float64))
    nodes = [0, 5, 60]  # corner (0, 0), edge (0, 5), centre (5, 5)
    lines = signal_stop_lines(net, scen.dynamics.capacity_veh_s, scen.dynamics.lanes, nodes, timing=SignalTiming(split="capacity"), bearing=bearing)
    assert lines.split == {"split": "capacity", "nodes_split": 3, "nodes_one_axis": 0, "nodes_without_bearing": 0, "nodes_no_flow": 0}
    assert len(lines.approaches) == 2 + 3 + 4
    assert lines.green == pytest.approx(np.full(9, 41.0 / 90.0), rel=1e-12)


def test_saint_gilles_dynamic_greens_are_the_static_greens() -> None:
    """The scene's 12 OSM signals with the capacity split: every approach's dynamic green is the
    green of static assignment's stop line (``add_signals``, same bearings), and a split node's
    approaches do not all keep the equal green."""
    from tests.test_traffic_mobility_signals import SIGNALS
    from tests.traffic_helpers import stgilles_scene
    from twin.traffic.signal_phases import scene_link_bearings
    from twin.traffic.signals import add_signals, mark_signals, read_osm_signals, signalised_nodes

    scene = stgilles_scene()
    mark_signals(scene, read_osm_signals(SIGNALS))
    net = Network.from_scene(scene, mode="car")
    bearing = scene_link_bearings(scene, net)
    timing = SignalTiming(split="capacity")
    static = add_signals(net, timing=timing, bearing=bearing)
    dyn = LinkDynamics.from_network(net)
    lines = signal_stop_lines(net, dyn.capacity_veh_s, dyn.lanes, signalised_nodes(net), timing=timing, bearing=bearing)
    table = static.approaches(np.zeros(static.network.n_links))
    assert dict(zip(net.link_ids[lines.approaches], lines.green)) == pytest.approx(dict(zip(table["link_id"], table["green_ratio"])), rel=1e-12)
    assert lines.split == static.split and lines.split["nodes_split"] > 0
    assert np.abs(lines.green - G_EQUAL).max() > 0.05


JUNCTION_BAD = [
    ({"signal_timing": SignalTiming(split="flows")}, "signal_flows", "split 'flows' needs the approaches' design flows (signal_flows=...)"),
    ({"signal_timing": SignalTiming(split="capacity"), "signal_flows": {"NJ": 5.0}}, "signal_flows",
     "design flows given but no signal has split 'flows' (they would change nothing)"),
    ({"signal_bearing": np.zeros(8)}, "signal_bearing", "bearings given but every signal has split 'equal' (they would change nothing)"),
    ({"signal_timing": SignalTiming(split="capacity"), "signal_bearing": np.zeros(3)}, "signal_bearing",
     "signal_bearing must be one number per link (8), got shape (3,)"),
    ({"signal_timing": SignalTiming(split="flows"), "signal_flows": {"NJ": -5.0}}, "signal_flows", "signal_flows must be finite and >= 0 veh/h, got -5.0"),
    ({"signal_timing": SignalTiming(split="flows"), "signal_flows": {"XX": 5.0}}, "signal_flows", "signal_flows given for link 'XX', not in the network"),
    ({"signal_timing": SignalTiming(split="webster")}, "split", "unknown green split 'webster'; use one of equal, capacity, flows"),
    ({"signals": None, "signal_bearing": np.zeros(8)}, "signal_bearing", "signal bearings or design flows given without signals"),
]  # fmt: skip


@pytest.mark.parametrize(("kwargs", "field", "text"), JUNCTION_BAD)
def test_bad_split_input_is_one_line(kwargs, field, text) -> None:
    net, dyn, _ = junction()
    opts = {"dynamics": dyn, "dt_s": 5.0, "duration_s": 600.0, "signals": ["J"], **kwargs}
    with pytest.raises(InputError) as err:
        simulate(net, one_od("N", "S", 0.1), **opts)
    assert isinstance(err.value, TwinError) and err.value.field == field
    assert text in str(err.value) and "\n" not in str(err.value)
