"""Renderers of static assignment against the TNTP best-known Beckmann objectives: benchmarks/figures/
traffic_best_known.json, written by ``python benchmarks/traffic_best_known.py`` (Algorithm B on SiouxFalls to
gap 1e-10 and ChicagoSketch to 1e-8, tests/test_traffic_assign.py's cases).

* ``traffic_best_known.readme``: the README's static-assignment row.
* ``traffic_best_known.SiouxFalls`` / ``traffic_best_known.ChicagoSketch``: the start of each network's cell in
  docs/traffic.md's validation table (final gap, iterations, objective against the best-known, relative difference).

A key missing from the figures is a :class:`FiguresError` naming it (scripts/update_figures.py adds the file and
the script to run).
"""

from __future__ import annotations

from collections.abc import Callable

from .common import Blocks, figure_at

SCRIPT = "python benchmarks/traffic_best_known.py"
NETWORKS = ("SiouxFalls", "ChicagoSketch")



def _stamp(data: dict) -> str:
    lo, hi = sorted((float(figure_at(data, "load_before")[0]), float(figure_at(data, "load_after")[0])))
    load = f"load {lo:.1f}" if round(lo, 1) == round(hi, 1) else f"load {lo:.1f}-{hi:.1f}"
    return f"measured {figure_at(data, 'date')} at commit {figure_at(data, 'commit')} by `{SCRIPT}`, {load}"


def readme(data: dict) -> str:
    """``relative difference 2.5e-11 / 3.5e-12 (Algorithm B to gap 1e-10 / 1e-8; measured ...)``."""
    cases = [figure_at(data, "cases", n) for n in NETWORKS]
    diffs = " / ".join(f"{float(figure_at(c, 'rel_diff_best_known')):.1e}" for c in cases)
    gaps = " / ".join(f"{float(figure_at(c, 'target_gap')):.0e}" for c in cases)
    return f"relative difference {diffs} (Algorithm B to gap {gaps}; {_stamp(data)})"


def _cell(network: str) -> Callable[[dict], str]:
    def cell(data: dict) -> str:
        c = figure_at(data, "cases", network)
        digits = 6 if float(figure_at(c, "best_known")) < 1e7 else 5
        return (f"gap {float(figure_at(c, 'relative_gap')):.1e} in {int(figure_at(c, 'iterations'))} iterations; Beckmann "
                f"{float(figure_at(c, 'beckmann')):,.{digits}f} vs best-known {float(figure_at(c, 'best_known')):,} "
                f"({float(figure_at(c, 'rel_diff_best_known')):.1e} relative; {_stamp(data)})")

    cell.__doc__ = f"The start of {network}'s cell in docs/traffic.md's validation table."
    return cell


BLOCKS: Blocks = {"traffic_best_known.readme": ("traffic_best_known.json", readme, SCRIPT),
                  **{f"traffic_best_known.{n}": ("traffic_best_known.json", _cell(n), SCRIPT) for n in NETWORKS}}  # fmt: skip
