"""Priors of the soil engine's year method: the table of the soil unknowns the Monte Carlo samples.

The shipped table is ``twin/data/soil_priors.yaml``; a scenario replaces entries through
``soil.priors`` (a mapping of entry -> fields, merged field by field onto the shipped entry).
Every entry is a *factor* on the scenario's central value:

==============================  ==============================================================
entry                           multiplies
==============================  ==============================================================
``kc_scale_factor``             ``soil.kc_scale`` (every crop coefficient)
``water_table_depth_factor``    ``soil.water_table_depth_m``
``sewer_outlet_capacity_factor`` ``soil.sewer_outlet_capacity_mm_h``
==============================  ==============================================================

``dist`` is ``triangular`` (``low``, ``mode``, ``high``) or ``uniform`` (``low``, ``high``),
with ``0 < low <= mode <= high`` and ``low < high``; ``basis`` says where the numbers come from.
Draws: :func:`draw_factors` (seeded; the same draws for the baseline and every what-if).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources

import numpy as np

PRIORS_FILE = "soil_priors.yaml"
#: The entries (the soil unknowns) in draw order.
ENTRIES = ("kc_scale_factor", "water_table_depth_factor", "sewer_outlet_capacity_factor")
_FIELDS = {"triangular": ("low", "mode", "high"), "uniform": ("low", "high")}


@dataclass(frozen=True)
class FactorPrior:
    """One factor's distribution (see the module docstring)."""

    name: str
    dist: str
    low: float
    high: float
    mode: float
    basis: str

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.low == self.high:
            return np.full(n, self.low)
        if self.dist == "uniform":
            return rng.uniform(self.low, self.high, n)
        return rng.triangular(self.low, self.mode, self.high, n)


def _shipped() -> dict:
    import yaml

    text = (resources.files("twin") / "data" / PRIORS_FILE).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def load_soil_priors(overrides: dict | None = None) -> dict[str, FactorPrior]:
    """The shipped soil priors with the scenario's ``overrides`` merged entry by entry.

    Raises
    ------
    ValueError
        An unknown entry or field, a distribution without its parameters, a factor <= 0 or
        out of order, a non-finite number (the message names ``entry.field``).
    """
    table = _shipped()
    for key, entry in (overrides or {}).items():
        if key not in ENTRIES:
            raise ValueError(f"unknown soil prior {key!r} (known: {', '.join(ENTRIES)})")
        if not isinstance(entry, dict):
            raise ValueError(f"{key}: give a mapping with dist, low, mode, high (and basis), not {entry!r}")
        merged = dict(table[key])
        if "dist" in entry and entry["dist"] != merged.get("dist"):
            merged = {"basis": merged.get("basis", "")}  # another distribution: its own parameters only
        merged.update(entry)
        table[key] = merged
    out = {}
    for key in ENTRIES:
        e = table[key]
        dist = e.get("dist")
        if dist not in _FIELDS:
            raise ValueError(f"{key}.dist: {dist!r} is not a distribution of the soil priors (triangular, uniform)")
        unknown = sorted(set(e) - set(_FIELDS[dist]) - {"dist", "basis"})
        if unknown:
            raise ValueError(f"{key}.{unknown[0]}: not a parameter of a {dist} distribution ({', '.join(_FIELDS[dist])})")
        vals = {}
        for f in _FIELDS[dist]:
            v = e.get(f)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ValueError(f"{key}.{f}: a {dist} distribution needs a finite number here, got {v!r}")
            if v <= 0:
                raise ValueError(f"{key}.{f}: a factor must be positive, got {v:g}")
            vals[f] = float(v)
        mode = vals.get("mode", 0.5 * (vals["low"] + vals["high"]))
        if not vals["low"] < vals["high"]:
            raise ValueError(f"{key}.low: low ({vals['low']:g}) must be below high ({vals['high']:g})")
        if not vals["low"] <= mode <= vals["high"]:
            raise ValueError(f"{key}.mode: mode ({mode:g}) must lie between low and high")
        out[key] = FactorPrior(key, dist, vals["low"], vals["high"], mode, str(e.get("basis", "")))
    return out


def draw_factors(priors: dict[str, FactorPrior], n: int, seed: int) -> np.ndarray:
    """``(n, len(ENTRIES))`` factors, seeded by ``seed`` alone: every scene gets the same rows."""
    rng = np.random.default_rng([int(seed), 0x5017])
    return np.column_stack([priors[k].draw(rng, n) for k in ENTRIES])
