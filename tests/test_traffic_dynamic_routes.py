"""Routes from the static equilibrium: the two-route network's analytic split, then loaded dynamically.

Two routes from node 0 to node 3, each of two links: A (0-1-3, free time 600 s) and B (0-2-3,
660 s), linear BPR delay ``t = t0 (1 + alpha x / c)`` (beta = 1). Wardrop's first principle gives
equal route times: ``600 + 600 alpha x / c = 660 + 660 alpha (D - x) / c``, so
``x = (60 + 660 alpha D / c) / (600 alpha / c + 660 alpha / c)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twin.traffic.dynamic import LinkDynamics, demand_arrays, simulate
from twin.traffic.dynamic_routes import equilibrium_splits
from twin.traffic.network import Network

ALPHA, CAP_H, D_H = 1.0, 3600.0, 2000.0


def two_routes():
    lengths = np.array([6000.0, 6000.0, 6600.0, 6600.0])  # 0-1, 1-3, 0-2, 2-3 at 20 m/s
    net = Network.build(node_ids=np.arange(4), link_ids=np.array(["01", "13", "02", "23"]), from_node=np.array([0, 1, 0, 2]),
                        to_node=np.array([1, 3, 2, 3]), free_flow_time=lengths / 20.0, capacity=np.full(4, CAP_H), length=lengths,
                        time_unit="s", length_unit="m")  # fmt: skip
    dyn = LinkDynamics.build(length_m=net.length, free_speed_m_s=20.0, capacity_veh_s=CAP_H / 3600.0, jam_density_veh_m_lane=0.15)
    demand = pd.DataFrame({"origin": [0], "destination": [3], "t_start_s": [0.0], "t_end_s": [3600.0], "vehicles": [D_H]})
    return net, dyn, demand


def test_equilibrium_splits_match_the_analytic_two_route_split():
    net, dyn, demand = two_routes()
    dem = demand_arrays(net, demand)
    splits, static = equilibrium_splits(net, dem, dyn, alpha=ALPHA, beta=1.0, gap=1e-12)
    x_a = (60.0 + 660.0 * ALPHA * D_H / CAP_H) / (600.0 * ALPHA / CAP_H + 660.0 * ALPHA / CAP_H)
    share_a = x_a / D_H  # 0.6906...
    ids = list(net.link_ids)
    assert splits[ids.index("01"), 0] == pytest.approx(share_a, rel=1e-9)
    assert splits[ids.index("02"), 0] == pytest.approx(1 - share_a, rel=1e-8)
    assert splits[ids.index("13"), 0] == pytest.approx(1.0) and splits[ids.index("23"), 0] == pytest.approx(1.0)
    assert static.relative_gap <= 1e-10


def test_dynamic_loading_with_equilibrium_routes_splits_the_flow():
    net, dyn, demand = two_routes()
    splits, _ = equilibrium_splits(net, demand_arrays(net, demand), dyn, alpha=ALPHA, beta=1.0, gap=1e-12)
    res = simulate(net, demand, dynamics=dyn, dt_s=10.0, duration_s=5400.0, route_choice="fixed", splits=splits)
    ids = list(net.link_ids)
    x_a = (60.0 + 660.0 * ALPHA * D_H / CAP_H) / (600.0 * ALPHA / CAP_H + 660.0 * ALPHA / CAP_H)
    assert res.cum_in[ids.index("01"), -1] / D_H == pytest.approx(x_a / D_H, rel=1e-9)
    assert res.cum_in[ids.index("02"), -1] / D_H == pytest.approx(1 - x_a / D_H, rel=1e-8)
    assert res.totals()["arrived_veh"] == pytest.approx(D_H, rel=1e-9)
    # the built-in option (BPR 0.15 / 4): route B is not used at this demand (t_A(D) < 660 s)
    eq = simulate(net, demand, dynamics=dyn, dt_s=10.0, duration_s=5400.0, route_choice="equilibrium")
    assert eq.meta["static_relative_gap"] <= 1e-6
    assert eq.cum_in[ids.index("02"), -1] == pytest.approx(0.0, abs=1e-6)
