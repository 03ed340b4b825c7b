"""Diagnostic: a fluid head-of-line node rule under DUO on grid11 (issue 15, p15f).

Run:  python benchmarks/traffic_grid11_hol_p15f.py [--seeds 5] [--scales 1,1.5,2] [--fixed-scales 0.75,1]

Not a twin model: a scratch rule, not a published node model (none that gives this rule could be
read for this work; docs/traffic.md, grid11 finding 9), run in a recompiled copy of the LTM kernel
for this process only (``traffic_grid11_node_variant_p15e.install_variant``). It is the mean
(fluid) form of UXsim's node transfer (finding 8): every incoming link serves its vehicles first
in first out; a vehicle whose next link takes all that wants it leaves after one saturation
headway ``1 / C_i``; a vehicle for a *contested* next link ``j`` (its demand this step above its
supply) waits at the stop line until ``j`` accepts it. ``j`` accepts at its supply rate ``r_j``, each
acceptance going to one of the links whose head vehicle then waits for ``j``, drawn in proportion
to the links' priorities ``w_i`` (their capacities, twin's node-model priorities). With ``p_kj``
the share of time link ``k``'s head waits for ``j``, taken as independent between links (a
mean-field approximation made here; head-of-line blocking of FIFO queues contending for outputs
is the classic input-queued switch of Karol, Hluchyj & Morgan 1987, IEEE Trans. Commun. 35(12),
read here only through course notes), link ``i``'s head waits on average

    tau_ij = max(1 / C_i, 1 / (r_j E[w_i / (w_i + sum_{k != i} w_k X_kj)])),  X_kj ~ Bernoulli(p_kj),

and the link leaves at ``q_i = min(S_i, 1 / (sum_{j free} f_ij / C_i + sum_{j contested} f_ij
tau_ij))`` with ``p_ij = f_ij q_i tau_ij``: a fixed point in ``p``, solved by damped iteration.
A link none of whose vehicles wants a contested link passes its whole demand, as in Tampère's
model; on a node without a contested link the two rules agree exactly. On the isolated node of
``traffic_node_sharing_p15e.py`` (A always waits for ``j``, B a share ``f``) it gives the
head-vehicle closed form ``q_B = 1 / ((1 - f) / c + 2 f / r)``, ``q_A = r - f q_B``.

Printed: that node (twin with the rule against the closed form), then grid11 with twin's DUO
(``bench_traffic_grid11_uxsim.run_twin``: instantaneous link times unless ``--duo-time``, stop-line choice) for seeds
0 to N - 1 with the rule, beside twin's node model (Tampère) and UXsim ``deltan`` 1 of the same
seeds read from ``benchmarks/figures/traffic_grid11.json`` (not re-run); then the fixed routes
of ``traffic_grid11_fixed_routes_p15c.py`` with the rule (twin only). ``--output`` writes the runs
as JSON. ``--stgilles N``: instead, the Saint-Gilles case of ``traffic_stgilles_duo_time_p15.py``
(N vehicles in the hour) with the rule, for both DUO link times (printed only).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numba
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from twin.kernels.config import JIT_OPTIONS  # noqa: E402

_OPTIONS = {**JIT_OPTIONS, "cache": False}  # a variant for this process only: nothing written to the kernels' cache
FIGURES = REPO / "benchmarks" / "figures" / "traffic_grid11.json"
OUT = REPO / "benchmarks" / "figures" / "traffic_grid11_hol_p15f.json"
HOL_TOL = 1e-12
"""Largest change of a waiting share ``p_ij`` at which the fixed-point iteration stops."""
HOL_MAX_ITER = 2000
"""Most fixed-point iterations per node and step."""


def make_hol_node_model(dt_s: float):
    """The fluid head-of-line rule (module docstring) for steps of ``dt_s`` s, with the signature of
    :func:`twin.kernels.dnl_node.general_node_model` (sending and receiving in vehicles per step,
    priorities in veh/s)."""

    @numba.njit(**_OPTIONS)
    def hol_node_model(sending, priority, turn, receiving, flow):
        n_in = sending.shape[0]
        n_out = receiving.shape[0]
        flow[:, :] = 0.0
        contested = np.zeros(n_out, dtype=np.bool_)
        any_contested = False
        for j in range(n_out):
            want = 0.0
            for i in range(n_in):
                if sending[i] > 0.0:
                    want += sending[i] * turn[i, j]
            if want > receiving[j] * (1.0 + 1e-9):
                contested[j] = True
                any_contested = True
        held = np.zeros(n_in, dtype=np.bool_)  # links with vehicles for a contested next link
        for i in range(n_in):
            if sending[i] > 0.0:
                for j in range(n_out):
                    if contested[j] and turn[i, j] > 0.0:
                        held[i] = True
        q = np.zeros(n_in)  # outflow rates, veh/s
        for i in range(n_in):
            q[i] = sending[i] / dt_s
        if any_contested:
            free_s = np.zeros(n_in)  # seconds per vehicle spent on uncontested turns
            p = np.zeros((n_in, n_out))  # share of time the head vehicle of i waits for j
            tau = np.zeros((n_in, n_out))
            for i in range(n_in):
                if held[i]:
                    for j in range(n_out):
                        if turn[i, j] > 0.0:
                            if contested[j]:
                                p[i, j] = 1.0
                            else:
                                free_s[i] += turn[i, j] / priority[i]
            others = np.empty(n_in, dtype=np.int64)
            for _it in range(HOL_MAX_ITER):
                for j in range(n_out):
                    if not contested[j]:
                        continue
                    r_j = receiving[j] / dt_s
                    for i in range(n_in):
                        if not (held[i] and turn[i, j] > 0.0):
                            continue
                        if r_j <= 0.0:
                            tau[i, j] = np.inf
                            continue
                        m = 0
                        for k in range(n_in):
                            if k != i and held[k] and turn[k, j] > 0.0:
                                others[m] = k
                                m += 1
                        share = 0.0  # E[w_i / (w_i + sum_k w_k X_kj)]
                        for mask in range(1 << m):
                            pr = 1.0
                            den = priority[i]
                            for b in range(m):
                                k = others[b]
                                if (mask >> b) & 1:
                                    pr *= p[k, j]
                                    den += priority[k]
                                else:
                                    pr *= 1.0 - p[k, j]
                            share += pr * priority[i] / den
                        t = 1.0 / (r_j * share)
                        tau[i, j] = t if t > 1.0 / priority[i] else 1.0 / priority[i]
                change = 0.0
                for i in range(n_in):
                    if not held[i]:
                        continue
                    busy = free_s[i]
                    for j in range(n_out):
                        if contested[j] and turn[i, j] > 0.0:
                            busy += turn[i, j] * tau[i, j]
                    rate = sending[i] / dt_s
                    if busy == np.inf:
                        rate = 0.0
                    elif busy > 0.0 and 1.0 / busy < rate:
                        rate = 1.0 / busy
                    q[i] = rate
                    for j in range(n_out):
                        if contested[j] and turn[i, j] > 0.0:
                            target = 1.0 if tau[i, j] == np.inf else turn[i, j] * rate * tau[i, j]
                            new = 0.5 * (p[i, j] + target)
                            if abs(new - p[i, j]) > change:
                                change = abs(new - p[i, j])
                            p[i, j] = new
                if change < HOL_TOL:
                    break
            # supply of every next link respected (exact at the fixed point; guards an unconverged one)
            for _pass in range(n_out):
                ok = True
                for j in range(n_out):
                    into = 0.0
                    for i in range(n_in):
                        into += q[i] * dt_s * turn[i, j]
                    if into > receiving[j] and into > 0.0:
                        ok = False
                        scale = receiving[j] / into
                        for i in range(n_in):
                            if turn[i, j] > 0.0:
                                q[i] *= scale
                if ok:
                    break
        for i in range(n_in):
            if sending[i] > 0.0:
                for j in range(n_out):
                    flow[i, j] = q[i] * dt_s * turn[i, j]

    return hol_node_model


def install_hol(dt_s: float) -> None:
    """Make ``simulate`` in this process use the LTM kernel with the head-of-line rule for steps of ``dt_s``."""
    import traffic_grid11_node_variant_p15e as variant

    variant.install_variant(make_hol_node_model(dt_s))


def uxsim_runs(path: Path = FIGURES) -> list[dict]:
    """UXsim ``deltan`` 1 and twin (Tampère) runs of the side by side, read from its figures file."""
    return json.loads(path.read_text())["runs"]


def _mean(rows: list[dict], key: str) -> float:
    return float(np.mean([r[key] for r in rows]))


def stgilles(vehicles: float) -> dict:
    """The Saint-Gilles car network of ``traffic_stgilles_duo_time_p15.py`` with the rule, for both DUO link times."""
    import bench_traffic_dynamic as bd

    from twin.traffic.dynamic import simulate

    net, dyn, demand, opts = bd.stgilles_case(vehicles)
    install_hol(float(opts["dt_s"]))
    rows = []
    for duo_time in ("instantaneous", "experienced"):
        t = simulate(net, demand, dynamics=dyn, duo_time=duo_time, **opts).totals()
        rows.append(
            {"duo_time": duo_time, "generated_veh": t["generated_veh"], "arrived_veh": t["arrived_veh"], "mean_trip_time_s": t["mean_trip_time_s"]}
        )
        print(f"Saint-Gilles, {vehicles:g} vehicles, head-of-line rule, duo_time={duo_time}: generated {t['generated_veh']:.0f}, "
              f"arrived {t['arrived_veh']:.0f}, mean trip {t['mean_trip_time_s']:.1f} s; load average {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
    return {"stgilles": rows}


def main(argv: list[str] | None = None) -> dict:
    import bench_traffic_dynamic as bd
    import bench_traffic_grid11_uxsim as bu
    import traffic_node_sharing_p15e as one_node

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--scales", default="1,1.5,2")
    ap.add_argument("--fixed-scales", default="0.75,1", help="fixed-route runs (twin only) at these scales ('' none)")
    ap.add_argument("--duo-time", default="instantaneous", choices=("instantaneous", "experienced", "discharge"), help="DUO link time")
    ap.add_argument(
        "--stgilles", type=float, default=0.0, help="instead: the Saint-Gilles case of traffic_stgilles_duo_time_p15.py with these vehicles"
    )
    ap.add_argument("--output", default=str(OUT))
    args = ap.parse_args(argv)
    if args.stgilles > 0:
        return stgilles(args.stgilles)
    load_before = os.getloadavg()
    dt_grid = float(bd.grid11_case()[3]["dt_s"])
    out: dict = {"load_average_before": load_before, "node": [], "duo": [], "fixed": []}
    for dt in (5.0, 1.0):
        install_hol(dt)
        for f in (0.1, 0.4):
            closed = one_node.closed_forms(f, 0.1)["discrete FIFO, head-vehicle draw"]
            got = one_node.run_twin(f, 0.1, dt)
            out["node"].append({"f": f, "dt_s": dt, **got, "closed_q_A": closed[0], "closed_q_B": closed[1]})
            print(f"one node, f {f:g}, dt {dt:g} s: HOL rule q_A {got['q_A']:.4f} q_B {got['q_B']:.4f} into bottleneck {got['r']:.4f}; "
                  f"closed form q_A {closed[0]:.4f} q_B {closed[1]:.4f}", flush=True)  # fmt: skip
    install_hol(dt_grid)
    ref = uxsim_runs()
    for scale in (float(s) for s in args.scales.split(",")):
        for seed in range(args.seeds):
            t0 = time.perf_counter()
            r = bu.run_twin(scale, seed, duo_time=args.duo_time)
            r["engine"] = "twin, fluid head-of-line rule" + ("" if args.duo_time == "instantaneous" else f", {args.duo_time} link times")
            r["load_average"] = os.getloadavg()[0]
            out["duo"].append(r)
            print(f"x{scale:g} seed {seed}: mean trip {r['mean_trip_time_s']:7.1f} s, links that queue {r['queued_links']:3d}, "
                  f"arrived {100 * r['arrived_share']:5.1f} %, delay on links {r['delay_on_links_veh_h']:6.0f} veh-h, "
                  f"links per trip {r['links_per_trip']:.2f}; {time.perf_counter() - t0:.1f} s, load {r['load_average']:.1f}", flush=True)  # fmt: skip
        sel = [x for x in out["duo"] if x["scale"] == scale]
        tampere = "twin" if args.duo_time == "instantaneous" else f"twin {args.duo_time} link times"
        for name in (tampere, "UXsim 1.15.1 C++ deltan 1"):
            peer = [x for x in ref if x["engine"] == name and x["scale"] == scale and x["seed"] < args.seeds]
            if not peer:
                continue
            print(f"x{scale:g} mean of {len(sel)} seeds, HOL rule / {name} (mean of {len(peer)}): "
                  f"mean trip {_mean(sel, 'mean_trip_time_s'):.1f} / {_mean(peer, 'mean_trip_time_s'):.1f} s "
                  f"({_mean(sel, 'mean_trip_time_s') / _mean(peer, 'mean_trip_time_s'):.3f}), "
                  f"links that queue {_mean(sel, 'queued_links'):.1f} / {_mean(peer, 'queued_links'):.1f} "
                  f"({_mean(sel, 'queued_links') / _mean(peer, 'queued_links'):.3f}), "
                  f"arrived {100 * _mean(sel, 'arrived_share'):.1f} / {100 * _mean(peer, 'arrived_share'):.1f} %", flush=True)  # fmt: skip
    if args.fixed_scales:
        import traffic_grid11_fixed_routes_p15c as fr

        sys.modules["uxsim"] = None  # twin only: UXsim's fixed-route rows are in traffic_grid11_fixed_routes_p15c.txt
        for scale in (float(s) for s in args.fixed_scales.split(",")):
            for r in fr.run(scale, 0):
                r["engine"] = "twin, fixed trees, fluid head-of-line rule"
                out["fixed"].append(r)
                print(f"fixed routes x{scale:g}: mean trip {r['mean_trip_s']:7.1f} s, arrived {100 * r['arrived']:6.2f} %, "
                      f"links that queue {r['queued_links']:3d}, delay on links {r['delay_veh_h']:7.0f} veh-h", flush=True)  # fmt: skip
    out["load_average_after"] = os.getloadavg()
    out["command"] = "python benchmarks/traffic_grid11_hol_p15f.py " + " ".join(argv if argv is not None else sys.argv[1:])
    out["uxsim_runs_reused_from"] = str(FIGURES.relative_to(REPO))
    Path(args.output).write_text(json.dumps(out, indent=1, default=float))
    print(f"(load average {load_before[0]:.1f} before, {out['load_average_after'][0]:.1f} after; written {args.output})")
    return out


if __name__ == "__main__":
    main()
