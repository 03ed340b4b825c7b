""""Did you mean" for a misspelt key in every spec file (:mod:`twin.io.key_hints`).

A misspelt optional key (``fractoin:``, ``hydraulics_sprad:``, ``frame_fractoin:``) was refused
with "unknown key" and no hint: the scenario suggested only among the missing required keys of
the section, the energy zone spec and the soil specs never suggested. Each reader now names the
closest key of the section the key was written in, through the command a planner runs; a key far
from every known key gets no hint.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Annotated, Literal

import pytest
import yaml
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, model_validator

from tests.cli_harness import REPO, assert_one_line_error, run_twin
from tests.output_helpers import write_tiny_inputs
from twin.io.key_hints import closest_key, did_you_mean, hint_for_error, section_keys

EPW = REPO / "data_samples" / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"
ZONE_SPEC = REPO / "tests" / "energy_data" / "bestest_600.yaml"
COLUMN_SPEC = REPO / "tests" / "soil_data" / "celia1990.yaml"
FAR = "zebra_crossing"  # far from every key of every section


# ------------------------------------------------------------------------------ closest_key
@pytest.mark.parametrize(("written", "meant"), [
    ("hydraulics_sprad", "hydraulics_spread"),  # a missing letter
    ("storm_hours_", "storm_hours"),  # an extra character
    ("stomr_mm", "storm_mm"),  # two letters swapped
    ("cell_sise_m", "cell_size_m"),  # a wrong letter
    ("Storm_MM", "storm_mm"),  # case
    ("storm-hours", "storm_hours"),  # a dash for an underscore
    ("storm hours", "storm_hours"),  # a space
])
def test_closest_key_of_real_misspellings(written: str, meant: str) -> None:
    known = ("method", "cell_size_m", "storm_mm", "storm_hours", "hours", "hydraulics_spread")
    assert closest_key(written, known) == meant


@pytest.mark.parametrize("written", [FAR, "colour", "xyz"])
def test_no_hint_for_a_key_far_from_every_known_key(written: str) -> None:
    assert closest_key(written, ("method", "cell_size_m", "storm_mm", "storm_hours", "hours")) is None


def test_no_hint_when_two_keys_are_as_close() -> None:
    """``dw_m`` is one letter from ``dx_m``, ``dy_m`` and ``dz_m``: naming one would be a guess."""
    assert closest_key("dw_m", ("dx_m", "dy_m", "dz_m")) is None
    assert closest_key("dx_mm", ("dx_m", "dy_m", "dz_m")) == "dx_m"


def test_did_you_mean_styles() -> None:
    assert did_you_mean("sd_lgo", ("sd_log", "median")) == " (did you mean 'sd_log'?)"
    assert did_you_mean("sd_lgo", ("sd_log", "median"), parenthesised=False) == "; did you mean 'sd_log'?"
    assert did_you_mean(FAR, ("sd_log", "median")) == ""
    assert did_you_mean("sd_lgo", None) == ""


# ------------------------------------------------------------------------------ section_keys
class _S(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Leaf(_S):
    depth_m: float = 1.0
    width_m: float = 1.0


class _Checked(_S):
    """A union member with a model validator: pydantic tags it ``function-after[_x(), _Checked]``."""

    gap_m: float = 1.0

    @model_validator(mode="after")
    def _x(self):
        return self


class _Aliased(_S):
    lambda_: float = Field(1.0, alias="lambda")
    v: float = Field(1.0, validation_alias=AliasChoices("speed_m_s", "velocity_m_s"))


class _Cat(_S):
    kind: Literal["cat"]
    whiskers: int = 0


class _Dog(_S):
    kind: Literal["dog"]
    tail_m: float = 0.0


class _Root(_S):
    leaves: list[_Leaf] = []
    by_name: dict[str, list[_Leaf]] = {}
    pair: tuple[_Leaf, _Aliased] | None = None
    either: _Leaf | _Checked | None = None
    pets: list[Annotated[_Cat | _Dog, Field(discriminator="kind")]] = []
    free: dict[str, object] = {}


def _extra_locs(data: dict) -> list[tuple]:
    with pytest.raises(ValidationError) as err:
        _Root.model_validate(data)
    return [e["loc"] for e in err.value.errors() if e["type"] == "extra_forbidden"]


def test_walk_through_lists_and_dicts() -> None:
    (loc,) = _extra_locs({"by_name": {"a": [{}, {"dept_m": 1}]}})
    assert loc == ("by_name", "a", 1, "dept_m")
    assert section_keys(_Root, loc) == ("depth_m", "width_m")
    assert hint_for_error(_Root, loc) == " (did you mean 'depth_m'?)"


def test_walk_through_a_fixed_tuple_to_aliases() -> None:
    """The keys a file writes: the alias (``lambda``) and every choice, not the Python names."""
    (loc,) = _extra_locs({"pair": [{}, {"lamda": 1}]})
    assert section_keys(_Root, loc) == ("lambda", "speed_m_s", "velocity_m_s")
    assert hint_for_error(_Root, loc) == " (did you mean 'lambda'?)"
    assert hint_for_error(_Root, ("pair", 1, "velocty_m_s")) == " (did you mean 'velocity_m_s'?)"


def test_walk_through_a_union_by_its_member_tags() -> None:
    locs = _extra_locs({"either": {"gap_mm": 1}})
    assert [loc[1] for loc in locs] == ["_Leaf", "function-after[_x(), _Checked]"]
    assert section_keys(_Root, locs[0]) == ("depth_m", "width_m")
    assert hint_for_error(_Root, locs[1]) == " (did you mean 'gap_m'?)"
    assert section_keys(_Root, ("either", "gap_mm")) == ("depth_m", "width_m", "gap_m")  # no tag: every member's keys


def test_walk_through_a_discriminated_union() -> None:
    (loc,) = _extra_locs({"pets": [{"kind": "cat"}, {"kind": "dog", "tale_m": 1}]})
    assert loc == ("pets", 1, "dog", "tale_m")
    assert section_keys(_Root, loc) == ("kind", "tail_m")
    assert hint_for_error(_Root, loc) == " (did you mean 'tail_m'?)"


@pytest.mark.parametrize("loc", [
    ("free", "a", "x"),  # dict[str, object]: not a model
    ("leaves", "zero", "dept_m"),  # a list item by a name
    ("nope", "dept_m"),  # a key the model does not have
    ("either", "Stranger", "dept_m"),  # a union tag of no member
    ("pets", 0, "bird", "dept_m"),  # a discriminator value of no member
    (),
])
def test_no_section_when_the_loc_does_not_follow_the_model(loc: tuple) -> None:
    assert section_keys(_Root, loc) is None
    assert hint_for_error(_Root, loc) == ""


def test_walk_of_the_scenario_model() -> None:
    """The scenario's modifications are a union discriminated by ``op``; pydantic writes the op in the loc."""
    from twin.scenario.schema import Scenario

    keys = section_keys(Scenario, ("whatifs", 0, "modifications", 0, "change_streets", "capacity_factr"))
    assert keys == ("op", "select", "lanes", "capacity_factor", "free_speed_m_s")
    assert section_keys(Scenario, ("soil", "green_infrastructure", 0, "ponding_depht_m"))[-1] == "media_depth_m"
    assert section_keys(Scenario, ("soil", "priors", "x", "y")) is None  # dict[str, Any]


