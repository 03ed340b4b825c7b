"""A counted 0 veh/h is a design flow of 0, not "no count", in the signals' ``flows`` split, static
(:func:`twin.traffic.signals.add_signals`) and dynamic (:func:`twin.traffic.dynamic_turns.signal_stop_lines`)
alike: one rule, :func:`twin.traffic.signal_phases.approach_design_flows`.

Hand junction J (saturation flow 1,900 veh/h/lane, 90 s cycle, 2 x 4 s lost time, 12 s minimum
green): an E-W street of 1 lane and 1,800 veh/h each way, a N-S street of 2 lanes and 3,000 veh/h
(two-way, or one-way southbound: only N enters J). By hand:

* N counted 0 on the one-way crossroads (E-W counted 600 and 300): the N-S phase has ``y = 0``,
  Webster's share 0 < 12 s, so it gets the minimum ``12 / 90`` and E-W the rest ``(82 - 12) / 90``.
  The old rule took N's 3,000 veh/h capacity as its design flow instead (the longest green).
* every approach counted 0: no ratio to share by, the equal split ``(90 - 2 x 4) / (2 x 90)``
  (``nodes_no_flow``); the old rule gave the capacity split (3,000 vs 1,800 veh/h: unequal).
"""

from __future__ import annotations

import numpy as np
import pytest

from twin.errors import InputError
from twin.traffic.dynamic import LinkDynamics
from twin.traffic.dynamic_turns import signal_stop_lines
from twin.traffic.network import Network
from twin.traffic.signal_phases import approach_design_flows, network_bearings, webster_green_ratios
from twin.traffic.signals import SignalTiming, add_signals

XY = {"J": (0.0, 0.0), "N": (0.0, 300.0), "S": (0.0, -300.0), "E": (300.0, 0.0), "W": (-300.0, 0.0)}
ARMS = {"N": (2, 3000.0), "S": (2, 3000.0), "E": (1, 1800.0), "W": (1, 1800.0)}  # lanes, capacity veh/h
T = SignalTiming(split="flows")
G_MIN = 12.0 / 90.0
G_EQUAL = (90.0 - 2 * 4.0) / (2 * 90.0)


def junction(one_way: bool = False) -> tuple[Network, LinkDynamics, np.ndarray]:
    """The hand junction (``one_way``: the N-S street runs N -> S only, links ``NJ`` and ``JS``), its
    link dynamics (capacities in veh/s) and its links' bearings from the node coordinates."""
    ids = list(XY)
    links = [(f"{a}J", a, "J", n, c) for a, (n, c) in ARMS.items() if not (one_way and a == "S")]
    links += [(f"J{a}", "J", a, n, c) for a, (n, c) in ARMS.items() if not (one_way and a == "N")]
    length = np.full(len(links), 300.0)
    net = Network.build(
        node_ids=np.array(ids, dtype=object), link_ids=np.array([k[0] for k in links], dtype=object),
        from_node=[ids.index(k[1]) for k in links], to_node=[ids.index(k[2]) for k in links], free_flow_time=length / 15.0,
        capacity=[k[4] for k in links], length=length, time_unit="s", length_unit="m",
    )  # fmt: skip
    lanes = np.array([float(k[3]) for k in links])[[[k[0] for k in links].index(lid) for lid in net.link_ids.tolist()]]
    net.meta["lanes"] = lanes
    return net, LinkDynamics.from_network(net, lanes=lanes), network_bearings(net, np.array([XY[k] for k in ids]))


def static_greens(net: Network, bearing: np.ndarray, flows) -> tuple[dict[str, float], dict]:
    sig = add_signals(net, ["J"], timing=T, bearing=bearing, flows=flows)
    table = sig.approaches(np.zeros(sig.network.n_links))
    return dict(zip(table["link_id"].tolist(), table["green_ratio"].tolist())), sig.split


def dynamic_greens(net: Network, dyn: LinkDynamics, bearing: np.ndarray, flows) -> tuple[dict[str, float], dict]:
    lines = signal_stop_lines(net, dyn.capacity_veh_s, dyn.lanes, ["J"], timing=T, bearing=bearing, flows=flows)
    return dict(zip(net.link_ids[lines.approaches].tolist(), lines.green.tolist())), lines.split


def test_an_approach_counted_0_gets_the_minimum_green_static_and_dynamic() -> None:
    net, dyn, bearing = junction(one_way=True)
    counts = {"WJ": 600.0, "EJ": 300.0, "NJ": 0.0}
    expect = {"NJ": G_MIN, "WJ": (82.0 - 12.0) / 90.0, "EJ": (82.0 - 12.0) / 90.0}
    static, split = static_greens(net, bearing, counts)
    dynamic, dyn_split = dynamic_greens(net, dyn, bearing, counts)
    assert static == pytest.approx(expect, rel=1e-12)
    assert dynamic == pytest.approx(static, rel=1e-12)  # one rule: the same greens from both paths
    assert split["nodes_split"] == dyn_split["nodes_split"] == 1 and split["nodes_no_flow"] == dyn_split["nodes_no_flow"] == 0
    # the same flows as an array over the links (NaN: not counted) give the same greens
    array = np.array([counts.get(k, np.nan) for k in net.link_ids.tolist()])
    assert static_greens(net, bearing, array)[0] == static and dynamic_greens(net, dyn, bearing, array)[0] == dynamic


