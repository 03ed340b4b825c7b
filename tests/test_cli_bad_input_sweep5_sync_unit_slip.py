"""Bad-input sweep 5 of ``twin sync update``: an hourly reading no building can draw (a unit slip).

``twin calibrate`` refuses a reading whose mean power is above ``calibrate.MAX_W_M2`` W per m2
of heated floor area (Wh given as kWh, a meter of several buildings); ``twin sync update`` read
the same meter format without that check and assimilated 1,000,000 kWh in one hour with exit 0,
moving the state's forecast band several times over. Now the same check
(:func:`twin.calibration.calibrate.check_magnitudes`) names the file, row, building and column,
and the state is left as it was.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.cli_harness import assert_one_line_error, run_twin
from tests.test_cli_bad_input_sweep_sync import sync_case, write_readings


def test_sync_update_refuses_a_unit_slip_and_keeps_the_state(tmp_path: Path) -> None:
    scene, state, weather = sync_case(tmp_path)
    before = state.read_bytes()
    building = pd.read_parquet(scene / "buildings.parquet")["building_id"].iloc[0]
    readings = write_readings(tmp_path / "readings.csv", building, 24)
    table = pd.read_csv(readings)
    table.loc[5, "kwh"] = 2000.0 * 1000.0  # 2,000 kWh written in Wh
    table.to_csv(readings, index=False)
    result = run_twin(["sync", "update", state, "--readings", readings, "-w", weather])
    assert_one_line_error(result, contains=("readings.csv", "row 7", f"building {building!r}", "'kwh'", "W per m2 of heated floor area",
                                            "wrong unit"))
    assert state.read_bytes() == before


def test_sync_update_assimilates_plausible_hourly_readings(tmp_path: Path) -> None:
    scene, state, weather = sync_case(tmp_path)
    building = pd.read_parquet(scene / "buildings.parquet")["building_id"].iloc[0]
    readings = write_readings(tmp_path / "readings.csv", building, 24)
    result = run_twin(["sync", "update", state, "--readings", readings, "-w", weather])
    assert result.code == 0, result.stderr
    assert "1 day assimilated" in result.stdout
