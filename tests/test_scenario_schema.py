"""Scenario files: valid ones load, bad ones give a ScenarioError naming the key path, tags are refused."""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twin.errors import ScenarioError, TwinError
from twin.scenario.schema import json_schema, load_scenario, parse_scenario

VALID = {
    "name": "t",
    "inputs": {"files": ["a.geojson"], "weather": "w.epw"},
    "domains": ["energy", "soil"],
    "whatifs": [
        {"name": "reno", "modifications": [{"op": "renovate", "select": {"where": {"use": "residential", "construction_year": {"max": 1970}}}, "measures": ["wall_insulation"]}]},
        {"name": "square", "modifications": [{"op": "deseal", "select": {"ids": ["osm:way/1"]}, "sealed_fraction": 0.1}]},
    ],
    "uncertainty": {"samples": 4, "seed": 3, "parameters": [{"name": "energy.heating_setpoint_c", "dist": "normal", "mean": 20, "sd": 1}]},
}


def write(tmp_path, data, name="s.yaml"):
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return p


def test_valid_scenario_loads(tmp_path):
    sc = load_scenario(write(tmp_path, VALID))
    assert sc.whatifs[0].modifications[0].measures == ["wall_insulation"]
    assert sc.whatifs[0].modifications[0].select.where["construction_year"].max == 1970


def test_digest_ignores_formatting(tmp_path):
    a = load_scenario(write(tmp_path, VALID, "a.yaml"))
    b = load_scenario(write(tmp_path, json.dumps(VALID, indent=4), "b.yaml"))
    assert a.digest() == b.digest()
    changed = dict(VALID, name="other")
    assert load_scenario(write(tmp_path, changed, "c.yaml")).digest() != a.digest()


@pytest.mark.parametrize(
    "mutate, key",
    [
        (lambda d: d.update(colour="red"), "colour"),
        (lambda d: d["whatifs"][0]["modifications"][0].update(measures=[]), "whatifs.0.modifications.0.measures"),
        (lambda d: d["whatifs"][1]["modifications"][0].update(sealed_fraction=1.5), "whatifs.1.modifications.0.sealed_fraction"),
        (lambda d: d["uncertainty"]["parameters"][0].pop("sd"), "uncertainty.parameters.0"),
        (lambda d: d.update(domains=["weather"]), "domains.0"),
        (lambda d: d["inputs"].pop("files"), "inputs.files"),
        (lambda d: d["whatifs"].append(dict(d["whatifs"][0])), "(top level)"),
    ],
)
def test_bad_values_name_the_key_path(tmp_path, mutate, key):
    data = json.loads(json.dumps(VALID))
    mutate(data)
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path, data))
    assert info.value.field == key
    assert "s.yaml" in str(info.value)


def test_python_object_tag_is_refused(tmp_path):
    text = yaml.safe_dump(VALID) + "evil: !!python/object/apply:os.system ['echo pwned']\n"
    with pytest.raises(ScenarioError, match="safe"):
        load_scenario(write(tmp_path, text))


def test_json_schema_export_describes_modifications():
    schema = json_schema()
    text = json.dumps(schema)
    assert schema["title"] == "twin scenario"
    for op in ("renovate", "close_streets", "deseal", "insert_building"):
        assert op in text


scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True), st.text(max_size=8))
json_values = st.recursive(scalars, lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(st.text(max_size=8), c, max_size=3)), max_leaves=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_bad_scenarios_only_raise_scenario_errors(tmp_path, data):
    doc = json.loads(json.dumps(VALID))
    # replace one value somewhere in the document with a random JSON value, or drop a key
    paths = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                paths.append(path + [k])
                walk(v, path + [k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                paths.append(path + [i])
                walk(v, path + [i])

    walk(doc, [])
    target = data.draw(st.sampled_from(paths))
    parent = doc
    for p in target[:-1]:
        parent = parent[p]
    if data.draw(st.booleans()) and isinstance(parent, dict):
        del parent[target[-1]]
    else:
        parent[target[-1]] = data.draw(json_values)
    path = write(tmp_path, yaml.safe_dump(doc, allow_unicode=True))
    try:
        sc = load_scenario(path)
    except ScenarioError:
        return
    except TwinError as exc:  # pragma: no cover - wrong subclass
        pytest.fail(f"not a ScenarioError: {exc!r}")
    assert sc.name  # a mutation that still validates is fine


def test_non_mapping_top_level(tmp_path):
    with pytest.raises(ScenarioError, match="mapping"):
        load_scenario(write(tmp_path, "- a\n- b\n"))
    with pytest.raises(ScenarioError):
        parse_scenario(None)
