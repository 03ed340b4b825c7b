"""Renderers of the static and grid11 traffic figures: grid11 against UXsim
(benchmarks/bench_traffic_grid11_uxsim.py) and the Saint-Gilles junction models
(benchmarks/traffic_stgilles_junctions.py)."""

from __future__ import annotations

from .common import Blocks, FiguresError


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


BLOCKS: Blocks = {
    "traffic_grid11.summary": ("traffic_grid11.json", traffic_grid11_summary, "python benchmarks/bench_traffic_grid11_uxsim.py --seeds 5"),
    "traffic_stgilles_junctions": ("traffic_stgilles_junctions.json", traffic_stgilles_junctions, "nice -n 10 python benchmarks/traffic_stgilles_junctions.py"),
}
"""The grid11 and junction blocks of :data:`update_figures.RENDERERS`."""
