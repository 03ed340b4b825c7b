"""Turning movements of district mobility runs and what a closure does to them (issue 15: "what a
filtered street does to turning movements ... cannot be shown").

Saint-Gilles, morning and off-peak: at every street node the car flow on the streets entering it
equals its movements' flows plus the flow leaving the street network there (connectors to zones
and edges), less the trips from one connector straight into another there, and likewise for the
streets leaving it (the link flows and the movement flows come from different links of the
turn-expanded network: street links against turn links); asking for
the movements leaves the equilibrium as it was (vehicle-km within the assignment's gap); the low-
traffic Parvis closes exactly the movements onto or off its links, and the command line writes
the change.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from tests.test_traffic_mobility import PARVIS, closed_ids
from tests.traffic_helpers import stgilles_scene
from twin.traffic.mobility import MobilityOptions, compare_mobility, run_district_mobility
from twin.traffic.whatif import close_streets


@pytest.fixture(scope="module")
def scene():
    return stgilles_scene()


@pytest.fixture(scope="module")
def runs(scene):
    options = MobilityOptions(feedback=1, turning_movements=True)
    base = run_district_mobility(scene, options)
    variant = run_district_mobility(close_streets(scene, closed_ids(scene)), options, baseline=base)
    return base, variant


@pytest.mark.parametrize("period", ["am_peak", "off_peak"])
def test_every_street_node_balances_links_and_movements(runs, period: str) -> None:
    base, _ = runs
    r = base.periods[period]
    net = r.car_net.base
    ids, nodes = net.link_ids.tolist(), net.node_ids
    street = np.array([not k.startswith("conn:") for k in ids])
    flow = np.array([r.link_flow[k] for k in ids])
    into, out_of, leaving, joining = defaultdict(float), defaultdict(float), defaultdict(float), defaultdict(float)
    for k in range(len(ids)):
        head, tail = nodes[net.to_node[k]], nodes[net.from_node[k]]
        if street[k]:
            into[head] += flow[k]
            out_of[tail] += flow[k]
        else:  # connectors: leaving the street network at their tail, joining it at their head
            leaving[tail] += flow[k]
            joining[head] += flow[k]
    moves = base.movements
    assert moves[f"flow_{period}_veh_h"].sum() > 1000.0
    by_node = moves.groupby("node_id")[f"flow_{period}_veh_h"].sum()
    for v in set(into) | set(out_of):
        # what enters by street and is not a movement leaves by a connector, except that a trip
        # from one zone's connector straight into another's at this node is in ``leaving`` and
        # ``joining`` both: the two residuals are that flow, negated
        residual_in = into[v] - by_node.get(v, 0.0) - leaving[v]
        residual_out = out_of[v] - by_node.get(v, 0.0) - joining[v]
        assert residual_in == pytest.approx(residual_out, abs=1e-6) and residual_in <= 1e-6, v
        if not (leaving[v] or joining[v]):
            assert abs(residual_in) <= 1e-6, v


def test_asking_for_movements_keeps_the_equilibrium(scene, runs) -> None:
    plain = run_district_mobility(scene, MobilityOptions(feedback=1))
    base, _ = runs
    for key in ("am_peak_vehicle_km", "am_peak_vehicle_km_residential", "off_peak_vehicle_km_main", "am_peak_car_trips"):
        assert base.kpis[key] == pytest.approx(plain.kpis[key], rel=1e-3), key
    assert plain.movements is None


def test_the_closure_closes_exactly_the_movements_of_its_links(scene, runs) -> None:
    base, variant = runs
    ids = set(closed_ids(scene))
    change = compare_mobility(base, variant, closed_link_ids=sorted(ids))["movements"]
    touches = change["in_link_id"].isin(ids) | change["out_link_id"].isin(ids)
    assert touches.sum() > 10
    assert (change.loc[touches, "status"] == "closed").all() and (change.loc[~touches, "status"] == "kept").all()
    assert (change.loc[touches, "flow_am_peak_veh_h_whatif"] == 0.0).all()
    np.testing.assert_allclose(change["flow_am_peak_veh_h_change"], change["flow_am_peak_veh_h_whatif"] - change["flow_am_peak_veh_h"])
    assert change.loc[touches, "flow_am_peak_veh_h"].sum() > 0  # the Parvis carried traffic before


def test_the_command_line_writes_the_movement_change(tmp_path) -> None:
    from tests.cli_harness import run_twin
    from tests.traffic_helpers import SAMPLES

    files = [SAMPLES / f"stgilles_{k}_osm2013.geojson" for k in ("buildings", "streets", "landcover", "pois")]
    out = tmp_path / "turns.parquet"
    args = ["traffic", "mobility", *files, "--periods", "am_peak", "--feedback", "1", "--categories", "school", "--turns", out]
    for name in PARVIS:
        args += ["--close", name]
    run = run_twin(args, timeout_s=300)
    assert run.code == 0, run.stderr
    table = pd.read_parquet(out)
    assert {"flow_am_peak_veh_h", "flow_am_peak_veh_h_whatif", "flow_am_peak_veh_h_change", "status", "movement"} <= set(table.columns)
    assert f"turns        {out} ({len(table)} movements)" in run.stdout
