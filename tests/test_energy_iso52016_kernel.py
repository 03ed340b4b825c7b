"""Finer zone model (kernels/energy_iso52016.py): agreement with the plain NumPy reference, steady state, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from tests.energy_iso52016_reference import simulate_network_reference
from twin.energy.iso52016 import GlazingGap, Network, build_network, load_spec_iso52016, modal_arrays, run_kernel, stack_buildings
from twin.errors import InputError

DATA = __import__("pathlib").Path(__file__).parent / "energy_data"


def _random_network(rng: np.random.Generator, n: int, n_g: int) -> Network:
    """A connected random network: node 0 is the air (capacitive), about 40 % of the others massless."""
    k = np.zeros((n, n))

    def link(i, j, h):
        k[i, i] += h
        k[j, j] += h
        k[i, j] -= h
        k[j, i] -= h

    for i in range(1, n):
        link(i, int(rng.integers(0, i)), float(rng.uniform(5.0, 500.0)))
    for _ in range(n // 2):
        i, j = rng.choice(n, 2, replace=False)
        link(int(i), int(j), float(rng.uniform(1.0, 100.0)))
    bound = np.where(rng.random(n) < 0.3, rng.uniform(1.0, 80.0, n), 0.0)
    bound[0] = 15.0  # infiltration
    k += np.diag(bound)
    cap = np.where(rng.random(n) < 0.6, rng.uniform(1e4, 5e6, n), 0.0)
    cap[0] = 1.5e5
    f = np.zeros((n, 2 + n_g))
    f[:, 0] = bound
    f[:, 1] = np.where(rng.random(n) < 0.3, rng.uniform(0.0, 300.0, n), 0.0)
    f[:, 2:] = np.where(rng.random((n, n_g)) < 0.3, rng.uniform(-5.0, 20.0, (n, n_g)), 0.0)
    names = [f"n{i}" for i in range(n)]
    return Network(names, cap, k, f, ("t_out", "gain") + tuple(f"g{i}" for i in range(n_g)), 0, float(rng.uniform(0.0, 400.0)))


def _synthetic_drivers(rng: np.random.Generator, n_h: int, n_g: int) -> dict:
    hours = np.arange(n_h)
    day = hours % 24
    t_out = 8.0 - 14.0 * np.cos(2 * np.pi * hours / n_h) + 6.0 * np.sin(2 * np.pi * (day - 9) / 24) + rng.normal(0, 1.5, n_h)
    sun = np.clip(np.sin(np.pi * (day - 6) / 12), 0.0, None)
    irr = (sun[:, None] * rng.uniform(100.0, 700.0, (n_h, n_g))) * (rng.random((n_h, 1)) < 0.8)
    irr[:, -1] = 60.0 + 30.0 * rng.random(n_h)  # a sky long-wave row, never zero
    heat = np.where((day >= 7) & (day < 23), 20.0, 16.0)
    heat[(hours // 24) % 7 == 6] = np.nan  # heating off on Sundays
    cool = np.where((day >= 8) & (day < 19), 26.0, np.nan)
    return {
        "t_out_c": t_out,
        "irr_hg": irr,
        "gain_schedule": np.where((day >= 8) & (day < 18), 1.0, 0.2),
        "heat_setpoint_c": heat,
        "cool_setpoint_c": cool,
        "ve_schedule": np.where((day < 7) | (day >= 19), 1.0, 0.0),
        "month": np.minimum(hours * 12 // n_h, 11).astype(np.int64),
    }


def _rel(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    zero = b == 0
    assert np.all(np.abs(a[zero]) < 1e-6), "kernel has a value where the reference has none"
    return float(np.max(np.abs(a[~zero] - b[~zero]) / np.abs(b[~zero]))) if (~zero).any() else 0.0


def _compare(out, i, ref, *, rtol=1e-9):
    assert _rel(out.heat_wh[i], ref["heat_wh"]) <= rtol
    assert _rel(out.cool_wh[i], ref["cool_wh"]) <= rtol
    assert _rel(out.monthly_heat_wh[i], ref["monthly_heat_wh"]) <= rtol
    assert _rel(out.monthly_cool_wh[i], ref["monthly_cool_wh"]) <= rtol
    assert _rel(out.peak_heat_w[i], ref["peak_heat_w"]) <= rtol
    assert _rel(out.peak_cool_w[i], ref["peak_cool_w"]) <= rtol
    assert out.peak_heat_hour[i] == ref["peak_heat_hour"] and out.peak_cool_hour[i] == ref["peak_cool_hour"]
    np.testing.assert_allclose(out.t_air_min_c[i], ref["t_air_min_c"], rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(out.t_air_max_c[i], ref["t_air_max_c"], rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(out.t_air_mean_c[i], ref["t_air_mean_c"], rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(out.hourly_t_air_c[i], ref["t_air_c"], rtol=1e-10, atol=1e-8)
    np.testing.assert_allclose(out.hourly_phi_hc_w[i], ref["phi_hc_w"], rtol=1e-9, atol=1e-6)


def test_kernel_agrees_with_reference_random_networks():
    """Twelve random networks (3-30 nodes, massless nodes, padding of the modes), scheduled
    ventilation, setbacks, heating/cooling off hours and power limits, 1,500 hours."""
    rng = np.random.default_rng(7)
    n_h, n_g = 1500, 4
    drv = _synthetic_drivers(rng, n_h, n_g)
    nets = [_random_network(rng, int(n), n_g) for n in rng.integers(3, 31, 12)]
    st = stack_buildings([modal_arrays(net) for net in nets])
    assert len(set(st["n_modes"].tolist())) > 3  # different sizes: padded modes are skipped
    ph_max = np.where(np.arange(12) % 3 == 0, 800.0, np.inf)
    pc_max = np.where(np.arange(12) % 4 == 1, 600.0, np.inf)
    kw = {key: drv[key] for key in ("t_out_c", "irr_hg", "gain_schedule", "heat_setpoint_c", "cool_setpoint_c", "ve_schedule", "month")}
    out = run_kernel(
        st, **kw, h_ve_sched_w_k=np.array([net.h_ve_sched_w_k for net in nets]), phi_h_max_w=ph_max, phi_c_max_w=pc_max, warmup_hours=200, hourly=True
    )
    loads = 0
    for i, net in enumerate(nets):
        ref = simulate_network_reference(net, **kw, phi_h_max_w=ph_max[i], phi_c_max_w=pc_max[i], warmup_hours=200)
        _compare(out, i, ref)
        loads += (ref["heat_wh"] > 0) + (ref["cool_wh"] > 0)
    assert loads >= 16  # heating and cooling both exercised
    assert np.isclose(out.peak_heat_w[ph_max < np.inf], 800.0, rtol=1e-12).any()  # a power limit binds


def _with_convective_links(rng: np.random.Generator, net: Network) -> Network:
    """Mark up to 5 random node-air links as hourly convective links (``h0 A`` added to K)."""
    n = len(net.names)
    nodes = rng.choice(np.arange(1, n), size=min(5, n - 1), replace=False).astype(np.int64)
    area = rng.uniform(2.0, 50.0, len(nodes))
    h0 = rng.uniform(0.5, 4.0, len(nodes))
    k = net.k_w_k.copy()
    for j, nd in enumerate(nodes):
        h = h0[j] * area[j]
        k[nd, nd] += h
        k[0, 0] += h
        k[nd, 0] -= h
        k[0, nd] -= h
    return Network(
        net.names, net.c_j_k, k, net.f_in, net.inputs, net.air, net.h_ve_sched_w_k,
        conv_node=nodes, conv_area_m2=area, conv_h0_w_m2k=h0,
        conv_c_pos=rng.uniform(0.5, 2.0, len(nodes)), conv_c_neg=rng.uniform(0.5, 2.0, len(nodes)),
    )


def test_kernel_agrees_with_reference_hourly_convection():
    """Random networks with hourly convective links ``h = c |d|^(1/3)`` (Sherman-Morrison update in the
    kernel, a rebuilt matrix per hour in the reference), mixed with fixed-coefficient networks."""
    rng = np.random.default_rng(11)
    n_h, n_g = 1500, 4
    drv = _synthetic_drivers(rng, n_h, n_g)
    nets = [_random_network(rng, int(n), n_g) for n in rng.integers(3, 25, 8)]
    nets = [_with_convective_links(rng, net) if i % 4 else net for i, net in enumerate(nets)]
    st = stack_buildings([modal_arrays(net) for net in nets])
    assert st["n_conv"].max() >= 2 and st["n_conv"].min() == 0
    kw = {key: drv[key] for key in ("t_out_c", "irr_hg", "gain_schedule", "heat_setpoint_c", "cool_setpoint_c", "ve_schedule", "month")}
    out = run_kernel(st, **kw, h_ve_sched_w_k=np.array([net.h_ve_sched_w_k for net in nets]), phi_h_max_w=np.inf, phi_c_max_w=np.inf,
                     warmup_hours=200, hourly=True)
    for i, net in enumerate(nets):
        ref = simulate_network_reference(net, **kw, warmup_hours=200)
        _compare(out, i, ref)
        if len(net.conv_node):  # the hourly coefficients change the result
            fixed = Network(net.names, net.c_j_k, net.k_w_k, net.f_in, net.inputs, net.air, net.h_ve_sched_w_k)
            assert not np.allclose(simulate_network_reference(fixed, **kw, warmup_hours=200)["t_air_c"], ref["t_air_c"], rtol=1e-6)


def _films(spec):
    """``spec`` with the fixed exterior films (``simulation.exterior_convection: fixed``; the BESTEST specs have doe2)."""
    return spec.model_copy(update={"simulation": spec.simulation.model_copy(update={"exterior_convection": "fixed"})})


def test_interior_convection_option(denver):
    """``fixed`` gives the spec-film network without hourly links; an unknown model name is an error."""
    spec = _films(load_spec_iso52016(DATA / "bestest_600.yaml"))
    net_t, _, info_t = build_network(spec, denver, glazing=[None])  # [None]: constant glazing conductance
    net_f, _, info_f = build_network(spec, denver, interior_convection="fixed", glazing=[None])
    assert len(net_t.conv_node) == 7 and len(net_f.conv_node) == 0  # 4 walls, roof, floor, window
    np.testing.assert_array_equal(net_t.k_w_k, net_f.k_w_k)
    assert info_t["interior_convection"] == "tarp"
    with pytest.raises(InputError, match="interior convection"):
        build_network(spec, denver, interior_convection="iso")


def _spec_drivers_kw(drv) -> dict:
    """The kernel's and the reference's driver arguments from a spec's drivers (the weather's wind included)."""
    return {
        "t_out_c": drv.t_out_c,
        "irr_hg": np.asarray(drv.irr_w_m2).T,
        "gain_schedule": np.asarray(drv.gain_schedule, float).ravel(),
        "heat_setpoint_c": np.asarray(drv.heat_setpoint_c, float).ravel(),
        "cool_setpoint_c": np.asarray(drv.cool_setpoint_c, float).ravel(),
        "ve_schedule": drv.ve_schedule.ravel(),
        "month": drv.month_index(),
        "wind_speed_m_s": drv.wind_speed_m_s,
        "wind_dir_deg": drv.wind_dir_deg,
    }


GLAZING = GlazingGap(pane_thickness_m=0.003175, pane_conductivity_w_mk=1.06, gap_m=0.013, emissivity=0.84)


@pytest.mark.parametrize(
    "case,convection,glazed",
    [
        ("600", "tarp", False),
        ("950ff", "tarp", False),
        ("640", "tarp", False),
        pytest.param("600", "tarp", True, marks=pytest.mark.slow),
        pytest.param("950ff", "fixed", True, marks=pytest.mark.slow),
    ],
)
def test_kernel_agrees_with_reference_bestest_year(denver, case, convection, glazed):
    """The spec path's network (layers, windows, star node, night-vent fan, setback) over a full year;
    with ``glazed`` the window's gap link (ISO 15099, pane temperatures) next to tarp or fixed links."""
    spec = load_spec_iso52016(DATA / f"bestest_{case}.yaml")
    net, drv, info = build_network(spec, denver, interior_convection=convection, glazing=None if glazed else [None] * len(spec.windows))  # None: the spec's glazing_gap
    assert info["glazing_gap_links"] == (1 if glazed else 0)
    st = stack_buildings([modal_arrays(net)])
    kw = _spec_drivers_kw(drv)
    out = run_kernel(st, **kw, h_ve_sched_w_k=net.h_ve_sched_w_k, phi_h_max_w=np.inf, phi_c_max_w=np.inf, warmup_hours=720, hourly=True)
    ref = simulate_network_reference(net, **kw, warmup_hours=720, a_f_m2=48.0)
    _compare(out, 0, ref)
    if case == "950ff":
        assert net.h_ve_sched_w_k > 400.0  # the night fan is on the hourly path (0.480 kg/s x 1006 = 482 W/K)


