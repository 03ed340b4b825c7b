"""grid11 with the same fixed routes: where twin's extra delay sits and how a contested next link is shared (issue 15, p15e).

Run:  python benchmarks/traffic_grid11_node_shares_p15e.py [--scale 0.75] [--seed 0] [--window 2700,4200]

Both engines load the fixed routes of ``traffic_grid11_fixed_routes_p15c.py`` (one shortest-path
tree per destination; twin: fixed splitting rates; UXsim 1.15.1 C++, ``deltan`` 1: each
vehicle's route). The turning movements follow from the routes and the demand (vehicles of each
OD pair along its path), so they are the same in both engines. Printed:

1. the links with the largest excess delay of twin over UXsim (time integral of the vertical
   queue), with, at their head node, the share ``f`` of their vehicles that turns into each
   next link, that link's largest number of vehicles in each engine (storage 200) and the other
   links feeding it;
2. at the nodes of those links where a next link is full, the inflow of that link and the
   outflow of every link feeding it over the window, in both engines. Tampère's rule (twin's node
   model) gives the competing queued links equal outflows (equal capacities), whatever their
   ``f``; UXsim's head-vehicle draw gives a link with a small ``f`` much more
   (``benchmarks/traffic_node_sharing_p15e.py`` isolates one such node);
3. the cumulative counts in / out of the links of :data:`CURVES` every 600 s in both engines.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

CURVES = ((51, 52), (52, 53), (42, 53), (53, 64))
"""Links whose cumulative in/out counts are printed every 600 s (part 3): 51->52 queues behind 52->53, held at node 53."""
CONTESTED = ((53, 64), (64, 75), (86, 97), (43, 54))
"""(node, head of the full next link) reported in part 2 (grid11 node ids; found by part 1 at 0.75x, seed 0)."""


def movements(next_link: np.ndarray, dem, to: np.ndarray) -> dict[tuple[int, int], float]:
    """Vehicles per (incoming link, next link) over the whole demand (-1: origin or destination)."""
    out: dict[tuple[int, int], float] = defaultdict(float)
    for r in range(dem.od_orig.shape[0]):
        n, j = int(dem.orig_node[dem.od_orig[r]]), int(dem.od_dest[r])
        veh = float(dem.rate_veh_s[r] * (dem.t1_s[r] - dem.t0_s[r]))
        prev = -1
        while next_link[n, j] >= 0:
            a = int(next_link[n, j])
            out[(prev, a)] += veh
            prev, n = a, int(to[a])
        out[(prev, -1)] += veh
    return dict(out)


def main(argv: list[str] | None = None) -> None:
    import bench_traffic_dynamic as bd
    import traffic_grid11_fixed_routes_p15c as fr

    from twin.traffic.dynamic_queues import vertical_queue_veh

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=0.75)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--window", default="2700,4200", help="t0,t1 of the rates of part 2, s")
    ap.add_argument("--top", type=int, default=10)
    args = ap.parse_args(argv)
    t0, t1 = (float(x) for x in args.window.split(","))
    load0 = os.getloadavg()[0]
    rows = fr.run(args.scale, args.seed, curves=True)
    if len(rows) < 2:
        raise SystemExit("UXsim is not installed: nothing to compare")
    tw, ux = rows
    net, dyn, _, _ = bd.grid11_case()
    ids = np.asarray(net.node_ids)
    tail, head = net.from_node.astype(np.int64), net.to_node.astype(np.int64)
    mv = movements(tw["next_link"], tw["demand"], head)
    total = defaultdict(float)
    for (p, _), v in mv.items():
        total[p] += v
    delay, occ = {}, {}
    for name, r in (("twin", tw), ("UXsim", ux)):
        q = vertical_queue_veh(r["cin"], r["cout"], dyn.free_time_s, r["dt_s"])
        delay[name] = np.trapezoid(q, dx=r["dt_s"], axis=1) / 3600.0
        occ[name] = (r["cin"] - r["cout"]).max(axis=1)

    def name(a: int) -> str:
        return f"{ids[tail[a]]}->{ids[head[a]]}"

    print(f"grid11 x{args.scale:g}, fixed routes (seed {args.seed}): delay on links twin {delay['twin'].sum():,.0f} veh-h, "
          f"UXsim {delay['UXsim'].sum():,.0f} veh-h")  # fmt: skip
    print("1. links with the largest excess delay (twin - UXsim), their turns at the head node (f, largest vehicles on the next link twin/UXsim):")
    for a in np.argsort(-(delay["twin"] - delay["UXsim"]))[: args.top]:
        turns = []
        for (p, b), v in sorted(mv.items(), key=lambda x: -x[1]):
            if p != a:
                continue
            if b < 0:
                turns.append(f"destination f {v / total[a]:.2f}")
                continue
            feeders = ", ".join(name(c) for (c, bb) in mv if bb == b and c not in (a, -1)) or "none"
            turns.append(f"{name(b)} f {v / total[a]:.2f} ({occ['twin'][b]:.0f}/{occ['UXsim'][b]:.0f}; also fed by {feeders})")
        print(f"   {name(a):8s} {delay['twin'][a]:5.0f} vs {delay['UXsim'][a]:5.0f} veh-h: " + "; ".join(turns))
    print(f"2. contested next links, rates over {t0:.0f}-{t1:.0f} s (veh/s): inflow of the full link; outflow of each link feeding it (its f)")
    node_index = {int(x): k for k, x in enumerate(ids)}
    for node, nxt in CONTESTED:
        j = int(np.flatnonzero((tail == node_index[node]) & (head == node_index[nxt]))[0])
        feeders = sorted(c for (c, b) in mv if b == j and c >= 0)
        for label, r in (("twin", tw), ("UXsim", ux)):
            k0, k1 = int(round(t0 / r["dt_s"])), int(round(t1 / r["dt_s"]))
            into = (r["cin"][j, k1] - r["cin"][j, k0]) / (t1 - t0)
            parts = [f"{name(c)} (f {mv[(c, j)] / total[c]:.2f}) {(r['cout'][c, k1] - r['cout'][c, k0]) / (t1 - t0):.3f}" for c in feeders]
            print(f"   node {node:3d}, full {name(j):7s} {label:5s}: into it {into:.3f}; " + "; ".join(parts))
    print("3. cumulative vehicles in / out every 600 s, twin | UXsim")
    links = [int(np.flatnonzero((tail == node_index[a]) & (head == node_index[b]))[0]) for a, b in CURVES]
    print("   t (s)  " + "".join(f"{name(j):>26s}" for j in links))
    for t in np.arange(0.0, 7200.0, 600.0):
        cells = []
        for j in links:
            kt, ku = int(round(t / tw["dt_s"])), int(round(t / ux["dt_s"]))
            cells.append(f"{tw['cin'][j, kt]:5.0f}/{tw['cout'][j, kt]:5.0f} | {ux['cin'][j, ku]:5.0f}/{ux['cout'][j, ku]:5.0f}")
        print(f"   {t:5.0f}  " + "".join(f"{c:>26s}" for c in cells))
    print(f"(load average {load0:.1f} before, {os.getloadavg()[0]:.1f} after)")


if __name__ == "__main__":
    main()
