"""The day's line of ``twin sync update``: the measured total against the band of the same buildings.

It compared the readings of the metered buildings with the band of every building of the state
(one metered building of 3,991: "measured 19,200 kWh, forecast band [962,628, 2,391,972]"), and
summed per-building percentiles, which are no percentiles of the sum.
"""

from __future__ import annotations

import numpy as np
import pytest

from twin.calibration.forward import ForwardModel
from twin.calibration.sync import SyncFilter, day_layout
from twin.calibration.synthetic import tabula_stock, uccle_drivers
from twin.energy.model import TABULA_CONVENTIONS

N_B = 12
START = 24 * 14  # 15 January


@pytest.fixture(scope="module")
def model():
    drv = uccle_drivers()
    return ForwardModel(tabula_stock(N_B), drv, day_layout(drv), np.full(N_B, "gas"), conventions=TABULA_CONVENTIONS)


def _forecast_members(filt: SyncFilter) -> np.ndarray:
    """(n_b, n_e) day totals the filter forecasts before its update (its own prediction step)."""
    pred, _ = filt._run(filt.hour, 24, filt.theta_m)
    return pred.reshape(filt.z.shape[0], filt.z.shape[1], 24).sum(axis=2)


def test_the_band_is_that_of_the_metered_buildings_total(model):
    filt = SyncFilter.from_prior(model, START, n_ensemble=16, seed=3)
    members = _forecast_members(SyncFilter.from_prior(model, START, n_ensemble=16, seed=3))
    y = np.full((N_B, 24), np.nan)
    metered = [2, 7]
    y[metered] = members[metered].mean(axis=1)[:, None] / 24  # a plausible day for the two metered buildings
    y[5, :20] = 1.0  # a building with part of the day: not in the total
    rep = filt.assimilate_day(y)
    assert rep.metered == 2
    assert rep.measured_total_kwh == pytest.approx(y[metered].sum())
    want = np.percentile(members[metered].sum(axis=0), [5, 50, 95])
    np.testing.assert_allclose(rep.forecast_total_kwh, want, rtol=1e-12)
    assert rep.forecast_total_kwh[2] < members.sum(axis=0).min()  # not the band of all twelve


def test_a_day_without_a_whole_building_has_no_total(model):
    filt = SyncFilter.from_prior(model, START, n_ensemble=8, seed=4)
    y = np.full((N_B, 24), np.nan)
    y[0, :12] = 1.0
    rep = filt.assimilate_day(y)
    assert rep.metered == 0 and rep.measured_total_kwh == 0.0
    assert np.isnan(rep.forecast_total_kwh).all()
