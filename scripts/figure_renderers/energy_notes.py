"""Renderers of the phrases of docs/energy.md that read the BESTEST table (scripts/energy_validation_figures.py,
benchmarks/figures/energy_validation.json): how far above the range the heated cases' annual heating is,
and where the night-ventilated heavy cases (950, 950FF) fall against theirs."""

from __future__ import annotations

from .common import Blocks, FiguresError, signed
from .energy import VALIDATION

HEATING = "heating_mwh"
QUOTED_CASE = "600"
"""The case the heating phrase names besides the extremes (the reference case of BESTEST)."""
NIGHT_FAN = (("950", "cooling_mwh", "cooling", "MWh"), ("950ff", "t_air_max_c", "maximum", "K"), ("950ff", "t_air_mean_c", "mean", "K"))
"""(case, quantity, word, unit of the distance) of the night-fan phrase, in order."""


def _cell(data: dict, case: str, quantity: str) -> dict:
    cases = (data.get("bestest") or {}).get("cases") or {}
    cell = (cases.get(case) or {}).get(quantity)
    if not cell or cell.get("range") is None:
        raise FiguresError(f"no BESTEST {case.upper()} {quantity} with a range in the figures")
    return cell


def _heated(data: dict) -> dict[str, float]:
    """Case -> annual heating over the range's upper edge, minus 1, for every case whose heating range is above zero."""
    cases = (data.get("bestest") or {}).get("cases") or {}
    out = {c: q[HEATING]["spec"] / q[HEATING]["range"][1] - 1.0 for c, q in sorted(cases.items())
           if (q.get(HEATING) or {}).get("range") and q[HEATING]["range"][1] > 0}  # fmt: skip
    if not out:
        raise FiguresError("no heated BESTEST case in the figures")
    return out


def _pct(x: float, signed: bool = True) -> str:
    """``+9 %`` (a fraction as whole percent)."""
    return f"{100 * x:{'+' if signed else ''}.0f} %"


def heating_above(data: dict) -> str:
    """One phrase: how many heated cases are above the range in annual heating, the smallest and largest excess and the 600's."""
    over = _heated(data)
    above = {c: x for c, x in over.items() if x > 0}
    if not above:
        return "no heated case is above the range in annual heating"
    lo, hi = min(above, key=above.get), max(above, key=above.get)
    share = "all heated cases are" if len(above) == len(over) else f"{len(above)} of {len(over)} heated cases are"
    quoted = f", {_pct(above[QUOTED_CASE])} for {QUOTED_CASE}" if QUOTED_CASE in above and QUOTED_CASE not in (lo, hi) else ""
    return f"{share} above the range in annual heating ({_pct(above[lo])} over its upper edge for {lo.upper()} to {_pct(above[hi])} for {hi.upper()}{quoted})"


def heating_900(data: dict) -> str:
    """One phrase: the 900's annual heating against its range."""
    c = _cell(data, "900", HEATING)
    x = c["spec"] / c["range"][1] - 1.0
    return f"900 heating is {_pct(x, False)} above the range" if x > 0 else "900 heating is inside the range"


def _place(cell: dict, unit: str) -> str:
    lo, hi = cell["range"]
    v = cell["spec"]
    if v < lo:
        return f"{lo - v:.2f} {unit} below" if unit == "K" else f"{_pct(1 - v / lo, False)} below"
    if v > hi:
        return f"{v - hi:.2f} {unit} above" if unit == "K" else f"{_pct(v / hi - 1, False)} above"
    return "inside"


def night_fan(data: dict) -> str:
    """One phrase: 950 cooling, the 950FF maximum and mean against their ranges."""
    parts = []
    for case, q, word, unit in NIGHT_FAN:
        c = _cell(data, case, q)
        value = f"{c['spec']:.3f} MWh" if unit == "MWh" else f"{signed(c['spec'], '.2f')} °C"
        parts.append(f"{case.upper()} {word} {value}, {_place(c, unit)}")
    return "; ".join(parts)


BLOCKS: Blocks = {
    "energy_validation.heating_above": ("energy_validation.json", heating_above, VALIDATION),
    "energy_validation.heating_900": ("energy_validation.json", heating_900, VALIDATION),
    "energy_validation.night_fan": ("energy_validation.json", night_fan, VALIDATION),
}
"""The BESTEST phrases of docs/energy.md in :data:`update_figures.RENDERERS`."""
