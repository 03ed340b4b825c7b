"""Residualised reduction of the finer zone model: fewer modes per building, accuracy on BESTEST (issue 13, speed).

An experiment, not a product path (docs/energy_iso52016.md, "Not done / limits", Speed).

The kernel steps the modes of the backward-Euler network, ``z' = lam z + b`` with
``b = W u + w_q Q - conv_cv^T e`` (inputs ``u``, heat at the air node ``Q``, link heat flows
``e``). Residualisation (singular perturbation) of the modes with ``lam < lam_max``: such a mode
loses its storage term and keeps its steady-state gain, ``z_f' = b_f / (1 - lam_f)`` (in the
network's terms, the capacity matrix ``C / dt`` replaced by ``D U_s U_s^T D``: the fast modes'
capacity removed, the rest of the network, its massless nodes and links unchanged). Such a mode has
no memory; it is folded into direct feed-through terms. The kernel reads the link differences
and the controlled temperature from the state before the step (``conv_cv . z``, ``op_z . z``), and
``P = E Lambda`` (``E`` the node temperatures per unit of the new state), so with
``g_f = 1 / (1 - lam_f)`` the reduced model is, exactly::

    conv_cv[:, f] -> 0 (readout)          conv_qv += conv_cv_f diag(g_f) W_f^T
    conv_gv += conv_cv_f (g_f w_q,f)      conv_s  += conv_cv_f diag(g_f) conv_cv_f^T  (stays symmetric)
    op_z[f] -> 0                          op_u += W_f^T (g_f op_z,f)
    op_q += sum g_f op_z,f w_q,f          conv_op += conv_cv_f (g_f op_z,f)
    k_air = r_s . w_q,s + sum g_f r_f w_q,f

and the air temperature's direct response to the hour's inputs, ``sum_f g_f r_f W_f u``, is carried
by one memoryless pseudo-mode (``lam`` 0, ``w_in`` that vector, ``r_air`` 1, ``w_q`` 0, no link or
control coefficients). The air's response to a link flow (``conv_gv`` in the kernel) and the link's
response to the air heat (``conv_gv`` again) stay one array: ``w_q = r Lambda`` makes them equal
(checked below). The reduced arrays go through the unchanged kernel
(:func:`twin.energy.iso52016.run_spec_kernel`, the spec path's call).

Checks before any figure: (1) ``lam_max = 0`` (nothing reduced, the pseudo-mode zero) through this
path reproduces :func:`twin.energy.iso52016.simulate_spec_iso52016` to 1e-9; (2) the reduced
kernel run agrees with a literal hour-by-hour solve of the network with the reduced capacity matrix
``D U_s U_s^T D`` (:func:`literal_reduced`, plain NumPy; the link laws imported from
``tests/energy_iso52016_reference.py``, whose loop takes a diagonal capacity only), an
independent form of the same reduction.

Usage: ``python scripts/iso52016_residualisation_diagnostic.py [cases] [lam_max,...]``, e.g.
``... all 0.1,0.2,0.3,0.5,0.7`` (default). Needs ../shared/data (Denver TMY3).
``... --bench 1000 0.2``: the benchmark stock of ``benchmarks/bench_energy_iso52016.py`` (1,000 buildings,
Uccle), full and reduced at ``lam_max`` 0.2, through the unchanged kernel: CPU time per building-hour and the
change of each building's annual loads (:func:`bench`).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DENVER = ("weather", "USA_CO_Denver.Intl.AP.725650_TMY3.epw")
QUANTITIES = ("heating_mwh", "cooling_mwh", "peak_heating_kw", "peak_cooling_kw", "t_air_min_c", "t_air_max_c", "t_air_mean_c")
LOAD_TOL = 0.01
"""Largest accepted relative change of an annual load or a peak (1 %)."""
TEMP_TOL_K = 0.1
"""Largest accepted change of a free-float temperature, K."""


def residualise(mo: dict, lam_max: float) -> tuple[dict, int]:
    """Modal arrays (:func:`twin.energy.iso52016.modal_arrays`) with the modes ``lam < lam_max`` residualised.

    Returns the new arrays (slow modes, then the air feed-through pseudo-mode) and the number of
    slow modes kept. See the module docstring for the algebra.
    """
    lam = mo["lam"]
    fast = lam < lam_max
    slow = ~fast
    gf = 1.0 / (1.0 - lam[fast])
    w_f = mo["w_in"][:, fast]  # (n_u, n_f)
    cv_f = mo["conv_cv"][:, fast]  # (n_c, n_f)
    wq_f = mo["w_q"][fast]
    r_f = mo["r_air"][fast]
    opz_f = mo["op_z"][fast]
    out = dict(mo)
    out["lam"] = np.append(lam[slow], 0.0)
    out["w_in"] = np.ascontiguousarray(np.column_stack([mo["w_in"][:, slow], w_f @ (gf * r_f)]))
    out["w_q"] = np.append(mo["w_q"][slow], 0.0)
    out["r_air"] = np.append(mo["r_air"][slow], 1.0)
    out["z0"] = np.append(mo["z0"][slow], r_f @ mo["z0"][fast])  # the initial air temperature kept (read once, by a gap link)
    out["k_air_k_w"] = float(mo["r_air"][slow] @ mo["w_q"][slow] + np.sum(gf * r_f * wq_f))
    out["conv_cv"] = np.ascontiguousarray(np.column_stack([mo["conv_cv"][:, slow], np.zeros(len(mo["conv_gv"]))]))
    out["conv_qv"] = mo["conv_qv"] + (cv_f * gf) @ w_f.T
    out["conv_gv"] = mo["conv_gv"] + cv_f @ (gf * wq_f)
    air_per_link = mo["conv_gv"] + cv_f @ (gf * r_f * lam[fast])  # the air's response to e, sum_i r_i cv_ji g_i
    if not np.allclose(out["conv_gv"], air_per_link, rtol=1e-9, atol=1e-15):
        raise AssertionError("the link-to-air and air-to-link responses differ: the reduction is not symmetric")
    out["conv_s"] = mo["conv_s"] + (cv_f * gf) @ cv_f.T
    out["op_z"] = np.append(mo["op_z"][slow], 0.0)
    out["op_u"] = mo["op_u"] + w_f @ (gf * opz_f)
    out["op_q"] = float(mo["op_q"] + np.sum(gf * opz_f * wq_f))
    out["conv_op"] = mo["conv_op"] + cv_f @ (gf * opz_f)
    return out, int(slow.sum())


def run_modal(mo: dict, net, drv, spec) -> dict:
    """Run one building's modal arrays through the kernel with the spec path's arguments
    (:func:`twin.energy.iso52016.run_spec_kernel`, the call of
    :func:`twin.energy.iso52016.simulate_spec_iso52016`); the summary quantities."""
    from twin.energy.iso52016 import run_spec_kernel

    out = run_spec_kernel(mo, net, drv, spec, hourly=True)
    return {
        "heating_mwh": float(out.heat_wh[0]) / 1e6,
        "cooling_mwh": float(out.cool_wh[0]) / 1e6,
        "peak_heating_kw": float(out.peak_heat_w[0]) / 1e3,
        "peak_cooling_kw": float(out.peak_cool_w[0]) / 1e3,
        "t_air_min_c": float(out.t_air_min_c[0]),
        "t_air_max_c": float(out.t_air_max_c[0]),
        "t_air_mean_c": float(out.t_air_mean_c[0]),
        "phi_w": out.hourly_phi_hc_w[0].copy(),
        "t_air_c": out.hourly_t_air_c[0].copy(),
    }


def reduced_capacity(net, lam_max: float, dt_s: float = 3600.0) -> np.ndarray:
    """``D U_s U_s^T D`` on the capacitive nodes, W/K (n, n): the capacity of the slow modes only."""
    cap = net.c_j_k
    s = np.flatnonzero(cap > 0)
    g = np.linalg.inv(np.diag(cap / dt_s) + net.k_w_k)
    g = 0.5 * (g + g.T)
    d = np.sqrt(cap[s] / dt_s)
    b = d[:, None] * g[np.ix_(s, s)] * d[None, :]
    lam, u = np.linalg.eigh(0.5 * (b + b.T))
    us = u[:, lam >= lam_max]
    c = np.zeros((len(cap), len(cap)))
    c[np.ix_(s, s)] = (d[:, None] * us) @ (us.T * d[None, :])
    return c


def literal_reduced(net, drv, spec, lam_max: float) -> dict:
    """The reduced model as a network solved hour by hour: ``(C~ + K + links) x' = C~ x + F u + ...``,
    ``C~`` = :func:`reduced_capacity`. The reference loop's steps (tests/energy_iso52016_reference.py:
    links from the previous hour, free float, 10 W/m2 trial, interpolation, clipping) with a full
    capacity matrix; its link laws (:func:`add_links_reference`) imported."""
    from tests.energy_iso52016_reference import add_links_reference, control_vector, network_links
    from twin.energy.iso52016 import spec_power_limits_w

    cmat = reduced_capacity(net, lam_max)
    n, air = len(net.names), net.air
    t_out = np.asarray(drv.t_out_c, float)
    n_h = len(t_out)
    irr = np.asarray(drv.irr_w_m2, float).T
    bcast = [np.broadcast_to(np.asarray(a, float).reshape(-1), (n_h,)) for a in
             (drv.gain_schedule, drv.heat_setpoint_c, drv.cool_setpoint_c, drv.ve_schedule)]
    gain, hs_all, cs_all, ve = bcast
    wind, wdir = np.asarray(drv.wind_speed_m_s, float), np.asarray(drv.wind_dir_deg, float)
    links = network_links(net)
    conv, other, _ = links
    ctrl = control_vector(net)
    lim_h, lim_c = spec_power_limits_w(spec)
    warm = min(spec.simulation.warmup_hours, n_h)
    x = np.full(n, 20.0)
    d_out = np.zeros(len(conv))
    phi_out, ta_out = np.zeros(n_h), np.zeros(n_h)
    t_prev = None
    e_air = np.zeros(n)
    e_air[air] = 1.0
    for step in range(warm + n_h):
        h = n_h - warm + step if step < warm else step - warm
        t_prev = t_out[h] if t_prev is None else t_prev
        u = np.concatenate(([t_out[h], gain[h]], irr[h]))
        m = cmat + net.k_w_k
        ext_rhs = np.zeros(n)
        add_links_reference(m, ext_rhs, net, links, x, d_out, t_prev, t_out[h], wind[h], wdir[h])
        gv = net.h_ve_sched_w_k * ve[h]
        m[air, air] += gv
        rhs = cmat @ x + net.f_in @ u + ext_rhs + gv * t_out[h] * e_air
        sol = np.linalg.solve(m, np.column_stack([rhs, e_air]))  # free float and per W at the air node
        x0, dx = sol[:, 0], sol[:, 1]
        t0, k = float(ctrl @ x0), float(ctrl @ dx)
        hs, cs = hs_all[h], cs_all[h]
        phi = 0.0
        if not np.isnan(hs) and t0 < hs:
            phi = min((hs - t0) / k, lim_h)
        elif not np.isnan(cs) and t0 > cs:
            phi = max((cs - t0) / k, -lim_c)
        x = x0 + phi * dx
        for j, node in enumerate(conv):
            if other[j] < 0:
                d_out[j] = x[node] - t_out[h]
        t_prev = t_out[h]
        if step >= warm:
            phi_out[h], ta_out[h] = phi, x[air]
    return {"phi_w": phi_out, "t_air_c": ta_out}


def work_per_hour(n_s: int, n_u: int, n_c: int) -> int:
    """Multiply-adds per building-hour by the count of docs/energy_iso52016.md (Speed): ``n_s (n_u + 2 n_c + 2)``
    for the modal step, the link correction and the next hour's link differences, plus ``n_c^3 / 3 + 2 n_c^2``
    for the link elimination (cube roots and control not counted: they do not depend on ``n_s``)."""
    return n_s * (n_u + 2 * n_c + 2) + n_c**3 // 3 + 2 * n_c * n_c


def moved(q: str, full: float, red: float) -> tuple[float, bool]:
    """(change, within tolerance): relative for loads and peaks, K for temperatures."""
    if q.startswith("t_air"):
        return red - full, abs(red - full) < TEMP_TOL_K
    rel = (red - full) / full if full else (0.0 if red == 0 else np.inf)
    return rel, abs(rel) < LOAD_TOL


def unstack(st: dict, b: int) -> dict:
    """Building ``b``'s modal arrays from stacked kernel arrays (:func:`twin.energy.iso52016.stack_buildings`)."""
    n, m = int(st["n_modes"][b]), int(st["n_conv"][b])
    mo = {key: st[key][b, :n] for key in ("lam", "w_q", "r_air", "z0", "op_z")}
    mo.update({key: st[key][b, :m] for key in ("conv_qv", "conv_gv", "conv_area_m2", "conv_h0_w_m2k", "conv_c_pos", "conv_c_neg",
                                                 "conv_kind", "conv_partner", "conv_gap", "conv_op")})
    mo.update(w_in=st["w_in"][b, :, :n], conv_cv=st["conv_cv"][b, :m, :n], conv_s=st["conv_s"][b, :m, :m], op_u=st["op_u"][b],
              op_q=float(st["op_q"][b]), k_air_k_w=float(st["k_air_k_w"][b]), control_operative=bool(st["control_operative"][b]))
    return mo


