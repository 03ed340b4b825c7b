"""Batches of scenarios (e.g. one per permit application) on Dask, resumable and idempotent.

Each scenario file becomes one task keyed by its run id (:func:`twin.scenario.store.make_run_id`).
The driver reads every file first: an invalid file is recorded as a failed run at once, files
that describe the same run are submitted once, and runs the store already has as ``done`` are
not submitted at all, so rerunning an interrupted batch only does the rest. A task claims its
run in the store before working (a run already ``done`` is skipped there too), so a task that
Dask retries after its worker died records its run once. A task whose workers keep dying
(``KilledWorker``) is recorded as failed and the batch goes on. Outputs go to
``OUT/<run_id>/`` (:func:`twin.scenario.outputs.write_outputs`: a temporary folder, renamed).

The default cluster is a ``LocalCluster`` of processes with one thread each; Numba kernels in
the workers are capped to one thread (``TWIN_NUMBA_THREADS=1``) so workers do not oversubscribe
the cores. Pass ``scheduler="tcp://host:8786"`` to use an existing cluster.
"""

from __future__ import annotations

import glob
import os
import shutil
import traceback
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from twin.errors import InputError, TwinError
from twin.scenario.outputs import write_outputs


def discover(pattern: str | os.PathLike[str]) -> list[Path]:
    """Scenario files: every ``*.yaml``/``*.yml`` in a folder (recursively), or a glob."""
    p = Path(pattern)
    if p.is_dir():
        files = sorted([*p.rglob("*.yaml"), *p.rglob("*.yml")])
    else:
        files = sorted(Path(f) for f in glob.glob(str(pattern), recursive=True))
    if not files:
        raise InputError("no scenario files found", path=pattern)
    return files


def scenario_inputs(scenario, base_dir: Path) -> list[Path]:
    """Every file a scenario reads (inputs, weather, inserted IFC files), for the input hash."""
    files = [base_dir / f for f in scenario.inputs.files]
    if scenario.inputs.weather:
        files.append(base_dir / scenario.inputs.weather)
    if scenario.energy.weather:
        files.append(base_dir / scenario.energy.weather)
    mods = list(scenario.baseline) + [m for w in scenario.whatifs for m in w.modifications]
    files += [base_dir / m.ifc for m in mods if m.op == "insert_building"]
    return [f.resolve() for f in files]


def run_identity(path: str | os.PathLike[str]) -> dict:
    """Scenario, hashes and run id of a scenario file.

    Raises
    ------
    ScenarioError
        The file is not a valid scenario.
    """
    import twin
    from twin.scenario.schema import load_scenario
    from twin.scenario.store import hash_files, make_run_id

    path = Path(path).resolve()
    scenario = load_scenario(path)
    existing = [f for f in scenario_inputs(scenario, path.parent) if f.exists()]
    input_hash = hash_files(existing)
    scenario_hash = scenario.digest()
    seed = scenario.uncertainty.seed
    return {
        "scenario": scenario,
        "path": path,
        "input_hash": input_hash,
        "scenario_hash": scenario_hash,
        "seed": seed,
        "version": twin.__version__,
        "run_id": make_run_id(scenario_hash, input_hash, seed, twin.__version__),
    }


def _invalid_run_id(path: Path) -> str:
    from twin.scenario.store import hash_files, make_run_id

    return make_run_id("invalid", hash_files([path]), None, "")


def _remove_stale_temporaries(out_root: Path, run_id: str) -> None:
    """Temporary output folders of earlier attempts at ``run_id`` (their process was killed)."""
    for p in out_root.glob(f".{run_id}.*"):
        shutil.rmtree(p, ignore_errors=True)


