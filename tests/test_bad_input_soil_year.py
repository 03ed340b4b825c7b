"""Bad-input corpus of issue 17 (a year of soil water): ``twin soil year`` and the new keys of
``twin soil column``. Every case runs the real command line in a child process and must end in
one ``twin: error:`` line (exit 2) naming the file and the key or field, before any soil column
is integrated; no traceback, no hang.

The three cases the issue names: a land cover without coefficients, a water table above the
surface, a sewer capacity of zero; each in the forms a user can write it.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
import yaml

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path
from tests.geojson_builders import square, write_geojson
from tests.soil_helpers import DELETE, edited_spec

TIMEOUT_S = 120.0
SMALL = [148300.0, 168800.0, 148400.0, 168900.0]  # 100 m x 100 m: a failing run stops in seconds


def _data(name: str) -> str:
    return (resources.files("twin") / "data" / name).read_text()


def _year_spec(tmp_path: Path, options: dict | None = None, **top) -> Path:
    spec = {
        "name": "bad input",
        "scene": [str(shared_path("brussels", f"stgilles_{k}_osm2013.geojson")) for k in ("buildings", "landcover", "streets")],
        "weather": str(shared_path("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw")),
        "options": {"grid": {"cell_size_m": 50.0, "bounds": SMALL}, "spinup_days": 0, **(options or {})},
    }
    spec.update(top)
    path = tmp_path / "year.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def _geojson(tmp_path: Path, name: str, props: dict) -> Path:
    """The square of ``SMALL`` (100 m, Lambert 72) with ``props``."""
    return write_geojson(tmp_path / name, [square(SMALL[0], SMALL[1], 100.0, **props)])


# ----------------------------------------------------------------------------- twin soil year
def _case_landcover_missing(tmp_path):
    table = _write(tmp_path, "lc.csv", "\n".join(l for l in _data("soil_landcover_vegetation.csv").splitlines()
                                                 if not l.startswith("residential,")) + "\n")
    return _year_spec(tmp_path, {"landcover_table": table.name}), ("lc.csv", "residential", "cover_class")


def _case_landcover_bad_share(tmp_path):
    table = _write(tmp_path, "lc.csv", _data("soil_landcover_vegetation.csv").replace("park,0.40,", "park,1.40,"))
    return _year_spec(tmp_path, {"landcover_table": table.name}), ("lc.csv", "park", "tree_share")


def _case_vegetation_missing(tmp_path):
    table = _write(tmp_path, "veg.csv", "\n".join(l for l in _data("soil_vegetation.csv").splitlines() if not l.startswith("trees,")) + "\n")
    return _year_spec(tmp_path, {"vegetation_table": table.name}), ("veg.csv", "trees", "vegetation")


def _case_vegetation_kc_text(tmp_path):
    table = _write(tmp_path, "veg.csv", _data("soil_vegetation.csv").replace("lawn,0.90,", "lawn,high,"))
    return _year_spec(tmp_path, {"vegetation_table": table.name}), ("veg.csv", "lawn", "kc_min")


def _case_vegetation_feddes_order(tmp_path):
    table = _write(tmp_path, "veg.csv", _data("soil_vegetation.csv").replace("-2.0,-8.0,-80.0", "-2.0,-8.0,-5.0", 1))
    return _year_spec(tmp_path, {"vegetation_table": table.name}), ("veg.csv", "lawn", "feddes")


def _case_vegetation_missing_column(tmp_path):
    text = _data("soil_vegetation.csv").replace("extinction_k,", "extinction,")
    table = _write(tmp_path, "veg.csv", text)
    return _year_spec(tmp_path, {"vegetation_table": table.name}), ("veg.csv", "extinction_k")


def _case_water_table_default_negative(tmp_path):
    return _year_spec(tmp_path, {"water_table": {"default_depth_m": -0.5}}), ("year.yaml", "options.water_table.default_depth_m", "above the surface")


def _case_water_table_default_zero(tmp_path):
    return _year_spec(tmp_path, {"water_table": {"default_depth_m": 0.0}}), ("year.yaml", "options.water_table.default_depth_m", "above the surface")


def _case_water_table_map_negative(tmp_path):
    wt = _geojson(tmp_path, "wt.geojson", {"water_table_depth_m": -1.0})
    return _year_spec(tmp_path, water_table_map=wt.name), ("wt.geojson", "water_table_depth_m", "above the surface")


def _case_water_table_map_no_field(tmp_path):
    wt = _geojson(tmp_path, "wt.geojson", {"depth": 2.0})
    return _year_spec(tmp_path, water_table_map=wt.name), ("wt.geojson", "water_table_depth_m")


def _case_water_table_map_missing(tmp_path):
    return _year_spec(tmp_path, water_table_map="nowhere.geojson"), ("nowhere.geojson",)


def _case_sewer_outlet_zero(tmp_path):
    return _year_spec(tmp_path, {"sewer": {"outlet_capacity_mm_h": 0.0}}), ("year.yaml", "options.sewer.outlet_capacity_mm_h", "positive")


def _case_sewer_outlet_negative(tmp_path):
    return _year_spec(tmp_path, {"sewer": {"outlet_capacity_mm_h": -2.0}}), ("year.yaml", "options.sewer.outlet_capacity_mm_h")


def _case_sewer_street_diameter_zero(tmp_path):
    table = _write(tmp_path, "streets.csv", _data("soil_sewer_street_classes.csv").replace("residential,yes,0.50,", "residential,yes,0,"))
    return _year_spec(tmp_path, {"sewer": {"street_classes_table": table.name}}), ("streets.csv", "residential", "pipe_diameter_m", "capacity of zero")


def _case_sewer_street_slope_zero(tmp_path):
    table = _write(tmp_path, "streets.csv", _data("soil_sewer_street_classes.csv").replace("primary,yes,1.00,0.005,", "primary,yes,1.00,0,"))
    return _year_spec(tmp_path, {"sewer": {"street_classes_table": table.name}}), ("streets.csv", "primary", "slope")


def _case_sewer_street_class_missing(tmp_path):
    table = _write(tmp_path, "streets.csv", "\n".join(l for l in _data("soil_sewer_street_classes.csv").splitlines()
                                                     if not l.startswith("residential,")) + "\n")
    return _year_spec(tmp_path, {"sewer": {"street_classes_table": table.name}}), ("streets.csv", "residential", "road_class")


def _case_sewer_has_sewer_maybe(tmp_path):
    table = _write(tmp_path, "streets.csv", _data("soil_sewer_street_classes.csv").replace("service,yes,", "service,maybe,"))
    return _year_spec(tmp_path, {"sewer": {"street_classes_table": table.name}}), ("streets.csv", "service", "has_sewer")


def _case_catchment_capacity_zero(tmp_path):
    c = _geojson(tmp_path, "sewers.geojson", {"catchment_id": "north", "capacity_m3_s": 0.0})
    return _year_spec(tmp_path, catchments=c.name), ("sewers.geojson", "north", "capacity_m3_s", "got 0 (a sewer capacity of zero)")


def _case_catchment_capacity_missing(tmp_path):  # s55: 'got np.float64(nan)', and called 'a sewer capacity of zero'
    c = _geojson(tmp_path, "sewers.geojson", {"catchment_id": "north", "capacity_m3_s": None})
    return _year_spec(tmp_path, catchments=c.name), ("sewers.geojson", "north", "capacity_m3_s", "got nan (missing)")


def _case_catchment_id_repeated(tmp_path):  # s55: two catchments of one id ran with exit 0
    west = square(SMALL[0], SMALL[1], 50.0, catchment_id="north", capacity_m3_s=0.5)
    east = square(SMALL[0] + 50.0, SMALL[1], 50.0, catchment_id="north", capacity_m3_s=0.5)
    c = write_geojson(tmp_path / "sewers.geojson", [west, east])
    return _year_spec(tmp_path, catchments=c.name), ("sewers.geojson", "catchment north", "'catchment_id'", "features 0 and 1")


def _case_catchment_no_capacity(tmp_path):
    c = _geojson(tmp_path, "sewers.geojson", {"catchment_id": "north"})
    return _year_spec(tmp_path, catchments=c.name), ("sewers.geojson", "capacity_m3_s")


def _case_catchment_storage_negative(tmp_path):
    c = _geojson(tmp_path, "sewers.geojson", {"catchment_id": "north", "capacity_m3_s": 0.5, "storage_m3": -3.0})
    return _year_spec(tmp_path, catchments=c.name), ("sewers.geojson", "north", "storage_m3")


def _case_unknown_option(tmp_path):
    return _year_spec(tmp_path, {"spinup_dayz": 3}), ("year.yaml", "unknown key 'options.spinup_dayz'")


def _case_option_at_the_top_level(tmp_path):  # the options' own key written beside 'scene:': pointed to 'options:'
    return _year_spec(tmp_path, spinup_days=3), ("year.yaml", "unknown key 'spinup_days'", "did you mean 'options.spinup_days'")


def _case_nested_option_misspelt(tmp_path):
    grid = {"cell_size_m": 50.0, "bounds": SMALL, "cell_sise_m": 3.0}
    return _year_spec(tmp_path, {"grid": grid}), ("year.yaml", "unknown key 'options.grid.cell_sise_m'", "cell_size_m")


def _case_spinup_negative(tmp_path):
    return _year_spec(tmp_path, {"spinup_days": -5}), ("year.yaml", "options.spinup_days")


def _case_stress_ratio_above_one(tmp_path):
    return _year_spec(tmp_path, {"stress_ratio": 1.5}), ("year.yaml", "options.stress_ratio")


def _case_gi_unknown_class(tmp_path):
    gi = [{"kind": "bioretention", "landcover_classes": ["moonbase"], "area_share": 0.1}]
    return _year_spec(tmp_path, {"green_infrastructure": gi}), ("year.yaml", "options.green_infrastructure.landcover_classes", "moonbase")


def _case_gi_zero_share(tmp_path):
    gi = [{"kind": "bioretention", "landcover_classes": ["parking"], "area_share": 0.0}]
    return _year_spec(tmp_path, {"green_infrastructure": gi}), ("year.yaml", "options.green_infrastructure.0.area_share")


def _case_gi_unknown_kind(tmp_path):
    gi = [{"kind": "moat", "landcover_classes": ["parking"], "area_share": 0.1}]
    return _year_spec(tmp_path, {"green_infrastructure": gi}), ("year.yaml", "options.green_infrastructure.0.kind")


def _case_weather_without_rain(tmp_path):
    spec = _year_spec(tmp_path, weather=str(shared_path("weather", "BEL_Brussels.064510_IWEC.epw")))
    return spec, ("BEL_Brussels.064510_IWEC.epw", "precip_mm", "no precipitation")


def _case_texture_unknown(tmp_path):
    return _year_spec(tmp_path, {"grid": {"cell_size_m": 50.0, "bounds": SMALL, "texture": "Moon Dust"}}), ("year.yaml", "texture", "Moon Dust")


def _case_spec_unknown_key(tmp_path):
    return _year_spec(tmp_path, wheather="x.epw"), ("year.yaml", "wheather")


def _case_scene_file_missing(tmp_path):
    return _year_spec(tmp_path, scene=["missing.geojson"]), ("missing.geojson",)


YEAR_CASES = {name[len("_case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("_case_")}


@pytest.mark.parametrize("case", sorted(YEAR_CASES))
def test_soil_year_bad_input_is_one_error_line(tmp_path, case):
    spec, contains = YEAR_CASES[case](tmp_path)
    res = run_twin(["soil", "year", str(spec)], timeout_s=TIMEOUT_S)
    assert_one_line_error(res, contains=contains)


# ----------------------------------------------------------------------------- twin soil column (new keys)
CELIA = Path(__file__).parent / "soil_data" / "celia1990.yaml"
GARDNER = Path(__file__).parent / "soil_data" / "capillary_rise_gardner.yaml"


COLUMN_CASES = {
    "water_table_at_the_surface": (GARDNER, {"bottom.depth_m": 0.0}, ("bottom.depth_m", "above the surface")),
    "water_table_above_the_surface": (GARDNER, {"bottom.depth_m": -1.0}, ("bottom.depth_m", "above the surface")),
    "depth_without_water_table": (CELIA, {"bottom.depth_m": 2.0}, ("bottom", "water_table")),
    "hydrostatic_without_water_table": (CELIA, {"initial": {"hydrostatic": True}}, ("initial.hydrostatic",)),
    "transpiration_without_roots": (GARDNER, {"top.transpiration_mm_day": 3.0}, ("roots",)),
    "feddes_misordered": (GARDNER, {"roots": {"depth_m": 0.5}, "top.transpiration_mm_day": 3.0, "feddes": {"h3l_m": -8.0, "h4_m": -2.0}},
                          ("feddes",)),
    "roots_negative": (GARDNER, {"roots": {"depth_m": -0.5}}, ("roots.depth_m",)),
    "gardner_alpha_negative": (GARDNER, {"materials.gardner.alpha_per_m": -1.0}, ("materials.gardner.alpha_per_m",)),
    "graded_grid_inverted": (CELIA, {"grid": {"dz_top_m": 0.1, "dz_max_m": 0.01}}, ("grid.dz_top_m",)),
    "graded_and_uniform": (CELIA, {"grid": {"dz_m": 0.01, "dz_top_m": 0.01, "dz_max_m": 0.05}}, ("grid",)),
    "weather_file_missing": (GARDNER, {"top.evaporation_mm_day": DELETE, "top.weather": {"file": "nowhere.epw"}}, ("nowhere.epw",)),
    "weather_vegetation_unknown": (GARDNER, {"top.evaporation_mm_day": DELETE,
                                            "top.weather": {"file": str(shared_path("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw")),
                                                            "vegetation": "cactus"}}, ("top.weather.vegetation", "cactus")),
    "weather_and_constant_demand": (GARDNER, {"top.weather": {"file": "x.epw"}}, ("top",)),
    "weather_longer_than_file": (GARDNER, {"top.evaporation_mm_day": DELETE, "duration_s": 2 * 366 * 86400, "output_times_s": [86400],
                                           "top.weather": {"file": str(shared_path("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"))}},
                                 ("duration_s", "longer than the weather")),
}


@pytest.mark.parametrize("case", sorted(COLUMN_CASES))
def test_soil_column_new_keys_bad_input_is_one_error_line(tmp_path, case):
    base, changes, contains = COLUMN_CASES[case]
    path = edited_spec(base, tmp_path, changes)
    res = run_twin(["soil", "column", str(path)], timeout_s=TIMEOUT_S)
    assert_one_line_error(res, contains=("spec.yaml", *contains) if "nowhere" not in case and case != "weather_file_missing" else contains)
