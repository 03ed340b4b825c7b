"""ISO 13790 5R1C heating over arbitrary periods, from a given mass temperature (state in, state out).

The annual kernel (:mod:`twin.kernels.energy_5r1c`) starts every run from a warm-up and sums
by calendar month. Calibration against meter readings and a recursive filter need two more
things, which this kernel adds:

* **periods**: every hour carries the index of the meter period it belongs to (a bill, a
  month, a day, an hour; ``-1``: not recorded) and the heating energy is summed per period;
* **state**: the run starts from each building's mass temperature ``theta_m`` (the only state
  of the 5R1C network: the air and surface nodes are algebraic) and leaves the final one in
  the same array, so a filter can advance every ensemble member by one day at a time.

Heating only (ideal control to a heating setpoint, clipped at the heating power limit); the
setpoint of building ``b`` in hour ``h`` is ``heat_setpoint_c[b] + setpoint_offset_k[h]`` (a
shared schedule, e.g. a night setback; ``-inf`` anywhere: heating off). The equations, the
per-building constants and the order of the floating-point operations are those of
:func:`twin.kernels.energy_5r1c.simulate_5r1c` (ISO 13790 C.2-C.11 in affine form, closed-form
C.4 control), so monthly totals agree with it.

Hours are taken from the series cyclically: step ``s`` of a run uses hour
``(start_hour + s) mod n_h``, so a warm-up over the last hours of a typical year is a run with
``start_hour = n_h - w`` and ``record = False``.

Layout: ``prange`` over chunks of blocks of ``BLOCK`` buildings (lanes side by side in the hour
loop, as in the annual kernel); each chunk writes only its own rows.

References
----------
ISO 13790:2008, Annex C, §7.2.2.2, §12.2.2.
"""

from __future__ import annotations

import numpy as np

from twin.kernels.config import jit_parallel, prange

#: ISO 13790 §12.2.2 and §7.2.2.2, W/(m2 K).
H_MS = 9.1
H_IS = 3.45
#: Buildings advanced side by side in one hour loop.
BLOCK = 64


