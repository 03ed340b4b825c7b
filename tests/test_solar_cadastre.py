"""Solar cadastre: roof shapes, bad input per building, outputs, the two shading methods."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from tests.conftest import shared_path


def _frame():
    return gpd.GeoDataFrame(
        {
            "building_id": ["flat", "gable", "hip", "nan", "zero", "tall", "dome"],
            "height_m": [9.0, 9.0, 12.0, np.nan, 6.0, 30.0, 8.0],
            "roof_kind": ["", "gabled", "hipped", "", "", "flat", "dome"],
        },
        geometry=[shapely.box(0, 0, 10, 8), shapely.box(20, 0, 30, 8), shapely.box(40, 0, 52, 10), shapely.box(60, 0, 65, 5),
                  shapely.Polygon([(70, 0), (75, 0), (80, 0), (70, 0)]), shapely.box(0, 20, 10, 30), shapely.box(90, 0, 100, 10)],
        crs="EPSG:31370",
    )


def test_roof_shapes_from_footprints():
    from twin.solar.footprints import footprint_surfaces

    s, problems, shape = footprint_surfaces(_frame())
    roof = s.kind == "roof"
    ids = np.array(["flat", "gable", "hip", "nan", "zero", "tall", "dome"])[s.building_index]
    # gabled 10 x 8 m, ridge 3 m above the eaves: two planes at atan(3 / 4), facing the long sides
    g = roof & (ids == "gable")
    assert sorted(np.round(s.azimuth_deg[g])) == [0.0, 180.0]
    assert np.allclose(s.tilt_deg[g], math.degrees(math.atan(3 / 4)))
    assert s.area_m2[g].sum() == pytest.approx(80 / math.cos(math.atan(3 / 4)))
    # hipped 12 x 10: four planes of one pitch, plan area = footprint
    h = roof & (ids == "hip")
    assert h.sum() == 4 and np.allclose(s.tilt_deg[h], math.degrees(math.atan(3 / 5)))
    assert (s.area_m2[h] * np.cos(np.radians(s.tilt_deg[h]))).sum() == pytest.approx(120.0)
    # walls of the gabled house: 2 x (10 x 6) + 2 x (8 x 6 + 8 x 3 / 2)
    w = (s.kind == "wall") & (ids == "gable")
    assert s.area_m2[w].sum() == pytest.approx(2 * 60 + 2 * (48 + 12))
    assert list(shape) == ["flat", "gabled", "hipped", "", "", "flat", "flat"]
    found = {(b, f) for b, f, _ in problems}
    assert ("nan", "height_m") in found and ("zero", "footprint") in found and ("dome", "roof_kind") in found


def test_bad_input_reported_per_building_the_others_computed(weather):
    from twin.solar.cadastre import CadastreOptions, solar_cadastre

    cad = solar_cadastre(_frame(), weather, CadastreOptions(spacing_m=1.0, method="horizon"))
    computed = set(cad.surfaces["building_id"])
    assert computed == {"flat", "gable", "hip", "tall", "dome"}
    assert set(cad.problems["building_id"]) == {"nan", "zero", "dome"}
    assert (cad.surfaces["irradiation_kwh_m2_year"] > 0).all()
    # the tall block shades the flat roof south of it... no: it stands north of it; the flat
    # roof's north-facing neighbour costs it only sky view
    flat = cad.surfaces[cad.surfaces["building_id"] == "flat"].iloc[0]
    assert flat["sky_view_factor"] < 1.0 and flat["shading_loss_share"] < 0.05
    gable = cad.surfaces[cad.surfaces["building_id"] == "gable"].set_index("azimuth_deg")
    south = gable.loc[gable.index[np.argmin(np.abs(gable.index - 180))]]
    north = gable.loc[gable.index[np.argmin(np.abs(gable.index - 0))]]
    assert south["irradiation_kwh_m2_year"] > north["irradiation_kwh_m2_year"]
    assert south["suitability"] in ("excellent", "good") and south["pv_kwp"] > 0


def _box_doc(bent_m: float) -> dict:
    """Two LoD2 boxes (10 x 10 x 6 m) with semantics; the first one's roof lifted at one corner."""
    verts, objects = [], {}
    for k, x0 in enumerate((0.0, 30.0)):
        base = len(verts)
        for x, y in ((x0, 0), (x0 + 10, 0), (x0 + 10, 10), (x0, 10)):
            verts.append([x, y, 0.0])
        for j, (x, y) in enumerate(((x0, 0), (x0 + 10, 0), (x0 + 10, 10), (x0, 10))):
            verts.append([x, y, 6.0 + (bent_m if (k == 0 and j == 2) else 0.0)])
        b = list(range(base, base + 4))
        t_ = list(range(base + 4, base + 8))
        shell = [[b[::-1]], [t_]] + [[[b[i], b[(i + 1) % 4], t_[(i + 1) % 4], t_[i]]] for i in range(4)]
        objects[f"house{k}"] = {"type": "Building", "geometry": [{"type": "Solid", "lod": "2", "boundaries": [shell],
                                "semantics": {"surfaces": [{"type": "GroundSurface"}, {"type": "RoofSurface"}, {"type": "WallSurface"}],
                                              "values": [[0, 1, 2, 2, 2, 2]]}}]}
    return {"type": "CityJSON", "version": "2.0", "transform": {"scale": [1, 1, 1], "translate": [150000, 170000, 0]},
            "metadata": {"referenceSystem": "https://www.opengis.net/def/crs/EPSG/0/31370"}, "CityObjects": objects,
            "vertices": verts}


