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


@pytest.mark.slow
def test_ampds2_calibrated_twin_against_the_change_point_baseline():
    from twin.calibration.validation import run

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        r = run()
    tw, bl = r["twin"], r["baseline"]
    print(f"switchover {r['switchover_c']} C; twin daily NMBE {tw['nmbe_daily_pct']:+.1f} % CV {tw['cv_daily_pct']:.1f} %, monthly NMBE "
          f"{tw['nmbe_monthly_pct']:+.1f} % CV {tw['cv_monthly_pct']:.1f} %; baseline (tau {r['baseline_model'].tau_c:.1f} C) daily NMBE "
          f"{bl['nmbe_daily_pct']:+.1f} % CV {bl['cv_daily_pct']:.1f} %, monthly NMBE {bl['nmbe_monthly_pct']:+.1f} % CV {bl['cv_monthly_pct']:.1f} %; "
          f"ESS {r['ess']:.1f}; parameters {r['parameters']}")
    assert r["test_days"] == 364 and r["train_days"] == 365
    # the switch-over is chosen on the training year alone: the best value of the 0.1 K profile
    assert r["switchover_c"] == max(r["profile"], key=r["profile"].get)
    assert sum(1 for k in r["profile"] if abs(k - round(k)) > 1e-6) >= 10  # the refinement ran
    # out of sample, on days and on months (Guideline 14's metrics), the twin matches or beats the baseline
    assert tw["months"] == bl["months"] == 12
    for res in ("daily", "monthly"):
        assert abs(tw[f"nmbe_{res}_pct"]) <= abs(bl[f"nmbe_{res}_pct"]), res
        assert tw[f"cv_{res}_pct"] <= bl[f"cv_{res}_pct"], res