@jit_parallel
def run_periods_5r1c(
    a_t_m2,
    h_ve_w_k,
    h_tr_w_w_k,
    h_tr_op_w_k,
    c_m_j_k,
    a_m_m2,
    gain_w,
    gain_conv_frac,
    gain_profile,
    heat_setpoint_c,
    phi_h_max_w,
    sol_coeff_m2,
    shade_factor,
    t_out_c,
    irr_hg,
    month,
    gain_schedule,
    setpoint_offset_k,
    period,
    start_hour,
    n_steps,
    record,
    film_correction,
    n_chunks,
    theta_m_c,
    out_period_heat_wh,
    out_hourly_heat_w,
    out_hourly_t_air_c,
):
    """Advance ``n_b`` buildings by ``n_steps`` hours; sum the heating energy per period.

    Parameters
    ----------
    a_t_m2, h_ve_w_k, h_tr_w_w_k, h_tr_op_w_k, c_m_j_k, a_m_m2 : (n_b,) float64
        ``A_t`` (m2), ``H_ve``, ``H_tr,w``, ``H_tr,op`` (W/K), ``C_m`` (J/K), ``A_m`` (m2); the
        caller checks them (positive areas and capacity, ``H_tr,op < 9.1 A_m``).
    gain_w, gain_conv_frac : (n_b,) internal gains at schedule value 1 (W) and convective share.
    gain_profile : (n_b,) int64, row of ``gain_schedule``.
    heat_setpoint_c : (n_b,) heating setpoint, degC (``-inf``: heating off).
    phi_h_max_w : (n_b,) heating power limit, W (``inf``: unlimited).
    sol_coeff_m2 : (n_b, n_g) effective collecting area per surface group, m2.
    shade_factor : (n_b, n_g, 12) monthly shading factor, or shape (0, 0, 0) for none.
    t_out_c : (n_h,) outdoor temperature, degC.
    irr_hg : (n_h, n_g) irradiance per hour and group, W/m2 (hour-major).
    month : (n_h,) int64, month 0..11 of each hour.
    gain_schedule : (n_gp, n_h) multiplier of the gains.
    setpoint_offset_k : (n_h,) offset added to every setpoint, K (``-inf``: heating off).
    period : (n_h,) int64, period index of each hour (``-1``: not summed).
    start_hour, n_steps : int, first hour and number of hours (cyclic over the series).
    record : bool, sum into the outputs (False: warm-up, only the state moves).
    film_correction : bool, as in :func:`twin.kernels.energy_5r1c.simulate_5r1c`.
    n_chunks : int, parallel work items (1 <= n_chunks <= number of blocks).

    State and outputs (written in place)
    ------------------------------------
    theta_m_c : (n_b,) mass temperature, degC: read at the start, overwritten by the final one.
    out_period_heat_wh : (n_b, n_p) heating energy per period, Wh (added to what it holds).
    out_hourly_heat_w : (n_b, n_steps) heating power of each step, W, or shape (0, 0).
    out_hourly_t_air_c : (n_b, n_steps) air temperature of each step, degC, or shape (0, 0).
    """
    n_b = a_t_m2.shape[0]
    n_h = t_out_c.shape[0]
    n_g = irr_hg.shape[1]
    n_p = out_period_heat_wh.shape[1]
    has_shade = shade_factor.shape[0] > 0
    want_phi = out_hourly_heat_w.shape[0] > 0
    want_t = out_hourly_t_air_c.shape[0] > 0
    n_blocks = (n_b + BLOCK - 1) // BLOCK
    for c in prange(n_chunks):
        coef = np.empty((12, n_g, BLOCK))
        k_ag = np.empty(BLOCK)
        k_asol = np.empty(BLOCK)
        k_ate = np.empty(BLOCK)
        k_atm = np.empty(BLOCK)
        k_bg = np.empty(BLOCK)
        k_bsol = np.empty(BLOCK)
        k_bte = np.empty(BLOCK)
        k_btm = np.empty(BLOCK)
        k_k = np.empty(BLOCK)
        k_ik = np.empty(BLOCK)
        k_p2 = np.empty(BLOCK)
        k_pmax = np.empty(BLOCK)
        hs = np.empty(BLOCK)
        gp = np.empty(BLOCK, dtype=np.int64)
        tm = np.empty(BLOCK)
        sol = np.empty(BLOCK)
        phi = np.empty(BLOCK)
        tav = np.empty(BLOCK)
        gsv = np.empty(BLOCK)
        act = np.empty(n_g, dtype=np.int64)
        aiv = np.empty(n_g)
        for blk in range(c * n_blocks // n_chunks, (c + 1) * n_blocks // n_chunks):
            b0 = blk * BLOCK
            nb = min(BLOCK, n_b - b0)
            for j in range(BLOCK):
                # padding lanes repeat the block's first building (results discarded)
                b = b0 + j if j < nb else b0
                h_ve = h_ve_w_k[b]
                h_is = H_IS * a_t_m2[b]
                h_w = h_tr_w_w_k[b]
                h_ms = H_MS * a_m_m2[b]
                h_op = h_tr_op_w_k[b]
                if film_correction:
                    scale = h_is / (h_is - (h_w + h_op))
                    h_w *= scale
                    h_op *= scale
                h_em = 0.0
                if h_op > 0.0:
                    h_em = 1.0 / (1.0 / h_op - 1.0 / h_ms)
                cap = c_m_j_k[b] / 3600.0
                a_ia = h_is / (h_ve + h_is)
                h1 = h_ve * a_ia
                h2 = h1 + h_w
                h3_h2 = h_ms / (h2 + h_ms)
                h3 = h2 * h3_h2
                f_m = a_m_m2[b] / a_t_m2[b]
                inv_den_m = 1.0 / (cap + 0.5 * (h3 + h_em))
                inv_s = 1.0 / (h_ms + h_w + h1)
                inv_air = 1.0 / (h_is + h_ve)
                p2 = h3_h2 * a_ia * inv_den_m
                p3 = (h_ms * 0.5 * p2 + a_ia) * inv_s
                k = (h_is * p3 + 1.0) * inv_air
                f_st = 1.0 - f_m - h_w / (H_MS * a_t_m2[b])
                num = cap - 0.5 * (h3 + h_em)
                # the free-floating step for unit inputs (gain schedule value, solar heat flow,
                # outdoor temperature, previous mass temperature), ISO 13790 C.2-C.11
                for e in range(4):
                    g_s = 1.0 if e == 0 else 0.0
                    q_sol = 1.0 if e == 1 else 0.0
                    t_e = 1.0 if e == 2 else 0.0
                    t_mo = 1.0 if e == 3 else 0.0
                    phi_int = gain_w[b] * g_s
                    phi_ia = gain_conv_frac[b] * phi_int
                    phi_rad = phi_int - phi_ia + q_sol
                    to_s = f_st * phi_rad + (h_w + h1) * t_e + a_ia * phi_ia
                    phi_mtot = f_m * phi_rad + h_em * t_e + h3_h2 * to_s
                    t_m_new = (t_mo * num + phi_mtot) * inv_den_m
                    t_s = (0.5 * h_ms * (t_m_new + t_mo) + to_s) * inv_s
                    t_air = (h_is * t_s + h_ve * t_e + phi_ia) * inv_air
                    if e == 0:
                        k_ag[j] = t_air
                        k_bg[j] = t_m_new
                    elif e == 1:
                        k_asol[j] = t_air
                        k_bsol[j] = t_m_new
                    elif e == 2:
                        k_ate[j] = t_air
                        k_bte[j] = t_m_new
                    else:
                        k_atm[j] = t_air
                        k_btm[j] = t_m_new
                k_k[j] = k
                k_ik[j] = 1.0 / k
                k_p2[j] = p2
                k_pmax[j] = phi_h_max_w[b]
                hs[j] = heat_setpoint_c[b]
                gp[j] = gain_profile[b]
                tm[j] = theta_m_c[b]
                for m in range(12):
                    for g in range(n_g):
                        if has_shade:
                            coef[m, g, j] = sol_coeff_m2[b, g] * shade_factor[b, g, m]
                        else:
                            coef[m, g, j] = sol_coeff_m2[b, g]
            uniform = True
            for j in range(BLOCK):
                uniform = uniform and gp[j] == gp[0]
            for step in range(n_steps):
                h = (start_hour + step) % n_h
                te = t_out_c[h]
                mo = month[h]
                off = setpoint_offset_k[h]
                p = period[h]
                # solar heat flow: groups without irradiance (all solar groups at night) are
                # skipped; the others are added in group order, four per pass over the lanes
                na = 0
                for g in range(n_g):
                    ig = irr_hg[h, g]
                    if ig != 0.0:
                        act[na] = g
                        aiv[na] = ig
                        na += 1
                for j in range(BLOCK):
                    sol[j] = 0.0
                q = 0
                while q + 4 <= na:
                    g0, g1, g2, g3 = act[q], act[q + 1], act[q + 2], act[q + 3]
                    i0, i1, i2, i3 = aiv[q], aiv[q + 1], aiv[q + 2], aiv[q + 3]
                    for j in range(BLOCK):
                        s_ = sol[j] + coef[mo, g0, j] * i0
                        s_ = s_ + coef[mo, g1, j] * i1
                        s_ = s_ + coef[mo, g2, j] * i2
                        sol[j] = s_ + coef[mo, g3, j] * i3
                    q += 4
                while q < na:
                    g0 = act[q]
                    i0 = aiv[q]
                    for j in range(BLOCK):
                        sol[j] += coef[mo, g0, j] * i0
                    q += 1
                if uniform:
                    g_u = gain_schedule[gp[0], h]
                    for j in range(BLOCK):
                        gsv[j] = g_u
                else:
                    for j in range(BLOCK):
                        gsv[j] = gain_schedule[gp[j], h]
                for j in range(BLOCK):
                    g_s = gsv[j]
                    tm_old = tm[j]
                    ta = k_ag[j] * g_s + k_asol[j] * sol[j] + k_ate[j] * te + k_atm[j] * tm_old
                    tm_new = k_bg[j] * g_s + k_bsol[j] * sol[j] + k_bte[j] * te + k_btm[j] * tm_old
                    need = (hs[j] + off - ta) * k_ik[j]
                    need = max(0.0, need)
                    need = min(k_pmax[j], need)
                    tav[j] = ta + k_k[j] * need
                    tm[j] = tm_new + k_p2[j] * need
                    phi[j] = need
                if record:
                    if p >= 0 and p < n_p:
                        for j in range(nb):
                            out_period_heat_wh[b0 + j, p] += phi[j]
                    if want_phi:
                        for j in range(nb):
                            out_hourly_heat_w[b0 + j, step] = phi[j]
                    if want_t:
                        for j in range(nb):
                            out_hourly_t_air_c[b0 + j, step] = tav[j]
            for j in range(nb):
                theta_m_c[b0 + j] = tm[j]
