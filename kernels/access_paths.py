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

Shortest paths use a binary heap with lazy deletion (Dijkstra 1959; heap as in Cormen et
al., *Introduction to Algorithms*, ch. 6).
"""

from __future__ import annotations

import numpy as np

from twin.kernels.config import jit, jit_parallel, prange


@jit
def _heap_push(keys, vals, size, key, val):
    """Push (key, val) on the min-heap held in keys/vals[:size]; return the new size."""
    i = size
    keys[i] = key
    vals[i] = val
    while i > 0:
        parent = (i - 1) >> 1
        if keys[parent] <= keys[i]:
            break
        keys[parent], keys[i] = keys[i], keys[parent]
        vals[parent], vals[i] = vals[i], vals[parent]
        i = parent
    return size + 1


@jit
def _heap_pop(keys, vals, size):
    """Remove the smallest entry; return (key, val, new size). ``size`` must be > 0."""
    key = keys[0]
    val = vals[0]
    size -= 1
    keys[0] = keys[size]
    vals[0] = vals[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        child = left
        right = left + 1
        if right < size and keys[right] < keys[left]:
            child = right
        if keys[i] <= keys[child]:
            break
        keys[child], keys[i] = keys[i], keys[child]
        vals[child], vals[i] = vals[i], vals[child]
        i = child
    return key, val, size


@jit
def _dijkstra_into(indptr, arc_head, arc_link, link_cost, seed_node, seed_time, cutoff, first_thru, dist, heap_keys, heap_vals, touched):
    """Dijkstra from several seeds into ``dist`` (must hold ``inf`` on entry where untouched).

    Nodes with index ``< first_thru`` (zone centroids) are labelled but not expanded unless
    they are seeds. Returns the number of nodes written in ``touched`` (so a caller can reset
    only those), or -1 on heap overflow.
    """
    n_touched = 0
    size = 0
    for k in range(seed_node.shape[0]):
        u = seed_node[k]
        t = seed_time[k]
        if t < dist[u] and t <= cutoff:
            if dist[u] == np.inf:
                touched[n_touched] = u
                n_touched += 1
            dist[u] = t
            size = _heap_push(heap_keys, heap_vals, size, t, u)
    while size > 0:
        d, u, size = _heap_pop(heap_keys, heap_vals, size)
        if d > dist[u]:
            continue  # stale entry
        if u < first_thru:
            is_seed = False
            for k in range(seed_node.shape[0]):
                if seed_node[k] == u and seed_time[k] == d:
                    is_seed = True
                    break
            if not is_seed:
                continue
        for e in range(indptr[u], indptr[u + 1]):
            c = link_cost[arc_link[e]]
            if not c < np.inf:
                continue
            nd = d + c
            v = arc_head[e]
            if nd < dist[v] and nd <= cutoff:
                if dist[v] == np.inf:
                    touched[n_touched] = v
                    n_touched += 1
                dist[v] = nd
                if size >= heap_keys.shape[0]:
                    # cannot happen with heap size >= n_arcs + n_seeds; guard anyway
                    return -1
                size = _heap_push(heap_keys, heap_vals, size, nd, v)
    return n_touched


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
    dist[:] = np.inf
    n_heap = arc_head.shape[0] + seed_node.shape[0] + 1
    keys = np.empty(n_heap, dtype=np.float64)
    vals = np.empty(n_heap, dtype=np.int64)
    touched = np.empty(dist.shape[0], dtype=np.int64)
    return _dijkstra_into(indptr, arc_head, arc_link, link_cost, seed_node, seed_time, cutoff, 0, dist, keys, vals, touched)


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
        0, or -1 if a heap overflowed (cannot happen with consistent input).
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
    status = np.zeros(n_chunks, dtype=np.int64)
    n_heap = arc_head.shape[0] + 1 + (origin_node.shape[0] if origin_node.shape[0] > 0 else 0)
    for c in prange(n_chunks):
        dist = np.full(n_nodes, np.inf)
        keys = np.empty(n_heap, dtype=np.float64)
        vals = np.empty(n_heap, dtype=np.int64)
        touched = np.empty(n_nodes, dtype=np.int64)
        for o in range(c, n_origins, n_chunks):
            a = origin_ptr[o]
            b = origin_ptr[o + 1]
            n_t = _dijkstra_into(indptr, arc_head, arc_link, link_cost, origin_node[a:b], origin_time[a:b], cutoff, 0, dist, keys, vals, touched)
            if n_t < 0:
                status[c] = -1
                n_t = 0
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
            for i in range(n_t):
                dist[touched[i]] = np.inf
    for c in range(n_chunks):
        if status[c] < 0:
            return -1
    return 0
