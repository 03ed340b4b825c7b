"""Renderers of the soil pages' measured figures (docs/soil_heat.md, docs/soil.md, README.md).

* ``soil_heat.*``: benchmarks/figures/soil_heat.json, written by benchmarks/bench_soil_heat.py:
  ``cases.covers`` (every surface cover through July of the Uccle TMYx year), ``cases.periodic``
  (the kernel against a closed form), ``cases.deseal`` (the de-sealing what-if of
  scenarios/stgilles_soil_year.yaml on the 10 m grid) and ``cases.area`` (the default scenario's
  changed ground per soil grid).
* ``soil_heat_default_run.*``: benchmarks/figures/default_run.json (benchmarks/bench_default_run.py,
  its ``warm`` entry): the hot-days KPIs of the default run's de-sealing what-if and the soil engine's
  seconds in that run.
* ``soil_default_run.*``: the same file's de-sealing what-if on the storm KPIs of the soil engine
  (docs/soil.md).
* ``soil_validation.*``: benchmarks/figures/soil_validation.json (benchmarks/soil_validation.py): the
  "twin" cells of docs/soil.md's validation table (Celia, Green-Ampt, SCS-CN, heat closed forms);
  ``soil_validation_readme.*``: the README's row from the same figures.
* ``soil_year.*``: benchmarks/figures/soil_year.json (benchmarks/bench_soil_year.py): a year of soil
  water over Saint-Gilles at 2 m and the cost of one column-year (docs/soil.md).
* ``soil_year_validation.*``: benchmarks/figures/soil_year_validation.json, written by
  benchmarks/soil_year_validation.py (docs/soil.md, issue 17): each section's Markdown lines as the
  script printed them from its computation, and when and where each was measured.

Units are written as the pages write them (``°C``, ``m2``; a negative figure with U+2212). A key missing from the figures is a
:class:`FiguresError` naming it (scripts/update_figures.py adds the file and the benchmark to run).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .common import Blocks, FiguresError, figure_at, load_text, minus_signs, one_minute, signed

HOT_WHATIF = "desealing-car-parks"
"""The default run's what-if whose hot-days KPIs docs/soil_heat.md quotes."""
HOT_HOURS = "11–16 h"
"""The hours the KPIs named ``midday`` average over, in the report's words
(:data:`twin.scenario.report_labels.HOT_HOURS`), not "mid-day": the report's traffic period "Midday" is 11–12 h."""
HOT_KPIS = (("hot_days_surface_temp_midday_c", f"at {HOT_HOURS}"), ("hot_days_surface_temp_max_c", "daily maximum"),
            ("hot_days_district_surface_temp_midday_c", f"district mean at {HOT_HOURS}"))  # fmt: skip
"""The hot-days KPIs of a scenario run, in the page's order."""
DESEAL_ROWS = (("surface_temp_change_midday_c", f"surface temperature at {HOT_HOURS}, ground whose cover changed"),
               ("surface_temp_change_daily_max_c", "daily maximum, same ground"),
               ("district_surface_temp_change_midday_c", f"surface temperature at {HOT_HOURS}, district mean"))  # fmt: skip
"""The change KPIs of :func:`twin.soil.deseal_heat.deseal_heat`, with the table's labels."""
COVER_ORDER = ("asphalt", "concrete_pavers", "bare_soil", "lawn")
"""Covers in the page's order (others after them, by name)."""


# ----------------------------------------------------------------------------- helpers

def _decimals(*xs: float) -> int:
    """Decimals for temperature changes shown side by side: two from 1 K on, else three significant
    digits of the largest (``-0.100``, ``-0.0930``), so a row's values share their decimals."""
    m = max((abs(x) for x in xs if math.isfinite(x)), default=0.0)
    return 2 if m == 0 or m >= 1 else max(2, 2 - math.floor(math.log10(m)))


def _change(x: float, decimals: int | None = None) -> str:
    """A temperature change, K, signed (:func:`_decimals` of ``x`` alone unless given)."""
    return signed(x, f"+.{_decimals(x) if decimals is None else decimals}f")


def _band(lo: float, hi: float, decimals: int) -> str:
    return f"{_change(lo, decimals)} to {_change(hi, decimals)}"


