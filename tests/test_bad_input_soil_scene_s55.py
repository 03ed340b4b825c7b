"""Bad input in soil, sync, scene and export (helper fuzz4, s55).

A 0-byte file is refused at the shared gate (:func:`twin.io.paths.check_input_file` with
``refuse_empty``) with one wording, ``empty <what> (0 bytes)``, naming the file: the parsers'
own words for it named no file (pandas: "No columns to parse from file"), or said the format was
"not recognized" (GDAL), or "Parquet magic bytes not found".
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.scenario_helpers import EPW


def test_the_gate_refuses_an_empty_file_only_when_asked(tmp_path: Path) -> None:
    from twin.errors import ParseError
    from twin.io.paths import check_input_file

    empty = tmp_path / "t.csv"
    empty.write_bytes(b"")
    assert check_input_file(empty) == empty  # a placeholder passes the default gate
    with pytest.raises(ParseError) as exc:
        check_input_file(empty, what="street table", field="--streets", refuse_empty=True)
    assert exc.value.message == "empty street table (0 bytes)" and exc.value.path == str(empty) and exc.value.field == "--streets"


def _empty(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(b"")
    return path


@pytest.mark.parametrize(("reader", "name", "what"), [
    ("vegetation", "veg.csv", "vegetation table"),
    ("landcover", "lc.csv", "land-cover vegetation table"),
    ("sewer", "streets.csv", "sewer street-class table"),
])
def test_empty_soil_tables(tmp_path: Path, reader: str, name: str, what: str) -> None:
    from twin.errors import ParseError
    from twin.soil.sewer import read_street_classes
    from twin.soil.vegetation import read_landcover_vegetation, read_vegetation_table

    read = {"vegetation": read_vegetation_table, "landcover": read_landcover_vegetation, "sewer": read_street_classes}[reader]
    path = _empty(tmp_path, name)
    with pytest.raises(ParseError, match=r"\(0 bytes\)") as exc:
        read(path)
    assert exc.value.path == str(path) and "empty" in exc.value.message
    assert what.split()[0] in exc.value.message or reader == "landcover"


@pytest.fixture(scope="module")
def scene_folder(tmp_path_factory) -> Path:
    """Two footprints and the EPW of data_samples, written as a scene folder."""
    import geopandas as gpd
    import shapely

    from twin.export import write_scene
    from twin.ingest import ingest

    folder = tmp_path_factory.mktemp("scene_s55")
    footprints = folder / "footprints.gpkg"
    squares = [shapely.box(148_000 + 20 * i, 168_000, 148_010 + 20 * i, 168_010) for i in range(2)]
    gpd.GeoDataFrame({"building": ["yes"] * 2}, geometry=squares, crs="EPSG:31370").to_file(footprints, layer="buildings", driver="GPKG")
    scene, _ = ingest([footprints, EPW])
    write_scene(scene, folder / "scene")
    return folder / "scene"


@pytest.mark.parametrize(("name", "what"), [
    ("scene.json", "empty scene metadata (0 bytes)"),
    ("buildings.parquet", "empty scene layer file (0 bytes)"),
    ("weather.parquet", "empty scene layer file (0 bytes)"),
])
def test_an_emptied_scene_file_is_named(scene_folder: Path, tmp_path: Path, name: str, what: str) -> None:
    """A scene file truncated to 0 bytes (a disk full, an interrupted copy): 'Parquet magic bytes not found' before."""
    scene = tmp_path / "scene"
    shutil.copytree(scene_folder, scene)
    (scene / name).write_bytes(b"")
    assert_one_line_error(run_twin(["info", scene]), contains=(f"{scene / name}", what))


def test_an_empty_scene_geopackage_is_named(tmp_path: Path) -> None:
    from twin.errors import ParseError
    from twin.scene.io import read_scene

    gpkg = _empty(tmp_path, "scene.gpkg")
    with pytest.raises(ParseError, match=r"empty scene GeoPackage \(0 bytes\)"):
        read_scene(gpkg)


def test_an_empty_sync_state_is_named(tmp_path: Path) -> None:
    from twin.calibration.sync import load_state
    from twin.errors import ParseError

    state = _empty(tmp_path, "state.npz")
    with pytest.raises(ParseError, match=r"empty sync state \(0 bytes\)") as exc:
        load_state(state, None, None)
    assert exc.value.path == str(state)


def test_empty_weather_of_soil_year_is_named(tmp_path: Path) -> None:
    epw = _empty(tmp_path, "w.epw")
    spec = tmp_path / "year.yaml"
    spec.write_text(f"scene: [{EPW}]\nweather: w.epw\n")
    assert_one_line_error(run_twin(["soil", "year", spec]), contains=("w.epw", "empty weather file (0 bytes)"))
    assert epw.stat().st_size == 0


@pytest.mark.parametrize("loader", ["column", "block", "year"])
def test_spec_loaders_refuse_what_the_command_refuses(tmp_path: Path, loader: str) -> None:
    """The library's spec loaders check the file as the command line does: a YAML ending, and the
    column and block specs' size limits (load_column_spec read a spec.txt, and one up to 16 MB)."""
    from twin.errors import InputError, ResourceLimitError
    from twin.io.input_limits import BLOCK_SPEC_MAX_BYTES, COLUMN_SPEC_MAX_BYTES
    from twin.soil.block3d_spec import load_block_spec
    from twin.soil.column import load_column_spec
    from twin.soil.year_spec import load_year_spec

    load = {"column": load_column_spec, "block": load_block_spec, "year": load_year_spec}[loader]
    text = tmp_path / "spec.txt"
    text.write_text("name: x\n")
    with pytest.raises(InputError, match=r"must end in \.yaml, \.yml") as exc:
        load(text)
    assert exc.value.path == str(text)
    if loader != "year":
        limit = {"column": COLUMN_SPEC_MAX_BYTES, "block": BLOCK_SPEC_MAX_BYTES}[loader]
        big = tmp_path / "big.yaml"
        big.write_text("# " + "x" * limit + "\nname: x\n")
        with pytest.raises(ResourceLimitError, match=f"above the limit of {limit:,}"):
            load(big)


