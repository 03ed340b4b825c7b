"""``twin run``, ``twin batch`` and ``twin scenario``: what-ifs against a baseline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

scenario_app = typer.Typer(help="Scenario files: validate them, export their JSON Schema.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("batch")(batch)
    app.add_typer(scenario_app, name="scenario")


def run(
    scenario: Annotated[Optional[Path], typer.Argument(help="Scenario YAML (default: scenarios/stgilles_default.yaml)")] = None,
    out: Annotated[Path, typer.Option("-o", "--out", help="Results folder")] = Path("results"),
    samples: Annotated[Optional[int], typer.Option(help="Override the number of Monte Carlo samples")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Override the random seed")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Run a scenario's baseline and what-ifs; write report.html, KPIs, per-object deltas and the run record to OUT."""
    from twin.workflows.scenario_run import run_scenario_file

    lines = run_scenario_file(scenario, out, samples=samples, seed=seed, progress=not quiet)
    if not quiet:
        for line in lines:
            typer.echo(line)


def batch(
    pattern: Annotated[str, typer.Argument(help="A folder of scenario YAML files, or a glob")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Results folder (runs.sqlite and one folder per run)")] = Path("batch_results"),
    scheduler: Annotated[Optional[str], typer.Option(help="Dask scheduler address (default: a LocalCluster)")] = None,
    workers: Annotated[int, typer.Option(help="LocalCluster worker processes")] = 2,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Run many scenarios (e.g. permit applications) on Dask; finished runs are skipped on a rerun."""
    from twin.scenario.batch import run_batch

    records = run_batch(pattern, out=out, scheduler=scheduler, n_workers=workers, progress=not quiet)
    if not quiet:
        counts = records["status"].value_counts().to_dict() if len(records) else {}
        typer.echo(f"{len(records)} runs: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        for r in records.itertuples():
            if r.status == "failed":
                typer.echo(f"  failed {r.scenario}: {str(r.error).splitlines()[-1] if r.error else ''}")
        typer.echo(f"records in {out / 'runs.sqlite'}")


@scenario_app.command("validate")
def validate(files: Annotated[list[Path], typer.Argument(help="Scenario YAML files")]) -> None:
    """Check scenario files against the schema (errors name the key path)."""
    from twin.scenario.schema import load_scenario

    for f in files:
        sc = load_scenario(f)
        typer.echo(f"{f}: ok ({len(sc.whatifs)} what-ifs, engines {', '.join(sc.domains)})")


@scenario_app.command("schema")
def schema(out: Annotated[Optional[Path], typer.Option("-o", "--out", help="Write to a file instead of stdout")] = None) -> None:
    """The JSON Schema of scenario files (for editors)."""
    import json

    from twin.io import atomic_write_text
    from twin.scenario.schema import json_schema

    text = json.dumps(json_schema(), indent=2)
    if out:
        atomic_write_text(out, text)
    else:
        typer.echo(text)
