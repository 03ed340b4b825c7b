"""Surface energy balance over 1-D heat conduction in a ground column (Numba).

The surface node (node 0 of a vertex-centred grid ``z``, as in :mod:`twin.kernels.soil_heat`)
stores heat in its half cell and receives the surface energy balance

    C_0 V_0 dT_0/dt = Rn(T_0) - H(T_0) - LE - G_01,

    Rn = (1 - albedo) SW + emissivity LW_down - emissivity sigma (T_0 + 273.15)^4,
    H  = rho c_p (T_0 - T_air) / r_a,

with ``SW`` the global horizontal shortwave, ``LW_down`` the downward longwave from the sky
(the EPW "horizontal infrared radiation", ``sigma T_sky^4``), ``r_a`` the aerodynamic resistance
(s/m), ``LE`` the latent heat flux (W/m2, given per interval by the caller from the ET model and
the soil water of the column) and ``G_01`` conduction to node 1. Below, ``C dT/dt = d/dz
(lambda dT/dz)``; the bottom node is held at ``bot_temp``. The conductivity (W/m/K) and the
volumetric heat capacity (J/m3/K) are given per forcing interval and node (they follow the
water content of the column); a face takes the harmonic mean of its two nodes.

Time is backward Euler with ``n_sub`` steps per forcing interval. Only the surface row is
nonlinear (longwave emission): it is solved by Newton's method, linearising ``F = Rn - H - LE``
about the last iterate, with a tridiagonal (Thomas) solve of the whole column per iterate,
until the surface temperature changes by less than ``tol`` (K). The fluxes of each step are
evaluated at the converged temperatures, so per step

    F(T_0) = sum_{i < nn-1} C_i V_i (T_i - T_i^old) / dt + G_bottom

to the Newton residual (round-off once converged): the interval sums written out close the
energy balance ``Rn - H - LE - G = 0`` with ``G`` the heat into the ground (storage change plus
the outflow at the bottom).

Arrays in, arrays out: the caller allocates every output. Nothing here imports from ``twin``
outside the kernels.

References
----------
Oke, T.R. (1987), Boundary Layer Climates, 2nd ed., Routledge (surface energy balance, ch. 1-2).
Hillel, D. (1998), Environmental Soil Physics, Academic Press (ch. 12, soil heat).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from twin.kernels.config import jit
from twin.kernels.soil_heat import face_conductances, node_volumes, solve_tridiagonal

SIGMA = 5.670374419e-8
"""Stefan-Boltzmann constant, W/m2/K4 (CODATA 2018)."""
KELVIN = 273.15

# forcing[k, ...] per interval
F_SW = 0  # global horizontal shortwave, W/m2
F_LW = 1  # downward longwave (sky), W/m2
F_TAIR = 2  # air temperature, degC
F_RA = 3  # aerodynamic resistance, s/m
F_LE = 4  # latent heat flux (positive away from the surface), W/m2
F_RHO_CP = 5  # volumetric heat capacity of the air, J/m3/K
N_FORCE = 6

# out[k, ...] per interval: means over the interval, W/m2, and states at its end
O_RN = 0  # net radiation
O_H = 1  # sensible heat flux (positive away from the surface)
O_LE = 2  # latent heat flux
O_G = 3  # heat into the ground: storage change + bottom outflow
O_BOTTOM = 4  # outflow at the bottom node
O_T_SURF = 5  # surface temperature at the end of the interval, degC
O_T_SURF_MEAN = 6  # mean surface temperature over the interval's steps, degC
O_ITERS = 7  # Newton iterations in the interval
O_RESIDUAL = 8  # largest |F(T_0) - storage rate - bottom flux| of a step, W/m2
N_OUT = 9

N_WORK = 8
"""Rows of scratch per column."""


class SurfaceColumn(NamedTuple):
    """A column: node depths ``z`` ((nn,), m, 0 at the surface); ``lam`` and ``cap``
    ((n_t, nn) conductivity W/m/K and volumetric heat capacity J/m3/K per interval and node);
    ``albedo`` and ``emissivity`` of the surface (-); ``bot_temp`` the bottom temperature, degC."""

    z: np.ndarray
    lam: np.ndarray
    cap: np.ndarray
    albedo: float
    emissivity: float
    bot_temp: float


@jit
def surface_flux(t0, sw, lw, t_air, r_a, le, rho_cp, albedo, emissivity):
    """``(F, dF/dT, Rn, H)``: the net surface flux into the ground ``F = Rn - H - LE`` (W/m2) at a
    surface temperature ``t0`` (degC), its derivative (W/m2/K), net radiation and sensible heat."""
    tk = t0 + KELVIN
    rn = (1.0 - albedo) * sw + emissivity * lw - emissivity * SIGMA * tk * tk * tk * tk
    h = rho_cp * (t0 - t_air) / r_a
    f = rn - h - le
    df = -4.0 * emissivity * SIGMA * tk * tk * tk - rho_cp / r_a
    return f, df, rn, h


@jit
def surface_energy_column(col, forcing, interval_s, n_sub, tol, max_iter, temp, out, out_temp, work):
    """Run the column through ``n_t = forcing.shape[0]`` intervals of ``interval_s`` seconds.

    Parameters
    ----------
    col : :class:`SurfaceColumn`.
    forcing : (n_t, N_FORCE) per interval (``F_*``).
    interval_s : interval length, s.
    n_sub : backward-Euler steps per interval.
    tol : Newton tolerance on the surface temperature, K.
    max_iter : most Newton iterations per step.
    temp : (nn,) temperatures, degC: initial in, final out (``temp[nn-1]`` is set to
        ``col.bot_temp``).
    out : (n_t, N_OUT) interval results (``O_*``).
    out_temp : (n_t, nn) profiles at the end of each interval (not written when
        ``out_temp.shape[0] == 0``).
    work : (N_WORK, nn) scratch.

    Returns the number of steps whose Newton iteration did not reach ``tol``.
    """
    z = col.z
    nn = z.shape[0]
    vol = work[0]
    kf = work[1]
    lower = work[2]
    diag = work[3]
    upper = work[4]
    rhs = work[5]
    cprime = work[6]
    old = work[7]
    node_volumes(z, vol)
    dt = interval_s / n_sub
    temp[nn - 1] = col.bot_temp
    last = nn - 2
    n_fail = 0
    for k in range(forcing.shape[0]):
        lam = col.lam[k]
        cap = col.cap[k]
        face_conductances(z, lam, kf)
        sw = forcing[k, F_SW]
        lw = forcing[k, F_LW]
        t_air = forcing[k, F_TAIR]
        r_a = forcing[k, F_RA]
        le = forcing[k, F_LE]
        rho_cp = forcing[k, F_RHO_CP]
        s_rn = 0.0
        s_h = 0.0
        s_le = 0.0
        s_store = 0.0
        s_bot = 0.0
        s_t = 0.0
        iters = 0
        worst = 0.0
        for _s in range(n_sub):
            for i in range(nn):
                old[i] = temp[i]
            t_star = temp[0]
            converged = False
            for _it in range(max_iter):
                iters += 1
                f, df, rn, h = surface_flux(t_star, sw, lw, t_air, r_a, le, rho_cp, col.albedo, col.emissivity)
                # rows 0..last (node nn-1 fixed): storage, conduction, and at row 0 the
                # linearised surface flux F(T*) + F'(T*) (T_0 - T*)
                for i in range(last + 1):
                    m = cap[i] * vol[i] / dt
                    d = m
                    r = m * old[i]
                    lo = 0.0
                    up = 0.0
                    if i > 0:
                        d += kf[i - 1]
                        lo = -kf[i - 1]
                    else:
                        d -= df
                        r += f - df * t_star
                    d += kf[i]
                    if i < last:
                        up = -kf[i]
                    else:
                        r += kf[i] * temp[nn - 1]
                    lower[i] = lo
                    diag[i] = d
                    upper[i] = up
                    rhs[i] = r
                solve_tridiagonal(lower, diag, upper, rhs, cprime, 0, last, temp)
                change = abs(temp[0] - t_star)
                t_star = temp[0]
                if change <= tol:
                    converged = True
                    break
            if not converged:
                n_fail += 1
            f, df, rn, h = surface_flux(temp[0], sw, lw, t_air, r_a, le, rho_cp, col.albedo, col.emissivity)
            store = 0.0
            for i in range(last + 1):
                store += cap[i] * vol[i] * (temp[i] - old[i])
            q_bot = kf[last] * (temp[last] - temp[nn - 1])
            worst = max(worst, abs(f - store / dt - q_bot))
            s_rn += rn
            s_h += h
            s_le += le
            s_store += store
            s_bot += q_bot * dt
            s_t += temp[0]
        out[k, O_RN] = s_rn / n_sub
        out[k, O_H] = s_h / n_sub
        out[k, O_LE] = s_le / n_sub
        out[k, O_G] = (s_store + s_bot) / interval_s
        out[k, O_BOTTOM] = s_bot / interval_s
        out[k, O_T_SURF] = temp[0]
        out[k, O_T_SURF_MEAN] = s_t / n_sub
        out[k, O_ITERS] = iters
        out[k, O_RESIDUAL] = worst
        if out_temp.shape[0] > 0:
            for i in range(nn):
                out_temp[k, i] = temp[i]
    return n_fail
