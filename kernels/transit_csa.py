"""Public-transport travel times on a timetable: the Connection Scan Algorithm, over many departures.

A timetable is a list of *connections* (one vehicle going from a stop to the next stop of its
trip), sorted by departure time (:class:`Connections`: ``dep_stop``, ``arr_stop``, ``dep_t``,
``arr_t`` in s after midnight, ``trip``). For one origin and one departure time
``tau`` the earliest arrival at every stop is one scan of the connections departing after
``tau`` (Dibbelt, Pajor, Strasser & Wagner 2013/2018):

* the traveller walks from the origin to its stops (``origins``, :class:`StopLegs`: stop and
  access time, s) and may board there from ``tau + access``;
* a connection is usable if its trip was boarded already or its departure stop can be boarded
  before it leaves; riding it improves the arrival at its arrival stop; from there the traveller
  can board again after ``transfer_slack_s`` or walk one footpath (``footpaths``: to stop,
  time, s) and board there after the slack;
* the destination is reached from any stop reached *by a vehicle* (directly or by a footpath
  after it) plus the egress walk (``destinations``). Walking the whole way is not a public-transport
  trip (the walk mode covers it).

Travel time of a departure = arrival at the destination - ``tau`` (waiting at the first stop
included). The skim averages it over the departures that reach the destination within
``max_time_s`` and reports the share of departures that do.

Arrays in, arrays out; nothing here imports from ``twin``.

References
----------
J. Dibbelt, T. Pajor, B. Strasser, D. Wagner (2018). Connection Scan Algorithm. ACM Journal of
Experimental Algorithmics 23, 1.7.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from twin.kernels.config import jit, jit_parallel, prange


class StopLegs(NamedTuple):
    """Walking legs to stops in CSR form: the legs of item ``i`` are ``ptr[i]:ptr[i + 1]``.

    Used for the access legs of the origins, the egress legs of the destinations and the
    footpaths between stops (item = from-stop).

    Attributes
    ----------
    ptr : int64 (n_items + 1,)
    stop : int64 (n_legs,), the stop reached (or left) by each leg.
    time_s : float64 (n_legs,), walking time, s.
    """

    ptr: np.ndarray
    stop: np.ndarray
    time_s: np.ndarray


class Connections(NamedTuple):
    """The connections of a timetable, sorted by departure time, ``(n_c,)`` each.

    Attributes
    ----------
    dep_stop, arr_stop : int64, stops left and reached.
    dep_t, arr_t : float64, departure and arrival times, s after midnight.
    trip : int64, trip of each connection (``0 .. n_trips-1``).
    """

    dep_stop: np.ndarray
    arr_stop: np.ndarray
    dep_t: np.ndarray
    arr_t: np.ndarray
    trip: np.ndarray


@jit
def _first_at_or_after(times, t):
    """Index of the first entry of the sorted ``times`` that is >= ``t``."""
    lo = 0
    hi = times.shape[0]
    while lo < hi:
        mid = (lo + hi) >> 1
        if times[mid] < t:
            lo = mid + 1
        else:
            hi = mid
    return lo


@jit
def earliest_arrival(tau, seed_stop, seed_time, conn, footpaths, transfer_slack_s, max_time_s, board_t, arr_pt, trip_on):
    """One scan from departure time ``tau`` (s) into ``board_t``/``arr_pt`` (n_stops) and ``trip_on`` (n_trips).

    ``seed_stop``, ``seed_time``: the stops the traveller walks to first and the walking times, s;
    ``conn``: :class:`Connections`; ``footpaths``: :class:`StopLegs` by from-stop.
    ``arr_pt[s]``: earliest arrival at stop ``s`` having used at least one vehicle (``inf`` if
    none); ``board_t[s]``: earliest time a vehicle can be boarded at ``s``.
    """
    conn_dep_stop, conn_arr_stop, conn_dep_t, conn_arr_t, conn_trip = conn.dep_stop, conn.arr_stop, conn.dep_t, conn.arr_t, conn.trip
    fp_ptr, fp_to, fp_time = footpaths.ptr, footpaths.stop, footpaths.time_s
    board_t[:] = np.inf
    arr_pt[:] = np.inf
    trip_on[:] = False
    for k in range(seed_stop.shape[0]):
        t = tau + seed_time[k]
        if t < board_t[seed_stop[k]]:
            board_t[seed_stop[k]] = t
    limit = tau + max_time_s
    c = _first_at_or_after(conn_dep_t, tau)
    n_conn = conn_dep_t.shape[0]
    while c < n_conn:
        dep = conn_dep_t[c]
        if dep > limit:
            break
        tr = conn_trip[c]
        if trip_on[tr] or board_t[conn_dep_stop[c]] <= dep:
            trip_on[tr] = True
            s = conn_arr_stop[c]
            ta = conn_arr_t[c]
            if ta < arr_pt[s]:
                arr_pt[s] = ta
                if ta + transfer_slack_s < board_t[s]:
                    board_t[s] = ta + transfer_slack_s
                for f in range(fp_ptr[s], fp_ptr[s + 1]):
                    s2 = fp_to[f]
                    t2 = ta + fp_time[f]
                    if t2 < arr_pt[s2]:
                        arr_pt[s2] = t2
                    if t2 + transfer_slack_s < board_t[s2]:
                        board_t[s2] = t2 + transfer_slack_s
        c += 1


@jit_parallel
def csa_travel_times(dep_times, origins, destinations, conn, n_trips, footpaths, transfer_slack_s, max_time_s, out_mean, out_share):
    """Mean door-to-door public-transport time per OD pair over departure times (parallel over origins).

    Parameters
    ----------
    dep_times : float64 (n_t,)
        Departure times from the origins, s after midnight.
    origins : StopLegs (n_o items)
        Access legs of each origin (stop, walking time in s).
    destinations : StopLegs (n_d items)
        Egress legs of each destination.
    conn : Connections
        Connections sorted by departure time (see the module docstring); times in s.
    n_trips : int
        Number of trips (``conn.trip`` values are ``0 .. n_trips-1``).
    footpaths : StopLegs (n_stops items)
        Walking transfers between stops (CSR by from-stop), s.
    transfer_slack_s : float
        Time between alighting (or the end of a transfer walk) and boarding another vehicle, s.
    max_time_s : float
        Longest journey considered, s.
    out_mean : float64 (n_o, n_d), output
        Mean travel time over the departures that arrive within ``max_time_s`` (``inf`` if none), s.
    out_share : float64 (n_o, n_d), output
        Share of the departures that arrive within ``max_time_s``.
    """
    orig_ptr, orig_stop, orig_time = origins.ptr, origins.stop, origins.time_s
    dest_ptr, dest_stop, dest_time = destinations.ptr, destinations.stop, destinations.time_s
    n_o = orig_ptr.shape[0] - 1
    n_d = dest_ptr.shape[0] - 1
    n_stops = footpaths.ptr.shape[0] - 1
    n_t = dep_times.shape[0]
    for o in prange(n_o):
        board_t = np.empty(n_stops)
        arr_pt = np.empty(n_stops)
        trip_on = np.empty(n_trips, dtype=np.bool_)
        total = np.zeros(n_d)
        count = np.zeros(n_d)
        a = orig_ptr[o]
        b = orig_ptr[o + 1]
        for it in range(n_t):
            tau = dep_times[it]
            earliest_arrival(
                tau, orig_stop[a:b], orig_time[a:b], conn, footpaths, transfer_slack_s, max_time_s, board_t, arr_pt, trip_on
            )
            for d in range(n_d):
                best = np.inf
                for k in range(dest_ptr[d], dest_ptr[d + 1]):
                    t = arr_pt[dest_stop[k]] + dest_time[k]
                    if t < best:
                        best = t
                if best - tau <= max_time_s:
                    total[d] += best - tau
                    count[d] += 1.0
        for d in range(n_d):
            if count[d] > 0:
                out_mean[o, d] = total[d] / count[d]
            else:
                out_mean[o, d] = np.inf
            out_share[o, d] = count[d] / n_t if n_t > 0 else 0.0
