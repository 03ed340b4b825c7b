"""Renderers of the default run's calibration figures in docs/calibration.md: the energy bands with the
priors alone against the calibrated ones (the ``uncalibrated`` and ``whatifs`` entries of
benchmarks/figures/default_run.json, written by benchmarks/bench_default_run.py from the run's
``kpis.csv``), which bands the calibration narrows, and the cost of the priors-alone Monte Carlo
(``timings_s``).

Like the views of :mod:`figure_renderers.scenario`, these quote the warm run's entry. Their block
names start with ``calibration_default_run`` (not ``default_run.``: the views of that prefix are
those of docs/scenarios.md and docs/stock_attributes.md)."""

from __future__ import annotations

import math

from .common import Blocks, FiguresError, signed
from .scenario import BENCH, WARM, _duration, _key, _loads, _view

WHATIF = "renovation-wave"
"""The what-if whose change's bands the table compares."""
ROWS: tuple[tuple[str, str], ...] = (
    ("heating_need_mwh", "heating need, MWh"),
    ("final_energy_mwh", "final energy, MWh"),
    ("primary_energy_mwh", "primary energy, MWh"),
    ("co2_t", "CO2, t"),
    ("energy_cost_keur_yr", "energy cost, kEUR/year"),
    ("floor_area_class_d_or_worse_pct", "floor area in EPB class D or worse, %"),
)
"""(KPI, label with unit) of the table, in order."""
PARTS = (("baseline", "the baseline's"), ("delta", "the change's"))
"""The two bands of a KPI: key prefix and the words naming it."""


def _sig3(x: float) -> str:
    """``x`` rounded to 3 significant digits, thousands separated (``197,000``, ``−7,440``, ``94.6``)."""
    if x == 0 or not math.isfinite(x):
        return signed(x, "g")
    decimals = 2 - math.floor(math.log10(abs(x)))
    r = round(x, decimals)
    return signed(r, f",.{max(0, decimals)}f")


def _band(lo: float, hi: float) -> str:
    return f"{_sig3(lo)} to {_sig3(hi)}" if min(lo, hi) < 0 else f"{_sig3(lo)}-{_sig3(hi)}"


def _rows(data: dict) -> list[tuple[str, str, dict, dict]]:
    """Per KPI of :data:`ROWS` (label, kpi, priors-alone row, calibrated row) of :data:`WHATIF`."""
    prior = _key(data, "uncalibrated").get(WHATIF)
    calibrated = _key(data, "whatifs").get(WHATIF)
    if not prior or not calibrated:
        raise FiguresError(f"no what-if {WHATIF!r} in the figures' 'uncalibrated' and 'whatifs' (is the run calibrated?)")
    out = []
    for kpi, label in ROWS:
        if kpi not in prior or kpi not in calibrated:
            raise FiguresError(f"no KPI {kpi!r} of {WHATIF!r} in the figures' 'uncalibrated' and 'whatifs'")
        out.append((label, kpi, prior[kpi], calibrated[kpi]))
    return out


def _width_change(before: dict, after: dict, part: str) -> float:
    """Width of the calibrated band / width with the priors alone - 1, in % (NaN when the latter has no width)."""
    w0 = before[f"{part}_p_hi"] - before[f"{part}_p_lo"]
    w1 = after[f"{part}_p_hi"] - after[f"{part}_p_lo"]
    return 100.0 * (w1 / w0 - 1.0) if w0 > 0 else float("nan")


def _change_cell(pct: float) -> str:
    """``−21 %``; a band that widens in bold (``**+30 %**``); ``–`` without a width before."""
    if not math.isfinite(pct):
        return "–"
    text = f"{signed(pct, '+.0f')} %"
    return f"**{text}**" if pct > 0 else text


