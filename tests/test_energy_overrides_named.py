"""``twin energy run --overrides``: the errors that need the scene (a column that is no parameter
of the buildings, a key that matches no building) name the overrides file, like the checks made
before the run (tests/test_cli_bad_input_pbad.py). They named only the column or key before."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.output_helpers import write_tiny_inputs


@pytest.mark.parametrize(
    ("text", "contains"),
    [
        ("building_id,u_wal_w_m2k\nb1,0.5\n", ("'u_wal_w_m2k'", "unknown parameter in overrides")),
        ("building_id,u_wall_w_m2k\nno_such_building,0.5\n", ("'building_id'", "matches no building", "no_such_building")),
    ],
    ids=["unknown-parameter", "unknown-building"],
)
def test_scene_dependent_override_errors_name_the_file(tmp_path: Path, text: str, contains: tuple[str, ...]) -> None:
    inputs = write_tiny_inputs(tmp_path / "in")
    overrides = tmp_path / "my_overrides.csv"
    overrides.write_text(text, encoding="utf-8")
    result = run_twin(["energy", "run", inputs / "district.geojson", "-w", inputs / "weather.epw", "-o", tmp_path / "out", "--no-plots", "-q",
                       "--overrides", overrides])  # fmt: skip
    assert_one_line_error(result, contains=("my_overrides.csv", *contains))
    assert not (tmp_path / "out").exists()
