"""Select-link analysis: kernel against a plain-Python path enumeration, against scipy shortest
paths on an all-or-nothing assignment, and the ChicagoSketch closure of issue 15."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra as sp_dijkstra
from typer.testing import CliRunner

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path
from tests.test_traffic_paths import random_network
from tests.traffic_helpers import tntp_case
from twin.cli.main import app
from twin.errors import InputError
from twin.traffic.assign import assign
from twin.traffic.multiclass import VehicleClass, assign_multiclass
from twin.traffic.select_link import select_link


def _used_links_into(net, x: np.ndarray, tol: float) -> tuple[dict[int, list[int]], dict[int, float]]:
    """The links with flow ``x > tol`` into each node, and the node's total inflow over them."""
    into: dict[int, list[int]] = {}
    for k in range(net.n_links):
        if x[k] > tol:
            into.setdefault(int(net.to_node[k]), []).append(k)
    return into, {v: sum(x[k] for k in ks) for v, ks in into.items()}


def ref_select_link(net, origin_flows: np.ndarray, demand: np.ndarray, selected: set[int]) -> np.ndarray:
    """Plain Python: enumerate every path of each origin's (acyclic) flows backwards from each
    destination, path flow = demand x product of (link flow / inflow at its head), and sum the
    paths that use a selected link."""
    z = demand.shape[0]
    out = np.zeros((z, z))
    for o in range(z):
        x = origin_flows[o]
        into, inflow = _used_links_into(net, x, 1e-12 * max(demand.sum(), 1.0))

        def walk(v: int, frac: float, hit: bool, d: int, o: int = o, x=x, into=into, inflow=inflow) -> None:
            if v == o:
                if hit:
                    out[o, d] += demand[o, d] * frac
                return
            for k in into.get(v, []):
                walk(int(net.from_node[k]), frac * x[k] / inflow[v], hit or k in selected, d)

        for d in range(z):
            if d != o and demand[o, d] > 0:
                walk(d, 1.0, False, d)
    return out


@pytest.mark.parametrize("seed", [0, 3])
def test_kernel_matches_path_enumeration(seed: int) -> None:
    net = random_network(seed, n=25, m=90, n_zones=5, first_thru=5)
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, 50, (5, 5)) * (1 - np.eye(5))
    res = assign(net, demand * 20, algorithm="b", gap=1e-9)  # congested: several used paths per OD pair
    assert (res.origin_flows > 1e-6).sum() > (res.origin_flows.max(axis=0) > 1e-6).sum()
    busiest = np.argsort(res.flow)[::-1]
    for picks in ([int(busiest[0])], [int(busiest[1]), int(busiest[5])]):
        sl = select_link(res, [str(net.link_ids[k]) for k in picks], demand=demand * 20)
        ref = ref_select_link(net, res.origin_flows, demand * 20, set(picks))
        np.testing.assert_allclose(sl.od, ref, rtol=1e-9, atol=1e-9)
        if len(picks) == 1:
            assert sl.total == pytest.approx(res.flow[picks[0]], rel=1e-9)


def test_all_or_nothing_matches_scipy_paths() -> None:
    """One all-or-nothing step (Algorithm B's initial trees, max_iter=0): the select-link OD
    flow is the demand of exactly the OD pairs whose scipy shortest path uses the link."""
    net = random_network(11, n=40, m=160, n_zones=8)
    rng = np.random.default_rng(1)
    demand = rng.uniform(1, 10, (8, 8)) * (1 - np.eye(8))
    res = assign(net, demand, algorithm="b", max_iter=0)
    cost = net.free_flow_cost()
    pair_link: dict[tuple[int, int], int] = {}  # the cheapest of parallel links (random costs: no ties)
    for k, (a, b) in enumerate(zip(net.from_node, net.to_node)):
        key = (int(a), int(b))
        if key not in pair_link or cost[k] < cost[pair_link[key]]:
            pair_link[key] = k
    keys = list(pair_link)
    g = csr_matrix(([cost[pair_link[p]] for p in keys], ([p[0] for p in keys], [p[1] for p in keys])), shape=(net.n_nodes, net.n_nodes))
    _, pred = sp_dijkstra(g, indices=np.arange(8), return_predecessors=True)
    for k in np.argsort(res.flow)[::-1][:5]:
        expected = np.zeros((8, 8))
        for o in range(8):
            for d in range(8):
                v = d
                while v != o and v >= 0:
                    u = pred[o, v]
                    if pair_link[(int(u), int(v))] == k:
                        expected[o, d] = demand[o, d]
                        break
                    v = u
        sl = select_link(res, [str(net.link_ids[k])], demand=demand)
        np.testing.assert_allclose(sl.od, expected, rtol=1e-12, atol=1e-12)


@pytest.fixture(scope="module")
def chicago():
    net, dem = tntp_case("ChicagoSketch")
    return net, dem, assign(net, dem, algorithm="b", gap=1e-6)


