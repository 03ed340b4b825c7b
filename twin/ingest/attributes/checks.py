"""Tag values that cannot be used as given: each is reported per building with its resolution.

Values outside physical bounds (a height of 1e9 m, 1e6 levels, a storey thinner than 1.5 m
from height and levels, a year after 2100, text where a number is needed) drop the building
(:mod:`twin.ingest.limits`: nothing is computed from a wrong number). The cases below keep
the building and **ignore the one value** (it becomes unknown, so inference or a default fills
it); each gives a note ``(building, field, reason)`` that the reader lists in
``IngestResult.meta['attribute_notes']``, the buildings layer in ``attribute_notes`` and the
command line as ``twin: warning:``.

=====================================  ===========================================================
case                                   resolution
=====================================  ===========================================================
construction year in the future        year ignored (a planned building or a typo); the
(after ``latest_year``, default: the   building is what stands today, its year unknown
current year)
``start_date`` text without a year     ignored (``"old"``, ``"unknown"``)
(``"old"``) or a boolean (``true``)
``building:levels`` not whole          rounded to the nearest whole number (``2.5`` -> 2)
(``2.5``)
``building:levels`` below 1 (``0``,    ignored (storeys unknown: from the height or a default)
``0.4``)
``roof:levels`` negative, not a        ignored (no roof storey)
(finite) number or above 20
``building:min_level`` negative, not   ignored (``min_level`` 0): the levels tag wins, as it
a (finite) number, or not below        describes the storeys that exist
``building:levels``
``min_height`` negative, not a         ignored (underside on the ground): the height wins
(finite) number, or not below
``height``
=====================================  ===========================================================
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

TEXT_ATTRIBUTES = ("heating_system",)
"""Attributes read as text from a file and passed on unparsed (checked when the buildings are completed)."""

MAX_ROOF_LEVELS = 20
"""Most roof storeys accepted (a mansard over a tall block has 2-3; 20 is a typo guard)."""


@dataclass(frozen=True)
class Note:
    """A value of one building that was not used as given, and what was done instead."""

    building_id: str
    field: str
    reason: str

    def text(self) -> str:
        return f"{self.building_id}: {self.field} {self.reason}"


def latest_year(table: dict[str, Any]) -> float:
    """The last construction year accepted (``latest_year`` of the table, default this year)."""
    value = table["buildings"].get("latest_year")
    return float(_dt.date.today().year if value is None else value)


def _show(value: object) -> str:
    text = str(value)
    return repr(text[:40]) if isinstance(value, str) else text


def check_values(
    ids: np.ndarray,
    raw: dict[str, tuple[np.ndarray, np.ndarray]],
    parsed: dict[str, np.ndarray],
    table: dict[str, Any],
) -> tuple[dict[str, np.ndarray], list[Note]]:
    """Apply the resolutions of the module docstring.

    Parameters
    ----------
    ids
        Building ids (for the notes).
    raw
        Per attribute (``construction_year``, ``n_storeys``, ``roof_levels``, ``min_level``,
        ``min_height_m``, ``height_m``): (raw values, key they came from), None where absent.
    parsed
        Per attribute the parsed numbers (NaN where none); changed copies are returned.

    Returns
    -------
    parsed : the numbers with ignored values set to NaN (levels rounded); and, when some row of
        the file gives one, the ``heating_system`` text of every row (None where none: checked
        against the known systems by :mod:`twin.ingest.attributes.complete`, which names the
        file and building of a wrong one; no column when no row gives one, so a file without
        systems makes the same layer as before)
    notes : one :class:`Note` per value not used as given
    """
    out = {k: np.asarray(v, dtype=float).copy() for k, v in parsed.items()}
    for attribute in TEXT_ATTRIBUTES:
        values = raw.get(attribute, (None, None))[0]
        if values is not None and len(values) and np.asarray(pd.notna(values), dtype=bool).any():
            out[attribute] = np.asarray(values, dtype=object).copy()
    notes: list[Note] = []

    def note(i: int, attribute: str, reason: str) -> None:
        key = raw[attribute][1][i] if attribute in raw else attribute
        notes.append(Note(str(ids[i]), str(key), reason))

    def given(attribute: str) -> np.ndarray:
        values = raw.get(attribute, (None, None))[0]
        return np.zeros(len(ids), dtype=bool) if values is None else np.asarray(pd.notna(values), dtype=bool)

    year = out.get("construction_year")
    if year is not None:
        last = latest_year(table)
        has = given("construction_year")
        for i in np.flatnonzero(has & np.isnan(year)):
            value = raw["construction_year"][0][i]
            if isinstance(value, (str, bool, np.bool_)):  # a number without a year was dropped (limits)
                note(int(i), "construction_year", f"{_show(value)} holds no year: ignored (year unknown)")
        for i in np.flatnonzero(year > last):
            note(int(i), "construction_year", f"{_show(raw['construction_year'][0][i])} is in the future (after {last:.0f}): ignored (year unknown)")
            year[i] = np.nan

    storeys = out.get("n_storeys")
    if storeys is not None:
        with np.errstate(invalid="ignore"):
            none = np.isfinite(storeys) & (np.floor(storeys + 0.5) < 1)
        frac = np.isfinite(storeys) & ~none & (np.abs(storeys - np.round(storeys)) > 1e-9)
        for i in np.flatnonzero(frac):
            note(int(i), "n_storeys", f"{storeys[i]:g} is not a whole number of storeys: rounded to {math.floor(storeys[i] + 0.5):d}")
            storeys[i] = math.floor(storeys[i] + 0.5)
        for i in np.flatnonzero(none):
            note(int(i), "n_storeys", f"{_show(raw['n_storeys'][0][i])} is not a number of storeys >= 1: ignored (storeys unknown)")
        storeys[none] = np.nan

    roof = out.get("roof_levels")
    if roof is not None:
        has = given("roof_levels")
        bad = has & ~(np.isfinite(roof) & (roof >= 0) & (roof <= MAX_ROOF_LEVELS))
        for i in np.flatnonzero(bad):
            note(int(i), "roof_levels", f"{_show(raw['roof_levels'][0][i])} is not a number of roof storeys in 0..{MAX_ROOF_LEVELS}: ignored (no roof storey)")
        roof[bad] = np.nan
        roof[np.isfinite(roof)] = np.round(roof[np.isfinite(roof)])

    low = out.get("min_level")
    if low is not None:
        has = given("min_level")
        bad = has & ~(np.isfinite(low) & (low >= 0))
        if storeys is not None:
            above = has & ~bad & np.isfinite(storeys) & (storeys >= 1) & (low >= storeys)
        else:
            above = np.zeros(len(ids), dtype=bool)
        for i in np.flatnonzero(bad):
            note(int(i), "min_level", f"{_show(raw['min_level'][0][i])} is not a number of levels >= 0: ignored (min_level 0)")
        for i in np.flatnonzero(above):
            note(int(i), "min_level", f"{low[i]:g} is not below the {storeys[i]:g} levels of the building: ignored (min_level 0; the levels tag wins)")
        low[bad | above] = np.nan
        low[np.isfinite(low)] = np.round(low[np.isfinite(low)])

    under = out.get("min_height_m")
    if under is not None:
        has = given("min_height_m")
        bad = has & ~(np.isfinite(under) & (under >= 0))
        height = out.get("height_m")
        above = has & ~bad & (np.isfinite(height) & (under >= height) if height is not None else False)
        for i in np.flatnonzero(bad):
            note(int(i), "min_height_m", f"{_show(raw['min_height_m'][0][i])} is not a height >= 0 m: ignored (underside on the ground)")
        for i in np.flatnonzero(above):
            note(int(i), "min_height_m", f"{under[i]:g} m is not below the height {height[i]:g} m: ignored (underside on the ground; the height wins)")
        under[bad | above] = np.nan
    return out, notes


__all__ = ["MAX_ROOF_LEVELS", "TEXT_ATTRIBUTES", "Note", "check_values", "latest_year"]
