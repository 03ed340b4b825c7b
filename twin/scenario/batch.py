"""Batches of scenarios (e.g. one per permit application) on Dask, resumable and idempotent.

Each scenario file becomes one task keyed by its run id (:func:`twin.scenario.store.make_run_id`).
The driver reads every file first: an invalid file is recorded as a failed run at once, files
that describe the same run are submitted once, and runs the store already has as ``done`` are
not submitted at all, so rerunning an interrupted batch only does the rest. A task claims its
run in the store before working (a run already ``done`` is skipped there too), so a task that
Dask retries after its worker died records its run once. A run that another live process is
computing on the same store (a second ``twin batch``, a ``twin run``) is not computed twice:
the batch waits for that process (a progress line names it; the store is looked at every
:data:`~twin.scenario.store.HELD_POLL_S` s) and reports its result, or computes the run itself
if that process dies first (:meth:`~twin.scenario.store.RunStore.claim`), or, on another host,
stops recording its heartbeat for :data:`~twin.scenario.store.STALE_AFTER_S` s. A task whose workers keep dying
(``KilledWorker``) is recorded as failed and the batch goes on. Outputs go to
``OUT/<run_id>/`` (:func:`twin.scenario.runner.write_run_folder`: a temporary folder, renamed):
the KPIs, the per-object deltas and, unless ``report=False``, the ``report.html`` of ``twin run``.
When some runs insert buildings (permit applications), ``OUT/permits_summary.csv`` puts their
new buildings and the change of their neighbours side by side (:func:`write_permits_summary`);
when none does, the one an earlier batch wrote in the same folder is removed
(:func:`remove_permits_summary`): it would read as this batch's.

This module is about batches only: what one run is (:func:`~twin.scenario.runner.run_identity`)
and what it writes (:func:`~twin.scenario.runner.write_run_files`) live with the runner, and
``twin run`` uses the same two functions. ``run_identity`` and ``scenario_inputs`` are
re-exported here for older callers.

The default cluster is a ``LocalCluster`` of processes with one thread each; Numba kernels in
the workers are capped to one thread (``TWIN_NUMBA_THREADS=1``) so workers do not oversubscribe
the cores. Pass ``scheduler="tcp://host:8786"`` to use an existing cluster: it is reached
before any scenario file is read (:func:`check_scheduler_reachable`); a port where nothing
listens is refused at once, and a scheduler that does not answer within ``connect_timeout_s``
(:data:`CONNECT_TIMEOUT_S`) is one error naming ``--scheduler``.

Safety (scenario files from applicants): the scenario files of a folder must lie in it (a link
leading out is refused), every input of a scenario must stay in the scenario's folder, the
shipped sample data or an allowed folder (:mod:`twin.scenario.inputs`), and every file is
checked as a regular file of the right type and size before it is read or hashed. A refused
file is recorded as a failed run with the reason; the batch goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import shutil
import socket
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from twin.errors import InputError, OutputError, TwinError
from twin.io.batch_paths import check_batch_folder, discover
from twin.scenario.runner import run_identity, scenario_inputs

log = logging.getLogger(__name__)

#: How long a batch waits for a Dask scheduler given by address to accept a connection, s
#: (``twin batch --connect-timeout``). A port where nothing listens is refused at once.
CONNECT_TIMEOUT_S = 10.0


def batch_root(pattern: str | os.PathLike[str]) -> Path | None:
    """The folder a batch's scenario files must stay in (a folder pattern), or None (a glob)."""
    p = Path(pattern)
    return p.resolve() if p.is_dir() else None


def _invalid_run_id(path: Path) -> str:
    """The run id of a file that is not a valid scenario: its contents' hash if it is a small
    regular file, else its path (a pipe or a device is never opened)."""
    import hashlib
    import stat

    from twin.scenario.schema import MAX_SCENARIO_BYTES
    from twin.scenario.store import hash_files, make_run_id

    try:
        info = Path(path).stat()
        regular = stat.S_ISREG(info.st_mode) and info.st_size <= MAX_SCENARIO_BYTES and os.access(path, os.R_OK)
    except OSError:
        regular = False
    digest = hash_files([path]) if regular else "path:" + hashlib.sha256(str(Path(path).absolute()).encode()).hexdigest()[:16]
    return make_run_id("invalid", digest, None, "")


