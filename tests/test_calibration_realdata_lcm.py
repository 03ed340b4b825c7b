"""Real measured data, a building the method had never seen: the lcm heat meter (session p12u, docs/calibration.md)."""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from twin.errors import TwinWarning

ROOT = Path(__file__).resolve().parents[1]


def _excerpt_module():
    spec = importlib.util.spec_from_file_location("calibration_lcm_excerpt_p12u", ROOT / "scripts" / "calibration_lcm_excerpt_p12u.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_excerpt_cut_agrees_with_a_plain_loop():
    """The excerpt script on a small source of the lcm layout: readings of the window, daily mean/max/min of >= 20 hours."""
    mod = _excerpt_module()
    rng = np.random.default_rng(5)
    hours = pd.date_range("2018-03-20 00:00", "2020-04-02 23:00", freq="h")
    temp = pd.DataFrame({"time": hours, "centralOutsideTemp": np.round(rng.normal(10, 6, len(hours)), 2)})
    temp.loc[rng.choice(len(hours), 300, replace=False), "centralOutsideTemp"] = np.nan
    temp = temp.drop(index=range(5000, 5006))  # a day with 18 of its 24 hours (rows absent)
    reg = np.cumsum(rng.uniform(0, 100, len(hours)))
    heat = pd.DataFrame({"time": hours, "energyHeatingMeter": np.where(hours.hour == 0, reg, np.nan), "supplyTempHeating": 30.0})
    heat.loc[heat["time"] == pd.Timestamp("2019-01-10"), "energyHeatingMeter"] = np.nan  # a missing reading
    meter, weather = mod.excerpt(heat, temp)
    # plain reference
    ref_rows = [(t, v) for t, v in zip(heat["time"], heat["energyHeatingMeter"])
                if not np.isnan(v) and pd.Timestamp(mod.FIRST_DAY) <= t <= pd.Timestamp(mod.END_DAY)]
    assert len(meter) == len(ref_rows) and meter["value"].tolist() == [v for _, v in ref_rows]
    assert meter["timestamp"].iloc[0] == mod.FIRST_DAY + "T00:00:00+01:00" and (meter["unit"] == "kWh").all()
    days = pd.date_range(mod.FIRST_DAY, pd.Timestamp(mod.END_DAY) - pd.Timedelta(days=1), freq="D")
    assert weather["date"].tolist() == [d.strftime("%Y-%m-%d") for d in days]
    vals: dict = {}
    for t, v in zip(temp["time"], temp["centralOutsideTemp"]):
        if not np.isnan(v):
            vals.setdefault(t.normalize(), []).append(v)
    for d, (_, w) in zip(days, weather.iterrows()):
        x = vals.get(d, [])
        assert w["hours"] == len(x)
        if len(x) >= mod.MIN_HOURS:
            assert w["t_mean_c"] == pytest.approx(sum(x) / len(x), abs=5.01e-4)  # written to 3 decimals
            assert (w["t_max_c"], w["t_min_c"]) == (max(x), min(x))
        else:
            assert np.isnan(w["t_mean_c"]) and np.isnan(w["t_max_c"]) and np.isnan(w["t_min_c"])
    assert (weather["hours"] < mod.MIN_HOURS).sum() >= 1


def test_lcm_excerpt_reads_with_its_cleaning_steps():
    from twin.calibration.validation import LCM, load

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        meters, weather, drivers, report = load(dataset=LCM)
    r = meters.readings
    raw = pd.read_csv(ROOT / "data_samples" / LCM.meter_file)
    assert len(raw) == 738 and len(r) == 737 and (r["kwh"] >= 0).all()
    assert [x["step"] for x in meters.report] == ["register"]
    assert report[0]["step"] == "weather" and report[0]["rows"] == 1  # 2018-03-24: 16 of 24 hours
    assert r["kwh"].sum() == pytest.approx(raw["value"].iloc[-1] - raw["value"].iloc[0], rel=1e-12)
    assert len(weather.data) == 741 * 24 and str(drivers.time.tz) == "UTC+01:00"


def test_lcm_split_folds_and_switchover_candidates():
    from twin.calibration.validation import LCM, setup, switchover_grid, training_folds

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        ex = setup(dataset=LCM)
    assert int(ex.train.sum()) == 363 and int(ex.test.sum()) == 364 and not (ex.train & ex.test).any()
    assert ex.local_day[ex.train][0] == pd.Timestamp("2018-04-01") and ex.local_day[ex.test][-1] == pd.Timestamp("2020-03-31")
    assert ex.days[ex.train].sum() == 365 and ex.days[ex.test].sum() == 366  # two periods of three days (missing readings)
    folds = training_folds(ex, 2)
    assert len(folds) == 6 and (np.stack(folds).sum(axis=0) == ex.train).all()
    grid = switchover_grid(0.5, LCM.switchover_range_c)
    assert len(grid) == 45 and grid[0] == -2.0 and grid[-1] == 20.0
    assert ex.forward(20.0).carriers.tolist() == ["heat"]


@pytest.mark.slow
def test_lcm_frozen_method_against_the_change_point_baseline():
    """The p12c method as frozen (docs/calibration.md, "lcm: the method, fixed before the test year was scored", commit 712d39a),
    scored once on the lcm test year; asserted as found in that run (scripts/calibration_lcm_p12u.py), not re-tuned."""
    from twin.calibration.validation import LCM, baseline_cv_predictions, change_point_at, run, scores, setup, stack_weights, training_folds

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        ex = setup(dataset=LCM)
        r = run(experiment=ex)
    tw, bl, ls = r["twin"], r["baseline"], r["baseline_least_squares"]
    print(f"switchover weights {r['switchover_weights']} (mean {r['switchover_mean_c']:.2f} C); tau weights {r['tau_weights']} "
          f"(mean {r['tau_mean_c']:.2f} C); twin {tw}; baseline (stacked) {bl}; least squares (tau {r['baseline_least_squares_model'].tau_c:.1f} C) "
          f"{ls}; held-out loss combined twin {r['cv_twin_combined']:.0f} baseline {r['cv_baseline_combined']:.0f} kWh2; "
          f"ESS by candidate {({t: round(f['ess'], 1) for t, f in r['fits'].items()})}; training coverage {r['train_coverage_90']:.3f}")
    assert r["train_days"] == 363 and r["test_days"] == 364 and r["settings"]["folds"] == 6 and r["settings"]["method"] == "stack"
    assert tw["months"] == bl["months"] == 12
    assert sum(r["switchover_weights"].values()) == pytest.approx(1.0) and sum(r["tau_weights"].values()) == pytest.approx(1.0)
    # the baseline's stacking and prediction recomputed here from the training year alone
    w = stack_weights(ex, baseline_cv_predictions(ex, training_folds(ex, 2)), "daily")
    assert {float(t): float(x) for t, x in zip(ex.tau_c[w > 0], w[w > 0])} == pytest.approx(r["tau_weights"])
    base = sum(x * change_point_at(ex, int(j), ex.train).predict(ex.days, ex.hdd[:, int(j)]) for j, x in zip(np.flatnonzero(w), w[w > 0]))
    assert scores(ex, base) == pytest.approx(bl)
    assert r["cv_twin_combined"] <= min(r["cv_twin"].values()) * (1 + 1e-3)
    assert r["cv_baseline_combined"] <= r["cv_baseline_min"] * (1 + 1e-3)
    # the outcome as found in the one scoring run: the twin matches or beats the stacked baseline on |NMBE| and CV(RMSE),
    # days and months (margins small: docs/calibration.md)
    wins = {f"{m}_{k}": (abs(tw[f"nmbe_{k}_pct"]) <= abs(bl[f"nmbe_{k}_pct"])) if m == "nmbe" else tw[f"cv_{k}_pct"] <= bl[f"cv_{k}_pct"]
            for m in ("nmbe", "cv") for k in ("daily", "monthly")}
    assert all(wins.values()), wins
    # neither model meets Guideline 14's monthly limits here (|NMBE| 5 %, CV(RMSE) 15 %): both over-predict the test year
    assert tw["nmbe_monthly_pct"] < -5.0 and bl["nmbe_monthly_pct"] < -5.0
