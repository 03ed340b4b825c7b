"""Typology check: our hourly model on TABULA's Belgian reference buildings vs TABULA's own figures.

Each Belgian TABULA reference building (``tabula_BE.csv``: 35 types x periods plus the
synthetic average, existing state) is built from TABULA's own areas, U-values, b-factors, air
change, heat capacity and conventions (20 C, ``F_red_temp``, ``F_sh,vert``, ``F_F``, 3 W/m2
internal gains, ``h_room`` 2.5 m), run hourly with the Uccle TMYx weather, and its annual
heating need per m2 of ``A_C_Ref`` compared with TABULA's ``q_h_nd`` (a seasonal method with
its own Belgian climate: 210 heating days at 6.2 C).

Renovation variants: the shipped TABULA extract has no refurbished variants (only ``.001.001``
rows; the all-country file's ``002`` rows are alternative stock models, not refurbishments),
so two checks stand in for them:

* the construction-period series of each type (TABULA's own q_h_nd, period 1 to 6: each newer
  period is an envelope of lower U-values and air change): our ratios q_k / q_1 must move in
  the same direction as TABULA's and by a similar ratio;
* refurbishment packages from ``energy_measures.csv`` applied to every building, compared
  with TABULA's calculation method (:func:`tabula_q_h_nd`, implemented here from the TABULA
  method report and checked first to reproduce TABULA's published ``q_h_nd`` of all 36
  buildings within 0.5 %).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import shared_path

USUAL = ["wall_insulation", "roof_insulation", "floor_insulation", "window_replacement"]
ADVANCED = USUAL + ["airtightness", "mvhr"]


@pytest.fixture(scope="module")
def raw():
    return pd.read_csv(shared_path("typology", "tabula_BE.csv"))


@pytest.fixture(scope="module")
def table():
    from twin.energy.typology import read_tabula

    return read_tabula(shared_path("typology", "tabula_BE.csv"))


@pytest.fixture(scope="module")
def drivers():
    from twin.energy.solar import standard_drivers
    from twin.ingest.epw import read_epw

    w = read_epw(shared_path("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"))
    return standard_drivers(w, heat_setpoint_c=np.full(len(w.data), 20.0))


def ours(env, drivers) -> np.ndarray:
    from twin.energy.model import TABULA_CONVENTIONS, to_stock_inputs
    from twin.energy.simulate import simulate_stock

    res = simulate_stock(to_stock_inputs(env, conventions=TABULA_CONVENTIONS), drivers)  # film correction: the stock default
    return res.per_building["q_heat_kwh_m2"].to_numpy()


def tabula_q_h_nd(env: pd.DataFrame, raw: pd.DataFrame, f_red: np.ndarray | None) -> np.ndarray:
    """TABULA's seasonal heating need (kWh/(m2 a)), written from the TABULA method report.

    Loga & Diefenbach (2013), TABULA calculation method: q_ht = (h_tr + h_ve) 0.024 HD
    (theta_i - theta_e) F_red; q_sol = sum_j F_sh (1 - F_F) F_W g A_w,j I_sol,j / A_C_Ref;
    q_int = phi_int 0.024 HD; tau = c_m / (h_tr + h_ve); a_H = 0.8 + tau / 30;
    gamma = (q_sol + q_int) / q_ht; eta = (1 - gamma^a_H) / (1 - gamma^(a_H + 1));
    q_h_nd = q_ht - eta (q_sol + q_int). Climate and conventions from the CSV's own columns.
    ``f_red=None``: F_red from h_tr by TABULA's interpolation between F_red_htr1 and F_red_htr4.
    """
    a = env["a_f_m2"].to_numpy()
    a_wall = sum(env[f"a_wall_{o}_m2"] for o in "nesw").to_numpy()
    a_win = sum(env[f"a_win_{o}_m2"] for o in "neswh").to_numpy()
    a_door, a_roof, a_floor = (env[c].to_numpy() for c in ("a_door_m2", "a_roof_m2", "a_floor_m2"))
    h = (
        env["b_wall"] * env["u_wall_w_m2k"] * a_wall
        + env["b_roof"] * env["u_roof_w_m2k"] * a_roof
        + env["b_floor"] * env["u_floor_w_m2k"] * a_floor
        + env["u_window_w_m2k"] * a_win
        + env["u_door_w_m2k"] * a_door
        + env["delta_u_tb_w_m2k"] * (a_wall + a_win + a_door + a_roof + a_floor)
    ).to_numpy()
    h_tr = h / a
    h_ve = 0.34 * (env["n_air_inf_1_h"] + (1 - env["eta_hr"]) * env["n_air_use_1_h"]).to_numpy() * env["h_room_m"].to_numpy()
    if f_red is None:
        f1, f4 = env["f_red_htr1"].to_numpy(), env["f_red_htr4"].to_numpy()
        f_red = f1 + (f4 - f1) * np.clip((h_tr - 1.0) / 3.0, 0.0, 1.0)
    hd = raw["HeatingDays"].to_numpy()
    q_ht = (h_tr + h_ve) * 0.024 * hd * (raw["theta_i"] - raw["Theta_e"]).to_numpy() * f_red
    common = (1 - raw["F_f"]).to_numpy() * raw["F_w"].to_numpy() * env["g_window"].to_numpy()
    q_sol = raw["F_sh_vert"].to_numpy() * common * sum(
        env[f"a_win_{o}_m2"].to_numpy() * raw[f"I_Sol_{c}"].to_numpy() for o, c in zip("nesw", ("North", "East", "South", "West"))
    )
    q_sol = (q_sol + raw["F_sh_hor"].to_numpy() * common * env["a_win_h_m2"].to_numpy() * raw["I_Sol_Hor"].to_numpy()) / a
    q_int = raw["phi_int"].to_numpy() * 0.024 * hd
    tau = env["c_m_wh_m2k"].to_numpy() / (h_tr + h_ve)
    a_h = 0.8 + tau / 30.0
    gamma = (q_sol + q_int) / q_ht
    eta = (1 - gamma**a_h) / (1 - gamma ** (a_h + 1))
    return q_ht - eta * (q_sol + q_int)


def test_envelope_reproduces_tabula_heat_transfer(raw, table):
    """Our aggregation of TABULA's elements gives TABULA's own H_tr and h_ve exactly."""
    from twin.energy.model import envelope_from_tabula, transmission, ventilation

    env = envelope_from_tabula(table)
    h_op, h_w = transmission(env)
    h_tabula = sum(raw[c] for c in raw.columns if c.startswith("H_Transmission_")).to_numpy()
    np.testing.assert_allclose(h_op + h_w, h_tabula, rtol=1e-9)
    np.testing.assert_allclose(ventilation(env) / env["a_f_m2"].to_numpy(), raw["h_Ventilation"].to_numpy(), rtol=1e-9)


def test_reference_method_reproduces_tabula(raw, table):
    """The TABULA-method reference of this file matches TABULA's published q_h_nd (< 0.5 %)."""
    from twin.energy.model import envelope_from_tabula

    env = envelope_from_tabula(table)
    ref = tabula_q_h_nd(env, raw, raw["F_red_temp"].to_numpy())
    np.testing.assert_allclose(ref, raw["q_h_nd"].to_numpy(), rtol=5e-3)


