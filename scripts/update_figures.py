"""Write the measured figures of README.md and docs/*.md from the benchmarks' JSON files.

Figures in the pages are never typed: a benchmark merges what it measured into
``benchmarks/figures/<name>.json`` and this script rewrites every marked block from those files::

    <!-- figures:energy_kernel -->
    (a table, rewritten)
    <!-- /figures:energy_kernel -->

A block may also sit inside one line (a table cell of the README):
``| energy kernel speed | ... | <!-- figures:energy_kernel.summary -->text<!-- /figures:energy_kernel.summary --> |``.
``NAME`` is the stem of the JSON file, optionally ``.view`` for another rendering of it
(:data:`RENDERERS` lists them). A block whose name has no renderer, or whose JSON file is
missing, is an error naming the page, the block and the benchmark to run; nothing is written then.

Run::

    python scripts/update_figures.py                # rewrite README.md and docs/*.md
    python scripts/update_figures.py --check        # exit 1 if a page is not up to date (CI)
    python scripts/update_figures.py docs/solar.md  # only these pages

Exit codes: 0 done (or up to date), 1 ``--check`` found pages to update, 2 bad block or
missing figures.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIGURES_DIR = ROOT / "benchmarks" / "figures"

BLOCK = re.compile(r"<!-- figures:(?P<name>[\w.-]+) -->(?P<body>.*?)<!-- /figures:(?P=name) -->", re.S)
"""A marked block: opening and closing markers with the same name, on one line or around lines."""


class FiguresError(Exception):
    """A block that cannot be written (unknown name, missing or malformed figures)."""


# ----------------------------------------------------------------------------- renderers
def _case_order(cases: dict) -> list[str]:
    return sorted(cases, key=lambda k: cases[k].get("n_buildings", 0))


def energy_kernel_table(data: dict) -> str:
    """A table of the 5R1C stock kernel per stock size (benchmarks/bench_energy_kernel.py)."""
    cases = data.get("cases") or {}
    if not cases:
        raise FiguresError("no cases in the figures")
    rows = [
        "| buildings × hours | wall (best) | building-years/s | × the Python loop (wall) | CPU ns per building-hour | "
        "× the loop per core (CPU) | peak RSS | load (1 min) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key in _case_order(cases):
        c = cases[key]
        rows.append(
            f"| {c['n_buildings']:,} × {c['n_hours']:,} | {c['wall_s']:.3f} s | {c['building_years_per_s']:,.0f} | "
            f"{c['speedup_vs_python']:,.0f}× | {c['cpu_ns_per_building_hour']:.2f} | {c['cpu_speedup_vs_python_per_core']:,.0f}× | "
            f"{c['max_rss_gb']:.2f} GB | {c['load_average_1min']:.1f} |"
        )
    dates = sorted({c["date"] for c in cases.values()})
    threads = sorted({str(c["numba_threads"]) for c in cases.values()})
    cpus = sorted({str(c["cpus"]) for c in cases.values()})
    drivers = sorted({c["drivers"] for c in cases.values()})
    note = (
        f"Measured {', '.join(dates)} by `pytest benchmarks/bench_energy_kernel.py --benchmark-only -s` "
        f"({'/'.join(threads)} Numba threads on a {'/'.join(cpus)}-CPU machine shared with other work; drivers: "
        f"{', '.join(drivers)}; figures in `benchmarks/figures/energy_kernel.json`). The Python loop is "
        "`tests/energy_reference.py` in the same run; wall-time ratios move with the load, CPU time less."
    )
    return "\n" + note + "\n\n" + "\n".join(rows) + "\n"


def energy_kernel_summary(data: dict) -> str:
    """One line for the README's table cell: the largest stock's time and the ratio ranges."""
    cases = data.get("cases") or {}
    if not cases:
        raise FiguresError("no cases in the figures")
    order = _case_order(cases)
    big = cases[order[-1]]
    wall = [cases[k]["speedup_vs_python"] for k in order]
    cpu = [cases[k]["cpu_speedup_vs_python_per_core"] for k in order]

    def span(values: list[float]) -> str:
        lo, hi = min(values), max(values)
        return f"{lo:,.0f}×" if round(lo) == round(hi) else f"{lo:,.0f}–{hi:,.0f}×"

    sizes = f"{order[0]}–{order[-1]}" if len(order) > 1 else order[0]
    return (
        f"{big['n_buildings']:,} buildings × {big['n_hours']:,} h in {big['wall_s']:.2f} s ({big['max_rss_gb']:.2f} GB, load "
        f"{big['load_average_1min']:.1f}); {span(wall)} the loop in wall time ({sizes}), {span(cpu)} per core"
    )


def solar_region_page(data: dict) -> str:
    """The measured part of docs/solar.md (the renderer of benchmarks/bench_solar_region.py)."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.bench_solar_region import render

    return "\n\n" + render(data) + "\n\n"


def solar_region_summary(data: dict) -> str:
    """One line: region cadastre and energy run times against the PBF read."""
    c, e = data.get("cadastre"), data.get("energy")
    if not c and not e:
        raise FiguresError("neither 'cadastre' nor 'energy' in the figures")
    parts = []
    if c:
        parts.append(f"solar cadastre of {c['n_buildings']:,} buildings in {c['end_to_end_s']:.1f} s ({c['ratio']:.1f}× the PBF read)")
    if e:
        parts.append(f"`twin energy run` on the region in {e['in_process_s']:.1f} s ({e['in_process_ratio']:.1f}× the read)")
    return "; ".join(parts)


