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

from .common import Blocks, figure_at, load_text

GIS_BENCH = "pytest benchmarks/bench_ingest_gis.py -s"
IFC_BENCH = "pytest benchmarks/bench_ingest_ifc.py -s"
GIS_ROWS = (("generated_city", "generated city, GeoParquet -> read_vector + Scene.add + party_walls"),
            ("brussels_pbf", "Brussels region PBF -> buildings, land cover, POIs, network (read_osm) + Scene.add + party walls"))  # fmt: skip
"""The cases of ingest_gis.json, in the table's order, with their labels."""




def _stamp(entry: dict) -> str:
    return f"{figure_at(entry, 'date')}, commit {figure_at(entry, 'commit')}, {load_text(entry)} on {figure_at(entry, 'cpus')} cores"


def _thousands(x: float) -> str:
    """A rate rounded to hundreds, with thousands separators (``58,800``)."""
    return f"{round(float(x), -2):,.0f}"


# ----------------------------------------------------------------------------- ingest_gis.json
def gis_table(data: dict) -> str:
    """docs/ingest_gis.md's benchmark table: one row per case, wall and CPU time, rates, where measured."""
    lines = ["| benchmark | buildings | median wall | buildings/s (wall) | median CPU time | buildings per CPU-second | measured |",
             "|---|---|---|---|---|---|---|"]  # fmt: skip
    for key, label in GIS_ROWS:
        e = figure_at(data, "cases", key)
        lines.append(f"| {label} | {int(figure_at(e, 'buildings')):,} | {figure_at(e, 'median_wall_s'):.2f} s | {_thousands(figure_at(e, 'buildings_per_s'))} "
                     f"| {figure_at(e, 'median_cpu_s'):.2f} s | {_thousands(figure_at(e, 'buildings_per_cpu_s'))} | {_stamp(e)} |")  # fmt: skip
    return "\n" + "\n".join(lines) + "\n"


def gis_readme(data: dict) -> str:
    """One line: the README's footprint-ingest row (CPU time first: the machine is shared)."""
    city, pbf = figure_at(data, "cases", "generated_city"), figure_at(data, "cases", "brussels_pbf")
    return (f"{int(figure_at(city, 'buildings')) // 1000}k generated footprints + party walls at "
            f"{_thousands(figure_at(city, 'buildings_per_cpu_s'))} buildings per CPU-second ({_thousands(figure_at(city, 'buildings_per_s'))}/s wall, "
            f"{load_text(city)}); whole Brussels PBF ({int(figure_at(pbf, 'buildings')) // 1000}k buildings, {int(figure_at(pbf, 'links')) // 1000}k links) "
            f"in {figure_at(pbf, 'median_cpu_s'):.1f} s CPU ({figure_at(pbf, 'median_wall_s'):.1f} s wall, {load_text(pbf)}); measured {figure_at(city, 'date')} "
            f"at commit {figure_at(city, 'commit')} by `{GIS_BENCH}` (`docs/ingest_gis.md`)")  # fmt: skip


def gis_brussels_walls(data: dict) -> str:
    """``43,802 party walls, 80 % of buildings have one`` (the Brussels PBF case's scene)."""
    pbf = figure_at(data, "cases", "brussels_pbf")
    return (f"{int(figure_at(pbf, 'party_walls')):,} party walls, {100 * float(figure_at(pbf, 'share_with_party_wall')):.0f} % of buildings have one "
            f"(`{GIS_BENCH}`, {figure_at(pbf, 'date')})")


# ----------------------------------------------------------------------------- ingest_ifc.json
def ifc_summary(data: dict) -> str:
    """docs/ingest_ifc.md's benchmark figures: read_ifc against the bare iterator, wall and CPU, where measured."""
    ours, bare = figure_at(data, "cases", "read_ifc"), figure_at(data, "cases", "iterator")
    w_ours, w_bare = float(figure_at(ours, "median_wall_s")), float(figure_at(bare, "median_wall_s"))
    stages = figure_at(ours, "last_round_stages_s")
    lo = min(float(figure_at(ours, "load_before")[0]), float(figure_at(bare, "load_before")[0]))
    hi = max(float(figure_at(ours, "load_after")[0]), float(figure_at(bare, "load_after")[0]))
    return (f"read_ifc median {w_ours:.1f} s, bare iterator {w_bare:.1f} s, ratio {w_ours / w_bare:.2f} (wall, medians of "
            f"{figure_at(ours, 'rounds')} rounds each; load {lo:.1f}-{hi:.1f} on {figure_at(ours, 'cpus')} cores, measured {figure_at(ours, 'date')} "
            f"at commit {figure_at(ours, 'commit')} by `{IFC_BENCH}`). The bare iterator used {float(figure_at(bare, 'cpu_s_this_process')):.2f} s "
            f"of CPU per round; read_ifc's parent process {float(figure_at(ours, 'cpu_s_this_process')):.2f} s (the child's CPU is not "
            f"counted); in read_ifc's last round the child process took {float(figure_at(stages, 'child_process')):.1f} s wall and the "
            f"parent's analysis {float(figure_at(stages, 'analysis')):.2f} s.")


BLOCKS: Blocks = {
    "ingest_gis.table": ("ingest_gis.json", gis_table, GIS_BENCH),
    "ingest_gis.readme": ("ingest_gis.json", gis_readme, GIS_BENCH),
    "ingest_gis.brussels_walls": ("ingest_gis.json", gis_brussels_walls, GIS_BENCH),
    "ingest_ifc.summary": ("ingest_ifc.json", ifc_summary, IFC_BENCH),
}
