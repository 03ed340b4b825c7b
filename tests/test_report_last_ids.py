"""The default report's last ids and mixed formats: the priors table's distribution column names
heat generators and glazing states in words, period words inside parentheses do not nest, and
hours of the day are written one way ("11–16 h") across the report; the terminal keeps its text."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

from tests.test_stock_priors import fake_scene
from twin.energy.priors import describe, load_priors
from twin.energy.stock_samples import draw_stock_samples
from twin.scenario import report_labels as L

SNAKE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")


def _visible(page: str) -> str:
    """The text a reader reads of an HTML fragment: tags and ``title`` attributes dropped, and the
    ``code`` spans (file names, as the chromium test of the default report drops them)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<code>.*?</code>", " ", page)))


def test_the_priors_table_names_heating_systems_and_windows_in_words():
    from twin.scenario.report import _priors_table

    priors = load_priors()
    rows = {d["entry"]: d for d in describe(priors)}
    assert "gas_boiler_condensing" in rows["heating_system"]["what"] and "double_low_e" in rows["window"]["what"]  # the ids
    page = _priors_table(SimpleNamespace(stock_samples=draw_stock_samples(fake_scene(30), priors, 5, 1)))
    shown = _visible(page)
    assert SNAKE.findall(shown) == []
    heating = _visible(page.split("title='heating_system'")[1].split("</tr>")[0])
    assert "gas boiler 50 %, condensing gas boiler 28 %, oil boiler 18 %, direct electric heating 3 %, heat pump 1 %" in heating
    assert "double low-e (U 1.8, g 0.62)" in _visible(page.split("title='window'")[1].split("</tr>")[0])
    assert "<code>heat_pumps.csv</code>" in page and "storey height (storey" not in shown  # a file as code; words once


def test_every_heat_generator_has_its_words():
    """One entry of SYSTEM_WORDS per system the accounts and ingest know (a new one would show as an id)."""
    from twin.types.heating_systems import all_systems

    assert set(L.SYSTEM_WORDS) == set(all_systems())
    assert all("_" not in w for w in L.SYSTEM_WORDS.values())
    # ids inside longer ids, file names and code stay
    kept = "heat_pump_cop_x, heat_pumps.csv, twin/data/gas_boiler, `oil_boiler`, <code>heat_pump</code>, pv_yield_mwh"
    assert L.note_words(kept) == kept


def test_period_words_inside_parentheses_do_not_nest():
    """The traffic engine's unserved-trips note ("unserved (off_peak, car, z12): ...") reads
    "unserved (midday, 11–12 h, car, z12)"; outside parentheses the hours keep theirs."""
    from tests.test_report_stumbling_blocks import _traffic_notes

    notes = _traffic_notes()
    (unserved,) = [n for n in notes if n.startswith("unserved (")]
    assert unserved.startswith("unserved (off_peak, car, z12)")  # the terminal's text
    shown = html.unescape(L.note_html(unserved))
    assert shown.startswith("unserved (midday, 11–12 h, car, z12): ")
    for text in (html.unescape(L.note_html(n)) for n in notes):  # no "(" opened inside an open "("
        depth = 0
        for ch in text:
            depth += (ch == "(") - (ch == ")")
            assert depth <= 1, text
    assert L.note_words("am_peak: 3 trips (off_peak)") == "morning peak (8–9 h): 3 trips (midday, 11–12 h)"


def test_hours_of_the_day_are_written_one_way(monkeypatch):
    """The hot-days note says "surface temperature at 11-16 h" at its source (not "mid-day": the
    traffic period "Midday" is 11–12 h), in the terminal's ASCII, and "at 11–16 h" in the report,
    its hours written as the traffic periods write theirs ("midday (11–12 h)")."""
    from tests.test_report_stumbling_blocks import _heat_notes
    from twin.scenario.report_soil_heat import TERMINAL_HOT_HOURS

    heat = _heat_notes(monkeypatch)[0]
    assert f"surface temperature at {TERMINAL_HOT_HOURS} per cover (central): " in heat  # the terminal's text
    assert "mid-day" not in heat.lower()
    shown = html.unescape(L.note_html(heat))
    assert f"surface temperature at {L.HOT_HOURS} per cover" in shown and "mid-day" not in shown.lower()
    assert not re.search(r"\d:\d\d", shown)
    hours = re.compile(r"\b\d{1,2}–\d{1,2} h\b")
    assert hours.search(L.period_words("am_peak")) and hours.search(shown)
    assert L.note_units("08:00-09:00, 20:00 - 24:00; at 10:35 UTC; 2023-07-21T00:00") == "8–9 h, 20–24 h; at 10:35 UTC; 2023-07-21T00:00"


def test_file_names_options_and_modules_in_notes_are_code():
    """A note's file names, scenario options and modules read as code, not as words with
    underscores ("twin/data/transit_osm_defaults.csv", "traffic.give_way"); prior keys of the
    Monte Carlo notes read in words ("prior heat_pump_cop" -> "prior heat-pump COP")."""
    note = ("none (traffic.signals and traffic.give_way off); routes (../data_samples/stgilles_transit_osm2013.geojson), "
            "defaults of twin/data/transit_osm_defaults.csv (twin.traffic.osm_transit); range (docs/soil_heat.md). "
            "Timetable feed.zip; a factor drawn per sample (prior heat_pump_cop; 5-95 %), the headways (pt_headway_factor), e.g. the traffic. 7 m2")
    shown = L.note_html(note)
    for name in ("traffic.signals", "traffic.give_way", "../data_samples/stgilles_transit_osm2013.geojson",
                 "twin/data/transit_osm_defaults.csv", "twin.traffic.osm_transit", "docs/soil_heat.md", "feed.zip"):
        assert f"<code>{name}</code>" in shown, name
    assert SNAKE.findall(_visible(shown)) == []
    assert "prior heat-pump COP; 5th–95th percentile" in shown and "(headway factor)" in shown and "e.g. the traffic. 7 m²" in shown
