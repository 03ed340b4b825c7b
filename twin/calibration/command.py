"""What ``twin calibrate`` and ``twin sync`` do: read, check, fit, write (the command line stays thin).

``twin calibrate`` writes a folder (replaced whole, :func:`twin.io.staged.staged_dir`, and only
when an earlier ``twin calibrate`` wrote it: :func:`twin.io.staged.check_writer`):

* ``scene/``: the calibrated scene (GeoParquet layers; the calibration columns of
  :mod:`twin.calibration.writeback` on the buildings layer; ``written_by: twin calibrate`` in its
  ``scene.json``, so ``twin ingest`` or ``twin export`` do not replace it);
* ``calibration.parquet``: those columns alone, keyed by ``building_id`` (what a scenario or
  :func:`twin.calibration.writeback.apply_calibration` puts on another copy of the scene);
* ``posterior_draws.parquet``: the equally weighted posterior draws of every metered building;
* ``predictions.parquet``: measured, predicted (posterior predictive mean and 5-95 % band) and
  uncalibrated readings of every period;
* ``summary.json``: the cleaning report, the fit of every building, the group results and the
  run's options.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import InputError

#: Names that mark an existing folder as an earlier ``twin calibrate`` output.
CALIBRATE_MARKERS = ("calibration.parquet", "summary.json")

#: The writer ``twin calibrate`` records in the ``scene.json`` of its ``scene/``; an existing OUT
#: is replaced only when it was written by this command (:func:`twin.io.staged.check_writer`:
#: ``calibration.parquet`` marks it), so ``-o`` naming energy results or a scene is refused.
CALIBRATE_WRITER = "twin calibrate"


def _scene_and_weather(scene_paths, weather, daily_weather=None, *, utc_offset_h=None, latitude_deg=None, longitude_deg=None,
                       report=None):
    from twin.workflows.scene_loading import load_scene

    scene = load_scene(scene_paths)
    if daily_weather is not None:
        from twin.calibration.weather import read_daily_temperatures

        if utc_offset_h is None or latitude_deg is None or longitude_deg is None:
            raise InputError("a daily weather table needs --utc-offset, --latitude and --longitude", field="--daily-weather")
        return scene, read_daily_temperatures(daily_weather, utc_offset_h=utc_offset_h, latitude_deg=latitude_deg,
                                              longitude_deg=longitude_deg, report=report)
    if weather is not None:
        from twin.io.epw import read_epw

        return scene, read_epw(weather)
    if scene.weather is None:
        raise InputError("no weather: give --weather (the weather of the metered period)", field="--weather")
    return scene, scene.weather


def calibrate_command(
    scene_paths,
    *,
    out: Path,
    meters=None,
    weather=None,
    daily_weather=None,
    utc_offset_h: float | None = None,
    latitude_deg: float | None = None,
    longitude_deg: float | None = None,
    classes=None,
    tz: str | None = None,
    drop_unknown: bool = False,
    gas_kwh_per_m3: float | None = None,
    sigma_rel=None,
    train_until=None,
    draws: int = 100,
    samples: int = 40,
    seed: int = 0,
    priors=None,
) -> tuple[list[str], dict]:
    """Calibrate a scene to meter readings and/or certificate classes; write OUT (module docstring).

    Returns the lines printed by the command and the summary.
    """
    from twin.calibration.calibrate import calibrate_buildings, check_enough_readings, check_holds_out, check_some_consumption
    from twin.calibration.group import calibrate_classes, load_class_targets
    from twin.calibration.meters import read_meters
    from twin.calibration.parameters import SIGMA_PARAMETER, load_calibration_priors
    from twin.calibration.writeback import building_table, group_table, strip_calibration, write_back
    from twin.energy.stock import prepare_stock
    from twin.io.output_checks import check_output_folder
    from twin.io.staged import check_writer

    if meters is None and classes is None:
        raise InputError("nothing to calibrate to: give --meters FILE and/or --classes (brussels or a FILE)", field="--meters")
    if not 1 <= int(draws) <= 1000:
        raise InputError("--draws must be from 1 to 1000", field="--draws")
    if not 2 <= int(samples) <= 1000:
        raise InputError("--samples must be from 2 to 1000", field="--samples")
    scene_list = [scene_paths] if isinstance(scene_paths, (str, os.PathLike)) else list(scene_paths)
    out = Path(out)
    classes_file = None if classes in (None, "brussels") else classes
    check_output_folder(out, inputs=[*scene_list, meters, weather, daily_weather, classes_file, priors], owned=CALIBRATE_MARKERS, field="--out")
    check_writer(out, CALIBRATE_WRITER, field="--out")
    p_set, shift_prior, noise_cfg = load_calibration_priors(priors)  # checked before the scene is read
    if classes_file is not None:
        from twin.calibration.class_targets_check import check_class_targets_table

        check_class_targets_table(classes_file)
    targets = load_class_targets(classes_file) if classes is not None else None
    report: list = []
    scene, weather_obj = _scene_and_weather(scene_list, weather, daily_weather, utc_offset_h=utc_offset_h, latitude_deg=latitude_deg,
                                            longitude_deg=longitude_deg, report=report)
    base_scene = strip_calibration(scene)
    b = base_scene.buildings
    ids = b["building_id"].astype(str)
    md = None
    if meters is not None:
        addresses = pd.Series(ids.to_numpy(), index=b["address"].astype(str).to_numpy()) if "address" in b else None
        md = read_meters(meters, building_ids=ids, addresses=addresses, zones={"*": "every building"}, tz=tz,
                         unknown="drop" if drop_unknown else "error", gas_kwh_per_m3=gas_kwh_per_m3)
        report += md.report
        fitted = (*p_set.names, *((SIGMA_PARAMETER,) if sigma_rel == "estimate" else ()))
        check_enough_readings(md.buildings(), fitted, cutoff=train_until, path=str(meters))  # before the stock is simulated
        check_holds_out(md.buildings(), train_until, path=str(meters))
        check_some_consumption(md.buildings(), cutoff=train_until, path=str(meters))
    prep = prepare_stock(base_scene, weather_obj)
    tables, summary, lines = [], {"report": report}, []
    if classes is not None:
        res = [g for g in b.loc[b["use"].astype(str) == "residential", "building_id"].astype(str)]
        cc = calibrate_classes(base_scene, prep, targets=targets, group_ids=res, shift_prior=shift_prior, n_samples=samples, seed=seed)
        p = cc.posterior
        tables.append(group_table(cc.group_ids, "residential", p, f"grid posterior on EPB class shares ({len(targets)} targets, {samples} stock samples)",
                                  cc.conditional))
        summary["classes"] = {
            "group": "residential", "buildings": len(cc.group_ids), "h_tr_shift": {"p5": p.p5, "median": p.median, "p95": p.p95},
            "support": list(p.bounds),
            "shift_given_sample": {k: cc.conditional[k] for k in ("prior_mu", "prior_sd", "node_low", "node_high", "sample_ess", "samples")},
            "targets": [{"target": t.target, "classes": list(t.classes), "published": t.share, "sd": t.sd, "use": t.use,
                         "relation": t.relation, "source": t.source,
                         "uncalibrated_p5_p50_p95": cc.uncalibrated_share[t.target],
                         "prior_p5_p50_p95": cc.prior_share[t.target], "calibrated_p5_p50_p95": cc.posterior_share[t.target],
                         "calibrated_cut_p5_p50_p95": cc.conditional["cut_share"][t.target]}
                                                   for t in targets], "samples": samples, "seconds": cc.seconds}
        for t in targets:
            lo, mid, hi = cc.posterior_share[t.target]
            u = cc.uncalibrated_share[t.target]
            lines.append(f"classes {t.target} ({','.join(t.classes)}) [{t.use}]: published {100 * t.share:.0f} %, stock priors "
                         f"{100 * u[1]:.1f} % [{100 * u[0]:.1f}, {100 * u[2]:.1f}], calibrated {100 * mid:.1f} % [{100 * lo:.1f}, {100 * hi:.1f}]")
        lines.append(f"residential envelope shift (factor on U): {p.median:.3f} [{p.p5:.3f}, {p.p95:.3f}] (support {p.bounds[0]:g}-{p.bounds[1]:g})")
        lines.append(f"stock samples kept at their prior weights (effective number under the joint posterior {cc.conditional['sample_ess']:.1f} "
                     f"of {cc.conditional['samples']}); a run draws each sample's shift given the sample")
    if md is not None and len(md.buildings()):
        noise = None
        from twin.calibration.posterior import Noise

        noise = Noise(noise_cfg["relative"], noise_cfg["absolute_kwh"], noise_cfg["rounding_kwh"])
        cal = calibrate_buildings(base_scene, md, prepared=prep, priors=p_set, noise=noise, sigma_rel=sigma_rel, train_until=train_until,
                                  n_draws=draws, seed=seed)
        report += [r for r in cal.report if r not in report]
        tables.append(building_table(cal, "laplace-is"))
        s = cal.summary
        summary["buildings"] = s.to_dict(orient="records")
        ok = s["ess"] >= 30
        lines.append(f"calibrated {len(s)} metered buildings ({int(ok.sum())} with an effective sample size >= 30); in-sample NMBE median "
                     f"{np.nanmedian(s['nmbe_fit_pct']):+.1f} %, CV(RMSE) median {np.nanmedian(s['cv_rmse_fit_pct']):.1f} %")
        if np.isfinite(s["nmbe_test_pct"]).any():
            g14 = (s["nmbe_test_pct"].abs() <= 5) & (s["cv_rmse_test_pct"] <= 15)
            lines.append(f"held-out periods: NMBE median {np.nanmedian(s['nmbe_test_pct']):+.1f} %, CV(RMSE) median "
                         f"{np.nanmedian(s['cv_rmse_test_pct']):.1f} %; Guideline 14 (5 % / 15 %) met by {100 * g14.mean():.0f} % of buildings")
    else:
        cal = None
    if md is not None and len(md.zones()):
        report.append({"step": "zones", "rows": int(len(md.zones())), "detail": f"{len(md.zones()):,} zone-total readings kept in the "
                       "predictions but not fitted: a zone total is calibrated by a group fit (docs/calibration.md, limits)"})
    calibrated = write_back(base_scene, tables)
    summary["options"] = {"meters": None if meters is None else str(meters), "classes": classes if classes is None else str(classes),
                          "weather": str(weather or daily_weather or "scene"), "seed": seed, "draws": draws, "samples": samples,
                          "sigma_rel": sigma_rel, "train_until": None if train_until is None else str(train_until), "priors": p_set.source}
    _write(out, calibrated, tables, cal, summary)
    for r in report:
        lines.insert(0, f"cleaning: {r['step']}: {r['detail']}")
    lines.append(f"written to {out} (calibrated scene in {out / 'scene'}; calibration columns for scenarios in {out / 'calibration.parquet'})")
    return lines, summary


def _write(out: Path, scene, tables, cal, summary) -> None:
    from twin.calibration.writeback import calibration_table
    from twin.export.layers import write_scene_files
    from twin.io.json_out import to_json_text
    from twin.io.staged import staged_dir

    with staged_dir(out, owned=CALIBRATE_MARKERS, field="--out", written_by=CALIBRATE_WRITER) as tmp:
        (tmp / "scene").mkdir()
        write_scene_files(scene, tmp / "scene", written_by=CALIBRATE_WRITER)
        calibration_table(scene).to_parquet(tmp / "calibration.parquet", index=False)
        if cal is not None:
            cal.draws.to_parquet(tmp / "posterior_draws.parquet", index=False)
            cal.predictions.to_parquet(tmp / "predictions.parquet", index=False)
        (tmp / "summary.json").write_text(to_json_text(summary), encoding="utf-8")


# ---------------------------------------------------------------------------------- sync

@contextmanager
def _naming_the_weather(path) -> Iterator[None]:
    """An error about the weather's hours raised without a file (``field 'weather'``: a start or a
    forecast the weather does not hold) names the weather file and ``--weather``."""
    try:
        yield
    except InputError as exc:
        if exc.path is not None or exc.field != "weather":
            raise
        raise type(exc)(exc.message, path=path, obj=exc.obj, field="--weather") from None


def _forward_for_state(env: pd.DataFrame, shade, carriers, drivers):
    from twin.calibration.forward import ForwardModel
    from twin.calibration.sync import day_layout
    from twin.energy.model import Conventions

    return ForwardModel(env, drivers, day_layout(drivers), carriers, conventions=Conventions(), shade=shade)


#: The keys of every sync state (:func:`twin.calibration.sync.save_state`), older ones included.
STATE_KEYS = frozenset({"z", "theta_m", "meta", "env", "shade"})

#: The writer of the forecast table (a CSV records none: its header tells it, :data:`FORECAST_COLUMNS`).
FORECAST_WRITER = "twin sync forecast"

#: The header of the table ``twin sync forecast -o`` writes (:meth:`twin.calibration.sync.SyncFilter.forecast`).
FORECAST_COLUMNS = ("building_id", "day", "p5_kwh", "p50_kwh", "p95_kwh", "mean_kwh")


def state_writer(path: Path) -> tuple[str | None, str]:
    """The writer of an existing ``.npz`` file, for :func:`twin.io.output_checks.check_file_writer`.

    A sync state records ``written_by`` in its ``meta``; a state of an older twin records none
    but is recognised by its keys (:data:`STATE_KEYS`) and a ``meta`` with ``next_time``: it is
    taken for one of ``twin sync`` (only twin sync writes that layout). Any other file (a numpy
    archive of the user's, a file that is not a zip archive) records no writer.
    """
    from twin.calibration.sync import SYNC_WRITER

    try:
        with open(path, "rb") as fh:
            if fh.read(4) != b"PK\x03\x04":
                return None, "a file that is not a .npz archive"
        with np.load(path, allow_pickle=False) as d:
            keys = set(d.files)
            meta = json.loads(str(d["meta"])) if "meta" in keys else None
    except (OSError, ValueError, KeyError, EOFError, json.JSONDecodeError, zipfile.BadZipFile):
        return None, "a .npz archive twin cannot read"
    if not STATE_KEYS <= keys or not isinstance(meta, dict) or "next_time" not in meta:
        shown = ", ".join(sorted(keys)[:4]) + (", ..." if len(keys) > 4 else "")
        return None, f"a .npz archive that is not a sync state (arrays {shown or 'none'})"
    found = meta.get("written_by", SYNC_WRITER)
    return (found if isinstance(found, str) else None), "a sync state"


def check_state_output(out: Path, inputs) -> None:
    """Every check of the state file of ``twin sync init -o`` (path, inputs, and that an existing
    file is a sync state: :func:`state_writer`)."""
    from twin.calibration.sync import SYNC_WRITER
    from twin.io.output_checks import check_file_writer, check_output_file

    check_output_file(out, inputs=inputs, field="--out")
    check_file_writer(out, SYNC_WRITER, state_writer, field="--out")


def check_forecast_output(out: Path, inputs) -> None:
    """Every check of the table of ``twin sync forecast -o``: an existing CSV is replaced only if its
    header is :data:`FORECAST_COLUMNS` (a readings or meters table is refused)."""
    from twin.io.output_checks import check_file_writer, check_output_file, csv_writer_of

    check_output_file(out, inputs=inputs, field="--out")
    check_file_writer(out, FORECAST_WRITER, csv_writer_of(FORECAST_COLUMNS, FORECAST_WRITER), field="--out")


def sync_init(scene_paths, *, weather, start, out: Path, members: int = 32, seed: int = 0, from_prior: bool = False) -> list[str]:
    """A filter state for the calibrated buildings of a scene (``twin sync init``)."""
    from twin.calibration.sync import SyncFilter, save_state
    from twin.energy.stock import prepare_stock
    from twin.io.time_option import aware_time_option

    out = Path(out)
    if out.suffix.lower() != ".npz":
        raise InputError(f"the sync state is a .npz file, not {out.suffix or 'a name without suffix'!r}", path=out, field="--out")
    if not 4 <= int(members) <= 512:
        raise InputError("--members must be from 4 to 512", field="--members")
    t0 = aware_time_option(start, "--start")
    state_inputs = [*([scene_paths] if isinstance(scene_paths, (str, os.PathLike)) else scene_paths), weather]
    check_state_output(out, state_inputs)  # an existing .npz is replaced only if it is a sync state
    scene, w = _scene_and_weather([scene_paths] if isinstance(scene_paths, (str, os.PathLike)) else scene_paths, weather)
    from twin.energy.calibrated import KIND_COLUMN

    b = scene.buildings
    if from_prior:
        ids = b["building_id"].astype(str).tolist()
    else:
        if KIND_COLUMN not in b or not (b[KIND_COLUMN].astype(str) == "building").any():
            raise InputError("no building of the scene is calibrated to its own meter: run twin calibrate --meters READINGS.csv first "
                             "(a --classes fit calibrates groups, not buildings), or use --from-prior", field="SCENE")
        ids = b.loc[b[KIND_COLUMN].astype(str) == "building", "building_id"].astype(str).tolist()
    from twin.calibration.writeback import strip_calibration

    prep = prepare_stock(strip_calibration(scene), w)
    env = prep.envelope.set_index(prep.envelope["building_id"].astype(str)).reindex(ids).reset_index(drop=True)
    if env["a_f_m2"].isna().any():
        raise InputError("a building to sync cannot be simulated (excluded by the energy model)", field="building_id")
    pos = pd.Index(prep.envelope["building_id"].astype(str)).get_indexer(ids)
    shade = None if prep.shade_factor is None else prep.shade_factor[pos]
    from twin.calibration.calibrate import METER_OF_SYSTEM_CARRIER
    from twin.energy.results import OPT_IN_SYSTEMS, SYSTEMS

    # the carrier of each building's modelled system (a default gas boiler: gas); the first readings replace a default (sync update)
    carriers = env["system"].astype(str).map({**SYSTEMS, **OPT_IN_SYSTEMS}).map(METER_OF_SYSTEM_CARRIER).fillna("gas").to_numpy(dtype=object)
    model = _forward_for_state(env, shade, carriers, prep.drivers)
    from twin.calibration.sync import hour_of

    with _naming_the_weather(weather):
        hour = hour_of(prep.drivers, t0)
    if from_prior:
        filt = SyncFilter.from_prior(model, hour, n_ensemble=members, seed=seed)
    else:
        filt = SyncFilter.from_scene(model, scene.buildings, hour, n_ensemble=members, seed=seed)
    check_state_output(out, state_inputs)  # again: the file may have appeared while the ensemble was drawn
    save_state(filt, out)
    return [f"sync state of {len(ids)} buildings x {members} members, next day {t0} written to {out}"]


def sync_update(state: Path, *, weather, readings, tz: str | None = None, gas_kwh_per_m3=None) -> list[str]:
    """Assimilate every whole day of hourly readings after the state's position (``twin sync update``).

    The ensemble moves one day at a time from the state's position to the last whole day of
    readings; a day without any reading (a meter outage) is a prediction step: the members are
    advanced through its 24 hours and nothing is updated. The last line counts both kinds
    (:func:`day_count_line`); a progress step counts the days (shown by the command line).
    Readings that start a weather year or more after the state's position, or days after the
    weather's last hour, are refused before any work (:func:`_days_to_sync`).
    """
    from twin.calibration.meters import check_hourly, read_meters
    from twin.calibration.sync import load_state, save_state
    from twin.io.epw import read_epw

    w = read_epw(weather)
    from twin.energy.solar import standard_drivers

    drivers = standard_drivers(w)
    with _naming_the_weather(weather):
        filt = load_state(state, drivers, _forward_for_state)
    md = read_meters(readings, building_ids=filt.model.building_ids, tz=tz, gas_kwh_per_m3=gas_kwh_per_m3, drop_option=None,  # no --drop-unknown
                     option="--readings")
    r = md.buildings()
    check_hourly(r, path=readings, option="--readings", hour_mark=drivers.time[0])  # names the first row not an hour, or off the hours
    from twin.calibration.calibrate import check_magnitudes
    from twin.calibration.sync import reconcile_carriers

    # electricity readings of a gas-heated building were assimilated as its heating (exit 0): the carriers are checked as in twin calibrate
    carrier_lines = reconcile_carriers(filt, r, _forward_for_state, path=str(readings))
    # a unit slip (Wh read as kWh) was assimilated without a word and dragged the state (twin calibrate checks it too)
    check_magnitudes(r, filt.model.env.set_index("building_id")["a_f_m2"], tz=drivers.time.tz, path=str(readings))
    ids = list(filt.model.building_ids)
    lines = [f"cleaning: {x['step']}: {x['detail']}" for x in md.report] + carrier_lines
    starts, ends = pd.DatetimeIndex(r["start"]), pd.DatetimeIndex(r["end"])
    first = filt.next_time
    n_before = int((starts < first).sum())
    if n_before:
        lines.append(f"cleaning: {n_before} readings before the state's position ({first}) ignored: those days are already assimilated")
    n_total = _days_to_sync(first, starts, ends, drivers, readings=readings, weather=weather)
    day_starts = first + pd.Timedelta(hours=24) * np.arange(n_total)
    from twin.io import progress

    stepped: list[pd.Timestamp] = []
    with progress.step("assimilating and stepping", total=n_total, unit="days") as bar:
        for day_start in day_starts:
            day_end = day_start + pd.Timedelta(hours=24)
            m = (starts >= day_start) & (ends <= day_end)
            sub = r[m]
            y = np.full((len(ids), 24), np.nan)
            h = ((pd.DatetimeIndex(sub["start"]) - day_start) / pd.Timedelta(hours=1)).to_numpy().astype(int)
            b = pd.Index(ids).get_indexer(sub["building_id"])
            y[b, h] = sub["kwh"].to_numpy()
            rep = filt.assimilate_day(y)  # a day without any reading: the ensemble moves forward, no update (a prediction step)
            bar.advance()
            if len(sub) == 0:
                stepped.append(day_start)
                continue
            missing = int(np.isnan(y).sum())
            gap = f"; {missing} of {y.size} hourly readings missing (their blocks of hours left out of the update)" if missing else ""
            # the measured total against the band of the same buildings' total (it compared one metered
            # building's readings with the band of all 3,991 buildings of the state)
            lo, _, hi = rep.forecast_total_kwh
            total = (f"measured {rep.measured_total_kwh:,.0f} kWh, forecast band [{lo:,.0f}, {hi:,.0f}] kWh (5-95 %, total of the {rep.metered} of "
                     f"{len(ids)} buildings with all 24 readings)") if rep.metered else f"no building of {len(ids)} has all 24 readings"
            lines.append(f"{day_start}: {total}, update {rep.seconds * 1000:.0f} ms{gap}")
    done_end = first + pd.Timedelta(hours=24) * n_total
    n_after = int((ends > done_end).sum())
    if n_after:
        lines.append(f"cleaning: {n_after} readings after the last whole day (from {done_end}) not assimilated: give them again with the rest of "
                     "their day")
    save_state(filt, state)
    lines.append(f"{day_count_line(n_total, stepped)}; state written to {state}")
    return lines


def _days_to_sync(first: pd.Timestamp, starts: pd.DatetimeIndex, ends: pd.DatetimeIndex, drivers, *, readings, weather) -> int:
    """The number of whole days ``twin sync update`` steps from the state's position ``first`` to
    the last whole day of readings, checked before any work.

    Refused (:class:`~twin.errors.InputError`): no whole day after ``first``; a first reading
    after ``first`` that starts a weather year (``drivers.n_hours``) or more later (every day
    between would be a prediction step on a weather file that holds one year: the state's hour
    wraps and the same weather would be used again); a last day that ends after the weather's
    last hour (the filter would wrap to the weather's first hours, a year back; the readings of
    those days would never fall on its days).
    """
    one_day = pd.Timedelta(hours=24)
    starts, ends = starts.tz_convert(first.tz), ends.tz_convert(first.tz)  # shown in the state's offset, as its position
    t_end = ends.max() if len(ends) else first
    n_total = max(int((t_end - first) // one_day), 0) if len(ends) else 0
    if n_total == 0:
        last = f"the readings end at {t_end}" if len(ends) else "the table holds no reading"
        raise InputError(f"no whole day of readings after the state's position: the state's next day starts at {first} and {last} "
                         "(give the 24 hourly readings of that day, or later days)", path=readings, field="--readings")
    after = starts[starts >= first]
    year_h = int(drivers.n_hours)
    if len(after) and after.min() - first >= pd.Timedelta(hours=year_h):
        raise InputError(f"the first reading after the state's position starts at {after.min()}, {(after.min() - first) / one_day:,.0f} days "
                         f"after the state's position ({first}): more than the weather's year ({year_h // 24} days), which the state would "
                         "step through without readings re-using the same weather; give the readings from the state's position on, or "
                         "start a new state at the readings' first day (twin sync init --start)", path=readings, field="--readings")
    weather_end = drivers.time[-1]
    last_end = first + one_day * n_total
    if last_end > weather_end:
        raise InputError(f"the readings of {Path(readings).name} run to {t_end}, after the weather's last hour ({weather_end}): the days after it "
                         "cannot be simulated "
                         f"with this weather (an EPW holds one year); give the readings up to {weather_end} with this weather, and "
                         "the later ones with the weather of their year", path=weather, field="--weather")
    return n_total


def day_count_line(n_days: int, stepped) -> str:
    """The count of days ``twin sync update`` moved the state by: ``6 days: 4 assimilated, 2 stepped
    without readings (2023-01-15 to 2023-01-16)`` (runs of consecutive days without any reading,
    the first three named)."""
    n_stepped = len(stepped)
    unit = "day" if n_days == 1 else "days"
    if not n_stepped:
        return f"{n_days} {unit} assimilated"
    runs: list[list[pd.Timestamp]] = []
    for d in stepped:
        if runs and d - runs[-1][-1] == pd.Timedelta(hours=24):
            runs[-1].append(d)
        else:
            runs.append([d])
    shown = [f"{r[0].date()}" if len(r) == 1 else f"{r[0].date()} to {r[-1].date()}" for r in runs[:3]]
    more = f" and {len(runs) - 3} more" if len(runs) > 3 else ""
    return (f"{n_days} {unit}: {n_days - n_stepped} assimilated, {n_stepped} stepped without readings "
            f"({', '.join(shown)}{more}: the ensemble moved forward without an update)")


def sync_forecast(state: Path, *, weather, days: int, out: Path | None = None, latitude_deg=None, longitude_deg=None) -> tuple[list[str], pd.DataFrame]:
    """Forecast the next days under a weather file (EPW, or CSV ``time,t_out_c[,ghi_w_m2]``) with a band."""
    from twin.calibration.sync import load_state
    from twin.energy.solar import standard_drivers

    path = Path(weather)
    if out is not None and Path(out).suffix.lower() != ".csv":
        from twin.errors import OutputError

        raise OutputError("the forecast table is a CSV file: name it OUT.csv", path=out, field="--out")
    if path.suffix.lower() == ".epw":
        from twin.io.epw import read_epw

        drivers = standard_drivers(read_epw(path))
    else:
        drivers = standard_drivers(read_forecast_csv(path, latitude_deg=latitude_deg, longitude_deg=longitude_deg))
    if out is not None:
        check_forecast_output(out, [state, weather])  # an existing CSV only if it is an earlier forecast table
    with _naming_the_weather(weather):
        filt = load_state(state, drivers, _forward_for_state)
        fc = filt.forecast(int(days), drivers=drivers, start_hour=filt.hour)
    if out is not None:
        from twin.io.atomic import atomic_path

        if tuple(fc.columns) != FORECAST_COLUMNS:  # the header is the table's mark (check_forecast_output)
            raise RuntimeError(f"forecast columns {list(fc.columns)} differ from FORECAST_COLUMNS")
        check_forecast_output(out, [state, weather])
        with atomic_path(out) as tmp:
            fc.to_csv(tmp, index=False)
    tot = fc.groupby("day")[["p5_kwh", "p50_kwh", "p95_kwh"]].sum()
    lines = [f"{d}: {r.p50_kwh:,.0f} kWh [{r.p5_kwh:,.0f}, {r.p95_kwh:,.0f}] (sums over the buildings of each building's median and 5-95 % band; per building in the table)"
             for d, r in tot.iterrows()]
    return lines, fc


def read_forecast_csv(path: Path, *, latitude_deg=None, longitude_deg=None):
    """A weather forecast table (CSV: ``time`` with a UTC offset, interval end; ``t_out_c``; optional ``ghi_w_m2``)."""
    from twin.calibration.weather import weather_from_temperature
    from twin.errors import SchemaError
    from twin.io.paths import check_input_file

    check_input_file(path, suffixes=(".csv",), max_bytes=64 * 1024**2, what="weather forecast", field="--weather")
    if latitude_deg is None or longitude_deg is None:
        raise InputError("a CSV forecast needs --latitude and --longitude", field="--weather")
    t = pd.read_csv(path)
    for col in ("time", "t_out_c"):
        if col not in t:
            raise SchemaError("forecast lacks a column", path=path, field=col)
    text = t["time"].astype(str)
    if not text.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True).all():
        raise InputError("forecast times need a UTC offset", path=path, field="time")
    try:
        time = pd.DatetimeIndex(pd.to_datetime(text, format="ISO8601", utc=True))
        first = pd.Timestamp(text.iloc[0])
    except ValueError as exc:
        raise SchemaError(f"forecast times must be ISO 8601: {' '.join(str(exc).split())[:200]}", path=path, field="time") from None
    time = time.tz_convert(first.tz)
    ghi = pd.to_numeric(t["ghi_w_m2"], errors="coerce").to_numpy() if "ghi_w_m2" in t else None
    try:
        return weather_from_temperature(time, pd.to_numeric(t["t_out_c"], errors="coerce").to_numpy(), latitude_deg=latitude_deg,
                                        longitude_deg=longitude_deg, ghi_w_m2=ghi, name=path.name)
    except InputError as exc:  # a value of the table (hour, field named): name the table too
        if exc.path is not None:
            raise
        raise type(exc)(exc.message, path=path, obj=exc.obj, field=exc.field) from None


__all__ = ["CALIBRATE_MARKERS", "CALIBRATE_WRITER", "FORECAST_COLUMNS", "FORECAST_WRITER", "STATE_KEYS", "check_forecast_output",
           "check_state_output", "calibrate_command", "day_count_line", "read_forecast_csv", "state_writer", "sync_forecast", "sync_init", "sync_update"]
