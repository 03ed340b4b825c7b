"""Saint-Gilles, Place Morichar de-sealed: lateral water under the sealed cells around it.

Run from the repository root:

    TWIN_NUMBA_THREADS=1 .venv/bin/python benchmarks/bench_soil_district_block.py [--cell 2] [--sub 1]

The what-if of scenarios/stgilles_soil_year.yaml on Place Louis Morichar (planted as a wood, its
paths de-sealed), the soil grid of the square and a 30 m margin, a 30 mm / 1 h block storm
followed by 23 dry hours (no evaporation), baseline and what-if, each with the 1-D columns and
with the district option of twin/soil/district_block.py (a 3-D block over the square and a 20 m
margin, 1-D columns elsewhere). Prints the wall time, the block's water balance and exchange,
and the rain water gained under the block's sealed cells (lateral redistribution), which the
1-D columns cannot give. The machine is shared: the load average is printed.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from machine_load import load_average  # benchmarks/machine_load.py

DATA = Path(__file__).resolve().parents[1] / "data_samples"
MORICHAR = "Place Louis Morichar - Louis Moricharplein"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cell", type=float, default=2.0, help="grid cell size, m")
    parser.add_argument("--sub", type=int, default=1, help="block columns per grid cell along x and y")
    args = parser.parse_args()
    from twin.ingest import ingest
    from twin.scenario.modifications import apply
    from twin.scenario.schema import Deseal, Selector
    from twin.soil.district_block import run_district_with_block
    from twin.soil.grid import GridOptions, build_grid
    from twin.soil.rain import block_rain

    scene, _ = ingest([DATA / f"stgilles_{k}_osm2013.geojson" for k in ("buildings", "streets", "landcover")])
    lc = scene.landcover
    square = lc[lc["name"] == MORICHAR].geometry.union_all()
    xmin, ymin, xmax, ymax = square.bounds
    what = scene.copy()
    apply(what, Deseal(op="deseal", select=Selector(where={"name": MORICHAR}), sealed_fraction=0.0, cover_class="wood"),
          index=0, rng=np.random.default_rng(0), base_dir=None)
    opts = GridOptions(cell_size_m=args.cell, bounds=(xmin - 30, ymin - 30, xmax + 30, ymax + 30))
    region = (xmin - 20, ymin - 20, xmax + 20, ymax + 20)
    storm = block_rain(30.0, 3600.0, end_s=24 * 3600.0)
    gains = {}
    for name, sc in (("baseline", scene), ("what-if", what)):
        grid = build_grid(sc, opts)
        t0 = time.perf_counter()
        r = run_district_with_block(grid, storm, region, duration_s=24 * 3600.0, sub=args.sub)
        wall = time.perf_counter() - t0
        gains[name] = r.gain_under_sealed_m3
        print(f"{name}: grid {grid.shape[1]} x {grid.shape[0]} cells of {args.cell:g} m, {wall:.1f} s, "
              f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB, load "
              + load_average())
        print("  " + r.notes[0])
        print(f"  block infiltration {r.infiltration_m3.sum():.2f} m3 (1-D on the same cells {r.district_1d('infiltration').sum():.2f} m3), "
              f"sealed-top cells {int(r.sealed_top.sum()):,} of {r.sealed_top.size:,}, rain water under them {r.gain_under_sealed_m3:.3f} m3")
    print(f"change of the rain water under the block's sealed cells (what-if - baseline): {gains['what-if'] - gains['baseline']:+.3f} m3")


if __name__ == "__main__":
    main()
