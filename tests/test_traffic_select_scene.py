"""Select-link and select-zone on a scene's street network (issue 15: where displaced traffic goes).

By hand: the T-junction of tests/test_traffic_movements.py with its no_left_turn W -> N (the
assignment runs on the turn-expanded network; W -> N goes on to the dead end E, turns and comes
back), a capacity that makes congestion nil, so every OD pair has one route written out here:
the select-link OD table of every street link is the demand of the pairs whose route uses it,
and the select-zone flows are the demand summed along the routes. On the Saint-Gilles sample with
its OSM signals (stop lines) and turn penalties (turn-expanded network): the select-link OD total
equals the assigned flow of the busiest street link where routes split, the per-street-link table's flows are those
of ``twin traffic assign --scene -o``, and the select-link flows balance at every street node
against the selected OD pairs' origins and destinations. Bad input: one line, exit 2.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.test_traffic_movements import DEMAND, NO_LEFT, link_id, scene_folder
from twin.traffic.select_commands import SelectOutputs

SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"
ROUTES = {  # street links of every OD pair's one route with no_left_turn W -> N, by hand
    ("W", "E"): ("1f", "2f"),
    ("W", "N"): ("1f", "2f", "2b", "3f"),  # round the dead end E
    ("N", "E"): ("3b", "2f"),
    ("E", "W"): ("2b", "1b"),
    ("N", "W"): ("3b", "1b"),
    ("E", "N"): ("2b", "3f"),
}
FLOW = {(o, d): f for o, d, f in DEMAND}


def write_demand(path: Path, rows: list[tuple[str, str, float]]) -> Path:
    pd.DataFrame(rows, columns=["origin", "destination", "flow_veh_h"]).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def t_case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The T-junction scene folder (with the restriction) and its demand table."""
    tmp = tmp_path_factory.mktemp("t_select")
    return scene_folder(tmp, [NO_LEFT]), write_demand(tmp / "od.csv", DEMAND)


def node_balance(table: pd.DataFrame, od: pd.DataFrame, column: str) -> dict[str, float]:
    """Per street node: select-link flow out - in - (selected trips starting there - ending there)."""
    out = table.groupby("from_node")[column].sum()
    into = table.groupby("to_node")[column].sum()
    start = od.groupby("origin")["flow_veh_h"].sum()
    end = od.groupby("destination")["flow_veh_h"].sum()
    nodes = set(table["from_node"]) | set(table["to_node"])
    return {v: float(out.get(v, 0.0) - into.get(v, 0.0) - start.get(v, 0.0) + end.get(v, 0.0)) for v in nodes}


@pytest.mark.parametrize("short", ["1f", "1b", "2f", "2b", "3f", "3b"])
def test_t_junction_select_link_od_by_hand(t_case: tuple[Path, Path], tmp_path: Path, short: str) -> None:
    """Every street link: the OD pairs are exactly those whose route uses it, with their demand;
    the OD total equals the link's flow; its select-link flow is its whole flow; the select-link
    flows balance at every street node."""
    from twin.traffic.select_scene import run_scene_select_link

    scene, od = t_case
    outputs = SelectOutputs(od=tmp_path / "od.csv", link_flows=tmp_path / "links.csv")
    s = run_scene_select_link([scene], od, [link_id(short)], gap=1e-10, top=10, outputs=outputs, crs=None, scene_crs="EPSG:31370")
    expected = {pair: FLOW[pair] for pair, route in ROUTES.items() if short in route}
    got = pd.read_csv(tmp_path / "od.csv", dtype={"origin": str, "destination": str})
    assert list(got.columns) == ["origin", "destination", "flow_veh_h"]
    assert dict(zip(zip(got["origin"], got["destination"], strict=True), got["flow_veh_h"], strict=True)) == pytest.approx(expected, abs=1e-6)
    assert s["selected_link_flow"] == pytest.approx(sum(expected.values()), abs=1e-6)
    assert s["select_link_total"] == pytest.approx(s["selected_link_flow"], abs=1e-6)
    assert s["turn_restrictions_applied"] == 1 and s["expanded_links_selected"] == 1
    table = pd.read_csv(tmp_path / "links.csv")
    row = table[table["link_id"] == link_id(short)].iloc[0]
    assert bool(row["selected"]) and table["selected"].sum() == 1
    assert row["select_link_flow_veh_h"] == pytest.approx(row["flow_veh_h"], abs=1e-6)
    for lid, flow in zip(table["link_id"], table["flow_veh_h"], strict=True):  # every street link's flow, by hand
        assert flow == pytest.approx(sum(FLOW[p] for p, r in ROUTES.items() if lid[8] + lid[-1] in r), abs=1e-6), lid
    assert max(abs(v) for v in node_balance(table, got, "select_link_flow_veh_h").values()) < 1e-6


