"""Why does give-way lower the total delay of dynamic loading on Saint-Gilles? (issue 15, p15g; a diagnostic, not a test)

Run:  nice -n 10 python benchmarks/traffic_stgilles_give_way_delay_p15g.py [--vehicles 3000] [--seeds 10]
      (prints the figures and merges those of parts 1, 3, 4 and 5 into
      benchmarks/figures/traffic_give_way_seeds.json, then ``python scripts/update_figures.py``
      rewrites the give-way figures of docs/traffic.md; about 4 min on 2 shared cores; the docs
      also quote ``--vehicles 2000 --seeds 1``, about 1.5 min)

The ``benchmarks/bench_traffic_dynamic.py`` Saint-Gilles case (edge origins to edge destinations,
1 s steps, 2 h, DUO every 300 s, experienced link times, ``duo_noise`` 0.01 with seed 0) loaded
with give-way off and on (the junctions of ``twin traffic simulate SCENE --give-way``:
:func:`twin.traffic.dynamic_commands.scene_give_way`, no signals), printing:

1. the accounting of both runs: vehicles generated, departed, arrived, left in the network, the
   origin-queue wait, the horizon, total travel time (vehicle-hours in the system), the free-flow
   time of the routes driven (vehicles entering each link x its free time), their difference
   (which is the reported delay), the free-flow time of the shortest routes, vehicle-km; per link
   class (yielding approaches, roundabout rings, other links): delay, vehicle-hours, vehicle-km;
2. routes: vehicle-km on main roads (:data:`twin.traffic.mobility.MAIN_ROAD_CLASSES`) and on the
   other streets, and the links whose entering vehicles change most;
3. spillback: links whose vehicles reached 95 % of their jam storage, the largest queue;
4. the same pair of runs for seeds ``0 .. seeds - 1`` of the DUO noise (delay, travel time,
   vehicle-km, full links; mean, standard deviation, paired differences);
5. the same pair with other route choices: DUO without noise, DUO on ``discharge`` times, DUO
   every 60 s and every 900 s, and fixed routes (free-flow, static equilibrium: no re-routing).

The figures file (``--output``) gets, under the number of vehicles (:func:`merge`): per seed of
part 4 the :data:`SEED_FIGURES` with give-way off and on and the :data:`PAIR_FIGURES` of the
pair; per variant of part 5 the same for seed 0; the junction counts, the shortest free-flow
time, the seeds, the DUO interval and where they were measured (date,
:func:`machine_load.commit_stamp`, 1-minute load average before and after, wall time); the
entries of other vehicle numbers are kept.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from figures_file import merge_case  # noqa: E402 - benchmarks/ is on the path only from here
from machine_load import measurement_stamp  # noqa: E402

OUT = REPO / "benchmarks" / "figures" / "traffic_give_way_seeds.json"
"""The figures file of part 4 (rendered into docs/traffic.md by scripts/update_figures.py)."""
SEED_FIGURES = ("total_delay_veh_h", "total_travel_time_veh_h", "vehicle_km", "arrived_veh", "generated_veh", "full_links",
                "driven_free_h", "origin_wait_veh_h", "in_network_end_veh")  # fmt: skip
"""Figures of each run kept in the figures file (keys of :func:`figures`)."""
PAIR_FIGURES = ("full_both", "curve_diff_veh")
"""Figures of each off / on pair kept in the figures file (keys of :func:`pair_figures`)."""
FULL_SHARE = 0.95
"""A link is full (spilled back to its entry) when its vehicles reach this share of its jam storage."""

VARIANTS: dict[str, dict[str, Any]] = {
    "DUO, no noise": {"duo_noise": 0.0},
    "DUO, discharge times": {"duo_time": "discharge"},
    "DUO every 60 s": {"duo_interval_s": 60.0},
    "DUO every 900 s": {"duo_interval_s": 900.0},
    "fixed routes: free-flow": {"route_choice": "free_flow"},
    "fixed routes: static equilibrium": {"route_choice": "equilibrium"},
}
"""Route-choice variants of part 5 (options of :func:`twin.traffic.dynamic.simulate` over the case's)."""


def case(vehicles: float) -> dict[str, Any]:
    """The Saint-Gilles case: network, dynamics, demand, options, the give-way junctions and link classes.

    Parameters
    ----------
    vehicles : float
        Vehicles in the hour.

    Returns
    -------
    dict
        ``net``, ``dyn``, ``demand``, ``opts`` (of ``bench_traffic_dynamic.stgilles_case``),
        ``junctions`` (:class:`~twin.traffic.priority.Junctions`), boolean link masks
        ``approach``, ``ring``, ``main`` and ``shortest_free_h`` (vehicles x shortest free-flow
        time over the OD pairs, veh-h).
    """
    import bench_traffic_dynamic as bd

    from twin.ingest.dispatch import ingest
    from twin.kernels.access_paths import multi_source_dijkstra
    from twin.traffic.dynamic_commands import scene_give_way
    from twin.traffic.mobility import MAIN_ROAD_CLASSES
    from twin.traffic.priority import ring_links

    scene, _ = ingest([bd.STGILLES_STREETS], crs="EPSG:31370")
    net, dyn, demand, opts = bd.stgilles_case(vehicles)
    junctions = scene_give_way(scene, net, [bd.STGILLES_STREETS], signalised=False)
    links = scene.links.set_index("link_id")
    junction = links["junction"].reindex(net.link_ids).astype(object).where(lambda s: s.notna(), None).tolist()
    road_class = links["road_class"].reindex(net.link_ids).astype(object).fillna("").tolist()
    approach = np.zeros(net.n_links, dtype=bool)
    approach[np.asarray(junctions.approach, dtype=np.int64)] = True
    node = {v: i for i, v in enumerate(net.node_ids.tolist())}
    in_link = net.in_link.astype(np.int64)
    dist = np.empty(net.n_nodes)
    shortest_s = 0.0
    for dest, rows in demand.groupby("destination"):
        multi_source_dijkstra(net.in_start.astype(np.int64), net.from_node.astype(np.int64)[in_link], in_link, dyn.free_time_s,
                              np.array([node[dest]]), np.zeros(1), np.inf, dist)  # fmt: skip
        shortest_s += float((rows["vehicles"].to_numpy() * dist[[node[o] for o in rows["origin"]]]).sum())
    return {"net": net, "dyn": dyn, "demand": demand, "opts": opts, "junctions": junctions, "approach": approach,
            "ring": ring_links(junction) & ~approach, "main": np.isin(road_class, list(MAIN_ROAD_CLASSES)), "shortest_free_h": shortest_s / 3600.0}  # fmt: skip


def run(c: dict[str, Any], give_way: bool, **extra: Any) -> Any:
    """One dynamic loading of the case ``c`` with give-way on or off and ``extra`` options."""
    from twin.traffic.dynamic import simulate

    return simulate(c["net"], c["demand"], dynamics=c["dyn"], give_way=c["junctions"] if give_way else None, **{**c["opts"], **extra})


def figures(c: dict[str, Any], res: Any) -> dict[str, Any]:
    """Accounting, class, route and spillback figures of one run (module docstring, parts 1-3)."""
    tot = res.totals()
    ls = res.link_summary()
    free_h = float((res.cum_in[:, -1] * res.dynamics.free_time_s).sum() / 3600.0)
    full = res.vehicles().max(axis=1) >= FULL_SHARE * res.dynamics.jam_veh
    out = {**tot, "horizon_s": res.n_steps * res.dt_s, "driven_free_h": free_h, "tt_minus_free_h": tot["total_travel_time_veh_h"] - free_h,
           "full_links": int(full.sum()), "full": full, "full_approaches": int((full & c["approach"]).sum()), "max_queue_veh": float(ls["max_queue_veh"].max()),
           "vkm_main": float(ls["vehicle_km"][c["main"]].sum()), "vkm_other": float(ls["vehicle_km"][~c["main"]].sum()),
           "entered": res.cum_in[:, -1].copy(), "delay_link_h": ls["delay_veh_h"].to_numpy()}  # fmt: skip
    for name, mask in (("approaches", c["approach"]), ("ring", c["ring"]), ("other", ~c["approach"] & ~c["ring"])):
        out[f"{name}_delay_h"] = float(ls["delay_veh_h"][mask].sum())
        out[f"{name}_veh_h"] = float(ls["vehicle_h"][mask].sum())
        out[f"{name}_vkm"] = float(ls["vehicle_km"][mask].sum())
    return out


def pair_figures(off_res: Any, on_res: Any, off: dict[str, Any], on: dict[str, Any]) -> dict[str, float]:
    """What a pair of runs (give-way off and on) shares: ``full_both``, the links full in both, and
    ``curve_diff_veh``, the largest difference of their cumulative curves (in and out, every link
    and step), vehicles."""
    diff = max(float(np.abs(on_res.cum_in - off_res.cum_in).max()), float(np.abs(on_res.cum_out - off_res.cum_out).max()))
    return {"full_both": int((off["full"] & on["full"]).sum()), "curve_diff_veh": diff}


def run_pair(c: dict[str, Any], **extra: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, float]]:
    """:func:`figures` of the runs with give-way off and on and their :func:`pair_figures`."""
    off_res, on_res = run(c, False, **extra), run(c, True, **extra)
    off, on = figures(c, off_res), figures(c, on_res)
    return off, on, pair_figures(off_res, on_res, off, on)


