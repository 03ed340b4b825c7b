"""The Monte Carlo accounts give the heat-pump COP factor of a sample to the heat-pump rows only.

:func:`twin.energy.sampled.account_arrays_sampled` accounted every row once per COP factor
group (one group per sample: 1,124 calls of the accounts in the default run); it now accounts
the rows of the systems that read the COP (:data:`twin.energy.sampled.HEAT_PUMP_SYSTEMS`) per
factor and all the other rows in one call. The values must be those of the grouping by factor
alone, bit for bit, for every system.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.energy_drivers_stub import FlatDrivers

SYSTEMS = ("gas_boiler", "gas_boiler_condensing", "oil_boiler", "electric_direct", "heat_pump", "heat_pump_air_35",
           "heat_pump_ground_55", "district_heating", "gas_boiler_partload", "oil_boiler_partload")


def _rows(n: int, seed: int = 7) -> dict:
    from twin.energy.model import load_factors

    rng = np.random.default_rng(seed)
    q_heat = rng.uniform(2_000.0, 30_000.0, n)
    monthly = q_heat[:, None] * rng.dirichlet(np.ones(12), n)
    return dict(a_f_m2=rng.uniform(50.0, 400.0, n), q_heat_kwh=q_heat, monthly_heat_kwh=monthly,
                q_w_nd_kwh_m2=rng.uniform(10.0, 25.0, n), system=rng.choice(SYSTEMS, n), eta_hr=np.where(rng.random(n) < 0.2, 0.8, 0.0),
                n_air_use_1_h=rng.uniform(0.3, 0.7, n), volume_m3=rng.uniform(150.0, 1200.0, n),
                pv_kwp=np.where(rng.random(n) < 0.3, rng.uniform(1.0, 6.0, n), 0.0), peak_heat_kw=rng.uniform(3.0, 30.0, n),
                drivers=FlatDrivers(), factors=load_factors())


def _by_factor(cop_factor: np.ndarray, **kwargs) -> dict[str, np.ndarray]:
    """The former grouping: every row accounted with its group's factor, whatever its system."""
    from twin.energy.heat_pump import scaled_table
    from twin.energy.results import account_arrays

    factors = kwargs.pop("factors")
    n = len(cop_factor)
    uniq, inv = np.unique(cop_factor, return_inverse=True)
    out: dict[str, np.ndarray] = {}
    for j, f in enumerate(uniq):
        rows = np.flatnonzero(inv == j)
        part = {k: (v[rows] if isinstance(v, np.ndarray) and v.ndim >= 1 and v.shape[0] == n else v) for k, v in kwargs.items()}
        fac = {**factors, "hp_cop_correction": float(factors["hp_cop_correction"]) * float(f)}
        for k, v in account_arrays(factors=fac, heat_pump_table=scaled_table(None, float(f)), **part).items():
            out.setdefault(k, np.full(n, np.nan))[rows] = v
    return out


def _factors(n: int, samples: int) -> np.ndarray:
    return np.repeat(np.linspace(0.8, 1.0, samples), n // samples)


def test_every_system_accounted_as_by_factor_alone_bit_for_bit():
    from twin.energy.sampled import account_arrays_sampled

    rows = _rows(600)
    cf = _factors(600, 6)
    got = account_arrays_sampled(cf, **rows)
    want = _by_factor(cf, **rows)
    assert set(got) == set(want)
    for k in want:
        assert got[k].tobytes() == want[k].tobytes(), k


def test_the_factor_reaches_every_heat_pump_system_and_no_other():
    from twin.energy.results import HOURLY_HEAT_PUMPS
    from twin.energy.sampled import account_arrays_sampled

    rows = _rows(600)
    low = account_arrays_sampled(np.full(600, 0.8), **rows)["electricity_kwh"]
    plain = account_arrays_sampled(np.ones(600), **rows)["electricity_kwh"]
    system = rows["system"]
    for s in SYSTEMS:
        sel = system == s
        assert sel.any(), s
        if s == "heat_pump" or s in HOURLY_HEAT_PUMPS:
            assert (low[sel] > plain[sel]).all(), s  # a lower COP: more electricity
        else:
            np.testing.assert_array_equal(low[sel], plain[sel])


def test_rows_other_than_heat_pumps_accounted_in_one_call(monkeypatch):
    import twin.energy.results as results
    from twin.energy.sampled import account_arrays_sampled

    calls = []
    real = results.account_arrays
    monkeypatch.setattr(results, "account_arrays", lambda **kw: calls.append(len(kw["a_f_m2"])) or real(**kw))
    rows = _rows(600)
    hp = np.isin(rows["system"], ("heat_pump", "heat_pump_air_35", "heat_pump_ground_55"))
    account_arrays_sampled(_factors(600, 6), **rows)
    assert len(calls) == 1 + 6
    assert calls[0] == int((~hp).sum())
    rows["system"] = np.full(600, "gas_boiler")
    calls.clear()
    account_arrays_sampled(_factors(600, 6), **rows)
    assert calls == [600]


def test_a_factor_out_of_range_is_refused_without_a_heat_pump_row():
    from twin.energy.sampled import account_arrays_sampled
    from twin.errors import InputError

    rows = _rows(10)
    rows["system"] = np.full(10, "gas_boiler")
    with pytest.raises(InputError, match="COP factor"):
        account_arrays_sampled(np.r_[np.ones(5), np.full(5, 50.0)], **rows)
