"""Renderers of the ingest pages' measured figures (docs/ingest_gis.md, README.md).

* ``ingest_gis.*``: benchmarks/figures/ingest_gis.json, written by benchmarks/bench_ingest_gis.py
  (``pytest benchmarks/bench_ingest_gis.py -s``): ``cases.generated_city`` (200,000 generated
  terraced houses, GeoParquet -> read_vector + Scene.add + party walls) and ``cases.brussels_pbf``
  (the Brussels-Capital Region OSM 2013 PBF -> read_osm + Scene.add + party walls). Views:
  ``table`` (docs/ingest_gis.md's benchmark table) and ``readme`` (the README's footprint-ingest row).

A key missing from the figures is a :class:`FiguresError` naming it (scripts/update_figures.py adds the
file and the benchmark to run).
"""

from __future__ import annotations

from typing import Any

from .common import Blocks, FiguresError

GIS_BENCH = "pytest benchmarks/bench_ingest_gis.py -s"
GIS_ROWS = (("generated_city", "generated city, GeoParquet -> read_vector + Scene.add + party_walls"),
            ("brussels_pbf", "Brussels region PBF -> buildings, land cover, POIs, network (read_osm) + Scene.add + party walls"))  # fmt: skip
"""The cases of ingest_gis.json, in the table's order, with their labels."""


def _get(data: dict, *keys: str) -> Any:
    """``data[k0][k1]...``; a missing key is a :class:`FiguresError` naming its path."""
    node: Any = data
    for i, key in enumerate(keys):
        if not isinstance(node, dict) or key not in node:
            raise FiguresError(f"no {'.'.join(keys[: i + 1])!r} in the figures")
        node = node[key]
    return node


def _load(entry: dict) -> str:
    """``load 12.3-15.4`` (1-minute load averages before and after the case)."""
    lo, hi = sorted((float(_get(entry, "load_before")[0]), float(_get(entry, "load_after")[0])))
    return f"load {lo:.1f}" if round(lo, 1) == round(hi, 1) else f"load {lo:.1f}-{hi:.1f}"


def _stamp(entry: dict) -> str:
    return f"{_get(entry, 'date')}, commit {_get(entry, 'commit')}, {_load(entry)} on {_get(entry, 'cpus')} cores"


def _thousands(x: float) -> str:
    """A rate rounded to hundreds, with thousands separators (``58,800``)."""
    return f"{round(float(x), -2):,.0f}"


# ----------------------------------------------------------------------------- ingest_gis.json
def gis_table(data: dict) -> str:
    """docs/ingest_gis.md's benchmark table: one row per case, wall and CPU time, rates, where measured."""
    lines = ["| benchmark | buildings | median wall | buildings/s (wall) | median CPU time | buildings per CPU-second | measured |",
             "|---|---|---|---|---|---|---|"]  # fmt: skip
    for key, label in GIS_ROWS:
        e = _get(data, "cases", key)
        lines.append(f"| {label} | {int(_get(e, 'buildings')):,} | {_get(e, 'median_wall_s'):.2f} s | {_thousands(_get(e, 'buildings_per_s'))} "
                     f"| {_get(e, 'median_cpu_s'):.2f} s | {_thousands(_get(e, 'buildings_per_cpu_s'))} | {_stamp(e)} |")  # fmt: skip
    return "\n" + "\n".join(lines) + "\n"


def gis_readme(data: dict) -> str:
    """One line: the README's footprint-ingest row (CPU time first: the machine is shared)."""
    city, pbf = _get(data, "cases", "generated_city"), _get(data, "cases", "brussels_pbf")
    return (f"{int(_get(city, 'buildings')) // 1000}k generated footprints + party walls at "
            f"{_thousands(_get(city, 'buildings_per_cpu_s'))} buildings per CPU-second ({_thousands(_get(city, 'buildings_per_s'))}/s wall, "
            f"{_load(city)}); whole Brussels PBF ({int(_get(pbf, 'buildings')) // 1000}k buildings, {int(_get(pbf, 'links')) // 1000}k links) "
            f"in {_get(pbf, 'median_cpu_s'):.1f} s CPU ({_get(pbf, 'median_wall_s'):.1f} s wall, {_load(pbf)}); measured {_get(city, 'date')} "
            f"at commit {_get(city, 'commit')} by `{GIS_BENCH}` (`docs/ingest_gis.md`)")  # fmt: skip


BLOCKS: Blocks = {
    "ingest_gis.table": ("ingest_gis.json", gis_table, GIS_BENCH),
    "ingest_gis.readme": ("ingest_gis.json", gis_readme, GIS_BENCH),
}
