"""Plain-Python reference of the ISO 13790 Annex C hourly 5R1C model (one building, one hour at a time).

Written straight from the standard's equations (C.1 to C.11) and its heating/cooling procedure
(C.4: free-floating temperature, then a trial with 10 W/m2, linear interpolation to the
setpoint, clipping at the power limits and recomputing the temperatures). No NumPy in the time
loop, no closed forms: it checks :func:`twin.kernels.energy_5r1c.simulate_5r1c`, which solves
the same model with a closed-form control step.
"""

from __future__ import annotations

import math

H_MS = 9.1
H_IS = 3.45


def _nodes(c, theta_m_prev, theta_e, phi_ia, phi_st, phi_m, phi_hc):
    """ISO 13790 C.2-C.11 for one hour: return (theta_m_t, theta_m, theta_s, theta_air)."""
    theta_sup = theta_e
    h_ve, h_is, h_w, h_ms, h_em, cm = c["h_ve"], c["h_is"], c["h_w"], c["h_ms"], c["h_em"], c["cm"]
    h1 = 1.0 / (1.0 / h_ve + 1.0 / h_is) if h_ve > 0 else 0.0
    h2 = h1 + h_w
    h3 = 1.0 / (1.0 / h2 + 1.0 / h_ms) if h2 > 0 else 0.0
    h3_over_h2 = h3 / h2 if h2 > 0 else 1.0  # limit for H_tr,2 -> 0
    # (Phi_ia + Phi_HC) / H_ve * H_tr,1 written as (Phi_ia + Phi_HC) * H_tr,is / (H_ve + H_tr,is)
    air_term = (phi_ia + phi_hc) * h_is / (h_ve + h_is)
    phi_mtot = phi_m + h_em * theta_e + h3_over_h2 * (phi_st + h_w * theta_e + air_term + h1 * theta_sup)
    theta_m_t = (theta_m_prev * (cm / 3600.0 - 0.5 * (h3 + h_em)) + phi_mtot) / (cm / 3600.0 + 0.5 * (h3 + h_em))
    theta_m = (theta_m_t + theta_m_prev) / 2.0
    theta_s = (h_ms * theta_m + phi_st + h_w * theta_e + h1 * theta_sup + air_term) / (h_ms + h_w + h1)
    theta_air = (h_is * theta_s + h_ve * theta_sup + phi_ia + phi_hc) / (h_is + h_ve)
    return theta_m_t, theta_m, theta_s, theta_air


def building_constants(a_f, a_t, h_ve, h_w, h_op, c_m, a_m, film_correction=False):
    """Conductances of the 5R1C network of one building (ISO 13790 §12.2.2, §7.2.2.2)."""
    h_is = H_IS * a_t
    if film_correction:
        s = h_is / (h_is - (h_w + h_op))
        h_w, h_op = h_w * s, h_op * s
    h_ms = H_MS * a_m
    h_em = 1.0 / (1.0 / h_op - 1.0 / h_ms) if h_op > 0 else 0.0
    return {"a_f": a_f, "a_t": a_t, "a_m": a_m, "h_ve": h_ve, "h_is": h_is, "h_w": h_w, "h_ms": h_ms, "h_em": h_em, "cm": c_m}


