"""What a building's own tags and name say: raw values per attribute, and its use.

Column names are the lower-case attribute names of the file (OSM keys as GDAL gives them,
``building:levels``; GIS columns such as ``height_m`` or ``storeys``). For each attribute the
first of its keys (:data:`KEYS`) that holds a value *in that row* is used, and the key is
recorded, so a table of which tags were used comes from the same run.

Use (:func:`use_from_tags`, source ``data``), in the order of ``use_from_tags`` in
``twin/data/ingest_defaults.yaml``: an explicit ``use`` column holding a use class; then
``amenity``, ``shop``, ``office``, ``healthcare``, ``craft``, ``tourism``, ``leisure``,
``religion``, ``building:use``, ``building``, ``landuse`` (the first tag whose value is in its
table). Mixed use: a dwelling (``building=apartments|house|terrace|residential...``) with a
shop or service tag that does not fill a whole building (not in ``whole_building_tags``)
stays residential and the tag gives its ``ground_floor_use``.

Use from the name (:func:`use_from_name`, source ``inferred``): the first pattern of
``use_from_name`` that matches the name, lower case and without accents.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

KEYS: dict[str, tuple[str, ...]] = {
    "height_m": ("height_m", "height", "hauteur", "building:height", "bldg_height", "measuredheight", "measured_height"),
    "n_storeys": ("n_storeys", "storeys", "building:levels", "levels", "nb_etages", "num_floors", "floors"),
    "construction_year": (
        "construction_year", "start_date", "building:start_date", "construction_date", "year_built", "building:year", "year",
    ),
    "roof_levels": ("roof_levels", "roof:levels", "building:roof:levels"),
    "min_level": ("min_level", "building:min_level"),
    "min_height_m": ("min_height_m", "min_height", "building:min_height"),
    "roof_kind": ("roof:shape", "roof_kind", "roof_shape", "building:roof:shape"),
    # text, passed on by :func:`twin.ingest.attributes.checks.check_values` and checked by
    # :mod:`twin.ingest.attributes.complete` (a file's column of known heating systems)
    "heating_system": ("heating_system",),
}
"""Keys (lower-case column names) read for each attribute, in order of preference."""

USE_KEYS_EXTRA = ("use",)
"""Columns besides the ``use_from_tags`` keys that the use rules read."""


def _present(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and np.isnan(value):
        return False
    try:
        if pd.isna(value):
            return False
    except (TypeError, ValueError):
        pass
    return not (isinstance(value, str) and not value.strip())


def coalesce(frame: pd.DataFrame, keys: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the first present value among ``keys`` and the key it came from.

    Returns
    -------
    values : object array (None where no key holds a value)
    key : object array of key names (None where none)
    """
    n = len(frame)
    values = np.full(n, None, dtype=object)
    used = np.full(n, None, dtype=object)
    for k in keys:
        if k not in frame:
            continue
        todo = pd.isna(used)
        if not todo.any():
            break
        col = frame[k].to_numpy(dtype=object)
        has = todo & _present_mask(col)
        values[has] = col[has]
        used[has] = k
    return values, used


def _present_mask(col: np.ndarray) -> np.ndarray:
    """True where a value is present (not None/NaN/empty text); each distinct value judged once."""
    codes, uniques = pd.factorize(pd.Series(col, dtype=object), use_na_sentinel=True)
    ok = np.array([_present(u) for u in uniques] + [False], dtype=bool)
    return ok[codes]


# ----------------------------------------------------------------------------- use from tags
def _text(value: object) -> str | None:
    if not _present(value):
        return None
    return str(value).strip().lower()


def _lookup(mapping: dict, value: str, classes: set[str], key: str) -> str | None:
    if key == "building" and value == "yes":
        return None
    got = mapping.get(value)
    if got is None and value in classes and key in ("building", "building:use"):
        got = value
    if got is None:
        got = mapping.get("*")
    return got


def _whole_building(table: dict[str, Any], key: str, value: str) -> bool:
    listed = table["buildings"].get("whole_building_tags", {}).get(key)
    if not listed:
        return key not in _POI_KEYS
    return "*" in listed or value in listed


_POI_KEYS = ("amenity", "shop", "office", "healthcare", "craft", "tourism", "leisure")
"""Tags that name a shop or a service (which may fill only a ground floor)."""


