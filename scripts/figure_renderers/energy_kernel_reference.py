"""Renderers of the 5R1C kernel's agreement with the plain-Python reference: benchmarks/figures/
energy_kernel_reference.json, written by ``python benchmarks/energy_kernel_reference.py`` (the cases of
tests/test_energy_kernel.py: ``plain``, 50 buildings x 8760 h; ``film``, 8 buildings with the film correction).

* ``energy_kernel_reference.validation``: docs/energy.md's validation sentence (heating and cooling, both cases).
* ``energy_kernel_reference.readme``: the README's energy-kernel row (the largest difference of all).

A key missing from the figures is a :class:`FiguresError` naming it (scripts/update_figures.py adds the file and
the script to run).
"""

from __future__ import annotations

from .common import Blocks, figure_at

SCRIPT = "python benchmarks/energy_kernel_reference.py"
BOUND = 1e-9
"""The tests' bound on the relative difference."""



def _diffs(data: dict, case: str) -> tuple[float, float]:
    return float(figure_at(data, "cases", case, "heating_max_rel_diff")), float(figure_at(data, "cases", case, "cooling_max_rel_diff"))


def _stamp(data: dict) -> str:
    lo, hi = sorted((float(figure_at(data, "load_before")[0]), float(figure_at(data, "load_after")[0])))
    return f"measured {figure_at(data, 'date')} at commit {figure_at(data, 'commit')} by `{SCRIPT}`, load {lo:.1f}-{hi:.1f}"


def validation(data: dict) -> str:
    """``max relative difference of annual heating 6.9e-15 and cooling 1.7e-13 (film correction on: ...; bound 1e-9; measured ...)``."""
    (h, c), (hf, cf) = _diffs(data, "plain"), _diffs(data, "film")
    return (f"max relative difference of annual heating {h:.1e} and cooling {c:.1e} (film correction on: {hf:.1e}, {cf:.1e}; "
            f"bound {BOUND:.0e}; {_stamp(data)})")


def readme(data: dict) -> str:
    """The README's cell: the largest of the four differences, and where measured."""
    worst = max(*_diffs(data, "plain"), *_diffs(data, "film"))
    return f"max relative difference {worst:.1e} ({_stamp(data)})"


BLOCKS: Blocks = {
    "energy_kernel_reference.validation": ("energy_kernel_reference.json", validation, SCRIPT),
    "energy_kernel_reference.readme": ("energy_kernel_reference.json", readme, SCRIPT),
}
