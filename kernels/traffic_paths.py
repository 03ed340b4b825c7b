"""Shortest-path trees on a CSR forward star: Dijkstra with an indexed binary heap.

Network arrays (see ``twin.traffic.network.Network``): links sorted by tail node, so the
out-links of node ``u`` are ``out_start[u] .. out_start[u+1]-1`` with heads ``to_node[k]`` and
non-negative costs ``cost[k]``. Nodes with index ``< first_thru`` (zone centroids) are never
used as through nodes: they are reached but not expanded unless they are the origin.

Outputs per origin: ``dist`` (inf where unreachable), ``pred`` (the link entering each node on
its shortest path, -1 at the origin and unreachable nodes) and ``order`` (nodes in the order
they were settled, i.e. non-decreasing distance; ``n_settled`` of them), which lets a caller
load flows on the tree in O(n) by sweeping it backwards.

References
----------
Dijkstra, E. W. (1959). A note on two problems in connexion with graphs. Numerische Mathematik 1.
"""

from __future__ import annotations

import numpy as np

from twin.kernels.config import jit, jit_parallel, prange


@jit
def _sift_up(heap, key, pos, i):
    node = heap[i]
    k = key[node]
    while i > 0:
        parent = (i - 1) >> 1
        pn = heap[parent]
        if key[pn] <= k:
            break
        heap[i] = pn
        pos[pn] = i
        i = parent
    heap[i] = node
    pos[node] = i


@jit
def _sift_down(heap, key, pos, i, size):
    node = heap[i]
    k = key[node]
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        right = child + 1
        if right < size and key[heap[right]] < key[heap[child]]:
            child = right
        cn = heap[child]
        if key[cn] >= k:
            break
        heap[i] = cn
        pos[cn] = i
        i = child
    heap[i] = node
    pos[node] = i


@jit
def dijkstra(origin, out_start, to_node, cost, first_thru, cutoff, dist, pred, order, heap, pos):
    """One shortest-path tree from ``origin`` into the caller's arrays.

    Parameters
    ----------
    origin : int
        Origin node index.
    out_start : int64 (n+1,), to_node : int32 (m,), cost : float64 (m,)
        Forward star, link heads and non-negative link costs.
    first_thru : int
        Nodes with a smaller index are not expanded (except the origin).
    cutoff : float
        Stop once the smallest tentative distance exceeds it (``inf``: full tree). Nodes beyond
        it keep ``dist = inf`` (or a tentative value > cutoff) and are not in ``order``.
    dist : float64 (n,), pred : int32/int64 (n,), order : int32/int64 (n,)
        Outputs (overwritten).
    heap, pos : int64 (n,)
        Workspace.

    Returns
    -------
    int
        Number of settled nodes (the valid prefix of ``order``).
    """
    n = dist.shape[0]
    for i in range(n):
        dist[i] = np.inf
        pred[i] = -1
        pos[i] = -1  # -1 never queued, >= 0 position in heap, -2 settled
    dist[origin] = 0.0
    heap[0] = origin
    pos[origin] = 0
    size = 1
    n_settled = 0
    while size > 0:
        u = heap[0]
        du = dist[u]
        if du > cutoff:
            break
        size -= 1
        pos[u] = -2
        if size > 0:
            heap[0] = heap[size]
            pos[heap[0]] = 0
            _sift_down(heap, dist, pos, 0, size)
        order[n_settled] = u
        n_settled += 1
        if u < first_thru and u != origin:
            continue
        for k in range(out_start[u], out_start[u + 1]):
            v = to_node[k]
            pv = pos[v]
            if pv == -2:
                continue
            nd = du + cost[k]
            if nd < dist[v]:
                dist[v] = nd
                pred[v] = k
                if pv == -1:
                    heap[size] = v
                    pos[v] = size
                    size += 1
                    _sift_up(heap, dist, pos, size - 1)
                else:
                    _sift_up(heap, dist, pos, pv)
    return n_settled


@jit
def single_tree(origin, out_start, to_node, cost, first_thru, cutoff, dist, pred):
    """:func:`dijkstra` allocating its own workspace; returns the settle order (trimmed)."""
    n = dist.shape[0]
    order = np.empty(n, dtype=np.int64)
    heap = np.empty(n, dtype=np.int64)
    pos = np.empty(n, dtype=np.int64)
    k = dijkstra(origin, out_start, to_node, cost, first_thru, cutoff, dist, pred, order, heap, pos)
    return order[:k].copy()


@jit_parallel
def shortest_path_trees(origins, out_start, to_node, cost, first_thru, cutoff, dist, pred):
    """Trees from many origins in parallel; row ``i`` of ``dist``/``pred`` is origin ``origins[i]``.

    Each iteration of the parallel loop writes only its own output rows.
    """
    n = dist.shape[1]
    for i in prange(origins.shape[0]):
        order = np.empty(n, dtype=np.int64)
        heap = np.empty(n, dtype=np.int64)
        pos = np.empty(n, dtype=np.int64)
        dijkstra(origins[i], out_start, to_node, cost, first_thru, cutoff, dist[i], pred[i], order, heap, pos)


@jit_parallel
def shortest_distances(origins, out_start, to_node, cost, first_thru, cutoff, dist):
    """Distances only, from many origins in parallel (row ``i`` for ``origins[i]``)."""
    n = dist.shape[1]
    for i in prange(origins.shape[0]):
        pred = np.empty(n, dtype=np.int64)
        order = np.empty(n, dtype=np.int64)
        heap = np.empty(n, dtype=np.int64)
        pos = np.empty(n, dtype=np.int64)
        dijkstra(origins[i], out_start, to_node, cost, first_thru, cutoff, dist[i], pred, order, heap, pos)
