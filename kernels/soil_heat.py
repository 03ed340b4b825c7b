"""1-D heat conduction in soil columns (Numba): theta-scheme finite volumes, one column per task.

    C dT/dt = d/dz (lambda dT/dz)

on nodes ``z`` (m, 0 at the surface, increasing downward; vertex-centred control volumes as in
:mod:`twin.kernels.soil_richards`), with the volumetric heat capacity ``C`` (J/m3/K) and the
conductivity ``lambda`` (W/m/K) given per node (the face conductivity is the harmonic mean of
the two nodes). The surface temperature is prescribed (Dirichlet, interpolated linearly in time
from a series); the bottom is a fixed temperature or insulated. Time steps are fixed; the
theta-scheme weight ``w`` is 0.5 (Crank-Nicolson) or 1 (backward Euler). Each step is a
tridiagonal solve.

The heat entering at the surface and leaving at the bottom are accumulated (J/m2) from the
balance of the boundary nodes, so ``sum C V dT = G_top - G_bottom`` closes to round-off.
"""

from __future__ import annotations

import numpy as np

from twin.kernels.config import jit, jit_parallel, prange

BOT_FIXED = 0
BOT_INSULATED = 1


@jit
def _interp(times, values, t):
    n = times.shape[0]
    if t <= times[0]:
        return values[0]
    if t >= times[n - 1]:
        return values[n - 1]
    lo = 0
    hi = n - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if times[mid] <= t:
            lo = mid
        else:
            hi = mid
    w = (t - times[lo]) / (times[hi] - times[lo])
    return values[lo] + w * (values[hi] - values[lo])


@jit
def node_volumes(z, vol):
    """Control-volume length of each node of a column (half of each adjacent interval), m: into ``vol``."""
    for i in range(z.shape[0]):
        vol[i] = 0.0
    for i in range(z.shape[0] - 1):
        dz = z[i + 1] - z[i]
        vol[i] += 0.5 * dz
        vol[i + 1] += 0.5 * dz


@jit
def face_conductances(z, lam, kf):
    """Conductance of each face between nodes ``i`` and ``i + 1`` of a column, W/m2/K: the
    harmonic mean of the two nodes' conductivities ``lam`` (W/m/K) over their distance, into
    ``kf[:nn - 1]``."""
    for i in range(z.shape[0] - 1):
        kf[i] = 2.0 * lam[i] * lam[i + 1] / (lam[i] + lam[i + 1]) / (z[i + 1] - z[i])


@jit
def solve_tridiagonal(lower, diag, upper, rhs, cprime, first, last, out):
    """Thomas algorithm on rows ``first..last`` (``lower[first]`` and ``upper[last]`` unused):
    the solution into ``out[first:last + 1]``; ``rhs`` and ``cprime`` are overwritten."""
    cprime[first] = upper[first] / diag[first]
    rhs[first] = rhs[first] / diag[first]
    for i in range(first + 1, last + 1):
        den = diag[i] - lower[i] * cprime[i - 1]
        cprime[i] = upper[i] / den
        rhs[i] = (rhs[i] - lower[i] * rhs[i - 1]) / den
    for i in range(last - 1, first - 1, -1):
        rhs[i] = rhs[i] - cprime[i] * rhs[i + 1]
    for i in range(first, last + 1):
        out[i] = rhs[i]


@jit
def heat_column(z, lam, cap, temp, surf_times, surf_temp, t0, dt, n_steps, weight, bot_kind, bot_temp,
                out_steps, out_temp, flux, work):
    """Advance one column ``n_steps`` steps of ``dt`` seconds from time ``t0``.

    Parameters
    ----------
    z : (nn,) node depths, m.
    lam, cap : (nn,) conductivity W/m/K and volumetric heat capacity J/m3/K per node.
    temp : (nn,) temperatures, degC: initial in, final out (``temp[0]`` is reset to the surface).
    surf_times, surf_temp : surface temperature series (s, degC), linear in time.
    weight : 0.5 Crank-Nicolson, 1.0 backward Euler.
    bot_kind : ``BOT_FIXED`` (``bot_temp``) or ``BOT_INSULATED``.
    out_steps : (n_out,) step indices after which ``temp`` is stored in ``out_temp``.
    out_temp : (n_out, nn) stored profiles.
    flux : (2,) heat in at the surface and out at the bottom, J/m2 (accumulated).
    work : (8, nn) scratch.
    """
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
    face_conductances(z, lam, kf)
    last = nn - 1 if bot_kind == BOT_INSULATED else nn - 2
    o = 0
    n_out = out_steps.shape[0]
    temp[0] = _interp(surf_times, surf_temp, t0)
    if bot_kind == BOT_FIXED:
        temp[nn - 1] = bot_temp
    for s in range(n_steps):
        t1 = t0 + (s + 1) * dt
        for i in range(nn):
            old[i] = temp[i]
        temp[0] = _interp(surf_times, surf_temp, t1)
        for i in range(1, last + 1):
            m = cap[i] * vol[i] / dt
            d = m
            r = m * old[i]
            lo = 0.0
            up = 0.0
            # face above (i-1, i)
            d += weight * kf[i - 1]
            r += (1.0 - weight) * kf[i - 1] * (old[i - 1] - old[i])
            if i - 1 == 0:
                r += weight * kf[0] * temp[0]
            else:
                lo = -weight * kf[i - 1]
            if i < nn - 1:
                d += weight * kf[i]
                r += (1.0 - weight) * kf[i] * (old[i + 1] - old[i])
                if i + 1 <= last:
                    up = -weight * kf[i]
                else:
                    r += weight * kf[i] * temp[nn - 1]
            lower[i] = lo
            diag[i] = d
            upper[i] = up
            rhs[i] = r
        solve_tridiagonal(lower, diag, upper, rhs, cprime, 1, last, temp)
        # boundary heat flows from the balance of the boundary nodes (theta-weighted face flux)
        q0 = kf[0] * (weight * (temp[0] - temp[1]) + (1.0 - weight) * (old[0] - old[1]))
        flux[0] += q0 * dt + cap[0] * vol[0] * (temp[0] - old[0])
        if bot_kind == BOT_FIXED:
            qb = kf[nn - 2] * (weight * (temp[nn - 2] - temp[nn - 1]) + (1.0 - weight) * (old[nn - 2] - old[nn - 1]))
            flux[1] += qb * dt - cap[nn - 1] * vol[nn - 1] * (temp[nn - 1] - old[nn - 1])
        while o < n_out and out_steps[o] == s + 1:
            for i in range(nn):
                out_temp[o, i] = temp[i]
            o += 1


@jit_parallel
def heat_columns(z, lam, cap, temp, surf_times, surf_temp, t0, dt, n_steps, weight, bot_kind, bot_temp,
                 out_steps, out_temp, flux):
    """:func:`heat_column` for every column in parallel.

    ``lam``, ``cap``, ``temp`` are (n_col, nn); ``surf_temp`` is (n_col, n_times) (a broadcast
    view when shared); ``bot_temp`` (n_col,); ``out_temp`` (n_out, n_col, nn); ``flux`` (n_col, 2).
    """
    n_col = temp.shape[0]
    nn = z.shape[0]
    for j in prange(n_col):
        work = np.empty((8, nn))
        heat_column(z, lam[j], cap[j], temp[j], surf_times, surf_temp[j], t0, dt, n_steps, weight, bot_kind,
                    bot_temp[j], out_steps, out_temp[:, j, :], flux[j], work)