def _check_in_root(path: Path, root: Path | None) -> None:
    """A scenario file of a folder batch must lie in that folder (a link leading out is refused)."""
    from twin.errors import UnsafePathError

    if root is None:
        return
    resolved = Path(path).resolve()
    if not resolved.is_relative_to(root):
        raise UnsafePathError(f"scenario file is a link pointing outside the batch folder {root}", path=path)


def _record_invalid(store, path: Path, exc: TwinError) -> str:
    """Record ``path`` as a failed run keyed by its contents.

    Another batch may be recording the same file at this moment (it holds the run for an
    instant): then its record is used, unless its process died first.
    """
    from twin.scenario.store import ClaimStatus

    run_id = _invalid_run_id(Path(path))
    while True:
        claim = store.claim(run_id, scenario=str(Path(path).absolute()), version="", input_hash="", scenario_hash="invalid", seed=None)
        if claim.status is ClaimStatus.CLAIMED:
            store.fail(run_id, str(exc), claim=claim)
        if claim.status is not ClaimStatus.HELD:
            return run_id
        record = store.wait_while_held(run_id)
        if not _interrupted(record):
            return run_id


def _interrupted(record: dict | None) -> bool:
    """Whether ``record`` is a run whose process ended without finishing it (to be run again)."""
    return record is not None and (record["status"] == "running" or (
        record["status"] == "failed" and str(record.get("error") or "").startswith("interrupted")))


def _remove_stale_temporaries(out_root: Path, run_id: str) -> None:
    """Temporary output folders of earlier attempts at ``run_id`` (their process was killed)."""
    for p in out_root.glob(f".{run_id}.*"):
        shutil.rmtree(p, ignore_errors=True)


def run_one(path: str, store_path: str, out_root: str, *, no_effect: str = "error", allow_dirs: Iterable[str] = (),
            batch: str | None = None, report: bool = True) -> dict:
    """Run one scenario file unless the store says it is done or held; return its store record.

    Idempotent: the same file with the same inputs maps to the same run id, and a ``done`` run
    is returned as recorded, without running again. A run another live process is computing
    (``held``, :meth:`~twin.scenario.store.RunStore.claim`) is not computed here: its record is
    returned as it is (status ``running``, ``host`` and ``pid`` of the holder) and the caller
    waits for it (:func:`run_batch` does). While a claimed run is computed, its record gets a
    heartbeat (:meth:`~twin.scenario.store.RunStore.heartbeat`), so a batch on another host can
    tell this task's process is gone when its heartbeat stops. ``no_effect`` and ``allow_dirs``: as
    :func:`twin.scenario.runner.run_scenario`; ``batch``: the batch's token, recorded with the
    claim (see :meth:`~twin.scenario.store.RunStore.claim`); ``report``: write the run's
    ``report.html`` with its other outputs (output ``report``; a report that fails fails the run).
    """
    from twin.scenario.runner import kpi_deltas, run_scenario, write_run_folder
    from twin.scenario.store import ClaimStatus, RunStore

    store = RunStore(store_path)
    try:
        ident = run_identity(path, allow_dirs=allow_dirs)
    except TwinError as exc:
        # an invalid scenario file is recorded as a failed run keyed by its contents
        return store.get(_record_invalid(store, Path(path), exc))
    run_id = ident["run_id"]
    claim = store.claim(run_id, scenario=str(ident["path"]), label=ident["scenario"].name, version=ident["version"],
                        input_hash=ident["input_hash"], scenario_hash=ident["scenario_hash"], seed=ident["seed"], batch=batch)
    if claim.status is not ClaimStatus.CLAIMED:  # done, or computed by another process now
        if claim.status is ClaimStatus.HELD:
            log.info("run %s (%s) is being computed by %s: not here", run_id, path, claim.holder())
        return store.get(run_id)
    _remove_stale_temporaries(Path(out_root), run_id)
    with store.heartbeat(claim):  # another host's batch can tell this worker still computes the run
        try:
            comparison = run_scenario(ident["scenario"], base_dir=ident["path"].parent, no_effect=no_effect, allow_dirs=allow_dirs)
            written = write_run_folder(comparison, Path(out_root) / run_id, report=report, run_id=run_id)
            store.finish(run_id, kpis=kpi_deltas(comparison), outputs={k: str(Path(out_root) / run_id / v) for k, v in written.items()},
                         claim=claim)
        except TwinError as exc:
            store.fail(run_id, str(exc), claim=claim)
        except Exception:  # a bug: keep the traceback in the record, the batch goes on
            store.fail(run_id, traceback.format_exc(limit=5), claim=claim)
    return store.get(run_id)


