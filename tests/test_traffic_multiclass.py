"""Multi-class static user equilibrium (cars and trucks, PCE, class link permissions), checked
without trusting the solver: plain-Python link costs, scipy shortest paths on each class's own
links, and the published single-class SiouxFalls objective when the classes coincide."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from tests.traffic_helpers import tntp_case
from tests.traffic_reference import assert_origin_conservation, longest_used_costs, origin_shortest_costs, origin_used_path_excess
from tests.traffic_reference import costs as ref_costs
from twin.errors import InputError
from twin.traffic.assign import assign
from twin.traffic.multiclass import VehicleClass, assign_multiclass
from twin.traffic.network import Network

SIOUXFALLS_BEST = 4_231_335.287  # TNTP best-known Beckmann objective (single class)


@pytest.fixture(scope="module")
def siouxfalls():
    net, dem = tntp_case("SiouxFalls")
    return net, dem


def truck_bans(net: Network, share: float = 0.1, seed: int = 7) -> np.ndarray:
    """Allowed links for trucks: about ``share`` of the links banned, keeping the network strongly connected."""
    rng = np.random.default_rng(seed)
    allowed = np.ones(net.n_links, dtype=bool)
    for k in rng.permutation(net.n_links):
        if (~allowed).sum() >= share * net.n_links:
            break
        allowed[k] = False
        g = csr_matrix((np.ones(allowed.sum()), (net.from_node[allowed], net.to_node[allowed])), shape=(net.n_nodes, net.n_nodes))
        if connected_components(g, directed=True, connection="strong")[0] != 1:
            allowed[k] = True
    return allowed


def used_path_excess(net: Network, cost: np.ndarray, origin_flows: np.ndarray, demand: np.ndarray, allowed: np.ndarray) -> tuple[float, float]:
    """Largest relative excess of a used path over the class's shortest path (scipy), all origins,
    and the class's shortest-path travel cost (vehicles x least cost, summed).

    Used paths of an origin are the links carrying its flow; the longest path over them
    (Bellman-Ford on the acyclic set) must equal the shortest path on the class's links.
    """
    worst = 0.0
    sptt = 0.0
    for o in range(demand.shape[0]):
        total = demand[o].sum() - demand[o, o]
        if total <= 0:
            continue
        of = origin_flows[o]
        used = np.flatnonzero(of > 1e-9 * total)
        assert allowed[used].all(), "a class used a link it may not use"
        usable = allowed & ((net.from_node >= net.first_thru_node) | (net.from_node == o))
        dist = origin_shortest_costs(net, cost, usable, o)
        od = demand[o] > 0
        sptt += float(np.dot(demand[o][od], dist[: demand.shape[0]][od]))
        # conservation of the class's origin flows
        assert_origin_conservation(net, of, demand[o], o, total)
        longest = longest_used_costs(net, cost, used, o)
        worst = max(worst, origin_used_path_excess(longest, dist, demand[o], o))
    return worst, sptt


def test_siouxfalls_cars_and_trucks(siouxfalls) -> None:
    """Acceptance (issue 15): 10 % trucks of PCE 2.5, banned from 10 % of the links: relative gap
    1e-8 and every used path of each class is shortest among that class's paths."""
    net, dem = siouxfalls
    allowed = truck_bans(net)
    assert 0 < (~allowed).sum() <= 0.1 * net.n_links + 1
    cars = VehicleClass("car", 0.9 * dem.matrix, pce=1.0)
    trucks = VehicleClass("truck", 0.1 * dem.matrix, pce=2.5, allowed=allowed)
    res = assign_multiclass(net, [cars, trucks], gap=1e-8, max_iter=500)
    assert res.converged and res.relative_gap <= 1e-8
    # the PCE flow is what the costs see; no truck on a banned link
    np.testing.assert_allclose(res.flow_pce, res.class_flow[0] + 2.5 * res.class_flow[1], rtol=1e-9, atol=1e-6)
    assert np.all(res.class_flow[1][~allowed] == 0.0)
    assert res.class_flow[1][~allowed].size and res.class_flow[0][~allowed].sum() > 0
    cost = ref_costs(net, res.flow_pce)  # plain-Python BPR at the total PCE flow
    worst_car, sptt_car = used_path_excess(net, cost, res.origin_flows("car"), cars.demand, np.ones(net.n_links, dtype=bool))
    worst_truck, sptt_truck = used_path_excess(net, cost, res.origin_flows("truck"), trucks.demand, allowed)
    assert worst_car <= 1e-6 and worst_truck <= 1e-6, (worst_car, worst_truck)
    # independent relative gap: TSTT in PCE minus each class's scipy shortest paths (PCE-weighted)
    sptt = sptt_car + 2.5 * sptt_truck
    tstt = float(np.dot(res.flow_pce, cost))
    assert (tstt - sptt) / tstt <= 1.5e-8


