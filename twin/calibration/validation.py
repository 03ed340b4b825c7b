"""Calibration against real measured data: the AMPds2 house (furnace gas, daily) and its weather,
and a second building the method had never seen (the lcm sample, daily heat meter; :data:`LCM`).

Each building is a :class:`Dataset` (files, place, clock, split, stand-in envelope, switch-over
candidates); the method below is the same for every one (``setup(dataset=LCM)``).

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
year with it. The test year is scored once, with that value (``method="select"``, the method
of session p12).

Default since session p12c (``method="stack"``): the training-year cross-validation cannot
separate neighbouring switch-overs, so the candidates are not picked but **averaged**: the
held-out predictions of all candidates are combined with non-negative weights summing to one
that minimise the same held-out loss (stacking: Wolpert 1992, Breiman 1996; of Bayesian
predictive distributions: Yao, Vehtari, Simpson and Gelman 2018), for the twin's ``T_sw`` grid
and, by the same rule, for the baseline's ``tau`` grid. Every candidate with a weight is refitted
on the whole training year and the test year is predicted by the weighted sum of their
predictions. The AMPds2 posterior also gets a wider support of ``h_tr_factor`` (down to
``AMPDS2_H_TR_LOW``; reason at that constant).

References
----------
Breiman L. (1996) Stacked regressions. Machine Learning 24.
Lawson C.L., Hanson R.J. (1974) Solving Least Squares Problems. Prentice-Hall (ch. 23: NNLS,
equality constraints by weighting).
Wolpert D.H. (1992) Stacked generalization. Neural Networks 5.
Yao Y., Vehtari A., Simpson D., Gelman A. (2018) Using stacking to average Bayesian predictive
distributions. Bayesian Analysis 13(3).
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
#: How the cross-validation uses the candidates: ``stack`` (weights, default since p12c) or
#: ``select`` (the single best candidate, the p12 method).
DEFAULT_METHOD = "stack"
METHODS = ("stack", "select")
#: Stacking weights below this are dropped (and the rest renormalised): no refit for them.
MIN_WEIGHT = 1e-3

#: Lower bound of ``h_tr_factor`` for the AMPds2 house (the packaged prior's is 0.25). Here the
#: factor does not only correct U-values: the envelope is a stand-in whose geometry is not the
#: house's (TABULA's reference building of its type, not the AMPds2 house, whose floor area the
#: dataset does not give), and the meter is the sub-meter of one of two heat sources (the furnace
#: of a dual-fuel heat pump system, which may share the cold hours with the heat pump). The
#: factor is therefore (house conductance / stand-in conductance) x (furnace share of the cold
#: hours' heat); a house of half the stand-in's size whose furnace covers a third of the cold
#: hours' heat has 0.17 with unchanged U-values, below the packaged support. With the packaged
#: bound the training-year posterior sat on it (5th percentile 0.254 at T_sw 6 C, ESS 4.7).
#: 0.05 (a twentieth) is a documented assumption, not fitted; the upper bound is unchanged.
AMPDS2_H_TR_LOW = 0.05


@dataclass(frozen=True)
class Dataset:
    """One measured building of the real-data experiment: its shipped files and the facts the
    experiment needs (place, clock, meter, split, stand-in envelope, switch-over candidates).

    Everything else (folds, grids' steps, loss, stacking, priors' shape, noise model, posterior
    settings) is the method's and common to every dataset.
    """

    name: str
    building_id: str
    meter_file: str                       # tidy meter format (docs/calibration.md), in data_samples/
    weather_file: str                     # daily table: date, t_mean_c, t_max_c, t_min_c
    latitude_deg: float
    longitude_deg: float
    utc_offset_h: float                   # local standard time of both files
    train: tuple[str, str]                # [start, end) local dates
    test: tuple[str, str]
    tabula_type: str = TABULA_TYPE        # the stand-in envelope
    switchover_range_c: tuple[float, float] = (-2.0, 12.0)
    h_tr_low: float = AMPDS2_H_TR_LOW     # lower bound of h_tr_factor's support
    carrier: str = "gas"                  # the meter's carrier (twin.calibration.meters.CARRIERS)
    gas_kwh_per_m3: float | None = None   # for registers in m3


#: The AMPds2 house (module docstring); the experiment of sessions p12 and p12c.
AMPDS2 = Dataset("ampds2", "ampds2:house", "ampds2_furnace_gas_daily.csv", "yvr_daily_temperature_2012-2014.csv", LATITUDE_DEG, LONGITUDE_DEG,
                 UTC_OFFSET_H, TRAIN, TEST, gas_kwh_per_m3=GAS_KWH_PER_M3)

#: The central heating of the residential building of the lcm sample data (HSLU, GPL-3.0; session
#: p12u, docs/calibration.md "Real measured data, second building: lcm"): the heat meter of the
#: heating circuit, read daily, and the building's own outdoor sensor, 2018-03-22 to 2020-03-31.
#: Its site is not published: central Switzerland (HSLU, Lucerne) assumed for the sun. The meter
#: is the building's only space-heating source (June-August read 2-6 kWh a month; no hot water on it),
#: so the switch-over candidates reach 20 C, where an hour's switch-over no longer binds (the
#: grid then holds "every hour metered"); chosen before the test year was scored.
LCM = Dataset("lcm", "lcm:central", "lcm_central_heat_daily.csv", "lcm_outside_temperature_daily.csv", 47.05, 8.31, 1.0,
              ("2018-04-01", "2019-04-01"), ("2019-04-01", "2020-04-01"), switchover_range_c=(-2.0, 20.0), carrier="heat")

DATASETS = {d.name: d for d in (AMPDS2, LCM)}


def data_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "data_samples"


def load(folder: Path | None = None, dataset: Dataset = AMPDS2):
    """(meters, weather, drivers, report) of the shipped excerpt of ``dataset``."""
    from twin.calibration.meters import read_meters
    from twin.calibration.weather import read_daily_temperatures
    from twin.energy.solar import standard_drivers

    folder = Path(folder) if folder is not None else data_dir()
    report: list = []
    meters = read_meters(folder / dataset.meter_file, building_ids=[dataset.building_id], gas_kwh_per_m3=dataset.gas_kwh_per_m3)
    weather = read_daily_temperatures(folder / dataset.weather_file, utc_offset_h=dataset.utc_offset_h, latitude_deg=dataset.latitude_deg,
                                      longitude_deg=dataset.longitude_deg, report=report)
    return meters, weather, standard_drivers(weather), report


def _envelope(tabula_type: str = TABULA_TYPE, building_id: str = AMPDS2.building_id):
    from twin.energy.model import envelope_from_tabula
    from twin.energy.typology import load_typology

    t = load_typology()
    env = envelope_from_tabula(t[t["tabula_code"].str.startswith(tabula_type)].head(1))
    env["building_id"] = building_id
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
    dataset: Dataset = AMPDS2
    _forward: dict = field(default_factory=dict)
    _fits: dict = field(default_factory=dict)  # fits on the whole training year, by (T_sw, seed, n_proposal, priors)

    def forward(self, switchover_c: float):
        """The twin's forward model with switch-over ``switchover_c`` (cached; the candidates
        share one model's envelope, stock and prepared drivers: :meth:`ForwardModel.with_switchover`)."""
        from twin.calibration.forward import ForwardModel
        from twin.energy.model import TABULA_CONVENTIONS

        key = round(float(switchover_c), 6)
        if key not in self._forward:
            if self._forward:
                self._forward[key] = next(iter(self._forward.values())).with_switchover(key)
            else:
                self._forward[key] = ForwardModel(_envelope(self.dataset.tabula_type, self.dataset.building_id), self.drivers, self.layout,
                                                  np.array([self.dataset.carrier]), conventions=TABULA_CONVENTIONS, hot_water=False,
                                                  switchover_c=key)
        return self._forward[key]


