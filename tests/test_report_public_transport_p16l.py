"""One rule for "does the traffic engine model public transport" in the report.

``twin.scenario.report.models_public_transport`` (``traffic.gtfs`` or ``traffic.transit_routes``)
is the single source of the assumed box's public-transport line (``public_transport``) and of the
mobility section's bold "not modelled" note; before, the mobility section repeated the test.
"""

from __future__ import annotations

import html
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from twin.scenario import report
from twin.scenario.report_mobility import mobility_section
from twin.scenario.schema import parse_scenario

FILES = [str(Path(__file__).resolve().parents[1] / "data_samples" / f"stgilles_{k}_osm2013.geojson") for k in ("buildings", "streets")]
TRAFFIC = {"timetable": {"gtfs": "feed.zip"}, "routes": {"transit_routes": "routes.geojson"}, "none": {}}


def _scenario(traffic: dict):
    return parse_scenario({"name": "pt", "inputs": {"files": FILES}, "domains": ["traffic"], "traffic": traffic,
                           "whatifs": [{"name": "w", "modifications": [{"op": "scale_demand", "factor": 1.1}]}]})  # fmt: skip


def _mobility(scenario) -> str:
    """The mobility section of a run without KPI rows (only the head of the section matters here)."""
    kpis = pd.DataFrame(columns=["whatif", "domain", "kpi", "baseline", "whatif_value", "delta"])
    comparison = SimpleNamespace(scenario=scenario, baseline={"traffic": SimpleNamespace(notes=[], objects=None)},
                                 whatifs={"w": {}}, kpis=kpis, samples=None)  # fmt: skip
    return html.unescape(mobility_section(comparison))


@pytest.mark.parametrize("case", sorted(TRAFFIC))
def test_the_box_and_the_mobility_section_agree(case: str) -> None:
    sc = _scenario(TRAFFIC[case])
    modelled = report.models_public_transport(sc)
    assert modelled == (case != "none")
    line = report.public_transport(sc)
    assert ("not modelled" in line) == (not modelled)
    assert ("Public transport: not modelled (no timetable given: traffic.gtfs)" in _mobility(sc)) == (not modelled)
    if case == "timetable":
        assert line == "public transport: the timetable feed.zip"
    if case == "routes":
        assert line.startswith("public transport: the map's routes and stops (routes.geojson), without a timetable")


def test_both_follow_the_one_predicate(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replacing the predicate changes both texts: neither keeps a test of its own."""
    sc = _scenario(TRAFFIC["none"])
    assert "not modelled" in _mobility(sc)
    monkeypatch.setattr(report, "models_public_transport", lambda scenario: False)
    timetable = _scenario(TRAFFIC["timetable"])
    assert "not modelled" in report.public_transport(timetable) and "not modelled" in _mobility(timetable)
    monkeypatch.setattr(report, "models_public_transport", lambda scenario: True)
    assert "not modelled" not in _mobility(sc)
