"""grid11, twin vs UXsim: how much of the difference comes from ties in route choice (issue 15, item 4).

Run:  python benchmarks/bench_traffic_grid11_ties.py            (twin only)
      PYTHONPATH=<folder with uxsim> python benchmarks/bench_traffic_grid11_ties.py   (UXsim too)
      (merges the twin rows into benchmarks/figures/traffic_grid11_ties.json, then
      ``python scripts/update_figures.py``; ``--output FILE`` elsewhere)

Every grid11 link is 1 km at 20 m/s, so many routes of every OD pair tie exactly. twin's DUO
splits a destination's flow equally over tied next links (``tie_rtol`` 1e-9 in
``kernels/dnl_ltm._duo_splits``), which spreads the demand over the grid (largest link inflow
0.43 veh/s, capacity 0.8: no queue, every trip at free flow, 681.8 s). UXsim's homogeneous DUO
sends all vehicles of a destination at a node to one next link per update (ties broken by its
``duo_noise``), which concentrates flows on trees and queues. Breaking twin's ties with a tiny
perturbation of the free speeds (x (1 + eps U(-1, 1)), seed 0) shows the effect; UXsim is run at
``deltan`` 5 (the scenario), 2 and 1 to separate its platoon discretisation.

twin now breaks ties itself (``simulate(duo_noise=0.01)``, the default); this script keeps
``duo_noise=0`` (equal split of exactly tied routes), ``duo_supply_choice=False`` (the plain
splitting rates) and ``duo_time="experienced"`` (the route-choice link time then), as then, to
reproduce the investigation; the side by side with the fixes is
``bench_traffic_grid11_uxsim.py``. One more row runs ``duo_noise=0`` with every other option at
today's default (the option as docs/traffic.md describes it). Every twin row also has the total
delay and the largest one-step link inflow over the link's capacity; the figures file has the
date, :func:`machine_load.commit_stamp` and the load before and after.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from machine_load import measurement_stamp  # noqa: E402 - benchmarks/ is on the path only from here

OUT = REPO / "benchmarks" / "figures" / "traffic_grid11_ties.json"
DEFAULTS_ROW = "twin LTM, duo_noise 0, other options default"
"""The row of ``duo_noise=0`` with today's defaults otherwise (stop-line choice, experienced times)."""


def twin_rows(eps_values=(0.0, 0.001, 0.01)) -> list[dict]:
    import bench_traffic_dynamic as bd

    from twin.traffic.dynamic import simulate

    net, dyn, demand, opts = bd.grid11_case()
    runs = [(f"twin LTM, free speeds x (1 + {eps:g} U)", eps, {"duo_supply_choice": False, "duo_time": "experienced"}) for eps in eps_values]
    runs.append((DEFAULTS_ROW, 0.0, {}))
    rows = []
    for name, eps, extra in runs:
        rng = np.random.default_rng(0)
        d2 = dataclasses.replace(dyn, free_speed_m_s=dyn.free_speed_m_s * (1 + eps * rng.uniform(-1, 1, dyn.n_links)))
        t0 = time.perf_counter()
        # the old equal tie split; as investigated, the plain splitting rates (no stop-line choice) and experienced link times
        r = simulate(net, demand, dynamics=d2, duo_noise=0.0, **extra, **opts)
        wall = time.perf_counter() - t0
        tot = r.totals()
        veh = r.cum_in - r.cum_out
        k_crit = d2.capacity_veh_s / d2.free_speed_m_s
        inflow = np.diff(r.cum_in, axis=1).max(axis=1) / r.dt_s
        rows.append({
            "engine": name,
            "mean_trip_time_s": float(tot["mean_trip_time_s"]),
            "total_delay_veh_h": float(tot["total_delay_veh_h"]),
            "vehicle_km": float(tot["vehicle_km"]),
            "links_above_critical_density": int((veh.max(axis=1) / d2.length_m > k_crit * 1.0001).sum()),
            "max_inflow_over_capacity": float((inflow / d2.capacity_veh_s).max()),
            "wall_s": wall,
        })  # fmt: skip
    return rows


def uxsim_rows(deltans=(5, 2, 1)) -> list[dict]:
    try:
        import uxsim  # noqa: F401
    except ImportError:
        print("UXsim not installed: twin only")
        return []
    import bench_traffic_dynamic as bd

    rows = []
    for dn in deltans:
        r = bd.run_uxsim_grid11(cpp=True, deltan=dn)
        rows.append({"engine": r["engine"], "mean_trip_time_s": float(r["mean_trip_time_s"]), "vehicle_km": float("nan"),
                     "links_above_critical_density": -1, "wall_s": r["wall_s"]})  # fmt: skip
    return rows


def merge(path: Path, rows: list[dict[str, Any]], facts: dict[str, Any]) -> dict[str, Any]:
    """Write the twin rows and their provenance to the figures file ``path`` (replacing its rows); returns its content.

    Parameters
    ----------
    path : Path
        The figures file (created if missing).
    rows : list of dict
        :func:`twin_rows`.
    facts : dict
        Date, commit, loads before and after, command.

    Returns
    -------
    dict
        ``facts``, ``case`` (what was run) and ``rows``: engine -> its figures.
    """
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data.update(facts)
    data["case"] = ("grid11 (benchmarks/bench_traffic_dynamic.py grid11_case: 1 km links at 20 m/s, DUO every 600 s), duo_noise 0; "
                    "max_inflow_over_capacity: largest one-step link inflow over the link's capacity")  # fmt: skip
    data["rows"] = {r["engine"]: {k: v for k, v in r.items() if k != "engine"} for r in rows}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return data


def main(argv: list[str] | None = None) -> None:
    """Print the twin rows (and UXsim's when importable) and merge the twin rows into ``--output``."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--output", type=Path, default=OUT, help="figures file (default benchmarks/figures/traffic_grid11_ties.json)")
    args = ap.parse_args(argv)
    facts = {**measurement_stamp(load=True),
             "command": "python benchmarks/bench_traffic_grid11_ties.py"}  # fmt: skip
    twin = twin_rows()
    merge(args.output, twin, {**facts, "load_1min_after": os.getloadavg()[0]})
    for row in twin + uxsim_rows():
        print(f"{row['engine']:45s} mean trip {row['mean_trip_time_s']:7.1f} s  vehicle-km {row['vehicle_km']:9.0f}  "
              f"links above critical density {row['links_above_critical_density']:4d}  wall {row['wall_s']:.1f} s")  # fmt: skip

if __name__ == "__main__":
    main()
