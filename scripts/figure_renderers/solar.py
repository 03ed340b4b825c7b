"""Renderers of the solar figures: the region cadastre and energy run (benchmarks/bench_solar_region.py)."""

from __future__ import annotations

import sys

from .common import ROOT, Blocks, FiguresError


def solar_region_page(data: dict) -> str:
    """The measured part of docs/solar.md (the renderer of benchmarks/bench_solar_region.py)."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.bench_solar_region import render

    return "\n\n" + render(data) + "\n\n"


def solar_region_summary(data: dict) -> str:
    """One line: region cadastre and energy run times against the PBF read."""
    c, e = data.get("cadastre"), data.get("energy")
    if not c and not e:
        raise FiguresError("neither 'cadastre' nor 'energy' in the figures")
    parts = []
    if c:
        parts.append(f"solar cadastre of {c['n_buildings']:,} buildings in {c['end_to_end_s']:.1f} s ({c['ratio']:.1f}× the PBF read)")
    if e:
        parts.append(f"`twin energy run` on the region in {e['in_process_s']:.1f} s ({e['in_process_ratio']:.1f}× the read)")
    return "; ".join(parts)


BLOCKS: Blocks = {
    "solar_region": ("solar_region.json", solar_region_page, "python benchmarks/bench_solar_region.py"),
    "solar_region.summary": ("solar_region.json", solar_region_summary, "python benchmarks/bench_solar_region.py"),
}
"""The solar blocks of :data:`update_figures.RENDERERS`."""
