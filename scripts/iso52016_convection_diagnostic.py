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

Exterior option (``--exterior doe2`` after the cases): the spec's fixed combined exterior film of every
opaque surface and window replaced hour by hour by the DOE-2 wind-dependent convection of the
EnergyPlus Engineering Reference ("Exterior Convection", DOE-2 model: ``h_c = h_n + R_f (h_glass -
h_n)``, ``h_glass = sqrt(h_n^2 + (a V_z^b)^2)``, windward ``a = 3.26, b = 0.89``, leeward ``a = 3.55,
b = 0.617`` (MoWiTT, Yazdanian and Klems 1994), ``h_n`` the TARP natural convection with the
previous hour's surface-air difference) plus the linearised long-wave exchange with the air
temperature ``4 eps sigma T^3`` (the sky correction of the network is kept). Choices, each to be
confirmed before any adoption: ``R_f`` 1.52 (medium rough) opaque, 1.0 glass; windward when the
wind comes from within 100 degrees of the outward normal, horizontal surfaces windward; EPW wind
(10 m) taken to the surface height with the EnergyPlus power law (met station 0.14 / 270 m,
site suburbs 0.22 / 370 m, or ``--terrain country`` 0.14 / 270 m, the terrain of the GSR-2020 models'
``OS:Site``; ``--roughness rough``: R_f 1.67, the specs' "Rough" surfaces; the keys of
``twin.energy.iso52016.TERRAIN`` and ``ROUGHNESS_RF``); ``eps`` 0.9 opaque, 0.84 glass; the raised
floor keeps the spec's film. A sensitivity measurement, not a model.

Window option (``--window iso15099 | iso15099-2014 | from-u``): the window's glazing conductance
replaced hour by hour by the ISO 15099 gap of :func:`h_gap_iso15099` from the previous hour's pane
temperatures, with the 140-2020 panes (the kernel's gap link with the BESTEST specs' panes since
2026-12-04), the GSR-2014 panes (the specs' panes before; their optics too were the older pane's,
scripts/bestest_glazing_2020.py), or a gap width inferred from the spec's U-value at EN 673 rating conditions.
Sub-steps (``--substeps N``): N backward-Euler steps per hour, the hour's drivers held, coefficients
updated every sub-step, the hour's mean power reported; with ``--ramp 1`` a rising heating
setpoint ramps linearly over the hour's sub-steps (ASHRAE 140-2020 case 640 for sub-hourly
programs: 10 -> 12.5, 15, 17.5, 20 degC from 07:00 to 08:00) instead of stepping at its start.

Iterations (``--iterate N``): the hour solved N times, the hourly coefficients of each pass taken
from the previous pass's solution (N = 1: from the previous hour's state, as the kernel does).

Usage: ``python scripts/iso52016_convection_diagnostic.py tarp 600,900 [--exterior doe2] [--window iso15099-2014]
[--substeps 4 [--ramp 1]] [--iterate 2]`` or ``--balance 600``.
Not a product path: it reports why the kernel's fixed coefficients overestimate heating.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from twin.energy.iso52016 import ROUGHNESS_RF, wind_factor  # noqa: E402  (the model's own tables)

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


SIGMA = 5.670374419e-8
#: The DOE-2 option's choices of this run (set by ``main``): the site terrain (``--terrain``, a key of
#: twin.energy.iso52016.TERRAIN) and the opaque surfaces' roughness (``--roughness``, a key of
#: twin.energy.iso52016.ROUGHNESS_RF: medium_rough 1.52, rough 1.67), the model's own tables.
EXTERIOR_CHOICES = {"terrain": "suburbs", "roughness": "medium_rough"}
AZIMUTH_DEG = {"north": 0.0, "east": 90.0, "south": 180.0, "west": 270.0}


def _exterior_nodes(spec, net, info):
    """(exterior node, area, fixed film conductance W/K, kind, azimuth deg, R_f, eps, height m) per exterior surface."""
    idx = {n: i for i, n in enumerate(net.names)}
    out = []
    for s in info["surfaces"]:
        node = s["name"] + ".ext"
        if node not in idx or s["name"] == "floor":  # the floor keeps the spec's film (no sun, no wind on it)
            continue
        i = idx[node]
        kind = "floor" if s["name"] == "floor" else ("roof" if s["name"] == "roof" else "wall")
        az = AZIMUTH_DEG.get(s["name"], 0.0)
        z = 1.35 if kind == "wall" else (2.7 if kind == "roof" else 0.5)
        out.append((i, s["area_m2"], net.f_in[i, 0], kind, az, ROUGHNESS_RF[EXTERIOR_CHOICES["roughness"]], 0.9, z))
    for k, w in enumerate(spec.windows):
        i = idx[f"win{k}.ext"]
        out.append((i, w.total_area_m2, net.f_in[i, 0], "wall", AZIMUTH_DEG.get(w.facade, 0.0), 1.0, 0.84, 1.35))
    return out


