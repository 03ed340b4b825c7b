"""Bad-input gaps the sweeps left open (task rel3): each case failed (exit 0, a warning or a silent
replacement) before its fix.

Every case runs the real command line in a child process (:func:`tests.cli_harness.run_twin`):
an error ends in one ``twin: error:`` line naming the file, the object and the field, exit 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.output_helpers import write_tiny_inputs

#: A building of the tiny district (tests/output_helpers.py).
KNOWN = "osm:way/108234472"


def _text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _ingest_with_overrides(tmp_path: Path, table: str):
    district = write_tiny_inputs(tmp_path / "in") / "district.geojson"
    overrides = _text(tmp_path / "overrides.csv", table)
    out = tmp_path / "scene"
    return run_twin(["ingest", district, "--overrides", overrides, "-o", out, "-q"]), out


# ----------------------------------------------------------------------------- 1. override rows that match no building
def test_override_rows_matching_no_building_are_one_error(tmp_path: Path) -> None:
    """Was a warning (exit 0, scene written without the user's values); every unmatched row is
    named by its CSV line (the blank line 3 counts) and id."""
    table = f"building_id,height_m\n{KNOWN},12\n\nosm:way/1,10\nx,11\n"
    result, out = _ingest_with_overrides(tmp_path, table)
    line = assert_one_line_error(result, contains=("overrides.csv", "'building_id'", "2 rows match no building",
                                                   "line 4 (id 'osm:way/1')", "line 5 (id 'x')"))
    assert "line 2" not in line
    assert not out.exists()


def test_override_rows_that_all_match_are_applied(tmp_path: Path) -> None:
    """The check does not refuse a table whose rows all name buildings of the scene."""
    import geopandas as gpd

    result, out = _ingest_with_overrides(tmp_path, f"building_id,height_m\n{KNOWN},12.5\n")
    assert result.code == 0, result.stderr
    row = gpd.read_parquet(out / "buildings.parquet").set_index("building_id").loc[KNOWN]
    assert (row["height_m"], row["height_m_source"]) == (12.5, "user")


def test_many_unmatched_rows_are_counted_and_the_first_listed(tmp_path: Path) -> None:
    from twin.ingest.attributes.overrides import MAX_LISTED

    n = MAX_LISTED + 5
    table = "building_id,height_m\n" + "".join(f"nope{i},10\n" for i in range(n))
    line = assert_one_line_error(_ingest_with_overrides(tmp_path, table)[0], contains=(f"{n} rows match no building", "... and 5 more"))
    assert f"line {MAX_LISTED + 1} (id 'nope{MAX_LISTED - 1}')" in line and f"'nope{MAX_LISTED}'" not in line


# ----------------------------------------------------------------------------- 2. non-finite numbers in an overrides table
@pytest.mark.parametrize(
    ("table", "contains"),
    [
        (f"building_id,height_m\n{KNOWN},nan\n", ("line 2", "'height_m'", "not 'nan'")),
        (f"building_id,use,n_storeys\n{KNOWN},office,\nosm:way/1,,NaN\n", ("line 3", "'n_storeys'", "not 'NaN'")),
        (f"building_id,height_m\n{KNOWN},inf\n", ("line 2", "'height_m'", "finite", "not 'inf'")),
        (f"building_id,construction_year\n{KNOWN},-inf\n", ("line 2", "'construction_year'", "finite", "not '-inf'")),
        (f"building_id,height_m\n{KNOWN},tall\n", ("line 2", "'height_m'", "not a number: 'tall'")),
    ],
    ids=["nan", "NaN-line-3", "inf", "minus-inf", "text"],
)
def test_non_finite_override_values_name_file_line_and_column(tmp_path: Path, table: str, contains: tuple[str, ...]) -> None:
    """A literal nan read as a blank cell (the data's value kept, exit 0)."""
    assert_one_line_error(_ingest_with_overrides(tmp_path, table)[0], contains=("overrides.csv", *contains))


def test_blank_override_cells_keep_the_data(tmp_path: Path) -> None:
    """A blank cell is not a nan: the row is read, the blank value left to the data."""
    import pandas as pd

    from twin.ingest.attributes.overrides import read_overrides

    rows = read_overrides(_text(tmp_path / "o.csv", f"building_id,height_m,use\n{KNOWN},,office\nb2, 7 ,\n"))
    assert rows.loc["b2", "height_m"] == 7.0 and pd.isna(rows.loc["b2", "use"])
    assert pd.isna(rows.loc[KNOWN, "height_m"]) and rows.loc[KNOWN, "use"] == "office"
