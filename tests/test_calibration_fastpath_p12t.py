"""The calibration's faster code path changes no result: one-thread runs of one chunk, drivers
prepared once per forward model, the month index cached per time index, forward differences run
with the Fisher-scoring trial step."""

from __future__ import annotations

from dataclasses import replace

import numba
import numpy as np
import pandas as pd
import pytest

from tests.calibration_toy import toy_calibration
from tests.energy_synthetic import synthetic_drivers, synthetic_stock
from twin.calibration import posterior
from twin.calibration.parameters import load_calibration_priors
from twin.calibration.posterior import Noise, calibrate_posterior
from twin.energy.inputs import Drivers
from twin.energy.periods import prepare_drivers, simulate_periods
from twin.kernels.energy_5r1c_periods import BLOCK

N_H = 24 * 40


def _drivers():
    drv = synthetic_drivers(N_H, seed=4)
    return replace(drv, heat_setpoint_c=np.full((1, N_H), 20.0), cool_setpoint_c=np.full((1, N_H), np.nan))


def _run(inp, drv, **kw):
    day = np.arange(N_H) // 24
    return simulate_periods(inp, drv, heat_setpoint_c=np.linspace(17.0, 22.0, inp.n_buildings), period=day, n_periods=40,
                            warmup_hours=100, **kw)


def test_one_chunk_on_one_thread_equals_the_same_rows_inside_a_parallel_run():
    """A stock of one block runs on one thread; the same buildings as the first block of a
    stock of several blocks (run on all threads) give the same heat bit for bit, and the
    thread count is restored."""
    drv = _drivers()
    big = synthetic_stock(3 * BLOCK, seed=8)
    n_threads = numba.get_num_threads()
    whole = _run(big, drv, hourly=True)
    assert numba.get_num_threads() == n_threads
    first = big.subset(np.arange(3 * BLOCK) < BLOCK)
    day = np.arange(N_H) // 24
    one = simulate_periods(first, drv, heat_setpoint_c=np.linspace(17.0, 22.0, 3 * BLOCK)[:BLOCK], period=day, n_periods=40,
                           warmup_hours=100, hourly=True)
    assert numba.get_num_threads() == n_threads
    assert (one.period_heat_wh > 0).mean() > 0.3
    assert np.array_equal(one.period_heat_wh, whole.period_heat_wh[:BLOCK])
    assert np.array_equal(one.theta_m_c, whole.theta_m_c[:BLOCK])
    assert np.array_equal(one.hourly_t_air_c, whole.hourly_t_air_c[:BLOCK])


def test_prepared_drivers_give_the_same_periods_and_refuse_other_drivers():
    drv = _drivers()
    inp = synthetic_stock(12, seed=3)
    plain = _run(inp, drv)
    prepared = _run(inp, drv, prepared=prepare_drivers(drv))
    assert np.array_equal(plain.period_heat_wh, prepared.period_heat_wh)
    assert np.array_equal(plain.theta_m_c, prepared.theta_m_c)
    with pytest.raises(ValueError, match="other drivers"):
        _run(inp, _drivers(), prepared=prepare_drivers(drv))


def test_month_index_is_pandas_month_of_the_midpoint_and_a_fresh_copy():
    time = pd.date_range("2021-03-28 00:00", periods=24 * 70, freq="h", tz="Europe/Brussels") + pd.Timedelta(hours=1)
    drv = Drivers(time=time, t_out_c=np.zeros(len(time)), irr_w_m2=np.zeros((0, len(time))), groups=())
    expected = np.array([(t - pd.Timedelta(minutes=30)).month - 1 for t in time])
    first = drv.month_index()
    assert np.array_equal(first, expected) and first.dtype == np.int64 and first.flags.writeable
    first[:] = -5
    assert np.array_equal(drv.month_index(), expected)
    # same instants in another time zone: its own months (New Year's hour of UTC is December in New York)
    ny = Drivers(time=time.tz_convert("America/New_York"), t_out_c=np.zeros(len(time)), irr_w_m2=np.zeros((0, len(time))), groups=())
    assert np.array_equal(ny.month_index(), np.array([(t.tz_convert("America/New_York") - pd.Timedelta(minutes=30)).month - 1 for t in time]))
    assert not np.array_equal(ny.month_index(), expected)


