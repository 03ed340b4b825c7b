"""A small nonlinear forward model of the four calibration parameters, for tests of the
posterior's code paths (plain NumPy; no energy model): its runs, a version that stops after a
given period, synthetic readings with 5 % noise."""

from __future__ import annotations

import numpy as np

from twin.calibration.parameters import load_calibration_priors


def toy_calibration(n_b: int, n_p: int, seed: int):
    """Priors, ``forward(rows, x)``, ``forward_until(rows, x, last)``, the list of the ``last``
    values asked for, and readings ``y`` (n_b, n_p) of buildings drawn from the priors.

    ``forward_until`` returns ``forward``'s values with NaN after period ``last``.
    """
    priors = load_calibration_priors()[0]
    rng = np.random.default_rng(seed)
    a, b, c = rng.uniform(50, 200, n_p), rng.uniform(10, 60, n_p), rng.uniform(5, 30, n_p)

    def forward(rows, x):
        return x[:, 0:1] * a + np.sqrt(x[:, 1:2]) * b * x[:, 0:1] + np.exp(0.1 * (x[:, 2:3] - 20)) * c + 20.0 * x[:, 3:4]

    asked: list[int] = []

    def forward_until(rows, x, last):
        asked.append(last)
        out = forward(rows, x)
        out[:, last + 1:] = np.nan
        return out

    truth = priors.values_from_z(priors.sample_z(rng, n_b))
    y = forward(np.arange(n_b), truth) * (1 + 0.05 * rng.standard_normal((n_b, n_p)))
    return priors, forward, forward_until, asked, y
