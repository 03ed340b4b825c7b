"""DUO link times against the point-queue solution behind a bottleneck (issue 15, duo_time).

Two links in series, ``0 -> 1 -> 2``: the first (600 m at 15 m/s, 0.5 veh/s) is fed 0.4 veh/s,
the second lets out only 0.25 veh/s. By the point-queue (vertical-queue) solution the queue at the
end of the first link grows as ``Q(t) = (0.4 - 0.25)(t - 40 s)`` from the first arrival at the
stop line (40 s) and discharges at ``mu = 0.25`` veh/s, so the last vehicle in it waits
``Q / mu``. The route-choice time of the first link at the update of 500 s must then be

* ``duo_time="discharge"``: ``40 + Q / mu`` (the node lets the link out at ``mu``);
* ``duo_time="instantaneous"``: ``40 + Q / q_max`` with the link's own capacity 0.5 veh/s (half
  the wait: the rule assumes the queue leaves at the link's capacity).

The update is at 250 s, before the queue's tail (a shock at -2.3 m/s on the triangular diagram)
reaches the upstream end of the first link (at 300 s): until then the LTM's vertical queue is the
point queue.

The kernel's times (``DynamicResult.link_time_s``, the last update's times) are compared with the
closed form, not with another twin run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twin.traffic.dynamic import LinkDynamics, simulate
from twin.traffic.network import Network

FREE_S = 40.0  # 600 m at 15 m/s
LAMBDA, MU, QMAX = 0.4, 0.25, 0.5  # arrival rate, bottleneck discharge, first link's capacity, veh/s
T_UPDATE_S = 250.0


def _case():
    length = np.array([600.0, 600.0])
    net = Network.build(
        node_ids=np.arange(3), link_ids=np.array(["a", "b"]), from_node=np.array([0, 1]), to_node=np.array([1, 2]),
        free_flow_time=length / 15.0, capacity=np.array([QMAX, MU]) * 3600.0, length=length, time_unit="s", length_unit="m",
    )  # fmt: skip
    dyn = LinkDynamics.build(length_m=length, free_speed_m_s=15.0, capacity_veh_s=[QMAX, MU], jam_density_veh_m_lane=0.15)
    demand = pd.DataFrame({"origin": [0], "destination": [2], "t_start_s": [0.0], "t_end_s": [600.0], "flow_veh_s": [LAMBDA]})
    return net, dyn, demand


def _run(duo_time: str):
    net, dyn, demand = _case()
    # updates at steps 0 and 50 (0 s and 250 s) of 5 s; the run ends before the next one
    return simulate(net, demand, dynamics=dyn, dt_s=5.0, duration_s=300.0, route_choice="duo", duo_interval_s=T_UPDATE_S, duo_time=duo_time)


@pytest.mark.parametrize(("duo_time", "rate"), [("discharge", MU), ("instantaneous", QMAX)])
def test_route_choice_time_of_the_queued_link_is_the_point_queue_wait(duo_time, rate):
    res = _run(duo_time)
    q_closed = (LAMBDA - MU) * (T_UPDATE_S - FREE_S)  # 31.5 vehicles
    k = int(T_UPDATE_S / res.dt_s)
    q_model = np.interp(k - FREE_S / res.dt_s, np.arange(res.cum_in.shape[1]), res.cum_in[0]) - res.cum_out[0, k]
    # the LTM's queue is the point queue (within the flow of one step)
    assert q_model == pytest.approx(q_closed, abs=LAMBDA * res.dt_s)
    assert res.link_time_s[0] == pytest.approx(FREE_S + q_closed / rate, abs=LAMBDA * res.dt_s / rate)
    assert res.link_time_s[1] == pytest.approx(FREE_S)  # the bottleneck link itself never queues
    assert res.meta["duo_time"] == duo_time


def test_discharge_time_of_a_blocked_link_is_long_but_finite():
    """No outflow in the last free travel time: the discharge is floored at 1 % of capacity (the time stays finite)."""
    net, dyn, demand = _case()
    dyn = LinkDynamics.build(length_m=dyn.length_m, free_speed_m_s=15.0, capacity_veh_s=[QMAX, 0.0], jam_density_veh_m_lane=0.15)
    res = simulate(net, demand, dynamics=dyn, dt_s=5.0, duration_s=300.0, route_choice="duo", duo_interval_s=T_UPDATE_S, duo_time="discharge")
    k = int(T_UPDATE_S / res.dt_s)
    assert res.cum_out[0, k] == 0.0
    q = np.interp(k - FREE_S / res.dt_s, np.arange(res.cum_in.shape[1]), res.cum_in[0])
    assert q > 10.0
    assert res.link_time_s[0] == pytest.approx(FREE_S + q / (0.01 * QMAX), rel=1e-9)
