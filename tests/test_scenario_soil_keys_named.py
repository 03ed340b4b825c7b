"""The soil part of a scenario file: a rule tying two keys together names the key to change.

``storm_mm`` with method year, ``spinup_days`` with a storm method, ``hydraulics_spread`` or
``initial_head_m`` without richards, ``texture_shares`` with method year and a ``texture`` without
a share in ``texture_shares`` named the section (``field 'soil'``), not the key (the traffic rules
name theirs since ``schema.KeyRuleError``).
"""

from __future__ import annotations

import pytest
import yaml

from tests.cli_harness import assert_one_line_error, run_twin
from twin.errors import ScenarioError
from twin.scenario.schema import parse_scenario


def _doc(soil: dict) -> dict:
    return {"name": "t", "inputs": {"files": ["a.geojson"]}, "domains": ["soil"], "soil": soil,
            "uncertainty": {"samples": 3}}


@pytest.mark.parametrize(("soil", "key", "text"), [
    ({"method": "year", "storm_mm": 40}, "soil.storm_mm", "storm_mm is an option of the design storm"),
    ({"method": "richards", "spinup_days": 10}, "soil.spinup_days", "spinup_days is an option of method: year"),
    ({"method": "scs_cn", "hydraulics_spread": 0.5}, "soil.hydraulics_spread", "hydraulics_spread is an option of method: richards"),
    ({"method": "scs_cn", "initial_head_m": -2.0}, "soil.initial_head_m", "initial_head_m is an option of method: richards"),
    ({"method": "year", "texture_shares": {"Loam": 1.0}}, "soil.texture_shares", "texture_shares is an option of the storm methods"),
    ({"texture": "Clay", "texture_shares": {"Loam": 1.0}}, "soil.texture", "has no share in soil.texture_shares"),
])
def test_a_rule_tying_two_soil_keys_names_the_key(soil, key, text):
    with pytest.raises(ScenarioError, match=text) as info:
        parse_scenario(_doc(soil), path="s.yaml")
    assert info.value.field == key
    assert f"field '{key}'" in str(info.value) and "s.yaml" in str(info.value)


def test_the_command_line_names_the_file_and_the_soil_key(tmp_path):
    path = tmp_path / "spread.yaml"
    path.write_text(yaml.safe_dump(_doc({"method": "scs_cn", "hydraulics_spread": 0.5})))
    assert_one_line_error(run_twin(["scenario", "validate", "--no-scene", path]),
                          contains=(str(path), "field 'soil.hydraulics_spread'", "method scs_cn does not read it"))
