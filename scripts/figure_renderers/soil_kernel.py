"""Renderer of the README's soil-kernel row: benchmarks/figures/soil_kernel.json, written by the Celia per-column
test of benchmarks/bench_soil.py (case ``celia_dz_1cm``: Celia et al. 1990 columns at dz = 1 cm on one thread, in
a batch, against HYDRUS-1D's quoted cost per column).

A key missing from the figures is a :class:`FiguresError` naming it (scripts/update_figures.py adds the file and
the benchmark to run).
"""

from __future__ import annotations

from .common import Blocks, figure_at

BENCH = "pytest benchmarks/bench_soil.py --benchmark-only -s -p no:cacheprovider -k 'celia and 0.01'"
TARGET = 10.0
"""The issue's target: at least 10 times faster than HYDRUS-1D per column."""



def readme(data: dict) -> str:
    """``1.39 ms per column at dz 1 cm, one thread: 14.4x HYDRUS-1D's 0.02 s (target >= 10x) ...``."""
    e = figure_at(data, "cases", "celia_dz_1cm")
    wall, cpu = float(figure_at(e, "per_column_wall_s")), float(figure_at(e, "per_column_cpu_s"))
    hydrus = float(figure_at(e, "hydrus_s_per_column"))
    lo, hi = sorted((float(figure_at(e, "load_before")[0]), float(figure_at(e, "load_after")[0])))
    load = f"load {lo:.1f}" if round(lo, 1) == round(hi, 1) else f"load {lo:.1f}-{hi:.1f}"
    met = "met" if hydrus / cpu >= TARGET else "not met"
    return (f"{cpu * 1e3:.2f} ms of CPU per column at dz 1 cm, one thread: {hydrus / cpu:.1f}× HYDRUS-1D's {hydrus:g} s (target ≥ "
            f"{TARGET:g}×, {met}); {wall * 1e3:.2f} ms wall, best of 3 batches of {figure_at(e, 'batch_columns')} ({hydrus / wall:.1f}×; "
            f"{load}); measured {figure_at(e, 'date')} at commit {figure_at(e, 'commit')}")


BLOCKS: Blocks = {"soil_kernel.readme": ("soil_kernel.json", readme, BENCH)}
