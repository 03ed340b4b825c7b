"""Bad-input sweep 4 of ``twin soil``: keys a boundary kind never reads.

A ``head`` top boundary ignored ``rain``, ``evaporation_mm_day`` and ``runon_factor`` (a 30 mm
storm under a head top ran with exit 0 and rain 0 in the totals); an ``atmospheric`` top ignored
``h_m``; a bottom other than ``fixed_head`` ignored ``h_m``. Each is now one ``twin: error:``
line naming the file and the key.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.cli_harness import assert_one_line_error, run_twin
from tests.geojson_builders import square, write_geojson
from twin.errors import InputError
from twin.soil.column import parse_column_spec

CELIA = Path(__file__).parent / "soil_data" / "celia1990.yaml"


def _spec(**changes) -> dict:
    doc = yaml.safe_load(CELIA.read_text())
    doc.update(changes)
    return doc


@pytest.mark.parametrize(
    ("top", "field"),
    [
        ({"kind": "head", "h_m": -0.75, "rain": {"block": {"depth_mm": 30.0, "duration_s": 3600.0}}}, "top.rain"),
        ({"kind": "head", "h_m": -0.75, "evaporation_mm_day": 5.0}, "top.evaporation_mm_day"),
        ({"kind": "head", "h_m": -0.75, "runon_factor": 3.0}, "top.runon_factor"),
        ({"kind": "atmospheric", "h_m": -0.75}, "top.h_m"),
    ],
)
def test_top_key_the_kind_never_reads_is_refused(top: dict, field: str) -> None:
    with pytest.raises(InputError) as err:
        parse_column_spec(_spec(top=top), path="spec.yaml")
    assert err.value.field == field
    assert "would change nothing" in str(err.value) and "spec.yaml" in str(err.value)


@pytest.mark.parametrize("kind", ["free_drainage", "zero_flux", "water_table"])
def test_bottom_head_of_a_kind_without_head_is_refused(kind: str) -> None:
    with pytest.raises(InputError) as err:
        parse_column_spec(_spec(bottom={"kind": kind, "h_m": -10.0}), path="spec.yaml")
    assert err.value.field == "bottom.h_m"


def test_keys_the_kind_reads_still_pass() -> None:
    parse_column_spec(_spec(), path="spec.yaml")  # head top, fixed_head bottom with h_m
    rain = {"block": {"depth_mm": 30.0, "duration_s": 3600.0}}
    spec = parse_column_spec(_spec(top={"kind": "atmospheric", "rain": rain, "evaporation_mm_day": 2.0, "runon_factor": 2.0}))
    assert spec.top.runon_factor == 2.0


def test_cli_storm_under_a_head_top(tmp_path: Path) -> None:
    spec = tmp_path / "storm.yaml"
    top = {"kind": "head", "h_m": -0.75, "rain": {"block": {"depth_mm": 30.0, "duration_s": 3600.0}}}
    spec.write_text(yaml.safe_dump(_spec(top=top)))
    result = run_twin(["soil", "column", spec])
    assert_one_line_error(result, contains=("storm.yaml", "'top.rain'", "would change nothing"))


def _year_spec(tmp_path: Path, bounds: list) -> Path:
    from tests.conftest import shared_path

    spec = {
        "name": "bounds",
        "scene": [str(shared_path("brussels", f"stgilles_{k}_osm2013.geojson")) for k in ("buildings", "landcover", "streets")],
        "weather": str(shared_path("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw")),
        "options": {"grid": {"cell_size_m": 50.0, "bounds": bounds}, "spinup_days": 0},
    }
    path = tmp_path / "year.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


@pytest.mark.parametrize(
    ("bounds", "says"),
    [
        ([148400.0, 168900.0, 148300.0, 168800.0], "xmin < xmax"),  # inverted: ran one cell, exit 0
        ([148300.0, 168800.0, 148300.0, 168900.0], "xmin < xmax"),  # no width: ran two cells, exit 0
        ([float("nan"), 168800.0, 148400.0, 168900.0], "finite"),  # internal error, exit 70
    ],
)
def test_grid_bounds_that_are_no_box_are_refused(bounds: list, says: str) -> None:
    from twin.soil.year import YearOptions

    with pytest.raises(InputError) as err:
        YearOptions.parse({"grid": {"bounds": bounds}}, path="year.yaml")
    assert says in str(err.value) and "grid.bounds" in str(err.value)


def test_grid_bounds_off_the_scene_are_refused() -> None:
    import geopandas as gpd
    import shapely

    from twin.scene import Scene
    from twin.soil.grid import GridOptions, grid_extent

    scene = Scene(crs="EPSG:31370")
    scene.add("sites", gpd.GeoDataFrame({"site_id": ["s"]}, geometry=[shapely.box(148300, 168800, 148400, 168900)], crs="EPSG:31370"))
    assert grid_extent(scene, GridOptions(bounds=(148350, 168850, 148500, 169000))) == (148350, 168850, 148500, 169000)  # overlaps
    with pytest.raises(InputError) as err:
        grid_extent(scene, GridOptions(bounds=(0, 0, 100, 100)))  # Lambert origin, not Saint-Gilles
    assert err.value.field == "grid.bounds" and "hold no building" in str(err.value)


def test_cli_year_over_bounds_off_the_scene(tmp_path: Path) -> None:
    """[0, 0, 100, 100] ran the year over four cells of default open ground, exit 0."""
    result = run_twin(["soil", "year", _year_spec(tmp_path, [0.0, 0.0, 100.0, 100.0])], timeout_s=200)
    assert_one_line_error(result, contains=("year.yaml", "'options.grid.bounds'", "hold no building"))


def test_cli_year_with_a_weather_file_of_another_place(tmp_path: Path) -> None:
    """A complete weather year whose LOCATION is Lyon (560 km) ran over Saint-Gilles with exit 0."""
    from tests.conftest import shared_path

    lines = shared_path("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw").read_text().splitlines(keepends=True)
    parts = lines[0].split(",")
    parts[1], parts[6], parts[7] = "Lyon", "45.7600", "4.8400"
    lines[0] = ",".join(parts)
    far = tmp_path / "lyon.epw"
    far.write_text("".join(lines))
    spec = _year_spec(tmp_path, [148300.0, 168800.0, 148400.0, 168900.0])
    doc = yaml.safe_load(spec.read_text())
    doc["weather"] = str(far)
    spec.write_text(yaml.safe_dump(doc))
    result = run_twin(["soil", "year", spec], timeout_s=200)
    assert_one_line_error(result, contains=("lyon.epw", "'weather'", "Lyon", "km from the scene"))


def _block_spec(tmp_path: Path, layers: list) -> Path:
    import copy

    from tests.test_richards3d_cli import SPEC

    doc = copy.deepcopy(SPEC)
    doc["layers"] = layers
    path = tmp_path / "block.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


@pytest.mark.parametrize(
    ("layers", "field", "says"),
    [
        # gravel 0-0.5 m, then loam from 0.2 m: the overlap went to the loam without a word
        ([{"top_m": 0.0, "bottom_m": 0.5, "material": "gravel"}, {"top_m": 0.2, "bottom_m": 1.0, "material": "loam"}],
         "'layers.1.top_m'", "overlap"),
        # a layer under the 1 m block: it changed nothing
        ([{"top_m": 0.0, "bottom_m": 1.0, "material": "loam"}, {"top_m": 1.0, "bottom_m": 3.0, "material": "gravel"}],
         "'layers.1.top_m'", "would change nothing"),
        # a layer of zero thickness, and one upside down (s55: the message named no key)
        ([{"top_m": 0.0, "bottom_m": 0.2, "material": "gravel"}, {"top_m": 0.2, "bottom_m": 0.2, "material": "loam"},
          {"top_m": 0.2, "bottom_m": 1.0, "material": "loam"}], "'layers.1.bottom_m'", "zero or negative thickness"),
        ([{"top_m": 0.0, "bottom_m": 0.2, "material": "gravel"}, {"top_m": 1.0, "bottom_m": 0.2, "material": "loam"}],
         "'layers.1.bottom_m'", "must end below it"),
        # a material the spec does not define (s55: the message named no key)
        ([{"top_m": 0.0, "bottom_m": 0.2, "material": "gravel"}, {"top_m": 0.2, "bottom_m": 1.0, "material": "clay"}],
         "'layers.1.material'", "'clay' is not among the materials"),
    ],
)
def test_block_layers_that_overlap_or_lie_below_are_refused(tmp_path: Path, layers: list, field: str, says: str) -> None:
    result = run_twin(["soil", "block", _block_spec(tmp_path, layers)])
    assert_one_line_error(result, contains=("block.yaml", field, says))


def test_block_layers_listed_bottom_up_still_run(tmp_path: Path) -> None:
    layers = [{"top_m": 0.2, "bottom_m": 1.5, "material": "loam"}, {"top_m": 0.0, "bottom_m": 0.2, "material": "gravel"}]
    result = run_twin(["soil", "block", _block_spec(tmp_path, layers), "--json"])
    assert result.code == 0, result.stderr


def test_column_material_no_layer_uses_is_refused(tmp_path: Path) -> None:
    """A second material no layer names (a layer left out or misspelt) ran with exit 0."""
    doc = _spec()
    doc["materials"]["clay"] = {"texture": "Clay"}
    spec = tmp_path / "column.yaml"
    spec.write_text(yaml.safe_dump(doc))
    result = run_twin(["soil", "column", spec])
    assert_one_line_error(result, contains=("column.yaml", "'materials.clay'", "used by no layer"))


@pytest.mark.parametrize("with_layers", [True, False])
def test_block_material_no_cell_gets_is_refused(tmp_path: Path, with_layers: bool) -> None:
    import copy

    from tests.test_richards3d_cli import SPEC

    doc = copy.deepcopy(SPEC)
    doc["materials"]["clay"] = {"texture": "Clay"}
    if not with_layers:  # every cell is the first material's (loam): gravel and clay unused
        del doc["layers"]
    path = tmp_path / "block.yaml"
    path.write_text(yaml.safe_dump(doc))
    result = run_twin(["soil", "block", path])
    assert_one_line_error(result, contains=("block.yaml", "'materials.clay'" if with_layers else "'materials.gravel'", "used by no layer"))


@pytest.mark.parametrize(("key", "props"), [("water_table_map", {"water_table_depth_m": 2.0}), ("catchments", {"capacity_m3_s": 1.0})])
def test_cli_year_map_that_covers_no_cell(tmp_path: Path, key: str, props: dict) -> None:
    """A water-table map or sewer catchments of another place (a GeoJSON of Tokyo in longitude and
    latitude): the map was ignored, the catchments took every cell (nearest polygon), exit 0."""
    layer = write_geojson(tmp_path / f"{key}.geojson", [square(139.7, 35.68, 1e-4, **props)], crs=None)
    spec = _year_spec(tmp_path, [148300.0, 168800.0, 148400.0, 168900.0])
    doc = yaml.safe_load(spec.read_text())
    doc[key] = str(layer)
    spec.write_text(yaml.safe_dump(doc))
    result = run_twin(["soil", "year", spec], timeout_s=200)
    assert_one_line_error(result, contains=(f"{key}.geojson", f"'{key}'", "covers no cell of the soil grid"))


def test_cli_year_permeable_paving_class_not_in_the_grid(tmp_path: Path) -> None:
    """permeable_paving_classes: [volcano] ran with exit 0, every result as without it."""
    spec = _year_spec(tmp_path, [148300.0, 168800.0, 148400.0, 168900.0])
    doc = yaml.safe_load(spec.read_text())
    doc["options"]["grid"]["permeable_paving_classes"] = ["volcano"]
    spec.write_text(yaml.safe_dump(doc))
    result = run_twin(["soil", "year", spec], timeout_s=200)
    assert_one_line_error(result, contains=("year.yaml", "'options.grid.permeable_paving_classes'", "'volcano'", "would change nothing"))


def test_cli_column_every_with_json_is_refused() -> None:
    """--every thins the text output only; beside --json it ran with exit 0, changing nothing."""
    result = run_twin(["soil", "column", CELIA, "--json", "--every", "5"])
    assert_one_line_error(result, contains=("'--every'", "--json", "would change nothing"))
    assert result.stdout.strip() == ""
