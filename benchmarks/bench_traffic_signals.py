"""Benchmark: what signals cost a static assignment on ChicagoSketch.

Run:  pytest benchmarks/bench_traffic_signals.py -s   (or python benchmarks/bench_traffic_signals.py)

Algorithm B to relative gap 1e-8 and BFW to 1e-4 on ChicagoSketch (TNTP, times in minutes),
without signals and with 100 signalised nodes (the first 100 non-zone nodes with 4 or more
in-links, default timing of :class:`twin.traffic.signals.SignalTiming`). Prints process CPU
times, iterations, gaps and the with/without ratios; compilation is excluded (warm-up run).
No timing is asserted.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.conftest import shared_path  # noqa: E402
from twin.traffic.assign import assign  # noqa: E402
from twin.traffic.signals import add_signals  # noqa: E402
from twin.traffic.tntp import read_network, read_trips  # noqa: E402

N_SIGNALS = 100


def run() -> dict[str, float]:
    """CPU seconds, iterations and final gaps, without and with signals."""
    folder = shared_path("traffic", "tntp", "ChicagoSketch")
    net = read_network(folder / "ChicagoSketch_net.tntp")
    dem = read_trips(folder / "ChicagoSketch_trips.tntp", n_zones=net.n_zones)
    indeg = np.diff(net.in_start)
    nodes = [net.node_ids[v] for v in range(net.n_zones, net.n_nodes) if indeg[v] >= 4][:N_SIGNALS]
    sig = add_signals(net, nodes, time_unit="min")
    out: dict[str, float] = {"signalised_nodes": len(nodes), "stop_line_links": int((sig.approach_of >= 0).sum())}
    for label, network in (("plain", net), ("signals", sig.network)):
        assign(network, dem, algorithm="b", gap=1e-3)  # warm-up: compile
        for algo, gap in (("b", 1e-8), ("bfw", 1e-4)):
            start = time.process_time()
            res = assign(network, dem, algorithm=algo, gap=gap)
            out[f"{label}_{algo}_cpu_s"] = time.process_time() - start
            out[f"{label}_{algo}_iterations"] = len(res.history)
            out[f"{label}_{algo}_gap"] = res.history[-1].relative_gap
    for algo in ("b", "bfw"):
        out[f"ratio_{algo}"] = out[f"signals_{algo}_cpu_s"] / out[f"plain_{algo}_cpu_s"]
    return out


def test_chicago_signals_cost() -> None:
    out = run()
    for key, value in out.items():
        print(f"{key:28s} {value:.4g}")
    assert out["signals_b_gap"] <= 1e-8 and out["plain_b_gap"] <= 1e-8


if __name__ == "__main__":
    test_chicago_signals_cost()
