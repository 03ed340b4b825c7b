"""grid11, twin and UXsim side by side at 1x, 1.5x and 2x the demand (issue 15, item 4).

Run:  PYTHONPATH=<folder with uxsim> python benchmarks/bench_traffic_grid11_uxsim.py [--seeds 5] [--scales 1,1.5,2]

UXsim (MIT) is not a twin dependency: install it in the benchmark environment (``pip install
--target <folder> uxsim``) and put that folder on ``PYTHONPATH``; without it only twin runs.
Both engines read the same files (../shared/data/traffic/grid11): network, demand (flows times the
scale), DUO update every 600 s with weight 0.5 and noise 0.01 on the link times of each route
search (twin's ``duo_noise``, UXsim's ``duo_noise``). UXsim runs its C++ engine with platoons of
``deltan`` 5 (the scenario). Both route choices are random through their noise draws, and the
first update puts each destination's whole flow on one tree, so one seed says little: each
engine runs ``--seeds`` seeds (0, 1, ...; twin's ``seed``, UXsim's ``random_seed``) and the
comparison is between the means over seeds.

Measures, the same for both engines:

* mean trip time of the vehicles that arrived, s (twin: ``DynamicResult.totals()``; UXsim:
  ``analyzer.average_travel_time``), and the share that arrived;
* links that queue: links whose mean density ``(N_in(t) - N_out(t)) / L`` (vehicles on the link
  over its length, from the cumulative counts at every step: twin ``cum_in``/``cum_out``, UXsim
  ``cum_arrival``/``cum_departure``) is above the critical density ``k_c = q_max / v_f``
  (0.04 veh/m) at some time. A link at capacity in free flow holds exactly ``k_c L``; more means
  a queue on it.

Writes benchmarks/figures/traffic_grid11.json (all runs, means, ratios, load average, versions).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

OUT = REPO / "benchmarks" / "figures" / "traffic_grid11.json"
QUEUE_MARGIN = 1.0001
"""A link queues when its mean density exceeds ``QUEUE_MARGIN x k_c`` (margin: rounding only)."""


def _queued_links(veh_on_link: np.ndarray, length_m: np.ndarray, k_crit_veh_m: np.ndarray) -> int:
    """Links whose vehicles / length exceed the critical density at some sample (rows: links)."""
    return int((veh_on_link.max(axis=1) / length_m > QUEUE_MARGIN * k_crit_veh_m).sum())


def run_twin(scale: float, seed: int, duo_interval_s: float | None = None) -> dict:
    """One twin run of grid11 with the demand times ``scale`` (route updates every ``duo_interval_s``; default the scenario's)."""
    import bench_traffic_dynamic as bd

    from twin.traffic.dynamic import simulate

    net, dyn, demand, opts = bd.grid11_case()
    demand = demand.copy()
    demand["flow_veh_s"] = demand["flow_veh_s"] * scale
    demand["vehicles"] = demand["vehicles"] * scale
    st = dict(__import__("pandas").read_csv(bd.GRID / "scenario.csv")[["key", "value"]].values)
    if duo_interval_s is not None:
        opts["duo_interval_s"] = duo_interval_s
    t0 = time.perf_counter()
    res = simulate(net, demand, dynamics=dyn, duo_noise=float(st["duo_noise"]), seed=seed, **opts)
    wall = time.perf_counter() - t0
    tot = res.totals()
    k_crit = dyn.capacity_veh_s / dyn.free_speed_m_s
    return {
        "engine": "twin" if duo_interval_s is None else f"twin DUO every {duo_interval_s:g} s",
        "scale": scale,
        "seed": seed,
        "mean_trip_time_s": float(tot["mean_trip_time_s"]),
        "arrived_share": float(tot["arrived_veh"] / tot["generated_veh"]),
        "generated_veh": float(tot["generated_veh"]),
        "queued_links": _queued_links(res.cum_in - res.cum_out, dyn.length_m, k_crit),
        "wall_s": wall,
    }


def run_uxsim(scale: float, seed: int, deltan: int = 5) -> dict:
    """One UXsim (C++ engine) run of grid11 with the demand times ``scale``."""
    import bench_traffic_dynamic as bd
    import pandas as pd
    import uxsim

    grid = bd.GRID
    nodes = pd.read_csv(grid / "nodes.csv")
    links = pd.read_csv(grid / "links.csv")
    demand = pd.read_csv(grid / "demand.csv")
    st = dict(pd.read_csv(grid / "scenario.csv")[["key", "value"]].values)
    t0 = time.perf_counter()
    w = uxsim.World(
        name="", deltan=deltan, reaction_time=float(st["reaction_time"]), tmax=float(st["tmax"]),
        duo_update_time=float(st["duo_update_time"]), duo_update_weight=float(st["duo_update_weight"]),
        duo_noise=float(st["duo_noise"]), random_seed=seed, print_mode=0, save_mode=0, show_mode=0, cpp=True,
    )  # fmt: skip
    for r in nodes.itertuples():
        w.addNode(str(r.node_id), r.x_m, r.y_m)
    for r in links.itertuples():
        w.addLink(str(r.link_id), str(r.from_node_id), str(r.to_node_id), length=r.length_m, free_flow_speed=r.free_flow_speed_m_s,
                  jam_density=r.jam_density_veh_m, merge_priority=r.merge_priority)  # fmt: skip
    for r in demand.itertuples():
        w.adddemand(str(r.origin_node_id), str(r.destination_node_id), r.t_start_s, r.t_end_s, r.flow_veh_s * scale)
    w.exec_simulation()
    wall = time.perf_counter() - t0
    a = w.analyzer
    a.basic_analysis()
    by_id = {str(lk.name): lk for lk in w.LINKS}
    veh = np.array([np.asarray(by_id[str(i)].cum_arrival, float) - np.asarray(by_id[str(i)].cum_departure, float) for i in links["link_id"]])
    k_crit = (links["capacity_veh_s"] / links["free_flow_speed_m_s"]).to_numpy()
    return {
        "engine": f"UXsim {uxsim.__version__} C++ deltan {deltan}",
        "scale": scale,
        "seed": seed,
        "mean_trip_time_s": float(a.average_travel_time),
        "arrived_share": float(a.trip_completed / a.trip_all) if a.trip_all else float("nan"),
        "generated_veh": float(a.trip_all),
        "queued_links": _queued_links(veh, links["length_m"].to_numpy(), k_crit),
        "wall_s": wall,
    }


def _uxsim_in_child(scale: float, seed: int, deltan: int) -> dict:
    """:func:`run_uxsim` in a fresh process (a UXsim world keeps its memory, ~6 GB at deltan 1)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(run_uxsim, scale, seed, deltan).result()


def _mean(rows: list[dict], key: str) -> float:
    return float(np.mean([r[key] for r in rows])) if rows else float("nan")


def summarize(runs: list[dict], scales: list[float]) -> list[dict]:
    """Means over seeds per engine and scale, and the ratios of twin (scenario settings) to each UXsim."""
    engines = list(dict.fromkeys(r["engine"] for r in runs))
    summary = []
    for scale in scales:
        row: dict = {"scale": scale, "engines": {}}
        for eng in engines:
            rs = [r for r in runs if r["engine"] == eng and r["scale"] == scale]
            if not rs:
                continue
            trips = [r["mean_trip_time_s"] for r in rs]
            row["engines"][eng] = {
                "mean_trip_time_s": _mean(rs, "mean_trip_time_s"),
                "mean_trip_time_s_range": [float(np.min(trips)), float(np.max(trips))],
                "queued_links": _mean(rs, "queued_links"),
                "queued_links_range": [min(r["queued_links"] for r in rs), max(r["queued_links"] for r in rs)],
                "arrived_share": _mean(rs, "arrived_share"),
                "seeds": len(rs),
            }
        tw = row["engines"].get("twin")
        row["ratios_twin_over"] = {}
        for eng, e in row["engines"].items():
            if eng.startswith("UXsim") and tw:
                row["ratios_twin_over"][eng] = {
                    "mean_trip_time": tw["mean_trip_time_s"] / e["mean_trip_time_s"],
                    "queued_links": tw["queued_links"] / e["queued_links"] if e["queued_links"] else float("nan"),
                    "arrived_share": tw["arrived_share"] / e["arrived_share"],
                }
        summary.append(row)
    return summary


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--scales", default="1,1.5,2")
    ap.add_argument("--deltan", default="5,1", help="UXsim platoon sizes (5: the scenario)")
    ap.add_argument("--seeds-deltan1", type=int, default=2, help="seeds of the deltan 1 runs (slow, ~6 GB each)")
    ap.add_argument("--deltan1-max-scale", type=float, default=1.5, help="no deltan 1 run above this scale (memory)")
    ap.add_argument("--twin-intervals", default="120", help="extra twin runs with these DUO update intervals, s ('' none)")
    ap.add_argument("--no-uxsim", action="store_true")
    ap.add_argument("--output", default=str(OUT))
    args = ap.parse_args(argv)
    scales = [float(s) for s in args.scales.split(",")]
    deltans = [int(s) for s in args.deltan.split(",") if s]
    intervals = [float(s) for s in args.twin_intervals.split(",") if s]
    try:
        import uxsim  # noqa: F401

        have_uxsim = not args.no_uxsim
    except ImportError:
        print("UXsim not importable (set PYTHONPATH to its folder): twin only")
        have_uxsim = False
    load_before = os.getloadavg()
    runs = []
    for scale in scales:
        for seed in range(args.seeds):
            new = [run_twin(scale, seed)] + [run_twin(scale, seed, iv) for iv in intervals]
            if have_uxsim:
                new += [
                    _uxsim_in_child(scale, seed, dn) for dn in deltans if dn != 1 or (seed < args.seeds_deltan1 and scale <= args.deltan1_max_scale)
                ]
            runs += new
            for r in new:
                print(f"{r['engine']:28s} x{scale:<4g} seed {seed}: mean trip {r['mean_trip_time_s']:7.1f} s, "
                      f"arrived {100 * r['arrived_share']:6.2f} %, links that queue {r['queued_links']:3d}, wall {r['wall_s']:.1f} s", flush=True)  # fmt: skip
    summary = summarize(runs, scales)
    print("\nmeans over seeds: scale | engine | mean trip (s) | arrived (%) | links that queue")
    for row in summary:
        for eng, e in row["engines"].items():
            print(f"{row['scale']:4g} | {eng:28s} | {e['mean_trip_time_s']:7.1f} | {100 * e['arrived_share']:6.2f} | {e['queued_links']:6.1f}")
        for eng, q in row["ratios_twin_over"].items():
            print(f"{row['scale']:4g} | twin / {eng}: mean trip {q['mean_trip_time']:.3f}, links that queue {q['queued_links']:.3f}, "
                  f"arrived {q['arrived_share']:.3f}")  # fmt: skip
    out = {
        "case": "grid11 (../shared/data/traffic/grid11), demand x scale",
        "queue_definition": "max over steps of (N_in - N_out) / L > 1.0001 * capacity / free speed",
        "mean_trip_definition": "mean trip time of the vehicles that arrived (twin: NaN unless all arrived)",
        "seeds": args.seeds,
        "summary": summary,
        "runs": runs,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "python": platform.python_version(),
        "command": "PYTHONPATH=<uxsim folder> python benchmarks/bench_traffic_grid11_uxsim.py " + " ".join(argv or sys.argv[1:]),
    }
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(out, indent=1))
    print(f"wrote {args.output}; load average {load_before[0]:.1f} -> {out['load_average_after'][0]:.1f}")
    return out


if __name__ == "__main__":
    main()
