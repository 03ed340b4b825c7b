"""The default report's last ids, notation and plural hedges.

A planner's read of the default report found: run checks in scientific notation ("relative gap
1.9e-16", "Water balance error 1.2e-16"), which also differ between a run from the command line
("0.0e+00") and one in-process (round-off); "on 4 scene(s)"; the traffic calibration's ids
("destination-choice scale theta 1.729", "car +0.000"); the run's step ids in the Timings table
(``engine:energy:baseline``); and a count of trips given as "0.0091" beside its range "≈ 0
trips". Each is checked on the function that writes it (fast) and on the default run's report
(slow).
"""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import pandas as pd
import pytest

from tests.test_report_one_style import _visible
from twin.scenario import report_labels as L


def _text(fragment: str) -> str:
    """An HTML fragment's text, its tags dropped."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


#: A number in scientific notation, as Python's ``:.1e`` writes it.
SCIENTIFIC = re.compile(r"(?<![\w.])[+-]?\d(?:\.\d+)?e[+-]\d+(?![\w])")


def test_a_relative_gap_reads_against_its_target_whatever_the_round_off():
    cli = L.note_html("am_peak: 100 person trips; car assignment (Algorithm B) to relative gap 0.0e+00", gap_target=1e-5)
    inproc = L.note_html("am_peak: 100 person trips; car assignment (Algorithm B) to relative gap 1.9e-16", gap_target=1e-5)
    visible = _text(cli)
    assert visible == _text(inproc)
    assert "converged: relative gap below the target 0.001 %" in visible and not SCIENTIFIC.search(visible)
    assert "title='to relative gap 1.9e-16'" in inproc  # the exact value kept in the tooltip
    far = _text(L.note_html("to relative gap 2.0e-03", gap_target=1e-5))
    assert far == "not converged: relative gap 0.2 %, above the target 0.001 %"


def test_a_water_balance_error_reads_against_its_threshold():
    for note in ("annual water balance error 1.2e-16 of the rain", "relative water-balance error 3.0e-17"):
        text = _text(L.note_html(note))
        assert text == "water balance closes within 0.000001 % of the rain", text
    assert _text(L.note_html("200 runs, largest balance error 9.6e-16, 18.5 s")) == (
        "200 runs, every water balance closes within 0.000001 % of the rain, 18.5 s")
    assert _text(L.note_html("annual water balance error 3.0e-06 of the rain")) == "water balance error 0.0003 % of the rain"
    assert L.fmt_value("water_balance_error_rel", 1.2e-16) == L.fmt_value("water_balance_error_rel", -4e-17) == "within 0.000001 %"


def test_a_count_hedged_with_s_takes_its_own_number():
    assert L.note_units("paired samples (seed 2026) on 4 scene(s), 200 district runs") == "paired samples (seed 2026) on 4 scenes, 200 district runs"
    assert L.note_units("sewer 10 mm/h, 1 green infrastructure(s)") == "sewer 10 mm/h, 1 green infrastructure"


def test_the_timed_steps_read_in_words():
    assert L.step_words("baseline_scene") == "building the baseline scene"
    assert L.step_words("whatif_scene:renovation-wave") == "building the scene of the what-if renovation-wave"
    assert L.step_words("engine:energy:baseline") == "energy engine, baseline"
    assert L.step_words("samples:traffic:paired") == "traffic engine, Monte Carlo samples (baseline and what-ifs paired)"
    assert L.step_words("uncalibrated:energy") == "energy engine, bands with the priors alone (no calibration)"
    assert L.step_words("something:new") == "something:new"


def test_a_count_of_trips_is_rounded_as_its_range():
    """The mobility table's central count and its range follow one rule: whole trips, "≈ 0"
    for a count that rounds away (not "0.0091" beside "≈ 0 trips")."""
    from twin.scenario.report_mobility import _change_table

    kpis = pd.DataFrame({
        "whatif": ["w"] * 2, "domain": ["traffic"] * 2, "kpi": ["am_peak_mode_shifted_trips", "am_peak_evaporated_trips"],
        "baseline": [0.0, 0.0], "whatif_value": [0.0091, 153.4], "delta": [0.0091, 153.4],
        "delta_p_lo": [0.0, 120.0], "delta_p_hi": [0.6, 170.0],
    })
    sc = SimpleNamespace(traffic=SimpleNamespace(periods=["am_peak"]), uncertainty=SimpleNamespace(percentiles=(5, 95)))
    table = _change_table(SimpleNamespace(kpis=kpis, scenario=sc), "w")
    shifted = table.split("car trips shifted")[1].split("</tr>")[0]
    assert "0.0091" not in shifted and re.search(r"<td>≈ 0</td>", shifted), shifted
    assert "<td>153</td>" in table.split("no longer made")[1].split("</tr>")[0]


@pytest.mark.slow
def test_the_default_report_has_no_scientific_notation_hedges_or_step_ids(tmp_path_factory):
    from tests.scenario_default_run import default_run

    out, _ = default_run(tmp_path_factory)
    page = (out / "report.html").read_text()
    text = _visible(page)
    assert SCIENTIFIC.findall(text) == []
    assert "(s)" not in text and "theta" not in text
    assert not re.search(r"\+0\.000(?![0-9]*[1-9])", text)  # a zero written "+0.000" ("car +0.000"); "+0.0008 kg" is a number
    assert "converged: relative gap below the target" in text and "water balance closes within 0.000001 %" in text
    timings = page.split("<h3>Timings</h3>")[1].split("</table>")[0]
    assert "<code>" not in timings and "energy engine, baseline" in timings and "title='engine:energy:baseline'" in timings
    mobility = _visible(page.split("<section id='mobility'>")[1].split("</section>")[0])
    assert not re.search(r"(?<![\d.])0\.0\d+ change", mobility)  # a count of trips below one, in decimals
