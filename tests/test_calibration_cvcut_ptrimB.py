"""The cross-validation's cheaper fits change no figure it reads (session ptrimB).

* ``calibrate_posterior(predict_last=...)``: the importance sampling's runs stop after the last
  period whose predictions are wanted; every output is the same bit for bit as the fit that runs
  every period, except the predictions of the later periods, which are NaN (not a stale value).
* ``ForwardModel.with_switchover``: a candidate switch-over sharing one model's stock and
  prepared drivers gives the same readings, bit for bit, as a model built for it.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.calibration_toy import toy_calibration
from twin.calibration.posterior import Noise, calibrate_posterior


def _toy(n_b: int, n_p: int = 14):
    """The toy model of :mod:`tests.calibration_toy` (seed 11)."""
    return toy_calibration(n_b, n_p, seed=11)


@pytest.mark.parametrize("n_b", [1, 7])
def test_importance_sampling_stopped_after_the_wanted_periods_changes_no_other_output(n_b):
    priors, fwd, fwd_until, asked, y = _toy(n_b)
    n_p = y.shape[1]
    mask = np.zeros_like(y, bool)
    mask[:, 1:6] = True
    mask[0, 3] = False
    kw = dict(n_proposal=64, n_draws=20, seed=5, forward_until=fwd_until)
    full = calibrate_posterior(fwd, y, mask, priors, Noise(0.05, 0.0, 0.0), **kw)
    asked.clear()
    cut = calibrate_posterior(fwd, y, mask, priors, Noise(0.05, 0.0, 0.0), predict_last=8, **kw)
    assert set(asked) == {5, 8}  # the mode search up to the mask's last period, the sampling up to period 8
    for name in ("z_map", "cov", "draws_z", "draws", "ess", "iterations", "converged", "log_post_map", "param_q"):
        assert np.array_equal(getattr(full, name), getattr(cut, name)), name
    for name in ("pred_mean", "pred_p5", "pred_p95"):
        f, c = getattr(full, name), getattr(cut, name)
        assert np.isfinite(f).all() and np.array_equal(f[:, :9], c[:, :9]), name
        assert np.isnan(c[:, 9:]).all(), name
    # a cut before the mask's last period is raised to it (the likelihood needs those periods)
    asked.clear()
    early = calibrate_posterior(fwd, y, mask, priors, Noise(0.05, 0.0, 0.0), predict_last=2, **kw)
    assert set(asked) == {5} and np.array_equal(early.pred_mean[:, :6], full.pred_mean[:, :6]) and np.isnan(early.pred_mean[:, 6:]).all()
    # the last period (or no forward_until): the plain fit
    last = calibrate_posterior(fwd, y, mask, priors, Noise(0.05, 0.0, 0.0), predict_last=n_p - 1, **kw)
    assert np.array_equal(last.pred_p95, full.pred_p95)


def test_a_switchover_candidate_sharing_the_model_equals_a_model_built_for_it():
    from twin.calibration.forward import ForwardModel
    from twin.calibration.synthetic import calendar_layout, tabula_stock, uccle_drivers
    from twin.energy.model import TABULA_CONVENTIONS

    drivers = uccle_drivers()
    env = tabula_stock(6)
    months = calendar_layout(drivers, "MS")
    rng = np.random.default_rng(3)
    rows = rng.integers(0, len(env), 12)
    x = np.column_stack([rng.uniform(0.3, 1.9, 12), rng.uniform(0.4, 2.5, 12), rng.uniform(16, 23, 12), rng.uniform(0.4, 2.5, 12)])
    first = ForwardModel(env, drivers, months, np.full(len(env), "gas"), conventions=TABULA_CONVENTIONS, hot_water=False, switchover_c=20.0)
    seen = []
    for t_sw in (2.0, 8.5, None):
        own = ForwardModel(env, drivers, months, np.full(len(env), "gas"), conventions=TABULA_CONVENTIONS, hot_water=False, switchover_c=t_sw)
        shared = first.with_switchover(t_sw)
        assert shared.switchover_c == t_sw and shared._stock is first._stock
        got = shared.predict(rows, x)
        assert np.array_equal(got, own.predict(rows, x)) and np.array_equal(shared.predict_until(rows, x, 4), own.predict_until(rows, x, 4),
                                                                             equal_nan=True)
        seen.append(got)
    # the candidates differ (the check can fail), and the first model is untouched
    assert (seen[0] < seen[1]).any() and (seen[1] <= seen[2] + 1e-9).all() and not np.array_equal(seen[0], seen[2])
    assert first.switchover_c == 20.0
    assert np.array_equal(first.predict(rows, x), ForwardModel(env, drivers, months, np.full(len(env), "gas"), conventions=TABULA_CONVENTIONS,
                                                               hot_water=False, switchover_c=20.0).predict(rows, x))
