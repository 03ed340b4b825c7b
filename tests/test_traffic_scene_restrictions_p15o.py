"""OSM turn restrictions kept by a scene and applied on its networks (issue 15, build item 1).

Against the outside world: the shared Brussels 2013 extract ingested (streets only), its
restriction relations counted with GDAL's OSM driver (``other_relations``, a reader independent
of pyosmium) and their via nodes checked against GDAL's way geometries; one restriction's banned
movement is detoured in static assignment and in dynamic loading, its travel times checked
against shortest paths that scipy finds on a link-to-link graph built here (not twin's
expansion). By hand: a small OSM file and a small scene of frames with a restriction, and the
restrictions that cannot be used (ways that do not meet) reported, never applied (via-way
restrictions: tests/test_traffic_via_way_p15v.py).
"""

from __future__ import annotations

import json
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

PBF = ("brussels", "brussels_capital_region_2013-01-01.osm.pbf")
RELATION = "osm:relation/2660126"
"""no_left_turn from way 62020113 to way 62020120 at node 145356 (Brussels, 2013 extract)."""


@pytest.fixture(scope="module")
def brussels_streets():
    """The streets of the shared extract as a scene (about 2 s), and the ingest results."""
    from twin.ingest.dispatch import ingest

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ingest([shared_path(*PBF)], layers=("streets",), context=False)


def test_brussels_restrictions_in_the_scene_against_the_file(brussels_streets) -> None:
    """10 restriction relations in the file (GDAL); 7 mapped to the scene's network, 3 reported
    with the reason: one without a to member, two whose to way is not in the extract (not among
    GDAL's lines either). Every mapped via node is a vertex shared by the from and to ways'
    geometries as GDAL builds them."""
    import pyogrio

    from twin.ingest.streets import cell_node_ids, default_snap, snap_cells

    scene, results = brussels_streets
    pbf = shared_path(*PBF)
    relations = pyogrio.read_dataframe(pbf, layer="other_relations", read_geometry=False)
    gdal_ids = {f"osm:relation/{int(i)}" for i in relations.loc[relations["type"] == "restriction", "osm_id"]}
    table = scene.turn_restrictions
    assert len(gdal_ids) == 10 and set(table["restriction_id"]) == gdal_ids
    usable = table[table["reason"] == ""]
    assert len(usable) == 7
    reasons = dict(zip(table["restriction_id"], table["reason"], strict=True))
    assert reasons["osm:relation/1861880"] == "1 from and 0 to ways"
    assert reasons["osm:relation/1788516"] == "to way 133080659 is not in the file"
    assert reasons["osm:relation/2010713"] == "to way 149048734 is not in the file"
    dropped = {d.obj: d.reason for d in results[0].dropped}
    assert all(rid in dropped and reasons[rid] in dropped[rid] for rid in gdal_ids - set(usable["restriction_id"]))
    lines = pyogrio.read_dataframe(pbf, layer="lines", columns=["osm_id", "highway"])
    way_geom = dict(zip(lines["osm_id"].astype(str), lines.geometry, strict=True))
    assert "133080659" not in way_geom and "149048734" not in way_geom
    snap = default_snap("EPSG:4326")
    prefix = usable["via_node"].iloc[0].rsplit(":", 1)[0]
    for r in usable.itertuples():
        a = shapely.get_coordinates(way_geom[r.from_way.split("/")[1]])
        b = shapely.get_coordinates(way_geom[r.to_way.split("/")[1]])
        shared = set(cell_node_ids(prefix, snap_cells(a, snap))) & set(cell_node_ids(prefix, snap_cells(b, snap)))
        assert r.via_node in shared


def _crop(scene, node_id: str, radius_m: float):
    """The scene's streets within ``radius_m`` of a node, with all its restrictions."""
    from twin.scene import Scene

    centre = scene.nodes.set_index("node_id").geometry[node_id]
    links = scene.links[scene.links.geometry.distance(centre) < radius_m]
    sub = Scene(crs=scene.crs)
    sub.add("links", links)
    sub.add("nodes", scene.nodes[scene.nodes["node_id"].isin(set(links["from_node"]) | set(links["to_node"]))])
    sub.add("turn_restrictions", scene.turn_restrictions)
    return sub


