"""Priority signs read by the OSM ingest (issue 15, mobility: attributes from data where data
exists): ``highway=give_way`` / ``stop`` on the approach they control, ``stop=all`` and
``highway=mini_roundabout`` on the junction node, the ones that cannot be placed dropped with a
reason; hand-made files with the expected placement worked out by hand, a scene folder round
trip, the give-way model reading them, and the 2013 Brussels extract against pyosmium's count.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.cli_harness import run_twin
from tests.conftest import shared_path
from tests.geojson_builders import write_geojson
from twin.ingest import ingest
from twin.ingest.priority_signs import AT_JUNCTION, MINI_NOT_PLACED, NOT_PLACED, bad_direction
from twin.traffic.network import Network
from twin.traffic.priority import scene_junctions

# 0.0001 degree of longitude at 50.83 N is about 7.03 m, of latitude 11.1 m. Junction J (node 2) at
# lon 4.3510: a secondary road west (1) - J - east (3), drawn west to east as way 10 (1, 5, 2) and
# way 30 (2, 6, 3); a residential stem south (4), way 20 drawn from 4 to J. Node 5 (7 m west of J
# on way 10) and node 6 (7 m east of J on way 30) carry the signs of each case.
NODES = {1: (50.8300, 4.3500), 2: (50.8300, 4.3510), 3: (50.8300, 4.3520), 4: (50.8294, 4.3510), 5: (50.8300, 4.3509), 6: (50.8300, 4.3511),
         7: (50.8306, 4.3510), 8: (50.8300, 4.3530), 9: (50.8306, 4.3530)}  # fmt: skip
T_WAYS = ((10, (1, 5, 2), "secondary"), (30, (2, 6, 3), "secondary"), (20, (4, 2), "residential"))


def osm_xml(tags: dict[int, dict[str, str]], ways=T_WAYS) -> str:
    """An OSM XML file of the nodes used by ``ways`` (id, node refs, highway class), ``tags`` on nodes."""
    used = sorted({n for _, refs, _ in ways for n in refs} | set(tags))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="hand">']
    for n in used:
        lat, lon = NODES[n]
        inner = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.get(n, {}).items())
        lines.append(f'  <node id="{n}" lat="{lat:.7f}" lon="{lon:.7f}">{inner}</node>')
    for wid, refs, cls in ways:
        lines.append(f'  <way id="{wid}">' + "".join(f'<nd ref="{r}"/>' for r in refs) + f'<tag k="highway" v="{cls}"/></way>')
    return "\n".join([*lines, "</osm>", ""])


def read(tmp_path: Path, tags: dict[int, dict[str, str]], ways=T_WAYS):
    path = tmp_path / "signs.osm"
    path.write_text(osm_xml(tags, ways))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene, (result,) = ingest([path], crs="EPSG:31370")
    return scene, result


def signed(scene) -> dict[str, str]:
    links = scene.links
    return dict(zip(links.loc[links["priority_sign"] != "", "link_id"], links.loc[links["priority_sign"] != "", "priority_sign"], strict=True))


def dropped(result) -> dict[str, str]:
    return {d.obj: d.reason for d in result.dropped}


def yielding(scene) -> dict[str, tuple[str, set[str]]]:
    """Approach id -> (rule, ids of the approaches it gives way to) of the scene's junctions."""
    net = Network.from_scene(scene, mode="car")
    street = np.isin(net.link_ids, scene.links["link_id"].to_numpy()) & (net.capacity > 0)
    j = scene_junctions(scene, scene.links, net, street=street, signalised=False)
    ids = net.link_ids
    return {ids[k]: (r, {ids[c] for c in cs}) for k, r, cs in zip(j.approach.tolist(), j.rule.tolist(), j.conflicts, strict=True)}


def test_give_way_on_the_major_road_overrides_the_road_classes(tmp_path):
    """Sign 5, no direction, 7 m west of J on the secondary road: the nearer junction ahead is J
    going east (going west the street ends at node 1), so it is on the approach 1 -> J
    (osm:way/10:0:f). By hand: that approach gives way to the two unsigned arms (east 3 -> J,
    south 4 -> J); the residential stem, which the classes alone make yield, does not."""
    scene, result = read(tmp_path, {5: {"highway": "give_way"}})
    assert signed(scene) == {"osm:way/10:0:f": "give_way"}
    source = scene.links.set_index("link_id").loc["osm:way/10:0:f", "priority_sign_source"]
    assert source.startswith("osm node 5 highway=give_way, ") and source.endswith(" m before the junction")
    assert abs(float(source.split(", ")[1].split()[0]) - 7.03) < 0.1
    assert result.meta["priority_signs"] == {"read": 1, "on_approach": 1, "at_junction_node": 0, "not_placed": 0, "signed_approaches": 1,
                                             "signed_nodes": 0}  # fmt: skip
    assert yielding(scene) == {"osm:way/10:0:f": ("sign", {"osm:way/30:0:b", "osm:way/20:0:f"})}
    plain, _ = read(tmp_path, {})
    assert "priority_sign" not in plain.links.columns and "priority_signs" not in _.meta
    assert yielding(plain) == {"osm:way/20:0:f": ("major", {"osm:way/10:0:f", "osm:way/30:0:b"})}


