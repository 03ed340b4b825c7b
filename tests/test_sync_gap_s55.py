"""``twin sync update`` across days without readings: counted apart, shown while stepping, and
refused when the gap is longer than the weather's year.

Readings that started two days after the state's position ended with "4 days assimilated"
(the two days without any reading counted as assimilated); readings a year later printed
nothing and never ended (the state's hour wraps at the weather's end, so the loop never reached
the readings: killed after 400 s). Now a day without any reading is a prediction step, counted
apart with its dates; the update reports its days on stderr while it steps; a first reading a
weather year or more after the state's position, or days after the weather's last hour, are one
error line before any work, the state file untouched.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from tests.cli_harness import PROGRESS_LINE, assert_one_line_error, run_twin
from tests.test_cli_bad_input_sweep_sync import sync_case
from twin.calibration.command import day_count_line


def _readings(path: Path, building: str, start: str, n_hours: int) -> Path:
    hours = pd.date_range(start, periods=n_hours, freq="h")
    pd.DataFrame({"building_id": building, "carrier": "gas", "start": [h.isoformat() for h in hours],
                  "end": [(h + pd.Timedelta("1h")).isoformat() for h in hours], "kwh": 2.0}).to_csv(path, index=False)  # fmt: skip
    return path


def _building(scene: Path) -> str:
    return str(pd.read_parquet(scene / "buildings.parquet")["building_id"].iloc[0])


def test_days_without_readings_are_counted_apart_with_their_dates(tmp_path: Path) -> None:
    scene, state, weather = sync_case(tmp_path)  # state's next day: 2023-01-15
    readings = _readings(tmp_path / "late.csv", _building(scene), "2023-01-17T00:00:00+01:00", 48)
    result = run_twin(["sync", "update", state, "--readings", readings, "-w", weather])
    assert result.code == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("4 days: 2 assimilated, 2 stepped without readings (2023-01-15 to 2023-01-16"), last
    # no per-day line for a day without readings; one for each day with some
    assert "2023-01-15 00:00:00+01:00:" not in result.stdout and "2023-01-17 00:00:00+01:00: measured 48 kWh" in result.stdout
    # the state moved by the four days
    again = run_twin(["sync", "update", state, "--readings", readings, "-w", weather])
    assert_one_line_error(again, contains=("no whole day", "next day starts at 2023-01-19"))


def test_a_gap_longer_than_the_weather_year_is_refused_before_any_work(tmp_path: Path) -> None:
    scene, state, weather = sync_case(tmp_path)
    before = state.read_bytes()
    readings = _readings(tmp_path / "next_year.csv", _building(scene), "2024-01-20T00:00:00+01:00", 48)
    result = run_twin(["sync", "update", state, "--readings", readings, "-w", weather], timeout_s=120)  # was: no end (killed at 400 s)
    assert_one_line_error(result, contains=("next_year.csv", "'--readings'", "2024-01-20 00:00:00+01:00", "370 days",
                                            "state's position (2023-01-15 00:00:00+01:00)", "weather's year (365 days)",
                                            "from the state's position on", "twin sync init --start"))
    assert state.read_bytes() == before


def test_days_after_the_weather_end_are_refused(tmp_path: Path) -> None:
    # a gap shorter than a year that runs past the weather's last hour: the state would wrap to the weather's first days
    scene, state, weather = sync_case(tmp_path)
    before = state.read_bytes()
    readings = _readings(tmp_path / "new_year.csv", _building(scene), "2023-12-30T00:00:00+01:00", 72)
    result = run_twin(["sync", "update", state, "--readings", readings, "-w", weather], timeout_s=120)
    assert_one_line_error(result, contains=("weather.epw", "'--weather'", "new_year.csv", "run to 2024-01-02 00:00:00+01:00",
                                            "weather's last hour (2024-01-01 00:00:00+01:00)", "weather of their year"))
    assert state.read_bytes() == before


def test_stepping_shows_its_progress_on_stderr(tmp_path: Path) -> None:
    scene, state, weather = sync_case(tmp_path)
    readings = _readings(tmp_path / "after_outage.csv", _building(scene), "2023-06-01T00:00:00+01:00", 24)
    result = run_twin(["sync", "update", state, "--readings", readings, "-w", weather])
    assert result.code == 0, result.stderr
    shown = [line for line in result.stderr.splitlines() if PROGRESS_LINE.match(line) and "assimilating and stepping" in line]
    assert shown and all(" days" in line and "/138 " in line for line in shown), result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("138 days: 1 assimilated, 137 stepped without readings (2023-01-15 to 2023-05-31")
    quiet = run_twin(["-q", "sync", "update", state, "--readings", _readings(tmp_path / "next.csv", _building(scene), "2023-06-02T00:00:00+01:00", 24),
                      "-w", weather])
    assert quiet.code == 0 and not [line for line in quiet.stderr.splitlines() if PROGRESS_LINE.match(line)], quiet.stderr


def test_day_count_line_names_runs_of_days_without_readings() -> None:
    day = pd.Timestamp("2023-01-15T00:00:00+01:00")
    d = [day + pd.Timedelta(days=k) for k in range(10)]
    assert day_count_line(3, []) == "3 days assimilated"
    assert day_count_line(1, []) == "1 day assimilated"
    line = day_count_line(10, [d[0], d[1], d[4], d[6], d[7], d[9]])
    assert line.startswith("10 days: 4 assimilated, 6 stepped without readings (2023-01-15 to 2023-01-16, 2023-01-19, 2023-01-21 to 2023-01-22 "
                           "and 1 more"), line


def test_the_last_day_of_the_weather_leaves_the_state_at_its_end_not_a_year_back(tmp_path: Path) -> None:
    # the state's hour wrapped at the weather's end: after 31 December its next day was 1 January of the same year,
    # and a forecast 'of the next days' gave that January without a word
    scene, _, weather = sync_case(tmp_path)
    state = tmp_path / "late.npz"
    init = run_twin(["sync", "init", scene, "-w", weather, "--start", "2023-12-31T00:00:00+01:00", "--from-prior", "-o", state])
    assert init.code == 0, init.stderr
    readings = _readings(tmp_path / "dec31.csv", _building(scene), "2023-12-31T00:00:00+01:00", 24)
    result = run_twin(["sync", "update", state, "--readings", readings, "-w", weather])
    assert result.code == 0, result.stderr
    with np.load(state) as d:
        assert pd.Timestamp(json.loads(str(d["meta"]))["next_time"]) == pd.Timestamp("2024-01-01T00:00:00+01:00")
    before = state.read_bytes()
    assert_one_line_error(run_twin(["sync", "forecast", state, "-w", weather, "--days", "2"]),
                          contains=("weather.epw", "'--weather'", "next day starts at 2024-01-01 00:00:00+01:00", "when the weather ends"))
    again = run_twin(["sync", "update", state, "--readings", _readings(tmp_path / "jan1.csv", _building(scene), "2024-01-01T00:00:00+01:00", 24),
                      "-w", weather])
    assert_one_line_error(again, contains=("jan1.csv", "weather's last hour (2024-01-01 00:00:00+01:00)", "weather of their year"))
    assert state.read_bytes() == before
