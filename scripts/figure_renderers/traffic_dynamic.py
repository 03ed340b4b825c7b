"""Renderers of the dynamic-loading Method figures of docs/traffic.md: turns and signals on Saint-Gilles
(benchmarks/traffic_stgilles_turns_signals_p15t.py), the DUO link times on Saint-Gilles
(benchmarks/traffic_stgilles_duo_time_p15.py) and grid11's exactly tied routes
(benchmarks/bench_traffic_grid11_ties.py)."""

from __future__ import annotations

from collections.abc import Callable

from .common import Blocks, FiguresError

LIGHT, HEAVY = "2000", "3000"
"""The entries of the Saint-Gilles files quoted by docs/traffic.md (vehicles in the hour)."""
AS_IS, PER_IN_LINK, U_TURNS, ANGLES = "as it is", "per in-link, nothing banned", "U-turns banned", "U-turns banned + angle penalties"
"""Runs of traffic_stgilles_turns_signals.json; the signals run is the one whose name starts with :data:`SIGNALS`."""
SIGNALS = "signals"
SAME_FLOWS_VEH = 1e-6
"""Cumulative inflows within this, vehicles, are written as those of the run as it is ("changes nothing")."""
ALL_ARRIVE_VEH = 0.5
"""Arrived within this of generated, vehicles: "all arrive"."""
NO_DELAY_VEH_H = 0.05
"""A total delay below this, veh-h, is no delay (every trip at free flow)."""
TIED_ROW = "twin LTM, duo_noise 0, other options default"
"""The row of traffic_grid11_ties.json quoted by docs/traffic.md (``duo_noise=0``, today's defaults otherwise)."""


def _entry(data: dict, case: str) -> dict:
    """The entry ``case`` (vehicles in the hour) of a Saint-Gilles figures file."""
    entry = (data.get("cases") or {}).get(case)
    if not entry:
        raise FiguresError(f"no case {case!r} in the figures (cases: {', '.join(data.get('cases') or {}) or 'none'})")
    return entry


def _run(entry: dict, name: str) -> dict:
    """The run ``name`` of an entry (for :data:`SIGNALS`, the run whose name starts with it)."""
    runs = entry.get("runs") or {}
    found = [k for k in runs if k == name or (name == SIGNALS and k.startswith(SIGNALS))]
    if not found:
        raise FiguresError(f"case {entry.get('vehicles', float('nan')):g} vehicles: no run {name!r} (runs: {', '.join(runs) or 'none'})")
    return runs[found[0]]


def _all_arrive(run: dict) -> bool:
    return abs(run["arrived_veh"] - run["generated_veh"]) < ALL_ARRIVE_VEH


def _measured(data: dict, command: str) -> str:
    """``measured by `command`: date, commit, s of runs, load`` over the entries of a Saint-Gilles file."""
    entries = [data["cases"][k] for k in sorted(data.get("cases") or {}, key=float)]
    if not entries:
        raise FiguresError("no 'cases' in the figures")
    dates = sorted({e["date"] for e in entries})
    commits = sorted({e["commit"] for e in entries})
    loads = [e[k] for e in entries for k in ("load_1min_before", "load_1min_after")]
    wall = sum(r["wall_s"] for e in entries for r in e["runs"].values())
    return (f"measured by `{command}`: {' to '.join(dict.fromkeys([dates[0], dates[-1]]))}, commit {' / '.join(commits)}, "
            f"{wall:.0f} s of runs, 1-minute load average {min(loads):.2f}–{max(loads):.2f}")  # fmt: skip


def turns_signals_measured(data: dict) -> str:
    """One phrase: where the turns/signals runs were measured."""
    return _measured(data, "python benchmarks/traffic_stgilles_turns_signals_p15t.py")


