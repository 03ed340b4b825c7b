"""Four links into one node: the p15f fluid head-of-line rule against UXsim's node transfer (issue 15, p15f).

Run:  python benchmarks/traffic_node_hol_check_p15f.py [--cases 6] [--seeds 3]

How far the mean-field rule of ``traffic_grid11_hol_p15f.py`` (independent waiting heads) is from
the discrete draw it stands for when more than two links contend, as at grid11's four-way nodes.
Four one-lane links A0-A3 (1000 m, 20 m/s, 0.2 veh/m, 5 m/s, 0.8 veh/s) enter node N; from N four
links J0-J3 lead on, each to a link K0-K3 and a destination. Some ``J_j`` end in a bottleneck of
``r_j`` veh/s (twin: link ``K_j`` of that capacity; UXsim 1.15.1, C++, ``deltan`` 1: a node
``flow_capacity`` of ``r_j``, as in ``traffic_node_sharing_p15e.py``). Origin ``i`` sends 0.7 veh/s for
an hour, a share ``f_ij`` of it to destination ``j`` (random, seeded). Printed per case: the outflow
of each A link over 1,800-3,600 s, veh/s, for twin with the rule, twin with its node model
(Tampère) and UXsim (mean and range over seeds), and the largest difference from UXsim's mean.
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
sys.path.insert(0, str(REPO / "benchmarks"))

L_M, V_M_S, W_M_S, KJ_VEH_M, C_VEH_S = 1000.0, 20.0, 5.0, 0.2, 0.8
T_END_S, WINDOW_S, DEMAND_VEH_S = 3600.0, (1800.0, 3600.0), 0.7
N_ARMS = 4
# nodes: origins 0-3, N 4, ends of J 5-8, destinations 9-12; links sorted by tail node
LINKS = [(f"A{i}", i, 4) for i in range(N_ARMS)] + [(f"J{j}", 4, 5 + j) for j in range(N_ARMS)] + [(f"K{j}", 5 + j, 9 + j) for j in range(N_ARMS)]


def case(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Turn shares ``f`` (4 x 4, rows sum to 1) and bottlenecks ``r`` (veh/s, ``inf``: none) of case ``k``."""
    rng = np.random.default_rng(1500 + k)
    f = rng.dirichlet(np.ones(N_ARMS), N_ARMS) * (rng.uniform(size=(N_ARMS, N_ARMS)) < 0.75)
    f[f.sum(axis=1) == 0.0, 0] = 1.0
    f /= f.sum(axis=1, keepdims=True)
    r = np.full(N_ARMS, np.inf)
    for j in rng.choice(N_ARMS, size=2, replace=False):
        r[j] = rng.uniform(0.1, 0.4)
    return f, r


def demand(f: np.ndarray) -> pd.DataFrame:
    rows = [(i, 9 + j, DEMAND_VEH_S * f[i, j]) for i in range(N_ARMS) for j in range(N_ARMS) if f[i, j] > 0.0]
    return pd.DataFrame([{"origin": o, "destination": d, "t_start_s": 0.0, "t_end_s": T_END_S, "flow_veh_s": q} for o, d, q in rows])


def _rates(cout: np.ndarray, dt_s: float) -> np.ndarray:
    k0, k1 = (int(round(t / dt_s)) for t in WINDOW_S)
    return (cout[:N_ARMS, k1] - cout[:N_ARMS, k0]) / (WINDOW_S[1] - WINDOW_S[0])


def run_twin(f: np.ndarray, r: np.ndarray, dt_s: float = 5.0) -> np.ndarray:
    from twin.traffic.dynamic import LinkDynamics, simulate
    from twin.traffic.network import Network

    n = len(LINKS)
    caps = [C_VEH_S] * (2 * N_ARMS) + [C_VEH_S if np.isinf(x) else float(x) for x in r]
    net = Network.build(
        node_ids=np.arange(13), link_ids=np.array([x[0] for x in LINKS]), from_node=np.array([x[1] for x in LINKS]),
        to_node=np.array([x[2] for x in LINKS]), free_flow_time=np.full(n, L_M / V_M_S), capacity=np.array(caps) * 3600.0,
        length=np.full(n, L_M), time_unit="s", length_unit="m",
    )  # fmt: skip
    assert [str(x) for x in net.link_ids] == [x[0] for x in LINKS], "twin's network stores links in another order"
    dyn = LinkDynamics.build(length_m=[L_M] * n, free_speed_m_s=[V_M_S] * n, capacity_veh_s=caps, jam_density_veh_m_lane=KJ_VEH_M,
                             wave_speed_m_s=W_M_S)  # fmt: skip
    res = simulate(net, demand(f), dynamics=dyn, dt_s=dt_s, duration_s=T_END_S + dt_s, route_choice="free_flow")
    return _rates(res.cum_out, res.dt_s)


def run_uxsim(f: np.ndarray, r: np.ndarray, seed: int) -> np.ndarray:
    from traffic_node_sharing_p15e import uxsim_world  # the same node and link settings (length, speed, jam density)

    caps = {k: float(r[k - 5]) for k in range(5, 9) if np.isfinite(r[k - 5])}
    w = uxsim_world(13, caps, LINKS, demand(f), seed)
    by = {str(lk.name): lk for lk in w.LINKS}
    cout = np.array([np.asarray(by[x[0]].cum_departure, float) for x in LINKS])
    return _rates(cout, float(w.DELTAT))


def main(argv: list[str] | None = None) -> list[dict]:
    import traffic_grid11_hol_p15f as hol

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=6)
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args(argv)
    cases = [case(k) for k in range(args.cases)]
    tampere = [run_twin(f, r) for f, r in cases]
    hol.install_hol(5.0)
    rows = []
    for k, (f, r) in enumerate(cases):
        rule = run_twin(f, r)
        ux = np.array([run_uxsim(f, r, s) for s in range(args.seeds)])
        mean = ux.mean(axis=0)
        rows.append({"case": k, "f": f.tolist(), "r_veh_s": r.tolist(), "hol": rule.tolist(), "tampere": tampere[k].tolist(), "uxsim": ux.tolist()})
        print(f"case {k}: bottlenecks r = {', '.join('-' if np.isinf(x) else f'{x:.3f}' for x in r)} veh/s; turn shares {np.round(f, 2).tolist()}")
        for i in range(N_ARMS):
            print(f"  A{i}: HOL rule {rule[i]:.4f}  Tampere {tampere[k][i]:.4f}  UXsim {mean[i]:.4f} ({ux[:, i].min():.4f}-{ux[:, i].max():.4f})")
        print(f"  largest |twin - UXsim mean|: HOL rule {np.abs(rule - mean).max():.4f}, Tampere {np.abs(tampere[k] - mean).max():.4f} veh/s; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
    return rows


if __name__ == "__main__":
    main()
