"""``--samples 0`` on a scenario: the no-effect checks name only keys the file sets.

A new user's ``twin run scenarios/stgilles_deseal_block.yaml --samples 0`` was refused with
``field 'soil.hydraulics_spread'``, a key the file does not set: :func:`with_overrides` dumped
every default as set. The file's own ``soil.block.samples`` still (rightly) refuses it.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from twin.errors import NoEffectError
from twin.scenario.checks import check_scenario
from twin.scenario.scenario_file import read_scenario_data
from twin.scenario.schema import parse_scenario, with_overrides

BLOCK = Path(__file__).resolve().parents[1] / "scenarios" / "stgilles_deseal_block.yaml"


def _scenario(data: dict):
    return parse_scenario(data, path=BLOCK)


def test_block_file_refused_on_the_key_it_sets() -> None:
    data = read_scenario_data(BLOCK)
    assert "hydraulics_spread" not in data["soil"] and "samples" in data["soil"]["block"]
    off = with_overrides(_scenario(data), samples=0, path=BLOCK)
    with pytest.raises(NoEffectError) as err:
        check_scenario(off)
    assert err.value.field == "soil.block.samples"
    assert "hydraulics_spread" not in str(err.value)


def test_unset_default_not_blamed_set_key_still_is() -> None:
    data = read_scenario_data(BLOCK)
    del data["soil"]["block"]
    off = with_overrides(_scenario(data), samples=0, path=BLOCK)
    assert off.uncertainty.samples == 0 and not off.uncertainty.parameters
    assert "hydraulics_spread" not in off.soil.model_fields_set
    check_scenario(off)  # nothing the file sets depends on the samples
    given = copy.deepcopy(data)
    given["soil"]["hydraulics_spread"] = 1.5
    with pytest.raises(NoEffectError) as err:
        check_scenario(with_overrides(_scenario(given), samples=0, path=BLOCK))
    assert err.value.field == "soil.hydraulics_spread"


def test_override_keeps_the_file_otherwise() -> None:
    sc = _scenario(read_scenario_data(BLOCK))
    same = with_overrides(sc, samples=sc.uncertainty.samples, seed=sc.uncertainty.seed, path=BLOCK)
    assert same.digest() == sc.digest()
    other = with_overrides(sc, seed=7, path=BLOCK)
    assert other.uncertainty.seed == 7 and other.uncertainty.samples == sc.uncertainty.samples
    assert other.soil.block == sc.soil.block