def simulate_building(
    c,
    t_out,
    phi_int,
    phi_sol,
    conv_frac,
    heat_sp,
    cool_sp,
    phi_h_max,
    phi_c_max,
    month,
    warmup_hours,
    theta_m0,
    h_ve_hourly=None,
):
    """Simulate one building hour by hour.

    ``t_out``, ``phi_int``, ``phi_sol``, ``heat_sp``, ``cool_sp``, ``month`` are Python lists
    of length n_h (setpoints: ``None`` or NaN = off). ``h_ve_hourly``: optional list of the
    ventilation conductance H_ve of each hour, W/K (replaces ``c["h_ve"]`` hour by hour).
    Returns a dict with annual, monthly and peak values and the hourly Phi_HC and air
    temperature lists.
    """
    n_h = len(t_out)
    f_m = c["a_m"] / c["a_t"]
    f_st = 1.0 - c["a_m"] / c["a_t"] - c["h_w"] / (H_MS * c["a_t"])
    phi_10 = 10.0 * c["a_f"]
    theta_m_prev = theta_m0
    out = {
        "heat_wh": 0.0,
        "cool_wh": 0.0,
        "monthly_heat_wh": [0.0] * 12,
        "monthly_cool_wh": [0.0] * 12,
        "peak_heat_w": 0.0,
        "peak_heat_hour": -1,
        "peak_cool_w": 0.0,
        "peak_cool_hour": -1,
        "t_min": math.inf,
        "t_max": -math.inf,
        "t_sum": 0.0,
        "phi": [0.0] * n_h,
        "t_air": [0.0] * n_h,
    }
    c_const = c
    for step in range(-warmup_hours, n_h):
        h = step if step >= 0 else step + n_h
        c = c_const if h_ve_hourly is None else {**c_const, "h_ve": h_ve_hourly[h]}
        te = t_out[h]
        phi_ia = conv_frac * phi_int[h]
        phi_rad = (1.0 - conv_frac) * phi_int[h] + phi_sol[h]
        phi_m = f_m * phi_rad
        phi_st = f_st * phi_rad
        th = heat_sp[h]
        tc = cool_sp[h]
        heat_on = th is not None and not math.isnan(th)
        cool_on = tc is not None and not math.isnan(tc)
        # step 1: free floating
        res0 = _nodes(c, theta_m_prev, te, phi_ia, phi_st, phi_m, 0.0)
        t0 = res0[3]
        if (not heat_on or t0 >= th) and (not cool_on or t0 <= tc):
            phi, res = 0.0, res0
        else:
            target = th if (heat_on and t0 < th) else tc
            # step 2: trial with 10 W/m2 and linear interpolation
            t10 = _nodes(c, theta_m_prev, te, phi_ia, phi_st, phi_m, phi_10)[3]
            phi_un = phi_10 * (target - t0) / (t10 - t0)
            # step 3: power limits
            if phi_un > phi_h_max:
                phi = phi_h_max
            elif phi_un < -phi_c_max:
                phi = -phi_c_max
            else:
                phi = phi_un
            res = _nodes(c, theta_m_prev, te, phi_ia, phi_st, phi_m, phi)
        theta_m_prev = res[0]
        if step < 0:
            continue
        ta = res[3]
        m = month[h]
        if phi > 0:
            out["heat_wh"] += phi
            out["monthly_heat_wh"][m] += phi
            if phi > out["peak_heat_w"]:
                out["peak_heat_w"], out["peak_heat_hour"] = phi, h
        elif phi < 0:
            out["cool_wh"] -= phi
            out["monthly_cool_wh"][m] -= phi
            if -phi > out["peak_cool_w"]:
                out["peak_cool_w"], out["peak_cool_hour"] = -phi, h
        out["t_min"] = min(out["t_min"], ta)
        out["t_max"] = max(out["t_max"], ta)
        out["t_sum"] += ta
        out["phi"][h] = phi
        out["t_air"][h] = ta
    out["t_mean"] = out["t_sum"] / n_h
    return out


def simulate_stock_reference(inputs, drivers, *, warmup_hours, theta_m0_c=20.0, film_correction=None):
    """Loop :func:`simulate_building` over the buildings of ``StockInputs`` / ``Drivers``.

    Each building's film correction is its ``inputs.film_correction`` unless ``film_correction``
    (a bool) is given; its ventilation conductance in hour h is ``h_ve_w_k + h_ve_sched_w_k *
    drivers.ve_schedule[ve_profile, h]``.
    """
    month = [int(m) for m in drivers.month_index()]
    t_out = [float(x) for x in drivers.t_out_c]
    n_h = len(t_out)
    n_g = len(drivers.groups)
    irr = [[float(drivers.irr_w_m2[g, h]) for h in range(n_h)] for g in range(n_g)]
    results = []
    for b in range(inputs.n_buildings):
        c = building_constants(
            float(inputs.a_f_m2[b]),
            float(inputs.a_t_m2[b]),
            float(inputs.h_ve_w_k[b]),
            float(inputs.h_tr_w_w_k[b]),
            float(inputs.h_tr_op_w_k[b]),
            float(inputs.c_m_j_k[b]),
            float(inputs.a_m_m2[b]),
            bool(inputs.film_correction[b]) if film_correction is None else film_correction,
        )
        h_ve_s = float(inputs.h_ve_sched_w_k[b])
        h_ve_hourly = None
        if h_ve_s != 0.0:
            vs = drivers.ve_schedule[int(inputs.ve_profile[b])]
            h_ve_hourly = [float(inputs.h_ve_w_k[b]) + h_ve_s * float(vs[h]) for h in range(n_h)]
        gains = float(inputs.gain_w_m2[b]) * float(inputs.a_f_m2[b])
        sched = drivers.gain_schedule[int(inputs.gain_profile[b])]
        phi_int = [gains * float(sched[h]) for h in range(n_h)]
        phi_sol = [0.0] * n_h
        for g in range(n_g):
            coeff = float(inputs.sol_coeff_m2[b, g])
            for h in range(n_h):
                shade = 1.0 if inputs.shade_factor is None else float(inputs.shade_factor[b, g, month[h]])
                phi_sol[h] += coeff * shade * irr[g][h]
        sp = int(inputs.setpoint_profile[b])
        heat = [float(x) for x in drivers.heat_setpoint_c[sp]]
        cool = [float(x) for x in drivers.cool_setpoint_c[sp]]
        results.append(
            simulate_building(
                c,
                t_out,
                phi_int,
                phi_sol,
                float(inputs.gain_conv_frac[b]),
                heat,
                cool,
                float(inputs.phi_h_max_w[b]),
                float(inputs.phi_c_max_w[b]),
                month,
                warmup_hours,
                theta_m0_c,
                h_ve_hourly,
            )
        )
    return results
