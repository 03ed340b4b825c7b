"""grid11, twin and UXsim side by side at 1x, 1.5x and 2x the demand (issue 15, item 4).

Run:  python benchmarks/bench_traffic_grid11_uxsim.py [--seeds 5] [--scales 1,1.5,2] [--deltan 1,5,2]

UXsim (MIT) is not a twin dependency: install it in the benchmark environment
(``pip install uxsim==1.15.1``, or ``pip install --target <folder> uxsim`` and that folder on
``PYTHONPATH``); without it only twin runs. Both engines read the same files
(../shared/data/traffic/grid11): network, demand (flows times the scale), DUO update every 600 s
with weight 0.5 and noise 0.01 on the link times of each route search (twin's ``duo_noise``,
UXsim's ``duo_noise``). Both route choices are random through their noise draws, and the first
update puts each destination's whole flow on one tree, so one seed says little: each engine runs
``--seeds`` seeds (0, 1, ...; twin's ``seed``, UXsim's ``random_seed``) and means over seeds are
compared.

**Reference: UXsim at ``deltan`` 1** (platoons of one vehicle, 1 s steps), the setting closest to
its continuum limit. UXsim moves platoons of ``deltan`` vehicles once per step of ``deltan x
reaction_time`` seconds and releases an OD pair's demand in platoons when ``deltan`` vehicles have
accumulated, so all OD pairs of an origin (same flow, same window) depart together in bursts
(``11 x deltan`` vehicles every ``deltan / flow`` s). Its delays and queue counts at ``deltan`` 5
are therefore partly discretisation: at a tenth of the demand, where no queue can form, the mean
trip is 7 % above free flow at ``deltan`` 5 and 1 % at ``deltan`` 1 (runs in docs/traffic.md).
The grid11 scenario file says ``deltan`` 5; those runs are reported beside the reference.

UXsim runs its C++ engine in a fresh process per run, with its vehicle logs off
(``vehicle_logging_timestep_interval=-1``: no effect on the simulation, and a ``deltan`` 1 run then
fits in memory).

Measures, the same for both engines, from their outputs:

* mean trip time of the vehicles that arrived (twin: ``DynamicResult.totals()``; UXsim:
  ``analyzer.average_travel_time``), and the share that arrived;
* **links that queue** (the definition, :mod:`twin.traffic.dynamic_queues`): the vertical queue
  ``N_in(t - L / v_f) - N_out(t)`` (vehicles behind their free-flow schedule) from each engine's
  cumulative counts (twin ``cum_in``/``cum_out``; UXsim ``cum_arrival``/``cum_departure``) stays at
  or above 10 vehicles for at least 60 s; counts at 5/10/20/40 vehicles and 0/60/300 s are
  reported as well (``queue_grid``);
* links entered per trip (all link entries / vehicles generated);
* links above critical density ``(N_in - N_out) / L > q_max / v_f`` at some time, and with
  ``--slow-vehicles`` UXsim's own slow-vehicle count (``Link.num_vehicles_queue``, vehicles slower
  than free flow, read every 5 s, which multiplies UXsim's run time several times; twin's
  ``DynamicResult.congested_veh``) at 5/10/20/40 vehicles: the earlier measures.

The engine named ``twin`` is twin with DUO on instantaneous link times (``duo_time="instantaneous"``,
issue 15) and the stop-line next-link choice; ``twin experienced link times`` is twin's default
route-choice link time (``duo_time="experienced"``, kept as the default because the instantaneous
time gridlocks the Saint-Gilles case at 3,000 vehicles per hour; docs/traffic.md); with
``--discharge`` also ``twin discharge link times`` (``duo_time="discharge"``: the vertical queue over
the link's outflow in the last free travel time instead of over its capacity).
When not every vehicle arrived, twin's mean trip of the arrived vehicles is an estimate:
vehicles of one destination assumed to arrive in the order they departed (area between its
departure and arrival curves up to the arrived count); UXsim's is exact.

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

from uxsim_grid import add_grid  # noqa: E402 - benchmarks/uxsim_grid.py

OUT = REPO / "benchmarks" / "figures" / "traffic_grid11.json"
QUEUE_MARGIN = 1.0001
"""A link is above critical density when its mean density exceeds ``QUEUE_MARGIN x k_c`` (margin: rounding only)."""
SLOW_THRESHOLDS = (5, 10, 20, 40)
"""Vehicles slower than free flow (UXsim's ``num_vehicles_queue``) at which a link counts as queueing."""
SAMPLE_S = 5.0
"""Sampling interval of the slow-vehicle counts, s (twin's step; UXsim is advanced by this much between reads)."""
QUEUE_GRID_VEH = (5, 10, 20, 40)
QUEUE_GRID_S = (0, 60, 300)
REFERENCE = "UXsim 1.15.1 C++ deltan 1"
"""The engine the ratios and the acceptance refer to (UXsim closest to its continuum limit)."""


def _queue_measures(cum_in: np.ndarray, cum_out: np.ndarray, free_time_s: np.ndarray, dt_s: float) -> dict:
    """Links that queue (:mod:`twin.traffic.dynamic_queues`) at the definition's thresholds and on a grid of them."""
    from twin.traffic.dynamic_queues import QUEUE_MIN_DURATION_S, QUEUE_MIN_VEH, queueing_links, vertical_queue_veh

    q = vertical_queue_veh(cum_in, cum_out, free_time_s, dt_s)
    grid = {f"{n}/{t}": int(queueing_links(q, dt_s, n, t).sum()) for n in QUEUE_GRID_VEH for t in QUEUE_GRID_S}
    return {
        "queued_links": int(queueing_links(q, dt_s, QUEUE_MIN_VEH, QUEUE_MIN_DURATION_S).sum()),
        "queue_grid": grid,
        "delay_on_links_veh_h": float(np.trapezoid(q, dx=dt_s, axis=1).sum() / 3600.0),
    }


def _queued_links(veh_on_link: np.ndarray, length_m: np.ndarray, k_crit_veh_m: np.ndarray) -> int:
    """Links whose vehicles / length exceed the critical density at some sample (rows: links)."""
    return int((veh_on_link.max(axis=1) / length_m > QUEUE_MARGIN * k_crit_veh_m).sum())


def _slow_links(slow_veh: np.ndarray | None) -> dict[str, float]:
    """Links whose slow-vehicle count reaches each of :data:`SLOW_THRESHOLDS` at some sample (rows: links); nan when not sampled."""
    if slow_veh is None:
        return {str(thr): float("nan") for thr in SLOW_THRESHOLDS}
    peak = slow_veh.max(axis=1)
    return {str(thr): int((peak >= thr - 1e-9).sum()) for thr in SLOW_THRESHOLDS}


def _mean_trip_arrived_s(res, demand) -> float:
    """Mean trip of the arrived vehicles: exact when all arrived, else FIFO per destination (estimate)."""
    tot = res.totals()
    if np.isfinite(tot["mean_trip_time_s"]):
        return float(tot["mean_trip_time_s"])
    dem = res.demand
    t = res.times_s
    area = 0.0
    for d in range(res.cum_arr.shape[0]):
        rows = dem.od_dest == d
        gen = np.zeros_like(t)
        for t0, t1, rate in zip(dem.t0_s[rows], dem.t1_s[rows], dem.rate_veh_s[rows]):
            gen += rate * np.clip(np.minimum(t, t1) - t0, 0.0, None)
        arr_end = res.cum_arr[d, -1]
        gap = np.minimum(gen, arr_end) - res.cum_arr[d]
        area += float(np.sum(0.5 * (gap[1:] + gap[:-1])) * res.dt_s)
    arrived = float(res.cum_arr[:, -1].sum())
    return area / arrived if arrived > 0 else float("nan")


def run_twin(scale: float, seed: int, duo_interval_s: float | None = None, supply_choice: bool = True, duo_time: str = "instantaneous") -> dict:
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
    res = simulate(net, demand, dynamics=dyn, duo_noise=float(st["duo_noise"]), seed=seed, duo_supply_choice=supply_choice, duo_time=duo_time, **opts)
    wall = time.perf_counter() - t0
    tot = res.totals()
    k_crit = dyn.capacity_veh_s / dyn.free_speed_m_s
    name = "twin" if duo_interval_s is None else f"twin DUO every {duo_interval_s:g} s"
    if not supply_choice:
        name += " strict FIFO"
    if duo_time != "instantaneous":
        name += f" {duo_time} link times"
    return {
        "engine": name,
        "scale": scale,
        "seed": seed,
        "mean_trip_time_s": _mean_trip_arrived_s(res, demand),
        "mean_trip_exact": bool(np.isfinite(tot["mean_trip_time_s"])),
        "arrived_share": float(tot["arrived_veh"] / tot["generated_veh"]),
        "generated_veh": float(tot["generated_veh"]),
        "above_kc_links": _queued_links(res.cum_in - res.cum_out, dyn.length_m, k_crit),
        "slow_links": _slow_links(res.congested_veh()),
        "links_per_trip": float(res.cum_in[:, -1].sum() / tot["generated_veh"]),
        **_queue_measures(res.cum_in, res.cum_out, dyn.free_time_s, res.dt_s),
        "wall_s": wall,
    }


def build_uxsim_world(grid: Path, *, scale: float, seed: int, deltan: int):
    """The grid11 scenario (``grid``: its folder) as a UXsim C++ world, demand times ``scale``, not yet run."""
    import pandas as pd
    import uxsim

    nodes = pd.read_csv(grid / "nodes.csv")
    links = pd.read_csv(grid / "links.csv")
    demand = pd.read_csv(grid / "demand.csv")
    st = dict(pd.read_csv(grid / "scenario.csv")[["key", "value"]].values)
    w = uxsim.World(
        name="", deltan=deltan, reaction_time=float(st["reaction_time"]), tmax=float(st["tmax"]),
        duo_update_time=float(st["duo_update_time"]), duo_update_weight=float(st["duo_update_weight"]),
        duo_noise=float(st["duo_noise"]), random_seed=seed, print_mode=0, save_mode=0, show_mode=0, cpp=True,
        vehicle_logging_timestep_interval=-1,
    )  # fmt: skip
    add_grid(w, nodes, links, demand, scale)
    return w


def run_uxsim(scale: float, seed: int, deltan: int = 5, slow_vehicles: bool = False) -> dict:
    """One UXsim (C++ engine) run of grid11 with the demand times ``scale``."""
    import bench_traffic_dynamic as bd
    import pandas as pd
    import uxsim

    grid = bd.GRID
    links = pd.read_csv(grid / "links.csv")
    t0 = time.perf_counter()
    w = build_uxsim_world(grid, scale=scale, seed=seed, deltan=deltan)
    by_id = {str(lk.name): lk for lk in w.LINKS}
    in_order = [by_id[str(i)] for i in links["link_id"]]
    slow = []
    if slow_vehicles:
        while w.check_simulation_ongoing():
            w.exec_simulation(duration_t2=SAMPLE_S)  # SAMPLE_S / deltat steps, then read every link
            slow.append([lk.num_vehicles_queue for lk in in_order])
    else:
        w.exec_simulation()
    wall = time.perf_counter() - t0
    a = w.analyzer
    a.basic_analysis()
    cin = np.array([np.asarray(by_id[str(i)].cum_arrival, float) for i in links["link_id"]])
    cout = np.array([np.asarray(by_id[str(i)].cum_departure, float) for i in links["link_id"]])
    veh = cin - cout
    k_crit = (links["capacity_veh_s"] / links["free_flow_speed_m_s"]).to_numpy()
    free_s = (links["length_m"] / links["free_flow_speed_m_s"]).to_numpy()
    return {
        "engine": f"UXsim {uxsim.__version__} C++ deltan {deltan}",
        "scale": scale,
        "seed": seed,
        "mean_trip_time_s": float(a.average_travel_time),
        "mean_trip_exact": True,
        "arrived_share": float(a.trip_completed / a.trip_all) if a.trip_all else float("nan"),
        "generated_veh": float(a.trip_all),
        "above_kc_links": _queued_links(veh, links["length_m"].to_numpy(), k_crit),
        "slow_links": _slow_links(np.array(slow, dtype=float).T if slow_vehicles else None),
        "links_per_trip": float(cin[:, -1].sum() / a.trip_all) if a.trip_all else float("nan"),
        **_queue_measures(cin, cout, free_s, float(w.DELTAT)),
        "wall_s": wall,
    }


def _uxsim_in_child(scale: float, seed: int, deltan: int, slow_vehicles: bool = False) -> dict:
    """:func:`run_uxsim` in a fresh process (a UXsim world keeps its memory, ~6 GB at deltan 1)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(run_uxsim, scale, seed, deltan, slow_vehicles).result()


def _mean(rows: list[dict], key: str) -> float:
    return float(np.mean([r[key] for r in rows])) if rows else float("nan")


def summarize(runs: list[dict], scales: list[float]) -> list[dict]:
    """Means over seeds per engine and scale, and the ratios of twin (default settings) to each UXsim."""
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
                "mean_trip_exact": all(r["mean_trip_exact"] for r in rs),
                "queued_links": _mean(rs, "queued_links"),
                "queued_links_range": [min(r["queued_links"] for r in rs), max(r["queued_links"] for r in rs)],
                "queue_grid": {k: float(np.mean([r["queue_grid"][k] for r in rs])) for k in rs[0]["queue_grid"]},
                "delay_on_links_veh_h": _mean(rs, "delay_on_links_veh_h"),
                "links_per_trip": _mean(rs, "links_per_trip"),
                "above_kc_links": _mean(rs, "above_kc_links"),
                "slow_links": {k: float(np.mean([r["slow_links"][k] for r in rs])) for k in rs[0]["slow_links"]},
                "arrived_share": _mean(rs, "arrived_share"),
                "seeds": len(rs),
            }
        row["ratios_twin_over"] = {}
        for name, tw in row["engines"].items():
            if not name.startswith("twin"):
                continue
            for eng, e in row["engines"].items():
                if not eng.startswith("UXsim"):
                    continue
                row["ratios_twin_over"].setdefault(name, {})[eng] = {
                    "mean_trip_time": tw["mean_trip_time_s"] / e["mean_trip_time_s"],
                    "queued_links": tw["queued_links"] / e["queued_links"] if e["queued_links"] else float("nan"),
                    "queue_grid": {k: (tw["queue_grid"][k] / v if v else float("nan")) for k, v in e["queue_grid"].items()},
                    "above_kc_links": tw["above_kc_links"] / e["above_kc_links"] if e["above_kc_links"] else float("nan"),
                    "slow_links": {k: (tw["slow_links"][k] / v if v else float("nan")) for k, v in e["slow_links"].items()},
                    "arrived_share": tw["arrived_share"] / e["arrived_share"],
                }
        summary.append(row)
    return summary


def _print_run(r: dict) -> None:
    print(f"{r['engine']:40s} x{r['scale']:<4g} seed {r['seed']}: mean trip {r['mean_trip_time_s']:7.1f} s{'' if r['mean_trip_exact'] else ' (est.)'}, "
          f"arrived {100 * r['arrived_share']:6.2f} %, links that queue {r['queued_links']:3d}, links/trip {r['links_per_trip']:.2f}, "
          f"wall {r['wall_s']:.1f} s", flush=True)  # fmt: skip


PEER_FILE = REPO / "tests" / "traffic_data" / "traffic_dynamic_grid11_uxsim_p15.json"


def write_peer(figures: Path, path: Path = PEER_FILE) -> dict:
    """The reference UXsim runs of an output of this script, as the peer file of tests/test_traffic_dynamic_grid11_uxsim.py."""
    data = json.loads(Path(figures).read_text())
    ref = data["reference"]
    runs = [
        {k: r[k] for k in ("scale", "seed", "mean_trip_time_s", "arrived_share", "queued_links", "queue_grid", "links_per_trip")}
        for r in data["runs"]
        if r["engine"] == ref
    ]
    means = {}
    for row in data["summary"]:
        e = row["engines"].get(ref)
        if e:
            means[f"x{row['scale']:g}"] = {k: e[k] for k in ("mean_trip_time_s", "arrived_share", "queued_links", "queue_grid", "seeds")}
    peer = {
        "what": f"PEER OUTPUT, not twin's: {ref} (MIT, https://github.com/toruseo/UXsim) on the grid11 scenario (../shared/data/traffic/grid11), "
        "recorded for tests/test_traffic_dynamic_grid11_uxsim.py",
        "peer": "UXsim",
        "peer_version": ref.split()[1],
        "engine": "C++ (World(cpp=True)), deltan 1 (reference: closest to the continuum limit), reaction_time 1 s, duo_update_time 600 s, "
        "duo_update_weight 0.5, duo_noise 0.01, vehicle logs off",
        "command": data["command"] + f"  (then: python benchmarks/bench_traffic_grid11_uxsim.py --write-peer {figures})",
        "queue_definition": data["queue_definition"],
        "load_average": [data["load_average_before"][0], data["load_average_after"][0]],
        "mean_over_seeds": means,
        "runs": runs,
    }
    Path(path).write_text(json.dumps(peer, indent=1) + "\n")
    print(f"wrote {path} ({len(runs)} runs of {ref})")
    return peer


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--scales", default="1,1.5,2")
    ap.add_argument("--deltan", default="1,5", help="UXsim platoon sizes at every scale (1: the reference; 5: the scenario file)")
    ap.add_argument("--deltan-first-scale", default="2", help="UXsim platoon sizes run at the first scale only (discretisation study)")
    ap.add_argument("--twin-intervals", default="", help="extra twin runs with these DUO update intervals, s ('' none)")
    ap.add_argument("--strict", action="store_true", help="also run twin with duo_supply_choice=False")
    ap.add_argument("--no-experienced", action="store_true", help="skip the twin runs with duo_time='experienced'")
    ap.add_argument("--discharge", action="store_true", help="also run twin with duo_time='discharge' (queue over the link's recent outflow)")
    ap.add_argument("--no-uxsim", action="store_true")
    ap.add_argument("--slow-vehicles", action="store_true", help="also read UXsim's slow-vehicle counts every 5 s (several times slower)")
    ap.add_argument("--uxsim-runs", default="", help="reuse the UXsim runs of an earlier output JSON of this script (same settings) instead of running UXsim")
    ap.add_argument("--output", default=str(OUT))
    ap.add_argument("--write-peer", default="", help="only write the test peer file from this earlier output JSON (no runs)")
    args = ap.parse_args(argv)
    if args.write_peer:
        return write_peer(Path(args.write_peer))
    scales = [float(s) for s in args.scales.split(",")]
    deltans = [int(s) for s in args.deltan.split(",") if s]
    deltans_first = [int(s) for s in args.deltan_first_scale.split(",") if s]
    intervals = [float(s) for s in args.twin_intervals.split(",") if s]
    try:
        import uxsim  # noqa: F401

        have_uxsim = not args.no_uxsim
    except ImportError:
        print("UXsim not importable (pip install uxsim==1.15.1, or its folder on PYTHONPATH): twin only")
        have_uxsim = False
    reused = []
    if args.uxsim_runs:
        earlier = json.loads(Path(args.uxsim_runs).read_text())
        reused = [r for r in earlier["runs"] if r["engine"].startswith("UXsim")]
        have_uxsim = False
        print(f"UXsim runs reused from {args.uxsim_runs} ({len(reused)} runs, recorded by: {earlier.get('command', '?')})")
    load_before = os.getloadavg()
    cpu_before = os.times()
    runs = []
    for scale in scales:
        for seed in range(args.seeds):
            new = [run_twin(scale, seed)] + [run_twin(scale, seed, iv) for iv in intervals]
            if not args.no_experienced:
                new.append(run_twin(scale, seed, duo_time="experienced"))
            if args.discharge:
                new.append(run_twin(scale, seed, duo_time="discharge"))
            if args.strict:
                new.append(run_twin(scale, seed, supply_choice=False))
            new += [r for r in reused if r["scale"] == scale and r["seed"] == seed]
            if have_uxsim:
                new += [_uxsim_in_child(scale, seed, dn, args.slow_vehicles) for dn in deltans + (deltans_first if scale == scales[0] else [])]
            runs += new
            for r in new:
                _print_run(r)
    summary = summarize(runs, scales)
    print("\nmeans over seeds: scale | engine | mean trip of arrived (s) | arrived (%) | links that queue (>= 10 veh for >= 60 s) | links/trip "
          "| delay on links (veh-h) | links above k_c | links with >= 5/10/20/40 slow vehicles")
    for row in summary:
        for eng, e in row["engines"].items():
            slow = " / ".join(f"{v:.1f}" for v in e["slow_links"].values())
            print(f"{row['scale']:4g} | {eng:40s} | {e['mean_trip_time_s']:7.1f}{'' if e['mean_trip_exact'] else ' (est.)'} | "
                  f"{100 * e['arrived_share']:6.2f} | {e['queued_links']:6.1f} | {e['links_per_trip']:.2f} | {e['delay_on_links_veh_h']:8.0f} | "
                  f"{e['above_kc_links']:6.1f} | {slow}")  # fmt: skip
        for name, by in row["ratios_twin_over"].items():
            for eng, q in by.items():
                print(f"{row['scale']:4g} | {name} / {eng}: mean trip {q['mean_trip_time']:.3f}, links that queue {q['queued_links']:.3f}, "
                      f"arrived {q['arrived_share']:.3f}")  # fmt: skip
    cpu_after = os.times()
    from twin.traffic.dynamic_queues import QUEUE_MIN_DURATION_S, QUEUE_MIN_VEH

    out = {
        "case": "grid11 (../shared/data/traffic/grid11), demand x scale",
        "reference": REFERENCE,
        "queue_definition": f"links whose vertical queue N_in(t - L/v_f) - N_out(t) (twin.traffic.dynamic_queues) stays >= {QUEUE_MIN_VEH:g} vehicles "
        f"for >= {QUEUE_MIN_DURATION_S:g} s; queue_grid: 'vehicles/seconds' thresholds",
        "above_kc_definition": "max over steps of (N_in - N_out) / L > 1.0001 * capacity / free speed",
        "slow_links_definition": f"links whose vehicles slower than free flow (UXsim Link.num_vehicles_queue; twin DynamicResult.congested_veh), "
        f"read every {SAMPLE_S:g} s, reach the threshold (keys) at some time",
        "mean_trip_definition": "mean trip time of the vehicles that arrived (twin: exact when all arrived, else FIFO per destination, mean_trip_exact false)",
        "seeds": args.seeds,
        "summary": summary,
        "runs": runs,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "cpu_s_this_process": (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system),
        "cpu_s_children": (cpu_after.children_user - cpu_before.children_user) + (cpu_after.children_system - cpu_before.children_system),
        "python": platform.python_version(),
        "command": "python benchmarks/bench_traffic_grid11_uxsim.py " + " ".join(argv or sys.argv[1:]),
        "uxsim_runs_reused_from": args.uxsim_runs or None,
    }
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(out, indent=1))
    print(f"wrote {args.output}; load average {load_before[0]:.1f} -> {out['load_average_after'][0]:.1f}")
    return out


if __name__ == "__main__":
    main()
