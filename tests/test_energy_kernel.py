"""ISO 13790 5R1C kernel: agreement with the plain-Python reference, steady state, free float, limits, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.energy_reference import building_constants, simulate_stock_reference
from tests.energy_synthetic import synthetic_drivers, synthetic_stock
from twin.energy.inputs import STANDARD_GROUPS, Drivers, StockInputs
from twin.energy.simulate import run_kernel, simulate_stock, steady_state_h_tr_w_k
from twin.errors import InputError, SimulationError

N_H = 8760


@pytest.fixture(scope="module")
def year_drivers() -> Drivers:
    return synthetic_drivers(N_H, seed=3)


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    """Largest relative difference; where the reference is 0 the kernel must be 0 too."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    zero = b == 0
    assert np.all(a[zero] == 0), "kernel has a load where the reference has none"
    return float(np.max(np.abs(a[~zero] - b[~zero]) / np.abs(b[~zero]))) if (~zero).any() else 0.0


def assert_aggregates_agree(raw: dict, ref: list[dict]) -> None:
    """The kernel's annual, monthly, peak and temperature aggregates against the Python reference's."""
    assert _rel(raw["heat_wh"], np.array([r["heat_wh"] for r in ref])) <= 1e-9
    assert _rel(raw["cool_wh"], np.array([r["cool_wh"] for r in ref])) <= 1e-9
    assert _rel(raw["monthly_heat_wh"].ravel(), np.array([r["monthly_heat_wh"] for r in ref]).ravel()) <= 1e-9
    assert _rel(raw["monthly_cool_wh"].ravel(), np.array([r["monthly_cool_wh"] for r in ref]).ravel()) <= 1e-9
    assert _rel(raw["peak_heat_w"], np.array([r["peak_heat_w"] for r in ref])) <= 1e-9
    assert np.array_equal(raw["peak_heat_hour"], [r["peak_heat_hour"] for r in ref])
    assert np.array_equal(raw["peak_cool_hour"], [r["peak_cool_hour"] for r in ref])
    np.testing.assert_allclose(raw["t_air_min_c"], [r["t_min"] for r in ref], rtol=1e-10)
    np.testing.assert_allclose(raw["t_air_max_c"], [r["t_max"] for r in ref], rtol=1e-10)
    np.testing.assert_allclose(raw["t_air_mean_c"], [r["t_mean"] for r in ref], rtol=1e-10)


