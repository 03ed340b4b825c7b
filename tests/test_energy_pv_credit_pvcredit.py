"""The energy bills value rooftop PV as the solar model does, not by net metering.

The accounts credited the whole PV yield at the retail electricity price (net metering), which
Brussels ended on 1 November 2021 (Brugel), while the solar model (``twin.solar.pv.PVParameters``)
values it as a self-consumed share (35 %) at the retail price and the rest at the injection price
(0.05 EUR/kWh). The accounts now take the solar model's rule (the share is of the household's whole
use, appliances included, so it is not capped by the electricity the accounts count); primary
energy and CO2 keep crediting the whole yield.

The expected figures are computed by hand from the inputs: direct electric heating of a known need
(electricity = need / efficiency), a known AC yield, the factor table's prices, the share and the
injection price written out (0.35, 0.05: the solar model's documented defaults).
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.energy_drivers_stub import FlatDrivers

SHARE = 0.35  # docs/solar.md: "35 % self-consumed", a typical household without battery
INJECTION_EUR_KWH = 0.05  # docs/solar.md: "the rest injected at 0.05 EUR/kWh"


def _accounts(q_heat_kwh: list[float], pv_ac_kwh: list[float], system: str = "electric_direct"):
    from twin.energy.model import load_factors
    from twin.energy.results import account_arrays

    f = dict(load_factors())
    f["dhw_by_use"] = 0.0
    n = len(q_heat_kwh)
    acc = account_arrays(a_f_m2=np.full(n, 100.0), q_heat_kwh=np.asarray(q_heat_kwh, dtype=float), monthly_heat_kwh=np.zeros((n, 12)),
                         q_w_nd_kwh_m2=np.zeros(n), system=np.full(n, system), eta_hr=np.zeros(n), n_air_use_1_h=np.zeros(n),
                         volume_m3=np.ones(n), pv_kwp=np.zeros(n), drivers=FlatDrivers(), factors=f,
                         pv_ac_kwh_year=np.asarray(pv_ac_kwh, dtype=float))
    return acc, f


def test_the_bills_value_pv_by_the_self_consumed_share():
    # building 0: 10,000 kWh/yr of heat -> 10,000 / eff of electricity, more than 35 % of 4,000 kWh of PV
    # building 1: 1,000 kWh/yr of heat -> 1,000 / eff of electricity, less than 35 % of 20,000 kWh of PV: not a cap (the share
    # is of the household's whole use, appliances included, which the accounts do not count)
    # building 2: no PV
    acc, f = _accounts([10_000.0, 1_000.0, 5_000.0], [4_000.0, 20_000.0, 0.0])
    eff, price = f["electric_direct_efficiency"], f["price_electricity_eur_kwh"]
    elec = np.array([10_000.0, 1_000.0, 5_000.0]) / eff
    np.testing.assert_allclose(acc["electricity_kwh"], elec)
    assert elec[1] < SHARE * 20_000.0
    # by hand
    credit = [SHARE * pv * price + (1 - SHARE) * pv * INJECTION_EUR_KWH for pv in (4_000.0, 20_000.0)]
    expected = np.array([elec[0] * price - credit[0], elec[1] * price - credit[1], elec[2] * price])
    np.testing.assert_allclose(acc["energy_cost_eur"], expected, rtol=1e-12)
    # net metering would have given elec x price - pv x price: not what the bills say
    assert not np.allclose(acc["energy_cost_eur"][:2], (elec[:2] - [4_000.0, 20_000.0]) * price)
    # primary energy and CO2 still credit the whole yield at the grid's factors (EPB convention)
    net = elec - np.array([4_000.0, 20_000.0, 0.0])
    np.testing.assert_allclose(acc["primary_energy_kwh"], net * f["pef_electricity"], rtol=1e-12)
    np.testing.assert_allclose(acc["co2_kg"], net * f["co2_electricity_kg_kwh"], rtol=1e-12)


def test_pv_on_a_gas_heated_building_is_valued_by_the_same_share():
    """The accounts count no electricity in a gas-heated building, but its household uses
    electricity for appliances: 35 % of the yield still saves the electricity price."""
    acc, f = _accounts([8_000.0], [3_000.0], system="gas_boiler")
    assert acc["electricity_kwh"][0] == 0.0
    gas = 8_000.0 / f["boiler_efficiency"]
    credit = 3_000.0 * (SHARE * f["price_electricity_eur_kwh"] + (1 - SHARE) * INJECTION_EUR_KWH)
    assert acc["energy_cost_eur"][0] == pytest.approx(gas * f["price_gas_eur_kwh"] - credit, rel=1e-12)


def test_the_share_and_the_injection_price_are_the_solar_model_s():
    from twin.energy import results
    from twin.solar.pv import PVParameters

    assert results.PV_SELF_CONSUMPTION_SHARE == PVParameters().self_consumption_share == SHARE
    assert results.PV_INJECTION_EUR_KWH == PVParameters().injection_eur_per_kwh == INJECTION_EUR_KWH


def test_the_report_s_pv_credit_is_the_rule_on_the_added_yield():
    """The report's PV share of a what-if's saving: the rule on the yield the what-if adds over the
    baseline (the same under the heating-system mix of a building whose system the data does not
    give: the credit does not depend on the system)."""
    from types import SimpleNamespace

    import pandas as pd

    from twin.energy.model import load_factors
    from twin.scenario.report_energy_classes import added_pv_credit_eur
    from twin.scenario.runner import EngineResult

    f = load_factors()
    pe = f["price_electricity_eur_kwh"]
    base = pd.DataFrame({"building_id": ["a", "b"], "electricity_kwh": [750.0, 0.0], "pv_kwh": [0.0, 1_000.0]})
    new = base.assign(pv_kwh=[3_000.0, 1_000.0])
    comp = SimpleNamespace(baseline={"energy": EngineResult(base, "building_id", {})},
                           whatifs={"w": {"energy": EngineResult(new, "building_id", {})}})
    expected = 3_000.0 * (SHARE * pe + (1 - SHARE) * INJECTION_EUR_KWH)  # b's PV is in both
    assert added_pv_credit_eur(comp, "w") == pytest.approx(expected, rel=1e-12)


def test_the_assumed_box_lists_the_self_consumed_share_as_a_default():
    """The 35 % is a default, not data: the report's "What this run assumed" says so when a what-if adds PV."""
    import re
    from types import SimpleNamespace

    import pandas as pd

    from twin.scenario.report import _pv_default_item
    from twin.scenario.runner import EngineResult

    base = pd.DataFrame({"building_id": ["a"], "pv_kwh": [0.0], "electricity_kwh": [0.0]})

    def comparison(pv_kwh: float, domains=("energy",)):
        return SimpleNamespace(scenario=SimpleNamespace(domains=list(domains)), baseline={"energy": EngineResult(base, "building_id", {})},
                               whatifs={"w": {"energy": EngineResult(base.assign(pv_kwh=[pv_kwh]), "building_id", {})}})

    text = re.sub(r"<[^>]+>", "", _pv_default_item(comparison(1_000.0)))
    assert text.startswith("Rooftop PV on the bills: 35 % of each building's yield used in the building (a default, not data: a typical "
                           "household without battery, against its whole electricity use; twin.solar.pv.PVParameters)")
    assert "the rest sold at 0.05 €/kWh (an assumption)" in text and "1 November 2021" in text
    assert _pv_default_item(comparison(0.0)) == ""  # no PV added: no line
    assert _pv_default_item(comparison(1_000.0, domains=("traffic",))) == ""
