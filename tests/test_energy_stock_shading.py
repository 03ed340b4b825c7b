"""Urban shading of the stock: a street canyon of two rows of houses facing each other."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely


def canyon_scene(street_m: float = 10.0, height_m: float = 9.0):
    """Two rows of five 6 x 10 m houses, a ``street_m`` wide east-west street between them."""
    from twin.scene import Scene

    geoms, ids = [], []
    for row, y0 in enumerate((170000.0, 170010.0 + street_m)):
        for i in range(5):
            geoms.append(shapely.box(150000 + 6 * i, y0, 150006 + 6 * i, y0 + 10))
            ids.append(f"r{row}h{i}")
    frame = gpd.GeoDataFrame(
        {"building_id": ids, "height_m": height_m, "n_storeys": 3, "footprint_area_m2": 60.0, "floor_area_m2": 180.0, "source_format": "footprints"},
        geometry=geoms,
        crs="EPSG:31370",
    )
    scene = Scene()
    scene.add("buildings", frame)
    return scene


def test_facade_horizons_match_scene_horizon_profile():
    from twin.solar.shading import facade_horizons

    scene = canyon_scene()
    hp = scene.horizon_profile()
    ref = hp[[c for c in hp.columns if c.startswith("h_")]].to_numpy()
    np.testing.assert_allclose(facade_horizons(scene.copy()), ref, atol=1e-9)


def test_street_canyon_shades_the_facades_on_the_street(weather):
    from twin.energy.inputs import STANDARD_GROUPS
    from twin.energy.stock import urban_shade_factors

    scene = canyon_scene()
    # the south row's street facade faces north, the north row's faces south, at mid height
    # the opposite roof is atan(4.5 / 10) = 24.2 deg high: above the December noon sun in
    # Brussels (90 - 50.8 - 23.4 = 15.8 deg)
    hp = scene.horizon_profile()
    south_facing = hp[(hp["building_id"] == "r1h2") & (np.abs(hp["azimuth_deg"] - 180.0) < 1.0)]
    assert south_facing["h_180"].iloc[0] == pytest.approx(np.degrees(np.arctan(4.5 / 10.0)), abs=1.0)
    f = urban_shade_factors(scene, ["r0h2", "r1h2"], weather)
    s, n = STANDARD_GROUPS.index("win_s"), STANDARD_GROUPS.index("win_n")
    # north row, street side (south): beam blocked in winter, partly in summer
    assert f[1, s, 11] < f[1, s, 5] < 1.0
    assert f[1, s, 11] < 0.6
    # south row, street side (north): only diffuse light, reduced by the sky view
    assert 0.5 < f[0, n, 5] < 1.0
    # the back facades look onto open ground: unshaded
    assert f[0, s, :] == pytest.approx(np.ones(12))
    assert f[1, n, :] == pytest.approx(np.ones(12))


def test_shading_lowers_solar_gains_so_heating_rises(weather):
    from twin.energy.model import Conventions
    from twin.energy.stock import run_stock

    scene = canyon_scene()
    shaded = run_stock(scene, weather).accounts.set_index("building_id")["q_heat_kwh"]
    open_ = run_stock(scene, weather, conventions=Conventions(external_shading="none")).accounts.set_index("building_id")["q_heat_kwh"]
    assert (shaded > open_).all()