def bench(n_b: int, lam_max: float, rounds: int = 3) -> None:
    """The benchmark stock of ``benchmarks/bench_energy_iso52016.py`` (``build_stock``, its drivers and
    timing) through the unchanged kernel, full and with the modes ``lam < lam_max`` residualised: CPU time
    per building-hour (best of ``rounds``), work count, and the change of each building's annual loads."""
    from benchmarks.bench_energy_iso52016 import _drivers_arrays, build_stock, run_kernel_timed
    from twin.energy.iso52016 import stack_buildings

    stacked, drv, _ = build_stock(n_b)
    arrays = _drivers_arrays(drv)
    n_d = min(n_b, 500)
    full = [unstack(stacked, b) for b in range(n_d)]
    reduced = [residualise(mo, lam_max)[0] for mo in full]
    red_st = stack_buildings(reduced)
    idx = np.arange(n_b) % n_d
    red_st = {key: np.ascontiguousarray(val[idx]) for key, val in red_st.items()}
    n_u = stacked["w_in"].shape[1]
    wf = sum(work_per_hour(len(mo["lam"]), n_u, len(mo["conv_gv"])) for mo in full)
    wr = sum(work_per_hour(len(mo["lam"]), n_u, len(mo["conv_gv"])) for mo in reduced)
    modes_f = np.array([len(mo["lam"]) for mo in full])
    modes_r = np.array([len(mo["lam"]) for mo in reduced])
    run_kernel_timed({k: v[:2] for k, v in stacked.items()}, arrays, rounds=1)  # compile / load
    res = {}
    for name, st in (("full", stacked), ("reduced", red_st), ("full again", stacked)):
        wall, cpu, out = run_kernel_timed(st, arrays, rounds=rounds)
        res[name] = out
        n_h = len(arrays["t_out_c"])
        print(f"bench {name}: {n_b} buildings x {n_h} h, {st['lam'].shape[1]} modes max, {wall:.2f} s wall, {cpu:.2f} s CPU, "
              f"{cpu / (n_b * n_h) * 1e9:.1f} ns CPU per building-hour (best of {rounds}); load {os.getloadavg()[0]:.1f}")
    dh = res["reduced"].heat_wh / res["full"].heat_wh - 1.0
    dc = res["reduced"].cool_wh / res["full"].cool_wh - 1.0
    dpk = res["reduced"].peak_heat_w / res["full"].peak_heat_w - 1.0
    print(f"bench lam_max {lam_max}: modes {modes_r.min()}-{modes_r.max()} kept of {modes_f.min()}-{modes_f.max()} (incl. the pseudo-mode), "
          f"work per building-hour {wf / wr:.2f}x less; annual heating change {100 * dh.min():+.2f}..{100 * dh.max():+.2f} %, "
          f"cooling {100 * dc.min():+.2f}..{100 * dc.max():+.2f} %, peak heating {100 * dpk.min():+.2f}..{100 * dpk.max():+.2f} % over the buildings")


