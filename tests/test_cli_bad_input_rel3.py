"""Bad-input gaps the sweeps left open (task rel3): each case failed (exit 0, a warning or a silent
replacement) before its fix.

Every case runs the real command line in a child process (:func:`tests.cli_harness.run_twin`):
an error ends in one ``twin: error:`` line naming the file, the object and the field, exit 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.geojson_builders import square, write_geojson
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


def test_an_override_table_of_blank_cells_is_refused(tmp_path: Path) -> None:
    """s54 (fuzz): every value cell blank (keep) ran as the ingest without the table, exit 0."""
    from twin.errors import InputError
    from twin.ingest.attributes.overrides import read_overrides

    with pytest.raises(InputError, match="gives no value: every cell of height_m, use is blank") as err:
        read_overrides(_text(tmp_path / "o.csv", f"building_id,height_m,use\n{KNOWN},,\nb2, ,\n"))
    assert err.value.field == "height_m" and "o.csv" in str(err.value)


# ----------------------------------------------------------------------------- 3. heights and levels that overflow or are below 1
def _footprints(path: Path, values: list[dict]) -> Path:
    """Square footprints in EPSG:31370, one per entry of ``values`` (its tags), ids ``b0``, ``b1``, ...;
    one text height (``'12 m'``) keeps the columns text, as OSM tags are."""
    tagged = enumerate([*values, {"height": "12 m"}])
    return write_geojson(path, [square(148330.0 + 20 * i, 168860.0, id=f"b{i}", building="yes", **tags) for i, tags in tagged])


def test_heights_and_levels_that_overflow_or_are_below_one_are_reported(tmp_path: Path) -> None:
    """'1e400' read as 1 (m or storeys) and '1e3' as 1 m (the exponent was cut off); levels '0'
    were replaced by a default without a word. Now: an overflow drops the building (a value of the
    source that cannot be used, listed with its id), '1e3' is 1000 m, levels below 1 are a value
    not used as given (listed with the id, one warning)."""
    import geopandas as gpd

    src = _footprints(tmp_path / "h.geojson", [{"height": "1e400"}, {"building:levels": "1e400"}, {"height": "1e3"},
                                               {"building:levels": "0"}, {"building:levels": "0.4"}])
    result = run_twin(["ingest", src, "-o", tmp_path / "scene"])
    assert result.code == 0, result.stderr
    assert "dropped h:b0: height '1e400' is not a finite number" in result.stdout
    assert "dropped h:b1: building:levels '1e400' is not a finite number" in result.stdout
    for b, value in (("b3", "0"), ("b4", "0.4")):
        assert f"not used as given h:{b}: building:levels '{value}' is not a number of storeys >= 1" in result.stdout
    assert "2 value(s) not used as given" in result.stderr
    b = gpd.read_parquet(tmp_path / "scene" / "buildings.parquet").set_index("building_id")
    assert set(b.index) == {"h:b2", "h:b3", "h:b4", "h:b5"}
    assert b.loc["h:b2", "height_m"] == 1000.0 and b.loc["h:b5", "height_m"] == 12.0
    assert (b.loc[["h:b3", "h:b4"], "n_storeys_source"] == "default").all()


def test_a_number_with_an_exponent_is_read_whole() -> None:
    """The same parser reads street tags: an overflowing maxspeed is no speed limit (the class's)."""
    import numpy as np

    from twin.ingest.defaults import parse_number
    from twin.ingest.streets import parse_maxspeed

    got = parse_number(["1e400", "1.5e1 m", "-2E-1", "7,5", "12"])
    assert np.isinf(got[0]) and list(got[1:]) == [15.0, -0.2, 7.5, 12.0]
    assert np.isnan(parse_maxspeed(np.array(["1e400", "-30"], dtype=object), {})).all()


# ----------------------------------------------------------------------------- 4. an unknown access category, told in CLI words
def test_access_unknown_category_names_the_option_not_a_python_argument(tmp_path: Path) -> None:
    """Told the command-line user '(or pass services=)', a Python argument, and only after reading
    the scene; now checked with the other options (here before the missing file is noticed)."""
    line = assert_one_line_error(run_twin(["traffic", "access", tmp_path / "missing.geojson", "--categories", "school,bogus"]),
                                 contains=("'--categories'", "unknown service category 'bogus'", "choose one of school, park, playground, shop, health"))
    assert "services=" not in line and "missing.geojson" not in line


# ----------------------------------------------------------------------------- 5. too few readings to calibrate a building
@pytest.fixture(scope="module")
def tiny_scene(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The tiny district with its weather as a scene folder, and its building ids."""
    import pandas as pd

    root = tmp_path_factory.mktemp("rel3_scene")
    inputs = write_tiny_inputs(root / "in")
    result = run_twin(["ingest", inputs / "district.geojson", inputs / "weather.epw", "-o", root / "scene", "-q"])
    assert result.code == 0, result.stderr
    ids = pd.read_parquet(root / "scene" / "buildings.parquet", columns=["building_id"])["building_id"].astype(str).tolist()
    return root / "scene", ids


def _meters(path: Path, counts: dict[str, int], *, freq: str = "MS") -> Path:
    """``counts[b]`` consecutive gas readings of building ``b`` from 2023-01-01 (monthly, or hourly with ``freq='h'``)."""
    import pandas as pd

    rows = []
    for b, n in counts.items():
        t = pd.date_range("2023-01-01", periods=n + 1, freq=freq, tz="Europe/Brussels")
        kwh = 900.0 if freq == "MS" else 1.5
        rows += [{"building_id": b, "carrier": "gas", "start": t[i].isoformat(), "end": t[i + 1].isoformat(), "kwh": kwh} for i in range(n)]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_calibrate_refuses_one_monthly_reading(tiny_scene: tuple[Path, list[str]], tmp_path: Path) -> None:
    """One monthly reading calibrated four parameters (exit 0): the posterior was the prior, reported as calibrated."""
    scene, ids = tiny_scene
    meters = _meters(tmp_path / "one.csv", {ids[0]: 1})
    line = assert_one_line_error(run_twin(["calibrate", scene, "--meters", meters, "-o", tmp_path / "cal", "-q"]),
                                 contains=("one.csv", f"building '{ids[0]}'", "'building_id'", "1 reading to fit", "4 parameters",
                                           "not identifiable", "at least 4 readings"))
    assert "h_tr_factor" in line and "dhw_factor" in line
    assert not (tmp_path / "cal").exists()


def test_calibrate_names_every_building_with_too_few_and_counts_the_noise_parameter(tiny_scene: tuple[Path, list[str]], tmp_path: Path) -> None:
    """--sigma-rel estimate fits a fifth parameter: 4 readings are then too few; a building with 12 is not named."""
    scene, ids = tiny_scene
    meters = _meters(tmp_path / "few.csv", {ids[0]: 2, ids[1]: 12, ids[2]: 4})
    line = assert_one_line_error(run_twin(["calibrate", scene, "--meters", meters, "--sigma-rel", "estimate", "-o", tmp_path / "cal", "-q"]),
                                 contains=("few.csv", "2 buildings", f"'{ids[0]}' (2)", f"'{ids[2]}' (4)", "5 parameters", "sigma_rel"))
    assert f"'{ids[1]}'" not in line


def test_calibrate_counts_readings_to_fit_after_train_until(tiny_scene: tuple[Path, list[str]], tmp_path: Path) -> None:
    scene, ids = tiny_scene
    meters = _meters(tmp_path / "year.csv", {ids[0]: 12})
    assert_one_line_error(run_twin(["calibrate", scene, "--meters", meters, "--train-until", "2023-04-01T00:00:00+02:00", "-o", tmp_path / "cal"]),
                          contains=("year.csv", "3 readings ending by --train-until", "4 parameters"))


def test_calibrate_counts_hourly_readings_as_the_days_they_sum_to(tiny_scene: tuple[Path, list[str]], tmp_path: Path) -> None:
    """72 hourly readings are 3 days to fit: still too few (checked after summing them into days)."""
    scene, ids = tiny_scene
    meters = _meters(tmp_path / "hourly.csv", {ids[0]: 72}, freq="h")
    assert_one_line_error(run_twin(["calibrate", scene, "--meters", meters, "-o", tmp_path / "cal"]),
                          contains=("hourly.csv", f"building '{ids[0]}'", "3 readings to fit"))


def test_calibrate_runs_on_as_many_readings_as_parameters(tiny_scene: tuple[Path, list[str]], tmp_path: Path) -> None:
    scene, ids = tiny_scene
    result = run_twin(["calibrate", scene, "--meters", _meters(tmp_path / "four.csv", {ids[0]: 4}), "-o", tmp_path / "cal", "-q"])
    assert result.code == 0, result.stderr
    assert (tmp_path / "cal" / "calibration.parquet").exists()


# ----------------------------------------------------------------------------- 6. scenario files in JSON
def _scenario_pair(folder: Path) -> tuple[Path, Path]:
    """The tiny scenario as YAML and as tab-indented JSON (which the YAML parser refuses), side by side."""
    import json

    import yaml

    from tests.output_helpers import tiny_scenario_doc

    write_tiny_inputs(folder)
    doc = tiny_scenario_doc(3)
    as_yaml = _text(folder / "s.yaml", yaml.safe_dump(doc, sort_keys=False))
    as_json = _text(folder / "s.json", json.dumps(doc, indent="\t"))
    return as_yaml, as_json


def test_a_json_scenario_parses_as_its_yaml_twin(tmp_path: Path) -> None:
    """A .json scenario was refused ('must end in .yaml, .yml'); it is the same scenario."""
    from twin.scenario.schema import load_scenario

    as_yaml, as_json = _scenario_pair(tmp_path)
    assert load_scenario(as_json).model_dump() == load_scenario(as_yaml).model_dump()
    result = run_twin(["scenario", "validate", "--no-scene", as_json])
    assert result.code == 0 and "s.json: ok" in result.stdout, result.stderr


@pytest.mark.parametrize(
    ("edit", "contains"),
    [
        (lambda t: t.replace('"seed": 3', '"seed": -1'), ("s.json", "'uncertainty.seed'")),
        (lambda t: t.replace('"fraction": 0.5', '"fraction": NaN'), ("s.json", "NaN is not a JSON number")),
        (lambda t: t.replace('"name": "tiny",', '"name": "tiny"'), ("s.json", "not valid JSON", "line 3")),
    ],
    ids=["schema-error", "nan-constant", "syntax-error"],
)
def test_a_json_scenario_gets_the_same_checks(tmp_path: Path, edit, contains: tuple[str, ...]) -> None:
    _, as_json = _scenario_pair(tmp_path)
    as_json.write_text(edit(as_json.read_text(encoding="utf-8")), encoding="utf-8")
    assert_one_line_error(run_twin(["scenario", "validate", "--no-scene", as_json]), contains=contains)
