"""Renderers of the default ``twin run``'s figures in docs/scenarios.md (benchmarks/bench_default_run.py):
the "Measured figures" rows (time, CPU, memory, load, seconds per step) and the low-traffic Parvis's
traffic KPIs (closed-link flows, rerouted trips, the split of the lost trips, vehicle-km, the streets
that take the traffic, unserved trips, the 15-minute access shares).

The figures file holds one entry per state of the numba cache (``cases``: ``warm``, ``cold``); the
views quote the :data:`WARM` run, ``first_run`` the :data:`COLD` one. The functions below take one
entry; :data:`BLOCKS` picks it."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from .common import Blocks, FiguresError, signed

WARM, COLD = "warm", "cold"
"""The entries of default_run.json: a run with the kernels compiled already, and a first run."""
FULL_PCT = 99.95
"""An access share at or above this, %, is written as 100 %."""
MOSTLY = 2.0
"""A street takes the traffic "mostly" when its increase is at least this many times the next street's."""
N_STREETS = 3
"""Streets named as taking the traffic (those whose busiest link gains flow)."""
CATEGORY_NAMES = {"post": "the post office", "pt": "public transport"}
"""Display names of access categories (others as they are)."""
ACCESS = re.compile(r"access_(?P<minutes>\d+)min_(?P<mode>walk|bike|pt)_(?P<category>\w+)_pct")
MODES = {"walk": "walk", "bike": "bike", "pt": "public transport"}


# ----------------------------------------------------------------------------- helpers
def _key(data: dict, key: str):
    if key not in data:
        raise FiguresError(f"no {key!r} in the figures")
    return data[key]


def _kpi(data: dict, name: str) -> dict:
    kpis = _key(data, "kpis")
    if name not in kpis:
        raise FiguresError(f"no KPI {name!r} in the figures")
    return kpis[name]


def _sig(x: float, digits: int = 2) -> str:
    """``x`` with ``digits`` significant digits in fixed notation (``0.000096``, ``0.52``, ``1.3``, ``241``)."""
    if x == 0 or not math.isfinite(x):
        return f"{x:g}"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    return f"{x:.{decimals}f}"


def _duration(s: float) -> str:
    """``1 min 46 s`` from a minute on, else ``53.7 s``."""
    if s < 60:
        return f"{s:.1f} s"
    m, sec = divmod(round(s), 60)
    return f"{m} min {sec} s"


def _range(lo: float, hi: float, fmt: str) -> str:
    a, b = format(lo, fmt), format(hi, fmt)
    return a if a == b else f"{a}-{b}"


def _loads(data: dict) -> tuple[float, float]:
    """Lowest and highest 1-minute load average, before and after the run."""
    loads = [_key(data, "load_before")[0], _key(data, "load_after")[0]]
    return min(loads), max(loads)


def _street(name: str) -> str:
    """A bilingual Brussels street name's French part (``Rue Dethy - Dethystraat`` -> ``Rue Dethy``)."""
    return name.split(" - ")[0]


def _case(data: dict, case: str) -> dict:
    """The entry ``case`` of the figures file."""
    entry = (data.get("cases") or {}).get(case)
    if not entry:
        raise FiguresError(f"no case {case!r} in the figures (cases: {', '.join(data.get('cases') or {}) or 'none'})")
    return entry


# ----------------------------------------------------------------------------- the "Measured figures" row
def samples(data: dict) -> str:
    """One phrase: the samples of the stock priors and how many go through the mobility model."""
    n, t = int(_key(data, "samples")), _key(data, "traffic_samples")
    if t is None or int(t) >= n:
        return f"{n} samples of the stock priors, all of them through the mobility model"
    return f"{n} samples of the stock priors, {int(t)} of them through the mobility model"


def measured(data: dict) -> str:
    """One phrase: who measured, when, on which commit, the load and the cores."""
    lo, hi = _loads(data)
    return (f"`{_key(data, 'command')}`, {_key(data, 'date')}, commit {_key(data, 'commit')}, {_key(data, 'cpus')} cores, "
            f"1-minute load average {lo:.2f}–{hi:.2f}")  # fmt: skip


