"""Hourly ISO 13790 5R1C building model (Annex C, Crank-Nicolson), vectorised over buildings.

Nodes: air ``theta_air``, central (surface) ``theta_s``, mass ``theta_m`` (capacity ``C_m``).
Conductances per building: ``H_ve`` (air - supply at outdoor temperature), ``H_tr,is`` (air -
surface), ``H_tr,w`` (surface - outdoor, windows), ``H_tr,ms`` (surface - mass), ``H_tr,em``
(mass - outdoor). Heat flows: convective internal gains and the heating/cooling power
``Phi_HC`` at the air node; radiative internal gains plus solar gains split between the
surface node (``Phi_st``) and the mass node (``Phi_m``) as in ISO 13790 C.2:

    Phi_m  = A_m / A_t * Phi_rad
    Phi_st = (1 - A_m / A_t - H_tr,w / (9.1 A_t)) * Phi_rad

Optionally (``film_correction``) the envelope conductances are scaled so that the steady-state
loss of the network equals ``(H_tr,w + H_tr,op + H_ve) * dT`` (see the parameter).

Each hour is solved with the equations C.2 to C.11 of ISO 13790. The air temperature is an
affine function of ``Phi_HC`` with a slope ``k`` that depends only on the building constants, so
the ideal-load control of ISO 13790 C.4 (heat to the heating setpoint, cool to the cooling
setpoint, clip at the power limits) is solved in closed form:
``Phi_HC = clip((theta_set - theta_air,0) / k, -Phi_C,max, Phi_H,max)``. Setpoints that are
off arrive as ``-inf`` (heating) and ``+inf`` (cooling), so the control is branch-free.

Layout: ``prange`` over chunks of buildings; inside a chunk each building runs all hours
(building-major) so its state stays in registers; each chunk writes only its own rows of the
outputs. The shared arrays (outdoor temperature, irradiance, schedules) are read-only.

References
----------
ISO 13790:2008, Annex C (simple hourly method), §7.2.2.2, §12.2.2.
"""

from __future__ import annotations

import numpy as np

from twin.kernels.config import jit_parallel, prange

#: ISO 13790 §12.2.2 (W/(m2 K)), §7.2.2.2 (W/(m2 K)).
H_MS = 9.1
H_IS = 3.45


