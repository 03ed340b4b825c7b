"""Dynamic network loading with the link transmission model (LTM), destination-based and FIFO.

Method (Yperman 2007; Yperman, Logghe, Tampère & Immers 2006): each link is described by its
cumulative vehicle numbers at the upstream end, ``N_up(t)``, and the downstream end,
``N_down(t)``, sampled at the step boundaries ``t = k dt``. With a triangular (or trapezoidal)
fundamental diagram (free speed ``v``, backward wave speed ``w``, capacity ``q_max``, jam
storage ``k_jam L``), Newell's (1993) simplified kinematic-wave theory gives the sending and
receiving flows of the step ``[t, t + dt]``:

* ``S = min(N_up(t + dt - L / v) - N_down(t), q_max dt)``
* ``R = min(N_down(t + dt - L / w) + k_jam L - N_up(t), q_max dt)``

(interpolated linearly between samples; ``L / v >= dt`` is required). A node model
(:func:`twin.kernels.dnl_node.general_node_model`, Tampère et al. 2011) turns sending and
receiving flows into turning flows; spillback follows from ``R``. Origins hold point queues of
departing vehicles (one per destination); destinations absorb without restriction.

Vehicles are tracked by destination: the inflow of every link in every step with inflow is a
*packet* (its span of cumulative numbers and its vehicles per destination) queued on the link,
and the vehicles leaving in a step are those with cumulative numbers in ``[N_down(t), N_down(t)
+ q]`` (first in, first out on each link), so their destination mix is the exact mix of the
vehicles that entered with those numbers. A link holds at most ``window`` packets; when a link
needs more (long queues with a trickle of inflow), its two oldest packets are merged (their
destinations are kept, their order within the merged span is lost) and counted in ``merges``. Turning fractions follow from
the mix and destination-based splitting rates ``split[a, d]`` (share of the flow at the tail
node of link ``a`` bound for ``d`` that takes ``a``). The node model is solved with the mix of
the sending flow, then re-solved with the mix of the admitted flow until both agree (when an
incoming link is held back and its mix is not uniform).

Routes: fixed splitting rates, or dynamic user-optimal route choice (DUO, reactive): every
``duo_interval`` steps each destination gets a shortest-path tree on the current link travel
times, and the splitting rates move a fraction ``duo_weight`` towards that all-or-nothing
choice. The link time (``duo_time``) is either the *instantaneous* one of reactive assignment
(Kuwahara & Akamatsu 1997): the free travel time plus the link's vertical queue over its
capacity, ``L / v + (N_up(t - L / v) - N_down(t)) / q_max``, the time of a vehicle entering now
if the link's present queue discharges at capacity; or the *experienced* one: the travel time
of the vehicle leaving the link now (at least the free travel time), which describes the link
as it was one travel time ago; or the *discharge* one: the free time plus the vertical queue over
the rate at which the link actually discharged in the last free travel time, ``L / v + Q /
max(min(q_out, q_max), 0.01 q_max)`` with ``q_out = (N_down(t) - N_down(t - L / v)) / (L / v)``:
the point-queue time with the discharge the node model allows (a merge share, a spillback), so a
link blocked by circular spillback gets a long time instead of ``Q / q_max``. Exact ties: with ``duo_factor`` (one row of factors per update, e.g. ``1 + noise U(0, 1)``
drawn by the caller, as UXsim's ``duo_noise``) the trees are searched on the link times times the
update's factors, so each (node, destination) gets one next link per update and the smoothing by
``duo_weight`` mixes the trees of successive updates; without it (zero rows) exactly tied next
links (relative 1e-9) share the flow equally.

Next-link choice at the stop line (``supply_choice``): the vehicles of a destination whose
splitting rates give several next links at a node (smoothed DUO preferences) choose among them
in proportion to ``split x a_j``, renormalised over the destination's next links, where ``a_j =
min(1, R_j / D_j)`` is the entry chance of a vehicle wanting next link ``j`` this step: its
receiving flow ``R_j`` over the flow ``D_j`` that wants it (every incoming link and the origin
queue, sending flows with their destination mix and the plain rates). A next link that is full
(``R_j = 0``) is then not chosen while another preferred one has room, and an incoming link is no
longer held back, by first-in-first-out, behind a full next link that only some of its vehicles
prefer; when every preferred next link is full the rates are unchanged (the vehicles wait).
This is the continuous limit of UXsim's rule (Seo 2025), where the vehicle at the head of a link
draws its next link from its destination's preferences again at every time step until one
accepts it: it leaves by link ``j`` with probability ``p_j a_j / sum_k p_k a_k``, ``a_j`` the
chance that ``j`` takes it in a step. Nodes where every next link can take what wants it are
unchanged.

Turns (``turns``, optional): with turn bans or penalties the splitting rates are per movement
(in-link ``a``, out-link ``b``) and destination, ``split_mv``; the route search runs on the links
(:func:`turn_link_costs`: ``c(a) = t(a) + min_b (pen(a, b) + c(b))`` over the allowed movements)
and each incoming link of a node gets its own turning fractions; the origin queues keep per-node
rates (the links leaving the node with the lowest ``c``). Signals (``discharge_veh_s``): a link's
stop-line capacity caps its sending flow and is its node-model priority and DUO discharge rate
(``s g`` on a signal's approach, else the capacity). Give-way (``net.give_way``,
:mod:`twin.kernels.give_way`): before each step, the stop-line capacity of every yielding
approach becomes ``min(discharge, c(v_c))``, ``c`` the give-way capacity at the mean outflow
``v_c`` of the links it gives way to over the last ``window_steps`` steps. Without them, the
arithmetic is the same as before they existed (same operations on the same values).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from twin.kernels.config import jit, jit_parallel, prange
from twin.kernels.dnl_node import general_node_model
from twin.kernels.give_way import LtmGiveWay, update_give_way
from twin.kernels.traffic_paths import dijkstra

STATUS_OK = 0
STATUS_HEAP = 2
DUO_TIME_INSTANTANEOUS = 0
"""DUO link time: free time plus vertical queue over capacity (Kuwahara & Akamatsu 1997)."""
DUO_TIME_EXPERIENCED = 1
"""DUO link time: travel time of the vehicle leaving the link now."""
DUO_TIME_DISCHARGE = 2
"""DUO link time: free time plus vertical queue over the link's recent outflow (its discharge rate)."""
DISCHARGE_FLOOR = 0.01
"""Lowest discharge rate of a queued link in the ``DUO_TIME_DISCHARGE`` rule, as a share of its
capacity (a guard that keeps the time of a blocked link finite: at most 100 x queue / capacity)."""


