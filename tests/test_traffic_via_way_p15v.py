"""OSM turn restrictions with via ways (issue 15, build item 1): a banned link sequence, not a turn.

By hand: a dual carriageway (two one-way ways, a short median crossing as the via way) where
``no_u_turn`` from the eastbound carriageway through the crossing onto the westbound one forces a
detour through the next crossing, while the same crossing stays open from a side street and into
another exit; ``only_u_turn`` likewise; the same network with a via-node ban behaves as a turn
ban. Every shortest time is checked by hand and against scipy's Dijkstra on a graph of
consecutive link pairs built here from the scene's link table (a vertex per pair of links
``(i, j)``, an edge to ``(j, k)`` unless ``i -> j -> k`` is the banned sequence: not twin's
expansion). Flows mapped back onto the scene's links conserve vehicles. Bad input: a via chain
that does not join (reported at ingest, skipped on the network), a malformed via member (an
error). The shared Brussels 2013 extract holds no via-way restriction (GDAL and pyosmium).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from tests.conftest import shared_path
from twin.errors import InputError
from twin.traffic.network import Network
from twin.traffic.scene_turns import banned_turns_of_scene, scene_banned_turns

SPEED_M_S = 10.0
XY = {"A": (0.0, 10.0), "B": (100.0, 10.0), "C": (200.0, 10.0), "D": (0.0, 0.0), "E": (100.0, 0.0), "F": (200.0, 0.0), "G": (100.0, -100.0), "H": (100.0, 110.0)}
LINKS = [  # link id, from, to, length m
    ("osm:way/1:0:f", "A", "B", 100.0),  # eastbound carriageway
    ("osm:way/1:1:f", "B", "C", 100.0),
    ("osm:way/2:0:f", "F", "E", 100.0),  # westbound carriageway
    ("osm:way/2:1:f", "E", "D", 100.0),
    ("osm:way/3:0:f", "B", "E", 10.0),  # median crossing (the via way)
    ("osm:way/4:0:f", "C", "F", 10.0),  # the next crossing
    ("osm:way/5:0:f", "E", "G", 100.0),  # side street south, two-way
    ("osm:way/5:0:b", "G", "E", 100.0),
    ("osm:way/6:0:f", "H", "B", 100.0),  # side street north, two-way
    ("osm:way/6:0:b", "B", "H", 100.0),
]
"""By hand, free-flow times (10 m/s): A -> D straight over crossing 3 is 10 + 1 + 10 = 21 s; with
crossing 3 closed to the U-turn 10 + 10 + 1 + 10 + 10 = 41 s (on to C, crossing 4, back to E).
A -> G over crossing 3 and south: 21 s. H -> D over crossing 3: 21 s."""

U_TURN = {"restriction_id": "r_u", "kind": "no_u_turn", "from_way": "osm:way/1", "via_node": "", "to_way": "osm:way/2", "via_osm": "osm:way/3"}
DEMAND = [("A", "D", 100.0), ("A", "G", 50.0), ("H", "D", 30.0)]


def dual_scene(rows: list[dict[str, str]], capacity_veh_h: float = 1e6):
    """The dual carriageway as a scene (frames, ids as an OSM ingest writes them; by default a
    capacity of 10^6 veh/h, so that congestion is nil to 1e-12) with the restriction rows."""
    from twin.scene import Scene

    frame = gpd.GeoDataFrame(
        [{"link_id": lid, "from_node": a, "to_node": b, "length_m": length, "free_speed_m_s": SPEED_M_S, "capacity_veh_h": capacity_veh_h, "modes": "car",
          "source_id": lid.rsplit(":", 2)[0], "geometry": shapely.LineString([XY[a], XY[b]])} for lid, a, b, length in LINKS],
        geometry="geometry", crs="EPSG:31370",
    )  # fmt: skip
    scene = Scene(crs="EPSG:31370")
    scene.add("links", frame)
    scene.add("nodes", gpd.GeoDataFrame({"node_id": list(XY)}, geometry=[shapely.Point(p) for p in XY.values()], crs="EPSG:31370"))
    scene.add("turn_restrictions", pd.DataFrame(rows))
    return scene


def pair_graph_time_s(origin: str, destination: str, *, banned_sequences=(), banned_turns=()) -> float:
    """Shortest free-flow time (s) by scipy on a graph of consecutive link pairs of :data:`LINKS`."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import dijkstra

    time = {lid: length / SPEED_M_S for lid, _, _, length in LINKS}
    tail = {lid: a for lid, a, _, _ in LINKS}
    head = {lid: b for lid, _, b, _ in LINKS}
    seq, turn = set(banned_sequences), set(banned_turns)
    vertices = ["source", "sink"] + [("start", j) for j in time] + [(i, j) for i in time for j in time if head[i] == tail[j]]
    index = {v: n for n, v in enumerate(vertices)}
    rows, cols, w = [], [], []

    def edge(a, b, weight: float) -> None:
        rows.append(index[a]), cols.append(index[b]), w.append(weight + 1e-12)

    for j in time:
        if tail[j] == origin:
            edge("source", ("start", j), time[j])
        if head[j] == destination:
            edge(("start", j), "sink", 0.0)
    for v in vertices[2:]:
        last = v[1]
        if v[0] != "start" and head[last] == destination:
            edge(v, "sink", 0.0)
        for k in time:
            if tail[k] != head[last] or (last, k) in turn:
                continue
            if v[0] != "start" and (v[0], last, k) in seq:
                continue
            edge(v, (last, k), time[k])
    graph = sp.csr_matrix((w, (rows, cols)), shape=(len(vertices), len(vertices)))
    return float(dijkstra(graph, indices=0)[1])


