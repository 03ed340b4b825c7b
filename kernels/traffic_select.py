"""Select-link analysis on origin-based (bush) flows: which OD pairs use a set of links.

For every row (an origin, or an origin and vehicle class) the link flows ``x[r]`` form an
acyclic set (an Algorithm B bush). Traffic is *tagged* when it passes a selected link; under the
proportionality condition (Bar-Gera & Boyce 2003; Bar-Gera 2010: at every node the flows of one
origin leave in the same proportions whatever link they arrived by) the tagged share of the
origin's flow at node ``v`` is ``s_v = tagged inflow / total inflow``, the tagged flow on an
unselected link ``k`` out of ``v`` is ``s_v x_k`` and on a selected link all of ``x_k``. Sweeping
the nodes in topological order gives ``s_d`` at every destination zone ``d``, and the
select-link OD flow is ``S[r, d] = demand[r, d] s_d``. Tagged flow is conserved, so for one
selected link ``sum_d S[r, d] = x[r, link]`` and ``sum_{r,d} S = x_link``.

References
----------
Bar-Gera, H. & Boyce, D. (2003). Origin-based algorithms for combined travel forecasting models.
Transportation Research Part B 37(5), 405-422.
Bar-Gera, H. (2010). Traffic assignment by paired alternative segments. Transportation Research
Part B 44(8-9), 1022-1046 (proportionality of route flows).
"""

from __future__ import annotations

import numpy as np

from twin.kernels.config import jit, jit_parallel, prange


@jit_parallel
def select_link_od(row_flow, row_origin, demand, to_node, out_start, selected, flow_tol, out_od, out_link):
    """Select-link OD flows of every row and the tagged flow on every link.

    Parameters
    ----------
    row_flow : float64 (R, m)
        Link flows of each row (acyclic per row), in the demand's units.
    row_origin : int64 (R,)
        Origin node of each row.
    demand : float64 (R, z)
        Demand of each row to every destination zone (zones are the first ``z`` nodes).
    to_node : int64 (m,)
        Head node of each link; links sorted by tail (``out_start`` its CSR pointers, int64 (n + 1,)).
    selected : uint8 (m,)
        1 on the selected links (traffic through any of them is tagged).
    flow_tol : float
        Row flows at or below this are ignored (rounding residues).
    out_od : float64 (R, z), output
        Select-link flow from each row's origin to every destination.
    out_link : float64 (R, m), output
        Tagged flow of each row on every link (the select-link flow map).

    Returns
    -------
    int
        0, or ``-(r + 1)`` if the flows of row ``r`` contain a cycle.
    """
    n_rows = row_flow.shape[0]
    n = out_start.shape[0] - 1
    z = demand.shape[1]
    status = np.zeros(n_rows, dtype=np.int64)
    for r in prange(n_rows):
        x = row_flow[r]
        inflow = np.zeros(n)
        tagged = np.zeros(n)
        for d in range(z):
            out_od[r, d] = 0.0
        order, cnt = _row_order(x, to_node, out_start, flow_tol, out_link[r])
        # forward sweep: a node's inflows are all in when its turn comes (topological order)
        for i in range(cnt):
            v = order[i]
            share = tagged[v] / inflow[v] if inflow[v] > 0.0 else 0.0
            if v < z and v != row_origin[r]:
                out_od[r, v] = demand[r, v] * share
            for k in range(out_start[v], out_start[v + 1]):
                if x[k] > flow_tol:
                    t = x[k] if selected[k] else x[k] * share
                    out_link[r, k] = t
                    inflow[to_node[k]] += x[k]
                    tagged[to_node[k]] += t
        if cnt < n:
            status[r] = -(r + 1)
    return _first_failure(status)


@jit
def _first_failure(status):
    """The first non-zero entry of ``status`` (a row's ``-(r + 1)``), or 0."""
    for r in range(status.shape[0]):
        if status[r] != 0:
            return status[r]
    return 0


@jit(inline="always")
def _ending_demand(demand, row_origin, r, v):
    """The flow of row ``r`` that ends at node ``v``: its demand to ``v`` when ``v`` is a zone
    (the first ``z = demand.shape[1]`` nodes) other than the row's origin, else 0."""
    return demand[r, v] if (v < demand.shape[1] and v != row_origin[r]) else 0.0


@jit
def _row_order(x, to_node, out_start, flow_tol, out_row):
    """Zero a row's output ``out_row`` and return ``(order, count)``: the topological order of the
    nodes on its links with ``x > flow_tol`` (:func:`_flow_order`; ``count < n``: a cycle)."""
    n = out_start.shape[0] - 1
    indeg = np.empty(n, dtype=np.int64)
    order = np.empty(n, dtype=np.int64)
    for k in range(out_row.shape[0]):
        out_row[k] = 0.0
    return order, _flow_order(x, to_node, out_start, flow_tol, indeg, order)


