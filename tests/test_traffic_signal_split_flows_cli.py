"""The signals' green split from counted flows on the command line: ``twin traffic assign --scene ...
--signal-split flows --design-flows FILE.csv``, ``twin traffic simulate SCENE ...`` and
``select-link`` / ``select-zone --scene`` with the same options, on a hand-made crossroads (node C signalised, arms N, S, E, W, two-way, one lane each).

The CLI gives the link results of the library called directly with the file's flows
(:func:`twin.traffic.signals.add_signals` / :func:`twin.traffic.dynamic.simulate`), the greens
follow Webster's rule by hand, an approach not in the file takes its capacity (the library's
documented rule) while a counted 0 is a design flow of 0, and each bad input is one ``twin: error:`` line naming file, row and field.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin

XY = {"C": (0.0, 0.0), "N": (0.0, 200.0), "S": (0.0, -200.0), "E": (200.0, 0.0), "W": (-200.0, 0.0)}
COUNTS = {"Win": 600.0, "Ein": 300.0, "Nin": 200.0, "Sin": 100.0}
"""Counted approach flows, veh/h: the E-W street carries three times the N-S street's critical flow."""


def crossroads_scene():
    import geopandas as gpd
    import shapely

    from twin.scene import Scene

    rows = []
    for arm in "NSEW":
        line = shapely.LineString([XY[arm], XY["C"]])
        rows.append({"link_id": f"{arm}in", "from_node": arm, "to_node": "C", "geometry": line})
        rows.append({"link_id": f"{arm}out", "from_node": "C", "to_node": arm, "geometry": shapely.reverse(line)})
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:31370")
    frame["length_m"] = frame.geometry.length
    frame["free_speed_m_s"], frame["capacity_veh_h"], frame["modes"], frame["lanes"] = 13.9, 1800.0, "car", 1
    scene = Scene(crs="EPSG:31370")
    scene.add("links", frame)
    nodes = gpd.GeoDataFrame({"node_id": list(XY), "signalised": [n == "C" for n in XY]}, geometry=[shapely.Point(p) for p in XY.values()], crs="EPSG:31370")
    scene.add("nodes", nodes)
    return scene


def counts_csv(path: Path, rows: dict[str, object], period: str = "am", klass: str = "car") -> Path:
    pd.DataFrame({"link_id": list(rows), "period": period, "vehicles": list(rows.values()), "class": klass}).to_csv(path, index=False)
    return path


def write_crossroads_case(folder: Path, counts_name: str, counts: dict[str, object], **counts_kw) -> tuple[Path, Path, Path, Path]:
    """The crossroads scene, its static and dynamic demands and a counts file in ``folder``:
    ``(scene folder, od.csv, od_dynamic.csv, counts file)``."""
    from twin.export import write_scene

    write_scene(crossroads_scene(), folder / "scene")
    static = folder / "od.csv"
    pd.DataFrame({"origin": ["W", "E", "N", "S"], "destination": ["E", "W", "S", "N"], "flow_veh_h": [600.0, 300.0, 200.0, 100.0]}).to_csv(static, index=False)
    dynamic = folder / "od_dynamic.csv"  # N -> S above the N approach's s g under the flows split: a queue that depends on the green
    pd.DataFrame({"origin": ["W", "N"], "destination": ["E", "S"], "t_start_s": [0.0, 0.0], "t_end_s": [600.0, 600.0],
                  "vehicles": [100.0, 150.0]}).to_csv(dynamic, index=False)  # fmt: skip
    return folder / "scene", static, dynamic, counts_csv(folder / counts_name, counts, **counts_kw)


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    return write_crossroads_case(tmp_path_factory.mktemp("flows_split"), "counts.csv", COUNTS)


def library_assign(folder: Path, static: Path, flows: dict[str, float]) -> pd.DataFrame:
    """The assignment of the library called directly: add_signals(flows=...) on the scene network, Algorithm B."""
    from twin.traffic.assign import assign
    from twin.traffic.assign_commands import read_scene_demand
    from twin.traffic.network import Network
    from twin.traffic.signal_phases import scene_link_bearings
    from twin.traffic.signals import SignalTiming, add_signals

    scene, zones, od = read_scene_demand([folder], static, None, "EPSG:31370")
    net = Network.from_scene(scene, mode="car", zones=zones)
    sig = add_signals(net, ["C"], timing=SignalTiming(split="flows"), bearing=scene_link_bearings(scene, net), flows=flows)
    raw = assign(sig.network, od, algorithm="b", gap=1e-6)
    return pd.DataFrame({"flow": sig.link_flow(raw.flow), "time": sig.link_values(raw.time)}, index=net.link_ids)


