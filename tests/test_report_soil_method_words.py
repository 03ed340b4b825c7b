"""The soil section's note when no year was simulated names the storm method in words: the
default report read "Not computed: the soil engine ran the richards method" (a lower-case
solver name, no word of the design storm it simulates)."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import pandas as pd
import pytest


@pytest.mark.parametrize("method, words", [
    ("richards", "one design storm, the water's flow through each soil column by the Richards equation"),
    ("scs_cn", "one design storm, its runoff by the SCS Curve Number (a screening rule of the US Soil Conservation Service)"),
])
def test_the_storm_method_is_said_in_words(monkeypatch, method, words):
    from twin.scenario import report_soil

    monkeypatch.setattr(report_soil, "block_section", lambda comparison: "")
    comp = SimpleNamespace(scenario=SimpleNamespace(domains=["soil"], soil=SimpleNamespace(method=method)), baseline={"soil": None},
                           kpis=pd.DataFrame({"domain": [], "kpi": []}))
    note = html.unescape(re.sub(r"<[^>]+>", "", report_soil.soil_section(comp)))
    assert f"Not computed: the soil engine simulated {words} (soil.method: {method}); its KPIs are in the tables above." in note
    assert "ran the richards method" not in note