def test_heating_need_within_25_percent_of_tabula(raw, table, drivers):
    from twin.energy.model import envelope_from_tabula

    env = envelope_from_tabula(table)
    q = ours(env, drivers)
    ratio = q / raw["q_h_nd"].to_numpy()
    report = pd.DataFrame({"code": env["building_id"], "tabula": raw["q_h_nd"].round(1), "ours": q.round(1), "ratio": ratio.round(3)})
    assert len(report) == 36
    assert np.all(np.abs(ratio - 1.0) <= 0.25), report[np.abs(ratio - 1.0) > 0.25].to_string()


def test_construction_periods_move_like_tabula(table, drivers):
    """Within each type, newer periods (better envelopes) lower the need like TABULA's q_h_nd."""
    from twin.energy.model import envelope_from_tabula

    env = envelope_from_tabula(table)
    q = ours(env, drivers)
    t = table.assign(ours=q, series=table["building_class"] + "." + table["subtype"])
    t = t[t["period"] > 0]
    checked = 0
    for name, g in t.groupby("series"):
        g = g.sort_values("period")
        r_tab = g["q_h_nd_kwh_m2"].to_numpy() / g["q_h_nd_kwh_m2"].to_numpy()[0]
        r_our = g["ours"].to_numpy() / g["ours"].to_numpy()[0]
        step_tab = np.diff(g["q_h_nd_kwh_m2"].to_numpy()) / g["q_h_nd_kwh_m2"].to_numpy()[:-1]
        step_our = np.diff(g["ours"].to_numpy()) / g["ours"].to_numpy()[:-1]
        clear = np.abs(step_tab) > 0.05  # TABULA changes by more than 5 %: same sign required
        assert np.all(np.sign(step_tab[clear]) == np.sign(step_our[clear])), name
        np.testing.assert_allclose(r_our, r_tab, rtol=0.25, err_msg=name)
        checked += len(g) - 1
    assert checked == 29  # 6 series, 35 buildings


@pytest.mark.parametrize("package", [USUAL, ADVANCED], ids=["usual", "advanced"])
def test_refurbishment_moves_like_tabula_method(raw, table, drivers, package):
    """Refurbished variants lower the need in both models, by a similar ratio."""
    from twin.energy.measures import apply_measures
    from twin.energy.model import envelope_from_tabula

    env = envelope_from_tabula(table)
    q0 = ours(env, drivers)
    ref0 = tabula_q_h_nd(env, raw, raw["F_red_temp"].to_numpy())
    var, costs = apply_measures(env, package)
    assert set(costs["measure"]) == set(package)
    q1 = ours(var, drivers)
    ref1 = tabula_q_h_nd(var, raw, None)
    r_our, r_ref = q1 / q0, ref1 / ref0
    assert np.all(r_our < 1.0) and np.all(r_ref < 1.0)
    # the fraction saved agrees within 25 % and the remaining fraction within 0.1
    np.testing.assert_allclose(1.0 - r_our, 1.0 - r_ref, rtol=0.25)
    np.testing.assert_allclose(r_our, r_ref, atol=0.1)
