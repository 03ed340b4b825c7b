"""Monte Carlo draws of a scenario's uncertain parameters, inside the bounds of the options they set.

Each sampled parameter sets a numeric engine option whose schema has bounds
(``energy.heating_setpoint_c`` 5-30 C, :func:`twin.scenario.schema.option_bounds`). A normal
or lognormal distribution has tails beyond any bound, so it is *truncated* to the bounds:
a draw is the inverse CDF of the truncated distribution at a uniform number,

.. math:: x = F^{-1}\\bigl(F(a) + u\\,(F(b) - F(a))\\bigr), \\qquad u \\sim U(0, 1),

computed by :data:`scipy.stats.truncnorm` (for the lognormal on the logarithm, with
``a = ln(low)``, ``b = ln(high)``). Where the bounds are far in the tails (the usual case:
20 +/- 1 C within 5-30 C) the draws follow the declared distribution; where they cut it, they
follow the truncated distribution, whose mean moves towards the inside. Uniform and triangular
distributions must lie inside the bounds (checked by the schema) and are drawn as declared.

Limits: a normal or lognormal with more than :data:`MAX_TRUNCATED_SHARE` of its probability
outside the bounds is refused by the schema (the samples would not follow it); above
:data:`WARN_TRUNCATED_SHARE` a :class:`~twin.errors.TwinWarning` says how much is cut
(:mod:`twin.scenario.checks`). Strict bounds (``gt``/``lt``) are kept by moving a draw that
lands on the bound to the next representable number inside.

Reproducibility: one ``numpy.random.default_rng(seed)`` draws ``samples`` uniforms per
parameter, in the declared order.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from twin.scenario.schema import Distribution, Scenario, option_bounds

#: A normal/lognormal with more than this share of its probability outside the option's bounds is refused.
MAX_TRUNCATED_SHARE = 0.5
#: Above this share a warning says the samples follow the truncated distribution.
WARN_TRUNCATED_SHARE = 0.01


def _log_params(d: Distribution) -> tuple[float, float]:
    """(mu, sigma) of the logarithm of a lognormal declared by its own mean and sd."""
    sigma2 = math.log1p((d.sd / d.mean) ** 2)
    return math.log(d.mean) - sigma2 / 2.0, math.sqrt(sigma2)


def _standard_bounds(d: Distribution) -> tuple[float, float, float, float]:
    """(loc, scale, a, b): the normal (of x, or of ln x for a lognormal) and the standardised bounds."""
    lo, _, hi, _ = option_bounds(d.name)
    if d.dist == "normal":
        loc, scale = float(d.mean), float(d.sd)
        a = (lo - loc) / scale if math.isfinite(lo) else -math.inf
        b = (hi - loc) / scale if math.isfinite(hi) else math.inf
        return loc, scale, a, b
    loc, scale = _log_params(d)
    a = (math.log(lo) - loc) / scale if lo > 0 and math.isfinite(lo) else -math.inf
    b = (math.log(hi) - loc) / scale if math.isfinite(hi) and hi > 0 else (math.inf if hi > 0 else -math.inf)
    return loc, scale, a, b


def truncated_share(d: Distribution) -> float:
    """Share of the declared distribution's probability outside the option's bounds (0 for
    uniform and triangular, which the schema keeps inside)."""
    if d.dist not in ("normal", "lognormal"):
        return 0.0
    from scipy.stats import norm

    _, _, a, b = _standard_bounds(d)
    inside = float(norm.cdf(b) - norm.cdf(a))
    return min(1.0, max(0.0, 1.0 - inside))


def truncated_mean(d: Distribution) -> float:
    """Mean of the distribution the samples follow (the declared one truncated to the bounds)."""
    if d.dist == "uniform":
        return 0.5 * (d.low + d.high)
    if d.dist == "triangular":
        return (d.low + d.mode + d.high) / 3.0
    from scipy.stats import truncnorm

    loc, scale, a, b = _standard_bounds(d)
    if d.dist == "normal":
        return float(truncnorm.mean(a, b, loc=loc, scale=scale))
    # E[exp(Y)] for Y ~ N(loc, scale) truncated to [a, b] (standardised)
    from scipy.stats import norm

    s = scale
    num = norm.cdf(b - s) - norm.cdf(a - s)
    den = norm.cdf(b) - norm.cdf(a)
    return float(math.exp(loc + s * s / 2.0) * num / den)


def draw(d: Distribution, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws of ``d`` truncated to the bounds of the option it sets (see the module docstring)."""
    lo, lo_strict, hi, hi_strict = option_bounds(d.name)
    if d.dist == "uniform":
        x = rng.uniform(d.low, d.high, n)
    elif d.dist == "triangular":
        x = rng.triangular(d.low, d.mode, d.high, n)
    else:
        from scipy.stats import truncnorm

        loc, scale, a, b = _standard_bounds(d)
        u = rng.random(n)
        u = np.where(u > 0.0, u, np.nextafter(0.0, 1.0))  # rng.random may return exactly 0
        y = truncnorm.ppf(u, a, b, loc=loc, scale=scale)
        x = np.exp(y) if d.dist == "lognormal" else y
    low = np.nextafter(lo, math.inf) if lo_strict else lo
    high = np.nextafter(hi, -math.inf) if hi_strict else hi
    return np.clip(np.asarray(x, dtype=float), low, high)


def draw_samples(scenario: Scenario) -> pd.DataFrame:
    """The Monte Carlo parameter samples (one row per sample), reproducible from the seed."""
    unc = scenario.uncertainty
    rng = np.random.default_rng(unc.seed)
    columns = {d.name: draw(d, unc.samples, rng) for d in unc.parameters}
    return pd.DataFrame(columns, index=pd.RangeIndex(unc.samples, name="sample"))
