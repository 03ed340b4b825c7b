"""Links that queue, defined once from cumulative vehicle counts (any simulator that records them).

A link's **vertical queue** at time ``t`` is the number of vehicles on it that are behind their
free-flow schedule,

    ``Q(t) = N_in(t - L / v_f) - N_out(t)``  (vehicles, at least 0),

with ``N_in`` and ``N_out`` the cumulative counts of vehicles that entered and left the link and
``L / v_f`` its free-flow travel time. It is the queue of the point-queue (vertical-queue) picture
of a link: zero while every vehicle leaves at its free-flow time, and its time integral is the
link's total delay (vehicle-seconds), whatever the link model (kinematic waves, platoons,
car-following). Reference: Newell (1993); Daganzo (1997), *Fundamentals of Transportation and
Traffic Operations*, ch. 2 (queueing diagram: the horizontal distance between the shifted
arrival curve and the departure curve is the delay, the vertical distance the queue).

A link **queues** when ``Q`` stays at or above ``min_veh`` vehicles for at least
``min_duration_s`` seconds in a row. The defaults (:data:`QUEUE_MIN_VEH` 10 vehicles,
:data:`QUEUE_MIN_DURATION_S` 60 s) are a definition (provenance: default), chosen so that the
measure does not react to a simulator's discretisation: a simulator that moves platoons of
``n`` vehicles once per step of ``dt`` seconds delays a vehicle by up to one step per link and
shows ``Q`` of one or two platoons at flows below capacity (UXsim at ``deltan`` 5: 5-10
vehicles for 5-10 s), while 10 vehicles held for a minute is a standing queue of about 50 m at
jam density 0.2 veh/m that costs its last vehicle at least 12.5 s at a capacity of 0.8 veh/s.
"""

from __future__ import annotations

import numpy as np

from twin.errors import InputError

QUEUE_MIN_VEH = 10.0
"""Vehicles behind their free-flow schedule on a link for it to queue (definition, see module docstring)."""
QUEUE_MIN_DURATION_S = 60.0
"""Shortest time the vertical queue must stay at or above :data:`QUEUE_MIN_VEH` for the link to queue, s."""


def vertical_queue_veh(cum_in: np.ndarray, cum_out: np.ndarray, free_time_s: np.ndarray, dt_s: float) -> np.ndarray:
    """Vertical queue ``N_in(t - L / v_f) - N_out(t)`` of every link at every sample, vehicles.

    Parameters
    ----------
    cum_in, cum_out : float64 (n_links, n_samples)
        Cumulative vehicles that entered / left each link, sampled at ``t = k dt_s`` from 0.
    free_time_s : float64 (n_links)
        Free-flow travel time ``L / v_f`` of each link, s (>= 0).
    dt_s : float
        Sampling interval, s (> 0).

    Returns
    -------
    float64 (n_links, n_samples)
        Vehicles behind their free-flow schedule (at least 0); ``N_in`` is interpolated linearly
        between samples and is 0 before the first sample.

    Raises
    ------
    InputError
        Arrays of different shapes, a non-positive interval or a negative free-flow time.
    """
    cum_in = np.asarray(cum_in, dtype=np.float64)
    cum_out = np.asarray(cum_out, dtype=np.float64)
    free_time_s = np.asarray(free_time_s, dtype=np.float64)
    if cum_in.shape != cum_out.shape or cum_in.ndim != 2:
        raise InputError(f"cumulative counts must be two arrays of one shape (links, samples), got {cum_in.shape} and {cum_out.shape}", field="cum_in")
    if free_time_s.shape != (cum_in.shape[0],) or not np.all(np.isfinite(free_time_s)) or np.any(free_time_s < 0):
        raise InputError("free_time_s must hold one finite time >= 0 s per link", field="free_time_s")
    if not (np.isfinite(dt_s) and dt_s > 0):
        raise InputError(f"dt_s must be a finite number > 0 s, got {dt_s}", field="dt_s")
    n_links, n = cum_in.shape
    k = np.arange(n, dtype=np.float64)
    out = np.empty_like(cum_in)
    for i in range(n_links):
        tau = k - free_time_s[i] / dt_s
        shifted = np.interp(tau, k, cum_in[i], left=0.0)
        out[i] = shifted - cum_out[i]
    np.maximum(out, 0.0, out=out)
    return out


def queueing_links(
    queue_veh: np.ndarray, dt_s: float, min_veh: float = QUEUE_MIN_VEH, min_duration_s: float = QUEUE_MIN_DURATION_S
) -> np.ndarray:
    """Links whose vertical queue stays at or above ``min_veh`` for ``min_duration_s`` in a row.

    Parameters
    ----------
    queue_veh : float64 (n_links, n_samples)
        Vertical queue of each link, vehicles (:func:`vertical_queue_veh`).
    dt_s : float
        Sampling interval, s; a sample stands for ``dt_s`` seconds.
    min_veh : float
        Queue threshold, vehicles (> 0).
    min_duration_s : float
        Shortest run, s (>= 0; 0: one sample at or above the threshold is enough).

    Returns
    -------
    bool (n_links)
        True for the links that queue.
    """
    if not (np.isfinite(min_veh) and min_veh > 0):
        raise InputError(f"min_veh must be a finite number > 0, got {min_veh}", field="min_veh")
    if not (np.isfinite(min_duration_s) and min_duration_s >= 0):
        raise InputError(f"min_duration_s must be a finite number >= 0 s, got {min_duration_s}", field="min_duration_s")
    need = max(1, int(np.ceil(min_duration_s / dt_s - 1e-9)))
    above = np.asarray(queue_veh) >= min_veh - 1e-9
    # longest run of consecutive samples above the threshold, per link
    n_links, n = above.shape
    padded = np.zeros((n_links, n + 2), dtype=np.int8)
    padded[:, 1:-1] = above
    edges = np.diff(padded, axis=1)
    result = np.zeros(n_links, dtype=bool)
    for i in range(n_links):
        starts = np.flatnonzero(edges[i] == 1)
        ends = np.flatnonzero(edges[i] == -1)
        if starts.size:
            result[i] = bool(np.max(ends - starts) >= need)
    return result
