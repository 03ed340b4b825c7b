"""Turn bans, turn penalties and signals in dynamic loading (issue 15 build 1), against hand results.

Hand networks: links of 300 m at 15 m/s (20 s each), 5 s steps, demand far below capacity, so
every vehicle travels at free speed and its trip time is the sum of its links' free times
(origin queues empty); the signal case is a point-queue bottleneck of rate ``s g``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.test_traffic_dynamic_reference import ReferenceLTM, assert_movements_match, small_case
from twin.errors import InputError
from twin.traffic.dynamic import LinkDynamics, demand_arrays, simulate
from twin.traffic.dynamic_turns import movement_index, signal_stop_lines, turn_penalties
from twin.traffic.network import Network
from twin.traffic.signals import SignalTiming, signalised_nodes

SPEED_M_S = 15.0
LINK_M = 300.0
LINK_S = LINK_M / SPEED_M_S  # 20 s


def hand_network(links: list[tuple[int, int]], lengths_m: list[float] | None = None, capacity_veh_s: float = 0.5) -> tuple[Network, LinkDynamics]:
    """Network of the given (from, to) links (ids ``"from-to"``), 15 m/s, ``capacity_veh_s`` each."""
    frm = np.array([a for a, _ in links])
    to = np.array([b for _, b in links])
    length = np.full(len(links), LINK_M) if lengths_m is None else np.asarray(lengths_m, dtype=float)
    net = Network.build(node_ids=np.arange(int(max(frm.max(), to.max())) + 1), link_ids=np.array([f"{a}-{b}" for a, b in links]),
                        from_node=frm, to_node=to, free_flow_time=length / SPEED_M_S, capacity=np.full(len(links), capacity_veh_s * 3600.0),
                        length=length, time_unit="s", length_unit="m")  # fmt: skip
    dyn = LinkDynamics.build(
        length_m=length, free_speed_m_s=SPEED_M_S, capacity_veh_s=capacity_veh_s, jam_density_veh_m_lane=0.15, link_ids=net.link_ids
    )
    return net, dyn


def link(net: Network, lid: str) -> int:
    """Stored index of link ``lid``."""
    return int(np.flatnonzero(net.link_ids == lid)[0])


def one_od(origin: int, destination: int, flow_veh_s: float = 0.05, t_end_s: float = 600.0) -> pd.DataFrame:
    return pd.DataFrame({"origin": [origin], "destination": [destination], "t_start_s": [0.0], "t_end_s": [t_end_s], "flow_veh_s": [flow_veh_s]})


def block_network() -> tuple[Network, LinkDynamics]:
    """O(0) -> A(1) -> L(2) is the left turn; A -> B(3) -> C(4) -> A is the block around."""
    return hand_network([(0, 1), (1, 2), (1, 3), (3, 4), (4, 1)])


@pytest.mark.parametrize("route_choice", ["free_flow", "duo", "equilibrium"])
def test_banned_left_turn_sends_the_traffic_around_the_block(route_choice):
    """Banned O-A -> A-L: O-A, A-B, B-C, C-A, A-L (node A twice, left on the second pass): 5 x 20 s."""
    net, dyn = block_network()
    opts = {"dynamics": dyn, "dt_s": 5.0, "duration_s": 1200.0, "route_choice": route_choice, "duo_noise": 0.0}
    free = simulate(net, one_od(0, 2), **opts)
    banned = simulate(net, one_od(0, 2), banned_turns=[(link(net, "0-1"), link(net, "1-2"))], **opts)
    assert free.totals()["mean_trip_time_s"] == pytest.approx(2 * LINK_S, rel=1e-9)
    assert banned.totals()["mean_trip_time_s"] == pytest.approx(5 * LINK_S, rel=1e-9)
    veh = 0.05 * 600.0
    entered = dict(zip(net.link_ids, banned.cum_in[:, -1], strict=True))
    assert entered == pytest.approx({"0-1": veh, "1-2": veh, "1-3": veh, "3-4": veh, "4-1": veh}, rel=1e-9)
    # arrivals are the departures shifted by the detour's free time (100 s = 20 steps)
    assert np.allclose(banned.cum_arr[0, 20:], banned.cum_gen[0, :-20], atol=1e-9)
    # the banned movement carries nothing at any time: every vehicle on O-A turned to A-B
    assert np.allclose(banned.cum_out[link(net, "0-1")], banned.cum_in[link(net, "1-3")], atol=1e-9)
    assert banned.meta["banned_turns"] == 1


def test_banned_turn_without_a_detour_is_an_input_error():
    net, dyn = hand_network([(0, 1), (1, 2)])
    with pytest.raises(InputError, match="without a banned turn") as err:
        simulate(net, one_od(0, 2), dynamics=dyn, dt_s=5.0, duration_s=600.0, banned_turns=[(0, 1)])
    assert "OD pair" in str(err.value)


def penalty_network() -> tuple[Network, LinkDynamics]:
    """O(0) -> A(1) (300 m); A -> D(2) direct (600 m, 40 s) or A -> B(3) -> D (2 x 600 m, 80 s)."""
    return hand_network([(0, 1), (1, 2), (1, 3), (3, 2)], lengths_m=[300.0, 600.0, 600.0, 600.0])


@pytest.mark.parametrize("route_choice", ["free_flow", "duo", "equilibrium"])
@pytest.mark.parametrize(("penalty_s", "trip_s"), [(39.0, 20.0 + 40.0), (41.0, 20.0 + 80.0)])
def test_penalty_switches_the_route_at_the_hand_threshold(route_choice, penalty_s, trip_s):
    """Direct 40 s + penalty vs detour 80 s: the switch is at 40 s; the penalty is not a delay."""
    net, dyn = penalty_network()
    res = simulate(net, one_od(0, 2), dynamics=dyn, dt_s=5.0, duration_s=1200.0, route_choice=route_choice, duo_noise=0.0,
                   turn_penalty_s={(link(net, "0-1"), link(net, "1-2")): penalty_s})  # fmt: skip
    assert res.totals()["mean_trip_time_s"] == pytest.approx(trip_s, rel=1e-9)
    direct = res.cum_in[link(net, "1-2"), -1]
    assert direct == pytest.approx(30.0 if trip_s < 70 else 0.0, abs=1e-9)
    assert res.meta["penalised_turns"] == 1


def test_u_turn_penalty_and_angle_penalties_in_seconds():
    """``u_turn_penalty_s`` lands on the U-turns only; ``angle_penalties(seconds_per_unit=1)`` are seconds."""
    from twin.traffic.turns import angle_penalties

    net, _ = hand_network([(0, 1), (1, 0), (1, 2), (2, 1)])
    pen = turn_penalties(net, u_turn_penalty_s=30.0)
    mv_ptr, _, out_pos = movement_index(net)
    for a in range(net.n_links):
        for b in np.flatnonzero(net.from_node == net.to_node[a]):
            expect = 30.0 if net.to_node[b] == net.from_node[a] else 0.0
            assert pen[mv_ptr[a] + out_pos[b]] == expect
    # a right angle at node 1 (0 -> 1 east, 1 -> 2 north: a left turn in right-hand traffic)
    x, y = np.array([0.0, 100.0, 100.0]), np.array([0.0, 0.0, 100.0])
    angles = angle_penalties(net, x, y, seconds_per_unit=1.0)
    assert angles[(link(net, "0-1"), link(net, "1-2"))] == 10.0
    pen = turn_penalties(net, penalties_s=angles)
    assert pen[mv_ptr[link(net, "0-1")] + out_pos[link(net, "1-2")]] == 10.0


@pytest.mark.parametrize(
    ("supply_choice", "duo_time", "noise"),
    [(True, "instantaneous", 0.01), (False, "experienced", 0.0), (True, "discharge", 0.0)],
)
def test_turn_aware_kernel_matches_plain_python_reference(supply_choice, duo_time, noise):
    """The 3x3 congested case with banned turns, penalties and two signals, kernel vs plain Python."""
    net, dyn, demand = small_case()
    lid = {k: i for i, k in enumerate(net.link_ids.tolist())}
    banned = [(lid["0-1"], lid["1-4"]), (lid["3-4"], lid["4-5"]), (lid["4-7"], lid["7-8"])]
    penalty = {(lid["1-2"], lid["2-5"]): 30.0, (lid["3-4"], lid["4-1"]): 15.0, (lid["7-4"], lid["4-5"]): 0.0}
    timing = {4: SignalTiming(green_ratio=0.5), 5: None}
    dt, duration = 10.0, 2400.0
    res = simulate(net, demand, dynamics=dyn, dt_s=dt, duration_s=duration, route_choice="duo", duo_interval_s=100.0, duo_weight=0.5,
                   window_steps=100000, duo_noise=noise, seed=3, duo_supply_choice=supply_choice, duo_time=duo_time,
                   banned_turns=banned, turn_penalty_s=penalty, signals=timing, signal_timing=SignalTiming(green_ratio=0.7))  # fmt: skip
    lines = signal_stop_lines(net, dyn.capacity_veh_s, dyn.lanes, timing, timing=SignalTiming(green_ratio=0.7))
    discharge, approaches = lines.discharge_veh_s, lines.approaches
    assert res.meta["signal_approaches"] == len(approaches) == 7  # 4 into the centre, 3 into node 5
    ref = ReferenceLTM(net, dyn, demand_arrays(net, demand), dt, res.n_steps, 10, 0.5, duo_noise=noise, seed=3, supply_choice=supply_choice,
                       duo_time=duo_time, banned=banned, penalty=penalty, discharge=discharge).run()  # fmt: skip
    for ours, theirs in ((res.cum_in, ref.cum_in), (res.cum_out, ref.cum_out), (res.cum_arr, ref.cum_arr), (res.cum_dep, ref.cum_dep)):
        assert np.allclose(ours, np.array(theirs), atol=1e-8, rtol=0)
    assert_movements_match(res, ref)
    # not idle: banned movements carry nothing, vehicles are conserved, queues form
    tot = res.totals()
    assert tot["conservation_error_veh"] < 1e-8
    assert res.queue_veh().max() > 5.0
    mv_ptr, _, out_pos = movement_index(net)
    for a, b in banned:
        assert np.all(res.turn_splits[mv_ptr[a] + out_pos[b]] == 0.0)
        assert res.movement_veh[mv_ptr[a] + out_pos[b]] == 0.0
    plain = simulate(net, demand, dynamics=dyn, dt_s=dt, duration_s=duration, route_choice="duo", duo_interval_s=100.0, duo_weight=0.5,
                     window_steps=100000, duo_noise=noise, seed=3, duo_supply_choice=supply_choice, duo_time=duo_time)  # fmt: skip
    assert np.abs(plain.cum_in - res.cum_in).max() > 1.0


def test_turn_aware_routes_without_restrictions_equal_node_routes():
    """With every turn allowed at no cost, per-in-link routes give the flows of per-node routes."""
    net, dyn, demand = small_case()
    opts = {"dt_s": 10.0, "duration_s": 2400.0, "route_choice": "duo", "duo_interval_s": 100.0, "duo_noise": 0.01, "seed": 3}
    node = simulate(net, demand, dynamics=dyn, **opts)
    per_link = simulate(net, demand, dynamics=dyn, u_turn_penalty_s=0.0, **opts)
    assert node.turn_splits is None and per_link.turn_splits is not None
    assert np.allclose(per_link.cum_in, node.cum_in, atol=1e-8, rtol=0)
    assert np.allclose(per_link.cum_arr, node.cum_arr, atol=1e-8, rtol=0)


def test_fixed_splits_lose_their_banned_turns():
    """Fixed rates 50/50 at A; with A-B's turn banned for O-A, all of O-A's flow goes direct."""
    net, dyn = penalty_network()
    split = np.zeros((net.n_links, 1))
    split[[link(net, "0-1"), link(net, "1-2"), link(net, "1-3"), link(net, "3-2")], 0] = [1.0, 0.5, 0.5, 1.0]
    opts = {"dynamics": dyn, "dt_s": 5.0, "duration_s": 1200.0, "route_choice": "fixed", "splits": split}
    both = simulate(net, one_od(0, 2), **opts)
    one = simulate(net, one_od(0, 2), banned_turns=[(link(net, "0-1"), link(net, "1-3"))], **opts)
    assert both.cum_in[link(net, "1-3"), -1] == pytest.approx(15.0, rel=1e-9)
    assert one.cum_in[link(net, "1-3"), -1] == pytest.approx(0.0, abs=1e-12)
    assert one.totals()["mean_trip_time_s"] == pytest.approx(60.0, rel=1e-9)
    split[link(net, "1-2"), 0], split[link(net, "1-3"), 0] = 0.0, 1.0
    with pytest.raises(InputError, match="only into banned turns") as err:
        simulate(net, one_od(0, 2), banned_turns=[(link(net, "0-1"), link(net, "1-3"))], **opts)
    assert "link 0-1" in str(err.value)


@pytest.mark.parametrize("route_choice", ["free_flow", "duo"])
def test_signal_queue_grows_at_demand_minus_s_g(route_choice):
    """Approach of 3 km (200 s) into a signal with g = 0.4 on s = 0.5 veh/s: s g = 0.2 veh/s; demand 0.3 veh/s for 600 s.

    Vertical queue ``(lambda - s g)(t - 200 s)`` up to 60 vehicles at t = 800 s, then discharge at
    ``s g``; total delay ``T^2 lambda (lambda - s g) / (2 s g)`` = 27,000 veh s (point queue).
    """
    net, dyn = hand_network([(0, 1), (1, 2)], lengths_m=[3000.0, 600.0])
    res = simulate(net, one_od(0, 2, flow_veh_s=0.3), dynamics=dyn, dt_s=5.0, duration_s=2400.0, route_choice=route_choice,
                   signals={1: SignalTiming(green_ratio=0.4)})  # fmt: skip
    q = res.queue_veh()[0]
    t = res.times_s
    grow = (t >= 200.0) & (t <= 800.0)
    assert np.allclose(q[grow], 0.1 * (t[grow] - 200.0), atol=1e-9)
    assert q.max() == pytest.approx(60.0, rel=1e-9)
    out_rate = np.diff(res.cum_out[0]) / res.dt_s
    assert out_rate.max() == pytest.approx(0.2, rel=1e-12)
    assert res.totals()["total_delay_veh_h"] * 3600.0 == pytest.approx(600.0**2 * 0.3 * 0.1 / (2 * 0.2), rel=1e-9)
    plain = simulate(net, one_od(0, 2, flow_veh_s=0.3), dynamics=dyn, dt_s=5.0, duration_s=2400.0, route_choice=route_choice)
    assert plain.totals()["total_delay_veh_h"] == pytest.approx(0.0, abs=1e-12)


def test_signal_below_s_g_adds_no_delay():
    """The documented limit: below ``s g`` the red's uniform delay (C (1 - g)^2 / 2) is not represented."""
    net, dyn = hand_network([(0, 1), (1, 2)], lengths_m=[3000.0, 600.0])
    res = simulate(net, one_od(0, 2, flow_veh_s=0.15), dynamics=dyn, dt_s=5.0, duration_s=2400.0, route_choice="free_flow",
                   signals={1: SignalTiming(green_ratio=0.4)})  # fmt: skip
    assert res.totals()["total_delay_veh_h"] == pytest.approx(0.0, abs=1e-12)


