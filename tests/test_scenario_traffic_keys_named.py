"""The traffic part of a scenario file: an error names the key the user should change.

* the rules tying two keys together (``signal_split`` needs ``signals``, ``gtfs_date`` needs
  ``gtfs``, ``transit_routes`` excludes ``gtfs``, ``transit_defaults`` needs ``transit_routes``)
  named the section (``field 'traffic'``), not the key;
* ``traffic.samples`` with ``uncertainty.samples: 0`` ran without a word although it changes
  nothing (``twin run --samples 0`` of a file that sets it is the user's quick run and runs).
"""

from __future__ import annotations

import pytest
import yaml

from tests.cli_harness import REPO, assert_one_line_error, run_twin
from twin.errors import NoEffectError, ScenarioError
from twin.scenario.checks import check_scenario, values_from_options
from twin.scenario.schema import load_scenario, parse_scenario, with_overrides

DEFAULT = REPO / "scenarios" / "stgilles_default.yaml"


def _doc(traffic: dict, samples: int = 0) -> dict:
    return {"name": "t", "inputs": {"files": ["a.geojson"]}, "domains": ["traffic"], "traffic": traffic,
            "uncertainty": {"samples": samples}}


@pytest.mark.parametrize(("traffic", "key", "text"), [
    ({"signal_split": "capacity"}, "traffic.signal_split", "without signals changes nothing"),
    ({"gtfs_date": "20130305"}, "traffic.gtfs_date", "no gtfs feed"),
    ({"gtfs": "feed.zip", "transit_routes": "routes.geojson"}, "traffic.transit_routes", "not both"),
    ({"transit_defaults": "d.csv"}, "traffic.transit_defaults", "no transit_routes file"),
])
def test_a_rule_tying_two_traffic_keys_names_the_key(traffic, key, text):
    with pytest.raises(ScenarioError, match=text) as info:
        parse_scenario(_doc(traffic), path="s.yaml")
    assert info.value.field == key
    assert f"field '{key}'" in str(info.value) and "s.yaml" in str(info.value)


def test_the_command_line_names_the_file_and_the_key(tmp_path):
    path = tmp_path / "split.yaml"
    path.write_text(yaml.safe_dump(_doc({"signal_split": "capacity"})))
    assert_one_line_error(run_twin(["scenario", "validate", "--no-scene", path]),
                          contains=(str(path), "field 'traffic.signal_split'", "set signals: true"))


def test_traffic_samples_without_samples_in_the_file_is_refused(tmp_path):
    path = tmp_path / "nosamples.yaml"
    path.write_text(yaml.safe_dump(_doc({"samples": 10})))
    with pytest.raises(NoEffectError, match="traffic.samples 10 limits") as info:
        check_scenario(load_scenario(path))
    assert info.value.field == "traffic.samples"
    assert_one_line_error(run_twin(["scenario", "validate", "--no-scene", path]),
                          contains=(str(path), "field 'traffic.samples'", "uncertainty.samples is 0"))


def test_traffic_samples_with_samples_runs():
    check_scenario(parse_scenario(_doc({"samples": 10}, samples=20)))


def test_samples_0_on_the_command_line_keeps_the_default_scenario_running():
    """The default scenario sets traffic.samples: 40; ``twin run --samples 0`` is a quick run."""
    scenario = load_scenario(DEFAULT)
    assert "samples" in scenario.traffic.model_fields_set
    with values_from_options({"uncertainty.samples": "--samples"}):
        check_scenario(with_overrides(scenario, samples=0, path=DEFAULT))
