"""Renderers of AC20-FZK-Haus against its quantity sets: benchmarks/figures/ingest_ifc_quantities.json, written by
``python benchmarks/ifc_quantities.py`` (the exterior walls against ``NetSideArea``, windows and doors against
``Area``, as tests/test_ingest_ifc.py checks them).

* ``ingest_ifc_quantities.walls``: docs/ingest_ifc.md's wall table (one row per exterior wall and the total).
* ``ingest_ifc_quantities.openings``: the windows' and doors' largest deviation and the total window area.
* ``ingest_ifc_quantities.readme``: the README's IFC row.

A key missing from the figures is a :class:`FiguresError` naming it (scripts/update_figures.py adds the file and
the script to run).
"""

from __future__ import annotations

from .common import Blocks, FiguresError, figure_at

SCRIPT = "python benchmarks/ifc_quantities.py"



def _pct(x: float) -> str:
    return "0.0 %" if round(100 * x, 1) == 0 else f"{100 * x:+.1f} %"


def _list(data: dict, key: str) -> list[dict]:
    items = figure_at(data, key)
    if not items:
        raise FiguresError(f"no {key} in the figures")
    return items


def walls(data: dict) -> str:
    """The table of exterior walls: NetSideArea, twin's area, deviation; and the total."""
    lines = ["  | wall | NetSideArea m2 | ours m2 | deviation |", "  |---|---|---|---|"]
    for w in _list(data, "walls"):
        lines.append(f"  | {figure_at(w, 'name')} | {float(figure_at(w, 'net_side_area_m2')):.2f} | {float(figure_at(w, 'twin_area_m2')):.2f} "
                     f"| {_pct(float(figure_at(w, 'deviation')))} |")  # fmt: skip
    theirs, ours = float(figure_at(data, "walls_total", "net_side_area_m2")), float(figure_at(data, "walls_total", "twin_area_m2"))
    lines.append(f"  | total | {theirs:.2f} | {ours:.2f} | {_pct(ours / theirs - 1)} |")
    return "\n" + "\n".join(lines) + f"\n\n  (`{SCRIPT}`, {figure_at(data, 'date')}, commit {figure_at(data, 'commit')})\n  "


def openings(data: dict) -> str:
    """``largest deviation 0.12 %; total window area 23.17 m2 both`` (or each side's)."""
    worst = max(abs(float(figure_at(o, "deviation"))) for o in _list(data, "openings"))
    theirs, ours = float(figure_at(data, "windows_total", "area_m2")), float(figure_at(data, "windows_total", "twin_area_m2"))
    total = f"{theirs:.2f} m2 both" if f"{theirs:.2f}" == f"{ours:.2f}" else f"{theirs:.2f} m2 in the file, {ours:.2f} m2 ours"
    return f"largest deviation {100 * worst:.2f} %; total window area {total}"


def readme(data: dict) -> str:
    """``exterior walls within 3.2 % per wall (1.1 % total), windows 0.12 % (measured ...)``."""
    worst_wall = max(abs(float(figure_at(w, "deviation"))) for w in _list(data, "walls"))
    theirs, ours = float(figure_at(data, "walls_total", "net_side_area_m2")), float(figure_at(data, "walls_total", "twin_area_m2"))
    worst_opening = max(abs(float(figure_at(o, "deviation"))) for o in _list(data, "openings"))
    return (f"exterior walls within {100 * worst_wall:.1f} % per wall ({100 * abs(ours / theirs - 1):.1f} % total), windows and doors "
            f"{100 * worst_opening:.2f} % (measured {figure_at(data, 'date')} at commit {figure_at(data, 'commit')} by `{SCRIPT}`)")


BLOCKS: Blocks = {f"ingest_ifc_quantities.{name}": ("ingest_ifc_quantities.json", fn, SCRIPT)
                  for name, fn in (("walls", walls), ("openings", openings), ("readme", readme))}  # fmt: skip
