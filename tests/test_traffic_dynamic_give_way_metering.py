"""Give-way as metering in dynamic loading: when does it lower the total delay? (issue 15, p15g)

Hand network (links at 15 m/s, capacity 1,800 veh/h = 0.5 veh/s, jam density 0.15 veh/m; step
1 s, free-flow routes, default give-way window 120 s)::

    O --OU (300 m)--> U --UJ (L)--> J --JD (300 m, 900 veh/h = 0.25 veh/s)--> D
                      |             ^
                      UX (300 m)    BJ (300 m, residential: gives way to UJ, primary)
                      v             |
                      X             B

Demand: O -> X 0.15 veh/s and O -> D 0.2 veh/s over [0, 3600) s, B -> D 0.2 veh/s over
[300, 900) s. JD is the bottleneck: 0.4 veh/s reach J while the minor stream arrives
([320, 920) s), 0.2 veh/s otherwise.

Give-way off (Tampere's node model, priorities = capacities 0.5 / 0.5): UJ and BJ each get
0.125 veh/s while both queue. Give-way on: BJ's stop-line capacity is Harders' at ``v_c`` = 720
veh/h (UJ's outflow), 356 veh/h = 0.099 veh/s (the window lies inside the major flow from 300 s
on); UJ's priority share ``0.25 x 0.5 / (0.5 + 0.099) = 0.209`` covers its 0.2, so UJ passes
0.2 and BJ the rest, 0.05 veh/s: the minor stream queues on its own approach.

JD discharges 0.25 veh/s whenever anyone queues at J in both runs (work-conserving), so the total
delay at J does not depend on who queues: the aggregate point queue grows at 0.15 veh/s for
600 s (90 vehicles) and drains at 0.05 veh/s (1,800 s), ``T^2 lam (lam - mu) / (2 mu)`` with
T = 600 s, lam = 0.2, mu = 0.05 (the minor stream's view, give-way on): 108,000 veh-s = 30 veh-h.

* Long UJ (1,500 m, storage 225 vehicles): the off queue on UJ peaks at 0.075 x 600 + 0.075 x
  360 = 72 vehicles (BJ's 45 drain in 360 s) and never reaches U: total delay 30 veh-h with and
  without give-way. Give-way moves the queue, it does not remove it.
* Short UJ (150 m, storage 22.5): the off queue spills back over U and blocks O's traffic to X
  behind it (FIFO diverge: X gets 3/4 of UJ's 0.125, 0.09375 veh/s instead of 0.15), which
  adds at least ``0.05625 x 600^2 / 2`` veh-s (the X deficit over [600, 1200) s alone) to the
  30 veh-h; give-way on keeps UJ free: 30 veh-h. This is the only way give-way lowers the total
  here: by metering the minor entry so that the queue does not spill over an upstream junction
  (ramp metering), measured 41.9 -> 30.0 veh-h.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from twin.traffic.dynamic import simulate
from twin.traffic.network import Network
from twin.traffic.priority import classify_junctions

SPEED = 15.0
HAND_DELAY_VEH_H = 600.0**2 * 0.2 * (0.2 - 0.05) / (2.0 * 0.05) / 3600.0  # 30 veh-h
ROAD_CLASS = {"OU": "primary", "UX": "residential", "UJ": "primary", "BJ": "residential", "JD": "primary"}


def harders(vc: float, tc: float = 6.5, tf: float = 4.0) -> float:
    """Harders' potential capacity, veh/h, written out (HCM 2010 Eq. 19-30; defaults of GiveWayParameters)."""
    return vc * math.exp(-vc * tc / 3600.0) / (1.0 - math.exp(-vc * tf / 3600.0))


def network(uj_m: float) -> tuple[Network, object]:
    """The hand network with UJ ``uj_m`` long, and its junctions (BJ gives way to UJ)."""
    xy = {"O": (-uj_m - 300.0, 0.0), "U": (-uj_m, 0.0), "X": (-uj_m, 300.0), "B": (0.0, -300.0), "J": (0.0, 0.0), "D": (300.0, 0.0)}
    links = [("OU", "O", "U", 300.0), ("UX", "U", "X", 300.0), ("UJ", "U", "J", uj_m), ("BJ", "B", "J", 300.0), ("JD", "J", "D", 300.0)]
    ids = list(xy)
    length = np.array([k[3] for k in links])
    net = Network.build(
        node_ids=np.array(ids, dtype=object), link_ids=np.array([k[0] for k in links], dtype=object), from_node=[ids.index(k[1]) for k in links],
        to_node=[ids.index(k[2]) for k in links], free_flow_time=length / SPEED, capacity=[900.0 if k[0] == "JD" else 1800.0 for k in links],
        length=length, time_unit="s", length_unit="m",
    )  # fmt: skip
    junctions = classify_junctions(net, [ROAD_CLASS[k] for k in net.link_ids.tolist()], np.array([xy[v] for v in net.node_ids.tolist()]))
    return net, junctions


