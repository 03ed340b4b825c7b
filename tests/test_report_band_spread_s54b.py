"""A wide baseline range is given below and above its median when it is lopsided.

The default run's report said "Drainage below the soil columns ... wide baseline range (±1,359 %)"
for 5th-95th percentiles of 0.5 to 1,585 m³ around a median of 58 m³, and "Final energy:
electricity (before the PV credit) ... (±248 %)" for 89 to 20,746 MWh/yr around 4,166: a symmetric
± read as a range reaching far below zero, which neither quantity can take.
"""

from __future__ import annotations

import pandas as pd
import pytest

from twin.scenario.report import band_notes


def _wide(lo: float, mid: float, hi: float) -> str:
    row = pd.Series({"baseline": mid, "baseline_p_lo": lo, "baseline_p50": mid, "baseline_p_hi": hi, "kpi": "x"})
    notes = [n for n in band_notes(row) if n.startswith("wide baseline range")]
    assert len(notes) == 1, notes
    return notes[0]


@pytest.mark.parametrize("lo, mid, hi, shown", [
    # the default run's electricity and drainage (kpis.csv of 2026-12-07, rounded)
    (88.9, 4165.7, 20745.7, "wide baseline range (98 % below to 398 % above its median)"),
    (0.5, 58.3, 1584.7, "wide baseline range (99 % below to 2,618 % above its median)"),
    # its natural gas: 20 % below, 36 % above (it said ±28 %)
    (135070.2, 168425.1, 229154.6, "wide baseline range (20 % below to 36 % above its median)"),
    # a side of 100 % or more, even when both are alike: ±120 % would cross zero
    (-20.0, 100.0, 220.0, "wide baseline range (120 % below to 120 % above its median)"),
    # a negative median: below and above in values, in % of its size
    (-140.0, -100.0, -20.0, "wide baseline range (40 % below to 80 % above its median)"),
])  # fmt: skip
def test_a_lopsided_or_zero_crossing_band_is_given_below_and_above(lo, mid, hi, shown):
    assert _wide(lo, mid, hi) == shown


@pytest.mark.parametrize("lo, mid, hi, shown", [
    # the default run's heating need: 22 % below, 22 % above
    (146732.9, 187673.1, 229371.5, "wide baseline range (±22 %)"),
    # one side 1.5 times the other, both under 100 %: still ±
    (60.0, 100.0, 160.0, "wide baseline range (±50 %)"),
])  # fmt: skip
def test_a_band_alike_on_both_sides_keeps_its_plus_minus(lo, mid, hi, shown):
    assert _wide(lo, mid, hi) == shown



def test_the_kpi_section_gives_the_lopsided_band_and_says_how():
    """Through the KPI table a user reads: the electricity row's note and the Bands explanation."""
    from tests.scenario_helpers import fake_comparison, fake_scenario
    from twin.scenario.report import _kpis_section

    comp = fake_comparison()
    comp.scenario = fake_scenario(seed=2026, domains=("energy",), name="spread")
    comp.samples = None
    comp.kpis = pd.DataFrame([{"whatif": "w", "domain": "energy", "kpi": "final_electricity_mwh", "baseline": 6209.0,
                               "whatif_value": 5497.0, "delta": -711.0, "baseline_p_lo": 88.9, "baseline_p50": 4165.7,
                               "baseline_p_hi": 20745.7, "delta_p_lo": -2165.0, "delta_p50": -500.0, "delta_p_hi": -2.4}])
    page = _kpis_section(comp)
    assert "wide baseline range (98 % below to 398 % above its median)" in page
    assert "±248" not in page
    assert "or as how far it reaches below and above the median when one side is longer" in page