def test_signal_saturation_flow_from_lanes_and_scene_flags():
    """With lanes known: s = 1,900 veh/h/lane x lanes, stop-line capacity min(capacity, s g)."""
    net, dyn = hand_network([(0, 1), (1, 2), (3, 1)], capacity_veh_s=0.9)
    net.meta["lanes"] = np.array([1.0, 1.0, 2.0])
    net.meta["signalised"] = np.array([False, True, False, False])
    assert signalised_nodes(net) == [1]
    lanes = np.array([1.0, 1.0, 2.0])
    lines = signal_stop_lines(net, dyn.capacity_veh_s, lanes, signalised_nodes(net), timing=SignalTiming(green_ratio=0.9))
    out, approaches = lines.discharge_veh_s, lines.approaches
    assert sorted(approaches) == [link(net, "0-1"), link(net, "3-1")]
    assert out[link(net, "0-1")] == pytest.approx(1900.0 / 3600.0 * 0.9, rel=1e-12)  # 0.475 veh/s
    assert out[link(net, "3-1")] == pytest.approx(0.9, rel=1e-12)  # 2 lanes: s g = 0.95 veh/s > capacity
    assert out[link(net, "1-2")] == 0.9


@pytest.mark.parametrize(
    ("kwargs", "match", "names"),
    [
        ({"banned_turns": [(0, 0)]}, "do not meet", "0-1"),
        ({"banned_turns": [(0, 9)]}, "outside", "banned turn"),
        ({"turn_penalty_s": {(0, 2): -1.0}}, "finite number >= 0", "0-1 -> 1-3"),
        ({"turn_penalty_s": {(0, 2): np.nan}}, "finite number >= 0", "0-1 -> 1-3"),
        ({"turn_penalty_s": {(0, 2): np.inf}}, "finite number >= 0", "0-1 -> 1-3"),
        ({"turn_penalty_s": {(1, 2): 5.0}}, "do not meet", "1-2"),
        ({"u_turn_penalty_s": -3.0}, "U-turn", "u_turn_penalty_s"),
        ({"signals": [7]}, "not in network", "node 7"),
        ({"signals": {1: SignalTiming(green_ratio=1.5)}}, "green ratio", "node 1"),
    ],
)
def test_bad_turns_and_signals_are_input_errors(kwargs, match, names):
    net, dyn = penalty_network()
    opts = {"dynamics": dyn, "dt_s": 5.0, "duration_s": 600.0, **kwargs}
    with pytest.raises(InputError, match=match) as err:
        simulate(net, one_od(0, 2), **opts)
    assert names in str(err.value)


