"""Select-link / select-zone outputs (issue 15): the whole-trip select-link flow against a
plain-Python path enumeration, the ``--link-flows`` table and ``--map`` of both commands on
SiouxFalls, the select-zone balance against the trips file, and bad input (one line, exit 2)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path
from tests.test_traffic_paths import random_network
from tests.test_traffic_select_link import ref_path_flows
from twin.cli.main import app
from twin.traffic.assign import assign
from twin.traffic.multiclass import VehicleClass, assign_multiclass
from twin.traffic.select_link import select_link
from twin.traffic.tntp import read_network, read_trips

FOLDER = shared_path("traffic", "tntp", "SiouxFalls")
NET, TRIPS = FOLDER / "SiouxFalls_net.tntp", FOLDER / "SiouxFalls_trips.tntp"


def ref_trip_flows(net, origin_flows: np.ndarray, demand: np.ndarray, selected: set[int]) -> np.ndarray:
    """Plain Python: every path of each origin's flows (backward proportions from each
    destination); a path that uses a selected link adds its flow to each of its links."""
    return ref_path_flows(net, origin_flows, demand, range(demand.shape[0]), keep=lambda path: bool(selected.intersection(path)))


def tntp_demand(path: Path) -> dict[tuple[int, int], float]:
    """The OD entries of a TNTP trips file, parsed here (not with twin's reader)."""
    out: dict[tuple[int, int], float] = {}
    origin = None
    for line in path.read_text().splitlines():
        head = re.match(r"\s*Origin\s+(\d+)", line)
        if head:
            origin = int(head.group(1))
            continue
        if origin is not None:
            for d, v in re.findall(r"(\d+)\s*:\s*([0-9.eE+-]+)", line):
                out[(origin, int(d))] = out.get((origin, int(d)), 0.0) + float(v)
    return out


def assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width >= 300 and height >= 300 and len(data) > 20_000, (width, height, len(data))


@pytest.mark.parametrize("seed", [0, 3])
def test_trip_flow_matches_path_enumeration(seed: int) -> None:
    net = random_network(seed, n=25, m=90, n_zones=5, first_thru=5)
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, 50, (5, 5)) * (1 - np.eye(5)) * 20
    res = assign(net, demand, algorithm="b", gap=1e-9)  # congested: several used paths per OD pair
    busiest = np.argsort(res.flow)[::-1]
    for picks in ([int(busiest[0])], [int(busiest[1]), int(busiest[5])], [int(busiest[9])]):
        sl = select_link(res, [str(net.link_ids[k]) for k in picks], demand=demand)
        ref = ref_trip_flows(net, res.origin_flows, demand, set(picks))
        assert ref.max() > 0 and (ref < res.flow - 1e-6).any()  # a partial map, not every link's flow
        np.testing.assert_allclose(sl.trip_flow, ref, rtol=1e-9, atol=1e-9)
        assert (sl.trip_flow >= sl.link_flow - 1e-9).all()  # whole trips hold their downstream part


def test_multiclass_trip_flow_balances_with_the_od() -> None:
    """Per class (vehicles) and over all classes (PCE): the selected trips' link flows are a flow
    of the select-link OD matrix (inflow - outflow = trips ending - trips starting at every node)."""
    net = random_network(2, n=25, m=90, n_zones=5)
    rng = np.random.default_rng(4)
    demand = rng.uniform(10, 50, (5, 5)) * (1 - np.eye(5))
    res = assign_multiclass(net, [VehicleClass("car", demand), VehicleClass("truck", 0.2 * demand, pce=2.5)], gap=1e-9)
    k = int(np.argmax(res.flow_pce))
    for klass, on_link in (("car", res.class_flow[0][k]), ("truck", res.class_flow[1][k]), (None, res.flow_pce[k])):
        sl = select_link(res, [str(net.link_ids[k])], klass=klass)
        assert sl.trip_flow[k] == pytest.approx(on_link, rel=1e-9)
        balance = np.bincount(net.to_node, sl.trip_flow, net.n_nodes) - np.bincount(net.from_node, sl.trip_flow, net.n_nodes)
        ends = np.zeros(net.n_nodes)
        ends[: net.n_zones] = sl.od.sum(axis=0) - sl.od.sum(axis=1)
        np.testing.assert_allclose(balance, ends, atol=1e-7 * on_link)
        assert (sl.trip_flow > sl.link_flow + 1e-6).any()  # upstream parts too, not only downstream
    assert select_link(res, [str(net.link_ids[k])], whole_trips=False).trip_flow is None


