"""``twin energy simulate --model iso52016``: the finer zone model from the command line (issue 13).

The command runs the same path as :func:`twin.energy.iso52016.simulate_spec_iso52016` (the BESTEST
validation's), so its numbers are the validated ones; a weather file without wind in some hour is
refused for a spec with wind-dependent exterior surfaces (one line naming the file and the column),
and an unknown model name is an error.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bestest_ranges_mbl import RANGES
from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path

DATA = Path(__file__).parent / "energy_data"
DENVER = ("weather", "USA_CO_Denver.Intl.AP.725650_TMY3.epw")


def test_finer_model_from_the_command_line_gives_the_validated_numbers():
    from twin.energy.iso52016 import load_spec_iso52016, simulate_spec_iso52016
    from twin.ingest.epw import read_epw

    spec = DATA / "bestest_900.yaml"
    run = run_twin(["energy", "simulate", spec, "--weather", shared_path(*DENVER), "--model", "iso52016", "--json"])
    assert run.code == 0, run.stderr
    got = json.loads(run.stdout)
    want = simulate_spec_iso52016(load_spec_iso52016(spec), read_epw(shared_path(*DENVER)))
    assert got["zone_model"] == "iso52016"
    for key in ("heating_mwh", "cooling_mwh", "peak_heating_kw", "peak_cooling_kw", "t_air_mean_c"):
        assert got[key] == pytest.approx(want[key], rel=1e-12), key
        lo, hi = RANGES[("900", key)] if ("900", key) in RANGES else (-1e9, 1e9)
        assert lo <= got[key] <= hi, key
    five = json.loads(run_twin(["energy", "simulate", spec, "--weather", shared_path(*DENVER), "--json"]).stdout)
    assert five["zone_model"] == "5r1c" and abs(five["heating_mwh"] - got["heating_mwh"]) > 0.05  # two models, two answers


def test_weather_without_wind_and_unknown_model_are_one_line_errors(tmp_path):
    epw = tmp_path / "denver_no_wind.epw"
    lines = Path(shared_path(*DENVER)).read_text().splitlines()
    fields = lines[8 + 100].split(",")
    fields[21] = "999"  # the EPW missing-value code of the wind speed, in one hour
    lines[8 + 100] = ",".join(fields)
    epw.write_text("\n".join(lines) + "\n")
    spec = DATA / "bestest_600.yaml"
    line = assert_one_line_error(run_twin(["energy", "simulate", spec, "--weather", epw, "--model", "iso52016"]),
                                 contains=("denver_no_wind.epw", "wind_speed_m_s", "1 hours without a value"))
    assert "exterior_convection" in line
    ok = run_twin(["energy", "simulate", spec, "--weather", epw])  # the 5R1C model does not read the wind
    assert ok.code == 0, ok.stderr
    assert_one_line_error(run_twin(["energy", "simulate", spec, "--weather", epw, "--model", "iso99"]), contains=("--model", "iso99"))


def test_weather_without_wind_columns_is_read_and_refused_only_where_needed():
    """A weather object without wind columns (a meter data set's own weather) still drives the 5R1C model and the
    finer model with fixed films; a spec with wind-dependent exterior surfaces names the missing column."""
    from dataclasses import replace

    from twin.energy.iso52016 import load_spec_iso52016, simulate_spec_iso52016
    from twin.energy.solar import standard_drivers
    from twin.errors import InputError
    from twin.ingest.epw import read_epw

    weather = read_epw(shared_path(*DENVER))
    calm = replace(weather, data=weather.data.drop(columns=["wind_speed_m_s", "wind_dir_deg"]))
    assert standard_drivers(calm).wind_speed_m_s is None
    spec = load_spec_iso52016(DATA / "bestest_600.yaml")
    films = spec.model_copy(update={"simulation": spec.simulation.model_copy(update={"exterior_convection": "fixed"})})
    assert simulate_spec_iso52016(films, calm)["heating_mwh"] == pytest.approx(simulate_spec_iso52016(films, weather)["heating_mwh"], rel=1e-12)
    with pytest.raises(InputError, match="8760 hours without a value") as exc:
        simulate_spec_iso52016(spec, calm)
    assert exc.value.field == "wind_speed_m_s"
