"""How much does the DUO update interval decide a dynamic run? (issue 15, p15i; a study, not a test)

Run:  nice -n 10 python benchmarks/traffic_duo_interval_p15i.py [--seeds 3] [--intervals 600 300 120 60 30 15 5]
      (prints the figures and merges them into benchmarks/figures/traffic_duo_interval.json, then
      ``python scripts/update_figures.py`` rewrites the table of docs/traffic.md; one run at a
      time, about 10 min on 2 shared cores)

Cases (those of ``benchmarks/bench_traffic_dynamic.py``): Saint-Gilles at 2,000 and 3,000
vehicles in the hour (edge origins to edge destinations, 1 s steps, 2 h, experienced link times,
``duo_noise`` 0.01), the 3,000 again with the scene's give-way junctions (no signals), and grid11 at 1x (``../shared/data/traffic/grid11``, 5 s steps, 2 h, its
``duo_update_weight`` 0.5). Each case runs with :func:`twin.traffic.dynamic_replicates.simulate_replicates`
(seeds ``0 .. seeds - 1``) for every ``duo_interval_s`` of ``--intervals``, only the interval
changed from the case's options; per case and interval it prints the mean and sample standard
deviation over seeds of total delay, mean trip time, arrived vehicles and vehicle-km, and the wall
time per run. An interval whose runs take more than ``--max-run-s`` each ends that case (shorter
intervals cost more route searches): the skipped intervals are named.

Every measured (case, interval) row is merged into the figures file (``--output``): the rows of
other cases and intervals are kept, a row measured again is replaced. A row holds the seeds, per
seed the generated and arrived vehicles and :data:`FIGURES`, their mean and sample standard
deviation, the wall time per run, and where it was measured (date, :func:`machine_load.commit_stamp`,
1-minute load average before and after the row's runs).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from machine_load import measurement_stamp  # noqa: E402 - benchmarks/ is on the path only from here

OUT = REPO / "benchmarks" / "figures" / "traffic_duo_interval.json"
"""The figures file the study merges its rows into (rendered into docs/traffic.md by scripts/update_figures.py)."""
INTERVALS_S = (600.0, 300.0, 120.0, 60.0, 30.0, 15.0, 5.0)
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


def figures_row(interval_s: float, runs: Any, wall_per_run_s: float, loads: tuple[float, float], stamp: dict[str, str]) -> dict[str, Any]:
    """The figures-file row of one case and interval.

    Parameters
    ----------
    interval_s : float
        The DUO update interval, s.
    runs : twin.traffic.dynamic_replicates.ReplicateRuns
        The runs over seeds.
    wall_per_run_s : float
        Wall time per run, s.
    loads : tuple of float
        1-minute load average before and after the runs.
    stamp : dict
        ``date`` and ``commit`` of the study.

    Returns
    -------
    dict
        ``interval_s``, ``seeds``, ``per_seed`` (seed, ``generated_veh`` and the keys of
        :data:`FIGURES`), ``<key>_mean`` and ``<key>_sd`` of each figure (``ddof=1``),
        ``wall_per_run_s``, ``load_1min_before``, ``load_1min_after``, ``date``, ``commit``.
    """
    stats = runs.statistics()
    keys = ("generated_veh", *(key for key, _, _ in FIGURES))
    row = {"interval_s": float(interval_s), "seeds": [int(s) for s in runs.seeds],
           "per_seed": [{"seed": int(s["seed"]), **{k: float(s[k]) for k in keys}} for s in runs.per_seed]}  # fmt: skip
    for key, _, _ in FIGURES:
        row[f"{key}_mean"] = float(stats[f"{key}_mean"])
        row[f"{key}_sd"] = float(stats[f"{key}_sd"])
    return {**row, "wall_per_run_s": float(wall_per_run_s), "load_1min_before": float(loads[0]), "load_1min_after": float(loads[1]), **stamp}


def merge(path: Path, measured: dict[str, dict[str, Any]], command: str) -> dict[str, Any]:
    """Merge the ``measured`` cases into the figures file ``path`` and write it; returns its content.

    Parameters
    ----------
    path : Path
        The figures file (created if missing).
    measured : dict
        Case name -> ``{"case": {...facts of the case...}, "rows": [figures_row, ...]}``.
    command : str
        The command line of the study (kept per row).

    Returns
    -------
    dict
        ``cases``: name -> the case's facts and ``intervals`` (``"<interval_s:g>"`` -> row, longest
        first); rows of cases and intervals not measured now are kept.
    """
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    cases_out = data.setdefault("cases", {})
    for name, got in measured.items():
        case = cases_out.setdefault(name, {})
        case.update(got["case"])
        rows = case.setdefault("intervals", {})
        for r in got["rows"]:
            rows[f"{r['interval_s']:g}"] = {**r, "command": command}
        case["intervals"] = dict(sorted(rows.items(), key=lambda kv: -kv[1]["interval_s"]))
    data["figures"] = "mean and sample standard deviation (ddof=1) over the seeds of DynamicResult.totals(); wall_per_run_s: wall time / seeds"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return data


def main(argv: list[str] | None = None) -> list[str]:
    """Run the study and print it; returns the printed lines."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3, help="DUO noise seeds 0 .. N-1 per case and interval (default 3)")
    ap.add_argument("--intervals", type=float, nargs="+", default=list(INTERVALS_S), help="duo_interval_s values, s (longest first)")
    ap.add_argument("--max-run-s", type=float, default=60.0, help="skip shorter intervals of a case once a run takes longer than this, s")
    ap.add_argument("--cases", nargs="+", default=None, help="exact case names to run (default: all)")
    ap.add_argument("--output", type=Path, default=OUT, help="figures file to merge the rows into (default benchmarks/figures/traffic_duo_interval.json)")
    args = ap.parse_args(argv)
    command = "nice -n 10 python benchmarks/traffic_duo_interval_p15i.py " + " ".join(argv if argv is not None else sys.argv[1:])

    from twin.traffic.dynamic import simulate
    from twin.traffic.dynamic_replicates import simulate_replicates

    lines: list[str] = []

    def say(text: str) -> None:
        lines.append(text)
        print(text, flush=True)

    load0 = os.getloadavg()
    started = time.perf_counter()
    stamp = measurement_stamp()
    measured: dict[str, dict[str, Any]] = {}
    say(f"{stamp['date']}, commit {stamp['commit']}, load average {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}, "
        f"seeds 0-{args.seeds - 1}, mean ± sd over seeds")  # fmt: skip
    header = "  interval  " + "  ".join(f"{label:>{int(str(fmt).split('.')[0]) * 2 + 3}s}" for _, label, fmt in FIGURES) + "  s/run"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, (net, dyn, demand, opts) in cases(args.cases).items():
            say(f"{name}: {net.n_links} links, dt {opts['dt_s']:g} s, {opts.get('duration_s') or 0:g} s, case default interval "
                f"{opts['duo_interval_s']:g} s, weight {opts.get('duo_weight', 0.5):g}")  # fmt: skip
            simulate(net, demand, dynamics=dyn, **{**opts, "duration_s": 60.0})  # warm-up: compilation / cache load
            say(header)
            got = measured[name] = {"case": {"links": int(net.n_links), "dt_s": float(opts["dt_s"]), "duration_s": float(opts.get("duration_s") or 0.0),
                                             "default_interval_s": float(opts["duo_interval_s"]), "duo_weight": float(opts.get("duo_weight", 0.5))},
                                    "rows": []}  # fmt: skip
            for k, interval in enumerate(args.intervals):
                before = os.getloadavg()[0]
                t0 = time.perf_counter()
                runs = simulate_replicates(net, demand, dynamics=dyn, seed=0, replicates=args.seeds, **{**opts, "duo_interval_s": interval})
                per_run = (time.perf_counter() - t0) / args.seeds
                say(row(interval, runs, per_run))
                got["rows"].append(figures_row(interval, runs, per_run, (before, os.getloadavg()[0]), stamp))
                if per_run > args.max_run_s and k + 1 < len(args.intervals):
                    say(
                        f"  skipped {', '.join(f'{v:g}' for v in args.intervals[k + 1 :])} s: {per_run:.0f} s per run at {interval:g} s > {args.max_run_s:g} s"
                    )
                    break
    load1 = os.getloadavg()
    merge(args.output, measured, command.strip())
    say(f"wall {time.perf_counter() - started:.0f} s, load average {load0[0]:.2f} -> {load1[0]:.2f}; rows merged into {args.output}")
    return lines


if __name__ == "__main__":
    main()
