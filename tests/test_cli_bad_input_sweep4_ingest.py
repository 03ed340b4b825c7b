"""Bad-input sweep 4 of ``twin ingest``: options that would change nothing.

* ``--allow-truncated-ifc`` without an ``.ifc`` input ran with exit 0; ``--rotation`` or
  ``--ifc-crs`` without one were refused naming ``--origin``. Each now names itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.geojson_builders import polygon_feature, rectangle_ring, write_geojson
from tests.output_helpers import write_tiny_inputs


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    return write_tiny_inputs(tmp_path_factory.mktemp("in"))


@pytest.mark.parametrize(
    "option",
    [["--allow-truncated-ifc"], ["--rotation", "30"], ["--ifc-crs", "EPSG:31370"], ["--origin", "150000,170000"]],
)
def test_ifc_option_without_ifc_is_refused_naming_itself(tmp_path: Path, inputs: Path, option: list[str]) -> None:
    out = tmp_path / "scene"
    result = run_twin(["ingest", inputs / "district.geojson", "-o", out, "-q", *option])
    assert_one_line_error(result, contains=(f"'{option[0]}'", "no .ifc file", "would change nothing"))
    assert not out.exists()


@pytest.mark.parametrize("text", ["{}\n", "buildings: {}\n", "buildings: {use_classes: {}}\nstreets: {}\n"])
def test_defaults_file_that_sets_nothing_is_refused(tmp_path: Path, inputs: Path, text: str) -> None:
    """A --defaults YAML that is empty or holds only empty sections ran with exit 0."""
    defaults = tmp_path / "mine.yaml"
    defaults.write_text(text)
    out = tmp_path / "scene"
    result = run_twin(["ingest", inputs / "district.geojson", "-o", out, "-q", "--defaults", defaults])
    assert_one_line_error(result, contains=("mine.yaml", "'--defaults'", "sets no value"))
    assert not out.exists()


def test_defaults_file_with_a_value_still_reads(tmp_path: Path) -> None:
    from twin.ingest.defaults import load_defaults

    defaults = tmp_path / "mine.yaml"
    packaged = load_defaults()
    key = next(k for k, v in packaged["buildings"].items() if isinstance(v, (int, float)) and not isinstance(v, bool))
    defaults.write_text(f"buildings: {{{key}: {packaged['buildings'][key] + 1}}}\n")
    assert load_defaults(defaults)["buildings"][key] == packaged["buildings"][key] + 1


@pytest.mark.parametrize(("text", "says"), [("building_id,height_m\n", "no rows"), ("building_id\nb1\n", "no value column")])
def test_overrides_table_that_sets_nothing_is_refused(tmp_path: Path, inputs: Path, text: str, says: str) -> None:
    """An --overrides CSV with a header alone, or ids without a value column, ran with exit 0."""
    table = tmp_path / "known.csv"
    table.write_text(text)
    out = tmp_path / "scene"
    result = run_twin(["ingest", inputs / "district.geojson", "-o", out, "-q", "--overrides", table])
    assert_one_line_error(result, contains=("known.csv", says, "would change nothing"))
    assert not out.exists()


def test_repaired_polygons_are_reported(tmp_path: Path) -> None:
    """A self-intersecting footprint (a bow tie) was repaired and kept without a word: the summary
    listed dropped objects only."""
    bowtie = [[4.34, 50.83], [4.3401, 50.8301], [4.3401, 50.83], [4.34, 50.8301], [4.34, 50.83]]
    square = rectangle_ring(4.342, 50.83, 4.3421, 50.8301)
    path = write_geojson(tmp_path / "fp.geojson", [polygon_feature(ring, building="yes") for ring in (bowtie, square)], crs=None)
    result = run_twin(["ingest", path, "-o", tmp_path / "scene"])
    assert result.code == 0, result.stderr
    assert "repaired 1 invalid polygon(s)" in result.stdout