# ------------------------------------------------------------------------------ the readers, through the CLI
def _scenario_file(tmp: Path, edit) -> Path:
    doc = {"name": "tiny", "inputs": {"files": ["district.geojson"]}, "domains": ["energy", "traffic", "soil"],
           "whatifs": [{"name": "w", "modifications": [
               {"op": "renovate", "select": {"where": {"use": "residential"}}, "measures": ["wall_insulation"]},
               {"op": "change_streets", "select": {"where": {"name": "Rue Haute"}}, "lanes": 1}]}]}
    edit(doc)
    path = tmp / "scenario.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def _mod(i: int, key: str, value):
    return lambda d: d["whatifs"][0]["modifications"][i].update({key: value})


SCENARIO_CASES = [
    ("select-fraction", lambda d: d["whatifs"][0]["modifications"][0]["select"].update(fractoin=0.3),
     "'whatifs.0.modifications.0.select.fractoin'", "unknown key 'fractoin' (did you mean 'fraction'?)"),
    ("union-member", _mod(1, "capacity_factr", 2.0),
     "'whatifs.0.modifications.1.capacity_factr'", "unknown key 'capacity_factr' (did you mean 'capacity_factor'?)"),
    ("soil-option", lambda d: d.update(soil={"hydraulics_sprad": 0.5}),
     "'soil.hydraulics_sprad'", "unknown key 'hydraulics_sprad' (did you mean 'hydraulics_spread'?)"),
    ("sampled-parameter", lambda d: d.update(uncertainty={"samples": 2, "parameters": [
        {"name": "energy.heating_setpoint_c", "dist": "normal", "mean": 20, "sd": 1, "Mean ": 3}]}),
     "'uncertainty.parameters.0.Mean '", "(did you mean 'mean'?)"),
    ("soil-block", lambda d: d.update(soil={"block": {"marjin_m": 5.0}}),
     "'soil.block'", "block.marjin_m: unknown key (did you mean 'margin_m'?)"),
    ("scenario-priors", lambda d: d.update(uncertainty={"samples": 2, "priors": {"heating_setpoint_c": {"sd_bulding_k": 1.0}}}),
     "'uncertainty.priors'", "unknown key 'sd_bulding_k'; did you mean 'sd_building_k'?"),
]


