"""Why DUO on instantaneous link times gridlocks the Saint-Gilles case (issue 15 item 4).

Run:  python benchmarks/traffic_stgilles_gridlock_p15c.py [VEHICLES] [--output FILE]
      (default 3000 vehicles in the hour; writes benchmarks/figures/traffic_stgilles_gridlock_p15c.txt)

The ``benchmarks/bench_traffic_dynamic.py`` Saint-Gilles set-up (edge origins to edge
destinations, 1 s steps, DUO every 300 s) with each ``duo_time`` rule. For each run: vehicles
generated and arrived in 2 h, and every 30 min the *blocked* links (more than 0.05 vehicles on the
link and less than 0.01 vehicles out of it in the last 600 s), the vehicles on them, and the
cycles among them (strongly connected sets of blocked links, a link leading to the next through
its head node): a cycle of blocked links is a circular spillback, where every link waits for the
next, which no first-order node model can resolve. For the largest cycle: its streets, its links'
lengths and storage, and the route-choice time of its links at the last update over their free
time (``DynamicResult.link_time_s``).
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

OUT = REPO / "benchmarks" / "figures" / "traffic_stgilles_gridlock_p15c.txt"
BLOCKED_MIN_VEH = 0.05
BLOCKED_WINDOW_S = 600.0


def blocked_links(res, t_s: float) -> np.ndarray:
    """Links holding more than BLOCKED_MIN_VEH vehicles that let out less than 0.01 vehicles in the BLOCKED_WINDOW_S before ``t_s``."""
    k = int(round(t_s / res.dt_s))
    k0 = max(k - int(round(BLOCKED_WINDOW_S / res.dt_s)), 0)
    on = res.cum_in[:, k] - res.cum_out[:, k]
    return (on > BLOCKED_MIN_VEH) & (res.cum_out[:, k] - res.cum_out[:, k0] < 0.01)


def cycles(net, mask: np.ndarray) -> list[np.ndarray]:
    """Strongly connected sets (more than one link) of the links in ``mask``, largest first."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return []
    fr = net.from_node.astype(np.int64)[idx]
    to = net.to_node.astype(np.int64)[idx]
    rows, cols = np.nonzero(to[:, None] == fr[None, :])
    g = csr_matrix((np.ones(rows.size), (rows, cols)), shape=(idx.size, idx.size))
    _, lab = connected_components(g, directed=True, connection="strong")
    comps = [idx[lab == c] for c in np.unique(lab) if (lab == c).sum() > 1]
    return sorted(comps, key=len, reverse=True)


def main(argv: list[str] | None = None) -> str:
    import bench_traffic_dynamic as bd
    import pandas as pd

    from twin.ingest.dispatch import ingest
    from twin.traffic.dynamic import DUO_TIMES, simulate

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("vehicles", nargs="?", type=float, default=3000.0)
    ap.add_argument("--output", default=str(OUT))
    args = ap.parse_args(argv)
    net, dyn, demand, opts = bd.stgilles_case(args.vehicles)
    scene, _ = ingest([bd.STGILLES_STREETS], crs="EPSG:31370")
    names = scene.links.set_index("link_id")["name"].reindex(net.link_ids).fillna("").to_numpy()
    lines = [f"Saint-Gilles, {args.vehicles:g} vehicles in the hour, 2 h, 1 s steps, DUO every {opts['duo_interval_s']:g} s; "
             f"blocked: > {BLOCKED_MIN_VEH} veh on the link and < 0.01 veh out in the last {BLOCKED_WINDOW_S:g} s"]  # fmt: skip
    for rule in DUO_TIMES:
        load = os.getloadavg()[0]
        res = simulate(net, demand, dynamics=dyn, duo_time=rule, **opts)
        tot = res.totals()
        lines.append(f"\nduo_time={rule}: generated {tot['generated_veh']:.0f}, arrived {tot['arrived_veh']:.0f}, "
                     f"mean trip of the arrived {tot['mean_trip_time_s']:.1f} s (nan: not all arrived); load average {load:.1f}")  # fmt: skip
        last = None
        for t_s in (1800.0, 3600.0, 5400.0, 7200.0):
            mask = blocked_links(res, t_s)
            k = int(round(t_s / res.dt_s))
            on = res.cum_in[:, k] - res.cum_out[:, k]
            cyc = cycles(net, mask)
            lines.append(f"  t = {t_s:5.0f} s: blocked links {int(mask.sum()):3d}, vehicles on them {on[mask].sum():6.1f} "
                         f"(storage {res.dynamics.jam_veh[mask].sum():6.1f}); cycles of blocked links: {[len(c) for c in cyc]}")  # fmt: skip
            if cyc:
                last = (t_s, cyc[0])
        if last is not None:
            t_s, ring = last
            k = int(round(t_s / res.dt_s))
            d = res.dynamics
            tab = pd.DataFrame({
                "link": [net.link_ids[a] for a in ring], "street": names[ring], "length_m": d.length_m[ring].round(1),
                "storage_veh": d.jam_veh[ring].round(2), "on_link_veh": (res.cum_in[ring, k] - res.cum_out[ring, k]).round(2),
                "capacity_veh_s": d.capacity_veh_s[ring].round(3), "route_time_over_free": (res.link_time_s[ring] / d.free_time_s[ring]).round(2),
                "route_time_s": res.link_time_s[ring].round(1),
            })  # fmt: skip
            lines.append(f"  largest cycle of blocked links at {t_s:g} s ({len(ring)} links, {d.length_m[ring].sum():.0f} m, "
                         f"storage {d.jam_veh[ring].sum():.1f} veh):")  # fmt: skip
            lines += ["    " + row for row in tab.to_string(index=False).splitlines()]
    text = "\n".join(lines) + "\n"
    print(text)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(text + f"(python benchmarks/traffic_stgilles_gridlock_p15c.py {args.vehicles:g})\n")
    return text


if __name__ == "__main__":
    main()
