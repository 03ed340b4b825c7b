"""Turning movements of a scene assignment (issue 15: what a filtered street does to turning movements).

By hand: a T-junction J with streets to the west (W), east (E) and a curved street to the north
(N) that leaves J due north and bends east (N lies at 38.7 degrees from J: by the straight line
between the nodes W -> J -> N would be straight on; by the street it is a left turn). Every OD
pair has one route, so every movement's flow is the sum of the demands that use it, written
out here; a no_left_turn restriction W -> N sends that demand on to the dead end E, round and back
(the U-turn there and the right turn at J counted by hand); the default penalties add their cost
(flow x penalty) to the total system travel cost, checked by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from twin.errors import InputError

SPEED_M_S = 10.0
XY = {"W": (-100.0, 0.0), "J": (0.0, 0.0), "E": (100.0, 0.0), "N": (100.0, 80.0)}
NORTH_STREET = [(0.0, 0.0), (0.0, 50.0), (100.0, 80.0)]
"""J -> N: 50 m due north, then 104.4 m east-north-east."""
STREETS = [("osm:way/1", "W", "J", [XY["W"], XY["J"]]), ("osm:way/2", "J", "E", [XY["J"], XY["E"]]), ("osm:way/3", "J", "N", NORTH_STREET)]
DEMAND = [("W", "E", 100.0), ("W", "N", 50.0), ("N", "E", 30.0), ("E", "W", 20.0), ("N", "W", 10.0), ("E", "N", 5.0)]
MOVEMENTS_AT_J = {  # (in way and direction, out way and direction): (kind, veh/h), by hand from DEMAND
    ("1f", "2f"): ("straight", 100.0),  # W -> E
    ("1f", "3f"): ("left", 50.0),  # W -> N
    ("1f", "1b"): ("u_turn", 0.0),
    ("3b", "2f"): ("left", 30.0),  # N -> E: arriving southbound, turning east
    ("3b", "1b"): ("right", 10.0),  # N -> W
    ("3b", "3f"): ("u_turn", 0.0),
    ("2b", "1b"): ("straight", 20.0),  # E -> W
    ("2b", "3f"): ("right", 5.0),  # E -> N
    ("2b", "2f"): ("u_turn", 0.0),
}
NO_LEFT = {"restriction_id": "r1", "kind": "no_left_turn", "from_way": "osm:way/1", "via_node": "J", "to_way": "osm:way/3", "via_osm": "", "reason": ""}


def link_id(short: str) -> str:
    """``"3b"`` -> ``"osm:way/3:0:b"`` (the ids an OSM ingest writes)."""
    return f"osm:way/{short[0]}:0:{short[1]}"


def t_scene(restrictions: list[dict[str, str]], capacity_veh_h: float = 1e6):
    """The T-junction (by default with a capacity that makes congestion nil to 1e-12)."""
    from twin.scene import Scene

    rows = []
    for way, a, b, coords in STREETS:
        line = shapely.LineString(coords)
        rows.append({"link_id": f"{way}:0:f", "from_node": a, "to_node": b, "geometry": line})
        rows.append({"link_id": f"{way}:0:b", "from_node": b, "to_node": a, "geometry": shapely.reverse(line)})
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:31370")
    frame["length_m"] = frame.geometry.length
    frame["free_speed_m_s"], frame["capacity_veh_h"], frame["modes"] = SPEED_M_S, capacity_veh_h, "car"
    scene = Scene(crs="EPSG:31370")
    scene.add("links", frame)
    scene.add("nodes", gpd.GeoDataFrame({"node_id": list(XY)}, geometry=[shapely.Point(p) for p in XY.values()], crs="EPSG:31370"))
    if restrictions:
        scene.add("turn_restrictions", pd.DataFrame(restrictions))
    return scene


@pytest.fixture
def od_csv(tmp_path: Path) -> Path:
    path = tmp_path / "od.csv"
    pd.DataFrame(DEMAND, columns=["origin", "destination", "flow_veh_h"]).to_csv(path, index=False)
    return path


def run_cli(args: list[str]):
    from typer.testing import CliRunner

    from twin.cli.main import app

    return CliRunner().invoke(app, [str(a) for a in args])


def scene_folder(tmp_path: Path, restrictions: list[dict[str, str]] = (), capacity_veh_h: float = 1e6) -> Path:
    from twin.export import write_scene

    folder = tmp_path / "scene"
    write_scene(t_scene(list(restrictions), capacity_veh_h), folder)
    return folder


def at_node(table: pd.DataFrame, node: str) -> dict[tuple[str, str], tuple[str, float]]:
    rows = table[table["node_id"] == node]
    short = {link_id(s): s for s in ("1f", "1b", "2f", "2b", "3f", "3b")}
    return {(short[i], short[o]): (str(k), float(f)) for i, o, k, f in zip(rows["in_link_id"], rows["out_link_id"], rows["movement"], rows["flow_veh_h"], strict=True)}


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_movements_at_the_t_junction_by_hand(tmp_path: Path, od_csv: Path, suffix: str) -> None:
    """Every movement at J with its kind (from the street geometry) and its flow, by hand; the
    dead ends' U-turns carry nothing; every in-link's flow is its movements' plus the trips that end
    at its head."""
    out = tmp_path / f"turns{suffix}"
    res = run_cli(["traffic", "assign", "--scene", scene_folder(tmp_path), "--demand", od_csv, "--turns", out, "--gap", "1e-10", "-o", tmp_path / "links.csv", "-q"])
    assert res.exit_code == 0, res.output
    assert f"turning movements           {out} (12 movements)" in res.output
    table = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
    assert list(table.columns) == ["node_id", "in_link_id", "out_link_id", "movement", "allowed", "penalty_s", "signalised", "flow_veh_h"]
    got = at_node(table, "J")
    assert got.keys() == MOVEMENTS_AT_J.keys()
    for key, (kind, flow) in MOVEMENTS_AT_J.items():
        assert got[key][0] == kind, key
        assert got[key][1] == pytest.approx(flow, abs=1e-6), key
    ends = table[table["node_id"] != "J"]
    assert len(ends) == 3 and (ends["movement"].astype(str) == "u_turn").all() and np.allclose(ends["flow_veh_h"], 0.0, atol=1e-6)
    assert table["allowed"].all() and (table["penalty_s"] == 0).all() and not table["signalised"].any()
    links = pd.read_csv(tmp_path / "links.csv").set_index("link_id")["flow"]
    ending = {"W": 30.0, "E": 130.0, "N": 55.0}  # trips ending at each node, by hand from DEMAND
    for lid, flow in links.items():
        head = table.loc[table["in_link_id"] == lid, "flow_veh_h"].sum()
        node = "J" if lid.endswith(("1:0:f", "2:0:b", "3:0:b")) else lid_head(lid)
        assert flow == pytest.approx(head + ending.get(node, 0.0), abs=1e-6), lid


def lid_head(lid: str) -> str:
    """Head node of a link that does not end at J."""
    return {"osm:way/1:0:b": "W", "osm:way/2:0:f": "E", "osm:way/3:0:f": "N"}[lid]


def test_a_banned_left_turn_goes_round_the_dead_end(tmp_path: Path, od_csv: Path) -> None:
    """no_left_turn W -> N at J: the 50 veh/h go on to E, turn there and come back right into N.
    The banned movement is listed, not allowed, with no flow."""
    out = tmp_path / "turns.csv"
    res = run_cli(["traffic", "assign", "--scene", scene_folder(tmp_path, [NO_LEFT]), "--demand", od_csv, "--turns", out, "--gap", "1e-10", "-q"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out)
    got = at_node(table, "J")
    assert got[("1f", "3f")] == ("left", 0.0)
    assert not table.loc[(table["in_link_id"] == link_id("1f")) & (table["out_link_id"] == link_id("3f")), "allowed"].item()
    assert table["allowed"].sum() == len(table) - 1
    assert got[("1f", "2f")][1] == pytest.approx(150.0, abs=1e-6)
    assert got[("2b", "3f")][1] == pytest.approx(55.0, abs=1e-6)
    assert at_node(table, "E")[("2f", "2b")] == ("u_turn", pytest.approx(50.0, abs=1e-6))


def test_default_penalties_cost_flow_times_penalty(tmp_path: Path, od_csv: Path) -> None:
    """--turn-penalties: left 10 s, right 5 s, U-turn 30 s on each movement by its kind; the routes
    do not change (one per OD pair), so the total system travel cost grows by the movements'
    flow x penalty: 50 x 10 + 30 x 10 + 10 x 5 + 5 x 5 = 875 veh s / h, by hand."""
    folder = scene_folder(tmp_path)
    plain = run_cli(["traffic", "assign", "--scene", folder, "--demand", od_csv, "--gap", "1e-10", "--json"])
    out = tmp_path / "turns.csv"
    penalised = run_cli(["traffic", "assign", "--scene", folder, "--demand", od_csv, "--gap", "1e-10", "--json", "--turn-penalties", "--turns", out])
    assert plain.exit_code == 0 and penalised.exit_code == 0, plain.output + penalised.output
    before, after = json.loads(plain.output), json.loads(penalised.output)
    assert after["total_system_travel_cost"] - before["total_system_travel_cost"] == pytest.approx(875.0, abs=1e-6)
    assert after["total_system_travel_time"] == pytest.approx(before["total_system_travel_time"], abs=1e-6)
    assert before["turn_penalties"] == "off" and after["turn_penalties"] == 10  # 12 movements less the 2 straight ones
    table = pd.read_csv(out)
    expected = {"straight": 0.0, "left": 10.0, "right": 5.0, "u_turn": 30.0}
    assert (table["penalty_s"] == table["movement"].map(expected)).all()
    text = run_cli(["traffic", "assign", "--scene", folder, "--demand", od_csv, "--turn-penalties", "-q"]).output
    assert "turn penalties               10 turns penalised (left 10 s, right 5 s, U-turn 30 s)" in text


def test_headings_follow_the_street_not_the_nodes() -> None:
    """The kind of W -> J -> N from the street geometry (left), not from the node positions
    (straight by the same angle rule); a geometry drawn from the to-node is read the other way."""
    from twin.traffic.movements import link_headings, scene_movements
    from twin.traffic.network import Network
    from twin.traffic.turns import turn_kind

    scene = t_scene([])
    net = Network.from_scene(scene, mode="car")
    pos = {lid: k for k, lid in enumerate(net.link_ids.tolist())}
    (wx, wy), (jx, jy), (nx, ny) = XY["W"], XY["J"], XY["N"]
    assert turn_kind(jx - wx, jy - wy, nx - jx, ny - jy) == "straight"
    moves = scene_movements(scene, net)
    kinds = {(net.link_ids[i], net.link_ids[o]): k for i, o, k in zip(moves.in_link, moves.out_link, moves.kind, strict=True)}
    assert kinds[(link_id("1f"), link_id("3f"))] == 1  # left
    arrive, leave = link_headings(scene, net)
    assert leave[pos[link_id("3f")]] == pytest.approx([0.0, 20.0])
    flipped = scene.links.copy()
    row = flipped["link_id"] == link_id("3f")
    flipped.loc[row, "geometry"] = shapely.reverse(flipped.loc[row, "geometry"].item())
    scene.layers["links"] = flipped
    again, leave_again = link_headings(scene, net)
    assert np.array_equal(leave_again, leave) and np.array_equal(again, arrive)


def test_turn_options_need_a_scene_and_two_files(tmp_path: Path, od_csv: Path) -> None:
    """--turns on a TNTP run, --turns equal to --output, a --turns ending that is no table: one
    error line each, exit 2, naming the option; nothing written."""
    from tests.cli_harness import assert_one_line_error, run_twin

    net, trips = tmp_path / "n_net.tntp", tmp_path / "n_trips.tntp"
    net.write_text(""), trips.write_text("")
    assert_one_line_error(run_twin(["traffic", "assign", "--net", net, "--trips", trips, "--turns", tmp_path / "t.csv"]), contains=("'--turns'", "only with --scene"))
    assert_one_line_error(run_twin(["traffic", "assign", "--net", net, "--trips", trips, "--turn-penalties"]), contains=("'--turn-penalties'", "only with --scene"))
    folder = scene_folder(tmp_path)
    same = tmp_path / "out.csv"
    assert_one_line_error(run_twin(["traffic", "assign", "--scene", folder, "--demand", od_csv, "-o", same, "--turns", same]), contains=("out.csv", "'--turns'"))
    assert not same.exists()
    assert_one_line_error(run_twin(["traffic", "assign", "--scene", folder, "--demand", od_csv, "--turns", tmp_path / "t.txt"]), contains=("t.txt", "'--turns'"))


def test_movement_table_checks_the_flow_vector() -> None:
    from twin.traffic.movements import movement_table, scene_movements
    from twin.traffic.network import Network
    from twin.traffic.turns import expand_turns

    scene = t_scene([])
    net = Network.from_scene(scene, mode="car")
    with pytest.raises(InputError, match="one value per link"):
        movement_table(net, scene_movements(scene, net), expand_turns(net), np.zeros(3))


def test_movements_through_ingested_signals(tmp_path: Path) -> None:
    """The hand-made OSM file of the signal ingest test, through ``twin ingest``: junction 2 is
    signalised; 1 veh/h west -> east and 2 veh/h west -> north cross it straight on and left, and
    its movements say so, flagged as signalised. Asking for the movements (which runs the
    assignment on the turn-expanded network) leaves the link flows and times as they were."""
    from tests.cli_harness import run_twin
    from tests.test_ingest_osm_signals import OSM_XML, _node_near
    from twin.scene.io import read_scene

    osm = tmp_path / "signals.osm"
    osm.write_text(OSM_XML)
    assert run_twin(["ingest", osm, "-o", tmp_path / "scene", "-q"]).code == 0
    scene = read_scene(tmp_path / "scene")
    west, east, north = (scene.nodes["node_id"].iloc[_node_near(scene.nodes, lon, lat)] for lon, lat in ((4.3500, 50.83), (4.3520, 50.83), (4.3510, 50.8306)))
    od = tmp_path / "od.csv"
    pd.DataFrame({"origin": [west, west], "destination": [east, north], "flow_veh_h": [1.0, 2.0]}).to_csv(od, index=False)
    links = {}
    for name, extra in (("plain", []), ("turns", ["--turns", tmp_path / "turns.parquet"])):
        run = run_twin(["traffic", "assign", "--scene", tmp_path / "scene", "--demand", od, "-o", tmp_path / f"{name}.csv", "--gap", "1e-10", "-q", *extra])
        assert run.code == 0, run.stderr
        links[name] = pd.read_csv(tmp_path / f"{name}.csv").set_index("link_id")
    pd.testing.assert_frame_equal(links["turns"], links["plain"], check_exact=False, atol=1e-9, rtol=0)
    table = pd.read_parquet(tmp_path / "turns.parquet").set_index(["in_link_id", "out_link_id"])
    straight, left = table.loc[("osm:way/10:0:f", "osm:way/20:0:f")], table.loc[("osm:way/10:0:f", "osm:way/30:0:f")]
    assert (straight["movement"], left["movement"]) == ("straight", "left")
    assert straight["flow_veh_h"] == pytest.approx(1.0, abs=1e-9) and left["flow_veh_h"] == pytest.approx(2.0, abs=1e-9)
    assert straight["signalised"] and left["signalised"]
    assert table.loc[table["flow_veh_h"] > 1e-9].shape[0] == 2


def test_dynamic_loading_counts_the_vehicles_of_each_movement(tmp_path: Path) -> None:
    """``twin traffic simulate --turns`` on the T-junction: every vehicle arrives within the run, so
    each movement at J carries the vehicles of the OD pairs that use it, by hand; the kinds come
    from the street geometry as in the static table."""
    from tests.cli_harness import run_twin

    od = tmp_path / "dyn.csv"
    pd.DataFrame({"origin": ["W", "W", "N"], "destination": ["E", "N", "E"], "t_start_s": [0.0, 0.0, 60.0], "t_end_s": [600.0, 600.0, 300.0],
                  "vehicles": [60.0, 30.0, 20.0]}).to_csv(od, index=False)  # fmt: skip
    out = tmp_path / "turns.csv"
    run = run_twin(["traffic", "simulate", scene_folder(tmp_path, capacity_veh_h=1800.0), "--demand", od, "--duration", "1800", "--turns", out])
    assert run.code == 0, run.stderr
    table = pd.read_csv(out)
    assert f"turns                        {out} ({len(table)} movements)" in run.stdout
    got = {(i, o): (k, v) for i, o, k, v in zip(table["in_link_id"], table["out_link_id"], table["movement"], table["vehicles"], strict=True)}
    assert got[(link_id("1f"), link_id("2f"))] == ("straight", pytest.approx(60.0, abs=1e-6))
    assert got[(link_id("1f"), link_id("3f"))] == ("left", pytest.approx(30.0, abs=1e-6))
    assert got[(link_id("3b"), link_id("2f"))] == ("left", pytest.approx(20.0, abs=1e-6))
    assert table["vehicles"].sum() == pytest.approx(110.0, abs=1e-6)


def test_dynamic_loading_counts_each_movement_per_interval(tmp_path: Path) -> None:
    """``--turns-interval 300``: one row per movement and 5-minute interval. N -> E departs uniformly
    over 60-300 s (20 vehicles) into the northern street and turns at J after the street's free
    travel time tau (uncongested), so 20 (240 - tau) / 240 turn in the first interval and the rest
    in the second, by hand; every movement's intervals sum to its count over the run."""
    from tests.cli_harness import assert_one_line_error, run_twin
    from twin.scene.io import read_scene
    from twin.traffic.dynamic import LinkDynamics
    from twin.traffic.network import Network

    od = tmp_path / "dyn.csv"
    pd.DataFrame({"origin": ["W", "W", "N"], "destination": ["E", "N", "E"], "t_start_s": [0.0, 0.0, 60.0], "t_end_s": [600.0, 600.0, 300.0],
                  "vehicles": [60.0, 30.0, 20.0]}).to_csv(od, index=False)  # fmt: skip
    folder = scene_folder(tmp_path, capacity_veh_h=1800.0)
    out = tmp_path / "turns.csv"
    run = run_twin(["traffic", "simulate", folder, "--demand", od, "--duration", "1800", "--turns", out, "--turns-interval", "300"])
    assert run.code == 0, run.stderr
    table = pd.read_csv(out)
    assert list(table.columns) == ["node_id", "in_link_id", "out_link_id", "movement", "t_start_s", "t_end_s", "vehicles"]
    assert len(table) == 12 * 6 and sorted(set(table["t_start_s"])) == [0.0, 300.0, 600.0, 900.0, 1200.0, 1500.0]
    assert (table["t_end_s"] - table["t_start_s"] == 300.0).all()
    net = Network.from_scene(read_scene(folder), mode="car")
    tau = float(LinkDynamics.from_network(net).free_time_s[list(net.link_ids).index(link_id("3b"))])
    assert 0.0 < tau < 240.0
    north_east = table[(table["in_link_id"] == link_id("3b")) & (table["out_link_id"] == link_id("2f"))].set_index("t_start_s")["vehicles"]
    assert north_east[0.0] == pytest.approx(20.0 * (240.0 - tau) / 240.0, abs=1e-6)
    assert north_east[300.0] == pytest.approx(20.0 * tau / 240.0, abs=1e-6)
    assert north_east.loc[600.0:].abs().max() < 1e-9
    sums = table.groupby(["in_link_id", "out_link_id"])["vehicles"].sum()
    assert sums[(link_id("1f"), link_id("2f"))] == pytest.approx(60.0, abs=1e-6)
    assert sums[(link_id("1f"), link_id("3f"))] == pytest.approx(30.0, abs=1e-6)
    assert sums[(link_id("3b"), link_id("2f"))] == pytest.approx(20.0, abs=1e-6)
    # bad input: one line, exit 2, naming the option
    base = ["traffic", "simulate", folder, "--demand", od, "--duration", "1800"]
    assert_one_line_error(run_twin([*base, "--turns-interval", "300"]), contains=("'--turns-interval'", "only with --turns"))
    assert_one_line_error(run_twin([*base, "--turns", out, "--turns-interval", "nan"]), contains=("'--turns-interval'", "finite"))
    assert_one_line_error(run_twin([*base, "--dt", "2", "--turns", out, "--turns-interval", "301"]), contains=("'--turns-interval'", "whole number of time steps"))
    assert_one_line_error(run_twin([*base, "--turns", out, "--turns-interval", "3600"]), contains=("'--turns-interval'", "longer than the run"))
