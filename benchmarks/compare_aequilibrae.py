"""Side-by-side: twin's static assignment vs AequilibraE's bi-conjugate Frank-Wolfe, one run.

On ChicagoSketch (TNTP; generalized cost = time + 0.02 toll + 0.04 length, as its README says),
measures wall time to relative gap 1e-4 and 1e-5 with twin's BFW, the time of twin's fastest
algorithm (Algorithm B) to 1e-5 and 1e-8, and the same BFW gaps with AequilibraE (BPR with
alpha = b and beta = power from the net file, the same fixed cost, centroids open to through
traffic as <FIRST THRU NODE> 1 says; zero free-flow times raised to 1e-6 because
AequilibraE refuses zeros), then prints the ratios. Numba compilation is excluded
(warm-up run on SiouxFalls first). AequilibraE is an optional peer: if it cannot be imported,
the script says so and prints only twin's side.

Targets (issue 4): twin >= 5x faster than AequilibraE's BFW to 1e-5; twin reaches 1e-8 in less
time than AequilibraE needs for 1e-5.

Usage::

    python benchmarks/compare_aequilibrae.py [--network ChicagoSketch] [--threads N] [--json]

Both sides' relative gap is ``(TSTT - SPTT) / TSTT`` with the same generalized costs.

``--multiclass`` (issue 15): cars (90 % of the TNTP matrix, PCE 1) and trucks (10 %, PCE 2.5) on
every link, twin's ``assign_multiclass`` (Algorithm B) to 1e-5 and 1e-8 against AequilibraE's
multi-class BFW (two ``TrafficClass`` objects, ``set_pce(2.5)``) to 1e-5; prints times, ratios
and how far AequilibraE's total PCE link flows are from twin's at 1e-8 (an outside check of the
multi-class equilibrium).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("TWIN_SHARED", REPO.parent / "shared")) / "data" / "traffic" / "tntp"


def _first_time_below(history: list[tuple[float, float]], target: float) -> float:
    """Elapsed seconds at the first record whose gap is <= target (nan if never)."""
    for elapsed, gap in history:
        if gap <= target:
            return elapsed
    return float("nan")


def run_twin(folder: Path, algorithm: str, gap: float, max_iter: int) -> dict:
    """Run twin; returns times to gaps and the final figures."""
    from twin.traffic.assign import assign
    from twin.traffic.tntp import find_files, read_network, read_trips

    files = find_files(folder)
    net = read_network(files["net"])
    dem = read_trips(files["trips"], n_zones=net.n_zones)
    t0 = time.perf_counter()
    res = assign(net, dem, algorithm=algorithm, gap=gap, max_iter=max_iter)
    wall = time.perf_counter() - t0
    hist = [(r.elapsed_s, r.relative_gap) for r in res.history]
    return {
        "algorithm": algorithm,
        "iterations": res.iterations,
        "final_gap": res.relative_gap,
        "beckmann": res.beckmann,
        "wall_s": wall,
        "history": hist,
    }


def _aeq_links(net):
    """The link table AequilibraE reads (BPR alpha = b, beta = power; zero free-flow times raised to 1e-6)."""
    import pandas as pd

    return pd.DataFrame(
        {
            "link_id": np.arange(1, net.n_links + 1),
            "a_node": net.node_ids[net.from_node].astype(np.int64),
            "b_node": net.node_ids[net.to_node].astype(np.int64),
            "direction": np.ones(net.n_links, dtype=np.int8),
            # AequilibraE refuses zero free-flow times (ChicagoSketch's 774 connectors): 1e-6 min
            "free_flow_time": np.maximum(net.free_flow_time, 1e-6),
            "capacity": net.capacity,
            "b": net.alpha,
            "power": net.beta,
            "fixed_cost": net.fixed_cost,
        }
    )


def _aeq_graph(net, frame):
    from aequilibrae.paths import Graph

    graph = Graph()
    graph.network = frame.copy()
    graph.prepare_graph(net.node_ids[: net.n_zones].astype(np.int64), remove_dead_ends=False)
    graph.set_graph("free_flow_time")
    graph.set_skimming(["free_flow_time"])
    # <FIRST THRU NODE> 1 on ChicagoSketch: zones may carry through traffic
    graph.set_blocked_centroid_flows(net.first_thru_node >= net.n_zones and net.n_zones > 0)
    return graph


def _aeq_matrix(net, demand: np.ndarray):
    """An in-memory AequilibraE matrix of ``demand`` over the network's zones."""
    from aequilibrae.matrix import AequilibraeMatrix

    matrix = AequilibraeMatrix()
    matrix.create_empty(zones=net.n_zones, matrix_names=["matrix"], memory_only=True)
    matrix.index[:] = net.node_ids[: net.n_zones].astype(np.int64)
    matrix.matrices[:, :, 0] = demand
    matrix.computational_view(["matrix"])
    return matrix