def _steps(data: dict) -> list[str]:
    """The run's steps (``timings_s``) grouped: sample steps by domain, deterministic engines, scenes, the rest."""
    t: dict[str, float] = dict(_key(data, "timings_s"))
    n_traffic = _key(data, "traffic_samples") or _key(data, "samples")
    parts: list[str] = []
    for key in [k for k in t if k.startswith("samples:")]:
        _, domain, scene = key.split(":", 2)
        s = t.pop(key)
        if domain == "traffic" and scene == "paired":
            parts.append(f"traffic samples {s:.1f} s ({int(n_traffic)} paired samples, baseline + what-ifs: {s / int(n_traffic):.2f} s per sample)")
        else:
            parts.append(f"{domain} samples {s:.1f} s ({scene})")
    engines: dict[str, float] = {}
    for key in [k for k in t if k.startswith("engine:")]:
        domain = key.split(":")[1]
        engines[domain] = engines.get(domain, 0.0) + t.pop(key)
    if engines:
        parts.append(f"deterministic engines {sum(engines.values()):.1f} s (" + ", ".join(f"{d} {s:.1f} s" for d, s in engines.items()) + ")")
    scenes = sum(t.pop(k) for k in [k for k in t if k == "baseline_scene" or k.startswith("whatif_scene:")])
    parts.append(f"scenes {scenes:.1f} s")
    for key in [k for k in t if k.startswith("uncalibrated:")]:
        parts.append(f"{key.split(':', 1)[1]} bands with the priors alone (uncalibrated) {t.pop(key):.1f} s")
    parts.extend(f"{key.replace('_', ' ')} {s:.1f} s" for key, s in t.items())
    return parts


def run_time(data: dict) -> str:
    """One phrase: wall, CPU, peak memory and load of the run, then the seconds per step and the rest of the wall time."""
    wall, cpu, rss = float(_key(data, "wall_s")), float(_key(data, "cpu_s")), float(_key(data, "peak_rss_mb"))
    lo, hi = _loads(data)
    rest = wall - sum(float(v) for v in _key(data, "timings_s").values())
    peak = f"{rss / 1024:.2f} GB" if rss >= 1024 else f"{rss:.0f} MB"
    cache = {"cold": ", numba cache cold (kernels compiled in the run)", "warm": ", numba cache warm"}.get(data.get("numba_cache", ""), "")
    return (f"**{_duration(wall)} wall**, {cpu:.0f} s CPU at load {_range(lo, hi, '.1f')} (peak {peak}{cache}): " + ", ".join(_steps(data))
            + f"; the rest ({rest:.1f} s: start-up, report, outputs, scene export) outside the timed steps")  # fmt: skip


def first_run(data: dict) -> str:
    """One phrase: wall, CPU, peak memory and load of a run that compiled the kernels (empty numba cache)."""
    wall, cpu, rss = float(_key(data, "wall_s")), float(_key(data, "cpu_s")), float(_key(data, "peak_rss_mb"))
    lo, hi = _loads(data)
    peak = f"{rss / 1024:.2f} GB" if rss >= 1024 else f"{rss:.0f} MB"
    t = _key(data, "timings_s")
    engines = sum(float(v) for k, v in t.items() if k.startswith("engine:"))
    return (f"**{_duration(wall)} wall**, {cpu:.0f} s CPU at load {_range(lo, hi, '.1f')} (peak {peak}), "
            f"deterministic engines {engines:.1f} s (the kernels compile there); measured by `{_key(data, 'command')}`, "
            f"{_key(data, 'date')}, commit {_key(data, 'commit')}")  # fmt: skip


def traffic_per_sample(data: dict) -> str:
    """One phrase: seconds per paired traffic sample (a baseline and each what-if)."""
    t = _key(data, "timings_s")
    if "samples:traffic:paired" not in t:
        raise FiguresError("no 'samples:traffic:paired' in the figures' timings_s")
    n = int(_key(data, "traffic_samples") or _key(data, "samples"))
    return f"{t['samples:traffic:paired'] / n:.1f} s per sample in the default run"


