"""Monte Carlo draws stay inside the bounds of the options they set (truncated distributions).

* A wide normal on ``energy.heating_setpoint_c`` (5-30 C) used to give samples of 54 and 102 C:
  every draw is now inside, and the draws follow the truncated normal (Kolmogorov-Smirnov
  against scipy's ``truncnorm``, mean against its closed form).
* Bounds far in the tails change nothing in distribution (moments and KS against the
  untruncated normal / lognormal).
* Strict bounds (``gt``) are never reached; the schema refuses distributions that do not fit
  the bounds; a cut of more than 1 % is a warning.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from twin.errors import ScenarioError, TwinWarning
from twin.scenario.checks import check_scenario
from twin.scenario.sampling import draw, draw_samples, truncated_mean, truncated_share
from twin.scenario.schema import Distribution, option_bounds, parse_scenario


def doc(parameter: dict, n: int = 4000, seed: int = 3) -> dict:
    return {"name": "draws", "inputs": {"files": ["x.geojson"]}, "uncertainty": {"samples": n, "seed": seed, "parameters": [parameter]}}


def samples(parameter: dict, n: int = 4000, seed: int = 3) -> np.ndarray:
    return draw_samples(parse_scenario(doc(parameter, n, seed)))[parameter["name"]].to_numpy()


def test_a_wide_setpoint_distribution_stays_within_5_to_30_c():
    p = {"name": "energy.heating_setpoint_c", "dist": "normal", "mean": 20.0, "sd": 12.0}
    with pytest.warns(TwinWarning, match="outside its bounds"):
        check_scenario(parse_scenario(doc(p, 100)))
    s = samples(p, 10_000)
    assert s.min() >= 5.0 and s.max() <= 30.0
    # the untruncated normal would put 20 % of its draws above 30 C and 11 % below 5 C
    a, b = (5.0 - 20.0) / 12.0, (30.0 - 20.0) / 12.0
    assert stats.kstest(s, stats.truncnorm(a, b, loc=20.0, scale=12.0).cdf).pvalue > 1e-3
    d = Distribution.model_validate(p)
    assert truncated_mean(d) == pytest.approx(stats.truncnorm.mean(a, b, loc=20.0, scale=12.0), rel=1e-12)
    assert abs(s.mean() - truncated_mean(d)) < 4 * s.std() / np.sqrt(len(s))
    assert truncated_share(d) == pytest.approx(1 - (stats.norm.cdf(b) - stats.norm.cdf(a)), rel=1e-12)


def test_far_bounds_leave_the_normal_unchanged_in_distribution():
    p = {"name": "energy.heating_setpoint_c", "dist": "normal", "mean": 20.0, "sd": 1.0}
    s = samples(p, 4000)
    assert stats.kstest(s, "norm", args=(20.0, 1.0)).pvalue > 1e-3
    assert abs(s.mean() - 20.0) < 4 / np.sqrt(len(s))
    assert s.std(ddof=1) == pytest.approx(1.0, rel=0.08)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TwinWarning)  # no truncation warning
        check_scenario(parse_scenario(doc(p, 100)))


def test_lognormal_truncated_to_the_bounds_of_the_option():
    # traffic.gap in (0, 0.1]: a lognormal of mean 0.04, sd 0.06 has about 8 % above 0.1
    p = {"name": "traffic.gap", "dist": "lognormal", "mean": 0.04, "sd": 0.06}
    d = Distribution.model_validate(p)
    s = samples(p, 10_000)
    assert s.min() > 0.0 and s.max() <= 0.1
    sigma2 = np.log(1 + (0.06 / 0.04) ** 2)
    mu, sigma = np.log(0.04) - sigma2 / 2, np.sqrt(sigma2)
    b = (np.log(0.1) - mu) / sigma
    assert truncated_share(d) == pytest.approx(1 - stats.norm.cdf(b), rel=1e-9)
    assert stats.kstest(np.log(s), stats.truncnorm(-np.inf, b, loc=mu, scale=sigma).cdf).pvalue > 1e-3
    assert abs(s.mean() - truncated_mean(d)) < 4 * s.std() / np.sqrt(len(s))


def test_strict_bounds_are_never_reached():
    # traffic.gap in (0, 0.1]: a normal at 0.002 with sd 0.005 puts a third below 0
    p = {"name": "traffic.gap", "dist": "normal", "mean": 0.002, "sd": 0.005}
    s = samples(p, 10_000)
    assert (s > 0.0).all() and (s <= 0.1).all()
    assert option_bounds("traffic.gap") == (0.0, True, 0.1, False)


@settings(max_examples=40, deadline=None)
@given(mean=st.floats(5.0, 30.0), sd=st.floats(0.05, 8.0), seed=st.integers(0, 2**32))
def test_normal_draws_always_inside_the_bounds(mean, sd, seed):
    try:
        d = Distribution.model_validate({"name": "energy.heating_setpoint_c", "dist": "normal", "mean": mean, "sd": sd})
    except Exception:  # more than half outside the bounds: refused by the schema
        return
    x = draw(d, 500, np.random.default_rng(seed))
    assert np.isfinite(x).all() and x.min() >= 5.0 and x.max() <= 30.0


@pytest.mark.parametrize(
    "parameter, message",
    [
        ({"dist": "normal", "mean": 40.0, "sd": 1.0}, "mean 40 is outside the bounds [5, 30]"),
        ({"dist": "uniform", "low": 0.0, "high": 25.0}, "low 0 is outside the bounds [5, 30]"),
        ({"dist": "triangular", "low": 10.0, "mode": 20.0, "high": 31.0}, "high 31 is outside"),
        ({"dist": "normal", "mean": 29.0, "sd": 20.0}, "lies outside the bounds"),
        ({"dist": "lognormal", "mean": 0.0, "sd": 1.0}, "mean > 0"),
        ({"dist": "normal", "mean": 20.0, "sd": 1.0, "low": 3.0}, "not low"),
    ],
    ids=["normal-mean-out", "uniform-low-out", "triangular-high-out", "mostly-outside", "lognormal-mean-0", "extra-key"],
)
def test_distributions_that_do_not_fit_the_option_are_refused(parameter, message):
    with pytest.raises(ScenarioError, match=re.escape(message)) as info:
        parse_scenario(doc({"name": "energy.heating_setpoint_c", **parameter}))
    assert info.value.field == "uncertainty.parameters.0"


def test_draws_are_reproducible():
    p = {"name": "energy.heating_setpoint_c", "dist": "normal", "mean": 20.0, "sd": 6.0}
    np.testing.assert_array_equal(samples(p, 100, 7), samples(p, 100, 7))
    assert not np.array_equal(samples(p, 100, 7), samples(p, 100, 8))
