"""Calibrate the buildings of a scene that have their own meter (``twin calibrate``).

:func:`calibrate_buildings` takes a scene, its weather for the metered period and clean meter
readings (:func:`twin.calibration.meters.read_meters`) and returns the posterior of every
metered building's parameters (:mod:`twin.calibration.posterior`), with in-sample and, when
``train_until`` holds periods back, out-of-sample fit statistics (:mod:`twin.calibration.metrics`).

Steps:

1. the scene's stock is prepared once (:func:`twin.energy.stock.prepare_stock`: envelope,
   urban shading, drivers from the weather);
2. every reading must lie inside the weather's hours (an error names the first one outside);
3. implausible magnitudes are errors (a unit slip: Wh read as kWh, or a meter of several
   buildings; :func:`check_magnitudes`): the mean power of a reading of a day or longer, and
   of every calendar day of shorter readings, above :data:`MAX_W_M2` W per m2 of heated floor
   area; a reading shorter than a day above what the building's heating plant can draw
   (:func:`max_plant_power_w`); then readings shorter than a day are summed into days
   (:func:`twin.calibration.meters.to_days`);
4. the meter's carrier must be the carrier of the heating the scene models, unless the scene's
   heating system is only a default (:func:`check_carriers`: the meter's carrier is then data
   and replaces it, recorded in ``system_note`` and the report); an electricity meter on a
   building not heated by electricity is an error (it measures appliances, not heating);
5. a building with fewer readings to fit than parameters is an error
   (:func:`check_enough_readings`: not identifiable);
6. buildings with the same periods are calibrated together (one forward model per period
   layout; most meter files have one);
7. the posterior of each building, its draws and its predictive readings.
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

#: Largest plausible mean power over a day or longer, W per m2 of heated floor area: the design
#: heat load of the worst un-insulated dwellings is about 150-200 W/m2 at the coldest hour (about
#: 5 W/(m2 K) of transmission and ventilation per m2 of floor times a 28 K design difference,
#: Brussels -8 degC; EN 12831), so a day, a month or a year averaging more than this is not one
#: building's heating; a unit slip by 1000 (Wh given as kWh) lands far beyond it. Not a ceiling
#: of a single hour: a combi boiler heating hot water at full power draws far more per m2 of a
#: small flat (:func:`max_plant_power_w`).
MAX_W_M2 = 400.0

#: Smallest ceiling of the power of one building's heating plant, kW of the meter's carrier,
#: whatever its floor area: the largest wall-hung combi boilers sold for dwellings deliver about
#: 35-40 kW of instantaneous hot water (e.g. Vaillant ecoTEC plus 938: 38 kW; Intergas Xtreme 36:
#: 36 kW), about 40-45 kW of gas at their efficiency; 60 kW leaves a margin. A small flat's
#: hour at full combi power (24 kW on 45 m2: 533 W/m2) is a real reading.
MIN_PLANT_KW = 60.0

#: Ceiling of a heating plant's power per m2 of heated floor area, W of the meter's carrier: the
#: worst design heat load (about 200 W/m2, :data:`MAX_W_M2`) with hot water on top, a boiler
#: oversized 1.5-2 times (usual in old installations) and a seasonal efficiency of 0.8
#: (``oil_boiler_efficiency``): about 500 W/m2. Bounds the hours of large buildings.
MAX_PLANT_W_M2 = 500.0

#: Meter carrier -> the final-energy carrier of the heating systems it reads
#: (:data:`twin.energy.results.SYSTEMS`, ``OPT_IN_SYSTEMS``): a heat meter reads district heat.
SYSTEM_CARRIER_OF_METER = {"gas": "gas", "oil": "oil", "heat": "district_heat", "electricity": "electricity"}
METER_OF_SYSTEM_CARRIER = {v: k for k, v in SYSTEM_CARRIER_OF_METER.items()}

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
        ``cv_rmse_test_pct`` (held-out periods, NaN without), ``system_note`` (the meter's
        carrier replacing a default system, :func:`check_carriers`; a boiler of the meter's fuel).
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


def max_plant_power_w(a_f_m2: np.ndarray) -> np.ndarray:
    """Ceiling of the power a building's heating plant can draw, W of the meter's carrier: the
    larger of :data:`MIN_PLANT_KW` (a large combi boiler) and :data:`MAX_PLANT_W_M2` times the
    heated floor area ``a_f_m2`` (m2)."""
    return np.maximum(MIN_PLANT_KW * 1000.0, MAX_PLANT_W_M2 * np.asarray(a_f_m2, dtype=float))


def _slip(what: str, w_m2: float, limit: str, r, path) -> InputError:
    return InputError(f"{what} is a mean {w_m2:,.0f} W per m2 of heated floor area ({limit}): a wrong unit (Wh given as kWh?) or a meter "
                      "of several buildings", path=path, obj=f"row {r['row']} (building {r['building_id']!r})", field="kwh")


def check_magnitudes(readings: pd.DataFrame, a_f_m2: pd.Series, *, tz=None, path: str | None = None) -> None:
    """Readings no single building's heating can give are an error (a unit slip, or a meter of
    several buildings).

    Three ceilings, so that a real reading passes and a slip by 1000 (Wh given as kWh) does not:

    * a reading of a day or longer: mean power at most :data:`MAX_W_M2` W per m2 of heated floor
      area;
    * a reading shorter than a day (an hour of a smart meter): mean power at most what the
      building's plant can draw (:func:`max_plant_power_w`: at least a large combi boiler, so
      a small flat's hour at full power passes);
    * every calendar day (of ``tz``) of the shorter readings: their energy at most
      :data:`MAX_W_M2` W per m2 over 24 h (a whole file in Wh fails here even where an hour
      alone would pass).

    Parameters
    ----------
    readings
        Building readings: ``building_id``, ``start``, ``end`` (tz-aware), ``kwh``, ``row``.
    a_f_m2
        Heated floor area by building id, m2 (a building without one is not checked).
    tz
        Time zone of the calendar days (default UTC).
    path
        The meter file, named in the error.

    Raises
    ------
    InputError
        Naming the file, the row of the first such reading (the first of its day), its building
        and ``kwh``.
    """
    if len(readings) == 0:
        return
    start, end = pd.DatetimeIndex(readings["start"]), pd.DatetimeIndex(readings["end"])
    hours = ((end - start) / pd.Timedelta(hours=1)).to_numpy()
    area = a_f_m2.reindex(readings["building_id"].to_numpy()).to_numpy(dtype=float)
    kwh = readings["kwh"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = kwh * 1000.0 / hours
        w_m2 = w / area
    long = hours >= 24.0 - 1e-9
    bad = np.isfinite(w_m2) & long & (w_m2 > MAX_W_M2)
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        raise _slip(f"{kwh[j]:,.0f} kWh over {hours[j]:g} h", w_m2[j], f"plausible over a day or longer: below {MAX_W_M2:g}",
                    readings.iloc[j], path)
    ceiling = max_plant_power_w(area)
    bad = np.isfinite(w_m2) & ~long & (w > ceiling)
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        raise _slip(f"{kwh[j]:,.0f} kWh over {hours[j]:g} h, {w[j] / 1000.0:,.0f} kW,", w_m2[j],
                    f"plausible: below {ceiling[j] / 1000.0:,.0f} kW, the most a heating plant of {area[j]:,.0f} m2 draws: "
                    f"{MIN_PLANT_KW:g} kW or {MAX_PLANT_W_M2:g} W per m2", readings.iloc[j], path)
    short = np.flatnonzero(~long & np.isfinite(area))
    if not len(short):
        return
    day = start[short].tz_convert(tz or "UTC").normalize()
    days = pd.DataFrame({"i": short, "b": readings["building_id"].to_numpy()[short], "day": day, "kwh": kwh[short]})
    per_day = days.groupby(["b", "day"], sort=False).agg(kwh=("kwh", "sum"), i=("i", "min"), n=("i", "size"))
    with np.errstate(invalid="ignore", divide="ignore"):
        day_w_m2 = per_day["kwh"].to_numpy() * 1000.0 / 24.0 / area[per_day["i"].to_numpy()]
    bad = day_w_m2 > MAX_W_M2
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        j = int(per_day["i"].iloc[k])
        d = per_day.index[k][1]
        raise _slip(f"the {int(per_day['n'].iloc[k])} readings of {d.date()} sum to {per_day['kwh'].iloc[k]:,.0f} kWh, which over the "
                    "day", day_w_m2[k], f"plausible over a day: below {MAX_W_M2:g}", readings.iloc[j], path)


def check_carriers(readings: pd.DataFrame, envelope: pd.DataFrame, *, path: str | None = None) -> dict[str, str]:
    """The carrier of every building's meter is that of the heating the scene models, unless the
    scene's system is only a default.

    An electricity meter on a building whose modelled system burns gas or oil (or buys district
    heat) measures its lights, appliances and the heating's pumps and fans, not its heat; the
    model has no appliance load, so fitting it as heating is a silent wrong result: an error,
    whatever the system's source (a building has an electricity meter whatever heats it, so the
    meter is no evidence of electric heating, nor of which: direct or a heat pump). A gas, oil
    or heat meter says what heats the building: where the scene's system is a default or comes
    from the typology (``system_source``, :func:`twin.energy.sampled.is_prior`; or the scene has
    no system) the meter is the better data and its carrier replaces the system's (the
    forward model takes a boiler of that fuel, or reads the heat itself); where the system came
    from data, the user or a measure, a meter of another carrier contradicts it: an error.

    Parameters
    ----------
    readings
        Building readings: ``building_id``, ``carrier``, ``row``.
    envelope
        The scene's envelope rows: ``building_id``, ``system``, ``system_source``.
    path
        The meter file, named in the error.

    Returns
    -------
    dict
        ``{building_id: note}`` for every building whose default system's carrier the meter
        replaced (e.g. ``"carrier heat from its meter (data); the scene's system gas_boiler was a default"``).

    Raises
    ------
    InputError
        Naming the meter file, the first such building (its row), the meter's carrier and the
        modelled system with its source, and what to do.
    """
    from twin.energy.results import OPT_IN_SYSTEMS, SYSTEMS
    from twin.energy.sampled import is_prior

    if len(readings) == 0:
        return {}
    first = readings.drop_duplicates("building_id")
    env = envelope.assign(building_id=envelope["building_id"].astype(str)).drop_duplicates("building_id").set_index("building_id")
    env = env.reindex(first["building_id"].astype(str).to_numpy())
    system = env["system"].astype(object).where(env["system"].notna(), "").astype(str).to_numpy() if "system" in env else np.full(len(env), "")
    source = (env["system_source"].astype(object).where(env["system_source"].notna(), "").astype(str).to_numpy() if "system_source" in env
              else np.full(len(env), ""))
    weak = (is_prior(env.reset_index(drop=True), "system") if "system_source" in env else np.ones(len(env), bool)) | (system == "")
    weak |= pd.Series(source).str.startswith("inferred").to_numpy()
    carriers = {**SYSTEMS, **OPT_IN_SYSTEMS}
    notes: dict[str, str] = {}
    ids, meters, rows = first["building_id"].astype(str), first["carrier"].astype(str), first["row"]
    for bid, meter, row, s, src, w in zip(ids, meters, rows, system, source, weak):
        modelled = carriers.get(s)
        if modelled is None and s:
            continue  # an unknown system: the forward model names it
        wanted = SYSTEM_CARRIER_OF_METER.get(meter)
        if modelled == wanted:
            continue
        what = (f"system {s}" + (f" ({src})" if src else "")) if s else "a system it does not give"
        if meter == "electricity":
            raise InputError(f"an electricity meter on a building the scene models as heated by {what}: it measures lights, appliances and "
                             "the heating's pumps and fans, not the heating, and the model has no appliance load to fit it to; give the "
                             "meter of its heating carrier (gas, oil or heat); an electricity meter calibrates only a building the scene "
                             "models with an electric system (heat pump, direct electric)"
                             + (": declare it with the heating_system column of an overrides table (twin ingest --overrides, docs/calibration.md)"
                                if w else ""), path=path, obj=f"row {row} (building {bid!r})",
                             field="carrier")
        if not w:
            raise InputError(f"a{'n' if meter[0] in 'aeiou' else ''} {meter} meter on a building the scene models as heated by {what}, "
                             f"a{'n' if modelled[0] in 'aeiou' else ''} {modelled} system: the meter and the "
                             f"scene disagree on its heating carrier; give its {METER_OF_SYSTEM_CARRIER[modelled]} meter (or remove its rows), or correct the "
                             "building's system", path=path, obj=f"row {row} (building {bid!r})", field="carrier")
        notes[bid] = f"carrier {meter} from its meter (data); " + (f"the scene's system {s} was a default" if s else "the scene gives no heating system")
    return notes


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
        model cannot simulate (named with its problem), a meter whose carrier does not heat the
        building as the scene models it (:func:`check_carriers`), too many buildings.
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
    env = prep.envelope
    ids = env["building_id"].astype(str)
    # the readings as given (an hour of a smart meter, a calendar day of hours), before summing days
    check_magnitudes(readings, pd.Series(env["a_f_m2"].to_numpy(dtype=float), index=ids.to_numpy()), tz=drivers.time.tz, path=meter_file)
    readings = to_days(readings, drivers.time.tz, report)
    excluded = set(prep.excluded["building_id"].astype(str)) if len(prep.excluded) else set()
    metered = pd.Index(readings["building_id"].unique())
    bad = [b for b in metered if b in excluded or b not in set(ids)]
    if bad:
        why = prep.excluded[prep.excluded["building_id"].astype(str) == bad[0]]
        reason = why.iloc[0]["reason"] if len(why) else "not in the envelope table"
        raise InputError(f"a metered building cannot be simulated: {reason}", path=meter_file, obj=f"building {bad[0]!r}", field="building_id")
    carrier_notes = check_carriers(readings, env, path=meter_file)
    if carrier_notes:
        counts = readings.drop_duplicates("building_id").set_index("building_id")["carrier"].reindex(list(carrier_notes)).value_counts()
        first = next(iter(carrier_notes))
        report.append({"step": "carriers", "rows": len(carrier_notes),
                       "detail": f"{len(carrier_notes):,} metered building{'s' if len(carrier_notes) > 1 else ''} heated by the carrier of "
                                 f"{'their' if len(carrier_notes) > 1 else 'its'} meter "
                                 f"({', '.join(f'{c}: {n}' for c, n in counts.items())}), not by the scene's default system "
                                 f"(first: {first!r}, {carrier_notes[first]}; system_note in summary.json)"})
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
        s["system_note"] = ["; ".join(x for x in (carrier_notes.get(b, ""), notes.get(b, "")) if x) for b in bids]
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


__all__ = ["BuildingCalibration", "MAX_NAMED", "MAX_PLANT_W_M2", "MAX_W_M2", "METER_OF_SYSTEM_CARRIER", "MIN_PLANT_KW", "SYSTEM_CARRIER_OF_METER", "calibrate_buildings",
           "check_carriers", "check_coverage", "check_enough_readings", "check_holds_out", "check_magnitudes", "check_some_consumption",
           "layouts", "max_plant_power_w"]
