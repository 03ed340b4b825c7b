"""Real measured data: the AMPds2 house (furnace gas, daily) against the degree-day change-point baseline."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from twin.calibration.baseline import fit_change_point, period_degree_days
from twin.errors import TwinWarning


def test_change_point_fit_recovers_a_known_model():
    days = pd.date_range("2020-01-01", periods=400, freq="D")
    t = pd.Series(10 + 8 * np.sin(np.arange(400) / 58.0) + np.random.default_rng(1).normal(0, 2, 400), index=days)
    starts = pd.DatetimeIndex(days[:-1]).tz_localize("UTC")
    ends = pd.DatetimeIndex(days[1:]).tz_localize("UTC")
    tau = np.arange(5.0, 20.01, 0.1)
    n, hdd = period_degree_days(t, starts, ends, tau)
    j = int(np.argmin(np.abs(tau - 15.0)))
    y = 0.5 * n + 8.0 * hdd[:, j]
    cp = fit_change_point(n, hdd, y, tau)
    assert cp.tau_c == pytest.approx(15.0, abs=1e-9)
    assert cp.base_kwh_day == pytest.approx(0.5, rel=1e-9) and cp.slope_kwh_kday == pytest.approx(8.0, rel=1e-9)
    # monthly periods: degree-days summed over the days of each month
    m0 = pd.DatetimeIndex(["2020-01-01", "2020-02-01"]).tz_localize("UTC")
    m1 = pd.DatetimeIndex(["2020-02-01", "2020-03-01"]).tz_localize("UTC")
    nm, hm = period_degree_days(t, m0, m1, np.array([15.0]))
    assert nm.tolist() == [31.0, 29.0]
    assert hm[0, 0] == pytest.approx(np.maximum(0, 15 - t.iloc[:31]).sum())


def test_ampds2_excerpt_reads_with_its_cleaning_steps():
    from twin.calibration.validation import load

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        meters, weather, drivers, report = load()
    r = meters.readings
    assert len(r) == 729 and (r["kwh"] >= 0).all()
    assert [x["step"] for x in meters.report] == ["register"]
    assert report[0]["step"] == "weather" and report[0]["rows"] == 8  # 7 days absent, 1 without a mean
    assert len(weather.data) == 730 * 24 and str(drivers.time.tz) == "UTC-08:00"
    # about 790 m3 of furnace gas over the two years (the register's increase)
    assert r["kwh"].sum() / 10.36 == pytest.approx(1084.587747 - 295.279248, rel=1e-9)


def _synthetic_experiment(tau_true_c: float = 12.0):
    """An Experiment of the change-point model itself: two years of daily readings, 3PH at a known tau."""
    from twin.calibration.validation import TAU_RANGE_C, TAU_STEP_C, Experiment

    days = pd.date_range("2012-04-01", "2014-03-31", freq="D")
    rng = np.random.default_rng(3)
    t = pd.Series(10 + 8 * np.sin(2 * np.pi * (np.arange(len(days)) - 100) / 365.0) + rng.normal(0, 3, len(days)), index=days)
    starts = pd.DatetimeIndex(days[:-1]).tz_localize("UTC")
    ends = pd.DatetimeIndex(days[1:]).tz_localize("UTC")
    tau = np.round(np.arange(TAU_RANGE_C[0], TAU_RANGE_C[1] + 1e-9, TAU_STEP_C), 6)
    n, hdd = period_degree_days(t, starts, ends, tau)
    j = int(np.argmin(np.abs(tau - tau_true_c)))
    y = 1.0 * n + 6.0 * hdd[:, j] + rng.normal(0, 2.0, len(n))
    local = starts.tz_localize(None)
    train = np.asarray(local < pd.Timestamp("2013-04-01"))
    return Experiment(y, starts, ends, local, train, ~train, n, hdd, tau, None, None, None, None, [])


def test_training_folds_are_contiguous_blocks_of_the_training_year_only():
    from twin.calibration.validation import training_folds

    ex = _synthetic_experiment()
    for months, n_folds in ((1, 12), (2, 6), (3, 4)):
        folds = training_folds(ex, months)
        assert len(folds) == n_folds
        stacked = np.stack(folds)
        assert (stacked.sum(axis=0) == ex.train).all()  # a partition of the training year, no test day
        for f in folds:
            idx = np.flatnonzero(f)
            assert (np.diff(idx) == 1).all()  # contiguous
            assert len(set(ex.local_day[f].to_period("M"))) == months


def test_cross_validation_never_fits_on_the_held_out_block_or_the_test_year(monkeypatch):
    """The twin's held-out prediction of a block comes from a fit whose likelihood excludes it."""
    from twin.calibration import validation as v

    ex = _synthetic_experiment()
    seen = []

    class _Post:
        def __init__(self, mask):
            self.pred_mean = np.where(mask, np.nan, 1.0)[None, :]  # NaN where the fit saw the data

    def fake_fit(ex_, t_sw, mask, **kw):
        seen.append((t_sw, mask.copy()))
        return _Post(mask)

    monkeypatch.setattr(v, "fit_twin", fake_fit)
    folds = v.training_folds(ex, 2)
    pred = v.twin_cv_predictions(ex, np.array([3.0, 4.0]), folds)
    assert len(seen) == 12
    assert all(not (m & ex.test).any() for _, m in seen)
    assert np.isfinite(pred[:, ex.train]).all() and np.isnan(pred[:, ex.test]).all()


