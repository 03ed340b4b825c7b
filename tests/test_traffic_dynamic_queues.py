"""Links that queue (``twin.traffic.dynamic_queues``) against the deterministic point queue.

Expected values from queueing theory, not from our code: arrivals ``lam`` for ``T`` seconds at a
bottleneck of capacity ``mu < lam`` that they reach after the free travel time ``t_f`` of the link
ahead of it. Behind their free-flow schedule on that link are ``(lam - mu)(t - t_f)`` vehicles while
the arrivals last, then the queue empties at ``mu``; its time integral is the total delay
``T^2 lam (lam - mu) / (2 mu)`` (Daganzo 1997, *Fundamentals of Transportation and Traffic
Operations*, ch. 2); with a triangular diagram and no spillback the kinematic-wave loading has the
same delay (Newell 1993).
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.test_traffic_dynamic_closed_form import QMAX, V, chain, one_od
from twin.errors import InputError
from twin.traffic.dynamic import simulate
from twin.traffic.dynamic_queues import QUEUE_MIN_DURATION_S, QUEUE_MIN_VEH, queueing_links, vertical_queue_veh

LAM, MU, T, DT = 0.6, 0.4, 600.0, 5.0
L_UP = 3000.0  # long enough that the queue does not reach the origin


def _bottleneck():
    net, dyn = chain([L_UP, 1000.0], [QMAX, MU])
    res = simulate(net, one_od(0, 2, 0.0, T, LAM), dynamics=dyn, dt_s=DT, duration_s=1800.0, route_choice="free_flow")
    q = vertical_queue_veh(res.cum_in, res.cum_out, dyn.free_time_s, res.dt_s)
    return res, q


def point_queue(t):
    """Vehicles behind schedule at the bottleneck: grows at lam - mu from t_f, then empties at mu."""
    t_f = L_UP / V
    grow = (LAM - MU) * np.clip(t - t_f, 0.0, T)
    empty = MU * np.clip(t - t_f - T, 0.0, None)
    return np.maximum(grow - empty, 0.0)


def test_vertical_queue_of_the_ltm_is_the_point_queue():
    res, q = _bottleneck()
    t = res.times_s
    assert np.allclose(q[0], point_queue(t), atol=1e-9)
    # the bottleneck link itself runs at its capacity in free flow: nobody is behind schedule
    assert np.all(q[1] <= 1e-9)
    # the time integral is the total delay of the point queue, T^2 lam (lam - mu) / (2 mu)
    expected_delay = T**2 * LAM * (LAM - MU) / (2 * MU)  # 54,000 veh s
    assert np.trapezoid(q[0], dx=DT) == pytest.approx(expected_delay, rel=1e-9)
    assert res.totals()["total_delay_veh_h"] * 3600.0 == pytest.approx(expected_delay, rel=1e-9)


def test_queueing_links_threshold_and_duration():
    _, q = _bottleneck()
    # peak (lam - mu) T = 120 vehicles; at or above 10 vehicles from t_f + 50 s to the emptying
    # at t_f + T + (120 - 10) / mu: 875 s in a row
    peak = (LAM - MU) * T
    above_10_s = T + (peak - 10.0) / MU - 10.0 / (LAM - MU)
    assert queueing_links(q, DT).tolist() == [True, False]
    assert queueing_links(q, DT, min_veh=peak - 1.0, min_duration_s=0.0).tolist() == [True, False]
    assert queueing_links(q, DT, min_veh=peak + 1.0, min_duration_s=0.0).tolist() == [False, False]
    # 119 vehicles or more for 7.5 s only (5 s growing at lam - mu, 2.5 s emptying at mu)
    assert queueing_links(q, DT, min_veh=peak - 1.0).tolist() == [False, False]
    assert queueing_links(q, DT, 10.0, above_10_s - 2 * DT).tolist() == [True, False]
    assert queueing_links(q, DT, 10.0, above_10_s + 2 * DT).tolist() == [False, False]
    assert (QUEUE_MIN_VEH, QUEUE_MIN_DURATION_S) == (10.0, 60.0)


def test_sampling_interval_does_not_change_the_queue():
    """The same curves sampled every 1 s (as UXsim at deltan 1) give the same queue at the common times."""
    res, q5 = _bottleneck()
    t5 = res.times_s
    t1 = np.arange(0.0, t5[-1] + 1e-9, 1.0)
    cin = np.array([np.interp(t1, t5, c) for c in res.cum_in])
    cout = np.array([np.interp(t1, t5, c) for c in res.cum_out])
    free = np.array([L_UP / V, 1000.0 / V])
    q1 = vertical_queue_veh(cin, cout, free, 1.0)
    assert np.allclose(q1[:, ::5], q5, atol=1e-9)
    assert queueing_links(q1, 1.0).tolist() == queueing_links(q5, DT).tolist()


def test_free_flow_link_never_queues():
    net, dyn = chain([1000.0], [0.7])
    res = simulate(net, one_od(0, 1, 0.0, 600.0, 0.5), dynamics=dyn, dt_s=5.0, duration_s=900.0, route_choice="free_flow")
    q = vertical_queue_veh(res.cum_in, res.cum_out, dyn.free_time_s, res.dt_s)
    assert np.all(q <= 1e-9)
    assert not queueing_links(q, 5.0, min_veh=1e-6, min_duration_s=0.0).any()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"cum_out": np.zeros((2, 4))}, "cum_in"),
        ({"free_time_s": np.array([1.0, -1.0, 1.0])}, "free_time_s"),
        ({"free_time_s": np.array([1.0, 1.0])}, "free_time_s"),
        ({"dt_s": 0.0}, "dt_s"),
        ({"dt_s": float("nan")}, "dt_s"),
    ],
)
def test_bad_curves_are_named(kwargs, field):
    args = {"cum_in": np.zeros((3, 4)), "cum_out": np.zeros((3, 4)), "free_time_s": np.ones(3), "dt_s": 5.0}
    args.update(kwargs)
    with pytest.raises(InputError, match=field):
        vertical_queue_veh(**args)


@pytest.mark.parametrize(("min_veh", "min_duration_s"), [(0.0, 60.0), (-1.0, 60.0), (10.0, -5.0), (float("inf"), 60.0)])
def test_bad_thresholds_are_named(min_veh, min_duration_s):
    with pytest.raises(InputError, match="min_veh|min_duration_s"):
        queueing_links(np.zeros((2, 5)), 5.0, min_veh, min_duration_s)