def pair_line(name: str, off: dict[str, Any], on: dict[str, Any]) -> str:
    """One line comparing an off and an on run."""

    def part(f: dict[str, Any]) -> str:
        return (f"arrived {f['arrived_veh']:6.0f}  travel {f['total_travel_time_veh_h']:7.1f}  delay {f['total_delay_veh_h']:7.2f} veh-h  "
                f"{f['vehicle_km']:5.0f} veh-km  full links {f['full_links']:3d}")  # fmt: skip

    return f"  {name:34s} off: {part(off)} | on: {part(on)}"


def _sides(pairs: list[tuple[dict[str, Any], dict[str, Any], dict[str, float]]]) -> dict[str, Any]:
    """``off`` / ``on``: per figure of :data:`SEED_FIGURES`, its value per pair; per figure of :data:`PAIR_FIGURES`, its value per pair."""
    out: dict[str, Any] = {side: {key: [float(p[k][key]) for p in pairs] for key in SEED_FIGURES} for k, side in enumerate(("off", "on"))}
    return {**out, **{key: [float(p[2][key]) for p in pairs] for key in PAIR_FIGURES}}


def merge(path: Path, vehicles: float, pairs: list[tuple[dict[str, Any], dict[str, Any], dict[str, float]]], facts: dict[str, Any],
          variants: dict[str, tuple[dict[str, Any], dict[str, Any], dict[str, float]]] | None = None) -> dict[str, Any]:  # fmt: skip
    """Merge the figures of ``vehicles`` into the figures file ``path`` and write it; returns its content.

    Parameters
    ----------
    path : Path
        The figures file (created if missing).
    vehicles : float
        Vehicles in the hour (the entry's key, ``f"{vehicles:g}"``).
    pairs : list of (dict, dict, dict)
        Per seed ``0 .. len(pairs) - 1``: the :func:`figures` of the run with give-way off and on,
        and their :func:`pair_figures`.
    facts : dict
        Provenance and settings of the entry (date, commit, loads, wall time, DUO interval,
        command, junction counts, shortest free-flow time).
    variants : dict, optional
        Route-choice variant of :data:`VARIANTS` -> its seed-0 pair (as in ``pairs``).

    Returns
    -------
    dict
        ``cases``: ``"<vehicles>"`` -> ``facts``, ``vehicles``, ``seeds``, ``off`` / ``on`` (per
        figure of :data:`SEED_FIGURES`, its value per seed), per figure of :data:`PAIR_FIGURES` its
        value per seed, and ``variants``: name -> ``options`` and the same lists of one value.
    """
    import bench_traffic_dynamic as bd

    entry = {**facts, "vehicles": float(vehicles), "seeds": list(range(len(pairs))), **_sides(pairs)}
    entry["variants"] = {name: {"options": VARIANTS[name], **_sides([pair])} for name, pair in (variants or {}).items()}
    return merge_case(path, f"{vehicles:g}", entry,
                      bd.STGILLES_CASE_TEXT + "experienced link times, duo_noise 0.01); give-way: the scene's junctions, no signals; full_links: links at "
                      "95 % of jam storage; driven_free_h: free-flow time of the links driven; shortest_free_h: of the OD pairs' "
                      "shortest free-flow routes; curve_diff_veh: largest difference of the off and on cumulative curves; variants: seed 0")


