"""Work the traffic Monte Carlo no longer repeats per sample, and what guards each shortcut.

* A sample's scene (:func:`twin.scenario.engines.traffic_samples._sampled_scene`) checks only
  the two columns it changes (floor area, use) instead of conforming the whole buildings layer
  again: the layer, the changed-layer set and the cache it gives are those of
  ``Scene.set_layer``; a bad sample is one error naming the building and the column; the scene
  it is made from is left as it was.
* The buildings' representative points (:func:`twin.traffic.demand.building_points`) are cached
  on the scene with its geometry: kept through a change of floor areas, recomputed after the
  footprints move (never stale).
* The jobs and costs tables (:func:`~twin.traffic.demand.read_jobs`,
  :func:`~twin.traffic.mobility.read_costs`) are parsed once per content: a rewritten file (same
  size) is read again, and a caller's changes to the dict it got do not reach the next caller.
* The district's edge nodes are cached by the street layout, the edge-connector counts made in one
  pass, the zone connectors cached by candidate nodes and centroids (a what-if closing streets to
  cars shares its baseline's walk connectors; moved centroids get their own).
* Runs with these caches filled give the same KPIs and link flows as runs with them cleared.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import shapely

from tests.traffic_helpers import stgilles_scene
from twin.errors import SchemaError
from twin.scenario.engines.traffic_model import closed_links
from twin.scenario.engines.traffic_samples import _sampled_scene
from twin.traffic import demand as D
from twin.traffic import mobility as MB
from twin.traffic import mode_streets as ms

PARVIS = ["Parvis Saint-Gilles - Sint-Gillis Voorplein", "Rue de l'Église Saint-Gilles - Sint-Gilliskerkstraat"]


@pytest.fixture(scope="module")
def scene():
    return stgilles_scene()


def samples(scene, n: int = 3, seed: int = 5) -> SimpleNamespace:
    """Floor areas and uses of ``n`` samples (what ``_sampled_scene`` reads of the stock samples)."""
    rng = np.random.default_rng(seed)
    b = scene.buildings
    floor = b["floor_area_m2"].to_numpy(float)[None, :] * rng.uniform(0.5, 1.5, (n, len(b)))
    uses = np.array(["residential", "office", "retail", "education"], dtype=object)
    use = np.where(rng.random((n, len(b))) < 0.2, uses[rng.integers(0, 4, (n, len(b)))], b["use"].astype(str).to_numpy(dtype=object)[None, :])
    return SimpleNamespace(floor_area_m2=floor, use=use)


def by_set_layer(scene, aligned, s: int):
    """Sample ``s``'s scene the way it was made before: the whole layer through ``set_layer``."""
    sc = scene.copy()
    b = sc.buildings.copy()
    b["floor_area_m2"] = aligned.floor_area_m2[s]
    b["use"] = pd.array(aligned.use[s], dtype=b["use"].dtype)
    sc.set_layer("buildings", b)
    return sc


def closed(scene):
    from twin.traffic.whatif import close_streets

    links = scene.links
    return close_streets(scene, links.loc[links["name"].isin(PARVIS) & links["modes"].str.contains("car"), "link_id"].tolist())


# ---------------------------------------------------------------------------------------- sampled scene
def test_a_sampled_scene_is_the_set_layer_one(scene) -> None:
    aligned = samples(scene)
    sc0 = scene.copy()
    sc0.index("buildings")  # a geometry cache entry: kept by an attribute change
    sc0._cache["buildings:attribute_test"] = object()  # an attribute cache entry: dropped
    sc0._cache["*:any_test"] = object()  # dropped by any change
    before = sc0.buildings.copy()
    for s in range(2):
        old, new = by_set_layer(sc0, aligned, s), _sampled_scene(sc0, aligned, s)
        pd.testing.assert_frame_equal(new.buildings, old.buildings, check_exact=True)
        assert type(new.buildings) is type(old.buildings) and new.buildings.crs == old.buildings.crs
        assert new.changed == old.changed == {"buildings"}
        assert set(new._cache) == set(old._cache)
        assert "buildings:geom:tree" in new._cache and "buildings:attribute_test" not in new._cache and "*:any_test" not in new._cache
        assert np.array_equal(new.buildings["floor_area_m2"].to_numpy(), aligned.floor_area_m2[s])
        assert new.buildings["use"].tolist() == aligned.use[s].tolist()
    pd.testing.assert_frame_equal(sc0.buildings, before, check_exact=True)  # the scene sampled from is unchanged
    assert "buildings:attribute_test" in sc0._cache and not sc0.changed
    assert _sampled_scene(sc0, None, 0) is sc0  # priors off: the scene itself


