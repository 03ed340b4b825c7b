"""Renderers of the give-way seed study of docs/traffic.md (benchmarks/traffic_stgilles_give_way_delay_p15g.py,
benchmarks/figures/traffic_give_way_seeds.json)."""

from __future__ import annotations

import statistics

from .common import Blocks, FiguresError, seeds_text, signed

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
        raise FiguresError(f"{what}: no seed 0 (seeds {seeds_text(seeds)})")
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
    return f"{min(off):.1f}-{max(off):.1f} veh-h of delay over seeds {seeds_text(seeds)}, mean {statistics.fmean(off):.1f}{sd}"


def traffic_give_way_seeds_pair(data: dict) -> str:
    """One phrase: the delay over the seeds off and on, and in how many seeds give-way lowers it."""
    seeds, off, on = _give_way_seeds(data)
    lower = sum(b < a for a, b in zip(off, on, strict=True))
    return (f"{min(off):.1f}-{max(off):.1f} veh-h (seeds {seeds_text(seeds)}, mean {statistics.fmean(off):.1f}; "
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
        parts.append(f"{name} {signed(b - a, '+.1f')} veh-h ({a:.1f} -> {b:.1f})")
    text = "; ".join(parts)
    return text + (f"; {FIXED_ROUTES} (off / on): {', '.join(fixed)}" if fixed else "")


BLOCKS: Blocks = {
    f"traffic_give_way_seeds.{view}": ("traffic_give_way_seeds.json", fn, "nice -n 10 python benchmarks/traffic_stgilles_give_way_delay_p15g.py")
    for view, fn in (("range", traffic_give_way_seeds_range), ("off", traffic_give_way_seeds_off), ("pair", traffic_give_way_seeds_pair),
                     ("measured", traffic_give_way_seeds_measured), ("junctions", traffic_give_way_seeds_junctions),
                     ("light", traffic_give_way_seeds_light), ("seed0", traffic_give_way_seeds_seed0),
                     ("accounting", traffic_give_way_seeds_accounting), ("routes", traffic_give_way_seeds_routes),
                     ("variants", traffic_give_way_seeds_variants))
}
"""The give-way seed blocks of :data:`update_figures.RENDERERS`."""