def _steady_heating_w(net, drv, t_out: float) -> float:
    """Kernel heating power after 2,000 h at constant outdoor air, no sun, no gains, air held at 20 degC."""
    st = stack_buildings([modal_arrays(net)])
    n_h = 2000
    out = run_kernel(
        st,
        t_out_c=np.full(n_h, t_out),
        irr_hg=np.zeros((n_h, len(drv.groups))),
        month=np.zeros(n_h, dtype=np.int64),
        gain_schedule=np.zeros(n_h),
        heat_setpoint_c=np.full(n_h, 20.0),
        cool_setpoint_c=np.full(n_h, np.nan),
        ve_schedule=np.zeros(n_h),
        h_ve_sched_w_k=0.0,
        phi_h_max_w=np.inf,
        phi_c_max_w=np.inf,
        warmup_hours=2000,
        hourly=True,
    )
    return float(out.hourly_phi_hc_w[0, -1])


def test_steady_state_loss(denver, monkeypatch):
    """Steady state, BESTEST 600 network, 25 K: (1) with the interior radiative exchange switched
    off every interior film joins the air, and the loss is (sum U A + H_ve) dT with U from the
    layers by hand; (2) with it, the loss equals the direct (Kirchhoff) solution of the network
    and is lower: convective heating leaves the surfaces below the air temperature. Fixed interior
    coefficients (``interior_convection="fixed"``): the network itself is checked here."""
    import twin.energy.iso52016 as iso

    spec = _films(load_spec_iso52016(DATA / "bestest_600.yaml"))  # the analytic loss is of the fixed films
    r_f = 0.1206  # 1 / 8.29, the interior and floor-underside films of the spec
    u_wall = 1 / (r_f + 0.009 / 0.14 + 0.066 / 0.04 + 0.012 / 0.16 + 0.0341)
    u_roof = 1 / (r_f + 0.019 / 0.14 + 0.1118 / 0.04 + 0.010 / 0.16 + 0.0341)
    u_floor = 1 / (r_f + 1.003 / 0.04 + 0.025 / 0.14 + 0.1206)
    ua = u_wall * (2 * 21.6 + 2 * 16.2 - 12.0) + u_roof * 48 + u_floor * 48 + 3.0 * 12
    with monkeypatch.context() as mp:
        mp.setattr(iso, "H_RI_W_M2K", 0.0)
        net, drv, info = build_network(spec, denver, interior_convection="fixed", glazing=[None])
        h_ve = info["air_density_kg_m3"] * 1006.0 * 129.6 * 0.5 / 3600
        np.testing.assert_allclose(_steady_heating_w(net, drv, -5.0), (ua + h_ve) * 25.0, rtol=1e-9)
    net, drv, info = build_network(spec, denver, interior_convection="fixed", glazing=[None])
    n, a = len(net.names), net.air
    u = np.zeros(net.f_in.shape[1])
    u[0] = -5.0
    rhs = net.f_in @ u
    rest = [i for i in range(n) if i != a]
    x = np.full(n, 20.0)
    x[rest] = np.linalg.solve(net.k_w_k[np.ix_(rest, rest)], rhs[rest] - net.k_w_k[rest, a] * 20.0)
    direct = float((net.k_w_k @ x - rhs)[a])
    np.testing.assert_allclose(_steady_heating_w(net, drv, -5.0), direct, rtol=1e-9)
    assert 0.85 * (ua + h_ve) * 25.0 < direct < (ua + h_ve) * 25.0