def plan_batch(files: list[Path], store, *, allow_dirs: Iterable[str | os.PathLike[str]] = (),
               root: Path | None = None) -> tuple[list[dict], dict[str, str]]:
    """Which files to submit, and the run id of every file.

    Invalid files (not a scenario, an input refused by :func:`run_identity`, a file outside
    ``root``, the batch folder) are recorded as failed runs now; files with the same run id are
    submitted once; runs the store has as ``done`` are not submitted.

    Returns
    -------
    (todo, run_ids)
        ``todo``: one dict (``run_id``, ``path``, ``claim``: the store fields) per run to submit;
        ``run_ids``: file -> run id.
    """
    todo: dict[str, dict] = {}
    run_ids: dict[str, str] = {}
    for f in files:
        try:
            _check_in_root(f, root)
            ident = run_identity(f, allow_dirs=allow_dirs)
        except TwinError as exc:
            run_ids[str(f)] = _record_invalid(store, Path(f), exc)
            continue
        run_id = ident["run_id"]
        run_ids[str(f)] = run_id
        if run_id in todo:
            continue
        record = store.get(run_id)
        if record is not None and record["status"] == "done":
            continue
        todo[run_id] = {
            "run_id": run_id,
            "path": str(ident["path"]),
            "claim": dict(scenario=str(ident["path"]), label=ident["scenario"].name, version=ident["version"],
                          input_hash=ident["input_hash"], scenario_hash=ident["scenario_hash"], seed=ident["seed"]),
        }
    return list(todo.values()), run_ids


def run_batch(
    pattern: str | os.PathLike[str],
    *,
    out: str | os.PathLike[str],
    store_path: str | os.PathLike[str] | None = None,
    scheduler: str | None = None,
    n_workers: int = 2,
    progress: bool | None = None,
    on_result: Callable[[object, dict], None] | None = None,
    no_effect: str = "error",
    allow_dirs: Iterable[str | os.PathLike[str]] = (),
    connect_timeout_s: float | None = None,
    report: bool = True,
) -> pd.DataFrame:
    """Run every scenario matched by ``pattern`` on Dask; returns the store's records of them.

    Parameters
    ----------
    pattern
        A folder (every ``*.yaml``/``*.yml`` below it) or a glob.
    out
        Results folder: ``runs.sqlite`` (unless ``store_path``) and one folder per run.
    store_path
        The run store (SQLite file); default ``OUT/runs.sqlite``.
    scheduler
        Address of a running Dask scheduler; default: a new ``LocalCluster``.
    n_workers
        Worker processes of the ``LocalCluster`` (one thread each).
    progress
        None (default): the steps (reading the files, starting the cluster, runs done) go to
        the reporter the command line installed (library use: silent); False: silent; True:
        on stderr (:mod:`twin.io.progress`).
    on_result
        Called in this process after each finished task as ``on_result(client, record)``
        (for progress displays and monitoring).
    no_effect
        ``"error"`` (default) or ``"warn"``: what a selection that matches nothing or a
        modification without effect does (:mod:`twin.scenario.checks`).
    allow_dirs
        Extra folders scenario inputs may come from (:mod:`twin.scenario.inputs`).
    connect_timeout_s
        How long to wait for ``scheduler`` to accept a connection, s (checked before any
        scenario file is read, and again by Dask's client); default :data:`CONNECT_TIMEOUT_S`.
        Given without ``scheduler`` it would change nothing: an error.
    report
        Write each run's ``report.html`` (the report of ``twin run``) with its other outputs
        (default); False: KPIs and per-object deltas only, faster. A run already ``done`` is
        not run again either way.

    Returns
    -------
    pandas.DataFrame
        One row per scenario file, in file order: ``file`` and the store record of its run
        (``run_id``, ``status``, ``attempts``, ``error``, ``kpis``, ...). Files with the same
        run id share one record. ``attrs["permits_summary"]``: the path of
        ``OUT/permits_summary.csv`` when some run inserts buildings (:func:`write_permits_summary`), else None;
        ``attrs["permits_summary_removed"]``: its path when no run inserts a building and an earlier
        batch's was removed (:func:`remove_permits_summary`), else None.
    """
    from twin.io.progress import requested

    with requested(progress):
        return _run_batch(pattern, out=out, store_path=store_path, scheduler=scheduler, n_workers=n_workers,
                          on_result=on_result, no_effect=no_effect, allow_dirs=allow_dirs, connect_timeout_s=connect_timeout_s,
                          report=report)


