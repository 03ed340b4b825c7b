"""Vehicles in the congested state on a link (``DynamicResult.congested_veh``) against the shock solution.

Expected values from kinematic-wave theory, not from our code: behind a bottleneck of capacity
``mu`` the queue holds the congested density ``k_c = k_j - mu / w`` and its back moves upstream at
the shock speed ``(q_u - mu) / (k_u - k_c)`` (Rankine-Hugoniot), so the congested vehicles are
``k_c |shock| (t - L / v)`` until the queue reaches the link entry; in free flow there are none.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.test_traffic_dynamic_closed_form import KJ, QMAX, V, W, chain, one_od
from twin.errors import InputError
from twin.traffic.dynamic import simulate


def test_congested_vehicles_follow_the_shock():
    L, lam, mu, dt, cells = 1000.0, 0.6, 0.4, 5.0, 200
    net, dyn = chain([L, L], [QMAX, mu])
    res = simulate(net, one_od(0, 2, 0.0, 600.0, lam), dynamics=dyn, dt_s=dt, duration_s=1200.0, route_choice="free_flow")
    k_u, k_c = lam / V, KJ - mu / W
    shock = (lam - mu) / (k_u - k_c)
    t_hit = L / V
    cong = res.congested_veh(cells=cells)
    one_cell = k_c * L / cells
    for ts in (100.0, 150.0, 300.0, 450.0):
        expected = k_c * abs(shock) * (ts - t_hit)
        assert abs(cong[0, int(round(ts / dt))] - expected) <= one_cell + 1e-9, (ts, cong[0, int(round(ts / dt))], expected)
    # at the spillback (500 s) the whole link is congested
    assert cong[0, 100] == pytest.approx(k_c * L, abs=one_cell)
    # before the front reaches the bottleneck, and on the bottleneck link itself (free flow at mu), none
    assert np.all(cong[0, : int(t_hit / dt)] <= 1e-9)
    assert np.all(cong[1] <= 1e-9)
    # a congested vehicle is a vehicle on the link: never more than the link holds
    assert np.all(cong <= res.vehicles() + 1e-9)


def test_free_flow_has_no_congested_vehicles():
    net, dyn = chain([1000.0], [0.7])
    res = simulate(net, one_od(0, 1, 0.0, 600.0, 0.5), dynamics=dyn, dt_s=5.0, duration_s=900.0, route_choice="free_flow")
    assert np.all(res.congested_veh() <= 1e-9)


@pytest.mark.parametrize("bad", [0, -3, 2.5, "10"])
def test_bad_cell_count(bad):
    net, dyn = chain([1000.0], [0.7])
    res = simulate(net, one_od(0, 1, 0.0, 60.0, 0.5), dynamics=dyn, dt_s=5.0, duration_s=120.0, route_choice="free_flow")
    with pytest.raises(InputError, match="cells"):
        res.congested_veh(cells=bad)