def assign_scene(scene, tmp_path: Path, demand=DEMAND, **kw):
    """``run_scene_assign`` (the work of ``twin traffic assign --scene``) of ``demand`` on ``scene``."""
    from twin.export import write_scene
    from twin.traffic.assign_commands import run_scene_assign

    folder = tmp_path / "scene"
    if not folder.exists():
        write_scene(scene, folder)
    od = tmp_path / "od.csv"
    pd.DataFrame(demand, columns=["origin", "destination", "flow_veh_h"]).to_csv(od, index=False)
    return run_scene_assign([folder], demand=od, algorithm="b", gap=1e-12, max_iter=None, output=None, crs=None, scene_crs="EPSG:31370", **kw)


def od_time_s(scene, tmp_path: Path, origin: str, destination: str) -> float:
    """Time (s) of the one path that 1 veh/h from ``origin`` to ``destination`` takes."""
    result, _ = assign_scene(scene, tmp_path, demand=[(origin, destination, 1.0)])
    return float(np.sum(result.time[result.flow > 0.5]))


def flows(result) -> dict[str, float]:
    return dict(zip(result.network.link_ids.tolist(), result.flow.tolist(), strict=True))


U_SEQ = ("osm:way/1:0:f", "osm:way/3:0:f", "osm:way/2:1:f")


@pytest.mark.parametrize(
    ("origin", "destination", "hand_s"),
    [("A", "D", 41.0), ("A", "G", 21.0), ("H", "D", 21.0)],
)
def test_via_way_no_u_turn_detours_only_the_sequence(tmp_path: Path, origin: str, destination: str, hand_s: float) -> None:
    """no_u_turn 1 -> (via 3) -> 2: A -> D detours (41 s against 21 s), while the crossing stays
    open from A to the south street and from the north street to D: the hand times, scipy's."""
    scene = dual_scene([U_TURN])
    ref = pair_graph_time_s(origin, destination, banned_sequences=[U_SEQ])
    assert ref == pytest.approx(hand_s, abs=1e-9)
    assert od_time_s(scene, tmp_path, origin, destination) == pytest.approx(hand_s, rel=1e-9)
    if (origin, destination) == ("A", "D"):
        assert pair_graph_time_s(origin, destination) == pytest.approx(21.0, abs=1e-9)


