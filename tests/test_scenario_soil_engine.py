"""The scenario runner's soil engine: the Richards district run and the SCS-CN screening on the
soil grid; per-cell water balance, de-sealing, a new roof, a street closure, schema and report."""

from __future__ import annotations

from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, box

from twin.errors import ScenarioError
from twin.scenario.engines import soil
from twin.scenario.schema import Deseal, Selector, SoilOptions, parse_scenario
from twin.scene import Scene
from twin.soil.curve_number import runoff_mm
from twin.soil.hydraulics import texture_material

STORM_MM = 40.0
RICHARDS = SoilOptions(method="richards", cell_size_m=10.0, storm_mm=STORM_MM, storm_hours=1.0, hours=6.0)
SCS = SoilOptions(method="scs_cn", cell_size_m=10.0, storm_mm=STORM_MM)
CELL_M2 = 100.0


def small_scene():
    """A 100 m x 100 m site: a car park (95 % sealed) and a park (5 %) on the south half; the
    north half is unmapped (the grid's default 50 % sealed)."""
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


def desealed(scene):
    from twin.scenario.modifications import apply

    what_if = scene.copy()
    apply(what_if, Deseal(op="deseal", select=Selector(ids=["car-park"]), sealed_fraction=0.1), index=0, rng=np.random.default_rng(0), base_dir=None)
    return what_if


def balance_m3(cells: pd.DataFrame) -> np.ndarray:
    """rain + run-on - runoff - drainage - storage change per cell (no evaporation in the storm)."""
    return cells["rain_m3"] + cells["runon_m3"] - cells["runoff_m3"] - cells["drainage_m3"] - cells["storage_change_m3"]


def test_scs_cells_follow_cover_and_balance_water():
    r = soil.run(small_scene(), SCS, base_dir=None)
    cells = r.objects
    assert len(cells) == 100 and cells["cell_id"].is_unique
    parking = cells["sealed_fraction"] == 0.95
    assert parking.sum() == 25
    # silt loam (the grid's default texture) is hydrologic group B: open space CN 61
    expected = 0.95 * runoff_mm(STORM_MM, 98.0) + 0.05 * runoff_mm(STORM_MM, 61.0)
    np.testing.assert_allclose(cells.loc[parking, "runoff_mm"], expected, rtol=1e-12)
    np.testing.assert_allclose(cells["runoff_mm"] + cells["retention_mm"], STORM_MM, rtol=1e-12)
    assert r.kpis["water_balance_error_rel"] < 1e-12
    assert r.kpis["runoff_m3"] + r.kpis["retention_m3"] == pytest.approx(STORM_MM / 1000 * 100 * 100, rel=1e-12)


def test_richards_cells_close_the_water_balance():
    r = soil.run(small_scene(), RICHARDS, base_dir=None)
    cells, k = r.objects, r.kpis
    assert len(cells) == 100 and k["rain_m3"] == pytest.approx(STORM_MM / 1000 * 100 * 100, rel=1e-12)
    np.testing.assert_allclose(cells["rain_m3"], STORM_MM / 1000 * CELL_M2, rtol=1e-12)
    assert np.abs(balance_m3(cells)).max() < 1e-6 * STORM_MM / 1000 * CELL_M2
    assert k["water_balance_error_rel"] < 1e-6
    assert k["runoff_m3"] + k["drainage_m3"] + k["storage_change_m3"] == pytest.approx(k["rain_m3"], rel=1e-6)
    assert k["infiltration_m3"] == pytest.approx(k["drainage_m3"] + k["storage_change_m3"], rel=1e-6)
    # sealed surfaces shed all their rain; a 40 mm/h storm exceeds what silt loam takes in one hour
    assert (cells["runoff_m3"] >= cells["sealed_fraction"] * cells["rain_m3"] * (1 - 1e-12)).all()
    assert 0 < k["infiltration_m3"] < k["rain_m3"] - k["runoff_m3"] + 1e-9
    silt = texture_material("Silt Loam")
    theta = cells["theta_top_30cm_m3_m3"]
    assert theta.notna().all() and ((theta > silt.theta_r) & (theta <= silt.theta_s + 1e-9)).all()
    assert k["sealed_area_pct"] == pytest.approx(100 * (25 * 0.95 + 25 * 0.05 + 50 * 0.5) / 100, rel=1e-12)


