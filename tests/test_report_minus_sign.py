"""The report writes a negative number with the minus sign (U+2212), as typography does for
people: "−12.4 %", not "-12.4 %" (:func:`twin.scenario.report_labels.page_minus`, applied once
to the whole page by :func:`twin.scenario.report.render_html`). The machine outputs keep the
hyphen-minus: the terminal summary, ``kpis.csv``, the page's ``data-*`` attributes, its scripts
and its ``code``; so do the hyphens that are no sign (a date, a standard, an id, an exponent).
"""

from __future__ import annotations

import html
import re

import pytest

from tests.scenario_helpers import fake_comparison, fake_scenario
from twin.scenario import report_labels as L

#: A hyphen-minus used as a number's sign in text a person reads: before a digit, at the start
#: or after a space, an opening parenthesis or bracket, a "=" or a ">" (this test's own pattern,
#: not the report's).
SIGN_AS_HYPHEN = re.compile(r"(?:^|(?<=[\s(\[=>]))-(?=\.?\d)", re.M)


def readable(page: str) -> str:
    """What a person reads on the page: the text between tags and the tooltips (``title``,
    ``aria-label``, ``alt``), without scripts, styles and code."""
    page = re.sub(r"<script.*?</script>|<style.*?</style>|<code>.*?</code>", " ", page, flags=re.S)
    tips = re.findall(r"""(?<![\w-])(?:title|aria-label|alt)=(['"])(.*?)\1""", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page) + "\n" + "\n".join(t for _, t in tips))


def test_a_sign_becomes_the_minus_sign_and_no_other_hyphen_does():
    assert L.MINUS == "\u2212"
    for signed, shown in (("-12 %", "−12 %"), ("(-13.8 %)", "(−13.8 %)"), ("range -7,814 to -5,379 t/yr", "range −7,814 to −5,379 t/yr"),
                          ("storeys -2: 5 %, -1: 25 %", "storeys −2: 5 %, −1: 25 %"), ("within -5 to +4 K", "within −5 to +4 K"),
                          ("-.5", "−.5"), ("walk +1.610, bike -2.317", "walk +1.610, bike −2.317")):
        assert L.minus_sign(signed) == shown
    kept = ("on 2023-07-21, ISO 52016-1, EN 15316-4-2, osm:way/-5, B-12, 1.2e-16, 11-16 h, 11–16 h, "
            "Rue du Fort - Fortstraat, vehicle-km, 5th–95th percentile, −3 already")
    assert L.minus_sign(kept) == kept


def test_the_page_pass_leaves_scripts_code_and_data_attributes():
    page = ("<p class='x-1'>change -34 (-3.4 %)</p><code>whatif.x = -5</code><script>var i = n-1, j = -2;</script>"
            "<style>.a{margin:-2px}</style><svg class='bar' aria-label='range -40 to -28' data-lo='-40' data-hi='-28'>"
            "<title>range -40 to -28</title><path d='M-1 -2 L3 4'/></svg><img alt='car flow -12 veh/h' src='data:image/png;base64,AB-1'>")
    shown = L.page_minus(page)
    assert shown == (page.replace("change -34 (-3.4 %)", "change −34 (−3.4 %)").replace("range -40 to -28", "range −40 to −28")
                     .replace("car flow -12", "car flow −12"))
    assert L.page_minus(shown) == shown  # once is enough


def _small_report() -> tuple[str, object]:
    from twin.scenario.report import render_html

    comp = fake_comparison()

    comp.scenario = fake_scenario("Heating need down by -34 % on 2023-07-21 (ISO 52016-1), storeys -1 to +2.", samples=10)
    comp.kpis = comp.kpis.assign(baseline_p_lo=90.0, baseline_p50=100.0, baseline_p_hi=110.0, whatif_p_lo=60.0, whatif_p_hi=70.0,
                                 delta_p_lo=-40.0, delta_p50=-34.0, delta_p_hi=-28.0)
    return render_html(comp, run_id="r1"), comp


def test_a_small_report_shows_no_hyphen_minus_as_a_sign():
    from twin.scenario.report import terminal_summary

    page, comp = _small_report()
    text = readable(page)
    assert [text[max(m.start() - 40, 0):m.end() + 10] for m in SIGN_AS_HYPHEN.finditer(text)] == []
    # the numbers are there, with the minus sign: the summary, the KPI table, the bar's tooltip
    assert "Q: −34 (−34.0 %), range −40 to −28" in re.sub(r"\s+", " ", text)
    assert "change, 5th–95th percentile: −40 to −28; central run −34" in text
    assert "Heating need down by −34 % on 2023-07-21 (ISO 52016-1), storeys −1 to +2." in text  # no date, no standard touched
    # the machine text keeps the hyphen-minus
    assert "data-lo='-40'" in page and "data-hi='-28'" in page
    assert "delta -34.000 (-34.000 %)" in terminal_summary(comp)[1]
    assert float(comp.kpis["delta"].iloc[0]) == -34.0


@pytest.mark.slow
def test_the_default_report_shows_no_hyphen_minus_as_a_sign(tmp_path_factory):
    """The default run's report (every section, the engines' real notes): its text and tooltips
    write each negative number with U+2212; kpis.csv keeps the hyphen-minus."""
    import pandas as pd

    from tests.scenario_default_run import default_run

    out, _ = default_run(tmp_path_factory)
    page = (out / "report.html").read_text(encoding="utf-8")
    text = readable(page)
    assert [text[max(m.start() - 40, 0):m.end() + 10] for m in SIGN_AS_HYPHEN.finditer(text)] == []
    assert text.count("−") > 100  # the renovation wave's and the de-sealing's falls
    kpis = pd.read_csv(out / "kpis.csv")
    assert (kpis["delta"] < 0).any() and "−" not in (out / "kpis.csv").read_text(encoding="utf-8")


def test_the_building_lookup_writes_its_numbers_with_the_minus_sign_too():
    """The "Look up a building" table is written by the browser (report_drilldown.FMT_JS), out of
    reach of page_minus: its formatter gives the page's text for the same number (commas, decimals,
    U+2212 for the sign), "–" for no value and the class as it is."""
    import json
    import shutil
    import subprocess

    from twin.scenario.report_drilldown import FMT_JS, SCRIPT

    assert FMT_JS.strip() in SCRIPT and SCRIPT.count("function fmt(") == 1  # the page's script uses this formatter
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("node is not installed: the formatter cannot be run outside a browser")
    cases = [(-1234.5, 1), (-0.25, 2), (-7, 0), (-123456.0, 0), (0, 0), (98765.432, 1), (42, 0), (-3.96, 1)]
    js = FMT_JS + "console.log(JSON.stringify([" + ",".join(f"fmt({v!r}, {nd})" for v, nd in cases) + ", fmt(null, 0), fmt('A+', null)]));"
    got = json.loads(subprocess.run([node, "-e", js], capture_output=True, text=True, check=True, timeout=60).stdout)
    assert got == [L.minus_sign(f"{v:,.{nd}f}") for v, nd in cases] + ["–", "A+"]
    assert got[0] == "−1,234.5" and got[-3] == "−4.0"
