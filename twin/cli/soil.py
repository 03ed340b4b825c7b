"""``twin soil``: soil water and heat (single columns; the district runs through scenarios)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Soil water (Richards) and heat: study one column from a YAML spec.", no_args_is_help=True)


@app.command("column")
def column(
    spec: Annotated[Path, typer.Argument(help="Column spec (YAML): materials, layers, grid, initial and boundary conditions")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole result as JSON")] = False,
    every: Annotated[int, typer.Option(help="Print every n-th node of the profiles (text output; 0: about 25 rows)", min=0)] = 0,
) -> None:
    """Run one soil column: pressure head and water content at the output times, cumulative
    fluxes and the water-balance error.

    The spec is checked whole before the run (every value finite and in its range, output times
    inside the duration, the estimated work within the limits of ``twin.soil.limits``); a bad
    spec is one ``twin: error:`` line naming the file and the key.
    """
    from twin.io.json_out import to_json_text
    from twin.io.paths import check_input_file
    from twin.soil.column import SPEC_MAX_BYTES, column_report, load_column_spec, prepare_column

    check_input_file(spec, max_bytes=SPEC_MAX_BYTES, what="column spec")
    parsed = load_column_spec(spec)
    run = prepare_column(parsed, path=spec)
    report = column_report(run, run.run())
    if as_json:
        typer.echo(to_json_text(report, indent=1))
        return
    typer.echo(_text(report, every))


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
