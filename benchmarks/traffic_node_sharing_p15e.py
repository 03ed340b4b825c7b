"""One contested next link, twin's node model against UXsim's node transfer (issue 15 item 4, p15e).

Run:  python benchmarks/traffic_node_sharing_p15e.py [--share 0.1] [--bottleneck 0.1]

The mechanism behind twin's extra delay on grid11 with fixed routes (docs/traffic.md, grid11
finding 8), isolated: two queued one-lane links A and B (1000 m, 20 m/s, 0.2 veh/m, 5 m/s,
0.8 veh/s) enter node N; every vehicle of A and a share ``f`` of B's continue on link J to a
bottleneck of ``r`` veh/s (twin: a link of that capacity after J; UXsim 1.15.1, C++,
``deltan`` 1 and 5: a node ``flow_capacity`` of ``r``), B's others leave on a free link K. Demand for
an hour: A 0.5 veh/s, B 0.7 veh/s, both above what N lets through once J is full.

Printed: the outflow of A and B and the inflow of the bottleneck between 1,800 s and 3,600 s,
against two closed forms, neither computed by the engines:

* fluid FIFO with the supply-constraint interaction rule of Tampère et al. (2011) (twin's node
  model): J's supply shared in proportion to ``C_i f_iJ``, each link held back as a whole, so
  ``q_A = q_B = C r / (C + f C) = r / (1 + f)``;
* discrete FIFO with one random draw among the links whose *head vehicle* wants J (UXsim's
  ``Node.transfer``, equal merge priorities): B's vehicles for K leave at capacity ``c``, its
  vehicles for J wait for J with A's head vehicle, half the acceptances each, ``2 / r`` on
  average, so ``q_B = 1 / ((1 - f) / c + 2 f / r)``, ``q_A = r - f q_B``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

L_M, V_M_S, W_M_S, KJ_VEH_M, C_VEH_S = 1000.0, 20.0, 5.0, 0.2, 0.8
T_END_S, WINDOW_S = 3600.0, (1800.0, 3600.0)
DEMAND_A_VEH_S, DEMAND_B_VEH_S = 0.5, 0.7
# nodes: 0 origin of A, 1 origin of B, 2 node N, 3 bottleneck node, 4 destination via J, 5 destination via K
LINKS = [("A", 0, 2), ("B", 1, 2), ("J", 2, 3), ("K", 2, 5), ("J2", 3, 4)]
"""Links (name, tail, head), sorted by tail node: the order in which twin's Network stores them."""


def closed_forms(f: float, r: float) -> dict[str, tuple[float, float]]:
    """(q_A, q_B) in veh/s of the two closed forms (module docstring)."""
    fluid = r / (1.0 + f)
    q_b = 1.0 / ((1.0 - f) / C_VEH_S + 2.0 * f / r)
    return {"fluid FIFO, Tampere": (fluid, fluid), "discrete FIFO, head-vehicle draw": (r - f * q_b, q_b)}


def demand(f: float) -> pd.DataFrame:
    """Demand table of the case: A to the bottleneck's destination, B split by ``f``."""
    rows = [(0, 4, DEMAND_A_VEH_S), (1, 4, f * DEMAND_B_VEH_S), (1, 5, (1.0 - f) * DEMAND_B_VEH_S)]
    return pd.DataFrame([{"origin": o, "destination": d, "t_start_s": 0.0, "t_end_s": T_END_S, "flow_veh_s": q} for o, d, q in rows])


def window_rates(cin: np.ndarray, cout: np.ndarray, dt_s: float) -> dict[str, float]:
    """Outflow of A and B and inflow of the bottleneck link, veh/s, over WINDOW_S."""
    k0, k1 = (int(round(t / dt_s)) for t in WINDOW_S)
    span = WINDOW_S[1] - WINDOW_S[0]
    return {"q_A": (cout[0, k1] - cout[0, k0]) / span, "q_B": (cout[1, k1] - cout[1, k0]) / span, "r": (cin[4, k1] - cin[4, k0]) / span}