@pytest.mark.parametrize("n_b", [1, 5, 30])
def test_forward_differences_with_the_trial_step_change_no_result(monkeypatch, n_b):
    """Calibration of a nonlinear model with and without the forward differences run alongside
    the trial step (``SPECULATIVE_ROWS``): every output equal bit for bit, fewer forward calls
    when few buildings are active."""
    priors = load_calibration_priors()[0]
    rng = np.random.default_rng(5)
    n_p = 10
    A, B, C = rng.uniform(50, 200, n_p), rng.uniform(10, 60, n_p), rng.uniform(5, 30, n_p)
    calls = []

    def fwd(rows, x):
        calls.append(len(rows))
        return x[:, 0:1] * A + np.sqrt(x[:, 1:2]) * B * x[:, 0:1] + np.exp(0.1 * (x[:, 2:3] - 20)) * C + 20.0 * x[:, 3:4]

    truth = priors.values_from_z(priors.sample_z(rng, n_b))
    y = fwd(np.arange(n_b), truth) * (1 + 0.05 * rng.standard_normal((n_b, n_p)))
    mask = np.ones_like(y, bool)
    mask[:, -3:] = False
    calls.clear()
    fast = calibrate_posterior(fwd, y, mask, priors, Noise(0.05, 0.0, 0.0), n_proposal=64, n_draws=20, seed=3)
    n_fast = len(calls)
    monkeypatch.setattr(posterior, "SPECULATIVE_ROWS", 0)
    calls.clear()
    slow = calibrate_posterior(fwd, y, mask, priors, Noise(0.05, 0.0, 0.0), n_proposal=64, n_draws=20, seed=3)
    assert fast.iterations.max() > 2
    for name in ("z_map", "cov", "draws", "ess", "iterations", "converged", "pred_mean", "pred_p5", "pred_p95", "log_post_map", "param_q"):
        assert np.array_equal(getattr(fast, name), getattr(slow, name), equal_nan=True), name
    if n_b * (1 + 4) <= posterior.SPECULATIVE_ROWS or n_b == 1:
        assert n_fast < len(calls)


def test_predict_until_equals_predict_up_to_the_last_period_and_is_nan_after():
    from twin.calibration.forward import ForwardModel
    from twin.calibration.synthetic import calendar_layout, tabula_stock, uccle_drivers
    from twin.energy.model import TABULA_CONVENTIONS

    drivers = uccle_drivers()
    env = tabula_stock(20)
    months = calendar_layout(drivers, "MS")
    fm = ForwardModel(env, drivers, months, np.full(len(env), "gas"), conventions=TABULA_CONVENTIONS)
    rng = np.random.default_rng(2)
    rows = rng.integers(0, len(env), 30)
    x = np.column_stack([rng.uniform(0.3, 1.9, 30), rng.uniform(0.4, 2.5, 30), rng.uniform(16, 23, 30), rng.uniform(0.4, 2.5, 30)])
    full = fm.predict(rows, x)
    assert (full > 0).all()
    for last in (0, 4, 10):
        part = fm.predict_until(rows, x, last)
        assert np.array_equal(part[:, :last + 1], full[:, :last + 1])
        assert np.isnan(part[:, last + 1:]).all()
    assert np.array_equal(fm.predict_until(rows, x, 11), full)


@pytest.mark.parametrize("n_b", [1, 30])
def test_mode_search_on_runs_stopped_after_the_last_used_period_changes_no_result(n_b):
    """``forward_until`` (NaN after the last period of the mask) against ``forward`` alone:
    every output equal bit for bit, and the mode search asks only for the used periods."""
    priors, fwd, fwd_until, asked, y = toy_calibration(n_b, 12, seed=9)
    mask = np.zeros_like(y, bool)
    mask[:, 1:8] = True
    mask[0, 3] = False
    kw = dict(n_proposal=64, n_draws=20, seed=4)
    plain = calibrate_posterior(fwd, y, mask, priors, Noise(0.05, 0.0, 0.0), **kw)
    short = calibrate_posterior(fwd, y, mask, priors, Noise(0.05, 0.0, 0.0), forward_until=fwd_until, **kw)
    assert asked and set(asked) == {7}
    assert np.isfinite(short.pred_mean).all()
    for name in ("z_map", "cov", "draws", "ess", "iterations", "converged", "pred_mean", "pred_p5", "pred_p95", "log_post_map", "param_q"):
        assert np.array_equal(getattr(plain, name), getattr(short, name), equal_nan=True), name


def test_loglik_of_the_used_periods_only_equals_the_formula_on_every_period():
    """The Gaussian log-likelihood, computed on the masked periods only, against the formula
    over every period (terms of unmasked periods set to 0): equal bit for bit, with rejected
    rows (NaN readings), missing meter readings outside the mask and per-row noise."""
    import math

    from twin.calibration.posterior import loglik

    rng = np.random.default_rng(1)
    n, n_p = 40, 60
    y = rng.uniform(0.0, 300.0, (n, n_p))
    m = y * rng.uniform(0.7, 1.3, (n, n_p))
    mask = rng.random((n, n_p)) < 0.4
    mask[:, 50:] = False
    y[~mask & (rng.random((n, n_p)) < 0.2)] = np.nan
    m[3, 7] = np.nan
    mask[3, 7] = True
    sig = rng.uniform(0.02, 0.3, n)
    for noise, s in ((Noise(0.05, 0.0, 1.0), None), (Noise(0.05, 2.0, 1.0, estimate=True), sig)):
        rel = noise.relative if s is None else s[:, None]
        v = (rel * m) ** 2 + noise.floor
        with np.errstate(invalid="ignore"):
            ref = -0.5 * np.nansum(np.where(mask, (y - m) ** 2 / v + np.log(2 * math.pi * v), 0.0), axis=1)
        ref[np.any(mask & ~np.isfinite(m), axis=1)] = -np.inf
        got = loglik(y, m, mask, noise, s)
        assert np.isneginf(got[3]) and np.isfinite(np.delete(got, 3)).all()
        assert np.array_equal(got, ref)
