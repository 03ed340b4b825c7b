"""Bad-input sweep 3 of ``twin calibrate``: a ``--train-until`` that holds out nothing.

At or after the end of every reading it held nothing out: the whole calibration ran (about a
minute on the tiny district), exit 0, with empty (``null``) out-of-sample statistics, as if the
option had not been given. Now one ``twin: error:`` line naming the option and the last
reading's end, before the stock is simulated.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.test_cli_bad_input_rel3 import _meters, tiny_scene  # noqa: F401  (tiny_scene: a module fixture)
from twin.calibration.calibrate import check_holds_out
from twin.errors import InputError


@pytest.mark.parametrize(("cutoff", "last"), [("2024-01-01T00:00:00+01:00", "2024-01-01 00:00:00+01:00"),
                                               ("2030-06-01T00:00:00+02:00", "2024-01-01 01:00:00+02:00")], ids=["at-the-last-end", "years-after"])
def test_train_until_that_holds_out_nothing_is_refused(tiny_scene: tuple[Path, list[str]], tmp_path: Path, cutoff: str, last: str) -> None:  # noqa: F811
    """The last reading's end is named in the cutoff's UTC offset."""
    scene, ids = tiny_scene
    meters = _meters(tmp_path / "year.csv", {ids[0]: 12, ids[1]: 12})  # monthly, January to December 2023
    out = tmp_path / "cal"
    result = run_twin(["calibrate", scene, "--meters", meters, "--train-until", cutoff, "-o", out])
    assert_one_line_error(result, contains=("year.csv", "'--train-until'", "holds out nothing", f"the last at {last}"))
    assert not out.exists()


def test_holds_out_accepts_a_cutoff_before_the_last_end() -> None:
    ends = pd.to_datetime(["2023-02-01T00:00:00+01:00", "2023-03-01T00:00:00+01:00"])
    readings = pd.DataFrame({"building_id": ["a", "a"], "end": ends})
    check_holds_out(readings, pd.Timestamp("2023-02-28T23:00:00+01:00"))  # the March reading is held out
    check_holds_out(readings, None)
    with pytest.raises(InputError, match="holds out nothing"):
        check_holds_out(readings, pd.Timestamp("2023-03-01T00:00:00+01:00"))


@pytest.mark.parametrize(("sep", "decimal", "name"), [(";", ",", "';'"), ("\t", ".", "tabs")], ids=["semicolon-decimal-comma", "tab"])
def test_meter_file_with_another_separator_names_it(tiny_scene: tuple[Path, list[str]], tmp_path: Path, sep: str, decimal: str,  # noqa: F811
                                                    name: str) -> None:
    """A spreadsheet saved in a comma-decimal locale (';' between columns): was "no id column: give
    building_id, address or zone" although the header names building_id."""
    scene, ids = tiny_scene
    meters = pd.read_csv(_meters(tmp_path / "m.csv", {ids[0]: 12}), dtype=str)
    meters.to_csv(tmp_path / "excel.csv", sep=sep, index=False, decimal=decimal)
    result = run_twin(["calibrate", scene, "--meters", tmp_path / "excel.csv", "-o", tmp_path / "cal"])
    line = assert_one_line_error(result, contains=("excel.csv", f"separated by {name}", "comma-separated CSV"))
    assert "no id column" not in line