def test_cv_loss_against_a_plain_loop():
    from twin.calibration.validation import cv_loss

    ex = _synthetic_experiment()
    pred = np.vstack([ex.y + 1.0, ex.y * 0.9, np.zeros_like(ex.y)])
    daily = cv_loss(ex, pred, "daily")
    monthly = cv_loss(ex, pred, "monthly")
    for k, p in enumerate(pred):
        d = sum((p[i] - ex.y[i]) ** 2 for i in range(len(ex.y)) if ex.train[i])
        sums: dict = {}
        for i in range(len(ex.y)):
            if ex.train[i]:
                key = (ex.local_day[i].year, ex.local_day[i].month)
                a, b = sums.get(key, (0.0, 0.0))
                sums[key] = (a + ex.y[i], b + p[i])
        m = sum((b - a) ** 2 for a, b in sums.values())
        assert daily[k] == pytest.approx(d, rel=1e-12) and monthly[k] == pytest.approx(m, rel=1e-12)
    with pytest.raises(ValueError):
        cv_loss(ex, pred, "weekly")


def test_baseline_base_temperature_by_cross_validation_recovers_a_known_model():
    """The rule applied to the baseline: on readings of a 3PH model, CV picks its tau (within 0.5 K)."""
    from twin.calibration.validation import baseline_cv_predictions, cv_loss, training_folds

    ex = _synthetic_experiment(12.0)
    for months in (1, 2, 3):
        for loss in ("daily", "monthly"):
            tau = ex.tau_c[int(np.argmin(cv_loss(ex, baseline_cv_predictions(ex, training_folds(ex, months)), loss)))]
            assert abs(tau - 12.0) <= 0.5, (months, loss, tau)


def _brute_force_simplex(x: np.ndarray, y: np.ndarray, step: float = 0.005):
    """Plain reference: the best weights of three candidates on a grid of the simplex."""
    best = (np.inf, None)
    for a in np.arange(0.0, 1.0 + 1e-9, step):
        for b in np.arange(0.0, 1.0 - a + 1e-9, step):
            w = np.array([a, b, max(0.0, 1.0 - a - b)])
            e = float(np.sum((x @ w - y) ** 2))
            if e < best[0]:
                best = (e, w)
    return best


def test_stacking_weights_recover_a_known_mixture_and_agree_with_a_brute_force_search():
    from twin.calibration.validation import stack_weights

    ex = _synthetic_experiment()
    rng = np.random.default_rng(7)
    p1 = ex.y + rng.normal(0, 3, len(ex.y))
    p2 = 0.8 * ex.y + 1.0
    p3 = rng.normal(5, 1, len(ex.y))
    # readings that are exactly 0.3 p1 + 0.7 p2 on the training year: weights (0.3, 0.7, 0)
    ex.y = np.where(ex.train, 0.3 * p1 + 0.7 * p2, ex.y)
    pred = np.vstack([p1, p2, p3])
    for loss in ("daily", "monthly"):
        w = stack_weights(ex, pred, loss)
        assert w.sum() == pytest.approx(1.0, abs=1e-12) and (w >= 0).all()
        assert w == pytest.approx([0.3, 0.7, 0.0], abs=1e-4), (loss, w)
    # a target that no mixture reproduces: the weights agree with a brute-force search of the simplex
    ex.y = np.where(ex.train, ex.y + rng.normal(0, 4, len(ex.y)) + 0.1 * p3, ex.y)
    w = stack_weights(ex, pred, "daily")
    e_ref, w_ref = _brute_force_simplex(pred[:, ex.train].T, ex.y[ex.train])
    e = float(np.sum((pred[:, ex.train].T @ w - ex.y[ex.train]) ** 2))
    assert e <= e_ref * (1 + 1e-9) and w == pytest.approx(w_ref, abs=0.01)
    with pytest.raises(ValueError):
        stack_weights(ex, pred, "weekly")


