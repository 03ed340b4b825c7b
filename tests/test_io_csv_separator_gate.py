"""Every ``.csv`` input that goes through :func:`twin.io.paths.check_input_file` gets the separator
check: a spreadsheet's ``;`` or tab table is named as such before a parser reads one column,
whichever reader it is given to (before, each reader called the check itself, and the class
targets, traffic and soil tables did not)."""

from __future__ import annotations

from pathlib import Path

import pytest

from twin.errors import ParseError


@pytest.mark.parametrize(("sep", "name"), [(";", "';'"), ("\t", "tabs"), ("|", "'|'")])
def test_check_input_file_names_the_separator(tmp_path: Path, sep: str, name: str) -> None:
    from twin.io.paths import check_input_file

    f = tmp_path / "t.csv"
    f.write_text(sep.join(["building_id", "height_m"]) + "\n" + sep.join(["a", "9,5"]) + "\n", encoding="utf-8")
    with pytest.raises(ParseError, match=f"separated by {name}") as info:
        check_input_file(f, suffixes=(".csv",), what="overrides table", field="--overrides")
    assert info.value.field == "--overrides" and "overrides table" in str(info.value)


def test_comma_tables_and_other_files_pass(tmp_path: Path) -> None:
    from twin.io.paths import check_input_file

    ok = tmp_path / "t.csv"
    ok.write_text("building_id,note\na,x;y|z\n", encoding="utf-8")  # ';' inside a comma table: fine
    assert check_input_file(ok) == ok
    other = tmp_path / "t.txt"
    other.write_text("a;b\n", encoding="utf-8")  # not a .csv: not checked
    assert check_input_file(other) == other


def test_a_reader_without_its_own_check_names_it(tmp_path: Path) -> None:
    """The class targets of ``twin calibrate --classes`` (twin/calibration/group.py) read through the gate."""
    from twin.calibration.group import load_class_targets

    f = tmp_path / "classes.csv"
    f.write_text("target;classes;share;sd;use\nd_or_worse;D|E|F|G;0.85;0.02;residential\n", encoding="utf-8")
    with pytest.raises(ParseError, match="separated by ';'") as info:
        load_class_targets(f)
    assert info.value.field == "--classes"
