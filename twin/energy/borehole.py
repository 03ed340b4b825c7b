"""Temperature of the brine in a vertical borehole heat exchanger under an hourly heat extraction.

Method (one borehole, conduction only, no groundwater flow, no neighbouring boreholes):

* **Ground around the borehole**: the infinite line source (Carslaw & Jaeger 1959, *Conduction of
  heat in solids*, 2nd ed., section 10.4; Ingersoll, Zobel & Ingersoll 1954, *Heat conduction*).
  A constant extraction ``q'`` (W per metre of borehole) starting at ``t = 0`` lowers the ground
  temperature at radius ``r`` by ``q' / (4 pi lambda) E1(r^2 / (4 alpha t))``, K, where ``E1`` is
  the exponential integral, ``lambda`` the ground's conductivity and ``alpha`` its diffusivity.
  The hourly extraction, the same year after year from undisturbed ground, is superposed as
  piecewise-constant hourly steps (:func:`wall_temperature_drop_k`); the result is the borehole
  wall temperature drop, ``r = r_b``, at the end of each hour of the year ``years``.
* **Inside the borehole**: the steady-state borehole thermal resistance ``R_b`` (m K/W, Hellström
  1991, *Ground heat storage*, Lund University) between the wall and the mean fluid temperature:
  ``T_fluid = T_wall - q'_run R_b`` with ``q'_run`` the extraction while the heat pump runs
  (:func:`mean_fluid_temperature_c`).

Over 25 years the infinite line source stays within a few per cent of the finite line source of
a 100 m borehole (Eskilson 1987: the finite length matters after ``H^2 / (9 alpha)``, 35 years for
100 m at 1e-6 m2/s); it has no steady state, which is why the year of operation is an input.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.signal import fftconvolve
from scipy.special import exp1

from twin.errors import SchemaError

SECONDS_PER_HOUR = 3600.0


def _check_ground(radius_m: float, conductivity_w_m_k: float, diffusivity_m2_s: float) -> None:
    for field, v in (("borehole_radius_m", radius_m), ("ground_conductivity_w_m_k", conductivity_w_m_k),
                     ("ground_diffusivity_m2_s", diffusivity_m2_s)):
        if not (np.isfinite(v) and v > 0):
            raise SchemaError(f"{field} = {v} must be a finite number > 0", obj="borehole", field=field)


def line_source_response_k(t_s, radius_m: float, conductivity_w_m_k: float, diffusivity_m2_s: float) -> np.ndarray:
    """Temperature drop per unit extraction of the infinite line source, K per (W/m).

    ``E1(r^2 / (4 alpha t)) / (4 pi lambda)``; 0 for ``t <= 0``.

    Parameters
    ----------
    t_s
        Time since the extraction started, s (array).
    radius_m
        Distance from the line, m (the borehole radius for the wall temperature).
    conductivity_w_m_k, diffusivity_m2_s
        Ground thermal conductivity, W/(m K), and diffusivity, m2/s.

    Raises
    ------
    SchemaError
        A radius, conductivity or diffusivity not finite and > 0.
    """
    _check_ground(radius_m, conductivity_w_m_k, diffusivity_m2_s)
    t = np.asarray(t_s, dtype=float)
    out = np.zeros(t.shape)
    pos = t > 0
    out[pos] = exp1(radius_m**2 / (4.0 * diffusivity_m2_s * t[pos])) / (4.0 * np.pi * conductivity_w_m_k)
    return out


def wall_temperature_drop_k(extraction_w_m, *, years: int, radius_m: float, conductivity_w_m_k: float,
                            diffusivity_m2_s: float) -> np.ndarray:
    """Borehole wall temperature drop at the end of each hour of year ``years``, K.

    The hourly extraction ``q'_j`` (constant within hour ``j``) is repeated every year from
    undisturbed ground; the drop at the end of hour ``H`` (counted from the start) is
    ``sum_j q'_j [G((H + 1 - j) dt) - G((H - j) dt)]`` over all earlier hours of all years, ``G`` =
    :func:`line_source_response_k`, ``dt`` = 1 h. The years are folded into one kernel and the sum
    is one convolution.

    Parameters
    ----------
    extraction_w_m
        Hourly heat extracted per metre of borehole, W/m (n_h,), the same every year (>= 0 for
        heat extraction; negative values are injection).
    years
        Year of operation returned (1 = the first year), >= 1.
    radius_m, conductivity_w_m_k, diffusivity_m2_s
        Borehole radius, m; ground conductivity, W/(m K); ground diffusivity, m2/s.

    Returns
    -------
    numpy.ndarray
        (n_h,) drop of the wall temperature below the undisturbed ground, K.

    Raises
    ------
    SchemaError
        ``years`` not an integer >= 1, non-finite extraction, or a ground parameter out of range.
    """
    q = np.asarray(extraction_w_m, dtype=float)
    if q.ndim != 1 or q.size == 0 or not np.isfinite(q).all():
        raise SchemaError("extraction must be a non-empty 1-D array of finite W/m", obj="borehole", field="extraction_w_m")
    if not (float(years) == int(years) and int(years) >= 1):
        raise SchemaError(f"borehole_years = {years} must be an integer >= 1", obj="borehole", field="borehole_years")
    _check_ground(radius_m, conductivity_w_m_k, diffusivity_m2_s)
    n = q.size
    kernel = _folded_kernel(n, int(years), float(radius_m), float(conductivity_w_m_k), float(diffusivity_m2_s))
    return fftconvolve(q, kernel)[n - 1: 2 * n - 1]


@lru_cache(maxsize=8)
def _folded_kernel(n: int, years: int, radius_m: float, conductivity_w_m_k: float, diffusivity_m2_s: float) -> np.ndarray:
    """Response at lags -(n-1) .. n-1 hours to one hour of unit extraction repeated each year, K/(W/m)."""
    g = line_source_response_k(np.arange(years * n + 1) * SECONDS_PER_HOUR, radius_m, conductivity_w_m_k, diffusivity_m2_s)
    pulse = np.diff(g)  # response to one hour of unit extraction, at the end of each later hour
    padded = np.concatenate([np.zeros(n), pulse]).reshape(years + 1, n)  # row r, column c: lag (r - 1) n + c
    kernel = np.concatenate([padded[:years].sum(axis=0)[1:], padded[1:].sum(axis=0)])
    kernel.flags.writeable = False
    return kernel


def mean_fluid_temperature_c(t_ground_c, extraction_w_m, extraction_running_w_m, *, years: int, radius_m: float,
                             conductivity_w_m_k: float, diffusivity_m2_s: float, resistance_m_k_w: float) -> np.ndarray:
    """Mean brine temperature in the borehole while the heat pump runs, degC.

    ``T_ground - wall_temperature_drop_k(extraction) - extraction_running x R_b``.

    Parameters
    ----------
    t_ground_c
        Undisturbed ground temperature over the borehole, degC (n_h,).
    extraction_w_m
        Hourly mean extraction, W/m (n_h,): drives the ground around the borehole.
    extraction_running_w_m
        Extraction while the heat pump runs, W/m (n_h,): drives the resistance ``R_b`` (an on/off
        unit extracts at its capacity whatever the hour's mean).
    years, radius_m, conductivity_w_m_k, diffusivity_m2_s
        See :func:`wall_temperature_drop_k`.
    resistance_m_k_w
        Borehole thermal resistance, m K/W (>= 0).

    Raises
    ------
    SchemaError
        ``resistance_m_k_w`` negative or not finite, or the errors of :func:`wall_temperature_drop_k`.
    """
    if not (np.isfinite(resistance_m_k_w) and resistance_m_k_w >= 0):
        raise SchemaError(f"borehole_resistance_m_k_w = {resistance_m_k_w} must be a finite number >= 0",
                          obj="borehole", field="borehole_resistance_m_k_w")
    drop = wall_temperature_drop_k(extraction_w_m, years=years, radius_m=radius_m, conductivity_w_m_k=conductivity_w_m_k,
                                   diffusivity_m2_s=diffusivity_m2_s)
    return np.asarray(t_ground_c, dtype=float) - drop - np.asarray(extraction_running_w_m, dtype=float) * resistance_m_k_w


__all__ = ["line_source_response_k", "mean_fluid_temperature_c", "wall_temperature_drop_k"]
