"""Benchmark: a year of soil water over Saint-Gilles at 2 m (issue 17), with the figures the issue asks for.

Run:  pytest benchmarks/bench_soil_year.py --benchmark-only -s -p no:cacheprovider
      (``-m "not slow"`` keeps only the per-column cost; the two district years are slow)
or:   python benchmarks/bench_soil_year.py [default|heterogeneous|columns]   (prints the same lines, and merges the
      figures into benchmarks/figures/soil_year.json, ``cases[<case>]``, for ``python scripts/update_figures.py``)

* ``default``: the 1 km2 district at 2 m cells (250 000 cells), FAO-56 ET from the Uccle TMYx
  weather file, vegetation from the land-cover tables, the documented default water table (3 m),
  sewers from the street network, a 365-day spin-up, then the year; target < 10 min on the
  2-core machine and < 4 GB peak memory, water balance closed to 1e-9.
* ``heterogeneous``: the same with a water-table map that varies across the district (a synthetic
  slope, 1.5 m on the Senne side to 8 m on the plateau, 20 m squares; there is no public map in the
  repository) and run-on of 30 % of the sealed runoff to neighbouring open ground: most cells
  get their own columns, the worst case of the identical-column shortcut.
* ``columns``: one column-year of each kind (lawn and trees on silt loam over a 3 m table, lawn
  on sand, a green roof), one thread: the cost of one distinct column.

Wall time, CPU time, the peak resident memory of the process during the run (sampled every
0.1 s with psutil, and the process's ru_maxrss) and the 1-minute load average (the machine is
shared) are printed next to each figure.
"""

from __future__ import annotations

import os
import resource
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures_file import merge_case  # noqa: E402 - benchmarks/figures_file.py
from machine_load import measurement_stamp, timed  # noqa: E402 - benchmarks/machine_load.py

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TWIN_SHARED", REPO.parent / "shared")) / "data"
BOUNDS = (148000.0, 168000.0, 149000.0, 169000.0)
FIGURES = REPO / "benchmarks" / "figures" / "soil_year.json"
CASE = ("a year of soil water over Saint-Gilles at 2 m (issue 17): default / heterogeneous = run_district_year, columns = one "
        "column-year of each kind, one thread, best of 3; load_before/after: 1-minute load averages")
EPW = "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"


def _inputs():
    paths = [SHARED / "brussels" / f"stgilles_{k}_osm2013.geojson" for k in ("buildings", "landcover", "streets")]
    epw = SHARED / "weather" / EPW
    if not all(p.exists() for p in paths + [epw]):
        paths = [REPO / "data_samples" / f"stgilles_{k}_osm2013.geojson" for k in ("buildings", "landcover", "streets")]
        epw = REPO / "data_samples" / EPW
    from twin.ingest import ingest
    from twin.ingest.epw import read_epw

    scene, _ = ingest(paths)
    return scene, read_epw(epw)


class PeakRSS:
    """Peak resident memory of this process while the block runs (psutil, every 0.1 s)."""

    def __enter__(self):
        import psutil

        self._proc = psutil.Process()
        self.start = self._proc.memory_info().rss
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def _poll(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._proc.memory_info().rss)
            self._stop.wait(0.1)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._proc.memory_info().rss)


def synthetic_water_table():
    """A sloping water table over the district: 1.5 m deep at the north-west corner (the Senne
    valley) to 8 m at the south-east (the plateau), 20 m squares. Synthetic: no public map."""
    import geopandas as gpd
    import shapely

    x0, y0 = BOUNDS[0], BOUNDS[1]
    boxes, depth = [], []
    for x in np.arange(x0, x0 + 1000.0, 20.0):
        for y in np.arange(y0, y0 + 1000.0, 20.0):
            s = ((x - x0) + (y0 + 1000.0 - y)) / 2000.0
            boxes.append(shapely.box(x, y, x + 20.0, y + 20.0))
            depth.append(1.5 + 6.5 * s)
    return gpd.GeoDataFrame({"water_table_depth_m": depth}, geometry=boxes, crs="EPSG:31370")


