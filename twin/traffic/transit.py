"""Public-transport skims: walk to a stop, ride (with walking transfers), walk from a stop.

For every origin zone and every departure time of a period (every ``step_s``), the Connection
Scan kernel (:func:`twin.kernels.transit_csa.csa_travel_times`) finds the earliest arrival at
every destination zone; the skim is the mean door-to-door time over the departures (waiting at
the first stop included, as a traveller arriving at random would), with the share of
departures that arrive within ``max_time_s`` (the same definition as r5py's travel-time matrix
with a departure window, but the mean instead of the median).

Walking legs (access, egress, transfers) are given as CSR arrays by the caller, from the walk
network (:func:`access_legs_from_times`) or, without a street network, as the straight line
times a detour factor (:func:`straight_line_legs`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.errors import InputError, ResourceLimitError
from twin.traffic.gtfs import Timetable

WALK_SPEED_M_S = 1.33
"""Walking speed, m/s (as :mod:`twin.traffic.access`)."""
DETOUR = 1.3
"""Street distance / straight-line distance for walking legs without a street network (median
circuity of city networks 1.1-1.4: Giacomin & Levinson 2015; Boeing 2019)."""
MAX_ACCESS_M = 800.0
"""Longest walk to or from a stop, m (straight line)."""
MAX_TRANSFER_M = 400.0
"""Longest walking transfer between two stops, m (straight line)."""
TRANSFER_SLACK_S = 60.0
"""Time between alighting and boarding another vehicle, s."""
MAX_WORK = 5e11
"""Largest origins x departures x connections of one skim (about an hour of CPU): beyond it a
ResourceLimitError instead of a run that seems to hang."""


@dataclass
class Legs:
    """Walking legs from points to stops in CSR form (``ptr`` per point; ``stop``, ``time_s``)."""

    ptr: np.ndarray
    stop: np.ndarray
    time_s: np.ndarray

    @property
    def n_points(self) -> int:
        return int(self.ptr.shape[0] - 1)


def straight_line_legs(points_xy: np.ndarray, stop_xy: np.ndarray, *, max_m: float = MAX_ACCESS_M, speed_m_s: float = WALK_SPEED_M_S,
                       detour: float = DETOUR, exclude_self: bool = False) -> Legs:  # fmt: skip
    """Legs to every stop within ``max_m`` (straight line); time = distance x detour / speed."""
    from scipy.spatial import cKDTree

    pts = np.asarray(points_xy, dtype=np.float64).reshape(-1, 2)
    tree = cKDTree(np.asarray(stop_xy, dtype=np.float64))
    hits = tree.query_ball_point(pts, r=max_m)
    ptr = np.zeros(len(pts) + 1, dtype=np.int64)
    stops: list[int] = []
    times: list[float] = []
    for i, h in enumerate(hits):
        h = sorted(h)
        if exclude_self:
            h = [j for j in h if j != i]
        d = np.hypot(stop_xy[h, 0] - pts[i, 0], stop_xy[h, 1] - pts[i, 1]) if h else np.zeros(0)
        stops.extend(h)
        times.extend((d * detour / speed_m_s).tolist())
        ptr[i + 1] = len(stops)
    return Legs(ptr, np.asarray(stops, dtype=np.int64), np.asarray(times, dtype=np.float64))


def access_legs_from_times(times_s: np.ndarray, *, max_time_s: float) -> Legs:
    """Legs from a (points x stops) walking-time matrix: every stop within ``max_time_s``."""
    t = np.asarray(times_s, dtype=np.float64)
    ptr = np.zeros(t.shape[0] + 1, dtype=np.int64)
    stops, times = [], []
    for i in range(t.shape[0]):
        j = np.flatnonzero(t[i] <= max_time_s)
        stops.append(j)
        times.append(t[i, j])
        ptr[i + 1] = ptr[i] + j.size
    return Legs(ptr, np.concatenate(stops).astype(np.int64) if stops else np.zeros(0, np.int64), np.concatenate(times) if times else np.zeros(0))


def departure_times(start_s: float, end_s: float, step_s: float) -> np.ndarray:
    """Departure times ``start, start + step, ...`` strictly before ``end``."""
    if not (np.isfinite(start_s) and np.isfinite(end_s) and end_s > start_s):
        raise InputError(f"the period must end after it starts, got {start_s:g}-{end_s:g} s", field="period")
    if not (np.isfinite(step_s) and step_s > 0):
        raise InputError(f"the departure step must be > 0, got {step_s}", field="step_s")
    return np.arange(start_s, end_s, step_s, dtype=np.float64)


def pt_travel_times(
    tt: Timetable,
    access: Legs,
    egress: Legs,
    dep_times_s: np.ndarray,
    *,
    transfers: Legs | None = None,
    transfer_slack_s: float = TRANSFER_SLACK_S,
    max_time_s: float = 7200.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean door-to-door time (s) and share of departures served, origins x destinations.

    ``transfers`` default: straight-line walks between stops within :data:`MAX_TRANSFER_M`.
    """
    from twin.kernels.transit_csa import Connections, StopLegs, csa_travel_times

    if transfers is None:
        transfers = straight_line_legs(tt.stop_xy, tt.stop_xy, max_m=MAX_TRANSFER_M, exclude_self=True)
    if transfers.n_points != tt.n_stops:
        raise InputError(f"transfers for {transfers.n_points} stops, the timetable has {tt.n_stops}", field="transfers")
    dep = np.ascontiguousarray(dep_times_s, dtype=np.float64)
    work = float(access.n_points) * dep.size * max(tt.n_connections, 1)
    if work > MAX_WORK:
        raise ResourceLimitError(
            f"{access.n_points} origins x {dep.size} departures x {tt.n_connections} connections is beyond {MAX_WORK:.0e}: "
            "use fewer zones, a longer departure step or a shorter period",
            field="step_s",
        )
    out_mean = np.empty((access.n_points, egress.n_points))
    out_share = np.empty((access.n_points, egress.n_points))
    csa_travel_times(
        dep,
        StopLegs(access.ptr, access.stop, access.time_s),
        StopLegs(egress.ptr, egress.stop, egress.time_s),
        Connections(tt.dep_stop, tt.arr_stop, tt.dep_t, tt.arr_t, tt.trip),
        int(tt.n_trips),
        StopLegs(transfers.ptr, transfers.stop, transfers.time_s),
        float(transfer_slack_s),
        float(max_time_s),
        out_mean,
        out_share,
    )
    return out_mean, out_share
