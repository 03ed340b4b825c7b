"""Renderer of the 3-D Richards storm benchmark in docs/soil_3d.md, "Benchmark":
benchmarks/figures/richards3d_storm.json, written by ``TWIN_NUMBA_THREADS=1 python benchmarks/bench_richards3d.py storm``
(one case per block size, ``n<cells a side>``).

* ``richards3d_storm``: the block (cells, de-sealed square), its cost (wall and CPU time, peak resident
  memory, threads, load before and after, date and commit), the solver's steps and iterations, the water
  balance and the lateral spread under the sealed surface, as the lines the benchmark prints.

The case rendered is :data:`CASE` (the issue's 200 m block). A key missing from the figures is a
:class:`FiguresError` naming it (scripts/update_figures.py adds the file and the script to run).
"""

from __future__ import annotations

from .common import Blocks, FiguresError, figure_at, load_text

SCRIPT = "TWIN_NUMBA_THREADS=1 python benchmarks/bench_richards3d.py storm"
FILE = "richards3d_storm.json"
CASE = "n200"
"""The issue's block: 200 x 200 cells of 1 m (``--n 200``, the benchmark's default)."""


def lines(entry: dict) -> list[str]:
    """The lines of one measured storm block (also what the benchmark prints)."""
    f = {key: figure_at(entry, key) for key in (
        "n", "nz", "cells", "square_m", "wall_s", "cpu_s", "peak_rss_mb", "threads", "date", "commit", "steps", "picard_iterations",
        "cg_iterations", "rejected_steps", "rain_m3", "runoff_m3", "infiltration_m3", "drainage_m3", "balance_error_rel",
        "sealed_strip_gain_m3", "theta_gain_edge")}  # fmt: skip
    if int(f["cells"]) != int(f["n"]) ** 2 * int(f["nz"]):
        raise FiguresError(f"'cells' {f['cells']} is not n x n x nz = {f['n']} x {f['n']} x {f['nz']}")
    n, nz = int(f["n"]), int(f["nz"])
    return [
        f"storm block {n} x {n} x {nz} = {int(f['cells']):,} cells, square {float(f['square_m']):g} m: wall {float(f['wall_s']):.1f} s, "
        f"CPU {float(f['cpu_s']):.1f} s, peak RSS {float(f['peak_rss_mb']):.0f} MB, TWIN_NUMBA_THREADS={f['threads']}, {load_text(entry)} on {int(figure_at(entry, 'cpus'))} cores "
        f"({f['date']}, commit {f['commit']})",
        f"  steps {int(f['steps'])}, Picard {int(f['picard_iterations'])}, CG {int(f['cg_iterations'])}, rejected {int(f['rejected_steps'])}",
        f"  rain {float(f['rain_m3']):.2f} m3, runoff {float(f['runoff_m3']):.2f} m3, infiltration {float(f['infiltration_m3']):.2f} m3, "
        f"drainage {float(f['drainage_m3']):.4f} m3, balance error {float(f['balance_error_rel']):.1e}",
        f"  water gained under the sealed strip left of the square (beyond the far edge column): {float(f['sealed_strip_gain_m3']):.3f} m3; "
        f"theta gain 1 m outside the square at 5-10 cm: {float(f['theta_gain_edge']):.4f}",
    ]


def storm(data: dict) -> str:
    """The storm block of the issue's size, as a text block."""
    return "\n\n" + "\n".join(["```text", *lines(figure_at(data, "cases", CASE)), "```"]) + "\n\n"


BLOCKS: Blocks = {"richards3d_storm": (FILE, storm, SCRIPT)}
