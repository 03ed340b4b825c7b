"""The report, the terminal and the docs speak one language (names, units, wording).

Left over from the planner review (tests/test_report_planner_review.py): the calibration table
said "energy cost" and "CO2, t/yr" where the KPI table says "Energy bills" and "CO₂ emissions of
the buildings"; the scenario's descriptions ("1 km2") were shown as written; the hot-days
temperature changes were in °C in the report but in K in docs/soil_heat.md; the soil note said
"spreads x 1" and the solar map's legend "excellent, >= 1,400".
"""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import pandas as pd
import pytest

from tests.scenario_helpers import fake_comparison, fake_scenario
from twin.scenario import report_labels as L


def _cells(page: str) -> list[list[str]]:
    """The text of every table row's cells (tags dropped, entities decoded)."""
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", page, flags=re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, flags=re.S)
        rows.append([html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return rows


# -- 1. the calibration table names a KPI as the KPI table does --------------------------------

def _banded_energy_kpis(scale: float) -> pd.DataFrame:
    from twin.scenario.report_calibration import KPI_ROWS

    rows = []
    for i, (kpi, _) in enumerate(KPI_ROWS):
        base, d = 100.0 * (i + 1), -10.0 * (i + 1)
        rows.append({"whatif": "wave", "domain": "energy", "kpi": kpi, "baseline": base, "whatif_value": base + d, "delta": d,
                     "baseline_p_lo": base - 20 * scale, "baseline_p_hi": base + 20 * scale,
                     "delta_p_lo": d - 5 * scale, "delta_p_hi": d + 5 * scale})
    return pd.DataFrame(rows)


def test_the_calibration_table_names_each_kpi_as_the_kpi_table():
    """Every row of the calibration table starts with the KPI table's label and gives its unit
    (report_labels: one copy); it said "energy cost, k€/yr" and "CO₂, t/yr"."""
    from twin.scenario.report_calibration import KPI_ROWS, calibration_section

    sc = SimpleNamespace(inputs=SimpleNamespace(calibration="calibration.parquet"),
                         uncertainty=SimpleNamespace(percentiles=(5.0, 95.0), samples=100))
    comp = SimpleNamespace(scenario=sc, kpis=_banded_energy_kpis(0.5), baseline_scene=None, stock_samples=None)
    page = calibration_section(comp, _banded_energy_kpis(1.0))
    body = [r for r in _cells(page) if len(r) == 7 and r[0] != "KPI"]
    assert len(body) == 2 * len(KPI_ROWS)  # the baseline's band and the what-if's change, per KPI
    shown = {r[0] for r in body}
    assert shown == {text for _, text in KPI_ROWS}
    for kpi, text in KPI_ROWS:
        assert text.startswith(L.label(kpi)) and text.endswith(", " + L.unit(kpi)), (kpi, text)
    assert "Energy bills, k€/yr" in shown and "CO₂ emissions of the buildings, t/yr" in shown
    assert not any(re.search(r"energy cost|CO2|\bCO₂, ", s) for s in shown)


# -- 2. a scenario's descriptions in the report's units -----------------------------------------

def test_the_scenario_descriptions_are_shown_in_the_report_units():
    """The default scenario's description ("Saint-Gilles (Brussels), 1 km2") and the renovation
    wave's ("R + 3.5 m2K/W") were shown as written: now through the notes' converter
    (report_labels.note_html), the YAML untouched."""
    from twin.scenario.report import _summary_section

    comp = fake_comparison()
    comp.scenario = fake_scenario("Saint-Gilles (Brussels), 1 km2, CO2 & bills of <b>everyone</b>.",
                                  whatif_description="External wall insulation (R + 3.5 m2K/W), roof insulation (R + 5 m2K/W).",
                                  seed=2026, name="one-language")
    page = _summary_section(comp)
    assert "<p>Saint-Gilles (Brussels), 1 km², CO₂ &amp; bills of &lt;b&gt;everyone&lt;/b&gt;.</p>" in page
    assert "<p class='note'>External wall insulation (R + 3.5 m²·K/W), roof insulation (R + 5 m²·K/W).</p>" in page
    assert not re.search(r"\bk?m2|CO2", page)


def test_every_description_site_goes_through_the_converter():
    """The summary, the soil year and the hot-days sections show the what-ifs' descriptions; none
    escapes a description without converting its units."""
    import inspect
    from importlib import import_module

    n = 0
    for name in ("report", "report_soil", "report_soil_heat", "report_mobility", "report_solar", "report_energy_classes",
                 "report_drilldown", "report_calibration"):
        src = inspect.getsource(import_module(f"twin.scenario.{name}"))
        assert not re.search(r"html\.escape\([\w.]*description\)", src), name
        n += len(re.findall(r"note_html\([\w.]*description\)", src))
    assert n >= 4


def test_the_converter_keeps_identifiers_and_file_names():
    assert L.note_units("1 km2, 2.5 km2 and R + 3.5 m2K/W") == "1 km², 2.5 km² and R + 3.5 m²·K/W"
    kept = "grid_km2.csv, area_km2, `1 km2`, wall_r_m2K/W"
    assert L.note_units(kept) == kept


# -- 3. a change of a temperature in K: report, terminal, docs ---------------------------------

HOT = "hot_days_surface_temp_midday_c"


def _hot_kpis() -> pd.DataFrame:
    """The default run's hot-days row of desealing-car-parks (kpis.csv, 2026-12-06) and a runoff row."""
    return pd.DataFrame({
        "whatif": ["w", "w"], "domain": ["soil", "soil"], "kpi": [HOT, "runoff_m3"],
        "baseline": [51.43, 26599.2], "whatif_value": [39.45, 26525.05], "delta": [-11.98, -74.15],
        "baseline_p_lo": [47.9, 26000.0], "baseline_p50": [51.0, 26500.0], "baseline_p_hi": [52.2, 27000.0],
        "delta_p_lo": [-12.96, -135.95], "delta_p50": [-10.0, -59.11], "delta_p_hi": [-7.82, -14.94],
    })


def test_the_report_gives_a_temperature_in_celsius_and_its_change_in_kelvin():
    """The KPI table's unit column says °C (the baseline and what-if); the change, its range bar
    and the summary's line say K, and the page says once what a K is. The change said "-12.0"
    under the unit °C (and "-12.0 °C" in the summary) where docs/soil_heat.md says "-11.98 K"."""
    from twin.scenario.report import _kpis_section, _summary_section

    comp = fake_comparison()
    comp.scenario, comp.kpis, comp.samples = fake_scenario(seed=2026, domains=("soil",), name="one-language"), _hot_kpis(), None
    page = _summary_section(comp) + _kpis_section(comp)
    row = next(r for r in _cells(page) if r and r[0] == L.label(HOT))
    assert row[1] == "°C" and row[2] == "51.4" and row[4] == "39.5" and row[5] == "-12.0 K" and row[6] == "–"
    bar = re.search(r"<svg class='bar delta'[^>]*aria-label='([^']*)'", page.split(html.escape(L.label(HOT)))[-1]).group(1)
    assert bar.endswith("central run -12.0 K") and "-13.0 to -7.8 K" in bar
    assert f"{L.label(HOT)}: <b>-12.0 K</b>, range -13.0 to -7.8 K" in page
    assert L.TEMPERATURE_CHANGE_NOTE in page
    runoff = next(r for r in _cells(page) if r and r[0] == L.label("runoff_m3"))
    assert runoff[5] == "-74"  # other changes in the unit column's unit, as before
    assert L.change_unit(HOT) == L.TEMPERATURE_CHANGE_UNIT == "K" and L.unit(HOT) == "°C"
    # no temperature among the KPIs: no word about kelvin
    comp.kpis = _hot_kpis().iloc[1:]
    assert L.TEMPERATURE_CHANGE_NOTE not in _summary_section(comp) + _kpis_section(comp)


def test_the_hot_days_section_says_what_a_kelvin_is():
    """The hot-days section (its table is the KPI table's row) gives the change in K, says once
    what a K is, and converts the what-if's description."""
    from twin.scenario.report_soil_heat import ROWS, soil_heat_report_section

    sc = fake_scenario(whatif_description="Every car park de-sealed (4,532 m2).", seed=2026, domains=("soil",), name="one-language")
    comp = SimpleNamespace(scenario=sc, kpis=_hot_kpis(), baseline={"soil": SimpleNamespace(notes=[])},
                           whatifs={"w": {"soil": SimpleNamespace(notes=[], object_deltas=None)}}, sample_notes=[])
    page = soil_heat_report_section(comp)
    row = next(r for r in _cells(page) if r and r[0] == L.label(HOT))
    assert row[1] == "°C" and row[5] == "-12.0 K"
    assert L.TEMPERATURE_CHANGE_NOTE in page and "Every car park de-sealed (4,532 m²)." in page
    assert {u for key, _, u in ROWS if key.endswith("_c")} == {L.TEMPERATURE_CHANGE_UNIT}  # library use, the same unit


def test_the_terminal_gives_a_temperature_in_degc_and_its_change_in_k():
    """The terminal summary gave the hot-days row without a unit ("51.43 -> 39.45 delta -11.98")
    beside docs in K: now "degC" for the values, "K" for the change and its range (ASCII)."""
    from twin.scenario.report import TERMINAL_TEMPERATURE_UNITS, terminal_summary

    lines = terminal_summary(SimpleNamespace(kpis=_hot_kpis()))
    temp = next(x for x in lines if HOT in x)
    assert TERMINAL_TEMPERATURE_UNITS == ("degC", "K")
    assert re.search(r"51\.4\d* degC -> +39\.4\d* degC  delta -11\.98\d* K  \[-12\.96\d*, -7\.82\d*\] K$", temp), temp
    assert "%" not in temp
    runoff = next(x for x in lines if "runoff_m3" in x)
    assert "degC" not in runoff and " K" not in runoff and "%" in runoff
    assert all(ord(c) < 128 for c in "".join(lines))


def test_docs_soil_heat_gives_temperature_changes_in_k():
    """docs/soil_heat.md: temperatures in degC, changes in K (it said "by up to 24 degC" for a
    difference); a signed number in degC would be a change written as a temperature."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "soil_heat.md").read_text(encoding="utf-8")
    assert "their changes in K" in text
    said = re.sub(r'"[^"\n]*"', "", text)  # a quoted example is no figure
    assert not re.search(r"[-+−]\d[\d.,]* ?(?:degC|°C)|by (?:up to )?\d[\d.]* ?(?:degC|°C)", said)
    assert re.search(r"−11\.9\d? (?:\([^)]*\) )?K", text)  # a negative figure with the minus sign (tests/test_docs_typography.py)


# -- 4. words, not symbols, where a planner reads -------------------------------------------------

def test_the_soil_note_says_the_published_spreads_without_times_one():
    """The soil hydraulics note said "the Carsel & Parrish (1988) spreads x 1" (the default
    ``soil.hydraulics_spread``): now "spreads" at 1, "spreads scaled by 0.5" otherwise."""
    import inspect

    from twin.scenario.engines.soil_storm_samples import hydraulics_samples, spread_words

    src = inspect.getsource(hydraulics_samples)
    assert "spreads x" not in src and "spreads{spread_words(spread)}" in src  # the note says it with these words
    base = "drawn from the Carsel & Parrish (1988) spreads"
    assert base + spread_words(1.0) == base
    assert base + spread_words(0.5) == base + " scaled by 0.5"
    assert base + spread_words(2.0) == base + " scaled by 2"


def test_the_irradiation_legend_says_its_bounds_in_words():
    """The solar map's legend said "low, < 800", "medium, 800-1,000" and "excellent, >= 1,400"."""
    from twin.scenario.report_solar import IRRADIATION_CLASSES

    labels = [label for _, label, _ in IRRADIATION_CLASSES]
    assert labels[0] == "low, under 800" and labels[-1] == "excellent, 1,400 or more"
    for (lo, label, _), (hi, _, _) in zip(IRRADIATION_CLASSES[:-1], IRRADIATION_CLASSES[1:], strict=True):
        if lo > 0:
            assert label.endswith(f", {lo:,.0f} to {hi:,.0f}"), label
    assert not any(re.search(r"[<>≥≤=]|\d-\d", label) for label in labels)


def test_the_priors_table_says_comparisons_in_words_and_units_as_the_tables():
    """The priors table of the default report showed the packaged priors' text as written:
    "<= 1945", ">= 2012", "footprint >= 1000 m²", "typology U >= 4.5", "U 5.0 W/m2K", "20 C".
    Shown through note_html (the report's converter), the packaged text untouched."""
    from twin.energy.priors import describe, load_priors

    raw = " ".join(f"{d['what']} {d['basis']}" for d in describe(load_priors()))
    assert re.search(r">=|<=|W/m2K|\d C\b", raw)  # the packaged text is ASCII (the terminal's)
    shown = L.note_units(raw)
    assert not re.search(r"(?<![-=<>])(?:>=|<=|[<>≥≤]) ?\d|W/m2K|\d C\b", shown), re.findall(r".{30}(?:>=|<=|[<>]|W/m2K|\d C\b).{10}", shown)
    assert "up to 1945" in shown and "from 2012" in shown and "footprint from 1000 m²" in shown
    assert "W/(m²·K)" in shown and "20 °C" in shown and "18–22 °C" in shown


def test_comparison_words_leave_arrows_code_and_classes_alone():
    kept = "a -> 5, x => 3, a<b, `>= 3`, class C, A, B, C and D, A++ to G, within -5 to +4 K"
    assert L.note_units(kept) == kept
    assert L.note_units("flows > 10 veh/h, shares < 5 %, excellent ≥ 90 %") == "flows over 10 veh/h, shares under 5 %, excellent from 90 %"
    assert L.note_html("<= 1945") == "up to 1945"


def test_the_solar_section_names_each_kpi_as_the_kpi_table_and_says_suitability_in_words():
    """The PV block kept its own copy of the labels (now the KPI table's, lower case inside the
    section); the cadastre note said "excellent ≥ 90 %, good ≥ 75 %"."""
    import inspect

    from twin.scenario import report_solar

    for kpi, text in report_solar.KPI_ROWS:
        assert text.startswith(f"{L.lower_first(L.label(kpi))}, {L.unit(kpi)}"), (kpi, text)
    src = inspect.getsource(report_solar)
    assert "≥" not in src
    assert "excellent: 90 % of it or more, good: 75 % or more" in src


def test_the_calibration_table_says_change_not_delta():
    from twin.scenario.report_calibration import calibration_section

    sc = SimpleNamespace(inputs=SimpleNamespace(calibration="calibration.parquet"),
                         uncertainty=SimpleNamespace(percentiles=(5.0, 95.0), samples=100))
    comp = SimpleNamespace(scenario=sc, kpis=_banded_energy_kpis(0.5), baseline_scene=None, stock_samples=None)
    rows = _cells(calibration_section(comp, _banded_energy_kpis(1.0)))
    parts = {r[1] for r in rows if len(r) == 7 and r[0] != "KPI"}
    assert parts == {"baseline", "change of wave"}


def test_lower_first_keeps_chemical_capitals():
    assert L.lower_first("Primary energy") == "primary energy" and L.lower_first("CO₂ emissions") == "CO₂ emissions"
    assert L.lower_first("NOx from road traffic") == "NOx from road traffic" and L.lower_first("") == ""


def test_a_wide_range_note_has_thousands_separators():
    """"wide baseline range (±1359 %)" beside "1,359" everywhere else (a lopsided band is now given
    below and above its median: tests/test_report_band_spread_s54b.py)."""
    from twin.scenario.report import band_notes

    row = pd.Series({"baseline": 272.0, "baseline_p_lo": 0.0, "baseline_p50": 10.0, "baseline_p_hi": 1585.0, "delta": 6.0,
                     "delta_p_lo": 0.0, "delta_p50": 1.0, "delta_p_hi": 35.0, "kpi": "drainage_m3"})
    notes = band_notes(row)
    assert any(re.fullmatch(r"wide baseline range \(\d+ % below to \d{1,3}(?:,\d{3})+ % above its median\)", n) for n in notes), notes


# -- the default run's report, read once more ---------------------------------------------------

@pytest.mark.slow
def test_the_default_report_speaks_one_language(tmp_path_factory):
    """On the default run's report: no comparison symbol before a number ('>= 1000', '≥ 90 %'),
    no 'spreads x 1', no ASCII unit the converter knows ('1 km2', 'W/m2K', '20 C'), no 'delta of';
    the description converted; the calibration rows named as the KPI table; a temperature's
    change in K and said once what a K is."""
    from tests.scenario_default_run import default_run
    from twin.scenario.report_calibration import KPI_ROWS

    out, _ = default_run(tmp_path_factory)
    page = (out / "report.html").read_text()
    body = re.sub(r"<script.*?</script>|<style.*?</style>|<code>.*?</code>|src='data:[^']*'", "", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    found = re.findall(r".{0,40}(?:(?<![-=<>])(?:>=|<=|[<>≥≤]) ?\d|spreads x|\d k?m[23]\b|W/m2K|\d C\b|delta of ).{0,20}", text)
    assert found == []
    assert "Saint-Gilles (Brussels), 1 km²" in text and "R + 3.5 m²·K/W" in text
    assert "up to 1945" in text and "footprint from 1000 m²" in text
    assert "spreads of Carsel & Parrish 1988;" in text
    shown = {r[0] for r in _cells(body) if len(r) == 7}
    assert {t for _, t in KPI_ROWS} <= shown
    hot = [r for r in _cells(body) if r and r[0] == L.label(HOT)]
    assert hot and all(r[1] == "°C" and r[5].endswith(" K") for r in hot)
    assert L.TEMPERATURE_CHANGE_NOTE in text


def test_the_attribute_sources_table_uses_the_box_words():
    """The table under "Where the building attributes come from" named the attributes by their
    ids (height_m, n_storeys, construction_year) where the box above says "height, storeys,
    construction year", and gave the floor area as "1,322,170.2" m²."""
    from twin.scenario.report import ATTRIBUTE_LABELS, _provenance_table
    from twin.scene.provenance import BUILDING_PARAMETERS

    b = pd.DataFrame({"floor_area_m2": [661085.1, 661085.1], **{f"{p}_source": ["default", "data"] for p in BUILDING_PARAMETERS}})
    rows = _cells(_provenance_table(SimpleNamespace(buildings=b)))
    names = [r[0] for r in rows[1:]]
    assert names and set(names) <= set(ATTRIBUTE_LABELS.values()) and "construction year" in names
    assert all(r[-2] == "1,322,170" for r in rows[1:])
