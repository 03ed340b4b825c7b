"""The 5R1C model says which spec keys it ignored (keys only the finer model reads).

A spec may set ``simulation.interior_convection``, ``simulation.exterior_convection``,
``site.terrain``, a construction's ``roughness`` or ``interior_solar_absorptance`` and a window's
``glazing_gap``: the finer model (``--model iso52016``) reads them, the 5R1C model does not. The
BESTEST specs set them on purpose, so a 5R1C run is not refused; its result lists them
(``ignored_inputs``), ``twin energy simulate`` prints one ``twin: note:`` line (none with ``-q``)
and ``--json`` has them under ``ignored_by_model``. The expected keys are read from the YAML
file here, the defaults from the spec's schema.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from tests.cli_harness import run_twin
from tests.conftest import shared_path

DATA = Path(__file__).parent / "energy_data"
DENVER = ("weather", "USA_CO_Denver.Intl.AP.725650_TMY3.epw")
SPEC_600 = DATA / "bestest_600.yaml"
FINER_ONLY_CONSTRUCTION_KEYS = ("roughness", "interior_solar_absorptance")


def _finer_only_keys(raw: dict) -> dict[str, object]:
    """Key path -> value of every finer-only key the YAML mapping sets away from the schema's default."""
    from twin.energy.spec import Construction, Simulation, Site, Window

    def default(model, name: str):
        return model.model_fields[name].get_default(call_default_factory=True)

    found: dict[str, object] = {}
    for name in ("interior_convection", "exterior_convection"):
        if name in raw.get("simulation", {}) and raw["simulation"][name] != default(Simulation, name):
            found[f"simulation.{name}"] = raw["simulation"][name]
    if "terrain" in raw.get("site", {}) and raw["site"]["terrain"] != default(Site, "terrain"):
        found["site.terrain"] = raw["site"]["terrain"]
    for surface in ("wall", "roof", "floor"):
        for name in FINER_ONLY_CONSTRUCTION_KEYS:
            con = raw["envelope"][surface]
            if name in con and con[name] != default(Construction, name):
                found[f"envelope.{surface}.{name}"] = con[name]
    for k, window in enumerate(raw.get("windows", [])):
        if window.get("glazing_gap", default(Window, "glazing_gap")) is not None:
            found[f"windows.{k}.glazing_gap"] = window["glazing_gap"]
    for k, mass in enumerate(raw.get("internal_mass", [])):
        value = mass["construction"].get("interior_solar_absorptance")
        if value is not None and value != default(Construction, "interior_solar_absorptance"):
            found[f"internal_mass.{k}.construction.interior_solar_absorptance"] = value
    return found


def _without_finer_keys(raw: dict) -> dict:
    """The YAML mapping with every finer-only key removed (each back to its default)."""
    out = copy.deepcopy(raw)
    for name in ("interior_convection", "exterior_convection"):
        out.get("simulation", {}).pop(name, None)
    out.get("site", {}).pop("terrain", None)
    for surface in ("wall", "roof", "floor"):
        for name in FINER_ONLY_CONSTRUCTION_KEYS:
            out["envelope"][surface].pop(name, None)
    for window in out.get("windows", []):
        window.pop("glazing_gap", None)
    for mass in out.get("internal_mass", []):
        mass["construction"].pop("interior_solar_absorptance", None)
    return out


@pytest.fixture(scope="module")
def raw_600() -> dict:
    return yaml.safe_load(SPEC_600.read_text())


def test_bestest_600_lists_exactly_the_finer_keys_it_sets_and_they_change_nothing(raw_600):
    """The listed keys are the YAML's finer-only keys; removing them gives the same 5R1C result and an empty list."""
    from twin.energy.spec import load_spec, simulate_spec, spec_from_dict
    from twin.energy.spec_scope import READ_BY_FINER
    from twin.ingest.epw import read_epw

    want = _finer_only_keys(raw_600)
    assert "simulation.exterior_convection" in want and "windows.0.glazing_gap" in want  # the case is not empty
    weather = read_epw(shared_path(*DENVER))
    res = simulate_spec(load_spec(SPEC_600), weather)
    got = {item.field: item.value for item in res["ignored_inputs"]}
    assert got == want
    assert {item.reason for item in res["ignored_inputs"]} == {READ_BY_FINER}  # exterior_convection: doe2

    bare = simulate_spec(spec_from_dict(_without_finer_keys(raw_600)), weather)
    assert bare["ignored_inputs"] == []
    for key in ("heating_mwh", "cooling_mwh", "peak_heating_kw", "peak_cooling_kw", "t_air_mean_c"):
        assert res[key] == bare[key], key  # ignored: the 5R1C numbers do not move


