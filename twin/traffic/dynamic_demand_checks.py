"""Checks of a dynamic-loading demand against the run, before the run (``twin traffic simulate``).

A demand without vehicles, or whose vehicles all depart after the end of the run, used to give a
run of 0 vehicles with exit code 0 (totals 0, mean trip time NaN): a header-only or mis-filtered
demand table, or a ``--duration`` shorter than the first departure window's start. Static
assignment refuses the same demand (``the demand table has no rows: nothing to assign``).
A ``--duo-interval`` not shorter than the run never updated DUO's routes (exit 0): the same run
as ``--routes free_flow``.
A demand giving both ``vehicles`` and ``flow_veh_s`` ran on ``vehicles`` alone, however far the
two disagreed (a flow in veh/h in the ``flow_veh_s`` column went unnoticed).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from twin.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from twin.traffic.dynamic import DemandArrays


#: Two amounts of one demand row agree when they differ by at most this many vehicles ...
AGREE_VEH = 1.0
#: ... or by at most this share of the row's vehicles, whichever is larger: room for rounding
#: either column (grid11 gives 80 vehicles and 0.0225 veh/s x 3600 s = 81).
AGREE_SHARE = 0.02


def check_amounts_agree(vehicles: np.ndarray, flow_veh_s: np.ndarray, window_s: np.ndarray, rows: np.ndarray, *, path: str | Path | None) -> None:
    """Raise :class:`~twin.errors.InputError` when a demand row gives ``vehicles`` and
    ``flow_veh_s`` that disagree: ``|vehicles - flow_veh_s x window| > max(AGREE_VEH, AGREE_SHARE x vehicles)``.

    Parameters
    ----------
    vehicles
        Vehicles per row (already checked: finite, not negative).
    flow_veh_s
        Departure rate per row, veh/s (NaN where the cell is empty: that row gives ``vehicles`` only).
    window_s
        Length of each row's departure window, s (positive).
    rows
        The row labels named in the error (the CSV line).
    path
        The demand file, named in the error.

    Raises
    ------
    InputError
        A flow that is negative or not finite (field ``flow_veh_s``), or a row whose two amounts
        disagree (both fields named).
    """
    given = ~np.isnan(flow_veh_s)
    bad = np.flatnonzero(given & ~(np.isfinite(flow_veh_s) & (flow_veh_s >= 0)))
    if bad.size:
        raise InputError(f"negative or non-finite flow {flow_veh_s[bad[0]]}", path=path, obj=f"demand row {rows[bad[0]]}", field="flow_veh_s")
    implied = np.where(given, flow_veh_s, 0.0) * window_s
    tolerance = np.maximum(AGREE_VEH, AGREE_SHARE * vehicles) * (1.0 + 1e-9)  # 1e-9: 0.0225 * 3600 is 81.00000000000001
    bad = np.flatnonzero(given & (np.abs(vehicles - implied) > tolerance))
    if bad.size:
        k = bad[0]
        raise InputError(f"vehicles {vehicles[k]:g} and flow_veh_s {flow_veh_s[k]:g} veh/s x {window_s[k]:g} s window = {implied[k]:.6g} "
                         f"vehicles disagree (by more than {AGREE_VEH:g} vehicle or {AGREE_SHARE:.0%}); give one of the two columns, "
                         "or make them agree (vehicles is the one used)",
                         path=path, obj=f"demand row {rows[k]}", field="vehicles, flow_veh_s")  # fmt: skip


def check_demand_departs(demand: DemandArrays, duration_s: float | None, *, path: str | Path, field: str) -> None:
    """Raise :class:`~twin.errors.InputError` unless some vehicle of ``demand`` departs within the run.

    Parameters
    ----------
    demand
        The demand as kernel arrays (:func:`twin.traffic.dynamic.demand_arrays`; rows without
        vehicles already dropped).
    duration_s
        The run's duration, s (None: the default, which covers every departure window).
    path
        The demand file, named in the error.
    field
        The demand's amount column (``vehicles`` or ``flow_veh_s``), named when there is none.

    Raises
    ------
    InputError
        The demand holds no vehicle (no row, or every row 0), or every departure window starts
        at or after ``duration_s``, or less than one vehicle of a demand of one or more departs
        before ``duration_s``; without ``duration_s``, a demand whose last window ends so late that
        the default run (to an hour after it) is longer than
        :data:`twin.traffic.dynamic.MAX_DURATION_S` (ResourceLimitError).

    Warns
    -----
    TwinWarning
        Part of the demand (more than half a vehicle) departs after the end of the run: those
        vehicles are not simulated.
    """
    if not demand.total_veh > 0.0:
        raise InputError("the demand holds no vehicles (no rows, or 0 in every row): nothing to simulate", path=path, field=field)
    if duration_s is None:
        from twin.traffic.dynamic import default_duration_s

        check_default_run(default_duration_s(demand), path=path)
        return
    departing = np.sum(demand.rate_veh_s * np.clip(np.minimum(demand.t1_s, duration_s) - demand.t0_s, 0.0, None))
    if not departing > 0.0:
        first = float(np.min(demand.t0_s))
        raise InputError(f"no vehicle departs within the run: the first departure window starts at {first:g} s, at or after "
                         f"the end of the run ({duration_s:g} s); lengthen the run (--duration) or move the windows",
                         path=path, field="t_start_s")  # fmt: skip
    if departing < 0.5 <= demand.total_veh:  # e.g. a window of 1e12 s: its vehicles spread so thin that none departs in the run
        raise InputError(f"less than one vehicle ({departing:.3g}) of the demand's {demand.total_veh:,.0f} departs within the run "
                         f"({duration_s:g} s): a departure window far longer than the run (t_end_s up to {float(np.max(demand.t1_s)):g} s)? "
                         "Lengthen the run (--duration) or shorten the windows", path=path, field="t_end_s")  # fmt: skip
    late = demand.total_veh - departing
    if late > 0.5:
        import warnings

        from twin.errors import TwinWarning

        warnings.warn(f"{path}: {late:,.0f} of the demand's {demand.total_veh:,.0f} vehicles would depart after the end of the run "
                      f"({duration_s:g} s) and are not simulated; lengthen the run (--duration) to simulate the whole demand",
                      TwinWarning, stacklevel=2)  # fmt: skip


def check_default_run(run_s: float, *, path: str | Path | None) -> None:
    """Raise :class:`~twin.errors.ResourceLimitError` (field ``t_end_s``, the demand file named)
    when the default run, ``run_s`` (the end of the last departure window plus an hour), is longer
    than :data:`twin.traffic.dynamic.MAX_DURATION_S`: a window ending at 1e12 s was refused by the
    run naming no file (a scene's ``--demand``) or as ``field 'duration_s'`` (a scenario folder)."""
    from twin.errors import ResourceLimitError
    from twin.traffic.dynamic import MAX_DURATION_S

    if not run_s <= MAX_DURATION_S:
        raise ResourceLimitError(f"the demand runs until {run_s - 3600.0:g} s, beyond the longest simulation of {MAX_DURATION_S:g} s "
                                 f"({MAX_DURATION_S / 86400:g} days, with an hour after the last departure window): a unit slip?",
                                 path=path, field="t_end_s")  # fmt: skip


def check_interval_within_run(duo_interval_s: float, run_s: float) -> None:
    """Raise :class:`~twin.errors.InputError` (field ``--duo-interval``) when the DUO update
    interval given on the command line is not shorter than the run: DUO would set its routes once
    at the start and never update them, which is ``--routes free_flow``.

    Parameters
    ----------
    duo_interval_s
        The interval given (``--duo-interval``), s.
    run_s
        The run's duration (``--duration``, else the default), s.
    """
    if duo_interval_s >= run_s:
        raise InputError(f"the route update interval ({duo_interval_s:g} s) is not shorter than the run ({run_s:g} s): DUO would set its "
                         "routes once at the start and never update them, as --routes free_flow does; give a shorter interval or "
                         "--routes free_flow", field="--duo-interval")  # fmt: skip
