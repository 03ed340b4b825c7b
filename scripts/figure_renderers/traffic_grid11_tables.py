"""Renderers of docs/traffic.md's grid11 side-by-side tables (twin against UXsim), written from the benchmark's
JSON by :func:`tables` of benchmarks/traffic_grid11_table_p15.py (loaded from its file, so the page and the
script print the same tables).

* ``traffic_grid11.tables``: benchmarks/figures/traffic_grid11.json (``python benchmarks/bench_traffic_grid11_uxsim.py
  --seeds 5 --discharge``): the means over seeds at every demand scale, the ratios to the reference and to UXsim at
  ``deltan`` 5, the queued-link counts on the grid of thresholds, and the command and load of the run.
* ``traffic_grid11_p15_tenth.means``: benchmarks/figures/traffic_grid11_p15_tenth.json (the same benchmark with
  ``--seeds 1 --scales 0.1``): the table of means alone.

A key missing from the figures is a :class:`FiguresError` naming it (scripts/update_figures.py adds the file and
the benchmark to run).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from functools import cache

from .common import ROOT, Blocks, FiguresError

SCRIPT = ROOT / "benchmarks" / "traffic_grid11_table_p15.py"
BENCH = "python benchmarks/bench_traffic_grid11_uxsim.py --seeds 5 --discharge"
TENTH_BENCH = "python benchmarks/bench_traffic_grid11_uxsim.py --seeds 1 --scales 0.1 --output benchmarks/figures/traffic_grid11_p15_tenth.json"


@cache
def _tables() -> Callable[[dict], str]:
    """:func:`tables` of benchmarks/traffic_grid11_table_p15.py."""
    spec = importlib.util.spec_from_file_location("traffic_grid11_table_p15", SCRIPT)
    if spec is None or spec.loader is None:
        raise FiguresError(f"cannot load {SCRIPT.relative_to(ROOT)}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.tables


def _render(data: dict) -> str:
    try:
        return _tables()(data)
    except KeyError as exc:
        raise FiguresError(f"no {exc.args[0]!r} in the figures") from None


def tables(data: dict) -> str:
    """The three tables and the run's command and load."""
    return "\n" + _render(data) + "\n"


def means(data: dict) -> str:
    """The table of means over seeds alone (up to the first blank line)."""
    return "\n" + _render(data).split("\n\n")[0] + "\n"


BLOCKS: Blocks = {
    "traffic_grid11.tables": ("traffic_grid11.json", tables, BENCH),
    "traffic_grid11_p15_tenth.means": ("traffic_grid11_p15_tenth.json", means, TENTH_BENCH),
}
