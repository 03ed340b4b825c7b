"""Accounts of the Monte Carlo chain when no row is left (every building rejected by the kernel).

Before, :func:`twin.energy.sampled.account_arrays_sampled` returned an empty dict for zero rows
with a COP factor column (no factor to group by), and the class conditioning failed with a
``KeyError: 'primary_energy_kwh_m2'`` instead of carrying NaN for the rejected rows.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.energy_drivers_stub import FlatDrivers


def _rows(n: int) -> dict:
    from twin.energy.model import load_factors

    return dict(a_f_m2=np.full(n, 100.0), q_heat_kwh=np.full(n, 10_000.0), monthly_heat_kwh=np.full((n, 12), 10_000.0 / 12),
                q_w_nd_kwh_m2=np.full(n, 15.0), system=np.full(n, "gas_boiler"), eta_hr=np.zeros(n), n_air_use_1_h=np.full(n, 0.5),
                volume_m3=np.full(n, 300.0), pv_kwp=np.zeros(n), drivers=FlatDrivers(), factors=load_factors())


@pytest.mark.parametrize("cop_factor", [np.array([]), None], ids=["factor-column", "no-factor"])
def test_no_row_gives_the_keys_of_the_accounts_with_no_value(cop_factor):
    from twin.energy.results import account_arrays
    from twin.energy.sampled import account_arrays_sampled

    empty = account_arrays_sampled(cop_factor, **_rows(0))
    full = account_arrays(**_rows(2))
    assert set(empty) == set(full)
    assert "primary_energy_kwh_m2" in empty
    assert all(len(v) == 0 for v in empty.values() if isinstance(v, np.ndarray) and v.ndim >= 1)


def test_one_factor_of_one_groups_as_the_plain_accounts():
    from twin.energy.results import account_arrays
    from twin.energy.sampled import account_arrays_sampled

    a = account_arrays_sampled(np.ones(2), **_rows(2))
    b = account_arrays(**_rows(2))
    for k in b:
        np.testing.assert_array_equal(a[k], b[k])
