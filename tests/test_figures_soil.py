"""The soil pages' measured figures (docs/soil_heat.md), rendered by scripts/update_figures.py from
benchmarks/figures/soil_heat.json (benchmarks/bench_soil_heat.py) and default_run.json
(benchmarks/bench_default_run.py), not typed.

Checked: each soil renderer on hand-made figures (the wording a figure decides), a missing key is an
error naming the key, the file and the benchmark to re-run, and docs/soil_heat.md quotes every soil view.
"""

from __future__ import annotations

import copy
import json
import re
import sys

import pytest

from tests.cli_harness import REPO
from tests.figures_helpers import without
from tests.script_loader import load_script

uf = load_script("scripts/update_figures.py")
sys.path.insert(0, str(REPO / "scripts"))
from figure_renderers import soil  # noqa: E402 - scripts/ is on the path from here

STAMP = {"date": "2026-12-06 09:30 UTC", "commit": "abc1234", "load_before": [1.26, 1.5, 1.7], "load_after": [2.04, 1.6, 1.7], "cpus": 2}


def _cover(t_surface: float, depths: tuple[float, float, float], wall: float, closure: float = 2e-11) -> dict:
    return {"wall_s": wall, "t_surface_daily_max_mean_c": t_surface, "t_air_daily_max_mean_c": 22.2,
            "t_depth_daily_max_mean_c": dict(zip(("5", "10", "30"), depths, strict=True)), "latent_mean_w_m2": 0.0,
            "closure_max_abs_w_m2": closure, "newton_failures": 0}  # fmt: skip


SOIL_HEAT = {
    "case": "test",
    "cases": {
        "covers": {**STAMP, "command": "python benchmarks/bench_soil_heat.py covers",
                   "covers": {"lawn": _cover(29.84, (26.6, 24.6, 21.2), 0.61), "asphalt": _cover(42.31, (35.6, 31.7, 27.6), 0.052, 3.4e-11)},
                   "asphalt_minus_lawn_midday_daily_max_k": {"mean": 12.84, "min": 6.61, "max": 18.36}},
        "deseal": {**STAMP, "command": "python benchmarks/bench_soil_heat.py deseal --samples 20", "cell_size_m": 10.0, "samples": 20,
                   "seed": 2026, "wall_s": 6.43, "central_wall_s": 2.04, "per_sample_s": 0.2195, "days": ["2007-07-21 01:00:00", "2007-08-01 01:00:00", "2007-08-02 01:00:00"],
                   "cover_midday_c": {"lawn": 39.41, "asphalt": 51.37},
                   "kpis": {"surface_temp_change_midday_c": -11.912, "surface_temp_change_daily_max_c": -12.431,
                            "district_surface_temp_change_midday_c": -0.0996, "changed_area_m2": 5483.2},
                   "bands": {"surface_temp_change_midday_c": [-11.85, -8.18], "surface_temp_change_daily_max_c": [-12.37, -8.52],
                             "district_surface_temp_change_midday_c": [-0.1004, -0.0691], "changed_area_m2": [5483.2, 5483.2]}},
        "periodic": {**STAMP, "command": "python benchmarks/bench_soil_heat.py periodic", "cell_m": 0.005, "step_s": 60.0,
                     "error_share_of_amplitude": {"0": 0.00271, "5": 0.00244, "10": 0.0026, "20": 0.004}},
        "area": {**STAMP, "command": "python benchmarks/bench_soil_heat.py area", "grids": [
            {"cell_size_m": 10.0, "subsamples": 2, "changed_area_m2": 4441.2}, {"cell_size_m": 5.0, "subsamples": 2, "changed_area_m2": 4531.6},
            {"cell_size_m": 2.0, "subsamples": 2, "changed_area_m2": 4502.4}, {"cell_size_m": 5.0, "subsamples": 6, "changed_area_m2": 4527.0}]},
    },
}  # fmt: skip


def _kpi(baseline: float, whatif: float, lo: float, hi: float, dlo: float, dhi: float) -> dict:
    return {"baseline": baseline, "whatif": whatif, "delta": whatif - baseline, "baseline_p_lo": lo, "baseline_p_hi": hi,
            "delta_p_lo": dlo, "delta_p_hi": dhi}  # fmt: skip


