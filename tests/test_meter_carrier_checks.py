"""Meters whose carrier does not heat the building, and the unit-slip ceiling (``twin calibrate``, ``twin sync update``).

* ``twin sync update`` ignored the readings' carrier: electricity readings of a building the
  scene models with a gas boiler were assimilated as its heating (exit 0); ``twin calibrate``
  refused them without naming the meter file or the building. Now both refuse with one line
  naming the file, the row and building, the modelled system and its source; a gas, oil or heat
  meter on a building whose system is only a default replaces it (recorded), and a sync state
  keeps the carrier it assimilated (:func:`twin.calibration.calibrate.check_carriers`,
  :func:`twin.calibration.sync.reconcile_carriers`).
* the unit-slip check refused any reading above 400 W per m2 of heated floor area, so a small
  flat's hour at full combi-boiler power (24 kW on 42 m2: 576 W/m2) was a "wrong unit". Now a
  reading shorter than a day is bounded by the power of a heating plant (at least 60 kW) and
  every calendar day by 400 W/m2; a slip by 1000 is still refused
  (:func:`twin.calibration.calibrate.check_magnitudes`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.output_helpers import write_tiny_inputs
from twin.calibration.calibrate import check_carriers, check_magnitudes
from twin.errors import InputError

START = "2023-01-15T00:00:00+01:00"
FLAT = "osm:way/1"


@pytest.fixture(scope="module")
def flat(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(scene, weather) of one small house, 7 m x 7 m on one storey: 41.65 m2 of heated floor area."""
    root = tmp_path_factory.mktemp("carrier_flat")
    inputs = write_tiny_inputs(root / "in")
    doc = json.loads((inputs / "district.geojson").read_text(encoding="utf-8"))
    x0, y0, w = 148300.0, 168800.0, 7.0
    doc["features"] = [{"type": "Feature", "properties": {"osm_id": "1", "osm_type": "way", "building": "house", "building:levels": "1", "height": "3.5"},
                        "geometry": {"type": "Polygon", "coordinates": [[[x0, y0], [x0 + w, y0], [x0 + w, y0 + w], [x0, y0 + w], [x0, y0]]]}}]
    (root / "flat.geojson").write_text(json.dumps(doc), encoding="utf-8")
    result = run_twin(["ingest", root / "flat.geojson", inputs / "weather.epw", "-o", root / "scene", "-q"])
    assert result.code == 0, result.stderr
    return root / "scene", inputs / "weather.epw"


def _state(flat: tuple[Path, Path], tmp_path: Path) -> Path:
    scene, weather = flat
    state = tmp_path / "state.npz"
    init = run_twin(["sync", "init", scene, "-w", weather, "--start", START, "--from-prior", "-o", state])
    assert init.code == 0, init.stderr
    return state


def _hours(path: Path, carrier: str, *, days: int = 1, first_day: int = 0, kwh: float = 1.5, start: str = START) -> Path:
    """Hourly readings of the flat, ``days`` whole days from ``first_day`` days after ``start``, ``kwh`` each."""
    t = pd.date_range(pd.Timestamp(start) + pd.Timedelta(days=first_day), periods=24 * days, freq="h")
    pd.DataFrame({"building_id": FLAT, "carrier": carrier, "start": [h.isoformat() for h in t],
                  "end": [(h + pd.Timedelta("1h")).isoformat() for h in t], "kwh": kwh}).to_csv(path, index=False)
    return path


def _set(path: Path, row: int, kwh: float) -> Path:
    """The reading on line ``row`` of the file (the header is line 1) set to ``kwh``."""
    t = pd.read_csv(path)
    t.loc[row - 2, "kwh"] = kwh
    t.to_csv(path, index=False)
    return path


# ---------------------------------------------------------------- carriers: twin sync update

def test_sync_refuses_electricity_readings_of_a_gas_heated_building(flat, tmp_path: Path) -> None:
    state = _state(flat, tmp_path)
    before = state.read_bytes()
    readings = _hours(tmp_path / "electricity.csv", "electricity")
    assert_one_line_error(run_twin(["sync", "update", state, "--readings", readings, "-w", flat[1]]),
                          contains=("electricity.csv", "row 2", f"building {FLAT!r}", "'carrier'", "electricity meter", "gas_boiler",
                                    "default: existing gas boiler", "appliances", "give the meter of its heating carrier"))
    assert state.read_bytes() == before


