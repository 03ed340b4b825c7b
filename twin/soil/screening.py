"""Screening methods for infiltration and storm runoff: Green-Ampt and the SCS Curve Number.

Green-Ampt (1911) treats infiltration as a sharp wetting front: above it the soil is saturated
(conductivity ``K``), at it the suction head is ``psi``; ``dtheta`` is the water-content deficit
the front fills. Under ponding the cumulative infiltration ``F`` (m) after time ``t`` solves

    F - psi_dtheta ln(1 + F / psi_dtheta) = K t,   psi_dtheta = (psi + h0) dtheta

(``h0`` the ponded depth, usually neglected) and the rate is ``f = K (1 + psi_dtheta / F)``.
Under rain of intensity ``i`` the soil takes all the rain until the potential rate falls to
``i``, at ``F_p = K psi_dtheta / (i - K)``, and ponds from then on (Mein & Larson 1973); with
variable rain the ponding test is repeated in each interval (Chow, Maidment & Mays 1988,
section 5.4). The excess runs off.

The SCS Curve Number method is :func:`twin.soil.curve_number.runoff_mm` (re-exported here as
:func:`scs_runoff_mm`).

References
----------
Green, W.H. & Ampt, G.A. (1911), J. Agric. Sci. 4:1-24.
Mein, R.G. & Larson, C.L. (1973), Water Resour. Res. 9(2):384-394.
Chow, V.T., Maidment, D.R. & Mays, L.W. (1988), Applied Hydrology, McGraw-Hill, sections 4.3-4.4
and 5.4 (example 4.4.1: ponded silt loam, K = 0.65 cm/h, psi = 16.7 cm, dtheta = 0.340).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from twin.errors import InputError
from twin.soil.curve_number import runoff_mm as scs_runoff_mm

__all__ = ["GreenAmptResult", "green_ampt_ponded", "green_ampt_rain", "scs_runoff_mm"]


def _check(k_m_s: float, psi_m: float, dtheta: float) -> None:
    if not (math.isfinite(k_m_s) and k_m_s > 0):
        raise InputError(f"Green-Ampt conductivity must be positive, got {k_m_s}", field="k_m_s")
    if not (math.isfinite(psi_m) and psi_m >= 0):
        raise InputError(f"wetting-front suction must be >= 0, got {psi_m}", field="psi_m")
    if not (math.isfinite(dtheta) and 0 < dtheta < 1):
        raise InputError(f"water-content deficit must lie in (0, 1), got {dtheta}", field="dtheta")


def _solve_ponded(k: float, sd: float, t: float, f_start: float = 0.0, t_start: float = 0.0) -> float:
    """F at time t of ponded Green-Ampt infiltration that had F = f_start at t_start (Newton)."""
    target = k * (t - t_start) + f_start - (sd * math.log(1.0 + f_start / sd) if sd > 0 else 0.0)
    if sd == 0.0:
        return target
    f = max(f_start, math.sqrt(2.0 * sd * k * max(t - t_start, 0.0)), k * (t - t_start) + f_start, 1e-12)
    for _ in range(100):
        g = f - sd * math.log(1.0 + f / sd) - target
        dg = f / (sd + f)  # d/dF [F - sd ln(1 + F/sd)]
        step = g / dg
        f_new = f - step
        if f_new <= f_start:
            f_new = 0.5 * (f + f_start)
        if abs(f_new - f) <= 1e-14 * max(1.0, f):
            return f_new
        f = f_new
    return f


def green_ampt_ponded(t_s, k_m_s: float, psi_m: float, dtheta: float, *, h0_m: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative infiltration and rate under continuous ponding.

    Parameters
    ----------
    t_s
        Times since ponding began, s (array-like, >= 0).
    k_m_s
        Saturated (Green-Ampt) conductivity, m/s.
    psi_m
        Wetting-front suction head, m (positive).
    dtheta
        Water-content deficit filled by the front (effective porosity x (1 - initial Se)).
    h0_m
        Ponded depth, m (added to the suction).

    Returns
    -------
    F_m, f_m_s : np.ndarray
        Cumulative infiltration (m) and infiltration rate (m/s) at ``t_s``.
    """
    _check(k_m_s, psi_m, dtheta)
    t = np.atleast_1d(np.asarray(t_s, dtype=float))
    if np.any(t < 0) or not np.all(np.isfinite(t)):
        raise InputError("times must be finite and >= 0", field="t_s")
    sd = (psi_m + h0_m) * dtheta
    f_cum = np.array([_solve_ponded(k_m_s, sd, ti) if ti > 0 else 0.0 for ti in t])
    with np.errstate(divide="ignore"):
        rate = np.where(f_cum > 0, k_m_s * (1.0 + sd / np.where(f_cum > 0, f_cum, 1.0)), np.inf)
    return f_cum, rate


