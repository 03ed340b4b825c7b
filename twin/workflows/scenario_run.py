"""``twin run``: one scenario file -> comparison -> report, outputs and a run record.

The results folder ``OUT`` is one unit: ``report.html``, ``kpis.csv``, ``outputs/``
(``kpis.parquet`` and per-object deltas as GeoParquet), ``baseline_scene/``, ``runs.sqlite``
and ``run_record.json`` are written into a folder staged beside ``OUT`` and swapped in at
once when the last file is written (:func:`twin.io.staged.staged_dir`). A reader, or a run
killed at any moment, leaves ``OUT`` as the previous complete result or the new complete
result: a ``kpis.csv`` of one seed never sits beside a ``report.html`` of another.

``run_record.json`` (strict JSON) names the run (id, scenario, hashes, seed, samples), the
versions of Python, twin and its main libraries, the time, and every other file of the folder
with its size and SHA-256 (``files``), so the folder can be checked to be one complete result
(:func:`verify_result`).

The run store
-------------
The store of every run into ``OUT`` (status ``running`` / ``done`` / ``failed``, with errors and
interrupted runs) must outlive the swaps, so it lives beside the folder, in a stable place:
``OUT.runs.sqlite`` (for ``-o results``: ``results.runs.sqlite``). ``OUT/runs.sqlite`` is a
copy of it taken when the result was staged, with this run recorded as ``done``: the history
of runs up to this result, which travels with the folder. A failed or interrupted run is
recorded in the stable store only (its folder never replaces the previous one).
A run that another live process is computing into the same ``OUT`` (the same scenario, inputs
and seed) is refused with one line naming the store, the run, the host and pid of that process
(:class:`twin.errors.RunHeldError`, exit code 2): nothing is computed or written. While the run
computes, its record gets a heartbeat (:meth:`twin.scenario.store.RunStore.heartbeat`).

Before any work the output is checked (:func:`twin.io.output_checks.check_output_folder`):
writable, not an input, not holding an input, not a folder of other things. SIGTERM and
Ctrl-C mark the run ``failed`` ("interrupted") and remove the staged folder; after a
``kill -9`` the next opening of the store marks the run failed and the next run for ``OUT``
removes the temporary folder.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import time
from pathlib import Path
from typing import TYPE_CHECKING

from twin.errors import InputError
from twin.io.input_limits import check_scenario_path

if TYPE_CHECKING:
    from twin.scenario.store import Claim

log = logging.getLogger(__name__)

#: Names that mark a folder as an earlier ``twin run`` result (an existing folder is replaced only then).
RUN_MARKERS = ("run_record.json", "report.html", "kpis.csv")

#: The ``command`` of the run record (:func:`twin.io.staged.folder_writer`): an existing OUT is
#: replaced only when ``twin run`` wrote it, not the results of ``twin energy run``, which hold
#: a ``run_record.json`` too (:func:`twin.io.staged.check_writer`).
RUN_WRITER = "twin run"

#: The run record inside the results folder.
RECORD_NAME = "run_record.json"

#: The copy of the run store inside the results folder.
STORE_COPY_NAME = "runs.sqlite"


def default_scenario() -> Path:
    """``scenarios/stgilles_default.yaml`` of the repository (or of the working directory)."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[2] / "scenarios" / "stgilles_default.yaml", Path.cwd() / "scenarios" / "stgilles_default.yaml"):
        if candidate.exists():
            return candidate
    raise InputError("default scenario not found; pass a scenario file", path="scenarios/stgilles_default.yaml")


def store_path_for(out: str | os.PathLike[str]) -> Path:
    """The stable run store of results folder ``out``: ``OUT.runs.sqlite`` beside it."""
    out = Path(os.path.abspath(out))
    return out.with_name(out.name + ".runs.sqlite")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def _check_output(out: Path, inputs: list[Path]) -> Path:
    """The results folder and the stable store beside it can be written (before any work)."""
    from twin.io.output_checks import check_output_file, check_output_folder
    from twin.io.staged import check_writer

    check_output_folder(out, inputs=inputs, owned=RUN_MARKERS, field="--out")
    check_writer(out, RUN_WRITER, field="--out")  # not the results of twin energy run (both hold run_record.json)
    store = store_path_for(out)
    check_output_file(store, inputs=inputs, field="--out")
    return store


def check_run_paths(path: str | os.PathLike[str] | None, out: str | os.PathLike[str]) -> Path:
    """The paths of ``twin run``, checked before any import-heavy work: the results folder ``out``
    first (:func:`_check_output`), then the scenario file (:func:`check_scenario_path`).

    Returns
    -------
    Path
        The scenario file (``path``, or :func:`default_scenario` for None).
    """
    path = Path(path) if path else default_scenario()
    _check_output(Path(out), [path])
    check_scenario_path(path)
    return path


