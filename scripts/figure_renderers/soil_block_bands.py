"""Renderers of the Saint-Gilles block bands in docs/soil_3d.md, "Bands on the lateral redistribution":
benchmarks/figures/soil_block_bands.json, written by ``TWIN_NUMBA_THREADS=1 python benchmarks/bench_soil_block_bands.py``
(scenarios/stgilles_deseal_block.yaml's scene, what-if, design storm and ``soil.block`` options; one case per what-if).

* ``soil_block_bands.central``: the block (region, soil-grid cells, column size and layers of the scenario's
  ``sub`` / ``dz_m``, cells, sealed cells counted) and its central run (CPU, wall, memory, balance, the KPIs).
* ``soil_block_bands.refinement``: the same KPIs on the grid twice as fine across with 5 cm layers.
* ``soil_block_bands.samples``: the table of the paired samples (central value, 5th / 50th / 95th percentiles
  of baseline, what-if and change).

The case rendered is :data:`CASE` (the scenario's what-if). A key missing from the figures is a
:class:`FiguresError` naming it (scripts/update_figures.py adds the file and the script to run).
"""

from __future__ import annotations

from .common import Blocks, figure_at, load_text, signed

SCRIPT = "TWIN_NUMBA_THREADS=1 python benchmarks/bench_soil_block_bands.py"
FILE = "soil_block_bands.json"
CASE = "deseal-car-park"
"""The what-if of scenarios/stgilles_deseal_block.yaml."""

ROWS = (("block_sealed_rain_gain_m3", "rain water under the sealed cells (edge measure), m3", 4),
        ("block_sealed_rain_gain_mm", "the same, mm over their area", 4),
        ("block_sealed_rain_gain_grid_m3", "the block grid's own figure (not converged), m3", 4),
        ("block_sealed_edge_m", "soil length along the sealed cells, m", 4),
        ("block_infiltration_m3", "infiltration into the block, m3", 3),
        ("block_recharge_m3", "recharge below the block, m3", 4))  # fmt: skip
"""KPI, label, significant digits."""


def _case(data: dict) -> dict:
    return figure_at(data, "cases", CASE)


def _g(x: float, digits: int, sign: bool = False) -> str:
    return signed(float(x), f"{'+' if sign else ''}.{digits}g")


def _cm(x: float) -> str:
    return f"{100 * float(x):g} cm"


def _grid_text(c: dict, g: dict) -> str:
    col = float(figure_at(g, "column_m"))
    return f"{col:g} m x {col:g} m x {_cm(figure_at(g, 'dz_m'))} (`sub: {int(figure_at(g, 'sub'))}`), {int(figure_at(g, 'cells')):,} cells"


def central(data: dict) -> str:
    """The block and its central run (the scenario's grid)."""
    c = _case(data)
    g = figure_at(c, "grids", "sample grid")
    x0, y0, x1, y1 = (float(v) for v in figure_at(c, "region_m"))
    b, w = figure_at(g, "baseline"), figure_at(g, "whatif")
    gain_b, gain_w = float(figure_at(b, "block_sealed_rain_gain_m3")), float(figure_at(w, "block_sealed_rain_gain_m3"))
    inf_b, inf_w = float(figure_at(b, "block_infiltration_m3")), float(figure_at(w, "block_infiltration_m3"))
    mm = float(figure_at(w, "block_sealed_rain_gain_mm")) - float(figure_at(b, "block_sealed_rain_gain_mm"))
    return (f"the block: the changed cells and a {float(figure_at(c, 'margin_m')):g} m margin, {x1 - x0:g} m x {y1 - y0:g} m "
            f"({int(figure_at(g, 'grid_cells_x'))} x {int(figure_at(g, 'grid_cells_y'))} grid cells of {float(figure_at(c, 'cell_size_m')):g} m), "
            f"{_grid_text(c, g)}; {int(figure_at(g, 'sealed_cells_inner'))} sealed grid cells off the edge ring "
            f"({float(figure_at(g, 'sealed_area_inner_m2')):,.0f} m2). Central run (`{SCRIPT}`, {figure_at(c, 'date')}, commit "
            f"{figure_at(c, 'commit')}, {load_text(g)} on 2 cores; the first block pair of the process: with Numba's compilation "
            f"when its cache is cold): {float(figure_at(g, 'cpu_s')):.1f} s of CPU for the pair ({float(figure_at(g, 'wall_s')):.0f} s wall), "
            f"peak RSS {float(figure_at(g, 'peak_rss_mb')):.0f} MB, balance error {float(figure_at(g, 'balance_error_rel')):.1e}; "
            f"rain water under the sealed cells (edge measure) {gain_b:.3g} m3 baseline, {gain_w:.3g} m3 what-if "
            f"({signed(gain_w - gain_b, '+.2g')} m3, {signed(mm, '+.2g')} mm over their area), the block grid's own figure "
            f"{float(figure_at(b, 'block_sealed_rain_gain_grid_m3')):.2g} / {float(figure_at(w, 'block_sealed_rain_gain_grid_m3')):.2g} m3; "
            f"infiltration {inf_b:.1f} -> {inf_w:.1f} m3 ({signed(inf_w - inf_b, '+.1f')} m3: the rain water the de-sealing adds under the "
            f"sealed cells is {(gain_w - gain_b) / (inf_w - inf_b):.2%} of the infiltration it adds), recharge "
            f"{float(figure_at(b, 'block_recharge_m3')):.3f} / {float(figure_at(w, 'block_recharge_m3')):.3f} m3")


