"""Soil screening in the scenario runner: sealing raster, water balance, de-sealing and a new roof."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from twin.scene import Scene
from twin.scenario.engines import soil
from twin.scenario.schema import SoilOptions
from twin.soil.curve_number import runoff_mm


def small_scene():
    scene = Scene()
    scene.add("sites", gpd.GeoDataFrame({"site_id": ["d"]}, geometry=[box(0, 0, 100, 100)], crs="EPSG:31370"))
    scene.add(
        "landcover",
        gpd.GeoDataFrame(
            {"landcover_id": ["car-park", "park"], "kind": ["landuse", "landuse"], "cover_class": ["parking", "park"], "sealed_fraction": [0.95, 0.05]},
            geometry=[box(0, 0, 50, 50), box(50, 0, 100, 50)],
            crs="EPSG:31370",
        ),
    )
    return scene


def test_cells_follow_cover_and_balance_water():
    r = soil.run(small_scene(), SoilOptions(cell_size_m=10.0, storm_mm=40.0), base_dir=None)
    cells = r.objects
    assert len(cells) == 100
    parking = cells["cover"] == "parking"
    assert parking.sum() == 25 and (cells.loc[parking, "sealed_fraction"] == 0.95).all()
    expected = 0.95 * runoff_mm(40.0, 98.0) + 0.05 * runoff_mm(40.0, 61.0)
    np.testing.assert_allclose(cells.loc[parking, "runoff_mm"], expected, rtol=1e-12)
    np.testing.assert_allclose(cells["runoff_mm"] + cells["retention_mm"], 40.0, rtol=1e-12)
    assert r.kpis["water_balance_error_m3"] < 1e-6
    assert r.kpis["runoff_m3"] + r.kpis["retention_m3"] == pytest.approx(40.0 / 1000 * 100 * 100, rel=1e-12)


def test_desealing_lowers_runoff_by_what_the_new_infiltration_explains():
    from twin.scenario.modifications import apply
    from twin.scenario.schema import Deseal, Selector

    base = small_scene()
    whatif = base.copy()
    apply(whatif, Deseal(op="deseal", select=Selector(ids=["car-park"]), sealed_fraction=0.1), index=0, rng=np.random.default_rng(0), base_dir=None)
    opts = SoilOptions(cell_size_m=10.0, storm_mm=40.0)
    before, after = soil.run(base, opts, base_dir=None), soil.run(whatif, opts, base_dir=None)
    drop = before.kpis["runoff_m3"] - after.kpis["runoff_m3"]
    # 25 cells of 100 m2 lose 0.85 of their sealing: runoff falls by 0.85 (Q98 - Q61) on 2,500 m2
    expected = 0.85 * (runoff_mm(40.0, 98.0) - runoff_mm(40.0, 61.0)) / 1000.0 * 2500.0
    assert drop == pytest.approx(expected, rel=1e-12)
    assert after.kpis["retention_m3"] - before.kpis["retention_m3"] == pytest.approx(drop, rel=1e-12)


def test_a_new_building_seals_its_footprint():
    base = small_scene()
    whatif = base.copy()
    whatif.add(
        "buildings",
        gpd.GeoDataFrame(
            {"building_id": ["new"], "height_m": [9.0], "n_storeys": [3], "footprint_area_m2": [400.0], "floor_area_m2": [1200.0]},
            geometry=[box(60, 10, 80, 30)],
            crs="EPSG:31370",
        ),
    )
    opts = SoilOptions(cell_size_m=10.0, storm_mm=40.0)
    cells = soil.run(whatif, opts, base_dir=None).objects
    roof = cells["cover"] == "roof"
    assert roof.sum() == 4 and (cells.loc[roof, "sealed_fraction"] == 1.0).all()
    assert soil.run(whatif, opts, base_dir=None).kpis["runoff_m3"] > soil.run(base, opts, base_dir=None).kpis["runoff_m3"]


def test_closing_a_street_to_cars_does_not_unseal_it():
    from shapely.geometry import LineString

    base = small_scene()
    links = gpd.GeoDataFrame(
        {
            "link_id": ["s:f", "s:b"], "from_node": ["a", "b"], "to_node": ["b", "a"], "length_m": [100.0, 100.0],
            "lanes": [2, 2], "free_speed_m_s": [8.0, 8.0], "capacity_veh_h": [1800.0, 1800.0],
            "modes": ["car,bike,walk", "car,bike,walk"], "road_class": ["residential", "residential"],
        },
        geometry=[LineString([(0, 75), (100, 75)]), LineString([(100, 75), (0, 75)])],
        crs="EPSG:31370",
    )
    base.add("links", links)
    closed = base.copy()
    lk = closed.links.copy()
    lk["modes"] = "bike,walk"
    closed.set_layer("links", lk)
    opts = SoilOptions(cell_size_m=10.0, storm_mm=40.0)
    a, b = soil.run(base, opts, base_dir=None), soil.run(closed, opts, base_dir=None)
    assert (a.objects["cover"] == "street").sum() == 10  # one row of cells under the 6 m carriageway
    assert a.kpis == b.kpis
