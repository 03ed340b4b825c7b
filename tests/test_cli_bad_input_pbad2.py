"""Second bad-input sweep of the command line (task pbad2): each case failed before its fix.

Every case runs the real command line in a child process (:func:`tests.cli_harness.run_twin`) and
must end in one ``twin: error:`` line naming the file and the field (or option), exit status 2,
no traceback; the warnings end in one ``twin: warning:`` line and exit 0.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path
from tests.geojson_builders import square, write_geojson
from tests.output_helpers import write_tiny_inputs
from tests.scenario_helpers import SAMPLES

STREETS = SAMPLES / "stgilles_streets_osm2013.geojson"


def _text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_simulate_demand_rows_are_csv_lines(tmp_path: Path) -> None:
    """The second data row of a scene's demand table is line 3 of the file (was 'demand row 1',
    while the other tables count CSV lines)."""
    od = _text(tmp_path / "od.csv", "origin,destination,t_start_s,t_end_s,vehicles\nn1,n2,0,600,10\nn1,n2,0,600,-5\n")
    result = run_twin(["traffic", "simulate", STREETS, "--demand", od, "-q"])
    assert_one_line_error(result, contains=("od.csv", "demand row 3", "'vehicles'"))



def _warnings(result) -> list[str]:
    return [line for line in result.stderr_lines if line.startswith("twin: warning:")]


def test_simulate_crs_on_a_written_scene_is_a_warning(tmp_path: Path) -> None:
    """A written scene keeps its CRS: a valid --crs was not used and nothing said so."""
    from twin.scene.io import read_scene
    from twin.traffic.network import Network

    scene = tmp_path / "scene"
    assert run_twin(["ingest", STREETS, "-o", scene, "-q"]).code == 0
    net = Network.from_scene(read_scene(scene), mode="car")
    a, b = net.node_ids[net.from_node[0]], net.node_ids[net.to_node[0]]
    od = _text(tmp_path / "od.csv", f"origin,destination,t_start_s,t_end_s,vehicles\n{a},{b},0,60,1\n")
    result = run_twin(["traffic", "simulate", scene, "--demand", od, "--crs", "EPSG:31370", "--duration", "120", "-q"])
    assert result.code == 0, result.stderr
    assert len(_warnings(result)) == 1 and "--crs EPSG:31370 was not used" in _warnings(result)[0]


@pytest.mark.parametrize(
    ("option", "value", "text"),
    [("--spacing", "0", "sensor spacing"), ("--surfaces", "roof,bogus", "unknown surface 'bogus'"), ("--max-distance", "-1", "search distance")],
)
def test_cadastre_errors_name_the_option(tmp_path: Path, option: str, value: str, text: str) -> None:
    """Were named by the fields of CadastreOptions ('spacing_m', 'kinds', 'max_distance_m')."""
    inputs = write_tiny_inputs(tmp_path / "in")
    result = run_twin(["solar", "cadastre", inputs / "district.geojson", "-w", inputs / "weather.epw", "-o", tmp_path / "out", option, value, "-q"])
    assert_one_line_error(result, contains=(f"'{option}'", text))


def test_cadastre_cityjson_output_needs_a_cityjson_name(tmp_path: Path) -> None:
    """--cityjson x.txt wrote a CityJSON document under a name no reader takes for one (exit 0)."""
    inputs = write_tiny_inputs(tmp_path / "in")
    result = run_twin(["solar", "cadastre", inputs / "district.geojson", "-w", inputs / "weather.epw", "-o", tmp_path / "out",
                       "--cityjson", tmp_path / "b.txt", "-q"])
    assert_one_line_error(result, contains=("b.txt", "'--cityjson'", ".city.json"))
    assert not (tmp_path / "out").exists() and not (tmp_path / "b.txt").exists()


def test_cadastre_cityjson_output_of_a_cityjson_input_is_refused_before_the_work(tmp_path: Path) -> None:
    """Was refused only after the whole cadastre had been computed and OUT written (exit 2, OUT left)."""
    weather = write_tiny_inputs(tmp_path / "in") / "weather.epw"
    result = run_twin(["solar", "cadastre", shared_path("gis", "delft.city.json"), "-w", weather, "-o", tmp_path / "out",
                       "--cityjson", tmp_path / "b.city.json", "--method", "horizon", "-q"])
    assert_one_line_error(result, contains=("delft.city.json", "'--cityjson'", "footprint scene"))
    assert not (tmp_path / "out").exists()


def test_pv_of_zero_kwp(tmp_path: Path) -> None:
    """--kwp 0 printed 0 kWh/year and an infinite payback (exit 0)."""
    weather = write_tiny_inputs(tmp_path / "in") / "weather.epw"
    assert_one_line_error(run_twin(["solar", "pv", "-w", weather, "--kwp", "0"]), contains=("'--kwp'", "> 0"))


@pytest.fixture
def scene_folder(tmp_path: Path) -> Path:
    """The tiny district and its weather, ingested into a scene folder."""
    inputs = write_tiny_inputs(tmp_path / "in")
    scene = tmp_path / "scene"
    result = run_twin(["ingest", inputs / "district.geojson", inputs / "weather.epw", "-o", scene, "-q"])
    assert result.code == 0, result.stderr
    return scene


@pytest.mark.parametrize(("missing", "layer"), [("buildings.parquet", "buildings layer"), ("weather.parquet", "weather")])
def test_scene_folder_missing_a_layer_file(scene_folder: Path, missing: str, layer: str) -> None:
    """An incomplete copy of a scene (scene.json lists the layer, its file is gone) read as an empty
    layer: twin info printed a scene without buildings or weather (exit 0)."""
    (scene_folder / missing).unlink()
    assert_one_line_error(run_twin(["info", scene_folder]), contains=(str(scene_folder), layer, f"'{missing}'", "missing"))


def test_scene_folder_with_an_unknown_crs_names_its_metadata(scene_folder: Path) -> None:
    """Was 'field crs: unknown scene CRS' without the file."""
    meta = scene_folder / "scene.json"
    meta.write_text(meta.read_text(encoding="utf-8").replace('"EPSG:31370"', '"EPSG:99999"'), encoding="utf-8")
    assert_one_line_error(run_twin(["info", scene_folder]), contains=("scene.json", "'crs'", "EPSG:99999"))


@pytest.mark.parametrize("command", ["ingest", "export"])
@pytest.mark.parametrize("name", ["scene.csv", "scene.geojson"])
def test_scene_output_named_like_another_format(scene_folder: Path, tmp_path: Path, command: str, name: str) -> None:
    """-o scene.csv wrote a folder named scene.csv (GeoParquet inside), exit 0."""
    source = [tmp_path / "in" / "district.geojson"] if command == "ingest" else [scene_folder]
    result = run_twin([command, *source, "-o", tmp_path / name])
    assert_one_line_error(result, contains=(name, "'--out'", "OUT.gpkg"))
    assert not (tmp_path / name).exists()


def test_ingest_source_crs_no_input_uses_is_a_warning(tmp_path: Path) -> None:
    """The district declares EPSG:31370: --source-crs changed nothing and nothing said so."""
    inputs = write_tiny_inputs(tmp_path / "in")
    result = run_twin(["ingest", inputs / "district.geojson", "--source-crs", "EPSG:3812", "-o", tmp_path / "scene", "-q"])
    assert result.code == 0, result.stderr
    assert len(_warnings(result)) == 1 and "--source-crs EPSG:3812 was not used" in _warnings(result)[0]


def _monthly_gas(path: Path, building_id: str, *, kwh: float = 900.0) -> Path:
    """A year (2023) of monthly gas readings of one building, times with their UTC offset."""
    import pandas as pd

    starts = pd.date_range("2023-01-01", periods=13, freq="MS", tz="Europe/Brussels")
    frame = pd.DataFrame({"building_id": building_id, "carrier": "gas", "start": [t.isoformat() for t in starts[:-1]],
                          "end": [t.isoformat() for t in starts[1:]], "kwh": kwh})
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def metered(scene_folder: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The tiny scene and a meter file of its first building."""
    import pandas as pd

    first = str(pd.read_parquet(scene_folder / "buildings.parquet", columns=["building_id"])["building_id"].iloc[0])
    return scene_folder, _monthly_gas(tmp_path / "meters.csv", first)


