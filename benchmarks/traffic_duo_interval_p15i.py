"""How much does the DUO update interval decide a dynamic run? (issue 15, p15i; a study, not a test)

Run:  nice -n 10 python benchmarks/traffic_duo_interval_p15i.py [--seeds 3] [--intervals 600 300 120 60 30]
      (prints the figures; one run at a time, about 6 min on 2 shared cores)

Cases (those of ``benchmarks/bench_traffic_dynamic.py``): Saint-Gilles at 2,000 and 3,000
vehicles in the hour (edge origins to edge destinations, 1 s steps, 2 h, experienced link times,
``duo_noise`` 0.01), the 3,000 again with the scene's give-way junctions (no signals), and grid11 at 1x (``../shared/data/traffic/grid11``, 5 s steps, 2 h, its
``duo_update_weight`` 0.5). Each case runs with :func:`twin.traffic.dynamic_replicates.simulate_replicates`
(seeds ``0 .. seeds - 1``) for every ``duo_interval_s`` of ``--intervals``, only the interval
changed from the case's options; per case and interval it prints the mean and sample standard
deviation over seeds of total delay, mean trip time, arrived vehicles and vehicle-km, and the wall
time per run. An interval whose runs take more than ``--max-run-s`` each ends that case (shorter
intervals cost more route searches): the skipped intervals are named.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from machine_load import commit_stamp  # noqa: E402 - benchmarks/ is on the path only from here

INTERVALS_S = (600.0, 300.0, 120.0, 60.0, 30.0)
"""DUO update intervals of the study, s (longest first: the cost grows as the interval shrinks)."""
FIGURES = (("total_delay_veh_h", "delay veh-h", 7.2), ("mean_trip_time_s", "trip s", 7.1), ("arrived_veh", "arrived", 8.0),
           ("vehicle_km", "veh-km", 7.0))  # fmt: skip
"""(totals key, column label, format width.precision) of the printed figures."""



def cases(names: list[str] | None) -> dict[str, tuple[Any, Any, Any, dict[str, Any]]]:
    """The study's cases: name -> (network, dynamics, demand, options) of ``bench_traffic_dynamic``.

    Parameters
    ----------
    names : list of str or None
        Substrings of the case names to build (None: all).

    Returns
    -------
    dict
        The cases, in the order printed; the give-way case adds the junctions of
        ``twin traffic simulate SCENE --give-way`` (no signals) to the bench options.
    """
    import bench_traffic_dynamic as bd

    builders = {
        "Saint-Gilles 2,000 veh": lambda: bd.stgilles_case(2000.0),
        "Saint-Gilles 3,000 veh": lambda: bd.stgilles_case(3000.0),
        "Saint-Gilles 3,000 veh, give-way": lambda: _with_give_way(bd.stgilles_case(3000.0)),
        "grid11 1x": bd.grid11_case,
    }
    return {name: build() for name, build in builders.items() if not names or any(n == name for n in names)}


def _with_give_way(case: tuple[Any, Any, Any, dict[str, Any]]) -> tuple[Any, Any, Any, dict[str, Any]]:
    """The Saint-Gilles ``case`` with the scene's give-way junctions (no signals) in its options."""
    import bench_traffic_dynamic as bd

    from twin.ingest.dispatch import ingest
    from twin.traffic.dynamic_commands import scene_give_way

    net, dyn, demand, opts = case
    scene, _ = ingest([bd.STGILLES_STREETS], crs="EPSG:31370")
    return net, dyn, demand, {**opts, "give_way": scene_give_way(scene, net, [bd.STGILLES_STREETS], signalised=False)}


def row(interval_s: float, runs: Any, wall_per_run_s: float) -> str:
    """One printed line: the interval, mean and sd over seeds of :data:`FIGURES`, wall time per run."""
    stats = runs.statistics()
    parts = []
    for key, _, fmt in FIGURES:
        width, prec = (int(x) for x in str(fmt).split("."))
        mean, sd = (round(stats[f"{key}_{st}"], prec) + 0.0 for st in ("mean", "sd"))  # + 0.0: no "-0.00" for a rounding residue
        parts.append(f"{mean:{width}.{prec}f} ± {sd:<{width - 2}.{prec}f}")
    return f"  {interval_s:6.0f} s  " + "  ".join(parts) + f"  {wall_per_run_s:6.1f}"


def main(argv: list[str] | None = None) -> list[str]:
    """Run the study and print it; returns the printed lines."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3, help="DUO noise seeds 0 .. N-1 per case and interval (default 3)")
    ap.add_argument("--intervals", type=float, nargs="+", default=list(INTERVALS_S), help="duo_interval_s values, s (longest first)")
    ap.add_argument("--max-run-s", type=float, default=60.0, help="skip shorter intervals of a case once a run takes longer than this, s")
    ap.add_argument("--cases", nargs="+", default=None, help="exact case names to run (default: all)")
    args = ap.parse_args(argv)

    from twin.traffic.dynamic import simulate
    from twin.traffic.dynamic_replicates import simulate_replicates

    lines: list[str] = []

    def say(text: str) -> None:
        lines.append(text)
        print(text, flush=True)

    load0 = os.getloadavg()
    started = time.perf_counter()
    say(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, commit {commit_stamp()}, load average {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}, "
        f"seeds 0-{args.seeds - 1}, mean ± sd over seeds")  # fmt: skip
    header = "  interval  " + "  ".join(f"{label:>{int(str(fmt).split('.')[0]) * 2 + 3}s}" for _, label, fmt in FIGURES) + "  s/run"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, (net, dyn, demand, opts) in cases(args.cases).items():
            say(f"{name}: {net.n_links} links, dt {opts['dt_s']:g} s, {opts.get('duration_s') or 0:g} s, case default interval "
                f"{opts['duo_interval_s']:g} s, weight {opts.get('duo_weight', 0.5):g}")  # fmt: skip
            simulate(net, demand, dynamics=dyn, **{**opts, "duration_s": 60.0})  # warm-up: compilation / cache load
            say(header)
            for k, interval in enumerate(args.intervals):
                t0 = time.perf_counter()
                runs = simulate_replicates(net, demand, dynamics=dyn, seed=0, replicates=args.seeds, **{**opts, "duo_interval_s": interval})
                per_run = (time.perf_counter() - t0) / args.seeds
                say(row(interval, runs, per_run))
                if per_run > args.max_run_s and k + 1 < len(args.intervals):
                    say(
                        f"  skipped {', '.join(f'{v:g}' for v in args.intervals[k + 1 :])} s: {per_run:.0f} s per run at {interval:g} s > {args.max_run_s:g} s"
                    )
                    break
    load1 = os.getloadavg()
    say(f"wall {time.perf_counter() - started:.0f} s, load average {load0[0]:.2f} -> {load1[0]:.2f}")
    return lines


if __name__ == "__main__":
    main()
