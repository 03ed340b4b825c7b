"""Bad-input sweep 5 of ``twin calibrate --classes FILE`` (:mod:`twin.calibration.class_targets_check`).

A share written as a percentage (``85%``) was an internal error (exit 70, a traceback); a target
given twice was fitted twice, and a target covering every EPB class (share 1 whatever the stock)
was fitted, both with exit 0. Now one ``twin: error:`` line naming the file, row and column,
before the scene is read; the output folder is not created.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from twin.calibration.class_targets_check import check_class_targets_table
from twin.errors import SchemaError

PACKAGED = Path(__file__).resolve().parents[1] / "twin" / "data" / "epb_class_targets_brussels.csv"


def _edited(path: Path, row: int, col: str, value: str) -> Path:
    t = pd.read_csv(PACKAGED, dtype=str, keep_default_na=False)
    t.loc[row, col] = value
    t.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(("col", "value", "contains"), [
    ("share", "85%", ("row 2", "'share'", "'85%' is not a number")),
    ("sd", "", ("row 2", "'sd'", "sd is empty")),
    ("target", "g", ("row 3", "'target'", "target 'g' is given twice (rows 2 and 3)")),
    ("classes", "A++,A+,A,B,C,D,E,F,G", ("row 2", "'classes'", "cover every EPB class")),
], ids=["percent", "empty-sd", "twice", "every-class"])
def test_class_target_table_mistakes_are_refused(tmp_path: Path, col: str, value: str, contains: tuple[str, ...]) -> None:
    path = _edited(tmp_path / "targets.csv", 0, col, value)
    with pytest.raises(SchemaError) as err:
        check_class_targets_table(path)
    for text in ("targets.csv", *contains):
        assert text in str(err.value)


def test_the_packaged_table_passes() -> None:
    check_class_targets_table(PACKAGED)


def test_cli_refuses_a_percentage_share_without_a_traceback(tmp_path: Path) -> None:
    path = _edited(tmp_path / "targets.csv", 0, "share", "85%")
    out = tmp_path / "cal"
    result = run_twin(["calibrate", tmp_path / "no_scene_needed", "--classes", path, "-o", out, "-q"])
    assert_one_line_error(result, contains=("targets.csv", "row 2", "'share'", "not a number"))
    assert not out.exists()


def test_an_empty_class_target_file_says_so_naming_the_option(tmp_path: Path) -> None:
    """s54b: a 0-byte --classes file said "not a readable CSV: No columns to parse from file" and
    named no option."""
    path = tmp_path / "targets.csv"
    path.write_bytes(b"")
    with pytest.raises(SchemaError, match=r"empty file \(0 bytes\)") as err:
        check_class_targets_table(path)
    assert err.value.field == "--classes" and "targets.csv" in str(err.value)
