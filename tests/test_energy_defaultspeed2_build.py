"""SampledEnvelopes.build with its envelope columns and id strings read once per builder: the
rows of the former per-call construction (ids "<sample>|<building id>", every column tiled)."""

from __future__ import annotations

import numpy as np

from tests.stgilles_samples import residential_sample


def test_build_rows_are_the_tiled_envelope_with_sample_ids():
    from twin.energy.priors import load_priors
    from twin.energy.sampled import SampledEnvelopes
    from twin.energy.stock import prepare_stock
    from twin.energy.stock_samples import draw_stock_samples

    scene = residential_sample(12, 5)
    prep = prepare_stock(scene)
    builder = SampledEnvelopes(scene, prep, draw_stock_samples(scene, load_priors(), 12, 5))
    idx = np.array([3, 10, 11])
    env, s_of_row = builder.build(idx, None)
    n = builder.n_env
    base = builder.env
    # the former construction of the ids, with numpy's string ufuncs
    expected = np.char.add(np.char.add(np.repeat(idx, n).astype(str), "|"), np.tile(base["building_id"].astype(str).to_numpy(), len(idx))).astype(object)
    ids = env["building_id"].to_numpy()
    assert ids.dtype == object and all(type(i) is str for i in ids)
    np.testing.assert_array_equal(ids, expected)
    np.testing.assert_array_equal(s_of_row, np.repeat(idx, n))
    np.testing.assert_array_equal(builder.standard["building_id"], expected)
    # a column no sample changes: the envelope's own values, tiled
    for c in ("h_room_m", "c_m_wh_m2k"):
        np.testing.assert_array_equal(env[c].to_numpy(dtype=float), np.tile(base[c].to_numpy(dtype=float), len(idx)))
    # a second build of other samples from the same builder: its own ids
    env2, _ = builder.build(np.array([0]), None)
    np.testing.assert_array_equal(env2["building_id"].to_numpy(), ("0|" + base["building_id"].astype(str)).to_numpy())


def test_node_batch_names_each_row_by_its_node(monkeypatch):
    import twin.energy.sampled as sampled
    from twin.energy.priors import load_priors
    from twin.energy.stock import prepare_stock
    from twin.energy.stock_samples import draw_stock_samples

    scene = residential_sample(4, 2)
    builder = sampled.SampledEnvelopes(scene, prepare_stock(scene), draw_stock_samples(scene, load_priors(), 2, 2))
    env, _ = builder.build(np.arange(2), None)
    env = env.iloc[:5].reset_index(drop=True)
    seen = {}

    def fake(stacked, prep, shade, **kwargs):
        seen["ids"] = stacked["building_id"].to_numpy()
        return np.arange(len(stacked), dtype=float)

    monkeypatch.setattr(sampled, "_primary_energy", fake)
    nodes = np.array([-0.1, 0.0, 0.1])
    pe = sampled._primary_energy_at_nodes(env, nodes, None, None)
    # the former construction, with numpy's string ufuncs
    expected = np.char.add(np.char.add(np.repeat(np.arange(3), len(env)).astype(str), "#"), np.tile(env["building_id"].to_numpy().astype(str), 3)).astype(object)
    np.testing.assert_array_equal(seen["ids"], expected)
    assert all(type(i) is str for i in seen["ids"])
    np.testing.assert_array_equal(pe, np.arange(15.0).reshape(3, 5).T)
