"""``twin solar`` refuses hours without a wind speed instead of taking 1 m/s for them silently.

The PV module temperature (PVWatts model) reads the wind of every hour; an EPW's missing-value
code (999) used to become 1 m/s without a word (found by the fourth bad-input sweep). A weather
without a wind column still takes the documented still-air default.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.epw_edits import epw_with_field
from twin.errors import InputError
from twin.io.epw import read_epw
from twin.solar.sky import DEFAULT_WIND_M_S, solar_sky

EPW = Path(__file__).parents[1] / "data_samples" / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"


def _with_missing_wind(path: Path, rows: range) -> Path:
    return epw_with_field(EPW, path, rows, 21, "999")  # wind speed, its missing-value code


def test_missing_wind_hours_are_refused(tmp_path: Path) -> None:
    weather = read_epw(_with_missing_wind(tmp_path / "calm.epw", range(5000, 5012)))
    assert np.isnan(weather.data["wind_speed_m_s"].to_numpy()).sum() == 12
    with pytest.raises(InputError) as err:
        solar_sky(weather)
    assert err.value.field == "wind_speed_m_s"
    assert "calm.epw" in str(err.value) and "weather row 5000" in str(err.value) and "12 hours" in str(err.value)


def test_weather_without_a_wind_column_takes_the_default() -> None:
    full = read_epw(EPW)
    weather = dataclasses.replace(full, data=full.data.drop(columns=["wind_speed_m_s"]))
    sky = solar_sky(weather)
    assert np.all(sky.wind_m_s == DEFAULT_WIND_M_S)


def test_cli_pv_with_missing_wind(tmp_path: Path) -> None:
    epw = _with_missing_wind(tmp_path / "calm.epw", range(5000, 5012))
    result = run_twin(["solar", "pv", "-w", epw, "--json"])
    assert_one_line_error(result, contains=("calm.epw", "'wind_speed_m_s'", "missing wind speed (12 hours)"))
