"""Renderers of docs/energy_stock_iso52016.md's TABULA figures through the finer zone model: the
``tabula_iso52016`` entry of benchmarks/figures/energy_validation.json, written by
``python scripts/energy_validation_figures.py`` (the 36 Belgian TABULA reference buildings, Uccle weather).

* ``energy_validation.tabula_iso52016_air``: the set point on the air temperature, fixed exterior film.
* ``energy_validation.tabula_iso52016_operative``: the set point on the operative temperature (the stock's default).
* ``energy_validation.tabula_range``: the 5R1C path's range on the same buildings (the ``tabula`` entry).

A key missing from the figures is a :class:`FiguresError` naming it (scripts/update_figures.py adds the file
and the script to run).
"""

from __future__ import annotations

from .common import Blocks, figure_at

SCRIPT = "python scripts/energy_validation_figures.py"



def _ratios(data: dict, control: str) -> dict:
    return figure_at(data, "tabula_iso52016", control)


def air(data: dict) -> str:
    """``0.727-0.949 (median 0.847)``: the need over TABULA's with the set point on the air."""
    r = _ratios(data, "air")
    return f"{float(figure_at(r, 'ratio_min')):.3f}-{float(figure_at(r, 'ratio_max')):.3f} (median {float(figure_at(r, 'ratio_median')):.3f})"


def operative(data: dict) -> str:
    """``0.765-1.067 x TABULA's `q_h_nd` (median 0.957): every building within 25 %`` (or how many)."""
    r = _ratios(data, "operative")
    n, within = int(figure_at(data, "tabula_iso52016", "n_buildings")), int(figure_at(r, "within_25_percent"))
    share = "every building within 25 %" if within == n else f"{within} of {n} buildings within 25 %"
    return (f"{float(figure_at(r, 'ratio_min')):.3f}-{float(figure_at(r, 'ratio_max')):.3f} x TABULA's `q_h_nd` "
            f"(median {float(figure_at(r, 'ratio_median')):.3f}): {share} (`{SCRIPT}`, {figure_at(data, 'date')})")


def tabula_range(data: dict) -> str:
    """``0.80-1.11``: the 5R1C path's need over TABULA's on the same buildings."""
    return f"{float(figure_at(data, 'tabula', 'ratio_min')):.2f}-{float(figure_at(data, 'tabula', 'ratio_max')):.2f}"


BLOCKS: Blocks = {
    "energy_validation.tabula_iso52016_air": ("energy_validation.json", air, SCRIPT),
    "energy_validation.tabula_iso52016_operative": ("energy_validation.json", operative, SCRIPT),
    "energy_validation.tabula_range": ("energy_validation.json", tabula_range, SCRIPT),
}
