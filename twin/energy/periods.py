"""Heating energy per meter period, from and to a given thermal state (the calibration and sync model).

:func:`simulate_periods` runs :func:`twin.kernels.energy_5r1c_periods.run_periods_5r1c`: the
ISO 13790 5R1C model of :mod:`twin.energy.simulate`, heating only, with

* one heating setpoint per building (``heat_setpoint_c``, degC) plus an optional shared
  hourly offset (a setback schedule);
* the heating energy summed per *period*: every hour of the drivers carries the index of the
  period it belongs to (a bill, a month, a day, an hour; ``-1``: not summed), see
  :func:`period_index`;
* the mass temperature as state: the run starts from ``theta_m_c`` (or from a warm-up) and
  returns the final one, so that a filter can advance its ensemble one day at a time
  (:mod:`twin.calibration.sync`).

Monthly totals over a typical year equal those of :func:`twin.energy.simulate.run_kernel`
(same equations, same warm-up convention: the last ``warmup_hours`` hours of the series before
hour 0); ``tests/test_calibration_kernel.py`` checks both that and a plain-Python reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from twin.energy.inputs import Drivers, StockInputs
from twin.errors import InputError

#: Default warm-up before a run that has no state (the annual kernel's default).
DEFAULT_WARMUP_HOURS = 336

#: Mass temperature a warm-up starts from, degC.
THETA_M0_C = 20.0


@dataclass
class PeriodResults:
    """Output of :func:`simulate_periods`.

    Attributes
    ----------
    period_heat_wh : (n_b, n_p)
        Heating energy per period, Wh (NaN for buildings that did not run).
    theta_m_c : (n_b,)
        Mass temperature at the end of the run, degC (NaN for buildings that did not run).
    ok : (n_b,) bool
        Buildings that ran.
    errors : list of (index, field, message)
        Why the others did not.
    hourly_heat_w, hourly_t_air_c : (n_b, n_steps) or None
        Heating power and air temperature of every step (with ``hourly=True``).
    """

    period_heat_wh: np.ndarray
    theta_m_c: np.ndarray
    ok: np.ndarray
    errors: list
    hourly_heat_w: np.ndarray | None = None
    hourly_t_air_c: np.ndarray | None = None


def period_index(time: pd.DatetimeIndex, starts, ends) -> np.ndarray:
    """Period of every hour of ``time`` (interval-end stamps): the period ``[start, end)`` that
    holds the hour's midpoint, ``-1`` for hours in no period.

    Parameters
    ----------
    time : tz-aware DatetimeIndex (n_h,)
        Hourly interval ends (as :class:`~twin.energy.inputs.Drivers`).
    starts, ends : sequences of tz-aware timestamps (n_p,)
        Periods, sorted and not overlapping.

    Raises
    ------
    InputError
        Periods that overlap or are not sorted, or time stamps without a time zone.
    """
    time = pd.DatetimeIndex(time)
    starts = pd.DatetimeIndex(starts)
    ends = pd.DatetimeIndex(ends)
    if time.tz is None or starts.tz is None or ends.tz is None:
        raise InputError("periods and hours need explicit time zones", field="time")
    if len(starts) != len(ends):
        raise InputError("as many period starts as ends are needed", field="period")
    out = np.full(len(time), -1, dtype=np.int64)
    if len(starts) == 0:
        return out
    s = starts.tz_convert("UTC").as_unit("ns").asi8
    e = ends.tz_convert("UTC").as_unit("ns").asi8
    if np.any(e <= s) or np.any(s[1:] < e[:-1]):
        raise InputError("periods must be sorted, each ending after it starts, and not overlap", field="period")
    mid = (time.tz_convert("UTC") - pd.Timedelta(minutes=30)).as_unit("ns").asi8
    k = np.searchsorted(s, mid, side="right") - 1
    inside = (k >= 0) & (mid < e[np.clip(k, 0, None)])
    out[inside] = k[inside]
    return out


@dataclass(frozen=True)
class PreparedDrivers:
    """Drivers checked once and converted once to the kernel's climate (:func:`prepare_drivers`).

    Attributes
    ----------
    drivers : Drivers
        The drivers these were made from (:func:`simulate_periods` uses the climate only with
        this very object).
    climate : twin.kernels.energy_5r1c.Climate5R1C
        The hourly drivers as the kernel takes them.
    """

    drivers: Drivers
    climate: object


def prepare_drivers(drivers: Drivers) -> PreparedDrivers:
    """Check ``drivers`` (as :func:`simulate_periods` does) and convert them for the kernel, once.

    For a caller that runs :func:`simulate_periods` many times on the same drivers (a calibration's
    forward model): passing the result as ``prepared`` skips the check and the conversion of
    every call. The drivers must not be changed in place afterwards.

    Raises
    ------
    SimulationError
        Non-finite weather or schedules (:func:`twin.energy.simulate._check_drivers`).
    """
    from twin.energy.simulate import _check_drivers, _kernel_climate

    _check_drivers(drivers)
    return PreparedDrivers(drivers=drivers, climate=_kernel_climate(drivers))


def _n_chunks(n_b: int) -> int:
    import numba

    from twin.kernels.energy_5r1c_periods import BLOCK

    return max(1, min(-(-n_b // BLOCK), numba.get_num_threads()))


def _run_kernel(n_chunks: int, *args) -> None:
    """Call :func:`twin.kernels.energy_5r1c_periods.run_periods_5r1c` with ``n_chunks`` and ``args``.

    A run of one chunk (at most one block of buildings, e.g. a calibration's few evaluations of
    one building) does its parallel loop on this thread alone: the loop has one iteration either
    way, but waking and joining the other threads cost as much CPU as a year of hours of a block
    (measured in the calibration tests, load 4-5). The work and its results are the same.
    """
    from twin.kernels.config import one_thread
    from twin.kernels.energy_5r1c_periods import run_periods_5r1c

    if n_chunks > 1:
        run_periods_5r1c(*args[:8], n_chunks, *args[8:])
        return
    with one_thread():
        run_periods_5r1c(*args[:8], n_chunks, *args[8:])


def simulate_periods(
    inputs: StockInputs,
    drivers: Drivers,
    *,
    heat_setpoint_c,
    period: np.ndarray,
    n_periods: int,
    start_hour: int = 0,
    n_steps: int | None = None,
    theta_m_c: np.ndarray | None = None,
    warmup_hours: int = DEFAULT_WARMUP_HOURS,
    setpoint_offset_k: np.ndarray | None = None,
    film_correction: bool | None = None,
    hourly: bool = False,
    on_error: Literal["raise", "report"] = "raise",
    prepared: PreparedDrivers | None = None,
) -> PeriodResults:
    """Heating energy per period of every building (module docstring).

    Parameters
    ----------
    inputs, drivers
        As :func:`twin.energy.simulate.simulate_stock` (the drivers' setpoint rows are not
        read: heating follows ``heat_setpoint_c``; cooling is off).
    heat_setpoint_c : float or (n_b,)
        Heating setpoint of each building, degC (NaN: heating off).
    period : (n_h,) int
        Period of each hour of the drivers (:func:`period_index`), ``-1``: not summed.
    n_periods : int
        Number of periods (columns of the output).
    start_hour, n_steps
        The hours run: ``start_hour`` to ``start_hour + n_steps - 1``, cyclic over the drivers
        (default: the whole series from hour 0).
    theta_m_c : (n_b,) or None
        Mass temperature at the start, degC. None: 20 degC, then ``warmup_hours`` hours before
        ``start_hour`` (cyclic) are simulated first.
    setpoint_offset_k : (n_h,) or None
        Shared hourly offset of the setpoints, K (NaN: heating off in that hour).
    film_correction, on_error
        As :func:`twin.energy.simulate.simulate_stock`.
    hourly
        Also return the heating power and air temperature of every step.
    prepared
        :func:`prepare_drivers` of these very ``drivers`` (None: check and convert them here).

    Raises
    ------
    InputError
        A bad building with ``on_error="raise"`` (naming it), a period array of the wrong
        length, a non-finite outdoor temperature.
    """
    from twin.energy.simulate import _building_errors, _check_drivers, _check_profiles, _kernel_building, _kernel_climate, with_film_correction
    from twin.kernels.energy_5r1c_periods import PeriodOutputs5R1C

    if inputs.groups != drivers.groups:
        raise InputError(f"surface groups differ: inputs {inputs.groups} vs drivers {drivers.groups}", field="groups")
    n_b, n_h = inputs.n_buildings, drivers.n_hours
    period = np.ascontiguousarray(period, dtype=np.int64)
    if period.shape != (n_h,):
        raise InputError(f"period must have one entry per hour ({n_h}), got {period.shape}", field="period")
    n_steps = n_h if n_steps is None else int(n_steps)
    if n_steps < 0 or not 0 <= int(start_hour) < max(n_h, 1):
        raise InputError("start_hour must be within the drivers and n_steps >= 0", field="start_hour")
    if prepared is not None and prepared.drivers is not drivers:
        raise ValueError("prepared was made from other drivers")
    if prepared is None:
        _check_drivers(drivers)
    sp = np.broadcast_to(np.asarray(heat_setpoint_c, dtype=float), (n_b,))
    inputs = with_film_correction(inputs, film_correction)
    errs = _building_errors(inputs) + [e for e in _check_profiles(inputs, drivers) if e[1] == "ve_profile"]
    for i in np.flatnonzero(~np.isfinite(sp) & ~np.isnan(sp)):
        errs.append((int(i), "heat_setpoint_c", "setpoint must be finite (NaN: heating off)"))
    if errs and on_error == "raise":
        i, field, message = errs[0]
        raise InputError(message, obj=f"building {inputs.building_id[i]!r}", field=field)
    ok = np.ones(n_b, dtype=bool)
    for i, _, _ in errs:
        ok[i] = False
    sub = inputs if ok.all() else inputs.subset(ok)
    m = int(ok.sum())
    offset = np.zeros(n_h) if setpoint_offset_k is None else np.asarray(setpoint_offset_k, dtype=float)
    if offset.shape != (n_h,):
        raise InputError(f"setpoint_offset_k must have one entry per hour ({n_h})", field="setpoint_offset_k")
    offset = np.where(np.isnan(offset), -np.inf, offset)
    sp_ok = np.where(np.isnan(sp[ok]), -np.inf, sp[ok])
    state = np.full(m, THETA_M0_C) if theta_m_c is None else np.array(np.asarray(theta_m_c, dtype=float)[ok], dtype=float)
    out_p = np.zeros((m, int(n_periods)))
    out_phi = np.zeros((m, n_steps)) if hourly else np.zeros((0, 0))
    out_t = np.zeros((m, n_steps)) if hourly else np.zeros((0, 0))
    if m:
        building = _kernel_building(sub)
        climate = prepared.climate if prepared is not None else _kernel_climate(drivers)
        chunks = _n_chunks(m)
        if theta_m_c is None and warmup_hours > 0 and n_h:
            w = int(min(warmup_hours, n_h))
            _run_kernel(chunks, building, climate, sp_ok, offset, period, (int(start_hour) - w) % n_h, w, False,
                        state, PeriodOutputs5R1C(out_p, np.zeros((0, 0)), np.zeros((0, 0))))
        _run_kernel(chunks, building, climate, sp_ok, offset, period, int(start_hour), n_steps, True, state,
                    PeriodOutputs5R1C(out_p, out_phi, out_t))

    def full(x, shape_tail):
        if ok.all():
            return x
        arr = np.full((n_b, *shape_tail), np.nan)
        arr[ok] = x
        return arr

    return PeriodResults(
        period_heat_wh=full(out_p, (int(n_periods),)),
        theta_m_c=full(state, ()),
        ok=ok,
        errors=errs,
        hourly_heat_w=full(out_phi, (n_steps,)) if hourly else None,
        hourly_t_air_c=full(out_t, (n_steps,)) if hourly else None,
    )


__all__ = ["DEFAULT_WARMUP_HOURS", "PeriodResults", "PreparedDrivers", "period_index", "prepare_drivers", "simulate_periods"]
