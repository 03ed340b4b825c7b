"""``twin calibrate`` and ``twin sync``: an input file option that is missing or a folder is one
error line naming the option, before the scene (or sync state) is read.

``calibrate --meters`` or ``--daily-weather`` that does not exist or is a folder was found only
after the scene was read (the error named the scene when it was the scene that was wrong); ``sync init --weather``
a folder named no option, a missing one came after the scene; ``sync update --weather`` /
``--readings`` and ``sync forecast --weather`` came after the state was read.
"""

from __future__ import annotations

import pytest

from tests.cli_harness import assert_one_line_error, run_twin

START = "2023-01-01T00:00+01:00"


@pytest.fixture
def paths(tmp_path):
    folder = tmp_path / "a_folder"
    folder.mkdir()
    return {"MISSING_SCENE": tmp_path / "no_scene", "MISSING_STATE": tmp_path / "no_state.npz", "MISSING": tmp_path / "none.csv",
            "MISSING_EPW": tmp_path / "none.epw", "FOLDER": folder}


@pytest.mark.parametrize(("args", "option", "what"), [
    (["calibrate", "MISSING_SCENE", "--meters", "MISSING"], "--meters", "not found"),
    (["calibrate", "MISSING_SCENE", "--meters", "FOLDER"], "--meters", "a folder"),
    (["calibrate", "MISSING_SCENE", "--classes", "brussels", "--daily-weather", "MISSING"], "--daily-weather", "not found"),
    (["calibrate", "MISSING_SCENE", "--classes", "brussels", "--daily-weather", "FOLDER"], "--daily-weather", "a folder"),
    (["sync", "init", "MISSING_SCENE", "--weather", "MISSING_EPW", "--start", START], "--weather", "not found"),
    (["sync", "init", "MISSING_SCENE", "--weather", "FOLDER", "--start", START], "--weather", "a folder"),
    (["sync", "update", "MISSING_STATE", "--weather", "MISSING_EPW", "--readings", "MISSING"], "--weather", "not found"),
    (["sync", "update", "MISSING_STATE", "--weather", "FOLDER", "--readings", "MISSING"], "--weather", "a folder"),
    (["sync", "forecast", "MISSING_STATE", "--weather", "MISSING_EPW"], "--weather", "not found"),
    (["sync", "forecast", "MISSING_STATE", "--weather", "FOLDER"], "--weather", "a folder"),
])
def test_an_input_option_is_checked_before_the_scene_or_state(paths, args, option, what):
    line = assert_one_line_error(run_twin([str(paths.get(a, a)) for a in args]), contains=(f"'{option}'", what))
    assert "no_scene" not in line and "no_state" not in line


def test_sync_update_readings_are_checked_before_the_state(paths, tmp_path):
    epw = tmp_path / "w.epw"
    epw.write_text("not read: the readings' error comes first")
    line = assert_one_line_error(run_twin(["sync", "update", paths["MISSING_STATE"], "--weather", epw, "--readings", paths["FOLDER"]]),
                                 contains=("'--readings'", "a folder"))
    assert "no_state" not in line
