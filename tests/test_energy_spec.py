"""Single-zone YAML spec: schema errors with key paths, derived constants, schedules, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from tests.conftest import shared_path
from twin.energy.spec import Construction, Layer, load_spec, spec_from_dict
from twin.errors import SchemaError

DATA = Path(__file__).parent / "energy_data"
DENVER = ("weather", "USA_CO_Denver.Intl.AP.725650_TMY3.epw")


def _base() -> dict:
    return yaml.safe_load((DATA / "bestest_600.yaml").read_text())


def test_unknown_key_is_rejected_with_its_path():
    d = _base()
    d["windows"][0]["overhang"] = {"depth_m": 1.0, "colour": "red"}
    with pytest.raises(SchemaError) as e:
        spec_from_dict(d)
    assert e.value.field == "windows.0.overhang.colour" and "unknown key" in str(e.value)


def test_bad_values_name_the_key(tmp_path):
    d = _base()
    d["envelope"]["wall"]["layers"][1]["conductivity_w_mk"] = -0.04
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(d))
    with pytest.raises(SchemaError) as e:
        load_spec(p)
    assert e.value.field == "envelope.wall.layers.1.conductivity_w_mk" and str(p) in str(e.value)
    d = _base()
    d["windows"][0]["count"] = 5  # 30 m2 of glass in a 21.6 m2 wall
    with pytest.raises(SchemaError, match="exceed"):
        spec_from_dict(d)
    d = _base()
    del d["heating"], d["cooling"]
    with pytest.raises(SchemaError, match="free_float"):
        spec_from_dict(d)


def test_not_yaml_and_missing_file(tmp_path):
    from twin.errors import InputError

    p = tmp_path / "x.yaml"
    p.write_text("zone: [1, 2\n")
    with pytest.raises(InputError, match="YAML"):
        load_spec(p)
    with pytest.raises(InputError):
        load_spec(tmp_path / "missing.yaml")


def test_u_value_and_kappa_from_layers():
    c = Construction(
        layers=[
            Layer(thickness_m=0.1, conductivity_w_mk=0.04, density_kg_m3=30, heat_capacity_j_kgk=1000),
            Layer(thickness_m=0.2, conductivity_w_mk=1.0, density_kg_m3=2000, heat_capacity_j_kgk=1000),
        ],
        r_si_m2k_w=0.13,
        r_se_m2k_w=0.04,
    )
    assert c.u_w_m2k(0.13) == pytest.approx(1 / (0.13 + 2.5 + 0.2 + 0.04))
    # ISO 13786 effective thickness: 0.10 m of the inner layer (the 10 cm rule)
    assert c.kappa() == pytest.approx(2000 * 1000 * 0.10)
    thin = Construction(layers=[Layer(thickness_m=0.1, conductivity_w_mk=0.04), Layer(thickness_m=0.012, conductivity_w_mk=0.16, density_kg_m3=950, heat_capacity_j_kgk=840)])
    assert thin.kappa() == pytest.approx(950 * 840 * 0.012)  # stops at the insulation


def test_schedules_follow_local_weekday_and_hour():
    import pandas as pd

    from twin.energy.spec import DaySchedule, _day_schedule

    # 2024-01-01 is a Monday; index = interval end, so 01:00 is the hour 00-01 of Monday
    time = pd.date_range("2024-01-01 01:00", periods=24 * 7, freq="h", tz="Etc/GMT-1")
    sched = DaySchedule(weekday=[float(h) for h in range(24)], weekend=[None] * 24)
    v = _day_schedule(sched, time)
    assert v[0] == 0.0 and v[23] == 23.0
    assert np.isnan(v[24 * 5]) and np.isnan(v[-1])  # Saturday and Sunday off


def test_single_zone_with_shading_and_schedules_runs():
    from twin.energy.spec import simulate_spec
    from twin.ingest.epw import read_epw

    w = read_epw(shared_path(*DENVER))
    d = _base()
    d["windows"][0]["overhang"] = {"depth_m": 1.0, "gap_m": 0.5, "extension_m": 0.5}
    d["heating"] = {"schedule": {"weekday": [15.0] * 7 + [20.0] * 16 + [15.0], "weekend": [18.0] * 24}, "power_max_w": 2000.0}
    d["site"]["horizon_deg"] = [10.0] * 36
    res = simulate_spec(spec_from_dict(d), w)
    base = simulate_spec(spec_from_dict(_base()), w)
    assert res["peak_heating_kw"] <= 2.0 + 1e-9
    assert res["cooling_mwh"] < base["cooling_mwh"]  # shading cuts the solar gains
    assert res["heating_mwh"] < base["heating_mwh"]  # the setback lowers heating


def test_cli_simulate_prints_and_json():
    from twin.cli.main import app

    epw = str(shared_path(*DENVER))
    runner = CliRunner()
    out = runner.invoke(app, ["energy", "simulate", str(DATA / "bestest_600.yaml"), "--weather", epw])
    assert out.exit_code == 0, out.output
    assert "heating" in out.output and "MWh" in out.output and "kW at" in out.output
    out = runner.invoke(app, ["energy", "simulate", str(DATA / "bestest_900ff.yaml"), "--weather", epw, "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)  # stdout: the note line on stderr is not JSON
    assert data["free_float"] is True and data["heating_mwh"] == 0
    assert data["t_air_min_c"] < data["t_air_mean_c"] < data["t_air_max_c"]


def test_cli_reports_bad_spec(tmp_path):
    import subprocess
    import sys

    p = tmp_path / "bad.yaml"
    d = _base()
    d["zone"]["colour"] = "red"
    p.write_text(yaml.safe_dump(d))
    proc = subprocess.run(
        [sys.executable, "-m", "twin.cli.main", "energy", "simulate", str(p), "--weather", str(shared_path(*DENVER))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert "zone.colour" in proc.stderr


def test_kernel_overflow_is_a_simulation_error():
    """Finite but absurd constants that overflow in the kernel never come back as a silent NaN."""
    import dataclasses

    from twin.energy.simulate import simulate_stock
    from twin.energy.spec import zone_model
    from twin.errors import SimulationError
    from twin.ingest.epw import read_epw

    weather = read_epw(Path(__file__).parents[1] / "data_samples" / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw")
    inputs, drivers, _ = zone_model(spec_from_dict(_base()), weather)
    ok = simulate_stock(inputs, drivers)
    assert np.isfinite(ok.per_building["q_heat_kwh"]).all()
    blown = dataclasses.replace(inputs, gain_w_m2=np.array([1e306]))
    with pytest.raises(SimulationError, match="non-finite") as err:
        simulate_stock(blown, drivers)
    assert "BESTEST 600" in str(err.value)
    report = simulate_stock(blown, drivers, on_error="report")
    assert report.errors["field"].tolist() == ["q_heat_kwh"] and np.isnan(report.per_building["q_heat_kwh"]).all()


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        (("heating", "setpoint_c"), float("nan"), "heating.setpoint_c"),
        (("heating", "setpoint_c"), 28.0, "heating.setpoint_c"),
        (("windows", 0, "count"), 5, "windows.0"),
        (("zone", "height_m"), 1e9, "zone.height_m"),
        (("ventilation", "infiltration_ach"), float("inf"), "ventilation.infiltration_ach"),
    ],
)
def test_spec_errors_name_the_key_path(key, value, field):
    d = _base()
    node = d
    for k in key[:-1]:
        node = node[k]
    node[key[-1]] = value
    with pytest.raises(SchemaError) as e:
        spec_from_dict(d, path="x.yaml")
    assert e.value.field == field and e.value.path == "x.yaml"
