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
envelope: TABULA's Belgian detached house of 2006-2011 ``BE.N.SFH.05.Gen``, for a 1955 house
renovated in 2005; a stand-in: twin has no typology of British Columbia) whose heating is metered
only in the hours colder than a **switch-over temperature** ``T_sw`` (the heat pump takes the
others); no hot water on this meter. The four calibration parameters and the relative noise are
fitted by the posterior of :mod:`twin.calibration.posterior`.

Split: the first year (2012-04-01 to 2013-03-31) is fitted, the second (2013-04-01 to
2014-03-30) predicted, by the twin and by the degree-day change-point baseline
(:mod:`twin.calibration.baseline`). Both are scored with Guideline 14's NMBE and CV(RMSE) on the
second year, on days and on months.

Every choice is made on the training year alone, by the same rule for both models
(``docs/calibration.md``, "AMPds2: the method, fixed before the test year was scored"): the
training year is cut into contiguous blocks of ``months_per_fold`` calendar months; for every
candidate value of the model's structural hyper-parameter (the twin's ``T_sw`` on a grid of
``grid_step_c`` from -2 to 12 C, the baseline's base temperature ``tau`` on its 0.1 K grid from
-5 to 25 C) the model is fitted on the other blocks and predicts the held-out block (blocked
cross-validation, Bergmeir, Hyndman and Koo 2018); the value with the smallest held-out squared
error (``loss``: of days, or of monthly sums) is kept and the model refitted on the whole training
year with it. The test year is scored once, with that value.

References
----------
Bergmeir C., Hyndman R.J., Koo B. (2018) A note on the validity of cross-validation for
evaluating autoregressive time series prediction. Computational Statistics & Data Analysis 120.
Makonin S., Ellert B., Bajic I.V., Popowich F. (2016) Electricity, water, and natural gas
consumption of a residential house in Canada from 2012 to 2014. Scientific Data 3:160037.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
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

#: Range of the switch-over candidates, C (gas only on days colder than about 10 C).
SWITCHOVER_RANGE_C = (-2.0, 12.0)
#: Range and step of the baseline's base-temperature candidates, C (the change-point grid).
TAU_RANGE_C, TAU_STEP_C = (-5.0, 25.0), 0.1

#: The method's settings, fixed before the test year was scored (docs/calibration.md).
DEFAULT_GRID_STEP_C = 0.5
DEFAULT_MONTHS_PER_FOLD = 2
DEFAULT_LOSS = "daily"
LOSSES = ("daily", "monthly")


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


@dataclass
class Experiment:
    """The readings, weather and split of the AMPds2 experiment (built by :func:`setup`)."""

    y: np.ndarray                 # daily furnace gas, kWh (n_p,)
    starts: pd.DatetimeIndex      # period starts, local standard time
    ends: pd.DatetimeIndex
    local_day: pd.DatetimeIndex   # naive local date of each period
    train: np.ndarray             # bool (n_p,)
    test: np.ndarray
    days: np.ndarray              # days per period (n_p,)
    hdd: np.ndarray               # heating degree-days per period and tau (n_p, n_tau)
    tau_c: np.ndarray             # (n_tau,)
    drivers: object
    layout: object
    priors: object
    noise: object
    report: list
    _forward: dict = field(default_factory=dict)

    def forward(self, switchover_c: float):
        """The twin's forward model with switch-over ``switchover_c`` (cached)."""
        from twin.calibration.forward import ForwardModel
        from twin.energy.model import TABULA_CONVENTIONS

        key = round(float(switchover_c), 6)
        if key not in self._forward:
            self._forward[key] = ForwardModel(_envelope(), self.drivers, self.layout, np.array(["gas"]), conventions=TABULA_CONVENTIONS,
                                              hot_water=False, switchover_c=key)
        return self._forward[key]