def _days(days: list[str]) -> str:
    """``21 July, 1 and 2 August`` from ISO dates (same year)."""
    import datetime as dt

    parsed = [dt.date.fromisoformat(d[:10]) for d in days]
    if not parsed:
        raise FiguresError("no hot days in the figures")
    groups: list[tuple[str, list[int]]] = []
    for d in sorted(parsed):
        month = f"{d:%B}"
        if groups and groups[-1][0] == month:
            groups[-1][1].append(d.day)
        else:
            groups.append((month, [d.day]))

    def one(month: str, ds: list[int]) -> str:
        nums = [str(x) for x in ds]
        return f"{nums[0]} {month}" if len(nums) == 1 else f"{', '.join(nums[:-1])} and {nums[-1]} {month}"

    return ", ".join(one(m, ds) for m, ds in groups)




def _stamp(entry: dict) -> str:
    return f"measured {figure_at(entry, 'date')}, commit {figure_at(entry, 'commit')}, {load_text(entry)} on {figure_at(entry, 'cpus')} cores"


def _cover_order(covers: dict) -> list[str]:
    return [c for c in COVER_ORDER if c in covers] + sorted(c for c in covers if c not in COVER_ORDER)


def _label(cover: str) -> str:
    return cover.replace("_", " ")


# ----------------------------------------------------------------------------- soil_heat.json
def lawn_asphalt(data: dict) -> str:
    """One phrase: lawn against asphalt at 11–16 h (:data:`HOT_HOURS`) through July (``cases.covers``)."""
    d = figure_at(data, "cases", "covers", "asphalt_minus_lawn_midday_daily_max_k")
    lo, hi, mean = figure_at(d, "min"), figure_at(d, "max"), figure_at(d, "mean")
    cooler = f"the lawn is {'' if lo > 0 else 'not '}cooler than the asphalt at {HOT_HOURS} on every day"
    return f"{cooler}; the daily maximum difference is {lo:.1f}-{hi:.1f} K, mean {mean:.1f} K"


def closure(data: dict) -> str:
    """One phrase: the largest hourly energy-balance residual of the asphalt run (``cases.covers``)."""
    r = figure_at(data, "cases", "covers", "covers", "asphalt", "closure_max_abs_w_m2")
    return f"largest measured {r:.0e} W/m2"


def covers(data: dict) -> str:
    """One line: each cover's July mean of the daily maximum at the surface and at depth, the air, and the times."""
    c = figure_at(data, "cases", "covers")
    per = figure_at(c, "covers")
    order = _cover_order(per)
    if not order:
        raise FiguresError("no cover in the figures")
    surface = ", ".join(f"{_label(n)} {figure_at(per, n, 't_surface_daily_max_mean_c'):.1f}" for n in order)
    depths = list(figure_at(per, order[0], "t_depth_daily_max_mean_c"))
    at_depth = ", ".join(f"{_label(n)} " + " / ".join(f"{figure_at(per, n, 't_depth_daily_max_mean_c', d):.1f}" for d in depths) for n in order)
    walls = [figure_at(per, n, "wall_s") for n in order]
    air = figure_at(per, order[0], "t_air_daily_max_mean_c")
    return (f"July means of the daily maximum surface temperature: {surface} °C (air {air:.1f} °C); near the surface "
            f"(`t_depth_c`, {' / '.join(d + ' cm' for d in depths)}): {at_depth} °C (`{figure_at(c, 'command')}`, {_stamp(c)}; "
            f"each cover through July {min(walls):.2f}-{max(walls):.2f} s once compiled)")


def deseal(data: dict) -> str:
    """docs/soil_heat.md: the de-sealing what-if on Saint-Gilles (``cases.deseal``): hot days, surface
    temperature at 11–16 h per cover, the KPI table with bands, the changed area and the time."""
    d = figure_at(data, "cases", "deseal")
    kpis, bands = figure_at(d, "kpis"), figure_at(d, "bands")
    cover_t = figure_at(d, "cover_midday_c")
    head = (f"Hot days {_days(figure_at(d, 'days'))}; mean surface temperatures at {HOT_HOURS}: "
            + ", ".join(f"{_label(n)} {cover_t[n]:.1f}" for n in _cover_order(cover_t)) + " °C (central).")
    rows = [f"| KPI | central | band ({figure_at(d, 'samples')} samples, seed {figure_at(d, 'seed')}, 5-95 %) |", "|---|---|---|"]
    for key, label in DESEAL_ROWS:
        lo, hi = figure_at(bands, key)
        n = _decimals(figure_at(kpis, key), lo, hi)
        rows.append(f"| {label} | {_change(kpis[key], n)} K | {_band(lo, hi, n)} K |")
    rows.append(f"| ground-level area whose cover changed | {figure_at(kpis, 'changed_area_m2'):,.0f} m2 | |")
    foot = (f"Figures from `{figure_at(d, 'command')}` ({_stamp(d)}): {figure_at(d, 'wall_s'):.1f} s for the what-if with its "
            f"{figure_at(d, 'samples')} samples, grid at {figure_at(d, 'cell_size_m'):g} m.")
    return "\n" + head + "\n\n" + "\n".join(rows) + "\n\n" + foot + "\n"