@dataclass
class GreenAmptResult:
    """Green-Ampt under rain, per interval of the rain series (depths in m).

    Attributes
    ----------
    t_edges_s : (n + 1,) interval edges.
    rain_m, infiltration_m, runoff_m : (n,) depths per interval.
    cumulative_infiltration_m : (n + 1,) F at the edges.
    ponding_time_s : first time the surface ponds (NaN if never).
    """

    t_edges_s: np.ndarray
    rain_m: np.ndarray
    infiltration_m: np.ndarray
    runoff_m: np.ndarray
    cumulative_infiltration_m: np.ndarray
    ponding_time_s: float


def green_ampt_rain(t_edges_s, rain_m_s, k_m_s: float, psi_m: float, dtheta: float) -> GreenAmptResult:
    """Green-Ampt infiltration and runoff under a piecewise-constant rain series.

    Parameters
    ----------
    t_edges_s
        (n + 1,) interval edges, s, increasing.
    rain_m_s
        (n,) rain intensity on each interval, m/s (>= 0, no gaps).
    k_m_s, psi_m, dtheta
        Green-Ampt parameters (see :func:`green_ampt_ponded`).

    Returns
    -------
    GreenAmptResult
    """
    _check(k_m_s, psi_m, dtheta)
    edges = np.asarray(t_edges_s, dtype=float)
    rain = np.asarray(rain_m_s, dtype=float)
    if edges.ndim != 1 or len(edges) != len(rain) + 1 or np.any(np.diff(edges) <= 0):
        raise InputError("need n + 1 increasing interval edges for n rain intensities", field="t_edges_s")
    bad = ~np.isfinite(rain) | (rain < 0)
    if bad.any():
        raise InputError("rain intensity missing or negative", obj=f"interval {int(np.flatnonzero(bad)[0])}", field="rain_m_s")
    k, sd = k_m_s, psi_m * dtheta
    f_cum = 0.0
    out_f = [0.0]
    infil = np.zeros(len(rain))
    t_pond = math.nan
    runoff = np.zeros(len(rain))
    for j, (i, t0, t1) in enumerate(zip(rain, edges[:-1], edges[1:])):
        dt = t1 - t0
        supplied = i * dt
        if i <= 0.0:
            out_f.append(f_cum)
            continue
        capacity = math.inf if f_cum <= 0 else k * (1.0 + sd / f_cum)
        if capacity <= i:
            # ponded from the start of the interval
            taken = _solve_ponded(k, sd, dt, f_start=f_cum) - f_cum
            if math.isnan(t_pond):
                t_pond = t0
        else:
            f_trial = f_cum + supplied
            cap_trial = math.inf if f_trial <= 0 else k * (1.0 + sd / f_trial)
            if i <= k or cap_trial > i:
                taken = supplied  # all the rain soaks in
            else:
                f_p = k * sd / (i - k)  # ponding within the interval
                dt_p = (f_p - f_cum) / i
                taken = _solve_ponded(k, sd, dt - dt_p, f_start=f_p) - f_cum
                if math.isnan(t_pond):
                    t_pond = t0 + dt_p
        taken = min(taken, supplied)
        infil[j] = taken
        runoff[j] = supplied - taken
        f_cum += taken
        out_f.append(f_cum)
    rain_depth = rain * np.diff(edges)
    return GreenAmptResult(edges, rain_depth, infil, runoff, np.array(out_f), t_pond)
