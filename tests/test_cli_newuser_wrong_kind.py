"""A twin file given to the wrong command says what it is and which command runs it.

README's "Command line" describes ``scenarios/stgilles_soil_year.yaml`` as "a year of soil
water", so a new user tries ``twin soil year scenarios/stgilles_soil_year.yaml``; the answer was
``field 'description': unknown key 'description'``, which does not say that the file is a
scenario (``twin run`` runs it). The same for a soil column spec given to ``twin run`` (``unknown
key 'materials'``) or a single-zone energy spec given to ``twin soil column``. Now the one error
line names the kind of file and the command that runs it; an error in a file of the right kind
is unchanged.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.cli_harness import assert_one_line_error, run_twin

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "scenarios" / "stgilles_soil_year.yaml"
COLUMN = REPO / "tests" / "soil_data" / "celia1990.yaml"
ZONE = REPO / "tests" / "energy_data" / "bestest_900.yaml"
EPW = REPO / "data_samples" / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"


@pytest.mark.parametrize(
    ("args", "given", "kind", "command"),
    [
        (["soil", "year"], SCENARIO, "this is a scenario, not a soil year spec", "twin run "),
        (["soil", "column"], SCENARIO, "this is a scenario, not a soil column spec", "twin run "),
        (["soil", "block"], COLUMN, "this is a soil column spec, not a soil block spec", "twin soil column "),
        (["energy", "simulate", "--weather", EPW], COLUMN, "this is a soil column spec, not a single-zone energy spec",
         "twin soil column "),
        (["soil", "column"], ZONE, "this is a single-zone energy spec, not a soil column spec", "twin energy simulate "),
        (["scenario", "validate"], ZONE, "this is a single-zone energy spec, not a scenario", "twin energy simulate "),
    ],
)
def test_file_of_another_kind_names_its_kind_and_command(args: list, given: Path, kind: str, command: str) -> None:
    line = assert_one_line_error(run_twin([*args, given]), contains=(str(given), kind, command + str(given)))
    assert "unknown key" not in line


def test_run_of_a_column_spec_names_soil_column(tmp_path: Path) -> None:
    line = assert_one_line_error(run_twin(["run", COLUMN, "-o", tmp_path / "out"]),
                                 contains=("this is a soil column spec, not a scenario", f"twin soil column {COLUMN}"))
    assert "materials" not in line
    assert not (tmp_path / "out").exists()


def test_bad_key_in_a_file_of_the_right_kind_keeps_its_error(tmp_path: Path) -> None:
    doc = yaml.safe_load(COLUMN.read_text())
    doc["materiels"] = doc["materials"]  # a misspelt key: still a column spec, not another kind
    spec = tmp_path / "column.yaml"
    spec.write_text(yaml.safe_dump(doc))
    line = assert_one_line_error(run_twin(["soil", "column", spec]), contains=(str(spec), "materiels"))
    assert "this is a" not in line


def test_keys_of_no_known_kind_keep_the_loader_error(tmp_path: Path) -> None:
    spec = tmp_path / "notes.yaml"
    spec.write_text("title: my notes\nitems: [1, 2]\n")
    line = assert_one_line_error(run_twin(["soil", "year", spec]), contains=(str(spec), "title"))
    assert "this is a" not in line


@pytest.mark.parametrize(
    ("args", "name", "text", "contains"),
    [
        (["soil", "column"], "nope.yaml", None, "not found"),
        (["energy", "simulate", "--weather", EPW], "nope.yaml", None, "not found"),
        (["soil", "column"], "deep.yaml", "zone: " + "[" * 5000 + "]" * 5000 + "\n", "nested"),
        (["scenario", "validate"], "deep.yaml", "name: " + "[" * 5000 + "]" * 5000 + "\n", "nested"),
    ],
)
def test_missing_or_unreadable_file_keeps_its_error(args: list, name: str, text: str | None, contains: str, tmp_path: Path) -> None:
    path = tmp_path / name
    if text is not None:
        path.write_text(text)
    assert_one_line_error(run_twin([*args, path]), contains=(str(path), contains))
