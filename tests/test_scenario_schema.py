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


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_scenarios_pass_or_fail_the_checks_with_twin_errors_only(data):
    """Mutated scenarios through the schema and the checks without a scene: a TwinError or a pass, never another exception."""
    import warnings

    from twin.errors import TwinWarning
    from twin.scenario.checks import check_scenario

    doc = json.loads(json.dumps(VALID))
    doc["whatifs"].append({"name": "traffic", "modifications": [{"op": "scale_demand", "factor": 1.5}]})
    values = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-(2**70), 2**70), st.text(max_size=6),
                       st.none(), st.lists(st.floats(-1e3, 1e3), max_size=3))
    targets = [
        ("uncertainty", "samples"), ("uncertainty", "seed"), ("uncertainty", "percentiles"),
        ("whatifs", 2, "modifications", 0, "factor"), ("whatifs", 1, "modifications", 0, "sealed_fraction"),
        ("uncertainty", "parameters", 0, "mean"), ("uncertainty", "parameters", 0, "sd"), ("uncertainty", "parameters", 0, "name"),
        ("domains",), ("soil",), ("energy",),
    ]
    target = data.draw(st.sampled_from(targets))
    node = doc
    for k in target[:-1]:
        node = node[k]
    node[target[-1]] = data.draw(values)
    try:
        scenario = parse_scenario(doc)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TwinWarning)
            check_scenario(scenario, no_effect=data.draw(st.sampled_from(["error", "warn"])))
    except TwinError:
        return


@pytest.mark.parametrize(
    "text, message",
    [
        ("name: x\ninputs: {files: [a]}\nd: " + "[" * 700 + "]" * 700 + "\n", "nested too deeply"),
        ("name: x\ninputs: {files: [a]}\nd: " + "[" * 50 + "]" * 50 + "\n", "nested more than 32"),
        ("name: x\ninputs: {files: [a]}\nenergy: {heating_setpoint_c: .nan}\n", "finite"),
    ],
    ids=["700-deep", "50-deep", "nan"],
)
def test_pathological_files_give_scenario_errors(tmp_path, text, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenario(write(tmp_path, text))


def test_samples_override_zero_turns_the_monte_carlo_off(tmp_path):
    from twin.scenario.schema import with_overrides

    sc = load_scenario(write(tmp_path, VALID))
    off = with_overrides(sc, samples=0)
    assert off.uncertainty.samples == 0 and off.uncertainty.parameters == []
    with pytest.raises(ScenarioError, match=r"uncertainty\.seed.*--seed|--seed") as info:
        with_overrides(sc, seed=-1)
    assert info.value.field == "uncertainty.seed"


def test_priors_are_checked_with_the_file_and_on_by_default():
    """``uncertainty.priors``: on by default (samples alone are enough), false needs parameters,
    a mapping is merged onto the prior table and checked like it, naming the key."""
    from twin.scenario.checks import sampled_domains

    base = {"name": "t", "inputs": {"files": ["a.geojson"]}, "domains": ["energy", "traffic", "soil"]}
    sc = parse_scenario({**base, "uncertainty": {"samples": 5}})
    # the soil engine's storm method samples the soil hydraulics itself (soil.hydraulics_spread, default 1)
    assert sc.uncertainty.priors is True and sampled_domains(sc) == {"energy", "traffic", "soil"}
    no_hydraulics = {"hydraulics_spread": 0.0, "texture": "Silt Loam"}  # the soil taken as known
    assert sampled_domains(parse_scenario({**base, "uncertainty": {"samples": 5}, "soil": no_hydraulics})) == {"energy", "traffic"}
    # priors off: the traffic engine still samples its own coefficients and parameters, the soil engine its hydraulics ...
    own = parse_scenario({**base, "uncertainty": {"samples": 5, "priors": False}})
    assert sampled_domains(own) == {"traffic", "soil"}
    # ... unless told not to, or not run: then there is nothing to sample
    for doc in ({**base, "uncertainty": {"samples": 5, "priors": False}, "traffic": {"sample_model_parameters": False}, "soil": no_hydraulics},
                {**base, "domains": ["energy", "soil"], "uncertainty": {"samples": 5, "priors": False}, "soil": no_hydraulics}):
        with pytest.raises(ScenarioError, match="no parameters to sample and priors: false") as info:
            parse_scenario(doc)
        assert info.value.field == "uncertainty"
    ok = parse_scenario({**base, "uncertainty": {"samples": 5, "priors": {"heating_system": {"enabled": False}}}})
    assert ok.uncertainty.priors == {"heating_system": {"enabled": False}}
    for priors, text in (({"use": {"shares": [1.0]}}, "use.shares: must be a list of 7 numbers"),
                         ({"windows": {}}, "unknown prior entry 'windows'"),
                         ("yes", "priors must be true, false or a mapping")):
        with pytest.raises(ScenarioError, match=text) as info:
            parse_scenario({**base, "uncertainty": {"samples": 5, "priors": priors}})
        assert info.value.field == "uncertainty.priors"
    # the priors are part of the scenario: another prior table, another digest (run id)
    assert ok.digest() != sc.digest()


def test_samples_of_priors_that_no_engine_reads_are_no_effect():
    from twin.errors import NoEffectError
    from twin.scenario.checks import check_scenario

    doc = {"name": "t", "inputs": {"files": ["a.geojson"]}, "domains": ["soil"], "uncertainty": {"samples": 5}}
    sc = parse_scenario({**doc, "soil": {"hydraulics_spread": 0.0, "texture": "Silt Loam"}})
    with pytest.raises(NoEffectError, match="reads the sampled building attributes"):
        check_scenario(sc)
    check_scenario(parse_scenario(doc))  # the samples draw the soil hydraulics: they have an effect
