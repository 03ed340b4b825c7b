"""Renderers of docs/energy.md's stock benchmark and the kernel's per-core speed-up.

* ``energy_stock.bench``: benchmarks/figures/energy_stock.json, written by
  ``pytest benchmarks/bench_energy_stock.py -s``: ``cases.stock`` (Saint-Gilles end to end,
  :func:`twin.energy.stock.run_stock`, with the stages of one run) and ``cases.whatif``
  (:func:`twin.energy.stock.what_if`, wall and roof insulation). The bullets of the "Benchmark" section.
* ``energy_kernel.per_core``: benchmarks/figures/energy_kernel.json (benchmarks/bench_energy_kernel.py):
  the "Not done" bullet on the 2000x target, per core (CPU time) and in wall time, per stock size.

A key missing from the figures is a :class:`FiguresError` naming it (scripts/update_figures.py adds the
file and the benchmark to run).
"""

from __future__ import annotations

from typing import Any

from .common import Blocks, FiguresError

BENCH = "pytest benchmarks/bench_energy_stock.py -s"
KERNEL_BENCH = "pytest benchmarks/bench_energy_kernel.py --benchmark-only -s"
TARGET = 2000.0
"""The kernel's speed-up target over the per-building per-hour Python loop."""
KERNEL_STAGE = "kernel (5R1C, 8760 h)"
"""The kernel's stage in ``stages_wall_s``; the others are listed by name."""


def _get(data: dict, *keys: str) -> Any:
    """``data[k0][k1]...``; a missing key is a :class:`FiguresError` naming its path."""
    node: Any = data
    for i, key in enumerate(keys):
        if not isinstance(node, dict) or key not in node:
            raise FiguresError(f"no {'.'.join(keys[: i + 1])!r} in the figures")
        node = node[key]
    return node


def _load(entry: dict) -> str:
    lo, hi = sorted((float(_get(entry, "load_before")[0]), float(_get(entry, "load_after")[0])))
    return f"load {lo:.1f}" if round(lo, 1) == round(hi, 1) else f"load {lo:.1f}-{hi:.1f}"


def bench(data: dict) -> str:
    """docs/energy.md's benchmark bullets: end to end, its stages, and the what-if, with where measured."""
    stock, wi = _get(data, "cases", "stock"), _get(data, "cases", "whatif")
    stages = _get(stock, "stages_wall_s")
    if KERNEL_STAGE not in stages:
        raise FiguresError(f"no 'stages_wall_s.{KERNEL_STAGE}' in the figures")
    others = "; ".join(f"{name} {float(t):.2f} s" for name, t in stages.items() if name != KERNEL_STAGE)
    return (f"\nMeasured {_get(stock, 'date')} at commit {_get(stock, 'commit')} on the shared {_get(stock, 'cpus')}-core machine "
            f"(`{BENCH}`):\n\n"
            f"* Saint-Gilles ({int(_get(stock, 'buildings')):,} buildings) end to end from the scene to per-building results\n"
            f"  (`run_stock`: envelope, party walls, horizons and urban shading, drivers, kernel, accounts):\n"
            f"  **median {float(_get(stock, 'median_wall_s')):.2f} s** wall over {_get(stock, 'rounds')} rounds (min "
            f"{float(_get(stock, 'min_wall_s')):.2f} s), {float(_get(stock, 'median_cpu_s')):.2f} s of CPU, {_load(stock)}; of one run "
            f"(wall): kernel {float(stages[KERNEL_STAGE]):.2f} s; {others};\n"
            f"* baseline + wall/roof variant (`what_if`, shared preparation): median {float(_get(wi, 'median_wall_s')):.2f} s wall, "
            f"{float(_get(wi, 'median_cpu_s')):.2f} s of CPU, {_load(wi)}.\n")  # fmt: skip


def kernel_per_core(data: dict) -> str:
    """One phrase: the per-core (CPU) and wall speed-ups over the Python loop against the 2000x target."""
    cases = _get(data, "cases")
    if not cases:
        raise FiguresError("no cases in the figures")
    order = sorted(cases, key=lambda k: float(_get(cases, k, "n_buildings")))
    cpu = [float(_get(cases, k, "cpu_speedup_vs_python_per_core")) for k in order]
    wall = [float(_get(cases, k, "speedup_vs_python")) for k in order]
    sizes = ", ".join(order)
    wall_text = ("is met in wall-clock time on the 2-core machine at all sizes" if min(wall) >= TARGET
                 else f"is met in wall-clock time at {', '.join(k for k, w in zip(order, wall, strict=True) if w >= TARGET) or 'no size'}")
    met = [k for k, c in zip(order, cpu, strict=True) if c >= TARGET]
    cpu_text = ("and per core at all sizes" if len(met) == len(order) else "and per core at no size" if not met
                else f"and per core only at {', '.join(met)}")
    return (f"Speed-up per core (CPU time) is {min(cpu):,.0f}-{max(cpu):,.0f}x ({sizes} buildings); the 2000x target {wall_text}, "
            f"{cpu_text} (`{KERNEL_BENCH}`, the table under Benchmarks)")


BLOCKS: Blocks = {
    "energy_stock.bench": ("energy_stock.json", bench, BENCH),
    "energy_kernel.per_core": ("energy_kernel.json", kernel_per_core, KERNEL_BENCH),
}
