"""Opt-in heat generators and hot water (issue 13, systems): district heating, part-load boilers,
hot water by use, user heat-pump tables; each against a hand computation, and the default accounts
unchanged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from twin.errors import InputError, SchemaError

ROOT = Path(__file__).resolve().parents[1]
UCCLE = ROOT / "data_samples" / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"
NEW_FACTOR_PREFIXES = ("dh_", "pl_", "dhw_by_use", "dhw_t_", "boiler_oversize", "pef_district", "co2_district", "price_district")


@pytest.fixture()
def env():
    from twin.energy.model import envelope_from_tabula
    from twin.energy.typology import load_typology

    t = load_typology().set_index("tabula_code")
    rows = t.loc[["BE.N.TH.01.Gen.ReEx.001.001", "BE.N.TH.06.Gen.ReEx.001.001", "BE.N.MFH.01.Small.ReEx.001.001"]].reset_index()
    return envelope_from_tabula(rows).assign(eta_hr=0.0)


class Drv:
    """A year of hourly drivers with real month lengths (what the accounts read)."""

    def __init__(self, t_out=None):
        time = pd.date_range("2023-01-01 01:00", periods=8760, freq="h")
        self._month = (time - pd.Timedelta(minutes=30)).month.to_numpy() - 1
        self.t_out_c = np.full(8760, 5.0) if t_out is None else t_out
        self.groups = ("roof",)
        self.irr_w_m2 = np.zeros((1, 8760))
        self.n_hours = 8760

    def month_index(self):
        return self._month


def _stock(env, q_heat, peak_w, weights=None):
    idx = pd.Index(env["building_id"], name="building_id")
    per = pd.DataFrame({"q_heat_kwh": q_heat, "peak_heat_w": peak_w}, index=idx)
    w = np.array([16, 14, 12, 8, 4, 1, 0, 0, 2, 6, 11, 15], float) if weights is None else weights
    monthly = pd.DataFrame({"building_id": np.repeat(env["building_id"], 12), "month": np.tile(np.arange(1, 13), len(env)),
                            "q_heat_kwh": (np.asarray(q_heat)[:, None] * w[None, :] / w.sum()).ravel(), "q_cool_kwh": 0.0})
    return per, monthly


def test_default_accounts_do_not_depend_on_the_new_factors(env):
    """The constant-efficiency systems give the same numbers with or without the new factor rows."""
    from twin.energy.model import load_factors
    from twin.energy.results import energy_accounts

    f = load_factors()
    old = {k: v for k, v in f.items() if not k.startswith(NEW_FACTOR_PREFIXES)}
    assert len(old) < len(f) and f["dhw_by_use"] == 0.0
    per, monthly = _stock(env, [20_000.0, 5_000.0, 60_000.0], [9e3, 3e3, 3e4])
    for system in ("gas_boiler", "gas_boiler_condensing", "oil_boiler", "electric_direct", "heat_pump", "heat_pump_air_55"):
        e = env.assign(system=system)
        a = energy_accounts(e, per, monthly, Drv(), factors=f)
        # every new factor NaN (the option dhw_by_use at its default 0): the same numbers
        b = energy_accounts(e, per, monthly, Drv(), factors={**old, **{k: np.nan for k in set(f) - set(old)}, "dhw_by_use": 0.0})
        pd.testing.assert_frame_equal(a, b)
        assert (a["district_heat_kwh"] == 0).all()


def test_district_heating_by_hand(env):
    from twin.energy.measures import apply_measures, load_measures
    from twin.energy.model import load_factors
    from twin.energy.results import energy_accounts

    f = load_factors()
    # the documented derivation of the default network factors (gas heat plant 0.90, 15 % network loss)
    assert f["pef_district_heat"] == pytest.approx(f["pef_gas"] / (0.90 * 0.85), abs=0.005)
    assert f["co2_district_heat_kg_kwh"] == pytest.approx(f["co2_gas_kg_kwh"] / (0.90 * 0.85), abs=0.0005)
    new, costs = apply_measures(env.assign(system="gas_boiler"), "district_heating", table=load_measures())
    assert (new["system"] == "district_heating").all() and (new["system_source"] == "measure district_heating").all()
    assert (costs["cost_unit"] == "kw_peak").all()
    q = np.array([20_000.0, 5_000.0, 60_000.0])
    per, monthly = _stock(env, q, [9e3, 3e3, 3e4])
    acc = energy_accounts(new, per, monthly, Drv())
    dh = (q + env["q_w_nd_kwh_m2"].to_numpy() * env["a_f_m2"].to_numpy()) / 0.95
    np.testing.assert_allclose(acc["district_heat_kwh"], dh, rtol=1e-12)
    np.testing.assert_allclose(acc["final_energy_kwh"], dh, rtol=1e-12)
    np.testing.assert_allclose(acc["primary_energy_kwh"], 1.31 * dh, rtol=1e-12)
    np.testing.assert_allclose(acc["co2_kg"], 0.264 * dh, rtol=1e-12)
    np.testing.assert_allclose(acc["energy_cost_eur"], 0.12 * dh, rtol=1e-12)
    assert (acc["gas_kwh"] == 0).all() and (acc["electricity_kwh"] == 0).all()
    with pytest.raises(InputError, match="dh_substation_efficiency"):
        energy_accounts(new, per, monthly, Drv(), factors={"dh_substation_efficiency": 1.2})


def test_boiler_loss_interpolation_hits_the_rated_efficiencies():
    """EN 15316-4-1: at 100 % and 30 % load the fuel is heat / eta_100 and heat / eta_30."""
    from twin.energy.systems import boiler_loss_kw

    p_n = 20.0
    for beta, eta in ((1.0, 0.86), (0.3, 0.84)):
        fuel = beta * p_n + boiler_loss_kw(np.array([beta]), p_n, 0.86, 0.84, 0.015)[0]
        assert beta * p_n / fuel == pytest.approx(eta, rel=1e-12)
    assert boiler_loss_kw(np.array([0.0]), p_n, 0.86, 0.84, 0.015)[0] == pytest.approx(0.3)  # stand-by 1.5 % of 20 kW
    # halfway between 0 and 30 %: the mean of the two losses
    mid = boiler_loss_kw(np.array([0.15]), p_n, 0.86, 0.84, 0.015)[0]
    assert mid == pytest.approx(0.5 * (0.3 + 0.3 * 20 * 0.16 / 0.84))


@pytest.mark.parametrize("system,fuel_col,key", [("gas_boiler_partload", "gas_kwh", "pl_gas"),
                                                 ("gas_boiler_condensing_partload", "gas_kwh", "pl_gas_condensing"),
                                                 ("oil_boiler_partload", "oil_kwh", "pl_oil")])
def test_partload_boiler_by_hand(env, system, fuel_col, key):
    """Fuel = sum over months of heat + losses at the month's mean load ratio (written out here month by month)."""
    from twin.energy.model import load_factors
    from twin.energy.results import energy_accounts

    f = load_factors()
    q = np.array([20_000.0, 5_000.0, 60_000.0])
    peak_w = np.array([9e3, 3e3, 3e4])
    per, monthly = _stock(env, q, peak_w)
    acc = energy_accounts(env.assign(system=system), per, monthly, Drv())
    e100, e30, sb = f[f"{key}_eta_100"], f[f"{key}_eta_30"], f[f"{key}_standby_frac"]
    days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    q_dhw = env["q_w_nd_kwh_m2"].to_numpy() * env["a_f_m2"].to_numpy()
    mh = monthly["q_heat_kwh"].to_numpy().reshape(3, 12)
    for b in range(3):
        pn = 1.5 * peak_w[b] / 1000.0
        fuel = 0.0
        for m in range(12):
            hours = 24 * days[m]
            heat = mh[b, m] + q_dhw[b] * hours / 8760
            beta = heat / (pn * hours)
            l0, l30, l100 = sb * pn, 0.3 * pn * (1 - e30) / e30, pn * (1 - e100) / e100
            loss = l0 + (l30 - l0) * beta / 0.3 if beta <= 0.3 else l30 + (l100 - l30) * (beta - 0.3) / 0.7
            fuel += heat + (loss * hours if heat > 0 else 0.0)
        assert acc[fuel_col].iloc[b] == pytest.approx(fuel, rel=1e-12)
        eff = (q[b] + q_dhw[b]) / fuel
        assert 0.6 < eff < max(e100, e30)  # low mean load ratios: below the rated efficiencies
    other = "oil_kwh" if fuel_col == "gas_kwh" else "gas_kwh"
    assert (acc[other] == 0).all()