@pytest.mark.parametrize(("edit", "field", "says"), [c[1:] for c in SCENARIO_CASES], ids=[c[0] for c in SCENARIO_CASES])
def test_scenario_validate_names_the_closest_key(tmp_path: Path, edit, field: str, says: str) -> None:
    result = run_twin(["scenario", "validate", _scenario_file(tmp_path, edit), "--no-scene"])
    assert_one_line_error(result, contains=("scenario.yaml", field, says))


def test_scenario_key_far_from_every_key_gets_no_hint(tmp_path: Path) -> None:
    path = _scenario_file(tmp_path, lambda d: d["whatifs"][0]["modifications"][0]["select"].update({FAR: 1}))
    line = assert_one_line_error(run_twin(["scenario", "validate", path, "--no-scene"]), contains=(f"unknown key '{FAR}'",))
    assert "did you mean" not in line


def _zone_spec(tmp: Path, edit) -> Path:
    doc = yaml.safe_load(ZONE_SPEC.read_text(encoding="utf-8"))
    edit(doc)
    path = tmp / "zone.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def _rename(node: dict, old: str, new: str) -> None:
    node[new] = node.pop(old)


@pytest.mark.parametrize(("edit", "field", "hint"), [
    (lambda d: _rename(d["windows"][0], "frame_fraction", "frame_fractoin"), "windows.0.frame_fractoin", "frame_fraction"),
    (lambda d: d["simulation"].update({"exterior-convection": "doe2"}), "simulation.exterior-convection", "exterior_convection"),
], ids=["window", "simulation"])
def test_energy_zone_spec_names_the_closest_key(tmp_path: Path, edit, field: str, hint: str) -> None:
    result = run_twin(["energy", "simulate", _zone_spec(tmp_path, edit), "--weather", EPW])
    assert_one_line_error(result, contains=("zone.yaml", f"'{field}'", f"unknown key (did you mean '{hint}'?)"))


def test_energy_zone_spec_far_key_gets_no_hint(tmp_path: Path) -> None:
    result = run_twin(["energy", "simulate", _zone_spec(tmp_path, lambda d: d["windows"][0].update({FAR: 1})), "--weather", EPW])
    line = assert_one_line_error(result, contains=(f"'windows.0.{FAR}'", "unknown key"))
    assert "did you mean" not in line


def _yaml(tmp: Path, name: str, doc: dict) -> Path:
    path = tmp / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def _column(tmp: Path, edit) -> Path:
    doc = yaml.safe_load(COLUMN_SPEC.read_text(encoding="utf-8"))
    edit(doc)
    return _yaml(tmp, "column.yaml", doc)


