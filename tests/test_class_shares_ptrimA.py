"""The class shares of the class-calibration conditioning on the whole grid at once
(:func:`twin.energy.sampled.grid_class_shares`) against the per-point reference
:func:`twin.calibration.group.class_shares`, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from twin.calibration.group import class_shares
from twin.energy.classes import load_classes
from twin.energy.sampled import grid_class_shares


def _reference(pe_grid, a_f, good, sample, n, classes):
    return np.stack([class_shares(pe_grid[:, i], a_f, good, sample, n, classes) for i in range(pe_grid.shape[1])])


@pytest.mark.parametrize("classes", [("D", "E", "F", "G"), ("A++", "A+", "A"), ("C",)])
def test_grid_class_shares_equal_the_per_point_shares(classes):
    rng = np.random.default_rng(7)
    rows, points, n = 900, 41, 13
    pe = rng.uniform(-20.0, 600.0, size=(rows, points))
    upper = load_classes()["upper_kwh_m2"].to_numpy(dtype=float)
    finite = upper[np.isfinite(upper)]
    pe[:60, :] = rng.choice(finite, size=(60, points))  # exactly on class limits (side of searchsorted)
    pe[100:110, 3] = np.nan
    pe[120:125, 5] = np.inf
    a_f = rng.uniform(20.0, 900.0, size=rows)
    a_f[200:203] = np.nan
    good = rng.uniform(size=rows) > 0.1
    sample = np.sort(rng.integers(0, n, size=rows))
    sample[sample == 4] = 5  # a sample without rows: 0 / 0
    got = grid_class_shares(pe, a_f, good, sample, n, classes)
    want = _reference(pe, a_f, good, sample, n, classes)
    assert got.shape == (points, n)
    assert np.array_equal(got, want, equal_nan=True)
    assert np.isnan(got[:, 4]).all()
    assert np.isfinite(got[:, 0]).all()


def test_grid_class_shares_against_a_hand_count():
    # two samples, three rows: outside value check of the share itself
    pe = np.array([[100.0, 200.0], [400.0, 50.0], [160.0, 160.0]])  # C/D limit of the Brussels table: 150 kWh/(m2 a)
    a_f = np.array([100.0, 300.0, 50.0])
    got = grid_class_shares(pe, a_f, np.ones(3, bool), np.array([0, 0, 1]), 2, ("D", "E", "F", "G"))
    upper = load_classes().set_index("energy_class")["upper_kwh_m2"]
    assert upper["C"] == 150.0
    assert got[0].tolist() == [300.0 / 400.0, 1.0]
    assert got[1].tolist() == [100.0 / 400.0, 1.0]
