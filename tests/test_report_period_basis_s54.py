"""The summary card says its traffic lines count one hour, not a day.

The default run's low-traffic-parvis card read "Morning peak: car trips rerouted: +210 trips" and
"Morning peak: vehicle-km: +8 veh·km", the hour (8–9 h) said only in the Terms of the KPI section
further down; read as a day's, the change is some ten times smaller than the day's.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pandas as pd

from tests.scenario_helpers import fake_comparison


def _card(rows) -> str:
    from twin.scenario.report import _summary_section

    comp = fake_comparison()
    comp.kpis = pd.DataFrame([{"whatif": "w", "domain": d, "kpi": k, "baseline": b, "whatif_value": b + x, "delta": x} for d, k, b, x in rows])
    comp.samples = None
    comp.scenario = SimpleNamespace(name="t", description="", domains=["traffic"], traffic=SimpleNamespace(periods=["am_peak", "off_peak"]),
                                    whatifs=[SimpleNamespace(name="w", description="", modifications=[])],
                                    uncertainty=SimpleNamespace(percentiles=(5.0, 95.0)))
    return _summary_section(comp)


def _note(card: str) -> str | None:
    m = re.search(r"<p class='note period-basis'>(.*?)</p>", card)
    return m.group(1) if m else None


def test_the_card_says_its_traffic_lines_count_the_morning_peak_hour():
    card = _card([("traffic", "am_peak_rerouted_car_trips", 0.0, 210.0), ("traffic", "am_peak_vehicle_km", 2654.0, 8.0)])
    assert _note(card) == ("Traffic: Morning peak: the hour 8–9 h (trips, vehicle-km and emissions over that hour, flows in vehicles "
                           "per hour), not a day.")


def test_only_the_periods_the_card_shows():
    both = _card([("traffic", "am_peak_rerouted_car_trips", 0.0, 210.0), ("traffic", "off_peak_rerouted_car_trips", 0.0, 109.0)])
    assert _note(both).startswith("Traffic: Morning peak: the hour 8–9 h; Midday: the hour 11–12 h (")
    assert _note(_card([("energy", "co2_t", 100.0, -10.0)])) is None