def h_exterior_doe2(kind: str, d_k: float, v10: float, wind_dir: float, az: float, r_f: float, eps: float, t_mean_c: float, z: float) -> float:
    """DOE-2 exterior convection plus linearised long-wave to the air, W/(m2 K) (see the module doc)."""
    if kind == "wall":
        h_n = 1.31 * abs(d_k) ** (1.0 / 3.0)
        diff = abs(wind_dir - az) % 360.0
        windward = min(diff, 360.0 - diff) <= 100.0
    else:  # roof facing up, floor facing down; d_k = surface - air
        up = d_k > 0 if kind == "roof" else d_k < 0
        h_n = 9.482 * abs(d_k) ** (1.0 / 3.0) / (7.238 - 1.0) if up else 1.810 * abs(d_k) ** (1.0 / 3.0) / (1.382 + 1.0)
        windward = True
    vz = v10 * wind_factor(EXTERIOR_CHOICES["terrain"], z)
    a, b = (3.26, 0.89) if windward else (3.55, 0.617)
    h_glass = np.sqrt(h_n**2 + (a * vz**b) ** 2)
    return h_n + r_f * (h_glass - h_n) + 4.0 * eps * SIGMA * (t_mean_c + 273.15) ** 3


# Window gap (``--window iso15099``): the pane set of the ASHRAE 140-2020 inputs (GSR-2020
# bestest_resources.osm, /work/shared/reference/bestest_cases.md section 6): two clear panes
# 3.048 mm, k 1.0 W/(m K), IR emissivity 0.84, 12 mm air gap. ``--window iso15099-2014``: the
# GSR-2014 / MBL set (3.175 mm, k 1.06, 13 mm).
PANES = {"iso15099": (0.003048, 1.0, 0.012, 0.84), "iso15099-2014": (0.003175, 1.06, 0.013, 0.84)}
GAP_PRESSURE_PA = 1.0e5  # as the kernel (EnergyPlus window model gas pressure)


def h_gap_iso15099(t1_c: float, t2_c: float, gap_m: float, eps: float, height_m: float = 2.0) -> float:
    """Conductance of an air gap between two panes at t1, t2 (degC), W/(m2 K), ISO 15099:2003.

    The kernel's own law (:func:`twin.kernels.energy_iso52016.glazing_conductance`: section 5.3.3
    convection with the Annex B air properties, linearised grey radiation between the panes), with
    no pane resistance in series and both panes of emissivity ``eps``.
    """
    from twin.kernels.energy_iso52016 import glazing_conductance

    tm = 0.5 * (t1_c + t2_c) + 273.15
    return glazing_conductance(tm, abs(t1_c - t2_c), gap_m, 0.0, 1.0 / (2.0 / eps - 1.0), height_m)