def test_kernel_agrees_with_python_reference_50_buildings_one_year(year_drivers):
    inp = synthetic_stock(50, seed=11)
    raw = run_kernel(inp, year_drivers, warmup_hours=240, hourly=True)
    ref = simulate_stock_reference(inp, year_drivers, warmup_hours=240)
    heat = np.array([r["heat_wh"] for r in ref])
    cool = np.array([r["cool_wh"] for r in ref])
    assert (heat > 0).sum() >= 45 and (cool > 0).sum() >= 25  # both loads are exercised
    assert_aggregates_agree(raw, ref)
    np.testing.assert_allclose(raw["phi_hc_w"], np.array([r["phi"] for r in ref]), rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(raw["t_air_c"], np.array([r["t_air"] for r in ref]), rtol=1e-10, atol=1e-9)


def test_kernel_agrees_with_reference_with_film_correction(year_drivers):
    inp = synthetic_stock(8, seed=5)
    raw = run_kernel(inp, year_drivers, warmup_hours=48, film_correction=True)
    ref = simulate_stock_reference(inp, year_drivers, warmup_hours=48, film_correction=True)
    assert _rel(raw["heat_wh"], np.array([r["heat_wh"] for r in ref])) <= 1e-9
    assert _rel(raw["cool_wh"], np.array([r["cool_wh"] for r in ref])) <= 1e-9


@pytest.mark.parametrize("cooling", ["off", "no-power", "on"])
def test_kernel_agrees_with_reference_one_profile_blocks(year_drivers, cooling):
    """Blocks on one gain and one setpoint profile, against the plain-Python loop.

    Such blocks read each schedule value once per hour. Cooling off all year (setpoint NaN) or
    without cooling power must give exact zeros (``"off"``, ``"no-power"``), while ``"on"`` runs
    the full control. Irradiance is zero in random (hour, group) cells, so hours have every count
    of active groups from 0 to all (the kernel adds the groups several per pass). The warm-up is
    odd and ends inside a month; runs with and without hourly outputs must give the same
    aggregates, bit for bit.
    """
    from dataclasses import replace

    rng = np.random.default_rng(8)
    inp = replace_all(synthetic_stock(70, seed=31), gain_profile=1, setpoint_profile=0)
    irr = np.where(rng.random(year_drivers.irr_w_m2.shape) < 0.35, 0.0, year_drivers.irr_w_m2)
    drv = replace(year_drivers, irr_w_m2=irr)
    if cooling == "off":
        drv = replace(drv, cool_setpoint_c=np.full_like(drv.cool_setpoint_c, np.nan))
    elif cooling == "no-power":
        inp = replace_all(inp, phi_c_max_w=0.0)
    n_active = np.bincount((irr != 0).sum(axis=0), minlength=irr.shape[0] + 1)
    assert np.all(n_active[[0, 4, 8]] > 0) and np.all(n_active[[1, 2, 3, 5, 6, 7]] > 0)
    raw = run_kernel(inp, drv, warmup_hours=1001)
    ref = simulate_stock_reference(inp, drv, warmup_hours=1001)
    heat = np.array([r["heat_wh"] for r in ref])
    assert (heat > 0).all()
    assert_aggregates_agree(raw, ref)
    cool = np.array([r["cool_wh"] for r in ref])
    if cooling == "on":
        assert (cool > 0).sum() >= 25  # the cooling terms are exercised
    else:
        assert np.all(raw["cool_wh"] == 0) and np.all(raw["peak_cool_hour"] == -1)
    # hourly outputs take another pass of the kernel (state kept per hour): same aggregates
    again = run_kernel(inp, drv, warmup_hours=1001, hourly=True)
    for key in raw:
        np.testing.assert_array_equal(again[key], raw[key])
    np.testing.assert_allclose(again["phi_hc_w"], np.array([r["phi"] for r in ref]), rtol=1e-9, atol=1e-6)


def _ventilated(inp: StockInputs, drv: Drivers, seed: int, n_vp: int = 3) -> tuple[StockInputs, Drivers]:
    """Mixed flags: every other building film-corrected, two in three with a scheduled fan (on ``n_vp`` of 3 profiles)."""
    from dataclasses import replace

    rng = np.random.default_rng(seed)
    n, n_h = inp.n_buildings, drv.n_hours
    hour = np.arange(n_h) % 24
    night = ((hour >= 18) | (hour < 7)).astype(float)
    ve = np.vstack([night, 0.5 * night + 0.25 * (hour % 3 == 0), rng.uniform(0.0, 1.0, n_h)])
    fan = np.where(np.arange(n) % 3 == 2, 0.0, inp.h_ve_w_k * rng.uniform(0.5, 4.0, n))
    film = np.arange(n) % 2 == 1
    inp = replace(inp, film_correction=film, h_ve_sched_w_k=fan, ve_profile=rng.integers(0, n_vp, n))
    return inp, replace(drv, ve_schedule=ve)


@pytest.mark.parametrize("n_vp", [3, 1], ids=["mixed-profiles", "one-profile"])
def test_kernel_agrees_with_reference_mixed_film_and_hourly_ventilation(year_drivers, n_vp):
    """Per-building film correction and an hourly H_ve against the plain-Python loop.

    70 buildings: two blocks of 64 lanes, the second partly padding, lanes with and without a
    fan; the fans on three profiles (lanes of a block read their own) or on one (the block
    reads it once per hour).
    """
    inp, drv = _ventilated(synthetic_stock(70, seed=21), year_drivers, seed=4, n_vp=n_vp)
    raw = run_kernel(inp, drv, warmup_hours=96, hourly=True)
    ref = simulate_stock_reference(inp, drv, warmup_hours=96)
    assert _rel(raw["heat_wh"], np.array([r["heat_wh"] for r in ref])) <= 1e-9
    assert _rel(raw["cool_wh"], np.array([r["cool_wh"] for r in ref])) <= 1e-9
    assert _rel(raw["peak_cool_w"], np.array([r["peak_cool_w"] for r in ref])) <= 1e-9
    np.testing.assert_allclose(raw["t_air_c"], np.array([r["t_air"] for r in ref]), rtol=1e-10, atol=1e-9)
    # the fan and the flag change the results (the test would see a kernel that ignored them)
    base = run_kernel(replace_all(inp, film_correction=False, h_ve_sched_w_k=0.0), drv, warmup_hours=96)
    fan = inp.h_ve_sched_w_k > 0
    assert np.all(np.abs(raw["heat_wh"] - base["heat_wh"])[fan] > 1e-3 * base["heat_wh"][fan])
    # the override keyword of older callers sets every building's flag
    same = run_kernel(replace_all(inp, film_correction=True), drv, warmup_hours=96)
    forced = run_kernel(inp, drv, warmup_hours=96, film_correction=True)
    np.testing.assert_array_equal(same["heat_wh"], forced["heat_wh"])


def replace_all(inp: StockInputs, **values) -> StockInputs:
    """A copy of ``inp`` with the given fields set to one value for every building."""
    from dataclasses import replace

    return replace(inp, **{k: np.full(inp.n_buildings, v) for k, v in values.items()})


def test_period_kernel_takes_the_same_hourly_ventilation(year_drivers):
    """The period kernel shares the contract: its monthly heating equals the annual kernel's with an hourly H_ve."""
    from dataclasses import replace

    from twin.energy.periods import simulate_periods

    inp, drv = _ventilated(synthetic_stock(70, seed=22), year_drivers, seed=5)
    drv = replace(drv, heat_setpoint_c=np.full((1, drv.n_hours), 20.0), cool_setpoint_c=np.full((1, drv.n_hours), np.nan))
    inp = replace_all(inp, setpoint_profile=0)
    raw = run_kernel(inp, drv, warmup_hours=336)
    res = simulate_periods(inp, drv, heat_setpoint_c=20.0, period=drv.month_index(), n_periods=12, warmup_hours=336)
    np.testing.assert_allclose(res.period_heat_wh, raw["monthly_heat_wh"], rtol=1e-9, atol=1e-6)


def test_bad_ventilation_schedule_and_profile_are_named(year_drivers):
    from dataclasses import replace

    inp, drv = _ventilated(synthetic_stock(5, seed=23), year_drivers, seed=6)
    bad = drv.ve_schedule.copy()
    bad[1, 40] = -0.5
    with pytest.raises(SimulationError) as e:
        simulate_stock(inp, replace(drv, ve_schedule=bad))
    assert e.value.field == "ve_schedule" and "hour 40" in e.value.message
    with pytest.raises(InputError) as e:
        simulate_stock(replace_all(inp, ve_profile=3), drv)
    assert e.value.field == "ve_profile" and "b00000" in str(e.value)
    with pytest.raises(InputError) as e:
        simulate_stock(replace_all(inp, h_ve_sched_w_k=-1.0), drv)
    assert e.value.field == "h_ve_sched_w_k"


def _constant_drivers(n_h: int, t_out: float, heat: float = np.nan, cool: float = np.nan) -> Drivers:
    time = pd.date_range("2023-01-01 01:00", periods=n_h, freq="h", tz="UTC")
    return Drivers(
        time=time,
        t_out_c=np.full(n_h, t_out),
        irr_w_m2=np.zeros((len(STANDARD_GROUPS), n_h)),
        heat_setpoint_c=np.full(n_h, heat),
        cool_setpoint_c=np.full(n_h, cool),
    )


def _plain_stock(n: int, seed: int = 2, **kw) -> StockInputs:
    rng = np.random.default_rng(seed)
    a_f = rng.uniform(50, 800, n)
    base = {
        "building_id": np.arange(n),
        "a_f_m2": a_f,
        "h_ve_w_k": rng.uniform(0.1, 1.0, n) * a_f,
        "h_tr_w_w_k": rng.uniform(0.1, 0.8, n) * a_f,
        "h_tr_op_w_k": rng.uniform(0.2, 1.5, n) * a_f,
        "c_m_j_k": rng.uniform(80e3, 370e3, n) * a_f,
        "a_m_m2": rng.uniform(2.5, 3.5, n) * a_f,
        "sol_coeff_m2": np.zeros((n, len(STANDARD_GROUPS))),
    }
    base.update(kw)
    return StockInputs(**base)


def _series_parallel_h_tr(inp: StockInputs) -> np.ndarray:
    """Steady-state conductance of the ISO 13790 star network, by hand: H_tr,is = 3.45 A_t in series
    with H_tr,w parallel to (H_tr,ms = 9.1 A_m in series with H_tr,em = 1/(1/H_tr,op - 1/H_tr,ms))."""
    h_is = 3.45 * inp.a_t_m2
    h_ms = 9.1 * inp.a_m_m2
    h_em = 1 / (1 / inp.h_tr_op_w_k - 1 / h_ms)
    surface_to_out = inp.h_tr_w_w_k + 1 / (1 / h_ms + 1 / h_em)
    return 1 / (1 / h_is + 1 / surface_to_out)


def test_steady_state_heating_power_equals_h_times_dt():
    """Constant outdoor temperature, no sun, no gains: Phi_H = (H_tr + H_ve) dT, with H_tr the
    network's series-parallel conductance (plain ISO 13790, the default)."""
    inp = _plain_stock(6)
    drv = _constant_drivers(2000, t_out=-3.0, heat=20.0)
    res = simulate_stock(inp, drv, hourly=True, warmup_hours=2000)
    phi_last = res.hourly["phi_hc_w"].values[:, -1]
    h_tr = _series_parallel_h_tr(inp)
    np.testing.assert_allclose(h_tr, steady_state_h_tr_w_k(inp), rtol=1e-12)
    expected = (h_tr + inp.h_ve_w_k) * 23.0
    np.testing.assert_allclose(phi_last, expected, rtol=1e-6)
    # and the annual need is that power for every hour
    np.testing.assert_allclose(res.per_building["q_heat_kwh"].to_numpy(), expected * 2000 / 1000, rtol=1e-6)
    assert (res.per_building["q_cool_kwh"] == 0).all()


def test_steady_state_film_corrected_equals_sum_ua():
    """With film_correction the steady-state loss is exactly (H_tr,w + H_tr,op + H_ve) dT, heating and cooling."""
    inp = _plain_stock(6)
    drv = _constant_drivers(2000, t_out=-3.0, heat=20.0)
    res = simulate_stock(inp, drv, hourly=True, warmup_hours=2000, film_correction=True)
    expected = (inp.h_tr_w_w_k + inp.h_tr_op_w_k + inp.h_ve_w_k) * 23.0
    np.testing.assert_allclose(res.hourly["phi_hc_w"].values[:, -1], expected, rtol=1e-6)
    np.testing.assert_allclose(steady_state_h_tr_w_k(inp, film_correction=True), inp.h_tr_w_w_k + inp.h_tr_op_w_k)
    inp = _plain_stock(4, seed=9)
    drv = _constant_drivers(3000, t_out=35.0, cool=26.0)
    res = simulate_stock(inp, drv, hourly=True, warmup_hours=3000, film_correction=True)
    expected = (inp.h_tr_w_w_k + inp.h_tr_op_w_k + inp.h_ve_w_k) * 9.0
    np.testing.assert_allclose(-res.hourly["phi_hc_w"].values[:, -1], expected, rtol=1e-6)


def test_steady_state_cooling_plain_iso_network():
    """Cooling side of the plain network: the series loss of ISO 13790."""
    inp = _plain_stock(4, seed=9)
    drv = _constant_drivers(3000, t_out=35.0, cool=26.0)
    res = simulate_stock(inp, drv, hourly=True, warmup_hours=3000)
    expected = (inp.h_ve_w_k + _series_parallel_h_tr(inp)) * 9.0
    np.testing.assert_allclose(-res.hourly["phi_hc_w"].values[:, -1], expected, rtol=1e-6)


def _network_steady_state(c, theta_e, phi_ia, phi_st, phi_m):
    """Solve the 3-node conductance network directly (Kirchhoff), independent of Crank-Nicolson."""
    h1_ve, h_is, h_w, h_ms, h_em = c["h_ve"], c["h_is"], c["h_w"], c["h_ms"], c["h_em"]
    a = np.array(
        [
            [h1_ve + h_is, -h_is, 0.0],
            [-h_is, h_is + h_w + h_ms, -h_ms],
            [0.0, -h_ms, h_ms + h_em],
        ]
    )
    rhs = np.array([phi_ia + h1_ve * theta_e, phi_st + h_w * theta_e, phi_m + h_em * theta_e])
    return np.linalg.solve(a, rhs)


def test_free_float_converges_to_network_solution():
    """Free float with constant gains and sun: the air temperature of the network's steady state."""
    n = 5
    rng = np.random.default_rng(4)
    coeff = np.zeros((n, len(STANDARD_GROUPS)))
    coeff[:, STANDARD_GROUPS.index("win_s")] = rng.uniform(2, 20, n)
    inp = _plain_stock(n, seed=4, sol_coeff_m2=coeff, gain_w_m2=rng.uniform(2, 6, n), gain_conv_frac=rng.uniform(0.2, 0.8, n))
    n_h = 3000
    drv = _constant_drivers(n_h, t_out=5.0)
    drv.irr_w_m2[STANDARD_GROUPS.index("win_s")] = 150.0
    res = simulate_stock(inp, drv, hourly=True, warmup_hours=n_h)
    for b in range(n):
        c = building_constants(inp.a_f_m2[b], inp.a_t_m2[b], inp.h_ve_w_k[b], inp.h_tr_w_w_k[b], inp.h_tr_op_w_k[b], inp.c_m_j_k[b], inp.a_m_m2[b])
        phi_int = inp.gain_w_m2[b] * inp.a_f_m2[b]
        phi_sol = coeff[b].sum() * 150.0
        cf = inp.gain_conv_frac[b]
        f_m = inp.a_m_m2[b] / inp.a_t_m2[b]
        f_st = 1 - f_m - c["h_w"] / (9.1 * inp.a_t_m2[b])
        rad = (1 - cf) * phi_int + phi_sol
        t_air, _, _ = _network_steady_state(c, 5.0, cf * phi_int, f_st * rad, f_m * rad)
        assert res.hourly["t_air_c"].values[b, -1] == pytest.approx(t_air, rel=1e-9)
        assert res.per_building["q_heat_kwh"].iloc[b] == 0 and res.per_building["q_cool_kwh"].iloc[b] == 0


def test_free_float_mass_decays_with_crank_nicolson_rate():
    """No ventilation, no windows: a warm mass cools toward outdoors at the CN discrete rate."""
    inp = _plain_stock(1, seed=1, h_ve_w_k=0.0, h_tr_w_w_k=0.0)
    n_h = 48
    drv = _constant_drivers(n_h, t_out=0.0)
    res = simulate_stock(inp, drv, hourly=True, warmup_hours=0, theta_m0_c=20.0)
    c = building_constants(inp.a_f_m2[0], inp.a_t_m2[0], 0.0, 0.0, inp.h_tr_op_w_k[0], inp.c_m_j_k[0], inp.a_m_m2[0])
    # with H_ve = 0 and H_tr,w = 0 the surface node carries no flow: the mass sees only H_tr,em
    cap = c["cm"] / 3600
    r = (cap - 0.5 * c["h_em"]) / (cap + 0.5 * c["h_em"])
    t_m_end = 20.0 * r ** np.arange(1, n_h + 1)
    t_m_avg = 0.5 * (t_m_end + np.concatenate([[20.0], t_m_end[:-1]]))
    np.testing.assert_allclose(res.hourly["t_air_c"].values[0], t_m_avg, rtol=1e-10)


def test_power_limits_and_setbacks(year_drivers):
    inp = synthetic_stock(30, seed=21, limits=False, shading=False)
    lim = np.full(30, np.inf)
    lim[::2] = 5.0 * inp.a_f_m2[::2]  # 5 W/m2: far too small
    limited = StockInputs(**{**inp.__dict__, "phi_h_max_w": lim})
    res = simulate_stock(limited, year_drivers, hourly=True, warmup_hours=0)
    phi = res.hourly["phi_hc_w"].values
    assert np.all(phi.max(axis=1)[::2] <= lim[::2] * (1 + 1e-12))
    assert res.per_building["t_air_min_c"].iloc[::2].min() < 19.0  # the limit shows
    # heating is off (NaN setpoint) on the seventh day of each week for setpoint profile 1
    off = np.isnan(year_drivers.heat_setpoint_c[1])
    prof1 = limited.setpoint_profile == 1
    assert prof1.any()
    assert np.all(phi[np.ix_(prof1, off)] <= 0)
    # cooling off at night for profile 1
    cool_off = np.isnan(year_drivers.cool_setpoint_c[1])
    assert np.all(phi[np.ix_(prof1, cool_off)] >= 0)


def test_results_are_tidy(year_drivers):
    inp = synthetic_stock(7, seed=2)
    res = simulate_stock(inp, year_drivers, hourly=True)
    per = res.per_building
    assert list(per.index) == list(inp.building_id)
    for col in ("q_heat_kwh", "q_cool_kwh", "q_heat_kwh_m2", "peak_heat_w", "peak_heat_time", "t_air_mean_c"):
        assert col in per.columns
    m = res.monthly.groupby("building_id")[["q_heat_kwh", "q_cool_kwh"]].sum()
    np.testing.assert_allclose(m.loc[per.index, "q_heat_kwh"], per["q_heat_kwh"], rtol=1e-12)
    assert str(res.hourly.time.dtype).startswith("datetime64") and res.hourly.indexes["time"].tz is not None
    assert res.hourly["phi_hc_w"].shape == (7, N_H)
    assert per["peak_heat_time"].iloc[0].tzinfo is not None


# ------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(("field", "row", "value"), [("a_f_m2", 3, 0.0), ("h_tr_op_w_k", 1, -10.0)],
                         ids=["zero floor area", "negative conductance"])