def test_desealing_lowers_runoff_by_what_infiltration_and_storage_explain():
    base_scene = small_scene()
    before = soil.run(base_scene, RICHARDS, base_dir=None).objects.set_index("cell_id")
    after = soil.run(desealed(base_scene), RICHARDS, base_dir=None).objects.set_index("cell_id")
    assert before.index.equals(after.index)
    d = after[["runoff_m3", "infiltration_m3", "storage_change_m3", "drainage_m3"]] - before[["runoff_m3", "infiltration_m3", "storage_change_m3", "drainage_m3"]]
    car_park = (before["sealed_fraction"] == 0.95).to_numpy()
    assert car_park.sum() == 25
    # only the car park changes, and there runoff falls by the water the new open ground keeps or drains
    assert (d.loc[~car_park].abs().to_numpy() < 1e-12).all()
    assert (d.loc[car_park, "runoff_m3"] < 0).all()
    rain_cell = STORM_MM / 1000 * CELL_M2
    np.testing.assert_allclose(-d["runoff_m3"], d["storage_change_m3"] + d["drainage_m3"], rtol=0, atol=1e-6 * rain_cell)
    np.testing.assert_allclose(d["infiltration_m3"], d["storage_change_m3"] + d["drainage_m3"], rtol=0, atol=1e-6 * rain_cell)
    np.testing.assert_allclose(after.loc[car_park, "open_ground_fraction"], 0.9, rtol=1e-12)
    # 0.85 of 2,500 m2 opened up: at least Ks x storm duration soaks in (unsaturated silt loam
    # infiltrates faster than Ks), at most the rain that falls on it
    drop = -d["runoff_m3"].sum()
    opened_m2 = 0.85 * 2500.0
    ks_m_s = texture_material("Silt Loam").ks_m_s
    assert ks_m_s * 3600.0 * opened_m2 < drop < STORM_MM / 1000 * opened_m2


def test_desealing_in_the_screening_method():
    base_scene = small_scene()
    before, after = soil.run(base_scene, SCS, base_dir=None), soil.run(desealed(base_scene), SCS, base_dir=None)
    drop = before.kpis["runoff_m3"] - after.kpis["runoff_m3"]
    # 25 cells of 100 m2 lose 0.85 of their sealing: runoff falls by 0.85 (Q98 - Q61) on 2,500 m2
    expected = 0.85 * (runoff_mm(STORM_MM, 98.0) - runoff_mm(STORM_MM, 61.0)) / 1000.0 * 2500.0
    assert drop == pytest.approx(expected, rel=1e-12)
    assert after.kpis["retention_m3"] - before.kpis["retention_m3"] == pytest.approx(drop, rel=1e-12)


@pytest.mark.parametrize("options", [RICHARDS, SCS], ids=["richards", "scs_cn"])
def test_a_new_building_seals_its_footprint(options):
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
    new = soil.run(whatif, options, base_dir=None)
    roof = new.objects["roof_fraction"] == 1.0
    assert roof.sum() == 4 and (new.objects.loc[roof, "sealed_fraction"] == 1.0).all()
    assert new.kpis["runoff_m3"] > soil.run(base, options, base_dir=None).kpis["runoff_m3"]


def test_closing_a_street_to_cars_does_not_unseal_it():
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
    a, b = soil.run(base, RICHARDS, base_dir=None), soil.run(closed, RICHARDS, base_dir=None)
    assert (a.objects["sealed_fraction"] == 1.0).sum() == 10  # one row of cells under the 6 m carriageway
    assert a.kpis == b.kpis


def test_soil_method_is_validated_with_its_key_path():
    data = {"name": "t", "inputs": {"files": ["a.geojson"]}, "domains": ["soil"]}
    assert parse_scenario(data).soil.method == "richards"
    assert parse_scenario({**data, "soil": {"method": "scs_cn"}}).soil.method == "scs_cn"
    with pytest.raises(ScenarioError) as err:
        parse_scenario({**data, "soil": {"method": "green_ampt"}})
    assert err.value.field == "soil.method" and "richards" in str(err.value)
    with pytest.raises(ScenarioError) as err:
        parse_scenario({**data, "soil": {"storm_hours": 2.0, "hours": 1.0}})
    assert err.value.field == "soil.hours"


def test_top_layer_mean_of_a_linear_profile():
    z = np.linspace(0.0, 1.0, 51)
    w = soil.top_layer_weights(z)
    assert w.sum() == pytest.approx(1.0, rel=1e-12) and (w[z > 0.30 + 1e-9] == 0).all()
    # the nodes' intervals tile [0, 0.3]: a linear profile averages to its value at 0.15 m
    assert w @ (0.2 + 0.1 * z) == pytest.approx(0.2 + 0.1 * 0.15, rel=1e-12)


