"""Hourly ISO 13790 5R1C building model (Annex C, Crank-Nicolson), vectorised over buildings.

Nodes: air ``theta_air``, central (surface) ``theta_s``, mass ``theta_m`` (capacity ``C_m``).
Conductances per building: ``H_ve`` (air - supply at outdoor temperature), ``H_tr,is`` (air -
surface), ``H_tr,w`` (surface - outdoor, windows), ``H_tr,ms`` (surface - mass), ``H_tr,em``
(mass - outdoor). Heat flows: convective internal gains and the heating/cooling power
``Phi_HC`` at the air node; radiative internal gains plus solar gains split between the
surface node (``Phi_st``) and the mass node (``Phi_m``) as in ISO 13790 C.2:

    Phi_m  = A_m / A_t * Phi_rad
    Phi_st = (1 - A_m / A_t - H_tr,w / (9.1 A_t)) * Phi_rad

Per building (``Building5R1C.film_correction``), the network is that of the standard
(``H_tr,is`` in series with the air-to-air ``H_tr,w`` and ``H_tr,op``) or the envelope
conductances are scaled so that the steady-state loss of the network equals ``(H_tr,w +
H_tr,op + H_ve) * dT`` (see the attribute).

Ventilation may vary by hour: ``H_ve(h) = H_ve,0 + H_ve,s * v[p, h]`` with ``v`` a shared
ventilation schedule (row ``p`` = the building's ``ve_profile``). The affine coefficients of a
lane depend on ``H_ve``; they are recomputed only in the hours where the lane's schedule value
changes (a night fan: twice a day), and never for buildings without scheduled ventilation
(``H_ve,s = 0``), whose results are bit for bit those of a constant ``H_ve``.

Each hour is solved with the equations C.2 to C.11 of ISO 13790. The air temperature is an
affine function of ``Phi_HC`` with a slope ``k`` that depends only on the building constants, so
the ideal-load control of ISO 13790 C.4 (heat to the heating setpoint, cool to the cooling
setpoint, clip at the power limits) is solved in closed form:
``Phi_HC = clip((theta_set - theta_air,0) / k, -Phi_C,max, Phi_H,max)``. Setpoints that are
off arrive as ``-inf`` (heating) and ``+inf`` (cooling), so the control is branch-free.

Layout: ``prange`` over chunks of buildings (one contiguous, equal share of the blocks per
chunk); inside a chunk, blocks of ``BLOCK`` buildings run all hours side by side
(building-major within the block: per-building constants are hoisted, the state of the block
stays in cache, the ``BLOCK`` independent dependency chains let the CPU overlap the latency of
one hour's update and let LLVM use SIMD lanes). Lane ``j`` of block ``k`` is building
``order[k * BLOCK + j]``: the caller sorts the buildings by schedule profile, so that almost
every block follows one gain profile and one setpoint profile and reads each schedule value
once per hour (a block with mixed profiles reads them per lane). Each chunk writes only the
output rows of its own buildings. The shared arrays (outdoor temperature, irradiance,
schedules) are read-only. Per hour and block: the solar sum skips groups with zero irradiance
(all solar groups at night, exact) and adds the others in group order, four groups per pass
over the lanes; then one vectorised pass does the step, the control and the aggregates (the
warm-up hours skip the aggregates). The order of the floating-point operations of each
building does not depend on the block it lands in: results are independent of ``order`` and
of the number of chunks.

Arguments come grouped in NamedTuples of arrays (:class:`Building5R1C`, :class:`Climate5R1C`,
:class:`Control5R1C`, :class:`AnnualOutputs5R1C`); the first two, the per-building constants
(:func:`lane_constants`, :func:`lane_solar_coefficients`) and the solar sum
(:func:`block_solar_flow`) are shared with the period kernel
(:mod:`twin.kernels.energy_5r1c_periods`).

References
----------
ISO 13790:2008, Annex C (simple hourly method), §7.2.2.2, §12.2.2.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from twin.kernels.config import jit, jit_parallel, prange

#: ISO 13790 §12.2.2 (W/(m2 K)), §7.2.2.2 (W/(m2 K)).
H_MS = 9.1
H_IS = 3.45
#: Buildings simulated side by side in one hour loop (independent dependency chains, SIMD lanes).
BLOCK = 64

# rows of the per-block constant array
# (free-floating air and mass temperatures are affine in the gain schedule value, the solar
# heat flow, the outdoor temperature and the previous mass temperature: coefficients A_*, B_*)
(K_A_G, K_A_SOL, K_A_TE, K_A_TM, K_B_G, K_B_SOL, K_B_TE, K_B_TM, K_K, K_IK, K_P2, K_PHMAX, K_PCMAX) = range(13)
N_CONST = 13
# rows of the state array
S_TM, S_TA, S_PHI, S_QH, S_QC, S_PKH, S_PKC, S_TMIN, S_TMAX, S_TSUM = range(10)
N_STATE = 10


# Grouped arguments (module-level NamedTuples of arrays: Numba types them as heterogeneous tuples
# in nopython mode, and their classes are importable, so the disk cache can pickle the signature).
class Building5R1C(NamedTuple):
    """Per-building constants of the 5R1C network, float64 ``(n_b,)`` unless noted.

    Shared by :func:`simulate_5r1c` and :func:`twin.kernels.energy_5r1c_periods.run_periods_5r1c`.
    The caller validates them (positive areas and capacities, ``0 <= H_tr,op < 9.1 A_m``).

    Attributes
    ----------
    a_t_m2 : area of all surfaces facing the zone A_t, m2.
    h_ve_w_k, h_tr_w_w_k, h_tr_op_w_k : conductances H_ve, H_tr,w, H_tr,op, W/K.
    c_m_j_k : internal heat capacity C_m, J/K.
    a_m_m2 : effective mass area A_m, m2.
    gain_w : internal gains at schedule value 1, W.
    gain_conv_frac : convective fraction of internal gains (to the air node).
    gain_profile : int64 (n_b,), row of the gain schedule.
    phi_h_max_w : heating power limit (>= 0, may be inf), W.
    sol_coeff_m2 : (n_b, n_g) effective collecting area per surface group, m2.
    shade_factor : (n_b, n_g, 12) monthly shading factor, or shape (0, 0, 0) for none.
    film_correction : bool (n_b,), if true H_tr,w and H_tr,op are air-to-air conductances
        (U values with both surface resistances) and are both scaled by ``H_tr,is / (H_tr,is
        - H_tr)`` (``H_tr = H_tr,w + H_tr,op``) so that the series path air -> H_tr,is ->
        envelope conducts exactly ``H_tr`` in steady state (the star network's ``H_tr,is``
        already stands for the interior surface films). Requires ``H_tr < H_tr,is``.
    h_ve_sched_w_k : scheduled ventilation conductance H_ve,s at schedule value 1, W/K (>= 0).
    ve_profile : int64 (n_b,), row of the ventilation schedule.
    """

    a_t_m2: np.ndarray
    h_ve_w_k: np.ndarray
    h_tr_w_w_k: np.ndarray
    h_tr_op_w_k: np.ndarray
    c_m_j_k: np.ndarray
    a_m_m2: np.ndarray
    gain_w: np.ndarray
    gain_conv_frac: np.ndarray
    gain_profile: np.ndarray
    phi_h_max_w: np.ndarray
    sol_coeff_m2: np.ndarray
    shade_factor: np.ndarray
    film_correction: np.ndarray
    h_ve_sched_w_k: np.ndarray
    ve_profile: np.ndarray


class Climate5R1C(NamedTuple):
    """Hourly drivers shared by every building (both 5R1C kernels).

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


