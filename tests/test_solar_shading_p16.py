"""Facade horizons started in a background thread (``twin.solar.shading.start_facade_horizons``,
``start_urban_horizons``, used by ``twin.energy.stock.prepare_stock`` while the envelope is
built): the same horizons as the scene's own edge kernel, the same shading factors as the
synchronous path, errors handed to the caller."""

from __future__ import annotations

import numpy as np
import pytest

from tests.test_energy_stock_shading import canyon_scene


@pytest.fixture(autouse=True)
def empty_cache():
    from twin.solar import shading

    shading._HORIZON_CACHE.clear()
    yield
    shading._HORIZON_CACHE.clear()


def test_thread_horizons_equal_the_scene_edge_kernel():
    """Against :meth:`Scene.facade_horizons` (the edge kernel of ``kernels/geometry.py``, another
    method); a later synchronous call of the same geometry gets the thread's array."""
    from twin.solar.shading import facade_horizons, start_facade_horizons

    scene = canyon_scene(street_m=8.0)
    future = start_facade_horizons(scene)
    hz = future.result(timeout=600)
    assert hz.max() > 10.0  # the canyon walls rise above the facades
    np.testing.assert_allclose(hz, scene.copy().facade_horizons(), atol=1e-9)
    assert facade_horizons(scene.copy()) is hz
    assert start_facade_horizons(scene).result() is hz  # nothing computed twice


def test_urban_factors_after_an_early_start_equal_those_without(weather, monkeypatch):
    """The factors use the thread's horizons (waited for, or taken from the cache), none computed anew.

    Counted, not told by ``future.done()`` right after the factors: the thread puts its horizons
    in the cache before it marks its future done, so the factors can take them in between and
    return while the future is still running.
    """
    from twin.solar import shading

    scene = canyon_scene(street_m=10.0)
    ids = scene.buildings["building_id"].to_numpy()
    plain = shading.urban_shade_factors(scene.copy(), ids, weather)
    shading._HORIZON_CACHE.clear()
    computed = []
    compute = shading._compute_horizons

    def counted(*args, **kwargs):
        computed.append(1)
        return compute(*args, **kwargs)

    monkeypatch.setattr(shading, "_compute_horizons", counted)
    future = shading.start_urban_horizons(scene)
    assert future is not None
    early = shading.urban_shade_factors(scene.copy(), ids, weather)
    future.result(timeout=600)  # the thread's computation has run
    assert len(computed) == 1
    assert (plain < 0.999).any()
    np.testing.assert_array_equal(early, plain)
    # a selection of buildings: the rows of the whole stock (a facade's horizon depends on the scene only)
    some = ids[::3]
    sub = shading.urban_shade_factors(scene.copy(), some, weather)
    np.testing.assert_array_equal(sub, plain[::3])


def test_prepare_stock_with_and_without_the_thread(weather, monkeypatch):
    from twin.energy import stock
    from twin.solar import shading

    scene = canyon_scene(street_m=6.0)
    with_thread = stock.prepare_stock(scene.copy(), weather)
    shading._HORIZON_CACHE.clear()
    monkeypatch.setattr(stock, "_start_horizons", lambda scene: None)
    without = stock.prepare_stock(scene.copy(), weather)
    np.testing.assert_array_equal(with_thread.shade_factor, without.shade_factor)


def test_an_error_in_the_thread_reaches_the_caller_and_is_forgotten(monkeypatch):
    from twin.solar import grid, shading

    scene = canyon_scene()

    def broken(*args, **kwargs):
        raise RuntimeError("grid failed")

    monkeypatch.setattr(grid.SceneGrid, "build", broken)
    future = shading.start_facade_horizons(scene)
    with pytest.raises(RuntimeError, match="grid failed"):
        future.result(timeout=600)
    assert not shading._HORIZON_CACHE  # a later call computes anew
    monkeypatch.undo()
    np.testing.assert_allclose(shading.facade_horizons(scene), scene.copy().facade_horizons(), atol=1e-9)


def test_kernel_warmup_loads_the_signature_the_party_walls_use():
    """The warm-up thread goes through the party walls' code path with the same argument types:
    the real run then finds one compiled signature of the kernel, not a second one."""
    from twin.kernels.geometry import shared_edges
    from twin.solar.shading import start_kernel_warmup

    thread = start_kernel_warmup()
    thread.join(timeout=600)
    assert not thread.is_alive()
    assert len(shared_edges.signatures) == 1
    scene = canyon_scene()  # rows of terraced houses: shared walls
    assert (scene.facades()["party_area_m2"] > 0).any()
    assert len(shared_edges.signatures) == 1


def test_kernel_warmup_loads_the_signatures_the_facade_horizons_use():
    """The grid and horizon kernels loaded by the warm-up thread are those the urban shading
    then calls: no other signature appears (none compiled anew)."""
    import twin.kernels.solar_grid as kernels
    from twin.solar import shading

    thread = shading.start_kernel_warmup()
    thread.join(timeout=600)
    assert not thread.is_alive()
    names = ("wall_grid_count", "wall_grid_fill", "horizon_elevations", "window_max_rows", "window_max_at")
    loaded = {k: list(getattr(kernels, k).signatures) for k in names}
    assert all(loaded.values())
    scene = canyon_scene()
    hz = shading.facade_horizons(scene, front_azimuth_deg=scene.facades()["azimuth_deg"].to_numpy())
    assert hz.max() > 0  # the canyon's facades see their neighbours
    assert {k: list(getattr(kernels, k).signatures) for k in names} == loaded


def test_a_few_buildings_without_cached_horizons_equal_the_rows_of_all(weather):
    """Two buildings of ten, nothing cached: their own facades only, the same factors as the
    rows of the whole stock."""
    from twin.solar import shading

    scene = canyon_scene(street_m=10.0)
    ids = scene.buildings["building_id"].to_numpy()
    whole = shading.urban_shade_factors(scene.copy(), ids, weather)
    shading._HORIZON_CACHE.clear()
    few = shading.urban_shade_factors(scene.copy(), ids[[1, 7]], weather)
    np.testing.assert_allclose(few, whole[[1, 7]], rtol=0, atol=1e-12)
    assert (few < 0.999).any()