def traffic_grid11_summary(data: dict) -> str:
    """One line: twin's dynamic loading against UXsim on grid11 at each demand scale
    (benchmarks/bench_traffic_grid11_uxsim.py): mean trip time (or the share of vehicles that
    arrived when not all did) and the links that queue, twin first."""
    rows = data.get("summary") or []
    if not rows:
        raise FiguresError("no 'summary' in the figures")

    def trip(e: dict) -> str:
        t = e.get("mean_trip_time_s")
        if t is not None and e.get("arrived_share", 0.0) >= 0.999 and t == t:
            return f"mean trip {t:,.0f} s"
        return f"{100 * e.get('arrived_share', 0.0):.0f} % of vehicles arrived"

    reference = data.get("reference") or "UXsim 1.15.1 C++ deltan 1"
    parts = []
    for row in rows:
        engines = row["engines"]
        default = engines.get("twin experienced link times", engines["twin"])
        option = engines["twin"]
        peer = engines[reference]
        parts.append(f"{row['scale']:g}× demand: {trip(default)} (option: {trip(option)}) vs {trip(peer)}, links that queue "
                     f"{default['queued_links']:.0f} ({option['queued_links']:.0f}) vs {peer['queued_links']:.0f}")
    load = max(data.get("load_average_before", [0.0])[0], data.get("load_average_after", [0.0])[0])
    return (f"twin (DUO, 600 s route updates; default: experienced link times; option `duo_time=instantaneous` in brackets) "
            f"vs {reference} (the reference: platoons of 1), means over {data.get('seeds', '?')} seeds; a link queues when its "
            "vertical queue stays at 10 vehicles or more for 60 s, measured alike on both: "
            + "; ".join(parts) + f" (load {load:.1f})")


def _junction_signals(sig: dict | None) -> str:
    if not sig:
        return "-"
    text = f"{sig['signals']} / {sig['signal_approaches']}"
    if sig.get("split", "equal") != "equal":
        text += f", split by {sig['split']} at {sig['nodes_split']}" + (f" ({sig['nodes_one_axis']} on one axis)" if sig.get("nodes_one_axis") else "")
    return text


def traffic_stgilles_junctions(data: dict) -> str:
    """A table of the Saint-Gilles morning car traffic under each junction model, and where it was
    measured (benchmarks/traffic_stgilles_junctions.py): one provenance line per run that wrote rows."""
    variants = data.get("variants") or {}
    names = [n for n in data.get("order", []) if n in variants] + [n for n in variants if n not in data.get("order", [])]
    if not names:
        raise FiguresError("no 'variants' in the figures")
    signs = any((variants[n].get("give_way") or {}).get("sign_junctions") for n in names)  # junctions decided by signs in the data
    rows = ["| car network | car trips | vehicle-km residential | vehicle-km main | signals: nodes / approaches | junctions with give-way "
            f"(major road / right / roundabout{' / signs' if signs else ''}) | yielding approaches (roundabout entries) "
            "| main-road approaches yielding to the right | capacity change, last pass (passes) |",
            "|---|---|---|---|---|---|---|---|---|"]
    runs: dict[tuple, list[str]] = {}
    for name in names:
        v = variants[name]
        gw = v.get("give_way")
        kinds = ["major_road_junctions", "priority_to_right_junctions", "roundabout_junctions"] + (["sign_junctions"] if signs else [])
        junctions = f"{gw['junctions']} ({' / '.join(str(gw.get(k, 0)) for k in kinds)})" if gw else "-"
        yielding = f"{gw['yielding_approaches']} ({gw['roundabout_entries']})" if gw else "-"
        right = str(v["main_road_yielding"].get("right", 0)) if v.get("main_road_yielding") is not None else "-"
        change = f"{100 * v['give_way_change']:.2g} %" if v.get("give_way_change") is not None else "-"
        fixed = v.get("give_way_fixed_point")
        if fixed:
            n = fixed["give_way_passes"]
            change += f" ({n} pass{'' if n == 1 else 'es'}{'' if fixed['give_way_converged'] else ', NOT converged'})"
        rows.append(f"| {name} | {v['car_trips']:,.1f} | {v['vehicle_km_residential']:,.0f} | {v['vehicle_km_main']:,.0f} | {_junction_signals(v.get('signals'))} "
                    f"| {junctions} | {yielding} | {right} | {change} |")
        runs.setdefault((v["command"], v["commit"], v["options"]["feedback"]), []).append(name)
    lines = []
    for (command, commit, feedback), members in runs.items():
        dates = sorted({variants[n]["date"] for n in members})
        loads = [variants[n][k] for n in members for k in ("load_1min_before", "load_1min_after") if variants[n].get(k) is not None]
        dirty = {n: variants[n].get("uncommitted") or [] for n in members}
        files = sorted({f for fs in dirty.values() for f in fs})
        local = ""
        if files:
            local = f" with uncommitted changes to {', '.join(files)}" + ("" if all(dirty.values()) else f" (rows {', '.join(n for n in members if dirty[n])})")
        which = "" if len(runs) == 1 else f"rows {', '.join(members)}: "
        tolerances = sorted({variants[n]["give_way_fixed_point"]["give_way_tolerance"] for n in members if variants[n].get("give_way_fixed_point")})
        if tolerances:
            local += f", give-way fixed point to {' / '.join(f'{100 * t:g}' for t in tolerances)} %"
        lines.append(f"{which}`{command}` (morning peak, feedback {feedback}), {' to '.join(dict.fromkeys([dates[0], dates[-1]]))}, commit {commit}{local}, "
                     f"{sum(variants[n]['wall_s'] for n in members):.1f} s of runs, 1-minute load average {f'{min(loads):.2f}–{max(loads):.2f}' if loads else 'n/a'}")
    return ("\n" + "\n".join(rows) + "\n\nMeasured by " + "; ".join(lines)
            + " (every row its own run; `python scripts/update_figures.py` writes this table from benchmarks/figures/traffic_stgilles_junctions.json).\n")


