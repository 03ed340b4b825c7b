"""``twin energy``: building energy commands (ISO 13790 hourly 5R1C model)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from twin.cli.choices import choice

#: The writer ``twin energy run`` records (``command`` of its ``run_record.json``): an existing
#: OUT is replaced only when it records the same (:func:`twin.io.staged.check_writer`).
ENERGY_WRITER = "twin energy run"

#: The check of ``--model`` (both commands).
MODEL_CHOICE = choice("twin.option_names:ZONE_MODELS", what="zone model")

app = typer.Typer(
    help="Building energy: single-zone specs and building stocks (ISO 13790 hourly 5R1C, or the finer ISO 52016-1 model with --model iso52016).",
    no_args_is_help=True,
)


@app.command("simulate")
def simulate(
    spec: Annotated[Path, typer.Argument(help="Single-zone spec (YAML), see docs/energy.md", metavar="SPEC")],
    weather: Annotated[Path, typer.Option("--weather", "-w", help="Hourly weather file (.epw)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON")] = False,
    model: Annotated[str, typer.Option("--model", help="Zone model: 5r1c (ISO 13790, default) or iso52016 (the finer multi-node model "
                                                       "validated on BESTEST: hourly interior convection, glazing gap, exterior links)", callback=MODEL_CHOICE)] = "5r1c",
) -> None:
    """Simulate one zone for the year of WEATHER.

    Prints annual heating and cooling need (MWh), peak loads (kW) with their hour (interval end,
    local standard time of the weather file) and the min / max / mean air temperature (the
    free-float temperatures when the spec has ``free_float: true``). ``--model iso52016`` runs the
    finer model (docs/energy_iso52016.md), which also reads the spec's ``simulation.interior_convection``,
    ``simulation.exterior_convection``, ``site.terrain``, the constructions' ``roughness`` and the
    windows' ``glazing_gap``. When the 5R1C model runs a spec that sets any of them away from its
    default, one ``twin: note:`` line on stderr (none with -q) names them; --json lists them under
    ``ignored_by_model`` (an empty list when none).
    """
    from twin.io.input_limits import check_energy_spec_path
    from twin.io.paths import check_input_file

    from .file_kinds import wrong_kind

    check_input_file(weather, suffixes=(".epw",), field="--weather", what="weather file")
    with wrong_kind(spec, "single-zone energy spec"):  # the check load_spec runs: before the energy modules are imported
        check_energy_spec_path(spec)
    from twin.energy.spec_scope import ignored_inputs
    from twin.energy.stock_iso52016 import check_model
    from twin.ingest.epw import read_epw
    from twin.io.json_out import to_json_text

    check_model(model, field_name="--model")  # its --model callback checked the name already
    if model == "iso52016":
        from twin.energy.iso52016 import load_spec_iso52016, simulate_spec_iso52016

        with wrong_kind(spec, "single-zone energy spec"):
            zone = load_spec_iso52016(spec)
        res = simulate_spec_iso52016(zone, read_epw(weather))
    else:
        from twin.energy.spec import load_spec, simulate_spec

        with wrong_kind(spec, "single-zone energy spec"):
            zone = load_spec(spec)
        res = simulate_spec(zone, read_epw(weather))
    ignored = res["ignored_inputs"] if "ignored_inputs" in res else ignored_inputs(zone, model)
    _note_ignored(model, ignored)
    summary = {k: v for k, v in res.items() if k not in ("results", "model", "monthly_heating_kwh", "monthly_cooling_kwh", "ignored_inputs")}
    summary["zone_model"] = model
    summary["free_float"] = zone.free_float
    summary["ignored_by_model"] = [item.as_dict() for item in ignored]
    if as_json:
        summary["model"] = {k: v for k, v in res["model"].items() if k not in ("surfaces", "windows")}
        typer.echo(to_json_text(summary))  # strict JSON: NaN (e.g. no cooling peak) as null
        return
    typer.echo(f"{zone.name}  ({spec.name}, weather {weather.name}, model {model})")
    if not zone.free_float:
        typer.echo(f"  heating   {summary['heating_mwh']:9.3f} MWh   peak {summary['peak_heating_kw']:7.3f} kW at {summary['peak_heating_time']}")
        typer.echo(f"  cooling   {summary['cooling_mwh']:9.3f} MWh   peak {summary['peak_cooling_kw']:7.3f} kW at {summary['peak_cooling_time']}")
    label = "free-float air temperature" if zone.free_float else "air temperature"
    typer.echo(
        f"  {label}: min {summary['t_air_min_c']:.2f} degC, max {summary['t_air_max_c']:.2f} degC, "
        f"mean {summary['t_air_mean_c']:.2f} degC"
    )


def _note_ignored(model: str, ignored) -> None:
    """One ``twin: note:`` line on stderr naming the spec keys ``model`` did not read (none with ``-q``).

    ``-q`` sets the ``twin`` logger above WARNING (:func:`twin.cli.main.configure_logging`); the
    line is printed only when warnings would be.
    """
    import logging

    from twin.energy.spec_scope import ignored_note
    from twin.io.progress import clear_line

    text = ignored_note(model, ignored)
    if text is None or not logging.getLogger("twin").isEnabledFor(logging.WARNING):
        return
    clear_line()
    typer.echo(f"twin: note: {text}", err=True)


@app.command("run")
def run(
    scene: Annotated[list[Path], typer.Argument(help="Scene folder or .gpkg written by 'twin ingest' (or input files to ingest)", metavar="SCENE")],
    weather: Annotated[Path | None, typer.Option("--weather", "-w", help="Hourly weather file (.epw); default: the scene's weather")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder; an existing one is replaced only if twin energy run wrote it")] = Path("energy_results"),
    measure: Annotated[list[str] | None, typer.Option("--measure", "-m", help="Renovation measure id (repeatable); adds a variant run")] = None,
    measures: Annotated[Path | None, typer.Option("--measures", help="Measure table (CSV/YAML) replacing twin/data/energy_measures.csv")] = None,
    overrides: Annotated[Path | None, typer.Option("--overrides", help="CSV of parameter overrides by building_id or tabula_code")] = None,
    hourly: Annotated[bool, typer.Option("--hourly", help="Also write hourly heating power and air temperature (hourly.nc)")] = False,
    format: Annotated[str | None, typer.Option("--format", help="Table format: parquet (GeoParquet with footprints, the default) or csv",
                                                  callback=choice("twin.option_names:FORMATS", what="output format"))] = None,
    csv: Annotated[bool, typer.Option("--csv", help="Same as --format csv")] = False,
    samples: Annotated[int, typer.Option("--samples", help="Monte Carlo samples of the stock's unknowns: bands on the totals (0: none)")] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the Monte Carlo samples")] = 0,
    priors: Annotated[Path | None, typer.Option("--priors", help="Prior table (YAML) merged onto twin/data/stock_priors.yaml")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars, no summary")] = False,
    plots: Annotated[bool, typer.Option("--plots/--no-plots", help="Write the PNG plots (monthly balance, classes)")] = True,
    heat_pumps: Annotated[Path | None, typer.Option("--heat-pumps", help="Heat-pump table (CSV, format of twin/data/heat_pumps.csv) replacing its kinds")] = None,
    dhw: Annotated[str, typer.Option("--dhw", help="Hot-water need: typology (TABULA q_w_nd, default) or by_use (litres per person, docs/energy_systems.md)",
                                      callback=choice("twin.option_names:DHW_MODELS", what="hot-water model"))] = "typology",
    model: Annotated[str, typer.Option("--model", help="Zone model: 5r1c (ISO 13790, default) or iso52016 (multi-node, twin.energy.stock_iso52016)",
                                        callback=MODEL_CHOICE)] = "5r1c",
    exterior_convection: Annotated[str, typer.Option("--exterior-convection", help="Exterior surfaces of --model iso52016: fixed (film r_se, default) "
                                                     "or doe2 (hourly wind-dependent links, as the BESTEST cases)",
                                                     callback=choice("twin.option_names:EXTERIOR_CONVECTION", what="exterior convection"))] = "fixed",
    terrain: Annotated[str | None, typer.Option("--terrain", help="Terrain for the wind at the surfaces with --exterior-convection doe2: "
                                                "country, suburbs, city (default), ocean, urban", callback=choice("twin.option_names:TERRAINS", what="terrain"))] = None,
    roughness: Annotated[str | None, typer.Option("--roughness", help="Opaque surface roughness with --exterior-convection doe2: very_rough, "
                                                  "rough, medium_rough (default), medium_smooth, smooth, very_smooth",
                                                  callback=choice("twin.option_names:ROUGHNESSES", what="roughness"))] = None,
    control_temperature: Annotated[str | None, typer.Option("--control-temperature", help="Temperature the setpoints of --model iso52016 "
                                                            "apply to: operative (ISO 52016-1, default) or air",
                                                            callback=choice("twin.option_names:CONTROL_TEMPERATURES",
                                                                            what="control temperature"))] = None,
) -> None:
    """Simulate the building stock of SCENE for a year of WEATHER and write per-building results to OUT.

    Writes buildings.parquet (need, final and primary energy, Brussels EPB class, CO2, cost;
    GeoParquet with the footprints), envelope.parquet (every parameter with its source),
    excluded.parquet, monthly.parquet, summary.json, run_record.json and plots; with --measure,
    baseline/ and variant/ folders and comparison.parquet (before/after, investment, payback).
    --format csv (or --csv; --csv beside --format parquet is an error) writes the tables as CSV (footprints as WKT); --no-plots leaves out the
    PNG plots (and the matplotlib import: about a second on a region). OUT is checked
    before the simulation and replaced whole at the end (never half old, half new).

    The summary says what share of the floor area rests on defaults (use, height, storeys,
    construction year, floor area, storey height). --samples N draws the unknown attributes N times from the prior table
    (--priors FILE to change it, --seed S; either without --samples is an error: it would change
    nothing) and gives the 5th-95th percentile band of the totals.
    Progress bars go to stderr for steps longer than 2 s (none with -q).
    --heat-pumps FILE.csv replaces rows of twin/data/heat_pumps.csv (same columns) for the
    heat_pump_air_* / heat_pump_ground_* systems, checked before the run (a COP below 1 at the
    design point, a value not finite, an unknown source model or kind, a missing column: exit 2;
    also when it cannot matter: no --measure switches to such a heat pump and neither --overrides
    nor --samples can give a building one). --dhw by_use takes the hot-water need from litres per
    person per day (twin.energy.hot_water) instead of TABULA's q_w_nd (typology, the default).
    --exterior-convection doe2 (with --model iso52016, --terrain, --roughness) gives the exterior
    surfaces the wind-dependent links the BESTEST cases validate (docs/energy_stock_iso52016.md).
    """
    from twin.errors import InputError

    if weather is not None:
        from twin.io.paths import check_input_file

        check_input_file(weather, suffixes=(".epw",), field="--weather", what="weather file")
    fmt = (format if format is not None else ("csv" if csv else "parquet")).lower()  # a name of FORMATS (its --format callback)
    if csv and fmt != "csv":
        raise InputError(f"--csv asks for CSV tables, --format {format} for {fmt}: give one of them", field="--csv")
    _check_exterior_options(model, exterior_convection, terrain, roughness, control_temperature)
    if priors is not None and not samples:
        raise InputError("the prior table has no effect without --samples N (N >= 1): the run draws nothing from it", path=priors, field="--priors")
    if seed > 0 and not samples:
        raise InputError(f"seed {seed} has no effect without --samples N (N >= 1): the run draws nothing", field="--seed")
    if measures is not None and not measure:
        raise InputError("the measure table has no effect without --measure ID (-m): the run applies no measure from it",
                         path=measures, field="--measures")
    twice = sorted({m for m in measure or [] if (measure or []).count(m) > 1})
    if twice:
        raise InputError(f"measure {twice[0]!r} is given twice; each --measure adds one variant run", field="--measure")
    if measure:
        _check_measures_known(measure, measures)
    if overrides is not None:
        from twin.energy.typology import check_overrides_file

        check_overrides_file(overrides)
    hp_table = None
    if heat_pumps is not None:
        from twin.energy.heat_pump import load_user_heat_pumps

        hp_table = load_user_heat_pumps(heat_pumps)
        _check_heat_pumps_used(heat_pumps, measure or [], measures, overrides, samples)
    from twin.io.staged import check_writer
    from twin.workflows.scene_loading import check_scene_paths

    check_writer(out, ENERGY_WRITER, field="--out")  # not the results of twin calibrate or twin run (both hold names of ENERGY_MARKERS)
    check_scene_paths(scene)  # before the energy modules are imported (pandas: about a second)
    from twin.energy.heat_pump import using_heat_pumps
    from twin.energy.hot_water import check_dhw_model, using_dhw_model
    from twin.energy.stock import run_command  # checks fmt against FORMATS again
    from twin.workflows.interrupt import sigterm_raises

    dhw_model = check_dhw_model(dhw)
    conventions = _exterior_conventions(exterior_convection, terrain, roughness, control_temperature)
    with sigterm_raises(), using_heat_pumps(hp_table), using_dhw_model(None if dhw_model == "typology" else dhw_model):
        lines = run_command(scene, weather=weather, out=out, measures=measure or [], overrides=overrides, measures_table=measures,
                            hourly=hourly, format=fmt, samples=samples, seed=seed, priors=priors, progress=not quiet,
                            model=model, conventions=conventions, **({} if plots else {"plots": False}))
    if not quiet:
        for line in lines:
            typer.echo(line)


def _check_exterior_options(model: str, exterior_convection: str, terrain: str | None, roughness: str | None,
                            control_temperature: str | None = None) -> None:
    """``--exterior-convection``, ``--terrain``, ``--roughness`` and ``--control-temperature``
    checked before anything is read (their names as the command line is parsed,
    :func:`twin.cli.choices.choice`): options that would change nothing are errors."""
    from twin.errors import InputError

    for option, value, changes in (("--exterior-convection", exterior_convection, exterior_convection != "fixed"),
                                   ("--control-temperature", control_temperature, control_temperature is not None)):
        if changes and model != "iso52016":
            raise InputError(f"{option} {value} is read by the finer model only: with --model {model} it would "
                             "change nothing (add --model iso52016)", field=option)
    unread = [option for option, value in (("--terrain", terrain), ("--roughness", roughness)) if value is not None]
    if unread and exterior_convection == "fixed":
        raise InputError(f"{' and '.join(unread)} {'are' if len(unread) > 1 else 'is'} read by the wind-dependent exterior surfaces only: "
                         "with the fixed films it would change nothing (add --exterior-convection doe2)", field=unread[0])


def _exterior_conventions(exterior_convection: str, terrain: str | None, roughness: str | None, control_temperature: str | None = None):
    """The stock's conventions of the options :func:`_check_exterior_options` checked."""
    from twin.energy.model import Conventions

    default = Conventions()
    return Conventions(exterior_convection=exterior_convection, terrain=terrain or default.terrain, roughness=roughness or default.roughness,
                       control_temperature=control_temperature or default.control_temperature)


