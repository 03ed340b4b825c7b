"""The energy inputs a user writes in YAML (``--priors``, ``--measures``, a zone spec) refuse a key
given twice, naming it and its line, as the scenario file does (``twin.io.yaml_file.unique_key_loader``);
``yaml.safe_load`` kept the second value without a word."""

from __future__ import annotations

import pytest

from twin.energy.measures import load_measures
from twin.energy.priors import read_priors_file
from twin.energy.spec import load_spec
from twin.errors import TwinError

READERS = {
    "priors.yaml": (read_priors_file, "setpoint_offset_k:\n  sd_common: 1.0\n  sd_common: 2.0\n", "line 3"),
    "measures.yaml": (load_measures, "measures:\n  wall:\n    u_factor: 0.5\n    u_factor: 0.3\n", "line 4"),
    "spec.yaml": (load_spec, "name: zone\nfloor_area_m2: 48\nfloor_area_m2: 84\n", "line 3"),
}


@pytest.mark.parametrize("name", sorted(READERS))
def test_a_key_given_twice_is_refused_naming_it_and_its_line(tmp_path, name):
    reader, text, line = READERS[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TwinError) as caught:
        reader(path)
    message = str(caught.value)
    assert "given twice" in message and name in message, message
    assert line in message, message