DUO_TABLE_CASES = (("Saint-Gilles 3,000 veh", "Saint-Gilles 3,000", True), ("Saint-Gilles 3,000 veh, give-way", "with give-way", False),
                   ("grid11 1x", "grid11 1x", False))  # fmt: skip
"""(case of traffic_duo_interval.json, column label, with a veh-km column) of the DUO-interval table, in order."""
DUO_LIGHT_CASE = "Saint-Gilles 2,000 veh"
"""The uncongested case of the DUO-interval study (a sentence, not a column)."""
DUO_SETTLED_S = 60.0
"""The interval from which docs/traffic.md says trip times settle (compared with the shortest interval)."""
NO_DELAY_VEH_H = 0.05
"""A mean delay below this, veh-h, is written "no delay" (it rounds to 0.0)."""


def _seeds_text(seeds: list[int]) -> str:
    """``0-2`` for consecutive seeds, else ``0, 3, 5``."""
    seeds = sorted(int(s) for s in seeds)
    if len(seeds) > 2 and seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f"{seeds[0]}-{seeds[-1]}"
    return ", ".join(str(s) for s in seeds)


def _mean_sd(mean: float, sd: float) -> str:
    """``mean ± sd``, 1 decimal, none when the sd is 10 or more (the mean alone when the sd is NaN)."""
    if sd != sd:
        return f"{mean:,.1f}"
    dec = 0 if round(sd, 1) >= 10 else 1
    return f"{mean:,.{dec}f} ± {sd:,.{dec}f}"


def _duo_rows(data: dict, case: str) -> list[dict]:
    """The rows of ``case`` of traffic_duo_interval.json, longest interval first."""
    cases = data.get("cases") or {}
    if not cases:
        raise FiguresError("no 'cases' in the figures")
    if case not in cases or not cases[case].get("intervals"):
        raise FiguresError(f"no intervals of the case {case!r} in the figures (cases: {', '.join(cases)})")
    return sorted(cases[case]["intervals"].values(), key=lambda r: -r["interval_s"])


def _duo_at(data: dict, case: str, interval_s: float) -> dict:
    """The row of ``case`` at ``interval_s``."""
    for r in _duo_rows(data, case):
        if r["interval_s"] == interval_s:
            return r
    raise FiguresError(f"no {interval_s:g} s interval of the case {case!r} in the figures")


def traffic_duo_interval_table(data: dict) -> str:
    """docs/traffic.md: where the DUO-interval study was measured, and its table of mean ± sd over
    seeds per interval (benchmarks/traffic_duo_interval_p15i.py)."""
    rows_of = {case: {r["interval_s"]: r for r in _duo_rows(data, case)} for case, _, _ in DUO_TABLE_CASES}
    header, rule = ["interval, s"], ["---:"]
    for _, label, vkm in DUO_TABLE_CASES:
        header += [f"{label}: delay, veh-h", "trip, s"] + (["veh-km"] if vkm else [])
        rule += ["---:"] * (3 if vkm else 2)
    seeds_all = {tuple(r["seeds"]) for rows in rows_of.values() for r in rows.values()}
    common = max(seeds_all, key=lambda s: sum(tuple(r["seeds"]) == s for rows in rows_of.values() for r in rows.values()))
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(rule) + "|"]
    for interval in sorted({i for rows in rows_of.values() for i in rows}, reverse=True):
        cells = [f"{interval:g}"]
        for case, _, vkm in DUO_TABLE_CASES:
            r = rows_of[case].get(interval)
            if r is None:
                cells += ["-"] * (3 if vkm else 2)
                continue
            mark = "" if tuple(r["seeds"]) == common else f" (seeds {_seeds_text(r['seeds'])})"
            cells += [_mean_sd(r["total_delay_veh_h_mean"], r["total_delay_veh_h_sd"]) + mark, _mean_sd(r["mean_trip_time_s_mean"], r["mean_trip_time_s_sd"])]
            cells += [f"{r['vehicle_km_mean']:,.0f}"] if vkm else []
        lines.append("| " + " | ".join(cells) + " |")
    every = [r for case in data["cases"] for r in _duo_rows(data, case)]
    runs: dict[tuple[str, str], list[dict]] = {}
    for r in every:
        runs.setdefault((r["date"], r["commit"]), []).append(r)
    where = []
    for (date, commit), members in sorted(runs.items()):
        loads = [r[k] for r in members for k in ("load_1min_before", "load_1min_after")]
        which = "" if len(runs) == 1 else "intervals " + ", ".join(f"{i:g}" for i in sorted({r["interval_s"] for r in members}, reverse=True)) + " s: "
        where.append(f"{which}{date}, commit {commit}, {sum(r['wall_per_run_s'] * len(r['seeds']) for r in members):,.0f} s of runs, "
                     f"1-minute load average {min(loads):.2f}–{max(loads):.2f}")  # fmt: skip
    note = (f"Measured by `python benchmarks/traffic_duo_interval_p15i.py`: {'; '.join(where)}; mean ± sd over seeds {_seeds_text(list(common))} "
            "(`python scripts/update_figures.py` writes this line and the table from benchmarks/figures/traffic_duo_interval.json).")  # fmt: skip
    return "\n" + note + "\n\n" + "\n".join(lines) + "\n"