def _aeq_execute(classes: list, gap: float, max_iter: int, threads: int) -> tuple[float, dict]:
    """AequilibraE's BFW on ``classes`` (BPR, same fields); its wall time, s, and convergence report."""
    from aequilibrae.paths import TrafficAssignment

    assig = TrafficAssignment()
    assig.set_classes(classes)
    assig.set_vdf("BPR")
    assig.set_vdf_parameters({"alpha": "b", "beta": "power"})
    assig.set_capacity_field("capacity")
    assig.set_time_field("free_flow_time")
    assig.set_algorithm("bfw")
    assig.set_cores(threads)
    assig.max_iter = max_iter
    assig.rgap_target = gap
    t0 = time.perf_counter()
    with open(os.devnull, "w") as sink, contextlib.redirect_stderr(sink):  # silence its progress bars
        assig.execute(log_specification=False)
    return time.perf_counter() - t0, assig.assignment.convergence_report


def run_aequilibrae(folder: Path, gap: float, max_iter: int, threads: int) -> dict | None:
    """Run AequilibraE's BFW on the same data; None when AequilibraE is not installed."""
    try:
        from aequilibrae.paths import TrafficClass
    except ImportError as exc:  # optional peer
        print(f"AequilibraE is not installed ({exc}); printing twin's side only.")
        return None
    from twin.traffic.tntp import find_files, read_network, read_trips

    files = find_files(folder)
    net = read_network(files["net"])
    dem = read_trips(files["trips"], n_zones=net.n_zones)
    cls = TrafficClass("car", _aeq_graph(net, _aeq_links(net)), _aeq_matrix(net, dem.matrix))
    cls.set_fixed_cost("fixed_cost", 1.0)
    cls.set_vot(1.0)
    wall, report = _aeq_execute([cls], gap, max_iter, threads)
    hist = list(zip(report["time"], report["rgap"]))
    return {"algorithm": "aequilibrae-bfw", "iterations": len(report["rgap"]), "final_gap": float(report["rgap"][-1]), "wall_s": wall, "history": hist}


