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
from typing import Any

from .common import Blocks, FiguresError

SCRIPT = "python benchmarks/traffic_best_known.py"
NETWORKS = ("SiouxFalls", "ChicagoSketch")


def _get(data: dict, *keys: str) -> Any:
    """``data[k0][k1]...``; a missing key is a :class:`FiguresError` naming its path."""
    node: Any = data
    for i, key in enumerate(keys):
        if not isinstance(node, dict) or key not in node:
            raise FiguresError(f"no {'.'.join(keys[: i + 1])!r} in the figures")
        node = node[key]
    return node


def _stamp(data: dict) -> str:
    lo, hi = sorted((float(_get(data, "load_before")[0]), float(_get(data, "load_after")[0])))
    load = f"load {lo:.1f}" if round(lo, 1) == round(hi, 1) else f"load {lo:.1f}-{hi:.1f}"
    return f"measured {_get(data, 'date')} at commit {_get(data, 'commit')} by `{SCRIPT}`, {load}"


def readme(data: dict) -> str:
    """``relative difference 2.5e-11 / 3.5e-12 (Algorithm B to gap 1e-10 / 1e-8; measured ...)``."""
    cases = [_get(data, "cases", n) for n in NETWORKS]
    diffs = " / ".join(f"{float(_get(c, 'rel_diff_best_known')):.1e}" for c in cases)
    gaps = " / ".join(f"{float(_get(c, 'target_gap')):.0e}" for c in cases)
    return f"relative difference {diffs} (Algorithm B to gap {gaps}; {_stamp(data)})"


def _cell(network: str) -> Callable[[dict], str]:
    def cell(data: dict) -> str:
        c = _get(data, "cases", network)
        digits = 6 if float(_get(c, "best_known")) < 1e7 else 5
        return (f"gap {float(_get(c, 'relative_gap')):.1e} in {int(_get(c, 'iterations'))} iterations; Beckmann "
                f"{float(_get(c, 'beckmann')):,.{digits}f} vs best-known {float(_get(c, 'best_known')):,} "
                f"({float(_get(c, 'rel_diff_best_known')):.1e} relative; {_stamp(data)})")

    cell.__doc__ = f"The start of {network}'s cell in docs/traffic.md's validation table."
    return cell


BLOCKS: Blocks = {"traffic_best_known.readme": ("traffic_best_known.json", readme, SCRIPT),
                  **{f"traffic_best_known.{n}": ("traffic_best_known.json", _cell(n), SCRIPT) for n in NETWORKS}}  # fmt: skip