DEMAND = pd.DataFrame(
    [("O", "X", 0.0, 3600.0, 0.15), ("O", "D", 0.0, 3600.0, 0.2), ("B", "D", 300.0, 900.0, 0.2)],
    columns=["origin", "destination", "t_start_s", "t_end_s", "flow_veh_s"],
)


def run(uj_m: float, give_way: bool):
    net, junctions = network(uj_m)
    return simulate(net, DEMAND, dt_s=1.0, duration_s=7200.0, route_choice="free_flow", give_way=junctions if give_way else None)


def slope(res, link: str, t0: int, t1: int, curve: str = "cum_out") -> float:
    """Mean flow (veh/s) into (``cum_in``) or out of (``cum_out``) ``link`` over steps [t0, t1)."""
    k = res.network.link_ids.tolist().index(link)
    values = getattr(res, curve)[k]
    return float((values[t1] - values[t0]) / (t1 - t0))


def delay_veh_h(res) -> float:
    """Total delay, checked against its definition: every vehicle arrived, and the delay is the
    total travel time less the free-flow time of the links driven (the accounting used on Saint-Gilles)."""
    tot = res.totals()
    assert tot["arrived_veh"] == pytest.approx(tot["generated_veh"], rel=1e-12) and tot["generated_veh"] == pytest.approx(1380.0, rel=1e-12)
    driven_free_h = float((res.cum_in[:, -1] * res.dynamics.free_time_s).sum() / 3600.0)
    assert tot["total_delay_veh_h"] == pytest.approx(tot["total_travel_time_veh_h"] - driven_free_h, rel=1e-9)
    return tot["total_delay_veh_h"]


def test_the_junction_and_the_give_way_capacity_of_the_hand_case() -> None:
    net, junctions = network(1500.0)
    assert net.link_ids[junctions.approach].tolist() == ["BJ"] and [net.link_ids[c].tolist() for c in junctions.conflicts] == [["UJ"]]
    c1 = harders(720.0) / 3600.0
    assert c1 == pytest.approx(0.0990, abs=5e-5)
    assert 0.25 * 0.5 / (0.5 + c1) > 0.2  # UJ's priority share covers its demand: BJ gets 0.25 - 0.2
    res = run(1500.0, True)
    np.testing.assert_allclose(res.give_way_capacity_veh_s[0, 300:3000], c1, rtol=1e-9)


def test_give_way_moves_the_queue_without_changing_the_total_delay() -> None:
    off, on = run(1500.0, False), run(1500.0, True)
    for link in ("UJ", "BJ"):
        assert slope(off, link, 400, 900) == pytest.approx(0.125, rel=1e-9)  # equal shares of JD's 0.25
    assert slope(on, "UJ", 400, 2600) == pytest.approx(0.2, rel=1e-9)  # the major stream is not held
    assert slope(on, "BJ", 400, 2600) == pytest.approx(0.05, rel=1e-9)  # the minor one gets the rest
    q_off = off.link_summary().set_index("link_id")["max_queue_veh"]
    q_on = on.link_summary().set_index("link_id")["max_queue_veh"]
    assert q_off["UJ"] == pytest.approx(72.0, rel=1e-6) and q_on["UJ"] < 1e-6
    assert delay_veh_h(off) == pytest.approx(HAND_DELAY_VEH_H, rel=1e-9)
    assert delay_veh_h(on) == pytest.approx(HAND_DELAY_VEH_H, rel=1e-9)


def test_give_way_lowers_the_total_delay_only_by_keeping_the_queue_off_the_upstream_junction() -> None:
    off, on = run(150.0, False), run(150.0, True)
    assert slope(off, "UX", 600, 1200, "cum_in") == pytest.approx(0.125 * 0.15 / 0.2, rel=1e-9)  # FIFO behind the spilled queue
    assert slope(on, "UX", 100, 3600, "cum_in") == pytest.approx(0.15, rel=1e-9)  # never blocked (from 20 s, its first arrival at U)
    assert on.link_summary().set_index("link_id")["max_queue_veh"]["UJ"] < 1e-6
    assert delay_veh_h(on) == pytest.approx(HAND_DELAY_VEH_H, rel=1e-9)
    assert delay_veh_h(off) >= HAND_DELAY_VEH_H + (0.15 - 0.09375) * 600.0**2 / 2.0 / 3600.0
