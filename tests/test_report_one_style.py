"""The default report reads as one document: one style of ranges, hours, parameters and units.

A planner's read of the default report found, left from earlier rounds: calibration bands
printed as Python lists ("[-24.6, -19.4]") where the other tables write "a to b"; prior texts
with hyphens as range signs ("18-22 °C", "1971-1990", "5-95 %: 0.86-1.11") and brackets
("within [-5, +4] K"); the hot days' "mid-day" (11–16 h) beside the traffic period "Midday"
(11–12 h: the hot-days note now says "surface temperature at 11-16 h" at its source); TABULA's parameter id ``F_red_temp`` in running text; nested parentheses
("(U 5.0 W/(m²·K))"). Each rule is checked on the converter (fast) and on the default run's
report (slow).
"""

from __future__ import annotations

import html
import re

import pytest

from twin.scenario import report_labels as L

#: "[a, b]" with numbers: a Python list, not the report's way of writing a range.
BRACKET_RANGE = re.compile(r"\[[-+−]?\d[\d,.]*, [-+−]?\d[\d,.]*\]")
#: A hyphen between two numbers used as a range sign ("18-22"), not a date (2023-07-21).
HYPHEN_RANGE = re.compile(r"(?<![\w.,/:+-])\d[\d,]*(?:\.\d+)?-\d[\d,]*(?:\.\d+)?(?![\w-])(?![.,]\d)")
#: One parenthesis inside another: "(U 5.0 W/(m²·K))".
NESTED = re.compile(r"\([^()]*\([^()]*\)[^()]*\)")


def _nested(page: str) -> list[str]:
    """The blocks (paragraphs, items, cells) of an HTML page whose text opens a parenthesis inside
    another (any depth, any number of inner ones: "(a (b) c (d) e)")."""
    found = []
    page = re.sub(r"<script.*?</script>|<style.*?</style>|<code>.*?</code>", " ", page, flags=re.S)
    for block in re.split(r"<(?:p|li|td|th|h\d|div|figcaption|caption|dd|dt)\b[^>]*>", page):
        depth = 0
        for i, ch in enumerate(text := _visible(block)):
            depth += (ch == "(") - (ch == ")" and depth > 0)
            if depth > 1:
                found.append(text[max(i - 60, 0):i + 30])
                break
    return found