def test_direction_backward_controls_travel_against_the_way(tmp_path):
    """Sign 6 on way 30 (drawn J -> 3), 7 m east of J. ``direction=backward``: travel east to west,
    into J: approach osm:way/30:0:b. ``forward``: travel J -> 3, toward node 3 where the street
    ends: no junction ahead, dropped."""
    scene, _ = read(tmp_path, {6: {"highway": "stop", "direction": "backward"}})
    assert signed(scene) == {"osm:way/30:0:b": "stop"}
    assert yielding(scene) == {"osm:way/30:0:b": ("sign", {"osm:way/10:0:f", "osm:way/20:0:f"})}
    scene, result = read(tmp_path, {6: {"highway": "stop", "direction": "forward"}})
    assert signed(scene) == {} and dropped(result) == {"osm:node/6": NOT_PLACED}
    assert result.meta["priority_signs"]["not_placed"] == 1


def test_signs_that_cannot_be_placed_are_dropped_with_their_reason(tmp_path):
    """On the junction node (which approach?), with a compass ``direction`` (which travel
    direction?), on a footway (no street open to cars), a mini roundabout off a junction."""
    ways = (*T_WAYS, (40, (8, 9), "footway"))
    tags = {2: {"highway": "give_way"}, 5: {"highway": "give_way", "direction": "NE"}, 8: {"highway": "stop"}, 6: {"highway": "mini_roundabout"}}
    scene, result = read(tmp_path, tags, ways)
    assert dropped(result) == {"osm:node/2": AT_JUNCTION, "osm:node/5": bad_direction("ne"), "osm:node/6": MINI_NOT_PLACED, "osm:node/8": NOT_PLACED}
    assert "'ne'" in bad_direction("ne") and "forward or backward" in bad_direction("ne")
    assert result.meta["priority_signs"] == {"read": 4, "on_approach": 0, "at_junction_node": 0, "not_placed": 4, "signed_approaches": 0,
                                             "signed_nodes": 0}  # fmt: skip
    assert signed(scene) == {} and set(scene.nodes["priority_sign"]) == {""}
    assert yielding(scene) == {"osm:way/20:0:f": ("major", {"osm:way/10:0:f", "osm:way/30:0:b"})}  # the classes decide


X_WAYS = ((10, (1, 2), "residential"), (30, (2, 3), "residential"), (20, (4, 2), "residential"), (50, (2, 7), "residential"))


def test_all_way_stop_on_the_junction_node_is_priority_to_the_right_among_the_stops(tmp_path):
    """``highway=stop`` + ``stop=all`` on J of a four-arm crossing: the node is an all-way stop;
    each approach gives way to the one on its right (by hand: from the west to the south one,
    south to east, east to north, north to west)."""
    scene, result = read(tmp_path, {2: {"highway": "stop", "stop": "all"}}, X_WAYS)
    j = scene.nodes.set_index("node_id")
    junction = j.index[j["priority_sign"] == "all_way_stop"]
    assert len(junction) == 1 and j.loc[junction[0], "priority_sign_source"] == "osm node 2 highway=stop stop=all"
    assert result.meta["priority_signs"]["at_junction_node"] == 1
    assert yielding(scene) == {"osm:way/10:0:f": ("all_way_stop", {"osm:way/20:0:f"}), "osm:way/20:0:f": ("all_way_stop", {"osm:way/30:0:b"}),
                               "osm:way/30:0:b": ("all_way_stop", {"osm:way/50:0:b"}), "osm:way/50:0:b": ("all_way_stop", {"osm:way/10:0:f"})}  # fmt: skip


def test_mini_roundabout_entries_give_way_to_the_arm_on_their_left(tmp_path):
    """``highway=mini_roundabout`` on J of the four-arm crossing: traffic circulates
    counterclockwise (right-hand traffic), so the cars passing an entry come from its left. By
    hand: the west entry gives way to the north one, north to east, east to south, south to west."""
    scene, result = read(tmp_path, {2: {"highway": "mini_roundabout"}}, X_WAYS)
    assert (scene.nodes["priority_sign"] == "mini_roundabout").sum() == 1
    assert result.meta["priority_signs"]["signed_nodes"] == 1
    assert yielding(scene) == {"osm:way/10:0:f": ("mini_roundabout", {"osm:way/50:0:b"}), "osm:way/50:0:b": ("mini_roundabout", {"osm:way/30:0:b"}),
                               "osm:way/30:0:b": ("mini_roundabout", {"osm:way/20:0:f"}), "osm:way/20:0:f": ("mini_roundabout", {"osm:way/10:0:f"})}  # fmt: skip