def test_select_link_link_flows_and_map(tmp_path: Path) -> None:
    flows, od, png = tmp_path / "links.csv", tmp_path / "od.csv", tmp_path / "map.png"
    args = ["traffic", "select-link", "--net", str(NET), "--trips", str(TRIPS), "-l", "10-15", "--gap", "1e-8"]
    r = CliRunner().invoke(app, [*args, "-o", str(od), "--link-flows", str(flows), "--map", str(png), "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.output)
    assert s["link_flows"] == str(flows) and s["map"] == str(png)
    table = pd.read_csv(flows)
    net = read_network(NET)
    assert list(table.columns) == ["link_id", "from_node", "to_node", "flow_veh", "select_link_flow_veh", "selected"]
    assert table["link_id"].tolist() == list(range(1, net.n_links + 1))
    res = assign(net, read_trips(TRIPS, n_zones=net.n_zones), algorithm="b", gap=1e-8)
    sl = select_link(res, ["10-15"], demand=read_trips(TRIPS, n_zones=net.n_zones))
    api = pd.Series(sl.trip_flow, index=net.link_ids.astype(int))
    np.testing.assert_allclose(table.set_index("link_id")["select_link_flow_veh"].to_numpy(), api.loc[table["link_id"]].to_numpy(), rtol=1e-6, atol=1e-6)
    assert table["select_link_flow_veh"].sum() == pytest.approx(sl.trip_flow.sum(), rel=1e-6)
    row = table[table["selected"]]
    assert len(row) == 1 and (row["from_node"].item(), row["to_node"].item()) == (10, 15)
    assert row["select_link_flow_veh"].item() == pytest.approx(row["flow_veh"].item(), rel=1e-12)
    assert row["flow_veh"].item() == pytest.approx(s["selected_link_flow"], rel=1e-9)
    assert (table["select_link_flow_veh"] <= table["flow_veh"] * (1 + 1e-9) + 1e-9).all()
    # the selected trips' link flows are a flow of the select-link OD matrix: at every node,
    # inflow - outflow = select-link trips ending there - those starting there
    pairs = pd.read_csv(od)
    for node in range(1, net.n_nodes + 1):
        balance = table.loc[table["to_node"] == node, "select_link_flow_veh"].sum() - table.loc[table["from_node"] == node, "select_link_flow_veh"].sum()
        ends = pairs.loc[pairs["destination"] == node, "flow"].sum() - pairs.loc[pairs["origin"] == node, "flow"].sum()
        assert balance == pytest.approx(ends, abs=1e-5 * s["selected_link_flow"]), node
    assert_png(png)


@pytest.mark.parametrize(("zones", "side"), [("3,7", "origin"), ("10", "destination")])
def test_select_zone_balance_against_trips_file(tmp_path: Path, zones: str, side: str) -> None:
    flows, png = tmp_path / "zone.csv", tmp_path / "zone.png"
    r = CliRunner().invoke(app, ["traffic", "select-zone", "--net", str(NET), "--trips", str(TRIPS), "--zones", zones, "--side", side, "--gap", "1e-8",
                                 "--link-flows", str(flows), "--map", str(png), "--json"])  # fmt: skip
    assert r.exit_code == 0, r.output
    s = json.loads(r.output)
    chosen = {int(z) for z in zones.split(",")}
    entries = tntp_demand(TRIPS)
    if side == "origin":
        outside = sum(v for (o, d), v in entries.items() if o in chosen and d not in chosen)
    else:
        outside = sum(v for (o, d), v in entries.items() if d in chosen and o not in chosen)
    assert outside > 0
    table = pd.read_csv(flows)
    assert list(table.columns) == ["link_id", "from_node", "to_node", "flow_veh", "select_zone_flow_veh"]
    f = table["select_zone_flow_veh"]
    net_out = f[table["from_node"].isin(chosen)].sum() - f[table["to_node"].isin(chosen)].sum()
    assert (net_out if side == "origin" else -net_out) == pytest.approx(outside, rel=1e-9)
    assert s["net_flow_veh"] == pytest.approx(outside, rel=1e-9) and s["balance_error"] <= 1e-9
    assert (f <= table["flow_veh"] * (1 + 1e-9) + 1e-9).all() and f.max() > 0
    assert_png(png)


def _copy_without_nodes(tmp_path: Path) -> tuple[Path, Path]:
    case = tmp_path / "case"
    case.mkdir()
    for name in (NET.name, TRIPS.name):
        shutil.copy(FOLDER / name, case / name)
    return case / NET.name, case / TRIPS.name


def test_bad_input_one_line(tmp_path: Path) -> None:
    net, trips = _copy_without_nodes(tmp_path)
    base = ["--net", str(net), "--trips", str(trips)]
    out = tmp_path / "out"
    out.mkdir()
    no_nodes = run_twin(["traffic", "select-link", *base, "-l", "28", "--map", str(out / "m.png")])
    assert_one_line_error(no_nodes, contains=("SiouxFalls_node.tntp", "--map", "node coordinates"))
    no_nodes_zone = run_twin(["traffic", "select-zone", *base, "-z", "3", "--map", str(out / "m.png")])
    assert_one_line_error(no_nodes_zone, contains=("SiouxFalls_node.tntp", "--map"))
    unknown_zone = run_twin(["traffic", "select-zone", *base, "-z", "3,99"])
    assert_one_line_error(unknown_zone, contains=("zone 99", "not a zone", "zones"))
    through_node = run_twin(["traffic", "select-zone", "--net", str(NET), "--trips", str(TRIPS), "-z", "25"])  # SiouxFalls: 24 zones
    assert_one_line_error(through_node, contains=("SiouxFalls_net.tntp", "zone 25", "24 zones"))  # s54b: the file was not named
    bad_side = run_twin(["traffic", "select-zone", *base, "-z", "3", "--side", "both"])
    assert_one_line_error(bad_side, contains=("--side", "both", "choose one of origin, destination"))
    inside = run_twin(["traffic", "select-zone", *base, "-z", "3", "--link-flows", str(net.parent / "flows.csv")])
    assert_one_line_error(inside, contains=("flows.csv", "--link-flows", "inside an input"))
    same = run_twin(["traffic", "select-link", *base, "-l", "28", "-o", str(out / "a.csv"), "--link-flows", str(out / "a.csv")])
    assert_one_line_error(same, contains=("a.csv", "--link-flows", "same file as --output"))
    unwritable = run_twin(["traffic", "select-link", "--net", str(NET), "--trips", str(TRIPS), "-l", "28", "--map", "/proc/select.png"])
    assert_one_line_error(unwritable, contains=("/proc/select.png", "--map", "cannot write"))
    folder = run_twin(["traffic", "select-link", *base, "-l", "28", "--link-flows", str(out)])
    assert_one_line_error(folder, contains=("--link-flows",))
    assert sorted(p.name for p in out.iterdir()) == [] and sorted(p.name for p in net.parent.iterdir()) == sorted([net.name, trips.name])


def test_nodes_option_and_incomplete_node_file(tmp_path: Path) -> None:
    net, trips = _copy_without_nodes(tmp_path)
    lines = (FOLDER / "SiouxFalls_node.tntp").read_text().splitlines()
    short = tmp_path / "short_node.tntp"
    short.write_text("\n".join(line for line in lines if not re.match(r"\s*24\s", line)) + "\n")
    missing = run_twin(["traffic", "select-zone", "--net", str(net), "--trips", str(trips), "-z", "3", "--map", str(tmp_path / "m.png"), "--nodes", str(short)])
    assert_one_line_error(missing, contains=("short_node.tntp", "node 24", "no coordinates"))
    svg = tmp_path / "zone.svg"
    r = CliRunner().invoke(app, ["traffic", "select-zone", "--net", str(net), "--trips", str(trips), "-z", "3", "--map", str(svg),
                                 "--nodes", str(FOLDER / "SiouxFalls_node.tntp")])  # fmt: skip
    assert r.exit_code == 0, r.output
    text = svg.read_text()
    assert "<svg" in text and "select-zone flow (veh)" in text and "trips from zone(s) 3" in text
