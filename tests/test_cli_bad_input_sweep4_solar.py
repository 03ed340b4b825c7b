"""Bad-input sweep 4 of ``twin solar`` and ``twin energy simulate``: missing air temperatures.

Missing air temperatures (EPW code 99.9) gave a warning and then NaN module temperatures: the
hours without a temperature counted as no PV yield (a whole year missing: ``AC 0.0 kWh/year``,
payback ``inf``, exit 0); ``twin energy simulate`` refused them without naming the file (field
``t_out_c``, an internal name). Now one ``twin: error:`` line naming the file, the first hour and
``dry_bulb_c``, from :func:`twin.energy.solar.sky_from_weather` beside its check of missing
irradiance: the one weather gate of the zone model, the stock drivers and the solar sky.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.epw_edits import epw_with_field
from twin.errors import InputError
from twin.io.epw import read_epw
from twin.solar.sky import solar_sky

EPW = Path(__file__).parents[1] / "data_samples" / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"


def _with_missing_temperature(path: Path, rows: range) -> Path:
    return epw_with_field(EPW, path, rows, 6, "99.9")  # dry bulb, its missing-value code


def test_missing_air_temperature_is_refused(tmp_path: Path) -> None:
    with pytest.warns(Warning):
        weather = read_epw(_with_missing_temperature(tmp_path / "gap.epw", range(4000, 4010)))
    with pytest.raises(InputError) as err:
        solar_sky(weather)
    assert err.value.field == "dry_bulb_c"
    assert "gap.epw" in str(err.value) and "weather row 4000" in str(err.value) and "10 hours" in str(err.value)


def test_cli_energy_simulate_names_the_weather_file(tmp_path: Path) -> None:
    epw = _with_missing_temperature(tmp_path / "gap.epw", range(4000, 4010))
    spec = Path(__file__).parent / "energy_data" / "bestest_600.yaml"
    result = run_twin(["energy", "simulate", spec, "-w", epw])
    assert_one_line_error(result, contains=("gap.epw", "weather row 4000", "'dry_bulb_c'", "missing air temperature (10 hours)"))


def test_complete_weather_still_makes_a_sky() -> None:
    sky = solar_sky(read_epw(EPW))
    assert sky.n_hours == 8760


def test_cli_pv_with_a_year_without_temperature(tmp_path: Path) -> None:
    epw = _with_missing_temperature(tmp_path / "no_t.epw", range(8760))
    result = run_twin(["solar", "pv", "-w", epw, "--json"])
    assert_one_line_error(result, contains=("no_t.epw", "'dry_bulb_c'", "missing air temperature"))
    assert result.stdout.strip() == ""


def test_cadastre_of_a_cityjson_without_crs_names_its_own_option(tmp_path: Path) -> None:
    """The error told to use --source-crs, an option of twin ingest that twin solar cadastre does not
    have (its option is --crs)."""
    from tests.conftest import shared_path

    result = run_twin(["solar", "cadastre", shared_path("gis", "rotterdam_subset.city.json"), "-w", EPW, "-o", tmp_path / "r", "-q"])
    line = assert_one_line_error(result, contains=("rotterdam_subset.city.json", "'referenceSystem'", "--crs EPSG:28992"))
    assert "--source-crs" not in line


def test_cadastre_roof_default_with_a_cityjson_is_refused(tmp_path: Path) -> None:
    """--roof-default shapes footprint roofs only; with a CityJSON (its own roofs) it ran with exit 0."""
    from tests.conftest import shared_path

    out = tmp_path / "r"
    result = run_twin(["solar", "cadastre", shared_path("gis", "rotterdam_subset.city.json"), "-w", EPW, "-o", out, "-q",
                       "--crs", "EPSG:28992", "--roof-default", "gabled"])
    assert_one_line_error(result, contains=("rotterdam_subset.city.json", "'--roof-default'", "would change nothing"))
    assert not out.exists()