def setup(folder: Path | None = None, dataset: Dataset = AMPDS2) -> Experiment:
    """Read the excerpt of ``dataset`` and build the split, the forward model's layout and the degree-days."""
    from twin.calibration.baseline import period_degree_days
    from twin.calibration.forward import Layout
    from twin.calibration.parameters import load_calibration_priors, sigma_prior
    from twin.calibration.posterior import Noise
    from twin.energy.periods import period_index

    meters, weather, drivers, report = load(folder, dataset)
    r = meters.readings
    tz = drivers.time.tz
    starts = pd.DatetimeIndex(r["start"]).tz_convert(tz)
    ends = pd.DatetimeIndex(r["end"]).tz_convert(tz)
    y = r["kwh"].to_numpy(dtype=float)
    inside = (starts >= drivers.time[0] - pd.Timedelta(hours=1)) & (ends <= drivers.time[-1])
    starts, ends, y = starts[inside], ends[inside], y[inside]
    local_day = starts.tz_localize(None)
    train = np.asarray((local_day >= pd.Timestamp(dataset.train[0])) & (local_day < pd.Timestamp(dataset.train[1])))
    test = np.asarray((local_day >= pd.Timestamp(dataset.test[0])) & (local_day < pd.Timestamp(dataset.test[1])))
    priors, _, _ = load_calibration_priors()
    priors = ampds2_priors(priors.with_parameter(sigma_prior()), dataset.h_tr_low)
    noise = Noise(0.1, 1.0, 0.0, estimate=True)  # relative part fitted; 1 kWh/day absolute (boiler cycling, reading times)
    daily_t = pd.Series(weather.data["dry_bulb_c"].to_numpy(), index=(weather.data.index - pd.Timedelta(hours=1)).tz_localize(None).floor("D"))
    daily_t = daily_t.groupby(level=0).mean()
    tau = np.round(np.arange(TAU_RANGE_C[0], TAU_RANGE_C[1] + 1e-9, TAU_STEP_C), 6)
    days, hdd = period_degree_days(daily_t, starts, ends, tau)
    return Experiment(y, starts, ends, local_day, train, test, days, hdd, tau, drivers, Layout(period_index(drivers.time, starts, ends), starts, ends),
                      priors, noise, report + meters.report, dataset)


