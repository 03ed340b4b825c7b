"""Plain-Python references for the traffic kernels (obviously correct, slow)."""

from __future__ import annotations

import heapq
import math

import numpy as np


def bpr_time(v: float, t0: float, c: float, alpha: float, beta: float) -> float:
    """BPR link time t0 (1 + alpha (v/c)^beta), with power 0 meaning a constant t0 (1 + alpha)."""
    if alpha == 0.0:
        return t0
    if beta == 0.0:
        return t0 * (1.0 + alpha)
    return t0 * (1.0 + alpha * (v / c) ** beta)


def costs(net, flow: np.ndarray) -> np.ndarray:
    """Generalized cost per link from the network arrays, in plain Python."""
    out = np.empty(net.n_links)
    for k in range(net.n_links):
        out[k] = bpr_time(float(flow[k]), net.free_flow_time[k], net.capacity[k], net.alpha[k], net.beta[k]) + net.fixed_cost[k]
    return out


def dijkstra(n: int, tails, heads, cost, origin: int, first_thru: int = 0):
    """Distances and predecessor links with heapq; nodes < first_thru (not the origin) are not expanded."""
    out: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for k, (u, v) in enumerate(zip(tails, heads)):
        out[int(u)].append((int(v), k))
    dist = [math.inf] * n
    pred = [-1] * n
    dist[origin] = 0.0
    heap = [(0.0, origin)]
    done = [False] * n
    while heap:
        d, u = heapq.heappop(heap)
        if done[u]:
            continue
        done[u] = True
        if u < first_thru and u != origin:
            continue
        for v, k in out[u]:
            nd = d + cost[k]
            if nd < dist[v]:
                dist[v] = nd
                pred[v] = k
                heapq.heappush(heap, (nd, v))
    return np.array(dist), np.array(pred)


def aon(net, demand: np.ndarray, cost) -> tuple[np.ndarray, float]:
    """All-or-nothing flows by walking every OD path back link by link; and the SPTT."""
    flow = np.zeros(net.n_links)
    sptt = 0.0
    for o in range(demand.shape[0]):
        dist, pred = dijkstra(net.n_nodes, net.from_node, net.to_node, cost, o, net.first_thru_node)
        for d in range(demand.shape[0]):
            q = demand[o, d]
            if q <= 0 or d == o:
                continue
            sptt += q * dist[d]
            v = d
            while v != o:
                k = pred[v]
                flow[k] += q
                v = net.from_node[k]
    return flow, sptt


# ---------------------------------------------------------------------------------------------
# Wardrop checks of one origin's flows (tests of assign and assign_multiclass)


def origin_shortest_costs(net, cost: np.ndarray, usable: np.ndarray, o: int) -> np.ndarray:
    """Least cost from node ``o`` to every node over the ``usable`` links (scipy's Dijkstra; the
    cheapest of parallel links)."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra as sp_dijkstra

    n = net.n_nodes
    pairs: dict[tuple[int, int], float] = {}
    for k in np.flatnonzero(usable):
        key = (int(net.from_node[k]), int(net.to_node[k]))
        pairs[key] = min(pairs.get(key, np.inf), cost[k])
    rows, cols = zip(*pairs)
    return sp_dijkstra(csr_matrix((list(pairs.values()), (rows, cols)), shape=(n, n)), indices=o)


def assert_origin_conservation(net, origin_flow: np.ndarray, demand_row: np.ndarray, o: int, total: float) -> None:
    """Inflow - outflow of origin ``o``'s link flows equals its demand at every node but ``o``."""
    n = net.n_nodes
    net_in = np.zeros(n)
    np.add.at(net_in, net.to_node, origin_flow)
    np.add.at(net_in, net.from_node, -origin_flow)
    expected = np.zeros(n)
    expected[: demand_row.shape[0]] = demand_row
    mask = np.arange(n) != o
    np.testing.assert_allclose(net_in[mask], expected[mask], rtol=1e-9, atol=1e-6 * max(1.0, total))


def longest_used_costs(net, cost: np.ndarray, used: np.ndarray, o: int) -> np.ndarray:
    """Cost of the longest path from ``o`` over the ``used`` links (Bellman-Ford: it settles within
    n rounds on an acyclic set of used links, and never does on a cycle with positive costs)."""
    n = net.n_nodes
    tails, heads, c_used = net.from_node[used], net.to_node[used], cost[used]
    longest = np.full(n, -np.inf)
    longest[o] = 0.0
    for _ in range(n + 1):
        new = longest.copy()
        np.maximum.at(new, heads, longest[tails] + c_used)
        if np.array_equal(new, longest):
            return longest
        longest = new
    raise AssertionError("the used links of an origin contain a cycle")


def origin_used_path_excess(longest: np.ndarray, dist: np.ndarray, demand_row: np.ndarray, o: int) -> float:
    """Largest relative excess of a used path from ``o`` over the shortest, over the destinations with demand."""
    worst = 0.0
    for d in np.flatnonzero(demand_row > 0):
        if d == o:
            continue
        assert np.isfinite(longest[d]), f"no used path from {o} to {d}"
        excess = (longest[d] - dist[d]) / dist[d]
        assert excess >= -1e-12, "a used path is shorter than the shortest path"
        worst = max(worst, excess)
    return worst


# ---------------------------------------------------------------------------------------------
# a hand-made GTFS feed (tests of the mobility engine and of its scenario path)


def tram_feed(path):
    """A two-stop tram across the Saint-Gilles district every 5 minutes, 07:00-10:20: a hand-made GTFS
    feed (zip) written to ``path``, which is returned."""
    import zipfile

    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:31370", "EPSG:4326", always_xy=True)
    (lon1, lat1), (lon2, lat2) = tr.transform(148100, 168100), tr.transform(148900, 168900)
    rows = ["trip_id,arrival_time,departure_time,stop_id,stop_sequence"]
    trips = ["route_id,service_id,trip_id"]
    for k in range(40):
        t = 7 * 3600 + k * 300
        for d, (a, b) in enumerate((("S1", "S2"), ("S2", "S1"))):
            tid = f"t{k}_{d}"
            trips.append(f"R,WK,{tid}")
            for stop, tt in ((a, t), (b, t + 240)):
                hms = f"{tt // 3600:02d}:{tt % 3600 // 60:02d}:00"
                rows.append(f"{tid},{hms},{hms},{stop},{1 if stop == a else 2}")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("stops.txt", f"stop_id,stop_lat,stop_lon\nS1,{lat1},{lon1}\nS2,{lat2},{lon2}\n")
        z.writestr("routes.txt", "route_id,route_type\nR,0\n")
        z.writestr("trips.txt", "\n".join(trips) + "\n")
        z.writestr("stop_times.txt", "\n".join(rows) + "\n")
        z.writestr("calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                                   "WK,1,1,1,1,1,0,0,20130101,20131231\n")
    return path
