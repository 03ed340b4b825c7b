"""Give-way delay at unsignalised (priority) junctions (issue 15, mobility build item 1).

Hand-made junctions: a primary road with a residential stem (only the stem gives way, to both
primary approaches), a four-arm residential crossing (each approach gives way to the one on its
right, listed here by hand), a three-arm residential T (priority to the right: the through
approach with only the stem on its left gives way to no one). The delay of a yielding approach
against the HCM formulas written out here; an equilibrium where the give-way delay sends part of
the minor street's traffic round by the major road, against the hand solution at fixed capacity
and against scipy's root of the fixed point with capacities from the flows. Saint-Gilles:
give-way lines exactly on the car links ending at unsignalised nodes with at least three street
neighbours that the rules make yield, an approach's reported time = BPR + HCM delay. Bad input.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from twin.errors import InputError
from twin.traffic.assign import assign
from twin.traffic.network import Network
from twin.traffic.priority import GiveWayParameters, add_give_way, assign_with_give_way, classify_junctions, potential_capacity
from twin.traffic.vdf import link_times

SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"


def hcm_entry_capacity(vc: float) -> float:
    """Single-lane roundabout entry capacity as printed (HCM 2010 Eq. 21-1), veh/h."""
    return 1130.0 * math.exp(-1.0e-3 * vc)


def hcm_roundabout_delay_s(v: float, c: float, period_h: float = 0.25) -> float:
    """Roundabout control delay as printed (HCM 2010 Eq. 21-17), s."""
    x = v / c
    return 3600.0 / c + 900.0 * period_h * ((x - 1.0) + math.sqrt((x - 1.0) ** 2 + (3600.0 / c) * x / (450.0 * period_h))) + 5.0 * min(x, 1.0)


def harders_veh_h(vc: float, tc: float = 6.5, tf: float = 4.0) -> float:
    """Potential capacity as printed (HCM 2010 Eq. 19-30)."""
    return vc * math.exp(-vc * tc / 3600.0) / (1.0 - math.exp(-vc * tf / 3600.0)) if vc > 0 else 3600.0 / tf


def hcm_delay_s(v: float, c: float, period_h: float = 0.25) -> float:
    """Control delay as printed (HCM 2010 Eq. 19-64)."""
    x = v / c
    return 3600.0 / c + 900.0 * period_h * ((x - 1.0) + math.sqrt((x - 1.0) ** 2 + (3600.0 / c) * x / (450.0 * period_h))) + 5.0


def junction_network(arms: dict[str, tuple[float, float, str]], *, one_way_out: tuple[str, ...] = ()) -> tuple[Network, np.ndarray, list[str]]:
    """Node C at the origin and one arm per entry (name -> x, y, road class), two-way streets
    (``one_way_out``: arms whose street only leaves C). Link ids ``A>C`` / ``C>A``."""
    names = ["C", *arms]
    pos = {n: i for i, n in enumerate(names)}
    links = []
    for a, (_, _, rc) in arms.items():
        if a not in one_way_out:
            links.append((a, "C", rc))
        links.append(("C", a, rc))
    net = Network.build(node_ids=np.array(names, dtype=object), link_ids=np.array([f"{f}>{t}" for f, t, _ in links], dtype=object),
                        from_node=np.array([pos[f] for f, _, _ in links]), to_node=np.array([pos[t] for _, t, _ in links]),
                        free_flow_time=np.full(len(links), 10.0), capacity=np.full(len(links), 900.0), alpha=0.15, beta=4.0, time_unit="s")  # fmt: skip
    classes = {f"{f}>{t}": rc for f, t, rc in links}
    xy = np.array([[0.0, 0.0], *[[x, y] for x, y, _ in arms.values()]])
    return net, xy, [classes[k] for k in net.link_ids.tolist()]


def yields(net: Network, junctions) -> dict[str, tuple[str, set[str]]]:
    ids = net.link_ids
    return {ids[k]: (r, {ids[c] for c in cs}) for k, r, cs in zip(junctions.approach.tolist(), junctions.rule.tolist(), junctions.conflicts, strict=True)}


def test_t_junction_of_a_primary_and_a_residential_street() -> None:
    net, xy, rc = junction_network({"E": (100.0, 0.0, "primary"), "W": (-100.0, 0.0, "primary"), "S": (0.0, -80.0, "residential")})
    j = classify_junctions(net, rc, xy)
    assert yields(net, j) == {"S>C": ("major", {"E>C", "W>C"})}
    assert j.summary() == {"junctions": 1, "major_road_junctions": 1, "priority_to_right_junctions": 0, "roundabout_junctions": 0,
                           "sign_junctions": 0, "yielding_approaches": 1, "roundabout_entries": 0, "roundabout_multilane_entries": 0}  # fmt: skip
    # the same node signalised: no junction
    assert classify_junctions(net, rc, xy, exclude=["C"]).summary()["junctions"] == 0


def test_four_arm_residential_crossing_gives_way_to_the_right() -> None:
    # by hand: from S (heading north) the right is E; from E (heading west) N; from N (heading south) W; from W (heading east) S
    net, xy, rc = junction_network({"N": (0.0, 90.0, "residential"), "E": (110.0, 5.0, "residential"), "S": (-3.0, -100.0, "residential"),
                                    "W": (-95.0, 0.0, "residential")})  # fmt: skip
    j = classify_junctions(net, rc, xy)
    assert yields(net, j) == {"S>C": ("right", {"E>C"}), "E>C": ("right", {"N>C"}), "N>C": ("right", {"W>C"}), "W>C": ("right", {"S>C"})}
    assert (j.n_junctions, j.n_major, j.n_right) == (1, 0, 1)
    # E a one-way street leaving the crossing: E has no approach, and S has no one else on its right (N is ahead)
    net, xy, rc = junction_network({"N": (0.0, 90.0, "residential"), "E": (110.0, 5.0, "residential"), "S": (-3.0, -100.0, "residential"),
                                    "W": (-95.0, 0.0, "residential")}, one_way_out=("E",))  # fmt: skip
    assert yields(net, classify_junctions(net, rc, xy)) == {"N>C": ("right", {"W>C"}), "W>C": ("right", {"S>C"})}


def test_residential_t_and_three_primary_arms_are_priority_to_the_right() -> None:
    # T of equal streets: W has S on its right; S has E on its right; E has W straight ahead and S on its left: no one
    net, xy, rc = junction_network({"E": (100.0, 0.0, "residential"), "W": (-100.0, 0.0, "residential"), "S": (0.0, -80.0, "residential")})
    assert yields(net, classify_junctions(net, rc, xy)) == {"W>C": ("right", {"S>C"}), "S>C": ("right", {"E>C"})}
    # three primary arms (no through road): priority to the right too
    net, xy, rc = junction_network({"E": (100.0, 0.0, "primary"), "W": (-100.0, 0.0, "primary"), "S": (0.0, -80.0, "primary_link")})
    assert set(yields(net, classify_junctions(net, rc, xy))) == {"W>C", "S>C"}
    # a shape point (two neighbours) is no junction
    net, xy, rc = junction_network({"E": (100.0, 0.0, "residential"), "W": (-100.0, 0.0, "residential")})
    assert classify_junctions(net, rc, xy).n_junctions == 0


def test_delay_of_a_yielding_approach_is_the_hcm_formula() -> None:
    net, xy, rc = junction_network({"E": (100.0, 0.0, "primary"), "W": (-100.0, 0.0, "primary"), "S": (0.0, -80.0, "residential")})
    j = classify_junctions(net, rc, xy)
    gw = add_give_way(net, j)
    flow = np.zeros(net.n_links)
    ids = net.link_ids.tolist()
    flow[ids.index("E>C")], flow[ids.index("W>C")], flow[ids.index("S>C")] = 250.0, 150.0, 180.0
    updated, change = gw.updated(flow)
    # v_c = 400 veh/h: c = 400 exp(-400 x 6.5 / 3600) / (1 - exp(-400 x 4 / 3600)) = 541.4 veh/h (by hand 400 x 0.48567 / 0.35882)
    c = harders_veh_h(400.0)
    assert c == pytest.approx(541.4, abs=0.1)
    line = int(np.flatnonzero(updated.yielding >= 0)[0])
    assert updated.network.capacity[line] == pytest.approx(c, rel=1e-12)
    assert change == pytest.approx(abs(c - 900.0) / 900.0, rel=1e-12)  # from v_c = 0: 3600 / 4 s
    stored = updated.network.link_ids.tolist()
    assigned = np.zeros(updated.network.n_links)
    assigned[line] = 180.0
    assigned[stored.index("S>C")] = 180.0
    times = link_times(updated.network, assigned)
    assert times[line] == pytest.approx(hcm_delay_s(180.0, c), rel=1e-12)
    assert updated.link_values(times)[ids.index("S>C")] == pytest.approx(10.0 * (1 + 0.15 * 0.2**4) + hcm_delay_s(180.0, c), rel=1e-12)
    assert hcm_delay_s(0.0, 900.0) == pytest.approx(9.0)  # no one to give way to: 4 s service + 5 s
    assert potential_capacity(np.array([0.0, 400.0, 1e6]), GiveWayParameters()).tolist() == pytest.approx([900.0, c, 10.0])


def detour_network() -> tuple[Network, list[str]]:
    """Zones O, D, M; a primary road W - J - E and a residential stem S - J. O reaches J by the
    stem (10 + 30 s, then gives way) or round by W on the major road (60 + 20 s); M's 500 veh/h
    enter at W; both go on to E and D (20 s)."""
    links = [("O", "S", 10, ""), ("S", "J", 30, "residential"), ("J", "S", 30, "residential"), ("O", "W", 60, ""), ("M", "W", 0, ""),
             ("W", "J", 20, "primary"), ("J", "W", 20, "primary"), ("J", "E", 20, "primary"), ("E", "J", 20, "primary"), ("E", "D", 0, "")]  # fmt: skip
    names = ["O", "D", "M", "S", "J", "W", "E"]
    pos = {n: i for i, n in enumerate(names)}
    net = Network.build(node_ids=np.array(names, dtype=object), link_ids=np.array([f"{a}>{b}" for a, b, _, _ in links], dtype=object),
                        from_node=np.array([pos[a] for a, _, _, _ in links]), to_node=np.array([pos[b] for _, b, _, _ in links]),
                        free_flow_time=np.array([t for _, _, t, _ in links], dtype=float), capacity=np.full(len(links), np.inf), alpha=0.0, beta=4.0,
                        n_zones=3, first_thru_node=3, time_unit="s")  # fmt: skip
    classes = {f"{a}>{b}": rc for a, b, _, rc in links}
    return net, [classes[k] for k in net.link_ids.tolist()]


def test_give_way_moves_flow_to_the_major_road() -> None:
    net, rc = detour_network()
    xy = np.array([[np.nan, np.nan]] * 3 + [[0.0, -100.0], [0.0, 0.0], [-100.0, 0.0], [100.0, 0.0]])
    j = classify_junctions(net, rc, xy, street=np.array([r != "" for r in rc]))
    assert yields(net, j) == {"S>J": ("major", {"W>J", "E>J"})}
    demand = np.zeros((3, 3))
    demand[0, 1], demand[2, 1] = 600.0, 500.0
    ids = net.link_ids.tolist()
    stem = ids.index("S>J")
    # without give-way every O trip takes the stem (40 s to J against 80 s)
    assert assign(net, demand, algorithm="b", gap=1e-12).flow[stem] == pytest.approx(600.0, abs=1e-6)
    # capacity fixed at v_c = 500 (M's flow): equal costs need d(v) = 40 s. With y = (40 - 3600/c - 5) / 225 and
    # m = 8 / (c T), (x - 1) + sqrt((x - 1)^2 + m x) = y gives x = (y^2 + 2 y) / (m + 2 y)
    c = harders_veh_h(500.0)
    y = (40.0 - 3600.0 / c - 5.0) / 225.0
    m = 8.0 / (c * 0.25)
    hand = c * (y * y + 2 * y) / (m + 2 * y)
    assert 300.0 < hand < 500.0
    gw = add_give_way(net, j, conflicting_veh_h=np.array([500.0]))
    res = assign(gw.network, demand, algorithm="b", gap=1e-12)
    assert gw.link_flow(res.flow)[stem] == pytest.approx(hand, rel=1e-7)
    # capacities from the flows (v_c = 500 + the O trips round by W): scipy's root of the fixed point
    from scipy.optimize import brentq

    root = brentq(lambda v: hcm_delay_s(v, harders_veh_h(1100.0 - v)) - 40.0, 0.0, 600.0, xtol=1e-12)
    final, res, conv = assign_with_give_way(add_give_way(net, j), demand, tolerance=1e-9, max_passes=60, algorithm="b", gap=1e-12)
    assert conv.converged and conv.residual <= 1e-9 and conv.residuals[0] > 0.1
    assert final.link_flow(res.flow)[stem] == pytest.approx(root, rel=1e-6)
    assert root < hand  # the detour's flow adds to the conflicting flow


# ----------------------------------------------------------------------------------- Saint-Gilles
SIGNALS = SAMPLES / "stgilles_signals_osm2013.geojson"


@pytest.fixture(scope="module")
def signal_scene():
    from tests.traffic_helpers import stgilles_scene
    from twin.traffic.signals import mark_signals, read_osm_signals

    scene = stgilles_scene()
    mark_signals(scene, read_osm_signals(SIGNALS))
    return scene


@pytest.fixture(scope="module")
def with_give_way(signal_scene):
    from twin.traffic.mobility import MobilityOptions, run_district_mobility

    return run_district_mobility(signal_scene, MobilityOptions(periods=("am_peak",), feedback=1, signals=True, give_way=True, compute_access=False))


def candidate_approaches(scene) -> set[str]:
    """Car links with a capacity ending at an unsignalised node with at least three street neighbours, from the scene's tables."""
    links, nodes = scene.links, scene.nodes
    car = links["modes"].fillna("").str.split(",").map(lambda m: "car" in {x.strip() for x in m}) & (links["capacity_veh_h"] > 0)
    cl = links[car]
    neighbours: dict[str, set[str]] = {}
    for a, b in zip(cl["from_node"], cl["to_node"], strict=True):
        if a != b:
            neighbours.setdefault(a, set()).add(b)
            neighbours.setdefault(b, set()).add(a)
    signalised = set(nodes.loc[nodes["signalised"].fillna(False).astype(bool), "node_id"])
    junction = {n for n, nb in neighbours.items() if len(nb) >= 3 and n not in signalised}
    return set(cl.loc[cl["to_node"].isin(junction), "link_id"])