def require_dask() -> None:
    """Raise before any work when Dask's ``distributed`` (the ``dask`` extra) is not installed.

    ``twin batch`` after the README's default install (no ``dask`` extra) ended in an internal
    error (exit 70, ``ModuleNotFoundError``).

    Raises
    ------
    InputError
        Field ``dask``: the extra to install.
    """
    try:
        import distributed  # noqa: F401  (the batch imports it next anyway)
    except ImportError:
        raise InputError("twin batch runs on Dask, which is not installed: pip install 'twin[dask]' "
                         "(or run one scenario with twin run)", field="dask") from None


def check_scheduler(scheduler: str | None) -> None:
    """A Dask scheduler address of a known scheme with a host and port (``tcp://host:8786``),
    checked before any file is read.

    ``--scheduler 'not an address'`` was an internal error (exit 70, "missing port number")
    once the scenario files had been read.

    Raises
    ------
    InputError
        Field ``--scheduler``: a scheme Dask does not know, or no host and port.
    """
    if scheduler is None:
        return
    require_dask()
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import backends

    try:
        scheme, location = parse_address(scheduler)
        if scheme not in backends:
            raise ValueError(f"unknown scheme {scheme!r} (known: {', '.join(sorted(backends))})")
        if scheme in ("tcp", "tls"):
            parse_host_port(location)
    except ValueError as exc:
        raise InputError(f"{scheduler!r} is not a Dask scheduler address: {exc}; e.g. tcp://host:8786", field="--scheduler") from None


def check_scheduler_reachable(scheduler: str | None, timeout_s: float | None = None) -> None:
    """A Dask scheduler at a ``tcp://`` or ``tls://`` address accepts a TCP connection within
    ``timeout_s`` (default :data:`CONNECT_TIMEOUT_S`); checked before any scenario file is read.

    Dask's client retries a refused connection until its own timeout (30 s by default), so
    ``--scheduler tcp://127.0.0.1:1`` (nothing listening) failed only after 30 s, once the
    scenario files had been read and the results folder made. This opens and closes one TCP
    connection (refused: at once), then for ``tcp://`` one Dask connection, handshake included,
    bounded by ``timeout_s`` (:func:`_dask_handshake`; the scheduler may log that the first
    connection closed before its handshake). Addresses of other schemes (``inproc``, ``ucx``,
    ``ws``) and the TLS handshake are left to Dask's client, with the same timeout.

    Raises
    ------
    InputError
        Field ``--scheduler``: the connection was refused, the host is unknown, or nothing
        answered within ``timeout_s``. Field ``--connect-timeout``: not a positive number, or
        given without a scheduler (a timeout that changes nothing).
    """
    if timeout_s is not None:
        if scheduler is None:
            raise InputError("applies only to a Dask scheduler given by --scheduler (without it a local cluster is started): "
                             "it would change nothing", field="--connect-timeout")
        if isinstance(timeout_s, bool) or not (isinstance(timeout_s, (int, float)) and math.isfinite(timeout_s) and timeout_s > 0):
            raise InputError(f"must be a positive number of seconds, got {timeout_s!r}", field="--connect-timeout")
    if scheduler is None:
        return
    from distributed.comm.addressing import parse_address, parse_host_port

    check_scheduler(scheduler)
    timeout_s = CONNECT_TIMEOUT_S if timeout_s is None else float(timeout_s)
    scheme, location = parse_address(scheduler)
    if scheme not in ("tcp", "tls"):
        return
    host, port = parse_host_port(location)
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            pass
        if scheme == "tcp":
            asyncio.run(_dask_handshake(f"tcp://{location}", timeout_s))
    except ConnectionRefusedError:
        reason = f"connection refused (nothing listens on port {port} of {host})"
    except socket.gaierror as exc:
        reason = f"unknown host {host!r} ({exc.strerror or exc})"
    except _NoHandshake:
        reason = f"something listens on port {port} of {host} but did not answer as a Dask scheduler within {timeout_s:g} s (--connect-timeout)"
    except TimeoutError:
        reason = f"no answer within {timeout_s:g} s (--connect-timeout)"
    except OSError as exc:
        reason = exc.strerror or str(exc)
    else:
        return
    raise InputError(f"cannot connect to the Dask scheduler {scheduler}: {reason}", field="--scheduler")