def soil_samples(data: dict) -> str:
    """One phrase: the soil engine's sample time in the measured run."""
    t = _key(data, "timings_s")
    if "samples:soil:paired" not in t:
        raise FiguresError("no 'samples:soil:paired' in the figures' timings_s")
    return f"in the default `twin run` of {_key(data, 'date')[:10]} the soil engine's samples took {t['samples:soil:paired']:.1f} s"


# ----------------------------------------------------------------------------- the Parvis's traffic KPIs
def setup(data: dict) -> str:
    """One phrase: traffic samples and seed of the run."""
    n = _key(data, "traffic_samples") or _key(data, "samples")
    return f"{int(n)} traffic samples, seed {_key(data, 'seed')}"


def closed(data: dict) -> str:
    """One phrase: the links the what-if closes and the flow they carried."""
    am, off = _kpi(data, "am_peak_closed_link_flow_veh_h"), _kpi(data, "off_peak_closed_link_flow_veh_h")
    return (f"closes {int(_key(data, 'closed_links'))} car links, which carried {am['baseline']:.0f} veh/h (summed over the links) in the "
            f"morning peak and {off['baseline']:.0f} at midday, {am['whatif']:.0f} in the what-if")  # fmt: skip


def _band(k: dict, fmt: Callable[[float], str] = _sig) -> str:
    """``lo-hi``, or ``lo to hi`` when a bound is negative."""
    lo, hi = k["delta_p_lo"], k["delta_p_hi"]
    return f"{fmt(lo)}{' to ' if min(lo, hi) < 0 else '-'}{fmt(hi)}"


def rerouted(data: dict) -> str:
    """One phrase: rerouted car trips in both periods with their bands."""
    am, off = _kpi(data, "am_peak_rerouted_car_trips"), _kpi(data, "off_peak_rerouted_car_trips")
    whole = lambda x: f"{x:.0f}"  # noqa: E731
    return (f"{am['delta']:.0f} car trips are rerouted in the morning peak (band {_band(am, whole)}) and "
            f"{off['delta']:.0f} at midday ({_band(off, whole)})")  # fmt: skip


def split(data: dict) -> str:
    """One phrase: in the morning peak, mode shift, evaporation, redistributed trips and through vehicles, with bands."""
    ms, ev = _kpi(data, "am_peak_mode_shifted_trips"), _kpi(data, "am_peak_evaporated_trips")
    rd, th = _kpi(data, "am_peak_redistributed_car_trips"), _kpi(data, "am_peak_evaporated_through_vehicles")
    evaporate = "evaporate" if ev["delta"] >= 0 else "are induced"
    return (f"in the morning peak {_sig(ms['delta'])} car trips shift mode ({_band(ms)}), {_sig(abs(ev['delta']))} person trips "
            f"{evaporate} ({_band(ev)}), {_sig(rd['delta'])} car trips go elsewhere ({_band(rd)}) and {_sig(th['delta'])} through "
            f"vehicles no longer cross ({_band(th)})")  # fmt: skip


def _signed(k: dict) -> str:
    lo, hi = k["delta_p_lo"], k["delta_p_hi"]
    sign = ", sign uncertain" if lo < 0 < hi else ""
    return f"{signed(k['delta'], '+.1f')} ({signed(lo, '+.1f')} to {signed(hi, '+.1f')}{sign})"


def vehicle_km(data: dict) -> str:
    """One phrase: the morning peak's change of vehicle-km on residential streets and main roads, with bands."""
    res, main = _kpi(data, "am_peak_vehicle_km_residential"), _kpi(data, "am_peak_vehicle_km_main")
    return f"on residential streets {_signed(res)}, on main roads {_signed(main)} (morning peak)"


def streets(data: dict) -> str:
    """One phrase: the streets one of whose links gains the most flow in the morning peak (the first one's road group)."""
    gained = [s for s in _key(data, "streets") if s["max_delta_veh_h"] > 0]
    if not gained:
        return "onto no street (no link gains flow)"
    gained = sorted(gained, key=lambda s: -s["max_delta_veh_h"])[:N_STREETS]
    first, rest = gained[0], gained[1:]
    kind = "another residential street" if first["group"] == "residential" else "a main road"
    mostly = "mostly " if not rest or first["max_delta_veh_h"] >= MOSTLY * rest[0]["max_delta_veh_h"] else ""
    text = f"{mostly}onto {kind}, {_street(first['name'])} (+{first['max_delta_veh_h']:.0f} veh/h on one of its links)"
    if rest:
        named = [f"{_street(s['name'])} ({'main road, ' if s['group'] == 'main' else ''}+{s['max_delta_veh_h']:.0f})" for s in rest]
        text += ", then " + (" and ".join(named) if len(named) <= 2 else ", ".join(named[:-1]) + " and " + named[-1])
    return text


