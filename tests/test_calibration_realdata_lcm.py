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
