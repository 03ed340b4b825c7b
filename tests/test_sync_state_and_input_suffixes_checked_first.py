"""``twin sync update`` / ``twin sync forecast``: a bad STATE argument is named as ``--help`` shows
it (``STATE``), and every input file's suffix is checked before the scene, the weather or the state
is read.

Before, a bad state named ``field 'state'`` (``--help`` shows no such word in upper case and the
docstrings call the others READINGS, DAYS) and was found only after the weather was read; a
``--meters`` / ``--daily-weather`` / ``--readings`` / ``--weather`` of another file type was found
only after the scene or state was read (a bad scene or state was named instead), and the EPW
``--weather`` of ``sync init`` / ``sync update`` was read whatever its suffix.
"""

from __future__ import annotations

import pytest

from tests.cli_harness import REPO, assert_one_line_error, run_twin

EPW = REPO / "data_samples" / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"
START = "2023-01-01T00:00+01:00"


@pytest.fixture
def paths(tmp_path):
    folder = tmp_path / "a_folder"
    folder.mkdir()
    bad_epw = tmp_path / "w.epw"
    bad_epw.write_text("not an EPW: the STATE's error must come first\n")
    readings = tmp_path / "r.csv"
    readings.write_text("building_id,start,end,value,unit,carrier\n")
    not_zip = tmp_path / "damaged.npz"
    not_zip.write_text('{"z": [1, 2,')
    other = tmp_path / "state.txt"
    other.write_text("x")
    return {"MISSING_SCENE": tmp_path / "no_scene", "MISSING_STATE": tmp_path / "no_state.npz", "FOLDER": folder, "BAD_EPW": bad_epw,
            "READINGS": readings, "DAMAGED": not_zip, "TXT_STATE": other, "EPW": EPW,
            "M_TXT": tmp_path / "m.txt", "W_TXT": tmp_path / "w.txt", "W_CSV": tmp_path / "w.csv"}


def _run(paths, args):
    for key in ("M_TXT", "W_TXT", "W_CSV"):
        paths[key].write_text("a,b\n1,2\n")
    return run_twin([str(paths.get(a, a)) for a in args])


@pytest.mark.parametrize("command", ["update", "forecast"])
@pytest.mark.parametrize(("state", "what", "weather"), [
    ("MISSING_STATE", "not found", "BAD_EPW"),
    ("FOLDER", "a folder", "BAD_EPW"),
    ("TXT_STATE", "must end in .npz", "BAD_EPW"),
    ("DAMAGED", "not a .npz (zip) archive", "EPW"),
])
def test_a_bad_state_is_named_as_help_shows_it(paths, command, state, what, weather):
    extra = ["--readings", "READINGS"] if command == "update" else []
    line = assert_one_line_error(_run(paths, ["sync", command, state, "--weather", weather, *extra]),
                                 contains=(paths[state].name, "'STATE'", "sync state", what))
    assert "field 'STATE'" in line  # contains= is case-blind
    assert "w.epw" not in line


@pytest.mark.parametrize("command", ["update", "forecast"])
def test_help_shows_the_state_argument_as_state(command):
    result = run_twin(["sync", command, "--help"])
    assert result.code == 0, result.stderr
    assert "STATE" in result.stdout and "{state}" not in result.stdout


@pytest.mark.parametrize(("args", "option", "name", "what"), [
    (["calibrate", "MISSING_SCENE", "--meters", "M_TXT"], "--meters", "m.txt", ".csv, .parquet, .pq"),
    (["calibrate", "MISSING_SCENE", "--classes", "brussels", "--daily-weather", "W_TXT"], "--daily-weather", "w.txt", ".csv"),
    (["sync", "init", "MISSING_SCENE", "--weather", "W_CSV", "--start", START], "--weather", "w.csv", ".epw"),
    (["sync", "update", "MISSING_STATE", "--weather", "W_CSV", "--readings", "READINGS"], "--weather", "w.csv", ".epw"),
    (["sync", "update", "MISSING_STATE", "--weather", "EPW", "--readings", "M_TXT"], "--readings", "m.txt", ".csv, .parquet, .pq"),
    (["sync", "forecast", "MISSING_STATE", "--weather", "W_TXT"], "--weather", "w.txt", ".epw, .csv"),
])
def test_an_input_of_another_file_type_is_refused_before_the_scene_or_state(paths, args, option, name, what):
    line = assert_one_line_error(_run(paths, args), contains=(name, f"'{option}'", f"must end in {what}"))
    assert "no_scene" not in line and "no_state" not in line


def test_sync_init_out_of_another_type_names_the_file(paths):
    """s54b: ``sync init -o state.txt`` said "the sync state is a .npz file" naming no file."""
    from tests.scenario_helpers import written_small_scene

    out = paths["M_TXT"].parent / "state.txt"
    scene = written_small_scene(paths["M_TXT"].parent, "scene")
    assert_one_line_error(_run(paths, ["sync", "init", str(scene), "--weather", "EPW", "--start", START, "--from-prior", "-o", str(out)]),
                          contains=("state.txt", "'--out'", "the sync state is a .npz file, not '.txt'"))