class _NoHandshake(Exception):
    """A TCP peer that did not complete Dask's handshake in time."""


async def _dask_handshake(address: str, timeout_s: float) -> None:
    """Connect to ``address`` as Dask's client does, handshake included, then close.

    Dask's own ``connect`` waits for the handshake reply without a time limit (distributed
    2026.8: a peer that accepts and never answers, e.g. a web server on that port, kept
    ``Client(address, timeout=1)`` waiting for more than 10 minutes): the whole exchange is
    bounded here.
    """
    from distributed.comm import connect

    try:
        comm = await asyncio.wait_for(connect(address, timeout=timeout_s), timeout_s)
    except TimeoutError:
        raise _NoHandshake from None
    except Exception as exc:  # noqa: BLE001 - whatever Dask raises for a peer that is no scheduler
        if isinstance(exc, OSError):
            raise
        raise OSError(f"the peer is no Dask scheduler ({type(exc).__name__}: {exc})") from None
    await comm.close()


def _run_batch(pattern, *, out, store_path, scheduler, n_workers, on_result, no_effect, allow_dirs,
               connect_timeout_s=None, report=True) -> pd.DataFrame:
    from twin.io import progress
    from twin.scenario.checks import check_policy
    from twin.scenario.inputs import allowed_dirs
    from twin.scenario.store import RunStore

    check_policy(no_effect)
    require_dask()
    with progress.step(f"connecting to {scheduler}") if scheduler else contextlib.nullcontext():
        check_scheduler_reachable(scheduler, connect_timeout_s)
    connect_timeout_s = CONNECT_TIMEOUT_S if connect_timeout_s is None else float(connect_timeout_s)
    files = discover(pattern)
    allow = [str(p) for p in allowed_dirs(".", allow_dirs)[1:]]  # checked once; the scenario folder is per file
    from twin.io.paths import check_output_path

    out = check_output_path(out, kind="folder", field="--out")  # a file in the way names the option, not 'File exists'
    if store_path is None:
        check_batch_folder(out, files)
    out.mkdir(parents=True, exist_ok=True)
    store_path = Path(store_path) if store_path else out / "runs.sqlite"
    store = RunStore(store_path)  # creates the schema once, before workers race for it
    with progress.step(f"reading {len(files)} scenario files"):
        todo, run_ids = plan_batch(files, store, allow_dirs=allow, root=batch_root(pattern))
    if todo:
        _submit(todo, store, store_path=store_path, out=out, scheduler=scheduler, n_workers=n_workers,
                on_result=on_result, no_effect=no_effect, allow_dirs=allow, connect_timeout_s=connect_timeout_s, report=report)
    rows = []
    for f in files:
        record = store.get(run_ids[str(f)]) or {"run_id": run_ids[str(f)], "status": "missing"}
        rows.append({"file": str(f), **record})
    records = pd.DataFrame(rows)
    with progress.step("summing up the permit applications"):
        summary = write_permits_summary(out, records)  # None without a permit
        records.attrs["permits_summary"] = summary
        records.attrs["permits_summary_removed"] = None if summary else remove_permits_summary(out)
    return records


