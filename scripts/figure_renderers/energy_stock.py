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

from .common import Blocks, FiguresError, figure_at, load_text

BENCH = "pytest benchmarks/bench_energy_stock.py -s"
KERNEL_BENCH = "pytest benchmarks/bench_energy_kernel.py --benchmark-only -s"
TARGET = 2000.0
"""The kernel's speed-up target over the per-building per-hour Python loop."""
KERNEL_STAGE = "kernel (5R1C, 8760 h)"
"""The kernel's stage in ``stages_wall_s``; the others are listed by name."""




def bench(data: dict) -> str:
    """docs/energy.md's benchmark bullets: end to end, its stages, and the what-if, with where measured."""
    stock, wi = figure_at(data, "cases", "stock"), figure_at(data, "cases", "whatif")
    stages = figure_at(stock, "stages_wall_s")
    if KERNEL_STAGE not in stages:
        raise FiguresError(f"no 'stages_wall_s.{KERNEL_STAGE}' in the figures")
    others = "; ".join(f"{name} {float(t):.2f} s" for name, t in stages.items() if name != KERNEL_STAGE)
    return (f"\nMeasured {figure_at(stock, 'date')} at commit {figure_at(stock, 'commit')} on the shared {figure_at(stock, 'cpus')}-core machine "
            f"(`{BENCH}`):\n\n"
            f"* Saint-Gilles ({int(figure_at(stock, 'buildings')):,} buildings) end to end from the scene to per-building results\n"
            f"  (`run_stock`: envelope, party walls, horizons and urban shading, drivers, kernel, accounts):\n"
            f"  **median {float(figure_at(stock, 'median_wall_s')):.2f} s** wall over {figure_at(stock, 'rounds')} rounds (min "
            f"{float(figure_at(stock, 'min_wall_s')):.2f} s), {float(figure_at(stock, 'median_cpu_s')):.2f} s of CPU, {load_text(stock)}; of one run "
            f"(wall): kernel {float(stages[KERNEL_STAGE]):.2f} s; {others};\n"
            f"* baseline + wall/roof variant (`what_if`, shared preparation): median {float(figure_at(wi, 'median_wall_s')):.2f} s wall, "
            f"{float(figure_at(wi, 'median_cpu_s')):.2f} s of CPU, {load_text(wi)}.\n")  # fmt: skip


def kernel_per_core(data: dict) -> str:
    """One phrase: the per-core (CPU) and wall speed-ups over the Python loop against the 2000x target."""
    cases = figure_at(data, "cases")
    if not cases:
        raise FiguresError("no cases in the figures")
    order = sorted(cases, key=lambda k: float(figure_at(cases, k, "n_buildings")))
    cpu = [float(figure_at(cases, k, "cpu_speedup_vs_python_per_core")) for k in order]
    wall = [float(figure_at(cases, k, "speedup_vs_python")) for k in order]
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
