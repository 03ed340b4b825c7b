"""Energy-model shading factors (the product path: twin.energy.stock -> twin.solar.shading, ray
casting kernels) equal the plain reference path (tests/energy_shading_reference.py)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.test_energy_stock_shading import canyon_scene


@pytest.mark.parametrize("street_m", [6.0, 10.0, 25.0])
def test_factors_equal_the_stock_model_factors(weather, street_m):
    from tests.energy_shading_reference import reference_urban_shade_factors as old
    from twin.energy.stock import urban_shade_factors as new

    scene = canyon_scene(street_m=street_m)
    ids = scene.buildings["building_id"].to_numpy()
    a = old(scene.copy(), ids, weather)
    b = new(scene.copy(), ids, weather)
    assert a.shape == b.shape
    assert (a < 0.999).any()  # the canyon shades something
    np.testing.assert_allclose(b, a, atol=2e-3)


def test_monthly_factors_equal_the_hourly_kernel(weather):
    """Sorted-hour tables vs twin.kernels.solar.horizon_monthly_factors (hourly loop), same
    sky-view shares: equal to rounding."""
    from twin.energy.solar import horizon_shade_factors
    from twin.solar.shading import horizon_monthly_factors

    rng = np.random.default_rng(0)
    hz = rng.uniform(0, 45, size=(40, 36))
    groups = np.array(["win_s", "win_n", "win_e", "win_w", "opq_s", "roof", "win_h", "opq_e"] * 5)
    a = horizon_shade_factors(weather, hz, groups)
    b = horizon_monthly_factors(weather, hz, groups)
    np.testing.assert_allclose(b, a, atol=2e-3)


@pytest.mark.parametrize("angle", [30.0, 60.0, 115.0])
def test_factors_equal_on_rotated_streets(weather, angle):
    """Facades off the four nominal orientations (each is evaluated at its group's azimuth):
    the sectors the kernel skips are behind that nominal plane, not behind the facade."""
    import shapely.affinity

    from tests.energy_shading_reference import reference_urban_shade_factors as old
    from twin.energy.stock import urban_shade_factors as new

    scene = canyon_scene(street_m=8.0)
    b = scene.buildings.copy()
    b["geometry"] = [shapely.affinity.rotate(g, angle, origin=(150015.0, 170014.0)) for g in b.geometry]
    from twin.scene import Scene

    rotated = Scene()
    rotated.add("buildings", b)
    ids = b["building_id"].to_numpy()
    np.testing.assert_allclose(new(rotated.copy(), ids, weather), old(rotated.copy(), ids, weather), atol=2e-3)


def test_horizons_are_reused_for_one_geometry_and_recomputed_after_a_change():
    from twin.solar.shading import facade_horizons

    scene = canyon_scene()
    a = facade_horizons(scene)
    assert facade_horizons(scene.copy()) is a  # same geometry: computed once
    taller = canyon_scene(height_m=15.0)
    b = facade_horizons(taller)
    assert b is not a and b.max() > a.max()
    np.testing.assert_allclose(b, taller.facade_horizons(), atol=1e-9)


def test_the_wall_grid_started_early_is_built_once_and_walks_to_the_same_horizons():
    """The horizons' grid of the walls (over every facade's observer, built in a thread while the party
    walls are found) gives the horizons of a grid built over the asked facades alone, bit for bit, and
    a geometry change builds it anew."""
    from twin.solar.grid import SceneGrid
    from twin.solar.shading import WALL_GRID_KEY, start_wall_grid, wall_grid, wall_triangles

    scene = canyon_scene()
    start_wall_grid(scene).join()
    grid = wall_grid(scene)
    assert wall_grid(scene) is grid and wall_grid(scene.copy()) is grid  # one build per geometry
    fac = scene.facades()
    asked = (fac["building_id"].str.startswith("r0")).to_numpy()  # the southern row's facades only
    f = fac[asked]
    az = np.radians(f["azimuth_deg"].to_numpy())
    obs = np.column_stack([f["mid_x"] + 0.1 * np.sin(az), f["mid_y"] + 0.1 * np.cos(az), np.full(len(f), 4.5)])
    bi = f["building_index"].to_numpy().astype(np.int64)
    tri, group = wall_triangles(scene, upper_only=True)
    own = SceneGrid.build(tri, group, points=obs, vertical_walls=True)  # the same cut (the walls' top edges)
    np.testing.assert_array_equal(grid.horizons(obs, exclude=bi), own.horizons(obs, exclude=bi))
    cut = SceneGrid.build(tri, group, points=obs)  # the general triangle cut: the same to rounding
    np.testing.assert_allclose(grid.horizons(obs, exclude=bi), cut.horizons(obs, exclude=bi), rtol=1e-13, atol=1e-12)
    assert grid.horizons(obs, exclude=bi).max() > 20.0  # the northern row stands 10 m away, 9 m high
    taller = scene.copy()
    b = taller.buildings.copy()
    b["height_m"] = 15.0
    taller.set_layer("buildings", b)
    assert WALL_GRID_KEY not in taller._cache and wall_grid(taller) is not grid
