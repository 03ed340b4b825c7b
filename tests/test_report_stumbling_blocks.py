"""The default report's remaining stumbling blocks for a planner, left by the one-language review
(tests/test_report_one_language.py, tests/test_report_planner_review.py): one section per defect,
its test's docstring saying what the page showed before.
"""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import pandas as pd
import pytest

from twin.scenario import report_labels as L


def _traffic_notes() -> list[str]:
    """The traffic engine's own notes (its format) for two periods and one unserved row."""
    from twin.scenario.engines.traffic import _notes

    k = {}
    for p in ("am_peak", "off_peak"):
        k.update({f"{p}_person_trips": 5691.0, f"{p}_walk_share_pct": 37.8, f"{p}_bike_share_pct": 3.1, f"{p}_pt_share_pct": 26.5,
                  f"{p}_car_share_pct": 32.6})
    period = SimpleNamespace(assignment=SimpleNamespace(relative_gap=1e-10), through=pd.Series([2750.0]))
    unserved = pd.DataFrame({"period": ["off_peak"], "segment": ["car"], "zone": ["z12"], "trips": [1.5], "reason": ["no path"]})
    result = SimpleNamespace(notes=["calibrated: how strongly destinations are chosen by travel time and cost (scale 1.729)"], kpis=k,
                             periods={"am_peak": period, "off_peak": period}, unserved=unserved)
    return _notes(result, ["am_peak", "off_peak"])


def _heat_notes(monkeypatch) -> list[str]:
    """The soil engine's hot-days notes (its format) with the default run's cover temperatures."""
    from twin.scenario.engines import soil_heat

    res = SimpleNamespace(days=["2023-07-21T00:00", "2023-08-01T00:00", "2023-08-02T00:00"],
                          levels={"w": {level: (50.0, 40.0) for level in soil_heat.KPI_LEVELS.values()}},
                          kpis={"w": {"changed_area_m2": 4532.0}},
                          cover_midday_c={"asphalt": 51.42, "bare_soil": 46.63, "concrete_pavers": 44.0, "lawn": 39.41})
    monkeypatch.setattr(soil_heat, "_heat", lambda *a, **k: (res, []))
    return soil_heat.whatif_heat(None, None, None)[2]


# -- 2. engine ids in notes --------------------------------------------------------------------

def test_the_notes_name_covers_and_periods_in_the_reports_words(monkeypatch):
    """The hot-days and traffic notes as the engines write them read with the report's words."""
    heat, traffic = _heat_notes(monkeypatch), _traffic_notes()
    assert "bare_soil 46.6 degC" in heat[0] and traffic[1].startswith("am_peak: ")  # the terminal's text keeps the ids
    shown = [html.unescape(L.note_html(n)) for n in heat + traffic]
    assert "asphalt 51.4 °C, bare soil 46.6 °C, concrete pavers 44.0 °C, lawn 39.4 °C" in shown[0]
    assert shown[3].startswith("morning peak (8–9 h): 5,691 person trips (walk 37.8 %")
    assert shown[4].startswith("midday (11–12 h): 5,691 person trips")
    assert "unserved (midday, 11–12 h, car, z12)" in shown[5]  # no nested parentheses (test_report_last_ids)
    assert not [s for s in shown if re.search(r"\b(?:am_peak|off_peak|pm_peak|bare_soil|concrete_pavers)\b", s)]
    # the period words are the KPI table's period labels; the hours those of the traffic model's windows
    from twin.traffic.mobility import PERIODS as WINDOWS

    for p, (a, b) in ((p, WINDOWS[p]["window_s"]) for p in WINDOWS):
        assert L.period_words(p) == f"{L.PERIODS[p].lower()} ({a / 3600:g}–{b / 3600:g} h)"
    # ids inside identifiers, file names and code stay
    kept = "am_peak_person_trips, bare_soil.csv, data/bare_soil, `am_peak`, <code>bare_soil</code>, x_off_peak"
    assert L.note_words(kept) == kept