def ampds2_priors(priors, h_tr_low: float = AMPDS2_H_TR_LOW):
    """``priors`` with the support of ``h_tr_factor`` widened down to ``h_tr_low`` (see
    ``AMPDS2_H_TR_LOW``); the prior's median and spread are unchanged."""
    from dataclasses import replace

    from twin.calibration.parameters import PriorSet

    return PriorSet(tuple(replace(p, low=min(p.low, float(np.log(h_tr_low)))) if p.name == "h_tr_factor" else p for p in priors.priors),
                    priors.source)


def switchover_grid(step_c: float = DEFAULT_GRID_STEP_C, range_c: tuple[float, float] = SWITCHOVER_RANGE_C) -> np.ndarray:
    """Candidate switch-over temperatures, C: ``range_c`` (default ``SWITCHOVER_RANGE_C``, AMPds2's) in steps of ``step_c``."""
    lo, hi = range_c
    return np.round(lo + step_c * np.arange(int(round((hi - lo) / step_c)) + 1), 6)


def training_folds(ex: Experiment, months_per_fold: int = DEFAULT_MONTHS_PER_FOLD) -> list[np.ndarray]:
    """Held-out masks of the blocked cross-validation: contiguous blocks of ``months_per_fold``
    calendar months of the training year (in order), each a bool mask over the periods."""
    month = ex.local_day.to_period("M")
    train_months = pd.PeriodIndex(sorted(set(month[ex.train])))
    blocks = [train_months[i:i + months_per_fold] for i in range(0, len(train_months), months_per_fold)]
    return [np.asarray(month.isin(b)) & ex.train for b in blocks]


def fit_twin(ex: Experiment, switchover_c: float, mask: np.ndarray, *, seed: int = 0, n_proposal: int = 384,
             predict_last: int | None = None):
    """Posterior of the twin with switch-over ``switchover_c`` fitted to the periods of ``mask``.

    ``predict_last``: the last period whose predictions are wanted (None: every period); the
    posterior's runs stop there, its predictions of the later periods are NaN and the others the
    same bit for bit (:func:`~twin.calibration.posterior.calibrate_posterior`).
    """
    from twin.calibration.posterior import calibrate_posterior

    whole = bool(np.array_equal(np.asarray(mask, dtype=bool), ex.train))
    key = (round(float(switchover_c), 6), seed, n_proposal, id(ex.priors))
    if whole and predict_last is None and key in ex._fits:  # the same deterministic fit (seeded): reused by the robustness script's rows
        return ex._fits[key]
    fm = ex.forward(switchover_c)
    post = calibrate_posterior(fm.predict, ex.y[None, :], np.asarray(mask)[None, :], ex.priors, ex.noise, n_proposal=n_proposal, seed=seed,
                               space=fm.proposal_space(ex.priors), n_model=4, forward_until=fm.predict_until, predict_last=predict_last)
    if whole and predict_last is None:
        ex._fits[key] = post
    return post