def run_scenario_file(path, out, *, samples=None, seed=None, progress: bool | None = None, no_effect: str = "error",
                      allow_dirs=()) -> list[str]:
    """Run ``path`` (default: the Saint-Gilles default scenario) and write everything to ``out``.

    Parameters
    ----------
    path
        Scenario YAML file, or None for :func:`default_scenario`.
    out
        Results folder (replaced whole at the end; see the module docstring).
    samples, seed
        Overrides of the scenario's Monte Carlo samples and seed (validated like the file).
    progress
        None (default): the steps (inputs, baseline scene, engines, Monte Carlo, report,
        outputs) go to the reporter the command line installed (library use: silent); False:
        silent; True: on stderr (:mod:`twin.io.progress`).
    no_effect
        ``"error"`` (default): a selection that matches nothing or a modification without
        effect stops the run; ``"warn"``: a warning instead (passed to
        :func:`twin.scenario.runner.run_scenario`).
    allow_dirs
        Folders scenario inputs may come from besides the scenario's own folder (passed to
        :func:`twin.scenario.runner.run_identity` and the runner).

    Returns
    -------
    list of str
        The lines the command prints.

    Raises
    ------
    OutputError
        ``out`` cannot be written (checked before any work).
    """
    from twin.io.progress import requested

    with requested(progress):
        return _run_scenario_file(path, out, samples=samples, seed=seed, no_effect=no_effect, allow_dirs=allow_dirs)


def _run_scenario_file(path, out, *, samples, seed, no_effect: str, allow_dirs) -> list[str]:
    """:func:`run_scenario_file`, its steps reported to :mod:`twin.io.progress`."""
    path = check_run_paths(path, out)  # before reading the inputs, before the scenario modules are imported
    out = Path(out)
    from twin.io import progress
    from twin.scenario.runner import run_identity, run_scenario, scenario_inputs
    from twin.scenario.schema import with_overrides
    from twin.scenario.store import RunStore, make_run_id
    from twin.workflows.interrupt import sigterm_raises

    allow = {"allow_dirs": list(allow_dirs)} if allow_dirs else {}
    with progress.step("checking the scenario and hashing its inputs"):
        ident = run_identity(path, **allow)
        scenario = with_overrides(ident["scenario"], samples=samples, seed=seed, path=path)
        inputs = [ident["path"], *scenario_inputs(scenario, ident["path"].parent, **allow)]
    store_path = _check_output(out, inputs)
    store = RunStore(store_path)
    run_id = make_run_id(scenario.digest(), ident["input_hash"], scenario.uncertainty.seed, ident["version"])
    claim = dict(scenario=str(ident["path"]), label=scenario.name, version=ident["version"], input_hash=ident["input_hash"],
                 scenario_hash=scenario.digest(), seed=scenario.uncertainty.seed)
    t0 = time.perf_counter()
    with sigterm_raises():
        # an explicit run recomputes, and is recorded, even if done before; never beside another process computing it
        claimed = _claim_or_refuse(store, run_id, claim, out)
        record = {"run_id": run_id, "started_utc": _now(), **claim, "samples": scenario.uncertainty.samples}
        with store.heartbeat(claimed):  # until the run is recorded done or failed (RunStore.heartbeat)
            try:
                comparison = run_scenario(scenario, base_dir=ident["path"].parent, no_effect=no_effect, **allow)
                with progress.step("writing the results"):
                    written = _write_result(comparison, out, store, run_id, record)
            except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM (Terminated)
                store.fail(run_id, f"interrupted: {exc or 'Ctrl-C'}", claim=claimed)
                raise
            except BaseException as exc:
                store.fail(run_id, f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc), claim=claimed)
                raise
            store.finish(run_id, kpis=written["kpis"], outputs=written["outputs"], claim=claimed)
    lines = [f"scenario {scenario.name} ({path}), run {run_id}, {time.perf_counter() - t0:.1f} s"]
    log.info("run %s of %s done in %.1f s", run_id, path, time.perf_counter() - t0)
    from twin.scenario.report import assumed_lines, terminal_summary

    lines += terminal_summary(comparison)
    lines += assumed_lines(comparison)
    lines.append(f"report: {out / 'report.html'}")
    return lines


def _claim_or_refuse(store, run_id: str, claim: dict, out: Path) -> Claim:
    """Claim ``run_id`` (again if done), or refuse if another process is computing it; the
    :class:`~twin.scenario.store.Claim` (for :meth:`~twin.scenario.store.RunStore.heartbeat`).

    Two ``twin run`` of one scenario into one ``OUT`` would compute the same thing twice and
    swap their folders in one after the other; waiting and then computing again (``twin run``
    always recomputes) would do the same work twice too. So the second one stops at once.

    Raises
    ------
    RunHeldError
        Naming the store, the run, the host and pid of the process computing it, and what to do.
    """
    from twin.errors import RunHeldError
    from twin.scenario.store import ClaimStatus

    got = store.claim(run_id, again=True, **claim)
    if got.status is ClaimStatus.HELD:
        raise RunHeldError(f"run {run_id} of this scenario is being computed into {out} by {got.holder()}: "
                           f"{store.held_advice(run_id, got.host)}; then run again", path=store.path)
    return got


