"""Heat generators beyond a constant efficiency: boilers with part-load losses, district heating.

Opt-in system names of the accounts (:data:`twin.energy.results.SYSTEMS`); the constant-efficiency
systems (``gas_boiler``, ``gas_boiler_condensing``, ``oil_boiler``) are unchanged.

**Boilers with part load** (``gas_boiler_partload``, ``gas_boiler_condensing_partload``,
``oil_boiler_partload``): the generation heat loss is interpolated linearly in the load ratio
``beta`` between its values at 0 % (stand-by), 30 % (intermediate) and 100 % load, the
"case-specific boiler efficiency method" of EN 15316-4-1:2008 (the values at full and 30 % load
are those the Ecodesign regulation (EU) 813/2013 also rates boilers at):

* ``Phi_ls(1)   = P_n (1 - eta_100) / eta_100``
* ``Phi_ls(0.3) = 0.3 P_n (1 - eta_30) / eta_30``
* ``Phi_ls(0)   = f_stby P_n`` (stand-by loss)

The load ratio of a month is its mean, ``beta_m = Q_m / (P_n t_m)`` (the monthly method of the
standard: heat delivered in the month over nominal power times the hours of the month). Fuel of
the month ``Q_m + Phi_ls(beta_m) t_m`` (no loss in a month without heat). The nominal power ``P_n``
is ``boiler_oversize_factor`` times the simulated peak heating power (existing boilers are
oversized). The seasonal efficiency is heat / fuel over the year.

**District heating** (``district_heating``): delivered heat = (space heating + hot water) /
``dh_substation_efficiency`` (losses of the building's substation); primary energy and CO2 by the
network's factors ``pef_district_heat``, ``co2_district_heat_kg_kwh`` (default: a gas-fired
heat plant with distribution losses, EN 15316-4-5 / EN 17423 method ``f = sum(E_in f_in) /
Q_delivered``; replace by the network's certified factors).

All parameters are rows of ``twin/data/energy_factors.csv`` (each with its source).
"""

from __future__ import annotations

import numpy as np

from twin.errors import InputError

#: Part-load boiler systems -> (fuel carrier, prefix of their factor keys).
PARTLOAD_BOILERS: dict[str, tuple[str, str]] = {
    "gas_boiler_partload": ("gas", "pl_gas"),
    "gas_boiler_condensing_partload": ("gas", "pl_gas_condensing"),
    "oil_boiler_partload": ("oil", "pl_oil"),
}
BETA_INT = 0.3


def boiler_params(system: str, factors: dict[str, float]) -> tuple[float, float, float]:
    """``(eta_100, eta_30, f_stby)`` of a part-load boiler from the factor table (checked)."""
    _, key = PARTLOAD_BOILERS[system]
    vals = []
    for suffix, lo, hi in (("eta_100", 0.0, 1.15), ("eta_30", 0.0, 1.15), ("standby_frac", 0.0, 0.2)):
        name = f"{key}_{suffix}"
        v = float(factors.get(name, np.nan))
        if not (np.isfinite(v) and lo < v <= hi) and not (suffix == "standby_frac" and v == 0.0):
            raise InputError(f"factor {name} = {v} missing or outside ({lo}, {hi}]", obj=system, field=name)
        vals.append(v)
    return vals[0], vals[1], vals[2]


def boiler_loss_kw(beta: np.ndarray, p_n_kw: np.ndarray, eta_100: float, eta_30: float, f_stby: float) -> np.ndarray:
    """Generation heat loss at load ratio ``beta`` (EN 15316-4-1 linear interpolation), kW.

    Parameters
    ----------
    beta
        Load ratio (heat output / nominal power), clipped to [0, 1].
    p_n_kw
        Nominal power, kW (broadcast with ``beta``).
    eta_100, eta_30
        Efficiency at full and at 30 % load (output / fuel input, net calorific value).
    f_stby
        Stand-by loss as a fraction of the nominal power.
    """
    b = np.clip(beta, 0.0, 1.0)
    l0 = f_stby * p_n_kw
    l30 = BETA_INT * p_n_kw * (1.0 - eta_30) / eta_30
    l100 = p_n_kw * (1.0 - eta_100) / eta_100
    low = l0 + (l30 - l0) * b / BETA_INT
    high = l30 + (l100 - l30) * (b - BETA_INT) / (1.0 - BETA_INT)
    return np.where(b <= BETA_INT, low, high)


def partload_fuel_kwh(heat_month_kwh: np.ndarray, hours_month: np.ndarray, p_n_kw: np.ndarray,
                      eta_100: float, eta_30: float, f_stby: float) -> np.ndarray:
    """Yearly fuel of a boiler from its monthly heat output (monthly mean load ratio), kWh.

    Parameters
    ----------
    heat_month_kwh
        Heat delivered by the boiler per building and month (n, 12), kWh (NaN counts as 0).
    hours_month
        Hours of each month in the weather (12,).
    p_n_kw
        Nominal power per building (n,), kW (> 0 where there is heat).
    """
    q = np.nan_to_num(np.asarray(heat_month_kwh, dtype=float))
    t = np.asarray(hours_month, dtype=float)[None, :]
    p = np.asarray(p_n_kw, dtype=float)[:, None]
    bad = (q.sum(axis=1) > 0) & ~(np.isfinite(p[:, 0]) & (p[:, 0] > 0))
    if bad.any():
        raise InputError("a part-load boiler needs a finite peak heating power > 0", obj=f"building index {int(np.flatnonzero(bad)[0])}",
                         field="peak_heat_kw")
    with np.errstate(invalid="ignore", divide="ignore"):
        beta = np.where(t > 0, q / (np.where(p > 0, p, 1.0) * np.where(t > 0, t, 1.0)), 0.0)
    loss = boiler_loss_kw(beta, p, eta_100, eta_30, f_stby) * t
    return np.sum(q + np.where(q > 0, loss, 0.0), axis=1)


def district_heat_kwh(served_kwh: np.ndarray, factors: dict[str, float]) -> np.ndarray:
    """Heat bought from the network: served heat / ``dh_substation_efficiency``, kWh."""
    eta = float(factors.get("dh_substation_efficiency", np.nan))
    if not (np.isfinite(eta) and 0 < eta <= 1):
        raise InputError(f"dh_substation_efficiency = {eta} missing or outside (0, 1]", obj="district_heating",
                         field="dh_substation_efficiency")
    return np.asarray(served_kwh, dtype=float) / eta


__all__ = ["PARTLOAD_BOILERS", "boiler_loss_kw", "boiler_params", "district_heat_kwh", "partload_fuel_kwh"]