def traffic_duo_interval_light(data: dict) -> str:
    """One phrase: the delay and mean trip of the uncongested Saint-Gilles case over the intervals run."""
    rows = _duo_rows(data, DUO_LIGHT_CASE)
    worst = max(r["total_delay_veh_h_mean"] for r in rows)
    trips = [r["mean_trip_time_s_mean"] for r in rows]
    span = f"{rows[0]['interval_s']:g} to {rows[-1]['interval_s']:g} s"
    delay = f"no delay at any interval from {span}" if worst < NO_DELAY_VEH_H else f"at most {worst:.1f} veh-h of delay at the intervals from {span}"
    trip = f"{min(trips):.1f} s" if round(min(trips), 1) == round(max(trips), 1) else f"{min(trips):.1f}-{max(trips):.1f} s"
    return f"{delay} (mean trip {trip})"


def traffic_duo_interval_swing(data: dict) -> str:
    """One phrase: Saint-Gilles 3,000 vehicle-km at the longest against the shortest interval."""
    rows = _duo_rows(data, DUO_TABLE_CASES[0][0])
    long, short = rows[0], rows[-1]
    return f"at {long['interval_s']:g} s, {long['vehicle_km_mean']:,.0f} veh-km against {short['vehicle_km_mean']:,.0f} at {short['interval_s']:g} s"


def traffic_duo_interval_settle(data: dict) -> str:
    """One phrase: mean trip time at :data:`DUO_SETTLED_S` against the shortest interval, Saint-Gilles 3,000 and grid11."""
    trips = {case: (_duo_at(data, case, DUO_SETTLED_S)["mean_trip_time_s_mean"], _duo_rows(data, case)[-1]) for case in
             (DUO_TABLE_CASES[0][0], DUO_TABLE_CASES[2][0])}  # fmt: skip
    (sg_at, sg_short), (grid_at, grid_short) = trips.values()
    off = [f"{100 * abs(at / short['mean_trip_time_s_mean'] - 1):.2g} %" for at, short in trips.values()]
    return (f"within {off[0]} of the {sg_short['interval_s']:g} s value on Saint-Gilles ({sg_at:.0f} vs {sg_short['mean_trip_time_s_mean']:.0f} s) "
            f"and {off[1]} on grid11" + ("" if grid_short["interval_s"] == sg_short["interval_s"] else f" (at {grid_short['interval_s']:g} s)"))


def traffic_duo_interval_delay(data: dict) -> str:
    """One phrase: total delay at :data:`DUO_SETTLED_S` and at the shortest interval, Saint-Gilles 3,000 and grid11."""
    sg, grid = DUO_TABLE_CASES[0][0], DUO_TABLE_CASES[2][0]
    parts = [f"{name} {_duo_at(data, case, DUO_SETTLED_S)['total_delay_veh_h_mean']:.1f} -> {_duo_rows(data, case)[-1]['total_delay_veh_h_mean']:.1f} veh-h"
             for name, case in (("Saint-Gilles", sg), ("grid11", grid))]  # fmt: skip
    return f"{', '.join(parts)} from {DUO_SETTLED_S:g} to {_duo_rows(data, sg)[-1]['interval_s']:g} s"


def traffic_duo_interval_sd(data: dict) -> str:
    """One phrase: the sd over seeds of the Saint-Gilles 3,000 delay at the longest interval and at :data:`DUO_SETTLED_S`."""
    sg = DUO_TABLE_CASES[0][0]
    long = _duo_rows(data, sg)[0]
    return (f"Saint-Gilles sd {long['total_delay_veh_h_sd']:.1f} -> {_duo_at(data, sg, DUO_SETTLED_S)['total_delay_veh_h_sd']:.1f} veh-h "
            f"from {long['interval_s']:g} to {DUO_SETTLED_S:g} s")  # fmt: skip


def traffic_duo_interval_cost(data: dict) -> str:
    """One phrase: wall time per run of each table case at every interval, longest first."""
    intervals = [r["interval_s"] for r in _duo_rows(data, DUO_TABLE_CASES[0][0])]
    parts = []
    for case, label, _ in DUO_TABLE_CASES:
        rows = _duo_rows(data, case)
        own = "" if [r["interval_s"] for r in rows] == intervals else " at " + " / ".join(f"{r['interval_s']:g}" for r in rows) + " s"
        parts.append(f"{label} " + " / ".join(f"{r['wall_per_run_s']:.1f}" for r in rows) + f" s{own}")
    return "wall time per run at " + " / ".join(f"{i:g}" for i in intervals) + f" s: {'; '.join(parts)}"


GIVE_WAY_SEEDS_CASE = "3000"
"""The entry of traffic_give_way_seeds.json quoted by docs/traffic.md (Saint-Gilles at 3,000 vehicles)."""
GIVE_WAY_LIGHT_CASE = "2000"
"""The uncongested entry of traffic_give_way_seeds.json (Saint-Gilles at 2,000 vehicles)."""
ALL_ARRIVE_VEH = 0.5
"""Arrived within this of generated, vehicles: "all arrive"."""
NO_WAIT_VEH_H = 0.05
"""An origin-queue wait below this, veh-h, is written "no origin wait" (it rounds to 0.0)."""
SAME_CURVES_VEH = 1e-6
"""Cumulative curves within this, vehicles, are written as those of give-way off."""
FIXED_ROUTES = "fixed routes"
"""Route-choice variants of p15g whose name starts so have no re-routing: quoted by their arrivals, not their delay."""