def test_sync_takes_the_carrier_of_the_first_readings_and_keeps_it(flat, tmp_path: Path) -> None:
    state = _state(flat, tmp_path)
    gas = run_twin(["sync", "update", state, "--readings", _hours(tmp_path / "gas.csv", "gas"), "-w", flat[1]])
    assert gas.code == 0, gas.stderr
    assert "carriers:" not in gas.stdout  # the default gas boiler's carrier: nothing replaced
    (tmp_path / "b").mkdir()
    state2 = _state(flat, tmp_path / "b")  # a new state: its first readings come from a heat meter
    heat = run_twin(["sync", "update", state2, "--readings", _hours(tmp_path / "heat.csv", "heat"), "-w", flat[1]])
    assert heat.code == 0, heat.stderr
    assert f"carriers: 1 building takes the carrier of its readings (heat: 1) instead of the state's default (first: {FLAT!r}, gas before)" in heat.stdout
    before = state2.read_bytes()
    again = _hours(tmp_path / "gas_next_day.csv", "gas", first_day=1)  # the next day, from the other meter
    assert_one_line_error(run_twin(["sync", "update", state2, "--readings", again, "-w", flat[1]]),
                          contains=("gas_next_day.csv", "row 2", f"building {FLAT!r}", "'carrier'", "gas readings",
                                    "has assimilated heat readings", "twin sync init"))
    assert state2.read_bytes() == before
    ok = run_twin(["sync", "update", state2, "--readings", _hours(tmp_path / "heat_next_day.csv", "heat", first_day=1), "-w", flat[1]])
    assert ok.code == 0, ok.stderr
    assert "carriers:" not in ok.stdout


# ---------------------------------------------------------------- carriers: twin calibrate

def _monthly(path: Path, carrier: str, n: int = 6) -> Path:
    t = pd.date_range("2023-01-01", periods=n + 1, freq="MS", tz="Europe/Brussels")
    pd.DataFrame({"building_id": FLAT, "carrier": carrier, "start": [x.isoformat() for x in t[:-1]], "end": [x.isoformat() for x in t[1:]],
                  "kwh": 900.0}).to_csv(path, index=False)
    return path


def test_calibrate_refuses_an_electricity_meter_naming_the_file_and_the_building(flat, tmp_path: Path) -> None:
    out = tmp_path / "cal"
    line = assert_one_line_error(run_twin(["calibrate", flat[0], "--meters", _monthly(tmp_path / "elec.csv", "electricity"), "-o", out, "-q"]),
                                 contains=("elec.csv", "row 2", f"building {FLAT!r}", "'carrier'", "electricity meter", "gas_boiler",
                                           "default: existing gas boiler", "no appliance load"))
    assert "declare it with the heating_system column of an overrides table" in line
    assert not out.exists()


def test_calibrate_records_a_heat_meter_replacing_the_default_boiler(flat, tmp_path: Path) -> None:
    out = tmp_path / "cal"
    result = run_twin(["calibrate", flat[0], "--meters", _monthly(tmp_path / "heat.csv", "heat"), "-o", out, "--draws", "10"])
    assert result.code == 0, result.stderr
    assert "cleaning: carriers: 1 metered building heated by the carrier of its meter (heat: 1), not by the scene's default system" in result.stdout
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    (b,) = summary["buildings"]
    assert b["carrier"] == "heat"
    assert b["system_note"] == "carrier heat from its meter (data); the scene's system gas_boiler was a default"


# ---------------------------------------------------------------- unit slips and real peaks

def test_sync_accepts_a_combi_boiler_hour_of_a_small_flat(flat, tmp_path: Path) -> None:
    state = _state(flat, tmp_path)
    readings = _set(_hours(tmp_path / "combi.csv", "gas"), 9, 24.0)  # 24 kW for an hour on 41.65 m2: 576 W/m2
    result = run_twin(["sync", "update", state, "--readings", readings, "-w", flat[1]])
    assert result.code == 0, result.stderr
    assert "1 day assimilated" in result.stdout


def test_sync_refuses_an_hour_in_wh_naming_its_row(flat, tmp_path: Path) -> None:
    state = _state(flat, tmp_path)
    before = state.read_bytes()
    readings = _set(_hours(tmp_path / "slip.csv", "gas"), 9, 1.5 * 1000.0)  # one hour written in Wh
    assert_one_line_error(run_twin(["sync", "update", state, "--readings", readings, "-w", flat[1]]),
                          contains=("slip.csv", "row 9", f"building {FLAT!r}", "'kwh'", "1,500 kW", "below 60 kW", "wrong unit"))
    assert state.read_bytes() == before


def test_sync_refuses_a_day_in_wh_whose_hours_each_pass(flat, tmp_path: Path) -> None:
    # a summer day of 0.05 kWh per hour written in Wh: 50 kW an hour (below a plant's 60 kW), 1,200 kWh in the day (1,200 W/m2)
    state = _state(flat, tmp_path)
    readings = _hours(tmp_path / "day.csv", "gas", kwh=50.0)
    assert_one_line_error(run_twin(["sync", "update", state, "--readings", readings, "-w", flat[1]]),
                          contains=("day.csv", "row 2", "the 24 readings of 2023-01-15 sum to 1,200 kWh", "W per m2 of heated floor area",
                                    "plausible over a day: below 400", "wrong unit"))