def run_year(case: str, scene=None, weather=None) -> dict:
    from twin.soil.grid import GridOptions
    from twin.soil.year import YearOptions, run_district_year

    if scene is None:
        scene, weather = _inputs()
    wt = None
    grid = GridOptions(cell_size_m=2.0, bounds=BOUNDS)
    if case == "heterogeneous":
        wt = synthetic_water_table()
        grid = GridOptions(cell_size_m=2.0, bounds=BOUNDS, runoff_to_neighbours=0.3)
    options = YearOptions(grid=grid)
    load0 = os.getloadavg()[0]
    with PeakRSS() as mem:
        res, wall, cpu = timed(lambda: run_district_year(scene, weather, options, water_table_map=wt))
    out = {
        "case": case, "wall_s": wall, "cpu_s": cpu, "peak_rss_gb": mem.peak / 1e9, "rss_before_gb": mem.start / 1e9,
        "maxrss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, "load_before": load0, "load_after": os.getloadavg()[0],
        "cells": res.grid.shape[0] * res.grid.shape[1], "entries": res.n_columns, "integrated": res.n_integrated,
        "timings": res.timings_s, "kpis": res.kpis(), "balance": res.balance_m3(),
    }
    k = out["kpis"]
    print(f"\nSaint-Gilles 2 m year ({case}): {out['cells']:,} cells, {out['entries']:,} soil columns, {out['integrated']:,} integrated; "
          f"wall {wall:.1f} s (spin-up {res.timings_s['spinup_s']:.1f} s, year {res.timings_s['year_s']:.1f} s, grid and set-up "
          f"{res.timings_s['grid_s'] + res.timings_s['network_s'] + res.timings_s['columns_s']:.1f} s), CPU {cpu:.1f} s; peak RSS "
          f"{out['peak_rss_gb']:.2f} GB (before the run {out['rss_before_gb']:.2f} GB; ru_maxrss {out['maxrss_gb']:.2f} GB); load "
          f"{out['load_before']:.2f} -> {out['load_after']:.2f}; water balance relative error {out['balance']['relative_error']:.1e}")
    print("  KPIs: " + ", ".join(f"{key} {value:.6g}" for key, value in k.items()))
    return out


def column_rows() -> list[dict]:
    """One column-year of each kind (one thread, best of 3 after a compiling run): the figures of each."""
    from twin.ingest.epw import read_epw
    from twin.soil.et import hourly_reference_et
    from twin.soil.groundwater import hydrostatic_heads
    from twin.soil.hydraulics import texture_material
    from twin.soil.rain import from_weather
    from twin.soil.roots import root_density
    from twin.soil.solver import Forcing, ForcingSet, Profile, graded_profile, run_richards
    from twin.soil.vegetation import read_vegetation_table, vegetation_forcing

    weather = read_epw(REPO / "data_samples" / EPW)
    et = hourly_reference_et(weather)
    rain = from_weather(weather)
    doy = (et.index - np.timedelta64(30, "m")).day_of_year.to_numpy()
    table = read_vegetation_table()
    rows = []
    for veg_name, texture, depth in [("lawn", "Silt Loam", 3.0), ("trees", "Silt Loam", 3.0), ("lawn", "Sand", 3.0), ("green_roof", "Loamy Sand", 0.1)]:
        veg = table[veg_name]
        vf = vegetation_forcing(veg, et["et0_mm"].to_numpy(), rain.rain_m_s * 3.6e6, doy)
        mat = texture_material(texture).with_air_entry(-0.02)
        prof = graded_profile([(0.0, depth, 0)], dz_top_m=0.01 if depth > 1 else 0.01, dz_max_m=0.1 if depth > 1 else 0.02)
        prof = Profile(prof.z_m, prof.material, root_density(prof.z_m, veg.rooting_depth_m, shape=veg.root_shape))
        forcing = Forcing(rain.t_edges_s, rain.rain_m_s, sets=[ForcingSet(vf.throughfall_m_s, vf.evaporation_m_s, vf.transpiration_m_s)])
        h0 = hydrostatic_heads(prof.z_m, depth) if depth > 1 else np.full(prof.n_nodes, -1.0)
        kw = dict(bottom="fixed_head" if depth > 1 else "free_drainage", feddes=veg.feddes, threads=1, store_profiles=False)
        run_richards([prof], [mat], [0], h0[None, :], forcing, **kw)  # compile
        best = np.inf
        for _ in range(3):
            t0 = time.perf_counter()
            res = run_richards([prof], [mat], [0], h0[None, :], forcing, **kw)
            best = min(best, time.perf_counter() - t0)
        tot = res.totals[0]
        rows.append({"vegetation": veg_name, "texture": texture, "bottom": "3 m table" if depth > 1 else "free drainage",
                     "nodes": int(prof.n_nodes), "ms_per_column_year": best * 1e3, "steps": int(tot[7]),
                     "iterations_per_step": float(tot[8] / tot[7]), "transpiration_mm": float(res.transpiration_m[0] * 1e3),
                     "potential_transpiration_mm": float(res.potential_transpiration_m[0] * 1e3),
                     "evaporation_mm": float(res.evaporation_m[0] * 1e3), "drainage_mm": float(res.drainage_m[0] * 1e3),
                     "capillary_rise_mm": float(res.capillary_rise_m[0] * 1e3), "load_1min": os.getloadavg()[0]})  # fmt: skip
    return rows