def test_equilibrium_turn_splits_match_the_analytic_split_with_a_penalty():
    """Two routes 0-1-3 (600 s) and 0-2-3 (660 s) behind an access link 4-0; the turn onto 0-1 costs 30 s.

    Linear BPR (alpha 1, beta 1, c 3,600 veh/h), D = 2,000 veh/h: Wardrop ``600 + 600 x / c + 30 =
    660 + 660 (D - x) / c`` gives ``x = (30 + 660 D / c) / (1,260 / c)`` = 1,133.3 veh/h on 0-1.
    """
    from twin.traffic.dynamic_routes import equilibrium_turn_splits

    lengths = np.array([600.0, 6000.0, 6000.0, 6600.0, 6600.0])
    net = Network.build(node_ids=np.arange(5), link_ids=np.array(["40", "01", "13", "02", "23"]), from_node=np.array([4, 0, 1, 0, 2]),
                        to_node=np.array([0, 1, 3, 2, 3]), free_flow_time=lengths / 20.0, capacity=np.full(5, 3600.0), length=lengths,
                        time_unit="s", length_unit="m")  # fmt: skip
    dyn = LinkDynamics.build(length_m=net.length, free_speed_m_s=20.0, capacity_veh_s=1.0, jam_density_veh_m_lane=0.15)
    demand = pd.DataFrame({"origin": [4], "destination": [3], "t_start_s": [0.0], "t_end_s": [3600.0], "vehicles": [2000.0]})
    dem = demand_arrays(net, demand)
    pen = turn_penalties(net, penalties_s={(link(net, "40"), link(net, "01")): 30.0})
    node_split, split_mv, static = equilibrium_turn_splits(net, dem, dyn, pen, alpha=1.0, beta=1.0, gap=1e-12)
    x = (30.0 + 660.0 * 2000.0 / 3600.0) / (1260.0 / 3600.0)
    mv_ptr, _, out_pos = movement_index(net)
    a = link(net, "40")
    assert split_mv[mv_ptr[a] + out_pos[link(net, "01")], 0] == pytest.approx(x / 2000.0, rel=1e-9)
    assert split_mv[mv_ptr[a] + out_pos[link(net, "02")], 0] == pytest.approx(1.0 - x / 2000.0, rel=1e-8)
    assert node_split[link(net, "40"), 0] == pytest.approx(1.0)
    assert static.relative_gap <= 1e-10
    # the built-in option (BPR 0.15 / 4, D / c = 5 / 9): route A at the whole demand costs
    # 600 (1 + 0.15 (5/9)^4) = 608.6 s, route B 660 (1 + 0.15 (5/9)^4) = 669.4 s; a 30 s turn
    # penalty keeps everyone on A (638.6 < 660), a 70 s one sends everyone to B (670 > 669.4)
    for penalty_s, on_a in ((30.0, 2000.0), (70.0, 0.0)):
        res = simulate(
            net, demand, dynamics=dyn, dt_s=10.0, duration_s=5400.0, route_choice="equilibrium", turn_penalty_s={(a, link(net, "01")): penalty_s}
        )
        assert res.cum_in[link(net, "01"), -1] == pytest.approx(on_a, abs=1e-6)
        assert res.cum_in[link(net, "02"), -1] == pytest.approx(2000.0 - on_a, abs=1e-6)
        assert res.meta["static_relative_gap"] <= 1e-6


