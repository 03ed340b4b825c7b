"""The hot days' hours in one wording: the notes of :func:`twin.soil.deseal_heat.deseal_heat`
and docs/soil_heat.md's own prose say "surface temperature at 11-16 h" as the report does
(:data:`twin.scenario.report_labels.HOT_HOURS`), not "mid-day" (the report's traffic period
"Midday" is 11-12 h). The page's figure blocks are rendered by scripts/update_figures.py from
measured JSON and are not checked here.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.test_soil_deseal_heat import grids, result, scenes  # noqa: F401  (module fixtures)
from twin.scenario import report_labels as L

DOC = Path(__file__).resolve().parents[1] / "docs" / "soil_heat.md"


def test_the_deseal_heat_notes_name_the_hours_as_the_report(result):  # noqa: F811
    from twin.soil.deseal_heat import MIDDAY_HOURS

    hours = f"{min(MIDDAY_HOURS) - 1}-{max(MIDDAY_HOURS)} h"
    text = " ".join(result.notes)
    assert "mid-day" not in text.lower()
    assert f"mean surface temperature at {hours} (central): " in text and f"surface temperatures at {hours}" in text
    assert all(L.HOT_HOURS in L.note_units(n) for n in result.notes[:2])


def test_the_soil_heat_page_prose_does_not_say_mid_day():
    page = DOC.read_text()
    prose = re.sub(r"<!-- figures:(?P<b>[\w.]+) -->.*?<!-- /figures:(?P=b) -->", " ", page, flags=re.S)
    assert [line for line in prose.splitlines() if "mid-day" in line.lower()] == []
    assert "surface temperature at 11–16 h" in prose


def test_no_docs_page_says_mid_day():
    """The docs name the hot-days hours as the report does ("at 11–16 h"), in their prose, their
    rendered blocks and the tables kept as history (docs/soil_3d.md's ``twin run`` KPI table)."""
    docs = DOC.parent
    said = {p.name: [line[:80] for line in p.read_text(encoding="utf-8").splitlines() if "mid-day" in line.lower()]
            for p in sorted(docs.glob("*.md"))}
    assert {name: lines for name, lines in said.items() if lines} == {}
    assert "| surface temperature at 11–16 h of the changed cells, 3 hottest days, °C (change in K) |" in (docs / "soil_3d.md").read_text(encoding="utf-8")
