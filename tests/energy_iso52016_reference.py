"""Plain NumPy reference of the finer zone model (kernels/energy_iso52016.py), one building.

Literal backward-Euler step of the full node network, one linear solve per hour (ISO 52016-1
§6.5.6: ``(C / dt + K + g e_air e_air^T) x[t+1] = C / dt x[t] + F u + g theta_e e_air +
e_air Phi_HC``, ``g`` the scheduled ventilation conductance of the hour), and the ideal control
of ISO 52016-1 §6.5.5.2 / ISO 13790 C.4 done the long way: free float, then a 10 W/m2 trial,
linear interpolation to the setpoint, clipping at the power limits, and a final solve with the
power found. Hourly convective links (``net.conv_node``, the ``tarp`` interior convection):
each hour the conductance matrix is rebuilt with ``h_j = max(0.1, c_j |d_j|^(1/3))`` from the
previous hour's surface-air differences ``d_j`` (``c_j = conv_c_pos`` if the surface was warmer,
else ``conv_c_neg``) in place of ``conv_h0_w_m2k`` (no Sherman-Morrison update, no modal form):
it checks the kernel's algebra.
"""

from __future__ import annotations

import numpy as np


def simulate_network_reference(
    net,
    *,
    t_out_c: np.ndarray,
    irr_hg: np.ndarray,
    gain_schedule: np.ndarray,
    heat_setpoint_c: np.ndarray,
    cool_setpoint_c: np.ndarray,
    ve_schedule: np.ndarray,
    month: np.ndarray,
    phi_h_max_w: float = np.inf,
    phi_c_max_w: float = np.inf,
    warmup_hours: int = 720,
    theta0_c: float = 20.0,
    a_f_m2: float = 1.0,
    dt_s: float = 3600.0,
) -> dict:
    """Simulate one network (``twin.energy.iso52016.Network``) hour by hour.

    Setpoints are NaN when off. Returns ``heat_wh``, ``cool_wh``, ``monthly_heat_wh``,
    ``monthly_cool_wh`` (12,), ``peak_heat_w``, ``peak_heat_hour``, ``peak_cool_w``,
    ``peak_cool_hour``, ``t_air_min_c``, ``t_air_max_c``, ``t_air_mean_c``, ``phi_hc_w`` and
    ``t_air_c`` (n_h,).
    """
    n = len(net.names)
    n_h = len(t_out_c)
    cap = net.c_j_k / dt_s
    x = np.full(n, theta0_c)
    air = net.air
    warm = min(warmup_hours, n_h)
    phi_out = np.zeros(n_h)
    ta_out = np.zeros(n_h)

    def solve(m, rhs, phi):
        r = rhs.copy()
        r[air] += phi
        return np.linalg.solve(m, r)

    conv = np.asarray(net.conv_node, dtype=np.int64)
    for step in range(warm + n_h):
        h = n_h - warm + step if step < warm else step - warm
        u = np.concatenate(([t_out_c[h], gain_schedule[h]], irr_hg[h]))
        g = net.h_ve_sched_w_k * ve_schedule[h]
        m = np.diag(cap) + net.k_w_k
        for j, node in enumerate(conv):
            d = x[node] - x[air]
            c = net.conv_c_pos[j] if d > 0 else net.conv_c_neg[j]
            dh = (max(0.1, c * abs(d) ** (1.0 / 3.0)) - net.conv_h0_w_m2k[j]) * net.conv_area_m2[j]
            m[node, node] += dh
            m[air, air] += dh
            m[node, air] -= dh
            m[air, node] -= dh
        m[air, air] += g
        rhs = cap * x + net.f_in @ u
        rhs[air] += g * t_out_c[h]
        x0 = solve(m, rhs, 0.0)
        t0 = x0[air]
        hs, cs = heat_setpoint_c[h], cool_setpoint_c[h]
        phi = 0.0
        if (not np.isnan(hs) and t0 < hs) or (not np.isnan(cs) and t0 > cs):
            target = hs if (not np.isnan(hs) and t0 < hs) else cs
            phi10 = 10.0 * a_f_m2
            t10 = solve(m, rhs, phi10)[air]
            phi = phi10 * (target - t0) / (t10 - t0)
            phi = min(phi, phi_h_max_w) if phi > 0 else max(phi, -phi_c_max_w)
        x = solve(m, rhs, phi) if phi != 0.0 else x0
        if step >= warm:
            phi_out[h] = phi
            ta_out[h] = x[air]
    ph = np.maximum(phi_out, 0.0)
    pc = np.maximum(-phi_out, 0.0)
    mh = np.zeros(12)
    mc = np.zeros(12)
    np.add.at(mh, month, ph)
    np.add.at(mc, month, pc)
    return {
        "heat_wh": float(ph.sum()),
        "cool_wh": float(pc.sum()),
        "monthly_heat_wh": mh,
        "monthly_cool_wh": mc,
        "peak_heat_w": float(ph.max()),
        "peak_heat_hour": int(np.argmax(ph)) if ph.max() > 0 else -1,
        "peak_cool_w": float(pc.max()),
        "peak_cool_hour": int(np.argmax(pc)) if pc.max() > 0 else -1,
        "t_air_min_c": float(ta_out.min()),
        "t_air_max_c": float(ta_out.max()),
        "t_air_mean_c": float(ta_out.mean()),
        "phi_hc_w": phi_out,
        "t_air_c": ta_out,
    }