def test_simulate_command_takes_the_scene_signals(tmp_path, monkeypatch):
    """``run_simulate`` on a scene whose nodes are flagged (mark_signals, OSM 2013): signals by default, none with signals=False."""
    from pathlib import Path

    from tests.conftest import shared_path
    from twin.ingest.dispatch import ingest
    from twin.traffic import dynamic_commands
    from twin.traffic.signals import mark_signals, read_osm_signals

    streets = shared_path("brussels", "stgilles_streets_osm2013.geojson")
    scene, _ = ingest([streets], crs="EPSG:31370")
    mark_signals(scene, read_osm_signals(Path(__file__).resolve().parents[1] / "data_samples" / "stgilles_signals_osm2013.geojson"))
    monkeypatch.setattr(dynamic_commands, "scene_from_files", lambda *args: scene)
    net = Network.from_scene(scene, mode="car")
    v = int(np.flatnonzero(net.meta["signalised"])[0])
    a = int(net.in_link[net.in_start[v]])
    b = next(j for j in range(int(net.out_start[v]), int(net.out_start[v + 1])) if net.to_node[j] != net.from_node[a])
    od = tmp_path / "od.csv"
    pd.DataFrame({"origin": [net.node_ids[net.from_node[a]]], "destination": [net.node_ids[net.to_node[b]]], "t_start_s": [0.0], "t_end_s": [600.0],
                  "vehicles": [20.0]}).to_csv(od, index=False)  # fmt: skip
    common = {
        "demand": od,
        "dt_s": 1.0,
        "duration_s": 1800.0,
        "routes": "free_flow",
        "output": None,
        "timeseries": None,
        "crs": None,
        "scene_crs": "EPSG:31370",
    }
    with_signals = dynamic_commands.run_simulate([streets], **common)
    without = dynamic_commands.run_simulate([streets], signals=False, **common)
    n_approaches = sum(
        int(np.sum(net.capacity[net.in_link[net.in_start[n] : net.in_start[n + 1]]] > 0)) for n in np.flatnonzero(net.meta["signalised"])
    )
    assert with_signals["signal_approaches"] == n_approaches > 0
    assert without["signal_approaches"] == 0
    assert with_signals["arrived_veh"] == pytest.approx(20.0, rel=1e-9)


