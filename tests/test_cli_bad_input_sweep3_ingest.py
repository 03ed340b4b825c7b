"""Bad-input sweep 3 of ``twin ingest``: two weather files.

``twin ingest district.geojson a.epw b.epw`` kept ``b.epw`` without a word (a scene holds one
weather). Now one ``twin: error:`` line naming the second file, before any file is read.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.geojson_builders import square, write_geojson
from tests.output_helpers import write_tiny_inputs


def test_a_second_weather_file_is_refused_before_reading(tmp_path: Path) -> None:
    inputs = write_tiny_inputs(tmp_path / "in")
    other = tmp_path / "other.epw"
    shutil.copy(inputs / "weather.epw", other)
    out = tmp_path / "scene"
    result = run_twin(["ingest", inputs / "district.geojson", inputs / "weather.epw", other, "-o", out])
    assert_one_line_error(result, contains=("other.epw", "'weather'", "one weather file", "weather.epw is already an input", "2 .epw files"))
    assert not out.exists()
    assert "weather 8760 hours" not in result.stdout  # refused before any file was read


def test_one_weather_file_is_ingested(tmp_path: Path) -> None:
    inputs = write_tiny_inputs(tmp_path / "in")
    result = run_twin(["ingest", inputs / "district.geojson", inputs / "weather.epw", "-o", tmp_path / "scene", "-q"])
    assert result.code == 0, result.stderr
    assert (tmp_path / "scene" / "weather.parquet").exists()


@pytest.mark.parametrize(
    ("text", "contains"),
    [
        ("buildings: 3\n", ("'buildings'", "must be a mapping", "got a number: 3")),
        ("buildings:\n  use_classes: residential\n", ("'buildings.use_classes'", "must be a list", "got a str")),
    ],
    ids=["section-a-number", "list-a-text"],
)
def test_defaults_of_the_wrong_kind_name_the_key(tmp_path: Path, text: str, contains: tuple[str, ...]) -> None:
    # was: an internal error (exit 70), "'int' object has no attribute 'get'", while the buildings were read
    inputs = write_tiny_inputs(tmp_path / "in")
    defaults = tmp_path / "defaults.yaml"
    defaults.write_text(text, encoding="utf-8")
    out = tmp_path / "scene"
    result = run_twin(["ingest", inputs / "district.geojson", "--defaults", defaults, "-o", out])
    assert_one_line_error(result, contains=("defaults.yaml", *contains))
    assert not out.exists()


def test_packaged_defaults_pass_their_own_shape_check() -> None:
    import copy

    from twin.ingest.defaults import check_shape, load_defaults

    table = load_defaults()
    check_shape(table, copy.deepcopy(table))
    assert load_defaults({"buildings": {"use_classes": table["buildings"]["use_classes"]}}) == table


def _square_geojson(path: Path, x: float, y: float) -> Path:
    """One building square of 0.0001 degrees at (x, y) in a GeoJSON without "crs" (WGS84)."""
    return write_geojson(path, [square(x, y, 1e-4, building="yes")], crs=None)


def test_latitude_before_longitude_is_named_as_swapped(tmp_path: Path) -> None:
    # was: "choose a scene CRS that covers it with --crs EPSG:32639" (a UTM zone of Iran) for Saint-Gilles written lat, lon
    src = _square_geojson(tmp_path / "swapped.geojson", 50.83, 4.345)
    out = tmp_path / "scene"
    line = assert_one_line_error(run_twin(["ingest", src, "-o", out]),
                                 contains=("swapped.geojson", "'crs'", "coordinates swapped it lies inside", "longitude first"))
    assert "--crs" not in line
    assert not out.exists()


def test_a_layer_far_away_still_gets_a_crs_suggestion(tmp_path: Path) -> None:
    # Perth (115.86 E, 31.95 S): swapped it is no place in Belgium either
    src = _square_geojson(tmp_path / "perth.geojson", 115.86, -31.95)
    line = assert_one_line_error(run_twin(["ingest", src, "-o", tmp_path / "scene"]), contains=("perth.geojson", "choose a scene CRS"))
    assert "swapped" not in line


def test_ingest_overrides_separated_by_semicolons_name_the_separator(tmp_path: Path) -> None:
    # was: "unknown override column(s) ['building_id;height_m']"
    inputs = write_tiny_inputs(tmp_path / "in")
    overrides = tmp_path / "excel.csv"
    overrides.write_text("building_id;height_m\nosm:way/108234472;12,5\n", encoding="utf-8")
    result = run_twin(["ingest", inputs / "district.geojson", "--overrides", overrides, "-o", tmp_path / "scene"])
    line = assert_one_line_error(result, contains=("excel.csv", "'--overrides'", "separated by ';'"))
    assert "unknown override column" not in line