@pytest.mark.parametrize(
    ("options", "contains"),
    [
        (["--seed", "-1"], ("'--seed'", "0 or more")),
        (["--tz", "Mars/Olympus"], ("'--tz'", "unknown time zone")),
        (["--gas-kwh-per-m3", "-1"], ("'--gas-kwh-per-m3'", "(0, 40]")),
        (["--daily-weather", SAMPLES / "yvr_daily_temperature_2012-2014.csv", "--utc-offset", "30", "--latitude", "49", "--longitude", "-123"],
         ("'--utc-offset'", "[-12, 14]")),
    ],
    ids=["seed-negative", "tz-unknown", "gas-factor-negative", "utc-offset-30-h"],
)
def test_calibrate_options_checked_before_the_work(metered: tuple[Path, Path], tmp_path: Path, options: list, contains: tuple[str, ...]) -> None:
    """--seed -1 and --utc-offset 30 were internal errors (exit 70); an unknown --tz and a negative gas
    factor were never read (the readings carry their offsets and are in kWh) and the run went on (exit 0)."""
    scene, meters = metered
    result = run_twin(["calibrate", scene, "--meters", meters, *options, "-o", tmp_path / "cal", "-q"])
    assert_one_line_error(result, contains=contains)
    assert not (tmp_path / "cal").exists()


