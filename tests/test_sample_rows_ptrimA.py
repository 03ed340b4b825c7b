"""Monte Carlo rows reused between runs of the same samples (twin.energy.sampled: a what-if's
sample rows that its measures do not touch are its baseline's rows, same inputs, same results).

The reference is the same call with the row cache emptied (every row simulated): the stock
totals of every sample must be equal bit for bit, and the reuse must actually happen (fewer
rows through the kernel)."""

from __future__ import annotations

import sys
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from tests.scenario_helpers import prepared_small_district


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return prepared_small_district(tmp_path_factory.mktemp("rows_ptrimA"))


@pytest.fixture()
def counted(monkeypatch):
    """Rows sent through the 5R1C kernel by simulate_samples (its own calls, not the standard-class re-runs of _primary_energy)."""
    import twin.energy.simulate as sim

    rows: list[int] = []
    real = sim.simulate_raw

    def counting(inputs, drivers, **kw):
        if sys._getframe(1).f_code.co_name == "_simulate_rows":
            rows.append(int(inputs.n_buildings))
        return real(inputs, drivers, **kw)

    monkeypatch.setattr(sim, "simulate_raw", counting)
    return rows


def _stock(scene, n: int, seed: int):
    from twin.energy.priors import load_priors
    from twin.energy.stock_samples import draw_stock_samples

    return draw_stock_samples(scene, load_priors(None), n, seed)


def _fresh(*args, **kw) -> pd.DataFrame:
    from twin.energy import sampled

    sampled._ROWS_CACHE.clear()
    return sampled.simulate_samples(*args, **kw)


@pytest.mark.parametrize("chunk_rows", [10_000, 50])
def test_a_whatif_reuses_its_baselines_untouched_rows_bit_for_bit(tiny, counted, chunk_rows):
    from twin.energy import sampled

    scene, prep = tiny["scene"], tiny["prep"]
    stock = _stock(scene, 12, 5)
    ids = sorted(prep.envelope["building_id"].astype(str))
    renovated = set(ids[: max(1, len(ids) // 3)])
    plan = {"wall_insulation,roof_insulation": renovated}
    sampled._ROWS_CACHE.clear()
    base = sampled.simulate_samples(scene, prep, stock, chunk_rows=chunk_rows)
    n_base = sum(counted)
    counted.clear()
    whatif = sampled.simulate_samples(scene, prep, stock, measures=plan, chunk_rows=chunk_rows)
    n_whatif = sum(counted)
    counted.clear()
    fresh = _fresh(scene, prep, stock, measures=plan, chunk_rows=chunk_rows)
    n_fresh = sum(counted)
    assert n_fresh == n_base and 0 < n_whatif < n_base  # the renovated rows (and only rows the baseline did not have) ran
    pd.testing.assert_frame_equal(whatif, fresh, check_exact=True)
    assert (whatif["investment_eur"] > 0).all() and (whatif["q_heat_kwh"] < base["q_heat_kwh"]).all()
    # the baseline again, from the record of the what-if (the fresh run, every row simulated): the
    # renovated rows are not the baseline's (changed after their digest) and run again
    counted.clear()
    again = sampled.simulate_samples(scene, prep, stock, chunk_rows=chunk_rows)
    assert 0 < sum(counted) < n_base
    pd.testing.assert_frame_equal(again, base, check_exact=True)
    # and with the baseline's own record: no row runs
    counted.clear()
    sampled._ROWS_CACHE.clear()
    sampled.simulate_samples(scene, prep, stock, chunk_rows=chunk_rows)
    counted.clear()
    assert_same = sampled.simulate_samples(scene, prep, stock, chunk_rows=chunk_rows)
    assert sum(counted) == 0
    pd.testing.assert_frame_equal(assert_same, base, check_exact=True)


def test_another_context_or_other_samples_reuse_nothing(tiny, counted):
    from twin.energy import sampled

    scene, prep = tiny["scene"], tiny["prep"]
    stock = _stock(scene, 6, 1)
    sampled._ROWS_CACHE.clear()
    sampled.simulate_samples(scene, prep, stock)
    n0 = sum(counted)
    counted.clear()
    # another run setpoint: every row differs
    warm = sampled.simulate_samples(scene, prep, stock, setpoint_c=21.0)
    assert sum(counted) == n0
    counted.clear()
    # other draws of the same priors: the rows they change run again, the totals are those of a fresh run
    other_stock = _stock(scene, 6, 2)
    other = sampled.simulate_samples(scene, prep, other_stock)
    assert 0 < sum(counted) <= n0
    counted.clear()
    pd.testing.assert_frame_equal(other, _fresh(scene, prep, other_stock), check_exact=True)
    counted.clear()
    # other drivers (a cooler year): the context differs, nothing is reused, results move
    drv = replace(prep.drivers, t_out_c=prep.drivers.t_out_c - 1.0)
    cold = sampled.simulate_samples(scene, replace(prep, drivers=drv), stock)
    assert sum(counted) == n0
    assert (cold["q_heat_kwh"].to_numpy() > sampled.simulate_samples(scene, prep, stock)["q_heat_kwh"].to_numpy()).all()
    assert np.isfinite(warm.to_numpy()).all() and np.isfinite(other.to_numpy()).all()


def test_changed_shading_of_one_building_reruns_its_rows(tiny, counted):
    from twin.energy import sampled

    scene, prep = tiny["scene"], tiny["prep"]
    if prep.shade_factor is None:
        pytest.skip("no shading in this stock")
    stock = _stock(scene, 4, 3)
    sampled._ROWS_CACHE.clear()
    sampled.simulate_samples(scene, prep, stock)
    n0 = sum(counted)
    counted.clear()
    shade = np.array(prep.shade_factor, copy=True)
    shade[0] = shade[0] * 0.5
    shaded = replace(prep, shade_factor=shade)
    got = sampled.simulate_samples(scene, shaded, stock)
    assert sum(counted) == 4  # building 0 of each of the 4 samples
    pd.testing.assert_frame_equal(got, _fresh(scene, shaded, stock), check_exact=True)
    assert n0 > 4


def test_the_hot_water_model_is_part_of_the_context(tiny, counted):
    """The hot-water model is a context variable the accounts read, not a column of the rows."""
    from twin.energy import sampled
    from twin.energy.hot_water import using_dhw_model

    scene, prep = tiny["scene"], tiny["prep"]
    stock = _stock(scene, 3, 4)
    sampled._ROWS_CACHE.clear()
    typ = sampled.simulate_samples(scene, prep, stock)
    n0 = sum(counted)
    counted.clear()
    with using_dhw_model("by_use"):
        use = sampled.simulate_samples(scene, prep, stock)
        assert sum(counted) == n0
        pd.testing.assert_frame_equal(use, _fresh(scene, prep, stock), check_exact=True)
    assert (use["q_heat_kwh"] == typ["q_heat_kwh"]).all() and (use["final_energy_kwh"] != typ["final_energy_kwh"]).all()