def _give_way_entry(data: dict, case: str = GIVE_WAY_SEEDS_CASE) -> dict:
    """The entry ``case`` of traffic_give_way_seeds.json."""
    entry = (data.get("cases") or {}).get(case)
    if not entry:
        raise FiguresError(f"no case {case!r} in the figures")
    return entry


def _give_way_seeds(data: dict) -> tuple[list[int], list[float], list[float]]:
    """Seeds, delay with give-way off and on (veh-h) of :data:`GIVE_WAY_SEEDS_CASE`; checks they pair up."""
    entry = _give_way_entry(data)
    seeds, off, on = entry["seeds"], entry["off"]["total_delay_veh_h"], entry["on"]["total_delay_veh_h"]
    if not seeds or not len(seeds) == len(off) == len(on):
        raise FiguresError(f"case {GIVE_WAY_SEEDS_CASE!r}: {len(seeds)} seeds, {len(off)} delays off, {len(on)} on")
    return [int(s) for s in seeds], [float(v) for v in off], [float(v) for v in on]


def _give_way_seed0(entry: dict, what: str) -> tuple[dict, dict, dict]:
    """Figures of seed 0 of an entry (or of one of its variants), give-way off, on, and of the pair (one value each)."""
    seeds = entry.get("seeds", [0])  # a variant of p15g holds seed 0 alone
    if 0 not in seeds:
        raise FiguresError(f"{what}: no seed 0 (seeds {_seeds_text(seeds)})")
    k = seeds.index(0)
    return ({key: v[k] for key, v in entry["off"].items()}, {key: v[k] for key, v in entry["on"].items()},
            {key: entry[key][k] for key in ("full_both", "curve_diff_veh")})  # fmt: skip


def traffic_give_way_seeds_range(data: dict) -> str:
    """One phrase: min-max of the delay with give-way off over the seeds."""
    _, off, _ = _give_way_seeds(data)
    return f"{min(off):.1f}-{max(off):.1f} veh-h"


def traffic_give_way_seeds_off(data: dict) -> str:
    """One phrase: min-max, mean and sd of the delay with give-way off over the seeds."""
    seeds, off, _ = _give_way_seeds(data)
    sd = f", sd {statistics.stdev(off):.1f}" if len(off) > 1 else ""
    return f"{min(off):.1f}-{max(off):.1f} veh-h of delay over seeds {_seeds_text(seeds)}, mean {statistics.fmean(off):.1f}{sd}"


def traffic_give_way_seeds_pair(data: dict) -> str:
    """One phrase: the delay over the seeds off and on, and in how many seeds give-way lowers it."""
    seeds, off, on = _give_way_seeds(data)
    lower = sum(b < a for a, b in zip(off, on, strict=True))
    return (f"{min(off):.1f}-{max(off):.1f} veh-h (seeds {_seeds_text(seeds)}, mean {statistics.fmean(off):.1f}; "
            f"on: {min(on):.1f}-{max(on):.1f}, mean {statistics.fmean(on):.1f}, lower in {lower} of {len(seeds)})")  # fmt: skip


def traffic_give_way_seeds_measured(data: dict) -> str:
    """One phrase: where the quoted entries were measured (date, commit, wall time, load), and by which command."""
    parts = []
    for case in (GIVE_WAY_SEEDS_CASE, GIVE_WAY_LIGHT_CASE):
        e = _give_way_entry(data, case)
        loads = (e["load_1min_before"], e["load_1min_after"])
        parts.append(f"`{e['command'].removeprefix('nice -n 10 ')}`: {e['date']}, commit {e['commit']}, {e['wall_s']:.0f} s, "
                     f"1-minute load average {min(loads):.2f}–{max(loads):.2f}")  # fmt: skip
    return "measured by " + "; ".join(parts)


def traffic_give_way_seeds_junctions(data: dict) -> str:
    """One phrase: the junctions and yielding approaches of the Saint-Gilles scene."""
    j = _give_way_entry(data)["junctions"]
    return f"{j['junctions']:,} junctions, {j['yielding_approaches']:,} yielding approaches"


def traffic_give_way_seeds_light(data: dict) -> str:
    """One phrase: what give-way changes at 2,000 vehicles (seed 0): the largest difference of the cumulative curves."""
    entry = _give_way_entry(data, GIVE_WAY_LIGHT_CASE)
    _, _, pair = _give_way_seed0(entry, f"case {GIVE_WAY_LIGHT_CASE!r}")
    head = f"at {entry['vehicles']:,.0f} vehicles"
    if pair["curve_diff_veh"] < SAME_CURVES_VEH:
        return f"{head} give-way changes nothing: every link's cumulative curves are those of give-way off (largest difference {pair['curve_diff_veh']:.1g} veh)"
    return f"{head} give-way moves the cumulative curves by up to {pair['curve_diff_veh']:.2g} veh"


def traffic_give_way_seeds_seed0(data: dict) -> str:
    """One phrase: the total delay of seed 0 with give-way off and on."""
    off, on, _ = _give_way_seed0(_give_way_entry(data), f"case {GIVE_WAY_SEEDS_CASE!r}")
    a, b = off["total_delay_veh_h"], on["total_delay_veh_h"]
    verb = "falls" if round(b, 1) < round(a, 1) else ("rises" if round(b, 1) > round(a, 1) else "stays")
    return f"the total delay {verb} from {a:.1f} to {b:.1f} veh-h (seed 0)" if verb != "stays" else f"the total delay stays at {a:.1f} veh-h (seed 0)"