def test_report_shows_no_delta_for_the_water_balance_diagnostic():
    from twin.scenario.report import _kpi_table, terminal_summary

    kpis = pd.DataFrame({
        "whatif": ["w", "w"], "domain": ["soil", "soil"], "kpi": ["runoff_m3", "water_balance_error_rel"],
        "baseline": [100.0, 3e-16], "whatif_value": [90.0, 5e-16], "delta": [-10.0, 2e-16],
    })
    lines = terminal_summary(SimpleNamespace(kpis=kpis))
    assert any("runoff_m3" in line for line in lines) and not any("water_balance" in line for line in lines)
    table = _kpi_table(kpis, False, (5, 95))
    row = table.split("water_balance_error_rel")[1].split("</tr>")[0]
    assert "(diagnostic)" in row and "+2e-16" not in row and "2e-16" not in row


def _two_houses():
    """The small scene with two 20 m x 20 m buildings (four whole cells each)."""
    scene = small_scene()
    scene.add(
        "buildings",
        gpd.GeoDataFrame(
            {"building_id": ["a", "b"], "height_m": [9.0, 9.0], "n_storeys": [3, 3], "footprint_area_m2": [400.0, 400.0],
             "floor_area_m2": [1200.0, 1200.0]},
            geometry=[box(60, 10, 80, 30), box(10, 60, 30, 80)],
            crs="EPSG:31370",
        ),
    )
    return scene


def _green(scene, ids, share):
    from twin.scenario.modifications import apply
    from twin.scenario.schema import GreenRoofs

    what_if = scene.copy()
    apply(what_if, GreenRoofs(op="green_roofs", select=Selector(ids=ids), share=share), index=0, rng=np.random.default_rng(0), base_dir=None)
    return what_if


@pytest.mark.parametrize("options", [RICHARDS, SCS], ids=["richards", "scs_cn"])
def test_green_roofs_act_on_their_own_buildings_only(options):
    base = _two_houses()
    before = soil.run(base, options, base_dir=None)
    after = soil.run(_green(base, ["a"], 0.5), options, base_dir=None)
    b, a = before.objects.set_index("cell_id"), after.objects.set_index("cell_id")
    on_a = (a["roof_fraction"] == 1.0) & (a.geometry.centroid.x > 50)
    assert on_a.sum() == 4
    # half of the roof of building a is green; building b and every other cell are unchanged
    np.testing.assert_allclose(a.loc[on_a, "green_roof_fraction"], 0.5, rtol=0, atol=1e-12)
    assert (a.loc[~on_a, "green_roof_fraction"] == 0).all() and (b["green_roof_fraction"] == 0).all()
    np.testing.assert_allclose(a.loc[on_a, "sealed_fraction"], 0.5, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(a.loc[~on_a, "runoff_m3"], b.loc[~on_a, "runoff_m3"])
    assert (a.loc[on_a, "runoff_m3"] < b.loc[on_a, "runoff_m3"]).all()
    assert after.kpis["runoff_m3"] < before.kpis["runoff_m3"]
    if options.method == "scs_cn":
        # loamy sand (the substrate) is hydrologic group A: open space CN 39 on half of 400 m2 of roof
        drop = 0.5 * 400.0 * (runoff_mm(STORM_MM, 98.0) - runoff_mm(STORM_MM, 39.0)) / 1000.0
        assert before.kpis["runoff_m3"] - after.kpis["runoff_m3"] == pytest.approx(drop, rel=1e-12)
    else:
        assert after.kpis["water_balance_error_rel"] < 1e-6
        np.testing.assert_allclose(balance_m3(a), 0.0, atol=1e-6 * STORM_MM / 1000 * CELL_M2)


def test_green_roof_no_op_and_opposite_are_refused():
    from twin.errors import NoEffectError

    base = _green(_two_houses(), ["a"], 0.8)
    with pytest.raises(NoEffectError, match="already have a green-roof share"):
        _green(base, ["a"], 0.8)
    with pytest.raises(NoEffectError, match="removes green roof"):
        _green(base, ["a"], 0.5)
    with pytest.raises(NoEffectError, match="ids are not buildings") as info:
        _green(base, ["a", "nope"], 1.0)
    assert info.value.field == "modifications.0.select.ids"
