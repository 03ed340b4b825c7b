"""Calibrate the buildings of a scene that have their own meter (``twin calibrate``).

:func:`calibrate_buildings` takes a scene, its weather for the metered period and clean meter
readings (:func:`twin.calibration.meters.read_meters`) and returns the posterior of every
metered building's parameters (:mod:`twin.calibration.posterior`), with in-sample and, when
``train_until`` holds periods back, out-of-sample fit statistics (:mod:`twin.calibration.metrics`).

Steps:

1. the scene's stock is prepared once (:func:`twin.energy.stock.prepare_stock`: envelope,
   urban shading, drivers from the weather);
2. every reading must lie inside the weather's hours (an error names the first one outside);
   readings shorter than a day are summed into days (:func:`twin.calibration.meters.to_days`);
3. a reading whose mean power exceeds :data:`MAX_W_M2` W per m2 of heated floor area is an
   error (a unit slip: Wh read as kWh, or a meter of several buildings);
4. a building with fewer readings to fit than parameters is an error
   (:func:`check_enough_readings`: not identifiable);
5. buildings with the same periods are calibrated together (one forward model per period
   layout; most meter files have one);
6. the posterior of each building, its draws and its predictive readings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from twin.calibration.forward import ForwardModel, Layout
from twin.calibration.metrics import cv_rmse, nmbe
from twin.calibration.parameters import PARAMETERS, PriorSet, load_calibration_priors, sigma_prior
from twin.calibration.posterior import Noise, calibrate_posterior
from twin.errors import InputError

#: Largest plausible mean power of a reading, W per m2 of heated floor area: the design heat
#: load of the worst un-insulated dwellings is about 150-200 W/m2 at the coldest hour, so a
#: period (a day, a month) averaging more than this is not one building's heating; a unit slip
#: by 1000 (Wh given as kWh) lands far beyond it.
MAX_W_M2 = 400.0

#: Most buildings calibrated in one call (memory of the importance sample: about 30 kB each).
MAX_BUILDINGS = 200_000


@dataclass
class BuildingCalibration:
    """Result of :func:`calibrate_buildings`.

    Attributes
    ----------
    summary : pandas.DataFrame
        One row per calibrated building: ``building_id``, ``carrier``, ``periods``, for each
        parameter ``<p>_p5``, ``<p>_p50``, ``<p>_p95``, ``ess``, ``converged``,
        ``nmbe_fit_pct`` / ``cv_rmse_fit_pct`` (in sample), ``nmbe_test_pct`` /
        ``cv_rmse_test_pct`` (held-out periods, NaN without), ``system_note``.
    draws : pandas.DataFrame
        Long table of equally weighted posterior draws: ``building_id``, ``draw``, one column
        per parameter (physical units).
    predictions : pandas.DataFrame
        Per building and period: ``building_id``, ``start``, ``end``, ``measured_kwh``,
        ``predicted_kwh`` (posterior predictive mean), ``p5_kwh``, ``p95_kwh``, ``prior_kwh``
        (the central, uncalibrated model), ``used`` (in the fit).
    posteriors : list of (building ids, Posterior)
        The raw posteriors, per period layout.
    priors : PriorSet
    """

    summary: pd.DataFrame
    draws: pd.DataFrame
    predictions: pd.DataFrame
    posteriors: list = field(default_factory=list)
    priors: PriorSet | None = None
    report: list = field(default_factory=list)


def check_coverage(readings: pd.DataFrame, time: pd.DatetimeIndex, *, path: str | None = None) -> None:
    """Every reading must lie inside the hours of the weather (interval ends ``time``); ``path``:
    the meter file the error names (its ``row`` column holds the file's lines)."""
    first = time[0] - pd.Timedelta(hours=1)
    last = time[-1]
    s, e = pd.DatetimeIndex(readings["start"]), pd.DatetimeIndex(readings["end"])
    out = (s < first) | (e > last)
    if out.any():
        j = int(np.flatnonzero(out)[0])
        r = readings.iloc[j]
        who = r["building_id"] or f"zone {r['zone']}"
        raise InputError(f"reading {s[j]} - {e[j]} of {who} lies outside the weather ({first} - {last}; "
                         f"{int(out.sum()):,} readings outside): give the weather of the metered period", path=path, obj=f"row {r['row']}",
                         field="weather")


def check_magnitudes(readings: pd.DataFrame, a_f_m2: pd.Series, *, path: str | None = None) -> None:
    """A reading whose mean power per m2 is beyond any building's heating is an error (a unit slip);
    ``path``: the meter file the error names."""
    hours = ((pd.DatetimeIndex(readings["end"]) - pd.DatetimeIndex(readings["start"])) / pd.Timedelta(hours=1)).to_numpy()
    area = a_f_m2.reindex(readings["building_id"].to_numpy()).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        w_m2 = readings["kwh"].to_numpy(dtype=float) * 1000.0 / hours / area
    bad = np.isfinite(w_m2) & (w_m2 > MAX_W_M2)
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        r = readings.iloc[j]
        raise InputError(f"{r['kwh']:,.0f} kWh over {hours[j]:g} h is a mean {w_m2[j]:,.0f} W per m2 of heated floor area "
                         f"(plausible: below {MAX_W_M2:g}): a wrong unit (Wh given as kWh?) or a meter of several buildings",
                         path=path, obj=f"row {r['row']} (building {r['building_id']!r})", field="kwh")


#: Most buildings named by :func:`check_enough_readings` (the count is always given).
MAX_NAMED = 10


def readings_fitted(readings: pd.DataFrame, cutoff=None) -> pd.DataFrame:
    """The readings a calibration fits: those ending by ``cutoff`` (``--train-until``; None: all)."""
    return readings if cutoff is None else readings[pd.DatetimeIndex(readings["end"]) <= pd.Timestamp(cutoff)]


def check_enough_readings(readings: pd.DataFrame, parameters: tuple[str, ...], *, cutoff=None, path: str | None = None) -> None:
    """Every metered building has at least as many readings to fit as parameters are calibrated.

    With fewer readings (periods) than parameters the parameters are not identifiable: the
    likelihood is flat along a direction of the parameters and the posterior there is the prior
    (one monthly reading cannot tell a leaky envelope from a high setpoint). Enough readings are
    necessary, not sufficient: four summer months still say little about the envelope.

    Parameters
    ----------
    readings
        Building readings: ``building_id``, ``end`` (tz-aware), ``row`` (their line in ``path``).
    parameters
        The parameters calibrated per building (4; 5 with ``--sigma-rel estimate``).
    cutoff
        Only readings ending by this time are fitted (``--train-until``); None: all.
    path
        The meter file, named in the error.

    Raises
    ------
    InputError
        Naming the meter file and the buildings with too few readings (the first
        :data:`MAX_NAMED`, each with its count).
    """
    if len(readings) == 0:
        return
    fitted = readings_fitted(readings, cutoff)
    counts = fitted.groupby("building_id").size().reindex(pd.unique(readings["building_id"]), fill_value=0)
    few = counts[counts < len(parameters)]
    if not len(few):
        return
    held = f" ending by --train-until {pd.Timestamp(cutoff)}" if cutoff is not None else ""
    named = ", ".join(f"{b!r} ({n})" for b, n in few.iloc[:MAX_NAMED].items()) + (f", ... {len(few) - MAX_NAMED} more" if len(few) > MAX_NAMED else "")
    obj = f"building {few.index[0]!r}" if len(few) == 1 else f"{len(few)} buildings: {named}"
    n = int(few.iloc[0])
    count = f"{n} reading{'' if n == 1 else 's'}" if len(few) == 1 else "too few readings (counts in brackets)"
    raise InputError(f"{count}{held} to fit, fewer than the {len(parameters)} parameters calibrated per building ({', '.join(parameters)}): "
                     f"they are not identifiable; give at least {len(parameters)} readings (periods) per building, e.g. the months of a "
                     "heating season (docs/calibration.md)", path=path, obj=obj, field="building_id")


def check_some_consumption(readings: pd.DataFrame, *, cutoff=None, path: str | None = None) -> None:
    """Every metered building consumed something over the readings fitted.

    A building whose every reading is 0 kWh was "calibrated" (exit 0): the model, which always
    draws some heat and hot water, was pulled towards its lowest corner and its NMBE and CV(RMSE)
    were empty (a mean of zero). A meter that measures nothing is not of this building's heating
    (vacant, or heated by another carrier); fitting it is a silent wrong result.

    Parameters
    ----------
    readings
        Building readings: ``building_id``, ``end`` (tz-aware), ``kwh``.
    cutoff
        Only readings ending by this time are fitted (``--train-until``); None: all.
    path
        The meter file, named in the error.

    Raises
    ------
    InputError
        Naming the meter file, the first such building and how many there are.
    """
    if len(readings) == 0:
        return
    fitted = readings_fitted(readings, cutoff)
    total = fitted.groupby("building_id")["kwh"].sum()
    zero = total[total <= 0.0]
    if not len(zero):
        return
    n = int((fitted["building_id"] == zero.index[0]).sum())
    more = f" ({len(zero)} buildings like it)" if len(zero) > 1 else ""
    raise InputError(f"every one of its {n} readings{' fitted' if cutoff is not None else ''} is 0 kWh{more}: the meter measured no "
                     "heating (a vacant building, or heated by another carrier?); remove its rows, or give the meter that heats it",
                     path=path, obj=f"building {zero.index[0]!r}", field="kwh")


def check_holds_out(readings: pd.DataFrame, cutoff, *, path: str | None = None) -> None:
    """``--train-until`` holds out at least one reading for validation.

    A cutoff at or after the end of every reading fitted them all and left the out-of-sample
    statistics empty (``null``) without a word: an option that changes nothing.

    Parameters
    ----------
    readings
        Building readings: ``end`` (tz-aware).
    cutoff
        The ``--train-until`` time; None: nothing to check.
    path
        The meter file, named in the error.

    Raises
    ------
    InputError
        No reading ends after ``cutoff`` (field ``--train-until``), naming the last end.
    """
    if cutoff is None or len(readings) == 0:
        return
    cutoff = pd.Timestamp(cutoff)
    last = pd.DatetimeIndex(readings["end"]).max()
    if last <= cutoff:
        last = last.tz_convert(cutoff.tz) if cutoff.tz is not None else last
        raise InputError(f"--train-until {cutoff} holds out nothing: every reading ends by then (the last at {last}); "
                         "give a time before the last readings to validate on, or leave the option out", path=path, field="--train-until")


def layouts(readings: pd.DataFrame) -> dict[tuple, tuple[list[str], pd.DatetimeIndex, pd.DatetimeIndex]]:
    """Buildings grouped by identical period lists: key -> (building ids, starts, ends)."""
    out: dict = {}
    for bid, g in readings.groupby("building_id", sort=True):
        s, e = pd.DatetimeIndex(g["start"]), pd.DatetimeIndex(g["end"])
        key = tuple(s.as_unit("ns").asi8) + (-1,) + tuple(e.as_unit("ns").asi8)
        if key not in out:
            out[key] = ([], s, e)
        out[key][0].append(str(bid))
    return out


def calibrate_buildings(
    scene,
    meters,
    *,
    weather=None,
    prepared=None,
    priors: PriorSet | None = None,
    noise: Noise | None = None,
    sigma_rel: str | float | None = None,
    train_until=None,
    n_draws: int = 100,
    n_proposal: int = 384,
    seed: int = 0,
) -> BuildingCalibration:
    """Posterior of the parameters of every building with its own meter (module docstring).

    Parameters
    ----------
    scene
        The scene (its buildings, geometry and weather).
    meters
        :class:`twin.calibration.meters.MeterData` (zone rows are left to
        :mod:`twin.calibration.group`).
    weather
        Hourly weather covering every reading (default: the scene's).
    prepared
        The scene's prepared stock (:func:`twin.energy.stock.prepare_stock`) if already made.
    priors, noise
        Priors of the parameters and the meter noise (default: ``calibration_priors.yaml``).
    sigma_rel
        ``None``: the noise model's relative error; a number: that relative error;
        ``"estimate"``: fitted per building (a fifth parameter).
    train_until
        Periods ending after this time are held out: predicted, not fitted (validation).
    n_draws, n_proposal, seed
        Posterior draws kept, importance draws per building, random seed.

    Raises
    ------
    InputError
        Readings outside the weather, implausible magnitudes, a metered building the energy
        model cannot simulate (named with its problem), too many buildings.
    """
    from twin.calibration.meters import to_days
    from twin.energy.stock import prepare_stock

    p0, _, nz = load_calibration_priors()
    priors = priors or p0
    noise = noise or Noise(nz["relative"], nz["absolute_kwh"], nz["rounding_kwh"])
    if sigma_rel == "estimate":
        noise = Noise(noise.relative, noise.absolute_kwh, noise.rounding_kwh, estimate=True)
        priors = priors.with_parameter(sigma_prior())
    elif sigma_rel is not None:
        noise = Noise(float(sigma_rel), noise.absolute_kwh, noise.rounding_kwh)
    prep = prepared if prepared is not None else prepare_stock(scene, weather)
    drivers = prep.drivers
    report = list(getattr(meters, "report", []))
    readings = meters.buildings() if hasattr(meters, "buildings") else meters
    if len(readings) == 0:
        raise InputError("no reading of a single building (zone totals are calibrated per group)", field="--meters")
    if readings["building_id"].nunique() > MAX_BUILDINGS:
        from twin.errors import ResourceLimitError

        raise ResourceLimitError(f"{readings['building_id'].nunique():,} metered buildings, above the limit of {MAX_BUILDINGS:,}",
                                 field="--meters")
    meter_file = getattr(meters, "path", "") or None
    check_coverage(readings, drivers.time, path=meter_file)
    readings = to_days(readings, drivers.time.tz, report)
    env = prep.envelope
    ids = env["building_id"].astype(str)
    excluded = set(prep.excluded["building_id"].astype(str)) if len(prep.excluded) else set()
    metered = pd.Index(readings["building_id"].unique())
    bad = [b for b in metered if b in excluded or b not in set(ids)]
    if bad:
        why = prep.excluded[prep.excluded["building_id"].astype(str) == bad[0]]
        reason = why.iloc[0]["reason"] if len(why) else "not in the envelope table"
        raise InputError(f"a metered building cannot be simulated: {reason}", path=meter_file, obj=f"building {bad[0]!r}", field="building_id")
    check_magnitudes(readings, pd.Series(env["a_f_m2"].to_numpy(dtype=float), index=ids.to_numpy()), path=meter_file)
    cutoff = None if train_until is None else pd.Timestamp(train_until)
    if cutoff is not None and cutoff.tz is None:
        raise InputError("train_until needs a time zone", field="train_until")
    check_enough_readings(readings, priors.names, cutoff=cutoff, path=meter_file)  # after summing sub-daily readings into days
    check_some_consumption(readings, cutoff=cutoff, path=meter_file)
    check_holds_out(readings, cutoff, path=meter_file)
    pos = pd.Index(ids)
    summaries, draws, preds, posts = [], [], [], []
    from twin.energy.periods import period_index

    for _key, (bids, starts, ends) in layouts(readings).items():
        rows = pos.get_indexer(bids)
        sub = readings[readings["building_id"].isin(bids)]
        y = sub.pivot_table(index="building_id", columns="start", values="kwh", aggfunc="sum").reindex(index=bids, columns=starts)
        carriers = sub.drop_duplicates("building_id").set_index("building_id")["carrier"].reindex(bids).to_numpy()
        lay = Layout(period_index(drivers.time, starts, ends), starts, ends)
        shade = None if prep.shade_factor is None else prep.shade_factor[rows]
        fm = ForwardModel(env.iloc[rows], drivers, lay, carriers, conventions=prep.conventions, factors=prep.factors, shade=shade)
        used = np.ones((len(bids), len(starts)), dtype=bool)
        if cutoff is not None:
            used &= np.asarray(ends <= cutoff)[None, :]
            if not used.any():
                raise InputError(f"no reading ends before train_until {cutoff}", field="train_until")
        post = calibrate_posterior(fm.predict, y.to_numpy(dtype=float), used, priors, noise, n_draws=n_draws, n_proposal=n_proposal,
                                   seed=seed, space=fm.proposal_space(priors))
        central = fm.predict(np.arange(len(bids)), np.full((len(bids), len(PARAMETERS)), np.nan))
        posts.append((bids, post))
        yv = y.to_numpy(dtype=float)
        fit = np.where(used, yv, np.nan)
        test = np.where(~used, yv, np.nan)
        s = {"building_id": bids, "carrier": carriers, "periods": np.full(len(bids), len(starts))}
        for i, name in enumerate(post.names):
            s[f"{name}_p5"], s[f"{name}_p50"], s[f"{name}_p95"] = post.param_q[0][:, i], post.param_q[1][:, i], post.param_q[2][:, i]
        s.update(ess=post.ess, converged=post.converged, nmbe_fit_pct=nmbe(fit, post.pred_mean), cv_rmse_fit_pct=cv_rmse(fit, post.pred_mean),
                 nmbe_test_pct=nmbe(test, post.pred_mean) if (~used).any() else np.nan,
                 cv_rmse_test_pct=cv_rmse(test, post.pred_mean) if (~used).any() else np.nan)
        notes = dict(fm.system_notes)
        s["system_note"] = [notes.get(b, "") for b in bids]
        summaries.append(pd.DataFrame(s))
        d = post.draws.reshape(-1, post.draws.shape[2])
        dt = pd.DataFrame(d, columns=list(post.names))
        dt.insert(0, "draw", np.tile(np.arange(post.draws.shape[1]), len(bids)))
        dt.insert(0, "building_id", np.repeat(bids, post.draws.shape[1]))
        draws.append(dt)
        n_p = len(starts)
        preds.append(pd.DataFrame({
            "building_id": np.repeat(bids, n_p), "start": np.tile(starts, len(bids)), "end": np.tile(ends, len(bids)),
            "measured_kwh": yv.ravel(), "predicted_kwh": post.pred_mean.ravel(), "p5_kwh": post.pred_p5.ravel(),
            "p95_kwh": post.pred_p95.ravel(), "prior_kwh": central.ravel(), "used": used.ravel()}))
    for _bids, post in posts:
        low = int((post.ess < 30).sum())
        if low:
            report.append({"step": "posterior", "rows": low, "detail": f"{low} buildings with an effective sample size below 30 "
                                                                        "(their posterior is poorly represented)"})
    return BuildingCalibration(pd.concat(summaries, ignore_index=True), pd.concat(draws, ignore_index=True),
                               pd.concat(preds, ignore_index=True), posts, priors, report)


__all__ = ["BuildingCalibration", "MAX_NAMED", "MAX_W_M2", "calibrate_buildings", "check_coverage", "check_enough_readings", "check_holds_out", "check_magnitudes", "check_some_consumption",
           "layouts"]
