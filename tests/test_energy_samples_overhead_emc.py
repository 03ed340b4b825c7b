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


def test_setpoint_profiles_keep_a_missing_setpoint_as_a_profile_of_its_own():
    from twin.energy.sampled import setpoint_profiles

    heat = np.array([20.0, np.nan, 19.0, np.nan, 20.0])
    cool = np.array([-999.0, -999.0, -999.0, -999.0, 26.0])
    codes, heat_p, cool_p = setpoint_profiles(heat, cool)
    ref_codes, ref_heat, ref_cool = _tuple_profiles(heat, cool)
    np.testing.assert_array_equal(codes, ref_codes)
    np.testing.assert_array_equal(heat_p, ref_heat)  # NaN at the NaN rows' profile (heating off in the kernel)
    np.testing.assert_array_equal(cool_p, ref_cool)
    assert np.isnan(heat_p[codes[1]])


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


def test_rows_of_shading_copies_only_a_real_subset():
    from twin.energy.sampled import _rows_of

    shade = np.random.default_rng(3).random((5, 11, 12))
    assert _rows_of(shade, np.ones(5, dtype=bool)) is shade  # every row kept: the array itself, no copy
    mask = np.array([True, False, True, True, False])
    np.testing.assert_array_equal(_rows_of(shade, mask), shade[mask])
    assert _rows_of(shade, mask).shape == (3, 11, 12)
    assert _rows_of(None, mask) is None


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from tests.scenario_helpers import prepared_small_district

    return prepared_small_district(tmp_path_factory.mktemp("samples_overhead_emc"))


def test_built_sample_rows_take_the_typology_row_of_their_sampled_type(tiny):
    """Every sampled row's typology parameters (but those the window, air-change and setpoint
    priors set afterwards) are those of its (class, subclass, period) row of
    the typology table, looked up one row at a time; its text columns are plain object arrays."""
    from twin.energy.priors import load_priors
    from twin.energy.sampled import SampledEnvelopes
    from twin.energy.stock_samples import draw_stock_samples
    from twin.energy.typology import _lookup, classify

    scene, prep = tiny["scene"], tiny["prep"]
    stock = draw_stock_samples(scene, load_priors(None), 4, 11)
    builder = SampledEnvelopes(scene, prep, stock)
    idx = np.array([1, 3])
    frame, s_of_row = builder.build(idx, None)
    n, k = builder.n_env, len(idx)
    b = builder.bidx
    ss = builder.samples
    cls, sub = classify(ss.n_storeys[idx][:, b].ravel(), ss.floor_area_m2[idx][:, b].ravel(), np.tile(builder.nb, k))
    period = ss.period[idx][:, b].ravel()
    table = builder.table
    fp = np.tile(builder.footprint, k)
    checked = 0
    later = {"u_window_w_m2k", "g_window", "n_air_inf_1_h", "theta_i_c"}  # set afterwards by the window, air-change and setpoint priors
    for p in [q for q in builder.parameters if q not in later]:
        m = np.tile(builder.prior[p], k) & fp
        for r in np.flatnonzero(m):
            want = float(table[p].iloc[_lookup(table, str(cls[r]), str(sub[r]), int(period[r]))[0]])
            assert frame[p].iloc[r] == want or (np.isnan(want) and np.isnan(frame[p].iloc[r])), (p, r)
            checked += 1
    codes = [table["tabula_code"].iloc[_lookup(table, str(cls[r]), str(sub[r]), int(period[r]))[0]] for r in np.flatnonzero(fp)]
    assert list(frame["tabula_code"].to_numpy()[fp]) == codes
    assert checked > 0 and len(frame) == n * k and (s_of_row == np.repeat(idx, n)).all()
    for c in ("building_id", "system", "tabula_code"):
        assert frame[c].dtype == object
    assert frame["building_id"].iloc[0].startswith("1|")