def _block(tmp: Path, edit) -> Path:
    from tests.test_richards3d_cli import SPEC

    doc = copy.deepcopy(SPEC)
    edit(doc)
    return _yaml(tmp, "block.yaml", doc)


def _year(tmp: Path, edit) -> Path:
    doc = {"name": "keys", "scene": ["buildings.geojson"], "weather": "weather.epw", "options": {"grid": {"cell_size_m": 50.0}}}
    edit(doc)
    return _yaml(tmp, "year.yaml", doc)


GI = {"kind": "bioretention", "landcover_classes": ["parking"], "area_share": 0.1}
SOIL_CASES = [
    ("column-alias", "column", _column, lambda d: d["materials"]["celia"].update(lamda=0.5), "materials.celia.lamda", "lambda"),
    ("column-grid", "column", _column, lambda d: d["grid"].update(grwoth=1.1), "grid.grwoth", "growth"),
    ("block-side", "block", _block, lambda d: d["sides"]["top"].update(rian_mm_h=3.0), "sides.top.rian_mm_h", "rain_mm_h"),
    ("year-spec", "year", _year, lambda d: d.update(water_tabel_map="wt.geojson"), "water_tabel_map", "water_table_map"),
    ("year-options", "year", _year, lambda d: d["options"].update(green_infrastructure=[{**GI, "ponding_depht_m": 0.2}]),
     "options.green_infrastructure.0.ponding_depht_m", "ponding_depth_m"),
]


@pytest.mark.parametrize(("command", "write", "edit", "field", "hint"), [c[1:] for c in SOIL_CASES], ids=[c[0] for c in SOIL_CASES])
def test_soil_specs_name_the_closest_key(tmp_path: Path, command: str, write, edit, field: str, hint: str) -> None:
    path = write(tmp_path, edit)
    result = run_twin(["soil", command, path])
    assert_one_line_error(result, contains=(path.name, f"'{field}'", f"(did you mean '{hint}'?)"))


@pytest.mark.parametrize(("command", "write", "edit"), [
    ("column", _column, lambda d: d["top"].update({FAR: 1})),
    ("block", _block, lambda d: d["sides"]["top"].update({FAR: 1})),
    ("year", _year, lambda d: d.update({FAR: 1})),
    ("year", _year, lambda d: d["options"]["grid"].update({FAR: 1})),
], ids=["column", "block", "year-spec", "year-options"])
def test_soil_specs_far_key_gets_no_hint(tmp_path: Path, command: str, write, edit) -> None:
    line = assert_one_line_error(run_twin(["soil", command, write(tmp_path, edit)]), contains=(FAR, "unknown key"))
    assert "did you mean" not in line


def test_energy_priors_name_the_closest_key(tmp_path: Path) -> None:
    inputs = write_tiny_inputs(tmp_path / "in")
    priors = tmp_path / "priors.yaml"
    priors.write_text("heating_setpoint_c:\n  sd_bulding_k: 1.0\n", encoding="utf-8")
    result = run_twin(["energy", "run", inputs / "district.geojson", "-w", inputs / "weather.epw", "-o", tmp_path / "out",
                       "--no-plots", "-q", "--samples", "2", "--priors", priors])
    assert_one_line_error(result, contains=("priors.yaml", "'heating_setpoint_c.sd_bulding_k'", "did you mean 'sd_building_k'?",
                                            "(keys: parameter, sd_common_k"))


@pytest.fixture(scope="module")
def metered_scene(tmp_path_factory) -> tuple[Path, Path]:
    """The tiny district ingested into a scene folder, and a year of monthly gas readings of its first building."""
    import pandas as pd

    tmp = tmp_path_factory.mktemp("metered")
    inputs = write_tiny_inputs(tmp / "in")
    scene = tmp / "scene"
    result = run_twin(["ingest", inputs / "district.geojson", inputs / "weather.epw", "-o", scene, "-q"])
    assert result.code == 0, result.stderr
    first = str(pd.read_parquet(scene / "buildings.parquet", columns=["building_id"])["building_id"].iloc[0])
    starts = pd.date_range("2023-01-01", periods=13, freq="MS", tz="Europe/Brussels")
    meters = tmp / "meters.csv"
    pd.DataFrame({"building_id": first, "carrier": "gas", "start": [t.isoformat() for t in starts[:-1]],
                  "end": [t.isoformat() for t in starts[1:]], "kwh": 900.0}).to_csv(meters, index=False)
    return scene, meters


