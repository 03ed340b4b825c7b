"""The soil engine's year method through the scenario runner (issue 17): the scenario path is
run_district_year, planting and green infrastructure what-ifs move the year the right way with
paired Monte Carlo samples, bad year options are one error line.

Small on purpose: a 30 m x 30 m part of Place Morichar at 10 m cells, a 5-day spin-up (the year
itself is the weather file's 8,760 hours), two Monte Carlo samples; the 2 m district is
scenarios/stgilles_soil_year.yaml.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from tests.cli_harness import assert_one_line_error, run_twin

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data_samples"
EPW = DATA / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"
FILES = [DATA / f"stgilles_{k}_osm2013.geojson" for k in ("buildings", "streets", "landcover")]
BOUNDS = [148540.0, 168510.0, 148570.0, 168540.0]  # inside Place Louis Morichar
MORICHAR = "Place Louis Morichar - Louis Moricharplein"


def _scenario(**soil) -> dict:
    return {
        "name": "soil-year-test",
        "inputs": {"files": [str(f) for f in FILES], "weather": str(EPW)},
        "domains": ["soil"],
        "whatifs": [
            {"name": "green", "modifications": [
                {"op": "deseal", "select": {"where": {"name": MORICHAR}}, "sealed_fraction": 0.05, "cover_class": "wood"},
                {"op": "green_infrastructure", "kind": "infiltration_trench", "landcover_classes": ["wood"], "area_share": 0.5},
            ]},
        ],
        "soil": {"method": "year", "cell_size_m": 10.0, "bounds": BOUNDS, "spinup_days": 5, **soil},
        "uncertainty": {"samples": 2, "seed": 11, "priors": False},
    }


@pytest.fixture(scope="module")
def direct():
    """The scene and weather ingested directly (not through the runner)."""
    from twin.ingest import ingest
    from twin.ingest.epw import read_epw

    scene, _ = ingest(FILES)
    return scene, read_epw(EPW)


@pytest.fixture(scope="module")
def comparison():
    from twin.scenario.runner import run_scenario
    from twin.scenario.schema import parse_scenario

    return run_scenario(parse_scenario(_scenario()), base_dir=REPO / "scenarios")


def _k(comparison, whatif: str, kpi: str):
    k = comparison.kpis
    return k[(k["whatif"] == whatif) & (k["kpi"] == kpi)].iloc[0]


def test_the_scenario_path_is_run_district_year(comparison, direct):
    """The baseline KPIs equal a direct call with the YearOptions the scenario stands for."""
    from twin.soil.grid import GridOptions
    from twin.soil.year import YearOptions, run_district_year

    scene, weather = direct
    res = run_district_year(scene, weather, YearOptions(grid=GridOptions(cell_size_m=10.0, bounds=tuple(BOUNDS)), spinup_days=5))
    direct = res.kpis()
    got = comparison.baseline["soil"].kpis
    for name in ("rain_m3", "runoff_m3", "infiltration_m3", "recharge_m3", "capillary_rise_m3", "et_m3", "transpiration_m3",
                 "sewer_overflow_m3", "sewer_cso_m3", "plant_stress_days", "storage_change_m3"):
        assert got[name] == direct[name], name
    assert got["soil_moisture_p50_m3_m3"] == direct["theta_p50"]
    cells = comparison.baseline["soil"].objects
    assert len(cells) == 9 and cells["runoff_m3"].sum() == pytest.approx(direct["runoff_m3"], rel=1e-12)


def test_planting_and_a_trench_lower_runoff_and_raise_et_in_every_paired_sample(comparison):
    assert _k(comparison, "green", "runoff_m3")["delta"] < 0
    assert _k(comparison, "green", "et_m3")["delta"] > 0
    assert _k(comparison, "green", "transpiration_m3")["delta"] > 0
    assert _k(comparison, "green", "infiltration_m3")["delta"] > 0
    assert _k(comparison, "green", "sealed_area_pct")["delta"] < 0
    s = comparison.samples
    soil = s[s["domain"] == "soil"].set_index(["sample", "kpi"])
    assert sorted(soil.index.get_level_values("sample").unique()) == [0, 1]
    for s_ in (0, 1):
        assert soil.loc[(s_, "runoff_m3"), "delta"] < 0 and soil.loc[(s_, "et_m3"), "delta"] > 0
    # the samples draw the priors: the baseline moves from sample to sample
    assert soil.loc[(0, "et_m3"), "baseline"] != soil.loc[(1, "et_m3"), "baseline"]
    row = _k(comparison, "green", "runoff_m3")
    assert row["delta_p_lo"] <= row["delta_p_hi"] < 0


def test_the_green_infrastructure_modification_reaches_the_year_options():
    from twin.errors import NoEffectError
    from twin.ingest import ingest
    from twin.scenario.engines.soil_year import year_options
    from twin.scenario.modifications import apply
    from twin.scenario.schema import SoilOptions, parse_scenario

    sc = parse_scenario(_scenario())
    scene, _ = ingest([FILES[2]])
    green = scene.copy()
    for i, m in enumerate(sc.whatifs[0].modifications):
        apply(green, m, index=i, rng=None, base_dir=REPO)
    assert "meta:soil_green_infrastructure" in green.changed
    opts = year_options(green, sc.soil)
    assert [(g.kind, g.landcover_classes, g.area_share) for g in opts.green_infrastructure] == [("infiltration_trench", ["wood"], 0.5)]
    assert year_options(scene, SoilOptions(method="year", water_table_depth_m=2.0)).water_table.default_depth_m == 2.0
    with pytest.raises(NoEffectError, match="nowhere to go"):  # the scene's woods are not sealed
        apply(scene.copy(), sc.whatifs[0].modifications[1], index=1, rng=None, base_dir=REPO)


def test_a_sample_is_the_year_with_its_drawn_factors(comparison, direct):
    """Sample 0 of the baseline reproduced by hand: the shipped priors drawn with the seed, as
    factors on the crop coefficients, the water-table depth and the outlet capacity."""
    import numpy as np

    from twin.soil.grid import GridOptions
    from twin.soil.groundwater import WaterTableOptions
    from twin.soil.sewer import SewerOptions
    from twin.soil.year import YearOptions, run_district_year

    rng = np.random.default_rng([11, 0x5017])
    f_kc = rng.triangular(0.8, 1.0, 1.2, 2)[0]
    f_wt = rng.triangular(0.5, 1.0, 2.5, 2)[0]
    f_cap = rng.triangular(0.5, 1.0, 2.0, 2)[0]
    scene, weather = direct
    res = run_district_year(scene, weather, YearOptions(
        grid=GridOptions(cell_size_m=10.0, bounds=tuple(BOUNDS)), spinup_days=5, kc_scale=f_kc,
        water_table=WaterTableOptions(default_depth_m=3.0 * f_wt), sewer=SewerOptions(outlet_capacity_mm_h=1.0 * f_cap)))
    s = comparison.samples
    got = s[(s["domain"] == "soil") & (s["sample"] == 0) & (s["whatif"] == "green")].set_index("kpi")["baseline"]
    k = res.kpis()
    for name in ("runoff_m3", "et_m3", "recharge_m3", "capillary_rise_m3", "sewer_overflow_m3"):
        assert got[name] == k[name], name


def test_the_annual_water_balance_closes_in_every_run_and_sample(comparison):
    k = comparison.kpis
    bal = k[k["kpi"] == "water_balance_error_rel"]
    assert len(bal) == 1 and (bal["baseline"] < 1e-9).all() and (bal["whatif_value"] < 1e-9).all()
    s = comparison.samples
    sb = s[s["kpi"] == "water_balance_error_rel"]
    assert (sb["baseline"] < 1e-9).all() and (sb["whatif_value"] < 1e-9).all()
    for r in comparison.kpis.itertuples():
        assert math.isfinite(r.baseline) and math.isfinite(r.whatif_value), r.kpi


def test_the_soil_section_shows_annual_kpis_changes_and_bands(comparison):
    from twin.scenario.report_soil import soil_section

    page = soil_section(comparison)
    assert page.startswith("<section id='soil'>")
    for text in ("runoff to the sewer, m³", "recharge", "evapotranspiration", "sewer overflow", "plant-stress days", "range of the change",
                 "water-balance error", "<h3>green</h3>", "data:image/png;base64"):
        assert text in page, text
    row = _k(comparison, "green", "runoff_m3")
    from twin.scenario.report import _signed
    from twin.scenario.report_labels import delta_bar

    # the band of the change as the report's range bar (its numbers in data-lo/data-hi and the tooltip), no "[lo, hi]" text
    bar = delta_bar("runoff_m3", row["delta"], row["delta_p_lo"], row["delta_p_hi"], row["baseline"], (5.0, 95.0))
    assert bar in page and f"data-lo='{row['delta_p_lo']:.6g}'" in bar and "range of the change" in page
    assert f"[{_signed(row['delta_p_lo'])}, {_signed(row['delta_p_hi'])}]" not in page  # the list form of a range is gone


def _write(tmp_path, data) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(("soil", "field", "text"), [
    ({"water_table_depth_m": 0.0}, "soil.water_table_depth_m", "at or above the surface"),
    ({"sewer_outlet_capacity_mm_h": 0}, "soil.sewer_outlet_capacity_mm_h", "sewer capacity must be positive"),
])
def test_bad_year_options_are_one_error_line(tmp_path, soil, field, text):
    res = run_twin(["scenario", "validate", _write(tmp_path, _scenario(**soil))])
    assert_one_line_error(res, contains=(field, text))


@pytest.mark.parametrize(("soil", "field", "text"), [
    ({"storm_mm": 40}, "soil.storm_mm", "storm_mm is an option of the design storm"),
    ({"priors": {"kc_scale_factor": {"low": 1.5}}}, "soil.priors", "kc_scale_factor.low"),
    ({"priors": {"rain_factor": {"dist": "uniform", "low": 1, "high": 2}}}, "soil.priors", "unknown soil prior"),
    ({"spinup_days": -1}, "soil.spinup_days", "greater than or equal to 0"),
    ({"bounds": [1, 2, 0, 3]}, "soil.bounds", "xmin < xmax"),
    ({"method": "richards", "spinup_days": 10}, "soil.spinup_days", "spinup_days is an option of method: year"),
])
def test_bad_year_options_name_their_field(soil, field, text):
    from twin.errors import ScenarioError
    from twin.scenario.schema import parse_scenario

    data = _scenario(**soil)
    if soil.get("method") == "richards":
        data["uncertainty"] = {"samples": 0}
    with pytest.raises(ScenarioError) as err:
        parse_scenario(data)
    assert err.value.field == field and text in err.value.message


def test_year_checks_without_a_scene_are_one_error_line(tmp_path):
    from twin.errors import NoEffectError, ScenarioError
    from twin.scenario.checks import check_scenario
    from twin.scenario.schema import parse_scenario

    data = _scenario()
    data["whatifs"][0]["modifications"][0]["cover_class"] = "green_space"  # not in the land-cover vegetation table
    assert_one_line_error(run_twin(["scenario", "validate", _write(tmp_path, data)]),
                          contains=("whatifs.0.modifications.0.cover_class", "green_space"))
    data = _scenario()
    data["soil"] = {"method": "richards"}
    data["uncertainty"] = {"samples": 0}
    with pytest.raises(NoEffectError, match="year method only") as err:
        check_scenario(parse_scenario(data))
    assert err.value.field == "whatifs.0.modifications.1"
    with pytest.raises(ScenarioError, match="largest crop-coefficient scale") as err:
        check_scenario(parse_scenario(_scenario(kc_scale=1.8)))
    assert err.value.field == "soil.kc_scale"


def test_a_year_without_weather_is_refused_before_any_engine_runs(tmp_path):
    data = _scenario()
    del data["inputs"]["weather"]
    data["inputs"]["files"] = [str(FILES[2])]  # land cover only: a quick scene
    data["whatifs"] = []
    data["uncertainty"] = {"samples": 0}
    res = run_twin(["run", _write(tmp_path, data), "-o", tmp_path / "out", "-q"])
    assert_one_line_error(res, contains=("inputs.weather", "hourly precipitation"))
    assert not (tmp_path / "out" / "report.html").exists()


def test_samples_on_cheaper_settings_are_shifted_onto_the_central_run(direct):
    """With sample_spinup_days differing from spinup_days a sample is central + (sample - central
    on the sample settings), each term a direct run_district_year call."""
    from twin.scenario.engines.soil_priors import draw_factors, load_soil_priors
    from twin.scenario.engines.soil_year import run_samples_paired
    from twin.scenario.schema import SoilOptions
    from twin.soil.grid import GridOptions
    from twin.soil.groundwater import WaterTableOptions
    from twin.soil.sewer import SewerOptions
    from twin.soil.year import YearOptions, run_district_year

    scene, weather = direct
    scene = scene.copy()
    scene.weather = weather  # the runner's scene carries inputs.weather
    opts = SoilOptions(method="year", cell_size_m=10.0, bounds=BOUNDS, spinup_days=5, sample_spinup_days=0, samples=1)
    base, what, _, notes = run_samples_paired(scene, {}, [opts], seed=3)
    assert len(base) == 1 and what == {} and "shifted onto the central run" in notes[0]
    f_kc, f_wt, f_cap = draw_factors(load_soil_priors(), 1, 3)[0]

    def year(spinup_days, kc=1.0, wt=1.0, cap=1.0):
        return run_district_year(scene, weather, YearOptions(
            grid=GridOptions(cell_size_m=10.0, bounds=tuple(BOUNDS)), spinup_days=spinup_days, kc_scale=kc,
            water_table=WaterTableOptions(default_depth_m=3.0 * wt), sewer=SewerOptions(outlet_capacity_mm_h=cap))).kpis()

    central, cheap_central, cheap_sample = year(5), year(0), year(0, f_kc, f_wt, f_cap)
    for name in ("et_m3", "recharge_m3", "storage_change_m3", "plant_stress_days"):
        assert base[0][name] == pytest.approx(central[name] + cheap_sample[name] - cheap_central[name], rel=1e-12, abs=1e-9), name
    assert base[0]["water_balance_error_rel"] == cheap_sample["water_balance_error_rel"]


@pytest.mark.slow
def test_shifted_samples_of_a_whatif_with_hot_days_run():
    """A what-if that changes the ground cover gets the hot-days KPIs beside its year KPIs; with
    samples on cheaper settings (here sample_spinup_days 0), the shift onto the central run is
    taken over the year KPIs only (the central KPIs remembered for it were once the engine's own
    dict, which the hot-days KPIs then joined: KeyError 'hot_days_surface_temp_midday_c' in
    scenarios/stgilles_soil_year.yaml with samples)."""
    from twin.scenario.runner import run_scenario
    from twin.scenario.schema import parse_scenario

    comp = run_scenario(parse_scenario(_scenario(sample_spinup_days=0)), base_dir=REPO / "scenarios")
    k = comp.kpis
    green = k[k["whatif"] == "green"]
    assert "hot_days_surface_temp_midday_c" in set(green["kpi"])
    assert math.isfinite(_k(comp, "green", "recharge_m3")["delta"])
