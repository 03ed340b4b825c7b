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

One warm-up round first so Numba compilation is not counted. The load of the (shared) machine is
printed with each figure.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


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
    filt.assimilate_day(y)  # warm-up (compilation)
    start = filt.hour

    def one_day():
        filt.hour = start
        filt.assimilate_day(y)

    benchmark.pedantic(one_day, rounds=5, iterations=1)
    s = benchmark.stats.stats
    print(f"\nsync, 10,000 buildings x 32 members, one day: median {s.median:.2f} s (min {s.min:.2f} s) = "
          f"{1000 * s.median / 10:.0f} ms per 1,000 buildings per day; load {os.getloadavg()[0]:.1f}")


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