def setup(folder: Path | None = None) -> Experiment:
    """Read the excerpt and build the split, the forward model's layout and the degree-days."""
    from twin.calibration.baseline import period_degree_days
    from twin.calibration.forward import Layout
    from twin.calibration.parameters import load_calibration_priors, sigma_prior
    from twin.calibration.posterior import Noise
    from twin.energy.periods import period_index

    meters, weather, drivers, report = load(folder)
    r = meters.readings
    tz = drivers.time.tz
    starts = pd.DatetimeIndex(r["start"]).tz_convert(tz)
    ends = pd.DatetimeIndex(r["end"]).tz_convert(tz)
    y = r["kwh"].to_numpy(dtype=float)
    inside = (starts >= drivers.time[0] - pd.Timedelta(hours=1)) & (ends <= drivers.time[-1])
    starts, ends, y = starts[inside], ends[inside], y[inside]
    local_day = starts.tz_localize(None)
    train = np.asarray((local_day >= pd.Timestamp(TRAIN[0])) & (local_day < pd.Timestamp(TRAIN[1])))
    test = np.asarray((local_day >= pd.Timestamp(TEST[0])) & (local_day < pd.Timestamp(TEST[1])))
    priors, _, _ = load_calibration_priors()
    priors = priors.with_parameter(sigma_prior())
    noise = Noise(0.1, 1.0, 0.0, estimate=True)  # relative part fitted; 1 kWh/day absolute (boiler cycling, reading times)
    daily_t = pd.Series(weather.data["dry_bulb_c"].to_numpy(), index=(weather.data.index - pd.Timedelta(hours=1)).tz_localize(None).floor("D"))
    daily_t = daily_t.groupby(level=0).mean()
    tau = np.round(np.arange(TAU_RANGE_C[0], TAU_RANGE_C[1] + 1e-9, TAU_STEP_C), 6)
    days, hdd = period_degree_days(daily_t, starts, ends, tau)
    return Experiment(y, starts, ends, local_day, train, test, days, hdd, tau, drivers, Layout(period_index(drivers.time, starts, ends), starts, ends),
                      priors, noise, report + meters.report)


def switchover_grid(step_c: float = DEFAULT_GRID_STEP_C) -> np.ndarray:
    """Candidate switch-over temperatures, C: ``SWITCHOVER_RANGE_C`` in steps of ``step_c``."""
    lo, hi = SWITCHOVER_RANGE_C
    return np.round(lo + step_c * np.arange(int(round((hi - lo) / step_c)) + 1), 6)


def training_folds(ex: Experiment, months_per_fold: int = DEFAULT_MONTHS_PER_FOLD) -> list[np.ndarray]:
    """Held-out masks of the blocked cross-validation: contiguous blocks of ``months_per_fold``
    calendar months of the training year (in order), each a bool mask over the periods."""
    month = ex.local_day.to_period("M")
    train_months = pd.PeriodIndex(sorted(set(month[ex.train])))
    blocks = [train_months[i:i + months_per_fold] for i in range(0, len(train_months), months_per_fold)]
    return [np.asarray(month.isin(b)) & ex.train for b in blocks]


def fit_twin(ex: Experiment, switchover_c: float, mask: np.ndarray, *, seed: int = 0, n_proposal: int = 384):
    """Posterior of the twin with switch-over ``switchover_c`` fitted to the periods of ``mask``."""
    from twin.calibration.posterior import calibrate_posterior

    fm = ex.forward(switchover_c)
    return calibrate_posterior(fm.predict, ex.y[None, :], np.asarray(mask)[None, :], ex.priors, ex.noise, n_proposal=n_proposal, seed=seed,
                               space=fm.proposal_space(ex.priors), n_model=4)


def twin_cv_predictions(ex: Experiment, grid: np.ndarray, folds: list[np.ndarray], *, seed: int = 0, n_proposal: int = 384) -> np.ndarray:
    """Held-out predictions (n_grid, n_p), kWh: every training period predicted by the posterior
    mean of the fit that did not see its block (NaN outside the training year)."""
    out = np.full((len(grid), len(ex.y)), np.nan)
    for i, t_sw in enumerate(grid):
        for held in folds:
            post = fit_twin(ex, t_sw, ex.train & ~held, seed=seed, n_proposal=n_proposal)
            out[i, held] = post.pred_mean[0][held]
    return out


def change_point_at(ex: Experiment, j: int, mask: np.ndarray):
    from twin.calibration.baseline import fit_change_point

    return fit_change_point(ex.days[mask], ex.hdd[mask][:, [j]], ex.y[mask], ex.tau_c[[j]])


def baseline_cv_predictions(ex: Experiment, folds: list[np.ndarray]) -> np.ndarray:
    """Held-out predictions (n_tau, n_p), kWh, of the change-point model at every fixed ``tau``."""
    out = np.full((len(ex.tau_c), len(ex.y)), np.nan)
    for j in range(len(ex.tau_c)):
        for held in folds:
            cp = change_point_at(ex, j, ex.train & ~held)
            out[j, held] = cp.predict(ex.days[held], ex.hdd[held, j])
    return out


def cv_loss(ex: Experiment, pred: np.ndarray, loss: str = DEFAULT_LOSS) -> np.ndarray:
    """Held-out squared error over the training year, per candidate (rows of ``pred``), kWh^2:
    of days (``daily``) or of calendar-month sums (``monthly``)."""
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, not {loss!r}")
    y, p = ex.y[ex.train], np.atleast_2d(pred)[:, ex.train]
    if loss == "daily":
        return np.sum((p - y[None, :]) ** 2, axis=1)
    month = np.asarray(ex.local_day[ex.train].to_period("M").astype(str))
    codes, inv = np.unique(month, return_inverse=True)
    ym = np.bincount(inv, weights=y, minlength=len(codes))
    pm = np.stack([np.bincount(inv, weights=row, minlength=len(codes)) for row in p])
    return np.sum((pm - ym[None, :]) ** 2, axis=1)