def test_zero_area_and_non_planar_surfaces_are_reported(weather, tmp_path):
    """Degenerate faces (the Delft file has some) and a bent roof: reported per building and
    surface, the rest computed."""
    import json

    from twin.solar.cadastre import CadastreOptions, solar_cadastre

    cad = solar_cadastre(shared_path("gis", "delft.city.json"), weather, CadastreOptions(spacing_m=2.0, method="horizon"))
    assert cad.problems["problem"].str.contains("zero area").any()
    assert len(cad.surfaces) > 0 and cad.meta["n_buildings"] == 160
    path = tmp_path / "bent.city.json"
    path.write_text(json.dumps(_box_doc(1.0)))
    cad = solar_cadastre(path, weather, CadastreOptions(spacing_m=1.0, method="horizon"))
    bent = cad.problems[cad.problems["building_id"] == "cityjson:house0"]
    assert bent["problem"].str.contains("non-planar roof").any()
    roofs = cad.surfaces[cad.surfaces["kind"] == "roof"]
    assert list(roofs["building_id"]) == ["cityjson:house1"]
    assert roofs.iloc[0]["area_m2"] == pytest.approx(100.0)


def test_exact_and_horizon_methods_agree_on_annual_roof_irradiation(weather):
    from twin.solar.cadastre import CadastreOptions, solar_cadastre

    src = shared_path("gis", "delft.city.json")
    a = solar_cadastre(src, weather, CadastreOptions(spacing_m=2.0, method="exact", n_sectors=72)).surfaces
    b = solar_cadastre(src, weather, CadastreOptions(spacing_m=2.0, method="horizon", n_sectors=72)).surfaces
    rel = (b["irradiation_kwh_m2_year"] - a["irradiation_kwh_m2_year"]) / a["irradiation_kwh_m2_year"]
    assert rel.abs().max() < 0.03
    assert rel.abs().mean() < 0.005


def test_outputs_are_geoparquet_and_strict_json(weather, tmp_path):
    import json

    from twin.solar.cadastre import CadastreOptions, solar_cadastre

    cad = solar_cadastre(_frame(), weather, CadastreOptions(spacing_m=1.0, method="horizon"))
    paths = cad.save(tmp_path / "out")
    names = sorted(p.name for p in paths)
    assert names == ["buildings.parquet", "problems.parquet", "solar_summary.json", "surfaces.parquet"]
    s = gpd.read_parquet(tmp_path / "out" / "surfaces.parquet")
    assert s.crs.to_epsg() == 31370 and "irradiation_kwh_m2_year" in s and "suitability" in s
    summary = json.loads((tmp_path / "out" / "solar_summary.json").read_text())
    assert summary["totals"]["pv_kwp"] == pytest.approx(s["pv_kwp"].sum())
    b = pd.read_parquet(tmp_path / "out" / "buildings.parquet")
    assert b.set_index("building_id")["pv_kwp"].sum() == pytest.approx(s["pv_kwp"].sum())


