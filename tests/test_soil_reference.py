"""The Richards kernel against a plain Python implementation of the same scheme.

The reference below is written for reading, not speed: textbook retention formulas, a dense
matrix for the Picard increment solved by ``numpy.linalg.solve``, the conservative update of the
water content as a flux divergence, and the same time-step and boundary-switching rules as the
kernel, spelled out step by step. On random columns (random
textures, layers, grids, boundary conditions and forcing) both must agree to 1e-10.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from twin.kernels import soil_hydraulics as H
from twin.kernels import soil_richards as R
from twin.soil.hydraulics import SoilMaterial, carsel_parrish
from twin.soil.roots import FeddesParameters
from twin.soil.solver import Forcing, Profile, SolverOptions, build_tables, run_richards

# ----------------------------------------------------------------------------- reference


def ref_state(h: float, mat: SoilMaterial) -> tuple[float, float, float]:
    """theta, d theta/dh, K from the published formulas."""
    tr, ts = mat.theta_r, mat.theta_s
    if h >= 0:
        return ts, 0.0, mat.ks_m_s
    if mat.model == "van_genuchten":
        # van Genuchten (1980) - Mualem (1976), with the air-entry head h_e of Ippisch et al.
        # (2006): saturated above h_e, Se and the Mualem integral rescaled below it
        m = 1 - 1 / mat.n
        if h >= mat.h_e_m:
            return ts, 0.0, mat.ks_m_s
        sc = (1 + (mat.alpha_per_m * -mat.h_e_m) ** mat.n) ** -m

        def mualem(s):  # 1 - (1 - s^(1/m))^m, written as -expm1(m log1p(-s^(1/m))) to keep dry soil exact
            return -math.expm1(m * math.log1p(-(s ** (1 / m))))

        x = (mat.alpha_per_m * -h) ** mat.n
        se = (1 + x) ** -m / sc
        theta = tr + (ts - tr) * se
        cap = (ts - tr) / sc * mat.alpha_per_m * mat.n * m * (mat.alpha_per_m * -h) ** (mat.n - 1) * (1 + x) ** (-m - 1)
        k = mat.ks_m_s * se**mat.l * (mualem(se * sc) / (mualem(sc) if sc < 1 else 1.0)) ** 2
        return theta, cap, k
    if mat.model == "brooks_corey":
        if -h <= mat.h_b_m:
            return ts, 0.0, mat.ks_m_s
        se = (mat.h_b_m / -h) ** mat.lambda_
        return tr + (ts - tr) * se, (ts - tr) * mat.lambda_ * se / -h, mat.ks_m_s * se ** (mat.l + 2 + 2 / mat.lambda_)
    a, b = mat.alpha_m_beta, mat.beta
    theta = tr + a * (ts - tr) / (a + (-h) ** b)
    cap = a * (ts - tr) * b * (-h) ** (b - 1) / (a + (-h) ** b) ** 2
    k = mat.ks_m_s * mat.a_m_gamma / (mat.a_m_gamma + (-h) ** mat.gamma)
    return theta, cap, k


def ref_head(theta: float, mat: SoilMaterial) -> float:
    """Inverse retention curve: the head at water content ``theta``; at saturation the head where
    saturation begins (van Genuchten's air entry, -h_b of Brooks-Corey, 0 for Haverkamp)."""
    if theta >= mat.theta_s:
        return {"van_genuchten": mat.h_e_m, "brooks_corey": -mat.h_b_m}.get(mat.model, 0.0)
    if theta <= mat.theta_r:
        return -1e10
    se = (theta - mat.theta_r) / (mat.theta_s - mat.theta_r)
    if mat.model == "van_genuchten":
        m = 1 - 1 / mat.n
        se *= (1 + (mat.alpha_per_m * -mat.h_e_m) ** mat.n) ** -m
        return -math.expm1(-math.log(se) / m) ** (1 / mat.n) / mat.alpha_per_m
    if mat.model == "brooks_corey":
        return -mat.h_b_m * se ** (-1 / mat.lambda_)
    return -((mat.alpha_m_beta * (1 - se) / se) ** (1 / mat.beta))


def ref_table_state(h: float, table: np.ndarray, mat: SoilMaterial):
    """Cubic interpolation of theta and K from the table, segment chosen as the kernel does:
    ``-h = 2**e (1 + (j + f) / 2**TABLE_BITS)`` with integer ``j`` and ``f`` in [0, 1)."""
    if h >= 0 or (mat.model == "van_genuchten" and h > 1.05 * mat.h_e_m):
        return ref_state(h, mat)  # saturated, or next to the air-entry kink: no interpolation
    mant, e = math.frexp(-h)  # -h = mant 2**e, mant in [0.5, 1)
    e -= 1
    pos = (2 * mant - 1) * 2**H.TABLE_BITS  # exact: a power-of-two scaling
    j = int(pos)
    f = pos - j
    seg = (e - H.TABLE_E_LO) * 2**H.TABLE_BITS + j
    if not 0 <= seg < H.TABLE_N_SEG:
        return ref_state(h, mat)
    width = 2.0 ** (e - H.TABLE_BITS)  # of the segment in -h
    c = table[seg]
    theta = c[0] + c[1] * f + c[2] * f**2 + c[3] * f**3
    dtheta_df = c[1] + 2 * c[2] * f + 3 * c[3] * f**2
    k = c[4] + c[5] * f + c[6] * f**2 + c[7] * f**3
    return theta, -dtheta_df / width, k  # d/dh = -d/d(-h) = -(d/df) / width


def ref_feddes_alpha(h, tp, fed: FeddesParameters) -> np.ndarray:
    """Feddes et al. (1978), written out from the published piecewise-linear response (heads in m,
    rates in m/s): 0 above h1, rising linearly to 1 at h2, 1 down to h3, falling linearly to 0
    at h4; h3 interpolated linearly in Tp between h3h (Tp >= r2h) and h3l (Tp <= r2l)."""
    h = np.atleast_1d(np.asarray(h, dtype=float))
    r2h, r2l = fed.r2h_mm_day / 1000 / 86400, fed.r2l_mm_day / 1000 / 86400
    if tp >= r2h:
        h3 = fed.h3h_m
    elif tp <= r2l:
        h3 = fed.h3l_m
    else:
        h3 = fed.h3h_m + (fed.h3l_m - fed.h3h_m) * (r2h - tp) / (r2h - r2l)
    out = np.empty(len(h))
    for i, hi in enumerate(h):
        if hi > fed.h1_m or hi <= fed.h4_m:
            out[i] = 0.0
        elif hi > fed.h2_m:
            out[i] = (fed.h1_m - hi) / (fed.h1_m - fed.h2_m)
        elif hi >= h3:
            out[i] = 1.0
        else:
            out[i] = (hi - fed.h4_m) / (h3 - fed.h4_m)
    return out


def make_ref_step(z, mats, opts, props, *, pond, bottom, bottom_head, root=None, fed=None):
    """The reference step of one column: returns ``(solve, state, theta_soil, vol)``.

    ``solve(h_old, w_old, th_old, c_old, k_old, dt, dirichlet_top, top_value, tp)`` advances one
    step; ``pond`` is True for an atmospheric top (the surface node stores ponded water).
    ``root`` (normalised root density per node, 1/m) and ``fed`` (:class:`FeddesParameters`)
    add the root water uptake sink ``S = alpha(h) b Tp``: lagged in the Picard iteration (taken
    at the current iterate), and taken at the final heads for the water carried to the next step
    and for the reported uptake ``ta``; where uptake falls towards wilting its slope joins the
    diagonal of the iteration matrix, and a node gives at most the water it held above the wilting
    point at the start of the step, as in the kernel.
    """
    n = len(z)
    dz = np.diff(z)
    vol = np.zeros(n)
    vol[:-1] += dz / 2
    vol[1:] += dz / 2

    def node(h, i):
        theta, cap, k = props(h[i], mats[i])
        if pond and i == 0 and h[0] > 0:
            theta, cap = theta + h[0] / vol[0], cap + 1 / vol[0]
        return theta, cap, k

    def state(h):
        out = np.array([node(h, i) for i in range(n)])
        return out[:, 0], out[:, 1], out[:, 2]

    def theta_soil(h, th):
        th = th.copy()
        if pond and h[0] > 0:
            th[0] -= h[0] / vol[0]
        return th

    def flux_down(h, kface, i):  # flux from node i to node i+1, positive downward
        return -kface[i] * ((h[i + 1] - h[i]) / dz[i] - 1)

    b = np.zeros(n) if root is None else np.asarray(root, dtype=float)
    # water content at the wilting point of each node (no pond): a node gives the roots in one
    # step at most the water it held above it at the start of the step
    theta_wilt = np.array([props(fed.h4_m, mats[i])[0] for i in range(n)]) if fed is not None else np.zeros(n)

    def sink_at(h, tp, w_old, dt):
        """The sink (1/s) and whether the cap bound it."""
        if tp <= 0 or not b.any():
            return np.zeros(n), np.zeros(n, bool)
        want = ref_feddes_alpha(h, tp, fed) * b * tp
        cap = np.maximum(w_old - theta_wilt, 0.0) / dt
        return np.where((b > 0) & (want >= cap), cap, want), (b > 0) & (want >= cap)

    def sink_slope(h, tp, capped):
        """dS/dh where uptake falls towards wilting (h4 < h < h3) and the cap does not bind, else 0
        (the kernel's Newton term)."""
        if tp <= 0 or not b.any():
            return np.zeros(n)
        r2h, r2l = fed.r2h_mm_day / 1000 / 86400, fed.r2l_mm_day / 1000 / 86400
        h3 = fed.h3h_m if tp >= r2h else fed.h3l_m if tp <= r2l else fed.h3h_m + (fed.h3l_m - fed.h3h_m) * (r2h - tp) / (r2h - r2l)
        return np.where((h > fed.h4_m) & (h < h3) & ~capped, b * tp / (h3 - fed.h4_m), 0.0)

    def solve(h_old, w_old, th_old, c_old, k_old, dt, dirichlet_top, top_value, tp=0.0):
        """One step. ``w_old`` is the conserved water content, ``th_old`` = theta(h_old)."""
        h, th, cap, kn = h_old.copy(), th_old.copy(), c_old.copy(), k_old.copy()
        fixed = np.zeros(n, bool)
        if dirichlet_top:
            h[0] = top_value
            th[0], cap[0], kn[0] = node(h, 0)
            fixed[0] = True
        if bottom == 1:
            h[-1] = bottom_head
            th[-1], cap[-1], kn[-1] = node(h, n - 1)
            fixed[-1] = True
        free = np.flatnonzero(~fixed)
        converged, iters = False, 0
        omega, delta_prev = np.ones(n), np.zeros(n)  # relaxation and last increment of each node
        for it in range(int(opts[R.O_MAX_ITER])):
            iters = it + 1
            kface = (kn[:-1] + kn[1:]) / 2
            k_bottom = kn[-1]
            # residual of each node's balance at the current iterate and the Picard matrix
            A = np.zeros((n, n))
            res = np.zeros(n)
            sink, capped = sink_at(h, tp, w_old, dt)
            slope = sink_slope(h, tp, capped)
            for i in free:
                inflow = top_value if i == 0 else flux_down(h, kface, i - 1)
                if i < n - 1:
                    outflow = flux_down(h, kface, i)
                else:
                    outflow = k_bottom if bottom == 0 else 0.0
                res[i] = vol[i] * (w_old[i] - th[i]) / dt + inflow - outflow - vol[i] * sink[i]
                A[i, i] = vol[i] * max(cap[i], opts[R.O_C_MIN]) / dt + vol[i] * slope[i]
                if i > 0:
                    A[i, i] += kface[i - 1] / dz[i - 1]
                    if not fixed[i - 1]:
                        A[i, i - 1] = -kface[i - 1] / dz[i - 1]
                if i < n - 1:
                    A[i, i] += kface[i] / dz[i]
                    if not fixed[i + 1]:
                        A[i, i + 1] = -kface[i] / dz[i]
            delta = np.zeros(n)
            delta[free] = np.linalg.solve(A[np.ix_(free, free)], res[free])
            # under-relax, for the rest of the step, every node whose increment changes sign
            if it == 0:
                omega = np.ones(n)
            else:
                tol = opts[R.O_TOL_H] + opts[R.O_TOL_H_REL] * np.abs(h)
                moving = np.abs(delta) > R.OSC_MIN * tol  # smaller increments are round-off
                flip = moving & (delta * delta_prev < 0)
                omega = np.where(flip & (omega > R.OMEGA_MIN), omega / 2, omega)  # oscillating: halve
                omega = np.where(moving & ~flip, np.minimum(1.0, 2 * omega), omega)  # steady: relax less
            delta_prev = delta.copy()
            delta = omega * delta
            for i in free:
                dry = h[i] < -R.THETA_UPDATE_MIN_SUCTION and h[i] < ref_head(mats[i].theta_s, mats[i])
                if delta[i] > -0.5 * h[i] and dry:
                    # too big a wetting step for an unsaturated dry node: step its water content
                    # instead (the saturation head if that water fills it)
                    target = th[i] + cap[i] * delta[i]
                    delta[i] = max(ref_head(target, mats[i]) - h[i], 0.0)
            delta = np.maximum(h + delta, opts[R.O_H_FLOOR]) - h  # the iterate may not go below the floor
            done = True
            for i in free:
                tol_i = opts[R.O_TOL_H] + opts[R.O_TOL_H_REL] * abs(h[i])
                h[i] = h[i] + delta[i]
                if abs(delta[i]) > R.SKIP_REL * (1 + abs(h[i])):
                    theta_prev = th[i]
                    th[i], cap[i], kn[i] = node(h, i)
                    if abs(th[i] - theta_prev) > opts[R.O_TOL_THETA]:
                        done = False
                    if abs(th[i] - theta_prev) > R.CHORD_MIN_DTHETA:  # secant capacity for the next iterate
                        cap[i] = (th[i] - theta_prev) / delta[i]
                # a head increment counts unless the node is unsaturated, all but impermeable
                # (K < 1e-12 m/s) and its water-content change negligible (very dry soil)
                unsaturated = h[i] < ref_head(mats[i].theta_s, mats[i])
                if abs(delta[i]) > tol_i and (abs(delta[i]) * cap[i] > opts[R.O_TOL_DRY] or not unsaturated or kn[i] > R.K_DRY):
                    done = False
            if done:
                converged = True
                break
        # the conserved water content moves with the fluxes of the last iterate and the uptake at
        # the final heads
        sink, _ = sink_at(h, tp, w_old, dt)
        q = np.array([flux_down(h, kface, i) for i in range(n - 1)])
        q_top = top_value if not dirichlet_top else q[0] + vol[0] * (th[0] - w_old[0]) / dt + vol[0] * sink[0]
        q_bot = {0: k_bottom, 1: q[-1] - vol[-1] * (th[-1] - w_old[-1]) / dt - vol[-1] * sink[-1], 2: 0.0}[bottom]
        inflow = np.concatenate([[q_top], q])
        outflow = np.concatenate([q, [q_bot]])
        w = th.copy()
        w[free] = w_old[free] + dt * ((inflow[free] - outflow[free]) / vol[free] - sink[free])
        ta = float(np.sum(vol * sink))
        return converged, iters, h, th, cap, kn, w, q_top, q_bot, ta

    return solve, state, theta_soil, vol


def ref_column(z, mats, forcing, opts, h0, *, top, bottom, bottom_head, rain_factor, out_times, props, root=None, fed=None):
    """One column by the reference scheme. Returns (h_final, totals dict, cumulated fluxes, profiles)."""
    pond = top == 0  # an atmospheric surface node also stores ponded water
    solve, state, theta_soil, vol = make_ref_step(z, mats, opts, props, pond=pond, bottom=bottom, bottom_head=bottom_head,
                                                  root=root, fed=fed)
    h = np.array(h0, float)
    th, cap, kn = state(h)
    w = th.copy()  # the conserved water content
    tot = dict(rain=0.0, infil=0.0, runoff=0.0, evap=0.0, drain=0.0, transp=0.0, transp_pot=0.0, steps=0, iters=0, fails=0,
               rejects=0, mismatch=0.0)
    tot["storage0"] = float(np.sum(vol * w))
    cum, prof = [], []
    t_edges = forcing.t_edges_s
    t, k, o = t_edges[0], 0, 0
    while o < len(out_times) and out_times[o] <= t:
        cum.append([0.0] * 7)
        prof.append((h.copy(), theta_soil(h, w)))
        o += 1
    dt = opts[R.O_DT_INIT]
    mode = 0
    while t < t_edges[-1] and k < len(t_edges) - 1:
        t_break = t_edges[k + 1]
        if o < len(out_times) and out_times[o] < t_break:
            t_break = out_times[o]
        if t + dt >= t_break:
            dt_try = t_break - t
        elif t + 2 * dt > t_break:
            dt_try = (t_break - t) / 2
        else:
            dt_try = dt
        r_in = forcing.rain_m_s[k] * rain_factor
        e_pot = forcing.evaporation_m_s[k]
        tp = forcing.transpiration_m_s[k]
        q_pot = r_in - e_pot
        for _attempt in range(3):
            if top == 1:
                res = solve(h, w, th, cap, kn, dt_try, True, forcing.top_head_m[k], tp)
            elif mode == 0:
                res = solve(h, w, th, cap, kn, dt_try, False, q_pot, tp)
            elif mode == 1:
                res = solve(h, w, th, cap, kn, dt_try, True, opts[R.O_H_SURF], tp)
            else:
                res = solve(h, w, th, cap, kn, dt_try, True, opts[R.O_H_CRIT], tp)
            converged, iters, h_new, th_new, cap_new, kn_new, w_new, q_top, q_bot, ta = res
            tot["iters"] += iters
            if top == 1:
                break
            if mode == 0 and h_new[0] > opts[R.O_H_SURF] + R.PONDING_MARGIN_M:
                mode = 1  # the surface floods: pond
            elif mode == 0 and h_new[0] < opts[R.O_H_CRIT]:
                mode = 2  # the surface dries out: hold it at h_crit
            elif mode == 1 and converged and q_top > q_pot:
                mode = 0  # the soil takes all the rain: back to flux
            elif mode == 2 and converged and q_top < q_pot:
                mode = 0  # the soil delivers the potential evaporation: back to flux
            else:
                break
        if not converged and dt_try > opts[R.O_DT_MIN]:
            tot["rejects"] += 1
            dt = max(dt_try / 3, opts[R.O_DT_MIN])
            continue
        if not converged:
            tot["fails"] += 1
        if top == 1:
            supplied = runoff = evap = 0.0
        elif mode == 0:
            supplied, runoff, evap = r_in, 0.0, e_pot
        elif mode == 1:
            supplied = r_in
            runoff = max(q_pot - q_top, 0.0)
            evap = supplied - runoff - q_top
        else:
            supplied, runoff, evap = r_in, 0.0, r_in - q_top
        tot["rain"] += supplied * dt_try
        tot["infil"] += q_top * dt_try
        tot["runoff"] += runoff * dt_try
        tot["evap"] += evap * dt_try
        tot["drain"] += q_bot * dt_try
        tot["transp"] += ta * dt_try
        tot["transp_pot"] += tp * dt_try
        tot["steps"] += 1
        dtheta_step = float(np.max(np.abs(w_new - w)))
        tot["mismatch"] = max(tot["mismatch"], float(np.sum(vol * np.abs(w_new - th_new))))
        h, th, cap, kn, w = h_new, th_new, cap_new, kn_new, w_new
        dt_next = max(dt_try, dt)
        if not converged:
            dt_next = opts[R.O_DT_MIN]
        elif iters <= opts[R.O_ITER_LOW]:
            dt_next *= opts[R.O_DT_INC]
        elif iters >= opts[R.O_ITER_HIGH]:
            dt_next *= opts[R.O_DT_DEC]
        if opts[R.O_DTHETA_MAX] > 0 and dtheta_step > opts[R.O_DTHETA_MAX]:
            dt_next = min(dt_next, dt_try * opts[R.O_DTHETA_MAX] / dtheta_step)
        dt = min(max(dt_next, opts[R.O_DT_MIN]), opts[R.O_DT_MAX])
        t = min(t_break, t + dt_try)
        if t >= t_edges[k + 1]:
            k += 1
        while o < len(out_times) and out_times[o] <= t:
            cum.append([tot["rain"], tot["infil"], tot["runoff"], tot["evap"], tot["drain"], tot["transp"], tot["transp_pot"]])
            prof.append((h.copy(), theta_soil(h, w)))
            o += 1
    tot["storage1"] = float(np.sum(vol * w))
    tot["pond"] = h[0] if pond and h[0] > 0 else 0.0
    return h, tot, np.array(cum), prof


# ----------------------------------------------------------------------------- random cases


def _random_material(rng, i: int) -> SoilMaterial:
    textures = list(carsel_parrish().values())
    kind = rng.integers(0, 4)
    if kind < 2:
        base = textures[rng.integers(0, len(textures))]
        # fine textures (n < 2) with HYDRUS's air entry of -2 cm, as the district grid uses them
        return SoilMaterial(f"m{i}", "van_genuchten", base.theta_r, base.theta_s * rng.uniform(0.95, 1.05), base.ks_m_s * rng.uniform(0.5, 2),
                            alpha_per_m=base.alpha_per_m * rng.uniform(0.8, 1.2), n=base.n, l=0.5,
                            h_e_m=-0.02 if base.n < 2 else 0.0)
    if kind == 2:
        return SoilMaterial(f"m{i}", "brooks_corey", 0.05, rng.uniform(0.35, 0.45), 10 ** rng.uniform(-6.5, -5),
                            h_b_m=rng.uniform(0.05, 0.4), lambda_=rng.uniform(0.2, 0.8), l=1.0)
    # Haverkamp et al. (1977) sand of Celia et al. (1990) test 1, converted to metres
    return SoilMaterial(f"m{i}", "haverkamp", 0.075, 0.287, 9.44e-5 * rng.uniform(0.5, 1.5),
                        alpha_m_beta=1.611e6 / 100**3.96, beta=3.96, a_m_gamma=1.175e6 / 100**4.74, gamma=4.74)


def _random_case(seed: int):
    rng = np.random.default_rng(seed)
    mats = [_random_material(rng, i) for i in range(4)]
    profiles = []
    for _ in range(3):
        n = int(rng.integers(6, 18))
        z = np.concatenate([[0.0], np.cumsum(rng.uniform(0.02, 0.12, n - 1))])
        layer = np.sort(rng.integers(0, len(mats), n))
        profiles.append(Profile(z, layer))
    n_col = 6
    col_prof = rng.integers(0, len(profiles), n_col)
    n_t = 8
    edges = np.concatenate([[0.0], np.cumsum(rng.uniform(600, 3600, n_t))])
    rain = np.where(rng.random(n_t) < 0.5, rng.uniform(0, 3e-5, n_t), 0.0)
    evap = rng.uniform(0, 3e-7, n_t)
    top_head = rng.uniform(-1.0, 0.02, n_t)
    forcing = Forcing(edges, rain, evap, top_head)
    top = rng.integers(0, 2, n_col)
    bottom = rng.integers(0, 3, n_col)
    h0 = -10 ** rng.uniform(-0.5, 1.0, n_col)
    bottom_head = h0 * rng.uniform(0.5, 1.0, n_col)
    rain_factor = rng.uniform(0.5, 3.0, n_col)
    out_times = np.sort(rng.uniform(0, edges[-1], 3))
    return mats, profiles, col_prof, forcing, top, bottom, h0, bottom_head, rain_factor, out_times


def _assert_heads_agree(got: np.ndarray, want: np.ndarray, mats: list[SoilMaterial]) -> None:
    """Heads agree to 1e-10 relative or 1e-9 m, or, where the retention curve is flat (near
    saturation C -> 0, so the head is ill-conditioned), imply water contents equal to 1e-10.

    (A head is an unconverged Picard iterate, within the 1e-3 m tolerance of the exact discrete
    solution; which side of it round-off lands on moves it by up to ~1e-10 m in these cases.)"""
    for g, w, m in zip(got, want, mats):
        if abs(g - w) <= max(1e-10 * abs(w), 1e-9):
            continue
        theta_w = ref_state(w, m)[0]
        assert abs(ref_state(g, m)[0] - theta_w) <= 1e-10 * theta_w, (g, w, m.name)


def _props_for(mats, tables: bool, opts):
    params, table = build_tables(mats)
    if not tables:
        return ref_state

    def props(h, m):
        i = mats.index(m)
        return ref_table_state(h, table[i], m) if params[i, 8] else ref_state(h, m)

    return props


@pytest.mark.parametrize("tables", [False, True])
def test_one_step_matches_reference_on_random_states(tables: bool) -> None:
    """The kernel's step (modified Picard, conservative update, boundary fluxes) against the
    reference step, from 300 random states, iterated close to the fixed point (tolerances 1e-10 m
    and 1e-12) so that the answer does not hang on which side of a loose tolerance round-off
    lands: both converge or both fail (a run would then retry a shorter step), in the same
    number of iterations (+-1), and agree to 1e-10."""
    rng = np.random.default_rng(11)
    options = SolverOptions(tables=tables, tol_h_m=1e-10, tol_h_rel=0.0, tol_theta=1e-12, tol_dry_theta=0.0, max_iter=200)
    opts = options.to_array()
    n_checked = n_dirichlet = n_pond = 0
    for case in range(300):
        mats = [_random_material(rng, i) for i in range(3)]
        params, table = build_tables(mats)
        if not tables:
            params[:, 8] = 0.0
        props = _props_for(mats, tables, opts)
        n = int(rng.integers(5, 16))
        z = np.concatenate([[0.0], np.cumsum(rng.uniform(0.02, 0.1, n - 1))])
        mat = np.sort(rng.integers(0, 3, n)).astype(np.int64)
        node_mats = [mats[i] for i in mat]
        pond = bool(rng.random() < 0.5)
        bottom = int(rng.integers(0, 3))
        bottom_head = -float(10 ** rng.uniform(-1, 0.5))
        h_old = -(10 ** rng.uniform(-2.5, 1.0)) * np.exp(rng.normal(0, 0.3, n)).cumprod() ** 0.2
        if pond and rng.random() < 0.3:
            h_old[0] = rng.uniform(0.0, 0.003)  # a pond on the surface
        solve, state, _, vol = make_ref_step(z, node_mats, opts, props, pond=pond, bottom=bottom, bottom_head=bottom_head)
        th, cap, kn = state(h_old)
        w_old = th + rng.normal(0, 1e-5, n) * (rng.random() < 0.5)  # conserved water off theta(h) by a little
        dt = float(10 ** rng.uniform(0, 3.5))
        dirichlet = bool(rng.random() < 0.4)
        top_value = float(rng.uniform(-1.0, 0.002)) if dirichlet else float(rng.uniform(-2e-7, 3e-5))
        conv, iters, h_ref, th_ref, _, _, w_ref, q_top, q_bot, _ = solve(h_old, w_old, th, cap, kn, dt, dirichlet, top_value)
        # the kernel's step on the same state
        work = np.zeros((R.N_WORK, n))
        dz = np.diff(z)
        h_k, theta_k, cap_k, kn_k, kf, w_k = (np.zeros(n) for _ in range(6))
        out = R._solve_step(
            R.ColumnGrid(n, vol, dz, 1.0 / dz, mat, params, table, pond),
            R.StepState(h_old.copy(), w_old.copy(), th.copy(), cap.copy(), kn.copy(), h_k, theta_k, cap_k, kn_k, kf, w_k),
            R.StepBoundary(dirichlet, top_value, bottom, bottom_head),
            R.StepRoots(np.zeros(n), 0, 0.0, FeddesParameters().row(), work[7], work[8], work[9], work[10]),
            dt, opts, R.StepScratch(work[0], work[1], work[2], work[3], work[4], work[5], work[6]),
        )
        assert out[0] == conv, case
        if not conv:
            continue  # a run would reject this step and retry a shorter one
        assert abs(out[1] - iters) <= 1, case
        water = max(float(np.sum(vol * w_old)), abs(q_top) * dt, abs(q_bot) * dt)
        assert abs(out[2] - q_top) * dt <= 1e-10 * water and abs(out[3] - q_bot) * dt <= 1e-10 * water, case
        assert np.abs((w_k - w_ref) * vol).max() <= 1e-10 * water, case
        _assert_heads_agree(h_k, h_ref, node_mats)
        n_checked += 1
        n_dirichlet += dirichlet
        n_pond += pond and (h_ref[0] > 0)
    assert n_checked > 250 and n_dirichlet > 50 and n_pond > 5


@pytest.mark.parametrize("tables", [False, True])
@pytest.mark.parametrize("seed", list(range(1, 9)))
def test_kernel_matches_reference_on_random_columns(seed: int, tables: bool) -> None:
    """Whole runs (hundreds of steps with boundary switching, rejections and output times).

    Where both take the same steps and iterations (all but a few columns), every water depth
    agrees to 1e-10 of the column's water. A step's iteration count is a discrete decision
    (tolerances, relaxation), and round-off at a threshold can flip it; the trajectories then
    part by the iteration tolerance. Such columns must still agree to 1e-4 of their water, and
    at most one column in six may flip.
    """
    mats, profiles, col_prof, forcing, top, bottom, h0, bottom_head, rain_factor, out_times = _random_case(seed)
    options = SolverOptions(tables=tables, dt_max_s=1800.0, chunk=2)
    res = run_richards(profiles, mats, col_prof, h0, forcing, top=top, bottom=bottom, bottom_head_m=bottom_head,
                       rain_factor=rain_factor, output_times_s=out_times, options=options)
    opts = options.to_array()
    props = _props_for(mats, tables, opts)
    checked_modes = set()
    flipped = 0
    for j in range(len(col_prof)):
        p = profiles[col_prof[j]]
        node_mats = [mats[i] for i in p.material]
        h, tot, cum, prof = ref_column(
            p.z_m, node_mats, forcing, opts, np.full(p.n_nodes, h0[j]), top=top[j], bottom=bottom[j],
            bottom_head=bottom_head[j], rain_factor=rain_factor[j], out_times=out_times, props=props,
        )
        got = res.totals[j]
        same_path = got[R.F_STEPS] == tot["steps"] and got[R.F_ITERS] == tot["iters"] and got[R.F_REJECTS] == tot["rejects"]
        flipped += not same_path
        tol = 1e-10 if same_path else 1e-4
        # water depths agree to tol of the column's water (storage and what passed through)
        water = max(tot["storage0"], tot["storage1"], tot["rain"], abs(tot["infil"]), abs(tot["drain"]))
        for key, idx in [("rain", R.F_RAIN), ("infil", R.F_INFIL), ("runoff", R.F_RUNOFF), ("evap", R.F_EVAP),
                         ("drain", R.F_DRAIN), ("storage0", R.F_STORAGE0), ("storage1", R.F_STORAGE1),
                         ("pond", R.F_POND)]:
            assert abs(got[idx] - tot[key]) <= tol * water, key
        np.testing.assert_allclose(res.cumulative_m[:, j, :7], cum, rtol=0, atol=tol * water)
        if same_path:
            assert got[R.F_FAILS] == tot["fails"]
            _assert_heads_agree(res.h_final_m[j, : p.n_nodes], h, node_mats)
            for o, (hp, thp) in enumerate(prof):
                node_water = (res.theta[o, j, : p.n_nodes] - thp) * p.node_volume_m
                assert np.abs(node_water).max() <= 1e-10 * water
                _assert_heads_agree(res.h_m[o, j, : p.n_nodes], hp, node_mats)
        checked_modes.add((int(top[j]), int(bottom[j])))
    assert flipped <= 1
    assert len(checked_modes) >= 2  # the random case mixes boundary kinds


def test_reference_case_exercises_ponding() -> None:
    """One of the random cases must actually pond and run off (else the switching is untested)."""
    runoff = []
    for seed in (1, 2, 3):
        mats, profiles, col_prof, forcing, top, bottom, h0, bottom_head, rain_factor, out_times = _random_case(seed)
        res = run_richards(profiles, mats, col_prof, h0, forcing, top=top, bottom=bottom, bottom_head_m=bottom_head,
                           rain_factor=rain_factor, output_times_s=out_times, options=SolverOptions(dt_max_s=1800.0))
        runoff.append(res.runoff_m[top == 0])
    assert np.concatenate(runoff).max() > 1e-4


def test_twisted_tridiagonal_solve_matches_dense_solve() -> None:
    """The kernel's two-sided Thomas solve against numpy.linalg.solve, for every parity of the
    number of unknowns and with fixed first/last rows left out."""
    rng = np.random.default_rng(5)
    for n in range(3, 40):
        for first, last in [(0, n - 1), (1, n - 1), (0, n - 2), (1, n - 2)]:
            g = rng.uniform(0.1, 10.0, n)
            diag = rng.uniform(0.0, 1.0, n)
            diag[:-1] += g[:-1]
            diag[1:] += g[:-1]
            rhs = rng.normal(size=n)
            rows = np.arange(first, last + 1)
            a = np.diag(diag[rows])
            for k in range(len(rows) - 1):
                a[k, k + 1] = a[k + 1, k] = -g[rows[k]]
            want = np.linalg.solve(a, rhs[rows])
            got = rhs.copy()
            R._solve_tridiagonal(first, last, diag.copy(), g, got, np.zeros(n))
            np.testing.assert_allclose(got[rows], want, rtol=1e-12, atol=1e-12 * np.abs(want).max())
            assert np.array_equal(got[: first], rhs[: first]) and np.array_equal(got[last + 1 :], rhs[last + 1 :])