@jit
def _interp_cum(cum, tau):
    """Linear interpolation of a cumulative curve sampled at integer steps, at step ``tau``."""
    if tau <= 0.0:
        return 0.0
    k = int(np.floor(tau))
    frac = tau - k
    if frac <= 0.0:
        return cum[k]
    return cum[k] + frac * (cum[k + 1] - cum[k])


@jit
def _mix(pk_lo_i, pk_hi_i, pk_vol_i, head, count, a, b, out):
    """Destination mix of the vehicles numbered ``[a, b]`` on one link (sum 1, or 0 if b <= a).

    The link's packets are slots ``(head + k) % window`` for ``k < count`` (oldest first), with
    spans ``[pk_lo, pk_hi]`` of cumulative numbers and vehicles per destination ``pk_vol``.
    """
    n_dest = out.shape[0]
    window = pk_lo_i.shape[0]
    for d in range(n_dest):
        out[d] = 0.0
    if b - a <= 1e-12:
        return
    total = 0.0
    for k in range(count):
        slot = (head + k) % window
        lo = pk_lo_i[slot]
        hi = pk_hi_i[slot]
        if hi <= a:
            continue
        if lo >= b:
            break
        span = hi - lo
        if span <= 0.0:
            continue
        ov = (hi if hi < b else b) - (lo if lo > a else a)
        if ov > 0.0:
            w = ov / span
            for d in range(n_dest):
                out[d] += w * pk_vol_i[slot, d]
            total += ov
    if total > 0.0:
        for d in range(n_dest):
            out[d] /= total


@jit
def _duo_splits(rev_ptr, rev_head, rev_link, out_ptr, out_link, link_to, link_time, dest_node, first_thru, split, weight, tie_rtol):
    """Move the splitting rates towards all-or-nothing shortest paths on ``link_time``.

    Next links within ``tie_rtol`` (relative) of the best share the flow equally.

    Zone nodes (index ``< first_thru``) other than the destination never carry through flow.
    """
    n_nodes = rev_ptr.shape[0] - 1
    n_dest = dest_node.shape[0]
    dist = np.empty(n_nodes)
    pred = np.empty(n_nodes, dtype=np.int64)
    order = np.empty(n_nodes, dtype=np.int64)
    heap = np.empty(n_nodes, dtype=np.int64)
    pos = np.empty(n_nodes, dtype=np.int64)
    seed_n = np.empty(1, dtype=np.int64)
    seed_t = np.zeros(1)
    for d in range(n_dest):  # serial: a few small trees; threads would cost more than they save
        seed_n[0] = dest_node[d]
        dijkstra(rev_ptr, rev_head, rev_link, link_time, seed_n, seed_t, first_thru, np.inf, dist, pred, order, heap, pos)
        for n in range(n_nodes):
            a0 = out_ptr[n]
            a1 = out_ptr[n + 1]
            if n == dest_node[d] or dist[n] == np.inf:
                for k in range(a0, a1):
                    split[out_link[k], d] = 0.0
                continue
            best = np.inf
            for k in range(a0, a1):
                a = out_link[k]
                h = link_to[a]
                if h < first_thru and h != dest_node[d]:
                    continue
                c = link_time[a] + dist[h]
                if c < best:
                    best = c
            tol = tie_rtol * best
            n_best = 0
            for k in range(a0, a1):
                a = out_link[k]
                h = link_to[a]
                if (h >= first_thru or h == dest_node[d]) and link_time[a] + dist[h] <= best + tol:
                    n_best += 1
            for k in range(a0, a1):
                a = out_link[k]
                h = link_to[a]
                aon = 0.0
                if n_best > 0 and (h >= first_thru or h == dest_node[d]) and link_time[a] + dist[h] <= best + tol:
                    aon = 1.0 / n_best
                split[a, d] = (1.0 - weight) * split[a, d] + weight * aon
    return 0