def test_every_approach_counted_0_keeps_the_equal_split_counted() -> None:
    net, dyn, bearing = junction()
    zeros = dict.fromkeys(["NJ", "SJ", "EJ", "WJ"], 0.0)
    for greens, split in (static_greens(net, bearing, zeros), dynamic_greens(net, dyn, bearing, zeros)):
        assert greens == pytest.approx(dict.fromkeys(zeros, G_EQUAL), rel=1e-12)
        assert (split["nodes_split"], split["nodes_no_flow"], split["nodes_one_axis"], split["nodes_without_bearing"]) == (0, 1, 0, 0)


def test_an_approach_not_counted_takes_its_capacity() -> None:
    net, dyn, bearing = junction()
    part = {"WJ": 600.0, "NJ": 100.0}  # E and S not in the mapping: their capacities, 1,800 and 3,000 veh/h
    full = {**part, "EJ": 1800.0, "SJ": 3000.0}
    assert static_greens(net, bearing, part)[0] == pytest.approx(static_greens(net, bearing, full)[0], rel=1e-12)
    assert dynamic_greens(net, dyn, bearing, part)[0] == pytest.approx(dynamic_greens(net, dyn, bearing, full)[0], rel=1e-12)
    array = np.array([part.get(k, np.nan) for k in net.link_ids.tolist()])  # NaN in an array: not counted, as absent from a mapping
    assert static_greens(net, bearing, array)[0] == static_greens(net, bearing, part)[0]
    assert dynamic_greens(net, dyn, bearing, array)[0] == dynamic_greens(net, dyn, bearing, part)[0]
    # by hand: y_NS = 3000 / 3800, y_EW = 1800 / 1900
    y_ns, y_ew = 3000.0 / 3800.0, 1800.0 / 1900.0
    assert static_greens(net, bearing, part)[0]["SJ"] == pytest.approx(82.0 / 90.0 * y_ns / (y_ns + y_ew), rel=1e-12)
    assert approach_design_flows(np.array([1800.0, 1800.0, 3000.0]), np.array([np.nan, 0.0, 250.0])).tolist() == [1800.0, 0.0, 250.0]


@pytest.mark.parametrize("bad", [-5.0, np.inf, -np.inf])
def test_negative_or_infinite_flows_are_refused(bad) -> None:
    net, dyn, bearing = junction()
    array = np.full(net.n_links, np.nan)
    array[list(net.link_ids).index("NJ")] = bad
    for flows in ({"NJ": bad}, array):
        with pytest.raises(InputError, match="flows must be finite and >= 0") as exc:
            add_signals(net, ["J"], timing=T, bearing=bearing, flows=flows)
        assert "NJ" in str(exc.value) and f"got {bad}" in str(exc.value)  # the bad value, not a NaN (not counted) elsewhere
        with pytest.raises(InputError, match="signal_flows must be finite and >= 0"):
            signal_stop_lines(net, dyn.capacity_veh_s, dyn.lanes, ["J"], timing=T, bearing=bearing, flows=flows)


def test_webster_phase_with_zero_flow_ratio_gets_the_minimum_and_all_zero_no_nan() -> None:
    """Three phases, y = (0, 0.3, 0.5), 90 s cycle, 4 s lost each, 12 s minimum: the y = 0 phase
    gets 12 s, the others share 90 - 12 - 12 = 66 s as 3 : 5."""
    g = webster_green_ratios(np.array([0.0, 0.3, 0.5]), 90.0, 4.0, 12.0)
    assert g == pytest.approx([12.0 / 90.0, 66.0 * 3.0 / 8.0 / 90.0, 66.0 * 5.0 / 8.0 / 90.0], rel=1e-12)
    g0 = webster_green_ratios(np.zeros(2), 90.0, 4.0, 12.0)
    assert np.isfinite(g0).all() and g0 == pytest.approx([41.0 / 90.0, 41.0 / 90.0], rel=1e-12)
    with pytest.raises(InputError, match="finite and >= 0"):
        webster_green_ratios(np.array([np.nan, 0.5]), 90.0, 4.0, 12.0)


def test_a_dynamic_run_reports_every_split_status_with_or_without_signals() -> None:
    """``result.meta`` carries one ``signal_nodes_*`` count per status of
    :data:`~twin.traffic.signal_phases.SPLIT_STATUSES`, 0 when the run has no signals."""
    import pandas as pd

    from twin.traffic.dynamic import simulate
    from twin.traffic.signal_phases import SPLIT_STATUSES

    net, dyn, _ = junction()
    od = pd.DataFrame({"origin": ["N"], "destination": ["S"], "t_start_s": [0.0], "t_end_s": [60.0], "flow_veh_s": [0.1]})
    res = simulate(net, od, dynamics=dyn, dt_s=5.0, duration_s=600.0, route_choice="free_flow")
    assert {f"signal_{v}" for v in SPLIT_STATUSES.values()} <= set(res.meta)
    assert all(res.meta[f"signal_{v}"] == 0 for v in SPLIT_STATUSES.values())
