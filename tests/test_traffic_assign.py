"""Static user equilibrium: closed form, published best-known objectives, and an equilibrium
check that does not trust the solver (plain-Python costs, scipy shortest paths)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from tests.traffic_helpers import tntp_case
from tests.traffic_reference import aon as ref_aon
from tests.traffic_reference import assert_origin_conservation, longest_used_costs, origin_shortest_costs, origin_used_path_excess
from tests.traffic_reference import costs as ref_costs
from twin.errors import InputError
from twin.traffic.assign import ALGORITHMS, assign
from twin.traffic.network import Network

# Best-known Beckmann objectives (TNTP project, in the files' units)
SIOUXFALLS_BEST = 4_231_335.287
CHICAGO_BEST = 17_313_018.7387


def two_route_network(beta: float = 1.0) -> Network:
    """Zones 1 (origin) and 2 (destination); route A via node 3, route B via node 4.

    Only links 1->3 and 1->4 are congestible; the second halves have a small constant time.
    """
    return Network.build(
        node_ids=np.array([1, 2, 3, 4]),
        link_ids=np.array([1, 2, 3, 4]),
        from_node=[0, 2, 0, 3],
        to_node=[2, 1, 3, 1],
        free_flow_time=[10.0, 0.5, 15.0, 0.5],
        capacity=[1000.0, 1.0, 2000.0, 1.0],
        alpha=[1.0, 0.0, 1.0, 0.0],
        beta=[beta, 0.0, beta, 0.0],
        n_zones=2,
    )


def two_route_demand(q: float) -> np.ndarray:
    return np.array([[0.0, q], [0.0, 0.0]])


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("q", [3000.0, 400.0])
def test_two_route_closed_form_linear(algorithm: str, q: float) -> None:
    # t_i = A_i + B_i x_i with B_i = A_i alpha / c_i (BPR with power 1).
    # Interior equilibrium: A1 + B1 x1 = A2 + B2 (q - x1); else all on the cheaper route.
    a1, b1 = 10.0 + 0.5, 10.0 / 1000.0
    a2, b2 = 15.0 + 0.5, 15.0 / 2000.0
    x1 = (a2 - a1 + b2 * q) / (b1 + b2)
    x1 = min(max(x1, 0.0), q)
    net = two_route_network()
    res = assign(net, two_route_demand(q), algorithm=algorithm, gap=1e-10, max_iter=200)
    flows = dict(zip(res.network.link_ids.tolist(), res.flow))
    assert flows[1] == pytest.approx(x1, rel=1e-6)
    assert flows[3] == pytest.approx(q - x1, rel=1e-6, abs=1e-6)
    x2 = q - x1
    beckmann = a1 * x1 + b1 * x1**2 / 2 + a2 * x2 + b2 * x2**2 / 2
    assert res.beckmann == pytest.approx(beckmann, rel=1e-9)
    if 0 < x1 < q:  # both routes used at one cost
        assert a1 + b1 * x1 == pytest.approx(a2 + b2 * x2, rel=1e-9)


@pytest.mark.parametrize("algorithm", ["bfw", "b"])
def test_two_route_bpr4_equal_costs(algorithm: str) -> None:
    q = 5000.0

    def excess(x1: float) -> float:
        t1 = 10.0 * (1 + (x1 / 1000.0) ** 4)
        t2 = 15.0 * (1 + ((q - x1) / 2000.0) ** 4)
        return t1 - t2

    x1 = brentq(excess, 0.0, q, xtol=1e-12)
    res = assign(two_route_network(beta=4.0), two_route_demand(q), algorithm=algorithm, gap=1e-12, max_iter=500)
    flows = dict(zip(res.network.link_ids.tolist(), res.flow))
    assert flows[1] == pytest.approx(x1, rel=1e-7)


# ---------------------------------------------------------------- independent equilibrium check
def check_equilibrium(net: Network, demand: np.ndarray, flow: np.ndarray, origin_flows: np.ndarray, rel_tol: float) -> float:
    """Check Wardrop's principle per OD pair from the solver's origin flows; return the worst
    relative excess of a used path over the shortest path.

    Costs come from the plain-Python BPR; shortest paths from scipy. For each origin the longest
    path made of links carrying that origin's flow (its used paths) is computed in topological
    order; it must not exceed the shortest path cost by more than ``rel_tol`` (so all used paths
    cost the same within tolerance, and no unused path is cheaper).
    """
    cost = ref_costs(net, flow)
    np.testing.assert_allclose(origin_flows.sum(axis=0), flow, rtol=1e-9, atol=1e-6)
    worst = 0.0
    for o in range(demand.shape[0]):
        total = demand[o].sum() - demand[o, o]
        if total <= 0:
            continue
        usable = (net.from_node >= net.first_thru_node) | (net.from_node == o)
        dist = origin_shortest_costs(net, cost, usable, o)
        of = origin_flows[o]
        # conservation: inflow - outflow = demand at every node but the origin
        assert_origin_conservation(net, of, demand[o], o, total)
        used = np.flatnonzero(of > 1e-9 * total)
        assert np.all(usable[used]), "a zone was used as a through node"
        longest = longest_used_costs(net, cost, used, o)
        worst = max(worst, origin_used_path_excess(longest, dist, demand[o], o))
    assert worst <= rel_tol, f"a used path costs {worst:.3e} more than the shortest (relative)"
    return worst


def check_gap(net: Network, demand: np.ndarray, result) -> float:
    """Relative gap recomputed with the plain-Python costs and AON."""
    cost = ref_costs(net, result.flow)
    _, sptt = ref_aon(net, demand, cost)
    tstt = float(np.dot(result.flow, cost))
    return (tstt - sptt) / tstt


def assert_objective(result, best: float) -> None:
    """Duality bound: 0 <= B(x) - B* <= TSTT - SPTT (up to the best-known value's precision)."""
    slack = result.relative_gap * result.tstt
    assert result.beckmann >= best * (1 - 1e-6)
    assert result.beckmann - best <= slack + 1e-6 * best


@pytest.fixture(scope="module")
def siouxfalls():
    net, dem = tntp_case("SiouxFalls")
    return net, dem


def test_siouxfalls_algorithm_b_best_known_objective(siouxfalls) -> None:
    net, dem = siouxfalls
    res = assign(net, dem, algorithm="b", gap=1e-10, max_iter=1000)
    assert res.converged and res.relative_gap <= 1e-10
    assert abs(res.beckmann - SIOUXFALLS_BEST) / SIOUXFALLS_BEST <= 1e-6
    # the objective is reached by the time the gap is 1e-6
    at_1e6 = next(r for r in res.history if r.relative_gap <= 1e-6)
    assert abs(at_1e6.beckmann - SIOUXFALLS_BEST) / SIOUXFALLS_BEST <= 1e-6
    assert check_gap(net, dem.matrix, res) == pytest.approx(res.relative_gap, rel=1e-3, abs=1e-12)
    check_equilibrium(net, dem.matrix, res.flow, res.origin_flows, rel_tol=1e-6)
    # every iteration reports the gap and the objective
    assert all(np.isfinite([r.relative_gap, r.beckmann]).all() for r in res.history)


@pytest.mark.parametrize("algorithm,target", [("bfw", 1e-5), ("cfw", 1e-4), ("fw", 1e-3)])
def test_siouxfalls_frank_wolfe_family(siouxfalls, algorithm: str, target: float) -> None:
    net, dem = siouxfalls
    res = assign(net, dem, algorithm=algorithm, gap=target, max_iter=20_000)
    assert res.converged
    assert check_gap(net, dem.matrix, res) <= target * 1.001
    assert_objective(res, SIOUXFALLS_BEST)
    # exact line search: the objective never increases
    objective = np.array([r.beckmann for r in res.history[1:]])
    assert np.all(np.diff(objective) <= 1e-9 * objective[:-1])


def test_bfw_needs_fewer_iterations_than_fw(siouxfalls) -> None:
    net, dem = siouxfalls
    its = {a: assign(net, dem, algorithm=a, gap=1e-4, max_iter=20_000).iterations for a in ("fw", "cfw", "bfw")}
    assert its["bfw"] < its["cfw"] < its["fw"]


def test_max_iter_and_bad_options(siouxfalls) -> None:
    net, dem = siouxfalls
    res = assign(net, dem, algorithm="bfw", gap=0.0, max_iter=5)
    assert res.iterations == 5 and not res.converged and len(res.history) == 6
    with pytest.raises(InputError, match="unknown algorithm"):
        assign(net, dem, algorithm="magic")
    with pytest.raises(InputError, match="zones"):
        assign(net, np.zeros((3, 3)))
    bad = dem.matrix.copy()
    bad[2, 5] = -1.0
    with pytest.raises(InputError, match="demand must be finite and >= 0"):
        assign(net, bad)


def test_results_frame_and_writers(siouxfalls, tmp_path) -> None:
    net, dem = siouxfalls
    res = assign(net, dem, algorithm="b", gap=1e-4)
    frame = res.to_frame()
    assert len(frame) == 76 and {"link_id", "flow", "cost", "time", "volume_capacity"} <= set(frame.columns)
    np.testing.assert_allclose(frame["cost"], ref_costs(net, res.flow))
    import pandas as pd

    back = pd.read_csv(res.write(tmp_path / "flows.csv"))
    np.testing.assert_allclose(back["flow"], res.flow, rtol=1e-9)
    back = pd.read_parquet(res.write(tmp_path / "flows.parquet"))
    np.testing.assert_allclose(back["flow"], res.flow)
    with pytest.raises(InputError, match=r"\.csv or \.parquet"):
        res.write(tmp_path / "flows.txt")


@pytest.fixture(scope="module")
def chicago():
    net, dem = tntp_case("ChicagoSketch")
    return net, dem


@pytest.mark.slow
def test_chicago_algorithm_b_best_known_objective(chicago) -> None:
    net, dem = chicago
    res = assign(net, dem, algorithm="b", gap=1e-8, max_iter=500)
    assert res.converged
    assert abs(res.beckmann - CHICAGO_BEST) / CHICAGO_BEST <= 1e-6
    at_1e6 = next(r for r in res.history if r.relative_gap <= 1e-6)
    assert abs(at_1e6.beckmann - CHICAGO_BEST) / CHICAGO_BEST <= 1e-6
    check_equilibrium(net, dem.matrix, res.flow, res.origin_flows, rel_tol=1e-5)


@pytest.mark.slow
def test_chicago_biconjugate_frank_wolfe_reaches_1e5(chicago) -> None:
    net, dem = chicago
    res = assign(net, dem, algorithm="bfw", gap=1e-5, max_iter=2000)
    assert res.converged and res.relative_gap <= 1e-5
    assert_objective(res, CHICAGO_BEST)
