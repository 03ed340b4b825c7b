"""The summary card says what its water volumes are of: one design storm, not a year.

The default run's de-sealing card read "Runoff to the sewer: −74 m³ (−0.3 %)", "Infiltration into
the soil: +74 m³", with the 30 mm storm named only in the Terms of the KPI section further down: a
planner who reads the volumes as a year's sees a de-sealing some fifty times smaller than it is.
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from tests.scenario_helpers import fake_comparison

ONE_HOUR = SimpleNamespace(storm_hours=1.0)


def _card(rows, soil=ONE_HOUR) -> str:
    from twin.scenario.report import _summary_section

    comp = fake_comparison()
    comp.kpis = pd.DataFrame([{"whatif": "w", "domain": d, "kpi": k, "baseline": b, "whatif_value": b + x, "delta": x} for d, k, b, x in rows])
    comp.samples = None
    comp.scenario = SimpleNamespace(name="t", description="", domains=["soil"], soil=soil,
                                    whatifs=[SimpleNamespace(name="w", description="", modifications=[])],
                                    uncertainty=SimpleNamespace(percentiles=(5.0, 95.0)))
    return _summary_section(comp)


STORM = [("soil", "storm_mm", 30.0, 0.0), ("soil", "rain_m3", 30000.0, 0.0), ("soil", "runoff_m3", 26599.2, -74.15),
         ("soil", "infiltration_m3", 3400.8, 74.15), ("soil", "sealed_area_pct", 79.216, -0.453)]


def test_the_card_says_its_volumes_are_those_of_one_design_storm():
    card = _card(STORM)
    assert "Runoff to the sewer" in card
    assert ("<p class='note storm-basis'>Water volumes (m³): those of one design storm, 30 mm in 1 h on the whole district, "
            "not of a year.</p>") in card


def test_without_the_storm_hours_the_depth_alone():
    card = _card(STORM, soil=None)
    assert "those of one design storm, 30 mm on the whole district, not of a year." in card


def test_no_storm_words_for_a_year_or_when_no_volume_moved():
    year = [r for r in STORM if r[1] != "storm_mm"]  # soil.method: year gives no storm_mm
    assert "storm-basis" not in _card(year)
    only_share = [r if r[1] != "runoff_m3" and r[1] != "infiltration_m3" else (*r[:3], 0.0) for r in STORM]
    assert "storm-basis" not in _card(only_share)
    assert "storm-basis" not in _card([("energy", "heating_need_mwh", 100.0, -10.0)])
