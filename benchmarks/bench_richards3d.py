"""Benchmarks of the 3-D Richards block: finer Tracy grids and a city block through a storm.

Run from the repository root (one part at a time; the machine is shared, so the load average
and CPU time are printed next to the wall time):

    TWIN_NUMBA_THREADS=1 .venv/bin/python benchmarks/bench_richards3d.py tracy
    TWIN_NUMBA_THREADS=1 .venv/bin/python benchmarks/bench_richards3d.py storm [--n 200]

* ``tracy``: Tracy's (2006) sample problem itself (h_r = -15.24 m) at steady state on 2-D grids
  of 8 to 64 cells a side and 3-D grids of 6 to 24, with the observed orders: they rise towards
  2 as the grid approaches the 0.1 m length of the top corners (the tests use h_r = -4 m, whose
  asymptotic range the coarse grids reach).
* ``storm``: the issue's block, 200 m x 200 m x 3 m at 1 m x 1 m x 5 cm (2.4 million cells), a
  de-sealed square of 80 m x 80 m in the middle of a sealed surface (closed faces), Loam (Carsel
  & Parrish) at -1 m, free drainage at the bottom, 30 mm of rain in one hour on the square
  (rain faces: they flood and run off above the infiltration capacity). Prints wall and CPU
  time, the peak resident memory of the process, steps and iterations, the water balance and
  the lateral spread under the sealed surface. ``--n`` sets the cells a side (the horizontal
  extent stays n x 1 m).

  What ``storm`` measured is merged into ``benchmarks/figures/richards3d_storm.json`` (one case
  per block size, ``n200``; with the date, commit, load before and after, cores and versions);
  ``scripts/update_figures.py`` renders docs/soil_3d.md's storm block from it (renderer
  ``scripts/figure_renderers/soil_richards3d.py``, which also formats the lines printed here).
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the repository, for tests.* helpers
sys.path.insert(0, str(REPO / "scripts"))  # figure_renderers/, which formats the printed lines
FIGURES = REPO / "benchmarks" / "figures" / "richards3d_storm.json"

from figure_renderers import soil_richards3d  # noqa: E402

from twin.soil.block3d import Block, BlockOptions, Side, run_block  # noqa: E402
from twin.soil.hydraulics import texture_material  # noqa: E402


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "n/a"


def bench_tracy() -> None:
    from tests import test_richards3d_tracy as tr

    for dim, sizes in ((2, (8, 16, 32, 64)), (3, (6, 12, 24))):
        prev = None
        for n in sizes:
            t0 = time.perf_counter()
            res, exact = tr.run_tracy(n, dim, tr.HR_SAMPLE, [1.0e8], dt_initial_s=1e3, dt_max_s=1e7, dt_increase=3.0)
            wall = time.perf_counter() - t0
            err = tr.rms(res.h_m[-1] - exact[-1])
            order = "" if prev is None else f"{math.log(prev[1] / err) / math.log(n / prev[0]):.3f}"
            print(f"Tracy sample {dim}-D steady n={n:3d}: RMS error {err:.4e} m  order {order:>6}  balance "
                  f"{res.relative_balance_error:.1e}  wall {wall:.1f} s  load {_load()}", flush=True)
            prev = (n, err)


def bench_storm(n: int) -> dict:
    """Run the storm block of ``n`` x ``n`` cells of 1 m once (after compiling on a tiny block) and
    return its figures (the entry of ``richards3d_storm.json``)."""
    from machine_load import run_stamp  # benchmarks/machine_load.py

    soil = texture_material("Loam")
    nz = 60
    square = int(round(0.4 * n))
    lo = (n - square) // 2
    rain = np.full((n, n), np.nan)
    rain[lo:lo + square, lo:lo + square] = 30.0e-3 / 3600.0
    block = Block(nx=n, ny=n, nz=nz, dx_m=1.0, dy_m=1.0, dz_m=0.05, materials=[soil],
                  sides={"top": Side("rain", rain), "bottom": Side("free_drainage")})
    opts = BlockOptions(dt_max_s=300.0)
    # compile on a tiny block first (not timed)
    run_block(Block(nx=3, ny=3, nz=3, dx_m=1.0, dy_m=1.0, dz_m=0.05, materials=[soil],
                    sides={"top": Side("rain", 1e-5), "bottom": Side("free_drainage")}), -1.0, [60.0], options=opts)
    stamp = run_stamp()
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    res = run_block(block, -1.0, [1800.0, 3600.0], options=opts)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    load_after = list(os.getloadavg())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    s = res.summary()
    theta0 = float(soil.theta(-1.0))
    wet = res.theta[-1] - theta0
    edge = lo - 1  # first sealed column left of the square, on the middle row
    mid = n // 2
    # water gained under the sealed strip left of the square, beyond what the far edge column
    # gained (drainage from the initial state acts everywhere), m3
    lateral = float(np.sum(wet[:, :, :lo] - wet[:, :, :1]) * 0.05)
    return {**stamp, "load_after": load_after, "n": n, "nz": nz, "cells": int(block.n_cells), "square_m": float(square),
            "wall_s": wall, "cpu_s": cpu, "peak_rss_mb": peak_mb, "threads": os.environ.get("TWIN_NUMBA_THREADS", "all"),
            "steps": int(s["steps"]), "picard_iterations": int(s["picard_iterations"]), "cg_iterations": int(s["cg_iterations"]),
            "rejected_steps": int(s["rejected_steps"]), "rain_m3": float(s["rain_m3"]), "runoff_m3": float(s["runoff_m3"]),
            "infiltration_m3": float(s["inflow_top_m3"]), "drainage_m3": float(-s["inflow_bottom_m3"]),
            "balance_error_rel": float(s["relative_balance_error"]), "sealed_strip_gain_m3": lateral,
            "theta_gain_edge": float(wet[1, mid, edge])}


def main() -> None:
    parser = argparse.ArgumentParser(description="3-D Richards benchmarks")
    parser.add_argument("part", choices=["tracy", "storm"])
    parser.add_argument("--n", type=int, default=200, help="cells a side of the storm block (1 m cells)")
    args = parser.parse_args()
    if args.part == "tracy":
        bench_tracy()
        return
    from figures_file import merge_case  # benchmarks/figures_file.py

    entry = bench_storm(args.n)
    print("\n".join(soil_richards3d.lines(entry)), flush=True)
    merge_case(FIGURES, f"n{args.n}", entry, "TWIN_NUMBA_THREADS=1 python benchmarks/bench_richards3d.py storm [--n N]: one case per "
               "block size (n x n x 60 cells of 1 m x 1 m x 5 cm, a de-sealed square of 0.4 n a side, 30 mm in one hour on it); "
               "load_before/after: 1, 5, 15-minute load averages")
    print(f"merged case n{args.n} into {FIGURES.relative_to(REPO)}; run python scripts/update_figures.py docs/soil_3d.md")


if __name__ == "__main__":
    main()
