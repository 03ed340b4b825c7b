"""The report, the terminal and the docs speak one language (names, units, wording).

Left over from the planner review (tests/test_report_planner_review.py): the calibration table
said "energy cost" and "CO2, t/yr" where the KPI table says "Energy bills" and "CO₂ emissions of
the buildings"; the scenario's descriptions ("1 km2") were shown as written; the hot-days
temperature changes were in °C in the report but in K in docs/soil_heat.md; the soil note said
"spreads x 1" and the solar map's legend "excellent, >= 1,400".
"""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import pandas as pd

from twin.scenario import report_labels as L


def _cells(page: str) -> list[list[str]]:
    """The text of every table row's cells (tags dropped, entities decoded)."""
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", page, flags=re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, flags=re.S)
        rows.append([html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return rows


# -- 1. the calibration table names a KPI as the KPI table does --------------------------------

def _banded_energy_kpis(scale: float) -> pd.DataFrame:
    from twin.scenario.report_calibration import KPI_ROWS

    rows = []
    for i, (kpi, _) in enumerate(KPI_ROWS):
        base, d = 100.0 * (i + 1), -10.0 * (i + 1)
        rows.append({"whatif": "wave", "domain": "energy", "kpi": kpi, "baseline": base, "whatif_value": base + d, "delta": d,
                     "baseline_p_lo": base - 20 * scale, "baseline_p_hi": base + 20 * scale,
                     "delta_p_lo": d - 5 * scale, "delta_p_hi": d + 5 * scale})
    return pd.DataFrame(rows)


def test_the_calibration_table_names_each_kpi_as_the_kpi_table():
    """Every row of the calibration table starts with the KPI table's label and gives its unit
    (report_labels: one copy); it said "energy cost, k€/yr" and "CO₂, t/yr"."""
    from twin.scenario.report_calibration import KPI_ROWS, calibration_section

    sc = SimpleNamespace(inputs=SimpleNamespace(calibration="calibration.parquet"),
                         uncertainty=SimpleNamespace(percentiles=(5.0, 95.0), samples=100))
    comp = SimpleNamespace(scenario=sc, kpis=_banded_energy_kpis(0.5), baseline_scene=None, stock_samples=None)
    page = calibration_section(comp, _banded_energy_kpis(1.0))
    body = [r for r in _cells(page) if len(r) == 7 and r[0] != "KPI"]
    assert len(body) == 2 * len(KPI_ROWS)  # the baseline's band and the what-if's change, per KPI
    shown = {r[0] for r in body}
    assert shown == {text for _, text in KPI_ROWS}
    for kpi, text in KPI_ROWS:
        assert text.startswith(L.label(kpi)) and text.endswith(", " + L.unit(kpi)), (kpi, text)
    assert "Energy bills, k€/yr" in shown and "CO₂ emissions of the buildings, t/yr" in shown
    assert not any(re.search(r"energy cost|CO2|\bCO₂, ", s) for s in shown)
