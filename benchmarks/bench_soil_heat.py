"""Benchmark and figures of the surface energy balance (docs/soil_heat.md).

Run from the repository root:

    TWIN_NUMBA_THREADS=1 .venv/bin/python benchmarks/bench_soil_heat.py [--samples 20]

* ``covers``: every cover of twin/data/soil_surface_covers.csv through July of the Uccle TMYx
  year (45-day spin-up): time per cover, mean daily maximum surface temperature, largest hourly
  energy-balance residual, and lawn against asphalt at mid-day (11:00-16:00).
* ``deseal``: the what-if of scenarios/stgilles_soil_year.yaml on the soil engine's 10 m grid,
  the three hottest days, ``--samples`` paired samples: KPIs with 5-95 % bands and wall time.

The machine is shared: the load average is printed next to the wall times.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from machine_load import load_average  # benchmarks/machine_load.py

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data_samples"
EPW = DATA / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"


def bench_covers(weather) -> None:
    from twin.soil.surface_energy import read_surface_covers, run_surface_energy

    jul = int(np.flatnonzero(weather.data.index.month == 7)[0])
    runs = {}
    for name, cover in read_surface_covers().items():
        t0 = time.perf_counter()
        r = run_surface_energy(weather, cover, start_row=jul, n_hours=31 * 24)
        wall = time.perf_counter() - t0
        runs[name] = r
        ts = r.t_surface_mean_c.reshape(31, 24)
        print(f"{name}: {wall:.2f} s, July mean daily max surface {ts.max(axis=1).mean():.1f} degC (max {ts.max():.1f}), "
              f"air {r.t_air_c.reshape(31, 24).max(axis=1).mean():.1f} degC, latent mean {r.latent_w_m2.mean():.1f} W/m2, "
              f"largest |Rn-H-LE-G| {np.abs(r.closure_w_m2).max():.1e} W/m2, Newton failures {r.newton_failures}; mean daily max at "
              + ", ".join(f"{d * 100:g} cm {r.t_depth_c[:, i].reshape(31, 24).max(axis=1).mean():.1f}" for i, d in enumerate(r.depths_m))
              + " degC")
    hours = runs["lawn"].index.hour
    mid = (hours >= 11) & (hours <= 16)
    diff = (runs["asphalt"].t_surface_mean_c - runs["lawn"].t_surface_mean_c)[mid].reshape(31, -1).max(axis=1)
    print(f"asphalt - lawn, daily max at mid-day: mean {diff.mean():.1f} K, range {diff.min():.1f}-{diff.max():.1f} K "
          "(Armson et al. 2012: up to 24 K); load " + load_average())


def bench_deseal(weather, samples: int) -> None:
    from twin.ingest import ingest
    from twin.scenario.modifications import apply
    from twin.scenario.schema import Deseal, Selector
    from twin.soil.deseal_heat import deseal_heat_scenes
    from twin.soil.grid import GridOptions

    scene, _ = ingest([DATA / f"stgilles_{k}_osm2013.geojson" for k in ("buildings", "streets", "landcover")])
    what = scene.copy()
    rng = np.random.default_rng(0)
    apply(what, Deseal(op="deseal", select=Selector(where={"name": "Place Louis Morichar - Louis Moricharplein"}), sealed_fraction=0.0,
                       cover_class="wood"), index=0, rng=rng, base_dir=None)
    apply(what, Deseal(op="deseal", select=Selector(where={"cover_class": "parking"}), sealed_fraction=0.1, cover_class="park"),
          index=1, rng=rng, base_dir=None)
    t0 = time.perf_counter()
    res = deseal_heat_scenes(scene, {"deseal": what}, weather, GridOptions(cell_size_m=10.0), samples=samples, seed=2026)
    wall = time.perf_counter() - t0
    print(f"de-sealing what-if, 10 m grid, {samples} samples: {wall:.1f} s, load {load_average()}")
    for key, value in res.kpis["deseal"].items():
        lo, hi = res.bands["deseal"][key]
        print(f"  {key}: {value:+.3f} (band {lo:+.3f} to {hi:+.3f})")
    for note in res.notes:
        print("  " + note)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("part", choices=["covers", "deseal", "all"], nargs="?", default="all")
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    from twin.ingest.epw import read_epw

    weather = read_epw(EPW)
    if args.part in ("covers", "all"):
        bench_covers(weather)
    if args.part in ("deseal", "all"):
        bench_deseal(weather, args.samples)


if __name__ == "__main__":
    main()