def _arrive_text(off: dict, on: dict) -> str:
    """``all arrive`` when both runs deliver every vehicle, else the arrivals off / on."""
    if all(abs(f["arrived_veh"] - f["generated_veh"]) < ALL_ARRIVE_VEH for f in (off, on)):
        return "all arrive"
    return f"{off['arrived_veh']:,.0f} / {on['arrived_veh']:,.0f} of {off['generated_veh']:,.0f} arrive"


def traffic_give_way_seeds_accounting(data: dict) -> str:
    """One phrase: seed 0's accounting with give-way off / on (arrivals, origin wait, travel time, free-flow time of the
    links driven and of the shortest routes) and its full links."""
    entry = _give_way_entry(data)
    off, on, pair = _give_way_seed0(entry, f"case {GIVE_WAY_SEEDS_CASE!r}")
    waits = (off["origin_wait_veh_h"], on["origin_wait_veh_h"])
    wait = "no origin wait" if max(waits) < NO_WAIT_VEH_H else f"origin wait {max(waits[0], 0.0):.1f} / {max(waits[1], 0.0):.1f} veh-h"
    n_off, n_on, both = int(off["full_links"]), int(on["full_links"]), int(pair["full_both"])
    full = f"the same {both} links full in both" if n_off == n_on == both else f"{n_off} / {n_on} links full, {both} of them in both"
    return (f"({_arrive_text(off, on)}, {wait}; travel time {off['total_travel_time_veh_h']:.1f} / {on['total_travel_time_veh_h']:.1f} veh-h "
            f"less the free-flow time of the links driven, {off['driven_free_h']:.1f} / {on['driven_free_h']:.1f}; shortest routes "
            f"{entry['shortest_free_h']:.1f}) and {full}")  # fmt: skip


def traffic_give_way_seeds_routes(data: dict) -> str:
    """One phrase: the mean change of vehicle-km over the seeds with give-way."""
    entry = _give_way_entry(data)
    off, on = entry["off"]["vehicle_km"], entry["on"]["vehicle_km"]
    if not off or len(off) != len(on):
        raise FiguresError(f"case {GIVE_WAY_SEEDS_CASE!r}: {len(off)} vehicle-km off, {len(on)} on")
    d = statistics.fmean(on) - statistics.fmean(off)
    return f"{abs(d):,.0f} veh-km {'fewer' if d < 0 else 'more'} on mean over the seeds"


def traffic_give_way_seeds_variants(data: dict) -> str:
    """One phrase: seed 0 of each route-choice variant: the change of total delay with give-way (off -> on), and for
    fixed routes the arrivals."""
    variants = _give_way_entry(data).get("variants")
    if not variants:
        raise FiguresError(f"case {GIVE_WAY_SEEDS_CASE!r} has no route-choice variants")
    parts, fixed = [], []
    for name, v in variants.items():
        off, on, _ = _give_way_seed0(v, f"variant {name!r}")
        if name.startswith(FIXED_ROUTES):
            fixed.append(f"{name.removeprefix(FIXED_ROUTES).lstrip(': ')} {_arrive_text(off, on)}")
            continue
        a, b = off["total_delay_veh_h"], on["total_delay_veh_h"]
        parts.append(f"{name} {b - a:+.1f} veh-h ({a:.1f} -> {b:.1f})")
    text = "; ".join(parts)
    return text + (f"; {FIXED_ROUTES} (off / on): {', '.join(fixed)}" if fixed else "")


_QUANTITY_LABELS = {
    "heating_mwh": ("heating", "MWh"),
    "cooling_mwh": ("cooling", "MWh"),
    "peak_heating_kw": ("peak heating", "kW"),
    "peak_cooling_kw": ("peak cooling", "kW"),
    "t_air_min_c": ("min air temperature", "degC"),
    "t_air_max_c": ("max air temperature", "degC"),
    "t_air_mean_c": ("mean air temperature", "degC"),
}


def _bestest_cells(data: dict):
    """(case, quantity, figures) of every BESTEST quantity that has a range, in case order."""
    cases = (data.get("bestest") or {}).get("cases") or {}
    if not cases:
        raise FiguresError("no BESTEST cases in the figures")
    for case in sorted(cases):
        for q, cell in cases[case].items():
            if cell.get("range") is not None:
                yield case, q, cell


def energy_validation_table(data: dict) -> str:
    """docs/energy.md: BESTEST per case and quantity (spec and stock paths, range, inside) and the deltas
    (scripts/energy_validation_figures.py)."""
    b = data["bestest"]
    rows = [
        "| case | quantity | spec path | stock path | range (140-2020 programs) | programs' mean | inside |",
        "|---|---|---|---|---|---|---|",
    ]
    for case, q, c in _bestest_cells(data):
        label, unit = _QUANTITY_LABELS[q]
        lo, hi = c["range"]
        delta = "" if c["inside"] else (f" ({c['spec'] - hi:+.3f} above)" if c["spec"] > hi else f" ({c['spec'] - lo:+.3f} below)")
        rows.append(f"| {case.upper()} | {label} {unit} | {c['spec']:.3f} | {c['stock']:.3f} | {lo:.3f} to {hi:.3f} | "
                    f"{c['programs_mean']:.3f} | {'yes' if c['inside'] else 'no' + delta} |")
    drows = ["| delta | quantity | ours | programs' means |", "|---|---|---|---|"]
    for d in b.get("deltas", []):
        label, unit = _QUANTITY_LABELS[d["quantity"]]
        drows.append(f"| {d['case']} - {d['base']} | {label} {unit} | {d['ours']:+.3f} | {d['programs_mean']:+.3f} |")
    n_in = sum(1 for _, _, c in _bestest_cells(data) if c["inside"])
    n_all = sum(1 for _ in _bestest_cells(data))
    note = (
        f"Computed {data['date']} by `{data['command']}` (weather {b['weather']}; ranges and means: {b['ranges_source']}). "
        f"{n_in} of {n_all} quantities inside the range. The stock path is the {b['n_buildings_stock']} cases as one stock in one "
        f"kernel call; largest relative difference to the spec path {b['max_rel_diff_stock_vs_spec']:.1e}."
    )
    return "\n" + note + "\n\n" + "\n".join(rows) + "\n\nDeltas between cases (annual loads; the programs' column is the difference of their means):\n\n" + "\n".join(drows) + "\n"