def twin_cv_predictions(ex: Experiment, grid: np.ndarray, folds: list[np.ndarray], *, seed: int = 0, n_proposal: int = 384) -> np.ndarray:
    """Held-out predictions (n_grid, n_p), kWh: every training period predicted by the posterior
    mean of the fit that did not see its block (NaN outside the training year)."""
    out = np.full((len(grid), len(ex.y)), np.nan)
    for i, t_sw in enumerate(grid):
        for held in folds:
            # only the training year is read (the held-out block): the fit's runs stop at its last period
            last = int(np.flatnonzero(ex.train | held)[-1])
            post = fit_twin(ex, t_sw, ex.train & ~held, seed=seed, n_proposal=n_proposal, predict_last=last)
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


def _loss_rows(ex: Experiment, loss: str) -> tuple[np.ndarray, np.ndarray]:
    """(A, y): the aggregation of the training periods by the loss (identity for days, sums of
    calendar months for ``monthly``), A (n_rows, n_train)."""
    n = int(ex.train.sum())
    if loss == "daily":
        return np.eye(n), ex.y[ex.train]
    month = np.asarray(ex.local_day[ex.train].to_period("M").astype(str))
    codes, inv = np.unique(month, return_inverse=True)
    a = np.zeros((len(codes), n))
    a[inv, np.arange(n)] = 1.0
    return a, a @ ex.y[ex.train]


def stack_weights(ex: Experiment, pred: np.ndarray, loss: str = DEFAULT_LOSS) -> np.ndarray:
    """Stacking weights of the candidates (rows of ``pred``, held-out predictions), summing to one.

    The non-negative weights ``w`` with ``sum(w) = 1`` that minimise the held-out squared error
    of ``sum_k w_k pred_k`` over the training year (of days, or of monthly sums: ``loss``), by
    non-negative least squares with the equality as a heavily weighted extra row (Lawson and
    Hanson 1974, ch. 23). Weights under ``MIN_WEIGHT`` are dropped and the rest renormalised.
    """
    from scipy.optimize import nnls

    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, not {loss!r}")
    p = np.atleast_2d(np.asarray(pred, dtype=float))[:, ex.train]
    agg, y = _loss_rows(ex, loss)
    x = agg @ p.T                                    # (n_rows, n_cand)
    big = 1e3 * max(1.0, float(np.abs(x).max()))
    a = np.vstack([x, np.full((1, x.shape[1]), big)])
    b = np.concatenate([y, [big]])
    w, _ = nnls(a, b, maxiter=50 * x.shape[1])
    w = np.where(w >= MIN_WEIGHT * w.sum(), w, 0.0)
    return w / w.sum()


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