def turns_signals_same(data: dict) -> str:
    """One phrase: the per-in-link routes with nothing banned against the per-node flows, at every vehicle count."""
    cases = sorted(data.get("cases") or {}, key=float)
    if not cases:
        raise FiguresError("no 'cases' in the figures")
    diff = max(_run(data["cases"][c], PER_IN_LINK)["max_cum_in_diff_veh"] for c in cases)
    counts = " and ".join(f"{float(c):,.0f}" for c in cases)
    if diff < SAME_FLOWS_VEH:
        return f"give exactly the per-node flows (max difference {diff:.3g} vehicles) at {counts} vehicles per hour"
    return f"differ from the per-node flows by up to {diff:.3g} vehicles at {counts} vehicles per hour"


def _change(base: dict, run: dict, verb: str, why: str) -> str:
    """``changes nothing (why)`` when the run's flows are those of ``base``, else the mean trip change."""
    if run["max_cum_in_diff_veh"] < SAME_FLOWS_VEH:
        return f"{verb} nothing ({why})"
    return f"mean trip {base['mean_trip_time_s']:.1f} -> {run['mean_trip_time_s']:.1f} s"


def turns_signals_light(data: dict) -> str:
    """One sentence: what the U-turn ban, the angle penalties and the signals change at :data:`LIGHT` vehicles."""
    e = _entry(data, LIGHT)
    base, u, a, s = (_run(e, n) for n in (AS_IS, U_TURNS, ANGLES, SIGNALS))
    return (f"At {e['vehicles']:,.0f}: banning U-turns ({u['banned_turns']} movements) {_change(base, u, 'changes', 'no route used one')}, "
            f"U-turn ban + the default angle penalties ({a['penalised_turns']} penalised turns) {_change(base, a, 'change', 'no route turned')}, "
            f"the {e['signal_nodes']} signals ({s['signal_approaches']} approaches at `s g`) {_change(base, s, 'change', 'no approach above `s g`')}.")  # fmt: skip


def _trip_delay(run: dict) -> str:
    return f"{run['mean_trip_time_s']:.1f} s / {run['total_delay_veh_h']:.1f} veh h"


def _heavy_view(name: str) -> Callable[[dict], str]:
    """A renderer of one run at :data:`HEAVY` vehicles: ``mean trip s / delay veh h``."""

    def render(data: dict) -> str:
        return _trip_delay(_run(_entry(data, HEAVY), name))

    render.__name__ = f"turns_signals_heavy_{name}"
    render.__doc__ = f"One phrase: mean trip and total delay of the run {name!r} at {HEAVY} vehicles."
    return render


def turns_signals_base(data: dict) -> str:
    """One phrase: the vehicles, mean trip and delay of the network as it is at :data:`HEAVY` vehicles."""
    e = _entry(data, HEAVY)
    r = _run(e, AS_IS)
    return f"At {e['vehicles']:,.0f} (mean trip {r['mean_trip_time_s']:.1f} s, delay {r['total_delay_veh_h']:.1f} veh h as it is)"


def turns_signals_arrive(data: dict) -> str:
    """One phrase: whether every vehicle arrives in every run."""
    short = [(c, n, r) for c, e in (data.get("cases") or {}).items() for n, r in e["runs"].items() if not _all_arrive(r)]
    if not data.get("cases"):
        raise FiguresError("no 'cases' in the figures")
    if not short:
        return "every vehicle arrives in all runs"
    return "not every vehicle arrives: " + ", ".join(f"{n} at {float(c):,.0f} {r['arrived_veh']:,.0f} of {r['generated_veh']:,.0f}" for c, n, r in short)


def _arrivals(run: dict) -> str:
    if _all_arrive(run):
        return f"all {run['generated_veh']:,.0f}"
    return f"{run['arrived_veh']:,.0f} of {run['generated_veh']:,.0f}"


def _trip(run: dict) -> str:
    t = run.get("mean_trip_time_s")
    return "not all arrive" if t is None or t != t else f"{t:.1f} s"


