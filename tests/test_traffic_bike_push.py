"""The bike pushed where only walking is allowed (:mod:`twin.traffic.bike_links`).

Checked by hand on a two-piece street (one piece one-way), and on Saint-Gilles against the
walking times: with the bike graph holding every walking link at no less than walking speed,
no building may reach a service later by bike than on foot. The mobility model's bike network
uses the same links and times as the accessibility graph.
"""

from __future__ import annotations

from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from tests.traffic_helpers import stgilles_scene
from twin.errors import InputError
from twin.ingest.streets import build_network
from twin.traffic.access import BIKE_SPEED_M_S, WALK_SPEED_M_S, AccessGraph, fifteen_minute_city
from twin.traffic.bike_links import bike_links


def test_bike_links_flags_walk_only_links_as_pushed():
    links = pd.DataFrame({"modes": ["car,bike,walk", "walk", "bike", "car", None, "walk,bike", " walk "]})
    used, pushed = bike_links(links)
    assert used.tolist() == [True, True, True, False, False, True, True]
    assert pushed.tolist() == [False, True, False, False, False, False, True]
    used, pushed = bike_links(links, push=False)
    assert used.tolist() == [True, False, True, False, False, True, False] and not pushed.any()


@pytest.fixture(scope="module")
def street():
    """A (0, 0) - B (100, 0) one-way eastwards, B - C (200, 0) two-way: pedestrians walk both
    ways on both pieces, bikes ride B -> A nowhere."""
    lines = [shapely.LineString([(0, 0), (100, 0)]), shapely.LineString([(100, 0), (200, 0)])]
    frame = gpd.GeoDataFrame(pd.DataFrame({"highway": ["residential", "residential"], "oneway": ["yes", None]}), geometry=lines,
                             crs="EPSG:31370")  # fmt: skip
    nodes, links = build_network(frame, source_ids=["w0", "w1"], node_prefix="t", drop=lambda o, r: None)
    return SimpleNamespace(links=links, nodes=nodes, crs=links.crs)


def test_against_the_one_way_piece_the_bike_is_pushed(street):
    west, east = shapely.points([0.0], [5.0]), shapely.points([200.0], [5.0])  # 5 m off A and off C
    ride_only = AccessGraph.from_scene(street, mode="bike", push_bike=False)
    bike = AccessGraph.from_scene(street, mode="bike")
    walk = AccessGraph.from_scene(street, mode="walk")
    # with the flow: ridden all the way (access legs at the mode's speed)
    assert bike.time_to_nearest(west, east)[0] == pytest.approx(210.0 / BIKE_SPEED_M_S, rel=1e-12)
    assert ride_only.time_to_nearest(west, east)[0] == pytest.approx(210.0 / BIKE_SPEED_M_S, rel=1e-12)
    # against it: C -> B ridden, B -> A pushed at walking speed; without pushing, no way at all
    by_hand = (5.0 + 100.0 + 5.0) / BIKE_SPEED_M_S + 100.0 / WALK_SPEED_M_S
    assert bike.time_to_nearest(east, west)[0] == pytest.approx(by_hand, rel=1e-12)
    assert np.isinf(ride_only.time_to_nearest(east, west)[0])
    t_walk = walk.time_to_nearest(east, west)[0]
    assert t_walk == pytest.approx(210.0 / WALK_SPEED_M_S, rel=1e-12) and t_walk > by_hand


def test_pushed_flags_are_for_the_bike_and_one_per_link(street):
    ride_only = AccessGraph.from_scene(street, mode="bike", push_bike=False)
    net = ride_only.network
    with pytest.raises(InputError, match="pushed"):
        AccessGraph.from_network(net, ride_only.node_xy, mode="walk", pushed=np.zeros(net.n_links, dtype=bool))
    with pytest.raises(InputError, match="pushed"):
        AccessGraph.from_network(net, ride_only.node_xy, mode="bike", pushed=np.zeros(net.n_links + 1, dtype=bool))


@pytest.fixture(scope="module")
def stgilles():
    return stgilles_scene()


def test_stgilles_no_building_is_slower_by_bike_than_on_foot(stgilles):
    cats = ("school", "park")
    walk = fifteen_minute_city(stgilles, categories=cats, mode="walk").buildings
    bike = fifteen_minute_city(stgilles, categories=cats, mode="bike")
    ride_only = fifteen_minute_city(stgilles, categories=cats, mode="bike", graph=AccessGraph.from_scene(stgilles, mode="bike", push_bike=False))
    for cat in cats:
        t_walk, t_bike = walk[f"time_{cat}_s"].to_numpy(), bike.buildings[f"time_{cat}_s"].to_numpy()
        assert np.isfinite(t_walk).all()
        assert (t_bike <= t_walk * (1 + 1e-12)).all()
        # riding only, buildings on one-way streets cut by the district's edge reach nothing
        assert np.isinf(ride_only.buildings[f"time_{cat}_s"].to_numpy()).sum() > 50
    share = bike.summary().set_index("category")["share_of_residents"]
    assert share["school"] == 1.0 and share["park"] == 1.0


def test_mobility_bike_network_has_the_access_graphs_links_and_times(stgilles):
    from twin.traffic.demand import read_parameters, trip_ends
    from twin.traffic.mobility import MobilityOptions, build_mode_network, edge_nodes

    options = MobilityOptions()
    ends = trip_ends(stgilles, read_parameters(options.parameters_table, options.parameter_overrides), zone_size_m=options.zone_size_m)
    mob = build_mode_network(stgilles, "bike", ends, edge_nodes(stgilles))
    net = mob.network
    street = dict(zip(np.asarray(net.link_ids)[mob.street_link].tolist(), np.asarray(net.free_flow_time)[mob.street_link].tolist()))
    g = AccessGraph.from_scene(stgilles, mode="bike")
    access = dict(zip(g.network.link_ids.tolist(), g.link_time_s.tolist()))
    assert set(street) == set(access)
    pushed = set(stgilles.links["link_id"].to_numpy()[bike_links(stgilles.links)[1]].tolist())
    assert len(pushed & set(street)) > 100  # the contraflow halves of the one-way streets, footways
    assert all(street[k] == pytest.approx(access[k], rel=1e-12) for k in street)