@jit
def movement_graph(in_ptr, in_link, link_from, out_pos, mv_ptr, mv_pen_s, first_thru):
    """Reverse graph of the allowed movements, for the turn-aware route search on the links.

    Its nodes are the links; an arc leaves link ``b`` for every link ``a`` entering ``b``'s tail
    whose movement ``a -> b`` is allowed (``mv_pen_s`` finite), except at tails with an index below
    ``first_thru`` (zone centroids carry no through traffic). Arcs of one link are in the order
    of ``in_link``.

    Returns
    -------
    indptr : int64 (n_links + 1)
        CSR row pointers of the arcs leaving each link.
    arc_head : int64 (n_arcs)
        The in-link ``a`` each arc leads to.
    arc_pen_s : float64 (n_arcs)
        The movement's penalty, s.
    """
    n_links = link_from.shape[0]
    indptr = np.zeros(n_links + 1, dtype=np.int64)
    for b in range(n_links):
        n = link_from[b]
        count = 0
        if n >= first_thru:
            for k in range(in_ptr[n], in_ptr[n + 1]):
                if mv_pen_s[mv_ptr[in_link[k]] + out_pos[b]] != np.inf:
                    count += 1
        indptr[b + 1] = indptr[b] + count
    arc_head = np.empty(indptr[n_links], dtype=np.int64)
    arc_pen_s = np.empty(indptr[n_links])
    for b in range(n_links):
        n = link_from[b]
        e = indptr[b]
        if n >= first_thru:
            for k in range(in_ptr[n], in_ptr[n + 1]):
                a = in_link[k]
                pen = mv_pen_s[mv_ptr[a] + out_pos[b]]
                if pen != np.inf:
                    arc_head[e] = a
                    arc_pen_s[e] = pen
                    e += 1
    return indptr, arc_head, arc_pen_s


@jit
def turn_link_costs(indptr, arc_head, arc_pen_s, in_ptr, in_link, link_time, dest, cost, arc_cost, pred, order, heap, pos):
    """Cost from the entry of every link to node ``dest``, turn-aware (Dijkstra on the links).

    ``cost[a] = link_time[a]`` for a link ending at ``dest``, else ``link_time[a] + min_b
    (pen(a -> b) + cost[b])`` over the allowed movements ``a -> b`` of :func:`movement_graph`
    (``indptr``, ``arc_head``, ``arc_pen_s``); ``inf``: the destination cannot be reached. The
    search is the kernels' one Dijkstra (:func:`twin.kernels.traffic_paths.dijkstra`) on that
    graph, seeded by the links entering ``dest`` at their own times, with arc costs
    ``link_time[a] + pen(a -> b)`` (paths that leave ``dest`` and come back cost at least the
    seed of their last link, so they change no cost).

    Parameters
    ----------
    indptr, arc_head, arc_pen_s
        The movement graph (:func:`movement_graph`).
    in_ptr, in_link : int64
        CSR of the links entering each node.
    link_time : float64 (n_links)
        Link times, s.
    dest : int
        Destination node.
    cost : float64 (n_links), output
        Cost to ``dest`` from each link's entry, s.
    arc_cost : float64 (n_arcs), pred, order, heap, pos : int64 (n_links)
        Workspace.
    """
    for e in range(arc_head.shape[0]):
        arc_cost[e] = link_time[arc_head[e]] + arc_pen_s[e]
    n_seeds = in_ptr[dest + 1] - in_ptr[dest]
    seed = np.empty(n_seeds, dtype=np.int64)
    seed_time = np.empty(n_seeds)
    for k in range(n_seeds):
        a = in_link[in_ptr[dest] + k]
        seed[k] = a
        seed_time[k] = link_time[a]
    dijkstra(indptr, arc_head, np.empty(0, dtype=np.int64), arc_cost, seed, seed_time, 0, np.inf, cost, pred, order, heap, pos)
    return 0


@jit
def _duo_turn_splits(turns, in_ptr, in_link, out_ptr, out_link, link_to, link_time, dest_node, first_thru, split, weight, tie_rtol):
    """Turn-aware version of :func:`_duo_splits`: per-movement rates and the origins' per-node rates.

    For every destination, :func:`turn_link_costs` gives each link's cost to it; an in-link's
    movements within ``tie_rtol`` (relative) of its best ``penalty + cost`` share its flow
    equally (``turns.split_mv``), and the links leaving a node within ``tie_rtol`` of its best
    ``cost`` share the flow that starts there (``split``, used by the origin queues). Both move
    a fraction ``weight`` towards that all-or-nothing choice; where the destination cannot be
    reached the rates are 0.
    """
    mv_ptr, mv_pen_s, split_mv = turns.mv_ptr, turns.mv_pen_s, turns.split_mv
    indptr, arc_head, arc_pen_s = turns.graph_ptr, turns.graph_head, turns.graph_pen_s
    n_nodes = in_ptr.shape[0] - 1
    n_links = link_to.shape[0]
    cost = np.empty(n_links)
    arc_cost = np.empty(arc_head.shape[0])
    pred = np.empty(n_links, dtype=np.int64)
    order = np.empty(n_links, dtype=np.int64)
    heap = np.empty(n_links, dtype=np.int64)
    pos = np.empty(n_links, dtype=np.int64)
    for d in range(dest_node.shape[0]):
        dn = dest_node[d]
        turn_link_costs(indptr, arc_head, arc_pen_s, in_ptr, in_link, link_time, dn, cost, arc_cost, pred, order, heap, pos)
        # origins: the links leaving a node
        for n in range(n_nodes):
            a0 = out_ptr[n]
            a1 = out_ptr[n + 1]
            best = np.inf
            if n != dn:
                for k in range(a0, a1):
                    if cost[out_link[k]] < best:
                        best = cost[out_link[k]]
            if best == np.inf:
                for k in range(a0, a1):
                    split[out_link[k], d] = 0.0
                continue
            tol = tie_rtol * best
            n_best = 0
            for k in range(a0, a1):
                if cost[out_link[k]] <= best + tol:
                    n_best += 1
            for k in range(a0, a1):
                a = out_link[k]
                aon = 1.0 / n_best if cost[a] <= best + tol else 0.0
                split[a, d] = (1.0 - weight) * split[a, d] + weight * aon
        # movements: the links leaving the head of each link
        for i in range(n_links):
            h = link_to[i]
            m0 = mv_ptr[i]
            j0 = out_ptr[h]
            n_out = out_ptr[h + 1] - j0
            best = np.inf
            if h != dn and h >= first_thru:
                for m in range(n_out):
                    c = mv_pen_s[m0 + m] + cost[out_link[j0 + m]]
                    if c < best:
                        best = c
            if best == np.inf:
                for m in range(n_out):
                    split_mv[m0 + m, d] = 0.0
                continue
            tol = tie_rtol * best
            n_best = 0
            for m in range(n_out):
                if mv_pen_s[m0 + m] + cost[out_link[j0 + m]] <= best + tol:
                    n_best += 1
            for m in range(n_out):
                aon = 1.0 / n_best if mv_pen_s[m0 + m] + cost[out_link[j0 + m]] <= best + tol else 0.0
                split_mv[m0 + m, d] = (1.0 - weight) * split_mv[m0 + m, d] + weight * aon
    return 0