def _write_result(comparison, out: Path, store, run_id: str, record: dict) -> dict:
    """Stage the whole results folder, record it, swap it in; KPIs and output paths for the store."""
    from twin.export import write_scene_files
    from twin.io import progress
    from twin.io.json_out import to_json_text
    from twin.io.run_record import dependency_versions, file_manifest
    from twin.io.staged import MARKER, staged_dir
    from twin.scenario.report import write_report
    from twin.scenario.runner import kpi_deltas, write_run_files

    kpis = kpi_deltas(comparison)
    with staged_dir(out, owned=RUN_MARKERS, field="--out", written_by=RUN_WRITER) as tmp:
        (tmp / "outputs").mkdir()
        written = write_run_files(comparison, tmp / "outputs")
        with progress.step("report.html"):
            write_report(comparison, tmp / "report.html", run_id=run_id)
        (tmp / "baseline_scene").mkdir()
        with progress.step("baseline_scene/"):
            write_scene_files(comparison.baseline_scene, tmp / "baseline_scene")
        comparison.kpis.to_csv(tmp / "kpis.csv", index=False)
        outputs = {"report": str(out / "report.html"), "kpis_csv": str(out / "kpis.csv"), "baseline_scene": str(out / "baseline_scene"),
                   "record": str(out / RECORD_NAME), **{k: str(out / "outputs" / v) for k, v in written.items()}}
        store.copy_to(tmp / STORE_COPY_NAME, done={"run_id": run_id, "kpis": kpis, "outputs": outputs})
        full = {
            **record,
            "command": RUN_WRITER,
            "output": str(Path(os.path.abspath(out))),
            "store": str(store.path),
            "finished_utc": _now(),
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "versions": dependency_versions(),
            "timings_s": {k: float(v) for k, v in getattr(comparison, "timings_s", {}).items()},
            "kpis": kpis,
            "assumed": _assumed_record(comparison),
            "files": file_manifest(tmp, exclude=(RECORD_NAME, STORE_COPY_NAME, MARKER)),
        }
        (tmp / RECORD_NAME).write_text(to_json_text(full), encoding="utf-8")
    return {"kpis": kpis, "outputs": outputs}


def _assumed_record(comparison) -> dict:
    """What the run assumed, for the run record: floor-area shares per attribute and source (the
    attributes of the report's table, :func:`twin.scene.provenance.reported_parameters`: floor
    area and storey height included where the scene carries their sources), where
    the heating systems came from (when the scene declares some: :func:`twin.scenario.report.heating_system_sources`),
    the priors sampled (entries and where they come from), samples and seed."""
    out: dict = {}
    scene = comparison.baseline_scene
    if scene is not None and len(scene.buildings):
        from twin.scene.provenance import floor_area_shares, reported_parameters

        try:
            shares = floor_area_shares(scene.buildings, reported_parameters(scene.buildings))
            out["floor_area_shares"] = {attr: {k: float(v) for k, v in row.items()} for attr, row in shares.iterrows()}
        except ValueError as exc:
            out["floor_area_shares"] = str(exc)
        from twin.scenario.report import heating_system_sources

        try:
            systems = heating_system_sources(scene.buildings)
        except ValueError as exc:
            systems = str(exc)
        if systems is not None:  # only a scene that declares some heating system: the default run's record is unchanged
            out["heating_system"] = systems
    stock = getattr(comparison, "stock_samples", None)
    unc = comparison.scenario.uncertainty
    out["samples"] = int(unc.samples) if comparison.samples is not None else 0
    out["seed"] = int(unc.seed)
    out["priors"] = {"source": stock.priors.source, "entries": stock.priors.enabled()} if stock is not None else None
    out["parameters"] = [d.name for d in unc.parameters]
    return out


def verify_result(out: str | os.PathLike[str]) -> list[str]:
    """Differences between results folder ``out`` and its run record (empty: one complete result).

    Returns
    -------
    list of str
        ``"missing X"``, ``"extra X"``, ``"changed X"``, or ``"no run record"``.
    """
    from twin.io.run_record import verify_manifest

    out = Path(out)
    try:
        record = json.loads((out / RECORD_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ["no run record"]
    return verify_manifest(out, record.get("files", {}), exclude=(RECORD_NAME, STORE_COPY_NAME))


__all__ = ["RUN_MARKERS", "default_scenario", "run_scenario_file", "store_path_for", "verify_result"]
