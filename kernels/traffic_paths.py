"""Shortest-path trees on a CSR graph: the one Dijkstra of the kernels (indexed binary heap).

Graph arrays: the arcs leaving node ``u`` are positions ``indptr[u] .. indptr[u+1]-1``; arc ``e``
goes to node ``arc_head[e]`` and uses link ``arc_link[e]``, whose cost is ``link_cost[arc_link[e]]``
(non-negative; ``inf`` closes a link). An empty ``arc_link`` (:data:`NO_ARC_LINK`) means arcs *are*
links (``arc_link[e] = e``): the forward star of ``twin.traffic.network.Network``, whose links are
sorted by tail node (``indptr = out_start``, ``arc_head = to_node``, ``link_cost = cost``). Passing
costs per link lets one CSR hold a reverse graph (arcs from head to tail, as used for
destination-based route choice) and lets callers change costs without rebuilding the graph.

A search starts from one or several *seeds* (node, start time); a node is reached at the least
``seed_time + path cost`` over all seeds. Nodes with index ``< first_thru`` (zone centroids) are
reached but never expanded unless they are reached as a seed (their label comes from a seed, not
from a link), so zones are not used as through nodes.

Outputs: ``dist`` (``inf`` where unreachable or beyond the cutoff), ``pred`` (the link entering
each node on its shortest path, -1 at seeds and unreached nodes) and ``order`` (nodes in the
order they were settled, i.e. non-decreasing distance; ``n_settled`` of them), which lets a
caller load flows on the tree in O(n) by sweeping it backwards.

This module replaced a second implementation (a lazy-deletion heap in ``access_paths``) in
issue 19: the indexed heap with decrease-key was as fast or faster on SiouxFalls, ChicagoSketch
and the Saint-Gilles and grid11 networks (figures in docs/traffic.md).

References
----------
Dijkstra, E. W. (1959). A note on two problems in connexion with graphs. Numerische Mathematik 1.
Cormen, T. H., Leiserson, C. E., Rivest, R. L. & Stein, C. *Introduction to Algorithms*, ch. 6
(binary heaps with decrease-key) and ch. 24.3.
"""

from __future__ import annotations

import numpy as np

from twin.kernels.config import jit, jit_parallel, prange

#: ``arc_link`` meaning "arc ``e`` is link ``e``" (a forward star of links sorted by tail).
NO_ARC_LINK = np.empty(0, dtype=np.int64)


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
def dijkstra(indptr, arc_head, arc_link, link_cost, seed_node, seed_time, first_thru, cutoff, dist, pred, order, heap, pos, clean=False):
    """Shortest-path tree from the nearest of several seeds, into the caller's arrays.

    Parameters
    ----------
    indptr : int64 (n+1,)
        CSR row pointers of the arcs leaving each node.
    arc_head : int32/int64 (n_arcs,)
        Node each arc leads to.
    arc_link : int64 (n_arcs,) or empty
        Link of each arc (index into ``link_cost``); empty (:data:`NO_ARC_LINK`): arc ``e`` is link ``e``.
    link_cost : float64 (n_links,)
        Non-negative link costs (``inf`` closes a link), e.g. s.
    seed_node : int64 (n_seeds,), seed_time : float64 (n_seeds,)
        Start nodes and their start costs (e.g. an access walk, s); a single origin is one seed at 0.
    first_thru : int
        Nodes with a smaller index are not expanded unless reached as a seed.
    cutoff : float
        Nodes farther than this are not labelled (``dist = inf``) nor settled (``inf``: full tree).
    dist : float64 (n,), pred : int32/int64 (n,), order : int32/int64 (n,)
        Outputs (overwritten): cost to each node, link entering it, settle order.
    heap, pos : int64 (n,)
        Workspace.
    clean : bool
        ``dist``, ``pred`` and ``pos`` already hold ``inf``, -1 and -1 (fresh arrays, or
        :func:`reset_tree` after the previous search): skips the O(n) reset, so many searches
        bounded by a small ``cutoff`` on a large graph cost only what they reach.

    Returns
    -------
    int
        Number of settled nodes (the valid prefix of ``order``); every labelled node is settled,
        so ``order[:n_settled]`` lists all the nodes the search wrote.
    """
    n = dist.shape[0]
    ident = arc_link.shape[0] == 0
    if not clean:
        for i in range(n):
            dist[i] = np.inf
            pred[i] = -1
            pos[i] = -1  # -1 never queued, >= 0 position in heap, -2 settled
    size = 0
    for s in range(seed_node.shape[0]):
        u = seed_node[s]
        t = seed_time[s]
        if t < dist[u] and t <= cutoff:
            dist[u] = t
            if pos[u] == -1:
                heap[size] = u
                pos[u] = size
                size += 1
                _sift_up(heap, dist, pos, size - 1)
            else:
                _sift_up(heap, dist, pos, pos[u])
    n_settled = 0
    while size > 0:
        u = heap[0]
        du = dist[u]
        size -= 1
        pos[u] = -2
        if size > 0:
            heap[0] = heap[size]
            pos[heap[0]] = 0
            _sift_down(heap, dist, pos, 0, size)
        order[n_settled] = u
        n_settled += 1
        if u < first_thru and pred[u] >= 0:
            continue  # a zone reached through a link: not a through node
        for e in range(indptr[u], indptr[u + 1]):
            v = arc_head[e]
            pv = pos[v]
            if pv == -2:
                continue
            k = e if ident else arc_link[e]
            nd = du + link_cost[k]
            if nd < dist[v] and nd <= cutoff:
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
def reset_tree(order, n_settled, dist, pred, pos):
    """Undo one :func:`dijkstra` search on the nodes it wrote (``order[:n_settled]``), so that the
    next one can run with ``clean=True``."""
    for i in range(n_settled):
        v = order[i]
        dist[v] = np.inf
        pred[v] = -1
        pos[v] = -1


@jit
def single_tree(origin, out_start, to_node, cost, first_thru, cutoff, dist, pred):
    """:func:`dijkstra` from one origin on a forward star, allocating its own workspace;
    returns the settle order (trimmed)."""
    n = dist.shape[0]
    order = np.empty(n, dtype=np.int64)
    heap = np.empty(n, dtype=np.int64)
    pos = np.empty(n, dtype=np.int64)
    seed = np.full(1, origin, dtype=np.int64)
    k = dijkstra(out_start, to_node, NO_ARC_LINK, cost, seed, np.zeros(1), first_thru, cutoff, dist, pred, order, heap, pos)
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
        seed = np.full(1, origins[i], dtype=np.int64)
        dijkstra(out_start, to_node, NO_ARC_LINK, cost, seed, np.zeros(1), first_thru, cutoff, dist[i], pred[i], order, heap, pos)


@jit_parallel
def shortest_distances(origins, out_start, to_node, cost, first_thru, cutoff, dist):
    """Distances only, from many origins in parallel (row ``i`` for ``origins[i]``)."""
    n = dist.shape[1]
    for i in prange(origins.shape[0]):
        pred = np.empty(n, dtype=np.int64)
        order = np.empty(n, dtype=np.int64)
        heap = np.empty(n, dtype=np.int64)
        pos = np.empty(n, dtype=np.int64)
        seed = np.full(1, origins[i], dtype=np.int64)
        dijkstra(out_start, to_node, NO_ARC_LINK, cost, seed, np.zeros(1), first_thru, cutoff, dist[i], pred, order, heap, pos)
