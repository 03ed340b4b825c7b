"""The HTML report: ``twin run`` on a small scenario writes it; headless Chromium opens it with no
console error, no failed load and every section present; its numbers are the comparison's.

Chromium is Debian's ``chromium`` package (``.ci/run`` installs it): missing, the browser test
fails under CI and is skipped elsewhere.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from tests.scenario_chromium import chromium_binary, file_url, open_page
from tests.scenario_helpers import BOX_100M, EPW, fake_comparison, write_small_district
from twin.scenario.report import SECTIONS, _fmt, _signed, map_data, render_html, terminal_summary

CHECK_PAGE = """(() => {
  const sections = {};
  for (const id of %s) {
    const el = document.getElementById(id);
    sections[id] = el === null ? null : {tag: el.tagName, text: el.innerText.length, height: el.getBoundingClientRect().height};
  }
  const images = [...document.images].map(i => ({ok: i.complete && i.naturalWidth > 0, shown: i.getBoundingClientRect().width}));
  return {sections, images, external: [...document.querySelectorAll('[src],[href]')].map(e => e.getAttribute('src') || e.getAttribute('href')).filter(u => !u.startsWith('data:'))};
})()"""


def needs_chromium():
    if chromium_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs Debian's chromium package)")
        pytest.skip("chromium is not installed")


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """``twin run`` on a small scenario: a renovation wave with Monte Carlo bands, and a street closure."""
    folder = tmp_path_factory.mktemp("report")
    buildings = write_small_district(folder, BOX_100M)
    doc = {
        "name": "report-small",
        "description": "A 100 m square of Saint-Gilles: a renovation wave and a street closure against the baseline.",
        "inputs": {"files": [str(buildings)], "weather": str(EPW)},
        "domains": ["energy"],
        "whatifs": [
            {"name": "wave", "description": "Walls and roofs of 40 % of the buildings.",
             "modifications": [{"op": "renovate", "select": {"fraction": 0.4}, "measures": ["wall_insulation", "roof_insulation"]}]},
            {"name": "more-cars", "modifications": [{"op": "scale_demand", "factor": 1.2}]},
        ],
        "uncertainty": {"samples": 3, "seed": 4, "parameters": [{"name": "energy.heating_setpoint_c", "dist": "normal", "mean": 20.0, "sd": 1.0}]},
    }
    path = folder / "small.yaml"
    path.write_text(yaml.safe_dump(doc))
    out = folder / "out"
    from twin.cli.main import app

    # the scale_demand what-if changes nothing the energy engine reads: a warning, shown as "no change"
    result = CliRunner().invoke(app, ["run", str(path), "-o", str(out), "--allow-no-effect"])
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.mark.slow
def test_twin_run_writes_report_and_outputs(small_run):
    out, output = small_run
    assert (out / "report.html").exists() and (out / "kpis.csv").exists() and (out / "runs.sqlite").exists()
    assert (out / "outputs" / "deltas_wave_energy.parquet").exists()
    assert f"report: {out / 'report.html'}" in output
    assert "more-cars: no change in the energy KPIs" in output
    from twin.scenario.store import RunStore

    runs = RunStore(out / "runs.sqlite").runs()
    assert list(runs["status"]) == ["done"]


@pytest.mark.slow
def test_report_opens_in_chromium_without_errors(small_run, tmp_path):
    needs_chromium()
    out, _ = small_run
    page = open_page(file_url(out / "report.html"), evaluate=CHECK_PAGE % list(SECTIONS), screenshot=True, width=1200)
    assert page.errors == []
    found = page.evaluated
    for sid in SECTIONS:
        sec = found["sections"][sid]
        assert sec is not None, f"section {sid} missing"
        assert sec["tag"] == "SECTION" and sec["text"] > 0 and sec["height"] > 0, (sid, sec)
    assert len(found["images"]) >= 2  # a map of the wave and the time series
    assert all(i["ok"] and i["shown"] > 100 for i in found["images"]), found["images"]
    assert found["external"] == []  # self-contained
    assert page.screenshot_png[:8] == b"\x89PNG\r\n\x1a\n"
    (tmp_path / "report.png").write_bytes(page.screenshot_png)


@pytest.mark.slow
def test_report_numbers_are_the_comparisons(small_run):
    out, _ = small_run
    text = (out / "report.html").read_text()
    kpis = pd.read_csv(out / "kpis.csv")
    heat = kpis[(kpis["whatif"] == "wave") & (kpis["kpi"] == "heating_need_mwh")].iloc[0]
    assert heat["delta"] < 0 and heat["delta_p_hi"] < 0  # insulation lowers the heating need in every sample
    row = re.search(r"<td class='l'>heating_need_mwh</td>(.*?)</tr>", text).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    # baseline, its band, what-if, delta, delta %, band of the delta, notes
    assert cells[0] == _fmt(heat["baseline"]) and cells[2:4] == [_fmt(heat["whatif_value"]), _signed(heat["delta"])]
    assert cells[1] == f"[{_fmt(heat['baseline_p_lo'])}, {_fmt(heat['baseline_p_hi'])}]"
    assert cells[5] == f"[{_signed(heat['delta_p_lo'])}, {_signed(heat['delta_p_hi'])}]"
    # the priors (on by default) widen the baseline: its band is not a point
    assert heat["baseline_p_lo"] < heat["baseline_p_hi"]
    assert "acts on the traffic engine(s), not run" in text  # the demand what-if
    assert "No per-object change (no map): more-cars (energy)" in text


@pytest.mark.slow
def test_report_says_what_the_run_assumed(small_run):
    """The box: floor-area shares per attribute and source (the scene's), the priors sampled with
    their sources and how many buildings, the models, the samples and the Monte Carlo error."""
    from twin.scene.io import read_scene
    from twin.scene.provenance import floor_area_shares

    out, output = small_run
    text = (out / "report.html").read_text()
    box = re.search(r"<section id='assumed'>(.*?)</section>", text, re.S).group(1)
    assert "What this run assumed" in box
    shares = floor_area_shares(read_scene(out / "baseline_scene").buildings)
    for attr, r in shares.iterrows():
        row = re.search(rf"<td class='l'>{attr}</td>(.*?)</tr>", box).group(1)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        assert cells[4] == f"{100 * r['default']:.1f} %", (attr, cells)
    for entry in ("construction_period", "use", "storeys", "heating_system", "heating_setpoint_c"):
        assert f"<td class='l'>{entry}</td>" in box
    assert "Statbel" in box and "Census 2011" in box  # the sources of the priors
    assert "3 Monte Carlo samples (seed 4)" in box and "Monte Carlo error of the band edges" in box
    assert "ISO 13790 hourly 5R1C" in box
    assert "floor area on defaults:" in output and "bands: p5-p95 over 3 samples of stock priors, energy.heating_setpoint_c" in output


def test_map_data_marks_added_removed_and_changed():
    geo, col = map_data(fake_comparison(), "w", "energy")
    assert col == "q_heat_kwh_delta"
    state = dict(zip(geo["building_id"], geo["state"]))
    assert state == {"a": "changed", "b": "unchanged", "c": "unchanged", "d": "removed", "n": "added"}
    assert geo.crs.to_epsg() == 31370 and not geo.geometry.is_empty.any()


def test_render_without_samples_or_series_has_every_section():
    comp = fake_comparison()

    class Sc:  # the parts of a Scenario the report reads
        name, description, domains = "fake", "", ["energy"]
        whatifs = [type("W", (), {"name": "w", "description": "", "modifications": []})()]
        uncertainty = type("U", (), {"samples": 0, "seed": 0, "percentiles": (5.0, 95.0), "parameters": []})()
        inputs = type("I", (), {"files": ["a.geojson"], "weather": None, "crs": "EPSG:31370"})()

        @staticmethod
        def digest():
            return "0" * 16

    comp.scenario = Sc()
    text = render_html(comp, run_id="r1")
    for sid in SECTIONS:
        assert f"<section id='{sid}'>" in text
    assert "No Monte Carlo: every number rests on the central values" in text
    assert "run id" in text and "<code>r1</code>" in text
    assert "returned no time series" in text
    assert text.count("<img") == 1  # the map of w


def test_terminal_summary_lists_changed_kpis():
    comp = fake_comparison()
    comp.kpis = pd.concat([comp.kpis, comp.kpis.assign(whatif="same", whatif_value=100.0, delta=0.0)], ignore_index=True)
    lines = terminal_summary(comp)
    assert lines[0] == "w:" and "delta -34.000 (-34.000 %)" in lines[1]
    assert lines[2] == "same: no change in the energy KPIs"


@pytest.mark.parametrize("value, text", [(float("nan"), "–"), (0.0, "0.000"), (1234.5, "1,234.5"), (1e-5, "1e-05"), (-2.5, "-2.500"), (3, "3"), (np.inf, "–")])
def test_number_format(value, text):
    assert _fmt(value) == text


def test_round_off_is_not_a_change():
    comp = fake_comparison()
    new = comp.whatifs["w"]["energy"].objects
    new.loc[new["building_id"] == "b", "q_heat_kwh"] += 1e-12  # e.g. an equilibrium solved to a tolerance
    geo, _ = map_data(comp, "w", "energy")
    assert dict(zip(geo["building_id"], geo["state"]))["b"] == "unchanged"


@pytest.mark.slow
def test_default_scenario_report_in_chromium(tmp_path):
    """The README's main job: ``twin run`` (the Saint-Gilles default scenario) -> report and outputs."""
    needs_chromium()
    from twin.cli.main import app

    out = tmp_path / "results"
    result = CliRunner().invoke(app, ["run", "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    for name in ("report.html", "kpis.csv", "runs.sqlite", "outputs/kpis.parquet", "outputs/deltas_renovation-wave_energy.parquet"):
        assert (out / name).exists(), name
    page = open_page(file_url(out / "report.html"), evaluate=CHECK_PAGE % list(SECTIONS), width=1200)
    assert page.errors == []
    assert all(page.evaluated["sections"][sid] and page.evaluated["sections"][sid]["text"] > 0 for sid in SECTIONS)
    assert page.evaluated["images"] and all(i["ok"] for i in page.evaluated["images"])
    kpis = pd.read_csv(out / "kpis.csv").set_index(["whatif", "kpi"])
    heat = kpis.loc[("renovation-wave", "heating_need_mwh")]
    assert heat["delta"] < 0 and heat["delta_p_hi"] < 0
    # the acceptance: bands on the baseline KPIs and on each delta, from the typology, height, use
    # and system unknowns (the default scenario samples no option, only the stock priors)
    scenario = yaml.safe_load((Path(__file__).parents[1] / "scenarios" / "stgilles_default.yaml").read_text())
    assert not scenario["uncertainty"].get("parameters")
    for whatif, kpi in (("renovation-wave", "heating_need_mwh"), ("renovation-wave", "co2_t"), ("low-traffic-parvis", "am_peak_vehicle_km"),
                        ("low-traffic-parvis", "am_peak_rerouted_car_trips")):
        row = kpis.loc[(whatif, kpi)]
        assert row["baseline_p_lo"] < row["baseline_p_hi"] or row["delta_p_lo"] < row["delta_p_hi"], (whatif, kpi)
        assert row["delta_p_lo"] < row["delta_p_hi"], (whatif, kpi)
    text = (out / "report.html").read_text()
    assert "What this run assumed" in text and "wide baseline" in text
    # issue 14 on twin run: no unserved trip, the split of the change, the closed streets empty,
    # the change mapped, 15-minute access below 100 % for a category
    for period in ("am_peak", "off_peak"):
        row = kpis.loc[("low-traffic-parvis", f"{period}_unserved_trips")]
        assert row["baseline"] == 0.0 and row["whatif_value"] == 0.0
        assert kpis.loc[("low-traffic-parvis", f"{period}_closed_link_flow_veh_h"), "whatif_value"] == 0.0
        assert kpis.loc[("low-traffic-parvis", f"{period}_rerouted_car_trips"), "whatif_value"] > 0.0
    access = kpis.loc["low-traffic-parvis"].filter(like="access_15min_walk_", axis=0)
    assert access["baseline"].min() < 100.0
    mobility = re.search(r"<section id='mobility'>(.*?)</section>", text, re.S).group(1)
    for words in ("car trips rerouted", "shifted to walking", "lost to another destination", "evaporated",
                  "<img alt='low-traffic-parvis car flow change'", "15-minute access"):
        assert words in mobility, words
