"""Plain NumPy reference of the finer zone model (kernels/energy_iso52016.py), one building.

Literal backward-Euler step of the full node network, one linear solve per hour (ISO 52016-1
§6.5.6: ``(C / dt + K + g e_air e_air^T) x[t+1] = C / dt x[t] + F u + g theta_e e_air +
e_air Phi_HC``, ``g`` the scheduled ventilation conductance of the hour), and the ideal control
of ISO 52016-1 §6.5.5.2 / ISO 13790 C.4 done the long way: free float, then a 10 W/m2 trial,
linear interpolation to the setpoint, clipping at the power limits, and a final solve with the
power found; the controlled temperature is the air node's, or ``net.control_weights . x`` (e.g.
the operative temperature) when the network has weights. Hourly convective links (``net.conv_node``, the ``tarp`` interior convection):
each hour the conductance matrix is rebuilt with ``h_j = max(0.1, c_j |d_j|^(1/3))`` from the
previous hour's surface-air differences ``d_j`` (``c_j = conv_c_pos`` if the surface was warmer,
else ``conv_c_neg``) in place of ``conv_h0_w_m2k`` (no Sherman-Morrison update, no modal form):
it checks the kernel's algebra. Links of other kinds (``net.conv_kind``): a gap link joins the
two pane nodes of a window (``net.conv_other``) with the ISO 15099 glazing conductance of the
previous hour's pane temperatures, computed here in plain Python (:func:`glazing_conductance_reference`);
a fixed link keeps ``conv_h0_w_m2k``; an exterior link (``conv_other`` -1: surface to the outdoor air)
takes the DOE-2 coefficient of :func:`exterior_doe2_reference` from the previous hour's surface -
outdoor difference (0 before the first hour) and this hour's wind.
"""

from __future__ import annotations

import numpy as np


def glazing_conductance_reference(t1_c: float, t2_c: float, gap_m: float, r_panes: float, eps_factor: float, height_m: float) -> float:
    """ISO 15099:2003 double glazing between pane surfaces at t1, t2 (degC), W/(m2 K), written out.

    Section 5.3.3.4 (vertical cavity), Table B.1 air properties, gas at 1e5 Pa; radiation of two
    grey panes linearised at their mean temperature; the panes' resistance in series.
    """
    t_m = 0.5 * (t1_c + t2_c) + 273.15
    conductivity = 2.873e-3 + 7.76e-5 * t_m
    viscosity = 3.723e-6 + 4.94e-8 * t_m
    heat_capacity = 1002.737 + 1.2324e-2 * t_m
    density = 1.0e5 * 0.02897 / (8.314462618 * t_m)
    rayleigh = density**2 * gap_m**3 * 9.81 * heat_capacity * abs(t1_c - t2_c) / (t_m * viscosity * conductivity)
    if rayleigh <= 1e4:
        nu_1 = 1.0 + 1.7596678e-10 * rayleigh**2.2984755
    elif rayleigh <= 5e4:
        nu_1 = 0.028154 * rayleigh**0.4134
    else:
        nu_1 = 0.0673838 * rayleigh ** (1.0 / 3.0)
    nu_2 = 0.242 * (rayleigh / (height_m / gap_m)) ** 0.272
    h_convection = max(nu_1, nu_2) * conductivity / gap_m
    h_radiation = 4.0 * 5.670374419e-8 * t_m**3 * eps_factor
    return 1.0 / (r_panes + 1.0 / (h_convection + h_radiation))


def exterior_doe2_reference(d_k: float, t_surface_c: float, t_out_c: float, wind_m_s: float, wind_from_deg: float, params, c_warm: float,
                            c_cold: float) -> float:
    """DOE-2 exterior coefficient plus linearised long-wave, W/(m2 K), written out (EnergyPlus Engineering
    Reference, "Outside Surface Heat Balance": ``h_n + R_f (sqrt(h_n^2 + (a V_z^b)^2) - h_n)``, MoWiTT
    windward 3.26 / 0.89, leeward 3.55 / 0.617; windward within 100 degrees of the outward normal, a
    roof always). ``params``: azimuth (-1 roof), R_f, V_z / V_10, emissivity."""
    azimuth, r_f, factor, eps = params
    c = c_warm if d_k > 0 else c_cold
    h_n = max(0.1, c * abs(d_k) ** (1.0 / 3.0))
    windward = True
    if azimuth >= 0:
        off = abs(wind_from_deg - azimuth) % 360.0
        windward = min(off, 360.0 - off) <= 100.0
    a, b = (3.26, 0.89) if windward else (3.55, 0.617)
    v_z = wind_m_s * factor
    h_c = h_n + r_f * (np.sqrt(h_n**2 + (a * v_z**b) ** 2) - h_n)
    t_m = 0.5 * (t_surface_c + t_out_c) + 273.15
    return h_c + 4.0 * eps * 5.670374419e-8 * t_m**3


