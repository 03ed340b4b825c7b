"""Scenario runner benchmarks.

Run: ``pytest benchmarks/bench_scenario.py -s`` (``-s`` shows the figures);
``-m "not slow"`` leaves out the 100-run batch.

* ``test_runner_overhead_default_scenario``: :func:`twin.scenario.runner.run_scenario` on
  ``scenarios/stgilles_default.yaml`` (3 991 buildings, three what-ifs, 8 Monte Carlo samples).
  Prints the total, the time inside the engines (``Comparison.timings_s['engine:...']``: the
  energy stock preparation, shading and the 5R1C kernel) and the runner's own overhead (the
  rest: ingest into the baseline scene, applying the what-ifs to copies, KPIs, deltas and
  bands), then the time to write the outputs (GeoParquet) and the HTML report. A warm-up run
  on a 100 m scene loads the Numba caches first.
* ``test_permit_batch_throughput`` (slow): 100 permit applications (the FZK-Haus IFC inserted at
  free sites of a 200 m x 200 m Saint-Gilles scene, energy engine) on a 2-worker Dask
  LocalCluster; prints runs per minute, the median run time and the cluster overhead.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the repository, for tests.* helpers

from tests.scenario_helpers import BOX_100M, EPW, write_permit_folder, write_small_district  # noqa: E402

DEFAULT = REPO / "scenarios" / "stgilles_default.yaml"


def _warm_up(folder: Path) -> None:
    from twin.scenario.runner import run_scenario
    from twin.scenario.schema import parse_scenario

    buildings = write_small_district(folder, BOX_100M)
    doc = {"name": "warm-up", "inputs": {"files": [str(buildings)], "weather": str(EPW)}, "domains": ["energy"],
           "whatifs": [{"name": "w", "modifications": [{"op": "renovate", "measures": ["wall_insulation"]}]}]}
    run_scenario(parse_scenario(doc), base_dir=folder)


def test_runner_overhead_default_scenario(benchmark, tmp_path):
    from twin.scenario.outputs import write_outputs
    from twin.scenario.report import write_report
    from twin.scenario.runner import run_scenario
    from twin.scenario.schema import load_scenario

    _warm_up(tmp_path / "warm")
    scenario = load_scenario(DEFAULT)
    holder = {}

    def run():
        t0 = time.perf_counter()
        holder["comparison"] = run_scenario(scenario, base_dir=DEFAULT.parent)
        holder["total_s"] = time.perf_counter() - t0

    benchmark.pedantic(run, rounds=1, iterations=1)
    comp, total = holder["comparison"], holder["total_s"]
    timings = comp.timings_s
    engines = sum(v for k, v in timings.items() if k.startswith("engine:"))
    scenes = sum(v for k, v in timings.items() if not k.startswith("engine:"))
    overhead = total - engines
    t = time.perf_counter()
    write_outputs(comp, tmp_path / "outputs")
    outputs_s = time.perf_counter() - t
    t = time.perf_counter()
    write_report(comp, tmp_path / "report.html")
    report_s = time.perf_counter() - t
    n_runs = (1 + len(comp.whatifs)) * (1 + (len(comp.samples["sample"].unique()) if comp.samples is not None else 0))
    print(f"\ndefault scenario: {len(comp.baseline['energy'].objects)} buildings, {len(comp.whatifs)} what-ifs, "
          f"{scenario.uncertainty.samples} samples -> {n_runs} engine runs")
    print(f"  run_scenario total            {total:8.2f} s")
    print(f"  inside the engines            {engines:8.2f} s")
    print(f"  runner overhead               {overhead:8.2f} s ({100 * overhead / total:.1f} %)")
    print(f"    of which building scenes    {scenes:8.2f} s (ingest {timings['baseline_scene']:.2f} s, what-ifs {scenes - timings['baseline_scene']:.2f} s)")
    print(f"    KPIs, deltas, bands         {overhead - scenes:8.2f} s")
    print(f"  write outputs (GeoParquet)    {outputs_s:8.2f} s")
    print(f"  write report (HTML)           {report_s:8.2f} s")
    benchmark.extra_info.update({"total_s": total, "engines_s": engines, "overhead_s": overhead, "outputs_s": outputs_s, "report_s": report_s})
    assert engines < total


@pytest.mark.slow
def test_permit_batch_throughput(benchmark, tmp_path):
    from twin.scenario.batch import run_batch
    from twin.scenario.store import RunStore

    n = 100
    files = write_permit_folder(tmp_path / "permits", n)
    holder = {}

    def batch():
        out = tmp_path / f"out{len(holder)}"
        t0 = time.perf_counter()
        holder[out] = run_batch(tmp_path / "permits", out=out, n_workers=2, allow_dirs=[tmp_path / "permits_inputs"])
        holder["elapsed_s"] = time.perf_counter() - t0
        holder["out"] = out

    benchmark.pedantic(batch, rounds=1, iterations=1)
    records = holder[holder["out"]]
    elapsed = holder["elapsed_s"]
    assert len(records) == len(files) and (records["status"] == "done").all()
    runs = RunStore(holder["out"] / "runs.sqlite").runs()
    per_run = (pd.to_datetime(runs["finished_at"]) - pd.to_datetime(runs["started_at"])).dt.total_seconds()
    first_start = pd.to_datetime(runs["started_at"]).min()
    last_end = pd.to_datetime(runs["finished_at"]).max()
    busy = (last_end - first_start).total_seconds()
    rpm = n / (elapsed / 60.0)
    print(f"\n{n} permit runs on 2 workers: {elapsed:.1f} s wall -> {rpm:.1f} runs/min")
    print(f"  median run {statistics.median(per_run):.2f} s (min {per_run.min():.2f}, max {per_run.max():.2f}); "
          f"first start to last finish {busy:.1f} s; cluster start/stop and planning {elapsed - busy:.1f} s")
    benchmark.extra_info.update({"runs": n, "elapsed_s": elapsed, "runs_per_min": rpm, "median_run_s": float(statistics.median(per_run))})