def simulate(
    case: str, mode: str, weather, *, keep_states: bool = False, exterior: str = "spec", window: str = "spec", substeps: int = 1, ramp: bool = False,
    iterate: int = 1,
) -> dict:
    from twin.energy.iso52016 import build_network, load_spec_iso52016

    spec = load_spec_iso52016(ROOT / "tests" / "energy_data" / f"bestest_{case}.yaml")
    net, drv, info = build_network(spec, weather, glazing=[None] * len(spec.windows))  # the gaps of --window below, not the spec's
    surfs = _surfaces(spec, net, info)
    ext = _exterior_nodes(spec, net, info) if exterior == "doe2" else []
    idx = {nm: i for i, nm in enumerate(net.names)}
    gaps = []  # (exterior pane node, interior pane node, area, base glazing conductance W/K, height)
    if window != "spec":
        for k, w in enumerate(spec.windows):
            i, j = idx[f"win{k}.ext"], idx[f"win{k}.int"]
            g0 = -net.k_w_k[i, j]
            if window == "from-u":  # gap width that gives the spec's glazing conductance at EN 673 conditions
                d_p, k_p, eps_g = 0.003, 1.0, w.emissivity
                r_target = w.total_area_m2 / g0 - 2 * d_p / k_p
                lo, hi = 1e-3, 0.05
                for _ in range(60):
                    mid = 0.5 * (lo + hi)
                    r_mid = 1.0 / h_gap_iso15099(2.5, 17.5, mid, eps_g, w.height_m or 1.5)
                    lo, hi = (mid, hi) if r_mid < r_target else (lo, mid)
                gap_m = 0.5 * (lo + hi)
                print(f"window {k}: gap inferred from U {w.u_w_m2k}: {gap_m * 1000:.2f} mm")
            else:
                d_p, k_p, gap_m, eps_g = PANES[window]
            gaps.append((i, j, w.total_area_m2, g0, w.height_m or 1.5))
    wind = weather.data["wind_speed_m_s"].to_numpy(float)
    wdir = weather.data["wind_dir_deg"].to_numpy(float)
    air, n = net.air, len(net.names)
    cap = net.c_j_k / (3600.0 / substeps)  # ``--substeps N``: N backward-Euler steps per hour, drivers held
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
        phi_sum = 0.0
        for _sub in range(substeps):
            x_prev = x
            xc, t_c = x_prev, t[h - 1]  # the state the coefficients are taken from (--iterate: then the new one)
            for _it in range(iterate):
                m = np.diag(cap) + net.k_w_k
                for _, i, a, h0, kind in surfs:
                    dh = (h_convective(mode, kind, xc[i] - xc[air], h0) - h0) * a
                    m[i, i] += dh
                    m[air, air] += dh
                    m[i, air] -= dh
                    m[air, i] -= dh
                for i, j, a, g0, hw in gaps:
                    g_h = a / (2.0 * d_p / k_p + 1.0 / h_gap_iso15099(xc[i], xc[j], gap_m, eps_g, hw)) - g0  # noqa: B023
                    m[i, i] += g_h
                    m[j, j] += g_h
                    m[i, j] -= g_h
                    m[j, i] -= g_h
                g = net.h_ve_sched_w_k * ves[h]
                m[air, air] += g
                d_ext = np.zeros(n)
                for i, a, g0, kind, az, r_f, eps, z in ext:
                    h_e = h_exterior_doe2(kind, xc[i] - t_c, wind[h], wdir[h], az, r_f, eps, 0.5 * (xc[i] + t[h]), z)
                    d_ext[i] = h_e * a - g0
                    m[i, i] += d_ext[i]
                minv = np.linalg.inv(m)
                u = np.concatenate(([t[h], gs[h]], irr[h]))
                rhs = cap * x_prev + net.f_in @ u + d_ext * t[h]
                rhs[air] += g * t[h]
                x0 = minv @ rhs
                phi = 0.0
                hs_sub = hs[h]
                if ramp and np.isfinite(hs[h - 1]) and hs[h] > hs[h - 1]:
                    # ASHRAE 140-2020 case 640 for sub-hourly programs: the heating setpoint rises
                    # linearly over the hour, reaching the new value at its end (10 -> 12.5, 15, 17.5, 20)
                    hs_sub = hs[h - 1] + (hs[h] - hs[h - 1]) * (_sub + 1) / substeps
                if x0[air] < hs_sub:
                    phi = (hs_sub - x0[air]) / minv[air, air]
                elif x0[air] > cs[h]:
                    phi = (cs[h] - x0[air]) / minv[air, air]
                x = x0 + minv[:, air] * phi
                xc, t_c = x, t[h]
            phi_sum += phi
        phi = phi_sum / substeps  # the hour's mean power
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
    opts = dict(zip(argv[2::2], argv[3::2]))
    exterior = opts.get("--exterior", "spec")
    window = opts.get("--window", "spec")
    substeps = int(opts.get("--substeps", "1"))
    ramp = opts.get("--ramp", "0") == "1"
    EXTERIOR_CHOICES.update(terrain=opts.get("--terrain", "suburbs"), roughness=opts.get("--roughness", "medium_rough"))
    iterate = int(opts.get("--iterate", "1"))
    inside = total = 0
    for case in cases:
        r = simulate(case, mode, weather, exterior=exterior, window=window, substeps=substeps, ramp=ramp, iterate=iterate)
        for (c, q), (lo, hi) in RANGES.items():
            if c == case:
                ok = lo <= r[q] <= hi
                inside += ok
                total += 1
                print(f"{case} {q} {r[q]:.3f} {lo:.3f}..{hi:.3f} {'inside' if ok else 'OUT'}")
    choices = f" ({EXTERIOR_CHOICES['terrain']}, {EXTERIOR_CHOICES['roughness']})" if exterior == "doe2" else ""
    print(f"{mode}, exterior {exterior}{choices}, window {window}, substeps {substeps}, ramp {ramp}, iterate {iterate}: {inside} of {total} inside")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