def test_a_bad_building_value_names_the_building(year_drivers, field: str, row: int, value: float):
    inp = synthetic_stock(5, seed=1)
    column = getattr(inp, field).copy()
    column[row] = value
    bad = StockInputs(**{**inp.__dict__, field: column})
    with pytest.raises(InputError) as e:
        simulate_stock(bad, year_drivers)
    assert f"b{row:05d}" in str(e.value) and e.value.field == field


def test_nan_in_weather_names_the_row(year_drivers):
    inp = synthetic_stock(3, seed=1)
    t = year_drivers.t_out_c.copy()
    t[100] = np.nan
    drv = Drivers(**{**year_drivers.__dict__, "t_out_c": t})
    with pytest.raises(SimulationError) as e:
        simulate_stock(inp, drv)
    assert "row 100" in str(e.value) and str(year_drivers.time[100].year) in str(e.value)
    irr = year_drivers.irr_w_m2.copy()
    irr[2, 7] = np.nan
    with pytest.raises(SimulationError, match="row 7"):
        simulate_stock(inp, Drivers(**{**year_drivers.__dict__, "irr_w_m2": irr}))


def test_bad_building_reported_others_kept(year_drivers):
    inp = synthetic_stock(6, seed=8)
    a_f = inp.a_f_m2.copy()
    a_f[2] = -1.0
    bad = StockInputs(**{**inp.__dict__, "a_f_m2": a_f})
    res = simulate_stock(bad, year_drivers, on_error="report")
    good = simulate_stock(inp.subset(np.arange(6) != 2), year_drivers)
    assert list(res.errors["building_id"]) == ["b00002"]
    assert np.isnan(res.per_building.loc["b00002", "q_heat_kwh"])
    np.testing.assert_array_equal(res.per_building.drop(index="b00002")["q_heat_kwh"], good.per_building["q_heat_kwh"])