def network_links(net) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The hourly links of a network: surface node, other node (the air node when the network names
    none; -1 outdoor air) and kind (0 convection, 1 glazing gap, else fixed) of each."""
    conv = np.asarray(net.conv_node, dtype=np.int64)
    other = np.full(len(conv), net.air) if getattr(net, "conv_other", None) is None else np.asarray(net.conv_other)
    kind = np.zeros(len(conv), dtype=np.int64) if getattr(net, "conv_kind", None) is None else np.asarray(net.conv_kind)
    return conv, other, kind


def control_vector(net) -> np.ndarray:
    """``c`` of the controlled temperature ``c . x``: the air node, or ``net.control_weights`` (e.g. operative)."""
    ctrl = np.zeros(len(net.names))
    if getattr(net, "control_weights", None) is None:
        ctrl[net.air] = 1.0
    else:
        ctrl[:] = net.control_weights
    return ctrl


def add_links_reference(m: np.ndarray, ext_rhs: np.ndarray, net, links, x: np.ndarray, d_out: np.ndarray, t_prev_c: float,
                        t_out_c: float, wind_m_s: float, wind_from_deg: float) -> None:
    """Add each hourly link's change from ``conv_h0_w_m2k`` to the hour's matrix ``m`` (and, for an
    exterior link, its outdoor-air term to ``ext_rhs``), in place. ``links``: :func:`network_links`;
    ``x``: the previous hour's node temperatures, degC; ``d_out``: the exterior links' surface -
    outdoor difference at the end of the previous hour, K; ``t_prev_c``: the previous hour's outdoor
    air, degC; ``t_out_c``, ``wind_m_s``, ``wind_from_deg``: this hour's."""
    conv, other, kind = links
    for j, node in enumerate(conv):
        o = other[j]
        if o < 0:  # exterior link: surface to the outdoor air (its film is in k_w_k and f_in's t_out column)
            h_j = exterior_doe2_reference(d_out[j], d_out[j] + t_prev_c, t_out_c, wind_m_s, wind_from_deg, net.conv_gap[j],
                                          net.conv_c_pos[j], net.conv_c_neg[j])
            dh = (h_j - net.conv_h0_w_m2k[j]) * net.conv_area_m2[j]
            m[node, node] += dh
            ext_rhs[node] += dh * t_out_c
            continue
        d = x[node] - x[o]
        if kind[j] == 0:  # buoyancy-driven convection, surface to air
            c = net.conv_c_pos[j] if d > 0 else net.conv_c_neg[j]
            h_j = max(0.1, c * abs(d) ** (1.0 / 3.0))
        elif kind[j] == 1:  # gas gap between the two panes
            h_j = glazing_conductance_reference(x[node], x[o], *net.conv_gap[j])
        else:
            h_j = net.conv_h0_w_m2k[j]
        dh = (h_j - net.conv_h0_w_m2k[j]) * net.conv_area_m2[j]
        m[node, node] += dh
        m[o, o] += dh
        m[node, o] -= dh
        m[o, node] -= dh


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
    wind_speed_m_s: np.ndarray | None = None,
    wind_dir_deg: np.ndarray | None = None,
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

    links = network_links(net)
    conv, other, _ = links
    wind = np.zeros(n_h) if wind_speed_m_s is None else np.asarray(wind_speed_m_s, float)
    wind_dir = np.zeros(n_h) if wind_dir_deg is None else np.asarray(wind_dir_deg, float)
    d_out = np.zeros(len(conv))  # surface - outdoor air of the exterior links at the end of the previous hour
    ctrl = control_vector(net)  # the controlled temperature c . x
    t_prev = None
    for step in range(warm + n_h):
        h = n_h - warm + step if step < warm else step - warm
        t_prev = t_out_c[h] if t_prev is None else t_prev
        u = np.concatenate(([t_out_c[h], gain_schedule[h]], irr_hg[h]))
        g = net.h_ve_sched_w_k * ve_schedule[h]
        m = np.diag(cap) + net.k_w_k
        ext_rhs = np.zeros(n)
        add_links_reference(m, ext_rhs, net, links, x, d_out, t_prev, t_out_c[h], wind[h], wind_dir[h])
        m[air, air] += g
        rhs = cap * x + net.f_in @ u + ext_rhs
        rhs[air] += g * t_out_c[h]
        x0 = solve(m, rhs, 0.0)
        t0 = float(ctrl @ x0)
        hs, cs = heat_setpoint_c[h], cool_setpoint_c[h]
        phi = 0.0
        if (not np.isnan(hs) and t0 < hs) or (not np.isnan(cs) and t0 > cs):
            target = hs if (not np.isnan(hs) and t0 < hs) else cs
            phi10 = 10.0 * a_f_m2
            t10 = float(ctrl @ solve(m, rhs, phi10))
            phi = phi10 * (target - t0) / (t10 - t0)
            phi = min(phi, phi_h_max_w) if phi > 0 else max(phi, -phi_c_max_w)
        x = solve(m, rhs, phi) if phi != 0.0 else x0
        for j, node in enumerate(conv):
            if other[j] < 0:
                d_out[j] = x[node] - t_out_c[h]
        t_prev = t_out_c[h]
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
