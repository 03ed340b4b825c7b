"""The central run vs the Monte Carlo's heating-system mix (twin.energy.sampled.central_system_mix).

The samples draw the heating system of every building whose system the data does not give from
the prior's district mix (gas 50 + 28 %, oil 18 %, electric 3 %, heat pump 1 %); the central run
gives those buildings the prior's expected mix (one run per system, share-weighted). Checked:

* the mix and the weighting against hand values (here);
* the Saint-Gilles heat-pump what-if: tests/test_energy_central_system_mix_scenario.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def test_central_mix_is_the_prior_mean_most_probable_first():
    from twin.energy.priors import load_priors
    from twin.energy.sampled import central_system_mix

    mix = central_system_mix(load_priors(None))
    assert [m[0] for m in mix] == ["gas_boiler", "gas_boiler_condensing", "oil_boiler", "electric_direct", "heat_pump"]
    np.testing.assert_allclose([m[1] for m in mix], [0.50, 0.28, 0.18, 0.03, 0.01], rtol=1e-12)
    assert central_system_mix(type("P", (), {"heating_system": None})()) == []


def test_mix_central_weights_kpis_and_numeric_columns():
    from twin.energy.sampled import mix_central

    a = pd.DataFrame({"building_id": ["x", "y"], "gas_kwh": [100.0, 50.0], "system": ["gas_boiler", "gas_boiler"]})
    b = pd.DataFrame({"building_id": ["x", "y"], "gas_kwh": [0.0, 0.0], "system": ["oil_boiler", "oil_boiler"]})
    kpis, obj = mix_central([(0.8, {"final_gas_mwh": 0.15}, a), (0.2, {"final_gas_mwh": 0.0}, b)])
    assert kpis["final_gas_mwh"] == pytest.approx(0.12)
    assert list(obj["gas_kwh"]) == pytest.approx([80.0, 40.0])
    assert list(obj["system"]) == ["gas_boiler", "gas_boiler"]  # text columns: the most probable system's