def test_calibrate_priors_without_entries(metered: tuple[Path, Path], tmp_path: Path) -> None:
    """An empty --priors file calibrated on the packaged priors (exit 0)."""
    scene, meters = metered
    priors = _text(tmp_path / "priors.yaml", "")
    result = run_twin(["calibrate", scene, "--meters", meters, "--priors", priors, "-o", tmp_path / "cal", "-q"])
    assert_one_line_error(result, contains=("priors.yaml", "'--priors'", "holds no entries"))


def test_calibrate_unit_slip_names_the_meter_file(scene_folder: Path, tmp_path: Path) -> None:
    """The plausibility check named the row and the building but not the file."""
    import pandas as pd

    first = str(pd.read_parquet(scene_folder / "buildings.parquet", columns=["building_id"])["building_id"].iloc[0])
    meters = _monthly_gas(tmp_path / "wh.csv", first, kwh=900_000.0)  # Wh given as kWh
    result = run_twin(["calibrate", scene_folder, "--meters", meters, "-o", tmp_path / "cal", "-q"])
    assert_one_line_error(result, contains=("wh.csv", "row 2", "'kwh'", "wrong unit"))


def test_sync_init_start_that_is_not_a_time(scene_folder: Path, tmp_path: Path) -> None:
    """--start yesterday was an internal error (exit 70), after the scene had been read and simulated."""
    result = run_twin(["sync", "init", scene_folder, "-w", tmp_path / "in" / "weather.epw", "--start", "yesterday", "--from-prior",
                       "-o", tmp_path / "s.npz"])
    assert_one_line_error(result, contains=("'--start'", "not a time"))


def _tiny_scenario(tmp_path: Path, edit) -> Path:
    from tests.output_helpers import tiny_scenario_doc, write_tiny_scenario

    doc = tiny_scenario_doc()
    edit(doc)
    return write_tiny_scenario(tmp_path / "sc", doc=doc)


def test_scenario_selection_id_listed_twice(tmp_path: Path) -> None:
    """ids: [a, a] passed (exit 0): a slip for another id."""
    first = "osm:way/" + json.loads((write_tiny_inputs(tmp_path / "sc") / "district.geojson").read_text())["features"][0]["properties"]["osm_id"]
    path = _tiny_scenario(tmp_path, lambda d: d["whatifs"][0]["modifications"][0].update(select={"ids": [first, first]}))
    result = run_twin(["scenario", "validate", path])
    assert_one_line_error(result, contains=("tiny.yaml", "select.ids", f"{first!r} listed twice"))


