"""The summary's payback line says how much of the saving is the rooftop PV's credit.

The default run's renovation-wave card read "Simple payback (...): 8.1 years, range 7.3 to 9.5
years" for wall and roof insulation and rooftop PV together; the PV yield (6,251 MWh/yr at the
electricity price, net metering) was 2,188 of the 4,800 k€/yr saved, said only in the Rooftop PV
section. A planner weighing an insulation programme read the 8.1 years as the insulation's.
The PV's part is valued by the accounts' rule (35 % of the yield used in the building
at the electricity price, the rest at 0.05 €/kWh: Brussels ended net metering).
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from tests.scenario_helpers import fake_comparison
from twin.scenario.runner import EngineResult


def _comparison(pv_kwh: list[float], cost_after_eur: list[float]):
    comp = fake_comparison()
    boxes = [shapely.box(0, 0, 10, 10), shapely.box(20, 0, 30, 10)]
    base = gpd.GeoDataFrame({"building_id": ["a", "b"], "energy_cost_eur": [3.0e6, 2.0e6], "investment_eur": [0.0, 0.0],
                             "pv_kwh": [0.0, 0.0], "electricity_kwh": [1.0e6, 0.0]}, geometry=boxes, crs="EPSG:31370")
    new = base.assign(energy_cost_eur=cost_after_eur, investment_eur=[4.0e6, 4.0e6], pv_kwh=pv_kwh)
    comp.baseline["energy"] = EngineResult(base, "building_id", {})
    comp.whatifs = {"wave": {"energy": EngineResult(new, "building_id", {})}}
    saving_keur = (5.0e6 - sum(cost_after_eur)) / 1e3
    comp.kpis = pd.DataFrame({"whatif": "wave", "domain": "energy", "kpi": ["investment_keur", "energy_cost_keur_yr"],
                              "baseline": [0.0, 5000.0], "whatif_value": [8000.0, 5000.0 - saving_keur], "delta": [8000.0, -saving_keur]})
    comp.samples = None
    comp.scenario = SimpleNamespace(name="t", description="", domains=["energy"],
                                    whatifs=[SimpleNamespace(name="wave", description="", modifications=[])],
                                    uncertainty=SimpleNamespace(percentiles=(5.0, 95.0)))
    return comp


def _payback(comp) -> str:
    from twin.scenario.report import _summary_section

    return re.sub(r"<[^>]+>", "", re.search(r"<li>Simple payback.*?</li>", _summary_section(comp)).group(0))


def test_the_payback_line_gives_the_pv_credits_share_of_the_saving():
    from twin.energy.model import load_factors

    price = load_factors()["price_electricity_eur_kwh"]
    pv = [2.0e6, 1.0e6]  # 3,000 MWh/yr, beside 1,000 and 0 MWh/yr of counted electricity
    # by hand: each uses 35 % of its yield at the electricity price (b too: the share is of the household's whole use,
    # appliances included, not capped by the electricity the accounts count) and sells the rest at 0.05 €/kWh
    pv_eur = 0.35 * 3.0e6 * price + 0.65 * 3.0e6 * 0.05
    comp = _comparison(pv, [2.0e6, 1.0e6])  # 2,000 k€/yr saved
    line = _payback(comp)
    assert line.startswith("Simple payback (investment over the yearly saving on the energy bills, today's prices, no discounting): "
                           "4.0 years")
    m = re.search(r"; of the 2,000 k€/yr saved, ([0-9,.]+) \(([0-9]+) %\) are the rooftop PV's yield \(35 % of the yield used in the "
                  r"building, at the electricity price, the rest sold at 0.05 €/kWh; Brussels ended net "
                  r"metering on 1 November 2021; see the payback note\)$", line)
    assert m, line
    assert float(m.group(1).replace(",", "")) == pytest.approx(pv_eur / 1e3, rel=5e-3)
    assert int(m.group(2)) == round(100 * pv_eur / 1e3 / 2000.0)


def test_no_pv_words_without_added_pv():
    line = _payback(_comparison([0.0, 0.0], [2.0e6, 1.0e6]))
    assert line.endswith("4.0 years") and "PV" not in line