def test_finer_model_lists_none_and_unknown_model_is_an_input_error(raw_600):
    from twin.energy.spec import spec_from_dict
    from twin.energy.spec_scope import ignored_inputs
    from twin.errors import InputError

    spec = spec_from_dict(raw_600)
    assert ignored_inputs(spec, "iso52016") == []
    assert ignored_inputs(spec, "5r1c")
    with pytest.raises(InputError, match="iso99") as exc:
        ignored_inputs(spec, "iso99")
    assert exc.value.field == "model"


def test_wind_keys_name_their_condition_and_keys_no_model_reads_are_not_listed(raw_600):
    """With exterior_convection fixed the finer model reads terrain and roughness only with doe2; a floor has no wind."""
    from twin.energy.spec import spec_from_dict
    from twin.energy.spec_scope import READ_BY_FINER, READ_BY_FINER_WITH_WIND, ignored_inputs, ignored_note

    raw = copy.deepcopy(raw_600)
    raw["simulation"]["exterior_convection"] = "fixed"
    raw["envelope"]["floor"]["roughness"] = "very_rough"
    raw["envelope"]["roof"]["interior_solar_absorptance"] = 0.3
    raw["envelope"]["roof_adiabatic"] = True
    items = {item.field: item for item in ignored_inputs(spec_from_dict(raw), "5r1c")}
    assert "envelope.floor.roughness" not in items and "envelope.roof.roughness" not in items
    assert "simulation.exterior_convection" not in items  # back at its default
    assert items["envelope.wall.roughness"].reason == items["site.terrain"].reason == READ_BY_FINER_WITH_WIND
    assert items["envelope.roof.interior_solar_absorptance"].value == 0.3
    assert items["envelope.roof.interior_solar_absorptance"].reason == READ_BY_FINER
    note = ignored_note("5r1c", list(items.values()))
    assert note is not None and "\n" not in note
    assert f"({READ_BY_FINER})" in note and f"({READ_BY_FINER_WITH_WIND})" in note
    assert ignored_note("5r1c", []) is None


def _notes(result) -> list[str]:
    return [line for line in result.stderr_lines if line.startswith("twin: note:")]


def test_cli_prints_one_note_and_the_json_lists_the_keys(raw_600):
    want = _finer_only_keys(raw_600)
    epw = shared_path(*DENVER)
    run = run_twin(["energy", "simulate", SPEC_600, "--weather", epw, "--json"])
    assert run.code == 0, run.stderr
    data = json.loads(run.stdout)
    assert {item["field"]: item["value"] for item in data["ignored_by_model"]} == want
    assert all("--model iso52016" in item["reason"] for item in data["ignored_by_model"])
    notes = _notes(run)
    assert len(notes) == 1, run.stderr
    assert notes[0].startswith("twin: note: the 5r1c model ignores ") and "--model iso52016" in notes[0]
    for field in want:
        assert field in notes[0], field
    assert f"simulation.exterior_convection={raw_600['simulation']['exterior_convection']}" in notes[0]

    quiet = run_twin(["energy", "simulate", SPEC_600, "--weather", epw, "-q"])
    assert quiet.code == 0, quiet.stderr
    assert _notes(quiet) == [] and "heating" in quiet.stdout


def test_cli_spec_without_finer_keys_and_finer_model_print_no_note(raw_600, tmp_path):
    epw = shared_path(*DENVER)
    bare = tmp_path / "bare.yaml"
    bare.write_text(yaml.safe_dump(_without_finer_keys(raw_600), sort_keys=False))
    run = run_twin(["energy", "simulate", bare, "--weather", epw, "--json"])
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["ignored_by_model"] == [] and _notes(run) == []

    finer = run_twin(["energy", "simulate", SPEC_600, "--weather", epw, "--model", "iso52016", "--json"])
    assert finer.code == 0, finer.stderr
    data = json.loads(finer.stdout)
    assert data["zone_model"] == "iso52016" and data["ignored_by_model"] == [] and _notes(finer) == []