def duo_time_gridlock(data: dict) -> str:
    """One phrase: arrivals with the instantaneous and experienced link times at :data:`HEAVY` vehicles, and both at :data:`LIGHT`."""
    heavy, light = _entry(data, HEAVY), _entry(data, LIGHT)
    inst, exp = _run(heavy, "instantaneous"), _run(heavy, "experienced")
    li, le = _run(light, "instantaneous"), _run(light, "experienced")
    hours = heavy["duration_s"] / 3600.0
    if _all_arrive(li) and _all_arrive(le) and round(li["mean_trip_time_s"], 1) == round(le["mean_trip_time_s"], 1):
        low = f"both deliver all, {le['mean_trip_time_s']:.1f} s"
    else:
        low = f"{_arrivals(li)} arrive ({_trip(li)}), {_arrivals(le)} with the experienced time ({_trip(le)})"
    return (f"{_arrivals(inst)} arrive in {hours:g} h, {_arrivals(exp)} with the experienced time; "
            f"at {light['vehicles']:,.0f} vehicles {low}")  # fmt: skip


def duo_time_discharge(data: dict) -> str:
    """One phrase: arrivals and mean trip with the discharge and the experienced link times at :data:`HEAVY` vehicles."""
    heavy = _entry(data, HEAVY)
    d, e = _run(heavy, "discharge"), _run(heavy, "experienced")
    head = "all arrive" if _all_arrive(d) else f"{_arrivals(d)} arrive"
    return f"{head} ({_trip(d)}, {_trip(e)} with the experienced time)"


def duo_time_measured(data: dict) -> str:
    """One phrase: where the DUO link-time runs were measured."""
    return _measured(data, "python benchmarks/traffic_stgilles_duo_time_p15.py")


def _tied_row(data: dict) -> dict:
    row = (data.get("rows") or {}).get(TIED_ROW)
    if row is None:
        raise FiguresError(f"no row {TIED_ROW!r} in the figures")
    return row


def grid11_tied(data: dict) -> str:
    """One phrase: grid11 with ``duo_noise=0`` (:data:`TIED_ROW`): link inflows against capacity, delay and mean trip."""
    row = _tied_row(data)
    ratio, delay, trip = row["max_inflow_over_capacity"], row["total_delay_veh_h"], row["mean_trip_time_s"]
    if ratio < 1.0 and abs(delay) < NO_DELAY_VEH_H:
        return f"keeps every link below capacity (largest one-step inflow {ratio:.2f} of it) and every trip at free flow ({trip:.1f} s)"
    return f"brings a link's inflow to {ratio:.2f} of its capacity, {delay:.1f} veh-h of delay, mean trip {trip:.1f} s"


def grid11_tied_measured(data: dict) -> str:
    """One phrase: where the grid11 tie rows were measured."""
    _tied_row(data)
    loads = (data["load_1min_before"], data["load_1min_after"])
    return (f"`python benchmarks/bench_traffic_grid11_ties.py`, {data['date']}, commit {data['commit']}, "
            f"1-minute load average {min(loads):.2f}–{max(loads):.2f}")


TURNS = "nice -n 10 python benchmarks/traffic_stgilles_turns_signals_p15t.py"
DUO_TIME = "nice -n 10 python benchmarks/traffic_stgilles_duo_time_p15.py"

BLOCKS: Blocks = {
    **{f"traffic_stgilles_turns_signals.{view}": ("traffic_stgilles_turns_signals.json", fn, TURNS)
       for view, fn in (("measured", turns_signals_measured), ("same", turns_signals_same), ("light", turns_signals_light),
                        ("base", turns_signals_base), ("uturns", _heavy_view(U_TURNS)), ("angles", _heavy_view(ANGLES)),
                        ("signals", _heavy_view(SIGNALS)), ("arrive", turns_signals_arrive))},
    **{f"traffic_stgilles_duo_time.{view}": ("traffic_stgilles_duo_time.json", fn, DUO_TIME)
       for view, fn in (("gridlock", duo_time_gridlock), ("discharge", duo_time_discharge), ("measured", duo_time_measured))},
    **{f"traffic_grid11_ties.{view}": ("traffic_grid11_ties.json", fn, "python benchmarks/bench_traffic_grid11_ties.py")
       for view, fn in (("tied", grid11_tied), ("measured", grid11_tied_measured))},
}  # fmt: skip
"""The dynamic-loading Method blocks of :data:`update_figures.RENDERERS`."""
