"""The soil engine's hot-days surface temperature through the scenario runner (issue 18): a
de-sealing what-if gets the mid-day surface temperature change of its cells with a band from
paired samples of the surface priors, a what-if that changes no ground cover gets none, and the
report's soil-heat section always renders.

Small on purpose: a 30 m x 30 m part of Place Morichar at 10 m cells (the square planted as a
wood), a 6-hour storm, three Monte Carlo samples; the district run is the default scenario
(tests/test_scenario_report.py).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data_samples"
EPW = DATA / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"
FILES = [DATA / f"stgilles_{k}_osm2013.geojson" for k in ("buildings", "streets", "landcover")]
BOUNDS = [148540.0, 168510.0, 148570.0, 168540.0]  # inside Place Louis Morichar
MORICHAR = "Place Louis Morichar - Louis Moricharplein"
SEED = 17
HEAT = ("hot_days_surface_temp_midday_c", "hot_days_surface_temp_max_c", "hot_days_district_surface_temp_midday_c")


def _scenario(method: str = "richards", samples: int = 3) -> dict:
    soil = {"method": method, "cell_size_m": 10.0, "bounds": BOUNDS}
    if method == "richards":
        # the soil not sampled (hydraulics_spread 0, texture given): the storm KPIs stand unchanged in every
        # sample and the hot-days KPIs are the only ones that vary (their sampling is the subject here)
        soil.update(storm_mm=20.0, storm_hours=1.0, hours=6.0, hydraulics_spread=0.0, texture="Silt Loam")
    return {
        "name": "soil-heat-test",
        "inputs": {"files": [str(f) for f in FILES], "weather": str(EPW)},
        "domains": ["soil"],
        "whatifs": [
            {"name": "wood", "modifications": [
                {"op": "deseal", "select": {"where": {"name": MORICHAR}}, "sealed_fraction": 0.0, "cover_class": "wood"}]},
            # the soil engine re-runs (it reads the buildings) but no ground cover changes: no hot-days KPI
            {"name": "green-roofs", "modifications": [{"op": "green_roofs", "share": 0.5}]},
        ],
        "soil": soil,
        "uncertainty": {"samples": samples, "seed": SEED},  # priors on: the stock is drawn (the soil engine reads none of it)
    }


def _run(data, **kw):
    from twin.scenario.runner import run_scenario
    from twin.scenario.schema import parse_scenario

    return run_scenario(parse_scenario(data), base_dir=REPO / "scenarios", **kw)


@pytest.fixture(scope="module")
def comparison():
    """The storm run with three samples: nothing of the soil engine's own options is sampled (the
    stock priors reach no soil KPI: allowed with a warning), so only the hot-days KPIs vary."""
    from twin.errors import TwinWarning

    with pytest.warns(TwinWarning, match="no engine of this scenario"):
        return _run(_scenario(), no_effect="warn")


def _rows(comparison, whatif):
    k = comparison.kpis
    return k[(k["whatif"] == whatif) & k["kpi"].isin(HEAT)].set_index("kpi")


def test_desealing_lowers_the_midday_surface_temperature_with_a_band(comparison):
    r = _rows(comparison, "wood")
    assert set(r.index) == set(HEAT)
    mid = r.loc["hot_days_surface_temp_midday_c"]
    # a hot July mid-day: the paved square is hot, planting cools it (by less than asphalt -> lawn)
    assert 30.0 < mid["baseline"] < 70.0
    assert -25.0 < mid["delta"] < -0.5
    assert mid["delta"] == pytest.approx(mid["whatif_value"] - mid["baseline"], abs=1e-12)
    assert np.isfinite(mid["delta_p_lo"]) and mid["delta_p_lo"] <= mid["delta_p_hi"] < 0
    assert mid["baseline_p_lo"] < mid["baseline_p_hi"]  # the priors move the level, not only the change
    assert r.loc["hot_days_surface_temp_max_c", "delta"] < -0.5
    # the grid is the square: the district mean moves with the changed cells, by at most as much
    d = r.loc["hot_days_district_surface_temp_midday_c", "delta"]
    assert mid["delta"] <= d < 0


def test_a_what_if_without_ground_cover_change_reports_no_surface_temperature(comparison):
    assert _rows(comparison, "green-roofs").empty
    assert comparison.whatifs["green-roofs"]["soil"] is not comparison.baseline["soil"]  # the engine did re-run
    s = comparison.samples
    assert s[(s["whatif"] == "green-roofs") & s["kpi"].isin(HEAT)].empty
    assert not any(k in comparison.baseline["soil"].kpis for k in HEAT)


def test_the_band_is_that_of_the_paired_samples_of_the_surface_priors(comparison):
    """The runner's samples are deseal_heat's paired samples with the scenario's seed (the same
    draws for baseline and what-if), and the storm KPIs stand unchanged in every sample."""
    from twin.scenario.engines.soil import grid_options
    from twin.scenario.engines.soil_heat import HEAT_SAMPLES
    from twin.soil.deseal_heat import deseal_heat
    from twin.soil.grid import build_grid

    sc = comparison.scenario
    base_scene = comparison.baseline_scene
    from twin.scenario.runner import apply_whatif

    what, _ = apply_whatif(base_scene, sc.whatifs[0], base_dir=REPO / "scenarios", seed=SEED, index=0)
    go = grid_options(base_scene, sc.soil)
    ref = deseal_heat(build_grid(base_scene, go), {"wood": build_grid(what, go)}, base_scene.weather, samples=min(3, HEAT_SAMPLES), seed=SEED)
    s = comparison.samples
    got = s[(s["whatif"] == "wood") & (s["kpi"] == "hot_days_surface_temp_midday_c")].sort_values("sample")
    lv = ref.level_samples["wood"]["surface_temp_midday_c"]
    np.testing.assert_allclose(got["baseline"], lv[:, 0], rtol=1e-12)
    np.testing.assert_allclose(got["whatif_value"], lv[:, 1], rtol=1e-12)
    np.testing.assert_allclose(got["delta"], ref.samples["wood"]["surface_temp_change_midday_c"], atol=1e-9)
    row = _rows(comparison, "wood").loc["hot_days_surface_temp_midday_c"]
    assert row["delta_p_lo"] == pytest.approx(np.percentile(got["delta"], 5.0), abs=1e-12)
    assert row["baseline"] == pytest.approx(ref.levels["wood"]["surface_temp_midday_c"][0], abs=1e-9)
    runoff = s[(s["whatif"] == "wood") & (s["kpi"] == "runoff_m3")]
    assert len(runoff) == 3 and runoff["whatif_value"].nunique() == 1


def test_the_section_renders_the_changes_with_range_bars(comparison):
    from twin.scenario.report import SECTIONS, render_html
    from twin.scenario.report_soil_heat import soil_heat_report_section

    page = soil_heat_report_section(comparison)
    assert page.startswith("<section id='soil-heat'>") and page.endswith("</section>")
    assert "<h3>wood</h3>" in page and "<h3>green-roofs</h3>" not in page
    assert "Hottest days: surface temperature at 11–16 h, ground whose cover changed" in page
    assert "<svg class='bar delta'" in page and "<svg class='bar band'" in page
    assert "No ground cover change (no surface temperature change) in: green-roofs" in page
    assert "paired samples of the surface priors" in page
    assert "soil-heat" in SECTIONS
    html = render_html(comparison)
    assert html.count("<section id='soil-heat'>") == 1 and "href='#soil-heat'" in html


def test_the_section_says_why_when_there_is_nothing_to_show():
    from twin.scenario.report_soil_heat import soil_heat_report_section

    no_soil = SimpleNamespace(scenario=SimpleNamespace(domains=["energy"]), baseline={})
    page = soil_heat_report_section(no_soil)
    assert page.startswith("<section id='soil-heat'>") and "the soil engine did not run" in page
    data = _scenario(method="scs_cn", samples=0)
    data["whatifs"] = data["whatifs"][1:]
    comp = _run(data)
    page = soil_heat_report_section(comp)
    assert "no what-if of this scenario changes the ground cover" in page and "<table" not in page


def test_the_scs_cn_method_reports_the_same_central_surface_temperatures(comparison):
    comp = _run(_scenario(method="scs_cn", samples=0))
    a, b = _rows(comp, "wood"), _rows(comparison, "wood")
    for k in HEAT:
        assert a.loc[k, "delta"] == pytest.approx(b.loc[k, "delta"], abs=1e-12)
    assert "delta_p_lo" not in comp.kpis.columns  # no samples, no bands


def test_temperatures_have_one_decimal_and_no_change_percent():
    from twin.scenario import report_labels as L

    k = "hot_days_surface_temp_midday_c"
    assert L.unit(k) == "°C" and L.fmt_value(k, 50.0098) == "50.0" and L.fmt_delta(k, -7.5553, 50.0098) == "-7.6"
    assert L.fmt_pct(-7.5553, 50.0098, k) == "–" and L.fmt_pct(-7.5553, 50.0098) == "-15.1 %"


def test_terminal_summary_gives_no_percentage_of_a_temperature():
    import pandas as pd

    from twin.scenario.report import terminal_summary

    kpis = pd.DataFrame({
        "whatif": ["w", "w"], "domain": ["soil", "soil"], "kpi": ["hot_days_surface_temp_midday_c", "runoff_m3"],
        "baseline": [50.0, 100.0], "whatif_value": [42.5, 90.0], "delta": [-7.5, -10.0],
    })
    lines = terminal_summary(SimpleNamespace(kpis=kpis))
    temp = next(line for line in lines if "hot_days_surface_temp_midday_c" in line)
    runoff = next(line for line in lines if "runoff_m3" in line)
    assert "%" not in temp and "delta -7.5" in temp
    assert "(-10" in runoff and "%" in runoff
