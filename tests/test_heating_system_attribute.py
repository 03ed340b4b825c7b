"""A building's heating system from data: the scene attribute ``heating_system``.

* an overrides table (``twin ingest --overrides``) or a ``heating_system`` column of the file
  gives the system (source ``user`` / ``data``); a misspelt value is one line with the closest
  system, exit 2;
* the energy model takes it (``env['system']``, ``system_source`` ``user: scene heating_system``),
  the Monte Carlo priors sample only the systems that are defaults;
* an electricity meter on a building the scene declares electrically heated is calibrated
  (``twin calibrate``, ``twin sync``); on a building declared gas it is refused naming the
  system and its source; :func:`twin.calibration.forward.system_for_carrier` never replaces a
  known system; a heat meter on ``district_heating`` reads the heat bought from the network.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.output_helpers import write_tiny_inputs
from twin.errors import InputError

FLAT = "osm:way/1"
START = "2023-01-15T00:00:00+01:00"


def _flat_geojson(root: Path, inputs: Path, **extra: str) -> Path:
    """One small house, 7 m x 7 m on one storey (``extra``: more properties of the feature)."""
    doc = json.loads((inputs / "district.geojson").read_text(encoding="utf-8"))
    x0, y0, w = 148300.0, 168800.0, 7.0
    props = {"osm_id": "1", "osm_type": "way", "building": "house", "building:levels": "1", "height": "3.5", **extra}
    doc["features"] = [{"type": "Feature", "properties": props,
                        "geometry": {"type": "Polygon", "coordinates": [[[x0, y0], [x0 + w, y0], [x0 + w, y0 + w], [x0, y0 + w], [x0, y0]]]}}]
    path = root / "flat.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _ingest_flat(root: Path, system: str) -> Path:
    inputs = write_tiny_inputs(root / "in")
    overrides = root / f"systems_{system}.csv"
    overrides.write_text(f"building_id,heating_system\n{FLAT},{system}\n", encoding="utf-8")
    result = run_twin(["ingest", _flat_geojson(root, inputs), inputs / "weather.epw", "-o", root / f"scene_{system}", "-q",
                       "--overrides", overrides])
    assert result.code == 0, result.stderr
    return root / f"scene_{system}"


@pytest.fixture(scope="module")
def flats(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Scenes of the small house declared heated by an air-water heat pump, and by a gas boiler; the weather."""
    root = tmp_path_factory.mktemp("heating_system_flat")
    return {"heat_pump": _ingest_flat(root, "heat_pump_air_35"), "gas": _ingest_flat(root, "gas_boiler"),
            "weather": root / "in" / "weather.epw"}


# ---------------------------------------------------------------- scene attribute and the energy model

def test_overrides_system_is_the_envelope_system_with_source_user(flats) -> None:
    from twin.energy.model import build_envelope
    from twin.scene.io import read_scene

    scene = read_scene(flats["heat_pump"])
    b = scene.buildings.set_index("building_id")
    assert b.loc[FLAT, "heating_system"] == "heat_pump_air_35"
    assert b.loc[FLAT, "heating_system_source"] == "user"
    env = build_envelope(scene).set_index("building_id")
    assert env.loc[FLAT, "system"] == "heat_pump_air_35"
    assert env.loc[FLAT, "system_source"] == "user: scene heating_system"
    from twin.scene.provenance import OPTIONAL_PARAMETERS, floor_area_shares

    shares = floor_area_shares(scene.buildings, OPTIONAL_PARAMETERS)
    assert shares.loc["heating_system", "user"] == 1.0