def refinement(data: dict) -> str:
    """The central run on the grid twice as fine across, with 5 cm layers, against the scenario's grid."""
    c = _case(data)
    s, f = figure_at(c, "grids", "sample grid"), figure_at(c, "grids", "fine grid")
    parts = []
    for key, name in (("block_infiltration_m3", "infiltration"), ("block_sealed_rain_gain_grid_m3", "the block grid's own figure under the sealed cells"),
                      ("block_recharge_m3", "recharge"), ("block_sealed_rain_gain_m3", "the edge measure")):  # fmt: skip
        sb, sw, fb, fw = (float(figure_at(g, part, key)) for g in (s, f) for part in ("baseline", "whatif"))
        rel = " / ".join(signed((x - y) / y, "+.1%") if y else "n/a" for x, y in ((sb, fb), (sw, fw)))
        parts.append(f"{name} {fb:.3g} / {fw:.3g} m3 (the scenario's grid: {sb:.3g} / {sw:.3g}, {rel})")
    return (f"on {_grid_text(c, f)}, baseline / what-if ({float(figure_at(f, 'cpu_s')):.1f} s of CPU for the pair, {load_text(f)}): "
            + "; ".join(parts))


def samples(data: dict) -> str:
    """The paired samples' table: central value and 5th / 50th / 95th percentiles."""
    c = _case(data)
    sm, g = figure_at(c, "samples"), figure_at(c, "grids", "sample grid")
    lo, mid, hi = (int(p) for p in figure_at(sm, "percentiles"))
    lines = [f"{int(figure_at(sm, 'n'))} paired samples (seed {int(figure_at(sm, 'seed'))}, `prior_spread` {float(figure_at(sm, 'prior_spread')):g}; "
             f"{float(figure_at(sm, 'cpu_s')):.0f} s of CPU, {float(figure_at(sm, 'wall_s')):.0f} s wall, {load_text(sm)}; largest balance error "
             f"{float(figure_at(sm, 'largest_balance_error_rel')):.1e}), {_grid_text(c, g)}; central (p{lo} / p{mid} / p{hi}):", "",
             "| KPI | baseline | what-if | change |", "|---|---|---|---|"]
    for key, label, digits in ROWS:
        band = figure_at(sm, "bands", key)
        cb, cw = float(figure_at(g, "baseline", key)), float(figure_at(g, "whatif", key))
        cells = []
        for part, central_value, sign in (("baseline", cb, False), ("whatif", cw, False), ("change", cw - cb, True)):
            p = [float(v) for v in figure_at(band, part)]
            cells.append(f"{_g(central_value, digits, sign)} ({' / '.join(_g(v, digits, sign) for v in p)})")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n" + "\n".join(lines) + "\n"


BLOCKS: Blocks = {f"soil_block_bands.{name}": (FILE, fn, SCRIPT) for name, fn in
                  (("central", central), ("refinement", refinement), ("samples", samples))}  # fmt: skip
