"""The KPI tables' note says how their numbers are rounded, and says it right: it read "rounded
to three significant digits" above a baseline of 171,748 MWh/yr and a change of −21,330 MWh/yr.
Each example of the note is checked against the formatters that write the tables."""

from __future__ import annotations

import html
import re


def _kpi_note(page: str) -> str:
    section = page.split("<section id='kpis'>", 1)[1].split("</ul>", 1)[0]
    return html.unescape(re.sub(r"<[^>]+>", "", section))


def test_the_note_says_how_the_tables_round():
    from tests.scenario_helpers import fake_comparison, fake_scenario
    from twin.scenario.report import ROUNDING_WORDS, render_html
    from twin.scenario.report_labels import fmt_delta, fmt_value, minus_sign

    comp = fake_comparison()
    comp.scenario = fake_scenario("x")
    note = _kpi_note(render_html(comp, run_id="r1"))
    assert "rounded to three significant digits;" not in note
    assert minus_sign(html.unescape(ROUNDING_WORDS)) in note
    # the note's examples are what the tables write
    assert "whole from 100 up (171,748 MWh/yr)" in note and fmt_value("heating_need_mwh", 171748.3) == "171,748"
    assert fmt_value("co2_t", 45.274) == "45.3" and fmt_value("nox_kg", 0.61234) == "0.612"  # three significant digits below 100
    assert "shares and temperatures to 0.1, ratios to 0.01" in note
    assert fmt_value("sealed_area_pct", 79.2159) == "79.2" and fmt_value("hot_days_surface_temp_midday_c", 51.44) == "51.4"
    assert fmt_value("am_peak_max_volume_capacity_ratio", 1.1634) == "1.16"
    assert "(+0.56 kg beside 233 kg)" in note and fmt_delta("off_peak_co2_kg", 0.5567, 232.74) == "+0.56"
    assert fmt_value("off_peak_co2_kg", 232.74) == "233" and fmt_delta("heating_need_mwh", -21330.4, 171748.3) == "-21,330"
    assert "“≈ 0” when it rounds away" in note and fmt_delta("co2_t", -0.4, 1000.0) == "≈ 0"