def test_a_file_column_gives_the_system_as_data_and_a_wrong_value_names_file_building_and_field() -> None:
    from twin.ingest.defaults import complete_buildings

    frame = pd.DataFrame({"building_id": ["a", "b", "c"], "footprint_area_m2": [80.0, 90.0, 100.0], "building": "house",
                          "heating_system": ["District_Heating", "", None]})
    done = complete_buildings(frame, path="permits.gpkg")
    assert done["heating_system"].tolist() == ["district_heating", "", ""]
    assert done["heating_system_source"].tolist() == ["data", "default", "default"]
    # an override wins over the file
    over = complete_buildings(frame, path="permits.gpkg", overrides={"a": {"heating_system": "heat_pump"}})
    assert over["heating_system"].tolist()[0] == "heat_pump" and over["heating_system_source"].tolist()[0] == "user"
    frame.loc[1, "heating_system"] = "heatpump"
    with pytest.raises(InputError, match=r"permits\.gpkg; object b; field 'heating_system': value 'heatpump' is not a known heating system \(did you mean 'heat_pump'\?\)"):
        complete_buildings(frame, path="permits.gpkg")


def test_a_heating_system_column_of_a_gis_file_is_data_and_a_wrong_one_is_one_line(tmp_path: Path) -> None:
    from twin.energy.model import build_envelope
    from twin.scene.io import read_scene

    inputs = write_tiny_inputs(tmp_path / "in")
    good = _flat_geojson(tmp_path, inputs, heating_system="Heat_Pump")
    result = run_twin(["ingest", good, "-o", tmp_path / "scene", "-q"])
    assert result.code == 0, result.stderr
    scene = read_scene(tmp_path / "scene")
    b = scene.buildings.set_index("building_id")
    assert (b.loc[FLAT, "heating_system"], b.loc[FLAT, "heating_system_source"], b.loc[FLAT, "heating_system_rule"]) == (
        "heat_pump", "data", "column:heating_system")
    assert build_envelope(scene).set_index("building_id").loc[FLAT, "system_source"] == "data: scene heating_system"
    bad = _flat_geojson(tmp_path, inputs, heating_system="pac")
    assert_one_line_error(run_twin(["ingest", bad, "-o", tmp_path / "scene2", "-q"]),
                          contains=("flat.geojson", FLAT, "'heating_system'", "value 'pac' is not a known heating system"))


def test_misspelt_system_in_the_overrides_is_one_line_with_the_hint(tmp_path: Path) -> None:
    inputs = write_tiny_inputs(tmp_path / "in")
    bad = tmp_path / "systems.csv"
    bad.write_text(f"building_id,heating_system\n{FLAT},gas_boiler\nosm:way/2,heat_pmup_air_35\n", encoding="utf-8")
    line = assert_one_line_error(run_twin(["ingest", _flat_geojson(tmp_path, inputs), "-o", tmp_path / "scene", "-q", "--overrides", bad]),
                                 contains=("systems.csv", "line 3", "osm:way/2", "'heating_system'", "heat_pmup_air_35",
                                           "did you mean 'heat_pump_air_35'"))
    assert "known:" in line and "district_heating" in line
    assert not (tmp_path / "scene").exists()


def test_scene_without_the_attribute_keeps_the_default_system(tmp_path: Path) -> None:
    from twin.energy.model import DEFAULT_SYSTEM_COLUMNS, scene_systems
    from twin.ingest.defaults import complete_buildings

    done = complete_buildings(pd.DataFrame({"building_id": ["a"], "footprint_area_m2": [80.0], "building": "house"}))
    assert "heating_system" not in done  # the default run's scene gains no column
    declared = complete_buildings(pd.DataFrame({"building_id": ["a", "b"], "footprint_area_m2": [80.0, 90.0], "building": "house",
                                                "heating_system": ["", "oil_boiler"]}))
    known, system, source = scene_systems(declared)
    assert known.tolist() == [False, True] and system[1] == "oil_boiler" and source[1] == "data: scene heating_system"
    assert scene_systems(declared.assign(heating_system_source="default")) is None
    assert DEFAULT_SYSTEM_COLUMNS["system"] == "gas_boiler"


# ---------------------------------------------------------------- Monte Carlo priors