@jit
def _turn_rows(split_mv, mv_ptr, in_link, i0, n_in_links, eff, sending, rows):
    """Each incoming row's splitting rates at a node: its movements' (in-links), the node's (origin queue).

    Rows without sending flow are left as they are (never read).
    """
    for k in range(rows.shape[0]):
        if sending[k] <= 0.0:
            continue
        for m in range(rows.shape[1]):
            for d in range(rows.shape[2]):
                rows[k, m, d] = split_mv[mv_ptr[in_link[i0 + k]] + m, d] if k < n_in_links else eff[m, d]


@jit
def _reweight_rows(rows, acc, sending):
    """Stop-line choice per incoming row: rates times entry chances ``acc``, renormalised per destination."""
    for k in range(rows.shape[0]):
        if sending[k] <= 0.0:
            continue
        for d in range(rows.shape[2]):
            sw = 0.0
            for m in range(rows.shape[1]):
                sw += rows[k, m, d] * acc[m]
            if sw > 0.0:
                for m in range(rows.shape[1]):
                    rows[k, m, d] = rows[k, m, d] * acc[m] / sw


class LtmNetwork(NamedTuple):
    """Links (all float64 (n_links) but ``link_to``) and the graph arrays (int64) of the LTM."""

    link_to: np.ndarray  # head node of each link
    length_m: np.ndarray
    free_speed_m_s: np.ndarray
    wave_speed_m_s: np.ndarray
    jam_veh: np.ndarray
    capacity_veh_s: np.ndarray
    in_ptr: np.ndarray  # CSR of the links entering each node
    in_link: np.ndarray
    out_ptr: np.ndarray  # CSR of the links leaving each node
    out_link: np.ndarray
    rev_ptr: np.ndarray  # reverse graph for route choice: arcs from each node to the tails of its in-links
    rev_head: np.ndarray
    rev_link: np.ndarray
    discharge_veh_s: np.ndarray  # stop-line capacity of each link (capacity, or s g at a signal)
    mv_ptr: np.ndarray  # int64 (n_links + 1): movements of in-link a are mv_ptr[a] + m, m the position of the next link among out_link of a's head
    give_way: LtmGiveWay  # yielding approaches (empty: none); their stop-line capacity is capped every step


class LtmTurns(NamedTuple):
    """Turn-aware route choice (all arrays empty: routes per node, no turns)."""

    mv_ptr: np.ndarray  # int64 (n_links + 1): movements of in-link a are mv_ptr[a] + out_pos[b], b leaving its head
    mv_pen_s: np.ndarray  # float64 (n_mv): turn penalty, s; inf: banned
    split_mv: np.ndarray  # float64 (n_mv, n_dest), in/out: share of in-link a's flow for d taking each movement
    link_from: np.ndarray  # int64 (n_links): tail node of each link
    out_pos: np.ndarray  # int64 (n_links): position of each link among the links leaving its tail
    graph_ptr: np.ndarray  # int64 (n_links + 1): the allowed movements as a graph on the links (movement_graph)
    graph_head: np.ndarray  # int64 (n_arcs)
    graph_pen_s: np.ndarray  # float64 (n_arcs)


class LtmZones(NamedTuple):
    """Origins and destinations on the nodes."""

    node_orig: np.ndarray  # int64 (n_nodes): origin index of each node, -1 if none
    orig_priority: np.ndarray  # float64 (n_orig): node-model priority of each origin queue, veh/s
    node_dest: np.ndarray  # int64 (n_nodes): destination index of each node, -1 if none
    dest_node: np.ndarray  # int64 (n_dest): node of each destination


class LtmDemand(NamedTuple):
    """Demand rows: origin and destination index, departure window (s) and uniform rate (veh/s)."""

    od_orig: np.ndarray
    od_dest: np.ndarray
    od_t0_s: np.ndarray
    od_t1_s: np.ndarray
    od_rate_veh_s: np.ndarray


class LtmOutput(NamedTuple):
    """Outputs of :func:`ltm_simulate` (allocated by the caller, overwritten)."""

    cum_in: np.ndarray  # float64 (n_links, n_steps + 1)
    cum_out: np.ndarray  # float64 (n_links, n_steps + 1)
    cum_gen: np.ndarray  # float64 (n_orig, n_steps + 1)
    cum_dep: np.ndarray  # float64 (n_orig, n_steps + 1)
    cum_arr: np.ndarray  # float64 (n_dest, n_steps + 1)
    link_time_s: np.ndarray  # float64 (n_links)
    merges: np.ndarray  # int64 (n_links)
    mv_veh: np.ndarray  # float64 (n_mv, n_bins): vehicles that made each movement in each interval of mv_bin_steps steps
    gw_cap_veh_s: np.ndarray  # float64 (n_gw, n_steps): give-way capacity of each yielding approach in each step


