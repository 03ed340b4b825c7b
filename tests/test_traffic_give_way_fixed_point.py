"""The fixed point of give-way capacities and flows (twin.traffic.give_way_fixed_point).

A network where the plain sequence of assignments (each at the capacities of the previous one's
conflicting flows) cycles between two states: the minor stream's detour shares a link with the
major stream's route, so a low give-way capacity sends the minor stream round, which sends the
major stream away from the junction, which raises the capacity again. The damped passes reach the
fixed point, checked against scipy's root of the one-dimensional map and against Harders' capacity
written out in tests/test_traffic_priority.py. Stop rule and warm start; the mobility run's note
and warning when the passes do not converge; the command line's line and exit status; bad input.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from tests.test_traffic_priority import harders_veh_h
from twin.errors import InputError, TwinWarning
from twin.traffic import give_way_fixed_point as fixed_point
from twin.traffic.assign import assign
from twin.traffic.network import Network
from twin.traffic.priority import add_give_way, classify_junctions

NODES = ["O", "T", "DO", "DT", "S", "J", "W", "E", "P", "G", "Q", "H"]
"""Zones O (minor stream), T (major stream), their destinations DO and DT; J is the junction."""


def trading_network():
    """O -> DO by the residential stem S - J (giving way to W - J) or round by G - Q; T -> DT by
    G - Q - W - J - E (the primary road through J) or by H. G - Q is steep (BPR 1.0 / 8 at 300
    veh/h): O's detour there pushes T off the primary road, away from J."""
    links = [("O", "S", 10, 9e9, ""), ("S", "J", 30, 900, "residential"), ("J", "P", 10, 9e9, "residential"), ("P", "DO", 10, 9e9, ""),
             ("O", "G", 0, 9e9, ""), ("G", "Q", 60, 300, ""), ("Q", "DO", 10, 9e9, ""), ("T", "G", 10, 9e9, ""), ("Q", "W", 10, 9e9, ""),
             ("W", "J", 10, 9e9, "primary"), ("J", "E", 10, 9e9, "primary"), ("E", "DT", 10, 9e9, ""), ("T", "H", 115, 9e9, ""),
             ("H", "DT", 10, 9e9, "")]  # fmt: skip
    pos = {n: i for i, n in enumerate(NODES)}
    ids = [f"{a}>{b}" for a, b, *_ in links]
    steep = np.array([i == "G>Q" for i in ids])
    net = Network.build(node_ids=np.array(NODES, dtype=object), link_ids=np.array(ids, dtype=object), from_node=np.array([pos[a] for a, *_ in links]),
                        to_node=np.array([pos[b] for _, b, *_ in links]), free_flow_time=np.array([float(x[2]) for x in links]),
                        capacity=np.array([float(x[3]) for x in links]), alpha=np.where(steep, 1.0, 0.15), beta=np.where(steep, 8.0, 4.0), time_unit="s",
                        n_zones=4, first_thru_node=4)  # fmt: skip
    road = {f"{a}>{b}": rc for a, b, _, _, rc in links}
    rc = [road[k] for k in net.link_ids.tolist()]
    xy = np.full((len(NODES), 2), np.nan)
    for name, point in {"S": (0, -100), "J": (0, 0), "W": (-100, 0), "E": (100, 0), "P": (0, 100)}.items():
        xy[pos[name]] = point
    junctions = classify_junctions(net, rc, xy, street=np.array([r != "" for r in rc]))
    demand = np.zeros((4, 4))
    demand[0, 2], demand[1, 3] = 900.0, 500.0
    return net, junctions, demand


def conflicting(gw, result) -> float:
    return float(gw.link_flow(result.flow)[gw.original.link_ids.tolist().index("W>J")])


def test_damped_passes_reach_the_fixed_point_where_plain_passes_cycle(monkeypatch) -> None:
    net, junctions, demand = trading_network()
    ids = net.link_ids.tolist()
    assert {ids[k]: ids[c[0]] for k, c in zip(junctions.approach.tolist(), junctions.conflicts, strict=True)} == {"S>J": "W>J"}

    def once(network):
        return assign(network, demand, algorithm="b", gap=1e-12)

    # the one-dimensional map v -> conflicting flow of the equilibrium at C(v), and its root
    from scipy.optimize import brentq

    gw = add_give_way(net, junctions)

    def response(v: float) -> float:
        g = gw.at_conflicting(np.array([v]))
        return conflicting(g, once(g.network))

    root = brentq(lambda v: response(v) - v, 0.0, 500.0, xtol=1e-12)
    assert 10.0 < root < 70.0
    graph, result, conv = fixed_point.solve_give_way(gw, once, tolerance=1e-9, max_passes=60)
    assert conv.converged and conv.passes < 30
    assert conflicting(graph, result) == pytest.approx(root, rel=1e-6)
    line = graph.yielding >= 0
    assert graph.network.capacity[line][0] == pytest.approx(harders_veh_h(root), rel=1e-6)
    # warm start at the fixed point: one pass
    _, _, warm = fixed_point.solve_give_way(gw, once, tolerance=1e-6, start_veh_h=conv.conflicting_veh_h)
    assert warm.passes == 1 and warm.converged
    # without the averaging (every step whole) the passes swing between two states
    monkeypatch.setattr(fixed_point, "STEP_UP", 0.0)
    monkeypatch.setattr(fixed_point, "STEP_DOWN", 0.0)
    _, _, plain = fixed_point.solve_give_way(gw, once, tolerance=1e-9, max_passes=30)
    assert not plain.converged and min(plain.residuals[-10:]) > 0.05
    assert "NOT converged after 30 passes" in plain.describe() and plain.summary()["give_way_converged"] is False


