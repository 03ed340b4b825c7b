"""Renderer of docs/traffic.md's table of twin's grid11 runs with tied and perturbed free speeds ("grid11 against
UXsim: ties in route choice"): benchmarks/figures/traffic_grid11_ties.json, written by
``python benchmarks/bench_traffic_grid11_ties.py`` (its ``rows``; the same file feeds the ``traffic_grid11_ties.tied``
and ``.measured`` views of scripts/figure_renderers/traffic_dynamic.py).

* ``traffic_grid11_ties_table`` (not ``traffic_grid11_ties.table``: tests/test_figures_dynamic_method.py checks
  every ``traffic_grid11_ties.*`` view as an inline block of traffic_dynamic's kind): one row per free-speed perturbation (``twin LTM, free speeds x (1 + a U)``): mean
  trip time (marked free flow when the total delay is nil), vehicle-km, links above the critical density; then where
  it was measured.

A key missing from the figures is a :class:`FiguresError` naming it (scripts/update_figures.py adds the file and
the script to run).
"""

from __future__ import annotations

from .common import MINUS, Blocks, FiguresError, figure_at

SCRIPT = "python benchmarks/bench_traffic_grid11_ties.py"
PREFIX = "twin LTM, free speeds x (1 + "
"""The rows of ``rows`` the table shows, in the file's order."""


def table(data: dict) -> str:
    """The perturbation rows of traffic_grid11_ties.json and where they were measured."""
    rows = {k: v for k, v in figure_at(data, "rows").items() if k.startswith(PREFIX)}
    if not rows:
        raise FiguresError(f"no row starting {PREFIX!r} in 'rows'")
    lines = ["| run | mean trip time | vehicle-km | links above critical density |", "|---|---|---|---|"]
    for name, r in rows.items():
        a = name[len(PREFIX):].split(" ")[0]
        label = "twin LTM, grid11 as given" if float(a) == 0 else f"twin, free speeds x (1 + {a} U({MINUS}1, 1))"
        t = float(figure_at(r, "mean_trip_time_s"))
        n = int(figure_at(r, "links_above_critical_density"))
        free = abs(float(figure_at(r, "total_delay_veh_h"))) < 1e-6
        lines.append(f"| {label} | {t:.1f} s{' (free flow)' if free else ''} | {float(figure_at(r, 'vehicle_km')):,.0f} | {n} |")
    lo, hi = sorted((float(figure_at(data, "load_1min_before")), float(figure_at(data, "load_1min_after"))))
    load = f"load {lo:.1f}" if round(lo, 1) == round(hi, 1) else f"load {lo:.1f}-{hi:.1f}"
    return ("\n" + "\n".join(lines) + f"\n\nMeasured {figure_at(data, 'date')} at commit {figure_at(data, 'commit')} by `{SCRIPT}` "
            f"({load} on 2 cores).\n")


BLOCKS: Blocks = {"traffic_grid11_ties_table": ("traffic_grid11_ties.json", table, SCRIPT)}
