"""Soil heat: thermal properties from water content and 1-D conduction driven by the weather.

Properties
----------
* Volumetric heat capacity, de Vries (1963): the volume-weighted sum of the constituents,
  ``C = (1 - porosity) C_solid + theta C_water`` (air neglected); defaults
  ``C_solid = 2.0e6`` J/m3/K (mineral solids, de Vries gives 1.9-2.0 MJ/m3/K) and
  ``C_water = 4.18e6`` J/m3/K.
* Thermal conductivity, Johansen (1975) as summarised by Farouki (1981) and Peters-Lidard et
  al. (1998): ``lambda = (lambda_sat - lambda_dry) Ke + lambda_dry`` with
  ``lambda_dry = (0.135 rho_b + 64.7) / (2700 - 0.947 rho_b)`` (rho_b in kg/m3),
  ``lambda_sat = lambda_s^(1 - porosity) lambda_w^porosity``, ``lambda_w = 0.57``,
  ``lambda_s = 7.7^q 2.0^(1 - q)`` (q the quartz fraction; 3.0 instead of 2.0 when q <= 0.2),
  and the Kersten number ``Ke = 0.7 log10(Sr) + 1`` (coarse soils) or ``log10(Sr) + 1`` (fine),
  clipped at 0, with ``Sr = theta / porosity``.

Conduction is :mod:`twin.kernels.soil_heat` (Crank-Nicolson by default). With the weather
file, the surface temperature is taken as the air dry-bulb temperature (a first approximation
that ignores radiation and evaporation at the surface; documented in docs/soil.md).

Analytic solutions used for validation: a periodic surface temperature
``T(z, t) = T_m + A exp(-z/d) sin(w t - z/d)`` with the damping depth ``d = sqrt(2 D / w)``
and ``D = lambda / C`` (Carslaw & Jaeger 1959, section 2.6), and a surface step
``T = T_0 + (T_s - T_0) erfc(z / (2 sqrt(D t)))``.

References
----------
de Vries, D.A. (1963), Thermal properties of soils, in Physics of Plant Environment, North-Holland.
Johansen, O. (1975), Thermal conductivity of soils, PhD thesis, Trondheim (CRREL draft transl. 637, 1977).
Farouki, O.T. (1981), Thermal properties of soils, CRREL Monograph 81-1.
Peters-Lidard, C.D., Blackburn, E., Liang, X. & Wood, E.F. (1998), J. Atmos. Sci. 55:1209-1224.
Carslaw, H.S. & Jaeger, J.C. (1959), Conduction of Heat in Solids, 2nd ed., Oxford.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from twin.errors import InputError, ResourceLimitError, SimulationError

C_WATER = 4.18e6
C_SOLID = 2.0e6
LAMBDA_WATER = 0.57
LAMBDA_QUARTZ = 7.7


def de_vries_capacity(theta, porosity: float, *, c_solid: float = C_SOLID, c_water: float = C_WATER) -> np.ndarray:
    """Volumetric heat capacity (J/m3/K) of a soil at water content ``theta``."""
    if not 0 < porosity < 1:
        raise InputError(f"porosity must lie in (0, 1), got {porosity}", field="porosity")
    theta = np.asarray(theta, dtype=float)
    return (1.0 - porosity) * c_solid + theta * c_water


def johansen_conductivity(
    theta, porosity: float, *, quartz: float = 0.5, bulk_density_kg_m3: float | None = None, coarse: bool = False
) -> np.ndarray:
    """Thermal conductivity (W/m/K) of an unfrozen soil at water content ``theta`` (Johansen 1975).

    Parameters
    ----------
    theta
        Volumetric water content (array-like).
    porosity
        Porosity (the saturated water content).
    quartz
        Quartz fraction of the solids.
    bulk_density_kg_m3
        Dry bulk density; default ``2700 (1 - porosity)``.
    coarse
        Coarse (sandy) soil: Kersten number ``0.7 log10(Sr) + 1``; else ``log10(Sr) + 1``.
    """
    if not 0 < porosity < 1:
        raise InputError(f"porosity must lie in (0, 1), got {porosity}", field="porosity")
    if not 0 <= quartz <= 1:
        raise InputError(f"quartz fraction must lie in [0, 1], got {quartz}", field="quartz")
    rho_b = 2700.0 * (1.0 - porosity) if bulk_density_kg_m3 is None else bulk_density_kg_m3
    lam_dry = (0.135 * rho_b + 64.7) / (2700.0 - 0.947 * rho_b)
    lam_other = 2.0 if quartz > 0.2 else 3.0
    lam_s = LAMBDA_QUARTZ**quartz * lam_other ** (1.0 - quartz)
    lam_sat = lam_s ** (1.0 - porosity) * LAMBDA_WATER**porosity
    sr = np.clip(np.asarray(theta, dtype=float) / porosity, 1e-12, 1.0)
    ke = (0.7 if coarse else 1.0) * np.log10(sr) + 1.0
    ke = np.clip(ke, 0.0, 1.0)
    return (lam_sat - lam_dry) * ke + lam_dry


def damping_depth_m(conductivity_w_mk: float, capacity_j_m3k: float, period_s: float) -> float:
    """Damping depth ``sqrt(2 D / w)`` (m) of a periodic surface temperature."""
    return math.sqrt(2.0 * conductivity_w_mk / capacity_j_m3k / (2.0 * math.pi / period_s))


def periodic_solution(z_m, t_s, mean_c: float, amplitude_k: float, period_s: float, diffusivity_m2_s: float) -> np.ndarray:
    """Steady periodic temperature below a surface at ``T_m + A sin(w t)`` (Carslaw & Jaeger 2.6)."""
    w = 2.0 * math.pi / period_s
    d = math.sqrt(2.0 * diffusivity_m2_s / w)
    z = np.asarray(z_m, dtype=float)
    return mean_c + amplitude_k * np.exp(-z / d) * np.sin(w * np.asarray(t_s, dtype=float) - z / d)


def step_solution(z_m, t_s: float, initial_c: float, surface_c: float, diffusivity_m2_s: float) -> np.ndarray:
    """Temperature of a half-space at ``initial_c`` whose surface jumps to ``surface_c`` at t = 0."""
    from scipy.special import erfc

    z = np.asarray(z_m, dtype=float)
    return initial_c + (surface_c - initial_c) * erfc(z / (2.0 * math.sqrt(diffusivity_m2_s * t_s)))


@dataclass
class HeatResult:
    """Temperatures (degC) at the output times and the boundary heat (J/m2).

    Attributes
    ----------
    times_s : (n_out,)
    z_m : (nn,)
    temperature_c : (n_out, n_col, nn)
    heat_in_j_m2, heat_out_j_m2 : (n_col,) heat in at the surface and out at the bottom.
    heat_stored_j_m2 : (n_col,) change of the heat content of the column.
    """

    times_s: np.ndarray
    z_m: np.ndarray
    temperature_c: np.ndarray
    heat_in_j_m2: np.ndarray
    heat_out_j_m2: np.ndarray
    heat_stored_j_m2: np.ndarray


def run_heat(
    z_m,
    conductivity_w_mk,
    capacity_j_m3k,
    initial_c,
    surface_times_s,
    surface_c,
    *,
    dt_s: float,
    output_times_s,
    bottom: str = "fixed",
    bottom_c=None,
    crank_nicolson: bool = True,
) -> HeatResult:
    """Run 1-D conduction for one or many columns on a shared grid.

    Parameters
    ----------
    z_m
        (nn,) node depths, m, from 0.
    conductivity_w_mk, capacity_j_m3k
        Per node ((nn,) or (n_col, nn)) or scalars.
    initial_c
        Initial temperature: scalar, (nn,) or (n_col, nn).
    surface_times_s, surface_c
        Surface temperature series (linear in time); ``surface_c`` (n_times,) shared or
        (n_col, n_times).
    dt_s
        Time step, s; output times must be multiples of it from ``surface_times_s[0]``.
    output_times_s
        Times of the stored profiles, s.
    bottom
        ``'fixed'`` (at ``bottom_c``, default the initial bottom temperature) or ``'insulated'``.
    crank_nicolson
        Crank-Nicolson (default) or backward Euler.
    """
    from twin.kernels import soil_heat as K
    from twin.soil.limits import MAX_NODES_PER_COLUMN, max_node_steps

    z = np.asarray(z_m, dtype=float)
    if z.ndim != 1 or len(z) < 3 or abs(z[0]) > 1e-12 or np.any(np.diff(z) <= 0) or not np.all(np.isfinite(z)):
        raise InputError("node depths must be finite, start at 0 and increase (>= 3 nodes)", field="z_m")
    nn = len(z)
    if nn > MAX_NODES_PER_COLUMN:
        raise ResourceLimitError(f"{nn:,} nodes, above the limit of {MAX_NODES_PER_COLUMN:,}", field="z_m")
    times = np.asarray(surface_times_s, dtype=float)
    surf = np.atleast_2d(np.asarray(surface_c, dtype=float))
    if surf.shape[1] != len(times) or np.any(np.diff(times) <= 0) or not np.all(np.isfinite(times)):
        raise InputError("surface temperature series must match finite, increasing times", field="surface_c")
    if not np.all(np.isfinite(surf)):
        bad = np.argwhere(~np.isfinite(surf))[0]
        raise InputError("missing surface temperature", obj=f"time index {int(bad[-1])}", field="surface_c")
    init = np.asarray(initial_c, dtype=float)
    rows = [surf.shape[0]] + [np.shape(a)[0] for a in (init, conductivity_w_mk, capacity_j_m3k) if np.ndim(a) == 2]
    n_col = max(rows)
    temp = np.broadcast_to(init if init.ndim else np.full(nn, float(init)), (n_col, nn)).copy()
    lam = np.broadcast_to(np.asarray(conductivity_w_mk, dtype=float), (n_col, nn)).copy()
    cap = np.broadcast_to(np.asarray(capacity_j_m3k, dtype=float), (n_col, nn)).copy()
    if not (np.all(np.isfinite(lam)) and np.all(np.isfinite(cap))) or np.any(lam <= 0) or np.any(cap <= 0):
        raise InputError("conductivity and heat capacity must be finite and positive", field="conductivity_w_mk")
    if not np.all(np.isfinite(temp)):
        raise InputError("initial temperatures must be finite", field="initial_c")
    if not (np.isfinite(dt_s) and dt_s > 0):
        raise InputError(f"time step must be a finite number > 0, got {dt_s}", field="dt_s")
    out_t = np.asarray(output_times_s, dtype=float)
    if out_t.size == 0 or not np.all(np.isfinite(out_t)):
        raise InputError("give finite output times", field="output_times_s")
    last = (out_t.max() - times[0]) / dt_s
    if last * nn * n_col > max_node_steps():
        raise ResourceLimitError(
            f"{last:.3g} steps x {nn:,} nodes x {n_col:,} columns, above the limit of {max_node_steps():.3g} node-steps", field="output_times_s"
        )
    steps = np.rint((out_t - times[0]) / dt_s).astype(np.int64)
    if np.any(np.abs(steps * dt_s + times[0] - out_t) > 1e-6 * dt_s) or np.any(steps < 1) or np.any(np.diff(steps) < 0):
        raise InputError("output times must be positive multiples of dt_s after the start", field="output_times_s")
    kind = {"fixed": K.BOT_FIXED, "insulated": K.BOT_INSULATED}.get(bottom)
    if kind is None:
        raise InputError(f"unknown bottom {bottom!r}; use 'fixed' or 'insulated'", field="bottom")
    bot = temp[:, -1].copy() if bottom_c is None else np.broadcast_to(np.asarray(bottom_c, float), (n_col,)).copy()
    if not np.all(np.isfinite(bot)):
        raise InputError("bottom temperature must be finite", field="bottom_c")
    # the kernel sets the boundary nodes first; the stored heat starts from that profile
    vol = np.zeros(nn)
    vol[:-1] += np.diff(z) / 2
    vol[1:] += np.diff(z) / 2
    start = temp.copy()
    start[:, 0] = np.array([np.interp(times[0], times, s) for s in np.broadcast_to(surf, (n_col, len(times)))])
    if kind == K.BOT_FIXED:
        start[:, -1] = bot
    out = np.zeros((len(out_t), n_col, nn))
    flux = np.zeros((n_col, 2))
    surf = np.broadcast_to(surf, (n_col, len(times)))
    K.heat_columns(z, lam, cap, temp, times, surf, float(times[0]), float(dt_s), int(steps.max()),
                   0.5 if crank_nicolson else 1.0, kind, bot, steps, out, flux)
    stored = np.sum(cap * vol * (temp - start), axis=1)
    if not (np.all(np.isfinite(out)) and np.all(np.isfinite(flux))):
        raise SimulationError("the heat solver gave non-finite temperatures or fluxes (an overflow)", field="temperature_c")
    return HeatResult(out_t, z, out, flux[:, 0], flux[:, 1], stored)


def soil_temperature_from_weather(
    weather,
    depths_m,
    *,
    conductivity_w_mk: float,
    capacity_j_m3k: float,
    column_depth_m: float = 10.0,
    dz_m: float = 0.05,
    dt_s: float = 3600.0,
    spin_up_years: int = 1,
):
    """Soil temperatures (degC) at ``depths_m`` under the weather file's year.

    The surface follows the dry-bulb temperature (``weather.data['dry_bulb_c']``, hourly); the
    bottom of a ``column_depth_m`` column is held at the annual mean; the year is repeated
    ``spin_up_years`` times first so the initial condition is forgotten.

    Returns
    -------
    pandas.DataFrame
        Indexed like the weather data, one column per depth (``'T_0.50m'``...).
    """
    import pandas as pd

    data = weather.data if hasattr(weather, "data") else weather
    if "dry_bulb_c" not in data:
        raise InputError("weather has no dry-bulb temperature", field="dry_bulb_c")
    temp = data["dry_bulb_c"].to_numpy(dtype=float)
    if not np.all(np.isfinite(temp)):
        bad = int(np.flatnonzero(~np.isfinite(temp))[0])
        raise InputError("missing dry-bulb temperature", obj=str(data.index[bad]), field="dry_bulb_c")
    if not 1 <= spin_up_years <= 100:
        raise InputError(f"spin-up years must be in [1, 100], got {spin_up_years}", field="spin_up_years")
    n = len(temp)
    years = spin_up_years + 1
    series = np.append(np.tile(temp, years), temp[0])  # periodic: the year wraps around
    times = np.arange(len(series)) * 3600.0  # time 0 is the first row of the weather
    z = np.linspace(0.0, column_depth_m, int(round(column_depth_m / dz_m)) + 1)
    mean = float(temp.mean())
    out_times = (years - 1) * n * 3600.0 + np.arange(n) * 3600.0  # the last year, row by row
    res = run_heat(z, conductivity_w_mk, capacity_j_m3k, mean, times, series, dt_s=dt_s,
                   output_times_s=out_times, bottom="fixed", bottom_c=mean)
    prof = res.temperature_c[:, 0, :]
    cols = {f"T_{d:.2f}m": np.array([np.interp(d, z, p) for p in prof]) for d in np.atleast_1d(depths_m)}
    frame = pd.DataFrame(cols, index=data.index)
    return frame
