"""The class shares of the class calibration on the whole grid at once
(:func:`twin.calibration.group.grid_class_shares`, which :func:`~twin.calibration.group.class_shares`
runs for one point) against a plain per-point reference (each row's class label by
:func:`twin.energy.classes.energy_class`, one bincount per point), bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from twin.calibration.group import class_shares, grid_class_shares
from twin.energy.classes import energy_class, load_classes


def _reference_one_point(pe, a_f, in_group, sample, n, classes):
    """The share per sample at one grid point, from the class labels (plain NumPy)."""
    ok = in_group & np.isfinite(pe) & np.isfinite(a_f)
    hit = ok & np.isin(energy_class(pe), list(classes))
    den = np.bincount(sample[ok], weights=a_f[ok], minlength=n)
    num = np.bincount(sample[hit], weights=a_f[hit], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return num / den


def _reference(pe_grid, a_f, good, sample, n, classes):
    return np.stack([_reference_one_point(pe_grid[:, i], a_f, good, sample, n, classes) for i in range(pe_grid.shape[1])])


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
    one = class_shares(pe[:, 7], a_f, good, sample, n, classes)
    assert np.array_equal(one, want[7], equal_nan=True)


def test_grid_class_shares_against_a_hand_count():
    # two samples, three rows: outside value check of the share itself
    pe = np.array([[100.0, 200.0], [400.0, 50.0], [160.0, 160.0]])  # C/D limit of the Brussels table: 150 kWh/(m2 a)
    a_f = np.array([100.0, 300.0, 50.0])
    got = grid_class_shares(pe, a_f, np.ones(3, bool), np.array([0, 0, 1]), 2, ("D", "E", "F", "G"))
    upper = load_classes().set_index("energy_class")["upper_kwh_m2"]
    assert upper["C"] == 150.0
    assert got[0].tolist() == [300.0 / 400.0, 1.0]
    assert got[1].tolist() == [100.0 / 400.0, 1.0]
