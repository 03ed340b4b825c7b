"""The conditioning pass's shading rows gathered where the kernel inputs are made
(twin.energy.sampled._primary_energy_at_nodes given a _GatheredRows of the group's members):
the results of the tiled array, bit for bit; a gather of other rows gives other results."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.stgilles_samples import residential_sample

N_BUILDINGS, SAMPLES, SEED = 30, 2, 7


@pytest.fixture(scope="module")
def rows():
    """Sampled rows of 30 dwellings in standard conditions, the members (every other building), the prepared stock."""
    from twin.energy.priors import load_priors
    from twin.energy.sampled import SampledEnvelopes
    from twin.energy.stock import prepare_stock
    from twin.energy.stock_samples import draw_stock_samples

    scene = residential_sample(N_BUILDINGS, SEED)
    prep = prepare_stock(scene)
    assert prep.shade_factor is not None
    builder = SampledEnvelopes(scene, prep, draw_stock_samples(scene, load_priors(), SAMPLES, SEED))
    env, _ = builder.build(np.arange(SAMPLES), None, group_factor=1.0, standard_setpoint=True)
    mem = np.arange(builder.n_env) % 2 == 0
    env = env[np.tile(mem, SAMPLES)].reset_index(drop=True)
    return env, mem, prep


def test_gathered_member_rows_give_the_results_of_the_tile(rows):
    from twin.energy.calibrated import apply_parameters
    from twin.energy.sampled import _GatheredRows, _primary_energy, _primary_energy_at_nodes

    env, mem, prep = rows
    nodes = np.array([-0.3, 0.2, math.log(40.0)])  # the last node: some rows rejected
    tiled = np.tile(prep.shade_factor[mem], (SAMPLES, 1, 1))  # what condition_groups passed before
    # one call per node with the tiled array: the reference, made without the batch's gather
    a = np.column_stack([_primary_energy(apply_parameters(env, {"h_tr_factor": np.full(len(env), math.exp(x))}), prep, tiled) for x in nodes])
    gathered = _GatheredRows(np.asarray(prep.shade_factor), np.tile(np.flatnonzero(mem), SAMPLES))
    b = _primary_energy_at_nodes(env, nodes, prep, gathered)
    np.testing.assert_array_equal(b, a)  # bit for bit, NaN where rejected
    assert np.isfinite(a[:, :2]).all()
    # the shading is read: a gather of the wrong buildings' rows changes the results
    wrong = _GatheredRows(np.asarray(prep.shade_factor), np.tile(np.flatnonzero(~mem), SAMPLES))
    c = _primary_energy_at_nodes(env, nodes, prep, wrong)
    assert not np.array_equal(np.nan_to_num(c), np.nan_to_num(a))


def test_rows_of_gathers_a_gathered_array_even_when_every_row_is_kept():
    from twin.energy.sampled import _GatheredRows, _rows_of

    source = np.random.default_rng(1).uniform(size=(4, 3, 12))
    g = _GatheredRows(source, np.array([3, 1, 1, 0]))
    out = _rows_of(g, np.ones(4, dtype=bool))
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, source[[3, 1, 1, 0]])
    np.testing.assert_array_equal(_rows_of(g, np.array([True, False, True, False])), source[[3, 1]])