@pytest.mark.parametrize(("text", "field", "says"), [
    ("parameters:\n  h_tr_factor:\n    sd_lgo: 0.3\n", "'parameters.h_tr_factor.sd_lgo'", "unknown key 'sd_lgo'; did you mean 'sd_log'?"),
    ("paramters:\n  h_tr_factor:\n    sd_log: 0.3\n", "'paramters'", "unknown key 'paramters'; did you mean 'parameters'?"),
    ("parameters:\n  h_tr_factr:\n    sd_log: 0.3\n", "'parameters.h_tr_factr'", "unknown parameter 'h_tr_factr'; did you mean 'h_tr_factor'?"),
    # an unknown noise key was merged and never read (exit 0, the packaged noise)
    ("noise:\n  relatve: 0.1\n", "'noise.relatve'", "unknown key 'relatve'; did you mean 'relative'?"),
    (f"noise:\n  {FAR}: 0.1\n", f"'noise.{FAR}'", f"unknown key '{FAR}' (keys: relative"),
], ids=["parameter-key", "top-key", "parameter", "noise-key", "noise-far"])
def test_calibration_priors_name_the_closest_key(metered_scene: tuple[Path, Path], tmp_path: Path, text: str, field: str, says: str) -> None:
    scene, meters = metered_scene
    priors = tmp_path / "priors.yaml"
    priors.write_text(text, encoding="utf-8")
    result = run_twin(["calibrate", scene, "--meters", meters, "--priors", priors, "-o", tmp_path / "cal", "-q"])
    assert_one_line_error(result, contains=("priors.yaml", field, says))


# ------------------------------------------------------------------------------ a misspelt required key
def test_error_to_report_prefers_the_unknown_key_beside_a_missing_one() -> None:
    from twin.io.key_hints import error_to_report

    with pytest.raises(ValidationError) as err:
        _Root.model_validate({"pets": [{"kind": "dog", "tail_m": "long"}, {"knd": "cat"}]})
    errors = err.value.errors()
    assert error_to_report(errors) is errors[0]  # a bad value first: it stays first
    missing = {"type": "missing", "loc": ("pets", 1, "kind")}
    extra = {"type": "extra_forbidden", "loc": ("pets", 1, "knd")}
    elsewhere = {"type": "extra_forbidden", "loc": ("pets", 0, "knd")}
    assert error_to_report([missing, elsewhere, extra]) is extra
    assert error_to_report([missing, elsewhere]) is missing  # no unknown key in that section


REQUIRED_CASES = [
    ("zone-spec", ["energy", "simulate"], _zone_spec, lambda d: _rename(d["windows"][0]["glazing_gap"], "gap_emissivity", "gap_emisivity"),
     "windows.0.glazing_gap.gap_emisivity", "gap_emissivity"),
    ("column", ["soil", "column"], _column, lambda d: _rename(d["top"], "kind", "kindd"), "top.kindd", "kind"),
    ("block", ["soil", "block"], _block, lambda d: _rename(d["grid"], "dx_m", "dx_n"), "grid.dx_n", "dx_m"),
    ("year-spec", ["soil", "year"], _year, lambda d: _rename(d, "weather", "weathr"), "weathr", "weather"),
]


@pytest.mark.parametrize(("command", "write", "edit", "field", "hint"), [c[1:] for c in REQUIRED_CASES], ids=[c[0] for c in REQUIRED_CASES])
def test_a_misspelt_required_key_is_named_not_reported_missing(tmp_path: Path, command: list, write, edit, field: str, hint: str) -> None:
    """Was "field '<the required key>': Field required", without the key written."""
    args = [*command, write(tmp_path, edit)] + (["--weather", EPW] if command[0] == "energy" else [])
    line = assert_one_line_error(run_twin(args), contains=(f"'{field}'", f"(did you mean '{hint}'?)"))
    assert "field required" not in line.lower()
