"""Benchmark and figures of the surface energy balance (docs/soil_heat.md).

Run from the repository root:

    TWIN_NUMBA_THREADS=1 .venv/bin/python benchmarks/bench_soil_heat.py [covers|deseal|all] [--samples 20]

* ``covers``: every cover of twin/data/soil_surface_covers.csv through July of the Uccle TMYx
  year (45-day spin-up): time per cover (after a first day of every cover, which compiles the kernels or
  loads them from the cache, timed apart), mean daily maximum surface temperature, largest hourly
  energy-balance residual, and lawn against asphalt at mid-day (11:00-16:00).
* ``area``: the ground-level area whose cover the default scenario's ``desealing-car-parks`` changes
  (``changed_area_m2_per_cell`` summed) on the soil engine's grid at 10, 5 and 2 m cells (2 x 2
  sample points, the default) and at 5 m with 6 x 6: the rasterisation's spread.
* ``periodic``: the kernel against the closed-form steady periodic solution of a half-space under
  air at ``T_m + A sin(w t)`` with a linear surface exchange (Carslaw & Jaeger 1959, 2.6; the case
  of tests/test_soil_surface_energy.py): largest error at 0, 5, 10, 20 cm over the last two of ten
  days, as a share of the surface amplitude.
* ``deseal``: the what-if of scenarios/stgilles_soil_year.yaml on the soil engine's 10 m grid,
  the three hottest days, ``--samples`` paired samples: KPIs with 5-95 % bands and wall time (the
  central run alone first, grids included; the time per sample is the difference over the samples).

The machine is shared: the load average is printed next to the wall times. Each part merges what it
measured into ``benchmarks/figures/soil_heat.json`` (``cases[part]``, with the date, the commit, the
load averages before and after and the versions of Python, NumPy and Numba); docs/soil_heat.md's
blocks ``soil_heat.*`` are rendered from it by ``python scripts/update_figures.py``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures_file import merge_case  # noqa: E402 - benchmarks/figures_file.py
from machine_load import load_average, run_stamp  # noqa: E402 - benchmarks/machine_load.py

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data_samples"
EPW = DATA / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"
FIGURES = REPO / "benchmarks" / "figures" / "soil_heat.json"
CASE = ("surface energy balance (docs/soil_heat.md): covers = every cover through July of the Uccle TMYx year, "
        "deseal = the what-if of scenarios/stgilles_soil_year.yaml on the 10 m grid, three hottest days; "
        "periodic = the kernel against the closed form of a periodic surface exchange; area = the changed ground of the default scenario's desealing-car-parks per soil grid; "
        "load_before/after: 1, 5, 15-minute load averages")


def _stamp() -> dict[str, Any]:
    """Date, commit, load before, cores and versions of a measurement."""
    return run_stamp(numba_threads=True)


def bench_covers(weather) -> dict[str, Any]:
    """Every cover through July; prints and returns the figures (``covers`` of the figures file)."""
    from twin.soil.surface_energy import read_surface_covers, run_surface_energy

    stamp = _stamp()
    jul = int(np.flatnonzero(weather.data.index.month == 7)[0])
    covers = read_surface_covers()
    t0 = time.perf_counter()
    for cover in covers.values():  # compile (or load from the cache) the kernels of every cover outside the times
        run_surface_energy(weather, cover, start_row=jul, n_hours=24)
    first_call = time.perf_counter() - t0
    runs = {}
    per_cover: dict[str, dict[str, Any]] = {}
    for name, cover in covers.items():
        t0 = time.perf_counter()
        r = run_surface_energy(weather, cover, start_row=jul, n_hours=31 * 24)
        wall = time.perf_counter() - t0
        runs[name] = r
        per_cover[name] = {
            "wall_s": wall, "t_surface_daily_max_mean_c": float(r.t_surface_mean_c.reshape(31, 24).max(axis=1).mean()),
            "t_air_daily_max_mean_c": float(r.t_air_c.reshape(31, 24).max(axis=1).mean()),
            "t_depth_daily_max_mean_c": {f"{d * 100:g}": float(r.t_depth_c[:, i].reshape(31, 24).max(axis=1).mean()) for i, d in enumerate(r.depths_m)},
            "latent_mean_w_m2": float(r.latent_w_m2.mean()), "closure_max_abs_w_m2": float(np.abs(r.closure_w_m2).max()),
            "newton_failures": int(r.newton_failures)}  # fmt: skip
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
    return {**stamp, "load_after": list(os.getloadavg()), "command": "python benchmarks/bench_soil_heat.py covers",
            "weather": EPW.name, "month": "July", "n_hours": 31 * 24, "first_call_s": first_call, "covers": per_cover,
            "asphalt_minus_lawn_midday_daily_max_k": {"mean": float(diff.mean()), "min": float(diff.min()), "max": float(diff.max())}}


def bench_deseal(weather, samples: int) -> dict[str, Any]:
    """The de-sealing what-if on the 10 m grid; prints and returns the figures (``deseal`` of the figures file)."""
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
    stamp = _stamp()
    t0 = time.perf_counter()
    deseal_heat_scenes(scene, {"deseal": what}, weather, GridOptions(cell_size_m=10.0), samples=0, seed=2026)
    central = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = deseal_heat_scenes(scene, {"deseal": what}, weather, GridOptions(cell_size_m=10.0), samples=samples, seed=2026)
    wall = time.perf_counter() - t0
    per_sample = (wall - central) / samples if samples else float("nan")
    print(f"de-sealing what-if, 10 m grid: central only {central:.1f} s; with {samples} samples {wall:.1f} s "
          f"({per_sample:.2f} s per sample), load {load_average()}")
    for key, value in res.kpis["deseal"].items():
        lo, hi = res.bands["deseal"][key]
        print(f"  {key}: {value:+.3f} (band {lo:+.3f} to {hi:+.3f})")
    for note in res.notes:
        print("  " + note)
    return {**stamp, "load_after": list(os.getloadavg()), "command": f"python benchmarks/bench_soil_heat.py deseal --samples {samples}",
            "scenario": "scenarios/stgilles_soil_year.yaml", "cell_size_m": 10.0, "samples": samples, "seed": 2026, "wall_s": wall,
            "central_wall_s": central, "per_sample_s": per_sample,
            "days": [d[:10] for d in res.days], "cover_midday_c": dict(sorted(res.cover_midday_c.items())),
            "kpis": {k: float(v) for k, v in res.kpis["deseal"].items()},
            "bands": {k: [float(lo), float(hi)] for k, (lo, hi) in res.bands["deseal"].items()}}  # fmt: skip


PERIODIC_DEPTHS_M = (0.0, 0.05, 0.10, 0.20)
"""Depths of the ``periodic`` part."""


def bench_periodic() -> dict[str, Any]:
    """The surface-exchange conduction case of tests/test_soil_surface_energy.py against its closed form; prints and
    returns the largest error per depth, as a share of the surface amplitude ``|B|``."""
    import math

    from twin.kernels import surface_energy as K

    stamp = _stamp()
    lam, cap, period, dz, step = 1.2, 2.4e6, 86400.0, 0.005, 60.0
    w = 2 * math.pi / period
    d = math.sqrt(2 * lam / cap / w)
    z = np.arange(0.0, 1.5 + 1e-9, dz)
    n_h = int(10 * period / step)
    t_mid = (np.arange(n_h) + 0.5) * step
    amp, tm, rc, ra = 8.0, 15.0, 1200.0, 60.0
    forcing = np.zeros((n_h, K.N_FORCE))
    forcing[:, K.F_TAIR] = tm + amp * np.sin(w * t_mid)  # the sine at mid-minute: its staircase's fundamental is amp sinc(w 30 s)
    forcing[:, K.F_RA] = ra
    forcing[:, K.F_RHO_CP] = rc
    amp_eff = amp * math.sin(w * step / 2) / (w * step / 2)
    col = K.SurfaceColumn(z, np.full((n_h, len(z)), lam), np.full((n_h, len(z)), cap), 0.0, 0.0, tm)
    out, prof = np.zeros((n_h, K.N_OUT)), np.zeros((n_h, len(z)))
    t0 = time.perf_counter()
    fails = K.surface_energy_column(col, forcing, step, 1, 1e-10, 50, np.full(len(z), tm), out, prof, np.zeros((K.N_WORK, len(z))))
    wall = time.perf_counter() - t0
    h = rc / ra
    b = h * amp_eff / (h + lam * (1 + 1j) / d)
    last = slice(n_h - int(2 * period / step), n_h)
    t_end = (np.arange(n_h) + 1.0) * step
    errors = {}
    for depth in PERIODIC_DEPTHS_M:
        exact = tm + np.imag(b * np.exp(-(1 + 1j) * depth / d) * np.exp(1j * w * t_end[last]))
        errors[f"{depth * 100:g}"] = float(np.abs(prof[last, int(round(depth / dz))] - exact).max() / abs(b))
    print("periodic exchange vs Carslaw & Jaeger: largest error " + ", ".join(f"{k} cm {v:.2%}" for k, v in errors.items())
          + f" of the surface amplitude {abs(b):.2f} K; {fails} Newton failures; {wall:.1f} s")
    return {**stamp, "load_after": list(os.getloadavg()), "command": "python benchmarks/bench_soil_heat.py periodic", "cell_m": dz,
            "step_s": step, "days": 10, "surface_amplitude_k": abs(b), "newton_failures": int(fails), "error_share_of_amplitude": errors,
            "wall_s": wall}  # fmt: skip


AREA_GRIDS = ((10.0, 2), (5.0, 2), (2.0, 2), (5.0, 6))
"""(cell size, m; sample points per cell side) of the ``area`` part."""


def bench_area(whatif: str = "desealing-car-parks") -> dict[str, Any]:
    """The changed ground-level area of the default scenario's ``whatif`` per grid; prints and returns the figures."""
    from twin.scenario.engines.soil import grid_options
    from twin.scenario.runner import prepare_scenes
    from twin.scenario.schema import load_scenario
    from twin.soil.deseal_heat import changed_area_m2_per_cell, cover_fractions
    from twin.soil.grid import build_grid

    stamp = _stamp()
    path = REPO / "scenarios" / "stgilles_default.yaml"
    scenario = load_scenario(path)
    prep = prepare_scenes(scenario, base_dir=path.parent)
    base, what = prep.baseline, prep.scenes[whatif]
    grids = []
    for size, sub in AREA_GRIDS:
        opts = grid_options(base, scenario.soil.model_copy(update={"cell_size_m": size})).model_copy(update={"subsamples": sub})
        t0 = time.perf_counter()
        gb, gw = build_grid(base, opts), build_grid(what, opts)
        area = float(changed_area_m2_per_cell(cover_fractions(gb), cover_fractions(gw), gb.cell_area_m2).sum())
        wall = time.perf_counter() - t0
        grids.append({"cell_size_m": size, "subsamples": sub, "changed_area_m2": area, "wall_s": wall})
        print(f"{whatif}: {size:g} m cells, {sub} x {sub} sample points: changed area {area:,.0f} m2 ({wall:.1f} s)")
    return {**stamp, "load_after": list(os.getloadavg()), "command": "python benchmarks/bench_soil_heat.py area",
            "scenario": "scenarios/stgilles_default.yaml", "whatif": whatif, "grids": grids}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("part", choices=["covers", "periodic", "deseal", "area", "all"], nargs="?", default="all")
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--output", type=Path, default=FIGURES, help="figures file (default benchmarks/figures/soil_heat.json)")
    args = parser.parse_args()
    from twin.ingest.epw import read_epw

    weather = read_epw(EPW)
    if args.part in ("covers", "all"):
        merge_case(args.output, "covers", bench_covers(weather), CASE)
    if args.part in ("periodic", "all"):
        merge_case(args.output, "periodic", bench_periodic(), CASE)
    if args.part in ("deseal", "all"):
        merge_case(args.output, "deseal", bench_deseal(weather, args.samples), CASE)
    if args.part in ("area", "all"):
        merge_case(args.output, "area", bench_area(), CASE)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