def test_via_way_flows_on_scene_links_by_hand(tmp_path: Path) -> None:
    """The three OD flows together: every scene link's flow by hand (the crossing carries A -> G
    on its copy and H -> D on itself, 50 + 30); vehicles are conserved at every node; the
    summary counts one restriction applied, no banned turn, one banned sequence."""
    scene = dual_scene([U_TURN])
    result, summary = assign_scene(scene, tmp_path)
    hand = {"osm:way/1:0:f": 150.0, "osm:way/1:1:f": 100.0, "osm:way/4:0:f": 100.0, "osm:way/2:0:f": 100.0, "osm:way/2:1:f": 130.0,
            "osm:way/3:0:f": 80.0, "osm:way/5:0:f": 50.0, "osm:way/5:0:b": 0.0, "osm:way/6:0:f": 30.0, "osm:way/6:0:b": 0.0}  # fmt: skip
    got = flows(result)
    assert got == pytest.approx(hand, abs=1e-6)
    net = result.network
    demand_out = {n: sum(f for o, _, f in DEMAND if o == n) for n in XY}
    demand_in = {n: sum(f for _, d, f in DEMAND if d == n) for n in XY}
    for n in XY:
        k = net.node_index(n)
        into = result.flow[net.to_node == k].sum() + demand_out[n]
        out = result.flow[net.from_node == k].sum() + demand_in[n]
        assert into == pytest.approx(out, abs=1e-6), n
    assert (summary["turn_restrictions_applied"], summary["restriction_banned_turns"], summary["restriction_banned_sequences"]) == (1, 0, 1)


def test_only_u_turn_via_way(tmp_path: Path) -> None:
    """only_u_turn 1 -> (via 3) -> 2: what enters the crossing from A may only turn onto 2, so
    A -> G detours (41 s: to C, crossing 4, back to E, south), A -> D and H -> G do not."""
    scene = dual_scene([{**U_TURN, "kind": "only_u_turn"}])
    banned_exit = ("osm:way/1:0:f", "osm:way/3:0:f", "osm:way/5:0:f")
    for origin, destination, hand_s in (("A", "G", 41.0), ("A", "D", 21.0), ("H", "G", 21.0)):
        assert pair_graph_time_s(origin, destination, banned_sequences=[banned_exit]) == pytest.approx(hand_s, abs=1e-9)
        assert od_time_s(scene, tmp_path, origin, destination) == pytest.approx(hand_s, rel=1e-9), (origin, destination)


def test_node_via_ban_on_the_same_network_is_a_turn_ban(tmp_path: Path) -> None:
    """no_right_turn 1 -> 3 at B (a via node): the turn itself is banned, for A -> D and A -> G
    alike (41 s), H -> D still 21 s; with the via-way row next to it the result is the same."""
    node_row = {"restriction_id": "r_n", "kind": "no_right_turn", "from_way": "osm:way/1", "via_node": "B", "to_way": "osm:way/3", "via_osm": "osm:node/2"}
    for rows in ([node_row], [node_row, U_TURN]):
        scene = dual_scene(rows)
        sub = tmp_path / str(len(rows))
        sub.mkdir()
        for origin, destination, hand_s in (("A", "D", 41.0), ("A", "G", 41.0), ("H", "D", 21.0)):
            ref = pair_graph_time_s(origin, destination, banned_turns=[("osm:way/1:0:f", "osm:way/3:0:f")])
            assert ref == pytest.approx(hand_s, abs=1e-9)
            assert od_time_s(scene, sub, origin, destination) == pytest.approx(hand_s, rel=1e-9)
    net = Network.from_scene(dual_scene([node_row]), mode="car")
    turns = banned_turns_of_scene(dual_scene([node_row]), net)
    assert [(net.link_ids[i], net.link_ids[j]) for i, j in turns.banned] == [("osm:way/1:0:f", "osm:way/3:0:f")] and turns.sequences == []


