"""Skims: zone-to-zone costs of shortest paths, with attributes summed along the same paths.

For every origin a shortest-path tree on the generalized cost (Dijkstra, :mod:`traffic_paths`)
gives the cost to every node; sweeping the tree in settle order sums any number of further
per-link attributes (time, distance, toll...) along the tree paths:
``attr[v] = attr[tail(pred[v])] + link_attr[pred[v]]``. The skim of an OD pair is the cost and
the attributes at the destination node (``inf`` when it cannot be reached).

Arrays in, arrays out; nothing here imports from ``twin``.
"""

from __future__ import annotations

import numpy as np

from twin.kernels.config import jit_parallel, prange
from twin.kernels.traffic_paths import NO_ARC_LINK, dijkstra


@jit_parallel
def tree_skims(origins, dests, out_start, from_node, to_node, cost, first_thru, link_attr, out_cost, out_attr):
    """Shortest-path costs and summed link attributes from ``origins`` to ``dests``.

    Parameters
    ----------
    origins : int64 (n_o,)
        Origin node indices (one tree each, in parallel).
    dests : int64 (n_d,)
        Destination node indices.
    out_start : int64 (n + 1,), from_node, to_node : int32/int64 (m,)
        Forward star (links sorted by tail) and link end nodes.
    cost : float64 (m,)
        Non-negative link costs the paths minimise.
    first_thru : int
        Nodes with a smaller index are not passed through (zone centroids).
    link_attr : float64 (n_attr, m)
        Attributes summed along the chosen paths (e.g. length in m, time in s).
    out_cost : float64 (n_o, n_d), output
        Least cost; ``inf`` where no path.
    out_attr : float64 (n_attr, n_o, n_d), output
        Attribute sums along the least-cost path; ``inf`` where no path.
    """
    n = out_start.shape[0] - 1
    n_attr = link_attr.shape[0]
    for i in prange(origins.shape[0]):
        dist = np.empty(n)
        pred = np.empty(n, dtype=np.int64)
        order = np.empty(n, dtype=np.int64)
        heap = np.empty(n, dtype=np.int64)
        pos = np.empty(n, dtype=np.int64)
        acc = np.zeros((n_attr, n))
        seed = np.full(1, origins[i], dtype=np.int64)
        k = dijkstra(out_start, to_node, NO_ARC_LINK, cost, seed, np.zeros(1), first_thru, np.inf, dist, pred, order, heap, pos)
        for j in range(1, k):
            v = order[j]
            e = pred[v]
            u = from_node[e]
            for a in range(n_attr):
                acc[a, v] = acc[a, u] + link_attr[a, e]
        for d in range(dests.shape[0]):
            v = dests[d]
            dv = dist[v]
            if dv < np.inf:
                out_cost[i, d] = dv
                for a in range(n_attr):
                    out_attr[a, i, d] = acc[a, v]
            else:
                out_cost[i, d] = np.inf
                for a in range(n_attr):
                    out_attr[a, i, d] = np.inf
