"""Renderers of the energy figures: the 5R1C stock kernel's speed (benchmarks/bench_energy_kernel.py)
and the BESTEST / TABULA validation (scripts/energy_validation_figures.py)."""

from __future__ import annotations

from .common import Blocks, FiguresError, signed


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



_QUANTITY_LABELS = {
    "heating_mwh": ("heating", "MWh"),
    "cooling_mwh": ("cooling", "MWh"),
    "peak_heating_kw": ("peak heating", "kW"),
    "peak_cooling_kw": ("peak cooling", "kW"),
    "t_air_min_c": ("min air temperature", "°C"),
    "t_air_max_c": ("max air temperature", "°C"),
    "t_air_mean_c": ("mean air temperature", "°C"),
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
        delta = "" if c["inside"] else (f" ({signed(c['spec'] - hi, '+.3f')} above)" if c["spec"] > hi else f" ({signed(c['spec'] - lo, '+.3f')} below)")
        rows.append(f"| {case.upper()} | {label} {unit} | {signed(c['spec'], '.3f')} | {signed(c['stock'], '.3f')} | {signed(lo, '.3f')} to {signed(hi, '.3f')} | "
                    f"{signed(c['programs_mean'], '.3f')} | {'yes' if c['inside'] else 'no' + delta} |")
    drows = ["| delta | quantity | ours | programs' means |", "|---|---|---|---|"]
    for d in b.get("deltas", []):
        label, unit = _QUANTITY_LABELS[d["quantity"]]
        drows.append(f"| {d['case']} - {d['base']} | {label} {unit} | {signed(d['ours'], '+.3f')} | {signed(d['programs_mean'], '+.3f')} |")
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
    out = [f"{case.upper()} {_QUANTITY_LABELS[q][0]} {signed(c['spec'], '.2f')} ({signed(c['range'][0], 'g')}–{signed(c['range'][1], 'g')})" for case, q, c in cells if not c["inside"]]
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
    out = [f"{case.upper()} {_QUANTITY_LABELS[q][0]} {signed(c['spec'], '.3f')} ({signed(c['range'][0], 'g')}–{signed(c['range'][1], 'g')})" for case, q, c in cells if not c["inside"]]
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


KERNEL = "pytest benchmarks/bench_energy_kernel.py --benchmark-only -s"
VALIDATION = "python scripts/energy_validation_figures.py"

BLOCKS: Blocks = {
    "energy_kernel": ("energy_kernel.json", energy_kernel_table, KERNEL),
    "energy_kernel.summary": ("energy_kernel.json", energy_kernel_summary, KERNEL),
    "energy_validation": ("energy_validation.json", energy_validation_table, VALIDATION),
    "energy_validation.bestest": ("energy_validation.json", energy_validation_bestest, VALIDATION),
    "energy_validation.tabula": ("energy_validation.json", energy_validation_tabula, VALIDATION),
    "energy_validation.tabula_iso52016": ("energy_validation.json", energy_validation_tabula_iso52016, VALIDATION),
    "energy_validation.bestest_solar": ("energy_validation.json", energy_validation_bestest_solar, VALIDATION),
    "energy_validation.bestest_iso52016": ("energy_validation.json", energy_validation_bestest_iso52016, VALIDATION),
}
"""The energy blocks of :data:`update_figures.RENDERERS`."""
