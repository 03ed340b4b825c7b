"""Measures, energy accounts, classes: hand-computed expectations on small synthetic stocks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.energy_drivers_stub import FlatDrivers
from twin.errors import InputError, SchemaError


@pytest.fixture()
def env():
    """Envelope of three TABULA Belgian reference buildings (as the typology check builds them)."""
    from twin.energy.model import envelope_from_tabula
    from twin.energy.typology import load_typology

    t = load_typology().set_index("tabula_code")
    rows = t.loc[["BE.N.TH.01.Gen.ReEx.001.001", "BE.N.TH.06.Gen.ReEx.001.001", "BE.N.MFH.01.Small.ReEx.001.001"]].reset_index()
    return envelope_from_tabula(rows)


def test_packaged_tables_load_with_sources():
    from twin.energy.measures import load_measures
    from twin.energy.model import factor_sources, load_factors

    m = load_measures()
    assert {"wall_insulation", "roof_insulation", "window_replacement", "airtightness", "mvhr", "heat_pump", "rooftop_pv"} <= set(m.index)
    assert (m["source"].astype(str).str.len() > 0).all() and (m["cost_source"].astype(str).str.len() > 0).all()
    f = load_factors()
    src = factor_sources()
    assert f["co2_gas_kg_kwh"] == 0.202 and f["pef_electricity"] == 2.5
    assert set(f) == set(src) and all(len(s) > 10 for s in src.values())


def test_added_resistance_and_target_u(env):
    from twin.energy.measures import apply_measures

    u0 = env["u_wall_w_m2k"].to_numpy()
    new, costs = apply_measures(env, ["wall_insulation", "roof_insulation_epb"])
    np.testing.assert_allclose(new["u_wall_w_m2k"], 1.0 / (1.0 / u0 + 3.5))
    assert (new["u_wall_w_m2k_source"] == "measure wall_insulation").all()
    # the EPB target only touches roofs above 0.24 (TH.06 has 0.21: untouched)
    ur = env["u_roof_w_m2k"].to_numpy()
    expect = np.where(ur > 0.24, 0.24, ur)
    np.testing.assert_allclose(new["u_roof_w_m2k"], expect)
    roof_rows = costs[costs["measure"] == "roof_insulation_epb"]
    assert len(roof_rows) == int((ur > 0.24).sum()) == 2
    wall = costs[costs["measure"] == "wall_insulation"].set_index("building_id")
    a_wall = env.set_index("building_id")[[f"a_wall_{o}_m2" for o in "nesw"]].sum(axis=1)
    np.testing.assert_allclose(wall["investment_eur"], 150.0 * a_wall.reindex(wall.index))
    # the input table is not modified
    np.testing.assert_array_equal(env["u_wall_w_m2k"], u0)


def test_window_airtightness_ventilation_system_pv(env):
    from twin.energy.measures import apply_measures
    from twin.energy.model import load_factors

    new, costs = apply_measures(env, ["window_replacement", "airtightness", "mvhr", "heat_pump", "rooftop_pv"])
    assert (new["u_window_w_m2k"] == 1.1).all() and (new["g_window"] == 0.55).all()
    assert (new["n_air_inf_1_h"] == 0.15).all() and (new["eta_hr"] == 0.8).all()
    assert (new["system"] == "heat_pump").all()
    f = load_factors()
    np.testing.assert_allclose(new["pv_kwp"], env["a_roof_m2"] * f["pv_roof_fraction"] * f["pv_module_kwp_m2"])
    hp = costs[costs["measure"] == "heat_pump"]
    assert hp["investment_eur"].isna().all()  # priced once the peak load is simulated
    from twin.energy.measures import price_peak_measures

    priced = price_peak_measures(costs, pd.Series([10_000.0, 4_000.0, 20_000.0], index=env["building_id"]))
    np.testing.assert_allclose(priced[priced["measure"] == "heat_pump"]["investment_eur"], [12_000.0, 4_800.0, 24_000.0])



def test_pv_from_the_solar_cadastre_columns(env):
    """With the cadastre's columns the pv measure takes their kWp and AC yield (a building with no
    suitable roof is not affected), the accounts credit that yield instead of the flat one, and a
    measure that affects nobody gives a typed, empty cost table."""
    from twin.energy.measures import SOLAR_COLUMNS, apply_measures, attach_pv_yield, load_measures
    from twin.energy.model import load_factors
    from twin.energy.results import account_arrays

    ids = env["building_id"].astype(str).tolist()
    pv = pd.DataFrame({"building_id": ids[:2], "pv_kwp": [4.25, 0.0], "pv_ac_kwh_year": [4_100.0, 0.0]})
    with_pv = attach_pv_yield(env, pv)
    assert set(SOLAR_COLUMNS) <= set(with_pv.columns)
    np.testing.assert_allclose(with_pv["solar_pv_kwp"], [4.25, 0.0, 0.0])  # absent from the table: 0
    new, costs = apply_measures(with_pv, ["rooftop_pv"])
    np.testing.assert_allclose(new["pv_kwp"], [4.25, 0.0, 0.0])
    assert new["pv_ac_kwh_year"].iloc[0] == 4_100.0 and new["pv_ac_kwh_year"].iloc[1:].isna().all()
    assert costs["building_id"].tolist() == ids[:1] and costs["investment_eur"].iloc[0] == pytest.approx(4.25 * load_measures().loc["rooftop_pv", "cost_eur"])
    none, empty = apply_measures(with_pv, ["rooftop_pv"], buildings=ids[1:])
    assert len(empty) == 0 and empty["investment_eur"].dtype == float and (none["pv_kwp"] == 0).all()

    Drv = FlatDrivers  # 2.4 kWh/m2 on the horizontal
    f = load_factors()
    n = len(new)
    common = dict(a_f_m2=new["a_f_m2"].to_numpy(), q_heat_kwh=np.zeros(n), monthly_heat_kwh=np.zeros((n, 12)),
                  q_w_nd_kwh_m2=np.zeros(n), system=np.full(n, "gas_boiler"), eta_hr=np.zeros(n), n_air_use_1_h=np.zeros(n),
                  volume_m3=np.ones(n), pv_kwp=new["pv_kwp"].to_numpy(), drivers=Drv(), factors=f)
    flat = account_arrays(**common)
    np.testing.assert_allclose(flat["pv_kwh"], new["pv_kwp"].to_numpy() * 2.4 * f["pv_performance_ratio"])
    model = account_arrays(**common, pv_ac_kwh_year=new["pv_ac_kwh_year"].to_numpy())
    np.testing.assert_allclose(model["pv_kwh"], [4_100.0, 0.0, 0.0])  # NaN: the flat yield (0 kWp here)
    np.testing.assert_allclose(model["primary_energy_kwh"], [-4_100.0 * f["pef_electricity"], 0.0, 0.0])
    # no net metering (Brussels ended it): 35 % of the yield saves the retail price (the household's appliances use it,
    # though the accounts count no electricity in a gas-heated building), the rest is sold at 0.05 EUR/kWh
    # (twin.solar.pv.PVParameters)
    np.testing.assert_allclose(model["energy_cost_eur"], [-4_100.0 * (0.35 * f["price_electricity_eur_kwh"] + 0.65 * 0.05), 0.0, 0.0])

def test_measure_scope_and_unknown_ids(env):
    from twin.energy.measures import apply_measures

    one = env["building_id"].iloc[1]
    new, costs = apply_measures(env, "wall_insulation", buildings=[one])
    assert list(costs["building_id"]) == [one]
    assert (new["u_wall_w_m2k"] != env["u_wall_w_m2k"]).sum() == 1
    with pytest.raises(InputError, match="unknown measure"):
        apply_measures(env, "gold_plating")
    with pytest.raises(InputError, match="not in the stock"):
        apply_measures(env, "wall_insulation", buildings=["nope"])


def test_bad_measure_table_is_named(tmp_path):
    from twin.energy.measures import load_measures

    p = tmp_path / "m.csv"
    p.write_text("measure,kind,added_r_m2k_w,target_u_w_m2k,cost_eur,cost_unit\nthick,wall,2.0,0.2,100,m2_element\n")
    with pytest.raises(SchemaError, match="exactly one") as exc:
        load_measures(p)
    assert exc.value.obj == "thick" and "m.csv" in str(exc.value)
    p.write_text("measure,kind,added_r_m2k_w,cost_eur,cost_unit\nthick,wall,-1,100,m2_element\n")
    with pytest.raises(SchemaError, match="> 0"):
        load_measures(p)
    p.write_text("measure,kind,cost_eur,cost_unit\nx,magic,1,m2_element\n")
    with pytest.raises(SchemaError, match="unknown kind"):
        load_measures(p)
    y = tmp_path / "m.yaml"
    y.write_text("measures:\n  thin_wall: {kind: wall, added_r_m2k_w: 1.0, cost_eur: 50, cost_unit: m2_element}\n")
    assert load_measures(y).loc["thin_wall", "added_r_m2k_w"] == 1.0


@pytest.mark.parametrize(("name", "text", "written"), [
    ("m.csv", "measure,kind,added_r_m2k_w,cost_eur,cost_unit\nthick,wall,nan,100,m2_element\n", "'nan'"),
    ("m.csv", "measure,kind,target_u_w_m2k,cost_eur,cost_unit\nthick,wall,inf,100,m2_element\n", "'inf'"),
    ("m.yaml", "measures:\n  thick: {kind: wall, added_r_m2k_w: .nan, cost_eur: 50, cost_unit: m2_element}\n", "nan"),
])
def test_measure_value_that_is_not_finite_is_named(tmp_path, name, text, written):
    """A written NaN or inf is 'not a finite number' (a NaN read as a value left out: 'give exactly
    one of added_r_m2k_w and target_u_w_m2k')."""
    from twin.energy.measures import load_measures

    p = tmp_path / name
    p.write_text(text)
    with pytest.raises(SchemaError, match=f"not a finite number: {written}") as exc:
        load_measures(p)
    assert exc.value.obj == "thick" and exc.value.field in ("added_r_m2k_w", "target_u_w_m2k") and name in str(exc.value)


def test_heat_pump_cop_staffell():
    """Staffell et al. (2012) ASHP fit by hand: dT = 35 K -> 6.81 - 4.235 + 0.77175 = 3.34675, x 0.85."""
    from twin.energy.measures import heat_pump_cop

    assert heat_pump_cop(np.array([5.0]), 40.0)[0] == pytest.approx(3.34675 * 0.85)
    cop = heat_pump_cop(np.array([-10.0, 0.0, 10.0]), 40.0)
    assert np.all(np.diff(cop) > 0)  # warmer source, better COP


def test_energy_classes_brussels():
    from twin.energy.classes import class_order, energy_class, load_classes

    assert class_order() == ["A++", "A+", "A", "B", "C", "D", "E", "F", "G"]
    got = energy_class([-1.0, 0.0, 10.0, 45.0, 95.0, 96.0, 150.0, 151.0, 210.0, 211.0, 275.0, 345.0, 346.0, np.nan])
    assert list(got) == ["A++", "A++", "A+", "A", "B", "C", "C", "D", "D", "E", "E", "F", "G", ""]
    t = load_classes()
    assert t["source"].str.len().min() > 10


def test_energy_accounts_by_hand(env):
    """Gas boiler: gas = (heat + hot water) / efficiency; primary, CO2, cost and class follow."""
    from twin.energy.model import load_factors
    from twin.energy.results import energy_accounts

    f = load_factors()
    idx = pd.Index(env["building_id"], name="building_id")
    per = pd.DataFrame({"q_heat_kwh": [20_000.0, 5_000.0, 60_000.0], "peak_heat_w": [9_000.0, 3_000.0, 30_000.0]}, index=idx)
    monthly = pd.DataFrame({"building_id": np.repeat(env["building_id"], 12), "month": np.tile(np.arange(1, 13), 3)})
    monthly["q_heat_kwh"] = np.repeat(per["q_heat_kwh"].to_numpy() / 12.0, 12)
    monthly["q_cool_kwh"] = 0.0

    Drv = FlatDrivers  # what energy_accounts reads from the drivers
    acc = energy_accounts(env, per, monthly, Drv())
    q_dhw = env["q_w_nd_kwh_m2"].to_numpy() * env["a_f_m2"].to_numpy()
    gas = (per["q_heat_kwh"].to_numpy() + q_dhw) / f["boiler_efficiency"]
    np.testing.assert_allclose(acc["gas_kwh"], gas)
    np.testing.assert_allclose(acc["primary_energy_kwh_m2"], gas / env["a_f_m2"].to_numpy())
    np.testing.assert_allclose(acc["co2_kg"], 0.202 * gas)
    np.testing.assert_allclose(acc["energy_cost_eur"], f["price_gas_eur_kwh"] * gas)
    assert (acc["electricity_kwh"] == 0).all()
    # heat pump: electricity = sum(monthly need / COP(month mean T)) + hot water / COP(55 C)
    from twin.energy.measures import heat_pump_cop

    hp_env = env.assign(system="heat_pump")
    acc = energy_accounts(hp_env, per, monthly, Drv())
    cop40 = heat_pump_cop(np.array([5.0]), 40.0)[0]
    cop55 = heat_pump_cop(np.array([5.0]), 55.0)[0]
    np.testing.assert_allclose(acc["electricity_kwh"], per["q_heat_kwh"].to_numpy() / cop40 + q_dhw / cop55)
    assert (acc["gas_kwh"] == 0).all()
    np.testing.assert_allclose(acc["primary_energy_kwh"], 2.5 * acc["electricity_kwh"])


def test_switch_to_hourly_heat_pump_final_energy_is_heat_over_spf(env):
    """A system measure gas boiler -> heat_pump_air_55: electricity = heat / SPF of the hourly model
    (heat spread over the hours by degree-hours, as the SPF), at the Brussels electricity factors."""
    from pathlib import Path

    from twin.energy import heat_pump as hp
    from twin.energy.measures import apply_measures, check_measures
    from twin.energy.model import load_factors
    from twin.energy.results import energy_accounts
    from twin.ingest.epw import read_epw

    w = read_epw(Path(__file__).resolve().parents[1] / "data_samples" / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw")
    t_out = w.data["dry_bulb_c"].to_numpy(dtype=float)
    month = w.data.index.month.to_numpy() - 1

    class Drv:  # what energy_accounts reads from the drivers
        groups = ("roof",)
        irr_w_m2 = np.zeros((1, t_out.size))
        t_out_c = t_out
        n_hours = t_out.size

        def month_index(self):
            return month

    table = check_measures(pd.DataFrame([{"measure": "hp55", "kind": "system", "system": "heat_pump_air_55",
                                          "cost_eur": 1200.0, "cost_unit": "kw_peak"}]))
    new, _ = apply_measures(env.assign(system="gas_boiler", q_w_nd_kwh_m2=0.0, eta_hr=0.0), "hp55", table=table)
    assert (new["system"] == "heat_pump_air_55").all() and (new["system_source"] == "measure hp55").all()
    p = hp.load_heat_pumps()["air_water"]
    dh = np.bincount(month, weights=hp.heating_weights(t_out, p), minlength=12)
    q_heat = np.array([20_000.0, 5_000.0, 60_000.0])
    idx = pd.Index(env["building_id"], name="building_id")
    per = pd.DataFrame({"q_heat_kwh": q_heat, "peak_heat_w": 1.0}, index=idx)
    monthly = pd.DataFrame({"building_id": np.repeat(env["building_id"], 12), "month": np.tile(np.arange(1, 13), 3),
                            "q_heat_kwh": (q_heat[:, None] * dh[None, :] / dh.sum()).ravel(), "q_cool_kwh": 0.0})
    acc = energy_accounts(new, per, monthly, Drv())
    spf = hp.seasonal_performance_factor(t_out, "air_water", 55.0)
    np.testing.assert_allclose(acc["electricity_kwh"], q_heat / spf, rtol=1e-12)
    f = load_factors()
    np.testing.assert_allclose(acc["primary_energy_kwh"], f["pef_electricity"] * q_heat / spf, rtol=1e-12)
    np.testing.assert_allclose(acc["co2_kg"], f["co2_electricity_kg_kwh"] * q_heat / spf, rtol=1e-12)
    assert (acc["gas_kwh"] == 0).all()
    base = energy_accounts(env.assign(system="gas_boiler", q_w_nd_kwh_m2=0.0, eta_hr=0.0), per, monthly, Drv())
    np.testing.assert_allclose(base["gas_kwh"], q_heat / f["boiler_efficiency"])
