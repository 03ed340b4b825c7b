"""Bad-input sweep 3 of ``twin ingest``: two weather files.

``twin ingest district.geojson a.epw b.epw`` kept ``b.epw`` without a word (a scene holds one
weather). Now one ``twin: error:`` line naming the second file, before any file is read.
"""

from __future__ import annotations

import shutil
from pathlib import Path

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