#: The permit summary of a batch, in its results folder (:func:`write_permits_summary`).
PERMITS_SUMMARY = "permits_summary.csv"


def write_permits_summary(out: str | os.PathLike[str], records: pd.DataFrame) -> Path | None:
    """Write ``OUT/permits_summary.csv``: one row per done run and what-if that inserts buildings
    (a permit application), from the run's ``OUT/<run_id>/deltas_<what-if>_energy.parquet`` (the
    record's ``outputs``)
    (:func:`twin.scenario.permit_impact.permit_impact_from_deltas`).

    Columns: ``scenario`` (its name), ``run_id``, ``whatif``, then
    :data:`twin.scenario.permit_impact.SUMMARY_COLUMNS` (floor area m², heating need MWh/yr and
    kWh/m²·yr and EPB class of the new buildings; the neighbours changed, the sum of their change
    MWh/yr and % of their own baseline, how many changed EPB class, the largest change of one
    building kWh/m²·yr and %, its id and distance m).
    Central-run numbers (the per-building results carry no band).

    Returns
    -------
    pathlib.Path or None
        The file's path; None (nothing written) when no done run inserts a building.
    """
    from twin.io import atomic_write_text
    from twin.scenario.permit_impact import SUMMARY_COLUMNS, permit_impact_from_deltas, summary_row

    out = Path(out)
    rows = []
    done = records[records["status"] == "done"].drop_duplicates("run_id") if len(records) else records
    for r in done.itertuples():
        outputs = r.outputs if isinstance(getattr(r, "outputs", None), dict) else {}
        for key, recorded in outputs.items():  # "<what-if>/<engine>" -> the run folder's file
            whatif, _, domain = str(key).rpartition("/")
            f = out / str(r.run_id) / Path(recorded).name
            if domain != "energy" or not whatif or not f.is_file():
                continue
            impact = permit_impact_from_deltas(pd.read_parquet(f))
            if impact is not None:
                rows.append({"scenario": getattr(r, "label", ""), "run_id": r.run_id, "whatif": whatif, **summary_row(impact)})
    if not rows:
        return None
    path = out / PERMITS_SUMMARY
    atomic_write_text(path, pd.DataFrame(rows, columns=["scenario", "run_id", "whatif", *SUMMARY_COLUMNS]).to_csv(index=False))
    return path


def remove_permits_summary(out: str | os.PathLike[str]) -> Path | None:
    """Remove ``OUT/permits_summary.csv`` (:data:`PERMITS_SUMMARY`, twin's own file in its batch
    folder) that an earlier batch wrote, for a batch of which no run inserts a building: left in
    place, it would read as this batch's summary.

    Returns
    -------
    pathlib.Path or None
        The removed file's path; None when there was none.

    Raises
    ------
    OutputError
        The file is there and cannot be removed.
    """
    path = Path(out) / PERMITS_SUMMARY
    if not path.is_file():
        return None
    try:
        path.unlink()
    except OSError as exc:
        raise OutputError(f"cannot remove the earlier permit summary (no run of this batch inserts a building): "
                          f"{exc.strerror or exc}", path=path) from None
    return path


def _submit(todo, store, *, store_path: Path, out: Path, scheduler, n_workers, on_result, no_effect="error",
            allow_dirs=(), connect_timeout_s=CONNECT_TIMEOUT_S, report=True) -> None:
    from twin.io import progress

    with progress.step("runs", len(todo), unit="done") as done:
        _submit_runs(todo, store, done, store_path=store_path, out=out, scheduler=scheduler, n_workers=n_workers,
                     on_result=on_result, no_effect=no_effect, allow_dirs=allow_dirs, connect_timeout_s=connect_timeout_s,
                     report=report)


