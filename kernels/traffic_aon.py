"""All-or-nothing (AON) loading: every OD flow on its current shortest path.

Origins are dealt round-robin to ``n_chunks`` workers (``prange``); each worker grows shortest
-path trees (``traffic_paths.dijkstra``) and loads its origins into its own row of ``work``; the
rows are summed afterwards. Loading a tree is O(n): nodes are swept in reverse settle order,
each passing its accumulated flow to the link that enters it.

Zones are the first ``n_zones`` nodes; ``demand[o, d]`` is the flow from zone ``o`` to zone ``d``.
"""

from __future__ import annotations

import numpy as np

from twin.kernels.config import jit, jit_parallel, prange
from twin.kernels.traffic_paths import NO_ARC_LINK, dijkstra


@jit
def load_tree(origin_demand, from_node, pred, order, n_settled, node_flow, link_flow):
    """Add ``origin_demand`` (per destination zone) to ``link_flow`` along one tree.

    ``node_flow`` (n,) is workspace. Unreachable destinations are ignored (checked by callers).
    """
    for v in range(node_flow.shape[0]):
        node_flow[v] = 0.0
    for d in range(origin_demand.shape[0]):
        node_flow[d] = origin_demand[d]
    for i in range(n_settled - 1, 0, -1):
        v = order[i]
        f = node_flow[v]
        if f != 0.0:
            k = pred[v]
            link_flow[k] += f
            node_flow[from_node[k]] += f


@jit
def _aon_chunk(c, n_chunks, demand, out_start, from_node, to_node, cost, first_thru, row, sptt, unreachable):
    """Load the origins ``c, c + n_chunks, ...`` into ``row``; per-chunk SPTT and unreachable pair."""
    n = out_start.shape[0] - 1
    z = demand.shape[0]
    dist = np.empty(n)
    pred = np.empty(n, dtype=np.int64)
    order = np.empty(n, dtype=np.int64)
    heap = np.empty(n, dtype=np.int64)
    pos = np.empty(n, dtype=np.int64)
    node_flow = np.empty(n)
    seed = np.zeros(1, dtype=np.int64)
    seed_t = np.zeros(1)
    for a in range(row.shape[0]):
        row[a] = 0.0
    total = 0.0
    unreachable[c, 0] = -1
    unreachable[c, 1] = -1
    for o in range(c, z, n_chunks):
        has = False
        for d in range(z):
            if demand[o, d] > 0.0:
                has = True
                break
        if not has:
            continue
        seed[0] = o
        k = dijkstra(out_start, to_node, NO_ARC_LINK, cost, seed, seed_t, first_thru, np.inf, dist, pred, order, heap, pos)
        for d in range(z):
            q = demand[o, d]
            if q > 0.0:
                if dist[d] == np.inf:
                    unreachable[c, 0] = o
                    unreachable[c, 1] = d
                else:
                    total += q * dist[d]
        load_tree(demand[o], from_node, pred, order, k, node_flow, row)
    sptt[c] = total


@jit_parallel
def aon_assign(demand, out_start, from_node, to_node, cost, first_thru, work, sptt, unreachable, out):
    """All-or-nothing link flows ``out`` for link costs ``cost``.

    Parameters
    ----------
    demand : float64 (z, z)
        OD flows between the first ``z`` nodes.
    out_start, from_node, to_node, cost, first_thru
        Network arrays (see ``traffic_paths``).
    work : float64 (n_chunks, m)
        Per-worker link flows (workspace; ``n_chunks`` sets the parallelism).
    sptt : float64 (n_chunks,)
        Out: per-worker sum of demand x shortest-path cost.
    unreachable : int64 (n_chunks, 2)
        Out: one (origin, destination) with demand but no path per worker, or -1.
    out : float64 (m,)
        Out: AON link flows.
    """
    n_chunks = work.shape[0]
    m = out.shape[0]
    for c in prange(n_chunks):
        _aon_chunk(c, n_chunks, demand, out_start, from_node, to_node, cost, first_thru, work[c], sptt, unreachable)
    for a in prange(m):
        s = 0.0
        for c in range(n_chunks):
            s += work[c, a]
        out[a] = s


@jit
def aon_assign_serial(demand, out_start, from_node, to_node, cost, first_thru, work, sptt, unreachable, out):
    """Serial :func:`aon_assign` (``work`` needs one row): for small networks, where starting
    threads costs more than it saves."""
    _aon_chunk(0, 1, demand, out_start, from_node, to_node, cost, first_thru, out, sptt, unreachable)
