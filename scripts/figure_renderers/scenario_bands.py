"""Renderers of the default ``twin run``'s bands in docs/stock_attributes.md ("Measured on the default
scenario"): per headline KPI the central value, the baseline's 5-95 % band and median, and the
largest change any what-if makes with its band (benchmarks/bench_default_run.py, ``whatifs`` of
benchmarks/figures/default_run.json); and the central values that fall outside their band.

Like the views of :mod:`figure_renderers.scenario`, these quote the warm run's entry (the KPIs do
not depend on the numba cache)."""

from __future__ import annotations

from .common import Blocks, FiguresError, signed
from .scenario import BENCH, WARM, _key, _view

ROWS: tuple[tuple[str, str, float, str], ...] = (
    ("heating_need_mwh", "heating need, GWh", 1e-3, ",.1f"),
    ("primary_energy_mwh", "primary energy, GWh", 1e-3, ",.1f"),
    ("co2_t", "CO2, kt", 1e-3, ",.1f"),
    ("floor_area_class_d_or_worse_pct", "floor area in EPB class D or worse, %", 1.0, ",.1f"),
    ("investment_keur", "investment, MEUR", 1e-3, ",.1f"),
    ("am_peak_vehicle_km", "morning-peak vehicle-km", 1.0, ",.0f"),
)
"""(KPI, label with unit, factor from the KPI's unit to the label's, format) of the table, in order."""


def _whatifs(data: dict) -> dict[str, dict]:
    whatifs = _key(data, "whatifs")
    if not whatifs:
        raise FiguresError("no what-if in the figures' 'whatifs'")
    return whatifs


def _baseline(data: dict, kpi: str) -> dict:
    """The KPI's row of the first what-if that has it (the baseline's figures are the same in every what-if)."""
    for rows in _whatifs(data).values():
        if kpi in rows:
            return rows[kpi]
    raise FiguresError(f"no KPI {kpi!r} in the figures' 'whatifs'")


def _largest_change(data: dict, kpi: str) -> tuple[str, dict] | None:
    """The what-if whose central change of ``kpi`` is largest in size, and its row; ``None`` when no what-if changes it."""
    found = [(name, rows[kpi]) for name, rows in _whatifs(data).items() if kpi in rows and rows[kpi]["delta"]]
    return max(found, key=lambda f: abs(f[1]["delta"])) if found else None


def _band(lo: float | None, hi: float | None, fmt: str, *, plus: bool = False) -> str:
    if lo is None or hi is None:
        return "–"
    f = ("+" if plus else "") + fmt
    return f"{signed(lo, f)} to {signed(hi, f)}" if plus or min(lo, hi) < 0 else f"{signed(lo, f)}-{signed(hi, f)}"


def bands_table(data: dict) -> str:
    """A table: per headline KPI (:data:`ROWS`) the central baseline, its band and median, and the largest change of a what-if with its band."""
    lines = ["| KPI | central | band of the baseline | median | largest change of a what-if | band of the change |",
             "|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    for kpi, label, factor, fmt in ROWS:
        b = _baseline(data, kpi)
        median = b.get("baseline_p50")
        cells = [label, signed(b["baseline"] * factor, fmt),
                 _band(*(None if b[k] is None else b[k] * factor for k in ("baseline_p_lo", "baseline_p_hi")), fmt),
                 "–" if median is None else signed(median * factor, fmt)]  # fmt: skip
        change = _largest_change(data, kpi)
        if change is None:
            cells += ["none", "–"]
        else:
            name, k = change
            cells += [f"{name} {signed(k['delta'] * factor, '+' + fmt)}",
                      _band(*(None if k[c] is None else k[c] * factor for c in ("delta_p_lo", "delta_p_hi")), fmt, plus=True)]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return "\n" + "\n".join(lines) + "\n"  # a block on its own lines: the table starts on a line of its own


def _outside(value: float, lo: float | None, hi: float | None) -> bool:
    return lo is not None and hi is not None and not lo <= value <= hi


def outside(data: dict) -> str:
    """One sentence: the central values of :func:`bands_table` (baselines and changes) outside their band, or that none is."""
    found: list[str] = []
    for kpi, label, factor, fmt in ROWS:
        b = _baseline(data, kpi)
        if _outside(b["baseline"], b["baseline_p_lo"], b["baseline_p_hi"]):
            found.append(f"the baseline's {label.split(',')[0]} ({signed(b['baseline'] * factor, fmt)}, band "
                         f"{_band(b['baseline_p_lo'] * factor, b['baseline_p_hi'] * factor, fmt)})")  # fmt: skip
        change = _largest_change(data, kpi)
        if change and _outside(change[1]["delta"], change[1]["delta_p_lo"], change[1]["delta_p_hi"]):
            k = change[1]
            found.append(f"the change of the {label.split(',')[0]} by {change[0]} ({signed(k['delta'] * factor, '+' + fmt)}, band "
                         f"{_band(k['delta_p_lo'] * factor, k['delta_p_hi'] * factor, fmt, plus=True)})")  # fmt: skip
    if not found:
        return "Every central value of the table lies inside its band."
    return "Outside their band: " + "; ".join(found) + "."


BLOCKS: Blocks = {f"default_run.{view}": ("default_run.json", _view(fn, WARM), BENCH) for view, fn in (("bands", bands_table), ("outside", outside))}
"""The default run's blocks of docs/stock_attributes.md in :data:`update_figures.RENDERERS`."""
