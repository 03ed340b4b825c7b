"""Bad-input sweep 5 of ``twin sync update``: errors about the readings file named ``--meters``.

``twin sync update`` takes its meter file as ``--readings``; a file that was missing, of the wrong
type or too large was reported as ``field '--meters'``, an option the command does not have (as
``--drop-unknown`` was before, tests/test_cli_bad_input_sweep_sync.py). ``read_meters`` now takes
the option's name; ``twin calibrate`` still says ``--meters``.
"""

from __future__ import annotations

from pathlib import Path

from tests.cli_harness import assert_one_line_error, run_twin
from tests.test_cli_bad_input_sweep_sync import sync_case


def test_sync_update_names_its_own_option(tmp_path: Path) -> None:
    _, state, weather = sync_case(tmp_path)
    before = state.read_bytes()
    for readings, text in ((tmp_path / "absent.csv", "meter file not found"), (state, "meter file must end in .csv")):
        line = assert_one_line_error(run_twin(["sync", "update", state, "--readings", readings, "-w", weather]),
                                     contains=(readings.name, "'--readings'", text))
        assert "--meters" not in line
    assert state.read_bytes() == before
    assert "--meters" not in run_twin(["sync", "update", "--help"]).stdout


def test_calibrate_still_names_meters(tmp_path: Path) -> None:
    scene, _, _ = sync_case(tmp_path)
    assert_one_line_error(run_twin(["calibrate", scene, "--meters", tmp_path / "absent.csv", "-o", tmp_path / "cal", "-q"]),
                          contains=("absent.csv", "'--meters'", "meter file not found"))
