"""Bad cells of the soil engine's CSV tables (vegetation, land-cover vegetation, sewer street
classes): each is one InputError naming the file, the line (with the row's key) and the column,
through the readers users run (the shipped tables with one cell changed)."""

from __future__ import annotations

import csv
import io
from importlib import resources

import pytest

from twin.errors import InputError
from twin.soil.sewer import read_street_classes
from twin.soil.vegetation import read_landcover_vegetation, read_vegetation_table

READERS = {
    "soil_vegetation.csv": read_vegetation_table,
    "soil_landcover_vegetation.csv": read_landcover_vegetation,
    "soil_sewer_street_classes.csv": read_street_classes,
}


def _table(tmp_path, name: str, edit) -> tuple:
    """The shipped table ``name`` with ``edit(header, rows)`` applied, written to ``tmp_path``."""
    rows = [r for r in csv.reader(io.StringIO((resources.files("twin") / "data" / name).read_text())) if r]
    header, body = rows[0], rows[1:]
    edit(header, body)
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *body])
    return path, header, body


def _set(column: str, value: str):
    def edit(header, body):
        body[1][header.index(column)] = value

    return edit


@pytest.mark.parametrize(
    "name, column, value, words",
    [
        ("soil_vegetation.csv", "vegetation", " ", "empty vegetation name"),
        ("soil_vegetation.csv", "kc_max", "high", "not a number: 'high'"),
        ("soil_vegetation.csv", "feddes_h4_m", "", "not a number: ''"),
        ("soil_landcover_vegetation.csv", "cover_class", "", "empty land-cover class"),
        ("soil_landcover_vegetation.csv", "tree_share", "40 %", "not a number: '40 %'"),
        ("soil_sewer_street_classes.csv", "road_class", "", "empty street class"),
        ("soil_sewer_street_classes.csv", "slope", "steep", "not a number: 'steep'"),
    ],
)
def test_bad_cell_names_file_line_and_column(tmp_path, name, column, value, words):
    path, header, body = _table(tmp_path, name, _set(column, value))
    with pytest.raises(InputError) as err:
        READERS[name](path)
    assert err.value.path == str(path)
    assert err.value.field == column
    key = body[1][0].strip()
    assert err.value.obj == "line 3" + (f" ({key})" if key else "")
    assert words in str(err.value)


@pytest.mark.parametrize(
    "name, noun",
    [
        ("soil_vegetation.csv", "vegetation"),
        ("soil_landcover_vegetation.csv", "land-cover class"),
        ("soil_sewer_street_classes.csv", "street class"),
    ],
)
def test_a_key_given_twice_is_named(tmp_path, name, noun):
    path, header, body = _table(tmp_path, name, lambda header, body: body.append(list(body[0])))
    key = body[0][0]
    with pytest.raises(InputError, match=f"{noun} '{key}' is given twice") as err:
        READERS[name](path)
    assert err.value.obj == f"line {len(body) + 1} ({key})"
    assert err.value.field == header[0]


@pytest.mark.parametrize("name", sorted(READERS))
def test_the_shipped_tables_read(name):
    table = READERS[name]()
    rows = [r for r in csv.reader(io.StringIO((resources.files("twin") / "data" / name).read_text())) if r][1:]
    assert sorted(table) == sorted(r[0] for r in rows)


@pytest.mark.parametrize("column", ["leaf_on_doy", "leaf_off_doy", "ramp_days"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "90.5"])
def test_a_day_count_that_is_not_a_whole_number_is_named(tmp_path, column, value):
    """nan and inf read as numbers but are no day of year (they once crashed the reader with a ValueError)."""
    path, _, body = _table(tmp_path, "soil_vegetation.csv", _set(column, value))
    with pytest.raises(InputError, match="must be a whole number of days") as err:
        read_vegetation_table(path)
    assert err.value.field == column
    assert err.value.obj == f"line 3 ({body[1][0]})"


def test_a_sewer_table_without_rows_says_so(tmp_path):
    """A header alone is "no rows", not "no street class has a sewer" (there is no class at all)."""
    path, _, _ = _table(tmp_path, "soil_sewer_street_classes.csv", lambda header, body: body.clear())
    with pytest.raises(InputError, match="the sewer street-class table has no rows") as err:
        read_street_classes(path)
    assert err.value.path == str(path)
