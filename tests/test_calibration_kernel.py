"""The period/state kernel of calibration and sync (kernels/energy_5r1c_periods.py) against the plain-Python
reference of ISO 13790 (tests/energy_reference.py) and against the annual kernel."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from tests.energy_reference import building_constants, simulate_building
from tests.energy_synthetic import synthetic_drivers, synthetic_stock
from twin.energy.periods import period_index, simulate_periods
from twin.energy.simulate import run_kernel
from twin.errors import InputError

N_H = 24 * 60  # 60 days keep the plain-Python reference fast


def _heating_drivers(n_h: int, setpoints: np.ndarray, offset: np.ndarray | None = None):
    """Synthetic weather; one heating-setpoint profile per value of ``setpoints`` (+ offset), no cooling."""
    drv = synthetic_drivers(n_h, seed=4)
    off = np.zeros(n_h) if offset is None else offset
    heat = np.asarray(setpoints, dtype=float)[:, None] + off[None, :]
    return replace(drv, heat_setpoint_c=heat, cool_setpoint_c=np.full_like(heat, np.nan))


def _reference(inp, drv, setpoint, offset, warmup, theta0=20.0, film=False):
    """Per building: hourly heating power from the plain-Python reference (list of lists)."""
    month = [int(m) for m in drv.month_index()]
    t_out = [float(x) for x in drv.t_out_c]
    n_h = len(t_out)
    out = []
    for b in range(inp.n_buildings):
        c = building_constants(float(inp.a_f_m2[b]), float(inp.a_t_m2[b]), float(inp.h_ve_w_k[b]), float(inp.h_tr_w_w_k[b]),
                               float(inp.h_tr_op_w_k[b]), float(inp.c_m_j_k[b]), float(inp.a_m_m2[b]), film)
        gains = float(inp.gain_w_m2[b] * inp.a_f_m2[b])
        sched = drv.gain_schedule[int(inp.gain_profile[b])]
        phi_int = [gains * float(sched[h]) for h in range(n_h)]
        phi_sol = [0.0] * n_h
        for g in range(len(drv.groups)):
            for h in range(n_h):
                shade = 1.0 if inp.shade_factor is None else float(inp.shade_factor[b, g, month[h]])
                phi_sol[h] += float(inp.sol_coeff_m2[b, g]) * shade * float(drv.irr_w_m2[g, h])
        heat = [float(setpoint[b] + offset[h]) for h in range(n_h)]
        res = simulate_building(c, t_out, phi_int, phi_sol, float(inp.gain_conv_frac[b]), heat, [None] * n_h,
                                float(inp.phi_h_max_w[b]), float(inp.phi_c_max_w[b]), month, warmup, theta0)
        out.append(res["phi"])
    return np.array(out)


def test_daily_periods_agree_with_plain_python_reference():
    inp = synthetic_stock(40, seed=8)  # heating limits on some, shading, two gain profiles
    setpoint = np.random.default_rng(1).uniform(16.0, 23.0, inp.n_buildings)
    hour = np.arange(N_H) % 24
    offset = np.where((hour >= 23) | (hour < 6), -3.0, 0.0)  # a night setback shared by all
    drv = _heating_drivers(N_H, [20.0], offset)
    day = np.arange(N_H) // 24
    res = simulate_periods(inp, drv, heat_setpoint_c=setpoint, period=day, n_periods=60, warmup_hours=120,
                           setpoint_offset_k=offset, hourly=True)
    ref = _reference(inp, drv, setpoint, offset, warmup=120)
    daily_ref = ref.reshape(inp.n_buildings, 60, 24).sum(axis=2)
    assert (daily_ref > 0).mean() > 0.5
    np.testing.assert_allclose(res.period_heat_wh, daily_ref, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(res.hourly_heat_w, ref, rtol=1e-9, atol=1e-6)


def test_state_in_state_out_equals_one_run():
    """Advancing one day at a time from the returned state gives the same days as one run."""
    inp = synthetic_stock(70, seed=9)  # more than two blocks of lanes
    drv = _heating_drivers(N_H, [20.0])
    day = np.arange(N_H) // 24
    whole = simulate_periods(inp, drv, heat_setpoint_c=20.5, period=day, n_periods=60, warmup_hours=100)
    state = None
    days = []
    for d in range(10):
        r = simulate_periods(inp, drv, heat_setpoint_c=20.5, period=day, n_periods=60, start_hour=24 * d, n_steps=24,
                             theta_m_c=state, warmup_hours=100 if d == 0 else 0)
        state = r.theta_m_c
        days.append(r.period_heat_wh[:, d])
    np.testing.assert_allclose(np.array(days).T, whole.period_heat_wh[:, :10], rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("film", [False, True])
def test_monthly_totals_equal_annual_kernel(film):
    n_h = 8760
    inp = synthetic_stock(65, seed=12)
    values = np.array([18.0, 20.0, 21.5])
    prof = np.random.default_rng(3).integers(0, 3, inp.n_buildings)
    inp.setpoint_profile = prof
    drv = _heating_drivers(n_h, values)
    raw = run_kernel(inp, drv, warmup_hours=336, film_correction=film)
    res = simulate_periods(inp, drv, heat_setpoint_c=values[prof], period=drv.month_index(), n_periods=12, warmup_hours=336,
                           film_correction=film)
    np.testing.assert_allclose(res.period_heat_wh, raw["monthly_heat_wh"], rtol=1e-9, atol=1e-6)


def test_period_index_midpoints_gaps_and_bad_periods():
    time = pd.date_range("2023-01-01 01:00", periods=72, freq="h", tz="Etc/GMT-1")
    starts = pd.DatetimeIndex(["2023-01-01 00:00", "2023-01-02 06:00"]).tz_localize("Etc/GMT-1")
    ends = pd.DatetimeIndex(["2023-01-02 00:00", "2023-01-03 00:00"]).tz_localize("Etc/GMT-1")
    idx = period_index(time, starts, ends)
    assert (idx[:24] == 0).all()  # hours ending 01:00 .. 24:00 of the first day
    assert (idx[24:30] == -1).all()  # the gap 00:00-06:00 of the second day
    assert (idx[30:48] == 1).all() and (idx[48:] == -1).all()
    # a period given in another time zone is the same instant
    idx_utc = period_index(time, starts.tz_convert("UTC"), ends.tz_convert("UTC"))
    assert np.array_equal(idx, idx_utc)
    with pytest.raises(InputError, match="overlap"):
        period_index(time, starts[::-1], ends[::-1])
    with pytest.raises(InputError, match="time zone"):
        period_index(time, starts.tz_localize(None), ends.tz_localize(None))


def test_bad_building_is_reported_not_simulated():
    inp = synthetic_stock(5, seed=2)
    inp.h_tr_op_w_k[2] = -1.0
    drv = _heating_drivers(48, [20.0])
    with pytest.raises(InputError, match="heat transfer coefficient"):
        simulate_periods(inp, drv, heat_setpoint_c=20.0, period=np.zeros(48, int), n_periods=1)
    res = simulate_periods(inp, drv, heat_setpoint_c=20.0, period=np.zeros(48, int), n_periods=1, on_error="report")
    assert list(np.flatnonzero(~res.ok)) == [2] and np.isnan(res.period_heat_wh[2]).all()
    assert np.isfinite(res.period_heat_wh[[0, 1, 3, 4]]).all()