def column_costs(rows: list[dict] | None = None) -> list[str]:
    """:func:`column_rows` as printed lines."""
    return [f"{r['vegetation']} on {r['texture']}, {r['nodes']} nodes, {r['bottom']}: {r['ms_per_column_year']:.1f} ms per "
            f"column-year (one thread, best of 3), {r['steps']:.0f} steps, {r['iterations_per_step']:.2f} iterations per step; "
            f"T {r['transpiration_mm']:.0f} of {r['potential_transpiration_mm']:.0f} mm, E {r['evaporation_mm']:.0f} mm, "
            f"drainage {r['drainage_mm']:.0f} mm, capillary rise {r['capillary_rise_mm']:.1f} mm; load {r['load_1min']:.2f}"
            for r in (column_rows() if rows is None else rows)]


def _figures(extra: dict, load_before: list[float]) -> dict:
    import json

    import numba

    out = {**measurement_stamp(), "load_before": load_before, "load_after": list(os.getloadavg()), "cpus": os.cpu_count(),
           "command": f"python benchmarks/bench_soil_year.py {extra.pop('which')}",
           "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "numba": numba.__version__}, **extra}
    return json.loads(json.dumps(out, default=lambda o: o.item() if hasattr(o, "item") else str(o)))  # NumPy scalars as numbers


@pytest.fixture(scope="module")
def district():
    scene, weather = _inputs()
    from twin.soil.grid import GridOptions
    from twin.soil.year import YearOptions, run_district_year

    run_district_year(scene, weather, YearOptions(grid=GridOptions(cell_size_m=100.0, bounds=BOUNDS), spinup_days=2))  # compile
    return scene, weather


@pytest.mark.slow
def test_saint_gilles_2m_year_default(benchmark, district):
    out = benchmark.pedantic(lambda: run_year("default", *district), rounds=1, iterations=1)
    assert out["balance"]["relative_error"] < 1e-9


@pytest.mark.slow
def test_saint_gilles_2m_year_heterogeneous(benchmark, district):
    out = benchmark.pedantic(lambda: run_year("heterogeneous", *district), rounds=1, iterations=1)
    assert out["balance"]["relative_error"] < 1e-9


def test_column_year_cost(benchmark):
    lines = benchmark.pedantic(column_costs, rounds=1, iterations=1)
    print("\n" + "\n".join(lines))


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "default"
    load0 = list(os.getloadavg())
    if which == "columns":
        column_data = column_rows()
        print("\n".join(column_costs(column_data)))
        merge_case(FIGURES, which, _figures({"which": which, "rows": column_data}, load0), CASE)
    else:
        scene, weather = _inputs()
        from twin.soil.grid import GridOptions
        from twin.soil.year import YearOptions, run_district_year

        run_district_year(scene, weather, YearOptions(grid=GridOptions(cell_size_m=100.0, bounds=BOUNDS), spinup_days=2))
        out = run_year(which, scene, weather)
        merge_case(FIGURES, which, _figures({"which": which, **{k: v for k, v in out.items() if k != "case"}}, load0), CASE)
    print(f"wrote {FIGURES}")