def test_scenario_geographic_crs_names_its_key(tmp_path: Path) -> None:
    """inputs.crs: EPSG:4326 was refused by the scene as field 'crs' (the key is inputs.crs)."""
    path = _tiny_scenario(tmp_path, lambda d: d["inputs"].update(crs="EPSG:4326"))
    assert_one_line_error(run_twin(["scenario", "validate", path, "--no-scene"]), contains=("tiny.yaml", "'inputs.crs'", "projected in metres"))


def test_run_no_effect_error_names_the_scenario(tmp_path: Path) -> None:
    """twin scenario validate named the file, twin run only the key path."""
    path = _tiny_scenario(tmp_path, lambda d: d["whatifs"][0]["modifications"][0].update(select={"ids": ["osm:way/1"]}))
    result = run_twin(["run", path, "-o", tmp_path / "out", "-q"])
    assert_one_line_error(result, contains=("tiny.yaml", "'whatifs.0.modifications.0.select'", "matches no building"))
    assert not (tmp_path / "out").exists()


def test_scenario_schema_output_under_a_file(tmp_path: Path) -> None:
    """Was 'file ...: File exists' (no option named)."""
    blocker = _text(tmp_path / "notes.txt", "a file")
    assert_one_line_error(run_twin(["scenario", "schema", "-o", blocker / "schema.json"]), contains=("notes.txt", "'--out'", "is a file"))


@pytest.mark.parametrize(
    ("with_streets", "options", "contains"),
    [(False, [], ("district.geojson", "object links", "no links open to 'walk'")),
     (True, ["--weight", "colour"], ("district.geojson", "'--weight'", "weight column 'colour'"))],
    ids=["no-walkable-link", "weight-column-missing"],
)
def test_access_errors_name_the_scene_and_the_option(tmp_path: Path, with_streets: bool, options: list[str], contains: tuple[str, ...]) -> None:
    """Named neither the scene files nor the option (field 'modes' of 'links', field 'colour')."""
    district = write_tiny_inputs(tmp_path / "in") / "district.geojson"
    files = [STREETS, district] if with_streets else [district]
    assert_one_line_error(run_twin(["traffic", "access", *files, *options]), contains=contains)


def test_ingest_land_cover_sealed_fraction_out_of_range_is_reported(tmp_path: Path) -> None:
    """A given sealed_fraction of 1.5 was replaced by the class value without a word (exit 0, no
    note): it is a value not used as given, like the buildings' (listed, and one warning)."""
    cover = write_geojson(tmp_path / "cover.geojson", [square(148330.0, 168860.0, 60.0, landuse="grass", sealed_fraction=1.5)])
    result = run_twin(["ingest", cover, "-o", tmp_path / "scene"])
    assert result.code == 0, result.stderr
    assert len(_warnings(result)) == 1 and "sealed_fraction 1.5 is not a share in 0..1" in _warnings(result)[0]
    assert "not used as given cover:0: sealed_fraction 1.5" in result.stdout


def test_batch_output_is_a_file(tmp_path: Path) -> None:
    """Was 'file ...: File exists' (no option, no reason)."""
    path = _tiny_scenario(tmp_path, lambda d: None)
    blocker = _text(tmp_path / "results", "a file")
    assert_one_line_error(run_twin(["batch", path.parent, "-o", blocker, "-q"]), contains=("results", "'--out'", "not a folder"))


@pytest.mark.parametrize("command", ["column", "year"])
def test_soil_spec_of_another_format(tmp_path: Path, command: str) -> None:
    """A GeoJSON given as the spec was parsed as YAML and refused for a missing key ('materials',
    'scene'), as if the spec were incomplete; twin soil block already checked the ending."""
    geojson = write_tiny_inputs(tmp_path / "in") / "district.geojson"
    assert_one_line_error(run_twin(["soil", command, geojson]), contains=("district.geojson", "must end in .yaml"))


