"""The conditioning pass's kernel runs, batched: every node's rows in one call give each row's
result of one call per node (twin.energy.sampled._primary_energy_at_nodes), and the shading
rows gathered only where read (twin.energy.sampled._GatheredRows) are the rows of the tile."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.stgilles_samples import residential_sample

N_BUILDINGS, SAMPLES, SEED = 30, 3, 7


@pytest.fixture(scope="module")
def rows():
    """Sampled envelope rows of 30 Saint-Gilles dwellings in standard conditions (as the conditioning pass builds them)."""
    from twin.energy.priors import load_priors
    from twin.energy.sampled import SampledEnvelopes
    from twin.energy.stock import prepare_stock
    from twin.energy.stock_samples import draw_stock_samples

    scene = residential_sample(N_BUILDINGS, SEED)
    prep = prepare_stock(scene)
    builder = SampledEnvelopes(scene, prep, draw_stock_samples(scene, load_priors(), SAMPLES, SEED))
    env, _ = builder.build(np.arange(SAMPLES), None, group_factor=1.0, standard_setpoint=True)
    shade = None if prep.shade_factor is None else np.tile(prep.shade_factor, (SAMPLES, 1, 1))
    return env, prep, shade


def test_nodes_in_one_batch_give_the_results_of_one_call_per_node(rows):
    from twin.energy.calibrated import apply_parameters
    from twin.energy.sampled import _primary_energy, _primary_energy_at_nodes

    env, prep, shade = rows
    # the last node scales the U-values 40 times: the kernel's checks reject some rows there only
    nodes = np.array([-0.4, 0.05, math.log(40.0)])
    one_by_one = np.column_stack([_primary_energy(apply_parameters(env, {"h_tr_factor": np.full(len(env), math.exp(x))}), prep, shade)
                                  for x in nodes])
    batched = _primary_energy_at_nodes(env, nodes, prep, shade)
    assert batched.shape == (len(env), len(nodes))
    np.testing.assert_array_equal(batched, one_by_one)  # bit for bit, NaN where rejected
    rejected = ~np.isfinite(one_by_one)
    assert rejected[:, -1].any() and not rejected[:, 0].any()  # the batch holds rows rejected at one node only
    assert np.isfinite(batched[:, :2]).all()


def test_gathered_rows_are_the_rows_of_the_tile():
    from twin.energy.sampled import _GatheredRows

    rng = np.random.default_rng(3)
    source = rng.uniform(size=(5, 9, 12))
    rows = np.arange(12) % 5  # a chunk of 12 rows tiled over 5 buildings
    tiled = source[rows]
    g = _GatheredRows(source, rows)
    keep = rng.uniform(size=12) < 0.7
    np.testing.assert_array_equal(g[keep], tiled[keep])
    ran = rng.uniform(size=int(keep.sum())) < 0.5
    redo = rng.uniform(size=int(ran.sum())) < 0.5
    np.testing.assert_array_equal(g.subset(np.flatnonzero(keep)[ran])[redo], tiled[keep][ran][redo])
