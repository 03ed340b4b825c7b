"""The posterior machinery against closed forms: prior densities, coordinate maps, coverage on a linear model."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, stats

from twin.calibration.metrics import coverage, cv_rmse, nmbe, passes_g14
from twin.calibration.parameters import load_calibration_priors
from twin.calibration.posterior import LossRidge, Noise, calibrate_posterior, systematic_resample, weighted_quantiles
from twin.errors import SchemaError


@pytest.fixture(scope="module")
def priors():
    return load_calibration_priors()[0]


def test_prior_density_in_z_integrates_to_one_and_matches_scipy(priors):
    for i, p in enumerate(priors.priors):
        # marginal of z_i = joint / product of the others' marginals at the same point: integrate the
        # one-dimensional density of t_i mapped to z_i instead
        a, b = (p.low - p.mu) / p.sd, (p.high - p.mu) / p.sd
        tn = stats.truncnorm(a, b, loc=p.mu, scale=p.sd)

        def dz(zi, p=p, tn=tn):
            u = 1 / (1 + np.exp(-zi))
            t = p.low + (p.high - p.low) * u
            return tn.pdf(t) * (p.high - p.low) * u * (1 - u)

        total, _ = integrate.quad(dz, -40, 40, limit=200)
        assert abs(total - 1.0) < 1e-6
        # the library's joint log density = sum of these one-dimensional terms
        z = priors.sample_z(np.random.default_rng(i), 5)
        expect = sum(np.log(dz(z[:, j], p=priors.priors[j], tn=stats.truncnorm((priors.priors[j].low - priors.priors[j].mu) / priors.priors[j].sd,
                                                                                  (priors.priors[j].high - priors.priors[j].mu) / priors.priors[j].sd,
                                                                                  loc=priors.priors[j].mu, scale=priors.priors[j].sd)))
                     for j in range(priors.k))
        np.testing.assert_allclose(priors.logpdf_z(z), expect, rtol=1e-9)


def test_prior_draws_follow_the_truncated_normals(priors):
    t = priors.sample_t(np.random.default_rng(1), 20000)
    for i, p in enumerate(priors.priors):
        a, b = (p.low - p.mu) / p.sd, (p.high - p.mu) / p.sd
        assert stats.kstest(t[:, i], stats.truncnorm(a, b, loc=p.mu, scale=p.sd).cdf).pvalue > 0.01
        assert t[:, i].min() >= p.low and t[:, i].max() <= p.high


def test_prior_gradient_and_curvature_equal_finite_differences(priors):
    z = priors.sample_z(np.random.default_rng(2), 6)
    g, h = priors.grad_hess_z(z)
    eps = 1e-5
    for i in range(priors.k):
        e = np.zeros(priors.k)
        e[i] = eps
        lp, lm, l0 = priors.logpdf_z(z + e), priors.logpdf_z(z - e), priors.logpdf_z(z)
        np.testing.assert_allclose(g[:, i], (lp - lm) / (2 * eps), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(h[:, i], (lp - 2 * l0 + lm) / eps**2, rtol=1e-3, atol=1e-3)


def test_loss_ridge_maps_back_and_its_jacobian(priors):
    rng = np.random.default_rng(3)
    n = 7
    a, b, c = rng.uniform(100, 500, n), rng.uniform(20, 200, n), rng.uniform(5, 50, n)
    sp = LossRidge(priors, 0, 1, a, b, c)
    z = priors.sample_z(rng, n)
    rows = np.arange(n)
    u = sp.to_u(z, rows)
    np.testing.assert_allclose(sp.to_z(u, rows), z, atol=1e-9)
    eps = 1e-6
    jac = np.empty((n, 4, 4))
    for j in range(4):
        d = np.zeros(4)
        d[j] = eps
        jac[:, :, j] = (sp.to_u(z + d, rows) - sp.to_u(z - d, rows)) / (2 * eps)
    np.testing.assert_allclose(sp.logdet_du_dz(z, rows), np.log(np.abs(np.linalg.det(jac))), atol=1e-5)
    # a point outside the support maps to NaN
    u_bad = u.copy()
    u_bad[:, 0] = np.log(c) - 1.0  # H below the untouched part c
    assert np.isnan(sp.to_z(u_bad, rows)).all()


def test_coverage_is_nominal_on_a_linear_model(priors):
    """Truth from the prior, readings from a linear model with the likelihood's own noise: the
    90 % posterior intervals must hold the truth about 90 % of the time."""
    rng = np.random.default_rng(11)
    n, n_p = 400, 12
    A, B, C, D = rng.uniform(50, 200, n_p), rng.uniform(10, 60, n_p), rng.uniform(5, 30, n_p), np.full(n_p, 20.0)

    def fwd(rows, x):
        return x[:, 0:1] * A + x[:, 1:2] * B + (x[:, 2:3] - 10) * C + x[:, 3:4] * D

    truth = priors.values_from_z(priors.sample_z(rng, n))
    m = fwd(np.arange(n), truth)
    y = m * (1 + 0.05 * rng.standard_normal(m.shape))
    post = calibrate_posterior(fwd, y, np.ones_like(y, bool), priors, Noise(0.05, 0.0, 0.0), seed=3)
    cov = coverage(truth, post.param_q[0], post.param_q[2])
    assert 0.86 <= cov <= 0.94
    assert np.all((post.draws >= np.array([p.value_bounds[0] for p in priors.priors])) & (post.draws <= np.array([p.value_bounds[1] for p in priors.priors])))
    assert np.median(post.ess) > 80


def test_weighted_quantiles_and_resampling():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 2000, 2))
    w = np.ones((3, 2000))
    q = weighted_quantiles(x, w, (5.0, 50.0, 95.0))
    np.testing.assert_allclose(q, np.percentile(x, [5, 50, 95], axis=1), atol=0.02)
    w2 = np.array([[0.0, 1.0, 3.0, 0.0]])
    idx = systematic_resample(rng, w2, 400)
    counts = np.bincount(idx[0], minlength=4)
    assert counts[0] == 0 and counts[3] == 0 and counts[2] == 300 and counts[1] == 100


def test_guideline_14_metrics_by_hand():
    y = np.array([100.0, 200.0, 300.0])
    yhat = np.array([110.0, 190.0, 330.0])
    assert nmbe(y, yhat) == pytest.approx((-10 + 10 - 30) / (3 * 200) * 100)
    assert cv_rmse(y, yhat) == pytest.approx(np.sqrt((100 + 100 + 900) / 3) / 200 * 100)
    assert nmbe(y, yhat, p=1) == pytest.approx((-30) / (2 * 200) * 100)
    assert passes_g14(y, yhat) and not passes_g14(y, yhat * 1.1)


def test_bad_prior_tables_name_the_key(tmp_path):
    with pytest.raises(SchemaError, match="parameters.h_tr_factor.median"):
        load_calibration_priors({"parameters": {"h_tr_factor": {"median": 5.0}}})
    with pytest.raises(SchemaError, match="unknown parameter 'u_value'"):
        load_calibration_priors({"parameters": {"u_value": {}}})
    p = tmp_path / "p.yaml"
    p.write_text("parameters:\n  heating_setpoint_c: {sd: -1}\n")
    with pytest.raises(SchemaError, match="heating_setpoint_c.sd"):
        load_calibration_priors(p)
