"""Bad-input sweep 4 of ``twin energy run``.

``--measures TABLE`` without ``--measure ID`` ran with exit 0, the table unread (it is read only
for the variant runs of ``--measure``): now one ``twin: error:`` line naming the table and the
option, before the scene is read.
"""

from __future__ import annotations

from pathlib import Path

from tests.cli_harness import assert_one_line_error, run_twin
from tests.output_helpers import write_tiny_inputs

MEASURES = Path(__file__).parents[1] / "twin" / "data" / "energy_measures.csv"


def test_measure_table_without_a_measure_is_refused(tmp_path: Path) -> None:
    inputs = write_tiny_inputs(tmp_path / "in")
    table = tmp_path / "mine.csv"
    table.write_text(MEASURES.read_text())
    out = tmp_path / "out"
    result = run_twin(["energy", "run", inputs / "district.geojson", "-w", inputs / "weather.epw", "-o", out, "-q", "--no-plots",
                       "--measures", table])
    assert_one_line_error(result, contains=("mine.csv", "'--measures'", "without --measure"))
    assert not out.exists()


def test_scene_without_buildings_is_named(tmp_path: Path) -> None:
    """'the scene has no buildings' did not say which scene."""
    inputs = write_tiny_inputs(tmp_path / "in")
    scene = tmp_path / "weather_only"
    assert run_twin(["ingest", inputs / "weather.epw", "-o", scene, "-q"]).code == 0
    result = run_twin(["energy", "run", scene, "-o", tmp_path / "out", "-q", "--no-plots"])
    assert_one_line_error(result, contains=(f"file {scene}", "'buildings'", "no buildings"))