def scores(ex: Experiment, pred: np.ndarray) -> dict:
    """Guideline 14 NMBE and CV(RMSE), %, of ``pred`` on the test year: days and full months."""
    from twin.calibration.metrics import cv_rmse, nmbe

    yt, pt = ex.y[ex.test], np.asarray(pred)[ex.test]
    month = ex.local_day[ex.test].to_period("M")
    ym = pd.Series(yt).groupby(month).sum()
    pm = pd.Series(pt).groupby(month).sum()
    full = (pd.Series(1, index=month).groupby(month).sum() >= 28).to_numpy()
    ym, pm = ym[full].to_numpy(), pm[full].to_numpy()
    return {"nmbe_daily_pct": float(nmbe(yt, pt)), "cv_daily_pct": float(cv_rmse(yt, pt)),
            "nmbe_monthly_pct": float(nmbe(ym, pm)), "cv_monthly_pct": float(cv_rmse(ym, pm)), "months": int(len(ym))}


def run(folder: Path | None = None, *, grid_step_c: float = DEFAULT_GRID_STEP_C, months_per_fold: int = DEFAULT_MONTHS_PER_FOLD,
        loss: str = DEFAULT_LOSS, seed: int = 0, n_proposal: int = 384, experiment: Experiment | None = None) -> dict:
    """The experiment of the module docstring; returns its figures and the daily series.

    Both models' hyper-parameters (the twin's ``T_sw``, the baseline's ``tau``) are chosen by the
    blocked cross-validation on the training year (module docstring); the standard least-squares
    change-point fit (``tau`` by the training year's residual sum of squares) is reported too.
    """
    from twin.calibration.baseline import fit_change_point

    t0 = time.perf_counter()
    ex = experiment if experiment is not None else setup(folder)
    folds = training_folds(ex, months_per_fold)
    grid = switchover_grid(grid_step_c)
    twin_loss = cv_loss(ex, twin_cv_predictions(ex, grid, folds, seed=seed, n_proposal=n_proposal), loss)
    base_loss = cv_loss(ex, baseline_cv_predictions(ex, folds), loss)
    t_sw = float(grid[int(np.argmin(twin_loss))])
    j = int(np.argmin(base_loss))
    post = fit_twin(ex, t_sw, ex.train, seed=seed, n_proposal=n_proposal)
    pred = post.pred_mean[0]
    cp = change_point_at(ex, j, ex.train)
    base = cp.predict(ex.days, ex.hdd[:, j])
    cp_ls = fit_change_point(ex.days[ex.train], ex.hdd[ex.train], ex.y[ex.train], ex.tau_c)
    base_ls = cp_ls.predict(ex.days, ex.hdd[:, int(np.argmin(np.abs(ex.tau_c - cp_ls.tau_c)))])
    q = post.param_q[:, 0, :]
    return {
        "settings": {"grid_step_c": grid_step_c, "months_per_fold": months_per_fold, "loss": loss, "folds": len(folds), "seed": seed},
        "switchover_c": t_sw, "cv_twin": dict(zip(grid.tolist(), twin_loss.tolist())), "cv_baseline_min": float(base_loss[j]),
        "twin": scores(ex, pred), "baseline": scores(ex, base), "baseline_least_squares": scores(ex, base_ls),
        "baseline_model": cp, "baseline_least_squares_model": cp_ls,
        "parameters": {n: (float(q[0, i]), float(q[1, i]), float(q[2, i])) for i, n in enumerate(post.names)},
        "ess": float(post.ess[0]), "train_days": int(ex.train.sum()), "test_days": int(ex.test.sum()),
        "measured_test_kwh": float(ex.y[ex.test].sum()), "twin_test_kwh": float(pred[ex.test].sum()), "baseline_test_kwh": float(base[ex.test].sum()),
        "series": pd.DataFrame({"start": ex.starts, "measured_kwh": ex.y, "twin_kwh": pred, "twin_p5_kwh": post.pred_p5[0],
                                "twin_p95_kwh": post.pred_p95[0], "baseline_kwh": base, "train": ex.train, "test": ex.test}),
        "report": ex.report, "seconds": time.perf_counter() - t0,
    }


__all__ = ["GAS_KWH_PER_M3", "Experiment", "baseline_cv_predictions", "cv_loss", "fit_twin", "load", "run", "scores", "setup", "switchover_grid",
           "training_folds", "twin_cv_predictions"]