def test_bad_interior_film_and_window_are_named(denver, tmp_path):
    import yaml

    from twin.energy.spec import spec_from_dict

    data = yaml.safe_load((DATA / "bestest_600.yaml").read_text())
    data["envelope"]["wall"]["r_si_m2k_w"] = 0.25  # below the radiative part alone
    with pytest.raises(InputError, match="convective") as exc:
        build_network(spec_from_dict(data), denver)
    assert exc.value.field == "envelope.wall.r_si_m2k_w"
    data = yaml.safe_load((DATA / "bestest_600.yaml").read_text())
    data["windows"][0]["u_w_m2k"] = 9.0  # more than the two films allow
    with pytest.raises(InputError, match="surface films") as exc:
        build_network(spec_from_dict(data), denver)
    assert exc.value.field == "windows.0.u_w_m2k"


def test_hourly_flow_schedule_loaded_and_checked(tmp_path):
    """load_spec_iso52016 takes the night-vent fan schedule (0/1 by hour) and names a value outside [0, 1]."""
    from twin.errors import SchemaError

    spec = load_spec_iso52016(DATA / "bestest_650.yaml")
    values = spec.ventilation.flows[0].schedule.all_days
    assert values[:7] == [1, 1, 1, 1, 1, 1, 1] and values[7:18] == [0] * 11 and values[18:] == [1] * 6
    text = (
        (DATA / "bestest_650.yaml")
        .read_text()
        .replace(
            "all_days: [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]",
            "all_days: [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1.5, 1]",
        )
    )
    bad = tmp_path / "bad_650.yaml"
    bad.write_text(text)
    with pytest.raises(SchemaError, match=r"\[0, 1\]") as exc:
        load_spec_iso52016(bad)
    assert exc.value.field == "ventilation.flows.0.schedule.all_days.22"


