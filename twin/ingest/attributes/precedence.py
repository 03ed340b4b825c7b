"""Which value of a building attribute wins: the user's, then the file's, then what is derived.

Every building reader that takes an overrides table (``--overrides``: the vector and OSM
readers through :func:`twin.ingest.attributes.complete.complete`, the CityJSON reader, the IFC
reader) decides each attribute in the same order:

1. a value the user gives for the building (an overrides row,
   :func:`twin.ingest.attributes.overrides.read_overrides`): source ``user``, rule
   :data:`OVERRIDE_RULE`;
2. else the value the file gives, with the source and rule the reader records for it (``data``,
   ``attribute:storeys``, ``column:height_m``, ``geometry`` ...);
3. else the attribute stays missing and the reader derives it from the others (storeys from a
   height, a height from storeys, a documented default), with source ``inferred`` or ``default``.

:func:`prefer_given` is steps 1 and 2, written once for every reader (:func:`given_or_file` is
the same for one building); step 3 is each reader's
(the vector path's rules of :mod:`twin.ingest.attributes.form`, a CityJSON or IFC height from
its geometry). :class:`Given` holds the checked overrides rows and gives them as columns in the
order of the reader's buildings. Where a file's geometry fixes a building's height (CityJSON
LoD >= 1 surfaces, an IFC model), a ``height_m`` override is refused
(:func:`refuse_geometry_height`): the surfaces would not match it; ``n_storeys`` can be given.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from twin.errors import InputError
from twin.ingest.attributes.overrides import OVERRIDE_COLUMNS, ROW_LABELS, TABLE_PATH, read_overrides

USER_SOURCE = "user"
"""Source of a value the user gives (:data:`twin.scene.provenance.SOURCES`)."""

OVERRIDE_RULE = "override"
"""Rule of a value the user gives."""

TEXT_COLUMNS = ("use", "heating_system")
"""Override columns that hold text (lower case, None where blank); the others are numbers (NaN)."""


class Given:
    """The checked overrides rows of one ingest, by building id.

    Parameters
    ----------
    frame
        :func:`twin.ingest.attributes.overrides.read_overrides` output (indexed by
        ``building_id``; NaN / None where a cell is blank).
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.path = frame.attrs.get(TABLE_PATH)
        self.labels: dict[str, str] = frame.attrs.get(ROW_LABELS) or {}
        self.rows: dict[str, dict[str, Any]] = {}
        for bid, rec in frame.to_dict(orient="index").items():
            self.rows[str(bid)] = {k: v for k, v in rec.items() if v is not None and not (isinstance(v, float) and math.isnan(v))}

    @classmethod
    def read(cls, overrides: Any, *, use_classes=None, path=None) -> Given | None:
        """The rows of ``overrides`` (a table path, DataFrame or mapping; None: no overrides),
        checked by :func:`~twin.ingest.attributes.overrides.read_overrides` (``use`` among
        ``use_classes``, default: those of the packaged defaults table); None when there are none."""
        if use_classes is None:
            from twin.ingest.defaults import load_defaults

            use_classes = load_defaults()["buildings"]["use_classes"]
        frame = read_overrides(overrides, path=path, use_classes=use_classes)
        if frame is None or not len(frame):
            return None
        return cls(frame)

    def label(self, building_id: str) -> str:
        """Where the building's row is, for messages (``line 3 (building b1)``, else the id)."""
        return f"{self.labels[building_id]} (building {building_id})" if building_id in self.labels else building_id

    def hits(self, building_ids) -> int:
        """How many of ``building_ids`` have a row (the buildings the overrides change)."""
        return int(pd.Index(np.asarray(building_ids, dtype=object).astype(str)).isin(self.frame.index).sum())

    def column(self, attribute: str, building_ids) -> np.ndarray:
        """The given values of ``attribute`` in the order of ``building_ids``: floats (NaN where
        not given) for a number, lower-case text (None where not given) for ``use`` and
        ``heating_system``."""
        if attribute not in OVERRIDE_COLUMNS:
            raise ValueError(f"{attribute!r} is not an override column ({', '.join(OVERRIDE_COLUMNS)})")
        ids = np.asarray(building_ids, dtype=object).astype(str)
        if attribute not in self.frame:
            return np.full(len(ids), None if attribute in TEXT_COLUMNS else np.nan, dtype=object if attribute in TEXT_COLUMNS else float)
        values = self.frame[attribute].reindex(ids)
        if attribute in TEXT_COLUMNS:
            text = values.astype(object)
            has = text.notna().to_numpy()
            out = np.full(len(ids), None, dtype=object)
            out[has] = text[has].astype(str).str.strip().str.lower().to_numpy(dtype=object)
            return out
        return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)


def prefer_given(given, value, source, rule) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Steps 1 and 2 of the module docstring: the given value where there is one (source
    ``user``, rule ``override``), else the file's value with its source and rule.

    Parameters
    ----------
    given
        The user's values (:meth:`Given.column`; NaN or None where none).
    value, source, rule
        The file's values (NaN or None where the file gives none), their sources and rules,
        same length.

    Returns
    -------
    tuple of ndarray
        New ``(value, source, rule)`` arrays (the inputs are not changed). Where neither gives a
        value, the value stays missing (with the source and rule passed in) for the reader to
        derive.
    """
    given = np.asarray(given)
    has = ~pd.isna(given)
    out = np.array(value, copy=True)
    if given.dtype == object and out.dtype != object:
        out = out.astype(object)
    out[has] = given[has]
    src = np.array(source, dtype=object, copy=True)
    rul = np.array(rule, dtype=object, copy=True)
    src[has] = USER_SOURCE
    rul[has] = OVERRIDE_RULE
    return out, src, rul


def given_or_file(given: Given | None, attribute: str, building_id: str, value, source: str, rule: str) -> tuple[Any, str, str]:
    """:func:`prefer_given` for one building (a reader that builds its rows one at a time):
    ``(value, source, rule)``, the given value of ``attribute`` for ``building_id`` if any, else
    the file's ``value`` with its ``source`` and ``rule``."""
    if given is None:
        return value, source, rule
    text = attribute in TEXT_COLUMNS
    v, s, r = prefer_given(given.column(attribute, [building_id]), np.asarray([value], dtype=object if text else float), [source], [rule])
    return (v[0] if text else float(v[0])), str(s[0]), str(r[0])


def refuse_geometry_height(given: Given, building_id: str, *, height_m: float, geometry_height_m: float, what: str, source) -> None:
    """The one-line error for a ``height_m`` override of a building whose height its geometry
    fixes (``what``: ``"LoD 2.2 geometry"``, ``"IFC geometry"``): give ``n_storeys`` instead.

    Raises
    ------
    InputError
        Always; naming the overrides table, the row and ``height_m``.
    """
    raise InputError(f"override height_m {height_m:g} m for building {building_id!r} of {source}: its height comes from its "
                     f"{what} ({geometry_height_m:.2f} m; its surfaces would not match); give n_storeys instead, or edit the "
                     "geometry", path=given.path, obj=given.label(building_id), field="height_m")  # fmt: skip


__all__ = ["OVERRIDE_RULE", "TEXT_COLUMNS", "USER_SOURCE", "Given", "given_or_file", "prefer_given", "refuse_geometry_height"]
