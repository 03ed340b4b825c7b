"""``twin soil``: soil water and heat (single columns; the district runs through scenarios)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Soil water (Richards) and heat: one column, a district through a year, or a 3-D block.", no_args_is_help=True)


@app.command("column")
def column(
    spec: Annotated[Path, typer.Argument(help="Column spec (YAML): materials, layers, grid, initial and boundary conditions", metavar="SPEC")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole result as JSON")] = False,
    every: Annotated[int, typer.Option(help="Print every n-th node of the profiles (text output; 0: about 25 rows)", min=0)] = 0,
) -> None:
    """Run one soil column: pressure head and water content at the output times, cumulative
    fluxes and the water-balance error.

    The spec is checked whole before the run (every value finite and in its range, output times
    inside the duration, the estimated work within the limits of ``twin.soil.limits``); a bad
    spec is one ``twin: error:`` line naming the file and the key.
    """
    from twin.errors import InputError
    from twin.io.input_limits import check_column_spec_path

    if as_json and every:
        raise InputError(f"--every {every} thins the text output; --json prints every node: it would change nothing", field="--every")
    check_column_spec_path(spec)  # before the imports below (NumPy)
    from twin.io.json_out import to_json_text
    from twin.soil.column import column_report, load_column_spec, prepare_column

    from .file_kinds import wrong_kind

    with wrong_kind(spec, "soil column spec"):
        parsed = load_column_spec(spec)
    run = prepare_column(parsed, path=spec)
    report = column_report(run, run.run())
    if as_json:
        typer.echo(to_json_text(report, indent=1))
        return
    typer.echo(_text(report, every))


@app.command("year")
def year(
    spec: Annotated[Path, typer.Argument(help="Year spec (YAML): scene files, weather file, options", metavar="SPEC")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the KPIs, the water balance and the overflow events as JSON")] = False,
) -> None:
    """Run a district through a year (or more) of weather: evapotranspiration, roots, groundwater,
    sewers, green infrastructure; print the annual KPIs, the water balance and the sewer overflow
    events.

    The spec and its options are checked before the run; every table (vegetation, land-cover
    classes, sewer street classes) and map (water table, sewer catchments) is checked before the
    soil columns are integrated. A bad input is one ``twin: error:`` line naming the file and the
    key or the field.
    """
    from twin.io.paths import check_input_file

    check_input_file(spec, suffixes=(".yaml", ".yml"), what="soil year spec")  # before the imports below (pandas: about a second)
    from twin.errors import InputError
    from twin.ingest import ingest
    from twin.ingest.epw import read_epw
    from twin.io.json_out import to_json_text
    from twin.soil.year import YearOptions, run_district_year
    from twin.soil.year_spec import load_year_spec

    from .file_kinds import wrong_kind

    with wrong_kind(spec, "soil year spec"):
        parsed, options = load_year_spec(spec)
    for i, f in enumerate(parsed.scene):
        check_input_file(f, what=f"scene file {i}")
    check_input_file(parsed.weather, suffixes=(".epw",), what="weather file", refuse_empty=True)
    weather = read_epw(parsed.weather)
    scene, _ = ingest(parsed.scene)
    from twin.io.weather_site import check_weather_site

    check_weather_site(weather, scene, path=parsed.weather, field="weather")
    try:
        res = run_district_year(scene, weather, options, water_table_map=parsed.water_table_map, catchments=parsed.catchments, path=spec)
    except InputError as exc:
        if exc.path is not None and Path(exc.path) != Path(spec):  # a table or a map: its own file and field
            raise
        field = exc.field
        if field and field.split(".")[0] in YearOptions.model_fields:  # the key path as written in the spec
            field = f"options.{field}"
        raise type(exc)(exc.message, path=spec, obj=exc.obj, field=field) from None
    kpis = res.kpis()
    balance = res.balance_m3()
    events = res.events
    report = {
        "name": parsed.name, "kpis": kpis, "water_balance_m3": balance, "totals_m3": res.totals_m3,
        "columns": {"cells": int(res.grid.shape[0] * res.grid.shape[1]), "column_entries": res.n_columns, "integrated": res.n_integrated},
        "events": [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()} for row in events.to_dict("records")],
        "timings_s": res.timings_s,
    }
    if as_json:
        typer.echo(to_json_text(report, indent=1))
        return
    lines = [parsed.name, ""]
    from twin.soil.year import KPI_UNITS

    for k, v in kpis.items():
        lines.append(f"  {k:32s} {v:14.6g}   {KPI_UNITS.get(k, '')}")
    lines.append("")
    lines.append(f"water balance: rain {balance['rain']:.6g} m3 = ET {balance['interception_evaporation'] + balance['soil_evaporation'] + balance['transpiration']:.6g}"
                 f" + runoff {balance['runoff']:.6g} + recharge {balance['recharge']:.6g} + storage change {balance['storage_change']:.6g};"
                 f" error {balance['balance_error']:.3g} m3 (relative {balance['relative_error']:.2e})")
    lines.append(f"sewer overflow events: {len(events)}")
    for row in events.itertuples():
        lines.append(f"  {row.start} to {row.end}: {row.duration_h:g} h, {row.volume_m3:.1f} m3 (CSO {row.cso_m3:.1f}, flooding {row.flooding_m3:.1f})")
    lines.append(f"columns: {res.n_columns} in {res.grid.shape[0] * res.grid.shape[1]} cells, {res.n_integrated} integrated; "
                 f"{res.timings_s['total_s']:.1f} s")
    typer.echo("\n".join(lines))


@app.command("block")
def block(
    spec: Annotated[Path, typer.Argument(help="Block spec (YAML): materials, layers, grid, initial head, sides, output times", metavar="SPEC")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
) -> None:
    """Run a 3-D soil block (Richards in 3-D, lateral flow under sealed surfaces): the water
    through each side, rain and runoff at the output times, the water balance."""
    from twin.io.input_limits import check_block_spec_path

    from .file_kinds import wrong_kind

    with wrong_kind(spec, "soil block spec"):
        check_block_spec_path(spec)  # block_command's check, before NumPy
        from twin.soil.block3d_spec import block_command

        text = block_command(spec, as_json=as_json)
    typer.echo(text)


def _text(rep: dict, every: int) -> str:
    z = rep["depth_m"]
    step = every or max(1, len(z) // 25)
    idx = list(range(0, len(z), step))
    if idx[-1] != len(z) - 1:
        idx.append(len(z) - 1)
    lines = [f"{rep['name']}", ""]
    head = "depth_m " + " ".join(f"{'h_m@' + _t(t):>14s} {'theta@' + _t(t):>14s}" for t in rep["times_s"])
    lines.append(head)
    for i in idx:
        row = f"{z[i]:7.3f} " + " ".join(f"{rep['h_m'][o][i]:14.5g} {rep['theta'][o][i]:14.5f}" for o in range(len(rep["times_s"])))
        lines.append(row)
    lines.append("")
    lines.append("cumulative fluxes (mm): " + ", ".join(f"{k}" for k in rep["cumulative_m"]))
    for o, t in enumerate(rep["times_s"]):
        vals = ", ".join(f"{rep['cumulative_m'][k][o] * 1000:.4f}" for k in rep["cumulative_m"])
        lines.append(f"  t = {_t(t):>8s}: {vals}")
    tot = rep["totals_m"]
    lines.append("")
    lines.append(
        "totals (mm): " + ", ".join(f"{k} {v * 1000:.4f}" for k, v in tot.items())
    )
    lines.append(
        f"water balance error: {rep['water_balance_error_m'] * 1000:.3e} mm "
        f"(relative {rep['relative_water_balance_error']:.3e}); steps {rep['steps']}, iterations {rep['iterations']}, "
        f"failed steps {rep['steps_failed']}"
    )
    return "\n".join(lines)


def _t(t: float) -> str:
    if t >= 86400 and t % 3600 == 0:
        return f"{t / 3600:g}h"
    if t >= 3600 and t % 60 == 0:
        return f"{t / 60:g}min"
    return f"{t:g}s"