@pytest.mark.parametrize(("zone", "side", "expected"), [
    ("W", "origin", {"1f": 150.0, "2f": 150.0, "2b": 50.0, "3f": 50.0}),
    ("N", "destination", {"1f": 50.0, "2f": 50.0, "2b": 55.0, "3f": 55.0}),
])  # fmt: skip
def test_t_junction_select_zone_by_hand(t_case: tuple[Path, Path], tmp_path: Path, zone: str, side: str, expected: dict[str, float]) -> None:
    """Trips from W (to N): their demand summed along the routes, per street link; the net flow
    out of W (into N) is their demand."""
    from twin.traffic.select_scene import run_scene_select_zone

    scene, od = t_case
    s = run_scene_select_zone([scene], od, [zone], side, gap=1e-10, outputs=SelectOutputs(link_flows=tmp_path / "z.csv"), crs=None, scene_crs="EPSG:31370")
    demand = sum(f for (o, d), f in FLOW.items() if (o if side == "origin" else d) == zone)
    assert s["demand_veh"] == pytest.approx(demand) and s["net_flow_veh"] == pytest.approx(demand, abs=1e-6)
    table = pd.read_csv(tmp_path / "z.csv").set_index("link_id")["select_zone_flow_veh_h"]
    for short in ("1f", "1b", "2f", "2b", "3f", "3b"):
        assert table[link_id(short)] == pytest.approx(expected.get(short, 0.0), abs=1e-6), short


def test_street_link_of_matches_the_flow_map_with_signals_and_turns() -> None:
    """Saint-Gilles with its signals and turn penalties (stop lines on the turn-expanded network):
    the expanded links that street_link_of assigns to each street link are those whose flows
    street_flow sums (on an arbitrary flow vector)."""
    from twin.traffic.network import Network
    from twin.traffic.scene_graph import build_scene_graph
    from twin.traffic.signals import SignalNetwork

    scene = stgilles_scene()
    net = Network.from_scene(scene, mode="car")
    sg = build_scene_graph(scene, net, restrictions=True, signals=True, turn_penalties=True)
    assert isinstance(sg.graph, SignalNetwork) and sg.graph.turns is not None and sg.counts["signals"] > 0
    flow = np.random.default_rng(7).random(sg.network.n_links)
    of = sg.street_link_of()
    keep = of >= 0
    np.testing.assert_allclose(np.bincount(of[keep], weights=flow[keep], minlength=net.n_links), sg.street_flow(flow), rtol=1e-12)
    assert np.array_equal(np.sort(np.unique(of[keep])), np.arange(net.n_links))


def stgilles_scene():
    """The Saint-Gilles street sample with its OSM signals on the street nodes."""
    from twin.traffic.signals import mark_signals, read_osm_signals
    from twin.workflows.scene_loading import load_scene

    scene = load_scene([SAMPLES / "stgilles_streets_osm2013.geojson"], scene_crs="EPSG:31370", source_crs=None)
    mark_signals(scene, read_osm_signals(SAMPLES / "stgilles_signals_osm2013.geojson"))
    return scene


