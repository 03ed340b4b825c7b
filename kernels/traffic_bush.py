"""Algorithm B (Dial 2006): origin-based user equilibrium on acyclic bushes.

Each origin ``r`` keeps a *bush*: an acyclic set of links (``bush[r, k] = 1``) carrying its
flows ``bflow[r, k]``. One sweep over the origins does, for each origin:

1. *Bush update*: minimum-cost labels ``L`` on the bush; drop links with zero origin flow unless
   they are the minimum-cost predecessor of their head (keeps every node reachable); maximum-cost
   labels ``U`` on the pruned bush; add every link ``(i, j)`` with ``U_i + c_ij < U_j``. Since
   costs are non-negative, bush links never go from a larger to a smaller ``U``, so the bush
   stays acyclic. A topological order is rebuilt (Kahn).
2. *Equilibration*: labels ``L`` (all bush links) and ``U`` (links with flow only) with their
   predecessors; for each node ``j`` from the last in topological order, the longest used and
   the shortest path to ``j`` are traced back to their last common node, and flow is moved from
   the longest to the shortest segment by a Newton step
   ``delta = (c_max - c_min) / sum(t')``, capped by the smallest origin flow on the long
   segment. Link costs and derivatives are updated after every move (Gauss-Seidel).

Links leaving a zone node with index ``< first_thru`` (other than the origin) are never in a
bush, so zones are not used as through nodes.

*Rows* (:class:`BushRows`): a bush belongs to a row, an (origin, vehicle class) pair. Row ``r``
starts at node ``origin[r]``, carries ``demand[r]`` (per destination zone, in passenger-car
equivalents, PCE) and may use link ``k`` only when ``allowed[klass[r], k]``. Link costs depend on
the total PCE flow, the same for every class (multi-class UE with PCE and class permissions,
e.g. Dafermos 1972; it is the Beckmann program in PCE flows on class sub-networks, so Algorithm
B applies row by row). One class with every link allowed and row ``r`` = origin ``r`` is the
single-class problem.

References
----------
Dial, R. B. (2006). A path-based user-equilibrium traffic assignment algorithm that obviates path
storage and enumeration. Transportation Research Part B 40(10), 917-936.
Nie, Y. (2010). A class of bush-based algorithms for the traffic assignment problem.
Transportation Research Part B 44(1), 73-89.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from twin.kernels.config import jit, jit_parallel, prange
from twin.kernels.traffic_aon import load_tree
from twin.kernels.traffic_paths import NO_ARC_LINK, dijkstra
from twin.kernels.traffic_vdf import vdf_derivative, vdf_time


class BushGraph(NamedTuple):
    """Network topology (links sorted by tail): forward star, backward star and link ends."""

    out_start: np.ndarray  # int64 (n + 1,)
    in_start: np.ndarray  # int64 (n + 1,)
    in_link: np.ndarray  # int64 (m,) links entering each node, grouped by head
    from_node: np.ndarray  # int64 (m,)
    to_node: np.ndarray  # int64 (m,)


class LinkVdf(NamedTuple):
    """Delay-function parameters per link (see ``traffic_vdf``) and the fixed cost added to the time."""

    t0: np.ndarray
    cap: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    code: np.ndarray
    fixed: np.ndarray


class LinkState(NamedTuple):
    """Global link flows, costs and cost derivatives, kept consistent by every flow shift (in/out)."""

    flow: np.ndarray
    cost: np.ndarray
    dcost: np.ndarray


class BushRows(NamedTuple):
    """The (origin, class) pair of every bush row and the links each class may use."""

    origin: np.ndarray  # int64 (R,) origin node of each row
    klass: np.ndarray  # int64 (R,) vehicle class of each row
    allowed: np.ndarray  # uint8 (n_classes, m): 1 where the class may use the link


class BushWork(NamedTuple):
    """Per-node workspace of one bush (all int64 or float64 (n,))."""

    indeg: np.ndarray
    order: np.ndarray
    pos: np.ndarray
    lab_min: np.ndarray
    pred_min: np.ndarray
    lab_max: np.ndarray
    pred_max: np.ndarray
    seg_min: np.ndarray
    seg_max: np.ndarray


@jit
def bush_work(n):
    """Workspace for bushes on a network of ``n`` nodes."""
    return BushWork(
        np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64), np.empty(n), np.empty(n, dtype=np.int64),
        np.empty(n), np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64),
    )


@jit_parallel
def bush_init(demand, rows, out_start, from_node, to_node, cost, first_thru, bush, bflow):
    """Initial bushes: each row's shortest-path tree at ``cost`` on its class's links, loaded
    all-or-nothing.

    ``demand`` (R, z) holds each row's flows per destination zone; ``bush`` (R, m) uint8 and
    ``bflow`` (R, m) float64 are overwritten. Rows without demand get an empty bush.
    """
    n_rows = demand.shape[0]
    z = demand.shape[1]
    n = out_start.shape[0] - 1
    m = from_node.shape[0]
    for r in prange(n_rows):
        for k in range(m):
            bush[r, k] = 0
            bflow[r, k] = 0.0
        total = 0.0
        for d in range(z):
            total += demand[r, d]
        if total <= 0.0:
            continue
        allowed_c = rows.allowed[rows.klass[r]]
        cost_c = np.empty(m)
        for k in range(m):
            cost_c[k] = cost[k] if allowed_c[k] else np.inf
        dist = np.empty(n)
        pred = np.empty(n, dtype=np.int64)
        order = np.empty(n, dtype=np.int64)
        heap = np.empty(n, dtype=np.int64)
        pos = np.empty(n, dtype=np.int64)
        node_flow = np.empty(n)
        seed = np.full(1, rows.origin[r], dtype=np.int64)
        cnt = dijkstra(out_start, to_node, NO_ARC_LINK, cost_c, seed, np.zeros(1), first_thru, np.inf, dist, pred, order, heap, pos)
        for i in range(1, cnt):
            bush[r, pred[order[i]]] = 1
        load_tree(demand[r], from_node, pred, order, cnt, node_flow, bflow[r])


@jit
def sum_rows(bflow, out):
    """out[k] = sum over origins of bflow[r, k]."""
    for k in range(bflow.shape[1]):
        out[k] = 0.0
    for r in range(bflow.shape[0]):
        row = bflow[r]
        for k in range(bflow.shape[1]):
            out[k] += row[k]


@jit
def _topo_order(r, out_start, to_node, bush_r, indeg, order):
    """Kahn's order of the nodes reachable from ``r`` on the bush; returns their count (-1: cycle)."""
    n = out_start.shape[0] - 1
    for v in range(n):
        indeg[v] = 0
    for u in range(n):
        for k in range(out_start[u], out_start[u + 1]):
            if bush_r[k]:
                indeg[to_node[k]] += 1
    order[0] = r
    head = 0
    tail = 1
    while head < tail:
        u = order[head]
        head += 1
        for k in range(out_start[u], out_start[u + 1]):
            if bush_r[k]:
                v = to_node[k]
                indeg[v] -= 1
                if indeg[v] == 0:
                    order[tail] = v
                    tail += 1
    for v in range(n):
        if indeg[v] > 0:
            return -1
    return tail