def _check_measures_known(measure_ids: list[str], measures_table: Path | None) -> None:
    """Every ``--measure`` id is in the measure table (``--measures`` or the packaged one), else an
    error naming ``--measure``, the closest id and the known ones, before the scene is read."""
    from twin.energy.measures import load_measures
    from twin.errors import InputError
    from twin.io.key_hints import closest_key

    known = [str(m) for m in load_measures(measures_table).index]
    for m in measure_ids:
        if m not in known:
            close = closest_key(m, known)
            hint = f"did you mean {close!r}? " if close else ""
            where = f"the measure table {measures_table}" if measures_table is not None else "the packaged measure table"
            raise InputError(f"unknown measure {m!r}: {hint}known in {where}: {', '.join(known)}", field="--measure")


def _check_heat_pumps_used(path, measure_ids, measures_table, overrides, samples) -> None:
    """``--heat-pumps`` without any way to reach an hourly-COP heat pump is a no-op: an error.

    The baseline systems are gas boilers unless ``--overrides`` (or the priors of ``--samples``)
    set them; otherwise only a system measure switching to ``heat_pump_air_*`` /
    ``heat_pump_ground_*`` uses the table. Unknown measure ids are left to the run's own check.
    """
    if overrides is not None or samples:
        return
    from twin.energy.measures import load_measures
    from twin.energy.results import HOURLY_HEAT_PUMPS
    from twin.errors import InputError

    table = load_measures(measures_table)
    systems = {str(table.loc[m, "system"]) for m in measure_ids if m in table.index and table.loc[m, "kind"] == "system"}
    if not systems & set(HOURLY_HEAT_PUMPS):
        raise InputError(f"the heat-pump table has no effect: no --measure switches to one of {', '.join(HOURLY_HEAT_PUMPS)} "
                         "(and no --overrides or --samples)", path=path, field="--heat-pumps")
