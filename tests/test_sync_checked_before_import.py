"""``twin sync init/update/forecast`` check their options and files before they import the
calibration (about a second, pandas and SciPy): on a busy machine the command's progress line
('twin: [ 1.0 s] sync') came before its one-line error. Here the calibration cannot be imported at
all, and the error is still the option's.
"""

from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

from twin.cli.main import app
from twin.errors import InputError

CASES = {
    "init": ["sync", "init", "scene", "--weather", "{tmp}/none.epw", "--start", "2023-01-01T00:00+01:00"],
    "update": ["sync", "update", "{tmp}/s.npz", "--readings", "{tmp}/r.csv", "--weather", "{tmp}/none.epw"],
    "forecast": ["sync", "forecast", "{tmp}/s.npz", "--weather", "{tmp}/none.epw"],
}


@pytest.mark.parametrize("command", list(CASES))
def test_a_missing_weather_file_is_refused_before_the_calibration_is_imported(tmp_path, monkeypatch, command):
    monkeypatch.setitem(sys.modules, "twin.calibration.command", None)  # importing it raises ImportError
    args = [a.replace("{tmp}", str(tmp_path)) for a in CASES[command]]
    result = CliRunner().invoke(app, args)
    assert isinstance(result.exception, InputError), repr(result.exception)
    assert result.exception.field == "--weather"