WARM = {**STAMP, "command": "NUMBA_CACHE_DIR=<dir> python benchmarks/bench_default_run.py", "scenario": "stgilles_default.yaml",
        "samples": 100, "seed": 2026, "wall_s": 79.4, "peak_rss_mb": 1085.0,
        "timings_s": {"engine:soil:baseline": 0.63, "engine:soil:renovation-wave": 0.70, "engine:soil:desealing-car-parks": 0.78,
                      "samples:soil:paired": 2.84, "engine:energy:baseline": 5.0},
        "whatifs": {"desealing-car-parks": {"hot_days_surface_temp_midday_c": _kpi(51.4, 39.49, 47.9, 52.2, -12.96, -7.82),
                                            "hot_days_surface_temp_max_c": _kpi(53.1, 40.67, 49.5, 53.9, -13.47, -8.07),
                                            "hot_days_district_surface_temp_midday_c": _kpi(47.1, 47.007, 45.0, 48.3, -0.101, -0.061),
                                            "runoff_m3": _kpi(26599.2, 26525.05, 0, 0, -135.95, -14.94),
                                            "infiltration_m3": _kpi(3400.8, 3474.96, 0, 0, 14.9, 135.9),
                                            "storage_change_m3": _kpi(3128.6, 3196.85, 0, 0, 11.7, 135.9),
                                            "drainage_m3": _kpi(272.2, 278.13, 0, 0, 0.01, 34.6),
                                            "sealed_area_pct": _kpi(79.2159, 78.7627, 0, 0, -0.45, -0.45),
                                            "mean_theta_top_30cm_m3_m3": _kpi(0.362347, 0.362347, 0.15, 0.46, 0.0, 0.0),
                                            "water_balance_error_rel": _kpi(1.2e-16, 3.1e-16, 0, 0, 0, 0),
                                            "rain_m3": _kpi(30000.0, 30000.0, 30000.0, 30000.0, 0, 0)}}}  # fmt: skip