def test_signs_survive_the_scene_folder_and_the_assign_summary_counts_them(tmp_path):
    """``twin ingest`` then ``twin traffic assign --scene --give-way --json``: the columns come
    back from the folder; the summary counts one junction decided by a sign."""
    from twin.scene.io import read_scene

    path = tmp_path / "signs.osm"
    path.write_text(osm_xml({5: {"highway": "give_way"}}))
    run = run_twin(["ingest", path, "-o", tmp_path / "scene", "-q"])
    assert run.code == 0, run.stderr
    back = read_scene(tmp_path / "scene")
    assert signed(back) == {"osm:way/10:0:f": "give_way"}
    assert yielding(back) == {"osm:way/10:0:f": ("sign", {"osm:way/30:0:b", "osm:way/20:0:f"})}
    nodes = back.nodes["node_id"].tolist()
    od = tmp_path / "od.csv"
    pd.DataFrame({"origin": [nodes[0]], "destination": [nodes[-1]], "flow_veh_h": [10.0]}).to_csv(od, index=False)
    out = run_twin(["traffic", "assign", "--scene", tmp_path / "scene", "--demand", od, "--give-way", "--json", "-o", tmp_path / "links.csv"])
    assert out.code == 0, out.stderr
    s = json.loads(out.stdout)
    assert (s["give_way_junctions"], s["give_way_sign_junctions"], s["give_way_major_road_junctions"], s["give_way_yielding_approaches"]) == (1, 1, 0, 1)


@pytest.mark.slow
def test_brussels_signs_read_equal_an_independent_count_of_the_file():
    """Every ``highway=give_way|stop|mini_roundabout`` node of the 2013 extract (pyosmium, not
    GDAL) is read, and each is placed or dropped with a reason (2013: 25 give-way, 9 stop,
    15 mini roundabouts)."""
    import osmium

    pbf = shared_path("brussels", "brussels_capital_region_2013-01-01.osm.pbf")
    count: dict[str, int] = {}

    class Signs(osmium.SimpleHandler):
        def node(self, n):
            for v in str(n.tags.get("highway", "")).split(";"):
                if v in ("give_way", "stop", "mini_roundabout"):
                    count[v] = count.get(v, 0) + 1
                    break

    Signs().apply_file(str(pbf))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene, (result,) = ingest([pbf], layers=("streets",))
    meta = result.meta["priority_signs"]
    assert meta["read"] == sum(count.values()) >= 34
    assert meta["on_approach"] + meta["at_junction_node"] + meta["not_placed"] == meta["read"]
    reasons = [d for d in result.dropped if d.reason in (AT_JUNCTION, NOT_PLACED, MINI_NOT_PLACED) or d.reason.startswith("give-way/stop sign with direction=")]
    assert len(reasons) == meta["not_placed"]
    assert (scene.links["priority_sign"] != "").sum() == meta["signed_approaches"] > 0
    assert (scene.nodes["priority_sign"] == "mini_roundabout").sum() + (scene.nodes["priority_sign"] == "all_way_stop").sum() == meta["signed_nodes"]


def geojson(path: Path, features: list[tuple[dict, dict]]) -> Path:
    """A GeoJSON file (WGS84) of (properties, geometry) pairs."""
    return write_geojson(path, [{"type": "Feature", "properties": p, "geometry": g} for p, g in features], crs=None)


def test_vector_sign_points_are_placed_on_the_streets_of_the_ingest(tmp_path):
    """The T as GeoJSON lines (drawn as the OSM ways) and the signs in a second GeoJSON file: the
    give-way sign 5 lands on the approach from the west as from the OSM file; a point without
    ``osm_id`` is dropped with its reason; the signs file alone drops its signs (no streets)."""
    from twin.ingest.priority_signs import NEEDS_STREETS, NO_OSM_ID

    lines = [({"osm_id": wid, "highway": cls}, {"type": "LineString", "coordinates": [[NODES[n][1], NODES[n][0]] for n in refs]}) for wid, refs, cls in T_WAYS]
    streets = geojson(tmp_path / "streets.geojson", lines)
    point = {"type": "Point", "coordinates": [NODES[5][1], NODES[5][0]]}
    signs = geojson(tmp_path / "signs.geojson", [({"osm_id": 5, "highway": "give_way", "direction": None}, point),
                                                 ({"osm_id": None, "highway": "stop", "direction": "forward"}, point)])  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene, (_, result) = ingest([streets, signs], crs="EPSG:31370")
    assert signed(scene) == {"osm:way/10:0:f": "give_way"}
    assert yielding(scene) == {"osm:way/10:0:f": ("sign", {"osm:way/30:0:b", "osm:way/20:0:f"})}
    assert dropped(result) == {"signs:1": NO_OSM_ID}
    assert result.meta["priority_signs"]["on_approach"] == 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alone, (only,) = ingest([signs], crs="EPSG:31370")
    assert dropped(only) == {"osm:node/5": NEEDS_STREETS, "signs:1": NO_OSM_ID}
    assert len(alone.links) == 0 and only.meta["priority_signs"]["not_placed"] == 1