def _reference_time_s(net: Network, origin: str, destination: str, banned: list[tuple[int, int]]) -> float:
    """Free-flow time origin -> destination (s), by scipy on a graph of links: one vertex per link,
    an edge per allowed turn weighted by the time of the link turned into, a source before the
    origin's out-links and a sink after the destination's in-links."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import dijkstra

    m = net.n_links
    ban = set(banned)
    frm, to = net.from_node, net.to_node
    o, d = net.node_index(origin), net.node_index(destination)
    rows, cols, w = [], [], []
    for i in range(m):
        for j in np.flatnonzero(frm == to[i]):
            if (i, int(j)) not in ban:
                rows.append(i), cols.append(int(j)), w.append(net.free_flow_time[j])
    for j in np.flatnonzero(frm == o):
        rows.append(m), cols.append(int(j)), w.append(net.free_flow_time[j])
    for i in np.flatnonzero(to == d):
        rows.append(int(i)), cols.append(m + 1), w.append(0.0)
    graph = sp.csr_matrix((np.asarray(w) + 1e-12, (rows, cols)), shape=(m + 2, m + 2))
    return float(dijkstra(graph, indices=m)[m + 1])


@pytest.fixture(scope="module")
def detour_case(brussels_streets, tmp_path_factory):
    """Relation 2660126 on the streets within 300 m of its via node, written as a scene folder;
    origin the tail of the from way's in-link, destination the head of the to way's out-link."""
    from twin.export import write_scene

    scene, _ = brussels_streets
    row = scene.turn_restrictions.set_index("restriction_id").loc[RELATION]
    sub = _crop(scene, row["via_node"], 300.0)
    net = Network.from_scene(sub, mode="car")
    one = scene_banned_turns(net, sub.turn_restrictions[sub.turn_restrictions["restriction_id"] == RELATION])
    assert len(one.banned) == 1  # no_left_turn: one movement
    i, j = one.banned[0]
    origin, destination = str(net.node_ids[net.from_node[i]]), str(net.node_ids[net.to_node[j]])
    folder = tmp_path_factory.mktemp("p15o") / "scene"
    write_scene(sub, folder)
    return folder, sub, origin, destination


def test_brussels_restriction_detours_in_static_assignment(detour_case, tmp_path) -> None:
    """1 veh/h from the from way to the to way: with the scene's restrictions the flow leaves the
    banned left turn and its OD time is scipy's shortest time without that turn (19.4 s against
    0.8 s + the in-link); without them (--no-restrictions) the direct time."""
    from twin.traffic.assign_commands import run_scene_assign

    folder, sub, origin, destination = detour_case
    demand = tmp_path / "od.csv"
    pd.DataFrame({"origin": [origin], "destination": [destination], "flow_veh_h": [1.0]}).to_csv(demand, index=False)
    runs = {}
    for on in (True, False):
        # the restrictions alone: the scipy reference has no signal delays (the crop's ingested
        # signals are checked in tests/test_ingest_osm_signals.py)
        result, summary = run_scene_assign([folder], demand=demand, algorithm="b", gap=1e-10, max_iter=None, output=None, crs=None,
                                           scene_crs="EPSG:31370", restrictions=on, signals=False)  # fmt: skip
        runs[on] = (result, summary)
    net = runs[True][0].network
    banned = banned_turns_of_scene(sub, net).banned
    with_ban, direct = _reference_time_s(net, origin, destination, banned), _reference_time_s(net, origin, destination, [])
    assert with_ban > direct + 10.0
    for on, ref in ((True, with_ban), (False, direct)):
        result, summary = runs[on]
        used = result.flow > 0.5
        assert np.sum(result.time[used]) == pytest.approx(ref, rel=1e-6)  # one path carries the 1 veh/h
    # the crop keeps the table of 10: only this one's via node is on its network
    assert (runs[True][1]["turn_restrictions"], runs[True][1]["turn_restrictions_applied"]) == (10, 1)
    assert runs[False][1]["turn_restrictions"] == "off"
    i, j = scene_banned_turns(net, sub.turn_restrictions[sub.turn_restrictions["restriction_id"] == RELATION]).banned[0]
    assert runs[False][0].flow[i] > 0.5 and runs[False][0].flow[j] > 0.5  # the direct route takes the turn
    assert not (runs[True][0].flow[i] > 0.5 and runs[True][0].flow[j] > 0.5)


def test_brussels_restriction_detours_in_dynamic_loading(detour_case, tmp_path) -> None:
    """The same movement in dynamic loading (twin traffic simulate's work): a trickle of vehicles
    (0.01 veh/s for 60 s) takes scipy's detour time with the restrictions, the direct time
    without, each within 2 time steps of 1 s."""
    from twin.traffic.dynamic_commands import run_simulate

    folder, sub, origin, destination = detour_case
    demand = tmp_path / "od.csv"
    pd.DataFrame({"origin": [origin], "destination": [destination], "t_start_s": [0.0], "t_end_s": [60.0], "flow_veh_s": [0.01]}).to_csv(demand, index=False)
    net = Network.from_scene(sub, mode="car")
    refs = {True: _reference_time_s(net, origin, destination, banned_turns_of_scene(sub, net).banned), False: _reference_time_s(net, origin, destination, [])}
    for on, ref in refs.items():
        s = run_simulate([folder], demand=demand, dt_s=1.0, duration_s=300.0, routes="free_flow", output=None, timeseries=None, crs=None,
                         scene_crs="EPSG:31370", restrictions=on)  # fmt: skip
        assert s["arrived_veh"] == pytest.approx(0.6, rel=1e-6)
        assert abs(s["mean_trip_time_s"] - ref) <= 2.0, (on, s["mean_trip_time_s"], ref)
        assert s["turn_restrictions_applied"] == (1 if on else 0)
    assert refs[True] > refs[False] + 10.0


# ------------------------------------------------------------------------------- by hand
OSM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="hand">
  <node id="1" lat="50.8300000" lon="4.3500000"/>
  <node id="2" lat="50.8300000" lon="4.3510000"/>
  <node id="3" lat="50.8300000" lon="4.3520000"/>
  <node id="4" lat="50.8306000" lon="4.3510000"/>
  <node id="5" lat="50.8294000" lon="4.3510000"/>
  <node id="6" lat="50.8306000" lon="4.3520000"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/></way>
  <way id="20"><nd ref="2"/><nd ref="3"/><tag k="highway" v="residential"/></way>
  <way id="30"><nd ref="2"/><nd ref="4"/><tag k="highway" v="residential"/></way>
  <way id="40"><nd ref="5"/><nd ref="2"/><tag k="highway" v="residential"/></way>
  <way id="50"><nd ref="4"/><nd ref="6"/><nd ref="3"/><tag k="highway" v="residential"/></way>
  <way id="60"><nd ref="3"/><nd ref="6"/><tag k="highway" v="footway"/><tag k="foot" v="no"/></way>
  <relation id="100"><member type="way" ref="10" role="from"/><member type="node" ref="2" role="via"/>
    <member type="way" ref="30" role="to"/><tag k="type" v="restriction"/><tag k="restriction" v="no_left_turn"/></relation>
  <relation id="101"><member type="way" ref="40" role="from"/><member type="node" ref="2" role="via"/>
    <member type="way" ref="20" role="to"/><tag k="type" v="restriction"/><tag k="restriction" v="only_right_turn"/></relation>
  <relation id="102"><member type="way" ref="10" role="from"/><member type="node" ref="3" role="via"/>
    <member type="way" ref="20" role="to"/><tag k="type" v="restriction"/><tag k="restriction" v="no_straight_on"/></relation>
  <relation id="103"><member type="way" ref="10" role="from"/><member type="way" ref="20" role="via"/>
    <member type="way" ref="50" role="to"/><tag k="type" v="restriction"/><tag k="restriction" v="no_left_turn"/></relation>
  <relation id="104"><member type="way" ref="20" role="from"/><member type="node" ref="3" role="via"/>
    <member type="way" ref="60" role="to"/><tag k="type" v="restriction"/><tag k="restriction" v="no_right_turn"/></relation>
  <relation id="105"><member type="way" ref="20" role="from"/><member type="node" ref="2" role="via"/>
    <member type="way" ref="30" role="to"/><tag k="type" v="restriction"/><tag k="restriction:hgv" v="no_right_turn"/></relation>
  <relation id="106"><member type="way" ref="10" role="from"/><member type="node" ref="2" role="via"/>
    <member type="way" ref="20" role="to"/><tag k="type" v="restriction"/>
    <tag k="restriction:conditional" v="no_straight_on @ (Mo-Fr 07:00-09:00)"/></relation>
</osm>
"""
"""A cross at node 2: way 10 from the west, 20 to the east, 30 to the north, 40 from the south;
way 50 joins 4 (north) to 3 (east) through 6; way 60 is closed to every mode. Relation 100:
no left turn 10 -> 30 at 2; 101: only right 40 -> 20 at 2; 102: ways 10 and 20 do not meet at
node 3 (way 10 ends at 2); 103: a via way; 104: its to way is not a street of the scene; 105:
for lorries only (restriction:hgv), mapped but not binding cars; 106: conditional (weekday
mornings), not applied."""


def test_hand_made_osm_file(tmp_path: Path) -> None:
    """Ingest of the small file: 4 restrictions mapped, 3 reported with their reason (and in the
    ingest's drop list); on the car network 100 bans 10 -> 30 at node 2 and 101 bans 40 -> 10
    (the U-turn onto the from way's own reverse link too: 40 -> 40 back), by hand; 103 (via way
    20) bans the sequence 10 -> 20 -> 50 at node 3."""
    from twin.ingest.dispatch import ingest

    path = tmp_path / "cross.osm"
    path.write_text(OSM_XML, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scene, results = ingest([path], context=False)
    table = scene.turn_restrictions.set_index("restriction_id")
    assert sorted(table.index) == sorted(f"osm:relation/{i}" for i in (100, 101, 102, 103, 104, 105, 106))
    assert table.loc["osm:relation/106", "reason"].startswith("conditional restriction 'no_straight_on @ (Mo-Fr 07:00-09:00)'")
    assert table.loc["osm:relation/105", "reason"] == "" and table.loc["osm:relation/105", "vehicles"] == "hgv"
    assert table.loc["osm:relation/100", "reason"] == "" and table.loc["osm:relation/101", "reason"] == ""
    assert table.loc["osm:relation/102", "reason"] == "from way 10 and to way 20 do not meet at via node 3 in the file"
    assert table.loc["osm:relation/103", ["reason", "via_node", "via_osm"]].tolist() == ["", "", "osm:way/20"]  # via-way: mapped since p15v
    assert table.loc["osm:relation/104", "reason"].startswith("to way osm:way/60 is not a street of the scene (no mode of transport allowed")
    dropped = {d.obj for d in results[0].dropped}
    assert {"osm:relation/102", "osm:relation/104", "osm:relation/106"} <= dropped and "osm:relation/103" not in dropped
    via = table.loc["osm:relation/100", "via_node"]
    assert via == table.loc["osm:relation/101", "via_node"] == "osm:cross:43510000_508300000"  # node 2, 1e-7 degree cells

    net = Network.from_scene(scene, mode="car")
    turns = banned_turns_of_scene(scene, net)
    names = {(str(net.link_ids[i]), str(net.link_ids[j])) for i, j in turns.banned}
    assert names == {
        ("osm:way/10:0:f", "osm:way/30:0:f"),  # 100: west -> north
        ("osm:way/40:0:f", "osm:way/10:0:b"),  # 101: south -> west (left)
        ("osm:way/40:0:f", "osm:way/30:0:f"),  # 101: south -> north (straight)
        ("osm:way/40:0:f", "osm:way/40:0:b"),  # 101: U-turn back south
    }
    assert turns.applied == ["osm:relation/100", "osm:relation/101", "osm:relation/103"] and len(turns.skipped) == 4
    assert [(net.link_ids[s.entry], [net.link_ids[v] for v in s.via], sorted(net.link_ids[j] for j in s.exits)) for s in turns.sequences] == [
        ("osm:way/10:0:f", ["osm:way/20:0:f"], ["osm:way/50:0:b"])
    ]
    assert ("osm:relation/105", "does not bind the car mode (restriction:hgv, except=none)") in turns.skipped


def _frames_scene(restrictions: pd.DataFrame):
    """A T of three two-way streets meeting at node c (frames, ids as an OSM ingest writes them)."""
    from twin.scene import Scene

    xy = {"w": (0.0, 0.0), "c": (100.0, 0.0), "e": (200.0, 0.0), "n": (100.0, 100.0)}
    rows = []
    for way, (a, b) in {1: ("w", "c"), 2: ("c", "e"), 3: ("c", "n")}.items():
        for suffix, (u, v) in (("f", (a, b)), ("b", (b, a))):
            rows.append({"link_id": f"osm:way/{way}:0:{suffix}", "from_node": u, "to_node": v, "length_m": 100.0, "free_speed_m_s": 10.0,
                         "capacity_veh_h": 600.0, "modes": "car,truck", "source_id": f"osm:way/{way}", "geometry": shapely.LineString([xy[u], xy[v]])})  # fmt: skip
    scene = Scene(crs="EPSG:31370")
    scene.add("links", gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:31370"))
    scene.add("nodes", gpd.GeoDataFrame({"node_id": list(xy)}, geometry=[shapely.Point(p) for p in xy.values()], crs="EPSG:31370"))
    scene.add("turn_restrictions", restrictions)
    return scene


def test_hand_made_scene_frames() -> None:
    """no_left_turn 1 -> 3 at c bans exactly west->north; a row with a reason is skipped with it;
    a via node not on the network is skipped; restriction:hgv binds lorries, not cars, and
    except=motorcar exempts cars only; a malformed way id is an InputError naming it."""
    table = pd.DataFrame({
        "restriction_id": ["r1", "r2", "r3"], "kind": ["no_left_turn", "no_right_turn", "no_left_turn"],
        "from_way": ["osm:way/1", "osm:way/2", "osm:way/1"], "via_node": ["c", "", "x"], "to_way": ["osm:way/3", "osm:way/3", "osm:way/3"],
        "reason": ["", "ways do not meet", ""],
    })  # fmt: skip
    scene = _frames_scene(table)
    net = Network.from_scene(scene, mode="car")
    assert sorted(net.meta["osm_way_id"].tolist()) == [1, 1, 2, 2, 3, 3]
    turns = banned_turns_of_scene(scene, net)
    assert [(str(net.link_ids[i]), str(net.link_ids[j])) for i, j in turns.banned] == [("osm:way/1:0:f", "osm:way/3:0:f")]
    assert turns.skipped[0] == ("r2", "ways do not meet") and turns.skipped[1][0] == "r3"
    lorries = table.iloc[:1].assign(vehicles="hgv")
    assert scene_banned_turns(net, lorries).banned == [] and len(scene_banned_turns(Network.from_scene(scene, mode="truck"), lorries).banned) == 1
    cars_exempt = table.iloc[:1].assign(exempt="bicycle;motorcar")
    assert scene_banned_turns(net, cars_exempt).banned == [] and len(scene_banned_turns(Network.from_scene(scene, mode="truck"), cars_exempt).banned) == 1
    bad = table.iloc[:1].assign(from_way="way 1")
    with pytest.raises(InputError, match="from_way must be an OSM way id") as err:
        scene_banned_turns(net, bad)
    assert err.value.obj == "r1"


def test_scene_without_restrictions_reads_and_round_trips(tmp_path: Path) -> None:
    """An old scene folder (no turn_restrictions.parquet) reads with no restrictions; a scene with
    the table writes and reads it back unchanged (folder and GeoPackage)."""
    from twin.export import write_scene
    from twin.scene.io import read_scene

    scene = _frames_scene(pd.DataFrame({"restriction_id": ["r1"], "kind": ["no_left_turn"], "from_way": ["osm:way/1"], "via_node": ["c"],
                                        "to_way": ["osm:way/3"]}))  # fmt: skip
    write_scene(scene, tmp_path / "with")
    back = read_scene(tmp_path / "with")
    pd.testing.assert_frame_equal(back.turn_restrictions, scene.turn_restrictions)
    write_scene(scene, tmp_path / "with.gpkg")
    gpkg = read_scene(tmp_path / "with.gpkg").turn_restrictions
    assert gpkg.fillna("").astype(str).to_dict("records") == scene.turn_restrictions.astype(str).to_dict("records")
    (tmp_path / "with" / "turn_restrictions.parquet").unlink()  # as written before the layer existed: not in scene.json either
    meta_path = tmp_path / "with" / "scene.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    del meta["layers"]["turn_restrictions"]
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    old = read_scene(tmp_path / "with")
    assert len(old.turn_restrictions) == 0
    assert banned_turns_of_scene(old, Network.from_scene(old, mode="car")).summary()["turn_restrictions"] == 0


@pytest.fixture
def t_scene_folder(tmp_path: Path) -> Path:
    """The T of frames (10 s per link: 100 m at 10 m/s) with 'no left turn from way 1 to way 3 at
    c' written as a scene folder. By hand, west -> north: 20 s straight through c (w-c, c-n); with
    the ban 40 s (w-c, c-e, U-turn at the dead end e, e-c, c-n)."""
    from twin.export import write_scene

    scene = _frames_scene(pd.DataFrame({"restriction_id": ["r1"], "kind": ["no_left_turn"], "from_way": ["osm:way/1"], "via_node": ["c"],
                                        "to_way": ["osm:way/3"]}))  # fmt: skip
    write_scene(scene, tmp_path / "t")
    return tmp_path / "t"


@pytest.mark.parametrize(("flags", "time_s", "applied"), [([], 40.0, 1), (["--no-restrictions"], 20.0, 0)])
def test_cli_assign_and_simulate_on_a_scene(t_scene_folder: Path, tmp_path: Path, flags, time_s, applied) -> None:
    """``twin traffic assign --scene`` (1 veh/h) and ``twin traffic simulate`` (0.01 veh/s for 60 s)
    west -> north on the T: the hand times above, the restriction counted in the summary and
    printed."""
    import json

    from typer.testing import CliRunner

    from twin.cli.main import app

    static = tmp_path / "od.csv"
    pd.DataFrame({"origin": ["w"], "destination": ["n"], "flow_veh_h": [1.0]}).to_csv(static, index=False)
    res = CliRunner().invoke(app, ["traffic", "assign", "--scene", str(t_scene_folder), "--demand", str(static), "--json", *flags])
    assert res.exit_code == 0, res.output
    s = json.loads(res.output)
    assert s["total_system_travel_time"] == pytest.approx(time_s, rel=1e-9) and s["turn_restrictions_applied"] == applied
    text = CliRunner().invoke(app, ["traffic", "assign", "--scene", str(t_scene_folder), "--demand", str(static), "-q", *flags])
    assert ("turn restrictions            1 of 1 applied (1 banned turns)" if applied else "turn restrictions            off") in text.output
    dynamic = tmp_path / "dyn.csv"
    pd.DataFrame({"origin": ["w"], "destination": ["n"], "t_start_s": [0.0], "t_end_s": [60.0], "flow_veh_s": [0.01]}).to_csv(dynamic, index=False)
    res = CliRunner().invoke(app, ["traffic", "simulate", str(t_scene_folder), "--demand", str(dynamic), "--routes", "free_flow",
                                   "--duration", "300", "--json", *flags])  # fmt: skip
    assert res.exit_code == 0, res.output
    s = json.loads(res.output)
    assert abs(s["mean_trip_time_s"] - time_s) <= 2.0 and s["turn_restrictions_applied"] == applied


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--demand", "{od}"], "--net"),
        (["--scene", "{scene}"], "--demand"),
        (["--scene", "{scene}", "--demand", "{od}", "--net", "x.tntp"], "--net"),
        (["--scene", "{scene}", "--demand", "{bad}"], "origin"),
    ],
    ids=["demand-without-scene", "scene-without-demand", "scene-and-net", "unknown-node"],
)
def test_cli_assign_scene_bad_input(t_scene_folder: Path, tmp_path: Path, args, field) -> None:
    """Bad input of a scene assignment: an InputError naming the option or the demand column."""
    from typer.testing import CliRunner

    from twin.cli.main import app

    od, bad = tmp_path / "od.csv", tmp_path / "bad.csv"
    pd.DataFrame({"origin": ["w"], "destination": ["n"], "flow_veh_h": [1.0]}).to_csv(od, index=False)
    pd.DataFrame({"origin": ["nowhere"], "destination": ["n"], "flow_veh_h": [1.0]}).to_csv(bad, index=False)
    filled = [a.format(od=od, bad=bad, scene=t_scene_folder) for a in args]
    res = CliRunner().invoke(app, ["traffic", "assign", *filled])
    assert isinstance(res.exception, InputError) and res.exception.field == field, res.output


def test_mobility_car_assignment_obeys_a_restriction() -> None:
    """Saint-Gilles (its sample streets are OSM ways) with one added only_straight_on: the busiest
    morning link whose head node has a side street carrying less than half its flow, restricted to
    turn into that street. With the restriction the whole flow of the link continues into the
    street (its flow at least the link's), against less than half without; the car network says
    how many restrictions it applied."""
    from tests.traffic_helpers import stgilles_scene
    from twin.traffic.mobility import MobilityOptions, run_district_mobility

    scene = stgilles_scene()
    base = run_district_mobility(scene, MobilityOptions(feedback=1))
    flow = base.periods["am_peak"].link_flow
    links = scene.links[scene.links["modes"].str.contains("car") & scene.links["link_id"].str.startswith("osm:way/")]
    best = None
    for r in links.itertuples():
        outs = links[(links["from_node"] == r.to_node) & (links["to_node"] != r.from_node) & (links["source_id"] != r.source_id)]
        for o in outs.itertuples():
            if flow.get(r.link_id, 0.0) > 2.0 * flow.get(o.link_id, 0.0) and (best is None or flow[r.link_id] > flow[best[0].link_id]):
                best = (r, o)
    assert best is not None
    r, o = best
    table = pd.DataFrame({"restriction_id": ["test:1"], "kind": ["only_straight_on"], "from_way": [r.source_id], "via_node": [r.to_node], "to_way": [o.source_id]})
    restricted = scene.copy()
    restricted.add("turn_restrictions", table)
    res = run_district_mobility(restricted, MobilityOptions(feedback=1))
    assert any(n.startswith("car network: 1 of 1 OSM turn restrictions applied") for n in res.notes)
    after = res.periods["am_peak"].link_flow
    assert flow[r.link_id] > 2.0 * flow.get(o.link_id, 0.0)
    assert after[o.link_id] >= after[r.link_id] - 1e-6 * max(after[r.link_id], 1.0) and after[r.link_id] > 0
    net = res.periods["am_peak"].car_net.network
    assert [lid for lid in net.link_ids.tolist() if lid.startswith(f"conn:car:turn:{r.link_id}->")] == [f"conn:car:turn:{r.link_id}->{o.link_id}"]
