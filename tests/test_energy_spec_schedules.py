"""Single-zone spec: hourly profiles by day type, ventilation flows with units, their bad input.

References for the expected numbers: ASHRAE Handbook - Fundamentals 2017, ch. 1 (standard
air 1.204 kg/m3 at 20 degC and 101.325 kPa; standard-atmosphere pressure at altitude, eq. 3),
ANSI/ASHRAE Standard 140-2020 case 650 (vent fan 1703.16 standard m3/h, Denver 1,609 m).
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path
from twin.energy.schedules import (
    STANDARD_AIR_DENSITY_KG_M3,
    DaySchedule,
    Flow,
    air_density_at_altitude_kg_m3,
    hourly_values,
    pressure_at_altitude_pa,
)
from twin.energy.spec import load_spec, simulate_spec, spec_from_dict
from twin.errors import SchemaError

DATA = Path(__file__).parent / "energy_data"
DENVER = ("weather", "USA_CO_Denver.Intl.AP.725650_TMY3.epw")
BASE = yaml.safe_load((DATA / "bestest_600.yaml").read_text())
BASE["ventilation"].pop("air_density_kg_m3", None)  # these tests use the spec path's own site density (EPW pressure)
# 2024-01-01 is a Monday; EPW stamps the interval end, so 01:00 closes Monday 00:00-01:00
WEEK = pd.date_range("2024-01-01 01:00", periods=24 * 7, freq="h", tz="Etc/GMT-1")


def _spec(**top) -> dict:
    d = copy.deepcopy(BASE)
    d.update(copy.deepcopy(top))
    return d


# ------------------------------------------------------------------------------ day types
def test_day_types_pick_the_most_specific_profile():
    s = DaySchedule(all_days=[1.0] * 24, saturday=[2.0] * 24, sunday=[float(h) for h in range(24)])
    v = hourly_values(s, WEEK)
    assert np.all(v[: 24 * 5] == 1.0)  # Monday-Friday from all_days
    assert np.all(v[24 * 5 : 24 * 6] == 2.0)  # Saturday
    assert v[24 * 6] == 0.0 and v[-1] == 23.0  # Sunday by hour
    w = hourly_values(DaySchedule(weekday=[3.0] * 24, weekend=[4.0] * 24, sunday=[5.0] * 24), WEEK)
    assert w[0] == 3.0 and w[24 * 5] == 4.0 and w[24 * 6] == 5.0


def test_older_weekday_weekend_form_keeps_its_meaning():
    wd = [float(h) for h in range(24)]
    old = hourly_values(DaySchedule(weekday=wd, weekend=[None] * 24), WEEK)
    new = hourly_values(DaySchedule(weekday=wd, saturday=[None] * 24, sunday=[None] * 24), WEEK)
    np.testing.assert_array_equal(old, new)
    only = hourly_values(DaySchedule(weekday=wd), WEEK)  # weekday alone: every day
    np.testing.assert_array_equal(only, np.tile(wd, 7))


def test_constant_setpoints_and_all_days_profiles_give_identical_results(denver):
    """A constant written as a profile changes nothing, bit for bit; a flow written with units, to 1e-12."""
    keys = ("heating_mwh", "cooling_mwh", "peak_heating_kw", "peak_cooling_kw", "t_air_mean_c")
    ref = simulate_spec(spec_from_dict(BASE), denver)
    d = _spec(
        heating={"schedule": {"all_days": [20.0] * 24}},
        cooling={"schedule": {"weekday": [27.0] * 24, "weekend": [27.0] * 24}},
    )
    d["gains"]["schedule"] = {"all_days": [1.0] * 24}
    alt = simulate_spec(spec_from_dict(d), denver)
    assert [alt[k] for k in keys] == [ref[k] for k in keys]
    d["ventilation"] = {"flows": [{"name": "infiltration", "value": 0.5, "unit": "ach"}]}
    flow = simulate_spec(spec_from_dict(d), denver)
    assert flow["model"]["h_ve_w_k"] == pytest.approx(ref["model"]["h_ve_w_k"], rel=1e-12)
    assert [flow[k] for k in keys] == pytest.approx([ref[k] for k in keys], rel=1e-9)


def test_weekend_setback_lowers_heating(denver):
    ref = simulate_spec(spec_from_dict(BASE), denver)
    d = _spec(heating={"schedule": {"weekday": [20.0] * 24, "saturday": [15.0] * 24, "sunday": [15.0] * 24}})
    res = simulate_spec(spec_from_dict(d), denver)
    assert res["heating_mwh"] < ref["heating_mwh"]
    assert np.isfinite(res["heating_mwh"]) and res["t_air_min_c"] < 20.0


# ------------------------------------------------------------------------------ flows
def test_standard_air_and_altitude_density():
    assert STANDARD_AIR_DENSITY_KG_M3 == pytest.approx(1.204, abs=5e-4)  # ASHRAE standard air
    # ASHRAE Fundamentals 2017 ch. 1 Table 1: 1,500 m -> 84.556 kPa, 2,000 m -> 79.495 kPa
    assert pressure_at_altitude_pa(1500.0) == pytest.approx(84556.0, rel=2e-4)
    assert pressure_at_altitude_pa(2000.0) == pytest.approx(79495.0, rel=2e-4)
    ratio = air_density_at_altitude_kg_m3(1609.0) / STANDARD_AIR_DENSITY_KG_M3
    assert ratio == pytest.approx(0.823, abs=2e-3)  # the 0.822 of the ISO 52016 BESTEST encoding


def test_flow_units_give_the_mass_flow():
    rho_site = 0.99
    std = Flow(value=1703.16, unit="m3/h standard")
    assert std.mass_flow_kg_s(129.6, rho_site) == pytest.approx(1703.16 / 3600 * 1.2041, rel=1e-4)
    site = Flow(value=1703.16, unit="m3/h site")
    assert site.mass_flow_kg_s(129.6, rho_site) == pytest.approx(1703.16 / 3600 * 0.99)
    ls = Flow(value=473.1, unit="L/s  standard")  # case and spaces are normalised
    assert ls.unit == "l/s standard" and ls.mass_flow_kg_s(1.0, rho_site) == pytest.approx(0.4731 * STANDARD_AIR_DENSITY_KG_M3)
    ach = Flow(value=0.5, unit="ach")
    assert ach.mass_flow_kg_s(129.6, rho_site) == pytest.approx(129.6 * 0.5 / 3600 * 0.99)


def test_site_flow_equals_ach_and_standard_flow_is_denser(denver):
    a = simulate_spec(spec_from_dict(BASE), denver)["model"]
    d = _spec()
    d["ventilation"] = {"infiltration_ach": 0.5, "flows": [{"value": 100.0, "unit": "m3/h site", "schedule": {"all_days": [0.5] * 24}}]}
    b = simulate_spec(spec_from_dict(d), denver)["model"]
    rho = a["air_density_kg_m3"]
    assert b["h_ve_w_k"] - a["h_ve_w_k"] == pytest.approx(rho * 1006.0 * 50.0 / 3600.0, rel=1e-12)
    d["ventilation"]["flows"][0]["unit"] = "m3/h standard"
    c = simulate_spec(spec_from_dict(d), denver)["model"]
    assert c["h_ve_w_k"] - a["h_ve_w_k"] == pytest.approx(STANDARD_AIR_DENSITY_KG_M3 * 1006.0 * 50.0 / 3600.0, rel=1e-12)
    # altitude instead of the EPW pressure: Denver airport 1,650 m, the EPW mean is within 1 %
    d["ventilation"]["site_altitude_m"] = 1650.0
    e = simulate_spec(spec_from_dict(d), denver)["model"]
    assert e["air_density_kg_m3"] == pytest.approx(air_density_at_altitude_kg_m3(1650.0))
    assert e["air_density_kg_m3"] == pytest.approx(rho, rel=0.01)


# ------------------------------------------------------------------------------ bad input
NAN = float("nan")
BAD = [
    ("schedule-23-hours", {"heating": {"schedule": {"all_days": [20.0] * 23}}}, "heating.schedule.all_days", "got 23"),
    ("schedule-25-hours", {"gains": {"power_w": 200.0, "schedule": {"weekday": [1.0] * 25, "weekend": [1.0] * 24}}}, "gains.schedule.weekday", "got 25"),
    ("schedule-nan", {"cooling": {"schedule": {"all_days": [27.0] * 5 + [NAN] + [27.0] * 18}}}, "cooling.schedule.all_days.5", "finite"),
    ("schedule-out-of-range", {"heating": {"schedule": {"all_days": [20.0] * 24, "saturday": [20.0] * 6 + [100.0] + [20.0] * 17}}}, "heating.schedule.saturday.6", "plausible range"),
    ("gain-schedule-negative", {"gains": {"power_w": 200.0, "schedule": {"all_days": [1.0] * 3 + [-1.0] + [1.0] * 20}}}, "gains.schedule.all_days.3", "[0, 1000]"),
    ("schedule-missing-weekdays", {"heating": {"schedule": {"weekend": [20.0] * 24}}}, "heating.schedule", "no profile for weekdays"),
    ("flow-unit-unknown", {"ventilation": {"flows": [{"value": 100.0, "unit": "cfm"}]}}, "ventilation.flows.0.unit", "unknown flow unit 'cfm'"),
    ("flow-unit-no-conditions", {"ventilation": {"flows": [{"value": 100.0, "unit": "m3/h"}]}}, "ventilation.flows.0.unit", "site or standard"),
    ("flow-value-inf", {"ventilation": {"flows": [{"value": float("inf"), "unit": "m3/h site"}]}}, "ventilation.flows.0.value", "finite"),
    ("flow-schedule-above-1", {"ventilation": {"flows": [{"value": 10.0, "unit": "l/s site", "schedule": {"all_days": [2.0] * 24}}]}}, "ventilation.flows.0.schedule.all_days.0", "[0, 1]"),
    ("altitude-out-of-range", {"ventilation": {"infiltration_ach": 0.5, "site_altitude_m": 16090.0}}, "ventilation.site_altitude_m", "less than or equal"),
]


@pytest.mark.parametrize(("edit", "field", "text"), [pytest.param(e, f, t, id=i) for i, e, f, t in BAD])
def test_bad_schedule_or_flow_is_one_schema_error(edit, field, text, tmp_path):
    p = tmp_path / "zone.yaml"
    p.write_text(yaml.safe_dump(_spec(**edit)))
    with pytest.raises(SchemaError) as e:
        load_spec(p)
    assert e.value.field == field and e.value.path == str(p) and e.value.obj == "BESTEST 600"
    assert text in e.value.message and "\n" not in str(e.value)


CLI_CASES = ["schedule-23-hours", "schedule-25-hours", "schedule-nan", "schedule-out-of-range", "flow-unit-unknown"]


@pytest.mark.parametrize(("edit", "field", "text"), [pytest.param(e, f, t, id=i) for i, e, f, t in BAD if i in CLI_CASES])
def test_cli_bad_schedule_or_flow_is_one_line_exit_2(edit, field, text, tmp_path):
    p = tmp_path / "zone.yaml"
    p.write_text(yaml.safe_dump(_spec(**edit)))
    res = run_twin(["energy", "simulate", p, "--weather", shared_path(*DENVER)])
    assert_one_line_error(res, contains=("zone.yaml", "BESTEST 600", field, text), code=2)


def test_nan_written_in_yaml_is_an_error(tmp_path):
    hours = ", ".join(["27"] * 3 + [".nan"] + ["27"] * 20)
    text = (DATA / "bestest_600.yaml").read_text().replace("setpoint_c: 27.0", f"schedule: {{all_days: [{hours}]}}")
    p = tmp_path / "nan.yaml"
    p.write_text(text)
    with pytest.raises(SchemaError) as e:
        load_spec(p)
    assert e.value.field == "cooling.schedule.all_days.3"
    assert math.isnan(yaml.safe_load(text)["cooling"]["schedule"]["all_days"][3])


# ------------------------------------------------------------------------------ holidays
def test_holidays_take_the_holiday_then_the_sunday_profile():
    s = DaySchedule(weekday=[1.0] * 24, weekend=[2.0] * 24, holiday=[3.0] * 24)
    v = hourly_values(s, WEEK, ["01-02", "2024-01-06", "2023-01-03"])  # Tuesday, Saturday, another year
    assert v[0] == 1.0 and np.all(v[24:48] == 3.0) and v[48] == 1.0  # Monday, Tuesday 2 Jan, Wednesday
    assert np.all(v[24 * 5 : 24 * 6] == 3.0) and v[24 * 6] == 2.0  # Saturday 6 Jan is a holiday, Sunday not
    no_holiday_profile = hourly_values(DaySchedule(weekday=[1.0] * 24, sunday=[5.0] * 24, saturday=[2.0] * 24), WEEK, ["01-02"])
    assert np.all(no_holiday_profile[24:48] == 5.0)  # runs as a Sunday


def test_holiday_setback_lowers_heating_and_bad_dates_are_errors(denver):
    heat = {"schedule": {"all_days": [20.0] * 24, "holiday": [12.0] * 24}}
    without = simulate_spec(spec_from_dict(_spec(heating=heat)), denver)
    ref = simulate_spec(spec_from_dict(BASE), denver)
    assert without["heating_mwh"] == ref["heating_mwh"]  # no holiday dates: the profile is never used
    res = simulate_spec(spec_from_dict(_spec(heating=heat, calendar={"holidays": ["01-01", "12-25", "12-26"]})), denver)
    assert res["heating_mwh"] < ref["heating_mwh"] and res["t_air_min_c"] < 20.0
    for bad, field in ((["02-30"], "calendar.holidays.0"), (["01-01", "2024/12/25"], "calendar.holidays.1")):
        with pytest.raises(SchemaError) as e:
            spec_from_dict(_spec(calendar={"holidays": bad}), path="h.yaml")
        assert e.value.field == field and "MM-DD" in e.value.message
    with pytest.raises(SchemaError) as e:  # the heating holiday profile above the cooling setpoint
        spec_from_dict(_spec(heating={"schedule": {"all_days": [20.0] * 24, "holiday": [28.0] * 24}}))
    assert e.value.field == "heating.schedule.holiday.0"


# ------------------------------------------------------------------------------ ASHRAE 140 case 650
def test_case650_night_vent_spec_runs_with_an_hourly_ventilation_conductance(denver):
    """Case 650 in the format: the night fan becomes the building's scheduled H_ve, which the kernel takes hour by hour.

    The kernel's annual cooling, peak and air temperatures equal the plain-Python ISO 13790
    reference (tests/energy_reference.py, H_ve replaced hour by hour) to 1e-9.
    """
    from tests.energy_reference import simulate_stock_reference
    from twin.energy.spec import zone_model

    path = DATA / "schedules_case650.yaml"
    spec = load_spec(path)
    inputs, drivers, info = zone_model(spec, denver)
    fan_w_k = info["flows"][0]["h_w_k"]
    assert info["flows"][0]["scheduled"] and inputs.h_ve_sched_w_k[0] == pytest.approx(fan_w_k)
    assert fan_w_k == pytest.approx(1703.16 / 3600 * STANDARD_AIR_DENSITY_KG_M3 * 1006.0, rel=1e-9)
    out = simulate_spec(spec, denver)
    ref = simulate_stock_reference(inputs, drivers, warmup_hours=spec.simulation.warmup_hours)[0]
    assert out["heating_mwh"] == 0.0 and ref["heat_wh"] == 0.0
    assert out["cooling_mwh"] == pytest.approx(ref["cool_wh"] / 1e6, rel=1e-9)
    assert out["peak_cooling_kw"] == pytest.approx(ref["peak_cool_w"] / 1e3, rel=1e-9)
    assert out["t_air_mean_c"] == pytest.approx(ref["t_mean"], rel=1e-9)
    # the fan matters: without it (the same zone, constant H_ve) cooling is 5 % larger (5.24 vs 4.98 MWh)
    d = yaml.safe_load(path.read_text())
    no_fan = copy.deepcopy(d)
    no_fan["ventilation"]["flows"] = []
    assert simulate_spec(spec_from_dict(no_fan), denver)["cooling_mwh"] > 1.03 * out["cooling_mwh"]
    fan = d["ventilation"]["flows"][0]
    assert Flow.model_validate(fan).mass_flow_kg_s(129.6, 0.99) == pytest.approx(1703.16 / 3600 * 1.2041, rel=1e-4)
    on = hourly_values(DaySchedule.model_validate(fan["schedule"]), WEEK)[:24]
    np.testing.assert_array_equal(on, [1.0] * 7 + [0.0] * 11 + [1.0] * 6)  # 18:00-07:00
    d["ventilation"]["flows"][0]["schedule"] = {"all_days": [1.0] * 24}  # the rest of the spec is valid
    spec = spec_from_dict(d)
    assert spec.heating is None
    cool = hourly_values(spec.cooling.schedule, WEEK)[:24]
    assert np.isnan(cool[:7]).all() and np.all(cool[7:18] == 27.0) and np.isnan(cool[18:]).all()