def test_stacking_the_baseline_grid_on_a_change_point_model_puts_its_weight_near_the_true_tau():
    """The rule applied to the baseline's tau grid: on readings of a 3PH model, the stacked weights sit within 0.5 K of its tau."""
    from twin.calibration.validation import baseline_cv_predictions, stack_weights, training_folds

    ex = _synthetic_experiment(12.0)
    w = stack_weights(ex, baseline_cv_predictions(ex, training_folds(ex, 2)), "daily")
    assert w.sum() == pytest.approx(1.0) and w[np.abs(ex.tau_c - 12.0) <= 0.5].sum() > 0.9, dict(zip(ex.tau_c[w > 0], w[w > 0]))


def test_ampds2_priors_widen_only_the_lower_bound_of_h_tr_factor():
    from twin.calibration.parameters import load_calibration_priors
    from twin.calibration.validation import AMPDS2_H_TR_LOW, ampds2_priors

    packaged, _, _ = load_calibration_priors()
    wide = ampds2_priors(packaged)
    for a, b in zip(packaged.priors, wide.priors):
        if a.name == "h_tr_factor":
            assert b.value_bounds == pytest.approx((AMPDS2_H_TR_LOW, a.value_bounds[1])) and (b.mu, b.sd) == (a.mu, a.sd)
        else:
            assert a == b


@pytest.mark.slow
def test_ampds2_calibrated_twin_against_the_change_point_baseline():
    """The p12c method, fixed before its test-year run (docs/calibration.md): both models' hyper-parameter grids
    stacked by blocked cross-validation on the training year, then one out-of-sample comparison on the same split."""
    from twin.calibration.validation import baseline_cv_predictions, change_point_at, run, scores, setup, stack_weights, training_folds

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        ex = setup()
        r = run(experiment=ex)
    tw, bl, ls = r["twin"], r["baseline"], r["baseline_least_squares"]
    print(f"switchover weights {r['switchover_weights']} (mean {r['switchover_mean_c']:.2f} C); tau weights {r['tau_weights']} "
          f"(mean {r['tau_mean_c']:.2f} C); twin daily NMBE {tw['nmbe_daily_pct']:+.1f} % CV {tw['cv_daily_pct']:.1f} %, monthly NMBE "
          f"{tw['nmbe_monthly_pct']:+.1f} % CV {tw['cv_monthly_pct']:.1f} %; baseline (stacked) daily NMBE "
          f"{bl['nmbe_daily_pct']:+.1f} % CV {bl['cv_daily_pct']:.1f} %, monthly NMBE {bl['nmbe_monthly_pct']:+.1f} % CV {bl['cv_monthly_pct']:.1f} %; "
          f"least-squares baseline (tau {r['baseline_least_squares_model'].tau_c:.1f} C) monthly NMBE {ls['nmbe_monthly_pct']:+.1f} % CV "
          f"{ls['cv_monthly_pct']:.1f} %, daily CV {ls['cv_daily_pct']:.1f} %; held-out loss combined twin {r['cv_twin_combined']:.0f} "
          f"baseline {r['cv_baseline_combined']:.0f} kWh2; fits {r['fits']}; training coverage of the 90 % interval "
          f"{r['train_coverage_90']:.3f}")
    assert r["test_days"] == 364 and r["train_days"] == 365 and r["settings"]["folds"] == 6 and r["settings"]["method"] == "stack"
    assert sum(r["switchover_weights"].values()) == pytest.approx(1.0) and sum(r["tau_weights"].values()) == pytest.approx(1.0)
    # every choice from the training year alone: the baseline's stacked weights recomputed here, and its prediction
    w = stack_weights(ex, baseline_cv_predictions(ex, training_folds(ex, 2)), "daily")
    assert {float(t): float(x) for t, x in zip(ex.tau_c[w > 0], w[w > 0])} == pytest.approx(r["tau_weights"])
    base = sum(x * change_point_at(ex, int(j), ex.train).predict(ex.days, ex.hdd[:, int(j)]) for j, x in zip(np.flatnonzero(w), w[w > 0]))
    assert scores(ex, base) == pytest.approx(bl)
    # stacking never does worse on the held-out training loss than the best single candidate (it contains it)
    assert r["cv_twin_combined"] <= min(r["cv_twin"].values()) * (1 + 1e-3)  # weights under 1e-3 are dropped
    assert r["cv_baseline_combined"] <= r["cv_baseline_min"] * (1 + 1e-3)  # weights under 1e-3 are dropped
    assert tw["months"] == bl["months"] == 12
    # Issue 12's line: the twin matches or beats the baseline on |NMBE| and CV(RMSE), days and months
    wins = {f"{m}_{k}": (abs(tw[f"nmbe_{k}_pct"]) <= abs(bl[f"nmbe_{k}_pct"])) if m == "nmbe" else tw[f"cv_{k}_pct"] <= bl[f"cv_{k}_pct"]
            for m in ("nmbe", "cv") for k in ("daily", "monthly")}
    assert all(wins.values()), wins
