"""Calibration and live sync: how long a day of sync and a calibration take.

Run: ``pytest benchmarks/bench_calibration.py --benchmark-only -s`` (``-s`` shows the figures).

* ``test_sync_one_day_10k_buildings``: :meth:`twin.calibration.sync.SyncFilter.assimilate_day` for
  10,000 buildings (the 36 TABULA reference buildings in turn) x 32 ensemble members, one day of
  24 hourly readings: the 5R1C kernel advances 320,000 members through 24 hours from their
  state, then the ensemble Kalman update of every building. Target: well under a second per
  1,000 buildings per day.
* ``test_calibrate_1000_buildings_monthly``: the posterior of 1,000 buildings from nine monthly
  readings each (:func:`twin.calibration.synthetic.identifiability`: Laplace + importance
  sampling, about 480 model-years per building).
* ``test_identifiability_1000_buildings``: the acceptance experiment with synthetic truth (1,000
  buildings, noise on monthly bills and on daily smart-meter readings): Guideline 14 pass
  rates and coverage of the 90 % intervals.
* ``test_saint_gilles_epb_classes_and_bands``: the whole Saint-Gilles district calibrated to the
  Region's EPB class distribution (share of dwellings in D or worse before/after, published 85
  %), and the 5-95 % bands of the default scenario's energy KPIs (baseline and the delta of a
  renovation wave, 100 samples) before calibration, after the class calibration and after a
  calibration of every dwelling to synthetic monthly gas readings.

One warm-up round first so Numba compilation is not counted. The load of the (shared) machine is
printed with each figure. ``test_sync_one_day_10k_buildings`` also merges its figures (median and
minimum wall time of the rounds, median CPU time of the process per round, load before and after,
date, commit, cores, versions) into ``benchmarks/figures/calibration_sync.json`` (case ``sync_10k``),
from which ``scripts/update_figures.py`` writes docs/calibration.md's sync benchmark sentence.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/, for figures_file and machine_load
from figures_file import merge_case  # noqa: E402 - benchmarks/figures_file.py
from machine_load import run_stamp  # noqa: E402 - benchmarks/machine_load.py

SYNC_FIGURES = Path(__file__).resolve().parent / "figures" / "calibration_sync.json"
SYNC_CASE = ("live sync (docs/calibration.md): sync_10k = SyncFilter.assimilate_day for 10,000 buildings (the 36 TABULA "
             "reference buildings in turn) x 32 ensemble members, one day of 24 hourly readings; one warm-up, then 5 rounds; "
             "wall median and min, CPU time of this process per round (median); load_before/after: 1, 5, 15-minute load averages")


@pytest.fixture(scope="module")
def sync_case():
    from twin.calibration.forward import ForwardModel
    from twin.calibration.sync import SyncFilter, day_layout
    from twin.calibration.synthetic import tabula_stock, uccle_drivers
    from twin.energy.model import TABULA_CONVENTIONS

    drv = uccle_drivers()
    n = 10_000
    env = tabula_stock(n)
    fm = ForwardModel(env, drv, day_layout(drv), np.full(n, "gas"), conventions=TABULA_CONVENTIONS)
    filt = SyncFilter.from_prior(fm, 24 * 14, n_ensemble=32, seed=1)
    y = np.random.default_rng(0).uniform(1.0, 20.0, (n, 24))
    return filt, y


def test_sync_one_day_10k_buildings(benchmark, sync_case):
    filt, y = sync_case
    stamp = run_stamp(numba_threads=True)
    filt.assimilate_day(y)  # warm-up (compilation)
    start = filt.hour
    cpu_rounds: list[float] = []

    def one_day():
        c0 = time.process_time()
        filt.hour = start
        filt.assimilate_day(y)
        cpu_rounds.append(time.process_time() - c0)

    benchmark.pedantic(one_day, rounds=5, iterations=1)
    s = benchmark.stats.stats
    print(f"\nsync, 10,000 buildings x 32 members, one day: median {s.median:.2f} s (min {s.min:.2f} s) = "
          f"{1000 * s.median / 10:.0f} ms per 1,000 buildings per day; load {os.getloadavg()[0]:.1f}")
    merge_case(SYNC_FIGURES, "sync_10k", {**stamp, "load_after": list(os.getloadavg()), "buildings": 10_000, "members": 32,
                                          "rounds": len(cpu_rounds), "median_wall_s": s.median, "min_wall_s": s.min,
                                          "median_cpu_s": float(np.median(cpu_rounds)), "min_cpu_s": min(cpu_rounds),
                                          "max_cpu_s": max(cpu_rounds),
                                          "command": "pytest benchmarks/bench_calibration.py -s -k test_sync_one_day_10k_buildings"},
               SYNC_CASE)


def test_calibrate_1000_buildings_monthly(benchmark):
    from twin.calibration.synthetic import identifiability, uccle_drivers

    drv = uccle_drivers()
    identifiability(20, drivers=drv)  # warm-up
    res = {}

    def run():
        res["r"] = identifiability(1000, drivers=drv, seed=11)

    benchmark.pedantic(run, rounds=1, iterations=1)
    r = res["r"]
    print(f"\ncalibration of 1,000 buildings (monthly): {r['seconds']:.1f} s of posterior, {r['model_runs'] / 1000:.0f} model-years per building; "
          f"coverage {r['coverage']:.3f}; load {os.getloadavg()[0]:.1f}")


def _g14(r: dict) -> str:
    return (f"coverage {r['coverage']:.3f} ({', '.join(f'{k} {v:.2f}' for k, v in r['coverage_by_parameter'].items())}); Guideline 14 on months "
            f"10-12 against the noisy readings {100 * r['g14_measured']:.1f} % of buildings (noise floor {100 * r['noise_floor']:.1f} %), against "
            f"the noise-free truth {100 * r['g14_truth']:.1f} %; {r['seconds']:.0f} s; load {os.getloadavg()[0]:.1f}")


def test_identifiability_1000_buildings(benchmark):
    """The acceptance experiment of issue 12 (synthetic truth): 1,000 buildings, 5 % noise + rounding to
    1 kWh on the monthly bills, the same at the noise of a class 1.5 gas meter (3 %,
    ``METER_CLASS_RELATIVE``), and 5 % on daily smart-meter readings."""
    from twin.calibration.synthetic import METER_CLASS_RELATIVE, identifiability, uccle_drivers

    drv = uccle_drivers()
    res = {}

    def run():
        res["monthly"] = identifiability(1000, drivers=drv, seed=2026)
        res[f"monthly, meter class noise {100 * METER_CLASS_RELATIVE:.0f} %"] = identifiability(1000, drivers=drv, seed=2026, relative=METER_CLASS_RELATIVE)
        res["daily"] = identifiability(1000, drivers=drv, seed=2026, noise_at="daily")

    benchmark.pedantic(run, rounds=1, iterations=1)
    for k, r in res.items():
        t = slice(9, None)
        err = r["predicted"][:, t].sum(axis=1) / r["true_readings"][:, t].sum(axis=1) - 1.0
        print(f"\nidentifiability, 1,000 buildings, noise on {k} readings: {_g14(r)}; October-December total against the truth: "
              f"error {100 * np.sqrt(np.mean(err**2)):.2f} % rms, mean {100 * err.mean():+.2f} %")


def _stgilles():
    import warnings

    from tests.conftest import DATA_SAMPLES
    from twin.errors import TwinWarning
    from twin.ingest import ingest

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        scene, _ = ingest([DATA_SAMPLES / n for n in ("stgilles_buildings_osm2013.geojson", "stgilles_streets_osm2013.geojson",
                                                     "stgilles_landcover_osm2013.geojson", "stgilles_pois_osm2013.geojson",
                                                     "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw")])
    return scene


def test_saint_gilles_epb_classes_and_bands(benchmark):
    """Saint-Gilles (3,991 buildings, the default scenario's priors, 100 samples, seed 2026, setpoint
    20 C, a renovation wave on 30 % of the dwellings as the what-if): the share of dwellings in class
    D or worse calibrated to the Region's 85 % (40 stock samples), and the 5-95 % bands of the
    baseline and of the delta before calibration, after the EPB class calibration (each new
    sample's shift given the sample) and after a calibration of every dwelling to synthetic
    monthly gas readings (truth from the calibration priors, the documented noise)."""
    import numpy as np
    import yaml

    from tests.conftest import REPO
    from tests.stgilles_samples import synthetic_gas_meters
    from tests.test_calibration_bands import bands
    from twin.calibration.calibrate import calibrate_buildings
    from twin.calibration.forward import ForwardModel
    from twin.calibration.group import calibrate_classes
    from twin.calibration.meters import read_meters
    from twin.calibration.synthetic import calendar_layout
    from twin.calibration.writeback import building_table, group_table, write_back
    from twin.energy.priors import load_priors
    from twin.energy.stock import prepare_stock

    samples, seed = 100, 2026
    scene = _stgilles()
    cfg = yaml.safe_load((REPO / "scenarios" / "stgilles_default.yaml").read_text())
    priors = load_priors(cfg["uncertainty"]["priors"])
    b = scene.buildings
    res = b.loc[b["use"] == "residential", "building_id"].astype(str).to_numpy()
    rng = np.random.default_rng(seed)
    wave = {"wall_insulation,roof_insulation": set(rng.choice(res, int(0.3 * len(res)), replace=False))}
    out = {}

    def run():
        import time

        t0 = time.perf_counter()
        out["before"], _ = bands(scene, priors, wave, samples, seed)
        out["t_before"] = time.perf_counter() - t0
        prep = prepare_stock(scene)
        cc = calibrate_classes(scene, prep, n_samples=40, seed=seed)
        out["cc"] = cc
        t0 = time.perf_counter()
        out["classes"], stock = bands(write_back(scene, group_table(cc.group_ids, "residential", cc.posterior, "classes", cc.conditional)),
                                      priors, wave, samples, seed)
        out["t_classes"] = time.perf_counter() - t0
        # the former class KPI (classes at each sample's own setpoint), for comparison
        out["classes_sampled_setpoint"], _ = bands(write_back(scene, group_table(cc.group_ids, "residential", cc.posterior, "classes", cc.conditional)),
                                                   priors, wave, samples, seed, standard_classes=False)
        out["run_share"] = stock.conditioned_share["residential"]
        out["run_shift"] = stock.conditioned["residential"]
        months = calendar_layout(prep.drivers, "MS")
        env = prep.envelope
        rows = np.flatnonzero(env["building_id"].astype(str).isin(set(res)).to_numpy())
        fm = ForwardModel(env.iloc[rows], prep.drivers, months, np.full(len(rows), "gas"), conventions=prep.conventions, factors=prep.factors,
                          shade=prep.shade_factor[rows])
        meters = synthetic_gas_meters(fm, months, env["building_id"].astype(str).to_numpy()[rows], rng)
        md = read_meters(meters, building_ids=b["building_id"].astype(str))
        cal = calibrate_buildings(scene, md, prepared=prep, seed=seed)
        out["meters"], _ = bands(write_back(scene, building_table(cal)), priors, wave, samples, seed)

    benchmark.pedantic(run, rounds=1, iterations=1)
    cc = out["cc"]
    p, c = cc.posterior, cc.conditional
    pct = lambda t: "[" + ", ".join(f"{100 * x:.1f}" for x in t) + "] %"  # noqa: E731
    print(f"\nEPB classes, dwellings of Saint-Gilles ({len(cc.group_ids)} buildings, {cc.n_samples} stock samples, {cc.seconds:.0f} s): "
          f"published D or worse 85 %; stock priors alone {pct(cc.uncalibrated_share['d_or_worse'])}; calibrated (joint posterior) "
          f"{pct(cc.posterior_share['d_or_worse'])}, (cut: samples at prior weight) {pct(c['cut_share']['d_or_worse'])}; a run's 100 new samples "
          f"{pct(np.percentile(out['run_share'], [5, 50, 95]))}; G: published 30 %, calibrated {pct(cc.posterior_share['g'])}; A or B: published "
          f"< 5 %, calibrated {pct(cc.posterior_share['a_or_b'])}; shift {p.median:.3f} [{p.p5:.3f}, {p.p95:.3f}] of support {p.bounds}, "
          f"run's shifts {np.percentile(out['run_shift'], [0, 50, 100]).round(3)}; stock samples' ESS {c['sample_ess']:.1f} of {c['samples']}")
    print(f"bands: 100 samples baseline + what-if, {out['t_before']:.0f} s before, {out['t_classes']:.0f} s after (conditioning included); "
          f"load {os.getloadavg()[0]:.1f}")
    for k in out["before"]:
        for part in ("baseline", "delta"):
            w = {n: out[n][k][part][2] - out[n][k][part][0] for n in ("before", "classes", "meters")}
            print(f"{k} {part}: priors {np.round(out['before'][k][part], 1)} width {w['before']:.3g}; EPB classes "
                  f"{np.round(out['classes'][k][part], 1)} width {w['classes']:.3g} ({100 * (w['classes'] / w['before'] - 1):+.0f} %); meters "
                  f"{np.round(out['meters'][k][part], 1)} width {w['meters']:.3g} ({100 * (w['meters'] / w['before'] - 1):+.0f} %)")
    for part in ("baseline", "delta"):
        x = out["classes_sampled_setpoint"]["d_or_worse_pct"][part]
        print(f"d_or_worse_pct {part} after the EPB classes, classes counted at the sampled setpoints (former KPI): {np.round(x, 1)} width {x[2] - x[0]:.3g}")
