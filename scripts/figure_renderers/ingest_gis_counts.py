"""Renderer of the Brussels PBF's scene counts in docs/ingest_gis.md's validation list: benchmarks/figures/
ingest_gis.json, written by benchmarks/bench_ingest_gis.py (``pytest benchmarks/bench_ingest_gis.py -s``), case
``brussels_pbf`` (the Brussels-Capital Region OSM 2013 PBF -> read_osm + Scene.add + party walls).

* ``ingest_gis.brussels_counts``: ``51,060 buildings and 79,320 links (...)``.

A key missing from the figures is a :class:`FiguresError` naming it (scripts/update_figures.py adds the file and
the benchmark to run).
"""

from __future__ import annotations

from .common import Blocks, figure_at

BENCH = "pytest benchmarks/bench_ingest_gis.py -s"


def brussels_counts(data: dict) -> str:
    """``51,060 buildings and 79,320 links (`pytest ...`, date, commit)``: what the Brussels PBF case's scene held."""
    pbf = figure_at(data, "cases", "brussels_pbf")
    return (f"{int(figure_at(pbf, 'buildings')):,} buildings and {int(figure_at(pbf, 'links')):,} links (`{BENCH}`, "
            f"{figure_at(pbf, 'date')}, commit {figure_at(pbf, 'commit')})")


BLOCKS: Blocks = {"ingest_gis.brussels_counts": ("ingest_gis.json", brussels_counts, BENCH)}
