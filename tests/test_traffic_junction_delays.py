"""Junction delays a planner can read (issue 15, mobility: what a filter does at the junctions).

* The hand-made detour network of tests/test_traffic_priority.py (a residential stem giving way
  to a primary road at J): the one junction's control delay is the stem's flow x the HCM delay
  written out there (Harders' capacity at the major road's flow, Eq. 19-64), its mean delay that
  over every vehicle entering J.
* Saint-Gilles with signals and give-way (feedback 1, morning peak): the table's total is the sum
  over the stop and give-way lines (found by their link ids) of flow x time of the assignment,
  per junction too; every junction is a signalised node (control ``signal``) or a classified
  give-way junction; the flow entering a junction is that of the scene's street links ending
  there. A closure of the Parvis: the change table's total is the difference of the two totals,
  sorted by the absolute change.
* ``twin traffic mobility --give-way --close ... -o links.csv`` writes ``links_junctions.csv``
  and prints the totals; the scenario report lists the junctions whose delay changed most, and
  nothing when the junction model is off.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.test_traffic_priority import detour_network, harders_veh_h, hcm_delay_s
from twin.traffic.junction_delays import junction_table, line_table
from twin.traffic.priority import add_give_way, assign_with_give_way, classify_junctions

SAMPLES = Path(__file__).resolve().parents[1] / "data_samples"
SIGNALS = SAMPLES / "stgilles_signals_osm2013.geojson"
FILES = [str(SAMPLES / f"stgilles_{k}_osm2013.geojson") for k in ("buildings", "streets", "landcover", "pois")]
PARVIS = ["Parvis Saint-Gilles - Sint-Gillis Voorplein", "Rue de l'Église Saint-Gilles - Sint-Gilliskerkstraat"]


def test_detour_junction_delay_is_flow_times_the_hcm_delay() -> None:
    net, rc = detour_network()
    xy = np.array([[np.nan, np.nan]] * 3 + [[0.0, -100.0], [0.0, 0.0], [-100.0, 0.0], [100.0, 0.0]])
    j = classify_junctions(net, rc, xy, street=np.array([r != "" for r in rc]))
    demand = np.zeros((3, 3))
    demand[0, 1], demand[2, 1] = 600.0, 500.0
    final, res, conv = assign_with_give_way(add_give_way(net, j), demand, tolerance=1e-9, max_passes=60, algorithm="b", gap=1e-12)
    assert conv.converged
    lines = line_table(final.network, final, net, res.flow, res.time)
    assert lines[["node_id", "link_id", "control"]].values.tolist() == [["J", "S>J", "give_way:major"]]
    table = junction_table(lines, net, final.link_flow(res.flow), np.array([r != "" for r in rc]))
    assert len(table) == 1
    row = table.iloc[0]
    # the stem's v veh/h give way to the major road's 1100 - v (M's 500 and O's trips round by W)
    v = float(final.link_flow(res.flow)[net.link_ids.tolist().index("S>J")])
    assert 100.0 < v < 500.0
    by_hand_veh_h = v * hcm_delay_s(v, harders_veh_h(1100.0 - v)) / 3600.0
    assert by_hand_veh_h == pytest.approx(v * 40.0 / 3600.0, rel=1e-6)  # equilibrium: the stem's delay is the detour's 40 s more
    assert row["node_id"] == "J" and row["control"] == "give_way:major"
    assert (row["approaches"], row["controlled_approaches"]) == (3, 1)
    assert row["controlled_flow_veh_h"] == pytest.approx(v, rel=1e-12)
    assert row["flow_veh_h"] == pytest.approx(1100.0, rel=1e-9)  # S>J, W>J and E>J (empty): every vehicle entering J
    assert row["delay_veh_h"] == pytest.approx(by_hand_veh_h, rel=1e-6)
    assert row["mean_delay_s"] == pytest.approx(by_hand_veh_h * 3600.0 / 1100.0, rel=1e-6)
    assert row["max_degree_of_saturation"] == pytest.approx(v / harders_veh_h(1100.0 - v), rel=1e-6)


# ----------------------------------------------------------------------------------- Saint-Gilles
@pytest.fixture(scope="module")
def signal_scene():
    from tests.traffic_helpers import stgilles_scene
    from twin.traffic.signals import mark_signals, read_osm_signals

    scene = stgilles_scene()
    mark_signals(scene, read_osm_signals(SIGNALS))
    return scene


OPTIONS = {"periods": ("am_peak",), "feedback": 1, "signals": True, "give_way": True, "compute_access": False}


@pytest.fixture(scope="module")
def runs(signal_scene):
    from twin.traffic.mobility import MobilityOptions, run_district_mobility
    from twin.traffic.whatif import close_streets

    base = run_district_mobility(signal_scene, MobilityOptions(**OPTIONS))
    links = signal_scene.links
    closed = links.loc[links["name"].isin(PARVIS) & links["modes"].str.contains("car"), "link_id"].tolist()
    variant = run_district_mobility(close_streets(signal_scene, closed), MobilityOptions(**OPTIONS), baseline=base)
    return base, variant, closed


def line_delays_by_node(run, scene) -> dict[str, float]:
    """Flow x time (veh-h) of every stop and give-way line of the assignment, summed per node of the approach's end (from the scene's links)."""
    from twin.traffic.mobility import GIVE_WAY_LINK_PREFIX, SIGNAL_LINK_PREFIX

    r = run.periods["am_peak"]
    to_node = scene.links.set_index("link_id")["to_node"]
    out: dict[str, float] = {}
    for k, f, t in zip(r.car_net.network.link_ids.tolist(), r.assignment.flow.tolist(), r.assignment.time.tolist(), strict=True):
        for prefix in (SIGNAL_LINK_PREFIX, GIVE_WAY_LINK_PREFIX):
            if k.startswith(prefix):
                node = to_node[k[len(prefix) :]]
                out[node] = out.get(node, 0.0) + f * t / 3600.0
    return out


def test_stgilles_table_is_the_lines_of_the_assignment(signal_scene, runs) -> None:
    base, _, _ = runs
    table = base.junction_delays()
    assert list(table.columns[:3]) == ["period", "node_id", "control"] and set(table["period"]) == {"am_peak"}
    by_node = line_delays_by_node(base, signal_scene)
    assert len(table) == len(by_node) > 100
    assert table["delay_veh_h"].sum() == pytest.approx(sum(by_node.values()), rel=1e-12)
    assert table["delay_veh_h"].sum() > 10.0
    for node, delay in zip(table["node_id"], table["delay_veh_h"], strict=True):
        assert delay == pytest.approx(by_node[node], rel=1e-12, abs=1e-12)
    assert np.all(np.diff(table["delay_veh_h"].to_numpy()) <= 0)  # largest first
    # every junction is a signalised node (control signal) or a classified give-way junction
    signalised = set(signal_scene.nodes.loc[signal_scene.nodes["signalised"].fillna(False).astype(bool), "node_id"])
    r = base.periods["am_peak"]
    gw = r.car_net.give_way
    give_way_nodes = set(r.car_net.base.node_ids[gw.junctions.node].tolist())
    for node, control in zip(table["node_id"], table["control"], strict=True):
        assert (node in signalised and control == "signal") or (node in give_way_nodes and control.startswith("give_way:")), (node, control)
    assert {"signal", "give_way:major", "give_way:right"} <= set(table["control"])
    # the flow entering a junction: the scene's car street links ending there
    links = signal_scene.links
    car = links[links["modes"].fillna("").str.contains("car")]
    for row in table.head(20).itertuples():
        entering = car.loc[car["to_node"] == row.node_id, "link_id"]
        assert row.flow_veh_h == pytest.approx(sum(r.link_flow.get(k, 0.0) for k in entering), rel=1e-9)
        assert row.mean_delay_s == pytest.approx(row.delay_veh_h * 3600.0 / row.flow_veh_h, rel=1e-12)
        assert row.controlled_flow_veh_h <= row.flow_veh_h * (1 + 1e-9)


def test_stgilles_closure_change_adds_up(signal_scene, runs) -> None:
    from twin.traffic.mobility import compare_mobility

    base, variant, closed = runs
    change = compare_mobility(base, variant, closed_link_ids=closed)["junctions"]
    total_base = base.junction_delays()["delay_veh_h"].sum()
    total_whatif = variant.junction_delays()["delay_veh_h"].sum()
    assert change["delay_veh_h_change"].sum() == pytest.approx(total_whatif - total_base, rel=1e-9, abs=1e-9)
    assert change["delay_veh_h_base"].sum() == pytest.approx(total_base, rel=1e-12)
    assert change["delay_veh_h_whatif"].sum() == pytest.approx(total_whatif, rel=1e-12)
    size = np.abs(change["delay_veh_h_change"].to_numpy())
    assert np.all(np.diff(size) <= 0) and size[0] > 0.01  # sorted by the absolute change; the closure moves delay
    # per junction: the what-if's delay is its own lines' (independently summed)
    by_node = line_delays_by_node(variant, signal_scene)
    kept = change[change["status"] != "removed"]
    assert dict(zip(kept["node_id"], kept["delay_veh_h_whatif"], strict=True)) == pytest.approx(by_node, rel=1e-12, abs=1e-12)
    # junction model off: no junction table, no junction change
    from twin.traffic.mobility import MobilityOptions

    off = replace(base, options=MobilityOptions(periods=("am_peak",)), periods={})
    assert off.junction_delays().empty and "junctions" not in compare_mobility(off, replace(off), closed_link_ids=closed)


# ----------------------------------------------------------------------------------- command line
def test_cli_writes_the_junction_table_and_prints_its_totals(tmp_path) -> None:
    from tests.cli_harness import run_twin

    out = tmp_path / "links.csv"
    args = ["traffic", "mobility", *FILES, "--periods", "am_peak", "--feedback", "1", "--categories", "school", "--give-way", "-o", out]
    for name in PARVIS:
        args += ["--close", name]
    r = run_twin(args, timeout_s=400)
    assert r.code == 0, r.stderr
    table = pd.read_csv(tmp_path / "links_junctions.csv")
    assert {"period", "node_id", "control", "delay_veh_h_base", "delay_veh_h_whatif", "delay_veh_h_change", "status"} <= set(table.columns)
    assert set(table["period"]) == {"am_peak"} and table["control"].str.startswith("give_way:").all()
    line = re.search(r"junctions with a stop or give-way line: am_peak (\d+) \(control delay ([0-9.]+) veh-h, what-if ([0-9.]+)\)", r.stdout)
    assert line is not None, r.stdout
    assert int(line.group(1)) == int((table["status"] != "new").sum())
    assert float(line.group(2)) == pytest.approx(table["delay_veh_h_base"].sum(), abs=0.051)
    assert float(line.group(3)) == pytest.approx(table["delay_veh_h_whatif"].sum(), abs=0.051)
    assert np.all(np.diff(np.abs(table["delay_veh_h_change"].to_numpy())) <= 1e-9)


# ----------------------------------------------------------------------------------- scenario report
def test_scenario_report_lists_the_junctions_that_changed_most(tmp_path) -> None:
    from twin.scenario.engines import traffic_model as M
    from twin.scenario.report_mobility import JUNCTION_ROWS, junction_change, mobility_section
    from twin.scenario.runner import run_scenario
    from twin.scenario.schema import parse_scenario

    doc = {"name": "junctions", "inputs": {"files": [*FILES, str(SIGNALS)]}, "domains": ["traffic"],
           "whatifs": [{"name": "parvis", "modifications": [{"op": "close_streets", "select": {"where": {"name": PARVIS}}}]}],
           "uncertainty": {"samples": 0, "seed": 3}, "traffic": {"periods": ["am_peak"], "feedback": 1, "signals": True, "give_way": True}}  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        comp = run_scenario(parse_scenario(doc), base_dir=tmp_path)
    base_objects = comp.baseline["traffic"].objects
    whatif_objects = comp.whatifs["parvis"]["traffic"].objects
    change = junction_change(comp, "parvis", "am_peak")
    # the per-link columns add up to the junctions' delays, baseline and what-if
    assert change["delay_veh_h_base"].sum() == pytest.approx(base_objects["control_delay_am_peak_veh_h"].sum(), rel=1e-12)
    assert change["delay_veh_h_whatif"].sum() == pytest.approx(whatif_objects["control_delay_am_peak_veh_h"].sum(), rel=1e-12)
    assert base_objects["control_delay_am_peak_veh_h"].sum() > 10.0
    html = mobility_section(comp)
    assert "Control delay at the junctions with a stop line (signals) or a give-way line" in html
    section = html[html.index("Control delay at the junctions") :]
    table = section[: section.index("</table>")]
    rows = re.findall(r"<td class='(?:pos|neg)'>([+-][0-9,.]+)</td></tr>", table)
    top = change[change["delay_veh_h_change"].abs() >= 0.005].head(JUNCTION_ROWS)
    assert 5 <= len(rows) == len(top) <= JUNCTION_ROWS
    assert [float(x.replace(",", "")) for x in rows] == pytest.approx(top["delay_veh_h_change"].round(2).tolist(), abs=1e-9)
    # junction model off: the engine adds no junction column and the report shows no junction table
    result = next(iter(v for k, v in comp.baseline_scene._cache.items() if str(k).startswith("traffic:mobility:")))
    from twin.traffic.mobility import MobilityOptions

    plain = M.objects(replace(result, options=MobilityOptions(periods=("am_peak",))))
    assert not any(c.startswith(("junction_", "control_delay_")) for c in plain.columns)
    comp.baseline["traffic"] = replace(comp.baseline["traffic"], objects=plain)
    assert junction_change(comp, "parvis", "am_peak") is None and "Control delay at the junctions" not in mobility_section(comp)
