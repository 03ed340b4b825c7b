"""``soil.block.samples`` / ``soil.block.prior_spread`` with ``uncertainty.samples: 0`` are refused.

The block's Monte Carlo draws ``min(uncertainty.samples, soil.block.samples)`` paired samples of
the soil hydraulics with spread ``prior_spread`` (:func:`twin.scenario.engines.soil.block_samples`):
without samples neither option changes anything, and a run with them was silent about it. Now,
like ``soil.hydraulics_spread`` and ``soil.texture_shares`` without samples, a no-effect error
naming the file and the key (a ``twin: warning:`` with ``--allow-no-effect``); with samples, or
with a block that does not set them, nothing is said.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import yaml

from tests.cli_harness import REPO, assert_one_line_error, run_twin
from twin.errors import NoEffectError, TwinWarning

DATA = REPO / "data_samples"
WOOD = {"name": "wood", "modifications": [{"op": "deseal", "select": {"where": {"name": "Place Louis Morichar - Louis Moricharplein"}},
                                           "sealed_fraction": 0.0, "cover_class": "wood"}]}  # fmt: skip


def _doc(block: dict, samples: int) -> dict:
    return {
        "name": "block-mc",
        "inputs": {"files": [str(DATA / f"stgilles_{k}_osm2013.geojson") for k in ("buildings", "streets", "landcover")],
                   "weather": str(DATA / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw")},
        "domains": ["soil"],
        "whatifs": [WOOD],
        "soil": {"method": "richards", "cell_size_m": 10.0, "bounds": [148440.0, 168490.0, 148540.0, 168560.0],
                 "storm_mm": 30.0, "storm_hours": 1.0, "hours": 6.0, "block": {"margin_m": 10.0, "sub": 2, "dz_m": 0.2, **block}},
        "uncertainty": {"samples": samples, "seed": 5, "priors": False},
    }  # fmt: skip


@pytest.mark.parametrize(("block", "key"), [({"samples": 4}, "samples"), ({"prior_spread": 0.5}, "prior_spread"),
                                            ({"samples": 4, "prior_spread": 2.0}, "samples")], ids=["samples", "spread", "both"])
def test_block_monte_carlo_options_without_samples_change_nothing(block: dict, key: str) -> None:
    from twin.scenario.checks import check_scenario
    from twin.scenario.schema import parse_scenario

    with pytest.raises(NoEffectError, match="uncertainty.samples is 0") as err:
        check_scenario(parse_scenario(_doc(block, 0), path="mc.yaml"))
    assert err.value.field == f"soil.block.{key}" and err.value.path == "mc.yaml"
    assert all(f"soil.block.{k}" in str(err.value) for k in block)  # every key given is named
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_scenario(parse_scenario(_doc(block, 0)), no_effect="warn")
    assert [str(w.message) for w in caught if issubclass(w.category, TwinWarning) and f"soil.block.{key}" in str(w.message)]
    check_scenario(parse_scenario(_doc(block, 3)))  # with samples they act
    check_scenario(parse_scenario(_doc({}, 0)))  # a block that leaves them to their defaults: fine


def test_the_command_line_names_file_and_key(tmp_path: Path) -> None:
    scenario = tmp_path / "block_mc.yaml"
    scenario.write_text(yaml.safe_dump(_doc({"prior_spread": 0.5}, 0)), encoding="utf-8")
    assert_one_line_error(run_twin(["scenario", "validate", "--no-scene", scenario]),
                          contains=(str(scenario), "field 'soil.block.prior_spread'", "uncertainty.samples is 0"))  # fmt: skip