def test_stgilles_give_way_lines_and_times(signal_scene, with_give_way) -> None:
    from twin.traffic.mobility import GIVE_WAY_LINK_PREFIX

    period = with_give_way.periods["am_peak"]
    gw = period.car_net.give_way
    lines = {k[len(GIVE_WAY_LINK_PREFIX) :] for k in period.car_net.network.link_ids.tolist() if k.startswith(GIVE_WAY_LINK_PREFIX)}
    candidates = candidate_approaches(signal_scene)
    assert lines <= candidates and len(lines) > 100
    assert not any(k.startswith(GIVE_WAY_LINK_PREFIX) for k in period.link_flow)  # not reported as streets
    s = gw.junctions.summary()
    assert s["major_road_junctions"] > 10 and s["priority_to_right_junctions"] > 10
    assert (f"car network: give-way delay (HCM two-way stop control) at {s['junctions']} unsignalised junctions ({s['major_road_junctions']} on a major road, "
            f"{s['priority_to_right_junctions']} priority to the right, {s['roundabout_junctions']} on a roundabout's ring, {s['sign_junctions']} decided by signs in the data): "
            f"{len(lines)} yielding approaches ({s['roundabout_entries']} roundabout entries), {len(lines)} give-way lines") in with_give_way.notes  # fmt: skip
    # the busiest yielding approach: BPR time + HCM delay at the capacity of its give-way line, and that capacity is
    # within the reported change of Harders' at the conflicting flows of this assignment (summed here from the link flows)
    base_ids = period.car_net.base.link_ids
    net = period.car_net.network
    line_of = {net.link_ids[e][len(GIVE_WAY_LINK_PREFIX) :]: e for e in np.flatnonzero(gw.yielding >= 0).tolist()}
    busiest = max(lines, key=lambda k: period.link_flow[k])
    flow = period.link_flow[busiest]
    assert flow > 10.0
    e = line_of[busiest]
    c = float(net.capacity[e])
    row = signal_scene.links.set_index("link_id").loc[busiest]
    bpr_s = row["length_m"] / row["free_speed_m_s"] * (1.0 + 0.15 * (flow / row["capacity_veh_h"]) ** 4)
    entry = bool(gw.junctions.roundabout[gw.yielding[e]])
    delay = hcm_roundabout_delay_s(flow, c) if entry else hcm_delay_s(flow, c)
    assert period.link_time_s[busiest] == pytest.approx(bpr_s + delay, rel=1e-9)
    # the sample's roundabout entries (helper roundabout's count from the GeoJSON's ring ways: 10)
    # yield to the ring at the HCM 2010 roundabout capacity, the others at Harders'
    assert int(gw.junctions.roundabout[gw.yielding[gw.yielding >= 0]].sum()) == s["roundabout_entries"] > 0
    for e in np.flatnonzero(gw.yielding >= 0).tolist():
        vc = sum(period.link_flow[base_ids[k]] for k in gw.junctions.conflicts[gw.yielding[e]].tolist())
        expected = hcm_entry_capacity(vc) if gw.junctions.roundabout[gw.yielding[e]] else harders_veh_h(vc)
        assert abs(max(expected, 10.0) - net.capacity[e]) <= period.give_way_change * net.capacity[e] * (1 + 1e-9) + 1e-9


