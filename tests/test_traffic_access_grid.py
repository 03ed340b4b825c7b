"""Accessibility on hand-made grids against the Manhattan (L1) distance.

On a street grid of spacing ``h`` the network distance between two points on the streets is
their Manhattan distance, so the walking isochrone of radius ``r = v t`` from a node is the
diamond ``|x| + |y| <= r`` of area ``2 r^2``. Discretisation: the nodes inside it are the lattice
points with ``|i| + |j| <= n`` (``n = floor(r / h)``), ``2 n^2 + 2 n + 1`` of them; a point inside a
block walks straight to its nearest street, which costs at most ``h`` more than the Manhattan
distance and never less, so the sampled area lies between ``2 (r - h)^2`` and ``2 r^2``, give or
take the raster cells cut by the boundary (at most perimeter x cell size).
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from twin.errors import InputError
from twin.traffic.access import WALK_SPEED_M_S, AccessGraph
from twin.traffic.network import Network


def grid(n_side: int, h: float, *, speed_m_s: float = 10.0):
    """Bidirectional grid centred on the origin; returns the network and node coordinates."""
    half = n_side // 2
    ij = np.array([(i, j) for i in range(-half, half + 1) for j in range(-half, half + 1)])
    index = {tuple(p): k for k, p in enumerate(ij.tolist())}
    frm, to = [], []
    for (i, j), k in index.items():
        for di, dj in ((1, 0), (0, 1), (-1, 0), (0, -1)):
            other = index.get((i + di, j + dj))
            if other is not None:
                frm.append(k)
                to.append(other)
    m = len(frm)
    net = Network.build(
        node_ids=np.arange(len(ij)), link_ids=np.arange(m), from_node=np.array(frm), to_node=np.array(to),
        free_flow_time=np.full(m, h / speed_m_s), capacity=np.full(m, 600.0), length=np.full(m, h), time_unit="s", length_unit="m",
    )  # fmt: skip
    return net, ij * h


def test_node_times_are_manhattan_distance_over_walking_speed():
    h = 20.0
    net, xy = grid(41, h)
    g = AccessGraph.from_network(net, xy, mode="walk")
    centre = shapely.points([0.0], [0.0])
    att = g.attach(centre, "origin")
    dist = g.node_times(att)
    manhattan = np.abs(xy).sum(axis=1)
    assert np.allclose(dist, manhattan / WALK_SPEED_M_S, rtol=1e-12, atol=1e-9)
    # off the network: a point 7 m north of the street y = 0 at x = 130 m, reached via the street
    p = shapely.points([130.0], [7.0])
    t = g.point_times(dist, p, slack_m=0.0)[0]
    assert t == pytest.approx((130.0 + 7.0) / WALK_SPEED_M_S, rel=1e-12)
    # snapping to every street within 25 m of the nearest one may cut a corner by a straight
    # access leg, but never beats the straight line from the origin
    t_multi = g.point_times(dist, p)[0]
    assert np.hypot(130.0, 7.0) / WALK_SPEED_M_S <= t_multi <= t


@pytest.mark.parametrize("minutes", [5.0, 10.0])
def test_walking_isochrone_area_matches_the_manhattan_diamond(minutes):
    h, res = 20.0, 6.0
    net, xy = grid(101, h)  # 2 km x 2 km
    g = AccessGraph.from_network(net, xy, mode="walk", max_access_m=h)
    t = minutes * 60.0
    r = WALK_SPEED_M_S * t  # 399 m or 798 m
    iso = g.isochrones(shapely.points([0.0], [0.0]), [t], resolution_m=res)
    area = iso["area_m2"].iloc[0]
    slack = 4 * np.sqrt(2) * r * res  # raster cells cut by the diamond's boundary
    assert 2 * (r - h) ** 2 - slack <= area <= 2 * r**2 + slack
    assert area == pytest.approx(2 * r**2, rel=2.5 * h / r)  # within the discretisation band
    assert iso.geometry.iloc[0].area == pytest.approx(area, rel=1e-9)
    # reached nodes: lattice points of the diamond
    att = g.attach(shapely.points([0.0], [0.0]), "origin")
    dist = g.node_times(att, cutoff_s=t)
    n = int(np.floor(r / h + 1e-12))
    assert int(np.isfinite(dist).sum()) == 2 * n * n + 2 * n + 1


def test_cumulative_opportunities_match_a_brute_force_count():
    h = 50.0
    net, xy = grid(21, h)
    g = AccessGraph.from_network(net, xy, mode="walk", max_access_m=60.0)
    rng = np.random.default_rng(11)
    origins = shapely.points(rng.uniform(-400, 400, (25, 2)))
    targets = shapely.points(rng.uniform(-450, 450, (300, 2)))
    weights = rng.uniform(1, 5, 300)
    thresholds = np.array([120.0, 300.0, 600.0])
    got = g.cumulative_opportunities(origins, targets, thresholds, weights=weights)
    # brute force: one Dijkstra per origin, then every target through either end of its street
    for o in range(25):
        dist = g.node_times(g.attach(origins[o : o + 1], "origin"))
        t_target = g.point_times(dist, targets)
        for m, thr in enumerate(thresholds):
            assert got[o, m] == pytest.approx(weights[t_target <= thr].sum(), rel=1e-12)


def test_directed_car_network_respects_one_way_links():
    # a ring 0 -> 1 -> 2 -> 3 -> 0 of 100 m links (one way), car at 10 m/s
    xy = np.array([[0.0, 0.0], [100.0, 0.0], [100.0, 100.0], [0.0, 100.0]])
    net = Network.build(node_ids=np.arange(4), link_ids=np.arange(4), from_node=np.arange(4), to_node=(np.arange(4) + 1) % 4,
                        free_flow_time=np.full(4, 10.0), capacity=np.full(4, 900.0), length=np.full(4, 100.0), time_unit="s", length_unit="m")  # fmt: skip
    g = AccessGraph.from_network(net, xy, mode="car", max_access_m=1.0)
    a = shapely.points([10.0], [0.0])  # on link 0 -> 1, 10 m from node 0
    b = shapely.points([0.0], [0.0 + 1e-9])  # at node 0
    # from a to node 0 the car must go round: 9 s to node 1, then 30 s
    assert g.time_to_nearest(a, b)[0] == pytest.approx(39.0, rel=1e-9)
    # from node 0 to a: 1 s along the link
    assert g.time_to_nearest(b, a)[0] == pytest.approx(1.0, rel=1e-6)
    with pytest.raises(InputError, match="unknown mode"):
        AccessGraph.from_network(net, xy, mode="hover")