@jit
def _min_max_labels(cnt, order, in_start, in_link, from_node, cost, bush_r, bflow_r, used_only, lab_min, pred_min, lab_max, pred_max):
    """Min labels over all bush links; max labels over bush links (``used_only``: with flow > 0).

    Nodes without a qualifying in-link keep ``lab_max = lab_min`` and ``pred_max = -1``.
    """
    r = order[0]
    lab_min[r] = 0.0
    lab_max[r] = 0.0
    pred_min[r] = -1
    pred_max[r] = -1
    for i in range(1, cnt):
        j = order[i]
        best = np.inf
        bk = -1
        worst = -np.inf
        wk = -1
        for p in range(in_start[j], in_start[j + 1]):
            k = in_link[p]
            if not bush_r[k]:
                continue
            t = from_node[k]
            c = cost[k]
            lm = lab_min[t] + c
            if lm < best:
                best = lm
                bk = k
            if used_only and not (bflow_r[k] > 0.0):
                continue
            lx = lab_max[t] + c
            if lx > worst:
                worst = lx
                wk = k
        lab_min[j] = best
        pred_min[j] = bk
        if wk >= 0:
            lab_max[j] = worst
            pred_max[j] = wk
        else:
            lab_max[j] = best
            pred_max[j] = -1


@jit
def _update_bush(r, allowed_c, first_thru, g, cost, bush_r, bflow_r, w):
    """Prune unused links, add shortcuts (links ``allowed_c``), rebuild the order from origin node
    ``r``; returns the node count (-1 cycle)."""
    out_start, in_start, in_link, from_node, to_node = g.out_start, g.in_start, g.in_link, g.from_node, g.to_node
    indeg, order, pos = w.indeg, w.order, w.pos
    lab_min, pred_min, lab_max, pred_max = w.lab_min, w.pred_min, w.lab_max, w.pred_max
    n = out_start.shape[0] - 1
    m = from_node.shape[0]
    cnt = _topo_order(r, out_start, to_node, bush_r, indeg, order)
    if cnt < 0:
        return -1
    _min_max_labels(cnt, order, in_start, in_link, from_node, cost, bush_r, bflow_r, False, lab_min, pred_min, lab_max, pred_max)
    # prune: links without flow that are not the min predecessor of their head
    for k in range(m):
        if bush_r[k] and not (bflow_r[k] > 0.0) and pred_min[to_node[k]] != k:
            bush_r[k] = 0
            bflow_r[k] = 0.0
    # max labels on the pruned bush (all links), order still valid
    _min_max_labels(cnt, order, in_start, in_link, from_node, cost, bush_r, bflow_r, False, lab_min, pred_min, lab_max, pred_max)
    for v in range(n):
        pos[v] = -1
    for i in range(cnt):
        pos[order[i]] = i
    added = 0
    for k in range(m):
        if bush_r[k] or not allowed_c[k]:
            continue
        i = from_node[k]
        j = to_node[k]
        if pos[i] < 0 or pos[j] < 0:
            continue
        if i < first_thru and i != r:
            continue
        if lab_max[i] + cost[k] < lab_max[j]:
            bush_r[k] = 1
            added += 1
    if added > 0:
        cnt = _topo_order(r, out_start, to_node, bush_r, indeg, order)
    return cnt