def test_stgilles_give_way_on_the_turn_expanded_network(signal_scene, with_give_way) -> None:
    from twin.traffic.mobility import GIVE_WAY_LINK_PREFIX, MobilityOptions, run_district_mobility

    run = run_district_mobility(signal_scene, MobilityOptions(periods=("am_peak",), feedback=1, signals=True, give_way=True, compute_access=False,
                                                              turning_movements=True))  # fmt: skip
    period = run.periods["am_peak"]
    plain = {k for k in with_give_way.periods["am_peak"].car_net.network.link_ids.tolist() if k.startswith(GIVE_WAY_LINK_PREFIX)}
    assert {k for k in period.car_net.network.link_ids.tolist() if k.startswith(GIVE_WAY_LINK_PREFIX)} == plain
    assert set(period.link_flow) == set(period.car_net.base.link_ids.tolist())
    # the same equilibrium on a larger network (vehicle-km within the assignments' gap and the capacity passes)
    assert run.kpis["am_peak_vehicle_km"] == pytest.approx(with_give_way.kpis["am_peak_vehicle_km"], rel=2e-2)


# ----------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("params", "field"),
    [
        (GiveWayParameters(critical_headway_s=-1.0), "critical_headway_s"),
        (GiveWayParameters(follow_up_headway_s=-4.0), "follow_up_headway_s"),
        (GiveWayParameters(period_h=0.0), "period_h"),
        (GiveWayParameters(period_h=float("nan")), "period_h"),
        (GiveWayParameters(critical_headway_s=3.0, follow_up_headway_s=4.0), "follow_up_headway_s"),
    ],
)
def test_bad_parameters_one_line(params, field) -> None:
    net, xy, rc = junction_network({"E": (100.0, 0.0, "primary"), "W": (-100.0, 0.0, "primary"), "S": (0.0, -80.0, "residential")})
    with pytest.raises(InputError) as err:
        add_give_way(net, classify_junctions(net, rc, xy), params=params)
    text = str(err.value)
    assert "\n" not in text and f"field '{field}'" in text and "give-way parameters" in text