def test_envelope_above_iso_limit_is_rejected(year_drivers):
    inp = _plain_stock(2, seed=3)
    h = inp.h_tr_op_w_k.copy()
    h[0] = 9.1 * inp.a_m_m2[0] * 1.5
    drv = synthetic_drivers(48, seed=1)
    with pytest.raises(InputError, match="9.1"):
        simulate_stock(StockInputs(**{**inp.__dict__, "h_tr_op_w_k": h}), drv, film_correction=False)


def test_groups_must_match(year_drivers):
    inp = synthetic_stock(2, seed=1)
    other = StockInputs(**{**inp.__dict__, "groups": tuple(f"x{i}" for i in range(len(STANDARD_GROUPS)))})
    with pytest.raises(SimulationError, match="groups"):
        simulate_stock(other, year_drivers)


def test_package_reexports_are_lazy():
    """``twin.energy`` exposes the kernel API and the stock entry points without importing them up front."""
    import subprocess
    import sys

    code = (
        "import sys, twin.energy as e; "
        "assert 'pandas' not in sys.modules and 'numba' not in sys.modules, 'eager import'; "
        "from twin.energy import run_stock, what_if, simulate_stock, steady_state_h_tr_w_k; "
        "import twin.energy.stock as s; assert run_stock is s.run_stock and what_if is s.what_if; "
        "assert 'run_stock' in dir(e)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_only_simulates_those_buildings_as_their_subset_would(year_drivers):
    """``run_kernel(only=mask)``: the rows of ``mask`` equal a run of ``inputs.subset(mask)`` bit
    for bit (the same order and blocks), over several blocks and mixed profiles; the other rows'
    inputs (invalid here: NaN, infinite gains on no area, profiles out of range) are never used
    and raise no floating-point warning."""
    import warnings

    from twin.kernels.energy_5r1c import BLOCK

    n = 3 * BLOCK + 5
    inp = synthetic_stock(n, seed=21)
    rng = np.random.default_rng(7)
    inp = StockInputs(**{**inp.__dict__, "gain_profile": rng.permutation(inp.gain_profile)})
    only = rng.random(n) > 0.3
    assert len(np.unique(inp.gain_profile[only])) > 1 and not only.all()
    bad = {k: np.asarray(v).copy() for k, v in inp.__dict__.items() if k in ("a_f_m2", "gain_w_m2", "c_m_j_k", "gain_profile")}
    bad["a_f_m2"][~only] = 0.0
    bad["gain_w_m2"][~only] = np.inf
    bad["c_m_j_k"][~only] = np.nan
    bad["gain_profile"][~only] = 2**62
    in_place = StockInputs(**{**inp.__dict__, **bad})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        raw = run_kernel(in_place, year_drivers, warmup_hours=48, only=only)
    sub = run_kernel(inp.subset(only), year_drivers, warmup_hours=48)
    assert set(raw) == set(sub)
    for key, value in sub.items():
        np.testing.assert_array_equal(raw[key][only], value, err_msg=key)