def test_cbrt_positive_matches_numpy():
    """The kernel's inline cube root (bit guess + three Halley steps) equals ``np.cbrt`` to 1e-15 relative over
    [1e-100, 1e100] (the kernel uses it on c^3 |dT| in about [1e-3, 1e5]), and to 2 ulp on cubes."""
    from twin.kernels.config import jit
    from twin.kernels.energy_iso52016 import cbrt_positive

    @jit
    def many(x, out):
        fb = np.empty(1)
        ib = fb.view(np.int64)
        for i in range(x.size):
            out[i] = cbrt_positive(x[i], fb, ib)

    rng = np.random.default_rng(5)
    x = np.concatenate([10.0 ** rng.uniform(-100.0, 100.0, 200_000), rng.uniform(0.0, 60.0, 200_000)[1:], [1e-100, 1e100, 1e-12]])
    x = x[x > 0]
    out = np.empty_like(x)
    many(x, out)
    assert np.max(np.abs(out - np.cbrt(x)) / np.cbrt(x)) <= 1e-15
    cubes = np.arange(1.0, 1000.0) ** 3
    out = np.empty_like(cubes)
    many(cubes, out)
    assert np.max(np.abs(out - np.arange(1.0, 1000.0)) / np.spacing(np.arange(1.0, 1000.0))) <= 2.0  # within 2 ulp


