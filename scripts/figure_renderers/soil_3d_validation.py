"""Renderer of the validation tables of docs/soil_3d.md ("Validation"):
benchmarks/figures/soil_3d_validation.json, written by ``TWIN_NUMBA_THREADS=1 python scripts/soil_3d_table.py``
(the functions of tests/test_richards3d_tracy.py and tests/test_richards3d.py).

* ``soil_3d_validation``: Tracy's sample problem at four times on two grids in 2-D and 3-D (RMS head error,
  point errors on the centre line, balance error), the refinement studies (RMS error per grid, the observed
  order between successive grids, the wall time of each study) and the kernel against the NumPy reference,
  then the date, commit and load of the run.

The observed order between grids ``n1 < n2`` is ``log(e1 / e2) / log(n2 / n1)`` (as
``tests.test_richards3d_tracy.observed_orders``). A key missing from the figures is a :class:`FiguresError`
naming it (scripts/update_figures.py adds the file and the script to run).
"""

from __future__ import annotations

import math

from .common import Blocks, FiguresError, figure_at, load_text, signed

SCRIPT = "TWIN_NUMBA_THREADS=1 python scripts/soil_3d_table.py"
FILE = "soil_3d_validation.json"


def _grid(dim: int, n: int) -> str:
    return f"{n} x {n}" if dim == 2 else f"{n} x {n} x {n}"


def observed_orders(grids: list[dict]) -> list[float | None]:
    """The observed order of each grid against the one before (``None`` for the first)."""
    out: list[float | None] = [None]
    for a, b in zip(grids, grids[1:]):
        n1, n2 = int(figure_at(a, "n")), int(figure_at(b, "n"))
        e1, e2 = float(figure_at(a, "rms_h_m")), float(figure_at(b, "rms_h_m"))
        if n2 <= n1 or e1 <= 0.0 or e2 <= 0.0:
            raise FiguresError(f"refinement grids must grow with positive errors (n {n1} -> {n2}, RMS {e1:g} -> {e2:g})")
        out.append(math.log(e1 / e2) / math.log(n2 / n1))
    return out


def sample_rows(data: dict) -> list[str]:
    out = ["| case | grid | t (s) | RMS error h (m) | error in cells k = n/4, n/2, 3n/4 on the centre line (m) | balance error |",
           "|---|---|---|---|---|---|"]
    for row in figure_at(data, "sample"):
        dim, n = int(figure_at(row, "dim")), int(figure_at(row, "n"))
        points = [float(p) for p in figure_at(row, "point_errors_m")]
        if len(points) != 3:
            raise FiguresError(f"'point_errors_m' of the {dim}-D {n}-cell sample has {len(points)} values, not 3 (k = n/4, n/2, 3n/4)")
        pts = ", ".join(signed(p, "+.3f") for p in points)
        out.append(f"| Tracy {dim}-D sample | {_grid(dim, n)} | {float(figure_at(row, 't_s')):.3g} | {float(figure_at(row, 'rms_h_m')):.4f} | "
                   f"{pts} | {float(figure_at(row, 'balance_error_rel')):.1e} |")
    return out


def refinement_rows(data: dict) -> list[str]:
    hr = float(figure_at(data, "hr_mild_m"))
    out = ["| study | n (cells a side) | RMS error h (m) | observed order | balance error | wall (s) |", "|---|---|---|---|---|---|"]
    for study in figure_at(data, "refinement"):
        label, grids, wall = str(figure_at(study, "label")), list(figure_at(study, "grids")), float(figure_at(study, "wall_s"))
        for i, (grid, order) in enumerate(zip(grids, observed_orders(grids))):
            order_text = "" if order is None else f"{order:.3f}"
            wall_text = f"{wall:.1f} (all grids)" if i == len(grids) - 1 else ""
            out.append(f"| {label} (h_r = {signed(hr, 'g')} m) | {int(figure_at(grid, 'n'))} | {float(figure_at(grid, 'rms_h_m')):.3e} | {order_text} | "
                       f"{float(figure_at(grid, 'balance_error_rel')):.1e} | {wall_text} |")
    return out


def reference_rows(data: dict) -> list[str]:
    ref = figure_at(data, "reference")
    return ["| check | value |", "|---|---|",
            f"| kernel vs NumPy reference, 3 x 2 x 4 cells, two soils, 6 steps: max head difference (m) | {float(figure_at(ref, 'max_head_difference_m')):.1e} |",
            f"| same: max water-content difference | {float(figure_at(ref, 'max_theta_difference')):.1e} |",
            f"| same: balance error | {float(figure_at(ref, 'balance_error_rel')):.1e} |"]  # fmt: skip


def lines(data: dict) -> list[str]:
    """The validation tables with their captions and the line saying where they were measured."""
    hr, t0 = float(figure_at(data, "hr_sample_m")), float(figure_at(data, "t0_s"))
    out = [f"Tracy's sample problem (h_r = {signed(hr, 'g')} m, heads from {signed(hr, 'g')} to 0 m), runs from the exact solution at",
           f"t = {t0:.0e} s; point errors in the cells right of the centre line (i = n/2; j = n/2 in 3-D), layers".replace("e+0", "e"),
           "k = n/4, n/2, 3n/4 from the top (cell centres at depth (k + 1/2) L/n):", ""]
    out += sample_rows(data)
    out += ["", f"Refinement (same solution with h_r = {signed(float(figure_at(data, 'hr_mild_m')), 'g')} m):", ""]
    out += refinement_rows(data)
    out += ["", "Reference implementation:", ""]
    out += reference_rows(data)
    out += ["", f"Measured by `{SCRIPT}` on {figure_at(data, 'date')} (commit {figure_at(data, 'commit')}, "
            f"{load_text(data)} on {int(figure_at(data, 'cpus'))} cores)."]
    return out


def validation(data: dict) -> str:
    """The block's text (blank lines around the tables)."""
    return "\n\n" + "\n".join(lines(data)) + "\n\n"


BLOCKS: Blocks = {"soil_3d_validation": (FILE, validation, SCRIPT)}
