"""Saint-Gilles car network, DUO on experienced, instantaneous and discharge link times (issue 15 item 4).

Run:  python benchmarks/traffic_stgilles_duo_time_p15.py [VEHICLES ...] [--output FILE]
      (default 2000 and 3000 vehicles in the hour; merges into
      benchmarks/figures/traffic_stgilles_duo_time.json, then ``python scripts/update_figures.py``)

The ``benchmarks/bench_traffic_dynamic.py`` Saint-Gilles set-up (edge origins to edge
destinations, 1 s steps, 2 h, DUO every 300 s, seed 0) with ``duo_time="instantaneous"``,
``"experienced"`` and ``"discharge"``: vehicles generated and arrived in 2 h, the mean trip
(NaN unless all arrived), the total delay, wall time and load per run; each vehicle count's entry
carries the date, :func:`machine_load.commit_stamp` and the load before and after.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from figures_file import merge_case  # noqa: E402 - benchmarks/ is on the path only from here
from machine_load import measurement_stamp  # noqa: E402

OUT = REPO / "benchmarks" / "figures" / "traffic_stgilles_duo_time.json"
DUO_TIMES = ("instantaneous", "experienced", "discharge")


def _finite(x: float) -> float | None:
    """``x``, or None (JSON null) when it is NaN."""
    return None if x != x else float(x)


def merge(path: Path, vehicles: float, runs: dict[str, dict[str, Any]], facts: dict[str, Any]) -> dict[str, Any]:
    """Merge the runs of ``vehicles`` into the figures file ``path`` and write it; returns its content.

    Parameters
    ----------
    path : Path
        The figures file (created if missing).
    vehicles : float
        Vehicles in the hour (the entry's key, ``f"{vehicles:g}"``).
    runs : dict
        ``duo_time`` -> its figures.
    facts : dict
        Provenance and settings of the entry (date, commit, loads, DUO interval, duration, command).

    Returns
    -------
    dict
        ``cases``: ``"<vehicles>"`` -> ``facts``, ``vehicles`` and ``runs``.
    """
    import bench_traffic_dynamic as bd

    return merge_case(path, f"{vehicles:g}", {**facts, "vehicles": float(vehicles), "runs": runs},
                      bd.STGILLES_CASE_TEXT + "DUO every 300 s, seed 0); mean_trip_time_s: null unless every vehicle arrived")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the three DUO link times at each vehicle count and merge them into ``--output``; returns the file's content."""
    import bench_traffic_dynamic as bd

    from twin.traffic.dynamic import simulate

    args = bd.stgilles_vehicle_args(argv, __doc__.splitlines()[0], OUT)
    data: dict[str, Any] = {}
    for vehicles in args.vehicles:
        net, dyn, demand, opts = bd.stgilles_case(vehicles)
        facts = {**measurement_stamp(load=True),
                 "duo_interval_s": float(opts["duo_interval_s"]), "duration_s": float(opts["duration_s"]), "command": "nice -n 10 python benchmarks/traffic_stgilles_duo_time_p15.py"}  # fmt: skip
        runs: dict[str, dict[str, Any]] = {}
        for duo_time in DUO_TIMES:
            load = os.getloadavg()[0]
            t0 = time.perf_counter()
            t = simulate(net, demand, dynamics=dyn, duo_time=duo_time, **opts).totals()
            runs[duo_time] = {"generated_veh": float(t["generated_veh"]), "arrived_veh": float(t["arrived_veh"]),
                              "mean_trip_time_s": _finite(t["mean_trip_time_s"]), "total_delay_veh_h": float(t["total_delay_veh_h"]),
                              "wall_s": time.perf_counter() - t0, "load_1min": load}  # fmt: skip
            r = runs[duo_time]
            trip = "n/a (not all arrived)" if r["mean_trip_time_s"] is None else f"{r['mean_trip_time_s']:.1f} s"
            print(f"{vehicles:g} vehicles, duo_time={duo_time}: generated {r['generated_veh']:.0f}, arrived {r['arrived_veh']:.0f}, "
                  f"mean trip {trip}, delay {r['total_delay_veh_h']:.1f} veh-h; load average {load:.1f}", flush=True)  # fmt: skip
        data = merge(args.output, vehicles, runs, {**facts, "load_1min_after": os.getloadavg()[0]})
    return data


if __name__ == "__main__":
    main()
