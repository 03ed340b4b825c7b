"""The default report read as a planner would, fifth pass: what reportpolish4 left.

* the busiest street's volume / capacity has a unit word in the report's KPI tables ("ratio"),
  while the terminal's store diff keeps its unit-less change (:data:`twin.scenario.report_labels.LABELS`
  is shared; the report's word is :data:`twin.scenario.report_labels.REPORT_UNITS`).
"""

from __future__ import annotations

import html
import re

import pandas as pd


def _unit_cells(page: str) -> dict[str, str]:
    """KPI id -> the text of its unit cell (the row's title is the id)."""
    return {m.group(1): html.unescape(m.group(2)) for m in re.finditer(r"<td class='l' title='([^']+)'>[^<]*</td><td class='l u'>([^<]*)</td>", page)}


def test_the_volume_capacity_ratio_has_a_unit_word_in_the_report_only():
    from twin.cli.store import kpi_header
    from twin.scenario import report_labels as L
    from twin.scenario.report import _kpi_table

    kpi = "am_peak_max_volume_capacity_ratio"
    group = pd.DataFrame({"whatif": ["w"] * 3, "domain": ["traffic"] * 3,
                          "kpi": [kpi, "off_peak_max_volume_capacity_ratio", "am_peak_vehicle_km"],
                          "baseline": [1.12, 0.8, 1000.0], "whatif_value": [1.31, 0.8, 900.0], "delta": [0.19, 0.0, -100.0]})
    page = _kpi_table(group, False, (5.0, 95.0))
    cells = _unit_cells(page)
    assert cells[kpi] == "ratio"  # the changed row
    assert cells["off_peak_max_volume_capacity_ratio"] == "ratio"  # the folded row of unchanged indicators
    assert cells["am_peak_vehicle_km"] == "veh·km"  # a KPI with a unit keeps it
    assert all(u for u in cells.values()), cells
    assert L.unit(kpi) == ""  # the shared table unchanged: the terminal's store diff writes no unit after the change
    assert L.report_unit(kpi) == "ratio"
    assert kpi_header(kpi) == "AM_PEAK_MAX_VOLUME_CAPACITY_RATIO CHANGE"  # the store diff's header: no unit, as before