def test_bad_inputs_of_the_classification_and_network() -> None:
    net, xy, rc = junction_network({"E": (100.0, 0.0, "primary"), "W": (-100.0, 0.0, "primary"), "S": (0.0, -80.0, "residential")})
    with pytest.raises(InputError, match="road_class needs 6 values, got 5"):
        classify_junctions(net, rc[:5], xy)
    with pytest.raises(InputError, match="a junction arm has no direction"):
        flat = xy.copy()
        flat[1] = np.nan
        classify_junctions(net, ["residential"] * 6, flat)
    with pytest.raises(InputError, match="conflicting flows must be finite and >= 0"):
        potential_capacity(np.array([-1.0]), GiveWayParameters())
    with pytest.raises(InputError, match="give-way delay needs a network timed in s, min or h"):
        add_give_way(net, classify_junctions(net, rc, xy), time_unit="file")
    with pytest.raises(InputError, match="give-way link alpha must be"):
        Network.build(node_ids=np.array(["a", "b"], dtype=object), link_ids=np.array(["x"], dtype=object), from_node=np.array([0]), to_node=np.array([1]),
                      free_flow_time=np.array([9.0]), capacity=np.array([900.0]), alpha=0.0, beta=0.0, vdf=5, time_unit="s")  # fmt: skip
    with pytest.raises(InputError, match="beta must be >= 0, got -5"):  # the delay at saturation of codes 5-7: never a delay falling with the flow
        Network.build(node_ids=np.array(["a", "b"], dtype=object), link_ids=np.array(["x"], dtype=object), from_node=np.array([0]), to_node=np.array([1]),
                      free_flow_time=np.array([9.0]), capacity=np.array([900.0]), alpha=0.25, beta=-5.0, vdf=5, time_unit="s")  # fmt: skip
    with pytest.raises(InputError, match="passes must be a whole number in 1..1000"):
        assign_with_give_way(add_give_way(net, classify_junctions(net, rc, xy)), np.zeros((0, 0)), max_passes=0)


