"""Renderers of the dynamic-loading benchmark of docs/traffic.md ("Benchmarks"): twin's LTM on grid11
and Saint-Gilles, side by side with UXsim's C++ engine on grid11 when it was installed
(benchmarks/bench_traffic_dynamic.py, entry ``side_by_side`` of
benchmarks/figures/traffic_dynamic_bench.json)."""

from __future__ import annotations

from .common import Blocks, FiguresError

CASE_KEY = "side_by_side"
"""The entry of traffic_dynamic_bench.json the views quote."""
BENCH = "python benchmarks/bench_traffic_dynamic.py"
CASE_NAMES = {"grid11": "grid11", "stgilles": "Saint-Gilles"}
"""Display names of the benchmark's cases (others as they are)."""
ROW_KEYS = ("case", "engine", "wall_s", "vehicles", "links", "steps", "vehicles_per_s", "link_steps_per_s", "arrived", "mean_trip_time_s", "repeat")
"""Keys every row must have."""


def _entry(data: dict) -> dict:
    entry = (data.get("cases") or {}).get(CASE_KEY)
    if not entry:
        raise FiguresError(f"no case {CASE_KEY!r} in the figures (cases: {', '.join(data.get('cases') or {}) or 'none'})")
    return entry


def _rows(entry: dict) -> list[dict]:
    rows = entry.get("rows")
    if not rows:
        raise FiguresError("no 'rows' in the figures")
    for r in rows:
        missing = [k for k in ROW_KEYS if k not in r]
        if missing:
            raise FiguresError(f"row {r.get('engine', '?')!r}: no {missing[0]!r} in the figures")
    return rows


def _case_cell(row: dict) -> str:
    """``grid11 (440 links, 38,720 veh, 1,440 steps of 5 s)`` for the first row of a case."""
    steps = f"{row['steps']:,.0f} steps" + (f" of {row['dt_s']:g} s" if row.get("dt_s") else "")
    return f"{CASE_NAMES.get(row['case'], row['case'])} ({row['links']:,.0f} links, {row['vehicles']:,.0f} veh, {steps})"


def _engine_cell(row: dict, uxsim: str | None) -> str:
    engine = str(row["engine"])
    if engine.startswith("UXsim") and uxsim:
        engine = engine.replace("UXsim", f"UXsim {uxsim}", 1)
    n = int(row["repeat"])
    return f"{engine} ({'best of ' + str(n) + ' after a warm-up' if n > 1 else 'one run'})"


def table(data: dict) -> str:
    """The table: per case and engine the wall time, vehicles and link-steps per second, arrivals and the mean trip."""
    entry = _entry(data)
    lines = ["| case | engine | wall | vehicles/s | link-steps/s | arrived | mean trip |", "|---|---|---:|---:|---:|---:|---:|"]
    seen: set[str] = set()
    for r in _rows(entry):
        case = CASE_NAMES.get(r["case"], r["case"]) if r["case"] in seen else _case_cell(r)
        seen.add(r["case"])
        lines.append(f"| {case} | {_engine_cell(r, entry.get('uxsim'))} | {r['wall_s']:.2f} s | {r['vehicles_per_s']:,.0f} | "
                     f"{r['link_steps_per_s']:.2g} | {r['arrived']:,.0f} of {r['vehicles']:,.0f} | {r['mean_trip_time_s']:.1f} s |")  # fmt: skip
    return "\n" + "\n".join(lines) + "\n"


def measured(data: dict) -> str:
    """One line: the command, date, commit, cores, load before and after, and whether UXsim ran."""
    e = _entry(data)
    for key in ("command", "date", "commit", "cpus", "load_1min_before", "load_1min_after"):
        if key not in e:
            raise FiguresError(f"no {key!r} in the figures")
    uxsim = (f"UXsim {e['uxsim']} in the same process" if e.get("uxsim") else
             "UXsim was not installed in the environment, so the table has twin's rows only")  # fmt: skip
    return (f"Measured by `{e['command']}`: {e['date']}, commit {e['commit']}, {e['cpus']} cores, 1-minute load average "
            f"{e['load_1min_before']:.2f} before, {e['load_1min_after']:.2f} after; {uxsim}.")  # fmt: skip


BLOCKS: Blocks = {f"traffic_dynamic_bench.{view}": ("traffic_dynamic_bench.json", fn, BENCH) for view, fn in (("table", table), ("measured", measured))}
"""The benchmark's blocks of docs/traffic.md in :data:`update_figures.RENDERERS`."""