def _ltm_simulate(
    net: LtmNetwork,
    zones: LtmZones,
    demand: LtmDemand,
    dt_s: float,
    split: np.ndarray,
    turns: LtmTurns,
    duo_interval: int,
    duo_weight: float,
    duo_factor: np.ndarray,
    duo_time: int,
    supply_choice: bool,
    window: int,
    node_iterations: int,
    first_thru: int,
    mv_bin_steps: int,
    out: LtmOutput,
) -> int:
    """Simulate ``cum_in.shape[1] - 1`` steps of the LTM (see module docstring).

    Parameters
    ----------
    net : LtmNetwork
        Links and graph, fields:

    link_to : int64 (n_links)
        Head node of each link.
    length_m, free_speed_m_s, wave_speed_m_s : float64 (n_links)
        Length (m), free speed and backward wave speed (m/s); ``L / v >= dt`` and ``L / w >= dt``.
    jam_veh : float64 (n_links)
        Storage at jam density, vehicles (jam density x lanes x length).
    capacity_veh_s : float64 (n_links)
        Capacity (all lanes), vehicles/s.
    discharge_veh_s : float64 (n_links)
        Stop-line capacity, vehicles/s (``<= capacity_veh_s``): caps the sending flow, is the
        link's priority in the node model and its discharge rate in the DUO link times; the
        capacity, or ``s g`` on the approach of a pretimed signal.
    mv_ptr : int64 (n_links + 1)
        Movement index: the movement from in-link ``a`` to the ``m``-th link leaving its head
        (``out_link[out_ptr[head] + m]``) is ``mv_ptr[a] + m`` (the same as ``turns.mv_ptr``
        when there are turns).
    give_way : LtmGiveWay
        Yielding approaches (:mod:`twin.kernels.give_way`; empty arrays: none): their
        ``discharge_veh_s`` is capped by the give-way capacity of the step (the caller's array
        is not changed: the kernel works on a copy).
    in_ptr, in_link : int64
        CSR of the links entering each node.
    out_ptr, out_link : int64
        CSR of the links leaving each node.
    rev_ptr, rev_head, rev_link : int64
        Reverse graph for route choice: arcs from each node to the tails of its incoming links.
    zones : LtmZones
        Fields:

    node_orig : int64 (n_nodes)
        Origin index of each node, -1 if none.
    orig_priority : float64 (n_orig)
        Node-model priority of each origin queue, vehicles/s (> 0).
    node_dest : int64 (n_nodes)
        Destination index of each node, -1 if none.
    dest_node : int64 (n_dest)
        Node of each destination.
    demand : LtmDemand
        Fields:

    od_orig, od_dest : int64 (n_od)
        Origin and destination index of each demand row.
    od_t0_s, od_t1_s : float64 (n_od)
        Departure window of each row, s from the start.
    od_rate_veh_s : float64 (n_od)
        Uniform departure rate within the window, vehicles/s.
    dt_s : float
        Time step, s.
    split : float64 (n_links, n_dest), in/out
        Splitting rates; updated in place when ``duo_interval > 0``. With turns, the rates of
        the origin queues only.
    turns : LtmTurns
        Turn-aware routes (empty arrays: none): the flow of in-link ``a`` for ``d`` takes the
        movements of ``turns.split_mv`` (updated in place when ``duo_interval > 0``, the route
        search then being :func:`turn_link_costs`: banned movements excluded, penalties added).
    duo_interval : int
        Steps between route-choice updates (0: fixed ``split``).
    duo_weight : float
        Share of the splitting rate moved towards the new shortest paths at each update after
        the first (the first update, at step 0, uses weight 1).
    duo_factor : float64 (n_updates, n_links)
        Factors on the link times of the route search at the ``u``-th update (row ``u``, the
        last row when there are fewer rows than updates); zero rows: no factors (exact ties
        share equally).
    duo_time : int
        Link times of the route search: :data:`DUO_TIME_INSTANTANEOUS` (free time plus vertical
        queue over capacity), :data:`DUO_TIME_EXPERIENCED` (time of the vehicle leaving now) or
        :data:`DUO_TIME_DISCHARGE` (free time plus vertical queue over the outflow of the last
        free travel time, between :data:`DISCHARGE_FLOOR` x capacity and capacity).
    supply_choice : bool
        Next-link choice at the stop line (see module docstring): each destination's splitting
        rates at a node are weighted by the entry chance ``min(1, R_j / D_j)`` of each next link
        (``D_j`` the flow wanting it this step) and renormalised (unchanged when every preferred
        next link is full). False: the splitting rates apply as they are (strict FIFO blocking
        behind a full next link).
    window : int
        Packets of destination history kept per link (see module docstring).
    node_iterations : int
        Largest number of node-model solutions per node and step (>= 1).
    first_thru : int
        Nodes with a smaller index (zone centroids) carry no through traffic in route choice.
    mv_bin_steps : int
        Steps per interval of the movement counts (>= 1): step ``t`` counts in column
        ``min(t // mv_bin_steps, n_bins - 1)`` of ``mv_veh``.
    out : LtmOutput
        Outputs, fields:

    cum_in, cum_out : float64 (n_links, n_steps + 1), output
        Cumulative vehicles that entered / left each link.
    cum_gen, cum_dep : float64 (n_orig, n_steps + 1), output
        Cumulative vehicles generated at / departed from each origin queue.
    cum_arr : float64 (n_dest, n_steps + 1), output
        Cumulative vehicles arrived at each destination.
    link_time_s : float64 (n_links), output
        Link travel times of the last route-choice update (``duo_time``, without the noise
        factors), s.
    merges : int64 (n_links), output
        Packets merged on each link because ``window`` was full (0: exact FIFO).
    mv_veh : float64 (n_mv, n_bins), output
        Vehicles that passed from each in-link to each next link in each interval of
        ``mv_bin_steps`` steps (turning movements; vehicles reaching their destination at the
        node are not in them). One column: the whole run.
    gw_cap_veh_s : float64 (n_gw, n_steps), output
        Give-way capacity of each yielding approach of ``net.give_way`` in each step, veh/s
        (before the cap by its stop-line capacity; untouched without give-way).

    Returns
    -------
    int
        ``STATUS_OK`` (``STATUS_HEAP``, a failed shortest-path search, can no longer occur).
    """
    link_to, length_m, free_speed_m_s, wave_speed_m_s = net.link_to, net.length_m, net.free_speed_m_s, net.wave_speed_m_s
    jam_veh, capacity_veh_s, base_discharge = net.jam_veh, net.capacity_veh_s, net.discharge_veh_s
    give_way, gw_cap_veh_s = net.give_way, out.gw_cap_veh_s
    discharge_veh_s = base_discharge.copy()  # the give-way caps change it; the caller's array does not
    has_give_way = give_way.approach.shape[0] > 0
    has_turns = turns.mv_ptr.shape[0] > 0
    mv_ptr, split_mv = turns.mv_ptr, turns.split_mv
    in_ptr, in_link, out_ptr, out_link = net.in_ptr, net.in_link, net.out_ptr, net.out_link
    rev_ptr, rev_head, rev_link = net.rev_ptr, net.rev_head, net.rev_link
    node_orig, orig_priority, node_dest, dest_node = zones.node_orig, zones.orig_priority, zones.node_dest, zones.dest_node
    od_orig, od_dest, od_t0_s, od_t1_s, od_rate_veh_s = demand.od_orig, demand.od_dest, demand.od_t0_s, demand.od_t1_s, demand.od_rate_veh_s
    cum_in, cum_out, cum_gen, cum_dep, cum_arr = out.cum_in, out.cum_out, out.cum_gen, out.cum_dep, out.cum_arr
    link_time_s, merges, mv_veh, mv_all = out.link_time_s, out.merges, out.mv_veh, net.mv_ptr
    n_links = length_m.shape[0]
    n_nodes = in_ptr.shape[0] - 1
    n_dest = dest_node.shape[0]
    n_orig = orig_priority.shape[0]
    n_od = od_orig.shape[0]
    n_steps = cum_in.shape[1] - 1

    pk_vol = np.zeros((n_links, window, n_dest))
    pk_lo = np.zeros((n_links, window))
    pk_hi = np.zeros((n_links, window))
    pk_head = np.zeros(n_links, dtype=np.int64)
    pk_count = np.zeros(n_links, dtype=np.int64)
    inflow_d = np.zeros((n_links, n_dest))
    ptr = np.zeros(n_links, dtype=np.int64)
    queue = np.zeros((n_orig, n_dest))
    mix = np.zeros((n_links, n_dest))
    send = np.zeros(n_links)
    recv = np.zeros(n_links)
    tau_v = np.empty(n_links)
    tau_w = np.empty(n_links)
    search_time = np.empty(n_links)
    n_factor_rows = duo_factor.shape[0]
    for i in range(n_links):
        tau_v[i] = length_m[i] / (free_speed_m_s[i] * dt_s)
        tau_w[i] = length_m[i] / (wave_speed_m_s[i] * dt_s)
        # the scheme needs L / v >= dt and L / w >= dt (the caller checks); guard rounding
        if tau_v[i] < 1.0:
            tau_v[i] = 1.0
        if tau_w[i] < 1.0:
            tau_w[i] = 1.0
        link_time_s[i] = length_m[i] / free_speed_m_s[i]
    cum_in[:, 0] = 0.0
    cum_out[:, 0] = 0.0
    cum_gen[:, 0] = 0.0
    cum_dep[:, 0] = 0.0
    cum_arr[:, 0] = 0.0
    merges[:] = 0
    mv_veh[:, :] = 0.0
    n_bins = mv_veh.shape[1]
    status = STATUS_OK

    for t in range(n_steps):
        t0 = t * dt_s
        t1 = t0 + dt_s
        mv_bin = t // mv_bin_steps
        if mv_bin >= n_bins:
            mv_bin = n_bins - 1
        # 0. give-way: stop-line capacities of the yielding approaches from the recent conflicting outflows
        if has_give_way:
            update_give_way(give_way, cum_out, t, dt_s, base_discharge, discharge_veh_s, gw_cap_veh_s)
        # 1. departures join the origin queues
        for o in range(n_orig):
            cum_gen[o, t + 1] = cum_gen[o, t]
        for r in range(n_od):
            lo = od_t0_s[r] if od_t0_s[r] > t0 else t0
            hi = od_t1_s[r] if od_t1_s[r] < t1 else t1
            if hi > lo:
                v = od_rate_veh_s[r] * (hi - lo)
                queue[od_orig[r], od_dest[r]] += v
                cum_gen[od_orig[r], t + 1] += v

        # 2. route choice
        if duo_interval > 0 and t % duo_interval == 0:
            for i in range(n_links):
                tt = length_m[i] / free_speed_m_s[i]
                if duo_time == DUO_TIME_INSTANTANEOUS:
                    # vehicles behind their free-flow schedule, discharged at capacity
                    vq = _interp_cum(cum_in[i], t - tau_v[i]) - cum_out[i, t]
                    if vq > 0.0:
                        tt += vq / discharge_veh_s[i]
                    link_time_s[i] = tt
                    continue
                if duo_time == DUO_TIME_DISCHARGE:
                    # vehicles behind their free-flow schedule, discharged at the link's outflow
                    # over the last free travel time (what the node lets out: a merge share, a
                    # spillback), at most its capacity, at least DISCHARGE_FLOOR of it
                    vq = _interp_cum(cum_in[i], t - tau_v[i]) - cum_out[i, t]
                    if vq > 0.0:
                        span = tau_v[i] if tau_v[i] < t else float(t)
                        rate = (cum_out[i, t] - _interp_cum(cum_out[i], t - span)) / (span * dt_s)
                        if rate > discharge_veh_s[i]:
                            rate = discharge_veh_s[i]
                        if rate < DISCHARGE_FLOOR * discharge_veh_s[i]:
                            rate = DISCHARGE_FLOOR * discharge_veh_s[i]
                        tt += vq / rate
                    link_time_s[i] = tt
                    continue
                n_head = cum_out[i, t]
                if cum_in[i, t] - n_head > 1e-9:
                    k = ptr[i]
                    while k < t - 1 and cum_in[i, k + 1] <= n_head:
                        k += 1
                    ptr[i] = k
                    inflow = cum_in[i, k + 1] - cum_in[i, k]
                    tau = k + ((n_head - cum_in[i, k]) / inflow if inflow > 0.0 else 0.0)
                    exp = (t - tau) * dt_s
                    if exp > tt:
                        tt = exp
                link_time_s[i] = tt
            wgt = 1.0 if t == 0 else duo_weight
            if n_factor_rows > 0:
                u = t // duo_interval
                if u >= n_factor_rows:
                    u = n_factor_rows - 1
                for i in range(n_links):
                    search_time[i] = link_time_s[i] * duo_factor[u, i]
            else:
                for i in range(n_links):
                    search_time[i] = link_time_s[i]
            if has_turns:
                _duo_turn_splits(turns, in_ptr, in_link, out_ptr, out_link, link_to, search_time, dest_node, first_thru, split, wgt, 1e-9)
            elif _duo_splits(rev_ptr, rev_head, rev_link, out_ptr, out_link, link_to, search_time, dest_node, first_thru, split, wgt, 1e-9) != 0:
                return STATUS_HEAP

        # 3. sending and receiving flows; destination mix of the sending flow
        for i in prange(n_links):
            up = _interp_cum(cum_in[i], t + 1.0 - tau_v[i])
            s = up - cum_out[i, t]
            cap = capacity_veh_s[i] * dt_s
            s_cap = discharge_veh_s[i] * dt_s
            if s > s_cap:
                s = s_cap
            if s < 0.0:
                s = 0.0
            send[i] = s
            down = _interp_cum(cum_out[i], t + 1.0 - tau_w[i])
            r = down + jam_veh[i] - cum_in[i, t]
            if r > cap:
                r = cap
            if r < 0.0:
                r = 0.0
            recv[i] = r
            _mix(pk_lo[i], pk_hi[i], pk_vol[i], pk_head[i], pk_count[i], cum_out[i, t], cum_out[i, t] + s, mix[i])

        # 4. node model at every node (each node writes only its own links' entries)
        for n in prange(n_nodes):
            i0 = in_ptr[n]
            n_in_links = in_ptr[n + 1] - i0
            j0 = out_ptr[n]
            n_out_links = out_ptr[n + 1] - j0
            o = node_orig[n]
            dn = node_dest[n]
            n_in = n_in_links + (1 if o >= 0 else 0)
            n_out = n_out_links + (1 if dn >= 0 else 0)
            sending = np.zeros(n_in)
            priority = np.zeros(n_in)
            inmix = np.zeros((n_in, n_dest))
            turn = np.zeros((n_in, n_out))
            receiving = np.empty(n_out)
            flow = np.zeros((n_in, n_out))
            newmix = np.zeros(n_dest)
            eff = np.empty((n_out_links, n_dest))  # splitting rates used at this node and step
            for k in range(n_in_links):
                i = in_link[i0 + k]
                sending[k] = send[i]
                priority[k] = discharge_veh_s[i]
                for d in range(n_dest):
                    inmix[k, d] = mix[i, d]
            if o >= 0:
                qsum = 0.0
                for d in range(n_dest):
                    qsum += queue[o, d]
                sending[n_in_links] = qsum
                priority[n_in_links] = orig_priority[o]
                if qsum > 0.0:
                    for d in range(n_dest):
                        inmix[n_in_links, d] = queue[o, d] / qsum
            for m in range(n_out_links):
                receiving[m] = recv[out_link[j0 + m]]
            if dn >= 0:
                receiving[n_out_links] = np.inf
            for m in range(n_out_links):
                for d in range(n_dest):
                    eff[m, d] = split[out_link[j0 + m], d]
            # with turns: the splitting rates of each incoming row (its movements; the origin
            # queue's row: the node's rates)
            rows = np.empty((n_in if has_turns else 0, n_out_links, n_dest))
            if has_turns:
                _turn_rows(split_mv, mv_ptr, in_link, i0, n_in_links, eff, sending, rows)
            if supply_choice and n_out_links > 1:
                # entry chance of a vehicle wanting next link m this step: the share of the flow
                # wanting m (all incoming links and the origin queue, with the plain rates) that m
                # can receive
                acc = np.empty(n_out_links)
                for m in range(n_out_links):
                    want = 0.0
                    for k in range(n_in):
                        if sending[k] <= 0.0:
                            continue
                        for d in range(n_dest):
                            if d != dn:
                                want += sending[k] * inmix[k, d] * (rows[k, m, d] if has_turns else eff[m, d])
                    acc[m] = 1.0 if want <= receiving[m] else receiving[m] / want
                if has_turns:
                    _reweight_rows(rows, acc, sending)
                for d in range(n_dest):
                    sw = 0.0
                    for m in range(n_out_links):
                        sw += eff[m, d] * acc[m]
                    if sw > 0.0:
                        for m in range(n_out_links):
                            eff[m, d] = eff[m, d] * acc[m] / sw

            for _it in range(node_iterations):
                # turning fractions from the destination mix
                for k in range(n_in):
                    for m in range(n_out):
                        turn[k, m] = 0.0
                    if sending[k] <= 0.0:
                        continue
                    for d in range(n_dest):
                        x = inmix[k, d]
                        if x == 0.0:
                            continue
                        if d == dn:
                            turn[k, n_out_links] = x
                            continue
                        for m in range(n_out_links):
                            turn[k, m] += x * (rows[k, m, d] if has_turns else eff[m, d])
                    row = 0.0
                    for m in range(n_out):
                        row += turn[k, m]
                    if row > 0.0:
                        for m in range(n_out):
                            turn[k, m] /= row
                    else:
                        sending[k] = 0.0
                general_node_model(sending, priority, turn, receiving, flow)
                consistent = True
                for k in range(n_in_links):
                    q = 0.0
                    for m in range(n_out):
                        q += flow[k, m]
                    if q < sending[k] * (1.0 - 1e-12):
                        i = in_link[i0 + k]
                        _mix(pk_lo[i], pk_hi[i], pk_vol[i], pk_head[i], pk_count[i], cum_out[i, t], cum_out[i, t] + q, newmix)
                        diff = 0.0
                        for d in range(n_dest):
                            e = abs(newmix[d] - inmix[k, d])
                            if e > diff:
                                diff = e
                            inmix[k, d] = newmix[d]
                        sending[k] = q
                        if diff > 1e-9:
                            consistent = False
                if o >= 0:
                    q = 0.0
                    for m in range(n_out):
                        q += flow[n_in_links, m]
                    sending[n_in_links] = q  # the origin queue mixes destinations: its mix does not change
                if consistent:
                    break

            # realised flows: admitted vehicles per destination, passed on with the splitting rates
            for m in range(n_out_links):
                a = out_link[j0 + m]
                for d in range(n_dest):
                    inflow_d[a, d] = 0.0
            arrived = 0.0
            for k in range(n_in):
                q = sending[k]
                if k < n_in_links:
                    i = in_link[i0 + k]
                    cum_out[i, t + 1] = cum_out[i, t] + q
                else:
                    cum_dep[o, t + 1] = cum_dep[o, t] + q
                if q <= 0.0:
                    continue
                for d in range(n_dest):
                    x = q * inmix[k, d]
                    if x <= 0.0:
                        continue
                    if k >= n_in_links:
                        queue[o, d] -= x
                        if queue[o, d] < 0.0:
                            queue[o, d] = 0.0
                    if d == dn:
                        arrived += x
                        continue
                    for m in range(n_out_links):
                        a = out_link[j0 + m]
                        x_m = x * (rows[k, m, d] if has_turns else eff[m, d])
                        inflow_d[a, d] += x_m
                        if k < n_in_links:
                            mv_veh[mv_all[in_link[i0 + k]] + m, mv_bin] += x_m
            for m in range(n_out_links):
                a = out_link[j0 + m]
                tot = 0.0
                for d in range(n_dest):
                    tot += inflow_d[a, d]
                cum_in[a, t + 1] = cum_in[a, t] + tot
            if dn >= 0:
                cum_arr[dn, t + 1] = cum_arr[dn, t] + arrived

        # 5. packets: drop the ones that left, queue this step's inflow (merging when full)
        for i in prange(n_links):
            h = pk_head[i]
            c = pk_count[i]
            gone = cum_out[i, t + 1]
            while c > 0 and pk_hi[i, h] <= gone:
                h = (h + 1) % window
                c -= 1
            tot = cum_in[i, t + 1] - cum_in[i, t]
            if tot > 0.0:
                if c == window:
                    # trim the part of the oldest packet that already left, then merge it into the next
                    lo = pk_lo[i, h]
                    span = pk_hi[i, h] - lo
                    keep = (pk_hi[i, h] - gone) / span if (gone > lo and span > 0.0) else 1.0
                    h2 = (h + 1) % window
                    for d in range(n_dest):
                        pk_vol[i, h2, d] += keep * pk_vol[i, h, d]
                    pk_lo[i, h2] = gone if gone > lo else lo
                    h = h2
                    c -= 1
                    merges[i] += 1
                slot = (h + c) % window
                pk_lo[i, slot] = cum_in[i, t]
                pk_hi[i, slot] = cum_in[i, t + 1]
                for d in range(n_dest):
                    pk_vol[i, slot, d] = inflow_d[i, d]
                c += 1
            pk_head[i] = h
            pk_count[i] = c
    return status


ltm_simulate = jit(_ltm_simulate)
"""Serial LTM (see :func:`_ltm_simulate`): the better choice for small networks and busy machines."""
ltm_simulate_parallel = jit_parallel(_ltm_simulate)
"""The LTM with its link and node loops spread over threads (large networks)."""