def _page(tmp_path, figures: dict[str, dict], names: list[str]):
    folder = tmp_path / "figures"
    folder.mkdir(exist_ok=True)
    for file, data in figures.items():
        (folder / file).write_text(json.dumps(data), encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text("".join(f"<!-- figures:{n} -->old<!-- /figures:{n} -->\n" if "." in n and n.split(".")[1] in ("lawn_asphalt", "closure", "covers", "cost", "area", "periodic")
                            else f"<!-- figures:{n} -->\nold\n<!-- /figures:{n} -->\n" for n in names), encoding="utf-8")  # fmt: skip
    return page, folder


def test_the_soil_heat_blocks_render_the_measured_figures(tmp_path):
    names = ["soil_heat.lawn_asphalt", "soil_heat.closure", "soil_heat.covers", "soil_heat.deseal", "soil_heat.cost", "soil_heat.area", "soil_heat.periodic"]
    page, folder = _page(tmp_path, {"soil_heat.json": SOIL_HEAT}, names)
    changed, found = uf.update([page], figures_dir=folder)
    text = page.read_text(encoding="utf-8")
    assert changed == [page] and found[page] == names and "old" not in text
    assert "the lawn is cooler than the asphalt at 11–16 h on every day; the daily maximum difference is 6.6-18.4 K, mean 12.8 K" in text
    assert "largest measured 3e-11 W/m2" in text  # the asphalt run's residual, not the lawn's
    assert "surface temperature: asphalt 42.3, lawn 29.8 °C (air 22.2 °C)" in text  # the page's cover order
    assert "(`t_depth_c`, 5 cm / 10 cm / 30 cm): asphalt 35.6 / 31.7 / 27.6, lawn 26.6 / 24.6 / 21.2 °C" in text
    assert "load 1.3-2.0 on 2 cores; each cover through July 0.05-0.61 s once compiled" in text
    assert "Hot days 21 July, 1 and 2 August; mean surface temperatures at 11–16 h: asphalt 51.4, lawn 39.4 °C" in text
    assert "| KPI | central | band (20 samples, seed 2026, 5-95 %) |" in text
    assert "| surface temperature at 11–16 h, ground whose cover changed | −11.91 K | −11.85 to −8.18 K |" in text
    assert "| daily maximum, same ground | −12.43 K | −12.37 to −8.52 K |" in text
    assert "| surface temperature at 11–16 h, district mean | −0.100 K | −0.100 to −0.069 K |" in text
    assert "mid-day" not in text.lower()  # the report's words: "Midday" is its traffic period (11–12 h)
    assert "| ground-level area whose cover changed | 5,483 m2 | |" in text
    assert "6.4 s for the what-if with its 20 samples, grid at 10 m" in text
    assert "about 2.0 s for the central run of a what-if (grids included) and 0.22 s per sample on Saint-Gilles (10 m cells" in text
    assert ("4,441 / 4,532 / 4,502 m2 at 10 / 5 / 2 m cells (2 x 2 sample points), 4,527 m2 at 5 m with 6 x 6 "
            "(`python benchmarks/bench_soil_heat.py area`, measured 2026-12-06 09:30 UTC") in text
    assert ("largest error 0.27 % (surface), 0.24 % (5 cm), 0.26 % (10 cm), 0.40 % (20 cm) of the surface amplitude "
            "(5 mm cells, 1-minute steps;") in text
    assert uf.update([page], figures_dir=folder, check=True)[0] == []  # up to date now


def test_a_lawn_warmer_on_some_day_is_said(tmp_path):
    data = copy.deepcopy(SOIL_HEAT)
    data["cases"]["covers"]["asphalt_minus_lawn_midday_daily_max_k"]["min"] = -0.4
    assert soil.lawn_asphalt(data).startswith("the lawn is not cooler than the asphalt at 11–16 h on every day")


def test_the_hot_days_hours_are_the_reports():
    """The page's blocks and the report's soil-heat rows (terminal: ASCII) name the hours of the
    KPIs called ``midday`` as the report does (:data:`twin.scenario.report_labels.HOT_HOURS`),
    never "mid-day"."""
    from twin.scenario import report_soil_heat as H
    from twin.scenario.report_labels import HOT_HOURS

    assert soil.HOT_HOURS == HOT_HOURS
    labels = [label for _, label in soil.DESEAL_ROWS + soil.HOT_KPIS] + [label for _, label, _ in H.ROWS]
    assert not [x for x in labels if "mid-day" in x.lower() or "midday" in x.lower()]
    terminal = {key: label for key, label, _ in H.ROWS}
    assert terminal["surface_temp_change_midday_c"] == "surface temperature at 11-16 h, ground whose cover changed"
    assert terminal["district_surface_temp_change_midday_c"] == "surface temperature at 11-16 h, district mean"
    assert all(ord(c) < 128 for c in "".join(terminal.values()))  # the terminal's text stays ASCII
    assert H._shown(terminal["district_surface_temp_change_midday_c"]) == f"surface temperature at {HOT_HOURS}, district mean"


def test_the_default_run_blocks_render_its_warm_entry(tmp_path):
    page, folder = _page(tmp_path, {"default_run.json": {"cases": {"warm": WARM, "cold": {}}}},
                         ["soil_heat_default_run.table", "soil_heat_default_run.cost"])
    uf.update([page], figures_dir=folder)
    text = page.read_text(encoding="utf-8")
    assert "| `hot_days_surface_temp_midday_c` | 51.4 (47.9 to 52.2) °C | 39.5 °C | −11.91 (−12.96 to −7.82) K |" in text
    assert "| `hot_days_surface_temp_max_c` | 53.1 (49.5 to 53.9) °C | 40.7 °C | −12.43 (−13.47 to −8.07) K |" in text
    assert "| `hot_days_district_surface_temp_midday_c` | 47.1 (45.0 to 48.3) °C | 47.0 °C | −0.093 (−0.101 to −0.061) K |" in text
    assert "(stgilles_default.yaml, 100 samples, seed 2026)" in text
    assert ("the soil engine's what-if run 0.78 s (0.63-0.70 s for the other scenes, storm and cover check included), its Monte Carlo "
            "2.84 s") in text
    assert "`twin run` 1 min 19 s wall at load 1.3-2.0 on 2 cores (peak RSS 1.06 GB)" in text


def test_the_default_run_storm_kpis_of_the_soil_page(tmp_path):
    data = {"cases": {"warm": WARM}}
    text = soil.BLOCKS["soil_default_run.richards"][1](data)
    assert text == ("runoff 26 599.2 \u2192 26 525.0 m³ (\u221274.2 m³, \u22120.28 %; band \u2212135.9 to \u221214.9 m³), infiltration "
                    "+74.2 m³ (storage +68.2, drainage +5.9), sealed share 79.22 \u2192 78.76 %, mean top-30-cm water content of open "
                    "ground 0.362 unchanged")
    assert soil.BLOCKS["soil_default_run.balance"][1](data) == "3.1e-16"  # the larger of baseline and what-if
    assert soil.BLOCKS["soil_default_run.baseline"][1](data) == ("relative error 1.2e-16; rain 30 000 m³ = runoff 26 599 + storage change "
                                                                 "3 129 + drainage 272 m³")
    wet = copy.deepcopy(data)
    wet["cases"]["warm"]["whatifs"]["desealing-car-parks"]["mean_theta_top_30cm_m3_m3"]["whatif"] = 0.371
    assert soil.BLOCKS["soil_default_run.richards"][1](wet).endswith("water content of open ground 0.362 \u2192 0.371")


@pytest.mark.parametrize(("block", "file", "drop", "message"), [
    ("soil_heat.deseal", "soil_heat.json", ("cases", "deseal", "bands"), r"no 'bands' in the figures"),
    ("soil_heat.covers", "soil_heat.json", ("cases", "covers"), r"no 'cases\.covers' in the figures"),
    ("soil_heat_default_run.table", "default_run.json", ("cases", "warm", "whatifs"), r"no 'whatifs' in the figures"),
])  # fmt: skip
def test_a_missing_key_is_an_error_naming_it_the_file_and_the_benchmark(tmp_path, block, file, drop, message):
    data = without(SOIL_HEAT if file == "soil_heat.json" else {"cases": {"warm": WARM}}, drop)
    page, folder = _page(tmp_path, {file: data}, [block])
    bench = "bench_soil_heat.py" if file == "soil_heat.json" else "bench_default_run.py"
    where = re.escape(f"page.md: block '{block}': {file}: cannot render block '{block}': ")
    with pytest.raises(uf.FiguresError, match=rf"{where}{message} \(re-run .*benchmarks/{re.escape(bench)}"):
        uf.update([page], figures_dir=folder)
    assert "old" in page.read_text(encoding="utf-8")  # nothing written


VALIDATION = {"command": "python benchmarks/soil_year_validation.py", "sections": {
    "fao56": {**STAMP, "title": "FAO-56", "lines": ["| example | quantity |", "|---|---|", "| 17 | Delta |", "\n1 printed values; largest 0.20."]},
    "infiltration": {**STAMP, "date": "2026-12-07 10:00 UTC", "commit": "def5678", "load_after": [3.46, 2.0, 1.0], "title": "Infiltration counting",
                     "lines": ["Celia spec: infiltration 4.1346 cm (twin)."]}}}  # fmt: skip


def test_the_soil_year_validation_sections_render_as_the_script_printed_them(tmp_path):
    names = ["soil_year_validation.fao56", "soil_year_validation.infiltration", "soil_year_validation.measured"]
    page, folder = _page(tmp_path, {"soil_year_validation.json": VALIDATION}, names)
    page.write_text("<!-- figures:soil_year_validation.fao56 -->\nold\n<!-- /figures:soil_year_validation.fao56 -->\n"
                    "**Infiltration** <!-- figures:soil_year_validation.infiltration -->old<!-- /figures:soil_year_validation.infiltration -->\n"
                    "(<!-- figures:soil_year_validation.measured -->old<!-- /figures:soil_year_validation.measured -->)\n", encoding="utf-8")
    uf.update([page], figures_dir=folder)
    text = page.read_text(encoding="utf-8")
    assert "<!-- figures:soil_year_validation.fao56 -->\n| example | quantity |\n|---|---|\n| 17 | Delta |\n\n1 printed values; largest 0.20.\n<!--" in text
    assert "**Infiltration** <!-- figures:soil_year_validation.infiltration -->Celia spec: infiltration 4.1346 cm (twin).<!--" in text
    assert ("`python benchmarks/soil_year_validation.py`, 2026-12-06 to 2026-12-07, commits abc1234; def5678, load 1.3-3.5 on 2 cores"
            in text)
    broken = copy.deepcopy(VALIDATION)
    del broken["sections"]["fao56"]["lines"]
    (folder / "soil_year_validation.json").write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(uf.FiguresError, match=r"no 'sections\.fao56\.lines' in the figures \(re-run python benchmarks/soil_year_validation\.py\)"):
        uf.update([page], figures_dir=folder)


def test_the_renderer_knows_every_section_of_the_scripts():
    assert tuple(load_script("benchmarks/soil_year_validation.py").SECTIONS) == soil.SECTIONS
    assert tuple(load_script("benchmarks/soil_validation.py").SECTIONS) == soil.CHECK_SECTIONS


def _column(veg: str, texture: str, bottom: str, nodes: int, ms: float, rise: float) -> dict:
    return {"vegetation": veg, "texture": texture, "bottom": bottom, "nodes": nodes, "ms_per_column_year": ms, "steps": 9171,
            "iterations_per_step": 2.614, "transpiration_mm": 297.2, "potential_transpiration_mm": 383.4, "evaporation_mm": 88.1,
            "drainage_mm": 94.4, "capillary_rise_mm": rise, "load_1min": 2.4}  # fmt: skip


YEAR = {"cases": {
    "columns": {**STAMP, "command": "python benchmarks/bench_soil_year.py columns",
                "rows": [_column("lawn", "Silt Loam", "3 m table", 39, 23.4, 14.12), _column("green_roof", "Loamy Sand", "free drainage", 8, 11.0, 0.0)]},
    "default": {**STAMP, "load_before": 8.1, "load_after": 11.79, "command": "python benchmarks/bench_soil_year.py default", "entries": 298298, "integrated": 643, "wall_s": 87.24,
                "cpu_s": 46.0, "peak_rss_gb": 1.332, "timings": {"grid_s": 2.6, "network_s": 0.4, "columns_s": 8.4, "spinup_s": 36.2, "year_s": 38.5},
                "balance": {"relative_error": 2.7e-14}}}}  # fmt: skip


def test_the_soil_year_blocks(tmp_path):
    table = soil.BLOCKS["soil_year.columns"][1](YEAR)
    assert "| lawn on silt loam, 3 m table | 39 | 9 171 | 2.61 | 23 | T 297 of 383, E 88, drainage 94, capillary rise 14.1 |" in table
    assert "| green roof on loamy sand, 10 cm | 8 | 9 171 | 2.61 | 11 | T 297 of 383, E 88, outflow 94 |" in table  # no rise on a roof
    assert table.startswith("\n`python benchmarks/bench_soil_year.py columns`, measured 2026-12-06 09:30 UTC, commit abc1234, load 1.3-2.0")
    assert soil.BLOCKS["soil_year.default_row"][1](YEAR) == ("298 298 (643) | **87.2 s** (set-up 11.4, spin-up 36.2, year 38.5) | 46.0 s | "
                                                           "**1.33 GB** | 8.1-11.8 | 2.7e-14")
    assert soil.BLOCKS["soil_year.default_measured"][1](YEAR).endswith("commit abc1234, load 8.1-11.8 on 2 cores")


def test_the_readme_richards_row_is_rendered_from_the_figures():
    sections = {"celia_front": {"values": {"dz_cm": [1.0, 0.5, 0.25], "front_cm": [57.413, 56.97, 56.75], "extrapolated_cm": 56.561}},
                "celia_balance": {"values": {"relative_error": [5.04e-16, 1.3e-15, 3e-15]}},
                "green_ampt_ponded": {"values": {"f_1h_cm": 3.1662}}}
    data = {"command": "python benchmarks/soil_validation.py", "sections": {k: {**STAMP, **v} for k, v in sections.items()}}
    assert soil.BLOCKS["soil_validation_readme.richards"][1](data) == (
        "wetting front 56.56 cm extrapolated from dz 1 / 0.5 / 0.25 cm (57.41 / 56.97 / 56.75; target 56.6 ± 0.5), balance error 5e-16; "
        "Green-Ampt 3.166 cm after 1 h (3.17 ± 0.01); measured 2026-12-06 09:30 UTC at commit abc1234 by `python benchmarks/soil_validation.py`")
    del data["sections"]["celia_balance"]["values"]
    with pytest.raises(soil.FiguresError, match=r"no 'sections\.celia_balance\.values' in the figures"):
        soil.BLOCKS["soil_validation_readme.richards"][1](data)


def test_a_validation_cell_renders_in_a_table_row(tmp_path):
    data = {"command": "python benchmarks/soil_validation.py", "sections": {"scs": {**STAMP, "title": "scs", "lines": ["13.802 mm"]}}}
    page, folder = _page(tmp_path, {"soil_validation.json": data}, [])
    page.write_text("| SCS-CN | Q = 13.80 mm | <!-- figures:soil_validation.scs -->13.9 mm<!-- /figures:soil_validation.scs --> |\n",
                    encoding="utf-8")
    uf.update([page], figures_dir=folder)
    assert page.read_text(encoding="utf-8") == ("| SCS-CN | Q = 13.80 mm | <!-- figures:soil_validation.scs -->13.802 mm"
                                                 "<!-- /figures:soil_validation.scs --> |\n")


@pytest.mark.parametrize(("page", "prefix"), [("soil_heat.md", "soil_heat"), ("soil.md", "soil_year_validation."), ("soil.md", "soil_default_run."),
                                             ("soil.md", "soil_validation."), ("soil.md", "soil_year."),
                                             ("../README.md", "soil_validation_readme.")])
def test_the_soil_pages_quote_every_soil_view(page, prefix):
    text = (REPO / "docs" / page).read_text(encoding="utf-8")
    for name in (n for n in soil.BLOCKS if n.startswith(prefix)):
        assert f"<!-- figures:{name} -->" in text, f"docs/{page} does not quote {name}"