def test_monte_carlo_samples_keep_the_declared_system(tmp_path: Path) -> None:
    from twin.energy.priors import load_priors
    from twin.energy.sampled import SampledEnvelopes
    from twin.energy.stock import prepare_stock
    from twin.energy.stock_samples import draw_stock_samples
    from twin.scene.io import read_scene

    inputs = write_tiny_inputs(tmp_path / "in")
    doc = json.loads((inputs / "district.geojson").read_text(encoding="utf-8"))
    first = f"osm:way/{doc['features'][0]['properties']['osm_id']}"
    overrides = tmp_path / "systems.csv"
    overrides.write_text(f"building_id,heating_system\n{first},heat_pump\n", encoding="utf-8")
    result = run_twin(["ingest", inputs / "district.geojson", inputs / "weather.epw", "-o", tmp_path / "scene", "-q", "--overrides", overrides])
    assert result.code == 0, result.stderr
    scene = read_scene(tmp_path / "scene")
    ids = scene.buildings["building_id"].astype(str).tolist()
    k = ids.index(first)
    samples = draw_stock_samples(scene, load_priors(), 40, 3)
    assert (samples.system[:, k] == "heat_pump").all()
    others = np.delete(samples.system, k, axis=1)
    assert len(set(others.ravel())) > 1  # the defaults are sampled
    env, _ = SampledEnvelopes(scene, prepare_stock(scene), samples).build(np.arange(40), None)
    mine = env["building_id"].astype(str).str.endswith(f"|{first}").to_numpy()
    assert mine.sum() == 40 and (env.loc[mine, "system"] == "heat_pump").all()
    assert (env.loc[~mine, "system"] != "gas_boiler").any()


# ---------------------------------------------------------------- calibration

def _monthly(path: Path, carrier: str, kwh: float, n: int = 6) -> Path:
    t = pd.date_range("2023-01-01", periods=n + 1, freq="MS", tz="Europe/Brussels")
    pd.DataFrame({"building_id": FLAT, "carrier": carrier, "start": [x.isoformat() for x in t[:-1]], "end": [x.isoformat() for x in t[1:]],
                  "kwh": kwh}).to_csv(path, index=False)
    return path


def _hours(path: Path, carrier: str, kwh: float = 0.8) -> Path:
    t = pd.date_range(pd.Timestamp(START), periods=24, freq="h")
    pd.DataFrame({"building_id": FLAT, "carrier": carrier, "start": [h.isoformat() for h in t],
                  "end": [(h + pd.Timedelta("1h")).isoformat() for h in t], "kwh": kwh}).to_csv(path, index=False)
    return path


def test_calibrate_an_electricity_meter_of_a_declared_heat_pump(flats, tmp_path: Path) -> None:
    out = tmp_path / "cal"
    result = run_twin(["calibrate", flats["heat_pump"], "--meters", _monthly(tmp_path / "elec.csv", "electricity", 250.0), "-o", out,
                       "--draws", "10", "-q"])
    assert result.code == 0, result.stderr
    (b,) = json.loads((out / "summary.json").read_text(encoding="utf-8"))["buildings"]
    assert b["carrier"] == "electricity" and b["system_note"] == ""
    assert np.isfinite(b["h_tr_factor_p50"])


def test_calibrate_refuses_an_electricity_meter_of_a_declared_gas_boiler(flats, tmp_path: Path) -> None:
    out = tmp_path / "cal"
    line = assert_one_line_error(run_twin(["calibrate", flats["gas"], "--meters", _monthly(tmp_path / "elec.csv", "electricity", 250.0),
                                           "-o", out, "-q"]),
                                 contains=("elec.csv", "row 2", f"building {FLAT!r}", "'carrier'", "gas_boiler (user: scene heating_system)"))
    assert "declare it" not in line  # the system is declared: no advice to declare it
    assert not out.exists()