def test_kernel_lane_batches():
    """Buildings run in batches of ``LANES`` lanes: a stock of several batches and a short last one gives
    every building the result it has alone (each alone agrees with the reference, tests above)."""
    from twin.kernels.energy_iso52016 import LANES

    rng = np.random.default_rng(23)
    n_h, n_g = 400, 3
    drv = _synthetic_drivers(rng, n_h, n_g)
    nets = [_random_network(rng, int(n), n_g) for n in rng.integers(3, 20, 6)]
    nets = [_with_convective_links(rng, net) if i % 3 else net for i, net in enumerate(nets)]
    models = [modal_arrays(net) for net in nets]
    idx = rng.integers(0, len(nets), 2 * LANES + 5)
    kw = {key: drv[key] for key in ("t_out_c", "irr_hg", "gain_schedule", "heat_setpoint_c", "cool_setpoint_c", "ve_schedule", "month")}
    common = {"phi_h_max_w": np.inf, "phi_c_max_w": np.inf, "warmup_hours": 50, "hourly": True}
    out = run_kernel(stack_buildings([models[i] for i in idx]), **kw, h_ve_sched_w_k=np.array([nets[i].h_ve_sched_w_k for i in idx]), **common)
    for i, net in enumerate(nets):
        alone = run_kernel(stack_buildings([models[i]]), **kw, h_ve_sched_w_k=net.h_ve_sched_w_k, **common)
        for b in np.flatnonzero(idx == i):
            np.testing.assert_allclose(out.hourly_phi_hc_w[b], alone.hourly_phi_hc_w[0], rtol=1e-12, atol=1e-9)
            np.testing.assert_allclose(out.hourly_t_air_c[b], alone.hourly_t_air_c[0], rtol=1e-12, atol=1e-11)
            np.testing.assert_allclose(
                [out.heat_wh[b], out.cool_wh[b], out.peak_heat_w[b], out.t_air_min_c[b], out.t_air_mean_c[b]],
                [alone.heat_wh[0], alone.cool_wh[0], alone.peak_heat_w[0], alone.t_air_min_c[0], alone.t_air_mean_c[0]],
                rtol=1e-12,
            )
            assert out.peak_heat_hour[b] == alone.peak_heat_hour[0] and out.peak_cool_hour[b] == alone.peak_cool_hour[0]
            np.testing.assert_allclose(out.monthly_cool_wh[b], alone.monthly_cool_wh[0], rtol=1e-12, atol=1e-9)