def energy_validation_bestest(data: dict) -> str:
    """One line for the README: how many BESTEST quantities are inside the range, and the ones outside."""
    cells = list(_bestest_cells(data))
    b = data["bestest"]
    out = [f"{case.upper()} {_QUANTITY_LABELS[q][0]} {c['spec']:.2f} ({c['range'][0]:g}–{c['range'][1]:g})" for case, q, c in cells if not c["inside"]]
    n_cases = len(b["cases"])
    return (
        f"{len(cells) - len(out)} of {len(cells)} quantities of {n_cases} cases inside the 140-2020 example programs' range, "
        f"the same on the stock path ({n_cases} cases as one stock, {b['max_rel_diff_stock_vs_spec']:.0e} from the spec path); "
        f"outside: {', '.join(out)}"
    )


def energy_validation_bestest_iso52016(data: dict) -> str:
    """One line for the README: the finer zone model's BESTEST (inside / outside the range) and its stock front end."""
    f = data.get("bestest_iso52016")
    if not f or not f.get("cases"):
        raise FiguresError("no BESTEST cases of the finer model in the figures")
    cells = [(case, q, c) for case in f["cases"] for q, c in f["cases"][case].items()]
    out = [f"{case.upper()} {_QUANTITY_LABELS[q][0]} {c['spec']:.3f} ({c['range'][0]:g}–{c['range'][1]:g})" for case, q, c in cells if not c["inside"]]
    same = f["stock_max_rel_diff"]
    refused = sorted(f["stock_refused"], key=lambda c: (c[0], "ff" in c, c))
    worst = max(same.values(), default=float("nan"))
    line = (
        f"{len(cells) - len(out)} of {len(cells)} quantities of {len(f['cases'])} cases inside the range; outside: {', '.join(out)}. "
        f"Stock front end: {len(same)} of {len(f['cases'])} cases, {worst:.0e} from the spec path"
    )
    if refused:  # the reasons are in the figures file (stock_refused), one message per case
        line += f"; it refuses {', '.join(c.upper() for c in refused)} (reasons: stock_refused in benchmarks/figures/energy_validation.json)"
    return line


def energy_validation_bestest_solar(data: dict) -> str:
    """One line for the README: the BESTEST solar outputs (Tables B8-11..B8-15) inside / outside the programs' range."""
    q = data.get("bestest_solar", {}).get("quantities")
    if not q:
        raise FiguresError("no BESTEST solar outputs in the figures")
    out = [f"{name} {c['value']:.{1 if abs(c['value']) >= 10 else 3}f} ({c['range'][0]:g}–{c['range'][1]:g})" for name, c in q.items() if not c["inside"]]
    return f"{len(q) - len(out)} of {len(q)} inside the range; outside: {', '.join(out) if out else 'none'}"


def energy_validation_tabula(data: dict) -> str:
    """One line for the README: the TABULA typology check."""
    t = data["tabula"]
    film = "film correction on, the stock model's option" if t["film_correction"] else "plain ISO network"
    return f"heating need {t['ratio_min']:.2f}–{t['ratio_max']:.2f} × TABULA's `q_h_nd` ({t['n_buildings']} buildings, {film})"


def energy_validation_tabula_iso52016(data: dict) -> str:
    """One line for the README: the TABULA check through the finer model (operative and air control)."""
    t = data.get("tabula_iso52016")
    if t is None:
        raise FiguresError("energy_validation.json has no 'tabula_iso52016': run python scripts/energy_validation_figures.py")
    op, air = t["operative"], t["air"]
    text = (f"heating need {op['ratio_min']:.2f}–{op['ratio_max']:.2f} × TABULA's `q_h_nd` (median {op['ratio_median']:.2f}; "
            f"{op['within_25_percent']} of {t['n_buildings']} within 25 %) with the setpoint on the operative temperature (the stock's "
            f"default); {air['ratio_min']:.2f}–{air['ratio_max']:.2f} on the air temperature")
    wind = t.get("operative_doe2_city")
    if wind is not None:
        text += (f"; with the BESTEST cases' wind-dependent exterior links (terrain city) {wind['ratio_min']:.2f}–{wind['ratio_max']:.2f} "
                 f"({wind['within_25_percent']} of {t['n_buildings']} within 25 %)")
    return text


