"""Why the rain water under the sealed cells of the 3-D block did not converge, and the measure
that does (issue 18, part 2). Writes what it measures to ``benchmarks/figures/soil_block_p18.json``;
``scripts/update_figures.py`` renders docs/soil_block_p18.md from it (block ``soil_block_p18``,
renderer ``scripts/figure_renderers/soil_block_p18.py``).

Run from the repository root (a few minutes on a quiet core; ``--subs 1 2 5 10`` adds the 0.5 m
block, about four times the 1 m one), then render the page:

    NUMBA_CACHE_DIR=/tmp/numba_p18 .venv/bin/python benchmarks/soil_block_p18_refinement.py [--subs 1 2 5] [--parts abcd]
    .venv/bin/python scripts/update_figures.py docs/soil_block_p18.md

``--parts`` re-measures only those parts; the others keep their figures in the file (each part has
its own date, commit, load before and after and CPU time).

Parts:

A. Horizontal absorption through a face held at h = 0 (one row of cells, the 3-D kernel) against
   Philip's ``I = S sqrt(t)`` with Parlange's (1975) sorptivity of the same soil: how wide a
   column may be for the lateral flux to be right.
B. The 2-D section across a sealed edge (:func:`twin.soil.soil_block_edge.edge_strip_gain`,
   the scenario's soil, storm and initial head): the gain per metre of edge against the column
   width and the layer thickness, with observed orders.
C. The Saint-Gilles car park block (scenarios/stgilles_deseal_block.yaml, central soil): the
   block grid's own figure at several column widths, explained by the section at the block's
   column width times the length of open block columns along the counted sealed cells; then the
   edge-resolved measure (:func:`twin.soil.soil_block_edge.sealed_edge_gain`) that the
   scenario now reports, with its refinement.
D. The sample that stalled at 1 m before the kernel's iteration rules (seed 2026, sample 9).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))  # machine_load: the date and commit stamp of the benchmarks
SCENARIO = ROOT / "scenarios" / "stgilles_deseal_block.yaml"
FIGURES = ROOT / "benchmarks" / "figures" / "soil_block_p18.json"


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def part_a() -> dict[str, Any]:
    from twin.soil.block3d import Block, Side, run_block
    from twin.soil.hydraulics import texture_material
    from twin.soil.soil_block_edge import sorptivity_parlange

    m = texture_material("Silt Loam").with_air_entry(-0.02)
    s = sorptivity_parlange(m, -1.0)
    t = np.array([3600.0, 86400.0])
    rows = []
    for dx in (1.0, 0.5, 0.25, 0.1, 0.05, 0.02, 0.01, 0.005):
        b = Block(nx=int(round(2.0 / dx)), ny=1, nz=1, dx_m=dx, dy_m=1.0, dz_m=1.0, materials=[m], sides={"x_min": Side("head", 0.0)})
        i = run_block(b, -1.0, list(t), keep_fields=False).inflow_m3[:, 0] / (s * np.sqrt(t))
        rows.append({"dx_m": dx, "ratio_1h": float(i[0]), "ratio_24h": float(i[1])})
    return {"sorptivity_m_s05": float(s), "rows": rows}


def _section_row(dx: float, dz: float, r) -> dict[str, Any]:
    return {"dx_m": dx, "dz_m": dz, "cells": int(r.cells), "gain_m3_per_m": float(r.gain_m3_per_m),
            "infiltration_m3_per_m": float(r.infiltration_m3_per_m), "cpu_s": float(r.cpu_s)}


def part_b() -> dict[str, Any]:
    from twin.soil.hydraulics import texture_material
    from twin.soil.soil_block_edge import edge_strip_gain

    m = texture_material("Silt Loam").with_air_entry(-0.02)
    widths = [_section_row(dx, 0.0125, edge_strip_gain(m, dx_m=dx, dz_m=0.0125, open_width_m=1.0, sealed_width_m=0.5 if dx < 0.5 else 1.0))
              for dx in (1.0, 0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625)]
    layers = [_section_row(0.025, dz, edge_strip_gain(m, dx_m=0.025, dz_m=dz, open_width_m=1.0, sealed_width_m=0.5))
              for dz in (0.1, 0.05, 0.025, 0.0125, 0.00625)]
    return {"widths": widths, "layers": layers}


def part_c(subs: list[int]) -> dict[str, Any]:
    from twin.scenario.engines import soil as E
    from twin.scenario.runner import prepare_scenes
    from twin.scenario.schema import load_scenario
    from twin.soil.block_bands import kpi_mask
    from twin.soil.district_block import run_district_with_block
    from twin.soil.soil_block_edge import edge_strip_gain, sealed_edge_gain

    sc = load_scenario(SCENARIO)
    prep = prepare_scenes(sc, base_dir=SCENARIO.parent, progress=False)
    name, what_scene = next(iter(prep.scenes.items()))
    bg, wg, storm, region, duration, _ = E._block_setup(prep.baseline, what_scene, sc.soil)
    bo = E._block_options(sc.soil)
    size = float(sc.soil.cell_size_m)
    mat = bg.materials[0]
    block = []
    mask = None
    for sub in subs:
        c0 = _cpu()
        rb, rw = (run_district_with_block(g, storm, region, duration_s=duration, dz_m=bo.dz_m, sub=sub, threads=1,
                                          dt_restart_s=bo.dt_restart_s) for g in (bg, wg))
        cpu = _cpu() - c0
        mask = kpi_mask(rb, rw)
        dx = size / sub
        g = edge_strip_gain(mat, h_initial_m=float(bg.options.initial_head_m), dx_m=dx, dz_m=0.1, open_width_m=max(dx, 1.0),
                            sealed_width_m=max(dx, 1.0)).gain_m3_per_m
        block.append({"sub": sub, "dx_m": dx, "block_m3": [float(r.rain_gain_m3[mask].sum()) for r in (rb, rw)],
                      "layout_edge_m": [_layout_edge(grid, region, sub, mask) for grid in (bg, wg)], "section_gain_m3_per_m": float(g),
                      "cpu_s": cpu})
    edge = []
    for dx, dz in ((0.1, 0.1), (0.05, 0.05), (0.025, 0.025), (0.0125, 0.0125)):
        e = [sealed_edge_gain(g, region, mask, storm, duration, dx_m=dx, dz_m=dz) for g in (bg, wg)]
        edge.append({"dx_m": dx, "dz_m": dz, "gain_m3": [float(x.gain_m3) for x in e], "edge_length_m": [float(x.edge_length_m) for x in e]})
    return {"scene": name, "block": block, "edge": edge}


def part_d() -> dict[str, Any]:
    """The sample that stalled at 1 m (seed 2026, sample 9), its what-if block at 1 m columns."""
    from twin.scenario.engines import soil as E
    from twin.scenario.runner import prepare_scenes
    from twin.scenario.schema import load_scenario
    from twin.soil import block3d as B3
    from twin.soil import block_bands as BB
    from twin.soil.district_block import run_district_with_block

    sc = load_scenario(SCENARIO)
    prep = prepare_scenes(sc, base_dir=SCENARIO.parent, progress=False)
    _, what_scene = next(iter(prep.scenes.items()))
    bg, wg, storm, region, duration, _ = E._block_setup(prep.baseline, what_scene, sc.soil)
    bo = E._block_options(sc.soil)
    sample = 9
    z = BB.draw_normals(20, sc.uncertainty.seed)
    g = BB.sampled_grid(wg, z[sample], bo.prior_spread)
    m = g.materials[0]
    stats = {"steps": 0.0, "rejected_steps": 0.0, "failed_steps": 0.0, "picard_iterations": 0.0}
    orig = B3.run_block

    def counted(*a, **k):
        r = orig(*a, **k)
        for key in stats:
            stats[key] += r.totals[key]
        return r

    B3.run_block = counted
    try:
        c0 = _cpu()
        r = run_district_with_block(g, storm, region, duration_s=duration, dz_m=bo.dz_m, sub=5, threads=1, dt_restart_s=bo.dt_restart_s)
        cpu = _cpu() - c0
    finally:
        B3.run_block = orig
    return {"seed": int(sc.uncertainty.seed), "sample": sample, "soil": m.name, "theta_s": float(m.theta_s), "n": float(m.n),
            "alpha_per_m": float(m.alpha_per_m), "ks_m_s": float(m.ks_m_s), "dz_m": float(bo.dz_m), "block_cpu_s": cpu,
            **{k: int(v) for k, v in stats.items()}, "balance_error_rel": float(r.balance_error_rel)}


def _layout_edge(grid, region, sub: int, mask: np.ndarray) -> float:
    """Length of faces between open block columns and block columns of ``mask`` cells, m (the
    layout of :func:`twin.soil.district_block.run_district_with_block`)."""
    from twin.soil.district_block import _region_cells
    from twin.soil.grid import KIND_GREEN_ROOF

    j0, j1, i0, i1 = _region_cells(grid, region)
    ny, nx = grid.shape
    sc = grid.col_kind != KIND_GREEN_ROOF
    d = np.zeros(ny * nx)
    np.add.at(d, grid.col_cell[sc], grid.col_area_m2[sc] * grid.col_rain_factor[sc])
    a = np.zeros(ny * nx)
    np.add.at(a, grid.col_cell[sc], grid.col_area_m2[sc])
    d = d.reshape(ny, nx)[j0:j1 + 1, i0:i1 + 1]
    share = a.reshape(ny, nx)[j0:j1 + 1, i0:i1 + 1] / grid.cell_area_m2
    n_open = np.where(d > 0, np.clip(np.rint(share * sub * sub), 1, sub * sub), 0).astype(int)
    rank = np.tile(np.arange(sub * sub).reshape(sub, sub), (j1 - j0 + 1, i1 - i0 + 1))
    op = rank < np.repeat(np.repeat(n_open, sub, 0), sub, 1)
    mb = np.repeat(np.repeat(mask, sub, 0), sub, 1)
    n = (np.sum(op[:, :-1] & mb[:, 1:]) + np.sum(op[:, 1:] & mb[:, :-1]) + np.sum(op[:-1, :] & mb[1:, :])
         + np.sum(op[1:, :] & mb[:-1, :]))
    return float(n) * grid.cell_size_m / sub


def main() -> None:
    from machine_load import measurement_stamp

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subs", type=int, nargs="*", default=[1, 2, 5], help="block columns per 5 m grid cell in part C")
    parser.add_argument("--parts", default="abcd", help="parts to measure (the others keep their figures)")
    parser.add_argument("--figures", type=Path, default=FIGURES, help="the figures file to merge into")
    args = parser.parse_args()
    data = json.loads(args.figures.read_text(encoding="utf-8")) if args.figures.exists() else {}
    data["case"] = ("python benchmarks/soil_block_p18_refinement.py: one entry per part (a-d), each with the date, commit, "
                    "load before/after (1, 5, 15-minute averages), cores and CPU time of its run")
    run = {"a": part_a, "b": part_b, "c": lambda: part_c(args.subs), "d": part_d}
    for key in args.parts:
        stamp = {**measurement_stamp(), "load_before": list(os.getloadavg()), "cpus": os.cpu_count()}
        c0 = _cpu()
        figures = run[key]()
        data.setdefault("parts", {})[key] = {**stamp, "load_after": list(os.getloadavg()), "cpu_s": _cpu() - c0, **figures}
        print(f"part {key}: CPU {data['parts'][key]['cpu_s']:.0f} s", flush=True)
    args.figures.parent.mkdir(parents=True, exist_ok=True)
    args.figures.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.figures}; run python scripts/update_figures.py docs/soil_block_p18.md")


if __name__ == "__main__":
    main()
