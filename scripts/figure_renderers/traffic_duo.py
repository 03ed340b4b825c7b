"""Renderers of the DUO-interval study of docs/traffic.md (benchmarks/traffic_duo_interval_p15i.py,
benchmarks/figures/traffic_duo_interval.json)."""

from __future__ import annotations

from .common import Blocks, FiguresError, seeds_text

DUO_TABLE_CASES = (("Saint-Gilles 3,000 veh", "Saint-Gilles 3,000", True), ("Saint-Gilles 3,000 veh, give-way", "with give-way", False),
                   ("grid11 1x", "grid11 1x", False))  # fmt: skip
"""(case of traffic_duo_interval.json, column label, with a veh-km column) of the DUO-interval table, in order."""
DUO_LIGHT_CASE = "Saint-Gilles 2,000 veh"
"""The uncongested case of the DUO-interval study (a sentence, not a column)."""
DUO_SETTLED_S = 60.0
"""The interval from which docs/traffic.md says trip times settle (compared with the shortest interval)."""
NO_DELAY_VEH_H = 0.05
"""A mean delay below this, veh-h, is written "no delay" (it rounds to 0.0)."""



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
            mark = "" if tuple(r["seeds"]) == common else f" (seeds {seeds_text(r['seeds'])})"
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
    note = (f"Measured by `python benchmarks/traffic_duo_interval_p15i.py`: {'; '.join(where)}; mean ± sd over seeds {seeds_text(list(common))} "
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


BLOCKS: Blocks = {
    f"traffic_duo_interval{view}": ("traffic_duo_interval.json", fn, "nice -n 10 python benchmarks/traffic_duo_interval_p15i.py")
    for view, fn in (("", traffic_duo_interval_table), (".light", traffic_duo_interval_light), (".swing", traffic_duo_interval_swing),
                     (".settle", traffic_duo_interval_settle), (".delay", traffic_duo_interval_delay), (".sd", traffic_duo_interval_sd),
                     (".cost", traffic_duo_interval_cost))
}
"""The DUO-interval blocks of :data:`update_figures.RENDERERS`."""
