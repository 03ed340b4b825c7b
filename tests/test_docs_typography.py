"""The docs read like the report: in the prose and tables of docs/*.md and README.md a temperature is
in °C (not ``degC``, nor ``20 C``) and a negative figure starts with the minus sign U+2212, as the report writes it
(:func:`twin.scenario.report_labels.minus_sign`). What a reader copies keeps its ASCII: code spans and
blocks (commands, options, YAML/JSON, KPI keys, file and column names) and HTML comments are not
checked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from twin.scenario.report_labels import SIGN_HYPHEN

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]

#: What a reader copies or does not read: fenced code blocks, indented code blocks (lines of 4 spaces or more
#: after a blank line), HTML comments, code spans.
NOT_PROSE = re.compile(
    r"^(?P<fence> {0,3}(?:```|~~~)).*?^(?P=fence)[^\n]*$"
    r"|(?<=\n\n)(?: {4}[^\n]*(?:\n|$))+"
    r"|<!--.*?-->"
    r"|(?P<ticks>`+)(?!`).+?(?<!`)(?P=ticks)(?!`)",
    re.S | re.M,
)

#: Degrees Celsius written as a bare ``C`` after a figure (``20 C``; not ``C++``, nor an annex ``ISO 13790 C.2``).
CELSIUS_AS_C = re.compile(r"(?<=\d) C\b(?!\+\+|\.\d)")

#: A sign written with the hyphen-minus: the report's rule, and the upper end of a range ``−13.4..-12.5``.
ASCII_SIGN = re.compile(SIGN_HYPHEN.pattern + r"|(?<=\d\.\.)-(?=\d)")


def prose(text: str) -> str:
    """``text`` with its code blocks, comments and code spans blanked (their newlines kept, so line
    numbers stay)."""
    return NOT_PROSE.sub(lambda m: "\n" * m.group(0).count("\n") or " ", text)


def offenders(text: str) -> list[tuple[int, str]]:
    """(line number, line) of each prose line of ``text`` that says ``degC`` or ``20 C`` or writes a sign as a hyphen-minus."""
    return [(i, line.strip()[:100]) for i, line in enumerate(prose(text).splitlines(), 1)
            if "degC" in line or CELSIUS_AS_C.search(line) or ASCII_SIGN.search(line)]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_prose_writes_degrees_celsius_and_the_minus_sign(page):
    assert offenders(page.read_text(encoding="utf-8")) == []


def test_the_check_reads_prose_only():
    text = ("Loads fell by −12.4 % at −3 °C; seeds 0-2, ISO 52016-1, 2026-12-06, 1.2e-16, ±0.1.\n"
            "`t_air_min_c` in `degC`, `--offset -2` stay ASCII <!-- -5 degC -->\n"
            "```yaml\nsetpoint_c: -5  # degC\n```\n")
    assert offenders(text) == []
    assert offenders("the change was -11.91 K") == [(1, "the change was -11.91 K")]
    assert offenders("a\n| 600ff | (-2.5 %) |") == [(2, "| 600ff | (-2.5 %) |")]
    assert offenders("range −13.4..-12.5") == [(1, "range −13.4..-12.5")]
    assert offenders("at 20 degC") == [(1, "at 20 degC")]
    assert offenders("setpoint 20 C, sd 1.8 K") == [(1, "setpoint 20 C, sd 1.8 K")]
    assert offenders("ISO 13790 C.2, UXsim 1.15.1 C++ engine at 20 °C\n\n    d1 = 0.5 C (1 - g)^2\n    d2 = -1\n\nback") == []
    assert offenders("`a` -3 `b`") == [(1, "-3")]


def test_the_renderers_write_the_minus_sign():
    """scripts/figure_renderers/common.py: :func:`signed` for a figure the renderer formats, :func:`minus_signs` for
    the lines a benchmark printed (soil_year_validation's sections); both by the rule checked above."""
    from tests.script_loader import load_script

    load_script("scripts/update_figures.py")  # puts scripts/ on the path
    from figure_renderers.common import MINUS, minus_signs, signed

    assert MINUS == "\u2212"
    assert [signed(x, spec) for x, spec in ((-11.914, ".2f"), (0.4, "+.1f"), (-0.4, "+.1f"), (-7444.9, ",.0f"), (2.0, "g"))] == [
        "−11.91", "+0.4", "−0.4", "−7,445", "2"]
    assert signed(-0.5, "+.0%") == "−50%"
    line = "| 19 (hourly) 02-03 h | omega | -2.46 | -2.45945 | `h = -1` | 1.2e-16 |"
    assert minus_signs(line) == "| 19 (hourly) 02-03 h | omega | −2.46 | −2.45945 | `h = -1` | 1.2e-16 |"
    assert offenders(minus_signs(line)) == []
