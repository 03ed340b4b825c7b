"""Calibration against real measured data: the AMPds2 house (furnace gas, daily) and its weather.

Data (shipped in ``data_samples/``, see its ``SOURCE.md``):

* ``ampds2_furnace_gas_daily.csv``: the furnace gas sub-meter (``NaturalGas_FRG``) of AMPds2
  (Makonin et al. 2016, CC BY 4.0), a house in Burnaby (Greater Vancouver), April 2012 -
  March 2014; the one-minute cumulative register (dm3) read at every local midnight (Pacific
  standard time, UTC-8) and written in the tidy meter format (m3);
* ``yvr_daily_temperature_2012-2014.csv``: daily mean, maximum and minimum temperature of
  Vancouver International Airport (YVR, Environment and Climate Change Canada, Open Government
  Licence - Canada), the station AMPds2's own weather file comes from.

The house heats with a heat pump and a gas furnace: the furnace meter sees only the heat the
furnace delivers, on cold days (almost no gas above a daily mean of about 10 C). The twin models
it as documented in :mod:`twin.calibration.forward`: the 5R1C model of a detached house (central
envelope: TABULA's Belgian detached house of 2006-2011 ``BE.N.SFH.05.Gen``, for a 1955 house renovated in 2005; a stand-in: twin has no typology
of British Columbia) whose heating is metered only in the hours colder than a **switchover
temperature** ``T_sw`` (the heat pump takes the others); no hot water on this meter. ``T_sw`` is
chosen on the training year by the posterior mode's log density (a profile over the one
structural parameter: whole degrees, then steps of 0.1 K, the resolution of the temperature
data, within a degree of the best whole degree), the four calibration parameters and the
relative noise are fitted by the posterior of :mod:`twin.calibration.posterior`. The profile is
rough at 0.1 K (the synthetic hourly temperatures cross the threshold in steps; neighbouring
values differ by up to 20 in log density), so a whole-degree grid can miss the mode by half a
degree.

Split: the first year (2012-04-01 to 2013-03-31) is fitted, the second (2013-04-01 to
2014-03-30) predicted, by the twin and by the degree-day change-point baseline
(:mod:`twin.calibration.baseline`, fitted on the same first year). Both are scored with
Guideline 14's NMBE and CV(RMSE) on the second year, on days and on months.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

#: The AMPds2 house: Burnaby, BC (the dataset paper gives the region; the exact site is private).
LATITUDE_DEG, LONGITUDE_DEG, UTC_OFFSET_H = 49.25, -123.0, -8.0

#: Energy of a cubic metre of natural gas, kWh: a higher heating value of 37.3 MJ/m3
#: (assumption: typical of British Columbia's pipeline gas; the fit does not depend on it, a
#: factor on every reading moves h_tr_factor, not the scores).
GAS_KWH_PER_M3 = 10.36

#: Central envelope of the house (a stand-in; module docstring).
TABULA_TYPE = "BE.N.SFH.05.Gen"

TRAIN = ("2012-04-01", "2013-04-01")
TEST = ("2013-04-01", "2014-03-31")


def data_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "data_samples"


def load(folder: Path | None = None):
    """(meters, weather, drivers, report) of the shipped excerpt."""
    from twin.calibration.meters import read_meters
    from twin.calibration.weather import read_daily_temperatures
    from twin.energy.solar import standard_drivers

    folder = Path(folder) if folder is not None else data_dir()
    report: list = []
    meters = read_meters(folder / "ampds2_furnace_gas_daily.csv", building_ids=["ampds2:house"], gas_kwh_per_m3=GAS_KWH_PER_M3)
    weather = read_daily_temperatures(folder / "yvr_daily_temperature_2012-2014.csv", utc_offset_h=UTC_OFFSET_H, latitude_deg=LATITUDE_DEG,
                                      longitude_deg=LONGITUDE_DEG, report=report)
    return meters, weather, standard_drivers(weather), report


def _envelope(tabula_type: str = TABULA_TYPE):
    from twin.energy.model import envelope_from_tabula
    from twin.energy.typology import load_typology

    t = load_typology()
    env = envelope_from_tabula(t[t["tabula_code"].str.startswith(tabula_type)].head(1))
    env["building_id"] = "ampds2:house"
    return env


#: Resolution of the switch-over search, K: that of the temperature data (0.1 C).
SWITCHOVER_STEP_C = 0.1


def run(folder: Path | None = None, *, switchover_grid=tuple(range(-2, 13)), switchover_step_c: float | None = SWITCHOVER_STEP_C, seed: int = 0,
        n_proposal: int = 384, tabula_types: tuple[str, ...] = (TABULA_TYPE,)) -> dict:
    """The experiment of the module docstring; returns its figures and the daily series.

    The switch-over temperature is profiled on ``switchover_grid`` and then, when
    ``switchover_step_c`` is given, on that finer step within one grid spacing of the best grid
    value (the training year's posterior mode density decides both stages).
    """
    from twin.calibration.baseline import fit_change_point, period_degree_days
    from twin.calibration.forward import ForwardModel, Layout
    from twin.calibration.metrics import cv_rmse, nmbe
    from twin.calibration.parameters import load_calibration_priors, sigma_prior
    from twin.calibration.posterior import Noise, calibrate_posterior
    from twin.energy.model import TABULA_CONVENTIONS
    from twin.energy.periods import period_index

    t0 = time.perf_counter()
    meters, weather, drivers, report = load(folder)
    r = meters.readings
    tz = drivers.time.tz
    starts = pd.DatetimeIndex(r["start"]).tz_convert(tz)
    ends = pd.DatetimeIndex(r["end"]).tz_convert(tz)
    y = r["kwh"].to_numpy(dtype=float)
    inside = (starts >= drivers.time[0] - pd.Timedelta(hours=1)) & (ends <= drivers.time[-1])
    starts, ends, y = starts[inside], ends[inside], y[inside]
    lay = Layout(period_index(drivers.time, starts, ends), starts, ends)
    local_day = starts.tz_localize(None)
    train = (local_day >= pd.Timestamp(TRAIN[0])) & (local_day < pd.Timestamp(TRAIN[1]))
    test = (local_day >= pd.Timestamp(TEST[0])) & (local_day < pd.Timestamp(TEST[1]))
    priors, _, _ = load_calibration_priors()
    priors = priors.with_parameter(sigma_prior())
    noise = Noise(0.1, 1.0, 0.0, estimate=True)  # relative part fitted; 1 kWh/day absolute (boiler cycling, reading times)
    best = None
    profile = {}

    def fit(env, tabula_type, t_sw):
        nonlocal best
        key = (tabula_type, t_sw) if len(tabula_types) > 1 else t_sw
        if key in profile:
            return
        fm = ForwardModel(env, drivers, lay, np.array(["gas"]), conventions=TABULA_CONVENTIONS, hot_water=False, switchover_c=t_sw)
        post = calibrate_posterior(fm.predict, y[None, :], train[None, :], priors, noise, n_proposal=n_proposal, seed=seed,
                                   space=fm.proposal_space(priors), n_model=4)
        profile[key] = float(post.log_post_map[0])
        if best is None or post.log_post_map[0] > best[2].log_post_map[0]:
            best = (t_sw, fm, post, tabula_type)

    grid = np.sort(np.asarray(switchover_grid, dtype=float))
    for tabula_type in tabula_types:
        env = _envelope(tabula_type)
        for t_sw in grid:
            fit(env, tabula_type, round(float(t_sw), 3))
    if switchover_step_c and len(grid) > 1:  # refine around the best grid value, on the same training year
        spacing = float(np.min(np.diff(grid)))
        centre, tabula_type = best[0], best[3]
        env = _envelope(tabula_type)
        for t_sw in centre + np.arange(-spacing + switchover_step_c, spacing - 1e-9, switchover_step_c):
            fit(env, tabula_type, round(float(t_sw), 3))
    t_sw, fm, post, tabula_type = best
    pred = post.pred_mean[0]
    # baseline: PRISM / 3PH on the same training days
    daily_t = pd.Series(weather.data["dry_bulb_c"].to_numpy(), index=(weather.data.index - pd.Timedelta(hours=1)).tz_localize(None).floor("D"))
    daily_t = daily_t.groupby(level=0).mean()
    tau = np.arange(-5.0, 25.01, 0.1)
    days, hdd = period_degree_days(daily_t, starts, ends, tau)
    cp = fit_change_point(days[train], hdd[train], y[train], tau)
    j = int(np.argmin(np.abs(tau - cp.tau_c)))
    base = cp.predict(days, hdd[:, j])

    def scores(pred_y):
        yt, pt = y[test], pred_y[test]
        month = local_day[test].to_period("M")
        ym = pd.Series(yt).groupby(month).sum()
        pm = pd.Series(pt).groupby(month).sum()
        full = pd.Series(1, index=month).groupby(month).sum() >= 28
        ym, pm = ym[full.to_numpy()], pm[full.to_numpy()]
        return {"nmbe_daily_pct": float(nmbe(yt, pt)), "cv_daily_pct": float(cv_rmse(yt, pt)),
                "nmbe_monthly_pct": float(nmbe(ym.to_numpy(), pm.to_numpy())), "cv_monthly_pct": float(cv_rmse(ym.to_numpy(), pm.to_numpy())),
                "months": int(len(ym))}

    names = post.names
    q = post.param_q[:, 0, :]
    return {
        "switchover_c": t_sw, "tabula_type": tabula_type, "profile": profile,
        "twin": scores(pred), "baseline": scores(base),
        "baseline_model": cp, "parameters": {n: (float(q[0, i]), float(q[1, i]), float(q[2, i])) for i, n in enumerate(names)},
        "ess": float(post.ess[0]), "train_days": int(train.sum()), "test_days": int(test.sum()),
        "measured_test_kwh": float(y[test].sum()), "twin_test_kwh": float(pred[test].sum()), "baseline_test_kwh": float(base[test].sum()),
        "series": pd.DataFrame({"start": starts, "measured_kwh": y, "twin_kwh": pred, "twin_p5_kwh": post.pred_p5[0], "twin_p95_kwh": post.pred_p95[0],
                                "baseline_kwh": base, "train": train, "test": test}),
        "report": report + meters.report, "seconds": time.perf_counter() - t0,
    }


__all__ = ["GAS_KWH_PER_M3", "SWITCHOVER_STEP_C", "load", "run"]
