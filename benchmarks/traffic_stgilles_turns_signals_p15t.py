"""Turns and signals in dynamic loading on the Saint-Gilles case (issue 15 build 1, p15t).

Run:  python benchmarks/traffic_stgilles_turns_signals_p15t.py [VEHICLES ...] [--output FILE]
      (default 2000 and 3000 vehicles in the hour; writes benchmarks/figures/traffic_stgilles_turns_signals_p15t.txt)

The ``benchmarks/bench_traffic_dynamic.py`` Saint-Gilles set-up (edge origins to edge
destinations, 1 s steps, 2 h, DUO every 300 s, experienced link times) run five ways: as it is;
with every turn allowed at no cost but routes chosen per in-link (the turn-aware path with
nothing to do: its cost in time, and its flows against the per-node routes); U-turns banned;
U-turns banned plus the default angle penalties (left 10 s, right 5 s,
:data:`twin.traffic.turns.DEFAULT_TURN_PENALTIES_S`); the 12 OSM 2013 signals
(``data_samples/stgilles_signals_osm2013.geojson``, :func:`twin.traffic.signals.mark_signals`,
default timing: g = 0.456, s = 1,900 veh/h/lane). For each: vehicles arrived, mean trip time,
total delay, wall time (one run after a warm-up) and the load average.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

OUT = REPO / "benchmarks" / "figures" / "traffic_stgilles_turns_signals_p15t.txt"
SIGNALS = REPO / "data_samples" / "stgilles_signals_osm2013.geojson"


def main(argv: list[str] | None = None) -> str:
    import bench_traffic_dynamic as bd

    from twin.ingest.dispatch import ingest
    from twin.traffic.dynamic import simulate
    from twin.traffic.network import Network
    from twin.traffic.signals import mark_signals, read_osm_signals, signalised_nodes
    from twin.traffic.turns import angle_penalties

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("vehicles", nargs="*", type=float, default=[2000.0, 3000.0])
    ap.add_argument("--output", default=str(OUT))
    args = ap.parse_args(argv)
    scene, _ = ingest([bd.STGILLES_STREETS], crs="EPSG:31370")
    match = mark_signals(scene, read_osm_signals(SIGNALS))
    signalised = signalised_nodes(Network.from_scene(scene, mode="car"))
    net, dyn, demand, opts = bd.stgilles_case(args.vehicles[0])
    pts = scene.nodes.set_index("node_id").geometry.reindex(net.node_ids)
    angles = angle_penalties(net, pts.x.to_numpy(), pts.y.to_numpy(), seconds_per_unit=1.0)
    angles = {k: v for k, v in angles.items() if net.to_node[k[1]] != net.from_node[k[0]]}  # U-turns: banned below
    runs = {
        "as it is": {},
        "per in-link, nothing banned": {"u_turn_penalty_s": 0.0},
        "U-turns banned": {"u_turn_penalty_s": np.inf},
        "U-turns banned + angle penalties": {"u_turn_penalty_s": np.inf, "turn_penalty_s": angles},
        "signals (12 OSM nodes)": {"signals": signalised},
    }
    lines = [
        f"Saint-Gilles, 2 h, 1 s steps, DUO every {opts['duo_interval_s']:g} s, experienced times; {net.n_links} car links; "
        f"signals: {match.n_signalised_nodes} nodes flagged ({match.at_node} at a node, {match.snapped} moved); {len(angles)} penalised turns",
    ]
    simulate(net, demand, dynamics=dyn, u_turn_penalty_s=0.0, signals=signalised, **opts)  # warm-up: compilation
    for vehicles in args.vehicles:
        net, dyn, demand, opts = bd.stgilles_case(vehicles)
        lines.append(f"{vehicles:g} vehicles in the hour")
        base = None
        for name, extra in runs.items():
            load = os.getloadavg()[0]
            t0 = time.perf_counter()
            res = simulate(net, demand, dynamics=dyn, **extra, **opts)
            wall = time.perf_counter() - t0
            tot = res.totals()
            if base is None:
                base = res
            diff = float(np.abs(res.cum_in - base.cum_in).max())
            lines.append(
                f"  {name:34s} arrived {tot['arrived_veh']:7.1f} / {tot['generated_veh']:.0f}  mean trip {tot['mean_trip_time_s']:7.1f} s  "
                f"delay {tot['total_delay_veh_h']:6.2f} veh h  max |cum_in - as it is| {diff:8.3g} veh  "
                f"banned {res.meta['banned_turns']:4d}  penalised {res.meta['penalised_turns']:4d}  approaches {res.meta['signal_approaches']:3d}  "
                f"wall {wall:6.2f} s (load {load:.2f})"
            )
            print(lines[-1], flush=True)
    text = "\n".join(lines) + "\n"
    Path(args.output).write_text(text)
    return text


if __name__ == "__main__":
    main()