def test_every_cover_id_with_an_underscore_has_its_words():
    """The covers of the hot-days model and the vegetations of the soil tables: each id that is not
    a word has an entry of COVER_WORDS (a new cover would otherwise show as an id)."""
    import numpy as np

    from twin.soil.deseal_heat import cover_fractions
    from twin.soil.vegetation import read_landcover_vegetation, read_vegetation_table

    grid = SimpleNamespace(sealed=np.zeros(1), paving=np.zeros(1), ground=np.ones(1),
                           ground_by_class={c: np.full(1, 0.1) for c in read_landcover_vegetation()})
    ids = set(cover_fractions(grid)) | set(read_vegetation_table()) | {r.ground_vegetation for r in read_landcover_vegetation().values()}
    assert {i for i in ids if "_" in i and not i.startswith("_")} <= set(L.COVER_WORDS)
    assert all(L.note_words(f"{i} 40.0 °C") == f"{w} 40.0 °C" for i, w in L.COVER_WORDS.items())


# -- 3. the two de-sealed areas ------------------------------------------------------------------

def test_the_hot_days_ground_area_is_related_to_the_area_of_what_changed(monkeypatch):
    """"What each what-if changed" gives 5,939 m² (the de-sealed polygons) and the hot-days note
    4,532 m² of ground (outside roofs and streets, times the fall of the sealed share): a sentence
    beside the note relates them, with the run's numbers (the engine's note, the applied record)."""
    from twin.scenario.engines.soil_heat import HEAT_KPIS
    from twin.scenario.report import _changes_section
    from twin.scenario.report_soil_heat import ground_area_sentence, soil_heat_report_section
    from twin.scenario.runner import EngineResult

    notes = _heat_notes(monkeypatch)
    applied = {"desealing-car-parks": [{"op": "deseal", "landcover": 12, "area_m2": 5939.2}]}
    kpis = pd.DataFrame({"whatif": "desealing-car-parks", "domain": "soil", "kpi": list(HEAT_KPIS), "baseline": 50.0,
                         "whatif_value": 40.0, "delta": -10.0})
    whatif = SimpleNamespace(name="desealing-car-parks", description="")
    comp = SimpleNamespace(scenario=SimpleNamespace(domains=["soil"], whatifs=[whatif], uncertainty=SimpleNamespace(percentiles=(5, 95))),
                           baseline={"soil": EngineResult(None, "cell", {})}, kpis=kpis, sample_notes=[], applied=applied,
                           whatifs={"desealing-car-parks": {"soil": EngineResult(None, "cell", {}, notes=notes)}})
    page = html.unescape(soil_heat_report_section(comp))
    said = re.search(r"<p class='note ground-area'>(.*?)</p>", page).group(1)
    assert said == ("These 4,532 m² are 76 % of the 5,939 m² that “What each what-if changed” gives (the area of the polygons "
                    "the what-if de-seals): only their ground outside roofs and streets counts, each m² weighted by how much its "
                    "sealed share falls.")
    assert page.index("4,532 m² of ground") < page.index(said)  # right after the note it explains
    assert "area 5,939 m²" in html.unescape(_changes_section(SimpleNamespace(applied=applied)))  # the other number, as shown
    # no sentence without a de-sealing record or without the note's area
    assert ground_area_sentence(notes[0], [{"op": "renovate", "area_m2": 10.0}]) is None
    assert ground_area_sentence(notes[1], applied["desealing-car-parks"]) is None


# -- 4. a change rounded to zero beside a non-zero percentage ------------------------------------

