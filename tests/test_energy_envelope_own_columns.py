"""The envelope and typology tables are built from a dict of columns in one step (issue 16,
speed); each column must still hold data of its own, as ``frame[name] = values`` stores it:
writing into one column changes neither the scene's buildings layer nor another column."""

from __future__ import annotations

import pandas as pd

from tests.test_energy_stock_bad_input import row_scene


def _envelope():
    from twin.energy.model import build_envelope

    scene = row_scene(3)
    return scene, build_envelope(scene)


def test_envelope_columns_are_writable_and_their_own():
    scene, env = _envelope()
    before = scene.buildings.copy()
    sources = [c for c in env.columns if c.endswith("_source")]
    kept = env[sources].copy()
    for col in env.columns:
        if pd.api.types.is_float_dtype(env[col]):
            env.loc[0, col] = -1.0
        elif pd.api.types.is_string_dtype(env[col]):
            env.loc[0, col] = "changed"
    pd.testing.assert_frame_equal(scene.buildings, before)
    assert (env.loc[0, sources] == "changed").all()
    # the other rows of the parameters' sources (one string array shared by 24 columns as read)
    # are unchanged
    pd.testing.assert_frame_equal(env.loc[1:, sources], kept.loc[1:])


def test_typology_columns_are_their_own():
    from twin.energy.typology import assign_typology, neighbour_counts

    scene = row_scene(3)
    nb = neighbour_counts(scene).to_numpy().astype(int)
    params = assign_typology(scene.buildings, nb)
    params.loc[0, "n_neighbours"] = 99
    params.loc[0, "u_wall_w_m2k_source"] = "changed"
    params.loc[0, "building_id"] = "changed"
    assert nb[0] != 99
    assert params.loc[0, "u_roof_w_m2k_source"] != "changed"
    assert scene.buildings["building_id"].iloc[0] == "h0"