def test_condensing_partload_beats_standard_partload(env):
    from twin.energy.results import energy_accounts

    per, monthly = _stock(env, [20_000.0, 5_000.0, 60_000.0], [9e3, 3e3, 3e4])
    std = energy_accounts(env.assign(system="gas_boiler_partload"), per, monthly, Drv())["gas_kwh"]
    cond = energy_accounts(env.assign(system="gas_boiler_condensing_partload"), per, monthly, Drv())["gas_kwh"]
    assert (cond < std).all()


def test_dhw_by_use_by_hand(env):
    """40 l/person/day at 60 C from 10 C, 40 m2 per person: 1.163 Wh/(l K) x l x persons x 50 K x 365 d."""
    from twin.energy.hot_water import dhw_need_by_use_kwh
    from twin.energy.results import energy_accounts

    got = dhw_need_by_use_kwh(np.array([120.0, 40.0]), "residential")
    hand = 4.186 / 3.6 * 40 * np.array([3.0, 1.0]) * 50 * 365 / 1000  # 2 546.5 and 848.8 kWh
    np.testing.assert_allclose(got, hand, rtol=1e-12)
    assert got[0] == pytest.approx(2546.5, abs=0.1)
    office = dhw_need_by_use_kwh(np.array([120.0]), "office")[0]
    assert office == pytest.approx(4.186 / 3.6 * 8 * 10 * 55 * 365 / 1000)  # Vabi: 8 l from 10 to 65 C, 12 m2/person
    q = np.array([20_000.0, 5_000.0, 60_000.0])
    per, monthly = _stock(env, q, [9e3, 3e3, 3e4])
    acc = energy_accounts(env.assign(system="gas_boiler"), per, monthly, Drv(), factors={"dhw_by_use": 1.0})
    dhw = 4.186 / 3.6 * 40 * env["a_f_m2"].to_numpy() / 40 * 50 * 365 / 1000
    np.testing.assert_allclose(acc["q_dhw_kwh"], dhw, rtol=1e-12)
    np.testing.assert_allclose(acc["gas_kwh"], (q + dhw) / 0.85, rtol=1e-12)
    default = energy_accounts(env.assign(system="gas_boiler"), per, monthly, Drv())
    np.testing.assert_allclose(default["q_dhw_kwh"], env["q_w_nd_kwh_m2"].to_numpy() * env["a_f_m2"].to_numpy())
    with pytest.raises(InputError, match="dhw_by_use"):
        energy_accounts(env.assign(system="gas_boiler"), per, monthly, Drv(), factors={"dhw_by_use": 0.5})
    with pytest.raises(InputError, match="no hot-water use 'garage';"):  # the plain name, not numpy's np.str_('garage')
        dhw_need_by_use_kwh(np.array([10.0]), np.array(["garage"]))
    with pytest.raises(InputError, match="unknown heating system 'coal';"):
        energy_accounts(env.assign(system="coal"), per, monthly, Drv())