def cost(data: dict) -> str:
    """One phrase: the de-sealing what-if's central run and the time per sample (``cases.deseal``)."""
    d = figure_at(data, "cases", "deseal")
    return (f"about {figure_at(d, 'central_wall_s'):.1f} s for the central run of a what-if (grids included) and "
            f"{figure_at(d, 'per_sample_s'):.2f} s per sample on Saint-Gilles ({figure_at(d, 'cell_size_m'):g} m cells, {_stamp(d)})")


def periodic(data: dict) -> str:
    """One phrase: the largest errors against the closed form of a periodic surface exchange (``cases.periodic``)."""
    p = figure_at(data, "cases", "periodic")
    errors = figure_at(p, "error_share_of_amplitude")
    if not errors:
        raise FiguresError("no 'error_share_of_amplitude' in 'cases.periodic'")
    where = ", ".join(f"{v:.2%} ({'surface' if float(k) == 0 else k + ' cm'})".replace("%", " %") for k, v in errors.items())
    return (f"largest error {where} of the surface amplitude ({figure_at(p, 'cell_m') * 1000:g} mm cells, "
            f"{figure_at(p, 'step_s') / 60:g}-minute steps; `{figure_at(p, 'command')}`, {_stamp(p)})")


def area(data: dict) -> str:
    """One phrase: the default scenario's changed ground per soil grid (``cases.area``)."""
    a = figure_at(data, "cases", "area")
    grids = figure_at(a, "grids")
    if not grids:
        raise FiguresError("no 'grids' in 'cases.area'")
    plain = [g for g in grids if figure_at(g, "subsamples") == 2]
    finer = [g for g in grids if g["subsamples"] != 2]
    text = (" / ".join(f"{figure_at(g, 'changed_area_m2'):,.0f}" for g in plain) + " m2 at "
            + " / ".join(f"{figure_at(g, 'cell_size_m'):g}" for g in plain) + " m cells (2 x 2 sample points)")
    for g in finer:
        text += f", {figure_at(g, 'changed_area_m2'):,.0f} m2 at {figure_at(g, 'cell_size_m'):g} m with {g['subsamples']} x {g['subsamples']}"
    return text + f" (`{figure_at(a, 'command')}`, {_stamp(a)})"


# ----------------------------------------------------------------------------- default_run.json
def _hot(entry: dict) -> dict:
    return figure_at(entry, "whatifs", HOT_WHATIF)


def default_run_table(entry: dict) -> str:
    """The hot-days KPIs of the default run's de-sealing what-if: baseline (band), what-if, change (band)."""
    w = _hot(entry)
    rows = ["| KPI | baseline (range) | what-if | change (range) |", "|---|---|---|---|"]
    for key, _ in HOT_KPIS:
        k = figure_at(w, key)
        n = _decimals(figure_at(k, "delta"), figure_at(k, "delta_p_lo"), figure_at(k, "delta_p_hi"))
        rows.append(f"| `{key}` | {figure_at(k, 'baseline'):.1f} ({figure_at(k, 'baseline_p_lo'):.1f} to {figure_at(k, 'baseline_p_hi'):.1f}) °C | "
                    f"{figure_at(k, 'whatif'):.1f} °C | {_change(k['delta'], n)} ({_band(k['delta_p_lo'], k['delta_p_hi'], n)}) K |")
    head = (f"Measured {figure_at(entry, 'date')}, commit {figure_at(entry, 'commit')}, by `{figure_at(entry, 'command')}` "
            f"({figure_at(entry, 'scenario')}, {figure_at(entry, 'samples')} samples, seed {figure_at(entry, 'seed')}):")
    return "\n" + head + "\n\n" + "\n".join(rows) + "\n"


