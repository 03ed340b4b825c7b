"""Green split by approach (issue 15, mobility build item 1): phases by street axis, Webster's
split on capacities or given flows, the minimum green, the equal split unchanged, an assignment
where the split brings traffic back to the main road (flows by hand), bad input."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from tests.test_traffic_signals import hand_flow_at_delay
from twin.errors import InputError, TwinError
from twin.traffic.assign import assign
from twin.traffic.network import Network
from twin.traffic.signal_phases import last_segment_bearings, network_bearings
from twin.traffic.signals import SignalTiming, add_signals

CROSS_XY = {"W": (-100.0, 0.0), "E": (100.0, 0.0), "J": (0.0, 0.0), "S": (0.0, -100.0), "N": (0.0, 100.0), "R": (0.0, -300.0)}


def junction(arms: dict[str, float], xy: dict[str, tuple[float, float]] | None = None, detour: bool = False) -> tuple[Network, np.ndarray]:
    """Signalised node J with a two-way street to each arm (``arms``: arm node -> capacity of both its
    links, one lane each, constant 30 s), and its links' bearings from the node coordinates.
    ``detour``: W and E are zones 0 and 1, joined also by W -> R -> E (60 s + 60 s, no signal)."""
    xy = {**CROSS_XY, **(xy or {})}
    ids = (["W", "E"] if detour else []) + ["J"] + [a for a in arms if not (detour and a in "WE")] + (["R"] if detour else [])
    links = [(f"{a}J", a, "J", c) for a, c in arms.items()] + [(f"J{a}", "J", a, c) for a, c in arms.items()]
    times = [30.0] * len(links)
    if detour:
        links += [("WR", "W", "R", 1900.0), ("RE", "R", "E", 1900.0)]
        times += [60.0, 60.0]
    net = Network.build(
        node_ids=np.array(ids, dtype=object),
        link_ids=np.array([k[0] for k in links], dtype=object),
        from_node=[ids.index(k[1]) for k in links],
        to_node=[ids.index(k[2]) for k in links],
        free_flow_time=times,
        capacity=[k[3] for k in links],
        alpha=0.0,
        beta=0.0,
        n_zones=2 if detour else 0,
        time_unit="s",
        meta={"lanes": np.ones(len(links))},
    )
    return net, network_bearings(net, np.array([xy[k] for k in ids]))


def greens(sig) -> dict[str, float]:
    table = sig.approaches(np.zeros(sig.network.n_links))
    return dict(zip(table["link_id"], table["green_ratio"]))


def phases(sig) -> dict[str, int]:
    table = sig.approaches(np.zeros(sig.network.n_links))
    return dict(zip(table["link_id"], table["phase"]))


def test_crossroads_webster_split_by_hand() -> None:
    """E-W street 1,800 veh/h, N-S 900, saturation flow 1,900 veh/h (one lane). y_EW = 1800/1900,
    y_NS = 900/1900, Y = 2700/1900; g_p = (C - L) y_p / Y = 82 s x 2/3 = 54.667 s and 82 s x 1/3 =
    27.333 s of the 90 s cycle: ratios 0.607407 and 0.303704 (above the 12 s minimum)."""
    net, bearing = junction({"W": 1800.0, "E": 1800.0, "N": 900.0, "S": 900.0})
    sig = add_signals(net, ["J"], timing=SignalTiming(split="capacity"), bearing=bearing)
    g = greens(sig)
    assert g["WJ"] == pytest.approx(82.0 * 2.0 / 3.0 / 90.0, rel=1e-12) and g["EJ"] == g["WJ"]
    assert g["NJ"] == pytest.approx(82.0 / 3.0 / 90.0, rel=1e-12) and g["SJ"] == g["NJ"]
    ph = phases(sig)
    assert ph["WJ"] == ph["EJ"] != ph["NJ"] == ph["SJ"] and set(ph.values()) == {0, 1}
    assert sig.split == {"split": "capacity", "nodes_split": 1, "nodes_one_axis": 0, "nodes_without_bearing": 0, "nodes_no_flow": 0}
    # the stop line carries the split's green: capacity s g, uniform delay C (1 - g)^2 / 2
    table = sig.approaches(np.zeros(sig.network.n_links)).set_index("link_id")
    assert table.loc["WJ", "capacity"] == pytest.approx(1900.0 * 82.0 * 2.0 / 3.0 / 90.0, rel=1e-12)
    assert table.loc["NJ", "delay_s"] == pytest.approx(0.5 * 90.0 * (1.0 - 82.0 / 3.0 / 90.0) ** 2, rel=1e-12)


def test_t_junction_through_road_and_stem() -> None:
    """A bent through road (W arm 10 degrees off the E arm's axis, within the 45 degree tolerance)
    and a stem 80 degrees off: two phases. Through 1,500 veh/h, stem 600: Y = 2100/1900, through
    82 x 1500/2100 = 58.571 s, stem 82 x 600/2100 = 23.429 s of 90 s."""
    w = (-100.0 * np.cos(np.radians(10.0)), 100.0 * np.sin(np.radians(10.0)))
    s = (100.0 * np.sin(np.radians(10.0)), -100.0 * np.cos(np.radians(10.0)))
    net, bearing = junction({"W": 1500.0, "E": 1500.0, "S": 600.0}, xy={"W": w, "S": s})
    sig = add_signals(net, ["J"], timing=SignalTiming(split="capacity"), bearing=bearing)
    g, ph = greens(sig), phases(sig)
    assert ph["WJ"] == ph["EJ"] != ph["SJ"]
    assert g["WJ"] == pytest.approx(82.0 * 1500.0 / 2100.0 / 90.0, rel=1e-12) == g["EJ"]
    assert g["SJ"] == pytest.approx(82.0 * 600.0 / 2100.0 / 90.0, rel=1e-12)
    assert sum({ph[k]: v for k, v in g.items()}.values()) == pytest.approx(82.0 / 90.0, rel=1e-12)


def test_one_axis_or_no_bearing_keeps_the_equal_split() -> None:
    """A signal on a straight street (two approaches on one axis) and a network without bearings:
    every approach keeps g = (C - 8) / (2 C), and the split says why."""
    equal = (90.0 - 8.0) / 180.0
    net, bearing = junction({"W": 1800.0, "E": 900.0})
    sig = add_signals(net, ["J"], timing=SignalTiming(split="capacity"), bearing=bearing)
    assert set(greens(sig).values()) == {equal} and sig.split["nodes_one_axis"] == 1
    net, _ = junction({"W": 1800.0, "E": 1800.0, "N": 900.0, "S": 900.0})
    sig = add_signals(net, ["J"], timing=SignalTiming(split="capacity"))
    assert set(greens(sig).values()) == {equal} and set(phases(sig).values()) == {-1}
    assert sig.split == {"split": "capacity", "nodes_split": 0, "nodes_one_axis": 0, "nodes_without_bearing": 1, "nodes_no_flow": 0}


def test_minimum_green_binds() -> None:
    """N-S 100 veh/h against E-W 1,800: Webster gives N-S 82 x 100/1900 = 4.316 s (Y = 1); the
    12 s minimum binds: N-S 12 s, E-W the other 70 s; with a 0 s minimum the unconstrained split."""
    net, bearing = junction({"W": 1800.0, "E": 1800.0, "N": 100.0, "S": 100.0})
    g = greens(add_signals(net, ["J"], timing=SignalTiming(split="capacity"), bearing=bearing))
    assert g["NJ"] == pytest.approx(12.0 / 90.0, rel=1e-12) and g["WJ"] == pytest.approx(70.0 / 90.0, rel=1e-12)
    g = greens(add_signals(net, ["J"], timing=SignalTiming(split="capacity", min_green_s=0.0), bearing=bearing))
    assert g["NJ"] == pytest.approx(82.0 * 100.0 / 1900.0 / 90.0, rel=1e-12)
    assert g["WJ"] == pytest.approx(82.0 * 1800.0 / 1900.0 / 90.0, rel=1e-12)


def test_flow_split_with_capacity_where_no_flow() -> None:
    """Design flows W 950, E 380, N 190, S 285 veh/h: y_EW = 0.5, y_NS = 0.15, g = 82 x 0.5/0.65 and
    82 x 0.15/0.65 s. N and S not counted (NaN in an array by stored link) fall back to their 900 veh/h
    capacity: y_NS = 900/1900."""
    net, bearing = junction({"W": 1800.0, "E": 1800.0, "N": 900.0, "S": 900.0})
    timing = SignalTiming(split="flows")
    g = greens(add_signals(net, ["J"], timing=timing, bearing=bearing, flows={"WJ": 950.0, "EJ": 380.0, "NJ": 190.0, "SJ": 285.0}))
    assert g["WJ"] == pytest.approx(82.0 * 0.5 / 0.65 / 90.0, rel=1e-12) and g["NJ"] == pytest.approx(82.0 * 0.15 / 0.65 / 90.0, rel=1e-12)
    flows = np.full(net.n_links, np.nan)
    flows[list(net.link_ids).index("WJ")] = 950.0
    flows[list(net.link_ids).index("EJ")] = 380.0
    g = greens(add_signals(net, ["J"], timing=timing, bearing=bearing, flows=flows))
    y_ew, y_ns = 950.0 / 1900.0, 900.0 / 1900.0
    assert g["NJ"] == pytest.approx(82.0 * y_ns / (y_ew + y_ns) / 90.0, rel=1e-12)
    assert g["EJ"] == g["WJ"] == pytest.approx(82.0 * y_ew / (y_ew + y_ns) / 90.0, rel=1e-12)


def test_equal_split_is_todays_stop_line() -> None:
    """``split="equal"`` (the default), with or without bearings: every stop line has
    g = (C - 2 l) / (2 C), capacity s g, t0 = C (1 - g)^2 / 2 and T, exactly (the expressions of
    the equal split before the split existed)."""
    net, bearing = junction({"W": 1800.0, "E": 1800.0, "N": 900.0, "S": 900.0})
    plain = add_signals(net, ["J"])
    with_bearing = add_signals(net, ["J"], timing=SignalTiming(split="equal"), bearing=bearing)
    stop = plain.approach_of >= 0
    g = (90.0 - 2 * 4.0) / (2 * 90.0)
    for sig in (plain, with_bearing):
        n = sig.network
        assert np.array_equal(sig.approach_of, plain.approach_of)
        assert np.all(n.beta[stop] == g) and np.all(n.capacity[stop] == 1900.0 * 1.0 * g)
        assert np.all(n.free_flow_time[stop] == 0.5 * 90.0 * (1.0 - g) ** 2 * 1.0) and np.all(n.alpha[stop] == 0.25 * 3600.0)
        for key in ("free_flow_time", "capacity", "alpha", "beta", "vdf", "length", "from_node", "to_node"):
            assert np.array_equal(getattr(n, key), getattr(plain.network, key))
    assert set(phases(with_bearing).values()) == {0, 1} and set(phases(plain).values()) == {-1}


def test_split_brings_traffic_back_to_the_main_road() -> None:
    """1,500 veh/h from W to E: along the main road through J (30 + 30 s and the signal) or the
    residential detour W -> R -> E (120 s, no signal). Equal cost needs a 60 s signal delay, above
    the delay at capacity in both cases, so the main road's flow is the hand flow of
    ``hand_flow_at_delay`` at g = 0.45556 (equal: 882.16 veh/h) and at g = 82 x 2/3 / 90 = 0.60741
    (capacity split, E-W 1,800 veh/h against N-S 900: 1,217.78 veh/h): more on the main road."""
    net, bearing = junction({"W": 1800.0, "E": 1800.0, "N": 900.0, "S": 900.0}, detour=True)
    demand = np.array([[0.0, 1500.0], [0.0, 0.0]])
    k = list(net.link_ids).index("WJ")
    main = {}
    for split in ("equal", "capacity"):
        sig = add_signals(net, ["J"], timing=SignalTiming(split=split), bearing=bearing)
        main[split] = sig.link_flow(assign(sig.network, demand, algorithm="b", gap=1e-12).flow)[k]
    g_equal, g_split = 82.0 / 180.0, 82.0 * 2.0 / 3.0 / 90.0
    assert main["equal"] == pytest.approx(hand_flow_at_delay(60.0, 90.0, g_equal, 1900.0 * g_equal, 0.25), rel=1e-8)
    assert main["capacity"] == pytest.approx(hand_flow_at_delay(60.0, 90.0, g_split, 1900.0 * g_split, 0.25), rel=1e-8)
    assert main["capacity"] > main["equal"] + 250.0


def test_last_segment_bearings() -> None:
    """Bearings clockwise from north of each line's last segment of non-zero length."""
    lines = [
        shapely.LineString([(0, 0), (0, 10), (10, 10)]),  # ends heading east: 90
        shapely.LineString([(0, 0), (5, -5), (5, -5)]),  # repeated end point: the segment before, 135
        shapely.LineString([(0, 0), (0, 0)]),  # no segment
        shapely.LineString([(3, 3), (0, 3)]),  # west: 270
    ]
    out = last_segment_bearings(np.array(lines, dtype=object))
    assert out[[0, 1, 3]] == pytest.approx([90.0, 135.0, 270.0], abs=1e-12) and np.isnan(out[2])


@pytest.mark.parametrize(
    ("timing", "kwargs", "field", "text"),
    [
        (SignalTiming(split="webster"), {}, "split", "unknown green split 'webster'; use one of equal, capacity, flows"),
        (SignalTiming(split="capacity", green_ratio=0.5), {}, "split", "a fixed green ratio (0.5) and split 'capacity' exclude each other"),
        (SignalTiming(split="capacity", min_green_s=-1.0), {}, "min_green_s", "minimum green must be a finite number >= 0 s"),
        (SignalTiming(split="capacity", min_green_s=42.0), {}, "min_green_s", "2 x (4.0 s lost + minimum green) <= the 90.0 s cycle, got 42.0"),
        (SignalTiming(split="capacity", axis_tolerance_deg=120.0), {}, "axis_tolerance_deg", "axis tolerance must be in [0, 90] degrees, got 120.0"),
        (SignalTiming(split="flows"), {}, "flows", "split 'flows' needs the approach flows"),
        (SignalTiming(split="flows"), {"flows": {"WJ": -5.0}}, "flows", "flows must be finite and >= 0 veh/h, got -5.0"),
        (SignalTiming(split="flows"), {"flows": {"XX": 5.0}}, "flows", "flows given for link 'XX', not in the network"),
        (SignalTiming(split="capacity"), {"bearing": np.zeros(3)}, "bearing", "bearing must be one number per link (8), got shape (3,)"),
        (SignalTiming(split="capacity"), {"bearing": np.full(8, np.inf)}, "bearing", "bearing must be finite or NaN (unknown), got inf"),
    ],
)
def test_bad_split_input(timing, kwargs, field, text) -> None:
    net, bearing = junction({"W": 1800.0, "E": 1800.0, "N": 900.0, "S": 900.0})
    with pytest.raises(InputError) as err:
        add_signals(net, ["J"], timing=timing, **{"bearing": bearing, **kwargs})
    assert isinstance(err.value, TwinError) and err.value.field == field
    message = str(err.value)
    assert text in message and "\n" not in message


def test_saint_gilles_scene_bearings_and_phases() -> None:
    """The scene's car links: bearings of their geometry's last segment, recomputed from the
    coordinates in a plain loop; with the 12 OSM signals and the capacity split every signalised
    node is split or (all its approaches on one axis, checked by hand) left equal, and no phase
    of a split node gets less than the minimum green."""
    import math

    from tests.test_traffic_mobility_signals import SIGNALS
    from tests.traffic_helpers import stgilles_scene
    from twin.traffic.signal_phases import scene_link_bearings
    from twin.traffic.signals import mark_signals, read_osm_signals

    scene = stgilles_scene()
    mark_signals(scene, read_osm_signals(SIGNALS))
    net = Network.from_scene(scene, mode="car")
    bearing = scene_link_bearings(scene, net)
    geoms = scene.links.set_index("link_id").geometry
    for lid, b in zip(net.link_ids.tolist(), bearing.tolist()):
        pts = [p for i, p in enumerate(geoms[lid].coords) if i == 0 or p != geoms[lid].coords[i - 1]]
        (x0, y0), (x1, y1) = pts[-2], pts[-1]
        assert b == pytest.approx(math.degrees(math.atan2(x1 - x0, y1 - y0)) % 360.0, abs=1e-9)
    sig = add_signals(net, timing=SignalTiming(split="capacity"), bearing=bearing)
    table = sig.approaches(np.zeros(sig.network.n_links))
    assert sig.split["nodes_split"] + sig.split["nodes_one_axis"] == table["node_id"].nunique() == 12
    assert sig.split["nodes_split"] > 0 and sig.split["nodes_without_bearing"] == 0
    by_id = dict(zip(net.link_ids.tolist(), bearing.tolist()))
    for node, rows in table.groupby("node_id"):
        axes = [by_id[k] % 180.0 for k in rows["link_id"]]
        one_axis = all(min(abs(a - b), 180.0 - abs(a - b)) <= 45.0 for a in axes for b in axes)
        assert (rows["phase"].nunique() == 1) == one_axis, node
        if not one_axis:
            assert rows.groupby("phase")["green_ratio"].first().sum() == pytest.approx((90.0 - 2 * 4.0) / 90.0, rel=1e-12)
            assert rows["green_ratio"].min() >= 12.0 / 90.0 - 1e-12
