"""What-if operations: closures, lanes, capacity, speed, demand; diffs against the baseline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import shared_path
from twin.errors import InputError
from twin.traffic.dynamic import LinkDynamics
from twin.traffic.network import Network
from twin.traffic.whatif import (
    TrafficCase,
    close_streets,
    compare_access,
    compare_links,
    compare_totals,
    map_change,
)


def bottleneck_case():
    """Origin 0 -> link l0 (3 km, 0.8 veh/s) -> link l1 (1 km, 0.4 veh/s) -> 2; 0.6 veh/s for 600 s."""
    lengths = np.array([3000.0, 1000.0])
    net = Network.build(node_ids=np.arange(3), link_ids=np.array(["l0", "l1"]), from_node=np.array([0, 1]), to_node=np.array([1, 2]),
                        free_flow_time=lengths / 20.0, capacity=np.array([0.8, 0.4]) * 3600, length=lengths, time_unit="s", length_unit="m")  # fmt: skip
    dyn = LinkDynamics.build(length_m=lengths, free_speed_m_s=20.0, capacity_veh_s=[0.8, 0.4], jam_density_veh_m_lane=0.2, wave_speed_m_s=5.0)
    demand = pd.DataFrame({"origin": [0], "destination": [2], "t_start_s": [0.0], "t_end_s": [600.0], "flow_veh_s": [0.6]})
    return TrafficCase(network=net, dynamics=dyn, demand=demand)


def test_adding_a_lane_removes_the_bottleneck_delay():
    base = bottleneck_case()
    wider = base.set_lanes("l1", 2)
    assert wider.dynamics.capacity_veh_s.tolist() == [0.8, 0.8]
    assert wider.dynamics.jam_veh[1] == pytest.approx(2 * base.dynamics.jam_veh[1])
    assert base.dynamics.capacity_veh_s[1] == 0.4  # the baseline is untouched
    opts = {"dt_s": 5.0, "duration_s": 1800.0, "route_choice": "free_flow"}
    r0, r1 = base.simulate(**opts), wider.simulate(**opts)
    lam, mu, T = 0.6, 0.4, 600.0
    tot = compare_totals(r0, r1).set_index("metric")
    # point-queue delay T^2 lam (lam - mu) / (2 mu) before, none after (lam < 0.8)
    assert tot.loc["total_delay_veh_h", "base"] * 3600 == pytest.approx(T**2 * lam * (lam - mu) / (2 * mu), rel=1e-9)
    assert tot.loc["total_delay_veh_h", "variant"] == pytest.approx(0.0, abs=1e-9)
    assert tot.loc["generated_veh", "change"] == pytest.approx(0.0)
    links = compare_links(r0, r1).set_index("link_id")
    assert (links["status"] == "kept").all()
    assert links.loc["l0", "delay_veh_h_change"] < 0
    assert links.loc["l1", "vehicle_km_change"] == pytest.approx(0.0, abs=1e-9)


def test_speed_capacity_and_demand_changes():
    base = bottleneck_case()
    slow = base.set_speed("l0", 10.0)
    assert slow.network.free_flow_time[0] == pytest.approx(300.0)
    assert slow.dynamics.free_time_s[0] == pytest.approx(300.0)
    more = base.set_capacity(["l1"], capacity_veh_h=1800.0)
    assert more.dynamics.capacity_veh_s[1] == pytest.approx(0.5)
    assert more.network.capacity[1] == pytest.approx(1800.0)
    double = base.scale_demand(2.0)
    r = double.simulate(dt_s=5.0, duration_s=4000.0, route_choice="free_flow")
    assert r.totals()["generated_veh"] == pytest.approx(720.0)
    assert double.changes == ("demand x2 on 1 rows",)
    with pytest.raises(InputError, match="no link"):
        base.close_links(["nope"])
    with pytest.raises(InputError, match="negative capacity"):
        base.set_capacity("l1", capacity_veh_h=-5.0)


def test_closing_a_link_reroutes_and_is_reported_as_closed():
    from tests.test_traffic_dynamic_reference import small_case

    net, dyn, demand = small_case()
    base = TrafficCase(network=net, dynamics=dyn, demand=demand)
    closed = base.close_links(["4-5", "5-4"])
    assert closed.network.n_links == net.n_links - 2
    opts = {"dt_s": 10.0, "duration_s": 3000.0, "route_choice": "duo", "duo_interval_s": 100.0}
    r0, r1 = base.simulate(**opts), closed.simulate(**opts)
    diff = compare_links(r0, r1)
    assert set(diff.loc[diff.status == "closed", "link_id"]) == {"4-5", "5-4"}
    assert diff.loc[diff.status == "kept", "entered_veh_change"].abs().max() > 1.0  # traffic moved
    assert r1.totals()["conservation_error_veh"] < 1e-8
    # isolating a destination makes its OD pairs impossible: a clear error
    cut = base.close_links(["5-8", "7-8"])
    with pytest.raises(InputError, match="no path"):
        cut.simulate(**opts)


def test_walking_closure_never_shortens_a_trip_and_is_diffed_per_zone(tmp_path):
    from twin.ingest.dispatch import ingest
    from twin.traffic.access import AccessGraph, fifteen_minute_city

    files = [shared_path("brussels", f"stgilles_{k}_osm2013.geojson") for k in ("streets", "buildings", "landcover")]
    scene, _ = ingest(files, crs="EPSG:31370")
    # close every footway, path and set of steps to pedestrians (e.g. works on all passages)
    links = scene.links
    paths = links.loc[links["road_class"].isin(["footway", "path", "steps", "pedestrian"]), "link_id"]
    g = AccessGraph.from_scene(scene, mode="walk")
    closed = g.close([lid for lid in paths if lid in set(g.network.link_ids.tolist())])
    a = fifteen_minute_city(scene, mode="walk", threshold_s=300.0, graph=g)
    b = fifteen_minute_city(scene, mode="walk", threshold_s=300.0, graph=closed)
    for cat in ("school", "park"):
        ta, tb = a.buildings[f"time_{cat}_s"].to_numpy(), b.buildings[f"time_{cat}_s"].to_numpy()
        # removing links never shortens a shortest path (snaps are kept)
        assert np.all(tb >= ta - 1e-9)
        assert np.any(tb > ta + 1.0)
    zones = compare_access(a, b, cell_m=250.0)
    assert {"share_school_base", "share_school_variant", "share_school_change"} <= set(zones.columns)
    assert zones["buildings"].sum() == len(scene.buildings)
    assert (zones["share_park_change"].fillna(0) <= 1e-12).all()
    w = zones["weight"].to_numpy()
    total_base = np.nansum(zones["share_park_base"] * w) / w.sum()
    assert total_base == pytest.approx(a.summary().set_index("category").loc["park", "share_of_residents"], rel=1e-9)
    png = map_change(zones, "share_park_change", tmp_path / "access_change.png")
    assert png.read_bytes()[:4] == b"\x89PNG"
    # the same closure made on the scene (modes removed): the links leave the walk network
    variant = close_streets(scene, paths, modes=["walk"])
    assert "walk" in scene.links.set_index("link_id").loc[paths.iloc[0], "modes"]  # baseline untouched
    assert AccessGraph.from_scene(variant, mode="walk").network.n_links == g.network.n_links - len(paths)
