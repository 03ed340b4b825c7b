"""Signals in district mobility runs (issue 15: signals where the scene has them).

Saint-Gilles with the OSM 2013 signals of ``data_samples`` placed on its street nodes
(``mark_signals``): with ``signals=True`` every car street link entering a flagged node (counted
here from the scene's link table) gets a stop line, zone connectors never do, and an approach's
reported morning time is its BPR time plus the HCM 2000 stop-line delay at its flow, both written
out here from the printed formulas; off by default; asked for on a scene without flags, a note
says none was applied; with a turn restriction too, the flows are still reported per street link.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.test_traffic_p15x import _signal_delay_s
from tests.traffic_helpers import stgilles_scene
from twin.traffic.mobility import SIGNAL_LINK_PREFIX, MobilityOptions, run_district_mobility

SIGNALS = Path(__file__).resolve().parents[1] / "data_samples" / "stgilles_signals_osm2013.geojson"


@pytest.fixture(scope="module")
def signal_scene():
    from twin.traffic.signals import mark_signals, read_osm_signals

    scene = stgilles_scene()
    mark_signals(scene, read_osm_signals(SIGNALS))
    return scene


def street_approaches(scene) -> set[str]:
    """Car links with a capacity that end at a flagged node, from the scene's tables."""
    links, nodes = scene.links, scene.nodes
    flagged = set(nodes.loc[nodes["signalised"].fillna(False).astype(bool), "node_id"])
    car = links["modes"].fillna("").str.split(",").map(lambda m: "car" in {x.strip() for x in m})
    return set(links.loc[car & (links["capacity_veh_h"] > 0) & links["to_node"].isin(flagged), "link_id"])


def nodes_on_two_axes(scene) -> list[str]:
    """Flagged nodes whose street approaches lie on two street axes, from the scene's tables: the
    arriving bearing of each approach's last segment, modulo 180 degrees, more than the split's
    axis tolerance apart (the nodes a green split by capacity sets)."""
    import numpy as np

    from twin.traffic.signals import SignalTiming

    links = scene.links.set_index("link_id")
    approaches = street_approaches(scene)
    tolerance = SignalTiming().axis_tolerance_deg
    out = []
    for node in scene.nodes.loc[scene.nodes["signalised"].fillna(False).astype(bool), "node_id"]:
        axes = []
        for k in (k for k in approaches if links.loc[k, "to_node"] == node):
            (x0, y0), (x1, y1) = list(links.loc[k, "geometry"].coords)[-2:]
            axes.append(np.degrees(np.arctan2(x1 - x0, y1 - y0)) % 180.0)
        gaps = [min(abs(a - b) % 180.0, 180.0 - abs(a - b) % 180.0) for a in axes for b in axes]
        if gaps and max(gaps) > tolerance:
            out.append(node)
    return out


@pytest.fixture(scope="module")
def with_signals(signal_scene):
    return run_district_mobility(signal_scene, MobilityOptions(feedback=1, signals=True))


def test_a_stop_line_on_every_street_approach(signal_scene, with_signals) -> None:
    approaches = street_approaches(signal_scene)
    n_nodes = int(signal_scene.nodes["signalised"].fillna(False).astype(bool).sum())
    assert len(approaches) > n_nodes > 5
    net = with_signals.periods["am_peak"].car_net.network
    stop_lines = {k[len(SIGNAL_LINK_PREFIX) :] for k in net.link_ids.tolist() if k.startswith(SIGNAL_LINK_PREFIX)}
    assert stop_lines == approaches
    assert f"car network: pretimed signals (HCM delay, default timing) at {n_nodes} signalised nodes ({len(approaches)} approaches)" in with_signals.notes


def test_an_approach_pays_bpr_time_plus_the_hcm_delay(signal_scene, with_signals) -> None:
    period = with_signals.periods["am_peak"]
    links = signal_scene.links.set_index("link_id")
    busiest = max(street_approaches(signal_scene), key=lambda k: period.link_flow.get(k, 0.0))
    flow = period.link_flow[busiest]
    assert flow > 10.0
    row = links.loc[busiest]
    bpr_s = row["length_m"] / row["free_speed_m_s"] * (1.0 + 0.15 * (flow / row["capacity_veh_h"]) ** 4)
    saturation = 1900.0 * max(float(row["lanes"]), 1.0)
    assert period.link_time_s[busiest] == pytest.approx(bpr_s + _signal_delay_s(flow, saturation), rel=1e-9)
    assert set(period.link_flow) == set(period.car_net.base.link_ids.tolist())


