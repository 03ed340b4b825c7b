"""Party walls: a hand-made terrace, the flat footprint arrays, and the Saint-Gilles district.

References are independent of the kernels: hand geometry for the terrace, shapely's own
boundary intersection for the district, and the plain shapely path (get_parts /
orient_polygons / get_exterior_ring) for the footprint arrays.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from tests.conftest import shared_path
from twin.ingest.defaults import complete_buildings
from twin.scene import Scene
from twin.scene.footprints import FootprintArrays, footprint_arrays
from twin.scene.spatial import candidate_pairs, envelope_pairs


def _terrace() -> Scene:
    """Three 6 m x 10 m houses side by side (x 0-6, 6-12, 12-18), heights 9, 12 and 6 m."""
    geoms = [shapely.box(148000.0 + 6.0 * k, 168000.0, 148006.0 + 6.0 * k, 168010.0) for k in range(3)]
    frame = pd.DataFrame(
        {
            "building_id": ["t:west", "t:middle", "t:east"],
            "footprint_area_m2": [60.0, 60.0, 60.0],
            "height_m": [9.0, 12.0, 6.0],
            "n_storeys": [3, 4, 2],
        }
    )
    frame = complete_buildings(frame)
    scene = Scene()
    scene.add("buildings", gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:31370"))
    return scene


def test_terrace_middle_house_has_two_party_walls_of_the_right_area():
    pw = _terrace().party_walls()
    middle = pw[(pw["building_id"] == "t:middle") | (pw["neighbour_id"] == "t:middle")]
    assert len(middle) == 2
    assert np.allclose(middle["shared_length_m"], 10.0)
    by_neighbour = {
        (a if b == "t:middle" else b): area
        for a, b, area in zip(middle["building_id"], middle["neighbour_id"], middle["shared_area_m2"])
    }
    # shared area = 10 m x the lower of the two heights
    assert by_neighbour == pytest.approx({"t:west": 10.0 * 9.0, "t:east": 10.0 * 6.0})
    # the end houses do not touch each other
    assert not ((pw["building_id"].isin(["t:west", "t:east"])) & (pw["neighbour_id"].isin(["t:west", "t:east"]))).any()
    assert len(pw) == 2


def test_terrace_facades_split_exterior_and_party_parts():
    fac = _terrace().facades()
    mid = fac[fac["building_id"] == "t:middle"].sort_values("azimuth_deg")
    assert len(mid) == 4
    # azimuths 0 (north), 90 (east), 180 (south), 270 (west): the east and west edges are party walls
    assert np.allclose(mid["azimuth_deg"], [0.0, 90.0, 180.0, 270.0])
    assert np.allclose(mid["shared_length_m"], [0.0, 10.0, 0.0, 10.0])
    assert np.allclose(mid["party_area_m2"], [0.0, 120.0, 0.0, 120.0])  # own height 12 m
    assert np.allclose(mid["exterior_area_m2"], [6.0 * 12.0, 0.0, 6.0 * 12.0, 0.0])
    west = fac[fac["building_id"] == "t:west"]
    assert np.isclose(west["party_area_m2"].sum(), 10.0 * 9.0)
    assert np.isclose(west["exterior_area_m2"].sum(), (6.0 + 10.0 + 6.0) * 9.0)


def test_party_walls_tolerate_a_small_gap_and_ignore_a_wide_one():
    # 0.2 m apart: one wall (tolerance 0.3 m); 1 m apart: no wall
    geoms = [shapely.box(0, 0, 6, 10), shapely.box(6.2, 0, 12.2, 10), shapely.box(13.2, 0, 19.2, 10)]
    frame = complete_buildings(pd.DataFrame({"building_id": ["a", "b", "c"], "footprint_area_m2": [60.0] * 3}))
    scene = Scene()
    scene.add("buildings", gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:31370"))
    pw = scene.party_walls()
    assert list(zip(pw["building_id"], pw["neighbour_id"])) == [("a", "b")]
    assert pw["shared_length_m"].iloc[0] == pytest.approx(10.0)


# ----------------------------------------------------------------------------- footprint arrays
def _reference_arrays(geometries) -> FootprintArrays:
    """The plain shapely way: parts, oriented counter-clockwise, exterior rings."""
    geoms = np.asarray(geometries, dtype=object)
    parts, part_building = shapely.get_parts(geoms, return_index=True)
    parts = shapely.orient_polygons(parts, exterior_cw=False)
    rings = shapely.get_exterior_ring(parts)
    coords, point_ring = shapely.get_coordinates(rings, return_index=True)
    ring_offsets = np.zeros(len(rings) + 1, dtype=np.int64)
    np.cumsum(np.bincount(point_ring, minlength=len(rings)), out=ring_offsets[1:])
    bro = np.zeros(len(geoms) + 1, dtype=np.int64)
    np.cumsum(np.bincount(part_building, minlength=len(geoms)), out=bro[1:])
    return FootprintArrays(coords, ring_offsets, bro, part_building[point_ring].astype(np.int64))


def _assert_same(a: FootprintArrays, b: FootprintArrays) -> None:
    for name in ("coords", "ring_offsets", "building_ring_offsets", "point_building"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def test_footprint_arrays_match_the_plain_shapely_path_on_mixed_geometries():
    box = shapely.box
    courtyard = shapely.Polygon(box(0, 0, 10, 10).exterior.coords, [box(2, 2, 3, 3).exterior.coords])
    geoms = np.array(
        [
            box(0, 0, 1, 1),
            shapely.reverse(box(5, 5, 7, 8)),  # clockwise exterior
            None,
            shapely.MultiPolygon([box(0, 0, 1, 1), shapely.reverse(box(2, 0, 3, 1))]),
            courtyard,
            shapely.Polygon([(0, 0), (4, 0), (4, 1), (2, 3), (0, 1)]),
            shapely.reverse(shapely.Polygon([(100000, 200000), (100010, 200000), (100010, 200007), (100000, 200007)])),
            # MultiPolygons of one part (every building of an OSM ingest): one ring (either
            # orientation, with z), with a hole, empty
            shapely.MultiPolygon([box(20, 0, 24, 3)]),
            shapely.MultiPolygon([shapely.reverse(shapely.Polygon([(30, 0), (34, 0), (32, 5)]))]),
            shapely.MultiPolygon([shapely.Polygon([(40, 0, 3.0), (44, 0, 3.0), (44, 4, 3.5), (40, 4, 3.5)])]),
            shapely.MultiPolygon([courtyard]),
            shapely.from_wkt("MULTIPOLYGON EMPTY"),
        ],
        dtype=object,
    )
    _assert_same(footprint_arrays(geoms), _reference_arrays(geoms))


def test_one_ring_multipolygons_are_read_from_their_wkb_headers():
    from twin.scene.footprints import _one_ring_multipolygons

    box = shapely.box
    hole = shapely.Polygon(box(0, 0, 10, 10).exterior.coords, [box(2, 2, 3, 3).exterior.coords])
    geoms = np.array([shapely.MultiPolygon([box(0, 0, 1, 1)]), box(0, 0, 1, 1), shapely.MultiPolygon([hole]),
                      shapely.MultiPolygon([box(0, 0, 1, 1), box(2, 0, 3, 1)]), None, shapely.from_wkt("MULTIPOLYGON EMPTY"),
                      shapely.MultiPolygon([shapely.Polygon([(0, 0, 1.0), (4, 0, 1.0), (4, 4, 2.0)])])], dtype=object)
    mask = _one_ring_multipolygons(geoms, shapely.get_type_id(geoms))
    assert mask.tolist() == [True, False, False, False, False, False, True]


def test_footprint_arrays_match_the_plain_shapely_path_on_saint_gilles():
    path = shared_path("brussels", "stgilles_buildings_osm2013.geojson")
    geoms = gpd.read_file(path).to_crs("EPSG:31370").geometry.values
    _assert_same(footprint_arrays(geoms), _reference_arrays(geoms))


# ----------------------------------------------------------------------------- Saint-Gilles
@pytest.fixture(scope="module")
def stgilles_scene() -> Scene:
    from twin.ingest.vector import read_vector

    result = read_vector(shared_path("brussels", "stgilles_buildings_osm2013.geojson"))
    scene = Scene()
    scene.add("buildings", result.layers["buildings"], source=result.path)
    return scene


def test_envelope_candidates_contain_the_distance_candidates(stgilles_scene):
    geoms = np.asarray(stgilles_scene.buildings.geometry.values)
    tree = stgilles_scene.index("buildings")
    ea, eb = envelope_pairs(tree, geoms, 0.3)
    da, db = candidate_pairs(tree, geoms, 0.3)
    env = set(zip(ea.tolist(), eb.tolist()))
    assert set(zip(da.tolist(), db.tolist())) <= env


def test_stgilles_adjacent_buildings_share_walls(stgilles_scene):
    scene = stgilles_scene
    pw = scene.party_walls()
    b = scene.buildings
    with_wall = np.union1d(pw["building_id"], pw["neighbour_id"])
    # a dense 19th-century district of terraced houses: nearly every building has a neighbour
    assert len(with_wall) / len(b) > 0.9
    assert (pw["shared_length_m"] > 0).all()
    fac = scene.facades()
    # a shared length never exceeds the edge it lies on
    assert (fac["shared_length_m"] <= fac["length_m"] + 1e-9).all()
    # ... nor a building's perimeter
    perimeter = fac.groupby("building_id")["length_m"].sum()
    shared = fac.groupby("building_id")["shared_length_m"].sum()
    assert (shared <= perimeter + 1e-9).all()
    # shared area uses the lower of the two heights
    h = b.set_index("building_id")["height_m"]
    expect = pw["shared_length_m"] * np.minimum(h.loc[pw["building_id"]].to_numpy(), h.loc[pw["neighbour_id"]].to_numpy())
    assert np.allclose(pw["shared_area_m2"], expect)


def test_stgilles_shared_lengths_agree_with_shapely_boundary_intersections(stgilles_scene):
    """Independent check: the length of A's boundary within 5 cm of B's boundary (shapely)."""
    pw = stgilles_scene.party_walls()
    g = stgilles_scene.buildings.set_index("building_id").geometry
    a = shapely.boundary(np.asarray(g.loc[pw["building_id"]].values))
    b = shapely.boundary(np.asarray(g.loc[pw["neighbour_id"]].values))
    ref = shapely.length(shapely.intersection(a, shapely.buffer(b, 0.05)))
    ok = ref > 1.0
    rel = np.abs(pw["shared_length_m"].to_numpy()[ok] - ref[ok]) / ref[ok]
    # the 5 cm buffer lengthens the reference by up to 10 cm per wall end
    assert np.median(rel) < 0.02
    assert np.mean(rel < 0.05) > 0.95
    # and every pair shapely sees sharing more than 1 m is found
    geoms = np.asarray(g.values)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=0.05)
    keep = left < right
    left, right = left[keep], right[keep]
    lens = shapely.length(shapely.intersection(shapely.boundary(geoms[left]), shapely.buffer(shapely.boundary(geoms[right]), 0.05)))
    ids = g.index.to_numpy()
    touching = {tuple(sorted(p)) for p, L in zip(zip(ids[left], ids[right]), lens) if L > 1.0}
    found = {tuple(sorted(p)) for p in zip(pw["building_id"], pw["neighbour_id"])}
    missing = touching - found
    assert len(missing) <= 0.01 * len(touching)