def test_glazing_conductance():
    """The kernel's ISO 15099 glazing law: equal to the reference's written-out formulas over random pane
    states, and at a vanishing pane difference (no convection: Nu = 1) equal to the gas conduction
    ``k(T) / s`` plus the grey-plate radiation ``4 sigma T^3 / (2 / eps - 1)`` in series with the panes."""
    from tests.energy_iso52016_reference import glazing_conductance_reference
    from twin.kernels.energy_iso52016 import glazing_conductance

    rng = np.random.default_rng(5)
    for _ in range(300):
        t1, t2 = rng.uniform(-30.0, 60.0, 2)
        gap, r_p, eps, height = rng.uniform(0.004, 0.03), rng.uniform(0.0, 0.02), rng.uniform(0.05, 1.0), rng.uniform(0.3, 3.0)
        ef = 1.0 / (2.0 / eps - 1.0)
        h_k = glazing_conductance(0.5 * (t1 + t2) + 273.15, t2 - t1, gap, r_p, ef, height)
        assert h_k == pytest.approx(glazing_conductance_reference(t1, t2, gap, r_p, ef, height), rel=1e-12)
    t_k = 283.15
    k_air = 2.873e-3 + 7.76e-5 * t_k  # ISO 15099 Table B.1
    h_r = 4.0 * 5.670374419e-8 * t_k**3 / (2.0 / 0.84 - 1.0)
    expect = 1.0 / (0.006 + 1.0 / (k_air / 0.013 + h_r))
    assert glazing_conductance(t_k, 1e-9, 0.013, 0.006, 1.0 / (2.0 / 0.84 - 1.0), 2.0) == pytest.approx(expect, rel=1e-9)
    # colder panes radiate less: the winter conductance is below the mild-weather one
    assert glazing_conductance(270.0, 22.0, 0.013, 0.006, 0.724, 2.0) < glazing_conductance(293.0, 10.0, 0.013, 0.006, 0.724, 2.0)


