"""A misspelt setting in a ``--defaults`` YAML (helper fuzz, s54).

``buildings: {storey_heigth_m: 3}`` was merged next to the packaged ``storey_height_m`` and read
by nothing: ``twin ingest --defaults`` exit 0, the storey heights unchanged. An unknown top-level
section was already refused; now an unknown setting of a section is too (a key deeper down stays
open: the mappings by use and by tag).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.output_helpers import write_tiny_inputs
from twin.errors import InputError


def test_a_misspelt_setting_is_refused_with_the_key_it_resembles(tmp_path: Path) -> None:
    district = write_tiny_inputs(tmp_path / "in") / "district.geojson"
    defaults = tmp_path / "defaults.yaml"
    defaults.write_text("buildings:\n  storey_heigth_m: 3.2\n", encoding="utf-8")
    result = run_twin(["ingest", district, "--defaults", defaults, "-o", tmp_path / "scene", "-q"])
    assert_one_line_error(result, contains=("defaults.yaml", "field 'buildings.storey_heigth_m'", "did you mean 'storey_height_m'"))
    assert not (tmp_path / "scene").exists()


def test_settings_of_the_packaged_table_and_open_mappings_pass() -> None:
    from twin.ingest.defaults import load_defaults

    table = load_defaults({"buildings": {"storey_height_m": {"residential": 3.2, "my_use": 4.0}}, "streets": {"walk_speed_kmh": 4.5}})
    assert table["buildings"]["storey_height_m"]["residential"] == 3.2
    with pytest.raises(InputError) as err:
        load_defaults({"streets": {"walk_speed_kmph": 4.5}})
    assert err.value.field == "streets.walk_speed_kmph" and "walk_speed_kmh" in str(err.value)