def test_sequences_on_the_network_and_skipped_chains() -> None:
    """The via-way row gives one sequence (entry, via links, exits) by link id; a chain whose
    via way does not touch the from way is skipped with the reason (not applied); a via way
    chain of two ways is followed; a malformed via member is an InputError naming it."""
    scene = dual_scene([U_TURN])
    net = Network.from_scene(scene, mode="car")
    turns = banned_turns_of_scene(scene, net)
    name = net.link_ids
    assert [(name[s.entry], tuple(name[v] for v in s.via), sorted(name[j] for j in s.exits), s.only) for s in turns.sequences] == [
        ("osm:way/1:0:f", ("osm:way/3:0:f",), ["osm:way/2:1:f"], False)
    ]
    loose = scene_banned_turns(net, pd.DataFrame([{**U_TURN, "via_osm": "osm:way/5"}]))
    assert loose.sequences == [] and loose.applied == []
    assert loose.skipped == [("r_u", "on the car network no path from way 1 along via way 5 reaches a link of to way 2")]
    two = scene_banned_turns(net, pd.DataFrame([{**U_TURN, "kind": "no_left_turn", "via_osm": "osm:way/1,4", "to_way": "osm:way/2", "from_way": "osm:way/6"}]))
    assert [(name[s.entry], tuple(name[v] for v in s.via), sorted(name[j] for j in s.exits)) for s in two.sequences] == [
        ("osm:way/6:0:f", ("osm:way/1:1:f", "osm:way/4:0:f"), ["osm:way/2:0:f"])
    ]
    with pytest.raises(InputError, match="via_osm must be via ways") as err:
        scene_banned_turns(net, pd.DataFrame([{**U_TURN, "via_osm": "osm:way/3,x"}]))
    assert (err.value.obj, err.value.field) == ("r_u", "via_osm")


def test_two_via_ways_copy_the_whole_via_path() -> None:
    """no_left_turn 6 -> (via 1, 4) -> 2: the expanded network has a copy of B-C entered only from
    H-B, whose one way out is into a copy of C-F (not the original C-F, which would let the
    sequence through), and that copy has no way out (its one exit, onto 2 at F, is the banned
    one). Flows on the copies are counted on B-C and C-F."""
    from twin.traffic.turns import expand_turns

    row = {**U_TURN, "kind": "no_left_turn", "from_way": "osm:way/6", "via_osm": "osm:way/1,4"}
    net = Network.from_scene(dual_scene([row]), mode="car")
    turns = banned_turns_of_scene(dual_scene([row]), net)
    tn = expand_turns(net, sequences=turns.sequences)
    x = tn.network
    copies = np.flatnonzero(tn.copy_link)
    assert sorted(net.link_ids[tn.link_of[c]] for c in copies) == ["osm:way/1:1:f", "osm:way/4:0:f"]
    bc, cf = sorted(copies, key=lambda c: net.link_ids[tn.link_of[c]])
    out_bc = np.flatnonzero(x.from_node == x.to_node[bc])
    assert len(out_bc) == 1 and x.to_node[out_bc[0]] == x.from_node[cf]
    assert np.flatnonzero(x.from_node == x.to_node[cf]).size == 0
    into_bc = np.flatnonzero(x.to_node == x.from_node[bc])
    assert [tuple(net.link_ids[k] for k in tn.turn_of[e]) for e in into_bc] == [("osm:way/6:0:f", "osm:way/1:1:f")]
    ids = list(net.link_ids)
    flow = np.zeros(x.n_links)
    flow[[bc, cf]] = 2.0
    flow[(tn.link_of == ids.index("osm:way/1:1:f")) & ~tn.copy_link] = 3.0
    back = tn.link_flow(flow)
    assert (back[ids.index("osm:way/1:1:f")], back[ids.index("osm:way/4:0:f")], back.sum()) == (5.0, 2.0, 7.0)
    assert tn.link_values(flow)[ids.index("osm:way/1:1:f")] == 3.0  # the link's own value, not its copy's