def greens(flows: dict[str, float]) -> dict[str, float]:
    """Green ratio of every approach of C from add_signals on the scene network (stop lines ``signal:<link>``, beta = g)."""
    from twin.traffic.network import Network
    from twin.traffic.signal_phases import scene_link_bearings
    from twin.traffic.signals import SignalTiming, add_signals

    scene = crossroads_scene()
    net = Network.from_scene(scene, mode="car")
    sig = add_signals(net, ["C"], timing=SignalTiming(split="flows"), bearing=scene_link_bearings(scene, net), flows=flows)
    ids = sig.network.link_ids.tolist()
    return {lid.split(":", 1)[1]: float(sig.network.beta[k]) for k, lid in enumerate(ids) if str(lid).startswith("signal:")}


def cli_assign(folder: Path, static: Path, out: Path, *extra) -> tuple[dict, pd.DataFrame]:
    r = run_twin(["traffic", "assign", "--scene", folder, "--demand", static, "--output", out, "--json", *extra], timeout_s=300)
    assert r.code == 0, r.stderr
    return json.loads(r.stdout), pd.read_csv(out).set_index("link_id")


def test_webster_greens_follow_the_counted_flows_by_hand() -> None:
    from twin.traffic.signals import SignalTiming

    t = SignalTiming()
    effective = (t.cycle_s - t.n_phases * t.lost_time_s) / t.cycle_s  # (C - L) / C, 82/90
    y_ew, y_ns = max(COUNTS["Win"], COUNTS["Ein"]), max(COUNTS["Nin"], COUNTS["Sin"])  # same saturation flow on every arm
    g = greens(COUNTS)
    for arm, y in (("Win", y_ew), ("Ein", y_ew), ("Nin", y_ns), ("Sin", y_ns)):
        assert g[arm] == pytest.approx(effective * y / (y_ew + y_ns), rel=1e-12)  # 0.683 E-W, 0.228 N-S (20.5 s, above the 12 s minimum)
    assert g["Win"] / g["Nin"] == pytest.approx(3.0)


def test_assign_cli_is_the_library_with_the_file_flows(case, tmp_path: Path) -> None:
    folder, static, _, flows = case
    summary, links = cli_assign(folder, static, tmp_path / "flows.csv", "--signal-split", "flows", "--design-flows", flows)
    assert summary["signal_split"] == "flows" and summary["signal_nodes_split"] == 1
    assert (summary["signal_design_flows"], summary["signal_approaches_capacity"]) == (4, 0)
    lib = library_assign(folder, static, COUNTS)
    for col in ("flow", "time"):
        np.testing.assert_allclose(links.loc[lib.index, col].to_numpy(), lib[col].to_numpy(), rtol=1e-9, atol=1e-9)
    # the file changed the signals: the capacity split (every arm 1800 veh/h: equal greens) gives other approach times
    _, capacity = cli_assign(folder, static, tmp_path / "capacity.csv", "--signal-split", "capacity")
    assert capacity.loc["Nin", "time"] < links.loc["Nin", "time"] - 1.0
    assert capacity.loc["Win", "time"] > links.loc["Win", "time"] + 1.0


def test_an_approach_without_a_count_takes_its_capacity(case, tmp_path: Path) -> None:
    folder, static, _, _ = case
    part = {"Win": 600.0, "Nin": 200.0}
    flows = counts_csv(tmp_path / "part.csv", part)
    summary, links = cli_assign(folder, static, tmp_path / "part_out.csv", "--signal-split", "flows", "--design-flows", flows)
    assert (summary["signal_design_flows"], summary["signal_approaches_capacity"]) == (2, 2)
    lib = library_assign(folder, static, part)
    np.testing.assert_allclose(links.loc[lib.index, "time"].to_numpy(), lib["time"].to_numpy(), rtol=1e-9, atol=1e-9)
    g = greens(part)  # E and S uncounted: their 1800 veh/h capacity is both phases' critical flow, the equal split
    assert g["Win"] == pytest.approx(g["Nin"]) and g["Win"] != pytest.approx(greens(COUNTS)["Win"])


