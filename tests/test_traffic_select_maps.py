"""Select-link whole-trip flows (issue 15) against a plain-Python path enumeration."""

from __future__ import annotations

import numpy as np
import pytest

from tests.test_traffic_paths import random_network
from tests.test_traffic_select_link import _used_links_into
from twin.traffic.assign import assign
from twin.traffic.select_link import select_link


def ref_trip_flows(net, origin_flows: np.ndarray, demand: np.ndarray, selected: set[int]) -> np.ndarray:
    """Plain Python: every path of each origin's flows (backward proportions from each
    destination); a path that uses a selected link adds its flow to each of its links."""
    z = demand.shape[0]
    out = np.zeros(net.n_links)
    for o in range(z):
        x = origin_flows[o]
        into, inflow = _used_links_into(net, x, 1e-12 * max(demand.sum(), 1.0))

        def walk(v: int, frac: float, path: list[int], d: int, o: int = o, x=x, into=into, inflow=inflow) -> None:
            if v == o:
                if selected.intersection(path):
                    for k in path:
                        out[k] += demand[o, d] * frac
                return
            for k in into.get(v, []):
                walk(int(net.from_node[k]), frac * x[k] / inflow[v], [*path, k], d)

        for d in range(z):
            if d != o and demand[o, d] > 0:
                walk(d, 1.0, [], d)
    return out


@pytest.mark.parametrize("seed", [0, 3])
def test_trip_flow_matches_path_enumeration(seed: int) -> None:
    net = random_network(seed, n=25, m=90, n_zones=5, first_thru=5)
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, 50, (5, 5)) * (1 - np.eye(5)) * 20
    res = assign(net, demand, algorithm="b", gap=1e-9)  # congested: several used paths per OD pair
    busiest = np.argsort(res.flow)[::-1]
    for picks in ([int(busiest[0])], [int(busiest[1]), int(busiest[5])], [int(busiest[9])]):
        sl = select_link(res, [str(net.link_ids[k]) for k in picks], demand=demand)
        ref = ref_trip_flows(net, res.origin_flows, demand, set(picks))
        assert ref.max() > 0 and (ref < res.flow - 1e-6).any()  # a partial map, not every link's flow
        np.testing.assert_allclose(sl.trip_flow, ref, rtol=1e-9, atol=1e-9)
        assert (sl.trip_flow >= sl.link_flow - 1e-9).all()  # whole trips hold their downstream part