def test_default_tolerance_is_met_by_the_reported_flows() -> None:
    net, junctions, demand = trading_network()
    graph, result, conv = fixed_point.solve_give_way(add_give_way(net, junctions), lambda n: assign(n, demand, algorithm="b", gap=1e-12))
    assert conv.tolerance == fixed_point.TOLERANCE and conv.converged and conv.passes <= fixed_point.MAX_PASSES
    # the capacity the last assignment used, against Harders' at that assignment's own conflicting flow
    used = graph.network.capacity[graph.yielding >= 0][0]
    own = harders_veh_h(conflicting(graph, result))
    assert abs(own - used) / used == pytest.approx(conv.residual, rel=1e-9, abs=1e-12)
    assert conv.residual <= fixed_point.TOLERANCE


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"tolerance": 0.0}, "give_way_tolerance"), ({"tolerance": float("nan")}, "give_way_tolerance"), ({"tolerance": 1.0}, "give_way_tolerance"),
    ({"max_passes": 0}, "give_way_max_passes"), ({"max_passes": True}, "give_way_max_passes"), ({"max_passes": 2.5}, "give_way_max_passes"),
    ({"start_veh_h": np.array([1.0, 2.0])}, "start_veh_h"), ({"start_veh_h": np.array([-1.0])}, "start_veh_h"),
    ({"start_veh_h": np.array([np.inf])}, "start_veh_h"),
])  # fmt: skip
def test_bad_options_are_one_error(kwargs, field) -> None:
    net, junctions, demand = trading_network()
    calls = []
    with pytest.raises(InputError) as err:
        fixed_point.solve_give_way(add_give_way(net, junctions), lambda n: calls.append(n), **kwargs)
    assert err.value.field == field and not calls  # checked before any assignment


def test_mobility_warns_and_notes_when_the_passes_do_not_converge() -> None:
    from tests.traffic_helpers import stgilles_scene
    from twin.traffic.mobility import MobilityOptions, run_district_mobility

    scene = stgilles_scene()
    options = MobilityOptions(periods=("am_peak",), feedback=1, give_way=True, compute_access=False, give_way_max_passes=1)
    with pytest.warns(TwinWarning, match="give-way capacities did not converge"):
        result = run_district_mobility(scene, options)
    period = result.periods["am_peak"]
    assert period.give_way.passes == 1 and not period.give_way.converged
    assert period.give_way_change == period.give_way.residual > fixed_point.TOLERANCE
    assert any("NOT converged after 1 pass" in n for n in result.notes)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TwinWarning)
        converged = run_district_mobility(scene, MobilityOptions(periods=("am_peak",), feedback=1, give_way=True, compute_access=False))
    conv = converged.periods["am_peak"].give_way
    assert conv.converged and 1 < conv.passes <= fixed_point.MAX_PASSES
    assert any(f"converged after {conv.passes} passes" in n for n in converged.notes)
    with pytest.raises(InputError) as err:
        MobilityOptions(give_way_tolerance=-0.1).check()
    assert err.value.field == "give_way_tolerance"


def test_command_line_names_the_passes_and_warns_when_not_converged(capsys) -> None:
    from twin.cli.traffic import give_way_line, warn_give_way

    counts = {"give_way": "on", "give_way_junctions": 3, "give_way_major_road_junctions": 1, "give_way_priority_to_right_junctions": 2,
              "give_way_roundabout_junctions": 0, "give_way_sign_junctions": 0, "give_way_yielding_approaches": 4}  # fmt: skip
    done = {**counts, **fixed_point.GiveWayConvergence((0.3, 0.004), 0.01, 20, np.zeros(4)).summary()}
    assert "capacities converged after 2 assignments, largest change at the last 0.4 % (tolerance 1 %)" in give_way_line(done)
    assert warn_give_way(done) is False and warn_give_way({"give_way": "off"}) is False
    stuck = {**counts, **fixed_point.GiveWayConvergence((0.3, 0.2), 0.01, 2, np.zeros(4)).summary()}
    assert "NOT converged after 2 assignments" in give_way_line(stuck)
    with pytest.warns(TwinWarning, match="give-way capacities not converged: largest change 20 %"):
        assert warn_give_way(stuck) is True
