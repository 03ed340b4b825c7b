"""The calibration's forward model: parameters act as documented, and the central model is the stock model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twin.calibration.forward import ForwardModel
from twin.calibration.synthetic import calendar_layout, tabula_stock, uccle_drivers
from twin.energy.calibrated import PARAMETERS, ParameterizedStock, apply_parameters
from twin.energy.model import TABULA_CONVENTIONS, Conventions, to_stock_inputs
from twin.errors import InputError


@pytest.fixture(scope="module")
def drivers():
    return uccle_drivers()


def _env(n=36):
    env = tabula_stock(n)
    env.loc[env.index % 3 == 0, "f_red_temp"] = np.nan  # exercise TABULA's interpolation of F_red
    return env


@pytest.mark.parametrize("conv", [TABULA_CONVENTIONS, Conventions()])
def test_array_inputs_equal_the_envelope_table_path(conv):
    env = _env()
    rng = np.random.default_rng(4)
    rows = rng.integers(0, len(env), 80)
    x = np.column_stack([rng.uniform(0.3, 1.9, 80), rng.uniform(0.4, 2.5, 80), rng.uniform(16, 23, 80), rng.uniform(0.4, 2.5, 80)])
    x[::7, 1] = np.nan  # central value
    stock = ParameterizedStock(env, conventions=conv)
    fast, sp, qw = stock.inputs(rows, x)
    slow_env = apply_parameters(env.iloc[rows].reset_index(drop=True), {p: x[:, i] for i, p in enumerate(PARAMETERS)})
    slow = to_stock_inputs(slow_env, conventions=conv)
    for name in ("a_f_m2", "h_ve_w_k", "h_tr_w_w_k", "h_tr_op_w_k", "c_m_j_k", "a_m_m2", "gain_w_m2", "sol_coeff_m2"):
        np.testing.assert_allclose(getattr(fast, name), getattr(slow, name), rtol=1e-12, atol=1e-12, err_msg=name)
    np.testing.assert_allclose(sp, slow_env["theta_i_c"].to_numpy(), rtol=0)
    np.testing.assert_allclose(qw, slow_env["q_w_nd_kwh_m2"].to_numpy(), rtol=1e-12)


def test_h_tr_factor_scales_every_u_value_and_marks_the_source():
    env = _env(3)
    out = apply_parameters(env, {"h_tr_factor": np.array([0.5, np.nan, 2.0])})
    for col in ("u_wall_w_m2k", "u_roof_w_m2k", "u_floor_w_m2k", "u_window_w_m2k", "u_door_w_m2k", "delta_u_tb_w_m2k"):
        np.testing.assert_allclose(out[col].to_numpy(), env[col].to_numpy() * [0.5, 1.0, 2.0])
        assert out[f"{col}_source"].tolist()[0] == "calibrated" and out[f"{col}_source"].tolist()[1] != "calibrated"
    with pytest.raises(KeyError):
        apply_parameters(env, {"u_factor": np.ones(3)})


def test_central_readings_equal_the_stock_models_gas(drivers):
    """Months summed over the year with the central parameters = the annual gas use of the stock
    accounts ((need + hot water) / 0.85), an independent path (simulate_stock + account_arrays)."""
    from twin.energy.results import account_arrays
    from twin.energy.simulate import simulate_stock
    from twin.energy.stock import stock_drivers

    env = _env(12)
    months = calendar_layout(drivers, "MS")
    fm = ForwardModel(env, drivers, months, np.full(len(env), "gas"), conventions=TABULA_CONVENTIONS)
    y = fm.predict(np.arange(len(env)), np.full((len(env), 4), np.nan))
    assert y.shape == (12, 12) and (y > 0).all()
    from tests.conftest import DATA_SAMPLES
    from twin.ingest.epw import read_epw

    w = read_epw(DATA_SAMPLES / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw")
    drv, prof = stock_drivers(w, env)
    inp = to_stock_inputs(env, conventions=TABULA_CONVENTIONS)
    inp.setpoint_profile = prof
    res = simulate_stock(inp, drv, film_correction=True)
    acc = account_arrays(a_f_m2=env["a_f_m2"].to_numpy(), q_heat_kwh=res.per_building["q_heat_kwh"].to_numpy(),
                         monthly_heat_kwh=np.zeros((len(env), 12)), q_w_nd_kwh_m2=env["q_w_nd_kwh_m2"].to_numpy(),
                         system=np.full(len(env), "gas_boiler"), eta_hr=env["eta_hr"].to_numpy(), n_air_use_1_h=env["n_air_use_1_h"].to_numpy(),
                         volume_m3=env["volume_m3"].to_numpy(), pv_kwp=np.zeros(len(env)), drivers=drv, factors=fm.factors)
    np.testing.assert_allclose(y.sum(axis=1), acc["gas_kwh"], rtol=1e-9)


def test_parameters_move_the_readings_the_right_way(drivers):
    env = _env(6)
    months = calendar_layout(drivers, "MS")
    fm = ForwardModel(env, drivers, months, np.full(6, "heat"), conventions=TABULA_CONVENTIONS)
    base = np.tile([1.0, 1.0, 20.0, 1.0], (6, 1))
    y0 = fm.predict(np.arange(6), base)
    for i, bump in enumerate((1.2, 1.3, 21.0, 1.5)):
        x = base.copy()
        x[:, i] = bump
        y1 = fm.predict(np.arange(6), x)
        assert (y1.sum(axis=1) > y0.sum(axis=1)).all(), PARAMETERS[i]
    # hot water only: the July reading of a heat meter barely moves with the envelope, and moves with dhw
    x = base.copy()
    x[:, 3] = 2.0
    july = fm.predict(np.arange(6), x)[:, 6] / y0[:, 6]
    assert (july > 1.3).all() and np.isclose(july, 2.0).any()  # some still heat in July (old blocks)


def test_meter_carrier_sets_the_system(drivers):
    env = _env(3)
    env["system"] = ["oil_boiler", "gas_boiler_condensing", "heat_pump"]
    months = calendar_layout(drivers, "MS")
    fm = ForwardModel(env, drivers, months, np.array(["gas", "gas", "electricity"]), conventions=TABULA_CONVENTIONS)
    assert fm.env["system"].tolist() == ["gas_boiler", "gas_boiler_condensing", "heat_pump"]
    assert fm.system_notes == [(env["building_id"][0], "system oil_boiler -> gas_boiler (gas meter)")]
    env2 = _env(1)
    with pytest.raises(InputError, match="electricity meter cannot calibrate"):
        ForwardModel(env2, drivers, months, np.array(["electricity"]), conventions=TABULA_CONVENTIONS)


def test_monthly_layout_covers_the_year(drivers):
    months = calendar_layout(drivers, "MS")
    assert months.n_periods == 12 and (months.period >= 0).all()
    assert np.array_equal(np.bincount(months.period), months.hours().astype(int))
    assert months.hours().sum() == len(drivers.time)
    days = calendar_layout(drivers, "D")
    assert days.n_periods == 365 and pd.Series(days.hours()).eq(24).all()


def test_every_heating_system_of_the_accounts(drivers):
    """Every system of the accounts (heat pumps with an hourly COP included) through the forward
    model: on calendar months an electricity meter reads what the accounts count as the
    building's electricity, a heat meter the heat; an unknown system is one clear error."""
    from twin.energy.results import SYSTEMS, account_arrays

    months = calendar_layout(drivers, "MS")
    systems = list(SYSTEMS)
    env = _env(len(systems))
    env["system"] = systems
    env["eta_hr"] = 0.0  # no ventilation fans (not metered by a heating meter)
    carriers = np.array([SYSTEMS[s] for s in systems])
    fm = ForwardModel(env, drivers, months, carriers, conventions=TABULA_CONVENTIONS)
    assert fm.env["system"].tolist() == systems and fm.system_notes == []
    rows = np.arange(len(systems))
    y, q_heat, q_w = fm.predict(rows, np.full((len(systems), 4), np.nan), components=True)
    acc = account_arrays(a_f_m2=fm.env["a_f_m2"].to_numpy(dtype=float), q_heat_kwh=q_heat.sum(axis=1), monthly_heat_kwh=q_heat,
                         q_w_nd_kwh_m2=fm.env["q_w_nd_kwh_m2"].to_numpy(dtype=float), system=np.array(systems), eta_hr=np.zeros(len(systems)),
                         n_air_use_1_h=fm.env["n_air_use_1_h"].to_numpy(dtype=float), volume_m3=fm.env["volume_m3"].to_numpy(dtype=float),
                         pv_kwp=np.zeros(len(systems)), drivers=drivers, factors=fm.factors)
    np.testing.assert_allclose(q_w.sum(axis=1), acc["q_dhw_kwh"], rtol=1e-9)
    for i, s in enumerate(systems):
        metered = {"gas": acc["gas_kwh"], "oil": acc["oil_kwh"], "electricity": acc["electricity_kwh"]}[SYSTEMS[s]][i]
        np.testing.assert_allclose(y[i].sum(), metered, rtol=1e-9, err_msg=s)
    # the hourly-COP heat pumps differ from the plain one and from each other (35 C beats 55 C)
    e = dict(zip(systems, y.sum(axis=1) / (q_heat.sum(axis=1) + q_w.sum(axis=1))))
    assert e["heat_pump_air_35"] < e["heat_pump_air_55"] and e["heat_pump_ground_35"] < e["heat_pump_ground_55"]
    # a heat meter reads the heat whatever the system
    heat = ForwardModel(env, drivers, months, np.full(len(systems), "heat"), conventions=TABULA_CONVENTIONS)
    np.testing.assert_allclose(heat.predict(rows, np.full((len(systems), 4), np.nan)), q_heat + q_w, rtol=1e-12)
    bad = _env(1)
    bad["system"] = "wood_stove"
    with pytest.raises(InputError, match="unknown heating system 'wood_stove'"):
        ForwardModel(bad, drivers, months, np.array(["gas"]), conventions=TABULA_CONVENTIONS)