def sd(x: np.ndarray) -> float:
    """Sample standard deviation of ``x``; NaN for one value."""
    return float(x.std(ddof=1)) if x.size > 1 else float("nan")


def main(argv: list[str] | None = None) -> list[str]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vehicles", type=float, default=3000.0, help="vehicles in the hour (default 3000, the docs' case)")
    ap.add_argument("--seeds", type=int, default=10, help="DUO noise seeds of part 4 (default 10)")
    ap.add_argument("--output", type=Path, default=OUT, help="figures file of part 4 (default benchmarks/figures/traffic_give_way_seeds.json)")
    args = ap.parse_args(argv)
    command = "nice -n 10 python benchmarks/traffic_stgilles_give_way_delay_p15g.py " + " ".join(argv if argv is not None else sys.argv[1:])
    lines: list[str] = []

    def say(text: str) -> None:
        lines.append(text)
        print(text, flush=True)

    load0 = os.getloadavg()[0]
    started = time.perf_counter()
    stamp = measurement_stamp()
    say(f"{stamp['date']}, commit {stamp['commit']}, load average {load0:.2f}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = case(args.vehicles)
        net = c["net"]
        say(f"Saint-Gilles, {args.vehicles:g} vehicles in the hour, {net.n_links} car links, {c['junctions'].summary()}; "
            f"2 h, 1 s steps, DUO every {c['opts']['duo_interval_s']:g} s, experienced times, noise 0.01, seed 0")  # fmt: skip
        run(c, True, duration_s=60.0)  # warm-up: compilation
        off, on, both = run_pair(c)
    say("1. accounting                      off        on")
    rows = [("generated veh", "generated_veh"), ("departed veh", "departed_veh"), ("arrived veh", "arrived_veh"),
            ("in the network at the end, veh", "in_network_end_veh"), ("origin-queue wait, veh-h", "origin_wait_veh_h"), ("horizon, s", "horizon_s"),
            ("total travel time, veh-h", "total_travel_time_veh_h"), ("free-flow time of driven routes", "driven_free_h"),
            ("travel - free-flow, veh-h", "tt_minus_free_h"), ("total delay (totals()), veh-h", "total_delay_veh_h"),
            ("vehicle-km", "vehicle_km"), ("mean trip, s", "mean_trip_time_s")]  # fmt: skip
    rows += [
        (f"{k} {what}", f"{k}_{col}")
        for k in ("approaches", "ring", "other")
        for what, col in (("delay, veh-h", "delay_h"), ("veh-h", "veh_h"), ("veh-km", "vkm"))
    ]
    for label, key in rows:
        say(f"  {label:32s} {off[key]:9.2f} {on[key]:9.2f}")
    say(f"  {'shortest free-flow time, veh-h':32s} {c['shortest_free_h']:9.2f} (both: the OD pairs' shortest free-flow routes)")
    say("2. routes")
    say(f"  veh-km main roads {off['vkm_main']:.0f} -> {on['vkm_main']:.0f}, other streets {off['vkm_other']:.0f} -> {on['vkm_other']:.0f}")
    change = on["entered"] - off["entered"]
    for k in np.argsort(-np.abs(change))[:6].tolist():
        kind = "yielding approach" if c["approach"][k] else ("ring" if c["ring"][k] else ("main road" if c["main"][k] else "other street"))
        say(f"  link {net.link_ids[k]!s:>12} ({kind:17s}) entering {off['entered'][k]:6.0f} -> {on['entered'][k]:6.0f} veh, "
            f"delay {off['delay_link_h'][k]:5.2f} -> {on['delay_link_h'][k]:5.2f} veh-h")  # fmt: skip
    drop = off["delay_link_h"] - on["delay_link_h"]
    say(f"  delay change by link: {int((drop > 0.05).sum())} links lose > 0.05 veh-h ({drop[drop > 0.05].sum():.1f} veh-h), "
        f"{int((drop < -0.05).sum())} gain > 0.05 veh-h ({-drop[drop < -0.05].sum():.1f} veh-h)")  # fmt: skip
    say("3. spillback")
    say(f"  links full (>= {FULL_SHARE:.0%} of jam storage) off {off['full_links']} (yielding approaches {off['full_approaches']}), "
        f"on {on['full_links']} (yielding approaches {on['full_approaches']}), full in both {both['full_both']}; "
        f"largest queue {off['max_queue_veh']:.1f} -> {on['max_queue_veh']:.1f} veh")  # fmt: skip
    say(f"4. seeds 0-{args.seeds - 1} of the DUO noise")
    pairs = []
    load4 = os.getloadavg()[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for seed in range(args.seeds):
            pairs.append((off, on, both) if seed == 0 else run_pair(c, seed=seed))
            say(pair_line(f"seed {seed}", *pairs[-1][:2]) + f"  curves differ by {pairs[-1][2]['curve_diff_veh']:.3g} veh")
    for key, label in (("total_delay_veh_h", "delay, veh-h"), ("total_travel_time_veh_h", "travel time, veh-h"), ("vehicle_km", "veh-km")):
        a = np.array([p[0][key] for p in pairs])
        b = np.array([p[1][key] for p in pairs])
        d = b - a
        say(f"  {label:20s} off mean {a.mean():7.1f} sd {sd(a):5.1f} (min {a.min():.1f}, max {a.max():.1f}); on mean {b.mean():7.1f} sd {sd(b):5.1f} "
            f"(min {b.min():.1f}, max {b.max():.1f}); on - off mean {d.mean():+.1f} (sd {sd(d):.1f}), lower with give-way in {int((d < 0).sum())} of {d.size}")  # fmt: skip
    say("5. other route choices (seed 0)")
    variants = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, extra in VARIANTS.items():
            variants[name] = run_pair(c, **extra)
            say(pair_line(name, *variants[name][:2]))
    wall = time.perf_counter() - started
    facts = {**stamp, "load_1min_before": load4, "load_1min_after": os.getloadavg()[0], "wall_s": wall, "duo_interval_s": float(c["opts"]["duo_interval_s"]),
             "command": command.strip(), "junctions": c["junctions"].summary(), "shortest_free_h": c["shortest_free_h"]}  # fmt: skip
    merge(args.output, args.vehicles, pairs, facts, variants)
    say(f"(figures merged into {args.output})")
    say(f"wall {wall:.0f} s, load average {load0:.2f} -> {os.getloadavg()[0]:.2f}")
    return lines


if __name__ == "__main__":
    main()
