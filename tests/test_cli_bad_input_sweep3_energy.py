"""Bad-input sweep 3 of ``twin energy run --overrides``: values beyond the physical range.

An override of 1e6 air changes per hour, a 90 degC set temperature or a room height of 0 m ran
and wrote results (58 million kWh/m2 or 3,430 kWh/m2 of heating need) with exit 0; a U-value of
1e9 W/(m2 K) was only listed among the excluded buildings. Now the ranges of the single-zone spec
(:func:`twin.energy.typology.override_ranges`) hold for the overrides table too: one
``twin: error:`` line naming the table, the line and the column, before the run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.output_helpers import write_tiny_inputs
from twin.energy.typology import check_overrides_file
from twin.errors import InputError


@pytest.mark.parametrize(
    ("column", "value", "contains"),
    [
        ("u_wall_w_m2k", "1e9", ("<= 10 W/(m2 K)", "got 1e+09")),
        ("u_window_w_m2k", "58", ("<= 10 W/(m2 K)",)),
        ("n_air_inf_1_h", "1e6", ("<= 100 1/h",)),
        ("theta_i_c", "90", ("<= 60 degC",)),
        ("theta_i_c", "-40", (">= -30 degC",)),
        ("h_room_m", "0", ("> 0 m",)),
    ],
    ids=["u-1e9", "u-window-58", "air-changes-1e6", "setpoint-90", "setpoint-minus-40", "room-height-0"],
)
def test_override_beyond_its_physical_range_is_refused_before_the_run(tmp_path: Path, column: str, value: str, contains: tuple[str, ...]) -> None:
    inputs = write_tiny_inputs(tmp_path / "in")
    overrides = tmp_path / "ov.csv"
    overrides.write_text(f"building_id,{column}\nosm:way/108234472,{value}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_twin(["energy", "run", inputs / "district.geojson", "-w", inputs / "weather.epw", "--overrides", overrides, "-o", out, "-q"])
    assert_one_line_error(result, contains=("ov.csv", "line 2", f"'{column}'", *contains))
    assert not out.exists()


def test_overrides_at_the_ends_of_their_ranges_pass(tmp_path: Path) -> None:
    path = tmp_path / "ov.csv"
    path.write_text("building_id,u_wall_w_m2k,n_air_inf_1_h,theta_i_c,h_room_m\nb1,10,100,60,100\nb2,0,0,-30,0.5\n", encoding="utf-8")
    check_overrides_file(path)
    path.write_text("building_id,u_roof_w_m2k\nb1,10.01\n", encoding="utf-8")
    with pytest.raises(InputError, match="<= 10"):
        check_overrides_file(path)


def test_overrides_separated_by_semicolons_name_the_separator(tmp_path: Path) -> None:
    # was: "overrides need a building_id, tabula_code or building_class column" of a header that names building_id
    inputs = write_tiny_inputs(tmp_path / "in")
    overrides = tmp_path / "excel.csv"
    overrides.write_text("building_id;u_wall_w_m2k\nosm:way/108234472;0,3\n", encoding="utf-8")
    result = run_twin(["energy", "run", inputs / "district.geojson", "-w", inputs / "weather.epw", "--overrides", overrides,
                       "-o", tmp_path / "out", "-q"])
    assert_one_line_error(result, contains=("excel.csv", "'--overrides'", "separated by ';'", "overrides table is a comma-separated CSV"))


@pytest.mark.parametrize(("table", "field", "says"), [
    ("building_id,u_wall_w_m2k\nb1,\nb2, \n", "u_wall_w_m2k", "every cell of u_wall_w_m2k is blank"),
    ("building_id\nb1\n", "building_id", "no parameter column, only keys"),
], ids=["blank-values", "keys-only"])
def test_overrides_that_give_no_value_are_refused(tmp_path: Path, table: str, field: str, says: str) -> None:
    """s54 (fuzz): a table whose parameter cells are all blank (keep) ran as the run without it, exit 0."""
    path = tmp_path / "ov.csv"
    path.write_text(table, encoding="utf-8")
    with pytest.raises(InputError, match=says) as err:
        check_overrides_file(path)
    assert err.value.field == field and "changes nothing" in str(err.value)
