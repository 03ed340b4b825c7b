"""Bad-input sweep 5 of ``twin calibrate --daily-weather``: temperatures that cannot be a day's.

A day whose ``t_max_c`` was below its ``t_min_c`` (columns swapped) or whose ``t_mean_c`` lay
outside them ran with exit 0 on an upside-down daily curve; a cell that was not a number
(``'12,5'``) was read as missing and interpolated without a word; a temperature in Kelvin named
neither the file nor the day (``object hour ...; field 't_out_c'``). Now each is one
``twin: error:`` line naming the file, the row with its date and the column, before any work
(:func:`twin.calibration.weather.check_daily_temperatures`, called by the one reader).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from twin.calibration.weather import read_daily_temperatures
from twin.errors import SchemaError


def _table(path: Path, edit: dict[tuple[int, str], object] | None = None) -> Path:
    """Ten days of January 2023, mean 5, max 9, min 1 degC; ``edit[(row, column)] = value``."""
    t = pd.DataFrame({"date": pd.date_range("2023-01-01", periods=10, freq="D").strftime("%Y-%m-%d"),
                      "t_mean_c": 5.0, "t_max_c": 9.0, "t_min_c": 1.0}).astype({"t_mean_c": object})
    for (row, col), value in (edit or {}).items():
        t.loc[row, col] = value
    t.to_csv(path, index=False)
    return path


def _read(path: Path):
    return read_daily_temperatures(path, utc_offset_h=1.0, latitude_deg=50.8, longitude_deg=4.35)


@pytest.mark.parametrize(("edit", "contains"), [
    ({(3, "t_max_c"): 0.0}, ("row 5 (2023-01-04)", "'t_max_c'", "t_max_c 0 degC below t_min_c 1 degC")),
    ({(3, "t_mean_c"): 12.0}, ("row 5 (2023-01-04)", "'t_mean_c'", "t_mean_c 12 degC above t_max_c 9 degC")),
    ({(3, "t_mean_c"): -2.0}, ("row 5 (2023-01-04)", "'t_mean_c'", "t_mean_c -2 degC below t_min_c 1 degC")),
    ({(3, "t_mean_c"): "12,5"}, ("row 5 (2023-01-04)", "'t_mean_c'", "not a number: '12,5'")),
    ({(0, "t_mean_c"): 278.15}, ("row 2 (2023-01-01)", "'t_mean_c'", "278.15 degC outside", "Kelvin")),
    ({(6, "t_min_c"): float("-inf")}, ("row 8 (2023-01-07)", "'t_min_c'", "-inf degC outside")),
], ids=["max-below-min", "mean-above-max", "mean-below-min", "decimal-comma", "kelvin", "infinite"])
def test_a_day_that_cannot_be_is_refused_naming_file_row_date_column(tmp_path: Path, edit: dict, contains: tuple[str, ...]) -> None:
    path = _table(tmp_path / "daily.csv", edit)
    with pytest.raises(SchemaError) as err:
        _read(path)
    for text in ("daily.csv", *contains):
        assert text in str(err.value)


def test_a_good_table_and_an_empty_cell_still_read(tmp_path: Path) -> None:
    """An empty mean is missing (interpolated from max and min), not 'not a number'."""
    weather = _read(_table(tmp_path / "daily.csv", {(3, "t_mean_c"): None}))
    assert len(weather.data) == 10 * 24
    assert weather.data["dry_bulb_c"].between(1.0, 9.0).all()


def test_cli_names_the_daily_weather_file(tmp_path: Path) -> None:
    """Checked when the table is read, before the scene's stock is simulated (the scene need not be valid for this)."""
    path = _table(tmp_path / "daily.csv", {(3, "t_max_c"): 0.0})
    meters = tmp_path / "m.csv"
    pd.DataFrame([{"building_id": "b", "carrier": "gas", "start": "2023-01-01T00:00:00+01:00", "end": "2023-01-02T00:00:00+01:00",
                   "kwh": 10.0}]).to_csv(meters, index=False)
    from tests.test_cli_bad_input_rel3 import write_tiny_inputs

    inputs = write_tiny_inputs(tmp_path / "in")
    assert run_twin(["ingest", inputs / "district.geojson", inputs / "weather.epw", "-o", tmp_path / "scene", "-q"]).code == 0
    result = run_twin(["calibrate", tmp_path / "scene", "--meters", meters, "--daily-weather", path, "--utc-offset", "1",
                       "--latitude", "50.8", "--longitude", "4.35", "-o", tmp_path / "cal", "-q"])
    assert_one_line_error(result, contains=("daily.csv", "row 5 (2023-01-04)", "'t_max_c'", "below t_min_c"))
    assert not (tmp_path / "cal").exists()
