"""Dynamic network loading: vehicles and link-steps per second, side by side with UXsim.

Run:  pytest benchmarks/bench_traffic_dynamic.py --benchmark-only -s
      python benchmarks/bench_traffic_dynamic.py          (side-by-side table with ratios)
      python benchmarks/bench_traffic_dynamic.py --uxsim-python   (also UXsim's slow Python engine)

Cases
-----
* ``grid11``: the UXsim grid scenario of ``../shared/data/traffic/grid11`` (11 x 11 nodes, 440
  one-lane links of 1 km, 484 OD pairs, 38,720 vehicles in the first hour, 2 h simulated, step
  5 s, reactive DUO every 600 s with weight 0.5). UXsim (``pip install uxsim``, not a twin
  dependency) runs the same files in the same process when installed: C++ engine
  (``World(cpp=True)``), optionally its Python engine. UXsim moves platoons of 5 vehicles
  (``deltan``) with a random DUO noise; twin moves continuous flows (LTM), so compare
  throughput and orders of magnitude of the travel times, not the last digit.
* ``stgilles``: the Saint-Gilles street network (OSM 2013, 1 km^2) read by the lead's
  ``twin.ingest`` into a scene, car links (507 directed links; 26 shorter than one step at free
  speed are slowed to one step), 2,000 vehicles in one hour spread over all connected pairs of
  the 63 x 64 boundary nodes, 2 h at 1 s, DUO every 300 s.

Figures: ``vehicles_per_s`` = vehicles simulated / wall time; ``link_steps_per_s`` = links x
steps / wall time. Numba compilation is excluded (one warm-up run).

The script run (``main``) merges its table into ``benchmarks/figures/traffic_dynamic_bench.json``
(case ``side_by_side``: every row's figures, with the date, commit, cores, 1-minute load average
before and after, and the UXsim version or ``None`` when UXsim is not installed); UXsim's C++
engine runs with ``deltan`` 5 (the scenario's) and 1. ``python scripts/update_figures.py``
writes docs/traffic.md's table from it. A run with ``--no-stgilles`` prints and writes nothing
to the file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the repository, for tests.conftest
sys.path.insert(0, str(REPO / "benchmarks"))  # figures_file, machine_load

from figures_file import merge_case  # noqa: E402 - benchmarks/ is on the path only from here
from machine_load import commit_stamp  # noqa: E402
from uxsim_grid import add_grid  # noqa: E402 - benchmarks/uxsim_grid.py

OUT = REPO / "benchmarks" / "figures" / "traffic_dynamic_bench.json"
CASE_KEY = "side_by_side"
"""The entry of :data:`OUT` that ``main`` writes (every case of the table, one run)."""
COMMAND = "python benchmarks/bench_traffic_dynamic.py"
CASE = ("dynamic network loading, benchmarks/bench_traffic_dynamic.py main: grid11 (twin LTM best of 3 after a warm-up; UXsim C++ "
        "deltan 5 and 1, one run each, when installed) and Saint-Gilles (twin LTM, 2,000 vehicles); wall_s excludes compilation "
        "and UXsim's world building; load_before/after: 1-minute load averages")
UXSIM_DELTANS = (5, 1)
"""UXsim platoon sizes run by ``main``: the scenario's 5 and single vehicles."""

SHARED = REPO.parent / "shared" / "data"
GRID = SHARED / "traffic" / "grid11"
STGILLES_STREETS = SHARED / "brussels" / "stgilles_streets_osm2013.geojson"
STGILLES_BOX = (148000.0, 168000.0, 149000.0, 169000.0)  # EPSG:31370, SOURCE.md
#: The start of a figures file's ``case`` text for runs of :func:`stgilles_case` (each script adds
#: its settings and closes the parenthesis).
STGILLES_CASE_TEXT = "Saint-Gilles, benchmarks/bench_traffic_dynamic.py stgilles_case (edge origins to edge destinations, 1 s steps, 2 h, "


