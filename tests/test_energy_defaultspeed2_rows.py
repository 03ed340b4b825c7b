"""Row digests with the building ids' digest made once per builder (twin.energy.sampled._row_hashes
with ``id_digest``), and the standard rows of a chunk's simulated rows taken from the caller's
positions where the ids match (twin.energy.sampled._standard_positions)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.stgilles_samples import residential_sample


def _chunk():
    from twin.energy.priors import load_priors
    from twin.energy.sampled import SampledEnvelopes
    from twin.energy.stock import prepare_stock
    from twin.energy.stock_samples import draw_stock_samples

    scene = residential_sample(10, 4)
    prep = prepare_stock(scene)
    builder = SampledEnvelopes(scene, prep, draw_stock_samples(scene, load_priors(), 4, 4))
    env, _ = builder.build(np.arange(2), None)
    return builder, env


def test_row_digest_follows_the_building_id_and_every_other_column():
    from twin.energy.sampled import _row_hashes

    builder, env = _chunk()
    n = builder.n_env
    columns = list(env.columns)
    digest = np.tile(builder.id_digest(), 2)
    h = _row_hashes(env, builder.standard, columns, id_digest=digest)
    np.testing.assert_array_equal(h, _row_hashes(env.copy(), builder.standard, columns, id_digest=digest))
    # a what-if scene whose building at a row is another one: that row's digest differs
    other = builder.id_digest().copy()
    other[[1, 4]] = other[[4, 1]]
    h2 = _row_hashes(env, builder.standard, columns, id_digest=np.tile(other, 2))
    changed = np.zeros(n, dtype=bool)
    changed[[1, 4]] = True
    assert (h2 != h)[np.tile(changed, 2)].all() and (h2 == h)[~np.tile(changed, 2)].all()
    # a changed column (a system, a U-value) or standard setpoint changes the row's digest
    env3 = env.copy()
    env3.loc[3, "system"] = "heat_pump_air" if env3.loc[3, "system"] != "heat_pump_air" else "gas_boiler"
    env3.loc[5, "u_wall_w_m2k"] = float(env3.loc[5, "u_wall_w_m2k"]) + 0.01
    std = {**builder.standard, "theta_i_c": builder.standard["theta_i_c"].copy()}
    std["theta_i_c"][7] += 1.0
    h3 = _row_hashes(env3, std, columns, id_digest=digest)
    assert (h3 != h)[[3, 5, 7]].all() and (np.delete(h3, [3, 5, 7]) == np.delete(h, [3, 5, 7])).all()


def test_id_digest_is_the_digest_of_the_building_ids():
    builder, _ = _chunk()
    ids = builder.env["building_id"].astype(str).to_numpy()
    expected = pd.util.hash_pandas_object(pd.Series(ids, dtype=object), index=False).to_numpy()
    np.testing.assert_array_equal(builder.id_digest(), expected)


def test_standard_positions_are_the_lookup_by_id():
    from twin.energy.sampled import _standard_positions

    std = np.array([f"{s}|b{i}" for s in range(3) for i in range(5)], dtype=object)
    rng = np.random.default_rng(2)
    rows = np.sort(rng.choice(len(std), size=9, replace=False))
    ids = std[rows].copy()
    lookup = pd.Index(std, dtype=object).get_indexer(ids)
    np.testing.assert_array_equal(_standard_positions(std, ids, rows), lookup)
    # wrong positions given (rows not those of the ids): the lookup by id, not the positions
    wrong = rows.copy()
    wrong[0] = (wrong[0] + 1) % len(std)
    np.testing.assert_array_equal(_standard_positions(std, ids, wrong), lookup)
    np.testing.assert_array_equal(_standard_positions(std, ids, rows[:-1]), lookup)
    np.testing.assert_array_equal(_standard_positions(std, ids, None), lookup)
    # an id absent from the standard rows: -1, as the lookup
    ids2 = ids.copy()
    ids2[2] = "9|zz"
    out = _standard_positions(std, ids2, rows)
    assert out[2] == -1 and (np.delete(out, 2) == np.delete(lookup, 2)).all()
    assert len(_standard_positions(std, ids[:0], rows[:0])) == 0
