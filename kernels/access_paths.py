"""Travel-time kernels for accessibility and dynamic route choice: multi-source Dijkstra.

Graphs are in compressed sparse row (CSR) form: the arcs leaving node ``u`` are positions
``indptr[u]:indptr[u + 1]``; arc ``e`` goes to node ``arc_head[e]`` and uses link
``arc_link[e]``, whose cost is ``link_cost[arc_link[e]]`` (s). Passing costs per *link* lets
the caller change them (closed link: ``inf``; congested link: its current travel time) without
rebuilding the graph, and lets one CSR hold a reverse graph (arcs from head to tail).

Points off the network (buildings, services) are *attached* to it: point ``p`` has entries
``attach_ptr[p]:attach_ptr[p + 1]``, each a node ``attach_node[k]`` and a time offset
``attach_time[k]`` (s) between the point and that node (access walk plus the part of the link
between the snapped position and the node). A point used as a source seeds its nodes with
those offsets; a point used as a target is reached at ``min_k dist[attach_node[k]] +
attach_time[k]``.

Shortest paths use the one Dijkstra of the kernels, :func:`twin.kernels.traffic_paths.dijkstra`
(indexed binary heap; Dijkstra 1959), with several seeds.
"""

from __future__ import annotations

import numpy as np

from twin.kernels.config import jit, jit_parallel, prange
from twin.kernels.traffic_paths import dijkstra, reset_tree


@jit
def multi_source_dijkstra(
    indptr: np.ndarray,
    arc_head: np.ndarray,
    arc_link: np.ndarray,
    link_cost: np.ndarray,
    seed_node: np.ndarray,
    seed_time: np.ndarray,
    cutoff: float,
    dist: np.ndarray,
) -> int:
    """Earliest time at every node from the nearest of several seeds.

    Parameters
    ----------
    indptr : int64 (n_nodes + 1)
        CSR row pointers of the arcs leaving each node.
    arc_head : int64 (n_arcs)
        Node each arc leads to.
    arc_link : int64 (n_arcs)
        Link of each arc (index into ``link_cost``).
    link_cost : float64 (n_links)
        Cost of each link, s (non-negative; ``inf`` closes it).
    seed_node : int64 (n_seeds)
    seed_time : float64 (n_seeds)
        Start time at each seed node, s (e.g. the access walk from a building).
    cutoff : float
        Nodes farther than this are left at ``inf`` (``inf`` for no cutoff), s.
    dist : float64 (n_nodes), output
        Overwritten with the earliest time, s; ``inf`` where unreachable.

    Returns
    -------
    int
        Number of nodes reached.
    """
    n = dist.shape[0]
    pred = np.empty(n, dtype=np.int64)
    order = np.empty(n, dtype=np.int64)
    heap = np.empty(n, dtype=np.int64)
    pos = np.empty(n, dtype=np.int64)
    dijkstra(indptr, arc_head, arc_link, link_cost, seed_node, seed_time, 0, cutoff, dist, pred, order, heap, pos)
    n_reached = 0
    for v in range(n):
        if dist[v] < np.inf:
            n_reached += 1
    return n_reached


@jit
def attached_times(dist: np.ndarray, attach_ptr: np.ndarray, attach_node: np.ndarray, attach_time: np.ndarray, out: np.ndarray) -> None:
    """Time at which each attached point is reached, given node times ``dist``.

    ``out[p] = min_k dist[attach_node[k]] + attach_time[k]`` over the entries of point ``p``
    (``inf`` where none is reached).
    """
    for p in range(attach_ptr.shape[0] - 1):
        best = np.inf
        for k in range(attach_ptr[p], attach_ptr[p + 1]):
            t = dist[attach_node[k]] + attach_time[k]
            if t < best:
                best = t
        out[p] = best


@jit_parallel
def cumulative_opportunities(
    indptr: np.ndarray,
    arc_head: np.ndarray,
    arc_link: np.ndarray,
    link_cost: np.ndarray,
    origin_ptr: np.ndarray,
    origin_node: np.ndarray,
    origin_time: np.ndarray,
    target_ptr: np.ndarray,
    target_node: np.ndarray,
    target_time: np.ndarray,
    target_weight: np.ndarray,
    thresholds: np.ndarray,
    out: np.ndarray,
    n_chunks: int,
) -> int:
    """Opportunities reachable from each origin within each time threshold (parallel over origins).

    For origin ``o`` (seeds ``origin_ptr[o]:origin_ptr[o + 1]``), a Dijkstra bounded by the
    largest threshold gives node times; target ``p`` is reached at ``min_k dist[target_node[k]]
    + target_time[k]``; ``out[o, m]`` is the sum of ``target_weight[p]`` over the targets
    reached within ``thresholds[m]`` (Hansen 1959 cumulative-opportunity measure).

    Parameters
    ----------
    indptr, arc_head, arc_link, link_cost
        The graph (see module docstring).
    origin_ptr : int64 (n_origins + 1)
    origin_node : int64, origin_time : float64 (s)
        Seed entries of every origin.
    target_ptr : int64 (n_targets + 1)
    target_node : int64, target_time : float64 (s)
        Attachment entries of every target.
    target_weight : float64 (n_targets)
        Opportunities at each target (1 to count them).
    thresholds : float64 (n_thresholds)
        Travel-time budgets, s.
    out : float64 (n_origins, n_thresholds), output
    n_chunks : int
        Number of work chunks (each reuses one set of work arrays); e.g. 4 x threads.

    Returns
    -------
    int
        0 (kept for callers that check it; the indexed heap cannot overflow).
    """
    n_origins = origin_ptr.shape[0] - 1
    n_nodes = indptr.shape[0] - 1
    n_targets = target_ptr.shape[0] - 1
    cutoff = -np.inf
    for m in range(thresholds.shape[0]):
        if thresholds[m] > cutoff:
            cutoff = thresholds[m]
    if n_chunks < 1:
        n_chunks = 1
    for c in prange(n_chunks):
        dist = np.full(n_nodes, np.inf)
        pred = np.full(n_nodes, -1, dtype=np.int64)
        order = np.empty(n_nodes, dtype=np.int64)
        heap = np.empty(n_nodes, dtype=np.int64)
        pos = np.full(n_nodes, -1, dtype=np.int64)
        for o in range(c, n_origins, n_chunks):
            a = origin_ptr[o]
            b = origin_ptr[o + 1]
            n_t = dijkstra(indptr, arc_head, arc_link, link_cost, origin_node[a:b], origin_time[a:b], 0, cutoff, dist, pred, order, heap, pos, True)
            for m in range(thresholds.shape[0]):
                out[o, m] = 0.0
            for p in range(n_targets):
                best = np.inf
                for k in range(target_ptr[p], target_ptr[p + 1]):
                    t = dist[target_node[k]] + target_time[k]
                    if t < best:
                        best = t
                if best < np.inf:
                    for m in range(thresholds.shape[0]):
                        if best <= thresholds[m]:
                            out[o, m] += target_weight[p]
            reset_tree(order, n_t, dist, pred, pos)
    return 0
