"""The finer zone model (ISO 52016-1 style) on the building stock (twin/energy/stock_iso52016.py).

* One path: a single-zone spec (the 16 BESTEST cases, Denver TMY3: 650, 950 and their free-float
  variants with the night-ventilation fan as a scheduled flow, 610, 630, 910, 930 with overhangs
  and fins in shaded window groups of the stock drivers) given to the stock front end with the
  same constructions gives the spec path's annual loads, peaks and temperatures
  (:func:`twin.energy.iso52016.simulate_spec_iso52016`) to 1e-9. Sharing of the shaded groups
  and their bad input: ``tests/test_energy_stock_shading_p13k.py``.
* TABULA check through the finer model: TABULA's 36 Belgian reference buildings (inferred layer
  stacks, the setpoint on the operative temperature) against TABULA's own q_h_nd, within 25 % as
  the 5R1C path's check (docs/energy_stock_iso52016.md), and the construction periods must move
  like TABULA's.
* Bad input: an unknown model name; an envelope whose U-value no layer stack can give.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import shared_path

CASES = ("600", "610", "620", "630", "640", "650", "900", "910", "920", "930", "940", "950", "600ff", "650ff", "900ff", "950ff")


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_one_building_stock_equals_spec_path(denver, case):
    from pathlib import Path

    from twin.energy.inputs import STANDARD_GROUPS
    from twin.energy.iso52016 import simulate_spec_iso52016
    from twin.energy.spec import load_spec
    from twin.energy.stock_iso52016 import simulate_zones, zone_from_spec

    spec = load_spec(Path(__file__).parent / "energy_data" / f"bestest_{case}.yaml")
    ref = simulate_spec_iso52016(spec, denver)
    zone, drivers = zone_from_spec(spec, denver)
    # the stock's standard groups, not the spec's own; a shaded group per window with overhangs or fins
    # (610 / 910: the two south windows under one geometry; 630 / 930: the east and the west window)
    n_shaded = {"610": 1, "910": 1, "630": 2, "930": 2}.get(case, 0)
    assert drivers.groups[:len(STANDARD_GROUPS)] == STANDARD_GROUPS and len(drivers.groups) == len(STANDARD_GROUPS) + n_shaded
    assert sorted(w["group"] for w in zone.windows if "~" in w["group"]) == sorted(drivers.groups[len(STANDARD_GROUPS):])
    # the x50 cases' night fan (1700 m3/h from 18:00 to 07:00, ASHRAE 140-2020) is a scheduled flow, the others have none
    vented = case.startswith(("650", "950"))
    assert (zone.h_ve_sched_w_k > 0) == vented and (np.ptp(drivers.ve_schedule) > 0) == vented
    raw = simulate_zones([zone], drivers, warmup_hours=spec.simulation.warmup_hours)
    got = {
        "heating_mwh": raw["heat_wh"][0] / 1e6,
        "cooling_mwh": raw["cool_wh"][0] / 1e6,
        "peak_heating_kw": raw["peak_heat_w"][0] / 1e3,
        "peak_cooling_kw": raw["peak_cool_w"][0] / 1e3,
        "t_air_min_c": raw["t_air_min_c"][0],
        "t_air_max_c": raw["t_air_max_c"][0],
        "t_air_mean_c": raw["t_air_mean_c"][0],
    }
    for key, value in got.items():
        assert value == pytest.approx(ref[key], rel=1e-9, abs=1e-9), key
    np.testing.assert_allclose(raw["monthly_heat_wh"][0] / 1e3, ref["monthly_heating_kwh"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(raw["monthly_cool_wh"][0] / 1e3, ref["monthly_cooling_kwh"], rtol=1e-9, atol=1e-9)
    if case.endswith("ff"):  # free float: a real year of temperatures, no loads
        assert ref["t_air_max_c"] - ref["t_air_min_c"] > 30.0 and ref["heating_mwh"] == 0.0 == ref["cooling_mwh"]
    else:  # a real year, not an empty one (650 and 950 have no heating)
        assert ref["cooling_mwh"] > 0.3 and (ref["heating_mwh"] > 1.0) == (not vented)


@pytest.fixture(scope="module")
def tabula():
    from twin.energy.model import envelope_from_tabula
    from twin.energy.typology import read_tabula

    raw = pd.read_csv(shared_path("typology", "tabula_BE.csv"))
    return raw, envelope_from_tabula(read_tabula(shared_path("typology", "tabula_BE.csv")))


@pytest.fixture(scope="module")
def uccle_drivers(weather):
    from twin.energy.solar import standard_drivers

    return standard_drivers(weather, heat_setpoint_c=np.full(len(weather.data), 20.0))


@pytest.fixture(scope="module")
def tabula_finer(tabula, uccle_drivers):
    from twin.energy.model import TABULA_CONVENTIONS
    from twin.energy.stock_iso52016 import simulate_envelope_iso52016

    raw, env = tabula
    res, layers = simulate_envelope_iso52016(env, uccle_drivers, conventions=TABULA_CONVENTIONS, on_error="raise")
    return res, layers


@pytest.mark.slow
def test_tabula_heating_need_through_finer_model(tabula, tabula_finer):
    raw, env = tabula
    res, layers = tabula_finer
    q = res.per_building["q_heat_kwh_m2"].to_numpy()
    ratio = q / raw["q_h_nd"].to_numpy()
    report = pd.DataFrame({"code": env["building_id"], "tabula": raw["q_h_nd"].round(1), "finer": q.round(1), "ratio": ratio.round(3)})
    print("\n" + report.to_string())
    print(f"finer model / TABULA q_h_nd: {ratio.min():.3f}-{ratio.max():.3f} (median {np.median(ratio):.3f})")
    assert len(report) == 36 and len(res.errors) == 0
    # the stock's default control temperature is the operative one (ISO 52016-1 6.5.5; ISO 13790's
    # "internal temperature", TABULA's set-point): measured 0.765-1.067 (median 0.957) on 2026-12-04;
    # on the air temperature 0.727-0.949 (median 0.847: the air at 20 degC leaves the surfaces, and
    # the loss through them, colder). Asserted: the 5R1C path's criterion, within 25 % of TABULA
    # (tests/test_energy_stock_tabula.py::test_heating_need_within_25_percent_of_tabula)
    assert np.all(np.abs(ratio - 1.0) <= 0.25), report.to_string()
    assert (layers["constructions_source"].str.startswith("inference")).all()


@pytest.mark.slow
def test_tabula_periods_move_like_tabula_through_finer_model(tabula, tabula_finer):
    from twin.energy.typology import read_tabula

    table = read_tabula(shared_path("typology", "tabula_BE.csv"))
    q = tabula_finer[0].per_building["q_heat_kwh_m2"].to_numpy()
    t = table.assign(ours=q, series=table["building_class"] + "." + table["subtype"])
    t = t[t["period"] > 0]
    for name, g in t.groupby("series"):
        g = g.sort_values("period")
        step_tab = np.diff(g["q_h_nd_kwh_m2"].to_numpy()) / g["q_h_nd_kwh_m2"].to_numpy()[:-1]
        step_our = np.diff(g["ours"].to_numpy()) / g["ours"].to_numpy()[:-1]
        clear = np.abs(step_tab) > 0.05
        assert np.all(np.sign(step_tab[clear]) == np.sign(step_our[clear])), name
        r_tab = g["q_h_nd_kwh_m2"].to_numpy() / g["q_h_nd_kwh_m2"].to_numpy()[0]
        r_our = g["ours"].to_numpy() / g["ours"].to_numpy()[0]
        np.testing.assert_allclose(r_our, r_tab, rtol=0.25, err_msg=name)


def test_layer_stack_gives_the_target_u_value():
    from twin.energy.stock_iso52016 import layer_stack

    for u, structure, d in ((0.3, "concrete block", 0.1), (2.2, "concrete block", 0.1), (3.5, "concrete block", 0.1), (0.5, "plasterboard", 0.012)):
        c = layer_stack(u, 0.13, 0.04, structure, d)
        assert c.u_w_m2k(0.13) == pytest.approx(u, rel=1e-12)
        assert c.layers[-1].name == structure and c.layers[-1].thickness_m == d
    with pytest.raises(ValueError, match="surface films"):
        layer_stack(7.0, 0.13, 0.04, "concrete block", 0.1)


def test_unknown_model_name_is_a_clear_error():
    from twin.energy.stock_iso52016 import check_model
    from twin.errors import InputError, TwinError

    assert check_model("iso52016") == "iso52016"
    with pytest.raises(InputError, match="unknown zone model 'iso13790'.*5r1c, iso52016") as exc:
        check_model("iso13790")
    assert isinstance(exc.value, TwinError) and exc.value.field == "energy.model"


def test_impossible_u_value_names_building_and_field(tabula, uccle_drivers):
    from twin.energy.model import TABULA_CONVENTIONS
    from twin.energy.stock_iso52016 import simulate_envelope_iso52016
    from twin.errors import InputError

    env = tabula[1].iloc[:2].copy()
    env.loc[0, "u_wall_w_m2k"] = 8.0  # above 1 / (R_si + R_se) = 5.9 W/(m2 K) after F_red: no layer stack gives it
    with pytest.raises(InputError, match="above the surface films") as exc:
        simulate_envelope_iso52016(env, uccle_drivers, conventions=TABULA_CONVENTIONS, on_error="raise")
    assert exc.value.field == "u_wall_w_m2k" and env.loc[0, "building_id"] in str(exc.value)
    res, _ = simulate_envelope_iso52016(env, uccle_drivers, conventions=TABULA_CONVENTIONS, on_error="report")
    assert list(res.errors["building_id"]) == [env.loc[0, "building_id"]]
    q = res.per_building["q_heat_kwh"].to_numpy()
    assert np.isnan(q[0]) and q[1] > 0
