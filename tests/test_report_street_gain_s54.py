"""The streets that gain and lose car flow are told by the link of their largest change, with that
link's own baseline, and the summary card names the street kept open that gains most.

The default run's Mobility table read "Rue Vanderschrick - Vanderschrickstraat | residential |
178 | +177": a planner reads 178 → 355 veh/h, but 178 was the street's busiest link (which lost
7 veh/h) and +177 another link's, which went from 0 to 177 veh/h. The low-traffic-parvis card gave
only district totals ("vehicle-km on residential streets: -2 veh·km, sign uncertain"), which net
that gain against the closed streets' loss.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import geopandas as gpd
import pandas as pd
import shapely

from twin.scenario.runner import Comparison, EngineResult

#: link, street, type, baseline and what-if flow (veh/h), open in the what-if
LINKS = [
    ("a1", "Rue Haute", "residential", 178.0, 171.0, 1),
    ("a2", "Rue Haute", "residential", 0.0, 177.0, 1),
    ("p1", "Parvis", "residential", 256.0, 0.0, 0),
    ("b1", "Rue Basse", "residential", 44.0, 31.0, 1),
    ("m1", "Chaussée", "main", 446.0, 461.0, 1),
]


def _links(flows: list[float], open_: list[int]) -> gpd.GeoDataFrame:
    lines = [shapely.LineString([(i * 50.0, 0.0), (i * 50.0 + 40.0, 0.0)]) for i in range(len(LINKS))]
    return gpd.GeoDataFrame({"link_id": [r[0] for r in LINKS], "name": [r[1] for r in LINKS], "street_type": [r[2] for r in LINKS],
                             "flow_am_peak_veh_h": flows, "car_open": open_}, geometry=lines, crs="EPSG:31370")


def _comparison(whatif_flows=None) -> Comparison:
    base = _links([r[3] for r in LINKS], [1] * len(LINKS))
    new = _links(whatif_flows or [r[4] for r in LINKS], [r[5] for r in LINKS])
    kpis = pd.DataFrame({"whatif": ["ltn"], "domain": ["traffic"], "kpi": ["am_peak_vehicle_km_residential"], "baseline": [650.0],
                         "whatif_value": [648.0], "delta": [-2.0]})
    comp = Comparison(None, {"traffic": EngineResult(base, "link_id", {})}, {"ltn": {"traffic": EngineResult(new, "link_id", {})}},
                      {"ltn": []}, kpis, {})
    comp.scenario = SimpleNamespace(name="t", description="", domains=["traffic"], traffic=SimpleNamespace(periods=["am_peak"]),
                                    whatifs=[SimpleNamespace(name="ltn", description="", modifications=[])],
                                    uncertainty=SimpleNamespace(percentiles=(5.0, 95.0)))
    return comp


def _rows(table: str) -> dict[str, list[str]]:
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", table):
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
        if cells:
            rows[cells[0]] = cells[1:]
    return rows


def test_a_street_is_told_by_its_link_of_the_largest_change_with_that_links_baseline():
    from twin.scenario.report_mobility import _street_table, link_change

    table = _street_table(link_change(_comparison(), "ltn"))
    head = re.search(r"<thead>(.*?)</thead>", table).group(1)
    assert "baseline on that link, veh/h" in head and "what-if, veh/h" in head
    rows = _rows(table)
    assert rows["Rue Haute"] == ["residential", "0", "177", "+177"]  # not "178 | +177"
    assert rows["Rue Basse"] == ["residential", "44", "31", "-13"]  # the page turns "-" into "−" later
    assert rows["Chaussée"] == ["main", "446", "461", "+15"]
    assert "Parvis" not in rows  # closed: its loss is the closed streets' row of the change table
    assert "its other links change less, and may change the other way" in table


def test_the_card_names_the_street_kept_open_that_gains_most():
    from twin.scenario.report import _summary_section

    page = _summary_section(_comparison())
    line = re.search(r"<p class='note street-gain'>(.*?)</p>", page).group(1)
    text = re.sub(r"<[^>]+>", "", line)
    assert text.startswith("Largest added car flow on a street kept open: Rue Haute (residential), 0 → 177 veh/h on one of its links, "
                           "morning peak, central run")
    assert "the district totals above net such gains against the streets that lose traffic" in text
    assert "href='#mobility'" in line


def test_no_card_line_when_no_street_kept_open_gains():
    from twin.scenario.report import _summary_section
    from twin.scenario.report_mobility import largest_increase

    fewer = [178.0, 0.0, 0.0, 40.0, 446.0]  # the closed street's traffic vanishes, nobody gains
    comp = _comparison(fewer)
    assert largest_increase(comp, "ltn") == ""
    assert "street-gain" not in _summary_section(comp)
