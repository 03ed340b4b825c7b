"""The street parts of the mobility model's networks, built once per street layout
(twin.traffic.mode_streets), and the zone connectors made for every run.

The connectors are checked against a brute-force search (every zone against every candidate
node, no spatial index); the cache by what it returns: the same street part for a scene whose
buildings changed (a Monte Carlo sample), another one for closed streets, read-only arrays, a
bounded table; and a whole run from a filled cache against one from an empty cache (a run does
not change what it shares)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.traffic_helpers import stgilles_scene
from twin.traffic import mode_streets as ms
from twin.traffic.demand import read_parameters, trip_ends
from twin.traffic.mobility import CONNECTORS_PER_ZONE, MAX_CONNECTOR_M, MobilityOptions, build_mode_network, edge_nodes, run_district_mobility

PARVIS = ["Parvis Saint-Gilles - Sint-Gillis Voorplein", "Rue de l'Église Saint-Gilles - Sint-Gilliskerkstraat"]


@pytest.fixture(scope="module")
def scene():
    return stgilles_scene()


def sampled(scene, factor: float, seed: int = 0):
    """A copy of ``scene`` with every floor area times a random factor around ``factor`` (a sample)."""
    sc = scene.copy()
    b = sc.buildings.copy()
    b["floor_area_m2"] = b["floor_area_m2"].to_numpy() * np.random.default_rng(seed).uniform(0.5 * factor, 1.5 * factor, len(b))
    sc.set_layer("buildings", b)
    return sc


def closed(scene):
    from twin.traffic.whatif import close_streets

    links = scene.links
    return close_streets(scene, links.loc[links["name"].isin(PARVIS) & links["modes"].str.contains("car"), "link_id"].tolist())


def brute_force(streets: ms.ModeStreets, zone_xy: np.ndarray, direction: str) -> list[tuple[int, int]]:
    """(zone, street node) of every connector by distance to every candidate node."""
    import shapely

    cand = streets.candidates[direction][0]
    pts = shapely.points(streets.node_xy[cand])
    out = []
    for z, xy in enumerate(zone_xy):
        d = shapely.distance(shapely.points(xy), pts)
        near = sorted((float(dist), int(k)) for k, dist in enumerate(d.tolist()) if dist <= MAX_CONNECTOR_M)
        out += [(z, int(cand[k])) for _, k in near[:CONNECTORS_PER_ZONE]]
    return sorted(out)


@pytest.mark.parametrize("mode", ["walk", "car"])
def test_connectors_are_the_nearest_nodes_found_by_brute_force(scene, mode: str) -> None:
    ends = trip_ends(sampled(scene, 1.0), read_parameters(None), zone_size_m=100.0)
    streets = ms.mode_streets(scene, mode, walk_speed=1.3, bike_speed=4.0)
    found = {d: (z, n, dist) for d, z, n, dist in ms.zone_connectors(streets, ends.zone_xy, max_m=MAX_CONNECTOR_M, per_zone=CONNECTORS_PER_ZONE)}
    assert set(found) == {"out", "in"}
    for direction, (z, n, dist) in found.items():
        assert z.size > ends.n_zones  # several per zone
        assert sorted(zip(z.tolist(), n.tolist())) == brute_force(streets, ends.zone_xy, direction)
        assert np.all(dist <= MAX_CONNECTOR_M) and np.all(np.bincount(z) <= CONNECTORS_PER_ZONE)
        # each zone's connectors nearest first
        for zone in np.unique(z)[:50].tolist():
            assert np.all(np.diff(dist[z == zone]) >= 0.0)


def test_a_sample_shares_the_street_part_and_closed_streets_get_their_own(scene) -> None:
    ms._STREETS_CACHE.clear()
    walk = ms.mode_streets(scene, "walk", walk_speed=1.3, bike_speed=4.0)
    car = ms.mode_streets(scene, "car", walk_speed=1.3, bike_speed=4.0)
    assert len(ms._STREETS_CACHE) == 2
    assert ms.mode_streets(sampled(scene, 1.2), "car", walk_speed=1.3, bike_speed=4.0) is car  # other buildings, same streets
    assert len(ms._STREETS_CACHE) == 2
    shut = closed(scene)
    car_w = ms.mode_streets(shut, "car", walk_speed=1.3, bike_speed=4.0)
    assert car_w is not car and len(ms._STREETS_CACHE) == 3
    assert car_w.link_ids.size < car.link_ids.size and set(car_w.link_ids.tolist()) < set(car.link_ids.tolist())
    # other speeds: another entry, other times
    slow = ms.mode_streets(scene, "walk", walk_speed=1.0, bike_speed=4.0)
    assert slow is not walk and np.allclose(slow.time_s, walk.time_s * 1.3)


def test_shared_arrays_are_read_only_and_a_network_gets_its_own(scene) -> None:
    ends = trip_ends(scene, read_parameters(None), zone_size_m=100.0)
    streets = ms.mode_streets(scene, "car", walk_speed=1.3, bike_speed=4.0)
    with pytest.raises(ValueError, match="read-only"):
        streets.capacity[0] = 0.0
    net = build_mode_network(scene, "car", ends, edge_nodes(scene)).network
    assert ms.mode_streets(scene, "car", walk_speed=1.3, bike_speed=4.0) is streets
    at = {k: i for i, k in enumerate(net.link_ids.tolist())}
    rows = np.array([at[k] for k in streets.link_ids.tolist()])  # the network sorts its links by their from node
    for name, mine in (("capacity", streets.capacity), ("free_flow_time", streets.time_s), ("length", streets.length_m)):
        assert not np.shares_memory(getattr(net, name), mine), name
        assert np.array_equal(getattr(net, name)[rows], mine), name


def test_the_cache_is_bounded(scene) -> None:
    ms._STREETS_CACHE.clear()
    for k in range(ms._STREETS_CACHE.max_entries + 2):
        ms.mode_streets(scene, "walk", walk_speed=1.0 + 0.1 * k, bike_speed=4.0)
    assert len(ms._STREETS_CACHE) == ms._STREETS_CACHE.max_entries == 8


def test_runs_from_a_filled_cache_equal_a_run_from_an_empty_one(scene) -> None:
    """Baseline and closure, each twice from a filled cache, against the same runs with the cache
    cleared first: every KPI and link flow identical (a run changes nothing it shares)."""
    opts = MobilityOptions(periods=("am_peak",), feedback=2, compute_access=False)
    shut = closed(scene)

    def both() -> tuple[dict, dict, np.ndarray]:
        base = run_district_mobility(scene, opts)
        var = run_district_mobility(shut, opts, baseline=base)
        return base.kpis, var.kpis, var.links["flow_am_peak_veh_h"].to_numpy()

    ms._STREETS_CACHE.clear()
    fresh = both()
    for _ in range(2):
        again = both()
        assert again[0] == fresh[0] and again[1] == fresh[1]
        assert np.array_equal(again[2], fresh[2])
    assert fresh[1]["am_peak_vehicle_km"] != fresh[0]["am_peak_vehicle_km"]  # the closure is a different run
