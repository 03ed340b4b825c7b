"""Turns and signals in dynamic loading on the Saint-Gilles case (issue 15 build 1, p15t).

Run:  python benchmarks/traffic_stgilles_turns_signals_p15t.py [VEHICLES ...] [--output FILE]
      (default 2000 and 3000 vehicles in the hour; merges into
      benchmarks/figures/traffic_stgilles_turns_signals.json, then ``python scripts/update_figures.py``)

The ``benchmarks/bench_traffic_dynamic.py`` Saint-Gilles set-up (edge origins to edge
destinations, 1 s steps, 2 h, DUO every 300 s, experienced link times, seed 0) run five ways: as
it is; with every turn allowed at no cost but routes chosen per in-link (the turn-aware path with
nothing to do: its cost in time, and its flows against the per-node routes); U-turns banned;
U-turns banned plus the default angle penalties (left 10 s, right 5 s,
:data:`twin.traffic.turns.DEFAULT_TURN_PENALTIES_S`); the 12 OSM 2013 signals
(``data_samples/stgilles_signals_osm2013.geojson``, :func:`twin.traffic.signals.mark_signals`,
default timing: g = 0.456, s = 1,900 veh/h/lane). For each: vehicles arrived, mean trip time,
total delay, the largest difference of the cumulative inflows against the run as it is, the
banned / penalised turns and signal approaches, wall time (one run after a warm-up) and the load
average. Each vehicle count's entry carries the date, :func:`machine_load.commit_stamp` and the
load before and after.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from figures_file import merge_case  # noqa: E402 - benchmarks/ is on the path only from here
from machine_load import measurement_stamp  # noqa: E402

OUT = REPO / "benchmarks" / "figures" / "traffic_stgilles_turns_signals.json"
SIGNALS = REPO / "data_samples" / "stgilles_signals_osm2013.geojson"
COMMAND = "nice -n 10 python benchmarks/traffic_stgilles_turns_signals_p15t.py"


def merge(path: Path, vehicles: float, runs: dict[str, dict[str, Any]], facts: dict[str, Any]) -> dict[str, Any]:
    """Merge the runs of ``vehicles`` into the figures file ``path`` and write it; returns its content.

    Parameters
    ----------
    path : Path
        The figures file (created if missing).
    vehicles : float
        Vehicles in the hour (the entry's key, ``f"{vehicles:g}"``).
    runs : dict
        Run name -> its figures (in the order run; the first is the network as it is).
    facts : dict
        Provenance and settings of the entry (date, commit, loads, DUO interval, links, signals
        matched, penalised turns, command).

    Returns
    -------
    dict
        ``cases``: ``"<vehicles>"`` -> ``facts``, ``vehicles``, ``order`` (run names) and ``runs``.
    """
    import bench_traffic_dynamic as bd

    return merge_case(path, f"{vehicles:g}", {**facts, "vehicles": float(vehicles), "order": list(runs), "runs": runs},
                      bd.STGILLES_CASE_TEXT + "DUO every 300 s, experienced link times, seed 0); max_cum_in_diff_veh: largest difference of the link "
                      "inflow curves against the run as it is; wall_s: one run after a warm-up")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the five variants at each vehicle count and merge them into ``--output``; returns the file's content."""
    import bench_traffic_dynamic as bd

    from twin.ingest.dispatch import ingest
    from twin.traffic.dynamic import simulate
    from twin.traffic.network import Network
    from twin.traffic.signals import mark_signals, read_osm_signals, signalised_nodes
    from twin.traffic.turns import angle_penalties

    args = bd.stgilles_vehicle_args(argv, __doc__.splitlines()[0], OUT)
    scene, _ = ingest([bd.STGILLES_STREETS], crs="EPSG:31370")
    match = mark_signals(scene, read_osm_signals(SIGNALS))
    signalised = signalised_nodes(Network.from_scene(scene, mode="car"))
    net, dyn, demand, opts = bd.stgilles_case(args.vehicles[0])
    pts = scene.nodes.set_index("node_id").geometry.reindex(net.node_ids)
    angles = angle_penalties(net, pts.x.to_numpy(), pts.y.to_numpy(), seconds_per_unit=1.0)
    angles = {k: v for k, v in angles.items() if net.to_node[k[1]] != net.from_node[k[0]]}  # U-turns: banned below
    variants = {
        "as it is": {},
        "per in-link, nothing banned": {"u_turn_penalty_s": 0.0},
        "U-turns banned": {"u_turn_penalty_s": np.inf},
        "U-turns banned + angle penalties": {"u_turn_penalty_s": np.inf, "turn_penalty_s": angles},
        "signals (12 OSM nodes)": {"signals": signalised},
    }
    simulate(net, demand, dynamics=dyn, u_turn_penalty_s=0.0, signals=signalised, **opts)  # warm-up: compilation
    data: dict[str, Any] = {}
    for vehicles in args.vehicles:
        net, dyn, demand, opts = bd.stgilles_case(vehicles)
        facts = {**measurement_stamp(load=True),
                 "duo_interval_s": float(opts["duo_interval_s"]), "n_links": int(net.n_links), "signal_nodes": int(match.n_signalised_nodes),
                 "signals_at_node": int(match.at_node), "signals_moved": int(match.snapped), "angle_penalised_turns": len(angles),
                 "command": COMMAND}  # fmt: skip
        runs: dict[str, dict[str, Any]] = {}
        base = None
        for name, extra in variants.items():
            load = os.getloadavg()[0]
            t0 = time.perf_counter()
            res = simulate(net, demand, dynamics=dyn, **extra, **opts)
            wall = time.perf_counter() - t0
            tot = res.totals()
            base = res if base is None else base
            runs[name] = {"generated_veh": float(tot["generated_veh"]), "arrived_veh": float(tot["arrived_veh"]),
                          "mean_trip_time_s": float(tot["mean_trip_time_s"]), "total_delay_veh_h": float(tot["total_delay_veh_h"]),
                          "max_cum_in_diff_veh": float(np.abs(res.cum_in - base.cum_in).max()), "banned_turns": int(res.meta["banned_turns"]),
                          "penalised_turns": int(res.meta["penalised_turns"]), "signal_approaches": int(res.meta["signal_approaches"]),
                          "wall_s": wall, "load_1min": load}  # fmt: skip
            r = runs[name]
            print(f"{vehicles:g} veh  {name:34s} arrived {r['arrived_veh']:7.1f} / {r['generated_veh']:.0f}  mean trip {r['mean_trip_time_s']:7.1f} s  "
                  f"delay {r['total_delay_veh_h']:6.2f} veh h  max |cum_in - as it is| {r['max_cum_in_diff_veh']:8.3g} veh  "
                  f"banned {r['banned_turns']:4d}  penalised {r['penalised_turns']:4d}  approaches {r['signal_approaches']:3d}  "
                  f"wall {wall:6.2f} s (load {load:.2f})", flush=True)  # fmt: skip
        data = merge(args.output, vehicles, runs, {**facts, "load_1min_after": os.getloadavg()[0]})
    return data


if __name__ == "__main__":
    main()
