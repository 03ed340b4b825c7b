"""Static assignment against the TNTP best-known Beckmann objectives: Algorithm B on SiouxFalls to relative gap
1e-10 and on ChicagoSketch to 1e-8 (the cases of tests/test_traffic_assign.py), the objective's relative
difference from the best-known value, the final gap, iterations and CPU time.

Writes ``benchmarks/figures/traffic_best_known.json`` (with load before/after, date, commit, versions), from
which ``scripts/update_figures.py`` writes the README's static-assignment row.

Usage::

    .venv/bin/python benchmarks/traffic_best_known.py
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine_load import run_stamp  # noqa: E402 - benchmarks/machine_load.py

FIGURES = REPO / "benchmarks" / "figures" / "traffic_best_known.json"
CASES = (("SiouxFalls", 1e-10, 1000), ("ChicagoSketch", 1e-8, 500))
"""(network, relative gap, iteration limit): tests/test_traffic_assign.py's best-known cases."""


def main() -> dict:
    from tests.test_traffic_assign import CHICAGO_BEST, SIOUXFALLS_BEST
    from tests.traffic_helpers import tntp_case
    from twin.traffic.assign import assign

    best = {"SiouxFalls": SIOUXFALLS_BEST, "ChicagoSketch": CHICAGO_BEST}
    out: dict = {**run_stamp(),
                 "command": "python benchmarks/traffic_best_known.py", "algorithm": "b", "cases": {}}
    net, dem = tntp_case("SiouxFalls")
    assign(net, dem, algorithm="b", gap=1e-4, max_iter=50)  # warm-up: compilation
    for name, gap, max_iter in CASES:
        net, dem = tntp_case(name)
        c0 = time.process_time()
        res = assign(net, dem, algorithm="b", gap=gap, max_iter=max_iter)
        cpu = time.process_time() - c0
        out["cases"][name] = {"target_gap": gap, "converged": bool(res.converged), "relative_gap": float(res.relative_gap),
                              "iterations": int(res.history[-1].iteration), "beckmann": float(res.beckmann), "best_known": best[name],
                              "rel_diff_best_known": abs(float(res.beckmann) - best[name]) / best[name], "cpu_s": cpu}
        print(name, out["cases"][name], flush=True)
    out["load_after"] = list(os.getloadavg())
    FIGURES.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {FIGURES.relative_to(REPO)}; load {out['load_before'][0]:.1f} -> {out['load_after'][0]:.1f}")
    return out


if __name__ == "__main__":
    main()
