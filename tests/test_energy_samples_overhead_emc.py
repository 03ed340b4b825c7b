"""The Monte Carlo's per-chunk bookkeeping, made cheaper without changing a result
(twin.energy.sampled, twin.energy.measures): each faster form is compared with the form it
replaced, value for value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def _tuple_profiles(heat: np.ndarray, cool: np.ndarray):
    """The former way: ``pandas.factorize`` of the (heating, cooling) pairs as a MultiIndex."""
    codes, uniq = pd.factorize(pd.MultiIndex.from_arrays([heat, cool]))
    return codes, np.array([u[0] for u in uniq]), np.array([np.nan if u[1] == -999.0 else u[1] for u in uniq])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_setpoint_profiles_number_the_pairs_as_the_multiindex_factorize(seed):
    from twin.energy.sampled import setpoint_profiles

    rng = np.random.default_rng(seed)
    n = 5_000
    heat = np.round(rng.normal(19.5, 1.5, n) / 0.1) * 0.1
    cool = np.where(rng.random(n) < 0.3, -999.0, rng.choice([24.0, 26.0, 27.5], n))
    codes, heat_p, cool_p = setpoint_profiles(heat, cool)
    ref_codes, ref_heat, ref_cool = _tuple_profiles(heat, cool)
    assert codes.dtype == np.int64
    np.testing.assert_array_equal(codes, ref_codes)
    np.testing.assert_array_equal(heat_p, ref_heat)
    np.testing.assert_array_equal(cool_p, ref_cool)  # NaN where cooling is off, in the same places
    # every row's profile carries its own setpoints
    np.testing.assert_array_equal(heat_p[codes], heat)
    np.testing.assert_array_equal(np.nan_to_num(cool_p[codes], nan=-999.0), cool)


def test_setpoint_profiles_one_cooling_value_and_repeated_heating():
    from twin.energy.sampled import setpoint_profiles

    heat = np.array([20.0, 18.0, 20.0, 21.0, 18.0])
    cool = np.full(5, -999.0)
    codes, heat_p, cool_p = setpoint_profiles(heat, cool)
    np.testing.assert_array_equal(codes, [0, 1, 0, 2, 1])
    np.testing.assert_array_equal(heat_p, [20.0, 18.0, 21.0])
    assert np.isnan(cool_p).all() and len(cool_p) == 3


def test_heat_pump_cop_with_a_full_factor_table_equals_the_merged_defaults():
    from twin.energy.measures import heat_pump_cop
    from twin.energy.model import load_factors

    t = np.linspace(-10.0, 20.0, 12)
    full = load_factors()
    full["hp_cop_correction"] = 0.8 * full["hp_cop_correction"]  # a table that differs from the packaged one
    np.testing.assert_array_equal(heat_pump_cop(t, 35.0, full), heat_pump_cop(t, 35.0, {**full}))
    # a partial table still takes the rest from the packaged factors
    partial = {"hp_cop_correction": full["hp_cop_correction"]}
    np.testing.assert_array_equal(heat_pump_cop(t, 35.0, partial), heat_pump_cop(t, 35.0, full))
    assert not np.array_equal(heat_pump_cop(t, 35.0, full), heat_pump_cop(t, 35.0, None))


def test_apply_measures_scope_is_the_named_buildings_only():
    from twin.energy.measures import apply_measures

    ids = [f"{s}|b{i}" for s in range(3) for i in range(4)]
    env = pd.DataFrame({"building_id": pd.array(ids, dtype="str"), "u_wall_w_m2k": 1.5, "u_wall_w_m2k_source": "TABULA",
                        "a_wall_n_m2": 10.0, "a_wall_e_m2": 0.0, "a_wall_s_m2": 5.0, "a_wall_w_m2": 0.0, "a_f_m2": 100.0})
    picked = ["0|b1", "2|b3", "1|b0"]
    out, costs = apply_measures(env, "wall_insulation", buildings=picked)
    changed = out["u_wall_w_m2k"].to_numpy() < 1.5
    np.testing.assert_array_equal(changed, np.isin(ids, picked))
    assert sorted(costs["building_id"].astype(str)) == sorted(picked)
