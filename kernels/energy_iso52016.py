"""Hourly multi-node zone model in the spirit of ISO 52016-1 (modal form), vectorised over buildings.

The thermal network of a zone (built by :mod:`twin.energy.iso52016`: nodes per opaque construction
layer, window surface nodes, one air node, a radiative star node, see ``docs/energy_iso52016.md``)
is stepped with the implicit (backward) Euler scheme of ISO 52016-1 §6.5.6 with a one-hour step:

    (C / dt + K) x[t+1] = C / dt x[t] + F u[t+1] + e_air Q_air[t+1]

``x`` node temperatures, ``C`` node capacities (zero for surface nodes), ``K`` the conductance
matrix, ``u`` the hourly inputs shared by every building (outdoor temperature, gain schedule
value, irradiance of each surface group), ``F`` the building's input matrix and ``Q_air`` the
heat injected at the air node (ideal heating/cooling ``Phi_HC`` plus scheduled ventilation).

Only the nodes with capacity carry state. With ``G = (C / dt + K)^-1`` and ``D = diag(sqrt(C_S /
dt))`` over the capacitive nodes ``S``, ``D G_SS D`` is symmetric positive definite, so its
eigendecomposition ``U Lambda U^T`` (done once per building by the caller) turns the step into
independent modes ``z = U^T D x_S`` that decay by ``lambda_i`` per hour:

    z[t+1] = lambda * z[t] + W u[t+1] + w_q Q_air,     theta_air[t+1] = r . z[t+1]

with ``W = U^T D (G F)_S``, ``w_q = U^T D G_{S,air}`` and ``r = (D^-1 U)_{air,:}``. This is the
exact backward-Euler solution of the full network (no mode is dropped), at ``n_s (n_u + 2)``
multiply-adds per building-hour instead of a linear solve.

Control (ISO 52016-1 §6.5.5.2, ideal, on the air temperature): the air temperature is affine in
``Q_air`` with slope ``k = r . w_q = G_air,air`` (K/W). A scheduled ventilation conductance
``g = H_ve,s v[p, h]`` to the outdoor air adds ``g (theta_e - theta_air)`` at the air node, which
is solved in closed form (``theta_air = (theta_air,0 + k g theta_e) / (1 + k g)``, slope
``k / (1 + k g)``); the heating/cooling power is then
``Phi_HC = clip((theta_set - theta_air,0) / k', -Phi_C,max, Phi_H,max)`` with the setpoints off
as ``-inf`` (heating) / ``+inf`` (cooling), branch-free.

Hourly convective coefficients (``n_conv > 0``): link ``j`` joins an interior surface node to the
air node with ``h_j A_j``, ``h_j = max(0.1, c_j |d_j|^(1/3))`` from the previous hour's
surface-air difference ``d_j`` (``c_j`` by its sign), whereas the base system holds ``h0_j A_j``.
The change ``V diag(delta) V^T`` (``v_j = e_j - e_air``, ``delta_j = (h_j - h0_j) A_j``) is applied
exactly by the Sherman-Morrison-Woodbury identity: with ``d_b = V^T G b`` the base system's
differences (``conv_cv . z + conv_qv . u + conv_gv Q``) and ``S = V^T G V``,
``x' = G b - G V e``, ``e = (I + diag(delta) S)^-1 diag(delta) d_b``, ``d' = d_b - S e``; in modal
form ``z' = z_base - conv_cv^T e``, and the air temperature stays affine in ``Q`` (slope
``k - conv_gv . (I + diag(delta) S)^-1 diag(delta) conv_gv``). The ``n_c x n_c`` system is solved
by elimination without pivoting (its leading minors are ratios of determinants of conductance
matrices with positive coefficients, hence positive).

Warm-up: the last ``warmup_hours`` hours of the series run first (periodic year), from the
modal state ``z0`` the caller gives (e.g. every node at 20 degC).

Layout: ``prange`` over buildings; each building runs its hour loop with its modes in a small
contiguous state vector (the mode loops vectorise); inputs that are zero in an hour (every
solar group at night) are skipped (exact). Each building writes only its own output rows; the
shared drivers are read-only. Padded modes (``lambda = 0``, ``W = 0``) beyond ``n_modes`` are
not visited.

References
----------
ISO 52016-1:2017, Energy performance of buildings - Energy needs for heating and cooling,
internal temperatures and sensible and latent heat loads - Part 1: Calculation procedures,
§6.5.6 (hourly calculation, matrix formulation), §6.5.5 (control), Annex B (defaults).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from twin.kernels.config import jit, jit_parallel, prange


class Building52016(NamedTuple):
    """Per-building constants of the modal form, float64 unless noted.

    ``n_s`` = largest number of capacitive nodes (modes), ``n_u = 2 + n_g`` inputs in the order
    outdoor temperature (degC), gain schedule value (-), irradiance of groups ``0 .. n_g - 1``
    (W/m2). Built by :func:`twin.energy.iso52016.modal_arrays`.

    Attributes
    ----------
    lam : (n_b, n_s) decay factor of each mode over one hour, in [0, 1).
    w_in : (n_b, n_u, n_s) response of each mode to a unit input (K per unit).
    w_q : (n_b, n_s) response of each mode to 1 W at the air node (K/W).
    r_air : (n_b, n_s) air temperature per unit of each mode (-).
    k_air_k_w : (n_b,) air temperature per W at the air node, ``r . w_q`` (K/W, > 0).
    z0 : (n_b, n_s) modal state at the start of the warm-up.
    n_modes : int64 (n_b,) number of modes used (the rest is padding).
    gain_profile : int64 (n_b,) row of the gain schedule.
    h_ve_sched_w_k : (n_b,) scheduled ventilation conductance at schedule value 1, W/K (>= 0).
    ve_profile : int64 (n_b,) row of the ventilation schedule.
    phi_h_max_w : (n_b,) heating power limit (>= 0, may be inf), W.
    conv_cv : (n_b, n_c, n_s) modal response to a unit heat flow pair on link ``j`` (``U^T D G_{S,v_j}``).
    conv_qv : (n_b, n_c, n_u) surface-air difference of the base system per unit input (K).
    conv_gv : (n_b, n_c) surface-air difference of the base system per W at the air node (K/W).
    conv_s : (n_b, n_c, n_c) ``V^T G V`` (K/W).
    conv_area_m2, conv_h0_w_m2k : (n_b, n_c) area and the coefficient inside the base system.
    conv_c_pos, conv_c_neg : (n_b, n_c) ``c`` of ``h = c |dtheta|^(1/3)``, surface warmer / colder.
    n_conv : int64 (n_b,) number of hourly convective links (0: the base system only).
    """

    lam: np.ndarray
    w_in: np.ndarray
    w_q: np.ndarray
    r_air: np.ndarray
    k_air_k_w: np.ndarray
    z0: np.ndarray
    n_modes: np.ndarray
    gain_profile: np.ndarray
    h_ve_sched_w_k: np.ndarray
    ve_profile: np.ndarray
    phi_h_max_w: np.ndarray
    conv_cv: np.ndarray
    conv_qv: np.ndarray
    conv_gv: np.ndarray
    conv_s: np.ndarray
    conv_area_m2: np.ndarray
    conv_h0_w_m2k: np.ndarray
    conv_c_pos: np.ndarray
    conv_c_neg: np.ndarray
    n_conv: np.ndarray


H_CONV_MIN_W_M2K = 0.1
"""Lower bound of an hourly convective coefficient, W/(m2 K) (EnergyPlus' lowest interior
convection coefficient, 0.1)."""
H_CONV_MIN_CUBED = H_CONV_MIN_W_M2K**3
"""``c^3 |d| <= H_CONV_MIN_CUBED`` means ``c |d|^(1/3) <= H_CONV_MIN_W_M2K``: no cube root needed."""


_CBRT_B1 = 715094163
"""Bias of the first cube-root guess on the high word of a float64, ``(1023 - 1023/3 - 0.0331) 2^20``
(FreeBSD msun ``s_cbrt.c``)."""
_CBRT_P = (1.87595182427177009643, -1.88497979543377169875, 1.621429720105354466140, -0.758397934778766047437, 0.145996192886612446982)
"""Polynomial of the 23-bit cube-root refinement, FreeBSD msun ``s_cbrt.c`` (P0..P4)."""


@jit
def cbrt_positive(x, fbits, ibits):
    """Cube root of a positive normal float64 ``x``, to within one unit in the last place.

    The algorithm of FreeBSD msun ``s_cbrt.c`` (B. Evans): a first guess from the exponent bits (to
    about 5 bits), a polynomial refinement to 23 bits, rounding to 23 bits (so ``t*t`` is exact)
    and one Newton-like step ``t + t (x/t^2 - t) / (2 t + x/t^2)`` to 53 bits (error < 0.667 ulp in
    FreeBSD's analysis; tested against ``np.cbrt`` to 1e-15 relative). Inline in the hour loop it
    costs a fraction of the library ``cbrt`` call. Zero, subnormal, inf and NaN inputs are not
    handled (the caller excludes them).

    Parameters
    ----------
    x : float, normal and in [2.3e-308, 1e300] (the surface-air differences are far inside).
    fbits : (1,) float64 scratch array; ibits its int64 view (``fbits.view(np.int64)``).

    Returns
    -------
    float, ``x ** (1/3)``.

    References
    ----------
    FreeBSD ``lib/msun/src/s_cbrt.c`` (Sun Microsystems 1993, B. Evans 2009); W. Kahan, "Computing a
    real cube root", 1991.
    """
    fbits[0] = x
    hx = ibits[0] >> 32
    ibits[0] = (hx // 3 + _CBRT_B1) << 32
    t = fbits[0]
    r = (t * t) * (t / x)
    t = t * ((_CBRT_P[0] + r * (_CBRT_P[1] + r * _CBRT_P[2])) + ((r * r) * r) * (_CBRT_P[3] + r * _CBRT_P[4]))
    fbits[0] = t
    ibits[0] = (ibits[0] + 0x80000000) & -0x40000000  # round to 23 bits: 0xffffffffc0000000
    t = fbits[0]
    s = t * t
    r = x / s
    w = t + t
    r = (r - t) / (w + r)
    return t + t * r


class Climate52016(NamedTuple):
    """Hourly drivers shared by every building.

    Attributes
    ----------
    t_out_c : (n_h,) outdoor temperature, degC.
    irr_hg : (n_h, n_g) irradiance per hour and group, W/m2 (hour-major).
    month : int64 (n_h,) month 0..11 of each hour.
    gain_schedule : (n_gp, n_h) gain multipliers.
    ve_schedule : (n_vp, n_h) multipliers of ``H_ve,s`` (finite, >= 0).
    """

    t_out_c: np.ndarray
    irr_hg: np.ndarray
    month: np.ndarray
    gain_schedule: np.ndarray
    ve_schedule: np.ndarray


class Control52016(NamedTuple):
    """Ideal heating and cooling on the air temperature.

    Attributes
    ----------
    setpoint_profile : int64 (n_b,) row of the setpoint schedules.
    phi_c_max_w : (n_b,) cooling power limit (>= 0, may be inf), W.
    heat_setpoint_c, cool_setpoint_c : (n_sp, n_h) setpoints, degC; off = -inf / +inf.
    """

    setpoint_profile: np.ndarray
    phi_c_max_w: np.ndarray
    heat_setpoint_c: np.ndarray
    cool_setpoint_c: np.ndarray


class Outputs52016(NamedTuple):
    """Outputs of :func:`simulate_iso52016`, allocated by the caller (one row per building).

    Attributes
    ----------
    heat_wh, cool_wh : (n_b,) annual heating / cooling need (both >= 0), Wh.
    monthly_heat_wh, monthly_cool_wh : (n_b, 12), Wh.
    peak_heat_w, peak_cool_w : (n_b,) largest hourly power (cooling as positive), W.
    peak_heat_hour, peak_cool_hour : int64 (n_b,) hour index of the peak (-1: none).
    t_air_min_c, t_air_max_c, t_air_mean_c : (n_b,) air temperature, degC.
    hourly_phi_hc_w : (n_b, n_h) heating (+) / cooling (-) power, W, or shape (0, 0).
    hourly_t_air_c : (n_b, n_h) air temperature, degC, or shape (0, 0).
    """

    heat_wh: np.ndarray
    cool_wh: np.ndarray
    monthly_heat_wh: np.ndarray
    monthly_cool_wh: np.ndarray
    peak_heat_w: np.ndarray
    peak_heat_hour: np.ndarray
    peak_cool_w: np.ndarray
    peak_cool_hour: np.ndarray
    t_air_min_c: np.ndarray
    t_air_max_c: np.ndarray
    t_air_mean_c: np.ndarray
    hourly_phi_hc_w: np.ndarray
    hourly_t_air_c: np.ndarray


@jit_parallel
def simulate_iso52016(building, climate, control, warmup_hours, out):
    """Run every building over the hours of ``climate``; write the aggregates into ``out``.

    Parameters
    ----------
    building : Building52016
    climate : Climate52016
    control : Control52016
    warmup_hours : int, hours (taken periodically from the end of the series) run first.
    out : Outputs52016, caller-allocated; ``hourly_*`` of shape (0, 0) are not written.
    """
    lam = building.lam
    w_in = building.w_in
    w_q = building.w_q
    r_air = building.r_air
    k_air = building.k_air_k_w
    z0 = building.z0
    n_modes = building.n_modes
    gain_profile = building.gain_profile
    h_ve_s = building.h_ve_sched_w_k
    ve_profile = building.ve_profile
    ph_max = building.phi_h_max_w
    c_cv = building.conv_cv
    c_qv = building.conv_qv
    c_gv = building.conv_gv
    c_s = building.conv_s
    c_area = building.conv_area_m2
    c_h0 = building.conv_h0_w_m2k
    c_pos = building.conv_c_pos
    c_neg = building.conv_c_neg
    n_conv = building.n_conv
    t_out = climate.t_out_c
    irr = climate.irr_hg
    month = climate.month
    g_sched = climate.gain_schedule
    ve_sched = climate.ve_schedule
    sp_profile = control.setpoint_profile
    pc_max = control.phi_c_max_w
    heat_sp = control.heat_setpoint_c
    cool_sp = control.cool_setpoint_c
    # outputs unpacked before prange (Numba drops writes through a tuple field inside prange)
    heat_wh = out.heat_wh
    cool_wh = out.cool_wh
    m_heat = out.monthly_heat_wh
    m_cool = out.monthly_cool_wh
    pk_h = out.peak_heat_w
    pk_h_hour = out.peak_heat_hour
    pk_c = out.peak_cool_w
    pk_c_hour = out.peak_cool_hour
    t_min = out.t_air_min_c
    t_max = out.t_air_max_c
    t_mean = out.t_air_mean_c
    hourly_phi = out.hourly_phi_hc_w
    hourly_ta = out.hourly_t_air_c
    write_hourly = hourly_phi.shape[0] > 0

    n_b = lam.shape[0]
    n_s = lam.shape[1]
    n_u = w_in.shape[1]
    n_h = t_out.shape[0]
    n_g = irr.shape[1]
    n_cl = c_gv.shape[1]
    warm = min(warmup_hours, n_h)
    for b in prange(n_b):
        ns = n_modes[b]
        nc = n_conv[b]
        z = np.empty(n_s)
        zp = np.empty(n_s)
        u = np.empty(n_u)
        dprev = np.zeros(n_cl)  # surface - air of each link at the end of the previous hour
        fbits = np.empty(1)
        ibits = fbits.view(np.int64)
        dl = np.empty(n_cl)
        va = np.empty(n_cl)
        vb = np.empty(n_cl)
        mm = np.empty((n_cl, n_cl))
        for i in range(ns):
            z[i] = z0[b, i]
        gp = gain_profile[b]
        vp = ve_profile[b]
        sp = sp_profile[b]
        hve = h_ve_s[b]
        phmax = ph_max[b]
        pcmax = pc_max[b]
        q_h = 0.0
        q_c = 0.0
        peak_h = 0.0
        peak_c = 0.0
        peak_h_hour = -1
        peak_c_hour = -1
        ta_min = np.inf
        ta_max = -np.inf
        ta_sum = 0.0
        for mo in range(12):
            m_heat[b, mo] = 0.0
            m_cool[b, mo] = 0.0
        for step in range(warm + n_h):
            h = n_h - warm + step if step < warm else step - warm
            te = t_out[h]
            u[0] = te
            u[1] = g_sched[gp, h]
            for gi in range(n_g):
                u[2 + gi] = irr[h, gi]
            # free-floating step (Q_air = 0) in modal form
            for i in range(ns):
                zp[i] = lam[b, i] * z[i]
            for q in range(n_u):
                uq = u[q]
                if uq != 0.0:
                    for i in range(ns):
                        zp[i] += w_in[b, q, i] * uq
            ta0 = 0.0
            for i in range(ns):
                ta0 += r_air[b, i] * zp[i]
            k = k_air[b]
            if nc > 0:
                # hourly convective coefficients from the previous hour's differences
                for j in range(nc):
                    dj = dprev[j]
                    cj = c_pos[b, j] if dj > 0.0 else c_neg[b, j]
                    ad = abs(dj)
                    hj = H_CONV_MIN_W_M2K
                    if cj * cj * cj * ad > H_CONV_MIN_CUBED:  # else c |d|^(1/3) <= the lower bound
                        hj = max(H_CONV_MIN_W_M2K, cj * cbrt_positive(ad, fbits, ibits))
                    dl[j] = (hj - c_h0[b, j]) * c_area[b, j]
                    acc = 0.0  # base-system difference with Q = 0 (uses the state before the step)
                    for i in range(ns):
                        acc += c_cv[b, j, i] * z[i]
                    for q in range(n_u):
                        if u[q] != 0.0:
                            acc += c_qv[b, j, q] * u[q]
                    va[j] = acc
                    vb[j] = c_gv[b, j]
                for j in range(nc):
                    for jj in range(nc):
                        mm[j, jj] = c_s[b, j, jj] * dl[jj]
                    mm[j, j] += 1.0
                # solve (I + S diag(dl)) [pa, pb] = [d_b, g_v]: the new differences (no pivoting, see
                # module doc); e = diag(dl) p
                for p in range(nc):
                    piv = 1.0 / mm[p, p]
                    mm[p, p] = piv  # the reciprocal pivot, reused by the back substitution
                    for r in range(p + 1, nc):
                        f = mm[r, p] * piv
                        for cc in range(p + 1, nc):
                            mm[r, cc] -= f * mm[p, cc]
                        va[r] -= f * va[p]
                        vb[r] -= f * vb[p]
                for p in range(nc - 1, -1, -1):
                    sa = va[p]
                    sb = vb[p]
                    for cc in range(p + 1, nc):
                        sa -= mm[p, cc] * va[cc]
                        sb -= mm[p, cc] * vb[cc]
                    va[p] = sa * mm[p, p]
                    vb[p] = sb * mm[p, p]
                for j in range(nc):
                    gd = c_gv[b, j] * dl[j]
                    ta0 -= gd * va[j]
                    k -= gd * vb[j]
            # scheduled ventilation at the air node, implicit: g (theta_e - theta_air)
            g = hve * ve_sched[vp, h]
            den = 1.0 + k * g
            ta0 = (ta0 + k * g * te) / den
            kk = k / den
            # ideal control to the setpoints (closed form), power limits
            need_h = (heat_sp[sp, h] - ta0) / kk
            need_c = (cool_sp[sp, h] - ta0) / kk
            need_h = min(phmax, max(0.0, need_h))
            need_c = max(-pcmax, min(0.0, need_c))
            phi = need_h + need_c
            ta = ta0 + kk * phi
            q_air = g * (te - ta) + phi
            if nc > 0:
                for j in range(nc):
                    pj = va[j] + vb[j] * q_air  # the new surface - air difference
                    dprev[j] = pj
                    va[j] = dl[j] * pj  # e
                for i in range(ns):
                    z[i] = zp[i] + w_q[b, i] * q_air
                for j in range(nc):
                    ej = va[j]
                    for i in range(ns):
                        z[i] -= c_cv[b, j, i] * ej
            else:
                for i in range(ns):
                    z[i] = zp[i] + w_q[b, i] * q_air
            if step < warm:
                continue
            ph = max(0.0, phi)
            pc = ph - phi
            q_h += ph
            q_c += pc
            mo = month[h]
            m_heat[b, mo] += ph
            m_cool[b, mo] += pc
            if ph > peak_h:
                peak_h = ph
                peak_h_hour = h
            if pc > peak_c:
                peak_c = pc
                peak_c_hour = h
            ta_min = min(ta_min, ta)
            ta_max = max(ta_max, ta)
            ta_sum += ta
            if write_hourly:
                hourly_phi[b, h] = phi
                hourly_ta[b, h] = ta
        heat_wh[b] = q_h
        cool_wh[b] = q_c
        pk_h[b] = peak_h
        pk_c[b] = peak_c
        pk_h_hour[b] = peak_h_hour
        pk_c_hour[b] = peak_c_hour
        t_min[b] = ta_min
        t_max[b] = ta_max
        t_mean[b] = ta_sum / n_h


def allocate_outputs(n_b: int, n_h: int, *, hourly: bool = False) -> Outputs52016:
    """Zeroed output arrays for :func:`simulate_iso52016` (``hourly``: also (n_b, n_h) series)."""
    nh = (n_b, n_h) if hourly else (0, 0)
    return Outputs52016(
        heat_wh=np.zeros(n_b),
        cool_wh=np.zeros(n_b),
        monthly_heat_wh=np.zeros((n_b, 12)),
        monthly_cool_wh=np.zeros((n_b, 12)),
        peak_heat_w=np.zeros(n_b),
        peak_heat_hour=np.full(n_b, -1, dtype=np.int64),
        peak_cool_w=np.zeros(n_b),
        peak_cool_hour=np.full(n_b, -1, dtype=np.int64),
        t_air_min_c=np.zeros(n_b),
        t_air_max_c=np.zeros(n_b),
        t_air_mean_c=np.zeros(n_b),
        hourly_phi_hc_w=np.zeros(nh),
        hourly_t_air_c=np.zeros(nh),
    )
