"""Who gives way where the data has priority signs (issue 15, mobility: attributes from data where
data exists): signed approaches give way to the unsigned arms (rule ``sign``), every approach
signed or ``all_way_stop`` on the node: priority to the right among the stops, a mini roundabout:
each entry gives way to the arm on its left, with the roundabout entry capacity (HCM 2010
Eq. 21-1). Junctions without a sign keep today's rules exactly: the Saint-Gilles give-way lines
are identical with empty sign columns, and with one sign every other junction is unchanged.
Bad sign values are one error.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.test_traffic_priority import junction_network, yields
from twin.errors import InputError
from twin.traffic.network import Network
from twin.traffic.priority import GiveWayParameters, add_scene_give_way, classify_junctions, scene_junctions

SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"
CROSS = {"E": (100.0, 0.0, "residential"), "N": (0.0, 100.0, "residential"), "W": (-100.0, 0.0, "residential"), "S": (0.0, -100.0, "residential")}


def per_link(net: Network, values: dict[str, str]) -> list[str]:
    return [values.get(k, "") for k in net.link_ids.tolist()]


def test_signed_approach_of_a_primary_road_gives_way_to_the_unsigned_arms() -> None:
    """T of a primary road (E, W) and a residential stem (S); a give-way sign on W>C. By hand: W>C
    gives way to E>C and S>C; the stem, which the classes make yield, does not; summary counts one
    junction decided by signs and none by the major-road rule."""
    net, xy, rc = junction_network({"E": (100.0, 0.0, "primary"), "W": (-100.0, 0.0, "primary"), "S": (0.0, -80.0, "residential")})
    assert yields(net, classify_junctions(net, rc, xy)) == {"S>C": ("major", {"E>C", "W>C"})}
    j = classify_junctions(net, rc, xy, sign=per_link(net, {"W>C": "give_way"}))
    assert yields(net, j) == {"W>C": ("sign", {"E>C", "S>C"})}
    assert j.summary() == {"junctions": 1, "major_road_junctions": 0, "priority_to_right_junctions": 0, "roundabout_junctions": 0, "sign_junctions": 1,
                           "yielding_approaches": 1, "roundabout_entries": 0, "roundabout_multilane_entries": 0}  # fmt: skip
    # a two-way stop: both minor arms of a crossing signed, each gives way to the two unsigned ones
    net, xy, rc = junction_network(CROSS)
    j = classify_junctions(net, rc, xy, sign=per_link(net, {"N>C": "stop", "S>C": "give_way"}))
    assert yields(net, j) == {"N>C": ("sign", {"E>C", "W>C"}), "S>C": ("sign", {"E>C", "W>C"})}


def test_all_way_stop_is_priority_to_the_right_among_the_stops() -> None:
    """Every approach signed (no unsigned arm to give way to), or the node ``all_way_stop``: each
    approach gives way to the one on its right (by hand: E to N, N to W, W to S, S to E), the
    priority-to-the-right pairs of the unsigned crossing under another rule name."""
    net, xy, rc = junction_network(CROSS)
    right = {k: v[1] for k, v in yields(net, classify_junctions(net, rc, xy)).items()}
    assert right == {"E>C": {"N>C"}, "N>C": {"W>C"}, "W>C": {"S>C"}, "S>C": {"E>C"}}
    every = classify_junctions(net, rc, xy, sign=per_link(net, {a: "stop" for a in ("E>C", "N>C", "W>C", "S>C")}))
    node = classify_junctions(net, rc, xy, node_sign=["all_way_stop", "", "", "", ""])
    for j in (every, node):
        assert yields(net, j) == {k: ("all_way_stop", v) for k, v in right.items()}
        assert (j.summary()["sign_junctions"], j.summary()["priority_to_right_junctions"]) == (1, 0)


def test_mini_roundabout_entries_give_way_to_the_left_with_the_roundabout_capacity() -> None:
    """A mini roundabout on C: each entry gives way to the arm on its left (E to S, S to W, W to N,
    N to E, by hand: counterclockwise circulation passes the east entry from the south); an entry's capacity is the single-lane roundabout entry's (1130 exp(-v_c / 1000))."""
    net, xy, rc = junction_network(CROSS)
    j = classify_junctions(net, rc, xy, node_sign=["mini_roundabout", "", "", "", ""])
    assert yields(net, j) == {"E>C": ("mini_roundabout", {"S>C"}), "S>C": ("mini_roundabout", {"W>C"}), "W>C": ("mini_roundabout", {"N>C"}),
                              "N>C": ("mini_roundabout", {"E>C"})}  # fmt: skip
    assert j.roundabout.all() and j.summary()["roundabout_entries"] == 4 and j.summary()["roundabout_junctions"] == 0
    vc = np.array([0.0, 200.0, 500.0, 900.0])
    assert j.capacity(vc, GiveWayParameters()) == pytest.approx([1130.0 * math.exp(-v / 1000.0) for v in vc.tolist()], rel=1e-12)


def test_unknown_or_misshaped_signs_are_one_error() -> None:
    net, xy, rc = junction_network(CROSS)
    with pytest.raises(InputError, match="unknown priority sign 'yield'"):
        classify_junctions(net, rc, xy, sign=per_link(net, {"E>C": "yield"}))
    with pytest.raises(InputError, match="node_sign needs 5 values, got 2"):
        classify_junctions(net, rc, xy, node_sign=["", ""])
    with pytest.raises(InputError, match="unknown priority sign 'stop'"):
        classify_junctions(net, rc, xy, node_sign=["stop", "", "", "", ""])


@pytest.fixture
def streets():
    from twin.ingest import ingest

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene, _ = ingest([SAMPLES / "stgilles_streets_osm2013.geojson"])
    net = Network.from_scene(scene, mode="car")
    street = np.isin(net.link_ids, scene.links["link_id"].to_numpy()) & (net.capacity > 0)
    return scene, net, street


def entries(j) -> dict[int, tuple[str, tuple[int, ...]]]:
    return {int(k): (str(r), tuple(c.tolist())) for k, r, c in zip(j.approach.tolist(), j.rule.tolist(), j.conflicts, strict=True)}


def test_without_signs_the_give_way_lines_are_those_of_today(streets) -> None:
    """Saint-Gilles: empty ``priority_sign`` columns give the same junctions and give-way lines
    as a scene without the columns (same order, same values); a sign on one approach changes
    that junction only."""
    scene, net, street = streets
    before = scene_junctions(scene, scene.links, net, street=street, signalised=False)
    lines_before = add_scene_give_way(scene, scene.links, net, net, None, street=street, signalised=False, line_label="gw:")
    scene.links["priority_sign"] = ""
    scene.nodes["priority_sign"] = ""
    after = scene_junctions(scene, scene.links, net, street=street, signalised=False)
    lines_after = add_scene_give_way(scene, scene.links, net, net, None, street=street, signalised=False, line_label="gw:")
    assert entries(after) == entries(before) and after.summary() == before.summary() and after.summary()["sign_junctions"] == 0
    flow = np.linspace(0.0, 300.0, lines_before.network.n_links)
    pd.testing.assert_frame_equal(lines_after.lines(flow), lines_before.lines(flow))
    assert np.array_equal(lines_after.network.capacity, lines_before.network.capacity)
    # one give-way sign on a stem of a major-road junction: that node is decided by the sign, the rest as before
    k = int(before.approach[list(before.rule).index("major")])
    v = int(before.node[list(before.rule).index("major")])
    through = sorted(int(c) for c in before.conflicts[list(before.rule).index("major")])
    scene.links.loc[scene.links["link_id"] == net.link_ids[through[0]], "priority_sign"] = "give_way"
    signed = scene_junctions(scene, scene.links, net, street=street, signalised=False)
    rest = {a: e for a, e in entries(before).items() if int(before.node[list(before.approach).index(a)]) != v}
    assert {a: e for a, e in entries(signed).items() if int(signed.node[list(signed.approach).index(a)]) != v} == rest
    at_v = {a: e for a, e in entries(signed).items() if int(signed.node[list(signed.approach).index(a)]) == v}
    assert list(at_v) == [through[0]] and at_v[through[0]][0] == "sign" and k in at_v[through[0]][1]
    assert signed.summary()["sign_junctions"] == 1 and signed.summary()["major_road_junctions"] == before.summary()["major_road_junctions"] - 1
