"""A contested next link on the user's path (``simulate``): two queued links share it as Tampère et al. (2011) prescribe.

Case of ``benchmarks/traffic_node_sharing_p15e.py``: links A and B (1000 m, capacity C = 0.8
veh/s) queue into node N; all of A's vehicles and a share ``f`` of B's go on through link J to a
bottleneck link of ``r`` veh/s, B's others leave freely on link K. The supply-constraint
interaction rule with FIFO (Tampère, Corthout, Cattrysse & Immers 2011, Transp. Res. B 45(1),
section 4.2) shares the full next link in proportion to the oriented capacities ``C f``: A gets
``r C / (C + f C)``, and B the same in total (held back as a whole, ``f`` of it into the full
link), whatever ``f``. The closed form is the published rule's, not our output. UXsim's discrete
head-vehicle draw gives B far more (0.31-0.33 veh/s at ``f`` 0.1; the benchmark prints both;
docs/traffic.md, grid11 finding 8).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twin.traffic.dynamic import LinkDynamics, simulate
from twin.traffic.network import Network

L_M, V_M_S, W_M_S, KJ_VEH_M, C_VEH_S = 1000.0, 20.0, 5.0, 0.2, 0.8
DEMAND_A_VEH_S, DEMAND_B_VEH_S = 0.5, 0.7


def contested_node(f: float, r: float, dt_s: float = 5.0) -> dict[str, float]:
    """Outflow of A and B and inflow of the bottleneck over 1800-3600 s, veh/s."""
    names = ["A", "B", "J", "K", "J2"]  # sorted by tail node, as the network stores them
    tail, head = [0, 1, 2, 2, 3], [2, 2, 3, 5, 4]
    caps = [C_VEH_S, C_VEH_S, C_VEH_S, C_VEH_S, r]
    net = Network.build(
        node_ids=np.arange(6), link_ids=np.array(names), from_node=np.array(tail), to_node=np.array(head),
        free_flow_time=np.full(5, L_M / V_M_S), capacity=np.array(caps) * 3600.0, length=np.full(5, L_M), time_unit="s", length_unit="m",
    )  # fmt: skip
    assert [str(x) for x in net.link_ids] == names
    dyn = LinkDynamics.build(length_m=[L_M] * 5, free_speed_m_s=[V_M_S] * 5, capacity_veh_s=caps, jam_density_veh_m_lane=KJ_VEH_M,
                             wave_speed_m_s=W_M_S)  # fmt: skip
    rows = [(0, 4, DEMAND_A_VEH_S), (1, 4, f * DEMAND_B_VEH_S), (1, 5, (1.0 - f) * DEMAND_B_VEH_S)]
    demand = pd.DataFrame([{"origin": o, "destination": d, "t_start_s": 0.0, "t_end_s": 3600.0, "flow_veh_s": q} for o, d, q in rows])
    res = simulate(net, demand, dynamics=dyn, dt_s=dt_s, duration_s=3600.0 + dt_s, route_choice="free_flow")
    k0, k1 = int(round(1800.0 / dt_s)), int(round(3600.0 / dt_s))
    rate = lambda cum, i: (cum[i, k1] - cum[i, k0]) / 1800.0  # noqa: E731
    return {"q_A": rate(res.cum_out, 0), "q_B": rate(res.cum_out, 1), "r": rate(res.cum_in, 4)}


@pytest.mark.parametrize("f", [0.1, 0.4])
def test_contested_next_link_shared_by_oriented_capacity(f):
    r = 0.1
    got = contested_node(f, r)
    expected = r / (1.0 + f)  # C r / (C + f C), both links of capacity C
    assert got["r"] == pytest.approx(r, rel=1e-9)
    assert got["q_A"] == pytest.approx(expected, rel=1e-9)
    assert got["q_B"] == pytest.approx(expected, rel=1e-9)
    # B's vehicles for the full link get f of B's flow, A the rest of the bottleneck
    assert got["q_A"] + f * got["q_B"] == pytest.approx(r, rel=1e-9)
    # far below B's own demand: the whole link waits behind its minority turn
    assert got["q_B"] < 0.2 * DEMAND_B_VEH_S