def run_one(path: str, store_path: str, out_root: str) -> dict:
    """Run one scenario file unless the store says it is done; return its store record.

    Idempotent: the same file with the same inputs maps to the same run id, and a ``done`` run
    is returned as recorded, without running again.
    """
    from twin.scenario.runner import run_scenario
    from twin.scenario.store import RunStore

    store = RunStore(store_path)
    try:
        ident = run_identity(path)
    except TwinError as exc:
        # an invalid scenario file is recorded as a failed run keyed by its contents
        run_id = _invalid_run_id(Path(path))
        if store.claim(run_id, scenario=str(path), version="", input_hash="", scenario_hash="invalid", seed=None):
            store.fail(run_id, str(exc))
        return store.get(run_id)
    run_id = ident["run_id"]
    if not store.claim(run_id, scenario=str(ident["path"]), label=ident["scenario"].name, version=ident["version"],
                       input_hash=ident["input_hash"], scenario_hash=ident["scenario_hash"], seed=ident["seed"]):
        return store.get(run_id)
    _remove_stale_temporaries(Path(out_root), run_id)
    try:
        comparison = run_scenario(ident["scenario"], base_dir=ident["path"].parent)
        written = write_outputs(comparison, Path(out_root) / run_id)
        kpis = {f"{r.whatif}/{r.domain}/{r.kpi}": float(r.delta) for r in comparison.kpis.itertuples()}
        store.finish(run_id, kpis=kpis, outputs={k: str(Path(out_root) / run_id / v) for k, v in written.items()})
    except TwinError as exc:
        store.fail(run_id, str(exc))
    except Exception:  # a bug: keep the traceback in the record, the batch goes on
        store.fail(run_id, traceback.format_exc(limit=5))
    return store.get(run_id)


def plan_batch(files: list[Path], store) -> tuple[list[dict], dict[str, str]]:
    """Which files to submit, and the run id of every file.

    Invalid files are recorded as failed runs now; files with the same run id are submitted
    once; runs the store has as ``done`` are not submitted.

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
            ident = run_identity(f)
        except TwinError as exc:
            run_id = _invalid_run_id(f)
            if store.claim(run_id, scenario=str(Path(f).resolve()), version="", input_hash="", scenario_hash="invalid", seed=None):
                store.fail(run_id, str(exc))
            run_ids[str(f)] = run_id
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
    progress: bool = False,
    on_result: Callable[[object, dict], None] | None = None,
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
        Show a progress bar.
    on_result
        Called in this process after each finished task as ``on_result(client, record)``
        (for progress displays and monitoring).

    Returns
    -------
    pandas.DataFrame
        One row per scenario file, in file order: ``file`` and the store record of its run
        (``run_id``, ``status``, ``attempts``, ``error``, ``kpis``, ...). Files with the same
        run id share one record.
    """
    from twin.scenario.store import RunStore

    files = discover(pattern)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    store_path = Path(store_path) if store_path else out / "runs.sqlite"
    store = RunStore(store_path)  # creates the schema once, before workers race for it
    todo, run_ids = plan_batch(files, store)
    if todo:
        _submit(todo, store, store_path=store_path, out=out, scheduler=scheduler, n_workers=n_workers, progress=progress, on_result=on_result)
    rows = []
    for f in files:
        record = store.get(run_ids[str(f)]) or {"run_id": run_ids[str(f)], "status": "missing"}
        rows.append({"file": str(f), **record})
    return pd.DataFrame(rows)


def _submit(todo, store, *, store_path: Path, out: Path, scheduler, n_workers, progress, on_result) -> None:
    from dask.distributed import Client, LocalCluster, as_completed

    env_before = os.environ.get("TWIN_NUMBA_THREADS")
    os.environ["TWIN_NUMBA_THREADS"] = "1"
    try:
        if scheduler:
            client = Client(scheduler)
            cluster = None
        else:
            cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
        try:
            futures = client.map(run_one, [t["path"] for t in todo], store_path=str(store_path), out_root=str(out),
                                 key=[f"twin-run-{t['run_id']}" for t in todo], retries=1, pure=False)
            by_key = {f.key: t for f, t in zip(futures, todo)}
            iterator = as_completed(futures)
            if progress:
                from tqdm import tqdm

                iterator = tqdm(iterator, total=len(futures), desc="batch", unit="run")
            for fut in iterator:
                try:
                    record = fut.result()
                except Exception as exc:  # the task never returned (e.g. its workers kept dying)
                    task = by_key[fut.key]
                    if store.get(task["run_id"]) is None:  # lost before it could claim its run
                        store.claim(task["run_id"], **task["claim"])
                    store.fail(task["run_id"], f"task lost: {type(exc).__name__}: {exc}")
                    record = store.get(task["run_id"])
                if on_result is not None:
                    on_result(client, record)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    finally:
        if env_before is None:
            os.environ.pop("TWIN_NUMBA_THREADS", None)
        else:
            os.environ["TWIN_NUMBA_THREADS"] = env_before