def _visible(page: str) -> str:
    """The text a reader sees, without scripts, styles, code spans and embedded images."""
    body = re.sub(r"<script.*?</script>|<style.*?</style>|<code>.*?</code>|src='data:[^']*'", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_a_range_reads_a_to_b_or_with_an_en_dash():
    assert L.note_units("offset normal, within [-5, +4] K") == "offset normal, within -5 to +4 K"
    assert L.note_units("factor lognormal, within [0.33, 3]") == "factor lognormal, within 0.33–3"
    assert L.note_units("households set 18-22 C; TABULA's 1971-1990 glazing (U 2.9-3.5, g 0.75)") == (
        "households set 18–22 °C; TABULA's 1971–1990 glazing (U 2.9–3.5, g 0.75)")
    assert L.note_units("(prior heat_pump_cop; 5-95 %: 0.86-1.11)") == "(prior heat_pump_cop; 5th–95th percentile: 0.86–1.11)"
    assert L.note_units("the van Genuchten - Mualem parameters") == "the van Genuchten–Mualem parameters"
    assert L.note_units("(gas boiler 50 %, gas boiler condensing 28 %, electric direct 3 %)") == (
        "(gas boiler 50 %, condensing gas boiler 28 %, direct electric heating 3 %)")
    assert L.note_units("(target shares walk 0.38, pt 0.27)") == "(target shares walk 0.38, public transport 0.27)"
    kept = "on 2023-07-21, ISO 52016-1, storeys -2: 5 %, -1: 25 %, `x 1-2`, Saint-Gilles - Sint-Gillis"
    assert L.note_units(kept) == kept


def test_a_parameter_id_reads_in_the_docs_words():
    """``F_red_temp`` (docs/energy.md: "TABULA's temperature reduction factor") in words, or
    gone where the words before it already say what it is."""
    assert L.note_units("TABULA's F_red_temp (night setback)") == "TABULA's temperature reduction factor (night setback)"
    assert L.note_units("a reduction factor for intermittent and partial heating (F_red_temp); households") == (
        "a reduction factor for intermittent and partial heating; households")


def test_a_payback_range_gives_its_unit_once():
    from twin.scenario.report_energy_classes import payback_range

    assert payback_range(7.31, 9.46) == "7.3 to 9.5 years"
    assert payback_range(7.31, float("inf")) == "7.3 years to never (no saving)"


def test_the_calibration_table_writes_its_bands_as_the_kpi_tables():
    """Before and after bands "lo to hi" (a change's: "-110 to -90"), as the KPI tables' ranges."""
    from tests.test_calibration_report import _comparison, _kpis
    from twin.scenario.report_calibration import calibration_section

    cells = re.findall(r"<td>([^<]*)</td>", calibration_section(_comparison("c.parquet", _kpis(0.25, 0.5)), _kpis(1.0, 1.0)))
    assert "900 to 1,100" in cells and "-110 to -90.0" in cells
    assert BRACKET_RANGE.findall(" ".join(cells)) == []


def test_a_range_bar_gives_its_unit_once():
    """The bars' hover text said "146,733 MWh/yr to 229,372 MWh/yr" where the summary says
    "range -7,814 to -5,379 t/yr"."""
    assert "percentile: 83.3 to 89.9 %; central run 85.5 %" in L.band_bar("floor_area_class_d_or_worse_pct", 85.5, 83.3, 89.9)
    assert "percentile: -13.0 to -7.8 K; central" in L.delta_bar("hot_days_surface_temp_midday_c", -11.9, -13.0, -7.8, 51.4)


def test_a_parenthesis_inside_another_is_written_in_brackets():
    """The soil samples' note nested "(... Carsel & Parrish (1988) spreads; ... 5 % (packaged prior
    x.yaml, an assumption; drawn: ...), seed 2026)"."""
    note = ("100 paired samples (parameters drawn from the Carsel & Parrish (1988) spreads; from Loam 5 % "
            "(packaged prior twin/data/soil_texture_prior.yaml, an assumption; drawn: Loam 7), seed 2026) on 4 scenes")
    shown = L.note_html(note)
    assert _nested(f"<p>{shown}</p>") == [] and _nested(f"<p>{html.escape(note)}</p>")
    assert "the spreads of Carsel &amp; Parrish 1988;" in shown and "Loam 5 % [packaged prior <code>" in shown
    assert "drawn: Loam 7], seed 2026) on 4 scenes" in shown
    assert L.unnest("a (b (c) d (e (f))) g") == "a (b [c] d [e [f]]) g"


def test_the_soil_texture_prior_note_needs_no_square_brackets():
    """The soil samples' note read "... Loamy Sand 5 % [packaged prior x.yaml, an assumption;
    drawn: ... Loamy Sand 7], seed 2026)": the prior's own parenthesis, nested in the note's,
    came out in brackets. Its words now have none, in either note that cites them."""
    from twin.scenario.engines.soil_texture_prior import TexturePrior, describe, packaged_prior

    prior = packaged_prior()
    drawn = prior.draw(100, 2026)
    words = describe(prior, drawn)
    assert "(" not in words and ")" not in words
    assert words.startswith("the packaged prior twin/data/soil_texture_prior.yaml, an assumption: Silt Loam 55 %")
    assert words.endswith(f"; drawn in 100 samples: Silt Loam {drawn.count('Silt Loam')}, "
                          + ", ".join(f"{t} {drawn.count(t)}" for t in list(prior.shares)[1:] if drawn.count(t)))
    # as soil_storm_samples and soil (scs_cn) put it in their notes
    for note in (f"100 paired samples of the soil hydraulics (van Genuchten - Mualem parameters of each texture drawn from the "
                 f"Carsel & Parrish (1988) spreads; the texture of the ground without a soil polygon drawn per sample from "
                 f"{words}, seed 2026) on 4 scenes",
                 f"100 paired samples of the texture of the ground without a soil polygon, from {words}; its hydrologic soil group"):
        shown = L.note_html(note)
        assert "[" not in shown and "]" not in shown and _nested(f"<p>{shown}</p>") == [], shown
        assert "the packaged prior <code>twin/data/soil_texture_prior.yaml</code>, an assumption: Silt Loam 55 %" in shown
    given = TexturePrior({"Loam": 0.5, "Sand": 0.5}, "given by the scenario", "the scenario's soil.texture_shares")
    assert describe(given, ["Sand"] * 3) == "the scenario's soil.texture_shares: Loam 50 %, Sand 50 %; drawn in 3 samples: Sand 3"


def test_a_u_value_in_parentheses_follows_a_comma():
    shown = L.note_units("types before 1971 have single glazing (U 5.0 W/m2K), but most dwellings")
    assert shown == "types before 1971 have single glazing, U = 5.0 W/(m²·K), but most dwellings"


def test_the_packaged_priors_read_without_ids_brackets_hyphen_ranges_or_nested_parentheses():
    """The priors table's texts (what and basis of every packaged prior), as the report shows them."""
    from twin.energy.priors import describe, load_priors

    rows = describe(load_priors())
    raw = " ".join(f"{d['what']} {d['basis']}" for d in rows)
    assert "F_red_temp" in raw and BRACKET_RANGE.search(raw) and HYPHEN_RANGE.search(raw)  # the packaged ASCII text
    shown = _visible(" ".join(f"{L.note_html(d['what'])} {L.note_html(d['basis'])}" for d in rows))
    assert "F_red_temp" not in shown
    assert BRACKET_RANGE.findall(shown) == [] and HYPHEN_RANGE.findall(shown) == [] and NESTED.findall(shown) == []
    assert "within -5 to +4 K" in shown and "18–22 °C" in shown and "single glazing, U = 5.0 W/(m²·K), but" in shown


def test_the_hot_hours_are_the_soil_models_and_not_called_midday():
    """The hot-days temperature is over the hours ending 12 to 16 (11:00–16:00); the report names
    those hours, since its traffic period "Midday" is one hour, 11–12 h."""
    from twin.soil.deseal_heat import MIDDAY_HOURS
    from twin.traffic.mobility import PERIODS as WINDOWS

    assert L.HOT_HOURS == f"{min(MIDDAY_HOURS) - 1}–{max(MIDDAY_HOURS)} h"
    hot = [k for k in L.LABELS if k.startswith("hot_days_")]
    assert hot and not any("mid-day" in L.label(k).lower() or "midday" in L.label(k).lower() for k in hot)
    assert sum(L.HOT_HOURS in L.label(k) for k in hot) == 2
    assert L.HOT_HOURS not in L.period_words("off_peak")
    assert [w / 3600.0 for w in WINDOWS["off_peak"]["window_s"]] == [11.0, 12.0]
    # the hot-days note's words (twin/scenario/engines/soil_heat.py): its ASCII hours read the report's
    assert L.note_units("surface temperature at 11-16 h per cover") == f"surface temperature at {L.HOT_HOURS} per cover"


@pytest.mark.slow
def test_the_default_report_reads_one_style(tmp_path_factory):
    """On the default run's report, every section: no "[a, b]" range (the calibration's bands
    included), no hyphen between two numbers, no ``F_red_temp``, no "mid-day", no nested
    parentheses; the calibration bands read "a to b"."""
    from tests.scenario_default_run import default_run

    out, _ = default_run(tmp_path_factory)
    page = (out / "report.html").read_text()
    text = _visible(page)
    assert BRACKET_RANGE.findall(text) == []
    assert [text[max(m.start() - 30, 0):m.end() + 10] for m in HYPHEN_RANGE.finditer(text)] == []
    assert "F_red_temp" not in text and "mid-day" not in text.lower()
    assert NESTED.findall(text) == [] and _nested(page) == []
    assert re.search(r"−\d[\d,.]* to −\d[\d,.]*\s+\d", text)  # a calibration band of a change (minus signs), then its width
    assert "Hottest days: surface temperature at 11–16 h" in text and "Midday: person trips" in text