def run_twin(f: float, r: float, dt_s: float) -> dict[str, float]:
    from twin.traffic.dynamic import LinkDynamics, simulate
    from twin.traffic.network import Network

    n = len(LINKS)
    caps = [C_VEH_S, C_VEH_S, C_VEH_S, C_VEH_S, r]
    net = Network.build(
        node_ids=np.arange(6), link_ids=np.array([x[0] for x in LINKS]), from_node=np.array([x[1] for x in LINKS]),
        to_node=np.array([x[2] for x in LINKS]), free_flow_time=np.full(n, L_M / V_M_S), capacity=np.array(caps) * 3600.0,
        length=np.full(n, L_M), time_unit="s", length_unit="m",
    )  # fmt: skip
    dyn = LinkDynamics.build(length_m=[L_M] * n, free_speed_m_s=[V_M_S] * n, capacity_veh_s=caps, jam_density_veh_m_lane=KJ_VEH_M,
                             wave_speed_m_s=W_M_S)  # fmt: skip
    res = simulate(net, demand(f), dynamics=dyn, dt_s=dt_s, duration_s=T_END_S + dt_s, route_choice="free_flow")
    assert [str(x) for x in net.link_ids] == [x[0] for x in LINKS], "twin's network stores links in another order"
    return window_rates(res.cum_in, res.cum_out, res.dt_s)


def uxsim_world(n_nodes: int, node_capacity_veh_s: dict[int, float], links: list[tuple[str, int, int]], flows: pd.DataFrame, seed: int,
                deltan: int = 1):
    """A UXsim (C++) world of nodes ``0 .. n_nodes - 1`` (a node's flow capacity from ``node_capacity_veh_s``,
    veh/s, none elsewhere), the links ``(name, tail, head)`` of this module's length, speed and jam density with
    equal merge priorities, and the demand rows of ``flows`` (``demand``'s columns); simulated to ``T_END_S``.
    ``deltan``: vehicles per platoon (its steps are ``deltan`` s)."""
    import uxsim

    w = uxsim.World(name="", deltan=deltan, reaction_time=1.0, tmax=T_END_S + 10.0, random_seed=seed, print_mode=0, save_mode=0, show_mode=0,
                    cpp=True, vehicle_logging_timestep_interval=-1)  # fmt: skip
    for k in range(n_nodes):
        w.addNode(str(k), float(k), 0.0, flow_capacity=node_capacity_veh_s.get(k))
    for name, a, b in links:
        w.addLink(name, str(a), str(b), length=L_M, free_flow_speed=V_M_S, jam_density=KJ_VEH_M, merge_priority=1.0)
    for row in flows.itertuples():
        w.adddemand(str(row.origin), str(row.destination), row.t_start_s, row.t_end_s, row.flow_veh_s)
    w.exec_simulation()
    return w


def run_uxsim(f: float, r: float, seed: int, deltan: int = 1) -> dict[str, float]:
    """UXsim (C++) on the same node; ``deltan``: vehicles per platoon (its steps are ``deltan`` s)."""
    w = uxsim_world(6, {3: r}, LINKS, demand(f), seed, deltan)
    by = {str(lk.name): lk for lk in w.LINKS}
    cin = np.array([np.asarray(by[x[0]].cum_arrival, float) for x in LINKS])
    cout = np.array([np.asarray(by[x[0]].cum_departure, float) for x in LINKS])
    return window_rates(cin, cout, float(w.DELTAT))


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--share", type=float, default=0.1, help="share f of B's vehicles that take J")
    ap.add_argument("--bottleneck", type=float, default=0.1, help="capacity r after J, veh/s")
    ap.add_argument("--seeds", type=int, default=3, help="UXsim seeds")
    ap.add_argument("--deltan", default="1,5", help="UXsim platoon sizes (the head-vehicle rule does not depend on the vehicle size)")
    args = ap.parse_args(argv)
    f, r = args.share, args.bottleneck
    try:
        import uxsim
    except ImportError:
        uxsim = None
    rows = []
    for name, (qa, qb) in closed_forms(f, r).items():
        rows.append({"case": f"closed form, {name}", "q_A": qa, "q_B": qb, "r": r})
    for dt in (5.0, 1.0):
        rows.append({"case": f"twin LTM, dt {dt:g} s", **run_twin(f, r, dt)})
    if uxsim is not None:
        for deltan in (int(x) for x in args.deltan.split(",")):
            for seed in range(args.seeds):
                rows.append({"case": f"UXsim {uxsim.__version__} C++ deltan {deltan}, seed {seed}", **run_uxsim(f, r, seed, deltan)})
    load = os.getloadavg()[0]
    print(f"f = {f:g} of B's vehicles take J, bottleneck r = {r:g} veh/s; rates over {WINDOW_S[0]:.0f}-{WINDOW_S[1]:.0f} s, veh/s")
    for row in rows:
        print(f"{row['case']:58s} q_A {row['q_A']:.4f}  q_B {row['q_B']:.4f}  into bottleneck {row['r']:.4f}")
    print(f"(load average {load:.1f})")
    return rows


if __name__ == "__main__":
    main()