def bands_table(data: dict) -> str:
    """The table: per energy KPI the 5-95 % bands of the baseline and of :data:`WHATIF`'s change, priors alone and calibrated, and the change of their width."""
    lines = ["| KPI | baseline, priors alone | baseline, calibrated | width | delta, priors alone | delta, calibrated | width |",
             "|---|---|---|---|---|---|---|"]  # fmt: skip
    for label, _, before, after in _rows(data):
        cells = [label]
        for part, _ in PARTS:
            cells += [_band(before[f"{part}_p_lo"], before[f"{part}_p_hi"]), _band(after[f"{part}_p_lo"], after[f"{part}_p_hi"]),
                      _change_cell(_width_change(before, after, part))]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return "\n" + "\n".join(lines) + "\n"


def _fraction(pct: float) -> str:
    return f"{abs(pct):.0f} %"


def widths(data: dict) -> str:
    """One sentence: how much the calibration narrows the bands of :func:`bands_table`, and which it widens (with their medians)."""
    narrow, wide = [], []
    for label, kpi, before, after in _rows(data):
        for part, words in PARTS:
            pct = _width_change(before, after, part)
            if not math.isfinite(pct):
                continue
            (wide if pct > 0 else narrow).append((pct, label, kpi, part, words, before, after))
    head = "Every band narrows" if not wide else "Every band but " + (f"{len(wide)}" if len(wide) > 1 else "one") + " narrows"
    if narrow:
        lo, hi = max(p[0] for p in narrow), min(p[0] for p in narrow)
        head += f" (by {_fraction(lo)} to {_fraction(hi)})" if round(lo) != round(hi) else f" (by {_fraction(lo)})"
    parts = []
    for pct, label, _, part, words, before, after in wide:
        name, unit = label.rsplit(", ", 1)
        w0 = before[f"{part}_p_hi"] - before[f"{part}_p_lo"]
        w1 = after[f"{part}_p_hi"] - after[f"{part}_p_lo"]
        text = f"{words} {name} widens by {pct:.0f} % ({_sig3(w0)} -> {_sig3(w1)} {'points' if unit == '%' else unit})"
        m0, m1 = before.get(f"{part}_p50"), after.get(f"{part}_p50")
        if m0 is not None and m1 is not None:
            text += f"; its median moves from {_sig3(m0)} {unit} with the priors alone to {_sig3(m1)} {unit} calibrated"
        parts.append(text)
    return head + (": " + "; ".join(parts) if parts else "") + "."


def cost(data: dict) -> str:
    """One paragraph's figures: the run's wall, CPU and load, the priors-alone Monte Carlo's seconds and share of the wall, the calibrated energy samples' seconds."""
    t = _key(data, "timings_s")
    if "uncalibrated:energy" not in t:
        raise FiguresError("no 'uncalibrated:energy' in the figures' 'timings_s' (is the run calibrated?)")
    wall, cpu = float(_key(data, "wall_s")), float(_key(data, "cpu_s"))
    prior = float(t["uncalibrated:energy"])
    energy = {k.split(":", 2)[2]: float(v) for k, v in t.items() if k.startswith("samples:energy:")}
    lo, hi = _loads(data)
    samples = ", ".join(f"{s:.1f} s ({scene})" for scene, s in energy.items()) or "none timed"
    return (f"`twin run` of the default scenario ({int(_key(data, 'samples'))} samples, seed {_key(data, 'seed')}) took {_duration(wall)} wall "
            f"and {cpu:.0f} s of CPU, of which the priors-alone energy Monte Carlo (`uncalibrated:energy` of the run record) took "
            f"{prior:.1f} s, {100 * prior / wall:.0f} % of the run's wall, against {samples} for the calibrated energy samples "
            f"(the run record times its steps in wall seconds; CPU is measured for the whole run only); measured by "
            f"`{_key(data, 'command')}`, {_key(data, 'date')}, commit {_key(data, 'commit')}, {_key(data, 'cpus')} cores, "
            f"1-minute load average {lo:.2f}–{hi:.2f}")  # fmt: skip


BLOCKS: Blocks = {f"calibration_default_run.{view}": ("default_run.json", _view(fn, WARM), BENCH)
                  for view, fn in (("bands", bands_table), ("widths", widths), ("cost", cost))}  # fmt: skip
"""The default run's calibration blocks of docs/calibration.md in :data:`update_figures.RENDERERS`."""
