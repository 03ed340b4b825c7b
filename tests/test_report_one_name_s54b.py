"""One quantity, one name across the report's sections.

The default run's report (2026-12-07) named the class-share KPI "Floor area in EPB class D or
worse" in the indicator tables and "Floor area in EPB class D or worse (standard conditions), %"
in the calibration table (the same KPI and bands: a second name read as a second quantity); the
EPB class was "EPB class" in the Terms, "energy class" in the chart's heading and "EPB energy class"
in the building look-up; the contents said "Rooftop PV" for the section headed "Rooftop solar".
"""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import pandas as pd

from twin.scenario import report_labels as L

KPI = "floor_area_class_d_or_worse_pct"


def _cells(page: str) -> list[list[str]]:
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, flags=re.S)]
            for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", page, flags=re.S)]


def _kpis(scale: float, kpis=("heating_need_mwh", KPI)) -> pd.DataFrame:
    rows = []
    for i, kpi in enumerate(kpis):
        base, d = 100.0 * (i + 1), -10.0 * (i + 1)
        rows.append({"whatif": "wave", "domain": "energy", "kpi": kpi, "baseline": base, "whatif_value": base + d, "delta": d,
                     "baseline_p_lo": base - 20 * scale, "baseline_p_hi": base + 20 * scale,
                     "delta_p_lo": d - 5 * scale, "delta_p_hi": d + 5 * scale})
    return pd.DataFrame(rows)


def _calibration(kpis=("heating_need_mwh", KPI)) -> str:
    from twin.scenario.report_calibration import calibration_section

    sc = SimpleNamespace(inputs=SimpleNamespace(calibration="calibration.parquet"),
                         uncertainty=SimpleNamespace(percentiles=(5.0, 95.0), samples=100))
    comp = SimpleNamespace(scenario=sc, kpis=_kpis(0.5, kpis), baseline_scene=None, stock_samples=None)
    return calibration_section(comp, _kpis(1.0, kpis))


def test_the_calibration_table_names_the_class_share_as_the_kpi_table():
    page = _calibration()
    rows = {r[0] for r in _cells(page) if len(r) == 7 and r[0] != "KPI"}
    assert f"{L.label(KPI)}, {L.unit(KPI)}" in rows, rows
    assert "standard conditions)," not in html.unescape(page)
    # what the name said is kept, once, in the table's note, for both runs and the indicator tables
    note = html.unescape(re.search(r"<p class='note'>Bands \(.*?</p>", page, flags=re.S).group(0))
    assert "The floor area in EPB class D or worse counts each sample's buildings in the certificates' standard conditions" in note
    assert "before and after calibration, as in the indicator tables" in note


def test_no_standard_conditions_note_without_the_class_share():
    page = _calibration(("heating_need_mwh",))
    assert "standard conditions" not in page


def test_the_epb_class_has_one_name_in_the_chart_and_the_look_up():
    from twin.scenario.report import _glossary
    from twin.scenario.report_drilldown import QUANTITIES
    from twin.scenario.report_energy_classes import energy_section

    terms = dict(_glossary(SimpleNamespace(domains=["energy"]), pd.DataFrame({"kpi": [KPI]})))
    assert "EPB class" in terms
    assert next(q[2] for q in QUANTITIES if q[1] == "energy_class") == "EPB class"
    objects = pd.DataFrame({"building_id": ["a"], "energy_class": ["D"], "a_f_m2": [100.0]})
    comp = SimpleNamespace(baseline={"energy": SimpleNamespace(objects=objects)}, whatifs={}, samples=None, kpis=pd.DataFrame({"kpi": []}))
    heads = re.findall(r"<h3>(.*?)</h3>", energy_section(comp))
    assert "Buildings per EPB class" in heads, heads


def test_the_contents_name_the_solar_section_as_its_heading():
    from twin.scenario.report import SECTION_TITLES
    from twin.scenario.report_solar import solar_section

    page = solar_section(SimpleNamespace(whatifs={"w": {}}))  # no PV what-if: the heading and a note
    heading = re.search(r"<section id='solar'><h2>(.*?)</h2>", page).group(1)
    assert SECTION_TITLES["solar"] == heading
