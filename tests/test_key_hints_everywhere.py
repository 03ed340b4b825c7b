"""One "did you mean" rule everywhere (:mod:`twin.io.key_hints`): names, columns, values.

The scenario's measures and service categories, its KPI filter, land-cover classes, the columns
and values of a selection, ``twin energy run --measure``, the dynamic-traffic settings keys each
called ``difflib.get_close_matches`` with its default cutoff 0.6 and no tie rule: a slip of case
or separator (``WALL_INSULATION``, ``DUO_NOISE``) got no hint, a far name got a wrong one
(``pool`` -> ``school``, ``roof`` -> ``roof_kind``, street ``Rue Haute`` -> ``Rue Sterkx``), a
tie got the first (``delta`` -> ``deltat``, as close to ``deltan``). The two CSV "unknown column"
messages of the overrides tables gave no hint. Every case runs the command a planner runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.cli_harness import REPO, assert_one_line_error, run_twin
from tests.output_helpers import write_tiny_inputs
from tests.test_bad_input_engines import write_scenario
from tests.test_bad_input_scenario import TIMEOUT_S, _select, corpus, write_case  # noqa: F401  (corpus: the fixture)
from tests.test_cli_bad_input_sweep_traffic import _settings
from twin.io.key_hints import closest_value

BUILDINGS = REPO / "data_samples" / "stgilles_buildings_osm2013.geojson"
EPW = REPO / "data_samples" / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"


# ------------------------------------------------------------------------------ closest_value
def test_closest_value_counts_a_tie_only_between_values() -> None:
    """Two spellings of one name (the halves of a bilingual street name) are no tie."""
    assert closest_value("rue hautx", {"rue haute": "A", "rue hauta": "B"}) is None  # two values as close
    assert closest_value("rue hautx", {"rue haute": "A", "rue hauta": "A"}) == "A"  # two spellings of one value
    spellings = {"rue haute": "Rue Haute - Hoogstraat", "hoogstraat": "Rue Haute - Hoogstraat", "rue haut": "Rue Haut"}
    assert closest_value("hoogstrat", spellings) == "Rue Haute - Hoogstraat"
    assert closest_value("Rue-Haute", spellings) == "Rue Haute - Hoogstraat"  # separators folded
    assert closest_value("RUE HAUTE", {"rue haute": "A", "Rue-Haute": "B"}) is None  # two values equal but for case


# ------------------------------------------------------------------------------ the scenario, no scene
def _doc(**top) -> dict:
    doc = {"name": "hints", "inputs": {"files": ["district.geojson"]}, "domains": ["energy", "traffic", "soil"],
           "whatifs": [{"name": "w", "modifications": [
               {"op": "renovate", "select": {"where": {"use": "residential"}}, "measures": ["wall_insulation"]}]}]}
    doc.update(top)
    return doc


def _measures(ms: list[str]) -> dict:
    doc = _doc()
    doc["whatifs"][0]["modifications"][0]["measures"] = ms
    return doc


def _deseal(cover_class: str) -> dict:
    return _doc(domains=["soil"], whatifs=[{"name": "plant", "modifications": [
        {"op": "deseal", "select": {"where": {"cover_class": "parking"}}, "sealed_fraction": 0.1, "cover_class": cover_class}]}])


NO_SCENE_CASES = [
    ("measure-case", _measures(["WALL_INSULATION"]), ("whatifs.0.modifications.0.measures", "unknown measure 'WALL_INSULATION'",
                                                      "did you mean 'wall_insulation'?", "(known: wall_insulation")),
    ("category-case", _doc(traffic={"access_categories": ["POST"]}),
     ("traffic.access_categories", "unknown service category 'POST'; did you mean 'post'? (known: bank")),
    ("kpi-separators", _doc(kpis=["HEATING-NEED-MWH"]), ("kpis.0", "unknown KPI 'HEATING-NEED-MWH'; did you mean 'heating_need_mwh'?")),
    ("landcover-case", _deseal("PARKING"), ("whatifs.0.modifications.0.cover_class", "'PARKING'", "did you mean 'parking'? (classes: ")),
]


@pytest.mark.parametrize(("doc", "says"), [c[1:] for c in NO_SCENE_CASES], ids=[c[0] for c in NO_SCENE_CASES])
def test_scenario_names_the_closest_name(tmp_path: Path, doc: dict, says: tuple[str, ...]) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    assert_one_line_error(run_twin(["scenario", "validate", "--no-scene", path]), contains=("scenario.yaml", *says))


FAR_NO_SCENE_CASES = [
    # difflib's 0.6 named 'school' (ratio 0.73)
    ("category", _doc(traffic={"access_categories": ["pool"]}), ("unknown service category 'pool'", "(known: bank")),
]


@pytest.mark.parametrize(("doc", "says"), [c[1:] for c in FAR_NO_SCENE_CASES], ids=[c[0] for c in FAR_NO_SCENE_CASES])
def test_scenario_far_name_gets_no_hint(tmp_path: Path, doc: dict, says: tuple[str, ...]) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    line = assert_one_line_error(run_twin(["scenario", "validate", "--no-scene", path]), contains=says)
    assert "did you mean" not in line


# ------------------------------------------------------------------------------ selections, on the scene
SCENE_CASES = [
    ("column-separators", _select({"where": {"CONSTRUCTION-YEAR": {"max": 1970}}}),
     ("select.where.CONSTRUCTION-YEAR", "has no column 'CONSTRUCTION-YEAR'; did you mean 'construction_year'?"), True),
    ("value-case", _select({"where": {"use": "RESIDENTIAL"}}), ("no building has use = 'RESIDENTIAL'; did you mean 'residential'?",), True),
    # difflib's 0.6 named 'roof_kind' (0.62) and street 'Rue Sterkx - Sterkxstraat' (0.67)
    ("column-far", _select({"where": {"roof": "flat"}}), ("has no column 'roof' (columns: ",), False),
    ("street-far", _select({"where": {"name": "Rue Haute"}}, whatif=1), ("no street named 'Rue Haute'; values present:",), False),
]


@pytest.mark.parametrize(("mutate", "says", "hint"), [c[1:] for c in SCENE_CASES], ids=[c[0] for c in SCENE_CASES])
def test_selection_hints(corpus, mutate, says: tuple[str, ...], hint: bool) -> None:  # noqa: F811
    path = write_case(corpus["folder"], "hints", mutate, corpus)
    line = assert_one_line_error(run_twin(["scenario", "validate", path], timeout_s=TIMEOUT_S), contains=(str(path), *says))
    assert ("did you mean" in line) is hint


# ------------------------------------------------------------------------------ the other commands
def test_energy_run_measure_names_the_closest_id(tmp_path: Path) -> None:
    out = tmp_path / "energy"
    result = run_twin(["energy", "run", BUILDINGS, "-w", EPW, "-m", "WALL_INSULATION", "-o", out, "-q"])
    assert_one_line_error(result, contains=("'--measure'", "unknown measure 'WALL_INSULATION': did you mean 'wall_insulation'? known in"))
    assert not out.exists()


@pytest.mark.parametrize(("key", "hint"), [
    ("DUO_NOISE", "did you mean 'duo_noise'? keys read:"),  # case: no hint before
    ("delta", None),  # as close to deltat as to deltan: difflib named deltat
], ids=["case", "tie"])
def test_dynamic_settings_key(tmp_path: Path, key: str, hint: str | None) -> None:
    folder = _settings(write_scenario(tmp_path / "s"), [("deltat", 5), ("tmax", 1800), (key, 0.3)])
    line = assert_one_line_error(run_twin(["traffic", "simulate", folder]), contains=("scenario.csv", "row 4", f"unknown key {key!r}"))
    if hint is None:
        assert "did you mean" not in line
    else:
        assert f"unknown key {key!r}; {hint}" in line


@pytest.mark.parametrize(("header", "says"), [
    ("building_id,heigth_m", "unknown override column(s) ['heigth_m'] (did you mean 'height_m'?); allowed: ['use', 'height_m'"),
    ("building_id,heigth_m,Use", "['heigth_m', 'Use'] (did you mean 'height_m' for 'heigth_m', 'use' for 'Use'?); allowed:"),
], ids=["one", "two"])
def test_ingest_overrides_column_names_the_closest_column(tmp_path: Path, header: str, says: str) -> None:
    inputs = write_tiny_inputs(tmp_path / "in")
    overrides = tmp_path / "attrs.csv"
    values = ",".join(["12"] * (header.count(",")))
    overrides.write_text(f"{header}\nosm:way/1,{values}\n", encoding="utf-8")
    result = run_twin(["ingest", inputs / "district.geojson", "--overrides", overrides, "-o", tmp_path / "scene"])
    assert_one_line_error(result, contains=("attrs.csv", "'heigth_m'", says))


def test_energy_overrides_parameter_names_the_closest_parameter(tmp_path: Path) -> None:
    inputs = write_tiny_inputs(tmp_path / "in")
    overrides = tmp_path / "my_overrides.csv"
    overrides.write_text("building_id,u_wal_w_m2k\nb1,0.5\n", encoding="utf-8")
    result = run_twin(["energy", "run", inputs / "district.geojson", "-w", inputs / "weather.epw", "-o", tmp_path / "out", "--no-plots", "-q",
                       "--overrides", overrides])  # fmt: skip
    assert_one_line_error(result, contains=("my_overrides.csv", "'u_wal_w_m2k'", "unknown parameter in overrides (did you mean 'u_wall_w_m2k'?)"))
