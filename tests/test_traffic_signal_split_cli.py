"""The signals' green split on the scene commands: ``twin traffic assign --scene ... --signal-split
capacity`` and ``twin traffic simulate SCENE --signal-split capacity`` (Saint-Gilles with the OSM
2013 signals of ``data_samples``). The split reaches the stop lines (the nodes it set = the flagged
nodes whose approaches lie on two street axes, counted from the scene's tables); bad input is one
error line before any work."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path
from tests.test_traffic_mobility_signals import nodes_on_two_axes, street_approaches


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """The flagged scene as a folder and an OD pair through a signalised node on two street axes
    whose approaches differ in capacity (so Webster's split differs from the equal one): from the
    tail of its largest approach to the head of a link leaving the node."""
    from tests.traffic_helpers import stgilles_scene
    from twin.export import write_scene
    from twin.traffic.signals import mark_signals, read_osm_signals

    folder = tmp_path_factory.mktemp("split")
    scene = stgilles_scene()
    mark_signals(scene, read_osm_signals(Path(__file__).resolve().parents[1] / "data_samples" / "stgilles_signals_osm2013.geojson"))
    write_scene(scene, folder / "scene")
    links = scene.links.set_index("link_id")
    split_nodes = set(nodes_on_two_axes(scene))
    at = {n: sorted(k for k in street_approaches(scene) if links.loc[k, "to_node"] == n) for n in sorted(split_nodes)}
    node = next(n for n, ks in at.items() if links.loc[ks, "capacity_veh_h"].nunique() > 1)
    approach = max(at[node], key=lambda k: links.loc[k, "capacity_veh_h"])
    car = links["modes"].fillna("").str.contains("car") & (links["capacity_veh_h"] > 0)
    leaving = sorted(links.index[car & (links["from_node"] == node) & (links["to_node"] != links.loc[approach, "from_node"])])
    origin, destination = links.loc[approach, "from_node"], links.loc[leaving[0], "to_node"]
    static = folder / "od.csv"
    pd.DataFrame({"origin": [origin], "destination": [destination], "flow_veh_h": [400.0]}).to_csv(static, index=False)
    dynamic = folder / "od_dynamic.csv"
    pd.DataFrame({"origin": [origin], "destination": [destination], "t_start_s": [0.0], "t_end_s": [300.0], "vehicles": [30.0]}).to_csv(dynamic, index=False)
    return scene, folder / "scene", static, dynamic, approach


def test_assign_on_the_scene_applies_the_split(case, tmp_path: Path) -> None:
    scene, folder, static, _, approach = case
    runs = {}
    for split in ("equal", "capacity"):
        out = tmp_path / f"{split}.csv"
        r = run_twin(["traffic", "assign", "--scene", folder, "--demand", static, "--signal-split", split, "--output", out, "--json"], timeout_s=300)
        assert r.code == 0, r.stderr
        runs[split] = (json.loads(r.stdout), pd.read_csv(out).set_index("link_id"))
    summary, links = runs["capacity"]
    assert summary["signal_split"] == "capacity"
    assert summary["signal_nodes_split"] == len(nodes_on_two_axes(scene)) > 0
    assert runs["equal"][0]["signal_split"] == "equal" and runs["equal"][0]["signal_nodes_split"] == 0
    # the approach carries the demand both times; its time (BPR + stop line) changes with its green
    assert links.loc[approach, "flow"] == pytest.approx(400.0) == runs["equal"][1].loc[approach, "flow"]
    assert abs(links.loc[approach, "time"] - runs["equal"][1].loc[approach, "time"]) > 1e-3


def test_simulate_on_the_scene_applies_the_split(case) -> None:
    scene, folder, _, dynamic, _ = case
    r = run_twin(["traffic", "simulate", folder, "--demand", dynamic, "--routes", "free_flow", "--duration", "900", "--signal-split", "capacity", "--json"],
                 timeout_s=300)  # fmt: skip
    assert r.code == 0, r.stderr
    s = json.loads(r.stdout)
    assert (s["signal_split"], s["signal_nodes_split"]) == ("capacity", len(nodes_on_two_axes(scene)))
    text = run_twin(["traffic", "simulate", folder, "--demand", dynamic, "--routes", "free_flow", "--duration", "900", "--signal-split", "capacity"],
                    timeout_s=300)  # fmt: skip
    assert f"green split by capacity at {len(nodes_on_two_axes(scene))} node(s)" in text.stdout


def test_bad_splits_are_one_line(case) -> None:
    _, folder, static, dynamic, _ = case
    bad = run_twin(["traffic", "assign", "--scene", folder, "--demand", static, "--signal-split", "webster"])
    assert_one_line_error(bad, contains=("--signal-split", "unknown green split 'webster'", "choose one of equal, capacity, flows"))
    bad = run_twin(["traffic", "assign", "--scene", folder, "--demand", static, "--signal-split", "flows"])  # its file: test_traffic_signal_split_flows_cli.py
    assert_one_line_error(bad, contains=("--design-flows", "needs the approaches' counted flows"))
    bad = run_twin(["traffic", "assign", "--scene", folder, "--demand", static, "--no-signals", "--signal-split", "capacity"])
    assert_one_line_error(bad, contains=("--signal-split", "with --no-signals changes nothing"))
    bad = run_twin(["traffic", "simulate", folder, "--demand", dynamic, "--no-signals", "--signal-split", "capacity"])
    assert_one_line_error(bad, contains=("--signal-split", "with --no-signals changes nothing"))
    bad = run_twin(["traffic", "simulate", shared_path("traffic", "grid11"), "--signal-split", "capacity"])
    assert_one_line_error(bad, contains=("--signal-split", "scenario folder has no signals"))