#: Block name -> (JSON file under benchmarks/figures/, renderer, benchmark that writes the file).
RENDERERS: dict[str, tuple[str, Callable[[dict], str], str]] = {
    "energy_kernel": ("energy_kernel.json", energy_kernel_table, "pytest benchmarks/bench_energy_kernel.py --benchmark-only -s"),
    "energy_kernel.summary": ("energy_kernel.json", energy_kernel_summary, "pytest benchmarks/bench_energy_kernel.py --benchmark-only -s"),
    "solar_region": ("solar_region.json", solar_region_page, "python benchmarks/bench_solar_region.py"),
    "solar_region.summary": ("solar_region.json", solar_region_summary, "python benchmarks/bench_solar_region.py"),
    "energy_validation": ("energy_validation.json", energy_validation_table, "python scripts/energy_validation_figures.py"),
    "energy_validation.bestest": ("energy_validation.json", energy_validation_bestest, "python scripts/energy_validation_figures.py"),
    "energy_validation.tabula": ("energy_validation.json", energy_validation_tabula, "python scripts/energy_validation_figures.py"),
    "energy_validation.tabula_iso52016": ("energy_validation.json", energy_validation_tabula_iso52016, "python scripts/energy_validation_figures.py"),
    "energy_validation.bestest_solar": ("energy_validation.json", energy_validation_bestest_solar, "python scripts/energy_validation_figures.py"),
    "energy_validation.bestest_iso52016": ("energy_validation.json", energy_validation_bestest_iso52016,
                                           "python scripts/energy_validation_figures.py"),
    "traffic_grid11.summary": ("traffic_grid11.json", traffic_grid11_summary, "python benchmarks/bench_traffic_grid11_uxsim.py --seeds 5"),
    "traffic_stgilles_junctions": ("traffic_stgilles_junctions.json", traffic_stgilles_junctions, "nice -n 10 python benchmarks/traffic_stgilles_junctions.py"),
    **{f"traffic_duo_interval{view}": ("traffic_duo_interval.json", fn, "nice -n 10 python benchmarks/traffic_duo_interval_p15i.py")
       for view, fn in (("", traffic_duo_interval_table), (".light", traffic_duo_interval_light), (".swing", traffic_duo_interval_swing),
                        (".settle", traffic_duo_interval_settle), (".delay", traffic_duo_interval_delay), (".sd", traffic_duo_interval_sd),
                        (".cost", traffic_duo_interval_cost))},
    **{f"traffic_give_way_seeds.{view}": ("traffic_give_way_seeds.json", fn, "nice -n 10 python benchmarks/traffic_stgilles_give_way_delay_p15g.py")
       for view, fn in (("range", traffic_give_way_seeds_range), ("off", traffic_give_way_seeds_off), ("pair", traffic_give_way_seeds_pair),
                        ("measured", traffic_give_way_seeds_measured), ("junctions", traffic_give_way_seeds_junctions),
                        ("light", traffic_give_way_seeds_light), ("seed0", traffic_give_way_seeds_seed0),
                        ("accounting", traffic_give_way_seeds_accounting), ("routes", traffic_give_way_seeds_routes),
                        ("variants", traffic_give_way_seeds_variants))},
}


# ----------------------------------------------------------------------------- rewriting
def render_block(name: str, figures_dir: Path = FIGURES_DIR) -> str:
    """The text between the markers of block ``name``."""
    if name not in RENDERERS:
        raise FiguresError(f"unknown figures block {name!r} (known: {', '.join(sorted(RENDERERS))})")
    file, renderer, bench = RENDERERS[name]
    path = figures_dir / file
    if not path.exists():
        raise FiguresError(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} is missing: run {bench}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        text = renderer(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise FiguresError(f"{path.name}: cannot render block {name!r}: {type(exc).__name__}: {exc}") from None
    return text


def rewrite(text: str, *, figures_dir: Path = FIGURES_DIR, where: str = "<text>") -> tuple[str, list[str]]:
    """``text`` with every marked block rewritten, and the names of the blocks found.

    A one-line block gets a one-line rendering (newlines are not allowed in a table cell).
    """
    names: list[str] = []

    def one(m: re.Match) -> str:
        name = m.group("name")
        names.append(name)
        try:
            body = render_block(name, figures_dir)
        except FiguresError as exc:
            raise FiguresError(f"{where}: block {name!r}: {exc}") from None
        if "\n" not in m.group("body") and "\n" in body.strip():
            raise FiguresError(f"{where}: block {name!r} sits in one line but renders to several (use a block on its own lines)")
        if "\n" not in m.group("body"):
            body = body.strip()
        return f"<!-- figures:{name} -->{body}<!-- /figures:{name} -->"

    return BLOCK.sub(one, text), names


def default_pages(root: Path = ROOT) -> list[Path]:
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


def update(pages: Iterable[Path], *, check: bool = False, figures_dir: Path = FIGURES_DIR) -> tuple[list[Path], dict[Path, list[str]]]:
    """Rewrite (or, with ``check``, only compare) ``pages``; returns the pages that changed (or
    would change) and the blocks found per page. Every page is rendered before any is written."""
    new_texts: dict[Path, str] = {}
    found: dict[Path, list[str]] = {}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        new, names = rewrite(text, figures_dir=figures_dir, where=str(page))
        if names:
            found[page] = names
        if new != text:
            new_texts[page] = new
    if not check:
        for page, new in new_texts.items():
            page.write_text(new, encoding="utf-8")
    return list(new_texts), found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", type=Path, help="pages to rewrite (default: README.md and docs/*.md)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a page is not up to date")
    args = parser.parse_args(argv)
    pages = args.pages or default_pages()
    try:
        changed, found = update(pages, check=args.check)
    except (FiguresError, OSError) as exc:
        print(f"update_figures: error: {exc}", file=sys.stderr)
        return 2
    for page, names in found.items():
        state = ("out of date" if args.check else "rewritten") if page in changed else "up to date"
        print(f"{page.relative_to(ROOT) if page.is_relative_to(ROOT) else page}: {', '.join(names)} ({state})")
    if not found:
        print("no figures blocks found")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