def _write_hp(tmp_path, row_kind="air_water", **changes):
    """The packaged heat-pump table with ``changes`` ({column: value}; None drops the column) on its ``row_kind`` row."""
    from importlib import resources

    with resources.as_file(resources.files("twin") / "data" / "heat_pumps.csv") as p:
        t = pd.read_csv(p, dtype=str, keep_default_na=False)
    for col, value in changes.items():
        if value is None:
            t = t.drop(columns=col)
        else:
            t.loc[t["kind"] == row_kind, col] = value
    path = tmp_path / "hp.csv"
    t.to_csv(path, index=False)
    return path


def test_user_heat_pump_table_changes_the_accounts(env, tmp_path):
    """A user table with a better air_water unit: electricity of heat_pump_air_55 = heat / its SPF."""
    from twin.energy import heat_pump as hp
    from twin.energy.results import energy_accounts
    from twin.ingest.epw import read_epw

    t_out = read_epw(UCCLE).data["dry_bulb_c"].to_numpy(dtype=float)
    drv = Drv(t_out)
    table = hp.load_user_heat_pumps(_write_hp(tmp_path, eta_carnot="0.45"))
    assert table["air_water"].eta_carnot == 0.45 and repr(table["ground_water"]) == repr(hp.load_heat_pumps()["ground_water"])
    p = table["air_water"]
    dh = np.bincount(drv.month_index(), weights=hp.heating_weights(t_out, p), minlength=12)
    q = np.array([20_000.0, 5_000.0, 60_000.0])
    per, monthly = _stock(env, q, [9e3, 3e3, 3e4], weights=dh)
    e = env.assign(system="heat_pump_air_55", q_w_nd_kwh_m2=0.0)
    with hp.using_heat_pumps(table):
        acc = energy_accounts(e, per, monthly, drv)
    base = energy_accounts(e, per, monthly, drv)  # the context is gone: packaged table again
    spf_user = hp.seasonal_performance_factor(t_out, p, 55.0)
    spf_base = hp.seasonal_performance_factor(t_out, "air_water", 55.0)
    assert spf_user > spf_base
    np.testing.assert_allclose(acc["electricity_kwh"], q / spf_user, rtol=1e-9)
    np.testing.assert_allclose(base["electricity_kwh"], q / spf_base, rtol=1e-9)