def test_a_counted_0_is_a_count(case, tmp_path: Path) -> None:
    """N and S counted 0: the N-S phase has y = 0 and gets the 12 s minimum green (by hand 12/90,
    E-W the other 70 s), both approaches counted; the CLI gives the library's times. A file of
    zeros is a statement too: the equal split, reported as such (assign and simulate)."""
    folder, static, dynamic, _ = case
    zero_ns = {"Win": 600.0, "Ein": 300.0, "Nin": 0.0, "Sin": 0.0}
    g = greens(zero_ns)
    assert (g["Nin"], g["Sin"], g["Win"], g["Ein"]) == pytest.approx((12.0 / 90.0, 12.0 / 90.0, 70.0 / 90.0, 70.0 / 90.0), rel=1e-12)
    flows = counts_csv(tmp_path / "zero_ns.csv", zero_ns)
    summary, links = cli_assign(folder, static, tmp_path / "zero_ns_out.csv", "--signal-split", "flows", "--design-flows", flows)
    assert (summary["signal_design_flows"], summary["signal_approaches_capacity"]) == (4, 0)
    assert (summary["signal_nodes_split"], summary["signal_nodes_no_flow"]) == (1, 0)
    lib = library_assign(folder, static, zero_ns)
    np.testing.assert_allclose(links.loc[lib.index, "time"].to_numpy(), lib["time"].to_numpy(), rtol=1e-9, atol=1e-9)
    zeros = counts_csv(tmp_path / "zeros.csv", dict.fromkeys(COUNTS, 0))
    summary, _ = cli_assign(folder, static, tmp_path / "zeros_out.csv", "--signal-split", "flows", "--design-flows", zeros)
    assert (summary["signal_design_flows"], summary["signal_approaches_capacity"], summary["signal_nodes_split"], summary["signal_nodes_no_flow"]) == (4, 0, 0, 1)
    r = run_twin(["traffic", "assign", "--scene", folder, "--demand", static, "--signal-split", "flows", "--design-flows", zeros], timeout_s=300)
    assert r.code == 0, r.stderr
    assert "(4 approaches counted, 0 not in the file at their capacity), equal at 1 (every approach counted 0)" in r.stdout
    r = run_twin(["traffic", "simulate", folder, "--demand", dynamic, "--routes", "free_flow", "--duration", "900", "--json",
                  "--signal-split", "flows", "--design-flows", zeros], timeout_s=300)  # fmt: skip
    assert r.code == 0, r.stderr
    s = json.loads(r.stdout)
    assert (s["signal_design_flows"], s["signal_nodes_split"], s["signal_nodes_no_flow"]) == (4, 0, 1)


def test_period_and_class_are_chosen_as_estimate_od_does(case, tmp_path: Path) -> None:
    folder, static, _, _ = case
    frame = pd.concat([pd.read_csv(counts_csv(tmp_path / "a.csv", COUNTS, period="am")),
                       pd.read_csv(counts_csv(tmp_path / "b.csv", {k: 1.0 for k in COUNTS}, period="pm"))])  # fmt: skip
    both = tmp_path / "two_periods.csv"
    frame.to_csv(both, index=False)
    args = ["traffic", "assign", "--scene", folder, "--demand", static, "--signal-split", "flows", "--design-flows", both]
    assert_one_line_error(run_twin(args), contains=("two_periods.csv", "period", "2 periods", "choose one"))
    summary, links = cli_assign(folder, static, tmp_path / "am.csv", "--signal-split", "flows", "--design-flows", both, "--period", "am")
    lib = library_assign(folder, static, COUNTS)
    np.testing.assert_allclose(links.loc[lib.index, "time"].to_numpy(), lib["time"].to_numpy(), rtol=1e-9, atol=1e-9)