@pytest.mark.parametrize(("column", "value", "message"), [
    ("floor_area_m2", -5.0, "not a finite number >= 0"),
    ("floor_area_m2", np.nan, "not a finite number >= 0"),
    ("floor_area_m2", np.inf, "not a finite number >= 0"),
    ("use", None, "is not text"),
    ("use", 3, "is not text"),
])  # fmt: skip
def test_a_bad_sample_names_the_building_and_the_column(scene, column: str, value, message: str) -> None:
    aligned = samples(scene)
    getattr(aligned, column)[1, 7] = value
    with pytest.raises(SchemaError, match=message) as err:
        _sampled_scene(scene, aligned, 1)
    assert err.value.obj == scene.buildings["building_id"].iloc[7] and err.value.field == column
    assert "Monte Carlo sample 1" in err.value.message
    _sampled_scene(scene, aligned, 0)  # another sample is fine


def test_a_sample_of_the_wrong_length_is_an_error(scene) -> None:
    aligned = samples(scene)
    aligned.floor_area_m2 = aligned.floor_area_m2[:, :-1]
    with pytest.raises(SchemaError, match="values for") as err:
        _sampled_scene(scene, aligned, 0)
    assert err.value.field == "floor_area_m2"


# ---------------------------------------------------------------------------------------- points, tables
def test_building_points_are_cached_with_the_geometry_and_never_stale(scene) -> None:
    sc = scene.copy()
    sc._cache.pop(D.POINTS_CACHE_KEY, None)
    expected = shapely.get_coordinates(shapely.point_on_surface(np.asarray(sc.buildings.geometry.values, dtype=object)))
    xy = D.building_points(sc)
    assert np.array_equal(xy, expected) and D.POINTS_CACHE_KEY in sc._cache
    xy[:] = 0.0  # the caller's own array
    assert np.array_equal(D.building_points(sc), expected)
    sampled = _sampled_scene(sc, samples(sc), 0)  # floor areas and uses change: the points stay
    assert sampled._cache[D.POINTS_CACHE_KEY] is sc._cache[D.POINTS_CACHE_KEY]
    moved = sc.copy()
    b = moved.buildings.copy()
    b["geometry"] = b.geometry.translate(25.0, -10.0)
    moved.set_layer("buildings", b)
    ends = D.trip_ends(moved, D.read_parameters(None), zone_size_m=100.0)
    assert np.allclose(ends.building_xy, expected + [25.0, -10.0])
    # a scene without a cache (a duck-typed one) gets the points too
    bare = SimpleNamespace(buildings=sc.buildings)
    assert np.array_equal(D.building_points(bare), expected)


def test_tables_are_read_again_when_their_content_changes(tmp_path) -> None:
    jobs = tmp_path / "jobs.csv"
    jobs.write_text("use,floor_area_per_job_m2,kind\noffice,25,job\nschool,12,place\n")
    first = D.read_jobs(jobs)
    assert first == {"office": (25.0, "job"), "school": (12.0, "place")}
    first["office"] = (1.0, "job")  # the caller's own dict
    assert D.read_jobs(jobs)["office"] == (25.0, "job")
    jobs.write_text("use,floor_area_per_job_m2,kind\noffice,35,job\nschool,12,place\n")  # same size
    assert D.read_jobs(jobs)["office"] == (35.0, "job")
    costs = tmp_path / "costs.csv"
    costs.write_text("parameter,value\ncar_cost_eur_per_km,0.10\npt_fare_eur,2.0\n")
    c = MB.read_costs(costs)
    assert c == {"car_cost_eur_per_km": 0.10, "pt_fare_eur": 2.0}
    c["pt_fare_eur"] = 0.0
    assert MB.read_costs(costs)["pt_fare_eur"] == 2.0
    costs.write_text("parameter,value\ncar_cost_eur_per_km,0.10\npt_fare_eur,3.0\n")
    assert MB.read_costs(costs)["pt_fare_eur"] == 3.0
    assert MB.read_costs()["pt_fare_eur"] == pd.read_csv(D.DATA_DIR / "mobility_costs.csv").set_index("parameter").loc["pt_fare_eur", "value"]