@pytest.fixture(scope="module")
def stgilles(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Saint-Gilles written as a scene folder, and 400 veh/h between every two of its four
    extreme nodes (W, E, S, N ends of the largest strongly connected part)."""
    from tests.traffic_helpers import extreme_car_nodes
    from twin.export import write_scene

    tmp = tmp_path_factory.mktemp("stgilles_select")
    scene = stgilles_scene()
    zones = [str(v) for v in extreme_car_nodes(scene)]
    write_scene(scene, tmp / "scene")
    rows = [(a, b, 400.0) for a in zones for b in zones if a != b]
    return tmp / "scene", write_demand(tmp / "od.csv", rows)


def test_stgilles_select_link_with_signals_and_turn_penalties(stgilles: tuple[Path, Path], tmp_path: Path) -> None:
    """The command a user runs, on the busiest street link of ``assign --scene`` whose flow is not
    whole OD flows (route choice splits them there, 898 veh/h): the OD total
    equals its flow, the per-street-link flows are assign's, the select-link flow of the selected
    link is its flow and the select-link flows balance at every street node; the map is written."""
    scene, od = stgilles
    flows = tmp_path / "assign.csv"
    assert run_twin(["traffic", "assign", "--scene", scene, "--demand", od, "--turn-penalties", "--gap", "1e-9", "-o", flows, "-q"]).code == 0
    assigned = pd.read_csv(flows).set_index("link_id")["flow"]
    split = assigned[(assigned / 400.0 - (assigned / 400.0).round()).abs() > 1e-3]  # OD flows split between routes there
    busiest = str(split.idxmax())
    out = [tmp_path / "od_sel.csv", tmp_path / "links.csv", tmp_path / "map.png"]
    run = run_twin(["traffic", "select-link", "--scene", scene, "--demand", od, "--turn-penalties", "--gap", "1e-9", "-l", busiest,
                    "-o", out[0], "--link-flows", out[1], "--map", out[2], "--json"])  # fmt: skip
    assert run.code == 0, run.stderr
    import json

    s = json.loads(run.stdout)
    assert isinstance(s["network"], str) and "Network(" not in s["network"]  # its name, not its repr
    assert s["signals"] > 0 and s["turn_penalties"] > 0
    assert s["selected_link_flow"] == pytest.approx(assigned[busiest], abs=1e-6)
    assert abs(s["select_link_total"] - s["selected_link_flow"]) < 1e-6
    table = pd.read_csv(out[1]).set_index("link_id")
    np.testing.assert_allclose(table["flow_veh_h"].reindex(assigned.index), assigned.to_numpy(), atol=1e-6)
    assert table.loc[busiest, "select_link_flow_veh_h"] == pytest.approx(assigned[busiest], abs=1e-6)
    got = pd.read_csv(out[0], dtype={"origin": str, "destination": str})
    assert got["flow_veh_h"].sum() == pytest.approx(s["select_link_total"], abs=1e-6)
    balance = node_balance(table.reset_index().astype({"from_node": str, "to_node": str}), got, "select_link_flow_veh_h")
    assert max(abs(v) for v in balance.values()) < 1e-6
    assert out[2].stat().st_size > 0


def test_select_link_scene_bad_input(t_case: tuple[Path, Path], tmp_path: Path) -> None:
    """A street link that does not exist, --scene with --net or --nodes, a link that no car uses
    (the selection matches nothing): one line, exit 2."""
    scene, od = t_case
    base = ["traffic", "select-link", "--scene", scene, "--demand", od]
    assert_one_line_error(run_twin([*base, "-l", "osm:way/9:0:f"]), contains=("'--link'", "osm:way/9:0:f", "not a link of the scene", str(scene)))
    assert_one_line_error(run_twin([*base, "--net", tmp_path / "x_net.tntp", "-l", link_id("1f")]), contains=("'--net'", "not with --scene"))
    assert_one_line_error(run_twin([*base, "-l", link_id("1f"), "--map", tmp_path / "m.png", "--nodes", tmp_path / "n.tntp"]), contains=("'--nodes'", "not with --scene"))
    only_west_east = write_demand(tmp_path / "we.csv", [("W", "E", 100.0)])
    unused = run_twin(["traffic", "select-link", "--scene", scene, "--demand", only_west_east, "-l", link_id("3f")])
    assert_one_line_error(unused, contains=("'--link'", link_id("3f"), "no car uses", "matches nothing"))


def test_select_zone_scene_bad_input(t_case: tuple[Path, Path], tmp_path: Path) -> None:
    """A zone that is not a node of the demand table, and a TNTP run given a scene option."""
    scene, od = t_case
    assert_one_line_error(run_twin(["traffic", "select-zone", "--scene", scene, "--demand", od, "-z", "J"]), contains=("od.csv", "'--zones'", "zone J", "not a zone"))
    tntp = ["traffic", "select-zone", "--net", tmp_path / "a_net.tntp", "--trips", tmp_path / "a_trips.tntp", "-z", "1", "--demand", od]
    assert_one_line_error(run_twin(tntp), contains=("'--demand'", "only with --scene"))


def test_map_lines_are_the_street_links_geometry(stgilles: tuple[Path, Path]) -> None:
    """The map draws every car link of the network along its own street geometry: each drawn
    line starts at its from node and ends at its to node (the scene's node points), within the
    small shift to the right that keeps both directions of a street visible."""
    from twin.traffic.select_scene import read_scene_case, street_lines

    scene, od = stgilles
    case = read_scene_case([scene], od, gap=1e-6, outputs=SelectOutputs(), crs=None, scene_crs="EPSG:31370", restrictions=True, signals=True, turn_penalties=False)
    lines, _ = street_lines(case)
    net = case.net
    points = case.scene.nodes.set_index("node_id").geometry
    start = np.column_stack([points.x, points.y])[points.index.get_indexer(net.node_ids[net.from_node])]
    end = np.column_stack([points.x, points.y])[points.index.get_indexer(net.node_ids[net.to_node])]
    extent = float(np.ptp(np.r_[start, end], axis=0).max())
    assert len(lines) == net.n_links
    gap_start = np.hypot(*(np.array([line[0] for line in lines]) - start).T)
    gap_end = np.hypot(*(np.array([line[-1] for line in lines]) - end).T)
    assert max(gap_start.max(), gap_end.max()) <= 0.004 * extent + 1e-6


def test_via_way_crossing_selected_on_the_link_and_its_copy(tmp_path: Path) -> None:
    """The dual carriageway of tests/test_traffic_via_way_p15v.py with its no_u_turn through the
    median crossing 3: A -> D detours by crossing 4; A -> G uses crossing 3 on its via-way copy
    (entered from carriageway 1), H -> D on the link itself. Selecting street link 3 selects both
    expanded links: its OD table is A -> G 50 and H -> D 30, by hand, total its flow 80 veh/h."""
    from tests.test_traffic_via_way_p15v import DEMAND as VIA_DEMAND
    from tests.test_traffic_via_way_p15v import U_TURN, dual_scene
    from twin.export import write_scene
    from twin.traffic.select_scene import run_scene_select_link

    write_scene(dual_scene([U_TURN]), tmp_path / "scene")
    od = write_demand(tmp_path / "od.csv", VIA_DEMAND)
    outputs = SelectOutputs(od=tmp_path / "sel.csv", link_flows=tmp_path / "links.csv")
    s = run_scene_select_link([tmp_path / "scene"], od, ["osm:way/3:0:f"], gap=1e-10, top=10, outputs=outputs, crs=None, scene_crs="EPSG:31370")
    assert s["expanded_links_selected"] == 2 and s["restriction_banned_sequences"] == 1
    got = pd.read_csv(tmp_path / "sel.csv")
    assert dict(zip(zip(got["origin"], got["destination"], strict=True), got["flow_veh_h"], strict=True)) == pytest.approx({("A", "G"): 50.0, ("H", "D"): 30.0}, abs=1e-6)
    assert s["selected_link_flow"] == pytest.approx(80.0, abs=1e-6) and s["select_link_total"] == pytest.approx(80.0, abs=1e-6)
    table = pd.read_csv(tmp_path / "links.csv")
    assert max(abs(v) for v in node_balance(table, got, "select_link_flow_veh_h").values()) < 1e-6
