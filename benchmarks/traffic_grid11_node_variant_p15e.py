"""Diagnostic: grid11 with fixed routes when a full next link is shared per incoming link instead of per oriented capacity (issue 15, p15e).

Run:  python benchmarks/traffic_grid11_node_variant_p15e.py [--scales 0.5,0.75,1]

Not a twin model: a scratch variant that tests how much of twin's lost throughput on grid11
(docs/traffic.md, grid11 findings 6 and 8) comes from the node model's sharing of a contested
next link. twin's node model (Tampère et al. 2011) shares the supply ``R_j`` of a full next link
in proportion to the oriented capacities ``C_i f_ij`` and holds each competing link back as a
whole (FIFO), so a link sending a small share ``f`` of its vehicles into the full link gets a
small share of it and waits behind it at ``R_j C_i / sum_k C_k f_kj`` in total. The variant,
made here by replacing :func:`twin.kernels.dnl_node.general_node_model` inside a recompiled copy
of the LTM kernel for this process only, shares ``R_j`` in proportion to ``C_i`` among the
links that send anything into ``j`` (FIFO kept: link ``i`` leaves at ``a C_i / f_ij``; a link
whose turn demand ``S_i f_ij`` fits in its share passes all of it). On the isolated node of
``traffic_node_sharing_p15e.py`` (f 0.1, r 0.1 veh/s) the minority-turn link leaves at 0.5 veh/s
with the variant, 0.091 with Tampère's rule and 0.31-0.33 in UXsim's discrete head-vehicle
draw: the two fluid rules bracket UXsim. Then the fixed-route comparison of
``traffic_grid11_fixed_routes_p15c.py`` runs with the variant (its UXsim rows are unchanged).
With ``--duo-seeds N``: instead, the side by side's twin runs (``bench_traffic_grid11_uxsim.run_twin``:
DUO on instantaneous link times, stop-line choice) at 1x and 1.5x for seeds 0 to N - 1, first
with twin's node model, then with the variant (compare UXsim's runs of the same seeds in
``benchmarks/figures/traffic_grid11.json``).
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numba
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from twin.kernels.config import JIT_OPTIONS  # noqa: E402

_OPTIONS = {**JIT_OPTIONS, "cache": False}  # a variant for this process only: nothing written to the kernels' cache


@numba.njit(**_OPTIONS)
def link_share_node_model(sending, priority, turn, receiving, flow):
    """Tampère's algorithm with link priorities ``C_i`` (not ``C_i f_ij``) at a constrained next link; FIFO kept."""
    n_in = sending.shape[0]
    n_out = receiving.shape[0]
    flow[:, :] = 0.0
    active = sending > 0.0
    r_left = receiving.copy()
    out_open = np.zeros(n_out, dtype=np.bool_)
    for j in range(n_out):
        for i in range(n_in):
            if active[i] and turn[i, j] > 0.0:
                out_open[j] = True
    while True:
        j_star, a_star = -1, np.inf
        for j in range(n_out):
            if not out_open[j]:
                continue
            c_sum = 0.0
            for i in range(n_in):
                if active[i] and turn[i, j] > 0.0:
                    c_sum += priority[i]
            a = max(r_left[j], 0.0) / c_sum
            if j_star < 0 or a < a_star:
                j_star, a_star = j, a
        if j_star < 0:
            break
        any_demand = False
        for i in range(n_in):
            if active[i] and turn[i, j_star] > 0.0 and sending[i] * turn[i, j_star] <= a_star * priority[i]:
                any_demand = True
                for j in range(n_out):
                    flow[i, j] = sending[i] * turn[i, j]
                    r_left[j] -= flow[i, j]
                active[i] = False
        if not any_demand:
            for i in range(n_in):
                if active[i] and turn[i, j_star] > 0.0:
                    q_i = a_star * priority[i] / turn[i, j_star]
                    for j in range(n_out):
                        flow[i, j] = q_i * turn[i, j]
                        r_left[j] -= flow[i, j]
                    active[i] = False
            out_open[j_star] = False
        for j in range(n_out):
            if out_open[j]:
                still = False
                for i in range(n_in):
                    if active[i] and turn[i, j] > 0.0:
                        still = True
                out_open[j] = still


def install_variant(node_model=None) -> None:
    """Make ``simulate`` in this process use the LTM kernel with ``node_model`` (default :func:`link_share_node_model`).

    ``node_model``: a Numba function with the signature of
    :func:`twin.kernels.dnl_node.general_node_model` (``benchmarks/traffic_grid11_hol_p15f.py``
    passes its head-of-line rule).
    """
    import twin.kernels.dnl_ltm as ltm

    scope = dict(ltm.__dict__)
    scope["general_node_model"] = link_share_node_model if node_model is None else node_model
    kernel = numba.njit(**_OPTIONS)(types.FunctionType(ltm._ltm_simulate.__code__, scope, "_ltm_simulate_variant"))
    ltm.ltm_simulate = kernel
    ltm.ltm_simulate_parallel = kernel


def duo_runs(seeds: int) -> list[dict]:
    """twin's DUO runs of the side by side at 1x and 1.5x, with twin's node model and then with the variant."""
    import os

    import bench_traffic_grid11_uxsim as bu

    rows = []
    for rule in ("Tampere (twin)", "link-share variant"):
        if rule != "Tampere (twin)":
            install_variant()
        for scale in (1.0, 1.5):
            for seed in range(seeds):
                r = bu.run_twin(scale, seed)
                rows.append({"rule": rule, **r})
                print(f"{rule:20s} x{scale:g} seed {seed}: mean trip {r['mean_trip_time_s']:7.1f} s, links that queue {r['queued_links']:3d}, "
                      f"arrived {100 * r['arrived_share']:5.1f} %, delay on links {r['delay_on_links_veh_h']:6.0f} veh-h, "
                      f"links per trip {r['links_per_trip']:.2f}; load average {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
            sel = [x for x in rows if x["rule"] == rule and x["scale"] == scale]
            print(f"{rule:20s} x{scale:g} mean of {seeds} seeds: mean trip {np.mean([x['mean_trip_time_s'] for x in sel]):7.1f} s, "
                  f"links that queue {np.mean([x['queued_links'] for x in sel]):5.1f}", flush=True)  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> list[dict]:
    import argparse

    import traffic_grid11_fixed_routes_p15c as fr
    import traffic_node_sharing_p15e as one_node

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duo-seeds", type=int, default=0, help="run the DUO comparison for this many seeds instead")
    args, rest = ap.parse_known_args(argv if argv is not None else sys.argv[1:])
    if args.duo_seeds > 0:
        return duo_runs(args.duo_seeds)
    install_variant()
    got = one_node.run_twin(0.1, 0.1, 5.0)
    print(f"one node (f 0.1, r 0.1 veh/s), link-share variant: q_A {got['q_A']:.4f}, q_B {got['q_B']:.4f}, into bottleneck {got['r']:.4f} veh/s")
    print("grid11, fixed routes; the 'twin' rows use the link-share variant:")
    return fr.main(rest or ["--scales", "0.5,0.75,1"])


if __name__ == "__main__":
    main()