def test_glazing_links_in_lane_batches(denver):
    """Gap links (with tarp and with fixed interior links) next to buildings without them in one batch:
    each building gets the result it has alone."""
    spec6 = load_spec_iso52016(DATA / "bestest_600.yaml")
    spec9 = load_spec_iso52016(DATA / "bestest_900.yaml")
    nets = [
        build_network(spec6, denver, glazing=[GLAZING])[0],
        build_network(spec6, denver, glazing=[None])[0],
        build_network(spec9, denver, interior_convection="fixed", glazing=[GLAZING])[0],
        build_network(spec9, denver, interior_convection="fixed", glazing=[None])[0],
    ]
    _, drv, _ = build_network(spec6, denver)
    n_h = 24 * 40
    kw = {
        "t_out_c": drv.t_out_c[:n_h],
        "irr_hg": np.asarray(drv.irr_w_m2).T[:n_h],
        "gain_schedule": np.asarray(drv.gain_schedule, float).ravel()[:n_h],
        "heat_setpoint_c": np.broadcast_to(np.asarray(drv.heat_setpoint_c, float).ravel(), (len(drv.t_out_c),))[:n_h],
        "cool_setpoint_c": np.broadcast_to(np.asarray(drv.cool_setpoint_c, float).ravel(), (len(drv.t_out_c),))[:n_h],
        "ve_schedule": np.broadcast_to(drv.ve_schedule.ravel(), (len(drv.t_out_c),))[:n_h],
        "month": drv.month_index()[:n_h],
        "phi_h_max_w": np.inf, "phi_c_max_w": np.inf, "warmup_hours": 48, "hourly": True,
    }
    models = [modal_arrays(net) for net in nets]
    idx = [0, 1, 2, 3, 0, 2]
    out = run_kernel(stack_buildings([models[i] for i in idx]), **kw, h_ve_sched_w_k=np.zeros(len(idx)))
    for b, i in enumerate(idx):
        alone = run_kernel(stack_buildings([models[i]]), **kw, h_ve_sched_w_k=0.0)
        np.testing.assert_allclose(out.hourly_phi_hc_w[b], alone.hourly_phi_hc_w[0], rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(out.hourly_t_air_c[b], alone.hourly_t_air_c[0], rtol=1e-12, atol=1e-11)
    assert not np.allclose(out.hourly_phi_hc_w[0], out.hourly_phi_hc_w[1], atol=1.0)  # the gap link changes the loads


def test_bad_glazing_is_named(denver):
    spec = load_spec_iso52016(DATA / "bestest_600.yaml")
    with pytest.raises(InputError, match="one entry per window"):
        build_network(spec, denver, glazing=[GLAZING, GLAZING])
    with pytest.raises(InputError, match="glazing needs positive") as err:
        build_network(spec, denver, glazing=[GlazingGap(0.003, 1.0, 0.0, 0.84)])
    assert err.value.field == "windows.0.glazing_gap"


@pytest.mark.parametrize("case,terrain,roughness", [("600", "country", "rough"), ("900", "suburbs", "medium_rough"), ("950ff", "country", "rough")])
def test_exterior_doe2_links_agree_with_reference(denver, case, terrain, roughness):
    """``simulation.exterior_convection: doe2``: each sunlit surface and window gets an hourly link to the
    outdoor air (DOE-2 wind-dependent convection, long-wave linearised at the surface temperature) in the
    kernel's Sherman-Morrison-Woodbury update; the plain reference rebuilds the matrix every hour with the
    coefficient written out (tests/energy_iso52016_reference.py). Full Denver year, hourly power and air
    temperature to 1e-9; the links change the loads (they are not idle)."""
    spec = load_spec_iso52016(DATA / f"bestest_{case}.yaml")
    envelope = spec.envelope.model_copy(update={k: getattr(spec.envelope, k).model_copy(update={"roughness": roughness})
                                                for k in ("wall", "roof")})
    doe2 = spec.model_copy(update={"envelope": envelope, "site": spec.site.model_copy(update={"terrain": terrain}),
                                   "simulation": spec.simulation.model_copy(update={"exterior_convection": "doe2"})})
    net, drv, info = build_network(doe2, denver)
    assert net.info["exterior_links"] == 5 + len(spec.windows)  # four walls, the roof, each window row (not the floor)
    st = stack_buildings([modal_arrays(net)])
    kw = _spec_drivers_kw(drv)
    out = run_kernel(st, **kw, h_ve_sched_w_k=net.h_ve_sched_w_k, phi_h_max_w=np.inf, phi_c_max_w=np.inf, warmup_hours=720, hourly=True)
    ref = simulate_network_reference(net, **kw, warmup_hours=720, a_f_m2=48.0)
    _compare(out, 0, ref)
    fixed = build_network(_films(spec), denver)[0]  # the same spec with the fixed exterior films
    base = run_kernel(stack_buildings([modal_arrays(fixed)]), **kw, h_ve_sched_w_k=fixed.h_ve_sched_w_k, phi_h_max_w=np.inf, phi_c_max_w=np.inf,
                      warmup_hours=720, hourly=True)
    assert np.abs(base.hourly_t_air_c[0] - out.hourly_t_air_c[0]).max() > 0.5


@pytest.mark.parametrize("path,value", [(("site", "terrain"), "mars"), (("simulation", "exterior_convection"), "wind"),
                                        (("envelope", "wall", "roughness"), "sandpaper")])
def test_bad_exterior_keys_name_the_key(path, value):
    """An unknown terrain, exterior model or roughness: a schema error naming the key path."""
    import yaml

    from twin.energy.spec import spec_from_dict
    from twin.errors import SchemaError

    d = yaml.safe_load((DATA / "bestest_600.yaml").read_text())
    node = d
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    with pytest.raises(SchemaError) as exc:
        spec_from_dict(d)
    assert ".".join(path) in str(exc.value)


def test_stock_without_wind_is_refused(denver):
    """Wind-dependent exterior links need the weather's wind: drivers without it are an error, not a calm year."""
    from dataclasses import replace

    from twin.energy.stock_iso52016 import simulate_zones, zone_from_spec

    spec = load_spec_iso52016(DATA / "bestest_600.yaml")
    zone, drivers = zone_from_spec(spec, denver)
    assert zone.exterior_convection == "doe2" and drivers.wind_speed_m_s is not None
    with pytest.raises(InputError, match="wind"):
        simulate_zones([zone], replace(drivers, wind_speed_m_s=None, wind_dir_deg=None))
