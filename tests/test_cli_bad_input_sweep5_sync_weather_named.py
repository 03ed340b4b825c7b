"""Bad-input sweep 5 of ``twin sync``: a weather that does not hold the hours asked for.

``twin sync init --start`` outside the weather, ``twin sync forecast`` with a forecast starting
after the state's position or too short for ``--days``: the error said ``field 'weather'`` and
named no file, so the planner could not tell which input to fix. Now each names the weather file
and ``--weather`` (one wrapper, ``command._naming_the_weather``, around the three commands'
weather look-ups); the state is left as it was and no forecast table is written.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.test_cli_bad_input_sweep_sync import START, sync_case


def _forecast(path: Path, first_end: str, hours: int) -> Path:
    t = pd.date_range(first_end, periods=hours, freq="h")
    pd.DataFrame({"time": [x.isoformat() for x in t], "t_out_c": 5.0}).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return sync_case(tmp_path_factory.mktemp("sync_weather"))


@pytest.mark.parametrize(("first_end", "hours", "text"), [
    ("2023-01-15T01:00:00+01:00", 30, "holds 30 hours from its start, 72 needed"),
    ("2023-02-15T01:00:00+01:00", 72, "is not the start of an hour of the weather"),
], ids=["too-short", "starts-later"])
def test_forecast_names_the_forecast_file(case: tuple[Path, Path, Path], tmp_path: Path, first_end: str, hours: int, text: str) -> None:
    _, state, _ = case
    assert START == "2023-01-15T00:00:00+01:00"
    before = state.read_bytes()
    weather, out = _forecast(tmp_path / "fc.csv", first_end, hours), tmp_path / "out.csv"
    result = run_twin(["sync", "forecast", state, "-w", weather, "--days", "3", "--latitude", "50.8", "--longitude", "4.35", "-o", out])
    assert_one_line_error(result, contains=("fc.csv", "'--weather'", text))
    assert state.read_bytes() == before and not out.exists()


def test_forecast_within_the_weather_runs(case: tuple[Path, Path, Path], tmp_path: Path) -> None:
    _, state, _ = case
    weather = _forecast(tmp_path / "fc.csv", "2023-01-15T01:00:00+01:00", 72)
    result = run_twin(["sync", "forecast", state, "-w", weather, "--days", "3", "--latitude", "50.8", "--longitude", "4.35"])
    assert result.code == 0, result.stderr


def test_init_names_the_weather_file(case: tuple[Path, Path, Path], tmp_path: Path) -> None:
    scene, _, weather = case
    result = run_twin(["sync", "init", scene, "-w", weather, "--start", "2030-01-01T00:00:00+01:00", "--from-prior", "-o", tmp_path / "s.npz"])
    assert_one_line_error(result, contains=("weather.epw", "'--weather'", "is not the start of an hour of the weather"))
    assert not (tmp_path / "s.npz").exists()
