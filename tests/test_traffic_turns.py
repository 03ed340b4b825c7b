"""Turn restrictions and penalties (expanded network), checked by hand; OSM restriction
relations of the shared Brussels extract counted against the file (GDAL's own reader)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import shared_path
from twin.errors import InputError
from twin.io.osm_relations import OsmRestriction, read_osm_restrictions
from twin.traffic.assign import assign
from twin.traffic.network import Network
from twin.traffic.turns import expand_turns, osm_banned_turns


def square() -> Network:
    """Zone 1 -> node 3; zone 2 <- node 6; 3 (0,0) -> 4 (1,0) -> 6 (1,1) is 1 + 1 min with a left
    turn at 4 (heading east, then north); the detour 3 -> 5 (0,1) -> 6 is 2 + 2 min (a right turn
    at 5); connectors 1 min. Constant link times (alpha 0)."""
    links = [(1, 0, 2, 1.0), (2, 2, 3, 1.0), (3, 3, 5, 1.0), (4, 2, 4, 2.0), (5, 4, 5, 2.0), (6, 5, 1, 1.0)]
    return Network.build(
        node_ids=np.array([1, 2, 3, 4, 5, 6]), link_ids=np.array([lk[0] for lk in links]), from_node=[lk[1] for lk in links],
        to_node=[lk[2] for lk in links], free_flow_time=[lk[3] for lk in links], capacity=100.0, alpha=0.0, beta=0.0, n_zones=2,
        first_thru_node=2,
    )


def idx(net: Network, lid: int) -> int:
    return int(np.flatnonzero(net.link_ids == lid)[0])


def route_time(net: Network, penalties=None, banned=()) -> tuple[float, np.ndarray]:
    tn = expand_turns(net, banned=banned, penalties=penalties)
    demand = np.array([[0.0, 10.0], [0.0, 0.0]])
    res = assign(tn.network, demand, algorithm="b", gap=1e-12)
    return res.tstt / 10.0, tn.link_flow(res.flow)


def test_banned_left_turn_forces_the_detour() -> None:
    net = square()
    left = (idx(net, 2), idx(net, 3))  # 3 -> 4 then 4 -> 6
    t_free, f_free = route_time(net)
    assert t_free == pytest.approx(4.0)  # 1 + 1 + 1 + 1 by hand
    assert f_free[idx(net, 2)] == 10.0 and f_free[idx(net, 4)] == 0.0
    t_ban, f_ban = route_time(net, banned=[left])
    assert t_ban == pytest.approx(6.0)  # 1 + 2 + 2 + 1 by hand
    assert f_ban[idx(net, 2)] == 0.0 and f_ban[idx(net, 4)] == 10.0 and f_ban[idx(net, 5)] == 10.0
    # a penalty below the detour's extra 2 min keeps the route; above it, the detour wins
    t_small, f_small = route_time(net, penalties={left: 0.5})
    assert t_small == pytest.approx(4.5) and f_small[idx(net, 2)] == 10.0
    t_big, f_big = route_time(net, penalties={left: 3.0})
    assert t_big == pytest.approx(6.0) and f_big[idx(net, 4)] == 10.0


def test_turning_movements_and_u_turns() -> None:
    net = square()
    tn = expand_turns(net)
    res = assign(tn.network, np.array([[0.0, 10.0], [0.0, 0.0]]), algorithm="b", gap=1e-12)
    assert tn.turn_flow(res.flow) == {(idx(net, 1), idx(net, 2)): 10.0, (idx(net, 2), idx(net, 3)): 10.0, (idx(net, 3), idx(net, 6)): 10.0}
    # a two-way street: the U-turn exists unless banned by the U-turn penalty
    two_way = Network.build(node_ids=np.array([1, 2]), link_ids=np.array([1, 2]), from_node=[0, 1], to_node=[1, 0], free_flow_time=1.0, capacity=1.0, n_zones=0)
    assert expand_turns(two_way).network.n_links == 2 + 2
    assert expand_turns(two_way, u_turn_penalty=np.inf).network.n_links == 2


def test_turns_on_links_that_do_not_meet() -> None:
    net = square()
    with pytest.raises(InputError, match="do not meet at a node"):
        expand_turns(net, banned=[(idx(net, 2), idx(net, 5))])
    with pytest.raises(InputError, match="finite number >= 0"):
        expand_turns(net, penalties={(idx(net, 2), idx(net, 3)): -1.0})


def test_osm_restrictions_on_a_network() -> None:
    net = square()
    net.meta["osm_way_id"] = np.array([10, 20, 30, 40, 50, 60])[np.argsort(np.argsort(net.link_ids))]  # way = 10 x link id
    ban = osm_banned_turns(net, [OsmRestriction(1, "no_left_turn", 20, 30, 4)])
    assert ban == [(idx(net, 2), idx(net, 3))]
    only = osm_banned_turns(net, [OsmRestriction(2, "only_right_turn", 40, 50, 5)])
    assert only == []  # the only turn out of way 40 at node 5 is the one allowed
    with pytest.raises(InputError, match="do not meet at via node 6"):
        osm_banned_turns(net, [OsmRestriction(3, "no_left_turn", 20, 30, 6)])


def test_brussels_restrictions_counted_against_the_file() -> None:
    """Every type=restriction relation of the shared extract, read with pyosmium, against GDAL's
    OSM driver (an independent reader of the same file): 10 relations in the 2013 extract."""
    import pyogrio

    pbf = shared_path("brussels", "brussels_capital_region_2013-01-01.osm.pbf")
    found = read_osm_restrictions(pbf)
    relations = pyogrio.read_dataframe(pbf, layer="other_relations", read_geometry=False)
    gdal_count = int((relations["type"] == "restriction").sum())
    assert found.n_relations == gdal_count == 10
    assert {r.relation_id for r in found.restrictions} | {rid for rid, _ in found.skipped} == set(
        relations.loc[relations["type"] == "restriction", "osm_id"].astype(int)
    )
    kinds = sorted(r.kind for r in found.restrictions)
    assert kinds.count("no_left_turn") == 4 and kinds.count("only_right_turn") == 3


def test_turn_kinds_by_angle() -> None:
    from twin.traffic.turns import angle_penalties, turn_kind

    assert turn_kind(1, 0, 0, 1) == "left"  # east, then north
    assert turn_kind(0, 1, 1, 0) == "right"  # north, then east
    assert turn_kind(1, 0, 1, 0.2) == "straight"
    assert turn_kind(1, 0, -1, 0.01) == "u_turn"
    net = square()
    x = np.array([-1.0, 2.0, 0.0, 1.0, 0.0, 1.0])  # zones 1 (west of 3) and 2 (east of 6)
    y = np.array([0.0, 1.0, 0.0, 0.0, 1.0, 1.0])
    pen = angle_penalties(net, x, y)
    # at node 4 the 3 -> 4 -> 6 turn is left (10 s), at node 5 the 3 -> 5 -> 6 turn right (5 s), in minutes
    assert pen[(idx(net, 2), idx(net, 3))] == pytest.approx(10.0 / 60.0)
    assert pen[(idx(net, 4), idx(net, 5))] == pytest.approx(5.0 / 60.0)
    # zone 1 -> 3 -> 4 is straight (no penalty); 3 -> 5 is a left turn
    assert (idx(net, 1), idx(net, 2)) not in pen and pen[(idx(net, 1), idx(net, 4))] == pytest.approx(10.0 / 60.0)
    with pytest.raises(InputError, match="finite value >= 0"):
        angle_penalties(net, x, y, {"left": -1.0})
