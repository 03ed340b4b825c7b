"""Bad-input sweep 5: ``--tz`` beside meter readings that all carry their UTC offset.

``--tz`` names the zone of times written without an offset; when every time has one it changed
nothing, and ``twin calibrate`` / ``twin sync update`` ran with exit 0 (the planner may have
meant another file, or believed the option shifted the readings). Now one ``twin: error:`` line
naming the meter file and the option, from the one meter reader (:func:`read_meters`), before
anything is fitted or assimilated; the sync state is left as it was.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.test_cli_bad_input_sweep_sync import START, sync_case, write_readings
from twin.calibration.meters import read_meters
from twin.errors import InputError


def _table(offset: bool) -> pd.DataFrame:
    t = pd.date_range("2023-01-01", periods=4, freq="MS", tz="Europe/Brussels")
    start, end = [x.isoformat() for x in t[:-1]], [x.isoformat() for x in t[1:]]
    if not offset:
        start, end = [s[:19] for s in start], [e[:19] for e in end]
    return pd.DataFrame({"building_id": "b1", "carrier": "gas", "start": start, "end": end, "kwh": 900.0})


def test_tz_with_times_that_all_have_an_offset_is_refused() -> None:
    with pytest.raises(InputError, match=r"--tz Europe/Brussels is given but every time has its UTC offset: it would change nothing"):
        read_meters(_table(offset=True), building_ids=["b1"], tz="Europe/Brussels")


def test_tz_is_still_used_for_times_without_an_offset_and_offsets_need_none() -> None:
    localised = read_meters(_table(offset=False), building_ids=["b1"], tz="Europe/Brussels")
    assert localised.report[0]["step"] == "time zone"
    plain = read_meters(_table(offset=True), building_ids=["b1"])
    assert (plain.readings["start"] == localised.readings["start"]).all()


def test_sync_update_refuses_it_and_keeps_the_state(tmp_path: Path) -> None:
    scene, state, weather = sync_case(tmp_path)
    before = state.read_bytes()
    building = pd.read_parquet(scene / "buildings.parquet")["building_id"].iloc[0]
    readings = write_readings(tmp_path / "readings.csv", building, 24)
    assert START.endswith("+01:00")  # the readings carry their offset
    result = run_twin(["sync", "update", state, "--readings", readings, "-w", weather, "--tz", "Europe/Brussels"])
    assert_one_line_error(result, contains=("readings.csv", "'--tz'", "it would change nothing"))
    assert state.read_bytes() == before
