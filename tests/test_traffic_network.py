"""The Network arrays: CSR invariants, building from a scene's street layers, what-if copies."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point

from twin.errors import InputError, SchemaError
from twin.scene.scene import Scene
from twin.traffic.assign import assign
from twin.traffic.network import Network


def street_scene() -> Scene:
    xy = {"n:a": (0, 0), "n:b": (100, 0), "n:c": (100, 100), "n:d": (0, 100)}
    nodes = gpd.GeoDataFrame({"node_id": list(xy)}, geometry=[Point(p) for p in xy.values()], crs="EPSG:31370")
    rows = [
        ("l:ab", "n:a", "n:b", 100.0, 10.0, 900.0, "car,bike,walk"),
        ("l:ba", "n:b", "n:a", 100.0, 10.0, 900.0, "car,bike,walk"),
        ("l:bc", "n:b", "n:c", 100.0, 10.0, 900.0, "car,walk"),
        ("l:cd", "n:c", "n:d", 100.0, 5.0, 600.0, "bike,walk"),
        ("l:ad", "n:a", "n:d", 100.0, 1.4, 0.0, "walk"),
        ("l:ac", "n:a", "n:c", 141.4, 14.14, 1800.0, "car"),
    ]
    links = gpd.GeoDataFrame(
        {
            "link_id": [r[0] for r in rows],
            "from_node": [r[1] for r in rows],
            "to_node": [r[2] for r in rows],
            "length_m": [r[3] for r in rows],
            "free_speed_m_s": [r[4] for r in rows],
            "capacity_veh_h": [r[5] for r in rows],
            "modes": [r[6] for r in rows],
        },
        geometry=[LineString([xy[r[1]], xy[r[2]]]) for r in rows],
        crs="EPSG:31370",
    )
    scene = Scene()
    scene.add("nodes", nodes)
    scene.add("links", links)
    return scene


def check_csr(net: Network) -> None:
    assert np.all(np.diff(net.from_node) >= 0)  # sorted by tail
    for u in range(net.n_nodes):
        assert np.all(net.from_node[net.out_start[u] : net.out_start[u + 1]] == u)
        ins = net.in_link[net.in_start[u] : net.in_start[u + 1]]
        assert np.all(net.to_node[ins] == u)
    assert sorted(net.in_link.tolist()) == list(range(net.n_links))


def test_from_scene_filters_by_mode() -> None:
    scene = street_scene()
    car = Network.from_scene(scene, mode="car")
    assert set(car.link_ids) == {"l:ab", "l:ba", "l:bc", "l:ac"}
    assert car.time_unit == "s" and car.length_unit == "m"
    check_csr(car)
    k = list(car.link_ids).index("l:ac")
    assert car.free_flow_time[k] == pytest.approx(10.0)  # 141.4 m at 14.14 m/s
    walk = Network.from_scene(scene, mode="walk")
    assert set(walk.link_ids) == {"l:ab", "l:ba", "l:bc", "l:cd", "l:ad"}
    assert walk.n_nodes == 4 and walk.n_zones == 0 and walk.first_thru_node == 0


def test_scene_network_with_zones_assigns() -> None:
    scene = street_scene()
    net = Network.from_scene(scene, mode="car", zones=["n:a", "n:c"])
    assert net.node_ids[:2].tolist() == ["n:a", "n:c"] and net.n_zones == 2
    demand = np.array([[0.0, 1500.0], [0.0, 0.0]])
    res = assign(net, demand, algorithm="b", gap=1e-10)
    flows = dict(zip(res.network.link_ids, res.flow))
    # two routes a->c: direct (10 s free) and a->b->c (20 s free): both used at equal cost
    assert flows["l:ac"] + flows["l:bc"] == pytest.approx(1500.0)
    cost = dict(zip(res.network.link_ids, res.cost))
    if flows["l:bc"] > 1e-6:
        assert cost["l:ac"] == pytest.approx(cost["l:ab"] + cost["l:bc"], rel=1e-8)
    frame = res.to_frame()
    assert frame["from_node"].iloc[0] == "n:a"


def test_scene_errors() -> None:
    scene = street_scene()
    with pytest.raises(InputError, match="unknown mode"):
        Network.from_scene(scene, mode="plane")
    links = scene.links.copy()
    links.loc[0, "free_speed_m_s"] = 0.0
    scene.set_layer("links", links)
    with pytest.raises(InputError) as info:
        Network.from_scene(scene, mode="car")
    assert info.value.field == "free_speed_m_s" and "l:ab" in str(info.value)


def test_what_if_copies() -> None:
    net = Network.from_scene(street_scene(), mode="car", zones=["n:a", "n:c"])
    closed = net.drop_links(net.link_ids == "l:ac")
    assert closed.n_links == net.n_links - 1 and "l:ac" not in set(closed.link_ids)
    check_csr(closed)
    slower = net.with_values(capacity=net.capacity / 2)
    np.testing.assert_allclose(slower.capacity, net.capacity / 2)
    np.testing.assert_allclose(net.capacity, Network.from_scene(street_scene(), mode="car", zones=["n:a", "n:c"]).capacity)
    with pytest.raises(InputError):
        net.with_values(from_node=net.from_node)
    with pytest.raises(InputError):
        net.with_values(capacity=np.ones(2))


def test_build_rejects_bad_arrays() -> None:
    base = dict(node_ids=np.array([1, 2]), link_ids=np.array([1]), from_node=[0], to_node=[1], capacity=[10.0])
    with pytest.raises(InputError, match="free_flow_time must be >= 0"):
        Network.build(**base, free_flow_time=[-1.0])
    with pytest.raises(InputError, match="outside"):
        Network.build(**{**base, "to_node": [2]}, free_flow_time=[1.0])
    with pytest.raises(InputError, match="capacity is 0"):
        Network.build(**{**base, "capacity": [0.0]}, free_flow_time=[1.0])
    with pytest.raises(InputError, match="conical alpha"):
        Network.build(**base, free_flow_time=[1.0], vdf="conical", alpha=1.0)
    with pytest.raises(InputError, match="unknown delay function"):
        Network.build(**base, free_flow_time=[1.0], vdf="akcelik")
    assert issubclass(SchemaError, InputError)


def test_conical_network_assigns_to_equal_costs() -> None:
    net = Network.build(
        node_ids=np.array([1, 2]), link_ids=np.array([1, 2]), from_node=[0, 0], to_node=[1, 1],
        free_flow_time=[10.0, 12.0], capacity=[1000.0, 1500.0], alpha=4.0, vdf="conical", n_zones=2,
    )
    res = assign(net, np.array([[0.0, 3000.0], [0.0, 0.0]]), algorithm="b", gap=1e-12)
    assert res.flow.sum() == pytest.approx(3000.0)
    assert res.cost[0] == pytest.approx(res.cost[1], rel=1e-9)
