"""Signals in static assignment: a detour predicted by hand, SiouxFalls to gap 1e-8 with
signalised nodes (and an equilibrium check with scipy), the turn-expanded network, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra as sp_dijkstra

from tests.traffic_helpers import tntp_case
from twin.errors import InputError, TwinError
from twin.traffic.assign import assign
from twin.traffic.network import Network
from twin.traffic.signals import SignalTiming, add_signals
from twin.traffic.turns import expand_turns
from twin.traffic.vdf import link_costs


def detour_network() -> Network:
    """Zones O (0) and D (1); direct route O -> S -> D (60 s, constant), detour O -> R -> D
    (120 s, constant). Every link has a capacity of 1,900 veh/h (its saturation flow)."""
    return Network.build(
        node_ids=np.array(["O", "D", "S", "R"], dtype=object),
        link_ids=np.array(["OS", "SD", "OR", "RD"], dtype=object),
        from_node=[0, 2, 0, 3],
        to_node=[2, 1, 3, 1],
        free_flow_time=[30.0, 30.0, 60.0, 60.0],
        capacity=1900.0,
        alpha=0.0,
        beta=0.0,
        n_zones=2,
        time_unit="s",
    )


def hand_flow_at_delay(delay_s: float, cycle_s: float, g: float, c: float, period_h: float) -> float:
    """Approach flow at which the HCM delay equals ``delay_s`` when that is above capacity.

    Above capacity ``d1 = C (1 - g) / 2``; with ``y = (delay - d1) / (900 T)`` and
    ``m = 4 / (c T)``, ``y - (X - 1) = sqrt((X - 1)^2 + m X)`` squares to
    ``X = (y^2 + 2 y) / (m + 2 y)``.
    """
    d1 = 0.5 * cycle_s * (1.0 - g)
    y = (delay_s - d1) / (900.0 * period_h)
    m = 4.0 / (c * period_h)
    x = (y * y + 2.0 * y) / (m + 2.0 * y)
    assert x >= 1.0
    return x * c


def test_signal_moves_traffic_to_the_detour_at_the_hand_flow() -> None:
    net = detour_network()
    demand = np.array([[0.0, 1500.0], [0.0, 0.0]])
    plain = assign(net, demand, algorithm="b", gap=1e-12)
    assert plain.flow[list(net.link_ids).index("OR")] == pytest.approx(0.0, abs=1e-9)  # no signal: all direct
    sig = add_signals(net, ["S"])
    res = assign(sig.network, demand, algorithm="b", gap=1e-12)
    flow = sig.link_flow(res.flow)
    # default timing: C = 90 s, g = (90 - 8) / 180 = 0.45556, c = 1900 g = 865.56 veh/h, T = 0.25 h.
    # Equal cost: 60 s + d(v) = 120 s, d(v) = 60 s > d(c) = 24.5 + 225 sqrt(4 / 216.39) = 55.1 s,
    # so v > c: d1 = 45 * 0.54444 = 24.500 s, y = 35.5 / 225 = 0.157778, m = 0.0184852,
    # X = (0.024894 + 0.315556) / (0.0184852 + 0.315556) = 1.019185, v = 882.16 veh/h,
    # detour 1500 - 882.16 = 617.84 veh/h.
    g = 82.0 / 180.0
    v_hand = hand_flow_at_delay(60.0, 90.0, g, 1900.0 * g, 0.25)
    assert v_hand == pytest.approx(882.16, abs=0.01)
    k = {lid: i for i, lid in enumerate(net.link_ids)}
    assert flow[k["OS"]] == pytest.approx(v_hand, rel=1e-8)
    assert flow[k["OR"]] == pytest.approx(1500.0 - v_hand, rel=1e-8)
    table = sig.approaches(res.flow)
    assert table["node_id"].tolist() == ["S"] and table["delay_s"].iloc[0] == pytest.approx(60.0, rel=1e-8)
    assert table["degree_of_saturation"].iloc[0] == pytest.approx(v_hand / (1900.0 * g), rel=1e-8)
    # the FW family reaches the same split
    fw = assign(sig.network, demand, algorithm="bfw", gap=1e-9)
    assert sig.link_flow(fw.flow)[k["OS"]] == pytest.approx(v_hand, rel=1e-5)


def test_green_ratio_per_approach_and_timing() -> None:
    net = detour_network()
    demand = np.array([[0.0, 600.0], [0.0, 0.0]])
    # g = 0.8, C = 60 s: c = 1520 veh/h, below capacity at 600 veh/h the direct route keeps all:
    # d = 0.5 * 60 * 0.04 / (1 - 0.8 * 600/1520) + 225 * 4 X / (...)  << 60 s
    sig = add_signals(net, {"S": SignalTiming(cycle_s=60.0)}, green_by_link={"OS": 0.8})
    res = assign(sig.network, demand, algorithm="b", gap=1e-12)
    row = sig.approaches(res.flow).iloc[0]
    x = 600.0 / 1520.0
    d1 = 0.5 * 60.0 * 0.2**2 / (1.0 - 0.8 * x)
    d2 = 225.0 * ((x - 1.0) + math.sqrt((x - 1.0) ** 2 + 4.0 * x / (1520.0 * 0.25)))
    assert row["capacity"] == pytest.approx(1520.0) and row["delay_s"] == pytest.approx(d1 + d2, rel=1e-12)
    assert sig.link_flow(res.flow)[list(net.link_ids).index("OS")] == pytest.approx(600.0, rel=1e-12)


def test_signals_in_the_turn_expanded_network() -> None:
    net = detour_network()
    demand = np.array([[0.0, 1500.0], [0.0, 0.0]])
    turns = expand_turns(net)
    sig = add_signals(turns, ["S"])
    res = assign(sig.network, demand, algorithm="b", gap=1e-12)
    flow = sig.link_flow(res.flow)
    g = 82.0 / 180.0
    v_hand = hand_flow_at_delay(60.0, 90.0, g, 1900.0 * g, 0.25)
    assert flow[list(net.link_ids).index("OS")] == pytest.approx(v_hand, rel=1e-8)
    assert sig.approaches(res.flow)["link_id"].tolist() == ["OS"]


@pytest.fixture(scope="module")
def siouxfalls():
    return tntp_case("SiouxFalls")


SIOUX_SIGNALS = [10, 11, 15, 16, 17, 20]  # downtown junctions, 4-5 approaches each


def test_siouxfalls_with_signals_reaches_gap_1e8(siouxfalls) -> None:
    net, dem = siouxfalls
    sig = add_signals(net, SIOUX_SIGNALS, timing=SignalTiming(cycle_s=90.0), time_unit="min")  # TNTP: 'file' units, minutes
    assert sig.network.n_links == net.n_links + sum(int(net.in_start[net.node_index(v) + 1] - net.in_start[net.node_index(v)]) for v in SIOUX_SIGNALS)
    res = assign(sig.network, dem, algorithm="b", gap=1e-8)
    assert res.converged and res.history[-1].relative_gap <= 1e-8
    # independent check: every used path is shortest at the final costs (scipy Dijkstra)
    big = sig.network
    cost = link_costs(big, res.flow)
    graph = csr_matrix((cost + 1e-300, (big.from_node, big.to_node)), shape=(big.n_nodes, big.n_nodes))
    dist = sp_dijkstra(graph, indices=np.arange(big.n_zones))
    sptt = float(np.sum(dem.matrix * dist[:, : big.n_zones]))
    tstt = float(res.flow @ cost)
    assert (tstt - sptt) / tstt <= 1.1e-8
    # signals cost time: total travel time above the unsignalised equilibrium, flows moved away
    plain = assign(net, dem, algorithm="b", gap=1e-8)
    assert tstt > float(plain.flow @ plain.cost)
    into = np.isin(net.to_node, [net.node_index(v) for v in SIOUX_SIGNALS])
    assert sig.link_flow(res.flow)[into].sum() < plain.flow[into].sum()
    # the FW family keeps converging with the signal term
    bfw = assign(sig.network, dem, algorithm="bfw", gap=1e-4)
    assert bfw.converged


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"signals": ["nowhere"]}, "signals", "signalised node 'nowhere' is not in network"),
        ({"signals": ["S"], "timing": SignalTiming(cycle_s=0.0)}, "cycle_s", "cycle length must be a finite number > 0 s, got 0.0"),
        ({"signals": ["S"], "timing": SignalTiming(cycle_s=-5.0)}, "cycle_s", "cycle length"),
        ({"signals": ["S"], "timing": SignalTiming(green_ratio=1.2)}, "green_ratio", "green ratio must be in (0, 1], got 1.2"),
        ({"signals": ["S"], "timing": SignalTiming(green_ratio=0.0)}, "green_ratio", "green ratio must be in (0, 1], got 0.0"),
        ({"signals": ["S"], "green_by_link": {"OS": float("nan")}}, "green_ratio", "green ratio must be in (0, 1], got nan"),
        ({"signals": ["S"], "green_by_link": {"XX": 0.5}}, "green_by_link", "green ratio given for link 'XX', not in the network"),
        ({"signals": ["S"], "green_by_link": {"OR": 0.5}}, "green_by_link", "not an approach of a signalised node"),
        ({"signals": ["O"]}, "signals", "signalised node 'O' has no approach"),
        ({"signals": []}, "signals", "no signalised node given"),
        ({"signals": ["S"], "timing": SignalTiming(n_phases=4, lost_time_s=25.0)}, "lost_time_s", "leave no green"),
        ({"signals": ["S"], "timing": SignalTiming(period_h=0.0)}, "period_h", "analysis period"),
        ({}, "signals", "no signals given"),
    ],
)
def test_bad_signal_input(kwargs, field, text) -> None:
    with pytest.raises(InputError) as err:
        add_signals(detour_network(), **kwargs)
    assert isinstance(err.value, TwinError) and err.value.field == field
    message = str(err.value)
    assert text in message and "\n" not in message


def test_bad_signal_link_parameters_in_build() -> None:
    with pytest.raises(InputError, match="signal link beta must be \\(the green ratio\\) in \\(0, 1\\], got 1.5"):
        Network.build(node_ids=np.arange(2), link_ids=np.arange(1), from_node=[0], to_node=[1], free_flow_time=[1.0], capacity=[100.0], alpha=[900.0], beta=[1.5], vdf=2)
    with pytest.raises(InputError, match="signal link capacity must be finite and > 0"):
        Network.build(node_ids=np.arange(2), link_ids=np.arange(1), from_node=[0], to_node=[1], free_flow_time=[1.0], capacity=[0.0], alpha=[900.0], beta=[0.5], vdf=2)


def test_signals_in_multiclass_assignment() -> None:
    """Cars and trucks (PCE 2.5) through the signal: the delay sees PCE flow, so the direct route
    carries the hand flow of 882.16 PCE/h whatever the class mix (both classes may use both routes)."""
    from twin.traffic.multiclass import VehicleClass, assign_multiclass

    net = detour_network()
    sig = add_signals(net, ["S"])
    cars = np.array([[0.0, 1000.0], [0.0, 0.0]])
    trucks = np.array([[0.0, 200.0], [0.0, 0.0]])  # 500 PCE: 1,500 PCE/h in all
    res = assign_multiclass(sig.network, [VehicleClass("car", cars), VehicleClass("truck", trucks, pce=2.5)], gap=1e-12)
    g = 82.0 / 180.0
    v_hand = hand_flow_at_delay(60.0, 90.0, g, 1900.0 * g, 0.25)
    direct = sig.link_flow(res.flow_pce)[list(net.link_ids).index("OS")]
    assert direct == pytest.approx(v_hand, rel=1e-8)
