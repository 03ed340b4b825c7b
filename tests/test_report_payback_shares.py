"""The payback table's last columns are shares of the buildings the what-if changes, and say so:
the header read "buildings paid back in 10 years" above "72 %" (72 % of what: the district's 3,991
buildings, or the 1,181 renovated?)."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import pandas as pd


def _comparison():
    ids = ["a", "b", "c", "d"]
    base = pd.DataFrame({"building_id": ids, "energy_class": ["E", "E", "D", "D"], "system": ["gas_boiler"] * 4,
                         "energy_cost_eur": [2000.0, 2000.0, 2000.0, 2000.0], "investment_eur": [0.0] * 4})
    # savings 1000 €/yr on a, b, c; paybacks 5, 15 and 25 years; d untouched
    new = base.assign(energy_class=["C", "C", "C", "D"], energy_cost_eur=[1000.0, 1000.0, 1000.0, 2000.0],
                      investment_eur=[5000.0, 15000.0, 25000.0, 0.0])
    kpis = pd.DataFrame({"whatif": ["w"], "domain": ["energy"], "kpi": ["heating_need_mwh"], "baseline": [1.0], "whatif_value": [0.5],
                         "delta": [-0.5]})
    return SimpleNamespace(baseline={"energy": SimpleNamespace(objects=base)}, whatifs={"w": {"energy": SimpleNamespace(objects=new)}},
                           kpis=kpis, samples=None, scenario=SimpleNamespace(uncertainty=SimpleNamespace(percentiles=(5.0, 95.0))))


def test_the_paid_back_shares_say_of_what():
    from twin.scenario.report_energy_classes import PAYBACK_YEARS, energy_section

    page = energy_section(_comparison())
    table = page.split("<table id='payback'>", 1)[1].split("</table>", 1)[0]
    heads = [html.unescape(re.sub(r"<[^>]+>", "", h)) for h in re.findall(r"<th[^>]*>(.*?)</th>", table)]
    cells = [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", table)]
    assert heads[-len(PAYBACK_YEARS):] == [f"paid back within {y} years, % of the buildings changed" for y in PAYBACK_YEARS]
    assert cells[1] == "3"  # buildings changed: the shares' base
    assert PAYBACK_YEARS == (10, 20, 30) and cells[-3:] == ["33 %", "67 %", "100 %"]  # of the 3 changed, not of all 4
