"""The degree-day change-point baseline: PRISM / ASHRAE three-parameter heating model.

The reference a calibrated physical model must match or beat on measured data (issue 12): the
consumption of a period is a base load plus a slope times the heating degree-days to a base
temperature fitted to the data,

``y_p = b0 * days_p + b1 * HDD_p(tau)``,  ``HDD_p(tau) = sum over the days d of p of max(0, tau - T_d)``

with ``T_d`` the daily mean outdoor temperature: Fels' PRISM (1986) and the three-parameter
heating change-point model ("3PH") of ASHRAE Guideline 14 and its Inverse Modeling Toolkit
(Kissock et al. 2003). ``b0, b1`` by least squares for every ``tau`` of a 0.1 K grid; the
``tau`` of the smallest residual sum of squares is kept (both coefficients forced >= 0: a
negative base load or slope is replaced by the best fit with that term dropped).

References
----------
Fels M.F. (1986) PRISM: an introduction. Energy and Buildings 9.
Kissock J.K., Haberl J.S., Claridge D.E. (2003) Inverse Modeling Toolkit: numerical algorithms.
ASHRAE Transactions 109(2).
ASHRAE Guideline 14-2014, Measurement of Energy, Demand, and Water Savings, Annex D.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class ChangePoint:
    """A fitted three-parameter heating change-point model."""

    base_kwh_day: float
    slope_kwh_kday: float
    tau_c: float
    sse: float

    def predict(self, days: np.ndarray, hdd: np.ndarray) -> np.ndarray:
        return self.base_kwh_day * np.asarray(days, dtype=float) + self.slope_kwh_kday * np.asarray(hdd, dtype=float)


def period_degree_days(daily_t_c: pd.Series, starts: pd.DatetimeIndex, ends: pd.DatetimeIndex, tau: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Days and heating degree-days (to every ``tau``) of each period ``[start, end)``.

    ``daily_t_c``: daily mean temperature indexed by the local calendar day (naive dates).
    Returns ``days`` (n_p,) and ``hdd`` (n_p, n_tau).
    """
    tau = np.atleast_1d(np.asarray(tau, dtype=float))
    day = pd.DatetimeIndex(daily_t_c.index)
    t = daily_t_c.to_numpy(dtype=float)
    s = pd.DatetimeIndex(starts).tz_localize(None) if pd.DatetimeIndex(starts).tz is not None else pd.DatetimeIndex(starts)
    e = pd.DatetimeIndex(ends).tz_localize(None) if pd.DatetimeIndex(ends).tz is not None else pd.DatetimeIndex(ends)
    i0 = np.searchsorted(day.as_unit("ns").asi8, s.as_unit("ns").asi8)
    i1 = np.searchsorted(day.as_unit("ns").asi8, e.as_unit("ns").asi8)
    dd = np.maximum(0.0, tau[None, :] - t[:, None])
    cum = np.vstack([np.zeros((1, len(tau))), np.cumsum(dd, axis=0)])
    return (i1 - i0).astype(float), cum[i1] - cum[i0]


def fit_change_point(days: np.ndarray, hdd_by_tau: np.ndarray, y: np.ndarray, tau_grid: np.ndarray) -> ChangePoint:
    """Least-squares fit of the 3PH model over a grid of base temperatures (module docstring)."""
    days = np.asarray(days, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(y)
    best = None
    for j, tau in enumerate(np.asarray(tau_grid, dtype=float)):
        x = np.column_stack([days, hdd_by_tau[:, j]])[ok]
        coef, *_ = np.linalg.lstsq(x, y[ok], rcond=None)
        if coef[0] < 0 or coef[1] < 0:  # drop the offending term
            cands = []
            for keep in (0, 1):
                c = np.zeros(2)
                col = x[:, keep]
                den = float(col @ col)
                c[keep] = max(0.0, float(col @ y[ok]) / den) if den > 0 else 0.0
                cands.append(c)
            coef = min(cands, key=lambda c: float(np.sum((y[ok] - x @ c) ** 2)))
        sse = float(np.sum((y[ok] - x @ coef) ** 2))
        if best is None or sse < best.sse:
            best = ChangePoint(float(coef[0]), float(coef[1]), float(tau), sse)
    return best


__all__ = ["ChangePoint", "fit_change_point", "period_degree_days"]
