"""``twin run``, ``twin batch`` and ``twin scenario``: what-ifs against a baseline.

Options shared by the three scenario commands:

``--allow-no-effect``
    A selection that matches nothing or a modification without effect becomes a warning
    (``twin: warning: ...``) instead of an error.
``--allow-dir DIR`` (repeatable)
    Scenario inputs may also come from DIR (by default they must stay in the scenario file's
    folder or the sample data shipped with twin; see ``docs/scenarios.md``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

scenario_app = typer.Typer(help="Scenario files: validate them, export their JSON Schema.", no_args_is_help=True)

AllowNoEffect = Annotated[bool, typer.Option(
    "--allow-no-effect",
    help="Warn instead of failing when a selection matches nothing or a modification changes nothing.")]
AllowDir = Annotated[list[Path] | None, typer.Option(
    "--allow-dir",
    help="A folder scenario inputs may come from besides the scenario's own folder (repeatable).")]


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("batch")(batch)
    app.add_typer(scenario_app, name="scenario")


def _no_effect(allow: bool) -> str:
    return "warn" if allow else "error"


def run(
    scenario: Annotated[Path | None, typer.Argument(help="Scenario file, .yaml or .json (default: scenarios/stgilles_default.yaml)", metavar="SCENARIO")] = None,
    out: Annotated[Path, typer.Option("-o", "--out", help="Results folder (an existing one is replaced only when twin run wrote it)")] = Path("results"),
    samples: Annotated[int | None, typer.Option(help="Override the number of Monte Carlo samples (0: none)")] = None,
    seed: Annotated[int | None, typer.Option(help="Override the random seed (0 to 2**63 - 1)")] = None,
    allow_no_effect: AllowNoEffect = False,
    allow_dir: AllowDir = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines, no summary")] = False,
) -> None:
    """Run a scenario's baseline and what-ifs; write report.html, KPIs, per-object deltas and the run record to OUT.

    Progress lines (checks, baseline scene, each engine on each scene, Monte Carlo, report and
    outputs) go to stderr once the command has run 1 s, then at least every 5 s (none with -q).
    """
    from twin.workflows.scenario_run import check_run_paths, default_scenario, run_scenario_file

    from .file_kinds import wrong_kind

    with wrong_kind(scenario, "scenario"):
        check_run_paths(scenario, out)  # -o, then the scenario file: at once, before the scenario modules are imported
    from twin.errors import ResourceLimitError, ScenarioError, TwinError
    from twin.scenario.checks import values_from_options

    given = {"uncertainty.samples": "--samples"} if samples is not None else {}  # the checks name the option, not the file
    try:
        with wrong_kind(scenario, "scenario"), values_from_options(given):
            lines = run_scenario_file(scenario, out, samples=samples, seed=seed, progress=False if quiet else None,
                                      no_effect=_no_effect(allow_no_effect), allow_dirs=list(allow_dir or []))
    except (ScenarioError, ResourceLimitError) as exc:  # a selection, modification or scene limit the runner refused names only its key path
        _name_file(exc, scenario if scenario is not None else default_scenario())
        raise
    except TwinError as exc:  # an engine's check of the scene names a key of the file (soil.bounds, soil.block.region)
        if _scenario_key(exc.field):
            _name_file(exc, scenario if scenario is not None else default_scenario())
        raise
    if not quiet:
        _echo_lines(lines)


def _echo_lines(lines: list[str]) -> None:
    """The summary on stdout, on a clean terminal line (a drawn progress line is erased first)."""
    from twin.io.progress import clear_line

    clear_line()
    for line in lines:
        typer.echo(line)


def batch(
    pattern: Annotated[str, typer.Argument(help="A folder of scenario YAML files, or a glob", metavar="PATTERN")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Results folder (runs.sqlite and one folder per run)")] = Path("batch_results"),
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address (default: a LocalCluster)")] = None,
    connect_timeout: Annotated[float | None, typer.Option(
        "--connect-timeout", help="Seconds to wait for --scheduler to accept a connection (default 10; only with --scheduler)")] = None,
    workers: Annotated[int, typer.Option(help="LocalCluster worker processes", min=1, max=256)] = 2,
    allow_no_effect: AllowNoEffect = False,
    allow_dir: AllowDir = None,
    no_report: Annotated[bool, typer.Option(
        "--no-report", help="Skip each run's report.html (faster): KPIs and per-object deltas only")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines, no summary")] = False,
) -> None:
    """Run many scenarios (e.g. permit applications) on Dask; finished runs are skipped on a rerun.

    Each run's folder (OUT/RUN_ID/) gets the KPIs, the per-object deltas and the report.html
    twin run writes (not with --no-report); a report that fails fails its run.

    Progress lines (reading the files, starting the cluster, runs done) go to stderr once the
    command has run 1 s, then at least every 5 s (none with -q).

    A run that another live process is computing on the same store (another twin batch, a
    twin run) is not computed twice: the batch waits for it (a progress line names the
    process) and reports its result, or computes it if that process dies first.

    Exit code: 0 every run done; 1 some runs failed (each listed), a scenario file that is not
    valid counting as a failed run, so a batch where some files are bad and the others ran
    exits 1 (partial result, deliberately: the good runs are recorded and a rerun skips them);
    2 every run failed, bad files included (the first reason is the error line).
    """
    from twin.io.batch_paths import check_batch_paths

    check_batch_paths(pattern, out, allow_dir or [])  # at once, before the batch's modules (pandas, Dask) are imported
    from twin.scenario.batch import run_batch

    records = run_batch(pattern, out=out, scheduler=scheduler, n_workers=workers, progress=False if quiet else None,
                        no_effect=_no_effect(allow_no_effect), allow_dirs=list(allow_dir or []), connect_timeout_s=connect_timeout,
                        report=not no_report)
    failed = records[records["status"] != "done"] if len(records) else records
    if not quiet:
        counts = records["status"].value_counts().to_dict() if len(records) else {}
        _echo_lines([f"{len(records)} runs: " + ", ".join(f"{k} {v}" for k, v in counts.items()),
                     *(f"  {r.status} {r.file}: {_last_line(r.error)}" for r in failed.itertuples()),
                     f"records in {out / 'runs.sqlite'}",
                     *([f"permit applications summed up in {records.attrs['permits_summary']}"] if records.attrs.get("permits_summary") else []),
                     *([f"no run of this batch inserts a building: removed the earlier {records.attrs['permits_summary_removed']}"]
                       if records.attrs.get("permits_summary_removed") else [])])
    if len(failed) and len(failed) == len(records):
        from twin.errors import InputError

        first = failed.iloc[0]
        more = f" (and {len(failed) - 1} more failed runs)" if len(failed) > 1 else ""
        raise InputError(f"every run failed; {first['file']}: {_last_line(first['error'])}{more}")
    if len(failed):
        typer.echo(f"twin: warning: {len(failed)} of {len(records)} runs failed (see above and {out / 'runs.sqlite'})", err=True)
        raise typer.Exit(code=1)


def _last_line(error) -> str:
    text = str(error or "").strip()
    return text.splitlines()[-1] if text else ""


@scenario_app.command("validate")
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario files (.yaml or .json)", metavar="FILES")],
    no_scene: Annotated[bool, typer.Option(
        "--no-scene",
        help="Check the file and its inputs only: do not build the scene (selections and modifications unchecked).")] = False,
    allow_no_effect: AllowNoEffect = False,
    allow_dir: AllowDir = None,
) -> None:
    """Check scenario files without running any engine: the schema, measure and parameter names,
    the inputs (confined to the scenario's folder, right type and size), resource limits and,
    unless --no-scene, every selection and modification on the scene built from the inputs."""
    from twin.io.input_limits import check_scenario_path

    from .file_kinds import wrong_kind

    for f in files:  # every path at once, before the scenario modules are imported (about a second)
        with wrong_kind(f, "scenario"):
            check_scenario_path(f)
    from twin.ingest.dispatch import check_each_file_once
    from twin.scenario.checks import check_scenario
    from twin.scenario.inputs import resolve_inputs
    from twin.scenario.runner import _check_kpi_filter, prepare_scenes
    from twin.scenario.schema import load_scenario

    no_effect = _no_effect(allow_no_effect)
    allow = list(allow_dir or [])
    for f in files:
        with wrong_kind(f, "scenario"):
            sc = load_scenario(f)
        base = Path(f).resolve().parent
        try:
            _check_kpi_filter(sc)
            if no_scene:
                check_scenario(sc, no_effect=no_effect)
                found = resolve_inputs(sc, base, allow_dirs=allow)
                check_each_file_once([i.path for i in found if i.field.startswith("inputs.files.") or i.field == "inputs.weather"],
                                     [i.path for i in found if i.field.startswith("inputs.sites.")])
                detail = "scene not built (--no-scene): selections and modifications not checked"
            else:
                prepared = prepare_scenes(sc, base_dir=base, no_effect=no_effect, allow_dirs=allow)
                counts = {k: len(v) for k, v in prepared.baseline.layers.items() if len(v)}
                detail = "scene checked: " + ", ".join(f"{n:,} {k}" for k, n in counts.items())
        except Exception as exc:
            _name_file(exc, f)
            raise
        typer.echo(f"{f}: ok ({len(sc.whatifs)} what-ifs, engines {', '.join(sc.domains)}; {detail})")


def _scenario_key(field: str | None) -> bool:
    """Whether ``field`` is a key path of a scenario file (``soil.bounds``, ``whatifs.0.name``), not
    a column of a table or an option of the command."""
    from twin.scenario.schema import Scenario

    return field is not None and field.split(".", 1)[0] in Scenario.model_fields


def _name_file(exc: BaseException, path: Path) -> None:
    """Add the scenario file to a TwinError that names no file (errors of the runner know only key paths)."""
    from twin.errors import TwinError

    if isinstance(exc, TwinError) and exc.path is None and exc.field is not None:
        exc.path = str(path)
        exc.args = (exc._render(),)


def _check_schema_target(out: Path, schema_doc: dict) -> None:
    """``twin scenario schema -o``: a ``.json`` file that is new or holds a schema written before.

    The command overwrote any file it was given: ``-o scenarios/x.yaml`` (or a scenario written as
    ``.json``) replaced the planner's scenario with the schema, exit 0.

    Raises
    ------
    OutputError
        ``out`` does not end in ``.json``, or exists and is not a JSON Schema of scenario files.
    """
    import json

    from twin.errors import OutputError

    if out.suffix.lower() != ".json":
        raise OutputError(f"the schema is JSON: name a .json file, not {out.suffix or 'a file without a suffix'}"
                          f"{' (a scenario file?)' if out.suffix.lower() in ('.yaml', '.yml') else ''}", path=out, field="--out")
    if out.exists():
        try:
            old = json.loads(out.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            old = None
        if not (isinstance(old, dict) and old.get("title") == schema_doc.get("title") and "$defs" in old):
            raise OutputError("the file exists and is not a JSON Schema of scenario files (a scenario written as JSON?): "
                              "it would be overwritten; name a new file", path=out, field="--out")


@scenario_app.command("schema")
def schema(out: Annotated[Path | None, typer.Option("-o", "--out", help="Write to a file instead of stdout")] = None) -> None:
    """The JSON Schema of scenario files (for editors)."""
    import json

    from twin.io import atomic_write_text
    from twin.scenario.schema import json_schema

    schema_doc = json_schema()
    if out:
        from twin.io.output_checks import check_output_file

        check_output_file(out, field="--out")
        _check_schema_target(out, schema_doc)
    text = json.dumps(schema_doc, indent=2)
    if out:
        atomic_write_text(out, text)
    else:
        typer.echo(text)