@pytest.mark.parametrize(
    ("table", "contains"),
    [("building_id,height_m\nosm:way/108234472,-3\n", ("'height_m'", "positive number")),
     ("building_id,use\nosm:way/108234472,castle\n", ("'use'", "'castle' is not one of"))],
    ids=["negative-height", "unknown-use"],
)
def test_ingest_override_values_name_the_overrides_table(tmp_path: Path, table: str, contains: tuple[str, ...]) -> None:
    """The error named the footprint file being ingested (district.geojson), not the table at fault."""
    district = write_tiny_inputs(tmp_path / "in") / "district.geojson"
    overrides = _text(tmp_path / "overrides.csv", table)
    result = run_twin(["ingest", district, "--overrides", overrides, "-o", tmp_path / "scene", "-q"])
    line = assert_one_line_error(result, contains=("overrides.csv", *contains))
    assert "district.geojson" not in line


def test_ingest_defaults_with_an_unknown_section(tmp_path: Path) -> None:
    """A misspelt section (building: instead of buildings:) was merged and read by nothing (exit 0)."""
    district = write_tiny_inputs(tmp_path / "in") / "district.geojson"
    defaults = _text(tmp_path / "defaults.yaml", "building:\n  use_default: office\n")
    result = run_twin(["ingest", district, "--defaults", defaults, "-o", tmp_path / "scene", "-q"])
    assert_one_line_error(result, contains=("defaults.yaml", "'building'", "unknown section"))


@pytest.mark.parametrize("command", ["ingest", "export"])
def test_scene_geopackage_output_over_another_geopackage(scene_folder: Path, tmp_path: Path, command: str) -> None:
    """A GeoPackage that twin did not write (here the footprints as a GeoPackage) was replaced by the
    scene without a word (exit 0); a folder of other things was already refused."""
    import geopandas as gpd

    district = tmp_path / "in" / "district.geojson"
    other = tmp_path / "footprints.gpkg"
    gpd.read_file(district).to_file(other, driver="GPKG")
    before = other.read_bytes()
    source = [district] if command == "ingest" else [scene_folder]
    assert_one_line_error(run_twin([command, *source, "-o", other]), contains=("footprints.gpkg", "'--out'", "not a scene GeoPackage written by twin"))
    assert other.read_bytes() == before


@pytest.fixture
def sync_state(scene_folder: Path, tmp_path: Path) -> Path:
    """A sync state of the tiny scene, from the priors."""
    state = tmp_path / "state.npz"
    result = run_twin(["sync", "init", scene_folder, "-w", tmp_path / "in" / "weather.epw", "--start", "2023-01-15T00:00:00+01:00",
                       "--from-prior", "-o", state])
    assert result.code == 0, result.stderr
    return state


@pytest.mark.parametrize(
    ("table", "contains"),
    [("time,t_out_c\nsoon+01:00,5\n", ("forecast.csv", "'time'", "ISO 8601")),
     ("time,t_out_c\n2023-01-16T00:00:00+01:00,5\n2023-01-16T01:00:00+01:00,\n", ("forecast.csv", "'t_out_c'", "missing"))],
    ids=["time-not-iso", "temperature-missing"],
)
def test_sync_forecast_table(sync_state: Path, tmp_path: Path, table: str, contains: tuple[str, ...]) -> None:
    """A time that is not ISO 8601 was an internal error (exit 70); a missing temperature did not name the table."""
    forecast = _text(tmp_path / "forecast.csv", table)
    result = run_twin(["sync", "forecast", sync_state, "-w", forecast, "--latitude", "50.8", "--longitude", "4.35"])
    assert_one_line_error(result, contains=contains)


def test_sync_forecast_output_is_a_csv(sync_state: Path, tmp_path: Path) -> None:
    """-o forecast.txt wrote the CSV table under that name (exit 0)."""
    result = run_twin(["sync", "forecast", sync_state, "-w", tmp_path / "in" / "weather.epw", "-o", tmp_path / "forecast.txt"])
    assert_one_line_error(result, contains=("forecast.txt", "'--out'", "CSV"))
    assert not (tmp_path / "forecast.txt").exists()
