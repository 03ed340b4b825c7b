"""Saint-Gilles, a car park de-sealed: bands on the lateral water redistribution (3-D block).

Run from the repository root:

    TWIN_NUMBA_THREADS=1 .venv/bin/python benchmarks/bench_soil_block_bands.py [--samples 20] [--no-fine] [--whatif NAME]

The scene, what-ifs, design storm and block options of scenarios/stgilles_deseal_block.yaml, as
``twin run`` prepares them; for each what-if, the block of the soil engine (twin/scenario/engines/soil.py: the cells
whose cover changes and a 10 m margin) run

* centrally on the grid of the scenario (the "sample grid": ``soil.block.sub`` columns per soil-grid
  cell and ``dz_m`` layers; the shipped scenario: ``sub: 2`` on 5 m cells, i.e. 2.5 m x 2.5 m x 10 cm) and
  on a grid twice as fine across and with 5 cm layers (the "fine grid": 1.25 m x 1.25 m x 5 cm for the
  shipped scenario): the refinement check of the sample grid (relative difference of each KPI);
* for ``--samples`` paired samples of the Carsel & Parrish (1988) hydraulics on the sample grid:
  the KPI table (median and 5-95 % band of baseline, what-if and change), the largest balance
  error, wall and CPU time, peak memory. The machine is shared: the load average is printed.

What it measured is merged into ``benchmarks/figures/soil_block_bands.json`` (one case per
what-if; ``scripts/update_figures.py`` renders docs/soil_3d.md's Saint-Gilles figures from it). A run
with ``--refine`` only prints (the refinement table of docs/soil_3d.md is history, see there).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
SCENARIO = ROOT / "scenarios" / "stgilles_deseal_block.yaml"
FIGURES = ROOT / "benchmarks" / "figures" / "soil_block_bands.json"


def _mem() -> str:
    return f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"


def _load() -> str:
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--no-fine", action="store_true", help="skip the refinement run (columns half as wide, 5 cm layers)")
    parser.add_argument("--whatif", action="append", help="only this what-if (repeatable)")
    parser.add_argument("--refine", nargs="*", default=[], metavar="SUB,DZ",
                        help="extra central runs with these columns per cell and layer thicknesses (docs: 1,0.1 2,0.1 2,0.05 5,0.2 5,0.05)")
    args = parser.parse_args()
    from figures_file import merge_case
    from machine_load import measurement_stamp

    from twin.scenario.engines import soil as E
    from twin.scenario.runner import prepare_scenes
    from twin.scenario.schema import load_scenario
    from twin.soil.block_bands import BLOCK_KPIS, paired_samples, run_pair
    from twin.soil.block_bands import kpi_mask as E_kpi_mask

    scenario = load_scenario(SCENARIO)
    prepared = prepare_scenes(scenario, base_dir=SCENARIO.parent, progress=False)
    base_scene = prepared.baseline
    options = scenario.soil
    bo = E._block_options(options)
    t0, c0 = time.perf_counter(), time.process_time()
    for name, what_scene in prepared.scenes.items():
        if args.whatif and name not in args.whatif:
            continue
        t = time.perf_counter()
        bg, wg, storm, region, duration, n = E._block_setup(base_scene, what_scene, options)
        print(f"== {name}: region x {region[0]:.1f}-{region[2]:.1f}, y {region[1]:.1f}-{region[3]:.1f}; sub-grid {bg.shape[1]} x "
              f"{bg.shape[0]} cells of {options.cell_size_m:g} m; setup {time.perf_counter() - t:.1f} s")
        runs = {}
        entry: dict = {**measurement_stamp(), "region_m": [float(x) for x in region], "cell_size_m": float(options.cell_size_m),
                       "margin_m": float(bo.margin_m), "storm_mm": float(options.storm_mm), "storm_hours": float(options.storm_hours),
                       "hours": float(duration / 3600.0), "grids": {}}
        grids = [("sample grid", bo)]
        if not args.no_fine:
            grids.append(("fine grid", bo.model_copy(update={"sub": 2 * bo.sub, "dz_m": 0.05})))
        for spec in args.refine:
            sub, dz = spec.split(",")
            grids.append((f"grid sub {int(sub)}, dz {float(dz):g} m", bo.model_copy(update={"sub": int(sub), "dz_m": float(dz)})))
        for label, o in grids:
            t, c = time.perf_counter(), time.process_time()
            load_before = list(os.getloadavg())
            w, b, (rb, rw) = run_pair(bg, wg, storm, region, o, duration_s=duration)
            wall, cpu = time.perf_counter() - t, time.process_time() - c
            cells = rb.infiltration_m3.size * o.sub * o.sub * int(round(1.0 / o.dz_m))  # 1 m soil profile
            print(f"central, {label} ({options.cell_size_m / o.sub:g} m x {options.cell_size_m / o.sub:g} m x {o.dz_m:g} m, {cells:,} "
                  f"cells): wall {time.perf_counter() - t:.1f} s, CPU {time.process_time() - c:.1f} s, {_mem()}, {_load()}; balance error "
                  f"{max(rb.balance_error_rel, rw.balance_error_rel):.1e}; exchange {rb.exchange_m3:+.3f} / {rw.exchange_m3:+.3f} m3; "
                  f"sealed cells {int((rb.sealed_top & rw.sealed_top)[1:-1, 1:-1].sum())} (off the edge ring)")
            for k in BLOCK_KPIS:
                print(f"  {k:28s} baseline {b[k]:10.4f}  what-if {w[k]:10.4f}  change {w[k] - b[k]:+.4g}")
            runs[label] = (w, b)
            if label in ("sample grid", "fine grid"):
                inner = E_kpi_mask(rb, rw)
                entry["grids"][label] = {
                    "sub": int(o.sub), "dz_m": float(o.dz_m), "column_m": float(options.cell_size_m / o.sub), "cells": int(cells),
                    "grid_cells_x": int(rb.infiltration_m3.shape[1]), "grid_cells_y": int(rb.infiltration_m3.shape[0]),
                    "sealed_cells_inner": int(inner.sum()), "sealed_area_inner_m2": float(inner.sum() * rb.cell_area_m2),
                    "wall_s": wall, "cpu_s": cpu, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                    "load_before": load_before, "load_after": list(os.getloadavg()),
                    "balance_error_rel": float(max(rb.balance_error_rel, rw.balance_error_rel)),
                    "baseline": {k: float(b[k]) for k in BLOCK_KPIS}, "whatif": {k: float(w[k]) for k in BLOCK_KPIS}}
        if "fine grid" in runs:
            print("refinement (sample grid against fine grid, relative difference):")
            (ws, bs), (wf, bf) = runs["sample grid"], runs["fine grid"]
            for k in BLOCK_KPIS:
                rel = [(x - y) / y if y else float("nan") for x, y in ((bs[k], bf[k]), (ws[k], wf[k]))]
                print(f"  {k:28s} baseline {rel[0]:+.1%}  what-if {rel[1]:+.1%}  change: {ws[k] - bs[k]:+.4g} against "
                      f"{wf[k] - bf[k]:+.4g}")
        if args.samples:
            t, c = time.perf_counter(), time.process_time()
            load_before = list(os.getloadavg())
            ps = paired_samples(bg, wg, storm, region, bo, args.samples, scenario.uncertainty.seed, duration_s=duration)
            wall, cpu = time.perf_counter() - t, time.process_time() - c
            print(f"{args.samples} paired samples (seed {scenario.uncertainty.seed}): wall {wall:.1f} s ({wall / args.samples:.1f} s a "
                  f"sample), CPU {cpu:.1f} s, {_mem()}, {_load()}; largest balance error {max(ps.balance_error_rel):.1e}")
            print("| KPI | baseline median (5-95 %) | what-if median (5-95 %) | change median (5-95 %) |\n|---|---|---|---|")
            bands: dict = {}
            for k in BLOCK_KPIS:
                b = np.array([s[k] for s in ps.base])
                w = np.array([s[k] for s in ps.what])
                cells = []
                bands[k] = {}
                for part, x in (("baseline", b), ("whatif", w), ("change", w - b)):
                    lo, med, hi = np.percentile(x, [5, 50, 95])
                    cells.append(f"{med:.4g} ({lo:.4g} to {hi:.4g})")
                    bands[k][part] = [float(lo), float(med), float(hi)]
                print(f"| {k} | " + " | ".join(cells) + " |")
            entry["samples"] = {"n": int(args.samples), "seed": int(scenario.uncertainty.seed), "prior_spread": float(bo.prior_spread),
                                "wall_s": wall, "cpu_s": cpu, "load_before": load_before, "load_after": list(os.getloadavg()),
                                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                                "largest_balance_error_rel": float(max(ps.balance_error_rel)), "percentiles": [5, 50, 95],
                                "bands": bands}
        if "sample grid" in entry["grids"] and not args.refine:
            merge_case(FIGURES, name, entry, f"python benchmarks/bench_soil_block_bands.py --samples {args.samples}"
                       + (" --no-fine" if args.no_fine else ""))
            print(f"merged case {name!r} into {FIGURES.relative_to(ROOT)}")
    print(f"total wall {time.perf_counter() - t0:.1f} s, CPU {time.process_time() - c0:.1f} s, {_mem()}")


if __name__ == "__main__":
    main()