def _run_and_wait(client, todo, store, done, *, store_path: Path, out: Path, on_result, no_effect, allow_dirs,
                  poll_s: float | None = None, report: bool = True) -> None:
    """Compute the runs of ``todo`` on ``client``; wait for those another process holds.

    A run that another live process is computing (another ``twin batch`` or a ``twin run`` on
    the same store) is not computed twice: its task returns the holder's record (``running``)
    and, once every other task has finished, the batch waits for the holder, looking at the
    store every ``poll_s`` seconds (:data:`twin.scenario.store.HELD_POLL_S`) with a progress
    line naming the run and its holder. The holder's record is then this batch's result (done,
    or failed with its error); if the holder died without finishing, the run is computed here.
    """
    import uuid

    from dask.distributed import as_completed

    from twin.scenario.store import HELD_POLL_S

    poll_s = HELD_POLL_S if poll_s is None else poll_s
    token = uuid.uuid4().hex  # this batch's claims: a task Dask retries takes back its own run
    kwargs = dict(store_path=str(store_path), out_root=str(out), no_effect=no_effect, allow_dirs=list(allow_dirs), batch=token,
                  report=report)
    by_key: dict[str, dict] = {}
    round_ = 0
    while todo:
        keys = [f"twin-run-{t['run_id']}" + (f"-{round_}" if round_ else "") for t in todo]
        futures = client.map(run_one, [t["path"] for t in todo], key=keys, retries=1, pure=False, **kwargs)
        by_key.update({f.key: t for f, t in zip(futures, todo)})
        held: list[dict] = []
        for fut in as_completed(futures):
            task = by_key[fut.key]
            try:
                record = fut.result()
            except Exception as exc:  # the task never returned (e.g. its workers kept dying)
                record = _record_lost(store, task, exc, token)
            if store.is_held(record, batch=token):
                held.append(task)  # computed by another process: waited for below
                continue
            _finished(task, record, done, client, on_result)
        todo = []
        for task in held:
            record = _wait_for_holder(store, task, poll_s)
            if _interrupted(record):  # the holder died without finishing (or stopped beating): compute it here
                log.info("run %s (%s): its holder ended without finishing (%s); computing it", task["run_id"], task["path"],
                         (record or {}).get("error") or "still running")
                todo.append(task)
            else:
                _finished(task, record, done, client, on_result)
        round_ += 1


def _finished(task: dict, record: dict | None, done, client, on_result) -> None:
    done.advance()
    log.info("run %s (%s): %s", task["run_id"], task["path"], (record or {}).get("status"))
    if on_result is not None:
        on_result(client, record)


def _record_lost(store, task: dict, exc: BaseException, token: str) -> dict | None:
    """The record of a task that never returned: failed ("task lost"), unless another process
    holds or finished its run."""
    from twin.scenario.store import ClaimStatus

    record = store.get(task["run_id"])
    if record is None:  # lost before it could claim its run
        if store.claim(task["run_id"], **task["claim"], batch=token).status is not ClaimStatus.CLAIMED:
            return store.get(task["run_id"])
    elif store.is_held(record, batch=token):
        return record
    store.fail(task["run_id"], f"task lost: {type(exc).__name__}: {exc}")
    return store.get(task["run_id"])


def _wait_for_holder(store, task: dict, poll_s: float) -> dict | None:
    """Wait until no other live process holds the run of ``task``, with a progress line."""
    from twin.io import progress

    record = store.get(task["run_id"])
    if not store.is_held(record):
        return record
    holder = f"process {record['pid']} on host {record['host']}"
    log.info("run %s (%s) is being computed by %s since %s UTC; waiting (%s)", task["run_id"], task["path"], holder,
             record["started_at"], store.held_advice(task["run_id"], record["host"]))
    with progress.step(f"waiting for run {task['run_id']} ({Path(task['path']).name}), computed by {holder}"):
        return store.wait_while_held(task["run_id"], poll_s=poll_s)


#: Loggers of Dask (and of the libraries it runs on) silenced while the cluster is shut down
#: after an interruption: connections closing under running tasks are expected then.
_DASK_LOGGERS = ("distributed", "tornado", "asyncio")

#: Longest wait for the client and for the local cluster to close after an interruption, s.
CLOSE_TIMEOUT_S = 20.0


