"""The walking order of the facade horizons (``SceneGrid.horizons(order=...)``, which
``twin.solar.shading`` computes before waiting for the walls' grid): any permutation gives the
same profiles bit for bit, and the default is the Z order of 8-cell blocks."""

from __future__ import annotations

import numpy as np

from tests.test_energy_stock_shading import canyon_scene


def test_any_walking_order_gives_the_same_horizons():
    from twin.scene.footprints import facade_observer_xy
    from twin.solar.grid import spatial_order
    from twin.solar.shading import wall_grid

    scene = canyon_scene(street_m=8.0)
    fac = scene.facades()
    b = scene.buildings
    bi = fac["building_index"].to_numpy().astype(np.int64)
    obs = np.column_stack([facade_observer_xy(fac), b["ground_z_m"].to_numpy()[bi] + 0.5 * b["height_m"].to_numpy()[bi]])
    grid = wall_grid(scene)
    default = grid.horizons(obs, exclude=bi)
    assert default.max() > 10.0  # the canyon walls rise above the facades
    for order in (np.random.default_rng(5).permutation(len(obs)), np.arange(len(obs))[::-1],
                  spatial_order(obs[:, :2], 8.0 * grid.cell)):
        np.testing.assert_array_equal(grid.horizons(obs, exclude=bi, order=order), default)


def test_walking_order_must_be_a_permutation():
    import pytest

    from twin.solar.shading import wall_grid

    scene = canyon_scene(street_m=8.0)
    fac = scene.facades()
    from twin.scene.footprints import facade_observer_xy

    obs = np.column_stack([facade_observer_xy(fac), np.full(len(fac), 4.5)])
    grid = wall_grid(scene)
    n = len(obs)
    for bad in (np.zeros(n, dtype=np.int64), np.arange(n - 1), np.r_[np.arange(n - 1), n]):
        with pytest.raises(ValueError, match="permutation"):
            grid.horizons(obs, order=bad)