def stgilles_vehicle_args(argv: list[str] | None, description: str, output: Path) -> argparse.Namespace:
    """Command line of the Saint-Gilles figure scripts: ``vehicles`` (vehicle counts in the hour,
    default 2,000 and 3,000) and ``--output`` (the figures file, default ``output``)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("vehicles", nargs="*", type=float, default=[2000.0, 3000.0])
    ap.add_argument("--output", type=Path, default=output, help=f"figures file (default {output.relative_to(REPO)})")
    return ap.parse_args(argv)


# ------------------------------------------------------------------------------------------ cases
def grid11_case():
    """(network, dynamics, demand, options) of the grid11 scenario."""
    from twin.traffic.dynamic_scenario import read_scenario

    sc = read_scenario(GRID)
    options = {
        "dt_s": sc.dt_s,
        "duration_s": sc.duration_s,
        "route_choice": "duo",
        "duo_interval_s": float(sc.settings["duo_update_time"]),
        "duo_weight": float(sc.settings["duo_update_weight"]),
    }
    return sc.network, sc.dynamics, sc.demand, options


def stgilles_case(total_veh: float = 2000.0):
    """(network, dynamics, demand, options) of the Saint-Gilles car network (lead's reader)."""
    import pandas as pd

    from twin.ingest.dispatch import ingest
    from twin.kernels.access_paths import multi_source_dijkstra
    from twin.traffic.dynamic import LinkDynamics
    from twin.traffic.network import Network

    scene, _ = ingest([STGILLES_STREETS], crs="EPSG:31370")
    net = Network.from_scene(scene, mode="car")
    lanes = scene.links.set_index("link_id")["lanes"].reindex(net.link_ids).fillna(1).to_numpy(np.float64)
    dyn = LinkDynamics.from_network(net, lanes=np.maximum(lanes, 1.0))
    pts = scene.nodes.set_index("node_id").geometry.reindex(net.node_ids)
    x, y = pts.x.to_numpy(), pts.y.to_numpy()
    x0, y0, x1, y1 = STGILLES_BOX
    edge = (x < x0 + 30) | (x > x1 - 30) | (y < y0 + 30) | (y > y1 - 30)
    origins = np.flatnonzero(edge & (np.diff(net.out_start) > 0))
    dests = np.flatnonzero(edge & (np.diff(net.in_start) > 0))
    in_link = net.in_link.astype(np.int64)
    rev_head = net.from_node.astype(np.int64)[in_link]
    pairs = []
    dist = np.empty(net.n_nodes)
    for d in dests:
        multi_source_dijkstra(net.in_start.astype(np.int64), rev_head, in_link, dyn.free_time_s, np.array([d]), np.zeros(1), np.inf, dist)
        pairs += [(net.node_ids[o], net.node_ids[d]) for o in origins if o != d and np.isfinite(dist[o])]
    demand = pd.DataFrame(pairs, columns=["origin", "destination"])
    demand["t_start_s"] = 0.0
    demand["t_end_s"] = 3600.0
    demand["vehicles"] = total_veh / len(pairs)
    return net, dyn, demand, {"dt_s": 1.0, "duration_s": 7200.0, "route_choice": "duo", "duo_interval_s": 300.0}


def run_twin(case, repeat: int = 3) -> dict:
    """Best-of-``repeat`` wall time of twin's dynamic loading (after a warm-up) and its figures."""
    from twin.traffic.dynamic import simulate

    net, dyn, demand, options = case
    simulate(net, demand, dynamics=dyn, **options)  # warm-up: compilation / cache load
    best = np.inf
    result = None
    for _ in range(repeat):
        t = time.perf_counter()
        result = simulate(net, demand, dynamics=dyn, **options)
        best = min(best, time.perf_counter() - t)
    tot = result.totals()
    return {
        "engine": "twin LTM",
        "repeat": repeat,
        "wall_s": best,
        "dt_s": float(options["dt_s"]),
        "vehicles": tot["generated_veh"],
        "links": net.n_links,
        "steps": result.n_steps,
        "vehicles_per_s": tot["generated_veh"] / best,
        "link_steps_per_s": net.n_links * result.n_steps / best,
        "arrived": tot["arrived_veh"],
        "total_travel_time_veh_h": tot["total_travel_time_veh_h"],
        "mean_trip_time_s": tot["mean_trip_time_s"],
        "fifo_merges": result.meta["fifo_merges"],
    }


def run_uxsim_grid11(cpp: bool = True, deltan: int = 5) -> dict:
    """UXsim on the grid11 files, same process; time of ``exec_simulation`` (and of building the world)."""
    import pandas as pd
    import uxsim

    nodes = pd.read_csv(GRID / "nodes.csv")
    links = pd.read_csv(GRID / "links.csv")
    demand = pd.read_csv(GRID / "demand.csv")
    settings = dict(pd.read_csv(GRID / "scenario.csv")[["key", "value"]].values)
    t0 = time.perf_counter()
    w = uxsim.World(
        name="", deltan=deltan, reaction_time=float(settings["reaction_time"]), tmax=float(settings["tmax"]),
        duo_update_time=float(settings["duo_update_time"]), duo_update_weight=float(settings["duo_update_weight"]),
        duo_noise=float(settings["duo_noise"]), random_seed=int(float(settings["random_seed"])),
        print_mode=0, save_mode=0, show_mode=0, cpp=cpp,
    )  # fmt: skip
    add_grid(w, nodes, links, demand)
    t1 = time.perf_counter()
    w.exec_simulation()
    t2 = time.perf_counter()
    w.analyzer.basic_analysis()
    a = w.analyzer
    steps = int(round(float(settings["tmax"]) / (deltan * float(settings["reaction_time"]))))
    return {
        "engine": f"UXsim {'C++' if cpp else 'Python'} (deltan {deltan})",
        "deltan": deltan,
        "repeat": 1,
        "wall_s": t2 - t1,
        "build_s": t1 - t0,
        "vehicles": float(a.trip_all),
        "links": len(links),
        "steps": steps,
        "vehicles_per_s": a.trip_all / (t2 - t1),
        "link_steps_per_s": len(links) * steps / (t2 - t1),
        "arrived": float(a.trip_completed),
        "total_travel_time_veh_h": a.total_travel_time / 3600.0,
        "mean_trip_time_s": a.average_travel_time,
    }


# ------------------------------------------------------------------------------------------ pytest-benchmark
def _record(benchmark, figures: dict) -> None:
    for key, value in figures.items():
        benchmark.extra_info[key] = value if isinstance(value, str) else float(value)


def _bench(benchmark, case) -> dict:
    from twin.traffic.dynamic import simulate

    net, dyn, demand, options = case
    simulate(net, demand, dynamics=dyn, **options)  # warm-up
    result = benchmark.pedantic(lambda: simulate(net, demand, dynamics=dyn, **options), rounds=3, iterations=1)
    wall = benchmark.stats.stats.median
    tot = result.totals()
    figures = {
        "vehicles": tot["generated_veh"],
        "vehicles_per_s": tot["generated_veh"] / wall,
        "link_steps_per_s": net.n_links * result.n_steps / wall,
        "arrived": tot["arrived_veh"],
        "total_travel_time_veh_h": tot["total_travel_time_veh_h"],
        "mean_trip_time_s": tot["mean_trip_time_s"],
        "fifo_merges": result.meta["fifo_merges"],
    }
    _record(benchmark, figures)
    print(f"\n{net!r}: median {wall:.3f} s, {figures['vehicles_per_s']:.0f} veh/s, {figures['link_steps_per_s']:.3g} link-steps/s, "
          f"arrived {tot['arrived_veh']:.0f}/{tot['generated_veh']:.0f}, TTT {tot['total_travel_time_veh_h']:.0f} veh-h")  # fmt: skip
    return figures


def test_dnl_grid11(benchmark):
    from tests.conftest import shared_path

    shared_path("traffic", "grid11", "links.csv")
    figures = _bench(benchmark, grid11_case())
    assert figures["arrived"] == pytest.approx(figures["vehicles"], rel=1e-9)


def test_dnl_stgilles(benchmark):
    from tests.conftest import shared_path

    shared_path("brussels", "stgilles_streets_osm2013.geojson")
    figures = _bench(benchmark, stgilles_case())
    assert figures["arrived"] == pytest.approx(figures["vehicles"], rel=1e-6)


def test_uxsim_grid11_cpp(benchmark):
    pytest.importorskip("uxsim")
    from tests.conftest import shared_path

    shared_path("traffic", "grid11", "links.csv")
    figures = benchmark.pedantic(run_uxsim_grid11, kwargs={"cpp": True}, rounds=1, iterations=1)
    _record(benchmark, figures)
    assert figures["arrived"] == figures["vehicles"]


# ------------------------------------------------------------------------------------------ side by side
def uxsim_version() -> str | None:
    """The installed UXsim's version, ``None`` when it is not importable."""
    try:
        import uxsim
    except ImportError:
        return None
    return str(getattr(uxsim, "__version__", "unknown version"))


def side_by_side(*, uxsim_python: bool = False, stgilles: bool = True) -> list[tuple[str, dict]]:
    """(case, figures) rows: twin on grid11, UXsim C++ on grid11 at :data:`UXSIM_DELTANS` (and its Python engine) when installed, twin on Saint-Gilles."""
    rows = [("grid11", run_twin(grid11_case()))]
    if uxsim_version() is not None:
        rows += [("grid11", run_uxsim_grid11(cpp=True, deltan=n)) for n in UXSIM_DELTANS]
        if uxsim_python:
            rows.append(("grid11", run_uxsim_grid11(cpp=False)))
    else:
        print("UXsim not installed (pip install uxsim): twin only")
    if stgilles:
        rows.append(("stgilles", run_twin(stgilles_case())))
    return rows


def figures(rows: list[tuple[str, dict]], load_before: float, load_after: float, commit: str) -> dict[str, Any]:
    """The figures file's entry: the rows (each with its ``case``) and where they were measured."""
    return {"date": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC", "commit": commit, "cpus": os.cpu_count(), "command": COMMAND,
            "load_1min_before": load_before, "load_1min_after": load_after, "uxsim": uxsim_version(),
            "rows": [{"case": case, **{k: (v if isinstance(v, str) else float(v)) for k, v in r.items()}} for case, r in rows]}  # fmt: skip


def main(argv: list[str] | None = None) -> dict[str, Any] | None:
    """Print the side-by-side table and, for a full run, merge it into ``--output``; returns the entry written."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--uxsim-python", action="store_true", help="also run UXsim's Python engine (about 2 minutes)")
    parser.add_argument("--no-stgilles", action="store_true", help="grid11 only (nothing written to the figures file)")
    parser.add_argument("--output", type=Path, default=OUT, help="figures file (default benchmarks/figures/traffic_dynamic_bench.json)")
    args = parser.parse_args(argv)
    commit, load_before = commit_stamp(), os.getloadavg()[0]
    rows = side_by_side(uxsim_python=args.uxsim_python, stgilles=not args.no_stgilles)
    load_after = os.getloadavg()[0]
    ours = rows[0][1]["wall_s"]
    print(f"{'case':9s} {'engine':28s} {'wall s':>8s} {'veh/s':>10s} {'link-steps/s':>13s} {'arrived':>9s} {'TTT veh-h':>10s} {'mean trip s':>11s} {'time / twin':>11s}")
    for case, r in rows:
        ratio = r["wall_s"] / ours if case == "grid11" else float("nan")
        print(f"{case:9s} {r['engine']:28s} {r['wall_s']:8.3f} {r['vehicles_per_s']:10.0f} {r['link_steps_per_s']:13.3g} {r['arrived']:9.0f} "
              f"{r['total_travel_time_veh_h']:10.0f} {r['mean_trip_time_s']:11.1f} {ratio:11.1f}")  # fmt: skip
    print(f"load average {load_before:.2f} -> {load_after:.2f}")
    if args.no_stgilles:
        return None
    entry = figures(rows, load_before, load_after, commit)
    merge_case(args.output, CASE_KEY, entry, CASE)
    print(f"wrote {args.output}")
    return entry


if __name__ == "__main__":
    main()