def _quiet_dask_logs() -> None:
    """Set the loggers of :data:`_DASK_LOGGERS` to CRITICAL (this process, or a worker by ``client.run``)."""
    for name in _DASK_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _worker_ignores_sigint() -> None:
    """In a worker of the local cluster (by ``client.run``): ignore SIGINT.

    A Ctrl-C at the terminal goes to every process of the foreground group, the workers of the
    local cluster included; each printed its own ``KeyboardInterrupt`` traceback. The batch
    process stops them (:func:`_close_after_interruption`). A worker that Dask restarts (after
    a worker died) takes SIGINT by default again.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _close_after_interruption(client, cluster) -> None:
    """Shut the Dask client and the local cluster down quietly after SIGINT or SIGTERM.

    Without this the user saw, after the one line of the interruption, Dask's log of the
    connections that closed under running tasks (``CommClosedError`` tracebacks, "Async
    instruction ... ended with CancelledError") and the ``resource_tracker`` warning about
    "leaked semaphore objects": the watcher of :mod:`twin.cli.signals` ended the process with
    :func:`os._exit` while the main thread was waiting for the cluster to close, so the
    semaphores of the worker processes' queues were never released. Here:

    * Dask's loggers are set to CRITICAL, here and in the workers of the local cluster (only on
      this path: a batch that runs to its end, or fails, logs as before);
    * the close runs inside :func:`twin.io.stop.critical`, which the watcher waits for (at most
      :data:`twin.io.stop.SWAP_WAIT_S`) before it ends the process;
    * the finalizers of :mod:`multiprocessing` (which release those semaphores; Python runs them
      at a normal exit) are run at once, as the process is about to end either way.

    An error while closing is not reported: the interruption is what the user sees.
    """
    import multiprocessing.util

    from twin.io import stop

    _quiet_dask_logs()
    with stop.critical():
        if cluster is not None:  # the workers of the local cluster write to this terminal (not those of --scheduler)
            with contextlib.suppress(Exception):
                client.run(_quiet_dask_logs)
        with contextlib.suppress(Exception):
            client.close(timeout=CLOSE_TIMEOUT_S)
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close(timeout=CLOSE_TIMEOUT_S)
        with contextlib.suppress(Exception):
            multiprocessing.util._run_finalizers()  # noqa: SLF001 - what multiprocessing runs at exit


def _submit_runs(todo, store, done, *, store_path: Path, out: Path, scheduler, n_workers, on_result, no_effect, allow_dirs,
                 connect_timeout_s=CONNECT_TIMEOUT_S, report=True) -> None:
    """The runs of ``todo`` on Dask; ``done`` (a progress step) counts the finished ones."""
    from dask.distributed import Client, LocalCluster

    from twin.io import progress

    env_before = os.environ.get("TWIN_NUMBA_THREADS")
    os.environ["TWIN_NUMBA_THREADS"] = "1"
    try:
        with progress.step("starting the Dask cluster" if not scheduler else f"connecting to {scheduler}"):
            if scheduler:
                try:
                    client = Client(scheduler, timeout=connect_timeout_s)
                except OSError as exc:  # refused, timed out, unknown host
                    raise InputError(f"cannot connect to the Dask scheduler {scheduler}: {exc}", field="--scheduler") from None
                cluster = None
            else:
                cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None)
                client = Client(cluster)
                client.run(_worker_ignores_sigint)  # a Ctrl-C reaches the workers too: this process stops them
        try:
            _run_and_wait(client, todo, store, done, store_path=store_path, out=out, on_result=on_result, no_effect=no_effect,
                          allow_dirs=allow_dirs, report=report)
        except KeyboardInterrupt:  # SIGINT, or SIGTERM (twin.workflows.interrupt.Terminated)
            _close_after_interruption(client, cluster)
            raise
        except BaseException:
            client.close()
            if cluster is not None:
                cluster.close()
            raise
        client.close()
        if cluster is not None:
            cluster.close()
    finally:
        if env_before is None:
            os.environ.pop("TWIN_NUMBA_THREADS", None)
        else:
            os.environ["TWIN_NUMBA_THREADS"] = env_before


__all__ = ["CONNECT_TIMEOUT_S", "batch_root", "check_scheduler", "check_scheduler_reachable", "discover", "plan_batch", "require_dask", "run_batch", "run_identity", "run_one", "scenario_inputs"]
