"""Trip distribution: Furness balancing and Hyman calibration on SiouxFalls (the published OD
matrix's margins and its mean free-flow trip time as the targets), destination choice."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra as sp_dijkstra

from tests.traffic_helpers import tntp_case
from twin.errors import InputError
from twin.traffic.distribution import calibrate_gravity, destination_choice, furness, gravity


@pytest.fixture(scope="module")
def sioux():
    net, dem = tntp_case("SiouxFalls")
    # free-flow times by scipy (independent of our kernels); intrazonal: half the nearest neighbour
    g = csr_matrix((net.free_flow_time, (net.from_node, net.to_node)), shape=(net.n_nodes, net.n_nodes))
    c = sp_dijkstra(g, indices=np.arange(net.n_zones))[:, : net.n_zones]
    off = c + np.diag(np.full(net.n_zones, np.inf))
    np.fill_diagonal(c, 0.5 * off.min(axis=1))
    return c, dem.matrix


def test_doubly_constrained_gravity_reproduces_margins_and_the_target_mean(sioux) -> None:
    cost, od = sioux
    p, a = od.sum(axis=1), od.sum(axis=0)
    target = float((od * cost).sum() / od.sum())  # mean free-flow trip time of the published matrix
    res = calibrate_gravity(cost, p, a, target)
    assert np.max(np.abs(res.trips.sum(axis=1) - p) / p) < 1e-9
    assert np.max(np.abs(res.trips.sum(axis=0) - a) / a) < 1e-9
    assert abs(res.mean_cost - target) / target < 0.02
    assert res.beta > 0 and len(res.history) < 40
    # the fitted matrix is a gravity matrix: T_ij / (A_i B_j) = exp(-beta c_ij) on every pair
    t = res.trips
    i, j, k, l = 2, 9, 14, 20  # a 2x2 cross-ratio cancels the balancing factors
    ratio = t[i, j] * t[k, l] / (t[i, l] * t[k, j])
    assert ratio == pytest.approx(np.exp(-res.beta * (cost[i, j] + cost[k, l] - cost[i, l] - cost[k, j])), rel=1e-9)


def test_furness_by_hand_on_a_two_by_two() -> None:
    seed = np.array([[1.0, 2.0], [3.0, 4.0]])
    t, it, er, ec = furness(seed, np.array([5.0, 5.0]), np.array([4.0, 6.0]), tol=1e-14)
    # the unique matrix with these margins and the seed's cross ratio 1*4/(2*3)
    x = t[0, 0]
    assert x * (5 - (4 - x)) / ((5 - x) * (4 - x)) == pytest.approx(4.0 / 6.0, rel=1e-12)
    assert t.sum(axis=1) == pytest.approx([5, 5], abs=1e-12) and t.sum(axis=0) == pytest.approx([4, 6], abs=1e-12)


def test_gravity_bad_input() -> None:
    c = np.array([[1.0, np.inf], [np.inf, 1.0]])
    with pytest.raises(InputError, match="same total"):
        gravity(c, np.array([1.0, 1.0]), np.array([1.0, 2.0]), 0.1)
    with pytest.raises(InputError, match="reaches no destination"):
        furness(np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([1.0, 1.0]), np.array([1.0, 1.0]))
    with pytest.raises(InputError, match="not below the mean"):
        calibrate_gravity(np.array([[1.0, 2.0], [2.0, 1.0]]), np.array([1.0, 1.0]), np.array([1.0, 1.0]), 5.0)


def test_destination_choice_is_a_logit_with_size_terms() -> None:
    o = np.array([10.0, 4.0])
    s = np.array([1.0, 3.0, 0.0])
    u = np.array([[-1.0, -2.0, -0.5], [-np.inf, -1.0, -1.0]])
    t, ls = destination_choice(o, s, u, 0.8)
    e = s * np.exp(0.8 * np.where(np.isfinite(u), u, -np.inf))
    assert t[0] == pytest.approx(10 * e[0] / e[0].sum(), abs=1e-12)
    assert t[1] == pytest.approx([0.0, 4.0, 0.0], abs=1e-12)
    assert ls[0] == pytest.approx(np.log(e[0].sum()), abs=1e-12)
