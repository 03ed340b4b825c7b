"""Identifiability with synthetic truth: buildings drawn from the priors, documented meter noise, calibrate on
months 1-9, predict 10-12 (twin.calibration.synthetic; figures in docs/calibration.md)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from twin.calibration.synthetic import identifiability


def _summary(r: dict) -> str:
    keys = ("n", "noise_at", "coverage", "coverage_by_parameter", "g14_measured", "g14_truth", "noise_floor", "converged", "seconds", "model_runs")
    return json.dumps({k: r[k] for k in keys} | {"ess_median": float(np.median(r["ess"]))})


def test_identifiability_small():
    """150 buildings (a fast check of the same experiment)."""
    r = identifiability(150, seed=7)
    print(_summary(r))
    assert 0.80 <= r["coverage"] <= 0.97
    assert r["g14_truth"] >= 0.9
    # against the noisy readings no calibration can beat the noise floor; it must come close to it
    assert r["g14_measured"] >= r["noise_floor"] - 0.12


@pytest.mark.slow
def test_identifiability_1000_buildings_monthly_bills():
    """The acceptance experiment: 1,000 buildings, 5 % noise on every monthly reading, rounded to 1 kWh."""
    r = identifiability(1000, seed=2026)
    print(_summary(r))
    assert 0.85 <= r["coverage"] <= 0.95
    assert r["g14_truth"] >= 0.90
    assert r["g14_measured"] >= r["noise_floor"] - 0.10


@pytest.mark.slow
def test_identifiability_1000_buildings_daily_smart_meters():
    """The same with the noise on daily smart-meter readings (fitted on the days of months 1-9)."""
    r = identifiability(1000, seed=2026, noise_at="daily")
    print(_summary(r))
    assert 0.80 <= r["coverage"] <= 0.95
    assert r["g14_measured"] >= 0.90 and r["g14_truth"] >= 0.90