def test_simulate_cli_is_the_library_with_the_file_flows(case, tmp_path: Path) -> None:
    from twin.traffic.dynamic import LinkDynamics, demand_arrays, simulate
    from twin.traffic.dynamic_commands import scene_from_files
    from twin.traffic.network import Network
    from twin.traffic.signal_phases import scene_link_bearings
    from twin.traffic.signals import SignalTiming

    folder, _, dynamic, flows = case
    out = tmp_path / "sim.csv"
    base = ["traffic", "simulate", folder, "--demand", dynamic, "--routes", "free_flow", "--duration", "900", "--json"]
    r = run_twin([*base, "--signal-split", "flows", "--design-flows", flows, "--output", out], timeout_s=300)
    assert r.code == 0, r.stderr
    assert json.loads(r.stdout)["signal_design_flows"] == 4
    cli = pd.read_csv(out).set_index("link_id")
    scene = scene_from_files([folder], None, "EPSG:31370")
    net = Network.from_scene(scene, mode="car")
    dyn = LinkDynamics.from_network(net, lanes=net.meta["lanes"])
    dem = demand_arrays(net, pd.read_csv(dynamic))
    res = simulate(net, dem, dynamics=dyn, dt_s=1.0, duration_s=900.0, route_choice="free_flow", signals=["C"], signal_timing=SignalTiming(split="flows"),
                   signal_bearing=scene_link_bearings(scene, net), signal_flows=COUNTS)  # fmt: skip
    lib = res.link_summary().set_index("link_id")
    for col in ("vehicle_h", "delay_veh_h", "max_queue_veh"):
        np.testing.assert_allclose(cli.loc[lib.index, col].to_numpy(), lib[col].to_numpy(), rtol=1e-9, atol=1e-9)
    r = run_twin([*base, "--signal-split", "capacity", "--output", tmp_path / "cap.csv"], timeout_s=300)
    assert r.code == 0, r.stderr
    capacity = pd.read_csv(tmp_path / "cap.csv").set_index("link_id")
    assert capacity.loc["Nin", "delay_veh_h"] < cli.loc["Nin", "delay_veh_h"] - 0.1  # the N approach's short green queues its 900 veh/h


@pytest.mark.parametrize(
    ("rows", "contains"),
    [
        ({"Win": 600, "Xin": 50}, ("bad.csv", "line 3", "link_id", "Xin")),  # a link that does not exist
        ({"Win": 600, "Nin": -5}, ("bad.csv", "line 3", "vehicles", "finite number >= 0", "-5")),
        ({"Win": 600, "Nin": "inf"}, ("bad.csv", "line 3", "vehicles", "finite number >= 0", "inf")),
        ({"Win": 600, "Nin": "nan"}, ("bad.csv", "line 3", "vehicles", "finite number >= 0")),
        ({"Wout": 600, "Nout": 200}, ("bad.csv", "link_id", "counts none of the 4 approaches")),  # counts on no approach: changes nothing
    ],
)
def test_bad_design_flows_are_one_line(case, tmp_path: Path, rows, contains) -> None:
    folder, static, dynamic, _ = case
    bad = counts_csv(tmp_path / "bad.csv", rows)
    assert_one_line_error(run_twin(["traffic", "assign", "--scene", folder, "--demand", static, "--signal-split", "flows", "--design-flows", bad]), contains=contains)
    assert_one_line_error(run_twin(["traffic", "simulate", folder, "--demand", dynamic, "--signal-split", "flows", "--design-flows", bad]), contains=contains)


