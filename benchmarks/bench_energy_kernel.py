"""Benchmark of the ISO 13790 5R1C stock kernel: building-years per second, speed-up over a Python loop, memory.

Run:  pytest benchmarks/bench_energy_kernel.py --benchmark-only -s
      (add ``-m "not slow"`` to skip the 100k-building case, ``-k 100k`` to run only it)

* Stocks of 1k, 10k and 100k buildings x 8760 h, aggregates only (annual, monthly, peaks,
  temperatures), solar on four facades (windows and opaque) and the roof plus sky long-wave,
  monthly shading factors, power limits and setback schedules. Drivers come from the Uccle EPW
  of ``data_samples`` (standard surface groups) when it is there, synthetic otherwise.
* Side by side in the same run: the plain-Python per-building, per-hour loop of the same model
  (``tests/energy_reference.py``) on a few buildings, scaled per building-year, and the speed
  ratio (target >= 2000x).
* Peak memory of the 100k run: ``tracemalloc`` peak of Python/NumPy allocations during the call
  plus the process's maximum resident set size (target < 2 GB; 100k in < 20 s).
* CPU time is printed next to wall time (the machine is shared): the kernel's CPU time per
  building-year (summed over its threads) against the Python loop's, and the throughput the
  kernel reaches on ``numba.get_num_threads()`` free cores at that CPU cost. The 1-minute load
  average (the larger of before and after the rounds) is printed too: with a load near or
  above the number of CPUs the wall-time ratio understates the kernel.
* Rounds: 10 (1k), 5 (10k), 2 (100k); the best round is reported.
* Every case run is merged into ``benchmarks/figures/energy_kernel.json`` (cases not run keep
  their last figures), from which ``python scripts/update_figures.py`` writes the marked
  figure blocks of README.md and docs/ (``<!-- figures:energy_kernel -->``).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.* helpers

from tests.energy_reference import simulate_stock_reference
from tests.energy_synthetic import synthetic_drivers, synthetic_stock
from twin.energy.simulate import run_kernel, simulate_stock

REPO = Path(__file__).resolve().parents[1]
EPW = REPO / "data_samples" / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"
FIGURES = REPO / "benchmarks" / "figures" / "energy_kernel.json"
_RESULTS: dict[str, float] = {}


def record_figures(case: str, figures: dict, path: Path = FIGURES) -> None:
    """Merge the figures of one case into the JSON figures file (written whole, then renamed)."""
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data.setdefault("cases", {})[case] = figures
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


@pytest.fixture(scope="module")
def drivers():
    if EPW.exists():
        from twin.energy.solar import standard_drivers
        from twin.ingest.epw import read_epw

        base = synthetic_drivers(8760, seed=3)  # schedules with setbacks
        d = standard_drivers(
            read_epw(EPW),
            gain_schedule=base.gain_schedule,
            heat_setpoint_c=base.heat_setpoint_c,
            cool_setpoint_c=base.cool_setpoint_c,
        )
        return d
    return synthetic_drivers(8760, seed=3)


@pytest.fixture(scope="module")
def python_loop_seconds_per_building_year(drivers) -> float:
    """Time of the plain-Python loop per building-year (3 buildings, best of 3 rounds: the
    fastest loop, so the speed-up is not inflated by a slow round)."""
    inp = synthetic_stock(3, seed=5)
    walls, cpus = [], []
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        simulate_stock_reference(inp, drivers, warmup_hours=0)
        walls.append((time.perf_counter() - t0) / 3)
        cpus.append((time.process_time() - c0) / 3)
    per = min(walls)
    _RESULTS["python_s_per_building_year"] = per
    _RESULTS["python_cpu_s_per_building_year"] = min(cpus)
    print(
        f"\npure Python loop: {per:.4f} s per building-year ({1 / per:.1f} building-years/s), "
        f"CPU {_RESULTS['python_cpu_s_per_building_year']:.4f} s per building-year"
    )
    return per


@pytest.mark.parametrize(
    "n_buildings",
    [
        pytest.param(1_000, id="1k"),
        pytest.param(10_000, id="10k"),
        pytest.param(100_000, id="100k", marks=pytest.mark.slow),
    ],
)
def test_stock_kernel(benchmark, drivers, python_loop_seconds_per_building_year, n_buildings):
    inputs = synthetic_stock(n_buildings, seed=7)
    run_kernel(inputs.subset(np.arange(n_buildings) < 64), drivers, warmup_hours=0)  # compile once
    rounds = {1_000: 10, 10_000: 5}.get(n_buildings, 2)
    load_before = os.getloadavg()[0]
    tracemalloc.start()
    c0 = time.process_time()
    out = benchmark.pedantic(run_kernel, args=(inputs, drivers), kwargs={"warmup_hours": 0}, rounds=rounds, iterations=1)
    cpu_per_round = (time.process_time() - c0) / rounds
    load = max(load_before, os.getloadavg()[0])
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    best = benchmark.stats.stats.min
    rate = n_buildings / best
    ratio = python_loop_seconds_per_building_year * rate
    import numba

    threads = numba.get_num_threads()
    cpu_per_by = cpu_per_round / n_buildings  # CPU seconds per building-year, all threads
    cpu_ratio = _RESULTS.get("python_cpu_s_per_building_year", np.nan) / cpu_per_by
    measured = {
        "building_years_per_s": rate,
        "speedup_vs_python": ratio,
        "cpu_ns_per_building_hour": cpu_per_by / 8760 * 1e9,
        "cpu_speedup_vs_python_per_core": cpu_ratio,
        "traced_peak_mb": traced_peak / 1e6,
        "max_rss_gb": rss_gb,
        "load_average_1min": load,
    }
    benchmark.extra_info.update(measured)
    record_figures(
        f"{n_buildings // 1000}k",
        {
            "n_buildings": n_buildings,
            "n_hours": 8760,
            "wall_s": best,
            **measured,
            "numba_threads": threads,
            "cpus": os.cpu_count(),
            "drivers": "Uccle EPW" if EPW.exists() else "synthetic",
            "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        },
    )
    print(
        f"\n{n_buildings:>7} buildings x 8760 h: {best:.3f} s wall (best), {rate:,.0f} building-years/s, "
        f"{ratio:,.0f}x the Python loop; traced peak {traced_peak / 1e6:.0f} MB, max RSS {rss_gb:.2f} GB; "
        f"load average {load:.2f} on {os.cpu_count()} CPUs\n"
        f"        CPU {cpu_per_round:.3f} s per run = {cpu_per_by / 8760 * 1e9:.2f} ns per building-hour; "
        f"{cpu_ratio:,.0f}x the Python loop per core (CPU time), "
        f"{cpu_ratio * threads:,.0f}x on {threads} free cores ({threads / cpu_per_by:,.0f} building-years/s)"
    )
    assert np.isfinite(out["heat_wh"]).all() and (out["heat_wh"] >= 0).all()


def test_simulate_stock_tidy_10k(benchmark, drivers):
    """The public wrapper (validation + DataFrames) on 10k buildings."""
    inputs = synthetic_stock(10_000, seed=9)
    simulate_stock(inputs.subset(np.arange(10_000) < 64), drivers)
    res = benchmark.pedantic(simulate_stock, args=(inputs, drivers), rounds=2, iterations=1)
    assert len(res.per_building) == 10_000