def test_layout_respects_setback_and_module_size(weather):
    """A 20 x 10 m flat roof, 0.5 m setback: racked rows of 1.134 m x (1.722 / 0.6) m slots."""
    from twin.solar.cadastre import CadastreOptions, solar_cadastre

    frame = gpd.GeoDataFrame({"building_id": ["a"], "height_m": [10.0]}, geometry=[shapely.box(0, 0, 20, 10)], crs="EPSG:31370")
    s = solar_cadastre(frame, weather, CadastreOptions(spacing_m=0.5, method="horizon")).surfaces.iloc[0]
    assert s["n_modules"] == math.floor(19 / 1.134) * math.floor(9 / (1.722 / 0.6))
    assert s["pv_kwp"] == pytest.approx(s["n_modules"] * 0.425)
    assert s["usable_area_m2"] == pytest.approx(19 * 9, rel=0.02)


def test_walls_of_multipolygon_footprints_obstruct(weather):
    """Footprints stored as MultiPolygons (as OSM multipolygons are) keep their walls in the
    scene mesh: a sun ray from the ground toward a block hits it."""
    from shapely.geometry import MultiPolygon

    from twin.solar.cadastre import CadastreOptions, scene_mesh

    frame = gpd.GeoDataFrame({"building_id": ["m"], "height_m": [10.0]}, geometry=[MultiPolygon([shapely.box(0, 0, 10, 8)])], crs="EPSG:31370")
    mesh, _ = scene_mesh(frame, CadastreOptions())
    assert (mesh.tri_surface == -1).sum() == 8  # two triangles per footprint edge
    from twin.solar.grid import SceneGrid

    origin = np.array([[5.0, -5.0, 1.0]])
    grid = SceneGrid.build(mesh.tri, mesh.tri_building, points=origin)
    toward = np.array([[0.0, 0.894427191, 0.4472135955]])  # north, 26.6 degrees up: hits the south wall
    assert grid.direct_hourly(origin, np.array([[0.0, 1.0, 0.0]]), toward, np.array([500.0]))[0, 0] == 0.0


def test_roof_horizons_need_no_walls_of_flat_blocks():
    """The horizon method leaves the walls of flat-roofed blocks out of the grid: roof sensors'
    horizons are the same with and without them."""
    from twin.solar.cadastre import CadastreOptions, scene_mesh
    from twin.solar.grid import SceneGrid
    from twin.solar.sensors import surface_sensors

    rng = np.random.default_rng(7)
    boxes = [shapely.box(x, y, x + rng.uniform(5, 15), y + rng.uniform(5, 15)) for x in range(0, 100, 17) for y in range(0, 100, 19)]
    frame = gpd.GeoDataFrame({"building_id": [f"b{i}" for i in range(len(boxes))], "height_m": rng.uniform(4, 30, len(boxes))},
                             geometry=boxes, crs="EPSG:31370")
    mesh, _ = scene_mesh(frame, CadastreOptions())
    s = mesh.surfaces
    sens = surface_sensors(s, np.flatnonzero(s.kind == "roof"), 1.5)
    full = SceneGrid.build(mesh.tri, mesh.tri_building, points=sens.xyz).horizons(sens.xyz, n_sectors=36)
    keep = mesh.tri_surface != -1
    bare = SceneGrid.build(mesh.tri[keep], mesh.tri_building[keep], points=sens.xyz).horizons(sens.xyz, n_sectors=36)
    assert (full > 1).mean() > 0.05
    np.testing.assert_allclose(bare, full, atol=1e-9)
