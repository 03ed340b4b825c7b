"""Synthetic building stocks and weather for the energy kernel tests and benchmarks.

The weather is made of sinusoids plus noise (no file needed); buildings are drawn from ranges
of typical dwellings (floor area 40-2000 m2, U x A and ventilation of poorly to well insulated
buildings, ISO 13790 mass classes), with windows and opaque facades on the four orientations
and a roof, so every solar group is exercised.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin.energy.inputs import STANDARD_GROUPS, Drivers, StockInputs


def synthetic_drivers(n_h: int = 8760, *, seed: int = 0, setback: bool = True, n_profiles: int = 2) -> Drivers:
    """Hourly drivers of a temperate climate (mean 10 degC, +-8 K seasonal, +-4 K daily)."""
    rng = np.random.default_rng(seed)
    h = np.arange(n_h)
    day = 2 * np.pi * h / 24.0
    year = 2 * np.pi * h / 8760.0
    t_out = 10.0 - 8.0 * np.cos(year) - 4.0 * np.cos(day) + rng.normal(0.0, 1.5, n_h)
    sun = np.clip(-np.cos(day), 0.0, None) * (0.6 - 0.4 * np.cos(year))
    n_g = len(STANDARD_GROUPS)
    irr = np.empty((n_g, n_h))
    for g, name in enumerate(STANDARD_GROUPS):
        if name == "sky_lw":
            irr[g] = 60.0 + 20.0 * rng.random(n_h)
        else:
            scale = {"n": 150.0, "e": 350.0, "s": 500.0, "w": 350.0, "h": 700.0, "f": 700.0}[name[-1]]
            irr[g] = scale * sun * rng.uniform(0.3, 1.0, n_h)
    hour = h % 24
    heat = np.full((n_profiles, n_h), 20.0)
    cool = np.full((n_profiles, n_h), 26.0)
    if setback and n_profiles > 1:
        heat[1] = np.where((hour >= 22) | (hour < 6), 16.0, 21.0)
        heat[1, (h // 24) % 7 == 6] = np.nan  # heating off on one day a week
        cool[1] = np.where((hour >= 8) & (hour < 18), 25.0, np.nan)
    gains = np.vstack([np.ones(n_h), np.where((hour >= 7) & (hour < 23), 1.2, 0.6)])
    time = pd.date_range("2023-01-01 01:00", periods=n_h, freq="h", tz="Etc/GMT-1")
    return Drivers(
        time=time,
        t_out_c=t_out,
        irr_w_m2=irr,
        groups=STANDARD_GROUPS,
        gain_schedule=gains,
        heat_setpoint_c=heat,
        cool_setpoint_c=cool,
    )


def synthetic_stock(n: int, *, seed: int = 1, limits: bool = True, shading: bool = True, n_profiles: int = 2) -> StockInputs:
    """``n`` random buildings with every option of :class:`StockInputs` exercised."""
    rng = np.random.default_rng(seed)
    a_f = rng.uniform(40.0, 2000.0, n)
    a_t = 4.5 * a_f
    u_mean = rng.uniform(0.2, 1.6, n)  # W/(m2 K) over the envelope
    envelope = a_f * rng.uniform(1.2, 3.0, n)
    win_frac = rng.uniform(0.1, 0.35, n)
    h_w = envelope * win_frac * rng.uniform(1.0, 3.0, n)
    h_op = envelope * (1 - win_frac) * u_mean
    h_ve = 0.34 * rng.uniform(0.3, 1.2, n) * a_f * 2.7
    kappa = rng.choice([80e3, 110e3, 165e3, 260e3, 370e3], n)
    a_m_factor = np.where(kappa > 300e3, 3.5, np.where(kappa > 200e3, 3.0, 2.5))
    n_g = len(STANDARD_GROUPS)
    coeff = np.zeros((n, n_g))
    win_area = envelope * win_frac
    for g, name in enumerate(STANDARD_GROUPS):
        if name.startswith("win_"):
            share = rng.uniform(0.0, 0.4, n) if name != "win_h" else rng.uniform(0.0, 0.05, n)
            coeff[:, g] = 0.6 * win_area * share
        elif name.startswith("opq_") or name == "roof":
            coeff[:, g] = 0.6 * 0.04 * (h_op / 5.0)
        else:
            coeff[:, g] = -0.9 * 0.04 * h_op * 0.7
    return StockInputs(
        building_id=np.array([f"b{i:05d}" for i in range(n)]),
        a_f_m2=a_f,
        h_ve_w_k=h_ve,
        h_tr_w_w_k=h_w,
        h_tr_op_w_k=h_op,
        c_m_j_k=kappa * a_f,
        a_m_m2=a_m_factor * a_f,
        sol_coeff_m2=coeff,
        groups=STANDARD_GROUPS,
        phi_h_max_w=np.where(rng.random(n) < 0.3, a_f * rng.uniform(20.0, 60.0, n), np.inf) if limits else np.inf,
        phi_c_max_w=np.where(rng.random(n) < 0.3, a_f * rng.uniform(10.0, 40.0, n), np.inf) if limits else np.inf,
        gain_w_m2=rng.uniform(2.0, 8.0, n),
        gain_profile=rng.integers(0, 2, n),
        gain_conv_frac=rng.uniform(0.3, 0.7, n),
        setpoint_profile=rng.integers(0, n_profiles, n),
        shade_factor=rng.uniform(0.5, 1.0, (n, n_g, 12)) if shading else None,
        a_t_m2=a_t,
    )