def test_a_change_with_a_percentage_is_not_shown_as_zero():
    """The morning peak's NOx row read "1.17 | 1.17 | ≈ 0 | +0.3 %": a change rounded away beside a
    percentage that is not. The row (report._kpi_row_cells) now gives the change with two
    significant digits of its own, which agree with the percentage; a change whose percentage
    also rounds away stays "≈ 0"."""
    from twin.scenario.report import _kpi_row_cells

    def cells(delta: float) -> list[str]:
        r = SimpleNamespace(kpi="am_peak_nox_kg", baseline=1.17, whatif_value=1.17 + delta, delta=delta)
        return [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", _kpi_row_cells(r, False, (5, 95)))]

    label, unit, base, what, change, pct = cells(0.0035)
    assert (label, unit, base, pct) == ("Morning peak: NOx from road traffic", "kg", "1.17", "+0.3 %")
    assert change == "+0.0035"
    assert float(change) / 1.17 * 100 == pytest.approx(float(pct.rstrip(" %")), abs=0.05)  # the two cells agree
    assert cells(-0.0035)[4:] == ["-0.0035", "-0.3 %"]
    assert cells(0.0003)[4:] == ["≈ 0", "≈ 0 %"]  # both round away: nothing contradicts
    assert cells(0.0)[4:] == ["0", "0 %"]
    assert L.fmt_delta("co2_t", -0.4, 1000.0) == "≈ 0"  # -0.04 %: shown "≈ 0 %"
    assert L.fmt_delta("am_peak_person_trips", 30.0, 5691.0) == "+30"  # a change that shows keeps the baseline's rounding


# -- 6. the calibration's group note in plain words --------------------------------------------

def test_the_calibration_group_note_says_what_the_factor_is_in_plain_words():
    """"the shift of its U-values drawn for each sample given the sample (5-50-95 %: ...)": now what
    the factor multiplies, that it is fitted again in each sample and why, which percentiles, and
    the classes of the target the share counts (from the calibration's targets)."""
    import numpy as np

    from twin.scenario.report_calibration import _summary_html

    shift, share = np.linspace(0.6, 0.8, 101), np.linspace(0.80, 0.90, 101)
    stock = SimpleNamespace(conditioned={"residential": shift}, conditioned_share={"residential": share},
                            group_conditional={"residential": {"targets": [{"target": "d_or_worse", "classes": ["D", "E", "F", "G"]}]}})
    comp = SimpleNamespace(scenario=SimpleNamespace(inputs=SimpleNamespace(calibration=None)), stock_samples=stock)
    summary = {"kinds": {"group": 3937}, "groups": ["residential"], "buildings": 3991, "methods": ["class shares"], "parameters": {}}
    note = html.unescape(re.sub(r"<[^>]+>", "", re.findall(r"<p class='note'>.*?</p>", _summary_html(summary, comp))[-1]))
    assert "given the sample" not in note and "shift" not in note and "5-50-95" not in note
    assert note.startswith("Group residential: the calibration multiplies the U-values of its buildings by a factor that is fitted "
                           "again in each Monte Carlo sample")
    assert (f"factor {np.percentile(shift, 5):.3f} (5th percentile of the samples), {np.percentile(shift, 50):.3f} (median), "
            f"{np.percentile(shift, 95):.3f} (95th percentile)") in note
    q = 100 * np.percentile(share, [5, 50, 95])
    assert "floor area in EPB classes D, E, F, G" in note and f"{q[0]:.1f} %, {q[1]:.1f} %, {q[2]:.1f} % (the same percentiles)" in note


# -- 7. docs: a change of a temperature is in K ---------------------------------------------------

def _degc_change_rows(text: str) -> list[str]:
    """Rows of markdown tables with a change column whose label gives degC as the only unit (the
    change column then reads as a temperature, not a difference in K)."""
    bad, header = [], None
    for line in text.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            continue
        if set("".join(cells)) <= set("-: "):
            continue
        if any("change" in h for h in header[1:]) and re.search(r"\b(?:degC|°C)\b", cells[0]) and not re.search(r"\bK\b", cells[0]):
            bad.append(line)
    return bad


def test_docs_tables_give_temperature_changes_in_k():
    """docs/soil_3d.md's validation table labelled its rows "..., degC" over a change column
    (-8.46 read as degC): the convention of docs/soil_heat.md (changes in K) is said in the label."""
    from pathlib import Path

    docs = Path(__file__).resolve().parents[1] / "docs"
    assert {p.name: _degc_change_rows(p.read_text(encoding="utf-8")) for p in sorted(docs.glob("soil*.md"))
            if _degc_change_rows(p.read_text(encoding="utf-8"))} == {}
    assert _degc_change_rows("| KPI | baseline | change |\n|---|---|---|\n| at 11–16 h, district mean, degC | 47.1 | -0.04 |") != []
    assert _degc_change_rows("| KPI | baseline | change |\n|---|---|---|\n| at 11–16 h, district mean, degC (change in K) | 47.1 | -0.04 |") == []
