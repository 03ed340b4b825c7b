"""Batches of scenarios (e.g. one per permit application) on Dask, resumable and idempotent.

Each scenario file becomes one task keyed by its run id (:func:`twin.scenario.store.make_run_id`).
A task first claims its run in the store; a run already ``done`` is skipped, so rerunning an
interrupted batch only does the rest, and a task retried after a worker died records its run
once. Outputs go to ``OUT/<run_id>/`` (written to a temporary folder and renamed).

The default cluster is a ``LocalCluster`` of processes with one thread each; Numba kernels in
the workers are capped to one thread (``TWIN_NUMBA_THREADS=1``) so workers do not oversubscribe
the cores. Pass ``scheduler="tcp://host:8786"`` to use an existing cluster.
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
import traceback
from pathlib import Path

import pandas as pd

from twin.errors import InputError, TwinError


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
    files = [base_dir / f for f in [*scenario.inputs.files, *scenario.inputs.sites]]
    if scenario.inputs.weather:
        files.append(base_dir / scenario.inputs.weather)
    mods = list(scenario.baseline) + [m for w in scenario.whatifs for m in w.modifications]
    files += [base_dir / m.ifc for m in mods if m.op == "insert_building"]
    return [f.resolve() for f in files]


def run_identity(path: str | os.PathLike[str]) -> dict:
    """Scenario, hashes and run id of a scenario file."""
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


def write_outputs(comparison, out_dir: Path) -> dict:
    """KPI table and per-object deltas of a comparison as (Geo)Parquet, atomically as a folder."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    written = {}
    try:
        comparison.kpis.to_parquet(tmp / "kpis.parquet", index=False)
        written["kpis"] = "kpis.parquet"
        for name in comparison.whatifs:
            for domain in comparison.whatifs[name]:
                frame = comparison.deltas(name, domain)
                geo = comparison.baseline[domain].objects
                idc = comparison.baseline[domain].id_column
                fname = f"deltas_{name}_{domain}.parquet"
                if "geometry" in geo.columns:
                    import geopandas as gpd

                    frame = gpd.GeoDataFrame(frame.merge(geo[[idc, "geometry"]], on=idc, how="left"), geometry="geometry", crs=getattr(geo, "crs", None))
                frame.to_parquet(tmp / fname, index=False)
                written[f"{name}/{domain}"] = fname
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return written


def run_one(path: str, store_path: str, out_root: str) -> dict:
    """Run one scenario file unless the store says it is done; return its store record."""
    from twin.scenario.runner import run_scenario
    from twin.scenario.store import RunStore

    store = RunStore(store_path)
    try:
        ident = run_identity(path)
    except TwinError as exc:
        # an invalid scenario file is recorded as a failed run keyed by its path
        from twin.scenario.store import hash_files, make_run_id

        run_id = make_run_id("invalid", hash_files([path]), None, "")
        if store.claim(run_id, scenario=str(path), version="", input_hash="", scenario_hash="invalid", seed=None):
            store.fail(run_id, str(exc))
        return store.get(run_id)
    run_id = ident["run_id"]
    if not store.claim(run_id, scenario=str(ident["path"]), label=ident["scenario"].name, version=ident["version"],
                       input_hash=ident["input_hash"], scenario_hash=ident["scenario_hash"], seed=ident["seed"]):
        return store.get(run_id)
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


def run_batch(
    pattern: str | os.PathLike[str],
    *,
    out: str | os.PathLike[str],
    store_path: str | os.PathLike[str] | None = None,
    scheduler: str | None = None,
    n_workers: int = 2,
    progress: bool = False,
) -> pd.DataFrame:
    """Run every scenario matched by ``pattern`` on Dask; returns the store's records of them."""
    from dask.distributed import Client, LocalCluster, as_completed

    from twin.scenario.store import RunStore

    files = discover(pattern)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    store_path = Path(store_path) if store_path else out / "runs.sqlite"
    RunStore(store_path)  # create the schema once, before workers race for it
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
            futures = client.map(run_one, [str(f) for f in files], store_path=str(store_path), out_root=str(out),
                                 key=[f"twin-scenario-{i}-{f.stem}" for i, f in enumerate(files)], retries=3, pure=False)
            iterator = as_completed(futures)
            if progress:
                from tqdm import tqdm

                iterator = tqdm(iterator, total=len(futures), desc="batch", unit="run")
            records = [f.result() for f in iterator]
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    finally:
        if env_before is None:
            os.environ.pop("TWIN_NUMBA_THREADS", None)
        else:
            os.environ["TWIN_NUMBA_THREADS"] = env_before
    return pd.DataFrame(records)