# ---------------------------------------------------------------------------------------- networks
def test_edge_nodes_by_street_layout_and_edge_access_counts(scene) -> None:
    MB._EDGE_NODES_CACHE.clear()
    key = ms.streets_key(scene)
    edges = MB._edge_nodes_of_streets(scene, key)
    assert edges == MB.edge_nodes(scene) and len(MB._EDGE_NODES_CACHE) == 1
    edges["north"].clear()  # the caller's own lists
    assert MB._edge_nodes_of_streets(scene, key) == MB.edge_nodes(scene)
    # a street layout cut short: its own entry, its own edges
    links = scene.links
    short = scene.copy()
    short.set_layer("links", links[links.geometry.centroid.y < links.geometry.centroid.y.median()].copy())
    k2 = ms.streets_key(short)
    assert k2 != key and MB._edge_nodes_of_streets(short, k2) == MB.edge_nodes(short) != MB.edge_nodes(scene)
    ends = D.trip_ends(scene, D.read_parameters(None), zone_size_m=100.0)
    walk = MB.build_mode_network(scene, "walk", ends, MB.edge_nodes(scene)).network
    ids = walk.link_ids.tolist()
    expected = [sum(1 for lid in ids if str(lid).startswith(f"conn:walk:edge_{s}:")) for s in MB.SIDES]
    assert MB._edge_access(walk.link_ids).tolist() == expected and sum(expected) > 0


def test_zone_connectors_cached_by_candidates_and_centroids(scene) -> None:
    ms._CONNECTORS_CACHE.clear()
    ends = D.trip_ends(scene, D.read_parameters(None), zone_size_m=100.0)
    walk = ms.mode_streets(scene, "walk", walk_speed=1.3, bike_speed=4.0)
    shut = closed(scene)
    walk_w = ms.mode_streets(shut, "walk", walk_speed=1.3, bike_speed=4.0)
    car, car_w = (ms.mode_streets(s, "car", walk_speed=1.3, bike_speed=4.0) for s in (scene, shut))
    assert walk_w is not walk and walk_w.connector_key == walk.connector_key  # closed to cars: same walk candidates
    assert car.connector_key != walk.connector_key

    def same(a, b) -> bool:
        return [x[0] for x in a] == [x[0] for x in b] and all(np.array_equal(p, q) for x, y in zip(a, b) for p, q in zip(x[1:], y[1:]))

    first = ms.zone_connectors(walk, ends.zone_xy, max_m=MB.MAX_CONNECTOR_M, per_zone=MB.CONNECTORS_PER_ZONE)
    assert len(ms._CONNECTORS_CACHE) == 1
    assert same(first, ms._search_connectors(walk, ends.zone_xy, max_m=MB.MAX_CONNECTOR_M, per_zone=MB.CONNECTORS_PER_ZONE))
    first[0][1][:] = -1  # the caller's own arrays
    again = ms.zone_connectors(walk_w, ends.zone_xy, max_m=MB.MAX_CONNECTOR_M, per_zone=MB.CONNECTORS_PER_ZONE)
    assert len(ms._CONNECTORS_CACHE) == 1  # the what-if's walk connectors are the baseline's
    assert same(again, ms._search_connectors(walk_w, ends.zone_xy, max_m=MB.MAX_CONNECTOR_M, per_zone=MB.CONNECTORS_PER_ZONE))
    again[0][2][:] = -1  # a hit is the caller's own too
    assert same(ms.zone_connectors(walk, ends.zone_xy, max_m=MB.MAX_CONNECTOR_M, per_zone=MB.CONNECTORS_PER_ZONE),
                ms._search_connectors(walk, ends.zone_xy, max_m=MB.MAX_CONNECTOR_M, per_zone=MB.CONNECTORS_PER_ZONE))
    again = ms.zone_connectors(walk, ends.zone_xy, max_m=MB.MAX_CONNECTOR_M, per_zone=MB.CONNECTORS_PER_ZONE)
    # moved centroids (another sample's floor areas), another radius, other candidates: their own
    moved = ends.zone_xy + np.random.default_rng(1).normal(0.0, 20.0, ends.zone_xy.shape)
    for streets, xy, max_m in ((walk, moved, MB.MAX_CONNECTOR_M), (walk, ends.zone_xy, 60.0), (car, ends.zone_xy, MB.MAX_CONNECTOR_M)):
        got = ms.zone_connectors(streets, xy, max_m=max_m, per_zone=MB.CONNECTORS_PER_ZONE)
        assert same(got, ms._search_connectors(streets, xy, max_m=max_m, per_zone=MB.CONNECTORS_PER_ZONE))
        assert not same(got, again)
    assert len(ms._CONNECTORS_CACHE) == 4