def default_run_cost(entry: dict) -> str:
    """One phrase: the soil engine's seconds per scene and its Monte Carlo in the default run, and the run's wall time."""
    t = figure_at(entry, "timings_s")
    scenes = {k.removeprefix("engine:soil:"): v for k, v in t.items() if k.startswith("engine:soil:")}
    if HOT_WHATIF not in scenes:
        raise FiguresError(f"no 'timings_s.engine:soil:{HOT_WHATIF}' in the figures")
    others = [v for k, v in scenes.items() if k != HOT_WHATIF]
    mc = figure_at(t, "samples:soil:paired")
    wall = figure_at(entry, "wall_s")
    m, s = divmod(round(wall), 60)
    lo, hi = sorted((figure_at(entry, "load_before")[0], figure_at(entry, "load_after")[0]))
    other = f" ({min(others):.2f}-{max(others):.2f} s for the other scenes, storm and cover check included)" if others else ""
    return (f"the soil engine's what-if run {scenes[HOT_WHATIF]:.2f} s{other}, its Monte Carlo {mc:.2f} s (the heat samples; the "
            f"storm KPIs repeated); `twin run` {m} min {s} s wall at load {lo:.1f}-{hi:.1f} on {figure_at(entry, 'cpus')} cores "
            f"(peak RSS {figure_at(entry, 'peak_rss_mb') / 1024:.2f} GB)")


# ----------------------------------------------------------------------------- soil_year_validation.json
def _section(key: str, script: str = "soil_year_validation") -> Callable[[dict], str]:
    """A renderer of one section of a validation script's figures: its lines (a block of lines when there are several)."""

    def render(data: dict) -> str:
        lines = figure_at(data, "sections", key, "lines")
        if not lines:
            raise FiguresError(f"no lines in 'sections.{key}'")
        text = minus_signs("\n".join(lines))
        return "\n" + text + "\n" if len(lines) > 1 or "\n" in text else text

    render.__name__, render.__doc__ = f"section_{key}", f"The {key!r} section of benchmarks/{script}.py, as it printed it."
    return render


def validation_measured(data: dict) -> str:
    """One phrase: when, at which commit and at which load the sections were computed."""
    sections = figure_at(data, "sections")
    if not sections:
        raise FiguresError("no sections in the figures")
    dates = sorted({figure_at(v, "date")[:10] for v in sections.values()})
    commits = sorted({figure_at(v, "commit") for v in sections.values()})
    loads = [x for v in sections.values() for x in (figure_at(v, "load_before")[0], figure_at(v, "load_after")[0])]
    return (f"`{figure_at(data, 'command')}`, {' to '.join(dates[:: max(1, len(dates) - 1)])}, "
            f"{'commit ' + commits[0] if len(commits) == 1 else 'commits ' + '; '.join(commits)}, "
            f"load {min(loads):.1f}-{max(loads):.1f} on {figure_at(next(iter(sections.values())), 'cpus')} cores")


def _num(x: float, decimals: int) -> str:
    """``26 599.2``: the soil page's thousands separator is a space."""
    return f"{x:,.{decimals}f}".replace(",", " ")


def _signed(x: float, decimals: int) -> str:
    return ("+" if x >= 0 else "−") + _num(abs(x), decimals)


def storm_richards(entry: dict) -> str:
    """One phrase: the default run's de-sealing what-if on the Richards storm KPIs (docs/soil.md)."""
    w = _hot(entry)
    r, i, s, d = (figure_at(w, k) for k in ("runoff_m3", "infiltration_m3", "storage_change_m3", "drainage_m3"))
    sealed, theta = figure_at(w, "sealed_area_pct"), figure_at(w, "mean_theta_top_30cm_m3_m3")
    dr = figure_at(r, "delta")
    pct = 100.0 * dr / figure_at(r, "baseline")
    th = (f"{figure_at(theta, 'baseline'):.3f} unchanged" if round(theta["baseline"], 3) == round(figure_at(theta, "whatif"), 3)
          else f"{theta['baseline']:.3f} → {theta['whatif']:.3f}")
    return (f"runoff {_num(figure_at(r, 'baseline'), 1)} → {_num(figure_at(r, 'whatif'), 1)} m³ ({_signed(dr, 1)} m³, {_signed(pct, 2)} %; "
            f"band {_signed(figure_at(r, 'delta_p_lo'), 1)} to {_signed(figure_at(r, 'delta_p_hi'), 1)} m³), infiltration "
            f"{_signed(figure_at(i, 'delta'), 1)} m³ (storage {_signed(figure_at(s, 'delta'), 1)}, drainage {_signed(figure_at(d, 'delta'), 1)}), sealed share "
            f"{figure_at(sealed, 'baseline'):.2f} → {figure_at(sealed, 'whatif'):.2f} %, mean top-30-cm water content of open ground {th}")


