"""UXsim's DUO link times on grid11 against the vertical queue (issue 15 item 4, diagnostic).

Run:  python benchmarks/traffic_grid11_uxsim_costs_p15.py [--seed 0] [--scale 1] [--deltan 1]

UXsim's homogeneous DUO searches routes on ``Link.traveltime_instant``: the link length over the
mean speed of the vehicles on the link at that moment. twin's DUO uses the point-queue
instantaneous time ``L / v + Q / q_max`` (``Q`` the vertical queue). This script runs UXsim once
(C++ engine, vehicle logs off) and prints, at every route update (600 s), (a) for the links
without a queue (``Q < 1`` vehicle) the share whose UXsim time is more than 1 % above free flow
(the route-choice noise is at most 1 %), and (b) for the links with ``Q >= 10`` the median of
UXsim's time and of the point-queue time, both over the free-flow time. Needs UXsim 1.15.1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def main(argv: list[str] | None = None) -> list[dict]:
    import bench_traffic_dynamic as bd
    import pandas as pd
    import uxsim

    from twin.traffic.dynamic_queues import vertical_queue_veh

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--deltan", type=int, default=1)
    args = ap.parse_args(argv)
    g = bd.GRID
    from bench_traffic_grid11_uxsim import build_uxsim_world

    links = pd.read_csv(g / "links.csv")
    w = build_uxsim_world(g, scale=args.scale, seed=args.seed, deltan=args.deltan)
    w.exec_simulation()
    by = {str(lk.name): lk for lk in w.LINKS}
    lks = [by[str(i)] for i in links["link_id"]]
    dt = float(w.DELTAT)
    free = (links["length_m"] / links["free_flow_speed_m_s"]).to_numpy()
    cap = links["capacity_veh_s"].to_numpy()
    cin = np.array([np.asarray(lk.cum_arrival, float) for lk in lks])
    cout = np.array([np.asarray(lk.cum_departure, float) for lk in lks])
    q = vertical_queue_veh(cin, cout, free, dt)
    tti = np.array([np.asarray(lk.traveltime_instant, float) for lk in lks])
    rows = []
    print(f"UXsim {uxsim.__version__} deltan {args.deltan}, seed {args.seed}, demand x{args.scale:g}")
    for t_s in np.arange(600.0, 3600.0 + 1.0, 600.0):
        k = int(round(t_s / dt))
        qq, tt = q[:, k], tti[:, k] / free
        calm, queued = qq < 1.0, qq >= 10.0
        row = {
            "t_s": float(t_s),
            "calm_links": int(calm.sum()),
            "calm_share_above_1pct": float(np.mean(tt[calm] > 1.01)),
            "calm_p90": float(np.percentile(tt[calm], 90)),
            "queued_links": int(queued.sum()),
            "queued_uxsim_median": float(np.median(tt[queued])) if queued.any() else float("nan"),
            "queued_point_queue_median": float(np.median(((free + qq / cap) / free)[queued])) if queued.any() else float("nan"),
        }
        rows.append(row)
        print(f"t {t_s:5.0f} s: links without queue {row['calm_links']}, of them {100 * row['calm_share_above_1pct']:.0f} % with UXsim time > 1.01 free "
              f"(90th percentile {row['calm_p90']:.3f}); links with >= 10 queued {row['queued_links']}: median UXsim time / free "
              f"{row['queued_uxsim_median']:.2f}, point-queue time / free {row['queued_point_queue_median']:.2f}")  # fmt: skip
    return rows


if __name__ == "__main__":
    main()
