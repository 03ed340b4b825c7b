"""The mobility section says what its mode-shifted and evaporated trips rest on.

Closing the Parvis (default run, 2026-12-07) gave "car trips shifted to walking, cycling or public
transport (same origin and destination) ≈ 0" and "person trips no longer made (evaporated) ≈ 0"
beside 210 rerouted car trips, with no word on why: a planner could read that a low-traffic street
removes no traffic. The model's demand response (docs/traffic.md, steps 6 and 8): the mode choice
reads each trip's travel time and cost only; trip making scales by exp(e x change of the
destination logsum), e = 0.3 an assumption (twin/data/mobility_parameters.csv).
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from twin.scenario.report_mobility import mobility_section
from twin.scenario.schema import parse_scenario

FILES = [str(Path(__file__).resolve().parents[1] / "data_samples" / f"stgilles_{k}_osm2013.geojson") for k in ("buildings", "streets")]


def _section(traffic: dict) -> str:
    """The mobility section of a closure what-if 'w' whose KPIs are the Parvis's morning peak."""
    sc = parse_scenario({"name": "closure", "inputs": {"files": FILES}, "domains": ["traffic"], "traffic": traffic,
                         "whatifs": [{"name": "w", "modifications": [{"op": "scale_demand", "factor": 1.1}]}]})  # fmt: skip
    rows = {"rerouted_car_trips": 210.0, "mode_shifted_trips": 0.2, "redistributed_car_trips": 0.6, "evaporated_trips": 0.1}
    kpis = pd.DataFrame({"whatif": "w", "domain": "traffic", "kpi": [f"am_peak_{k}" for k in rows], "baseline": 0.0,
                         "whatif_value": list(rows.values()), "delta": list(rows.values())})
    comparison = SimpleNamespace(scenario=sc, baseline={"traffic": SimpleNamespace(notes=[], objects=None)},
                                 whatifs={"w": {}}, kpis=kpis, samples=None)  # fmt: skip
    return html.unescape(mobility_section(comparison))


def _note(page: str) -> str:
    found = re.findall(r"<p class='note' id='demand-response'>(.*?)</p>", page, flags=re.S)
    assert len(found) == 1, page
    return re.sub(r"<[^>]+>", "", found[0])


def test_the_mobility_section_says_what_mode_shift_and_evaporation_rest_on():
    note = _note(_section({}))
    assert "changes mode only when the what-if changes its travel time or cost" in note
    assert "nothing else of a street" in note
    assert "exp(e × the change of its destination logsum" in note
    # the packaged table's value and band, read from the table (not typed here)
    assert "e = 0.3, an assumption, not an estimate (band 0–0.6, twin/data/mobility_parameters.csv)" in note
    assert "not in the model" in note and "Cairns, Atkins & Goodwin 2002" in note


def test_the_note_gives_the_elasticity_the_scenario_fixes():
    note = _note(_section({"evaporation_elasticity": 0.5}))
    assert "e = 0.5 (traffic.evaporation_elasticity)" in note and "0.3" not in note


def test_no_note_without_a_what_if_that_moves_trips():
    """A what-if whose traffic KPIs do not move has no change table, so no note either."""
    sc = parse_scenario({"name": "closure", "inputs": {"files": FILES}, "domains": ["traffic"],
                         "whatifs": [{"name": "w", "modifications": [{"op": "scale_demand", "factor": 1.1}]}]})  # fmt: skip
    kpis = pd.DataFrame({"whatif": "w", "domain": "traffic", "kpi": ["am_peak_rerouted_car_trips"], "baseline": 0.0,
                         "whatif_value": 0.0, "delta": 0.0})
    comparison = SimpleNamespace(scenario=sc, baseline={"traffic": SimpleNamespace(notes=[], objects=None)},
                                 whatifs={"w": {}}, kpis=kpis, samples=None)  # fmt: skip
    assert "demand-response" not in mobility_section(comparison)