@jit
def _flow_order(x, to_node, out_start, flow_tol, indeg, order):
    """Topological order of the nodes on the links with ``x > flow_tol``; returns its length (< n: a cycle)."""
    n = out_start.shape[0] - 1
    for v in range(n):
        indeg[v] = 0
    for k in range(x.shape[0]):
        if x[k] > flow_tol:
            indeg[to_node[k]] += 1
    head = 0
    tail = 0
    for v in range(n):
        if indeg[v] == 0:
            order[tail] = v
            tail += 1
    while head < tail:
        v = order[head]
        head += 1
        for k in range(out_start[v], out_start[v + 1]):
            if x[k] > flow_tol:
                w = to_node[k]
                indeg[w] -= 1
                if indeg[w] == 0:
                    order[tail] = w
                    tail += 1
    return tail


@jit_parallel
def select_destination_flows(row_flow, row_origin, demand, to_node, out_start, dest_mask, flow_tol, out_link):
    """Link flows of the traffic bound to the selected destination zones (select-zone, destination side).

    Under proportionality the share of a row's flow through node ``v`` that ends in a selected
    zone is ``f_v = (absorbed_v [v selected] + sum_out x_k f_head(k)) / (absorbed_v + sum_out x_k)``
    (a backward sweep in topological order); the flow on link ``k`` bound there is ``x_k f_head(k)``.

    Parameters
    ----------
    row_flow, row_origin, demand, to_node, out_start, flow_tol
        As in :func:`select_link_od`.
    dest_mask : uint8 (z,)
        1 on the selected destination zones.
    out_link : float64 (R, m), output

    Returns
    -------
    int
        0, or ``-(r + 1)`` if the flows of row ``r`` contain a cycle.
    """
    n_rows = row_flow.shape[0]
    n = out_start.shape[0] - 1
    z = demand.shape[1]
    status = np.zeros(n_rows, dtype=np.int64)
    for r in prange(n_rows):
        x = row_flow[r]
        share = np.zeros(n)
        order, cnt = _row_order(x, to_node, out_start, flow_tol, out_link[r])
        if cnt < n:
            status[r] = -(r + 1)
            continue
        for i in range(cnt - 1, -1, -1):
            v = order[i]
            absorbed = _ending_demand(demand, row_origin, r, v)
            through = absorbed
            tagged = absorbed if (v < z and dest_mask[v]) else 0.0
            for k in range(out_start[v], out_start[v + 1]):
                if x[k] > flow_tol:
                    t = x[k] * share[to_node[k]]
                    out_link[r, k] = t
                    tagged += t
                    through += x[k]
            share[v] = tagged / through if through > 0.0 else 0.0
    return _first_failure(status)


@jit_parallel
def select_link_trip_flows(row_flow, row_origin, demand, to_node, out_start, selected, tagged, flow_tol, out_link):
    """Flow on every link of the whole trips that use a selected link (before and after it).

    Under proportionality a row's flow moves through its bush as a Markov chain (the split at a
    node does not depend on the way in), so on link ``k`` the part that used a selected link
    before ``k`` (``tagged[r, k]``, from :func:`select_link_od`) and the part that will use one
    after ``k`` are independent. The share of the flow through node ``v`` that will still use a
    selected link is ``u_v = sum_out x_j (1 if j selected else u_head(j)) / (absorbed_v + sum_out x_j)``
    (a backward sweep in topological order); the trips' flow on an unselected link is
    ``t_k + (x_k - t_k) u_head(k)``, on a selected link ``x_k``.

    Parameters
    ----------
    row_flow, row_origin, demand, to_node, out_start, selected, flow_tol
        As in :func:`select_link_od`.
    tagged : float64 (R, m)
        ``out_link`` of :func:`select_link_od` on the same rows and selection.
    out_link : float64 (R, m), output
        Flow of each row's selected trips on every link.

    Returns
    -------
    int
        0, or ``-(r + 1)`` if the flows of row ``r`` contain a cycle.
    """
    n_rows = row_flow.shape[0]
    n = out_start.shape[0] - 1
    status = np.zeros(n_rows, dtype=np.int64)
    for r in prange(n_rows):
        x = row_flow[r]
        later = np.zeros(n)
        order, cnt = _row_order(x, to_node, out_start, flow_tol, out_link[r])
        if cnt < n:
            status[r] = -(r + 1)
            continue
        for i in range(cnt - 1, -1, -1):
            v = order[i]
            through = _ending_demand(demand, row_origin, r, v)
            will = 0.0
            for k in range(out_start[v], out_start[v + 1]):
                if x[k] > flow_tol:
                    w = 1.0 if selected[k] else later[to_node[k]]
                    will += x[k] * w
                    through += x[k]
                    out_link[r, k] = x[k] if selected[k] else tagged[r, k] + (x[k] - tagged[r, k]) * later[to_node[k]]
            later[v] = will / through if through > 0.0 else 0.0
    return _first_failure(status)
