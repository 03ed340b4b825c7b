"""Bad-input sweep 3 of ``twin ingest``: two weather files.

``twin ingest district.geojson a.epw b.epw`` kept ``b.epw`` without a word (a scene holds one
weather). Now one ``twin: error:`` line naming the second file, before any file is read.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
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