def run_multiclass(folder: Path, gap: float, max_iter: int, threads: int, skip_aequilibrae: bool) -> dict:
    """Cars + trucks (PCE 2.5): twin to 1e-5 and 1e-8, AequilibraE BFW to ``gap``; figures and flow agreement."""
    from twin.traffic.multiclass import VehicleClass, assign_multiclass
    from twin.traffic.tntp import find_files, read_network, read_trips

    files = find_files(folder)
    net = read_network(files["net"])
    dem = read_trips(files["trips"], n_zones=net.n_zones)
    classes = [VehicleClass("car", 0.9 * dem.matrix), VehicleClass("truck", 0.1 * dem.matrix, pce=2.5)]
    small = read_network(find_files(DATA / "SiouxFalls")["net"])
    small_dem = read_trips(find_files(DATA / "SiouxFalls")["trips"], n_zones=small.n_zones)
    assign_multiclass(small, [VehicleClass("car", small_dem.matrix), VehicleClass("truck", 0.1 * small_dem.matrix, pce=2.5)], gap=1e-4)  # warm-up
    ours = assign_multiclass(net, classes, gap=1e-8, max_iter=500)
    hist = [(r.elapsed_s, r.relative_gap) for r in ours.history]
    out = {
        "network": folder.name,
        "twin_t_1e-5_s": _first_time_below(hist, 1e-5),
        "twin_t_1e-8_s": _first_time_below(hist, 1e-8),
        "twin_iterations": ours.iterations,
        "twin_final_gap": ours.relative_gap,
    }
    print(f"multi-class {folder.name}: cars 90 % (PCE 1) + trucks 10 % (PCE 2.5), {threads} thread(s)")
    print(f"  twin B (multi-class): gap 1e-5 at {out['twin_t_1e-5_s']:.3f} s, 1e-8 at {out['twin_t_1e-8_s']:.3f} s ({ours.iterations} it)")
    if skip_aequilibrae:
        return out
    try:
        from aequilibrae.paths import TrafficClass
    except ImportError as exc:
        print(f"AequilibraE is not installed ({exc}); printing twin's side only.")
        return out
    frame = _aeq_links(net)
    aeq_classes = []
    for vc in classes:
        cls = TrafficClass(vc.name, _aeq_graph(net, frame), _aeq_matrix(net, vc.demand))
        cls.set_pce(vc.pce)
        cls.set_fixed_cost("fixed_cost", 1.0)
        cls.set_vot(1.0)
        aeq_classes.append(cls)
    wall, report = _aeq_execute(aeq_classes, gap, max_iter, threads)
    a5 = _first_time_below(list(zip(report["time"], report["rgap"])), gap)
    pce_flow = np.zeros(net.n_links)
    for vc, cls in zip(classes, aeq_classes):
        loads = cls.results.get_load_results()
        col = "matrix_tot" if "matrix_tot" in loads.columns else [c for c in loads.columns if c.endswith("_tot")][0]
        pce_flow[loads.index.to_numpy(dtype=np.int64) - 1] += vc.pce * loads[col].to_numpy()
    ref = ours.flow_pce
    big = ref > 0.01 * ref.max()
    out.update(
        {
            "aequilibrae_t_gap_s": a5,
            "aequilibrae_iterations": len(report["rgap"]),
            "aequilibrae_final_gap": float(report["rgap"][-1]),
            "aequilibrae_wall_s": wall,
            "ratio_aeq_over_twin_1e-5": a5 / out["twin_t_1e-5_s"],
            "ratio_aeq_1e-5_over_twin_1e-8": a5 / out["twin_t_1e-8_s"],
            "flow_rel_l2": float(np.linalg.norm(pce_flow - ref) / np.linalg.norm(ref)),
            "flow_max_rel_big_links": float(np.max(np.abs(pce_flow - ref)[big] / ref[big])),
        }
    )
    print(f"  AequilibraE BFW (2 classes): gap {gap:g} at {a5:.3f} s ({out['aequilibrae_iterations']} it, final gap {out['aequilibrae_final_gap']:.2e})")
    print(f"  ratios: AequilibraE 1e-5 / twin 1e-5 {out['ratio_aeq_over_twin_1e-5']:.2f}x; AequilibraE 1e-5 / twin 1e-8 {out['ratio_aeq_1e-5_over_twin_1e-8']:.2f}x")
    print(f"  total PCE link flows, AequilibraE (1e-5) vs twin (1e-8): relative L2 {out['flow_rel_l2']:.2e}, "
          f"largest relative difference on links above 1 % of the top flow {out['flow_max_rel_big_links']:.2e}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", default="ChicagoSketch")
    parser.add_argument("--threads", type=int, default=0, help="threads for both sides (0: all)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument("--skip-aequilibrae", action="store_true")
    parser.add_argument("--multiclass", action="store_true", help="cars + trucks (PCE 2.5) instead of one class")
    args = parser.parse_args(argv)

    from twin.kernels.config import set_threads

    threads = set_threads(args.threads or None)
    folder = DATA / args.network
    if not folder.exists():
        print(f"data missing: {folder}")
        return 1
    if args.multiclass:
        figures = run_multiclass(folder, 1e-5, 5000, threads, args.skip_aequilibrae)
        if args.json:
            print(json.dumps(figures, indent=2))
        return 0
    # warm-up: compile every kernel once (cache=True keeps them for later runs)
    for algo in ("bfw", "b"):
        run_twin(DATA / "SiouxFalls", algo, 1e-4, 50)

    ours_bfw = run_twin(folder, "bfw", 1e-5, 5000)
    ours_b = run_twin(folder, "b", 1e-8, 500)
    theirs = None if args.skip_aequilibrae else run_aequilibrae(folder, 1e-5, 5000, threads)

    figures = {
        "network": args.network,
        "threads": threads,
        "twin_bfw_t_1e-4_s": _first_time_below(ours_bfw["history"], 1e-4),
        "twin_bfw_t_1e-5_s": _first_time_below(ours_bfw["history"], 1e-5),
        "twin_bfw_iterations": ours_bfw["iterations"],
        "twin_b_t_1e-5_s": _first_time_below(ours_b["history"], 1e-5),
        "twin_b_t_1e-8_s": _first_time_below(ours_b["history"], 1e-8),
        "twin_b_iterations": ours_b["iterations"],
        "twin_b_beckmann": ours_b["beckmann"],
    }
    print(f"network {args.network}, {threads} thread(s); times in s from the start of the assignment")
    print(f"  twin BFW : gap 1e-4 at {figures['twin_bfw_t_1e-4_s']:.3f}  1e-5 at {figures['twin_bfw_t_1e-5_s']:.3f}  ({ours_bfw['iterations']} it)")
    print(f"  twin B   : gap 1e-5 at {figures['twin_b_t_1e-5_s']:.3f}  1e-8 at {figures['twin_b_t_1e-8_s']:.3f}  ({ours_b['iterations']} it)")
    if theirs is not None:
        a4 = _first_time_below(theirs["history"], 1e-4)
        a5 = _first_time_below(theirs["history"], 1e-5)
        figures.update(
            {
                "aequilibrae_bfw_t_1e-4_s": a4,
                "aequilibrae_bfw_t_1e-5_s": a5,
                "aequilibrae_bfw_iterations": theirs["iterations"],
                "aequilibrae_wall_s": theirs["wall_s"],
                "ratio_bfw_1e-4": a4 / figures["twin_bfw_t_1e-4_s"],
                "ratio_bfw_1e-5": a5 / figures["twin_bfw_t_1e-5_s"],
                "ratio_fastest_1e-5": a5 / figures["twin_b_t_1e-5_s"],
                "ratio_aeq_1e-5_over_twin_b_1e-8": a5 / figures["twin_b_t_1e-8_s"],
            }
        )
        print(f"  AequilibraE BFW: gap 1e-4 at {a4:.3f}  1e-5 at {a5:.3f}  ({theirs['iterations']} it, wall {theirs['wall_s']:.3f})")
        print("ratios (AequilibraE time / twin time; > 1 means twin is faster)")
        print(f"  BFW vs BFW to 1e-4          : {figures['ratio_bfw_1e-4']:.2f}x")
        print(f"  BFW vs BFW to 1e-5          : {figures['ratio_bfw_1e-5']:.2f}x")
        print(f"  fastest (B) vs BFW to 1e-5  : {figures['ratio_fastest_1e-5']:.2f}x   (target >= 5)")
        print(f"  AequilibraE 1e-5 / twin B 1e-8: {figures['ratio_aeq_1e-5_over_twin_b_1e-8']:.2f}x   (target > 1)")
    if args.json:
        print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
