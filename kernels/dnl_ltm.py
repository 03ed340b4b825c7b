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

Vehicles are tracked by destination: the inflow of every link in every step is stored per
destination, and the vehicles leaving in a step are those with cumulative numbers in
``[N_down(t), N_down(t) + q]`` (first in, first out on each link), so their destination mix is
the exact mix of the vehicles that entered with those numbers. Turning fractions follow from
the mix and destination-based splitting rates ``split[a, d]`` (share of the flow at the tail
node of link ``a`` bound for ``d`` that takes ``a``). The node model is solved with the mix of
the sending flow, then re-solved with the mix of the admitted flow until both agree (when an
incoming link is held back and its mix is not uniform).

Routes: fixed splitting rates, or dynamic user-optimal route choice (DUO, reactive): every
``duo_interval`` steps each destination gets a shortest-path tree on the currently experienced
link travel times (the travel time of the vehicle leaving the link now, at least the free
travel time), and the splitting rates move a fraction ``duo_weight`` towards that all-or-nothing
choice (ties share equally).
"""

from __future__ import annotations

import numpy as np

from twin.kernels.access_paths import _dijkstra_into
from twin.kernels.config import jit, jit_parallel, prange
from twin.kernels.dnl_node import general_node_model

STATUS_OK = 0
STATUS_WINDOW = 1
"""A vehicle stayed on a link longer than the destination-history window (grow ``window``)."""
STATUS_HEAP = 2


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
def _mix(cum_in_i, hist_i, window, ptr_i, t, a, b, out):
    """Destination mix of the vehicles numbered ``[a, b]`` on one link (sum 1, or 0 if b <= a).

    ``cum_in_i`` is the link's upstream cumulative curve, ``hist_i[s % window, d]`` its inflow
    bound for ``d`` in step ``s``. ``ptr_i`` is the first step that may hold vehicle ``a``;
    returns the updated pointer (first step whose inflow ends after ``a``).
    """
    n_dest = out.shape[0]
    while ptr_i < t - 1 and cum_in_i[ptr_i + 1] <= a:
        ptr_i += 1
    for d in range(n_dest):
        out[d] = 0.0
    span = b - a
    if span <= 1e-12:
        return ptr_i
    s = ptr_i
    total = 0.0
    while s < t:
        lo = cum_in_i[s]
        hi = cum_in_i[s + 1]
        if lo >= b:
            break
        inflow = hi - lo
        if inflow > 0.0:
            ov = (hi if hi < b else b) - (lo if lo > a else a)
            if ov > 0.0:
                w = ov / inflow
                slot = s % window
                for d in range(n_dest):
                    out[d] += w * hist_i[slot, d]
                total += ov
        s += 1
    if total > 0.0:
        for d in range(n_dest):
            out[d] /= total
    return ptr_i


@jit_parallel
def _duo_splits(
    rev_ptr, rev_head, rev_link, out_ptr, out_link, link_to, link_time, dest_node, first_thru, split, weight, tie_rtol
):
    """Move the splitting rates towards all-or-nothing shortest paths on ``link_time``.

    Zone nodes (index ``< first_thru``) other than the destination never carry through flow.
    """
    n_nodes = rev_ptr.shape[0] - 1
    n_dest = dest_node.shape[0]
    n_heap = rev_head.shape[0] + 2
    status = np.zeros(n_dest, dtype=np.int64)
    for d in prange(n_dest):
        dist = np.full(n_nodes, np.inf)
        keys = np.empty(n_heap)
        vals = np.empty(n_heap, dtype=np.int64)
        touched = np.empty(n_nodes, dtype=np.int64)
        seed_n = np.empty(1, dtype=np.int64)
        seed_t = np.zeros(1)
        seed_n[0] = dest_node[d]
        if _dijkstra_into(rev_ptr, rev_head, rev_link, link_time, seed_n, seed_t, np.inf, first_thru, dist, keys, vals, touched) < 0:
            status[d] = 1
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
    for d in range(n_dest):
        if status[d] != 0:
            return 1
    return 0



@jit_parallel
def ltm_simulate(
    link_to: np.ndarray,
    length_m: np.ndarray,
    free_speed_m_s: np.ndarray,
    wave_speed_m_s: np.ndarray,
    jam_veh: np.ndarray,
    capacity_veh_s: np.ndarray,
    in_ptr: np.ndarray,
    in_link: np.ndarray,
    out_ptr: np.ndarray,
    out_link: np.ndarray,
    rev_ptr: np.ndarray,
    rev_head: np.ndarray,
    rev_link: np.ndarray,
    node_orig: np.ndarray,
    orig_priority: np.ndarray,
    node_dest: np.ndarray,
    dest_node: np.ndarray,
    od_orig: np.ndarray,
    od_dest: np.ndarray,
    od_t0_s: np.ndarray,
    od_t1_s: np.ndarray,
    od_rate_veh_s: np.ndarray,
    dt_s: float,
    split: np.ndarray,
    duo_interval: int,
    duo_weight: float,
    window: int,
    node_iterations: int,
    first_thru: int,
    cum_in: np.ndarray,
    cum_out: np.ndarray,
    cum_gen: np.ndarray,
    cum_dep: np.ndarray,
    cum_arr: np.ndarray,
    link_time_s: np.ndarray,
) -> int:
    """Simulate ``cum_in.shape[1] - 1`` steps of the LTM (see module docstring).

    Parameters
    ----------
    link_to : int64 (n_links)
        Head node of each link.
    length_m, free_speed_m_s, wave_speed_m_s : float64 (n_links)
        Length (m), free speed and backward wave speed (m/s); ``L / v >= dt`` and ``L / w >= dt``.
    jam_veh : float64 (n_links)
        Storage at jam density, vehicles (jam density x lanes x length).
    capacity_veh_s : float64 (n_links)
        Capacity (all lanes), vehicles/s.
    in_ptr, in_link : int64
        CSR of the links entering each node.
    out_ptr, out_link : int64
        CSR of the links leaving each node.
    rev_ptr, rev_head, rev_link : int64
        Reverse graph for route choice: arcs from each node to the tails of its incoming links.
    node_orig : int64 (n_nodes)
        Origin index of each node, -1 if none.
    orig_priority : float64 (n_orig)
        Node-model priority of each origin queue, vehicles/s (> 0).
    node_dest : int64 (n_nodes)
        Destination index of each node, -1 if none.
    dest_node : int64 (n_dest)
        Node of each destination.
    od_orig, od_dest : int64 (n_od)
        Origin and destination index of each demand row.
    od_t0_s, od_t1_s : float64 (n_od)
        Departure window of each row, s from the start.
    od_rate_veh_s : float64 (n_od)
        Uniform departure rate within the window, vehicles/s.
    dt_s : float
        Time step, s.
    split : float64 (n_links, n_dest), in/out
        Splitting rates; updated in place when ``duo_interval > 0``.
    duo_interval : int
        Steps between route-choice updates (0: fixed ``split``).
    duo_weight : float
        Share of the splitting rate moved towards the new shortest paths at each update after
        the first (the first update, at step 0, uses weight 1).
    window : int
        Steps of destination history kept per link (> longest stay on a link, in steps).
    node_iterations : int
        Largest number of node-model solutions per node and step (>= 1).
    first_thru : int
        Nodes with a smaller index (zone centroids) carry no through traffic in route choice.
    cum_in, cum_out : float64 (n_links, n_steps + 1), output
        Cumulative vehicles that entered / left each link.
    cum_gen, cum_dep : float64 (n_orig, n_steps + 1), output
        Cumulative vehicles generated at / departed from each origin queue.
    cum_arr : float64 (n_dest, n_steps + 1), output
        Cumulative vehicles arrived at each destination.
    link_time_s : float64 (n_links), output
        Experienced link travel times at the last route-choice update, s.

    Returns
    -------
    int
        ``STATUS_OK``, or ``STATUS_WINDOW`` if ``window`` was too short.
    """
    n_links = length_m.shape[0]
    n_nodes = in_ptr.shape[0] - 1
    n_dest = dest_node.shape[0]
    n_orig = orig_priority.shape[0]
    n_od = od_orig.shape[0]
    n_steps = cum_in.shape[1] - 1

    hist = np.zeros((n_links, window, n_dest))
    ptr = np.zeros(n_links, dtype=np.int64)
    queue = np.zeros((n_orig, n_dest))
    mix = np.zeros((n_links, n_dest))
    send = np.zeros(n_links)
    recv = np.zeros(n_links)
    tau_v = np.empty(n_links)
    tau_w = np.empty(n_links)
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
    status = STATUS_OK

    for t in range(n_steps):
        t0 = t * dt_s
        t1 = t0 + dt_s
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
                n_head = cum_out[i, t]
                if cum_in[i, t] - n_head > 1e-9:
                    k = ptr[i]
                    while k < t - 1 and cum_in[i, k + 1] <= n_head:
                        k += 1
                    inflow = cum_in[i, k + 1] - cum_in[i, k]
                    tau = k + ((n_head - cum_in[i, k]) / inflow if inflow > 0.0 else 0.0)
                    exp = (t - tau) * dt_s
                    if exp > tt:
                        tt = exp
                link_time_s[i] = tt
            wgt = 1.0 if t == 0 else duo_weight
            if _duo_splits(rev_ptr, rev_head, rev_link, out_ptr, out_link, link_to, link_time_s, dest_node, first_thru, split, wgt, 1e-9) != 0:
                return STATUS_HEAP

        # 3. sending and receiving flows; destination mix of the sending flow
        for i in prange(n_links):
            up = _interp_cum(cum_in[i], t + 1.0 - tau_v[i])
            s = up - cum_out[i, t]
            cap = capacity_veh_s[i] * dt_s
            if s > cap:
                s = cap
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
            ptr[i] = _mix(cum_in[i], hist[i], window, ptr[i], t, cum_out[i, t], cum_out[i, t] + s, mix[i])
        for i in range(n_links):
            if t - ptr[i] >= window - 1:
                status = STATUS_WINDOW
        if status != STATUS_OK:
            return status

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
            for k in range(n_in_links):
                i = in_link[i0 + k]
                sending[k] = send[i]
                priority[k] = capacity_veh_s[i]
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

            for it in range(node_iterations):
                # turning fractions from the destination mix
                for k in range(n_in):
                    row = 0.0
                    for m in range(n_out_links):
                        a = out_link[j0 + m]
                        f = 0.0
                        for d in range(n_dest):
                            if d != dn:
                                f += inmix[k, d] * split[a, d]
                        turn[k, m] = f
                        row += f
                    if dn >= 0:
                        turn[k, n_out_links] = inmix[k, dn]
                        row += inmix[k, dn]
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
                        ptr[i] = _mix(cum_in[i], hist[i], window, ptr[i], t, cum_out[i, t], cum_out[i, t] + q, newmix)
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
            slot = t % window
            for m in range(n_out_links):
                a = out_link[j0 + m]
                for d in range(n_dest):
                    hist[a, slot, d] = 0.0
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
                        hist[a, slot, d] += x * split[a, d]
            for m in range(n_out_links):
                a = out_link[j0 + m]
                tot = 0.0
                for d in range(n_dest):
                    tot += hist[a, slot, d]
                cum_in[a, t + 1] = cum_in[a, t] + tot
            if dn >= 0:
                cum_arr[dn, t + 1] = cum_arr[dn, t] + arrived
    return status