@pytest.mark.parametrize(("storm", "start_s"), [("block", 7200.0), ("block", 99999.0), ("chicago", 10000.0)])
def test_a_storm_after_the_end_of_the_column_run_is_refused(storm: str, start_s: float) -> None:
    """A storm that starts when the run has ended fell on nothing: exit 0 with the rain unchanged before."""
    from twin.errors import InputError
    from twin.soil.column import parse_column_spec

    rain = ({"block": {"depth_mm": 30.0, "duration_s": 3600.0, "start_s": start_s}} if storm == "block" else
            {"chicago": {"a": 1000.0, "b": 10.0, "c": 0.8, "duration_s": 3600.0, "step_s": 300.0, "start_s": start_s}})
    spec = {"materials": {"l": {"texture": "Loam"}}, "layers": [{"top_m": 0.0, "bottom_m": 1.0, "material": "l"}],
            "grid": {"dz_m": 0.02}, "initial": {"h_m": -1.0}, "top": {"kind": "atmospheric", "rain": rain},
            "bottom": {"kind": "free_drainage"}, "duration_s": 7200.0, "output_times_s": [3600.0, 7200.0]}
    with pytest.raises(InputError, match="no rain would fall") as exc:
        parse_column_spec(spec, path="c.yaml")
    assert exc.value.field == f"top.rain.{storm}.start_s" and exc.value.path == "c.yaml"
    rain[storm]["start_s"] = 3600.0
    assert parse_column_spec(spec).top.rain is not None  # within the run: accepted


def test_a_layer_cut_short_is_refused(scene_folder: Path, tmp_path: Path) -> None:
    """buildings.parquet holding fewer rows than scene.json lists (a layer cut, or another scene's)
    was read as it stood, exit 0."""
    import geopandas as gpd

    scene = tmp_path / "scene"
    shutil.copytree(scene_folder, scene)
    gpd.read_parquet(scene / "buildings.parquet").iloc[:1].to_parquet(scene / "buildings.parquet")
    assert_one_line_error(run_twin(["info", scene]), contains=(str(scene / "buildings.parquet"), "'rows'",
                                                                "holds 1 row of the buildings layer but scene.json lists 2"))
    assert run_twin(["info", scene_folder]).code == 0


@pytest.mark.parametrize(("layers", "field"), [({"buildings": "many"}, "layers.buildings"), ({"buildings": -2}, "layers.buildings"),
                                               (["buildings"], "layers")])
def test_scene_metadata_row_counts_are_checked(scene_folder: Path, tmp_path: Path, layers, field: str) -> None:
    """The row counts of scene.json check each layer file; a count that is no number was ignored."""
    import json

    scene = tmp_path / "scene"
    shutil.copytree(scene_folder, scene)
    meta = json.loads((scene / "scene.json").read_text())
    meta["layers"] = layers
    (scene / "scene.json").write_text(json.dumps(meta))
    assert_one_line_error(run_twin(["info", scene]), contains=("scene.json", f"'{field}'"))


def test_a_geopackage_layer_cut_short_is_refused(scene_folder: Path, tmp_path: Path) -> None:
    """The same check in a scene GeoPackage (its metadata in the twin_scene table)."""
    from twin.export import write_scene
    from twin.scene.io import read_scene

    gpkg = tmp_path / "scene.gpkg"
    scene = read_scene(scene_folder)
    write_scene(scene, gpkg)
    import sqlite3

    with sqlite3.connect(gpkg) as db:
        for (trigger,) in db.execute("select name from sqlite_master where type = 'trigger'").fetchall():
            db.execute(f'drop trigger "{trigger}"')  # the R-tree triggers call SpatiaLite functions
        db.execute("delete from buildings where fid = (select max(fid) from buildings)")
    assert_one_line_error(run_twin(["info", gpkg]), contains=("scene.gpkg", "'rows'", "the buildings layer of scene.gpkg holds 1 row but "
                                                              "the twin_scene table lists 2"))
