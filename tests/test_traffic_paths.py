"""Dijkstra and all-or-nothing kernels against plain-Python references."""

from __future__ import annotations

import numpy as np
import pytest

from tests.traffic_reference import aon as ref_aon
from tests.traffic_reference import dijkstra as ref_dijkstra
from twin.kernels.traffic_aon import aon_assign, aon_assign_serial
from twin.kernels.traffic_paths import (
    shortest_distances,
    shortest_path_trees,
    single_tree,
)
from twin.traffic.network import Network


def random_network(seed: int, n: int = 40, m: int = 160, n_zones: int = 8, first_thru: int = 0) -> Network:
    rng = np.random.default_rng(seed)
    tails = rng.integers(0, n, m)
    heads = rng.integers(0, n, m)
    keep = tails != heads
    # a ring over the non-zone nodes and two-way connectors from every zone, so that every
    # node is reachable even when zones may not be passed through
    ring = np.arange(n_zones, n)
    zones = np.arange(n_zones)
    tails = np.concatenate([tails[keep], ring, zones, n_zones + zones])
    heads = np.concatenate([heads[keep], np.roll(ring, -1), n_zones + zones, zones])
    k = tails.shape[0]
    return Network.build(
        node_ids=np.arange(1, n + 1),
        link_ids=np.arange(1, k + 1),
        from_node=tails,
        to_node=heads,
        free_flow_time=rng.uniform(0.0, 10.0, k),  # zero-ish costs included
        capacity=rng.uniform(100, 1000, k),
        n_zones=n_zones,
        first_thru_node=first_thru,
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("first_thru", [0, 5])
def test_dijkstra_matches_reference(seed: int, first_thru: int) -> None:
    net = random_network(seed, first_thru=first_thru)
    cost = net.free_flow_cost()
    n = net.n_nodes
    origins = np.arange(net.n_zones)
    dist = np.empty((origins.size, n))
    pred = np.empty((origins.size, n), dtype=np.int64)
    shortest_path_trees(origins, net.out_start, net.to_node, cost, net.first_thru_node, np.inf, dist, pred)
    dist_only = np.empty((origins.size, n))
    shortest_distances(origins, net.out_start, net.to_node, cost, net.first_thru_node, np.inf, dist_only)
    for i, o in enumerate(origins):
        ref_dist, _ = ref_dijkstra(n, net.from_node, net.to_node, cost, int(o), first_thru)
        np.testing.assert_allclose(dist[i], ref_dist, rtol=1e-12)
        np.testing.assert_allclose(dist_only[i], ref_dist, rtol=1e-12)
        # the predecessor tree is consistent with the distances
        for v in range(n):
            k = pred[i, v]
            if v == o or not np.isfinite(dist[i, v]):
                assert k == -1
                continue
            assert net.to_node[k] == v
            assert dist[i, net.from_node[k]] + cost[k] == pytest.approx(dist[i, v], rel=1e-12)
            tail = net.from_node[k]
            assert tail == o or tail >= first_thru  # zones are not through nodes


def test_first_thru_node_blocks_zone_shortcut() -> None:
    # zone 1 -> zone 2 is cheap, 2 -> 3 cheap; zone 1 -> 3 directly costs 10. With first thru
    # node index 2 (nodes 0 and 1 are zones), 1 may not be passed through.
    net = Network.build(
        node_ids=np.array([1, 2, 3]), link_ids=np.array([1, 2, 3]), from_node=[0, 1, 0], to_node=[1, 2, 2],
        free_flow_time=[1.0, 1.0, 10.0], capacity=1.0, n_zones=2, first_thru_node=2,
    )
    dist = np.empty(3)
    pred = np.empty(3, dtype=np.int64)
    single_tree(0, net.out_start, net.to_node, net.free_flow_cost(), net.first_thru_node, np.inf, dist, pred)
    assert dist.tolist() == [0.0, 1.0, 10.0]
    single_tree(0, net.out_start, net.to_node, net.free_flow_cost(), 0, np.inf, dist, pred)
    assert dist.tolist() == [0.0, 1.0, 2.0]


def test_cutoff_stops_the_search() -> None:
    net = random_network(3)
    cost = net.free_flow_cost()
    dist = np.empty(net.n_nodes)
    pred = np.empty(net.n_nodes, dtype=np.int64)
    full, _ = ref_dijkstra(net.n_nodes, net.from_node, net.to_node, cost, 0)
    cutoff = float(np.median(full))
    order = single_tree(0, net.out_start, net.to_node, cost, 0, cutoff, dist, pred)
    settled = set(order.tolist())
    assert settled == {v for v in range(net.n_nodes) if full[v] <= cutoff}
    np.testing.assert_allclose(dist[list(settled)], full[list(settled)])


@pytest.mark.parametrize("seed", [0, 4])
@pytest.mark.parametrize("first_thru", [0, 8])
def test_aon_matches_reference(seed: int, first_thru: int) -> None:
    net = random_network(seed, first_thru=first_thru)
    rng = np.random.default_rng(seed + 10)
    z = net.n_zones
    demand = rng.uniform(0, 100, (z, z)) * (rng.random((z, z)) < 0.7)
    cost = net.free_flow_cost()
    ref_flow, ref_sptt = ref_aon(net, demand, cost)
    m = net.n_links
    for kernel, chunks in ((aon_assign, 3), (aon_assign_serial, 1)):
        work = np.empty((chunks, m))
        sptt = np.empty(chunks)
        bad = np.empty((chunks, 2), dtype=np.int64)
        out = np.empty(m)
        kernel(demand, net.out_start, net.from_node.astype(np.int64), net.to_node.astype(np.int64), cost, net.first_thru_node, work, sptt, bad, out)
        np.testing.assert_allclose(out, ref_flow, rtol=1e-12, atol=1e-9)
        assert sptt.sum() == pytest.approx(ref_sptt, rel=1e-12)
        assert (bad[:, 0] < 0).all()
