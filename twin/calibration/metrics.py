"""Goodness of fit: ASHRAE Guideline 14 NMBE and CV(RMSE), and interval coverage.

ASHRAE Guideline 14-2014 (Measurement of Energy, Demand, and Water Savings), with ``y`` the
measured and ``yhat`` the predicted values of ``n`` periods, ``ybar`` the mean measured value
and ``p`` the number of parameters fitted to these very periods:

* ``NMBE = sum(y - yhat) / ((n - p) * ybar) * 100`` (%);
* ``CV(RMSE) = sqrt(sum((y - yhat)^2) / (n - p)) / ybar * 100`` (%).

A simulation model counts as calibrated to monthly data with ``|NMBE| <= 5 %`` and
``CV(RMSE) <= 15 %`` (hourly: 10 % and 30 %). Out-of-sample predictions (periods the fit did not
see) use ``p = 0``: no parameter was fitted to them.
"""

from __future__ import annotations

import numpy as np

#: Guideline 14 limits: resolution -> (|NMBE| max, CV(RMSE) max), %.
G14_LIMITS = {"monthly": (5.0, 15.0), "hourly": (10.0, 30.0)}


def _periods(y, yhat, axis: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``y`` and ``yhat`` as float arrays, the periods where both are finite, their number ``n``
    and the mean measured value ``ybar`` over them (along ``axis``; 0 where ``n`` is 0)."""
    y, yhat = np.asarray(y, float), np.asarray(yhat, float)
    ok = np.isfinite(y) & np.isfinite(yhat)
    n = ok.sum(axis=axis)
    ybar = np.where(ok, y, 0.0).sum(axis=axis) / np.maximum(n, 1)
    return y, yhat, ok, n, ybar


def nmbe(y: np.ndarray, yhat: np.ndarray, p: int = 0, axis: int = -1) -> np.ndarray:
    """Normalised mean bias error, % (measured minus predicted; NaN periods left out)."""
    y, yhat, ok, n, ybar = _periods(y, yhat, axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, y - yhat, 0.0).sum(axis=axis) / ((n - p) * ybar) * 100.0


def cv_rmse(y: np.ndarray, yhat: np.ndarray, p: int = 0, axis: int = -1) -> np.ndarray:
    """Coefficient of variation of the root-mean-square error, % (NaN periods left out)."""
    y, yhat, ok, n, ybar = _periods(y, yhat, axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt(np.where(ok, (y - yhat) ** 2, 0.0).sum(axis=axis) / (n - p)) / ybar * 100.0


def passes_g14(y, yhat, *, resolution: str = "monthly", p: int = 0, axis: int = -1) -> np.ndarray:
    """Whether each series meets Guideline 14's NMBE and CV(RMSE) limits at ``resolution``."""
    lim_b, lim_cv = G14_LIMITS[resolution]
    return (np.abs(nmbe(y, yhat, p, axis)) <= lim_b) & (cv_rmse(y, yhat, p, axis) <= lim_cv)


def coverage(truth: np.ndarray, low: np.ndarray, high: np.ndarray) -> float:
    """Share of ``truth`` values inside ``[low, high]`` (all arrays broadcast)."""
    t, lo, hi = np.broadcast_arrays(np.asarray(truth, float), np.asarray(low, float), np.asarray(high, float))
    return float(np.mean((t >= lo) & (t <= hi)))


__all__ = ["G14_LIMITS", "coverage", "cv_rmse", "nmbe", "passes_g14"]