def run(folder: Path | None = None, *, dataset: Dataset = AMPDS2, grid_step_c: float = DEFAULT_GRID_STEP_C, months_per_fold: int = DEFAULT_MONTHS_PER_FOLD,
        loss: str = DEFAULT_LOSS, method: str = DEFAULT_METHOD, seed: int = 0, n_proposal: int = 384, experiment: Experiment | None = None,
        twin_cv: np.ndarray | None = None) -> dict:
    """The experiment of the module docstring; returns its figures and the daily series.

    Both models' hyper-parameters (the twin's ``T_sw``, the baseline's ``tau``) are handled by the
    blocked cross-validation on the training year (module docstring): ``method="stack"`` weights
    the candidates (:func:`stack_weights`), ``method="select"`` keeps the best one. The standard
    least-squares change-point fit (``tau`` by the training year's residual sum of squares) is
    reported too. ``twin_cv``: the twin's held-out predictions on ``switchover_grid(grid_step_c, ex.dataset.switchover_range_c)``
    computed before (:func:`twin_cv_predictions`), to reuse them.
    """
    from twin.calibration.baseline import fit_change_point

    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    t0 = time.perf_counter()
    ex = experiment if experiment is not None else setup(folder, dataset)
    folds = training_folds(ex, months_per_fold)
    grid = switchover_grid(grid_step_c, ex.dataset.switchover_range_c)
    twin_cv = twin_cv if twin_cv is not None else twin_cv_predictions(ex, grid, folds, seed=seed, n_proposal=n_proposal)
    base_cv = baseline_cv_predictions(ex, folds)
    twin_loss, base_loss = cv_loss(ex, twin_cv, loss), cv_loss(ex, base_cv, loss)
    i_best, j_best = int(np.argmin(twin_loss)), int(np.argmin(base_loss))
    if method == "stack":
        w_twin, w_base = stack_weights(ex, twin_cv, loss), stack_weights(ex, base_cv, loss)
    else:
        w_twin, w_base = np.eye(len(grid))[i_best], np.eye(len(ex.tau_c))[j_best]
    pred, p5, p95, sig = np.zeros(len(ex.y)), np.zeros(len(ex.y)), np.zeros(len(ex.y)), 0.0
    fits = {}
    for i in np.flatnonzero(w_twin):
        post = fit_twin(ex, float(grid[i]), ex.train, seed=seed, n_proposal=n_proposal)
        w = float(w_twin[i])
        pred += w * post.pred_mean[0]
        p5 += w * post.pred_p5[0]
        p95 += w * post.pred_p95[0]
        q = post.param_q[:, 0, :]
        sig += w * float(q[1, post.names.index("sigma_rel")]) if "sigma_rel" in post.names else 0.0
        fits[float(grid[i])] = {"weight": w, "ess": float(post.ess[0]), "converged": bool(post.converged[0]),
                                "parameters": {n: (float(q[0, k]), float(q[1, k]), float(q[2, k])) for k, n in enumerate(post.names)}}
    models = {float(ex.tau_c[j]): (float(w_base[j]), change_point_at(ex, int(j), ex.train)) for j in np.flatnonzero(w_base)}
    base = sum(w * cp.predict(ex.days, ex.hdd[:, int(np.argmin(np.abs(ex.tau_c - t)))]) for t, (w, cp) in models.items())
    cp_ls = fit_change_point(ex.days[ex.train], ex.hdd[ex.train], ex.y[ex.train], ex.tau_c)
    base_ls = cp_ls.predict(ex.days, ex.hdd[:, int(np.argmin(np.abs(ex.tau_c - cp_ls.tau_c)))])
    # 90 % predictive interval of a training reading (model mean +/- 1.645 sd of the fitted noise, the
    # weighted median relative noise): its coverage of the training readings, a check on the fitted noise
    sd = np.sqrt((sig * pred) ** 2 + ex.noise.floor)
    inside = np.abs(ex.y - pred) <= 1.645 * sd
    best = fits.get(float(grid[i_best]))
    return {
        "settings": {"grid_step_c": grid_step_c, "months_per_fold": months_per_fold, "loss": loss, "method": method, "folds": len(folds),
                     "seed": seed},
        "switchover_c": float(grid[i_best]), "switchover_weights": {t: f["weight"] for t, f in fits.items()},
        "switchover_mean_c": float(sum(t * f["weight"] for t, f in fits.items())),
        "tau_weights": {t: w for t, (w, _) in models.items()}, "tau_mean_c": float(sum(t * w for t, (w, _) in models.items())),
        "cv_twin": dict(zip(grid.tolist(), twin_loss.tolist())), "cv_baseline_min": float(base_loss[j_best]),
        "cv_twin_combined": float(cv_loss(ex, w_twin @ np.nan_to_num(twin_cv), loss)[0]),
        "cv_baseline_combined": float(cv_loss(ex, w_base @ np.nan_to_num(base_cv), loss)[0]),
        "twin": scores(ex, pred), "baseline": scores(ex, base), "baseline_least_squares": scores(ex, base_ls),
        "baseline_model": change_point_at(ex, j_best, ex.train), "baseline_models": models, "baseline_least_squares_model": cp_ls,
        "fits": fits, "parameters": best["parameters"] if best else next(iter(fits.values()))["parameters"],
        "ess": float(min(f["ess"] for f in fits.values())), "train_coverage_90": float(inside[ex.train].mean()),
        "train_days": int(ex.train.sum()), "test_days": int(ex.test.sum()),
        "measured_test_kwh": float(ex.y[ex.test].sum()), "twin_test_kwh": float(pred[ex.test].sum()), "baseline_test_kwh": float(base[ex.test].sum()),
        "series": pd.DataFrame({"start": ex.starts, "measured_kwh": ex.y, "twin_kwh": pred, "twin_p5_kwh": p5,
                                "twin_p95_kwh": p95, "baseline_kwh": base, "train": ex.train, "test": ex.test}),
        "report": ex.report, "seconds": time.perf_counter() - t0,
    }


__all__ = ["AMPDS2", "AMPDS2_H_TR_LOW", "DATASETS", "GAS_KWH_PER_M3", "LCM", "Dataset", "Experiment",
           "ampds2_priors", "baseline_cv_predictions", "cv_loss", "fit_twin", "load", "run", "scores", "setup", "stack_weights",
           "switchover_grid", "training_folds", "twin_cv_predictions"]