def storm_baseline(entry: dict) -> str:
    """One phrase: the default run's baseline storm balance on the soil grid (docs/soil.md's validation table)."""
    w = _hot(entry)
    parts = {k: figure_at(w, k, "baseline") for k in ("rain_m3", "runoff_m3", "storage_change_m3", "drainage_m3", "water_balance_error_rel")}
    return (f"relative error {parts['water_balance_error_rel']:.1e}; rain {_num(parts['rain_m3'], 0)} m³ = runoff {_num(parts['runoff_m3'], 0)} "
            f"+ storage change {_num(parts['storage_change_m3'], 0)} + drainage {_num(parts['drainage_m3'], 0)} m³")


def storm_balance(entry: dict) -> str:
    """One phrase: the relative water-balance error of the default run's baseline and de-sealing what-if (docs/soil.md)."""
    b = figure_at(_hot(entry), "water_balance_error_rel")
    return f"{max(abs(figure_at(b, 'baseline')), abs(figure_at(b, 'whatif'))):.1e}"


def readme_richards(data: dict) -> str:
    """One line for the README's 'soil water, Richards' row: Celia fronts and extrapolation, balance, Green-Ampt, the stamp."""
    front = figure_at(data, "sections", "celia_front", "values")
    bal = figure_at(data, "sections", "celia_balance", "values")
    ga = figure_at(data, "sections", "green_ampt_ponded", "values")
    dz = " / ".join(f"{x:g}" for x in figure_at(front, "dz_cm"))
    fronts = " / ".join(f"{x:.2f}" for x in figure_at(front, "front_cm"))
    sections = [figure_at(data, "sections", k) for k in ("celia_front", "celia_balance", "green_ampt_ponded")]
    dates = sorted({figure_at(v, "date") for v in sections})
    commits = sorted({figure_at(v, "commit") for v in sections})
    return (f"wetting front {figure_at(front, 'extrapolated_cm'):.2f} cm extrapolated from dz {dz} cm ({fronts}; target 56.6 ± 0.5), balance "
            f"error {figure_at(bal, 'relative_error')[0]:.0e}; Green-Ampt {figure_at(ga, 'f_1h_cm'):.3f} cm after 1 h (3.17 ± 0.01); measured "
            f"{dates[-1]} at commit {'; '.join(commits)} by `{figure_at(data, 'command')}`")


# ----------------------------------------------------------------------------- soil_year.json
def year_columns(data: dict) -> str:
    """docs/soil.md: one column-year of each kind (benchmarks/bench_soil_year.py columns): a table and its stamp."""
    c = figure_at(data, "cases", "columns")
    rows = ["| column | nodes | steps | iterations per step | ms per column-year | water (mm) |", "|---|---|---|---|---|---|"]
    for r in figure_at(c, "rows"):
        bottom = figure_at(r, "bottom")
        water = (f"T {figure_at(r, 'transpiration_mm'):.0f} of {figure_at(r, 'potential_transpiration_mm'):.0f}, E {figure_at(r, 'evaporation_mm'):.0f}, "
                 f"{'drainage' if bottom != 'free drainage' else 'outflow'} {figure_at(r, 'drainage_mm'):.0f}")
        if figure_at(r, "capillary_rise_mm") >= 0.05:
            water += f", capillary rise {r['capillary_rise_mm']:.1f}"
        where = "10 cm" if bottom == "free drainage" else bottom
        rows.append(f"| {_label(figure_at(r, 'vegetation'))} on {figure_at(r, 'texture').lower()}, {where} | {figure_at(r, 'nodes')} | "
                    f"{_num(figure_at(r, 'steps'), 0)} | {figure_at(r, 'iterations_per_step'):.2f} | {figure_at(r, 'ms_per_column_year'):.0f} | {water} |")
    head = f"`{figure_at(c, 'command')}`, {_stamp(c)} (one thread, best of 3 after a compiling run):"
    return "\n" + head + "\n\n" + "\n".join(rows) + "\n"