def test_sync_assimilates_electricity_readings_of_a_declared_heat_pump(flats, tmp_path: Path) -> None:
    state = tmp_path / "state.npz"
    init = run_twin(["sync", "init", flats["heat_pump"], "-w", flats["weather"], "--start", START, "--from-prior", "-o", state])
    assert init.code == 0, init.stderr
    result = run_twin(["sync", "update", state, "--readings", _hours(tmp_path / "elec.csv", "electricity"), "-w", flats["weather"]])
    assert result.code == 0, result.stderr
    assert "1 day assimilated" in result.stdout and "carriers:" not in result.stdout
    gas = run_twin(["sync", "init", flats["gas"], "-w", flats["weather"], "--start", START, "--from-prior", "-o", tmp_path / "gas.npz"])
    assert gas.code == 0, gas.stderr
    assert_one_line_error(run_twin(["sync", "update", tmp_path / "gas.npz", "--readings", tmp_path / "elec.csv", "-w", flats["weather"]]),
                          contains=("elec.csv", "row 2", "electricity meter", "gas_boiler (user: scene heating_system)"))


def test_system_for_carrier_replaces_only_a_default_system() -> None:
    from twin.calibration.forward import system_for_carrier

    assert system_for_carrier("heat_pump", "gas", source="default: existing gas boiler") == ("gas_boiler", "system heat_pump -> gas_boiler (gas meter)")
    assert system_for_carrier("heat_pump", "gas") == ("gas_boiler", "system heat_pump -> gas_boiler (gas meter)")  # no source: a default
    assert system_for_carrier("oil_boiler", "gas", source="inferred from neighbours")[0] == "gas_boiler"
    with pytest.raises(InputError, match=r"a gas meter on a building heated by heat_pump \(user: scene heating_system\)"):
        system_for_carrier("heat_pump", "gas", source="user: scene heating_system")
    with pytest.raises(InputError, match=r"an oil meter on a building heated by gas_boiler_condensing \(data: scene heating_system\)"):
        system_for_carrier("gas_boiler_condensing", "oil", source="data: scene heating_system")
    with pytest.raises(InputError, match=r"electricity meter cannot calibrate a building heated by gas_boiler \(user: scene heating_system\)"):
        system_for_carrier("gas_boiler", "electricity", source="user: scene heating_system")
    assert system_for_carrier("heat_pump_air_35", "electricity", source="user: scene heating_system") == ("heat_pump_air_35", "")
    assert system_for_carrier("district_heating", "heat", source="user: scene heating_system") == ("district_heating", "")
    with pytest.raises(InputError, match="unknown heating system 'gas_boiler_partload'"):
        system_for_carrier("gas_boiler_partload", "gas", source="user: scene heating_system")


def test_a_heat_meter_of_district_heating_reads_the_heat_bought(flats) -> None:
    from twin.calibration.forward import ForwardModel, Layout
    from twin.energy.calibrated import PARAMETERS
    from twin.energy.model import build_envelope, load_factors
    from twin.energy.periods import period_index
    from twin.energy.stock import prepare_stock
    from twin.scene.io import read_scene

    scene = read_scene(flats["gas"])
    prep = prepare_stock(scene)
    env = build_envelope(scene, calibrated=False)
    starts = pd.date_range("2023-01-01", periods=3, freq="MS", tz="Europe/Brussels")
    ends = starts + pd.offsets.MonthBegin(1)
    lay = Layout(period_index(prep.drivers.time, starts, ends), starts, ends)
    two = pd.concat([env, env.assign(system="district_heating", system_source="user: scene heating_system")], ignore_index=True)
    fm = ForwardModel(two, prep.drivers, lay, np.array(["heat", "heat"]), conventions=prep.conventions, factors=prep.factors)
    y = fm.predict(np.arange(2), np.full((2, len(PARAMETERS)), np.nan))
    assert (y[0] > 0).all()
    np.testing.assert_allclose(y[1], y[0] / load_factors()["dh_substation_efficiency"], rtol=1e-12)
