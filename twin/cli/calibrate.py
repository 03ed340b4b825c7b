"""``twin calibrate`` and ``twin sync``: calibration to measured consumption and live sync with meters."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

sync_app = typer.Typer(help="Live sync with meters: an ensemble Kalman filter over each building's RC state and parameters.",
                       no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("calibrate")(calibrate)
    app.add_typer(sync_app, name="sync")


MAX_GAS_KWH_PER_M3 = 40.0
"""Upper bound of ``--gas-kwh-per-m3``, kWh/m3: above the gross calorific value of every fuel gas
(natural gas about 10-12, propane about 26, butane about 34 kWh/m3 at 15 C, 1 atm)."""

#: Help of ``--gas-kwh-per-m3`` (twin calibrate, twin sync update).
GAS_HELP = "Energy of a cubic metre of gas, kWh/m3, for readings in m3 (no default: required when a reading is in m3; e.g. 10.5 for H-gas)"


def check_options(*, seed: int | None = None, tz: str | None = None, gas_kwh_per_m3: float | None = None, utc_offset: float | None = None,
                  latitude: float | None = None, longitude: float | None = None) -> None:
    """The options of ``twin calibrate`` and ``twin sync`` that the commands use only in some cases
    (a time zone only for times without an offset, a gas factor only for m3 readings), checked
    before anything is read; InputError naming the option."""
    import math

    from twin.errors import InputError

    if seed is not None and seed < 0:
        raise InputError(f"--seed must be 0 or more, not {seed}", field="--seed")
    if tz is not None:
        import pandas as pd

        try:
            pd.Timestamp("2023-01-01").tz_localize(tz)
        except Exception:  # pytz/zoneinfo/dateutil each raise their own error for an unknown zone
            raise InputError(f"unknown time zone {tz!r} (an IANA name, e.g. Europe/Brussels)", field="--tz") from None
    if gas_kwh_per_m3 is not None and not (math.isfinite(gas_kwh_per_m3) and 0.0 < gas_kwh_per_m3 <= MAX_GAS_KWH_PER_M3):
        raise InputError(f"--gas-kwh-per-m3 must be within (0, {MAX_GAS_KWH_PER_M3:g}] kWh/m3, not {gas_kwh_per_m3!r}", field="--gas-kwh-per-m3")
    for option, value, lo, hi in (("--utc-offset", utc_offset, -12.0, 14.0), ("--latitude", latitude, -90.0, 90.0),
                                  ("--longitude", longitude, -180.0, 180.0)):
        if value is not None and not (math.isfinite(value) and lo <= value <= hi):
            raise InputError(f"{option} must be within [{lo:g}, {hi:g}], not {value!r}", field=option)


def check_input_files(*files: tuple[Path | None, str, str, tuple[str, ...]]) -> None:
    """The input files named by options or arguments, each ``(path, option, what, suffixes)``
    (path None: not given), checked before the scene, weather or sync state is read: one that is
    missing, a folder, too large or without one of its ``suffixes`` is an InputError naming the file
    and the option (:func:`twin.io.paths.check_input_file`; the readers check the content, and a
    path given twice, again)."""
    from twin.io.paths import check_input_file

    for path, option, what, suffixes in files:
        if path is not None:
            check_input_file(path, suffixes=suffixes, field=option, what=what)


def check_weather_options(*, weather: Path | None, daily_weather: Path | None, utc_offset: float | None, latitude: float | None,
                          longitude: float | None) -> None:
    """The weather options of ``twin calibrate`` that would change nothing, checked before anything
    is read; InputError naming the option.

    ``--utc-offset``, ``--latitude`` and ``--longitude`` are read with ``--daily-weather`` only
    (an EPW, the scene's or ``--weather``, has its own offset and site); ``--weather`` beside
    ``--daily-weather`` was ignored (the daily table was used). Both ran with exit 0.
    """
    from twin.errors import InputError

    if daily_weather is not None:
        if weather is not None:
            raise InputError("give --weather (hourly .epw) or --daily-weather (daily CSV), not both: --weather would be ignored",
                             path=weather, field="--weather")
        return
    for option, value in (("--utc-offset", utc_offset), ("--latitude", latitude), ("--longitude", longitude)):
        if value is not None:
            raise InputError(f"{option} {value:g} is read with --daily-weather only (an EPW weather has its own UTC offset and site): "
                             "without it, it would change nothing", field=option)


def check_fit_options(ctx: typer.Context, *, meters: Path | None, classes: str | None) -> None:
    """Options of one fit given without that fit (``--draws`` without ``--meters``, ``--samples``
    without ``--classes``...): they would change nothing (they ran with exit 0). InputError naming
    the first such option, before anything is read.
    """
    from twin.errors import InputError

    fits = (("--meters", meters, ("draws", "sigma_rel", "train_until", "tz", "drop_unknown", "gas_kwh_per_m3")),
            ("--classes", classes, ("samples",)))
    for fit, given, names in fits:
        if given is not None:
            continue
        for name in names:
            source = ctx.get_parameter_source(name)  # an enum of the click Typer runs on: DEFAULT when not typed
            if source is not None and source.name != "DEFAULT":
                option = "--" + name.replace("_", "-")
                raise InputError(f"{option} is read with {fit} only: without {fit} it would change nothing", field=option)


def calibrate(
    ctx: typer.Context,
    scene: Annotated[list[Path], typer.Argument(help="Scene folder or .gpkg written by 'twin ingest' (or input files to ingest)", metavar="SCENE")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder; an existing one is replaced only if twin calibrate wrote it")] = Path("calibration"),
    meters: Annotated[Path | None, typer.Option("--meters", help="Meter readings (CSV/Parquet, tidy format of docs/calibration.md)")] = None,
    classes: Annotated[str | None, typer.Option("--classes", help="EPB class shares to fit: 'brussels' (packaged) or a CSV")] = None,
    weather: Annotated[Path | None, typer.Option("--weather", "-w", help="Hourly weather of the metered period (.epw); default: the scene's")] = None,
    daily_weather: Annotated[Path | None, typer.Option("--daily-weather", help="Daily temperatures (CSV date,t_mean_c,t_max_c,t_min_c)")] = None,
    utc_offset: Annotated[float | None, typer.Option("--utc-offset", help="Standard-time UTC offset of --daily-weather, h")] = None,
    latitude: Annotated[float | None, typer.Option("--latitude", help="Site latitude for --daily-weather, deg")] = None,
    longitude: Annotated[float | None, typer.Option("--longitude", help="Site longitude for --daily-weather, deg")] = None,
    tz: Annotated[str | None, typer.Option("--tz", help="Time zone of meter times written without a UTC offset (e.g. Europe/Brussels)")] = None,
    drop_unknown: Annotated[bool, typer.Option("--drop-unknown", help="Drop (and report) readings of buildings the scene does not know")] = False,
    gas_kwh_per_m3: Annotated[float | None, typer.Option("--gas-kwh-per-m3", help=GAS_HELP)] = None,
    sigma_rel: Annotated[str | None, typer.Option("--sigma-rel", help="Relative meter noise: a number, or 'estimate' (fitted per building); default: noise.relative of the priors (0.05)")] = None,
    train_until: Annotated[str | None, typer.Option("--train-until", help="Hold out the periods ending after this time (validation; at least one reading must end after it)")] = None,
    draws: Annotated[int, typer.Option("--draws", help="Posterior draws kept per building")] = 100,
    samples: Annotated[int, typer.Option("--samples", help="Monte Carlo samples of the stock for a class fit")] = 40,
    seed: Annotated[int, typer.Option("--seed", help="Random seed")] = 0,
    priors: Annotated[Path | None, typer.Option("--priors", help="Calibration priors (YAML) merged onto twin/data/calibration_priors.yaml")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines, no summary")] = False,
) -> None:
    """Calibrate the buildings of SCENE to meter readings (per building, with a posterior) and/or to the
    EPB certificate class distribution of its dwellings (per group); write the calibrated scene to OUT.

    OUT holds scene/ (the calibrated scene: calibrated values with source 'calibrated'),
    calibration.parquet (the calibration columns, for scenarios), posterior_draws.parquet,
    predictions.parquet and summary.json. Bad meter data is an error naming the row, or a
    cleaning step printed as 'cleaning: ...'.
    """
    from twin.cli.choices import did_you_mean
    from twin.errors import InputError
    from twin.io.input_limits import METER_SUFFIXES

    check_options(seed=seed, tz=tz, gas_kwh_per_m3=gas_kwh_per_m3, utc_offset=utc_offset, latitude=latitude, longitude=longitude)
    check_weather_options(weather=weather, daily_weather=daily_weather, utc_offset=utc_offset, latitude=latitude, longitude=longitude)
    check_fit_options(ctx, meters=meters, classes=classes)
    if classes is not None and classes != "brussels" and not Path(classes).exists():  # a slip of the packaged name is no file either
        raise InputError(f"class targets not found: give 'brussels' (the packaged shares) or a CSV{did_you_mean(classes, ('brussels',))}",
                         path=classes, field="--classes")
    if weather is not None:
        from twin.io.paths import check_input_file

        check_input_file(weather, suffixes=(".epw",), field="--weather", what="weather file", refuse_empty=True)
    check_input_files((meters, "--meters", "meter file", METER_SUFFIXES), (daily_weather, "--daily-weather", "daily weather table", (".csv",)))
    sig = None
    if sigma_rel is not None:
        if sigma_rel == "estimate":
            sig = "estimate"
        else:
            try:
                sig = float(sigma_rel)
            except ValueError:
                raise InputError(f"--sigma-rel must be a number or 'estimate', not {sigma_rel!r}{did_you_mean(sigma_rel, ('estimate',))}",
                                 field="--sigma-rel") from None
            if not 0.0 < sig <= 1.0:
                raise InputError(f"--sigma-rel must be within (0, 1], not {sigma_rel}", field="--sigma-rel")
    cutoff = None
    if train_until is not None:
        from twin.io.time_option import aware_time_option

        cutoff = aware_time_option(train_until, "--train-until", "2023-10-01T00:00:00+02:00")
    from twin.calibration.command import calibrate_command  # after the checks: about a second (pandas, SciPy)
    from twin.workflows.interrupt import sigterm_raises

    with sigterm_raises():
        lines, _ = calibrate_command(scene, out=out, meters=meters, weather=weather, daily_weather=daily_weather, utc_offset_h=utc_offset,
                                     latitude_deg=latitude, longitude_deg=longitude, classes=classes, tz=tz, drop_unknown=drop_unknown,
                                     gas_kwh_per_m3=gas_kwh_per_m3, sigma_rel=sig, train_until=cutoff, draws=draws, samples=samples, seed=seed,
                                     priors=priors)
    if not quiet:
        for line in lines:
            typer.echo(line)


@sync_app.command("init")
def sync_init(
    scene: Annotated[Path, typer.Argument(help="A calibrated scene (the scene/ folder written by twin calibrate)", metavar="SCENE")],
    weather: Annotated[Path, typer.Option("--weather", "-w", help="Hourly weather (.epw) holding the start")],
    start: Annotated[str, typer.Option("--start", help="Start of the first day to assimilate, with its UTC offset")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Sync state file (.npz)")] = Path("sync_state.npz"),
    members: Annotated[int, typer.Option("--members", help="Ensemble members per building")] = 32,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the ensemble draws from the posterior (0 or more)")] = 0,
    from_prior: Annotated[bool, typer.Option("--from-prior", help="Every building of the scene, from the priors (no calibration needed)")] = False,
) -> None:
    """Start a sync state: an ensemble per calibrated building, from its posterior."""
    check_options(seed=seed)
    check_input_files((weather, "--weather", "weather file", (".epw",)))
    from twin.workflows.scene_loading import check_scene_paths

    check_scene_paths(scene)  # a missing scene too: the option checks of the state (--out, --members, --start) need the calibration
    from twin.calibration.command import sync_init as run  # after the checks: about a second (pandas, SciPy)

    for line in run(scene, weather=weather, start=start, out=out, members=members, seed=seed, from_prior=from_prior):
        typer.echo(line)


@sync_app.command("update")
def sync_update(
    state: Annotated[Path, typer.Argument(help="Sync state (.npz) from twin sync init", metavar="STATE")],
    readings: Annotated[Path, typer.Option("--readings", help="Hourly readings (tidy meter format), one or more days")],
    weather: Annotated[Path, typer.Option("--weather", "-w", help="Hourly weather (.epw) of those days")],
    tz: Annotated[str | None, typer.Option("--tz", help="Time zone of reading times without a UTC offset")] = None,
    gas_kwh_per_m3: Annotated[float | None, typer.Option("--gas-kwh-per-m3", help=GAS_HELP)] = None,
) -> None:
    """Assimilate every whole day of READINGS after the state's position, one day at a time."""
    from twin.io.input_limits import METER_SUFFIXES

    check_options(tz=tz, gas_kwh_per_m3=gas_kwh_per_m3)
    check_input_files((weather, "--weather", "weather file", (".epw",)), (readings, "--readings", "meter file", METER_SUFFIXES),
                      (state, "STATE", "sync state", (".npz",)))
    from twin.calibration.command import sync_update as run  # after the checks: about a second (pandas, SciPy)

    for line in run(state, weather=weather, readings=readings, tz=tz, gas_kwh_per_m3=gas_kwh_per_m3):
        typer.echo(line)


@sync_app.command("forecast")
def sync_forecast(
    state: Annotated[Path, typer.Argument(help="Sync state (.npz)", metavar="STATE")],
    weather: Annotated[Path, typer.Option("--weather", "-w", help="Weather forecast: .epw, or CSV time,t_out_c[,ghi_w_m2]")],
    days: Annotated[int, typer.Option("--days", help="Days ahead")] = 3,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Forecast table (CSV)")] = None,
    latitude: Annotated[float | None, typer.Option("--latitude", help="Site latitude for a CSV forecast")] = None,
    longitude: Annotated[float | None, typer.Option("--longitude", help="Site longitude for a CSV forecast")] = None,
) -> None:
    """Forecast the readings of the next DAYS days under a weather forecast, with a 5-95 % band."""
    from twin.errors import InputError

    if not 1 <= days <= 60:
        raise InputError(f"--days must be from 1 to 60, not {days}", field="--days")
    check_options(latitude=latitude, longitude=longitude)
    check_input_files((weather, "--weather", "weather forecast", (".epw", ".csv")))
    if weather.name.lower().endswith(".epw"):  # was: ignored without a word
        for option, value in (("--latitude", latitude), ("--longitude", longitude)):
            if value is not None:
                raise InputError(f"{option} {value:g} is for a CSV forecast: an EPW forecast has its own site, it would change nothing",
                                 path=weather, field=option)
    check_input_files((state, "STATE", "sync state", (".npz",)))
    from twin.calibration.command import sync_forecast as run  # after the checks: about a second (pandas, SciPy)

    lines, _ = run(state, weather=weather, days=days, out=out, latitude_deg=latitude, longitude_deg=longitude)
    for line in lines:
        typer.echo(line)