def test_runs_with_the_caches_filled_equal_runs_with_them_cleared(scene) -> None:
    opts = MB.MobilityOptions(periods=("am_peak",), feedback=2, compute_access=False)
    shut = closed(scene)
    aligned = samples(scene, 2)

    def both(s: int) -> tuple[dict, dict, np.ndarray]:
        base = MB.run_district_mobility(_sampled_scene(scene, aligned, s), opts)
        var = MB.run_district_mobility(_sampled_scene(shut, aligned, s), opts, baseline=base)
        return base.kpis, var.kpis, var.links["flow_am_peak_veh_h"].to_numpy()

    def clear() -> None:
        for cache in (ms._STREETS_CACHE, ms._CONNECTORS_CACHE, MB._EDGE_NODES_CACHE, MB._FREE_SKIM_CACHE, D._JOBS_CACHE, MB._COSTS_CACHE):
            cache.clear()
        for sc in (scene, shut):
            sc._cache.pop(D.POINTS_CACHE_KEY, None)

    for s in range(2):
        clear()
        fresh = both(s)
        for sc in (scene, shut):
            D.building_points(sc)  # as the central runs do: the samples' copies find them
        again = both(s)
        assert again[0] == fresh[0] and again[1] == fresh[1] and np.array_equal(again[2], fresh[2])
    assert fresh[1]["am_peak_vehicle_km"] != fresh[0]["am_peak_vehicle_km"]  # the closure is a different run


def test_main_road_capacities_by_streets_and_road_classes(scene) -> None:
    MB._MAIN_CAPS_CACHE.clear()
    key, edges = ms.streets_key(scene), MB.edge_nodes(scene)
    got = MB._main_road_capacities_of_streets(scene, edges, key)
    expected = MB._main_road_capacities(scene, edges)
    assert all(np.array_equal(a, b) for a, b in zip(got, expected)) and expected[0].sum() > 0
    got[0][:] = -1.0  # the caller's own arrays
    assert np.array_equal(MB._main_road_capacities_of_streets(scene, edges, key)[0], expected[0])
    # the main roads demoted to residential: same streets key, other road classes, other capacities
    demoted = scene.copy()
    links = demoted.links.copy()
    links["road_class"] = "residential"
    demoted.set_layer("links", links)
    assert ms.streets_key(demoted) == key
    again = MB._main_road_capacities_of_streets(demoted, edges, key)
    assert all(np.array_equal(a, b) for a, b in zip(again, MB._main_road_capacities(demoted, edges))) and again[0].sum() == 0


def test_every_shared_mode_choice_is_that_of_its_model_times_and_costs(scene, monkeypatch) -> None:
    """Calibration (every theta tried) and each feedback iteration (both choices of a what-if)
    share one mode choice: each one handed to ``_choose`` equals a fresh one of that call's
    model, times and costs; and the shares are computed fewer times than there are choices."""
    real_choose, real_modes = MB._choose, MB._mode_choice
    counts = {"choose": 0, "shared": 0, "modes": 0}

    def modes_counted(model, t, cost):
        counts["modes"] += 1
        return real_modes(model, t, cost)

    def checked(model, theta, segs, t, cost, scale=None, *, modes=None):
        counts["choose"] += 1
        if modes is not None:
            counts["shared"] += 1
            fresh = real_modes(model, t, cost)
            assert all(np.array_equal(a, b) for a, b in zip(modes, fresh))
        return real_choose(model, theta, segs, t, cost, scale, modes=modes)

    monkeypatch.setattr(MB, "_choose", checked)
    monkeypatch.setattr(MB, "_mode_choice", modes_counted)
    opts = MB.MobilityOptions(periods=("am_peak",), feedback=2, compute_access=False)
    base = MB.run_district_mobility(scene, opts)
    MB.run_district_mobility(closed(scene), opts, baseline=base)
    assert counts["shared"] == counts["choose"] > 2 * counts["modes"]


def test_a_comparison_without_the_link_table_has_the_same_kpis(scene) -> None:
    opts = MB.MobilityOptions(periods=("am_peak",), feedback=1, compute_access=False)
    shut = closed(scene)
    base = MB.run_district_mobility(scene, opts)
    var = MB.run_district_mobility(shut, opts, baseline=base)
    ids = closed_links(scene, shut)
    full = MB.compare_mobility(base, var, closed_link_ids=ids)
    kpis_only = MB.compare_mobility(base, var, closed_link_ids=ids, link_change=False)
    assert set(full) == {"kpis", "links"} and set(kpis_only) == {"kpis"}
    assert kpis_only["kpis"] == full["kpis"] and full["kpis"]["am_peak_rerouted_car_trips"] > 0