@jit_parallel
def simulate_5r1c(
    a_t_m2,
    h_ve_w_k,
    h_tr_w_w_k,
    h_tr_op_w_k,
    c_m_j_k,
    a_m_m2,
    gain_w,
    gain_conv_frac,
    gain_profile,
    setpoint_profile,
    phi_h_max_w,
    phi_c_max_w,
    sol_coeff_m2,
    shade_factor,
    t_out_c,
    irr_hg,
    month,
    gain_schedule,
    heat_setpoint_c,
    cool_setpoint_c,
    warmup_hours,
    theta_m0_c,
    film_correction,
    n_chunks,
    out_heat_wh,
    out_cool_wh,
    out_monthly_heat_wh,
    out_monthly_cool_wh,
    out_peak_heat_w,
    out_peak_heat_hour,
    out_peak_cool_w,
    out_peak_cool_hour,
    out_t_air_min_c,
    out_t_air_max_c,
    out_t_air_mean_c,
    out_hourly_phi_hc_w,
    out_hourly_t_air_c,
):
    """Simulate ``n_b`` single-zone buildings for ``n_h`` hours (ISO 13790 Annex C).

    All per-building inputs are float64 ``(n_b,)`` unless noted; the caller validates them
    (positive areas and capacities, ``0 <= H_tr,op < 9.1 A_m``) and allocates every output.

    Parameters
    ----------
    a_t_m2 : area of all surfaces facing the zone A_t, m2.
    h_ve_w_k, h_tr_w_w_k, h_tr_op_w_k : conductances H_ve, H_tr,w, H_tr,op, W/K.
    c_m_j_k : internal heat capacity C_m, J/K.
    a_m_m2 : effective mass area A_m, m2.
    gain_w : internal gains at schedule value 1, W.
    gain_conv_frac : convective fraction of internal gains (to the air node).
    gain_profile, setpoint_profile : int64 (n_b,), rows of the schedules.
    phi_h_max_w, phi_c_max_w : heating / cooling power limits (>= 0, may be inf), W.
    sol_coeff_m2 : (n_b, n_g) effective collecting area per surface group, m2.
    shade_factor : (n_b, n_g, 12) monthly shading factor, or shape (0, 0, 0) for none.
    t_out_c : (n_h,) outdoor temperature, degC.
    irr_hg : (n_h, n_g) irradiance per hour and group, W/m2 (hour-major).
    month : int64 (n_h,) month 0..11 of each hour.
    gain_schedule : (n_gp, n_h) gain multipliers.
    heat_setpoint_c, cool_setpoint_c : (n_sp, n_h) setpoints, degC; off = -inf / +inf.
    warmup_hours : int, hours simulated before hour 0 (the last hours of the series, wrapped).
    theta_m0_c : float, initial mass temperature, degC.
    film_correction : bool. If true, H_tr,w and H_tr,op are air-to-air conductances (U values
        with both surface resistances) and are both scaled by ``H_tr,is / (H_tr,is - H_tr)``
        (``H_tr = H_tr,w + H_tr,op``) so that the series path air -> H_tr,is -> envelope
        conducts exactly ``H_tr`` in steady state (the star network's ``H_tr,is`` already
        stands for the interior surface films). Requires ``H_tr < H_tr,is``.
    n_chunks : int, number of building chunks (parallel work items), >= 1.

    Outputs (written, one row per building)
    ---------------------------------------
    out_heat_wh, out_cool_wh : (n_b,) annual heating / cooling need (both >= 0), Wh.
    out_monthly_heat_wh, out_monthly_cool_wh : (n_b, 12), Wh.
    out_peak_heat_w, out_peak_cool_w : (n_b,) largest hourly power (cooling as positive), W.
    out_peak_heat_hour, out_peak_cool_hour : int64 (n_b,) hour index of the peak (-1: none).
    out_t_air_min_c, out_t_air_max_c, out_t_air_mean_c : (n_b,) air temperature, degC.
    out_hourly_phi_hc_w : (n_b, n_h) heating (+) / cooling (-) power, W, or shape (0, 0).
    out_hourly_t_air_c : (n_b, n_h) air temperature, degC, or shape (0, 0).
    """
    n_b = a_t_m2.shape[0]
    n_h = t_out_c.shape[0]
    n_g = irr_hg.shape[1]
    has_shade = shade_factor.shape[0] > 0
    want_phi = out_hourly_phi_hc_w.shape[0] > 0
    want_t = out_hourly_t_air_c.shape[0] > 0
    chunk = (n_b + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        b0 = c * chunk
        b1 = min(n_b, b0 + chunk)
        coef = np.empty((12, n_g))
        for b in range(b0, b1):
            # ---- per-building constants (ISO 13790 C.2, C.6, §12.2.2)
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
            a_ia = h_is / (h_ve + h_is)  # = H_tr,1 / H_ve
            h1 = h_ve * a_ia  # H_tr,1
            h2 = h1 + h_w  # H_tr,2
            h3_h2 = h_ms / (h2 + h_ms)  # H_tr,3 / H_tr,2 (defined also for H_tr,2 = 0)
            h3 = h2 * h3_h2  # H_tr,3 = 1 / (1 / H_tr,2 + 1 / H_tr,ms)
            f_m = a_m_m2[b] / a_t_m2[b]
            f_st = 1.0 - f_m - h_w / (H_MS * a_t_m2[b])
            cf = gain_conv_frac[b]
            g_int = gain_w[b]
            den_m = cap + 0.5 * (h3 + h_em)
            num_m = cap - 0.5 * (h3 + h_em)
            inv_den_m = 1.0 / den_m
            h_s_sum = h_ms + h_w + h1
            inv_s = 1.0 / h_s_sum
            inv_air = 1.0 / (h_is + h_ve)
            h_e_s = h_w + h1  # outdoor -> surface node conductance
            # slope of theta_air with respect to Phi_HC
            p2 = h3_h2 * a_ia * inv_den_m  # d theta_m,t / d Phi
            p3 = (h_ms * 0.5 * p2 + a_ia) * inv_s  # d theta_s / d Phi
            k = (h_is * p3 + 1.0) * inv_air  # d theta_air / d Phi
            inv_k = 1.0 / k
            ph_max = phi_h_max_w[b]
            pc_max = phi_c_max_w[b]
            gp = gain_profile[b]
            sp = setpoint_profile[b]
            for m in range(12):
                for g in range(n_g):
                    if has_shade:
                        coef[m, g] = sol_coeff_m2[b, g] * shade_factor[b, g, m]
                    else:
                        coef[m, g] = sol_coeff_m2[b, g]
            theta_m = theta_m0_c
            q_h = 0.0
            q_c = 0.0
            pk_h = 0.0
            pk_c = 0.0
            pk_h_i = -1
            pk_c_i = -1
            t_min = np.inf
            t_max = -np.inf
            t_sum = 0.0
            for m in range(12):
                out_monthly_heat_wh[b, m] = 0.0
                out_monthly_cool_wh[b, m] = 0.0
            for step in range(warmup_hours + n_h):
                h = step - warmup_hours
                record = h >= 0
                if not record:
                    h += n_h
                te = t_out_c[h]
                mo = month[h]
                phi_sol = 0.0
                for g in range(n_g):
                    phi_sol += coef[mo, g] * irr_hg[h, g]
                phi_int = g_int * gain_schedule[gp, h]
                phi_ia = cf * phi_int
                phi_rad = phi_int - phi_ia + phi_sol
                phi_m = f_m * phi_rad
                phi_st = f_st * phi_rad
                # free-floating step (Phi_HC = 0), ISO 13790 C.5, C.4, C.9, C.10, C.11
                phi_mtot = phi_m + h_em * te + h3_h2 * (phi_st + h_e_s * te + a_ia * phi_ia)
                tm_new = (theta_m * num_m + phi_mtot) * inv_den_m
                tm_avg = 0.5 * (tm_new + theta_m)
                ts = (h_ms * tm_avg + phi_st + h_e_s * te + a_ia * phi_ia) * inv_s
                ta = (h_is * ts + h_ve * te + phi_ia) * inv_air
                # ideal control to setpoints (closed form of ISO 13790 C.4)
                need_h = (heat_setpoint_c[sp, h] - ta) * inv_k
                need_c = (cool_setpoint_c[sp, h] - ta) * inv_k
                phi = min(max(need_h, 0.0), ph_max) + max(min(need_c, 0.0), -pc_max)
                ta += k * phi
                theta_m = tm_new + p2 * phi
                if record:
                    if phi > 0.0:
                        q_h += phi
                        out_monthly_heat_wh[b, mo] += phi
                        if phi > pk_h:
                            pk_h = phi
                            pk_h_i = h
                    elif phi < 0.0:
                        q_c -= phi
                        out_monthly_cool_wh[b, mo] -= phi
                        if -phi > pk_c:
                            pk_c = -phi
                            pk_c_i = h
                    t_min = min(t_min, ta)
                    t_max = max(t_max, ta)
                    t_sum += ta
                    if want_phi:
                        out_hourly_phi_hc_w[b, h] = phi
                    if want_t:
                        out_hourly_t_air_c[b, h] = ta
            out_heat_wh[b] = q_h
            out_cool_wh[b] = q_c
            out_peak_heat_w[b] = pk_h
            out_peak_heat_hour[b] = pk_h_i
            out_peak_cool_w[b] = pk_c
            out_peak_cool_hour[b] = pk_c_i
            out_t_air_min_c[b] = t_min
            out_t_air_max_c[b] = t_max
            out_t_air_mean_c[b] = t_sum / n_h