@jit
def _equilibrate(cnt, g, vdf, state, bush_r, bflow_r, rel_tol, flow_eps, w):
    """One pass of flow shifts over the nodes of one bush (last to first); returns the largest
    relative difference ``(U_j - L_j) / L_j`` seen before shifting."""
    in_start, in_link, from_node = g.in_start, g.in_link, g.from_node
    t0, cap, alpha, beta, code, fixed = vdf.t0, vdf.cap, vdf.alpha, vdf.beta, vdf.code, vdf.fixed
    flow, cost, dcost = state.flow, state.cost, state.dcost
    order, pos = w.order, w.pos
    lab_min, pred_min, lab_max, pred_max, seg_min, seg_max = w.lab_min, w.pred_min, w.lab_max, w.pred_max, w.seg_min, w.seg_max
    _min_max_labels(cnt, order, in_start, in_link, from_node, cost, bush_r, bflow_r, True, lab_min, pred_min, lab_max, pred_max)
    worst = 0.0
    for idx in range(cnt - 1, 0, -1):
        j = order[idx]
        kx = pred_max[j]
        if kx < 0:
            continue
        kn = pred_min[j]
        if kn == kx:
            continue
        diff = lab_max[j] - lab_min[j]
        ref = lab_min[j] if lab_min[j] > 0.0 else 1.0
        if diff <= rel_tol * ref:
            continue
        worst = max(worst, diff / ref)
        # trace both paths back to their last common node
        n_min = 0
        n_max = 0
        seg_min[n_min] = kn
        n_min += 1
        seg_max[n_max] = kx
        n_max += 1
        a = from_node[kn]
        b = from_node[kx]
        broken = False
        while a != b:
            if pos[a] > pos[b]:
                k = pred_min[a]
                seg_min[n_min] = k
                n_min += 1
                a = from_node[k]
            else:
                k = pred_max[b]
                if k < 0:
                    broken = True
                    break
                seg_max[n_max] = k
                n_max += 1
                b = from_node[k]
        if broken:
            continue
        c_min = 0.0
        c_max = 0.0
        dsum = 0.0
        cap_shift = np.inf
        for s in range(n_min):
            k = seg_min[s]
            c_min += cost[k]
            dsum += dcost[k]
        for s in range(n_max):
            k = seg_max[s]
            c_max += cost[k]
            dsum += dcost[k]
            cap_shift = min(cap_shift, bflow_r[k])
        gap = c_max - c_min
        if not (gap > 0.0) or not (cap_shift > 0.0):
            continue
        delta = cap_shift
        if dsum > 0.0:
            newton = gap / dsum
            delta = min(delta, newton)
        for s in range(n_max):
            k = seg_max[s]
            nb = bflow_r[k] - delta
            if nb < flow_eps or (bflow_r[k] == cap_shift and delta == cap_shift):
                nb = 0.0  # snap rounding residues: a used link carries at least flow_eps
            flow[k] -= bflow_r[k] - nb
            flow[k] = max(flow[k], 0.0)
            bflow_r[k] = nb
            cost[k] = vdf_time(flow[k], t0[k], cap[k], alpha[k], beta[k], code[k]) + fixed[k]
            dcost[k] = vdf_derivative(flow[k], t0[k], cap[k], alpha[k], beta[k], code[k])
        for s in range(n_min):
            k = seg_min[s]
            bflow_r[k] += delta
            flow[k] += delta
            cost[k] = vdf_time(flow[k], t0[k], cap[k], alpha[k], beta[k], code[k]) + fixed[k]
            dcost[k] = vdf_derivative(flow[k], t0[k], cap[k], alpha[k], beta[k], code[k])
    return worst