@pytest.mark.parametrize("changes,field,text", [
    ({"eta_carnot": "0.15"}, "eta_carnot", "below 1"),
    ({"field_factor": "inf"}, "field_factor", "not finite"),
    ({"t_room_c": "nan"}, "t_room_c", "out of range"),
    ({"source_model": "water"}, "source_model", "unknown source model"),
    ({"kind": "air_watr"}, "kind", "unknown heat-pump kind"),
    ({"t_bivalent_c": "cold"}, "t_bivalent_c", "not a number"),
    ({"brine_offset_k": None}, "brine_offset_k", "lacks a column"),
])
def test_user_heat_pump_table_errors_name_file_row_field(tmp_path, changes, field, text):
    from twin.energy.heat_pump import load_user_heat_pumps

    path = _write_hp(tmp_path, **changes)
    with pytest.raises(SchemaError) as err:
        load_user_heat_pumps(path)
    msg = str(err.value)
    assert str(path) in msg and f"'{field}'" in msg and text in msg
    if field != "brine_offset_k":
        assert "line 2" in msg


def test_cli_heat_pumps_errors_exit_2(tmp_path):
    """``twin energy run --heat-pumps``: one error line (file, row, field), exit 2, before the scene is read."""
    from tests.cli_harness import assert_one_line_error, run_twin

    scene = tmp_path / "no_scene_needed"
    cases = [({"eta_carnot": "0.15"}, ("hp.csv", "line 2 (air_water)", "eta_carnot", "below 1")),
             ({"source_model": "water"}, ("hp.csv", "line 2", "source_model")),
             ({"field_factor": None}, ("hp.csv", "field_factor", "lacks a column"))]
    for changes, texts in cases:
        path = _write_hp(tmp_path, **changes)
        res = run_twin(["energy", "run", scene, "--heat-pumps", path, "-o", tmp_path / "out", "-q", "-m", "heat_pump_air_55"])
        assert_one_line_error(res, contains=texts)
    res = run_twin(["energy", "run", scene, "--heat-pumps", tmp_path / "missing.csv", "-o", tmp_path / "out", "-q"])
    assert_one_line_error(res, contains=("missing.csv", "not found"))
    # a valid table no building can use (baseline gas boilers, a wall measure only): a no-op, an error
    res = run_twin(["energy", "run", scene, "--heat-pumps", _write_hp(tmp_path), "-o", tmp_path / "out", "-q", "-m", "wall_insulation"])
    assert_one_line_error(res, contains=("hp.csv", "--heat-pumps", "no effect"))


def test_system_lists_agree():
    """The measure table's systems are the accounts' systems (default and opt-in), each with a carrier."""
    from twin.energy.measures import SYSTEMS as MEASURE_SYSTEMS
    from twin.energy.results import OPT_IN_SYSTEMS, SYSTEMS

    assert set(MEASURE_SYSTEMS) == set(SYSTEMS) | set(OPT_IN_SYSTEMS)
    assert not set(SYSTEMS) & set(OPT_IN_SYSTEMS)
    assert set(OPT_IN_SYSTEMS.values()) <= {"gas", "oil", "district_heat"}