def test_dynamic_loading_says_via_ways_are_not_applied(tmp_path: Path) -> None:
    """``twin traffic simulate`` (its work): the via-way restriction is listed as not applied with
    the reason, and a trickle A -> D takes the direct 21 s (within 2 steps of 1 s)."""
    from twin.export import write_scene
    from twin.traffic.dynamic_commands import VIA_WAY_NOT_IN_DYNAMIC, run_simulate

    write_scene(dual_scene([U_TURN], capacity_veh_h=1800.0), tmp_path / "scene")
    od = tmp_path / "dyn.csv"
    pd.DataFrame({"origin": ["A"], "destination": ["D"], "t_start_s": [0.0], "t_end_s": [60.0], "flow_veh_s": [0.01]}).to_csv(od, index=False)
    s = run_simulate([tmp_path / "scene"], demand=od, dt_s=1.0, duration_s=300.0, routes="free_flow", output=None, timeseries=None, crs=None, scene_crs="EPSG:31370")
    assert (s["turn_restrictions_applied"], s["turn_restrictions_skipped"]) == (0, 1)
    assert s["turn_restrictions_not_applied"] == [{"restriction_id": "r_u", "reason": VIA_WAY_NOT_IN_DYNAMIC}]
    assert abs(s["mean_trip_time_s"] - 21.0) <= 2.0


def test_mobility_restrictions_leave_the_car_network_unchanged() -> None:
    """The district model's restriction step returns a new network and leaves its input's meta as built."""
    from twin.traffic.mobility import _with_restrictions

    scene = dual_scene([U_TURN])
    net = Network.from_scene(scene, mode="car")
    net.meta.update(mode="car")
    before = {k: np.copy(v) if isinstance(v, np.ndarray) else v for k, v in net.meta.items()}
    out, turns, turned = _with_restrictions(scene, net)
    assert out is not net and turns.applied == ["r_u"] and turned.original is net
    assert net.meta.keys() == before.keys() and all(np.array_equal(net.meta[k], before[k]) for k in before if isinstance(before[k], np.ndarray))
    assert int(turned.copy_link.sum()) == 1 and list(out.link_ids).count("osm:way/3:0:f") == 2  # the crossing and its copy


# ------------------------------------------------------------------------------- OSM file
OSM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="hand">
  <node id="1" lat="50.8301000" lon="4.3500000"/>
  <node id="2" lat="50.8301000" lon="4.3510000"/>
  <node id="3" lat="50.8301000" lon="4.3520000"/>
  <node id="4" lat="50.8300000" lon="4.3500000"/>
  <node id="5" lat="50.8300000" lon="4.3510000"/>
  <node id="6" lat="50.8300000" lon="4.3520000"/>
  <node id="7" lat="50.8290000" lon="4.3510000"/>
  <way id="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="primary"/><tag k="oneway" v="yes"/></way>
  <way id="2"><nd ref="6"/><nd ref="5"/><nd ref="4"/><tag k="highway" v="primary"/><tag k="oneway" v="yes"/></way>
  <way id="3"><nd ref="2"/><nd ref="5"/><tag k="highway" v="primary"/><tag k="oneway" v="yes"/></way>
  <way id="4"><nd ref="3"/><nd ref="6"/><tag k="highway" v="primary"/><tag k="oneway" v="yes"/></way>
  <way id="5"><nd ref="5"/><nd ref="7"/><tag k="highway" v="residential"/></way>
  <relation id="200"><member type="way" ref="1" role="from"/><member type="way" ref="3" role="via"/>
    <member type="way" ref="2" role="to"/><tag k="type" v="restriction"/><tag k="restriction" v="no_u_turn"/></relation>
  <relation id="201"><member type="way" ref="1" role="from"/><member type="way" ref="5" role="via"/>
    <member type="way" ref="2" role="to"/><tag k="type" v="restriction"/><tag k="restriction" v="no_u_turn"/></relation>
  <relation id="202"><member type="way" ref="1" role="from"/><member type="way" ref="99" role="via"/>
    <member type="way" ref="2" role="to"/><tag k="type" v="restriction"/><tag k="restriction" v="no_u_turn"/></relation>
