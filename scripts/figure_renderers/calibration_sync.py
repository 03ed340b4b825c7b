"""Renderer of docs/calibration.md's live-sync benchmark sentence: benchmarks/figures/calibration_sync.json,
written by ``pytest benchmarks/bench_calibration.py -s -k test_sync_one_day_10k_buildings`` (case ``sync_10k``:
:meth:`twin.calibration.sync.SyncFilter.assimilate_day` for 10,000 buildings x 32 ensemble members, one day).

A key missing from the figures is a :class:`FiguresError` naming it (scripts/update_figures.py adds the file
and the benchmark to run).
"""

from __future__ import annotations

from .common import Blocks, figure_at

BENCH = "pytest benchmarks/bench_calibration.py -s -k test_sync_one_day_10k_buildings"



def _ms_per_1000(seconds: float, buildings: int) -> str:
    return f"{1000 * seconds * 1000 / buildings:,.0f} ms"


def sync(data: dict) -> str:
    """One sentence: wall time (median, min) and CPU time per day of the 10k-building ensemble, per 1,000 buildings."""
    e = figure_at(data, "cases", "sync_10k")
    n, members = int(figure_at(e, "buildings")), int(figure_at(e, "members"))
    wall, wall_min = float(figure_at(e, "median_wall_s")), float(figure_at(e, "min_wall_s"))
    cpu, cpu_lo, cpu_hi = float(figure_at(e, "median_cpu_s")), float(figure_at(e, "min_cpu_s")), float(figure_at(e, "max_cpu_s"))
    lo, hi = sorted((float(figure_at(e, "load_before")[0]), float(figure_at(e, "load_after")[0])))
    load = f"load {lo:.1f}" if round(lo, 1) == round(hi, 1) else f"load {lo:.1f}-{hi:.1f}"
    return (f"(`test_sync_one_day_10k_buildings`, {n:,} buildings x {members} members, one day): median {wall:.1f} s "
            f"(min {wall_min:.1f} s) at {load} on {figure_at(e, 'cpus')} cores, i.e. {_ms_per_1000(wall, n)} (min {_ms_per_1000(wall_min, n)}) "
            f"per 1,000 buildings per day. The CPU time of the process was {cpu_lo:.2f}-{cpu_hi:.2f} s per day (median {cpu:.2f} s) "
            f"for the {n:,} buildings, {_ms_per_1000(cpu, n)} per 1,000 buildings per day: what a core of its own gives "
            f"(measured {figure_at(e, 'date')}, commit {figure_at(e, 'commit')}, `{BENCH}`)")


BLOCKS: Blocks = {"calibration_sync.sync": ("calibration_sync.json", sync, BENCH)}
