"""The key path of a scenario error keeps keys that share a name with a what-if operation.

pydantic puts a tagged union's tag (an operation's name) in the error's location; the tag is left
out of the path a planner reads. ``green_infrastructure`` is also a key of ``soil``, so an error
in ``soil.green_infrastructure.0`` was reported at ``soil.0``.
"""

from __future__ import annotations

import pytest

from twin.errors import ScenarioError
from twin.scenario.schema import parse_scenario

GREEN = {"kind": "bioretention", "area_share": 0.1, "landcover_classes": ["sealed"]}


def _scenario(**extra) -> dict:
    return {"name": "s", "inputs": {"files": ["buildings.geojson"]}, **extra}


def test_a_key_named_like_an_operation_stays_in_the_path():
    data = _scenario(domains=["soil"], soil={"method": "year", "green_infrastructure": [{**GREEN, "area_shar": 0.2}]})
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert info.value.field == "soil.green_infrastructure.0.area_shar"


def test_the_operation_tag_of_a_what_if_is_left_out():
    mod = {"op": "green_infrastructure", **GREEN, "area_shar": 0.2}
    data = _scenario(domains=["soil"], soil={"method": "year"}, whatifs=[{"name": "w", "modifications": [mod]}])
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert info.value.field == "whatifs.0.modifications.0.area_shar"


def test_a_misspelt_range_key_of_a_selection_is_named_with_its_hint():
    # it read "where.height_m.mx: Extra inputs are not permitted"
    mod = {"op": "renovate", "select": {"where": {"height_m": {"mx": 12.0}}}, "measures": ["wall_insulation"]}
    with pytest.raises(ScenarioError) as info:
        parse_scenario(_scenario(whatifs=[{"name": "w", "modifications": [mod]}]))
    assert "where.height_m.mx: unknown key 'mx' (did you mean 'max'?)" in info.value.message