def test_cli_give_way_option_parses_and_bad_input_is_one_line() -> None:
    files = [str(SAMPLES / f"stgilles_{k}_osm2013.geojson") for k in ("buildings", "streets", "landcover", "pois")]
    r = run_twin(["traffic", "mobility", *files, "--give-way", "--feedback", "0"])
    assert_one_line_error(r, contains=("feedback", "[1, 50]"))


def test_give_way_lines_on_a_turn_expanded_network_without_signals(signal_scene) -> None:
    """With turning movements asked for and no signals, the car network is the turn-expanded one
    straight over the street links: its give-way lines sit on the same approaches as on the plain
    network (the stored links mapped to the street links once, not twice)."""
    from twin.traffic.mobility import GIVE_WAY_LINK_PREFIX, MobilityOptions, run_district_mobility

    def lines(movements: bool) -> set[str]:
        run = run_district_mobility(signal_scene, MobilityOptions(periods=("am_peak",), feedback=1, give_way=True, compute_access=False,
                                                                  turning_movements=movements))  # fmt: skip
        ids = run.periods["am_peak"].car_net.network.link_ids.tolist()
        return {k for k in ids if k.startswith(GIVE_WAY_LINK_PREFIX)}

    plain, expanded = lines(False), lines(True)
    assert len(plain) > 100 and expanded == plain