def _use_of(tags: tuple, keys: tuple[str, ...], table: dict[str, Any]) -> tuple:
    """(use, rule, ground_floor_use, ground_floor_rule) of one combination of tag values."""
    bt = table["buildings"]
    classes = set(bt["use_classes"])
    values = dict(zip(keys, tags))
    given = _text(values.get("use"))
    if given in classes:
        return given, "column:use", None, None
    first = None
    building = None
    for key, mapping in bt["use_from_tags"].items():
        value = _text(values.get(key))
        if value is None:
            continue
        got = _lookup(mapping, value, classes, key)
        if got is None:
            continue
        if first is None:
            first = (key, value, got)
        if key == "building":
            building = (key, value, got)
    if first is None:
        return None, None, None, None
    key, value, use = first
    rule = f"tag:{key}={value}"
    dwelling = set(bt.get("dwelling_building_values", ()))
    building_value = _text(values.get("building"))
    if key in _POI_KEYS and building_value in dwelling and not _whole_building(table, key, value):
        b_rule = f"tag:building={building_value}"
        return (building[2] if building else "residential"), b_rule, use, rule
    return use, rule, None, None


def tag_keys(table: dict[str, Any]) -> tuple[str, ...]:
    """Every column :func:`use_from_tags` reads."""
    return (*USE_KEYS_EXTRA, *table["buildings"]["use_from_tags"].keys())


def use_from_tags(frame: pd.DataFrame, table: dict[str, Any]) -> pd.DataFrame:
    """Use and ground-floor use of each row from its own tags (module docstring).

    Returns
    -------
    DataFrame
        Same length as ``frame`` (positional): ``use``, ``use_rule``, ``ground_floor_use``,
        ``ground_floor_use_rule`` (None where no tag gives a use).
    """
    keys = tuple(k for k in tag_keys(table) if k in frame)
    n = len(frame)
    if not keys or n == 0:
        empty = np.full(n, None, dtype=object)
        return pd.DataFrame({"use": empty, "use_rule": empty.copy(), "ground_floor_use": empty.copy(), "ground_floor_use_rule": empty.copy()}, dtype=object)
    # one integer code per distinct combination of the tag values (mixed radix over the columns)
    codes = np.zeros(n, dtype=np.int64)
    levels = []
    for k in keys:
        col = frame[k].to_numpy(dtype=object).copy()
        col[~_present_mask(col)] = None
        c, u = pd.factorize(pd.Series(col, dtype=object), use_na_sentinel=True)
        levels.append(np.append(np.asarray(u, dtype=object), None))
        codes = codes * (len(u) + 1) + np.where(c < 0, len(u), c)
    combos, first, codes = np.unique(codes, return_index=True, return_inverse=True)
    codes = codes.ravel()
    unique_rows = []
    for row in first:
        unique_rows.append(tuple(frame[k].iloc[row] if _present(frame[k].iloc[row]) else None for k in keys))
    results = [_use_of(u, keys, table) for u in unique_rows]
    arr = np.array(results, dtype=object).reshape(len(results), 4) if results else np.zeros((0, 4), dtype=object)
    picked = arr[codes] if len(arr) else np.full((n, 4), None, dtype=object)
    return pd.DataFrame(picked, columns=["use", "use_rule", "ground_floor_use", "ground_floor_use_rule"], dtype=object)


# ----------------------------------------------------------------------------- use from the name
def plain(text: str) -> str:
    """Lower case, accents removed, spaces collapsed (``'Église  Saint-Gilles'`` -> ``'eglise saint-gilles'``)."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().replace("’", "'").split())


@lru_cache(maxsize=16)
def _compiled(rules: tuple[tuple[str, str, str], ...]) -> tuple[tuple[re.Pattern, str, str], ...]:
    return tuple((re.compile(p), use, label) for p, use, label in rules)


def name_rules(table: dict[str, Any]) -> tuple[tuple[re.Pattern, str, str], ...]:
    """The compiled ``use_from_name`` rules: (pattern, use, label)."""
    rows = table["buildings"].get("use_from_name", []) or []
    return _compiled(tuple((str(r["pattern"]), str(r["use"]), str(r.get("label", r["use"]))) for r in rows))


def use_from_name(names: pd.Series | np.ndarray, table: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Use class from each name, and the rule (``name:<label>``); None where no rule matches."""
    rules = name_rules(table)
    s = pd.Series(np.asarray(names, dtype=object), dtype=object)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    use = np.full(len(uniques) + 1, None, dtype=object)
    rule = np.full(len(uniques) + 1, None, dtype=object)
    for k, name in enumerate(uniques):
        if not _present(name):
            continue
        text = plain(name)
        for pattern, u, label in rules:
            if pattern.search(text):
                use[k], rule[k] = u, f"name:{label}"
                break
    return use[codes], rule[codes]


__all__ = ["KEYS", "coalesce", "name_rules", "plain", "tag_keys", "use_from_name", "use_from_tags"]