def test_cli_run_with_user_heat_pumps_and_district_heating(tmp_path):
    """End to end (``twin energy run``, in process): a better user air_water unit lowers the variant's
    electricity by the space heat of each month over the two tables' monthly COP; the
    district_heating measure moves the heat to district_heat_kwh."""
    from typer.testing import CliRunner

    from tests.test_energy_stock_bad_input import row_scene
    from twin.cli.main import app
    from twin.energy import heat_pump as hp
    from twin.energy.solar import standard_drivers
    from twin.export import write_scene
    from twin.ingest.epw import read_epw

    folder = tmp_path / "scene"
    write_scene(row_scene(3), folder)
    table = _write_hp(tmp_path, eta_carnot="0.45")
    args = ["energy", "run", str(folder), "--weather", str(UCCLE), "--format", "csv", "--no-plots", "-q"]
    runs = {}
    for name, extra in (("packaged", ["-m", "heat_pump_air_55"]), ("user", ["-m", "heat_pump_air_55", "--heat-pumps", str(table)]),
                        ("dh", ["-m", "district_heating"]), ("dhw", ["-m", "district_heating", "--dhw", "by_use"])):
        res = CliRunner().invoke(app, [*args, "-o", str(tmp_path / name), *extra])
        assert res.exit_code == 0, res.output
        runs[name] = pd.read_csv(tmp_path / name / "variant" / "buildings.csv")
    drv = standard_drivers(read_epw(UCCLE))  # the stock's outdoor temperature (interval means of the file)
    t_out, month = drv.t_out_c, drv.month_index()
    user, packaged = runs["user"].set_index("building_id"), runs["packaged"].set_index("building_id")
    # hot water (plain COP at 55 C) and fans are the same in both runs: the difference is the space
    # heating of each month over the two tables' monthly COP
    cop_pkg = hp.monthly_cop(t_out, month, "air_water", 55.0)
    cop_user = hp.monthly_cop(t_out, month, hp.load_user_heat_pumps(table)["air_water"], 55.0)
    assert (cop_user > cop_pkg).all()
    mh = pd.read_csv(tmp_path / "user" / "variant" / "monthly.csv").pivot_table(index="building_id", columns="month", values="q_heat_kwh")
    expected = (mh.to_numpy() * (1 / cop_pkg - 1 / cop_user)[None, :]).sum(axis=1)
    got = (packaged["electricity_kwh"] - user["electricity_kwh"]).reindex(mh.index).to_numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-9)
    assert (got > 0).all()
    dh = runs["dh"]
    assert (dh["gas_kwh"] == 0).all() and (dh["system"] == "district_heating").all()
    np.testing.assert_allclose(dh["district_heat_kwh"], (dh["q_heat_kwh"] + dh["q_dhw_kwh"]) / 0.95, rtol=1e-9)
    np.testing.assert_allclose(dh["primary_energy_kwh"], 1.31 * dh["district_heat_kwh"], rtol=1e-9)
    # --dhw by_use: 40 l/person/day, 40 m2/person, 50 K (hand formula); space heating unchanged
    by_use = runs["dhw"]
    np.testing.assert_allclose(by_use["q_dhw_kwh"], 4.186 / 3.6 * 40 * by_use["a_f_m2"] / 40 * 50 * 365 / 1000, rtol=1e-9)
    np.testing.assert_allclose(by_use["q_heat_kwh"], dh["q_heat_kwh"], rtol=1e-12)
    assert not np.allclose(by_use["q_dhw_kwh"], dh["q_dhw_kwh"])


def test_dhw_model_option(env, tmp_path):
    """``using_dhw_model('by_use')`` (what ``--dhw by_use`` sets) switches the hot water; 'typology' is the
    default; an unknown model is one error line, exit 2."""
    from tests.cli_harness import assert_one_line_error, run_twin
    from twin.energy.hot_water import dhw_need_by_use_kwh, using_dhw_model
    from twin.energy.results import energy_accounts

    per, monthly = _stock(env, [20_000.0, 5_000.0, 60_000.0], [9e3, 3e3, 3e4])
    e = env.assign(system="gas_boiler")
    with using_dhw_model("by_use"):
        acc = energy_accounts(e, per, monthly, Drv())
    np.testing.assert_allclose(acc["q_dhw_kwh"], dhw_need_by_use_kwh(env["a_f_m2"].to_numpy(), "residential"), rtol=1e-12)
    with using_dhw_model(None):
        base = energy_accounts(e, per, monthly, Drv())
    np.testing.assert_allclose(base["q_dhw_kwh"], env["q_w_nd_kwh_m2"].to_numpy() * env["a_f_m2"].to_numpy())
    with pytest.raises(InputError, match="--dhw"):
        with using_dhw_model("per_m2"):
            pass
    res = run_twin(["energy", "run", tmp_path / "scene", "--dhw", "per_m2", "-o", tmp_path / "out", "-q"])
    assert_one_line_error(res, contains=("--dhw", "per_m2"))