@jit
def bush_sweep(demand, rows, first_thru, g, vdf, state, bush, bflow, update, inner, rel_tol):
    """One Algorithm B sweep over all rows (serial, Gauss-Seidel).

    Parameters
    ----------
    demand : (R, z)
        Flows of each row (origin, class) per destination zone, PCE.
    rows : BushRows
        Origin node and class of each row; links allowed per class.
    first_thru : int
        Zone nodes with a smaller index are not through nodes.
    g : BushGraph
        Network topology.
    vdf : LinkVdf
        Delay-function parameters and fixed costs.
    state : LinkState
        Global link flows (PCE), costs and cost derivatives, kept consistent (in/out).
    bush : uint8 (R, m), bflow : float64 (R, m)
        Bushes and row flows (in/out).
    update : bool
        Update the bushes (prune and add) before equilibrating.
    inner : int
        Equilibration passes per row.
    rel_tol : float
        Skip nodes whose longest used and shortest path costs differ by less than this
        fraction.

    Returns
    -------
    int
        0 on success, ``-(r + 1)`` if the bush of row ``r`` was found cyclic (a bug guard).
    """
    n_rows = demand.shape[0]
    z = demand.shape[1]
    n = g.out_start.shape[0] - 1
    w = bush_work(n)
    for r in range(n_rows):
        total = 0.0
        for d in range(z):
            total += demand[r, d]
        if total <= 0.0:
            continue
        origin = rows.origin[r]
        bush_r = bush[r]
        bflow_r = bflow[r]
        flow_eps = 1e-12 * total
        if update:
            cnt = _update_bush(origin, rows.allowed[rows.klass[r]], first_thru, g, state.cost, bush_r, bflow_r, w)
        else:
            cnt = _topo_order(origin, g.out_start, g.to_node, bush_r, w.indeg, w.order)
        if cnt < 0:
            return -(r + 1)
        for v in range(n):
            w.pos[v] = -1
        for i in range(cnt):
            w.pos[w.order[i]] = i
        for _ in range(inner):
            worst = _equilibrate(cnt, g, vdf, state, bush_r, bflow_r, rel_tol, flow_eps, w)
            if worst <= rel_tol:
                break
    return 0