</osm>
"""
"""The dual carriageway as an OSM file: way 1 eastbound (1-2-3), way 2 westbound (6-5-4), way 3
the crossing 2 -> 5, way 4 the crossing 3 -> 6, way 5 a street south of 5. Relation 200: no
U-turn 1 -> via 3 -> 2 (a chain); 201: via way 5, which does not touch way 1 (no chain); 202:
via way 99, not in the file."""


def test_osm_file_via_way_restrictions(tmp_path: Path) -> None:
    """Ingest maps 200 (via_osm osm:way/3, no via node, no reason) and reports 201 and 202 in the
    table and the drop list with their reason; on the car network 200 bans the sequence
    1 -> 3 -> 2 (the links out of node 2, by hand) and nothing else."""
    from twin.ingest.dispatch import ingest

    path = tmp_path / "dual.osm"
    path.write_text(OSM_XML, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene, results = ingest([path], context=False)
    table = scene.turn_restrictions.set_index("restriction_id")
    assert table.loc["osm:relation/200", ["reason", "via_node", "via_osm"]].tolist() == ["", "", "osm:way/3"]
    assert table.loc["osm:relation/201", "reason"] == "from way 1 and via way 5 share no node in the file (the via ways do not join the from way to the to way)"
    assert table.loc["osm:relation/202", "reason"] == "via way 99 is not in the file"
    dropped = {d.obj: d.reason for d in results[0].dropped}
    assert "osm:relation/200" not in dropped
    for rid in ("osm:relation/201", "osm:relation/202"):
        assert table.loc[rid, "reason"] in dropped[rid]
    net = Network.from_scene(scene, mode="car")
    turns = banned_turns_of_scene(scene, net)
    assert turns.applied == ["osm:relation/200"] and turns.banned == []
    name = net.link_ids
    ((entry, via, exits),) = [(s.entry, s.via, s.exits) for s in turns.sequences]
    node2 = net.to_node[entry]
    assert name[entry].startswith("osm:way/1:") and all(name[v].startswith("osm:way/3:") for v in via) and net.from_node[via[0]] == node2
    assert [name[j].split(":")[1] for j in exits] == ["way/2"] and net.from_node[next(iter(exits))] == net.to_node[via[-1]]


def test_brussels_extract_has_no_via_way_restriction() -> None:
    """The shared 2013 extract: its 10 restriction relations (GDAL's other_relations) each have a
    point member (the via node) and at most two line members (from, to: no room for a via way);
    pyosmium's members agree: no via way. So no via-way restriction is mapped there (0 of 0)."""
    import pyogrio

    pbf = shared_path("brussels", "brussels_capital_region_2013-01-01.osm.pbf")
    rel = pyogrio.read_dataframe(pbf, layer="other_relations")
    rel = rel[rel["type"] == "restriction"]
    assert len(rel) == 10
    for g in rel.geometry:
        kinds = [p.geom_type for p in shapely.get_parts(g)]
        assert "Point" in kinds and kinds.count("LineString") <= 2
    from twin.io.osm_relations import read_osm_restrictions

    found = read_osm_restrictions(pbf)
    assert found.n_relations == 10 and not any(r.via_ways for r in found.restrictions)