def test_two_identical_classes_reproduce_the_published_objective(siouxfalls) -> None:
    """Cars 90 % + 'trucks' 10 % with PCE 1 and every link: the single-class problem, whose
    best-known Beckmann objective is published (TNTP)."""
    net, dem = siouxfalls
    res = assign_multiclass(net, [VehicleClass("car", 0.9 * dem.matrix), VehicleClass("van", 0.1 * dem.matrix)], gap=1e-9)
    assert res.converged
    assert abs(res.beckmann - SIOUXFALLS_BEST) / SIOUXFALLS_BEST <= 1e-6
    # the total link flow is unique at equilibrium (the class split of it is not): it matches the
    # single-class assignment
    single = assign(net, dem, algorithm="b", gap=1e-9)
    np.testing.assert_allclose(res.flow_pce, single.flow, rtol=1e-4, atol=1e-3 * single.flow.max())


def two_route_network() -> Network:
    """Zone 1 -> zone 2 by route A (nodes 1-3-2) or B (1-4-2); linear costs on the first halves."""
    return Network.build(
        node_ids=np.array([1, 2, 3, 4]), link_ids=np.array([1, 2, 3, 4]), from_node=[0, 2, 0, 3], to_node=[2, 1, 3, 1],
        free_flow_time=[10.0, 0.5, 15.0, 0.5], capacity=[1000.0, 1.0, 2000.0, 1.0], alpha=[1.0, 0.0, 1.0, 0.0],
        beta=[1.0, 0.0, 1.0, 0.0], n_zones=2,
    )


def test_trucks_banned_from_one_route_closed_form() -> None:
    """Trucks may only use route B: cars fill A until both routes cost the same (by hand).

    Route A: 10 (1 + vA/1000) + 0.5, route B: 15 (1 + vB/2000) + 0.5, in PCE. 1,000 cars and 200
    trucks of PCE 2 (400 PCE) on B: vA + vB = 1,400, equal costs -> 10 + vA/100 = 15 + 3 vB/400
    -> vA = 100 (500 + 3 * 1400 / 4) / 175 = 885.714..., cars on B = 1000 - 885.714 = 114.286.
    """
    net = two_route_network()
    demand_cars = np.array([[0.0, 1000.0], [0.0, 0.0]])
    demand_trucks = np.array([[0.0, 200.0], [0.0, 0.0]])
    only_b = np.isin(net.link_ids, [3, 4])  # links in stored order (sorted by tail)
    a, b = (int(np.flatnonzero(net.link_ids == lid)[0]) for lid in (1, 3))
    res = assign_multiclass(net, [VehicleClass("car", demand_cars), VehicleClass("truck", demand_trucks, pce=2.0, allowed=only_b)], gap=1e-12)
    v_a = 100.0 * (500.0 + 3.0 * 1400.0 / 4.0) / 175.0
    assert res.class_flow[0][a] == pytest.approx(v_a, rel=1e-9)
    assert res.class_flow[0][b] == pytest.approx(1000.0 - v_a, rel=1e-9)
    assert res.class_flow[1][b] == pytest.approx(200.0, rel=1e-12) and res.class_flow[1][a] == 0.0
    assert res.flow_pce[b] == pytest.approx(1400.0 - v_a, rel=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"pce": -2.5}, "PCE must be"),
        ({"pce": float("nan")}, "PCE must be"),
        ({"allowed": np.ones(3, dtype=bool)}, "boolean array of 4 links"),
        ({"allowed": np.array([True, False, False, True])}, "no path from zone 1 to zone 2 on the links vehicle class 'truck'"),
    ],
)
def test_bad_classes(kwargs, match) -> None:
    net = two_route_network()
    demand = np.array([[0.0, 10.0], [0.0, 0.0]])
    with pytest.raises(InputError, match=match):
        assign_multiclass(net, [VehicleClass("car", demand), VehicleClass("truck", demand, **kwargs)])
    with pytest.raises(InputError, match="unique"):
        assign_multiclass(net, [VehicleClass("car", demand), VehicleClass("car", demand)])