def unserved(data: dict) -> str:
    """One sentence: unserved trips in the baseline, the what-if and the samples."""
    central = [_kpi(data, f"{p}_unserved_trips")[k] for p in ("am_peak", "off_peak") for k in ("baseline", "whatif")]
    worst = _key(data, "unserved_trips_max_any_sample")
    if max(central) == 0 and worst == 0:
        return "No trip is unserved, in the baseline, the what-if or any sample."
    return f"Trips are unserved: up to {max(central):.0f} in the central runs, {worst if worst is not None else 'unknown'} in a sample."


def _category(name: str) -> str:
    return CATEGORY_NAMES.get(name, name)


def _mode_access(rows: list[tuple[str, dict]], mode: str) -> str:
    """``walk 100 % for every category but the post office (99.3 %; band 99.1-99.6 %)``, or every category's share."""
    below = [(c, k) for c, k in rows if min(k["baseline"], k["baseline_p_lo"] if k["baseline_p_lo"] is not None else k["baseline"]) < FULL_PCT]

    def share(c: str, k: dict) -> str:
        spread = None if k["baseline_p_lo"] is None else _range(k["baseline_p_lo"], k["baseline_p_hi"], ".1f")
        band = "" if spread in (None, f"{k['baseline']:.1f}") else f"; band {spread} %"  # no band when the samples do not move it
        return f"{_category(c)} ({k['baseline']:.1f} %{band})"

    if not below:
        return f"{MODES[mode]} 100 % for every category"
    if len(below) < len(rows):
        return f"{MODES[mode]} 100 % for every category but " + ", ".join(share(c, k) for c, k in below)
    return f"{MODES[mode]} " + ", ".join(share(c, k) for c, k in below)


def access(data: dict) -> str:
    """One phrase: whether the 15-minute access shares change, and the baseline share per mode and category."""
    rows: dict[str, list[tuple[str, dict]]] = {}
    for name, k in _key(data, "kpis").items():
        m = ACCESS.fullmatch(name)
        if m and m["minutes"] == "15":
            rows.setdefault(m["mode"], []).append((m["category"], k))
    if not rows:
        raise FiguresError("no 15-minute access KPI in the figures")
    moved = max(abs(v) for _, k in (r for rs in rows.values() for r in rs) for v in (k["delta"], k["delta_p_lo"] or 0.0, k["delta_p_hi"] or 0.0))
    change = "do not change" if moved == 0 else f"change by up to {moved:.2f} points"
    return f"{change}: " + ", ".join(_mode_access(rs, mode) for mode, rs in rows.items())


BENCH = "NUMBA_CACHE_DIR=<dir> python benchmarks/bench_default_run.py (twice: a first run, then a warm one)"


def _view(fn: Callable[[dict], str], case: str) -> Callable[[dict], str]:
    """A renderer of the figures file: ``fn`` on its entry ``case``."""

    def render(data: dict) -> str:
        return fn(_case(data, case))

    render.__name__, render.__doc__ = fn.__name__, f"{fn.__doc__} (the {case!r} run)"
    return render


BLOCKS: Blocks = {
    **{f"default_run.{view}": ("default_run.json", _view(fn, WARM), BENCH)
       for view, fn in (("samples", samples), ("measured", measured), ("time", run_time), ("traffic_per_sample", traffic_per_sample),
                        ("soil_samples", soil_samples), ("setup", setup), ("closed", closed), ("rerouted", rerouted), ("split", split),
                        ("vehicle_km", vehicle_km), ("streets", streets), ("unserved", unserved), ("access", access))},
    "default_run.first_run": ("default_run.json", _view(first_run, COLD), BENCH),
}  # fmt: skip
"""The default run's blocks of :data:`update_figures.RENDERERS`."""
