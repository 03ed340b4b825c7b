"""Live sync: the ensemble Kalman filter fed 30 days of hourly readings one day at a time tracks a synthetic truth."""

from __future__ import annotations

import numpy as np
import pytest

from twin.calibration.forward import ForwardModel
from twin.calibration.parameters import PARAMETERS, load_calibration_priors
from twin.calibration.sync import SyncFilter, day_layout, load_state, save_state
from twin.calibration.synthetic import noisy, tabula_stock, uccle_drivers
from twin.energy.model import TABULA_CONVENTIONS
from twin.errors import InputError

N_B = 20
START = 24 * 14  # 15 January


@pytest.fixture(scope="module")
def setup():
    drv = uccle_drivers()
    env = tabula_stock(N_B)
    fm = ForwardModel(env, drv, day_layout(drv), np.full(N_B, "gas"), conventions=TABULA_CONVENTIONS)
    priors = load_calibration_priors()[0]
    rng = np.random.default_rng(5)
    z_true = priors.sample_z(rng, N_B)
    truth = SyncFilter(fm, z_true[:, None, :], START, priors=priors, drift_z=0.0, inflation=1.0)  # one member = the truth
    return fm, priors, z_true, truth, rng


def test_thirty_days_one_at_a_time_track_the_truth(setup):
    fm, priors, z_true, truth, rng = setup
    filt = SyncFilter.from_prior(fm, START, n_ensemble=32, seed=2)
    theta_true = truth.theta_m.copy()
    day_cov, theta_cov, widths = [], [], []
    for d in range(30):
        y_true, th = truth._run(START + 24 * d, 24, theta_true)
        theta_true = th.reshape(N_B, 1)
        y = noisy(y_true, rng, 0.05, 1.0)  # the documented meter noise, hourly readings
        rep = filt.assimilate_day(y)
        daily = y_true.sum(axis=1)
        day_cov.append((daily >= rep.forecast_p5) & (daily <= rep.forecast_p95))
        band = filt.parameter_band()
        theta_cov.append((theta_true[:, 0] >= band["theta_m_c"][0]) & (theta_true[:, 0] <= band["theta_m_c"][2]))
        widths.append(np.median((rep.forecast_p95 - rep.forecast_p5) / rep.forecast_p50))
    day_cov, theta_cov = np.array(day_cov), np.array(theta_cov)
    print(f"forecast band holds the true day {day_cov[5:].mean():.3f}, mass temperature band holds the truth {theta_cov[5:].mean():.3f}, "
          f"relative band width day 1 {widths[0]:.3f} -> day 30 {widths[-1]:.3f}")
    assert day_cov[5:].mean() >= 0.85
    assert theta_cov[5:].mean() >= 0.80
    assert widths[-1] < 0.3 * widths[0]
    x_true = priors.values_from_z(z_true)
    band = filt.parameter_band()
    for i, p in enumerate(PARAMETERS):
        inside = (x_true[:, i] >= band[p][0]) & (x_true[:, i] <= band[p][2])
        assert inside.mean() >= 0.75, p
    # the forecast of the next three days (model band and meter noise) holds the truth
    fc = filt.forecast(3)
    y3, _ = truth._run(START + 24 * 30, 72, theta_true)
    true3 = y3.reshape(N_B, 3, 24).sum(axis=2).ravel()
    inside = (true3 >= fc["p5_kwh"].to_numpy()) & (true3 <= fc["p95_kwh"].to_numpy())
    assert inside.mean() >= 0.8


def test_state_round_trip_and_bad_readings(setup, tmp_path):
    fm, priors, z_true, truth, rng = setup
    filt = SyncFilter.from_prior(fm, START, n_ensemble=8, seed=3)
    y, _ = truth._run(START, 24, truth.theta_m)
    filt.assimilate_day(y)
    path = save_state(filt, tmp_path / "s.npz")

    def make(env, shade, carriers, drivers):
        return ForwardModel(env, drivers, day_layout(drivers), carriers, conventions=TABULA_CONVENTIONS, shade=shade)

    back = load_state(path, fm.drivers, make)
    assert back.hour == filt.hour and back.days == 1
    np.testing.assert_array_equal(back.z, filt.z)
    np.testing.assert_array_equal(back.theta_m, filt.theta_m)
    with pytest.raises(InputError, match="shape"):
        filt.assimilate_day(np.zeros((N_B, 23)))
    with pytest.raises(InputError, match="negative"):
        filt.assimilate_day(-np.ones((N_B, 24)))
    # a day with missing hours still runs (the blocks with a gap are left out)
    y[:, 3] = np.nan
    rep = filt.assimilate_day(y)
    assert (rep.windows_used == 5).all() and np.isnan(rep.measured_kwh).all()
    (tmp_path / "junk.npz").write_bytes(b"nope")
    with pytest.raises(InputError, match="not a sync state"):
        load_state(tmp_path / "junk.npz", fm.drivers, make)
