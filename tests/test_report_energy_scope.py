"""The report says what the energy accounts cover: heating, hot water and ventilation fans, not
the households' appliances, lighting and cooking, nor cooling.

The Terms said "Final energy: what is delivered and billed (gas, oil, electricity, district heat)"
and "Energy bills 22,729 k€/yr" read as the district's whole bill; the renovation wave credits
6,251 MWh/yr of PV beside 5,497 MWh/yr of counted electricity, and the PV block did not say that
most of that credit offsets electricity the model does not count.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import geopandas as gpd
import pandas as pd
import shapely

from tests.scenario_helpers import fake_comparison
from twin.scenario.runner import EngineResult


def _terms(scenario_domains=("energy",)) -> dict[str, str]:
    from twin.scenario.report import _glossary

    kpis = pd.DataFrame({"kpi": ["final_energy_mwh"]})
    return dict(_glossary(SimpleNamespace(domains=list(scenario_domains)), kpis))


def test_the_terms_give_the_scope_of_final_energy_bills_and_co2():
    terms = _terms()
    for term in ("Final energy", "Energy bills", "CO₂ emissions of the buildings"):
        assert term in terms, term
    final = terms["Final energy"]
    assert "heating, hot water and the fans of heat-recovery ventilation" in final
    assert "not the households' electricity for appliances, lighting and cooking, nor cooling" in final
    assert "not the households' whole bill" in terms["Energy bills"]
    assert "that final energy" in terms["CO₂ emissions of the buildings"]


def test_the_model_lines_say_what_the_accounts_count():
    """The assumed box (5R1C and the finer model) and the Models list say the same scope."""
    from twin.scenario.report import ENERGY_SCOPE, MODELS, model_lines

    scope = "heating, hot water and ventilation fans, not appliances, lighting, cooking or cooling"
    assert scope in ENERGY_SCOPE
    assert MODELS["energy"].endswith(ENERGY_SCOPE)
    default = SimpleNamespace(energy=SimpleNamespace(model="5r1c"))
    finer = SimpleNamespace(energy=SimpleNamespace(model="iso52016", control_temperature=None, exterior_convection=None, terrain=None))
    for scenario in (default, finer):
        short, _ = model_lines(scenario, "energy")
        assert short.endswith("; " + ENERGY_SCOPE)
    traffic, _ = model_lines(SimpleNamespace(traffic=None), "traffic")
    assert ENERGY_SCOPE not in traffic


def _pv_comparison(electricity_kwh: list[float], pv_kwh: list[float]):
    """A comparison whose what-if 'wave' has the energy accounts of three buildings."""
    comp = fake_comparison()
    squares = [shapely.box(i * 20.0, 0.0, i * 20.0 + 10.0, 10.0) for i in range(3)]
    acc = gpd.GeoDataFrame({"building_id": ["a", "b", "c"], "electricity_kwh": electricity_kwh, "pv_kwh": pv_kwh},
                           geometry=squares, crs="EPSG:31370")
    comp.whatifs["wave"] = {"energy": EngineResult(acc, "building_id", {})}
    comp.scenario = SimpleNamespace(whatifs=[], uncertainty=SimpleNamespace(percentiles=(5.0, 95.0)))
    solar = SimpleNamespace(equipped=pd.DataFrame({"building_id": ["a", "b"], "pv_kwp": [3000.0, 3000.0], "pv_ac_kwh_year": pv_kwh[:2]}),
                            selected=["a", "b"], kwp=6000.0, ac_kwh_year=float(sum(pv_kwh[:2])), without_suitable_roof=[],
                            not_simulated=[])
    return comp, solar


def test_the_pv_block_says_what_part_of_the_credit_offsets_uncounted_electricity():
    """Building a yields 4,000 MWh/yr beside 1,000 counted, b 2,000 beside none, c (no PV) counts
    5,000: the district's counted electricity equals its PV yield (6,000 MWh/yr), yet 5,000 MWh/yr
    of the credit lies beyond the electricity counted in its own building."""
    from twin.scenario.report_solar import _whatif_block, uncounted_pv_kwh

    comp, solar = _pv_comparison([1.0e6, 0.0, 5.0e6], [4.0e6, 2.0e6, 0.0])
    assert uncounted_pv_kwh(comp.whatifs["wave"]["energy"].objects) == (5.0e6, 6.0e6)
    block = _whatif_block(comp, "wave", solar)
    note = re.search(r"<p class='note solar-uncounted'[^>]*>(.*?)</p>", block).group(1)
    assert note.startswith("5,000 of the 6,000 MWh/yr credited offset electricity the model does not count (appliances, lighting, "
                           "cooking)")
    assert "primary energy and CO₂ credit them at the grid's factors, the bills as the payback note says" in re.sub(r"<[^>]+>", "", note)


def test_the_pv_block_says_nothing_when_the_credit_stays_within_the_counted_electricity():
    from twin.scenario.report_solar import _whatif_block, uncounted_pv_kwh

    comp, solar = _pv_comparison([4.0e6, 3.0e6, 0.0], [4.0e6, 2.0e6, 0.0])
    assert uncounted_pv_kwh(comp.whatifs["wave"]["energy"].objects) == (0.0, 6.0e6)
    block = _whatif_block(comp, "wave", solar)
    assert "solar-uncounted" not in block and "does not count" not in block
    assert "credited in the energy accounts" in block


def test_a_result_without_accounts_gives_no_sentence():
    from twin.scenario.report_solar import uncounted_pv_kwh

    assert uncounted_pv_kwh(None) == (0.0, 0.0)
    assert uncounted_pv_kwh(pd.DataFrame({"building_id": ["a"], "q_heat_kwh": [1.0]})) == (0.0, 0.0)