def test_calibrate_accepts_a_combi_hour_and_names_the_hour_of_a_slip(flat, tmp_path: Path) -> None:
    start = "2023-01-01T00:00:00+01:00"
    combi = _set(_hours(tmp_path / "combi.csv", "gas", days=5, start=start), 30, 24.0)
    ok = run_twin(["calibrate", flat[0], "--meters", combi, "-o", tmp_path / "cal", "--draws", "10", "-q"])
    assert ok.code == 0, ok.stderr
    slip = _set(_hours(tmp_path / "slip.csv", "gas", days=5, start=start), 30, 1.5 * 1000.0)
    assert_one_line_error(run_twin(["calibrate", flat[0], "--meters", slip, "-o", tmp_path / "cal2", "-q"]),
                          contains=("slip.csv", "row 30", f"building {FLAT!r}", "'kwh'", "1,500 kW", "wrong unit"))


# ---------------------------------------------------------------- library: sources and ceilings

def _env(system: str, source: str) -> pd.DataFrame:
    return pd.DataFrame({"building_id": ["b"], "system": [system], "system_source": [source], "a_f_m2": [45.0]})


def _readings(carrier: str) -> pd.DataFrame:
    return pd.DataFrame({"building_id": ["b"], "carrier": [carrier], "row": [2]})


def test_a_meter_replaces_a_default_system_but_not_one_from_the_user_or_data() -> None:
    assert check_carriers(_readings("oil"), _env("gas_boiler", "default: existing gas boiler")) == {
        "b": "carrier oil from its meter (data); the scene's system gas_boiler was a default"}
    assert check_carriers(_readings("gas"), _env("gas_boiler", "default: existing gas boiler")) == {}
    assert check_carriers(_readings("heat"), _env("heat_pump", "TABULA typology")) != {}
    assert check_carriers(_readings("heat"), _env("district_heating", "user (building_id=b)")) == {}
    assert check_carriers(_readings("electricity"), _env("heat_pump_air_35", "user (building_id=b)")) == {}
    assert check_carriers(_readings("gas"), pd.DataFrame({"building_id": ["b"], "a_f_m2": [45.0]})) == {  # no system: the meter is the data
        "b": "carrier gas from its meter (data); the scene gives no heating system"}
    with pytest.raises(InputError, match=r"a gas meter on a building the scene models as heated by system heat_pump \(measure hp\), an electricity"):
        check_carriers(_readings("gas"), _env("heat_pump", "measure hp"))
    with pytest.raises(InputError, match=r"disagree on its heating carrier"):
        check_carriers(_readings("heat"), _env("oil_boiler", "data (EPB certificate)"))
    with pytest.raises(InputError, match=r"an electricity meter .* gas_boiler \(user"):
        check_carriers(_readings("electricity"), _env("gas_boiler", "user (building_id=b)"))
    with pytest.raises(InputError, match=r"an electricity meter on a building the scene models as heated by a system it does not give"):
        check_carriers(_readings("electricity"), pd.DataFrame({"building_id": ["b"], "a_f_m2": [45.0]}))


def _one(hours: float, kwh: float, start: str = "2023-01-15T00:00:00+01:00") -> pd.DataFrame:
    s = pd.Timestamp(start)
    return pd.DataFrame({"building_id": ["b"], "start": [s], "end": [s + pd.Timedelta(hours=hours)], "kwh": [kwh], "row": [2]})


def test_the_ceilings_of_a_reading() -> None:
    area = pd.Series([45.0], index=["b"])
    check_magnitudes(_one(1, 24.0), area)  # a combi boiler's hour on 45 m2: 533 W/m2
    check_magnitudes(_one(1, 59.0), area)  # below the 60 kW of the largest combi boilers
    with pytest.raises(InputError, match="below 60 kW"):
        check_magnitudes(_one(1, 61.0), area)
    check_magnitudes(_one(1, 61.0), pd.Series([200.0], index=["b"]))  # 500 W/m2 x 200 m2 = 100 kW
    with pytest.raises(InputError, match="below 100 kW"):
        check_magnitudes(_one(1, 101.0), pd.Series([200.0], index=["b"]))
    check_magnitudes(_one(24, 24 * 0.4 * 45 * 0.99), area)  # a day just below 400 W/m2
    with pytest.raises(InputError, match="plausible over a day or longer: below 400"):
        check_magnitudes(_one(24, 24 * 0.4 * 45 * 1.01), area)
