"""Scene graph: layers, ids, spatial queries, horizon profiles, copy and diff, export round trip."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from twin.errors import CRSError, SchemaError
from twin.scene import Scene


def buildings_frame(boxes, heights, crs="EPSG:31370", ids=None):
    ids = ids or [f"b{i}" for i in range(len(boxes))]
    geoms = [box(*b) for b in boxes]
    return gpd.GeoDataFrame(
        {
            "building_id": ids,
            "height_m": heights,
            "n_storeys": [max(1, round(h / 3)) for h in heights],
            "footprint_area_m2": [g.area for g in geoms],
            "floor_area_m2": [g.area * max(1, round(h / 3)) for g, h in zip(geoms, heights)],
        },
        geometry=geoms,
        crs=crs,
    )


def test_scene_rejects_geographic_crs():
    with pytest.raises(CRSError):
        Scene(crs="EPSG:4326")


def test_add_without_crs_is_an_error():
    frame = buildings_frame([(0, 0, 10, 10)], [6.0])
    frame = frame.set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match="no CRS"):
        Scene().add("buildings", frame, source="x.geojson")


def test_add_reprojects_to_scene_crs():
    # a 1-degree-free check: a box given in EPSG:3857 lands where pyproj puts it in EPSG:31370
    frame = buildings_frame([(483000, 6591000, 483020, 6591010)], [9.0], crs="EPSG:3857")
    scene = Scene()
    scene.add("buildings", frame)
    assert scene.buildings.crs.to_epsg() == 31370
    expected = frame.to_crs("EPSG:31370").geometry.iloc[0]
    assert scene.buildings.geometry.iloc[0].equals_exact(expected, 1e-6)


def test_duplicate_ids_are_rejected_with_the_id():
    scene = Scene()
    scene.add("buildings", buildings_frame([(0, 0, 10, 10)], [6.0]))
    with pytest.raises(SchemaError, match="b0"):
        scene.add("buildings", buildings_frame([(20, 0, 30, 10)], [6.0]))


def test_negative_height_is_rejected_naming_field():
    with pytest.raises(SchemaError, match="height_m"):
        Scene().add("buildings", buildings_frame([(0, 0, 10, 10)], [-1.0]))


def test_within_distance_and_neighbours():
    scene = Scene()
    scene.add("buildings", buildings_frame([(0, 0, 10, 10), (10, 0, 20, 10), (50, 0, 60, 10)], [6, 6, 6]))
    near = scene.within_distance("buildings", Point(15, 5), 1.0)
    assert list(near["building_id"]) == ["b1"]
    assert list(scene.neighbours("b0", 0.5)["building_id"]) == ["b1"]
    assert list(scene.neighbours("b2", 0.5)["building_id"]) == []


def test_horizon_profile_matches_analytic_elevation():
    # observer facade: east face of b0 (x = 10) at mid-height 3 m; obstacle b1 from x = 30, 20 m high
    scene = Scene()
    scene.add("buildings", buildings_frame([(0, 0, 10, 10), (30, -50, 40, 60)], [6.0, 20.0]))
    prof = scene.horizon_profile("b0", n_sectors=36)
    east = prof[np.isclose(prof["azimuth_deg"], 90.0)].iloc[0]
    distance = 30.0 - 10.1  # facade midpoint moved 0.1 m outward
    assert east["h_090"] == pytest.approx(math.degrees(math.atan((20.0 - 3.0) / distance)), rel=1e-9)
    # looking west from the west facade: nothing
    west = prof[np.isclose(prof["azimuth_deg"], 270.0)].iloc[0]
    assert west["h_270"] == 0.0
    # an oblique sector: ray at 60 deg from the east facade midpoint (10.1, 5) meets x = 30 at t = 19.9 / sin 60
    t = 19.9 / math.sin(math.radians(60))
    assert east["h_060"] == pytest.approx(math.degrees(math.atan(17.0 / t)), rel=1e-9)


def test_horizon_ignores_lower_buildings():
    scene = Scene()
    scene.add("buildings", buildings_frame([(0, 0, 10, 10), (30, 0, 40, 10)], [20.0, 5.0]))
    prof = scene.horizon_profile("b0")
    assert (prof.drop(columns=["building_id", "azimuth_deg"]).to_numpy() == 0).all()


def test_copy_is_independent_and_diff_finds_changes():
    base = Scene()
    base.add("buildings", buildings_frame([(0, 0, 10, 10), (10, 0, 20, 10)], [6.0, 9.0]))
    whatif = base.copy()
    b = whatif.buildings.copy()
    b.loc[b["building_id"] == "b1", "height_m"] = 15.0
    whatif.set_layer("buildings", b)
    whatif.add("buildings", buildings_frame([(40, 0, 50, 10)], [3.0], ids=["new"]))
    assert base.buildings["height_m"].tolist() == [6.0, 9.0]  # the baseline is untouched
    d = whatif.diff(base)
    assert d.layers["buildings"].added == ["new"]
    assert d.layers["buildings"].modified == {"b1": ["height_m"]}
    assert d.layers["links"].empty
    assert not d.empty
    assert base.copy().diff(base).empty
    frame = d.to_frame()
    assert set(frame["change"]) == {"added", "modified"}


@pytest.mark.parametrize("suffix", ["", ".gpkg"])
def test_export_round_trip(tmp_path, suffix):
    from twin.export import write_scene
    from twin.scene.io import read_scene

    scene = Scene(name="t")
    scene.add("buildings", buildings_frame([(0, 0, 10, 10), (10, 0, 20, 10)], [6.0, 9.0]))
    scene.add(
        "elements",
        pd.DataFrame(
            {
                "element_id": ["w1"], "building_id": ["b0"], "kind": ["wall"], "area_m2": [30.0],
                "azimuth_deg": [180.0], "tilt_deg": [90.0], "u_value_w_m2k": [0.3],
            }
        ),
    )
    out = tmp_path / f"scene{suffix}"
    write_scene(scene, out)
    back = read_scene(out)
    assert back.counts() == scene.counts()
    assert back.crs.equals(scene.crs)
    pd.testing.assert_series_equal(back.buildings["height_m"], scene.buildings["height_m"])
    assert back.elements["u_value_w_m2k"].tolist() == [0.3]
    assert back.buildings.geometry.iloc[1].equals(scene.buildings.geometry.iloc[1])


def test_export_keeps_previous_output_when_writing_fails(tmp_path, monkeypatch):
    from twin.export import layers, write_scene

    scene = Scene()
    scene.add("buildings", buildings_frame([(0, 0, 10, 10)], [6.0]))
    out = tmp_path / "scene.gpkg"
    write_scene(scene, out)
    before = out.read_bytes()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(layers, "_gpkg_safe", boom)
    with pytest.raises(RuntimeError):
        write_scene(scene, out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["scene.gpkg"]


def test_geometric_caches_survive_attribute_changes_and_copies():
    scene = Scene()
    scene.add("buildings", buildings_frame([(0, 0, 10, 10), (10, 0, 20, 10), (40, 0, 50, 10)], [6.0, 9.0, 20.0]))
    first = scene.facade_horizons()
    copy = scene.copy()
    assert copy.facade_horizons() is first  # a what-if copy reuses the baseline's horizons
    b = copy.buildings.copy()
    b["renovation_measures"] = "wall_insulation"
    copy.set_layer("buildings", b)
    assert copy.facade_horizons() is first  # attributes changed, geometry did not
    b = copy.buildings.copy()
    b.loc[2, "height_m"] = 3.0
    copy.set_layer("buildings", b)
    again = copy.facade_horizons()
    assert again is not first and again.sum() < first.sum()  # the tall building was lowered
    assert scene.facade_horizons() is first  # the baseline is untouched
    # the recomputed result equals a fresh scene's
    fresh = Scene()
    fresh.add("buildings", copy.buildings)
    np.testing.assert_array_equal(fresh.facade_horizons(), again)


def test_changed_layers_are_tracked_per_copy():
    base = Scene()
    base.add("buildings", buildings_frame([(0, 0, 10, 10)], [6.0]))
    copy = base.copy()
    assert copy.changed == frozenset()
    copy.set_meta("demand_factor", 1.2)
    lc = copy.landcover
    copy.set_layer("landcover", lc)
    assert copy.changed == {"meta:demand_factor", "landcover"}
    assert "demand_factor" not in base.meta
    stand_in = copy.copy(keep_changed=True)  # a stand-in for the scene itself keeps its record, in a set of its own
    assert stand_in.changed == copy.changed and copy.copy().changed == frozenset()
    stand_in.set_meta("seed", 1)
    assert "meta:seed" not in copy.changed


def test_sites_assign_buildings_to_the_smallest_enclosing_site():
    scene = Scene()
    scene.add("buildings", buildings_frame([(0, 0, 10, 10), (100, 0, 110, 10), (500, 500, 510, 510)], [6, 6, 6]))
    sites = gpd.GeoDataFrame(
        {"site_id": ["region", "district"], "kind": ["district", "site"]},
        geometry=[box(-50, -50, 200, 200), box(-5, -5, 50, 50)],
        crs="EPSG:31370",
    )
    scene.add("sites", sites)
    assert scene.assign_sites() == 2
    assert scene.buildings["site_id"].tolist() == ["district", "region", ""]