def year_default_row(data: dict) -> str:
    """The cells after the first of the page's 'default, benchmark' row (benchmarks/bench_soil_year.py default)."""
    d = figure_at(data, "cases", "default")
    t = figure_at(d, "timings")
    setup = figure_at(t, "grid_s") + figure_at(t, "network_s") + figure_at(t, "columns_s")
    lo, hi = sorted((one_minute(figure_at(d, "load_before")), one_minute(figure_at(d, "load_after"))))
    return (f"{_num(figure_at(d, 'entries'), 0)} ({_num(figure_at(d, 'integrated'), 0)}) | **{figure_at(d, 'wall_s'):.1f} s** (set-up {setup:.1f}, spin-up "
            f"{figure_at(t, 'spinup_s'):.1f}, year {figure_at(t, 'year_s'):.1f}) | {figure_at(d, 'cpu_s'):.1f} s | **{figure_at(d, 'peak_rss_gb'):.2f} GB** | "
            f"{lo:.1f}-{hi:.1f} | {figure_at(d, 'balance', 'relative_error'):.1e}")


def year_default_measured(data: dict) -> str:
    """One phrase: when and where the default year was measured."""
    d = figure_at(data, "cases", "default")
    return f"`{figure_at(d, 'command')}`, {_stamp(d)}"


def _warm(fn: Callable[[dict], str]) -> Callable[[dict], str]:
    """A renderer of default_run.json: ``fn`` on its ``warm`` entry (a run with the kernels compiled)."""

    def render(data: dict) -> str:
        return fn(figure_at(data, "cases", "warm"))

    render.__name__, render.__doc__ = fn.__name__, fn.__doc__
    return render


BENCH = "TWIN_NUMBA_THREADS=1 python benchmarks/bench_soil_heat.py all --samples 20"
VALIDATION = "python benchmarks/soil_year_validation.py"
CHECKS = "python benchmarks/soil_validation.py"
CHECK_SECTIONS = ("celia_front", "celia_balance", "green_ampt_ponded", "green_ampt_rain", "scs", "heat_periodic", "heat_step")
"""The sections of benchmarks/soil_validation.py (its ``SECTIONS``)."""
SECTIONS = ("fao56", "uccle_year_et", "roots", "capillary", "capillary_van_genuchten", "infiltration", "district_balance")
"""The sections of benchmarks/soil_year_validation.py (its ``SECTIONS``)."""
DEFAULT_RUN = "NUMBA_CACHE_DIR=<dir> python benchmarks/bench_default_run.py (twice: a first run, then a warm one)"

BLOCKS: Blocks = {
    "soil_heat.lawn_asphalt": ("soil_heat.json", lawn_asphalt, BENCH),
    "soil_heat.closure": ("soil_heat.json", closure, BENCH),
    "soil_heat.covers": ("soil_heat.json", covers, BENCH),
    "soil_heat.deseal": ("soil_heat.json", deseal, BENCH),
    "soil_heat.cost": ("soil_heat.json", cost, BENCH),
    "soil_heat.area": ("soil_heat.json", area, BENCH),
    "soil_heat.periodic": ("soil_heat.json", periodic, BENCH),
    "soil_heat_default_run.table": ("default_run.json", _warm(default_run_table), DEFAULT_RUN),
    "soil_heat_default_run.cost": ("default_run.json", _warm(default_run_cost), DEFAULT_RUN),
    "soil_default_run.richards": ("default_run.json", _warm(storm_richards), DEFAULT_RUN),
    "soil_default_run.balance": ("default_run.json", _warm(storm_balance), DEFAULT_RUN),
    "soil_default_run.baseline": ("default_run.json", _warm(storm_baseline), DEFAULT_RUN),
    "soil_year.columns": ("soil_year.json", year_columns, "python benchmarks/bench_soil_year.py columns"),
    "soil_year.default_row": ("soil_year.json", year_default_row, "python benchmarks/bench_soil_year.py default"),
    "soil_year.default_measured": ("soil_year.json", year_default_measured, "python benchmarks/bench_soil_year.py default"),
    "soil_year_validation.measured": ("soil_year_validation.json", validation_measured, VALIDATION),
    **{f"soil_year_validation.{key}": ("soil_year_validation.json", _section(key), VALIDATION) for key in SECTIONS},
    "soil_validation.measured": ("soil_validation.json", validation_measured, CHECKS),
    "soil_validation_readme.richards": ("soil_validation.json", readme_richards, CHECKS),
    **{f"soil_validation.{key}": ("soil_validation.json", _section(key, "soil_validation"), CHECKS) for key in CHECK_SECTIONS},
}
"""The soil blocks of :data:`update_figures.RENDERERS`."""