class Control5R1C(NamedTuple):
    """Heating and cooling control of the annual kernel.

    Attributes
    ----------
    setpoint_profile : int64 (n_b,), row of the setpoint schedules of each building.
    phi_c_max_w : (n_b,) cooling power limit (>= 0, may be inf), W.
    heat_setpoint_c, cool_setpoint_c : (n_sp, n_h) setpoints, degC; off = -inf / +inf.
    """

    setpoint_profile: np.ndarray
    phi_c_max_w: np.ndarray
    heat_setpoint_c: np.ndarray
    cool_setpoint_c: np.ndarray


class AnnualOutputs5R1C(NamedTuple):
    """Outputs of :func:`simulate_5r1c`, allocated by the caller (one row per building).

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


@jit(inline="always")
def _step(kc, st, sol, j, g_s, te, hs, cs):
    """One hour of lane ``j``: free-floating step, ideal control; updates the state, returns (theta_air, Phi_HC)."""
    tm_old = st[S_TM, j]
    # free-floating step (Phi_HC = 0), ISO 13790 C.4-C.11 in affine form
    ta = kc[K_A_G, j] * g_s + kc[K_A_SOL, j] * sol[j] + kc[K_A_TE, j] * te + kc[K_A_TM, j] * tm_old
    tm_new = kc[K_B_G, j] * g_s + kc[K_B_SOL, j] * sol[j] + kc[K_B_TE, j] * te + kc[K_B_TM, j] * tm_old
    # ideal control to setpoints (closed form of ISO 13790 C.4)
    need_h = (hs - ta) * kc[K_IK, j]
    need_c = (cs - ta) * kc[K_IK, j]
    need_h = max(0.0, need_h)
    need_h = min(kc[K_PHMAX, j], need_h)
    need_c = min(0.0, need_c)
    need_c = max(kc[K_PCMAX, j], need_c)
    phi = need_h + need_c
    ta = ta + kc[K_K, j] * phi
    st[S_TA, j] = ta
    st[S_TM, j] = tm_new + kc[K_P2, j] * phi
    st[S_PHI, j] = phi
    return ta, phi


@jit(inline="always")
def _record(st, m_h, m_c, pk_hi, pk_ci, j, ta, phi, h, mo):
    """Add hour ``h`` of lane ``j`` to the aggregates (annual, monthly, peaks, temperatures)."""
    ph = max(0.0, phi)
    pc = ph - phi
    st[S_QH, j] += ph
    st[S_QC, j] += pc
    m_h[mo, j] += ph
    m_c[mo, j] += pc
    up_h = ph > st[S_PKH, j]
    st[S_PKH, j] = ph if up_h else st[S_PKH, j]
    pk_hi[j] = h if up_h else pk_hi[j]
    up_c = pc > st[S_PKC, j]
    st[S_PKC, j] = pc if up_c else st[S_PKC, j]
    pk_ci[j] = h if up_c else pk_ci[j]
    st[S_TMIN, j] = min(st[S_TMIN, j], ta)
    st[S_TMAX, j] = max(st[S_TMAX, j], ta)
    st[S_TSUM, j] += ta


@jit(inline="always")
def lane_constants(bld, b, j, ve, kc):
    """Constants of building ``b`` into lane ``j`` of ``kc`` (rows ``K_A_G`` .. ``K_PHMAX``; ``K_PCMAX`` is the caller's).

    ``ve`` is the building's ventilation schedule value of the hour (``H_ve = H_ve,0 + H_ve,s
    ve``; any finite value when ``H_ve,s = 0``).

    ISO 13790 C.2, C.6, §12.2.2: the free-floating air and mass temperatures after one hour are
    affine in the gain schedule value, the solar heat flow, the outdoor temperature and the
    previous mass temperature; the coefficients come from the C.2-C.11 step for unit inputs,
    one at a time. Shared by both 5R1C kernels (same operations in the same order).
    """
    h_ve = bld.h_ve_w_k[b] + bld.h_ve_sched_w_k[b] * ve
    h_is = H_IS * bld.a_t_m2[b]
    h_w = bld.h_tr_w_w_k[b]
    h_ms = H_MS * bld.a_m_m2[b]
    h_op = bld.h_tr_op_w_k[b]
    if bld.film_correction[b]:
        scale = h_is / (h_is - (h_w + h_op))
        h_w *= scale
        h_op *= scale
    h_em = 0.0
    if h_op > 0.0:
        h_em = 1.0 / (1.0 / h_op - 1.0 / h_ms)
    cap = bld.c_m_j_k[b] / 3600.0
    a_ia = h_is / (h_ve + h_is)  # = H_tr,1 / H_ve
    h1 = h_ve * a_ia  # H_tr,1
    h2 = h1 + h_w  # H_tr,2
    h3_h2 = h_ms / (h2 + h_ms)  # H_tr,3 / H_tr,2 (defined also for H_tr,2 = 0)
    h3 = h2 * h3_h2  # H_tr,3 = 1 / (1 / H_tr,2 + 1 / H_tr,ms)
    f_m = bld.a_m_m2[b] / bld.a_t_m2[b]
    inv_den_m = 1.0 / (cap + 0.5 * (h3 + h_em))
    inv_s = 1.0 / (h_ms + h_w + h1)
    inv_air = 1.0 / (h_is + h_ve)
    # slope of theta_air with respect to Phi_HC
    p2 = h3_h2 * a_ia * inv_den_m  # d theta_m,t / d Phi
    p3 = (h_ms * 0.5 * p2 + a_ia) * inv_s  # d theta_s / d Phi
    k = (h_is * p3 + 1.0) * inv_air  # d theta_air / d Phi
    f_st = 1.0 - f_m - h_w / (H_MS * bld.a_t_m2[b])
    num = cap - 0.5 * (h3 + h_em)
    gain = bld.gain_w[b]
    conv = bld.gain_conv_frac[b]
    # ISO 13790 C.2-C.11 with Phi_HC = 0 for unit inputs, one at a time: gain schedule
    # value, solar heat flow, outdoor temperature, previous mass temperature
    for e in range(4):
        g_s = 1.0 if e == 0 else 0.0
        q_sol = 1.0 if e == 1 else 0.0
        t_e = 1.0 if e == 2 else 0.0
        t_mo = 1.0 if e == 3 else 0.0
        phi_int = gain * g_s
        phi_ia = conv * phi_int
        phi_rad = phi_int - phi_ia + q_sol
        to_s = f_st * phi_rad + (h_w + h1) * t_e + a_ia * phi_ia  # C.4-C.5 terms to theta_s
        phi_mtot = f_m * phi_rad + h_em * t_e + h3_h2 * to_s  # C.5
        t_m_new = (t_mo * num + phi_mtot) * inv_den_m  # C.4
        t_s = (0.5 * h_ms * (t_m_new + t_mo) + to_s) * inv_s  # C.10
        t_air = (h_is * t_s + h_ve * t_e + phi_ia) * inv_air  # C.11
        kc[K_A_G + e, j] = t_air
        kc[K_B_G + e, j] = t_m_new
    kc[K_K, j] = k
    kc[K_IK, j] = 1.0 / k
    kc[K_P2, j] = p2
    kc[K_PHMAX, j] = bld.phi_h_max_w[b]


@jit(inline="always")
def lane_solar_coefficients(bld, b, j, coef):
    """Monthly collecting area of building ``b`` per surface group into lane ``j`` of ``coef`` (12, n_g, BLOCK), m2."""
    n_g = bld.sol_coeff_m2.shape[1]
    has_shade = bld.shade_factor.shape[0] > 0
    for m in range(12):
        for g in range(n_g):
            if has_shade:
                coef[m, g, j] = bld.sol_coeff_m2[b, g] * bld.shade_factor[b, g, m]
            else:
                coef[m, g, j] = bld.sol_coeff_m2[b, g]


@jit(inline="always")
def block_ventilation(bld, ve_schedule, h, lane_b, vp, lane_v, kc):
    """Constants of the lanes with scheduled ventilation whose schedule value changes in hour ``h``.

    ``lane_b``, ``vp``: building and ventilation profile of each lane; ``lane_v``: the value the
    lane's constants were computed with (updated). Shared by both 5R1C kernels.
    """
    for j in range(lane_b.shape[0]):
        b = lane_b[j]
        if bld.h_ve_sched_w_k[b] != 0.0:
            v = ve_schedule[vp[j], h]
            if v != lane_v[j]:
                lane_v[j] = v
                lane_constants(bld, b, j, v, kc)


@jit(inline="always")
def lane_start(bld, b, j, kc, coef, lane_b, vp, lane_v):
    """Put building ``b`` in lane ``j``: its constants without scheduled ventilation (``kc``), its
    monthly collecting areas (``coef``), building and ventilation profile (``lane_b``, ``vp``).

    ``lane_v[j]`` is set to NaN: a lane with scheduled ventilation gets its constants again in
    its first hour (:func:`block_ventilation`). Shared by both 5R1C kernels.
    """
    lane_constants(bld, b, j, 0.0, kc)
    lane_b[j] = b
    vp[j] = bld.ve_profile[b]
    lane_v[j] = np.nan
    lane_solar_coefficients(bld, b, j, coef)


@jit(inline="always")
def block_ventilation_profile(bld, lane_b, vp):
    """How the lanes of a block read their scheduled ventilation: ``(n_vent, vent_uniform, vp_u)``.

    ``n_vent``: lanes with a scheduled flow (``h_ve_sched_w_k != 0``); ``vent_uniform``: all of
    them on one profile, ``vp_u`` (then the block reads one value per hour). Shared by both 5R1C kernels.
    """
    n_vent = 0
    vent_uniform = True
    vp_u = 0
    for j in range(lane_b.shape[0]):
        if bld.h_ve_sched_w_k[lane_b[j]] != 0.0:
            if n_vent > 0 and vp[j] != vp_u:
                vent_uniform = False
            vp_u = vp[j] if n_vent == 0 else vp_u
            n_vent += 1
    return n_vent, vent_uniform, vp_u


@jit(inline="always")
def block_ventilation_hour(bld, ve_schedule, h, lane_b, vp, lane_v, kc, n_vent, vent_uniform, vp_u, v_last):
    """The constants of a block for the ventilation of hour ``h``; returns the new ``v_last``.

    ``n_vent``, ``vent_uniform``, ``vp_u`` from :func:`block_ventilation_profile`; ``v_last``:
    the value of profile ``vp_u`` the block was last updated for (NaN before the first hour).
    A block on one profile skips the lane pass in hours where that value does not change.
    Shared by both 5R1C kernels.
    """
    if n_vent > 0:
        v_u = ve_schedule[vp_u, h]
        if not vent_uniform or v_u != v_last:
            v_last = v_u
            block_ventilation(bld, ve_schedule, h, lane_b, vp, lane_v, kc)
    return v_last


@jit(inline="always")
def block_solar_flow(irr_hg, h, mo, coef, act, aiv, sol):
    """Solar and sky long-wave heat flow of every lane of a block in hour ``h`` (month ``mo``) into ``sol``, W.

    Groups without irradiance in this hour (every solar group at night) add exact zeros and are
    skipped; the others are added in group order, four per pass over the lanes. ``act`` (int64)
    and ``aiv`` (n_g,) are scratch. Shared by both 5R1C kernels (same sums in the same order).
    """
    na = 0
    for g in range(irr_hg.shape[1]):
        ig = irr_hg[h, g]
        if ig != 0.0:
            act[na] = g
            aiv[na] = ig
            na += 1
    for j in range(sol.shape[0]):
        sol[j] = 0.0
    q = 0
    while q + 4 <= na:
        g0, g1, g2, g3 = act[q], act[q + 1], act[q + 2], act[q + 3]
        i0, i1, i2, i3 = aiv[q], aiv[q + 1], aiv[q + 2], aiv[q + 3]
        for j in range(sol.shape[0]):
            s = sol[j] + coef[mo, g0, j] * i0
            s = s + coef[mo, g1, j] * i1
            s = s + coef[mo, g2, j] * i2
            sol[j] = s + coef[mo, g3, j] * i3
        q += 4
    while q < na:
        g0 = act[q]
        i0 = aiv[q]
        for j in range(sol.shape[0]):
            sol[j] += coef[mo, g0, j] * i0
        q += 1


@jit_parallel
def simulate_5r1c(building, climate, control, warmup_hours, theta_m0_c, n_chunks, order, out):
    """Simulate ``n_b`` single-zone buildings for ``n_h`` hours (ISO 13790 Annex C).

    The caller validates the inputs (positive areas and capacities, ``0 <= H_tr,op < 9.1 A_m``)
    and allocates every output.

    Parameters
    ----------
    building : Building5R1C
        Per-building constants (``n_b`` rows).
    climate : Climate5R1C
        Outdoor temperature, irradiance per surface group, month and gain schedules (``n_h`` hours).
    control : Control5R1C
        Setpoint profile and cooling limit per building, heating and cooling setpoint schedules.
    warmup_hours : int
        Hours simulated before hour 0 (the last hours of the series, wrapped).
    theta_m0_c : float
        Initial mass temperature, degC.
    n_chunks : int
        Number of building chunks (parallel work items), 1 <= n_chunks <= number of blocks.
    order : int64 (n_s,)
        The buildings simulated (distinct rows of ``building``), in simulation order (buildings
        that share schedule profiles next to each other; ``arange(n_b)`` is valid). A subset
        may be given: the rows not in it are read nowhere (their constants need not be valid)
        and left unwritten in ``out``.
    out : AnnualOutputs5R1C
        Written, one row per building of ``order`` (see the class).
    """
    t_out_c, irr_hg, month, gain_schedule = climate.t_out_c, climate.irr_hg, climate.month, climate.gain_schedule
    ve_schedule = climate.ve_schedule
    heat_setpoint_c, cool_setpoint_c = control.heat_setpoint_c, control.cool_setpoint_c
    # outputs as local names: a write through a tuple field inside a prange loop is lost
    # (Numba issues 5872, 7135, 10338; tests/test_kernel_signatures.py rejects it)
    out_heat_wh, out_cool_wh = out.heat_wh, out.cool_wh
    out_monthly_heat_wh, out_monthly_cool_wh = out.monthly_heat_wh, out.monthly_cool_wh
    out_peak_heat_w, out_peak_heat_hour = out.peak_heat_w, out.peak_heat_hour
    out_peak_cool_w, out_peak_cool_hour = out.peak_cool_w, out.peak_cool_hour
    out_t_air_min_c, out_t_air_max_c, out_t_air_mean_c = out.t_air_min_c, out.t_air_max_c, out.t_air_mean_c
    out_hourly_phi_hc_w, out_hourly_t_air_c = out.hourly_phi_hc_w, out.hourly_t_air_c
    n_s = order.shape[0]  # the buildings simulated
    n_h = t_out_c.shape[0]
    n_g = irr_hg.shape[1]
    want_phi = out_hourly_phi_hc_w.shape[0] > 0
    want_t = out_hourly_t_air_c.shape[0] > 0
    n_blocks = (n_s + BLOCK - 1) // BLOCK
    for c in prange(n_chunks):
        # per-chunk scratch for one block of BLOCK buildings: constants kc (read-only in the
        # hour loop), solar heat flow sol, state st; lanes are contiguous so the lane loops vectorise
        coef = np.empty((12, n_g, BLOCK))
        kc = np.empty((N_CONST, BLOCK))
        sol = np.empty(BLOCK)
        st = np.empty((N_STATE, BLOCK))
        gp = np.empty(BLOCK, dtype=np.int64)
        sp = np.empty(BLOCK, dtype=np.int64)
        pk_hi = np.empty(BLOCK, dtype=np.int64)
        pk_ci = np.empty(BLOCK, dtype=np.int64)
        m_h = np.empty((12, BLOCK))
        m_c = np.empty((12, BLOCK))
        act = np.empty(n_g, dtype=np.int64)
        aiv = np.empty(n_g)
        lane_g = np.empty(BLOCK)
        lane_hs = np.empty(BLOCK)
        lane_cs = np.empty(BLOCK)
        lane_b = np.empty(BLOCK, dtype=np.int64)
        vp = np.empty(BLOCK, dtype=np.int64)
        lane_v = np.empty(BLOCK)
        for blk in range(c * n_blocks // n_chunks, (c + 1) * n_blocks // n_chunks):
            b0 = blk * BLOCK
            nb = min(BLOCK, n_s - b0)
            for j in range(BLOCK):
                # padding lanes of the last block repeat its first building (results discarded)
                b = order[b0 + j] if j < nb else order[b0]
                # ---- per-building constants (ISO 13790 C.2, C.6, §12.2.2)
                lane_start(building, b, j, kc, coef, lane_b, vp, lane_v)
                kc[K_PCMAX, j] = -control.phi_c_max_w[b]
                gp[j] = building.gain_profile[b]
                sp[j] = control.setpoint_profile[b]
                for m in range(12):
                    m_h[m, j] = 0.0
                    m_c[m, j] = 0.0
                st[S_TM, j] = theta_m0_c
                st[S_QH, j] = 0.0
                st[S_QC, j] = 0.0
                st[S_PKH, j] = 0.0
                st[S_PKC, j] = 0.0
                st[S_TMIN, j] = np.inf
                st[S_TMAX, j] = -np.inf
                st[S_TSUM, j] = 0.0
                pk_hi[j] = -1
                pk_ci[j] = -1
            uniform = True
            for j in range(BLOCK):
                uniform = uniform and gp[j] == gp[0] and sp[j] == sp[0]
            n_vent, vent_uniform, vp_u = block_ventilation_profile(building, lane_b, vp)
            v_last = np.nan
            for step in range(warmup_hours + n_h):
                h = step - warmup_hours
                record = h >= 0
                if not record:
                    h += n_h
                te = t_out_c[h]
                mo = month[h]
                v_last = block_ventilation_hour(building, ve_schedule, h, lane_b, vp, lane_v, kc, n_vent, vent_uniform, vp_u, v_last)
                block_solar_flow(irr_hg, h, mo, coef, act, aiv, sol)
                # the ISO 13790 step and the control, one pass per lane; schedules read once per
                # block when every lane follows the same profiles
                if uniform:
                    g_u = gain_schedule[gp[0], h]
                    hs_u = heat_setpoint_c[sp[0], h]
                    cs_u = cool_setpoint_c[sp[0], h]
                    if record:
                        for j in range(BLOCK):
                            ta, phi = _step(kc, st, sol, j, g_u, te, hs_u, cs_u)
                            _record(st, m_h, m_c, pk_hi, pk_ci, j, ta, phi, h, mo)
                    else:
                        for j in range(BLOCK):
                            _step(kc, st, sol, j, g_u, te, hs_u, cs_u)
                else:
                    for j in range(BLOCK):
                        lane_g[j] = gain_schedule[gp[j], h]
                        lane_hs[j] = heat_setpoint_c[sp[j], h]
                        lane_cs[j] = cool_setpoint_c[sp[j], h]
                    if record:
                        for j in range(BLOCK):
                            ta, phi = _step(kc, st, sol, j, lane_g[j], te, lane_hs[j], lane_cs[j])
                            _record(st, m_h, m_c, pk_hi, pk_ci, j, ta, phi, h, mo)
                    else:
                        for j in range(BLOCK):
                            _step(kc, st, sol, j, lane_g[j], te, lane_hs[j], lane_cs[j])
                if record:
                    if want_phi:
                        for j in range(nb):
                            out_hourly_phi_hc_w[order[b0 + j], h] = st[S_PHI, j]
                    if want_t:
                        for j in range(nb):
                            out_hourly_t_air_c[order[b0 + j], h] = st[S_TA, j]
            for j in range(nb):
                b = order[b0 + j]
                out_heat_wh[b] = st[S_QH, j]
                out_cool_wh[b] = st[S_QC, j]
                out_peak_heat_w[b] = st[S_PKH, j]
                out_peak_heat_hour[b] = pk_hi[j]
                out_peak_cool_w[b] = st[S_PKC, j]
                out_peak_cool_hour[b] = pk_ci[j]
                out_t_air_min_c[b] = st[S_TMIN, j]
                out_t_air_max_c[b] = st[S_TMAX, j]
                out_t_air_mean_c[b] = st[S_TSUM, j] / n_h
                for m in range(12):
                    out_monthly_heat_wh[b, m] = m_h[m, j]
                    out_monthly_cool_wh[b, m] = m_c[m, j]