@pytest.mark.parametrize("route_choice", ["free_flow", "equilibrium"])
def test_turn_aware_routes_do_not_pass_through_zones(route_choice):
    """Zone 1 (not a through node) sits on the short way 0-1-3 (40 s); traffic 0 -> 3 takes 0-2-3 (60 s)."""
    frm, to = np.array([0, 1, 0, 2, 2]), np.array([1, 3, 2, 3, 1])
    length = np.array([300.0, 300.0, 300.0, 600.0, 300.0])
    net = Network.build(node_ids=np.arange(4), link_ids=np.array(["0-1", "1-3", "0-2", "2-3", "2-1"]), from_node=frm, to_node=to,
                        free_flow_time=length / SPEED_M_S, capacity=np.full(5, 1800.0), length=length, time_unit="s", length_unit="m",
                        n_zones=2, first_thru_node=2)  # fmt: skip
    dyn = LinkDynamics.build(length_m=length, free_speed_m_s=SPEED_M_S, capacity_veh_s=0.5, jam_density_veh_m_lane=0.15)
    opts = {"dynamics": dyn, "dt_s": 5.0, "duration_s": 1200.0, "route_choice": route_choice}
    node = simulate(net, one_od(0, 3), **opts)
    per_link = simulate(net, one_od(0, 3), u_turn_penalty_s=0.0, **opts)
    for res in (node, per_link):
        assert res.totals()["mean_trip_time_s"] == pytest.approx(3 * LINK_S, rel=1e-9)
        assert res.cum_in[link(net, "1-3"), -1] == pytest.approx(0.0, abs=1e-9)
