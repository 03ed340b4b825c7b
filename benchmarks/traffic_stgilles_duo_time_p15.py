"""Saint-Gilles car network, DUO on experienced vs instantaneous link times (issue 15 item 4).

Run:  python benchmarks/traffic_stgilles_duo_time_p15.py [VEHICLES]   (default 3000 in the hour)

The ``benchmarks/bench_traffic_dynamic.py`` Saint-Gilles set-up (edge origins to edge
destinations, 1 s steps, DUO every 300 s) with ``duo_time="instantaneous"`` and
``duo_time="experienced"``: vehicles generated and arrived in 2 h and the mean trip of the
arrived when all arrived.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def main(argv: list[str] | None = None) -> list[dict]:
    import bench_traffic_dynamic as bd

    from twin.traffic.dynamic import simulate

    argv = sys.argv[1:] if argv is None else argv
    vehicles = float(argv[0]) if argv else 3000.0
    net, dyn, demand, opts = bd.stgilles_case(vehicles)
    rows = []
    for duo_time in ("instantaneous", "experienced"):
        t = simulate(net, demand, dynamics=dyn, duo_time=duo_time, **opts).totals()
        row = {"duo_time": duo_time, "generated_veh": t["generated_veh"], "arrived_veh": t["arrived_veh"], "mean_trip_time_s": t["mean_trip_time_s"]}
        rows.append(row)
        print(f"{vehicles:g} vehicles, duo_time={duo_time}: generated {row['generated_veh']:.0f}, arrived {row['arrived_veh']:.0f}, "
              f"mean trip {row['mean_trip_time_s']:.1f} s; load average {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
    return rows


if __name__ == "__main__":
    main()
