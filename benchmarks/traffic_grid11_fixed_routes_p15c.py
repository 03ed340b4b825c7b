"""grid11 with the same fixed routes in twin and UXsim: the loading alone, without route choice (issue 15 item 4).

Run:  python benchmarks/traffic_grid11_fixed_routes_p15c.py [--scales 0.5,1] [--seed 0]

Every destination gets one shortest-path tree on the free-flow link times times fixed factors
``1 + 0.01 U(0, 1)`` (``numpy.random.default_rng(seed)``, one draw per link, the same for every
destination; they break the grid's exact ties). twin loads it as fixed splitting rates
(``route_choice="fixed"``); UXsim (1.15.1, C++, ``deltan`` 1) gets each vehicle's path on its
destination's tree with ``Vehicle.enforce_route``. Both engines then differ only in the
loading: link model (LTM vs Newell's car following of discrete vehicles), node model (Tampère
capacity-proportional vs UXsim's random transfers by merge priority) and departures (a steady
rate vs vehicles every 1 / flow s). Printed per scale and engine: mean trip, arrived share,
links that queue (:mod:`twin.traffic.dynamic_queues`), delay on links (time integral of the
vertical queue) and the largest link inflow over 10 min.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def trees(net, free_s: np.ndarray, dest_nodes: np.ndarray, seed: int) -> np.ndarray:
    """Next link of every node towards each destination (-1 at the destination), int64 (n_nodes, n_dest)."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    w = free_s * (1.0 + 0.01 * np.random.default_rng(seed).uniform(0.0, 1.0, free_s.shape[0]))
    fr = net.from_node.astype(np.int64)
    to = net.to_node.astype(np.int64)
    rev = csr_matrix((w, (to, fr)), shape=(net.n_nodes, net.n_nodes))
    nxt = np.full((net.n_nodes, dest_nodes.shape[0]), -1, dtype=np.int64)
    for j, d in enumerate(dest_nodes):
        dist = dijkstra(rev, indices=int(d))
        for n in range(net.n_nodes):
            if n == d:
                continue
            out = np.flatnonzero(fr == n)
            nxt[n, j] = out[np.argmin(w[out] + dist[to[out]])]
    return nxt


def measures(cin: np.ndarray, cout: np.ndarray, free_s: np.ndarray, dt_s: float) -> dict:
    from twin.traffic.dynamic_queues import queueing_links, vertical_queue_veh

    q = vertical_queue_veh(cin, cout, free_s, dt_s)
    k = max(int(round(600.0 / dt_s)), 1)
    return {
        "queued_links": int(queueing_links(q, dt_s).sum()),
        "delay_veh_h": float(np.trapezoid(q, dx=dt_s, axis=1).sum() / 3600.0),
        "max_inflow_10min_veh_s": float(((cin[:, k:] - cin[:, :-k]) / (k * dt_s)).max()),
    }


def run(scale: float, seed: int, curves: bool = False) -> list[dict]:
    """Both engines at ``scale`` x the demand; ``curves``: also each row's ``cin``/``cout``/``dt_s``/``next_link``/``demand``."""
    import bench_traffic_dynamic as bd
    import bench_traffic_grid11_uxsim as bu

    from twin.traffic.dynamic import demand_arrays, simulate

    net, dyn, demand, opts = bd.grid11_case()
    demand = demand.copy()
    demand["flow_veh_s"] = demand["flow_veh_s"] * scale
    demand["vehicles"] = demand["vehicles"] * scale
    dem = demand_arrays(net, demand)
    nxt = trees(net, dyn.free_time_s, dem.dest_node, seed)
    splits = np.zeros((net.n_links, dem.dest_node.shape[0]))
    for j in range(dem.dest_node.shape[0]):
        for n in range(net.n_nodes):
            if nxt[n, j] >= 0:
                splits[nxt[n, j], j] = 1.0
    opts = {k: v for k, v in opts.items() if k not in ("route_choice", "duo_interval_s", "duo_weight")}
    res = simulate(net, dem, dynamics=dyn, route_choice="fixed", splits=splits, **opts)
    tot = res.totals()
    rows = [{"engine": "twin LTM, fixed trees", "scale": scale, "mean_trip_s": tot["mean_trip_time_s"],
             "arrived": tot["arrived_veh"] / tot["generated_veh"], **measures(res.cum_in, res.cum_out, dyn.free_time_s, res.dt_s)}]  # fmt: skip
    if curves:
        rows[0].update(cin=res.cum_in, cout=res.cum_out, dt_s=float(res.dt_s), next_link=nxt, demand=dem)
    try:
        import uxsim  # noqa: F401
    except ImportError:
        return rows
    w = bu.build_uxsim_world(bd.GRID, scale=scale, seed=seed, deltan=1)
    node_index = {str(i): k for k, i in enumerate(net.node_ids)}
    dest_col = {int(d): j for j, d in enumerate(dem.dest_node)}
    link_name = [str(i) for i in net.link_ids]
    to = net.to_node.astype(np.int64)
    for veh in list(w.VEHICLES.values()):
        o = node_index[str(veh.orig.name)]
        j = dest_col[node_index[str(veh.dest.name)]]
        path, n = [], o
        while nxt[n, j] >= 0:
            path.append(link_name[nxt[n, j]])
            n = int(to[nxt[n, j]])
        veh.enforce_route(path)
    w.exec_simulation()
    a = w.analyzer
    a.basic_analysis()
    by_id = {str(lk.name): lk for lk in w.LINKS}
    cin = np.array([np.asarray(by_id[i].cum_arrival, float) for i in link_name])
    cout = np.array([np.asarray(by_id[i].cum_departure, float) for i in link_name])
    rows.append({"engine": "UXsim 1.15.1 C++ deltan 1, same trees", "scale": scale, "mean_trip_s": float(a.average_travel_time),
                 "arrived": a.trip_completed / a.trip_all, **measures(cin, cout, dyn.free_time_s, float(w.DELTAT))})  # fmt: skip
    if curves:
        rows[-1].update(cin=cin, cout=cout, dt_s=float(w.DELTAT), next_link=nxt, demand=dem)
    return rows


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="0.5,1")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    out = []
    for scale in (float(s) for s in args.scales.split(",")):
        load = os.getloadavg()[0]
        for r in run(scale, args.seed):
            out.append(r)
            print(f"x{scale:g} {r['engine']:40s} mean trip {r['mean_trip_s']:7.1f} s, arrived {100 * r['arrived']:6.2f} %, "
                  f"links that queue {r['queued_links']:3d}, delay on links {r['delay_veh_h']:7.0f} veh-h, "
                  f"largest 10-min inflow {r['max_inflow_10min_veh_s']:.3f} veh/s; load average {load:.1f}", flush=True)  # fmt: skip
    return out


if __name__ == "__main__":
    main()
