"""Bad-input sweep of ``twin sync update``: readings of a building the state does not hold.

The error told the user to drop them with ``--drop-unknown``, an option of ``twin calibrate``
that ``twin sync update`` does not have (typing it gives a usage error). Now it says to remove
the rows; ``twin calibrate`` still names its option.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.cli_harness import assert_one_line_error, run_twin
from tests.output_helpers import write_tiny_inputs

START = "2023-01-15T00:00:00+01:00"


def sync_case(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(scene, sync state next at :data:`START`, weather) of the tiny district, from the prior."""
    inputs = write_tiny_inputs(tmp_path / "in")
    scene, state = tmp_path / "scene", tmp_path / "state.npz"
    assert run_twin(["ingest", inputs / "district.geojson", inputs / "weather.epw", "-o", scene, "-q"]).code == 0
    init = run_twin(["sync", "init", scene, "-w", inputs / "weather.epw", "--start", START, "--from-prior", "-o", state])
    assert init.code == 0, init.stderr
    return scene, state, inputs / "weather.epw"


def write_readings(path: Path, building: str, n_hours: int) -> Path:
    """``n_hours`` hourly gas readings of ``building`` from :data:`START`, 2 kWh each."""
    hours = pd.date_range(START, periods=n_hours, freq="h")
    pd.DataFrame({"building_id": building, "carrier": "gas", "start": [h.isoformat() for h in hours],
                  "end": [(h + pd.Timedelta("1h")).isoformat() for h in hours], "kwh": 2.0}).to_csv(path, index=False)  # fmt: skip
    return path


def test_sync_update_unknown_building_names_no_missing_option(tmp_path: Path) -> None:
    _, state, weather = sync_case(tmp_path)
    readings = write_readings(tmp_path / "readings.csv", "osm:way/0", 24)
    result = run_twin(["sync", "update", state, "--readings", readings, "-w", weather])
    line = assert_one_line_error(result, contains=("readings.csv", "row 2", "'building_id'", "osm:way/0", "remove those rows"))
    assert "--drop-unknown" not in line
    assert "--drop-unknown" not in run_twin(["sync", "update", "--help"]).stdout  # the option the old message named does not exist here


def test_sync_update_without_a_whole_day_names_the_file_and_the_dates(tmp_path: Path) -> None:
    # 23 of the 24 hours of the state's next day: nothing can be assimilated (was: a message without the file or the dates)
    scene, state, weather = sync_case(tmp_path)
    building = pd.read_parquet(scene / "buildings.parquet")["building_id"].iloc[0]
    readings = write_readings(tmp_path / "readings.csv", building, 23)
    result = run_twin(["sync", "update", state, "--readings", readings, "-w", weather])
    assert_one_line_error(result, contains=("readings.csv", "'--readings'", "no whole day", "next day starts at 2023-01-15", "readings end at 2023-01-15"))


def test_sync_update_non_hourly_readings_name_the_first_row(tmp_path: Path) -> None:
    # one reading of two hours among hourly ones (was: 'twin sync takes hourly readings' naming no row)
    scene, state, weather = sync_case(tmp_path)
    building = pd.read_parquet(scene / "buildings.parquet")["building_id"].iloc[0]
    readings = write_readings(tmp_path / "readings.csv", building, 48)
    table = pd.read_csv(readings)
    table.loc[5, "end"] = (pd.Timestamp(table.loc[5, "start"]) + pd.Timedelta("2h")).isoformat()
    table = table.drop(index=6)  # no overlap: the two-hour reading covers the next hour
    table.to_csv(readings, index=False)
    before = state.read_bytes()
    result = run_twin(["sync", "update", state, "--readings", readings, "-w", weather])
    assert_one_line_error(result, contains=("readings.csv", "row 7", "'--readings'", "hourly readings", "from 2023-01-15T04:00:00+00:00 to 2023-01-15T06:00:00+00:00", "(2 h)"))
    assert state.read_bytes() == before