def test_options_without_effect_are_one_line(case) -> None:
    folder, static, dynamic, flows = case
    assign = ["traffic", "assign", "--scene", folder, "--demand", static]
    simulate = ["traffic", "simulate", folder, "--demand", dynamic]
    for base in (assign, simulate):
        assert_one_line_error(run_twin([*base, "--design-flows", flows]), contains=("counts.csv", "--design-flows", "--signal-split equal change nothing"))
        assert_one_line_error(run_twin([*base, "--signal-split", "capacity", "--design-flows", flows]), contains=("--design-flows", "capacity change nothing"))
        assert_one_line_error(run_twin([*base, "--signal-split", "flows"]), contains=("--design-flows", "needs the approaches' counted flows"))
        assert_one_line_error(run_twin([*base, "--period", "am"]), contains=("--period", "only with --signal-split flows"))
        assert_one_line_error(run_twin([*base, "--no-signals", "--signal-split", "flows", "--design-flows", flows]), contains=("--signal-split", "--no-signals"))
    select = ["traffic", "select-link", "--scene", folder, "--demand", static, "--link", "Win"]
    assert_one_line_error(run_twin([*select, "--design-flows", flows]), contains=("counts.csv", "--design-flows", "--signal-split equal change nothing"))
    assert_one_line_error(run_twin([*select, "--signal-split", "flows"]), contains=("--design-flows", "needs the approaches' counted flows"))
    bad = counts_csv(flows.parent / "bad_select.csv", {"Win": 600, "Xin": 50})
    assert_one_line_error(run_twin([*select, "--signal-split", "flows", "--design-flows", bad]), contains=("bad_select.csv", "line 3", "link_id", "Xin"))
    tntp = ["traffic", "select-link", "--net", "n.tntp", "--trips", "t.tntp", "--link", "1"]
    for extra in (["--design-flows", flows], ["--period", "am"], ["--class", "car"]):
        assert_one_line_error(run_twin([*tntp, *extra]), contains=(extra[0], "only with --scene"))
    r = run_twin(["traffic", "assign", "--net", "n.tntp", "--trips", "t.tntp", "--design-flows", flows])
    assert_one_line_error(r, contains=("--design-flows", "only with --scene"))


def test_select_zone_on_the_flows_split(case) -> None:
    """select-zone --scene assigns on the same signals: the N origin's trips (200 veh/h, N -> S)
    take the N approach's and the S exit's times of the library's assignment."""
    folder, static, _, flows = case
    r = run_twin(["traffic", "select-zone", "--scene", folder, "--demand", static, "-z", "N", "--signal-split", "flows", "--design-flows", flows, "--json"],
                 timeout_s=300)  # fmt: skip
    assert r.code == 0, r.stderr
    s = json.loads(r.stdout)
    assert (s["signal_split"], s["signal_design_flows"]) == ("flows", 4)
    lib = library_assign(folder, static, COUNTS)
    assert s["vehicle_time"] == pytest.approx(200.0 * (lib.loc["Nin", "time"] + lib.loc["Sout", "time"]), rel=1e-9)
    equal = library_assign(folder, static, {k: 1800.0 for k in COUNTS})  # the capacity split's times: another figure
    assert s["vehicle_time"] > 200.0 * (equal.loc["Nin", "time"] + equal.loc["Sout", "time"]) + 100.0


def test_design_flows_by_osm_way_id_are_one_approach_each(tmp_path: Path) -> None:
    """A count by ``osm_way_id`` is the design flow of the way's one link; a way with two links
    (both directions) is refused, naming the line and the field."""
    from twin.errors import InputError
    from twin.traffic.dynamic_commands import read_design_flows
    from twin.traffic.network import Network, osm_way_ids

    ids = ["osm:way/11:0:f", "osm:way/22:0:f", "osm:way/22:0:b"]
    net = Network.build(node_ids=np.array(["A", "B", "C"], dtype=object), link_ids=np.array(ids, dtype=object),
                        from_node=[0, 1, 2], to_node=[1, 2, 1], free_flow_time=np.full(3, 10.0), capacity=np.full(3, 1800.0),
                        length=np.full(3, 150.0), time_unit="s", length_unit="m")  # fmt: skip
    net.meta["osm_way_id"] = osm_way_ids(net.link_ids)
    one = tmp_path / "one.csv"
    pd.DataFrame({"osm_way_id": [11], "period": "am", "vehicles": [420.0], "class": "car"}).to_csv(one, index=False)
    assert read_design_flows(one, net) == {"osm:way/11:0:f": 420.0}
    two = tmp_path / "two.csv"
    pd.DataFrame({"osm_way_id": [11, 22], "period": "am", "vehicles": [420.0, 300.0], "class": "car"}).to_csv(two, index=False)
    with pytest.raises(InputError, match="OSM way 22 has 2 links") as err:
        read_design_flows(two, net)
    assert (err.value.field, err.value.obj) == ("osm_way_id", "line 3")