def test_off_by_default_and_a_note_when_the_scene_has_none(signal_scene) -> None:
    plain = run_district_mobility(signal_scene, MobilityOptions(feedback=1))
    assert not any(k.startswith(SIGNAL_LINK_PREFIX) for k in plain.periods["am_peak"].car_net.network.link_ids.tolist())
    assert not any("signal" in n for n in plain.notes)
    unflagged = run_district_mobility(stgilles_scene(), MobilityOptions(feedback=1, signals=True))
    assert "car network: signals asked, but the scene flags no signalised node with a car approach (the OSM ingest flags them): none applied" in unflagged.notes


def test_signals_with_a_turn_restriction(signal_scene, with_signals) -> None:
    """A no_left_turn at a flagged node: the network is turn-expanded and signalised, its stop lines
    are the same approaches, and the flows are still reported on the street links only."""
    links = signal_scene.links
    approach = sorted(street_approaches(signal_scene))[0]
    row = links.set_index("link_id").loc[approach]
    out = links[(links["from_node"] == row["to_node"]) & (links["source_id"] != row["source_id"]) & links["modes"].str.contains("car")].iloc[0]
    restricted = signal_scene.copy()
    restricted.add("turn_restrictions", pd.DataFrame({"restriction_id": ["t:1"], "kind": ["no_left_turn"], "from_way": [row["source_id"]], "via_node": [row["to_node"]],
                                                      "to_way": [out["source_id"]]}))  # fmt: skip
    res = run_district_mobility(restricted, MobilityOptions(feedback=1, signals=True))
    net = res.periods["am_peak"].car_net.network
    ids = net.link_ids.tolist()
    assert any(k.startswith("conn:car:turn:") for k in ids)
    assert {k[len(SIGNAL_LINK_PREFIX) :] for k in ids if k.startswith(SIGNAL_LINK_PREFIX)} == street_approaches(signal_scene)
    assert set(res.periods["am_peak"].link_flow) == set(with_signals.periods["am_peak"].link_flow)
    assert any(n.startswith("car network: 1 of 1 OSM turn restrictions applied") for n in res.notes)
    assert f"conn:car:turn:{approach}->{out['link_id']}" not in ids and f"conn:car:turn:{approach}->" in " ".join(ids)


def test_the_command_line_option(signal_scene, tmp_path: Path) -> None:
    """``twin traffic mobility FOLDER --signals`` on the flagged scene written as a folder: the
    signal note among the printed notes; without the option, none."""
    from tests.cli_harness import run_twin
    from twin.export import write_scene

    write_scene(signal_scene, tmp_path / "scene")
    common = ["traffic", "mobility", tmp_path / "scene", "--periods", "am_peak", "--feedback", "1", "--categories", "school"]
    on, off = run_twin([*common, "--signals"], timeout_s=300), run_twin(common, timeout_s=300)
    assert on.code == 0 and off.code == 0, on.stderr + off.stderr
    n_nodes = int(signal_scene.nodes["signalised"].fillna(False).astype(bool).sum())
    assert f"  note: car network: pretimed signals (HCM delay, default timing) at {n_nodes} signalised nodes" in on.stdout
    assert "signal" not in off.stdout


def test_the_green_split_on_the_command_line(signal_scene, tmp_path: Path) -> None:
    """``--signal-split capacity`` reaches the stop lines: the note names the split and the number
    of nodes it set (:func:`nodes_on_two_axes`, from the scene's tables); without ``--signals``,
    or with a split mobility runs do not take, one error line before any work."""
    from tests.cli_harness import assert_one_line_error, run_twin
    from twin.export import write_scene

    write_scene(signal_scene, tmp_path / "scene")
    common = ["traffic", "mobility", tmp_path / "scene", "--periods", "am_peak", "--feedback", "1", "--categories", "school"]
    r = run_twin([*common, "--signals", "--signal-split", "capacity"], timeout_s=300)
    assert r.code == 0, r.stderr
    two_axes = len(nodes_on_two_axes(signal_scene))
    assert two_axes > 0
    assert f"green split by capacity (Webster) at {two_axes} node(s)" in r.stdout
    bad = run_twin([*common, "--signal-split", "capacity"])
    assert_one_line_error(bad, contains=("signal split 'capacity' without signals changes nothing",))
    bad = run_twin([*common, "--signals", "--signal-split", "flows"])
    assert_one_line_error(bad, contains=("--signal-split 'flows' is not a mobility option", "use capacity"))