def test_chicago_select_link_closure(chicago) -> None:
    """Acceptance (issue 15): select-link flows summed over OD pairs equal the link flow to 1e-6."""
    net, dem, res = chicago
    for k in (int(np.argmax(res.flow)), int(np.argsort(res.flow)[len(res.flow) // 2])):
        sl = select_link(res, [str(net.link_ids[k])], demand=dem)
        assert res.flow[k] > 0
        assert abs(sl.total - res.flow[k]) <= 1e-6 * res.flow[k], (sl.total, res.flow[k])
        assert sl.meta["closure"] <= 1e-6
        assert sl.link_flow[k] == pytest.approx(res.flow[k], rel=1e-9)
        assert (sl.od >= 0).all() and (sl.od <= dem.matrix * (1 + 1e-9) + 1e-9).all()  # never more than the OD demand


def test_multiclass_select_link_by_class() -> None:
    net = random_network(2, n=25, m=90, n_zones=5)
    rng = np.random.default_rng(4)
    demand = rng.uniform(10, 50, (5, 5)) * (1 - np.eye(5))
    res = assign_multiclass(net, [VehicleClass("car", demand), VehicleClass("truck", 0.2 * demand, pce=2.5)], gap=1e-9)
    k = int(np.argmax(res.flow_pce))
    car = select_link(res, [str(net.link_ids[k])], klass="car")
    truck = select_link(res, [str(net.link_ids[k])], klass="truck")
    both = select_link(res, [str(net.link_ids[k])])
    assert car.total == pytest.approx(res.class_flow[0][k], rel=1e-9)
    assert truck.total == pytest.approx(res.class_flow[1][k], rel=1e-9)
    assert both.total == pytest.approx(res.flow_pce[k], rel=1e-9) and both.unit == "pce"


def test_bad_selections() -> None:
    net = random_network(0)
    demand = np.ones((net.n_zones, net.n_zones)) - np.eye(net.n_zones)
    res = assign(net, demand, algorithm="b", gap=1e-6)
    with pytest.raises(InputError, match="no link '99999'"):
        select_link(res, ["99999"], demand=demand)
    with pytest.raises(InputError, match="at least one link"):
        select_link(res, [], demand=demand)
    with pytest.raises(InputError, match="needs the demand"):
        select_link(res, [str(net.link_ids[0])])
    fw = assign(net, demand, algorithm="bfw", gap=1e-3)
    with pytest.raises(InputError, match="flows per origin"):
        select_link(fw, [str(net.link_ids[0])], demand=demand)


def test_cli_select_link(tmp_path: Path) -> None:
    folder = shared_path("traffic", "tntp", "SiouxFalls")
    net, trips = str(folder / "SiouxFalls_net.tntp"), str(folder / "SiouxFalls_trips.tntp")
    out = tmp_path / "od.csv"
    runner = CliRunner()
    r = runner.invoke(app, ["traffic", "select-link", "--net", net, "--trips", trips, "--link", "10-15", "--gap", "1e-8", "-o", str(out), "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.output)
    assert s["select_link_total"] == pytest.approx(s["selected_link_flow"], rel=1e-6)
    frame = pd.read_csv(out)
    assert frame["flow"].sum() == pytest.approx(s["selected_link_flow"], rel=1e-6)
    bad = run_twin(["traffic", "select-link", "--net", net, "--trips", trips, "--link", "1-99"])
    assert_one_line_error(bad, contains=("no link '1-99'", "'--link'"))


def ref_path_flows(net, origin_flows: np.ndarray, demand: np.ndarray, destinations: Iterable[int], keep: Callable[[list[int]], bool] = lambda path: True) -> np.ndarray:
    """Plain Python: every path of every origin to each of ``destinations`` (backward proportions
    from the destination, as ref_select_link); a path for which ``keep(path)`` holds (its links,
    destination first) adds its flow to each of its links."""
    z = demand.shape[0]
    out = np.zeros(net.n_links)
    for o in range(z):
        x = origin_flows[o]
        into, inflow = _used_links_into(net, x, 1e-12 * max(demand.sum(), 1.0))

        def walk(v: int, frac: float, path: list[int], d: int, o: int = o, x=x, into=into, inflow=inflow) -> None:
            if v == o:
                if keep(path):
                    for k in path:
                        out[k] += demand[o, d] * frac
                return
            for k in into.get(v, []):
                walk(int(net.from_node[k]), frac * x[k] / inflow[v], [*path, k], d)

        for d in destinations:
            if d != o and demand[o, d] > 0:
                walk(d, 1.0, [], d)
    return out


def ref_destination_flows(net, origin_flows: np.ndarray, demand: np.ndarray, dests: set[int]) -> np.ndarray:
    """Plain Python: every path of every origin to a selected destination adds its flow to each of its links."""
    return ref_path_flows(net, origin_flows, demand, sorted(dests))


def test_select_zone_matches_path_enumeration() -> None:
    from twin.traffic.select_link import select_zone

    net = random_network(3, n=25, m=90, n_zones=5, first_thru=5)
    rng = np.random.default_rng(8)
    demand = rng.uniform(0, 50, (5, 5)) * (1 - np.eye(5)) * 20
    res = assign(net, demand, algorithm="b", gap=1e-9)
    for dests in ({1}, {0, 3}):
        sz = select_zone(res, [net.node_ids[d] for d in sorted(dests)], side="destination", demand=demand)
        np.testing.assert_allclose(sz.link_flow, ref_destination_flows(net, res.origin_flows, demand, dests), rtol=1e-9, atol=1e-9)
        into = np.isin(net.to_node, list(dests))
        assert sz.link_flow[into].sum() == pytest.approx(sz.total, rel=1e-9)  # everything bound there arrives
    all_dest = select_zone(res, list(net.node_ids[:5]), side="destination", demand=demand)
    np.testing.assert_allclose(all_dest.link_flow, res.flow, rtol=1e-9, atol=1e-9)
    origin = select_zone(res, [net.node_ids[2]], side="origin", demand=demand)
    np.testing.assert_allclose(origin.link_flow, res.origin_flows[2])
    with pytest.raises(InputError, match="not a zone"):
        select_zone(res, [net.node_ids[10]], side="origin", demand=demand)
