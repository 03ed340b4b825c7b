"""Renderers of the ingest pages' measured figures (docs/ingest_gis.md, docs/ingest_ifc.md, README.md).

* ``ingest_gis.*``: benchmarks/figures/ingest_gis.json, written by benchmarks/bench_ingest_gis.py
  (``pytest benchmarks/bench_ingest_gis.py -s``): ``cases.generated_city`` (200,000 generated
  terraced houses, GeoParquet -> read_vector + Scene.add + party walls) and ``cases.brussels_pbf``
  (the Brussels-Capital Region OSM 2013 PBF -> read_osm + Scene.add + party walls). Views:
  ``table`` (docs/ingest_gis.md's benchmark table), ``readme`` (the README's footprint-ingest row) and
  ``brussels_walls`` (the Brussels PBF's party walls in docs/ingest_gis.md's validation list).
* ``ingest_ifc.*``: benchmarks/figures/ingest_ifc.json, written by benchmarks/bench_ingest_ifc.py
  (``pytest benchmarks/bench_ingest_ifc.py -s``): ``cases.read_ifc`` and ``cases.iterator`` (AC20-FZK-Haus,
  twin's subprocess path against ifcopenshell's bare geometry iterator in one process). View ``summary``
  (docs/ingest_ifc.md's benchmark paragraph).

A key missing from the figures is a :class:`FiguresError` naming it (scripts/update_figures.py adds the
file and the benchmark to run).
"""

from __future__ import annotations

from typing import Any

from .common import Blocks, FiguresError

GIS_BENCH = "pytest benchmarks/bench_ingest_gis.py -s"
IFC_BENCH = "pytest benchmarks/bench_ingest_ifc.py -s"
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


def gis_brussels_walls(data: dict) -> str:
    """``43,802 party walls, 80 % of buildings have one`` (the Brussels PBF case's scene)."""
    pbf = _get(data, "cases", "brussels_pbf")
    return (f"{int(_get(pbf, 'party_walls')):,} party walls, {100 * float(_get(pbf, 'share_with_party_wall')):.0f} % of buildings have one "
            f"(`{GIS_BENCH}`, {_get(pbf, 'date')})")


# ----------------------------------------------------------------------------- ingest_ifc.json
def ifc_summary(data: dict) -> str:
    """docs/ingest_ifc.md's benchmark figures: read_ifc against the bare iterator, wall and CPU, where measured."""
    ours, bare = _get(data, "cases", "read_ifc"), _get(data, "cases", "iterator")
    w_ours, w_bare = float(_get(ours, "median_wall_s")), float(_get(bare, "median_wall_s"))
    stages = _get(ours, "last_round_stages_s")
    lo = min(float(_get(ours, "load_before")[0]), float(_get(bare, "load_before")[0]))
    hi = max(float(_get(ours, "load_after")[0]), float(_get(bare, "load_after")[0]))
    return (f"read_ifc median {w_ours:.1f} s, bare iterator {w_bare:.1f} s, ratio {w_ours / w_bare:.2f} (wall, medians of "
            f"{_get(ours, 'rounds')} rounds each; load {lo:.1f}-{hi:.1f} on {_get(ours, 'cpus')} cores, measured {_get(ours, 'date')} "
            f"at commit {_get(ours, 'commit')} by `{IFC_BENCH}`). The bare iterator used {float(_get(bare, 'cpu_s_this_process')):.2f} s "
            f"of CPU per round; read_ifc's parent process {float(_get(ours, 'cpu_s_this_process')):.2f} s (the child's CPU is not "
            f"counted); in read_ifc's last round the child process took {float(_get(stages, 'child_process')):.1f} s wall and the "
            f"parent's analysis {float(_get(stages, 'analysis')):.2f} s.")


BLOCKS: Blocks = {
    "ingest_gis.table": ("ingest_gis.json", gis_table, GIS_BENCH),
    "ingest_gis.readme": ("ingest_gis.json", gis_readme, GIS_BENCH),
    "ingest_gis.brussels_walls": ("ingest_gis.json", gis_brussels_walls, GIS_BENCH),
    "ingest_ifc.summary": ("ingest_ifc.json", ifc_summary, IFC_BENCH),
}
