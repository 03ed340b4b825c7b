"""Diagnostic of the finer zone model's heating excess (docs/energy_iso52016.md, "Why heating is high").

Runs BESTEST specs through the network of :func:`twin.energy.iso52016.build_network` with a plain
NumPy backward-Euler loop (one solve per hour, as ``tests/energy_iso52016_reference.py``) in which
the interior convective conductance of every surface can change hour by hour:

* ``spec``: the model as built (``h_ci = 1 / R_si - h_ri`` from the spec's combined film, fixed);
* ``iso52016``: ISO 52016-1:2017 Table 25 values by heat-flow direction, 2.5 W/(m2 K) on vertical
  surfaces, 5.0 upward, 0.7 downward; the direction of the floor and of the ceiling from the sign of
  the previous hour's surface-air difference (floor warmer than the air: upward);
* ``tarp``: buoyancy-driven natural convection ``h = c |theta_s - theta_air|^(1/3)`` with the
  previous hour's difference (Walton 1983, TARP, as used by EnergyPlus' TARP/simple natural
  convection; the same coefficients as lbl-srg/modelica-buildings
  ``Buildings.HeatTransfer.Convection.Functions.HeatFlux``: wall 1.31; floor 1.51 if warmer than the
  air else 0.76; ceiling 0.76 if warmer else 1.51).

The radiative exchange, films outside, windows, solar, gains and control are unchanged. Also
prints the January energy balance by element of one case (``--balance 600``).

Usage: ``python scripts/iso52016_convection_diagnostic.py tarp 600,900`` or ``--balance 600``.
Not a product path: it reports why the kernel's fixed coefficients overestimate heating.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DENVER = ("weather", "USA_CO_Denver.Intl.AP.725650_TMY3.epw")


def _weather():
    from tests.conftest import SHARED_DATA
    from twin.ingest.epw import read_epw

    return read_epw(SHARED_DATA.joinpath(*DENVER))


def _series(drv, n_h):
    def b(a):
        return np.broadcast_to(np.asarray(a, float).reshape(-1), (n_h,))

    return b(drv.heat_setpoint_c), b(drv.cool_setpoint_c), b(drv.gain_schedule), b(drv.ve_schedule)


def _surfaces(spec, net, info):
    """(name, interior node, area, fixed h_ci, orientation) of every interior surface."""
    from twin.energy.iso52016 import H_RI_W_M2K

    idx = {n: i for i, n in enumerate(net.names)}
    out = []
    for s in info["surfaces"]:
        kind = "floor" if s["name"] == "floor" else ("ceiling" if s["name"] == "roof" else "wall")
        out.append((s["name"], idx[s["name"] + ".int"], s["area_m2"], s["h_ci_w_m2k"], kind))
    for k, w in enumerate(spec.windows):
        r_si = spec.envelope.wall.r_si_m2k_w if w.facade != "roof" else spec.envelope.roof.r_si_m2k_w
        out.append((f"win{k}", idx[f"win{k}.int"], w.total_area_m2, 1.0 / (r_si or 0.13) - H_RI_W_M2K, "wall" if w.facade != "roof" else "ceiling"))
    return out


def h_convective(mode: str, kind: str, d_k: float, h_fixed: float) -> float:
    """Interior convective coefficient, W/(m2 K), for a surface-air difference ``d_k`` (surface minus air)."""
    if mode == "spec":
        return h_fixed
    if mode == "iso52016":
        if kind == "wall":
            return 2.5
        up = d_k > 0 if kind == "floor" else d_k < 0
        return 5.0 if up else 0.7
    c = 1.31 if kind == "wall" else ((1.51 if d_k > 0 else 0.76) if kind == "floor" else (0.76 if d_k > 0 else 1.51))
    return max(c * abs(d_k) ** (1.0 / 3.0), 0.1)


def simulate(case: str, mode: str, weather, *, keep_states: bool = False) -> dict:
    from twin.energy.iso52016 import build_network, load_spec_iso52016

    spec = load_spec_iso52016(ROOT / "tests" / "energy_data" / f"bestest_{case}.yaml")
    net, drv, info = build_network(spec, weather)
    surfs = _surfaces(spec, net, info)
    air, n = net.air, len(net.names)
    cap = net.c_j_k / 3600.0
    t = drv.t_out_c
    n_h = len(t)
    irr = np.asarray(drv.irr_w_m2, float).T
    hs, cs, gs, ves = _series(drv, n_h)
    x = np.full(n, 20.0)
    warm = spec.simulation.warmup_hours
    phis, tas = np.zeros(n_h), np.zeros(n_h)
    states = np.zeros((n_h, n)) if keep_states else None
    for step in range(warm + n_h):
        h = n_h - warm + step if step < warm else step - warm
        m = np.diag(cap) + net.k_w_k
        for _, i, a, h0, kind in surfs:
            dh = (h_convective(mode, kind, x[i] - x[air], h0) - h0) * a
            m[i, i] += dh
            m[air, air] += dh
            m[i, air] -= dh
            m[air, i] -= dh
        g = net.h_ve_sched_w_k * ves[h]
        m[air, air] += g
        minv = np.linalg.inv(m)
        u = np.concatenate(([t[h], gs[h]], irr[h]))
        rhs = cap * x + net.f_in @ u
        rhs[air] += g * t[h]
        x0 = minv @ rhs
        phi = 0.0
        if x0[air] < hs[h]:
            phi = (hs[h] - x0[air]) / minv[air, air]
        elif x0[air] > cs[h]:
            phi = (cs[h] - x0[air]) / minv[air, air]
        x = x0 + minv[:, air] * phi
        if step >= warm:
            phis[h], tas[h] = phi, x[air]
            if states is not None:
                states[h] = x
    return {
        "heating_mwh": phis.clip(0).sum() / 1e6,
        "cooling_mwh": -phis.clip(max=0).sum() / 1e6,
        "peak_heating_kw": phis.max() / 1e3,
        "peak_cooling_kw": -phis.min() / 1e3,
        "t_air_min_c": tas.min(),
        "t_air_max_c": tas.max(),
        "t_air_mean_c": tas.mean(),
        "phi_w": phis,
        "states": states,
        "net": net,
        "drivers": drv,
    }


def balance(case: str, weather, month: int = 0) -> None:
    """Energy balance by element over one month (model as built), kWh."""
    r = simulate(case, "spec", weather, keep_states=True)
    net, drv, x, phi = r["net"], r["drivers"], r["states"], r["phi_w"]
    sel = drv.month_index() == month
    t = drv.t_out_c
    n_h = len(t)
    irr = np.asarray(drv.irr_w_m2, float).T
    u = np.column_stack([t, _series(drv, n_h)[2], irr])
    f = net.f_in
    print(f"case {case}, month {month + 1}: t_out {t[sel].mean():.2f} degC, t_air {x[sel, net.air].mean():.2f} degC")
    print("element | film to outdoor air | absorbed solar | sky long-wave | net loss (kWh)")
    for i, name in enumerate(net.names):
        if not name.endswith(".ext"):
            continue
        film = (f[i, 0] * (x[sel, i] - t[sel])).sum() / 1e3
        sky = (u[sel, -1] * f[i, -1]).sum() / 1e3
        sol = (u[sel, 2:-1] @ f[i, 2:-1]).sum() / 1e3
        print(f"{name[:-4]} | {film:.1f} | {sol:.1f} | {sky:.1f} | {film - sol - sky:.1f}")
    inf = (f[net.air, 0] * (x[sel, net.air] - t[sel])).sum() / 1e3
    sol_in = sum((u[sel, j] * f[:, j].sum()).sum() for j, nm in enumerate(net.inputs) if nm.startswith("win_")) / 1e3
    print(f"infiltration {inf:.1f}; transmitted solar {sol_in:.1f}; gains {(u[sel, 1] * f[:, 1].sum()).sum() / 1e3:.1f}")
    print(f"heating {phi[sel].clip(0).sum() / 1e3:.1f}; cooling {-phi[sel].clip(max=0).sum() / 1e3:.1f}")
    for i, name in enumerate(net.names):
        if name.endswith(".int"):
            d = x[sel, i] - x[sel, net.air]
            print(f"  {name}: mean surface - air {d.mean():+.2f} K, warmer than the air {np.mean(d > 0):.0%} of hours")


def main(argv: list[str]) -> None:
    from tests.test_energy_bestest_iso52016 import RANGES

    weather = _weather()
    if argv[0] == "--balance":
        balance(argv[1], weather)
        return
    mode, cases = argv[0], argv[1].split(",")
    inside = total = 0
    for case in cases:
        r = simulate(case, mode, weather)
        for (c, q), (lo, hi) in RANGES.items():
            if c == case:
                ok = lo <= r[q] <= hi
                inside += ok
                total += 1
                print(f"{case} {q} {r[q]:.3f} {lo:.3f}..{hi:.3f} {'inside' if ok else 'OUT'}")
    print(f"{mode}: {inside} of {total} inside")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
