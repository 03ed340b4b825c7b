"""Design flows from counts over a period of any length: ``--count-period-h H`` (hours each count of
``--design-flows`` covers, default 1) makes the design flow ``vehicles / H`` veh/h
(:func:`twin.traffic.dynamic_commands.read_design_flows`, the one place the conversion is made).

Why it matters: an approach not in the file takes its capacity (veh/h) as design flow. With all
approaches counted, Webster's greens depend on flow ratios only and a 2-hour count gives the
hour's greens; with one approach at its capacity, a 2-hour count taken as veh/h doubles the
counted approaches against that capacity. The crossroads of
``tests/test_traffic_signal_split_flows_cli.py`` (every arm 1800 veh/h, one lane) is counted
07:00-09:00 on W, E and N; S is not in the file.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.test_traffic_signal_split_flows_cli import crossroads_scene, greens, library_assign, write_crossroads_case

TWO_HOURS = {"Win": 1200.0, "Ein": 600.0, "Nin": 400.0}
"""Vehicles counted over 2 h; S is not counted (its capacity, 1800 veh/h, stands in)."""
CAPACITY_VEH_H = 1800.0


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    return write_crossroads_case(tmp_path_factory.mktemp("count_period"), "counts_0700_0900.csv", TWO_HOURS, period="am_peak")


def scene_network():
    from twin.traffic.network import Network

    return Network.from_scene(crossroads_scene(), mode="car")


def test_design_flows_are_vehicles_over_the_hours(case) -> None:
    from twin.traffic.dynamic_commands import read_design_flows

    *_, flows = case
    net = scene_network()
    assert read_design_flows(flows, net, count_period_h=2.0) == {k: v / 2.0 for k, v in TWO_HOURS.items()}
    assert read_design_flows(flows, net) == TWO_HOURS  # default: an hour's count
    assert read_design_flows(flows, net, count_period_h=0.25) == {k: 4.0 * v for k, v in TWO_HOURS.items()}


def test_greens_by_hand_with_the_hourly_counts(case) -> None:
    """Webster by hand: E-W critical 1200 / 2 = 600 veh/h, N-S the uncounted S approach's
    capacity 1800 veh/h (above N's 400 / 2 = 200); the greens share (C - L) = 82 s of 90 s by
    600 : 1800 (E-W 20.5 s, above the 12 s minimum). The old rule (vehicles as veh/h: 1200 : 1800)
    gives E-W 32.8 s."""
    from twin.traffic.dynamic_commands import read_design_flows
    from twin.traffic.signals import SignalTiming

    *_, flows = case
    t = SignalTiming()
    effective = (t.cycle_s - t.n_phases * t.lost_time_s) / t.cycle_s
    y_ew, y_ns = TWO_HOURS["Win"] / 2.0, CAPACITY_VEH_H
    g = greens(read_design_flows(flows, scene_network(), count_period_h=2.0))
    for arm, y in (("Win", y_ew), ("Ein", y_ew), ("Nin", y_ns), ("Sin", y_ns)):
        assert g[arm] == pytest.approx(effective * y / (y_ew + y_ns), rel=1e-12)
    assert g["Win"] * t.cycle_s == pytest.approx(20.5, rel=1e-12)
    old = greens(TWO_HOURS)  # the 2-hour counts taken as veh/h against S's capacity
    assert old["Win"] * t.cycle_s == pytest.approx(32.8, rel=1e-12)


def test_assign_cli_is_the_library_with_the_hourly_counts(case, tmp_path: Path) -> None:
    folder, static, _, flows = case
    out = tmp_path / "links.csv"
    r = run_twin(["traffic", "assign", "--scene", folder, "--demand", static, "--output", out, "--json",
                  "--signal-split", "flows", "--design-flows", flows, "--count-period-h", "2"], timeout_s=300)  # fmt: skip
    assert r.code == 0, r.stderr
    s = json.loads(r.stdout)
    assert (s["signal_design_flows"], s["signal_approaches_capacity"], s["signal_count_period_h"]) == (3, 1, 2.0)
    links = pd.read_csv(out).set_index("link_id")
    lib = library_assign(folder, static, {k: v / 2.0 for k, v in TWO_HOURS.items()})
    np.testing.assert_allclose(links.loc[lib.index, "time"].to_numpy(), lib["time"].to_numpy(), rtol=1e-9, atol=1e-9)
    old = library_assign(folder, static, TWO_HOURS)
    assert abs(links.loc["Win", "time"] - old.loc["Win", "time"]) > 1.0  # the old rule's longer E-W green: another W time
    r = run_twin(["traffic", "assign", "--scene", folder, "--demand", static, "--signal-split", "flows", "--design-flows", flows,
                  "--count-period-h", "2"], timeout_s=300)  # fmt: skip
    assert r.code == 0, r.stderr
    assert "(3 approaches counted over 2 h (vehicles / 2 as veh/h), 1 not in the file at their capacity)" in r.stdout


def test_select_zone_and_simulate_take_the_count_period(case) -> None:
    """The option reaches select-zone (the N origin's time on the library's assignment) and
    simulate (the library's simulate with the hourly flows)."""
    from twin.traffic.dynamic import LinkDynamics, demand_arrays, simulate
    from twin.traffic.dynamic_commands import scene_from_files
    from twin.traffic.network import Network
    from twin.traffic.signal_phases import scene_link_bearings
    from twin.traffic.signals import SignalTiming

    folder, static, dynamic, flows = case
    hourly = {k: v / 2.0 for k, v in TWO_HOURS.items()}
    r = run_twin(["traffic", "select-zone", "--scene", folder, "--demand", static, "-z", "N", "--signal-split", "flows", "--design-flows", flows,
                  "--count-period-h", "2", "--json"], timeout_s=300)  # fmt: skip
    assert r.code == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["signal_count_period_h"] == 2.0
    lib = library_assign(folder, static, hourly)
    assert s["vehicle_time"] == pytest.approx(200.0 * (lib.loc["Nin", "time"] + lib.loc["Sout", "time"]), rel=1e-9)
    r = run_twin(["traffic", "simulate", folder, "--demand", dynamic, "--routes", "free_flow", "--duration", "900", "--json",
                  "--signal-split", "flows", "--design-flows", flows, "--count-period-h", "2"], timeout_s=300)  # fmt: skip
    assert r.code == 0, r.stderr
    s = json.loads(r.stdout)
    assert (s["signal_design_flows"], s["signal_count_period_h"]) == (3, 2.0)
    scene = scene_from_files([folder], None, "EPSG:31370")
    net = Network.from_scene(scene, mode="car")
    dyn = LinkDynamics.from_network(net, lanes=net.meta["lanes"])
    def lib_delay_veh_h(design: dict[str, float]) -> float:
        res = simulate(net, demand_arrays(net, pd.read_csv(dynamic)), dynamics=dyn, dt_s=1.0, duration_s=900.0, route_choice="free_flow", signals=["C"],
                       signal_timing=SignalTiming(split="flows"), signal_bearing=scene_link_bearings(scene, net), signal_flows=design)  # fmt: skip
        return res.totals()["total_delay_veh_h"]

    assert s["total_delay_veh_h"] == pytest.approx(lib_delay_veh_h(hourly), rel=1e-9)
    assert abs(s["total_delay_veh_h"] - lib_delay_veh_h(TWO_HOURS)) > 0.01  # the old rule's other greens: another delay


@pytest.mark.parametrize("hours", ["0", "-2", "nan", "inf"])
def test_a_count_period_not_finite_and_positive_is_one_line(case, hours: str) -> None:
    folder, static, dynamic, flows = case
    flow_args = ["--signal-split", "flows", "--design-flows", flows, "--count-period-h", hours]
    assert_one_line_error(run_twin(["traffic", "assign", "--scene", folder, "--demand", static, *flow_args]),
                          contains=("--count-period-h", "finite number > 0"))  # fmt: skip
    assert_one_line_error(run_twin(["traffic", "simulate", folder, "--demand", dynamic, *flow_args]), contains=("--count-period-h", "finite number > 0"))


def test_read_design_flows_refuses_a_bad_count_period(case) -> None:
    from twin.errors import InputError
    from twin.traffic.dynamic_commands import read_design_flows

    for hours in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(InputError, match="finite number > 0") as err:
            read_design_flows(case[3], scene_network(), count_period_h=hours)
        assert err.value.field == "--count-period-h"


def test_a_count_period_without_design_flows_changes_nothing(case) -> None:
    folder, static, dynamic, _ = case
    commands = (["traffic", "assign", "--scene", folder, "--demand", static],
                ["traffic", "simulate", folder, "--demand", dynamic],
                ["traffic", "select-link", "--scene", folder, "--demand", static, "--link", "Win"],
                ["traffic", "select-zone", "--scene", folder, "--demand", static, "-z", "N"])  # fmt: skip
    for base in commands:
        for split in ([], ["--signal-split", "capacity"]):
            assert_one_line_error(run_twin([*base, *split, "--count-period-h", "2"]), contains=("--count-period-h", "changes nothing"))
    for tntp in (["traffic", "assign", "--net", "n.tntp", "--trips", "t.tntp"], ["traffic", "select-link", "--net", "n.tntp", "--trips", "t.tntp", "--link", "1"]):
        assert_one_line_error(run_twin([*tntp, "--count-period-h", "2"]), contains=("--count-period-h", "only with --scene"))
