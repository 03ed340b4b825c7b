"""Physical bounds of building attributes, and the check every reader's buildings go through.

A value outside these bounds is not a building twin can model: it is a unit mix-up (a height in
millimetres), a typo (``1e9``), a column shifted by one or a placeholder. Such a building is
**dropped** and listed in ``IngestResult.dropped`` with the value, the field and the bound, so
one bad feature does not stop a file of thousands, and nothing is computed from a wrong number.

The bounds (height, storeys, storey height, construction year, footprint area, ground
elevation), each with its basis, are tabulated once, in :mod:`twin.scene.limits`.

Infinite numbers and text without a number in a numeric attribute (``height: "tall"``) are
dropped the same way. A NaN reads as a missing value, so a GeoJSON property given as ``NaN`` is
refused when the file is read (:mod:`twin.ingest.geojson_features`). A value that is simply missing is not
an error: it is defaulted and flagged (:mod:`twin.ingest.defaults`).

The bounds themselves and the check of a finished ``buildings`` table
(:func:`~twin.scene.limits.building_row_problems`) are a rule of the scene schema and live in
:mod:`twin.scene.limits`; this module applies them while reading.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from twin.ingest.result import IngestResult
from twin.scene.limits import (
    MAX_HEIGHT_M,
    MAX_STOREYS,
    MAX_YEAR,
    MIN_STOREY_HEIGHT_M,
    MIN_YEAR,
    building_row_problems,
)
from twin.scene.limits import fmt_value as _fmt

PARTS = ("storeys", "spaces", "elements")
"""Layers whose rows belong to a building (dropped with it)."""


def _reason(value: object, number: float, field: str, kind: str) -> str | None:
    """Why a given value of ``field`` is unusable (None if it is fine)."""
    is_number = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    if is_number and not math.isfinite(float(value)):
        return f"{field} is not a finite number ({value!r})"
    if isinstance(value, str) and not value.strip():
        return None  # an empty tag: unknown
    if math.isinf(number):  # a text whose number overflows (``"1e400"``)
        return f"{field} {str(value)[:40]!r} is not a finite number"
    if not math.isfinite(number):
        if kind == "year":  # free text (OSM start_date) without a year is unknown; a number must be a year
            return f"{field} {_fmt(float(value))} is outside {MIN_YEAR:.0f}..{MAX_YEAR:.0f}" if is_number else None
        return f"{field} {str(value)[:40]!r} is not a number"
    if kind == "height" and not 0.0 < number <= MAX_HEIGHT_M:
        return f"{field} {_fmt(number)} m is outside 0 < h <= {MAX_HEIGHT_M:g} m"
    if kind == "storeys" and not 0.0 <= number <= MAX_STOREYS:
        return f"{field} {_fmt(number)} is outside 0..{MAX_STOREYS}"
    return None


def attribute_problems(raw: pd.Series | None, parsed: np.ndarray, *, field: str, kind: str) -> dict[int, str]:
    """Rows whose given ``field`` value is unusable, with the reason (row position -> text).

    Parameters
    ----------
    raw
        The values as the file gives them (None if the file has no such column).
    parsed
        The numbers read from them (NaN where none), same length.
    field
        The scene column (``height_m``, ``n_storeys``, ``construction_year``), for the reason.
    kind
        ``"height"``, ``"storeys"`` or ``"year"``: which bounds apply.

    Each distinct value is judged once (a column of 200k rows with a few dozen values costs a
    factorisation and a few dozen Python calls).
    """
    if raw is None or len(parsed) == 0:
        return {}
    values = pd.Series(np.asarray(raw.to_numpy(dtype=object), dtype=object), dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) == 0:
        return {}
    first = np.full(len(uniques), -1)
    order = np.flatnonzero(codes >= 0)
    first_pos = np.unique(codes[order], return_index=True)[1]
    first[np.unique(codes[order])] = order[first_pos]
    numbers = np.asarray(parsed, dtype=float)
    reasons = [_reason(u, numbers[first[k]], field, kind) for k, u in enumerate(uniques)]
    bad_codes = {k: r for k, r in enumerate(reasons) if r is not None}
    if not bad_codes:
        return {}
    return {int(i): bad_codes[int(codes[i])] for i in np.flatnonzero(np.isin(codes, list(bad_codes)))}


def storey_height_problems(height_m: np.ndarray, n_storeys: np.ndarray, *, skip: set[int] = frozenset()) -> dict[int, str]:
    """Rows where a given height and given storeys give storeys lower than
    :data:`MIN_STOREY_HEIGHT_M`."""
    h = np.asarray(height_m, dtype=float)
    s = np.asarray(n_storeys, dtype=float)
    both = np.isfinite(h) & np.isfinite(s) & (s >= 1) & (h > 0)
    out = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        per = np.where(both, h / np.where(both, np.round(s), 1.0), np.inf)
    for i in np.flatnonzero(both & (per < MIN_STOREY_HEIGHT_M)):
        if int(i) not in skip:
            out[int(i)] = (
                f"height_m {_fmt(h[i])} m for {int(round(s[i]))} storeys gives {per[i]:.2f} m per storey "
                f"(< {MIN_STOREY_HEIGHT_M:g} m)"
            )
    return out


def drop_bad_buildings(result: IngestResult, *, id_column: str = "building_id") -> int:
    """Drop the buildings of ``result`` outside the bounds (and their storeys, spaces and
    elements), recording each with its reason; returns how many were dropped."""
    frame = result.layers.get("buildings")
    if frame is None or len(frame) == 0 or id_column not in frame:
        return 0
    problems = building_row_problems(frame)
    if not problems:
        return 0
    rows = np.array(sorted(problems), dtype=int)
    ids = frame[id_column].to_numpy(dtype=object)
    for i in rows:
        result.drop(ids[i], problems[int(i)], invalid=True)
    keep = np.ones(len(frame), dtype=bool)
    keep[rows] = False
    result.layers["buildings"] = frame[keep].reset_index(drop=True) if keep.any() else frame.iloc[:0]
    gone = set(ids[rows])
    for name in PARTS:
        part = result.layers.get(name)
        if part is not None and len(part) and "building_id" in part:
            result.layers[name] = part[~part["building_id"].isin(gone).to_numpy()].reset_index(drop=True)
    return len(rows)


__all__ = ["attribute_problems", "drop_bad_buildings", "storey_height_problems"]