def main(argv: list[str]) -> None:
    if argv and argv[0] == "--bench":
        bench(int(argv[1]), float(argv[2]))
        return
    from tests.conftest import SHARED_DATA
    from tests.test_energy_bestest_iso52016 import CASES, RANGES
    from twin.energy.iso52016 import build_network, load_spec_iso52016, modal_arrays, simulate_spec_iso52016
    from twin.ingest.epw import read_epw

    cases = CASES if not argv or argv[0] == "all" else [c.lower() for c in argv[0].split(",")]
    thresholds = [0.1, 0.2, 0.3, 0.5, 0.7] if len(argv) < 2 else [float(v) for v in argv[1].split(",")]
    weather = read_epw(SHARED_DATA.joinpath(*DENVER))
    t_start = time.time()
    print(f"residualisation diagnostic, {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC; cases {','.join(cases)}; lam_max {thresholds}")
    data = {}
    for case in cases:
        spec = load_spec_iso52016(ROOT / "tests" / "energy_data" / f"bestest_{case}.yaml")
        net, drv, _ = build_network(spec, weather)
        mo = modal_arrays(net)
        data[case] = (spec, net, drv, mo)
        # check 1: nothing reduced, through this path == the spec path
        same, n_kept = residualise(mo, 0.0)
        assert n_kept == len(mo["lam"])
        mine = run_modal(same, net, drv, spec)
        ref = simulate_spec_iso52016(spec, weather)
        worst = max(abs(mine[q] - ref[q]) / max(abs(ref[q]), 1.0) for q in QUANTITIES)
        if worst > 1e-9:
            raise AssertionError(f"{case}: lam_max 0 differs from the spec path by {worst:.2e}")
        lam = mo["lam"]
        print(f"check 1 {case}: lam_max 0 through the reduced path vs simulate_spec_iso52016: largest difference {worst:.1e} (relative); "
              f"{len(lam)} modes, lam {lam.min():.3f}..{lam.max():.3f}, {len(mo['conv_gv'])} links, "
              f"control {'operative' if mo['control_operative'] else 'air'}")
    # check 2: the reduced arrays through the kernel == the literal solve of the reduced network
    for case in [c for c in ("600", "900", "950ff") if c in data]:
        spec, net, drv, mo = data[case]
        for lm in (thresholds[0], thresholds[-1]):
            red, _ = residualise(mo, lm)
            k = run_modal(red, net, drv, spec)
            lit = literal_reduced(net, drv, spec, lm)
            dphi = np.max(np.abs(k["phi_w"] - lit["phi_w"])) / max(np.max(np.abs(lit["phi_w"])), 1.0)
            dta = np.max(np.abs(k["t_air_c"] - lit["t_air_c"]))
            print(f"check 2 {case} lam_max {lm}: kernel with reduced arrays vs literal reduced network, hourly: "
                  f"power {dphi:.1e} of its peak, air {dta:.1e} K")
            if dphi > 1e-9 or dta > 1e-9:
                raise AssertionError(f"{case}: the reduced arrays and the reduced network disagree")
    full = {c: run_modal(d[3], d[1], d[2], d[0]) for c, d in data.items()}
    n_u = next(iter(data.values()))[3]["w_in"].shape[0]
    for lm in thresholds:
        print(f"\n== lam_max {lm}: modes below residualised (kept = slow modes + 1 air feed-through pseudo-mode)")
        print("case | modes kept / all | work per building-hour kept / all (multiply-adds)")
        work_full = work_red = 0
        for case, (_, _, _, mo) in data.items():
            n_s, n_c = len(mo["lam"]), len(mo["conv_gv"])
            n_slow = int((mo["lam"] >= lm).sum())
            wf, wr = work_per_hour(n_s, n_u, n_c), work_per_hour(n_slow + 1, n_u, n_c)
            work_full += wf
            work_red += wr
            print(f"{case} | {n_slow + 1} / {n_s} | {wr} / {wf} ({wf / wr:.2f}x)")
        print(f"all cases: work {work_full / work_red:.2f}x less")
        print("case quantity | full | reduced | change | range | full in, reduced in")
        ok_all = True
        for case, (spec, net, drv, mo) in data.items():
            red = run_modal(residualise(mo, lm)[0], net, drv, spec)
            for (c, q), (lo, hi) in RANGES.items():
                if c != case:
                    continue
                a, b = full[case][q], red[q]
                ch, small = moved(q, a, b)
                in_a, in_b = lo <= a <= hi, lo <= b <= hi
                bad = in_a and (not in_b or not small)
                ok_all &= not bad
                unit = " K" if q.startswith("t_air") else ""
                chs = f"{ch:+.3f}{unit}" if unit else f"{100 * ch:+.2f} %"
                print(f"{case} {q} | {a:.3f} | {b:.3f} | {chs} | {lo:.3f}..{hi:.3f} | {'in' if in_a else 'OUT'}, {'in' if in_b else 'OUT'}"
                      f"{'  <-- fails' if bad else ''}")
        print(f"lam_max {lm}: {'accuracy holds' if ok_all else 'accuracy does NOT hold'} (every quantity inside its range stays "
              f"inside and moves < {100 * LOAD_TOL:.0f} % (loads, peaks) / < {TEMP_TOL_K} K (temperatures))")
    print(f"\nwall time {time.time() - t_start:.0f} s")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
