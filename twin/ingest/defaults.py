"""Documented, overridable defaults for what GIS and OSM files leave out.

Footprint files rarely say how tall a building is, when it was built or what it is used for.
This module fills those gaps from the table ``twin/data/ingest_defaults.yaml`` and flags every
value it filled (``height_defaulted``, ``storeys_defaulted``, ``year_defaulted``,
``use_defaulted``), so a model or a planner can tell data from assumption.

Rules (buildings)
-----------------
* use: from the tags ``amenity``, ``shop``, ``office``, ``building`` (in that order; see
  ``use_from_tags`` in the table) or a ``use`` column holding one of the use classes; else
  ``use_default`` (residential), flagged.
* height and storeys:

  - both known: kept; ``storey_height_m = height_m / n_storeys``;
  - only storeys: ``height_m = n_storeys x storey height of the use`` (3.0 m residential,
    3.5 m most other uses), height flagged;
  - only height: ``n_storeys = max(1, round(height_m / storey height))``, storeys flagged;
  - neither: storeys from the use and the footprint area (e.g. 3 storeys, R+2, for a Brussels
    terraced house under 150 m2), then the height as above; both flagged.

* construction year unknown: NaN with ``year_defaulted`` True (the energy model picks a
  default period).

Overrides
---------
``defaults=`` (to the readers or :func:`load_defaults`) is a nested dict merged onto the table,
or the path of a YAML file of the same shape, e.g.
``{"buildings": {"storey_height_m": {"residential": 2.8}}}``.
``overrides=`` gives known values per building: a DataFrame with a ``building_id`` column (or
index), a mapping ``{building_id: {"height_m": 12.0, ...}}`` or the path of a CSV / Parquet
table; columns ``use``, ``height_m``, ``n_storeys``, ``construction_year``. Overridden values
count as known (not flagged).
"""

from __future__ import annotations

import copy
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from twin.errors import InputError

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
DEFAULTS_FILE = "ingest_defaults.yaml"
OVERRIDE_COLUMNS = ("use", "height_m", "n_storeys", "construction_year")


@lru_cache(maxsize=1)
def _packaged() -> dict[str, Any]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(DATA_DIR.joinpath(DEFAULTS_FILE).read_text(encoding="utf-8"), Loader=loader)  # a safe loader


def _merge(base: dict, update: dict) -> dict:
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def load_defaults(defaults: dict | str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The defaults table, with ``defaults`` merged onto the packaged one.

    Parameters
    ----------
    defaults
        ``None`` (packaged table), a nested dict of the same shape as
        ``twin/data/ingest_defaults.yaml`` or the path of such a YAML file. Dicts are merged
        key by key; lists and scalars replace.

    Raises
    ------
    InputError
        The YAML file is missing or not a mapping.
    """
    table = copy.deepcopy(_packaged())
    if defaults is None:
        return table
    if isinstance(defaults, (str, os.PathLike)):
        from twin.io.yaml_file import read_yaml_mapping

        defaults = read_yaml_mapping(defaults, "defaults file")
    if not isinstance(defaults, dict):
        raise InputError(f"defaults must be a dict or a YAML path, got {type(defaults).__name__}", field="defaults")
    return _merge(table, defaults)


# ----------------------------------------------------------------------------- tag parsing
_NUMBER = re.compile(r"(-?\d+(?:[.,]\d+)?)")
_YEAR = re.compile(r"(\d{4})")
_DECADE = re.compile(r"\d{3}0s")
_CENTURY = re.compile(r"^\s*C(\d{1,2})\b")


def _number(value, feet_to_m: bool) -> float:
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    text = str(value)
    m = _NUMBER.search(text)
    if m is None:
        return np.nan
    number = float(m.group(1).replace(",", "."))
    if feet_to_m and ("ft" in text or "'" in text or "feet" in text):
        number *= 0.3048
    return number


def _year(value) -> float:
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        year = float(value)
    else:
        text = str(value)
        m = _YEAR.search(text)
        if m is not None:
            year = float(m.group(1)) + (5.0 if _DECADE.search(text) else 0.0)
        else:
            c = _CENTURY.search(text)
            year = (float(c.group(1)) - 1.0) * 100.0 + 50.0 if c else np.nan
    return year if 1000.0 <= year <= 2100.0 else np.nan


def _floats(values, func) -> np.ndarray:
    """``func`` (value -> float) over the distinct non-missing values; NaN where missing."""
    s = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values
    if len(s) == 0:
        return np.zeros(0)
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return _numeric(s, func)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=float)
    mapped[:-1] = [func(u) for u in uniques]
    mapped[-1] = np.nan
    return mapped[codes]


def _numeric(s: pd.Series, func) -> np.ndarray:
    """A numeric column: ``func`` over its distinct values (NaN stays NaN)."""
    arr = s.to_numpy(dtype=float, na_value=np.nan)
    uniq, inv = np.unique(arr, return_inverse=True)
    mapped = np.array([np.nan if np.isnan(u) else func(u) for u in uniq], dtype=float)
    return mapped[inv.ravel()]


def parse_number(values: pd.Series | np.ndarray | list, *, feet_to_m: bool = False) -> np.ndarray:
    """First number of each value as float64 (NaN where none), e.g. ``'12 m'`` -> 12.0.

    A decimal comma is accepted (``'7,5'``). With ``feet_to_m``, values marked ``ft``,
    ``feet`` or ``'`` are converted to metres (OSM ``height=40'``). Each distinct value is
    parsed once.
    """
    return _floats(values, lambda v: _number(v, feet_to_m))


def parse_year(values: pd.Series | np.ndarray | list) -> np.ndarray:
    """Construction year from ``start_date``-like text, float64 (NaN where unknown).

    ``'1890'``, ``'1890-05-01'``, ``'~1890'``, ``'1890s'`` (-> 1895), ``'C19'`` (19th century
    -> 1850, its middle). Years outside 1000..2100 are unknown. Each distinct value is parsed
    once.
    """
    return _floats(values, _year)


def _per_unique(values, func) -> np.ndarray:
    """``func`` applied to each distinct non-missing value (object array; None where missing).

    Works on the distinct values only, so a column of 200k rows with a few dozen tag values
    costs a factorisation and a few dozen Python calls.
    """
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [func(u) for u in uniques]
    mapped[-1] = None
    return mapped[codes]  # code -1 -> last slot (None)


def _clean(value) -> str | None:
    text = str(value).strip().lower()
    return text or None


def _text(values) -> pd.Series:
    """Values as lower-case stripped strings, None where missing or empty."""
    return pd.Series(_per_unique(values, _clean), dtype=object)


def _map(values: pd.Series, mapping: dict) -> np.ndarray:
    """``mapping`` looked up for every value (None where absent); ``'*'`` matches any value."""
    star = mapping.get("*")
    return _per_unique(values, lambda v: mapping.get(v, star))


# ----------------------------------------------------------------------------- use
def building_use(tags: pd.DataFrame, table: dict[str, Any] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Use class of each row from its tags.

    Parameters
    ----------
    tags
        Any of the columns ``use``, ``amenity``, ``shop``, ``office``, ``building``.
    table
        The defaults table (:func:`load_defaults`).

    Returns
    -------
    use : object array of use classes
    defaulted : bool array, True where no tag gave the use
    """
    table = table or load_defaults()
    bt = table["buildings"]
    classes = set(bt["use_classes"])
    n = len(tags)
    use = np.full(n, None, dtype=object)
    if "use" in tags:
        given = _text(tags["use"].to_numpy())
        ok = given.isin(classes).to_numpy()
        use[ok] = given.to_numpy()[ok]
    for key, mapping in bt["use_from_tags"].items():
        if key not in tags:
            continue
        todo = pd.isna(use)
        if not todo.any():
            break
        values = _text(tags[key].to_numpy())
        if key == "building":
            # building=yes says nothing about use; a value that is a class is taken as is
            values = values.where(values != "yes", None)
        mapped = _map(values, mapping)
        direct = values.isin(classes).to_numpy()
        mapped = np.where(pd.isna(mapped) & direct, values.to_numpy(dtype=object), mapped)
        take = todo & ~pd.isna(mapped)
        use[take] = mapped[take]
    defaulted = pd.isna(use)
    use[defaulted] = bt["use_default"]
    return use, defaulted


# ----------------------------------------------------------------------------- storeys, heights
def storey_height(use: np.ndarray, table: dict[str, Any] | None = None) -> np.ndarray:
    """Default storey height (m) for each use class."""
    table = table or load_defaults()
    sh = table["buildings"]["storey_height_m"]
    got = _per_unique(use, lambda u: float(sh.get(u, sh["default"])))
    return pd.Series(got, dtype=object).fillna(float(sh["default"])).to_numpy(dtype=float)


def default_storeys(use: np.ndarray, footprint_area_m2: np.ndarray, table: dict[str, Any] | None = None) -> np.ndarray:
    """Default number of storeys from the use class and the footprint area (int64)."""
    table = table or load_defaults()
    bt = table["buildings"]
    bands = bt["storeys"]
    area = np.asarray(footprint_area_m2, dtype=float)
    use = np.asarray(use, dtype=object)
    out = np.zeros(len(area), dtype=np.int64)
    for u in pd.unique(use):
        mask = use == u
        rows = bands.get(u) or bands["*"]
        edges = np.array([np.inf if r["max_area_m2"] is None else float(r["max_area_m2"]) for r in rows])
        values = np.array([int(r["storeys"]) for r in rows], dtype=np.int64)
        k = np.searchsorted(edges, area[mask], side="right")
        k = np.minimum(k, len(rows) - 1)
        out[mask] = values[k]
    small = area < float(bt["small_footprint_m2"])
    out[small] = int(bt["small_footprint_storeys"])
    return out


def read_overrides(overrides, *, path=None) -> pd.DataFrame | None:
    """Per-building known values as a DataFrame indexed by ``building_id``."""
    if overrides is None:
        return None
    if isinstance(overrides, (str, os.PathLike)):
        p = Path(overrides)
        if not p.exists():
            raise InputError("overrides table not found", path=p)
        frame = pd.read_parquet(p) if p.suffix.lower() in (".parquet", ".geoparquet") else pd.read_csv(p)
    elif isinstance(overrides, pd.DataFrame):
        frame = overrides.copy()
    elif isinstance(overrides, dict):
        frame = pd.DataFrame.from_dict(overrides, orient="index")
        frame.index.name = "building_id"
    else:
        raise InputError(f"overrides must be a DataFrame, dict or path, got {type(overrides).__name__}", path=path, field="overrides")
    if "building_id" in frame.columns:
        frame = frame.set_index("building_id")
    frame.index = frame.index.astype(str)
    bad = [c for c in frame.columns if c not in OVERRIDE_COLUMNS]
    if bad:
        raise InputError(f"unknown override column(s) {bad}; allowed: {list(OVERRIDE_COLUMNS)}", path=path, field=bad[0])
    if frame.index.duplicated().any():
        raise InputError("building repeated in overrides", path=path, obj=frame.index[frame.index.duplicated()][0], field="building_id")
    return frame


def complete_buildings(
    frame: pd.DataFrame,
    *,
    defaults: dict | str | os.PathLike[str] | None = None,
    overrides=None,
    path=None,
    table: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Fill use, storeys, height and year where unknown, and flag what was filled.

    Parameters
    ----------
    frame
        Columns ``building_id``, ``footprint_area_m2`` (m2), and, NaN / None where unknown:
        ``height_m`` (m), ``n_storeys``, ``construction_year``, ``use``; ``use_defaulted``
        (bool) when ``use`` was already resolved by :func:`building_use`.
    defaults
        Merged onto the defaults table (see :func:`load_defaults`).
    overrides
        Known values by building id (see :func:`read_overrides`).
    path
        The source file, for error messages.
    table
        The merged defaults table, if the caller has it already (then ``defaults`` is not used).

    Returns
    -------
    DataFrame
        ``frame`` with ``use``, ``use_defaulted``, ``height_m``, ``height_defaulted``,
        ``n_storeys`` (int64), ``storeys_defaulted``, ``storey_height_m``,
        ``construction_year``, ``year_defaulted`` and ``floor_area_m2`` (footprint x storeys).
    """
    table = table if table is not None else load_defaults(defaults)
    out = frame.copy()
    n = len(out)
    height = out["height_m"].to_numpy(dtype=float).copy() if "height_m" in out else np.full(n, np.nan)
    storeys = out["n_storeys"].to_numpy(dtype=float).copy() if "n_storeys" in out else np.full(n, np.nan)
    year = out["construction_year"].to_numpy(dtype=float).copy() if "construction_year" in out else np.full(n, np.nan)
    if "use" in out and "use_defaulted" in out:
        use = out["use"].to_numpy(dtype=object).copy()
        use_defaulted = out["use_defaulted"].to_numpy(dtype=bool).copy()
    else:
        use, use_defaulted = building_use(out, table)
    height[~(height > 0)] = np.nan
    storeys = np.where(storeys >= 1, np.round(storeys), np.nan)

    ov = read_overrides(overrides, path=path)
    n_overridden = 0
    if ov is not None and len(ov):
        pos = pd.Index(out["building_id"].astype(str)).get_indexer(ov.index)
        hit = pos >= 0
        n_overridden = int(hit.sum())
        rows, ov = pos[hit], ov[hit]
        classes = set(table["buildings"]["use_classes"])
        for col in ov.columns:
            vals = ov[col]
            known = vals.notna().to_numpy()
            r = rows[known]
            if col == "use":
                v = vals[known].astype(str).str.strip().str.lower()
                wrong = ~v.isin(classes)
                if wrong.any():
                    raise InputError(
                        f"use {v[wrong].iloc[0]!r} is not one of {sorted(classes)}", path=path, obj=v[wrong].index[0], field="use"
                    )
                use[r] = v.to_numpy()
                use_defaulted[r] = False
                continue
            num = pd.to_numeric(vals[known], errors="coerce").to_numpy(dtype=float)
            if np.isnan(num).any() or (num <= 0).any():
                bad = vals[known].index[np.flatnonzero(np.isnan(num) | (num <= 0))[0]]
                raise InputError("override must be a positive number", path=path, obj=bad, field=col)
            {"height_m": height, "n_storeys": storeys, "construction_year": year}[col][r] = num

    sh = storey_height(use, table)
    area = out["footprint_area_m2"].to_numpy(dtype=float)
    has_h = ~np.isnan(height)
    has_s = ~np.isnan(storeys)
    both = has_h & has_s
    only_h = has_h & ~has_s
    neither = ~has_h & ~has_s

    n_storeys = np.where(has_s, storeys, 0.0)
    n_storeys[only_h] = np.maximum(1.0, np.round(height[only_h] / sh[only_h]))
    n_storeys[neither] = default_storeys(use[neither], area[neither], table)
    height_out = np.where(has_h, height, n_storeys * sh)
    storey_h = np.where(both, height / np.maximum(n_storeys, 1.0), sh)

    out["use"] = use
    out["use_defaulted"] = use_defaulted
    out["height_m"] = height_out
    out["height_defaulted"] = ~has_h
    out["n_storeys"] = n_storeys.astype(np.int64)
    out["storeys_defaulted"] = ~has_s
    out["storey_height_m"] = storey_h
    out["construction_year"] = year
    out["year_defaulted"] = np.isnan(year)
    out["floor_area_m2"] = area * n_storeys
    out.attrs["overrides_applied"] = n_overridden
    return out


# ----------------------------------------------------------------------------- land cover, pois
def landcover_class(tags: pd.DataFrame, table: dict[str, Any] | None = None) -> pd.DataFrame:
    """Kind, class and sealed fraction of land-cover polygons from their tags.

    The first of ``landuse``, ``leisure``, ``natural``, ``amenity`` (and a ``landcover`` or
    ``cover_class`` column holding a value of any of them) found in the class table gives the
    class; a ``surface`` tag in the surface table overrides the class's sealed fraction; an
    explicit ``sealed_fraction`` column in 0..1 wins over both and is not flagged.

    Returns
    -------
    DataFrame
        ``kind``, ``cover_class`` (None where unknown), ``sealed_fraction`` (NaN where
        unknown), ``sealed_defaulted``, ``tag`` (the tag key that decided).
    """
    table = table or load_defaults()
    lt = table["landcover"]
    n = len(tags)
    kind = np.full(n, None, dtype=object)
    cls = np.full(n, None, dtype=object)
    key_used = np.full(n, None, dtype=object)
    sealed = np.full(n, np.nan)
    flat = {}
    for key, classes in lt["classes"].items():
        for value, row in classes.items():
            flat.setdefault(value, row)
    for key in ("landuse", "leisure", "natural", "amenity", "landcover", "cover_class"):
        if key not in tags:
            continue
        todo = pd.isna(cls)
        values = _text(tags[key].to_numpy())
        lookup = lt["classes"].get(key, flat)
        rows = pd.Series(_per_unique(values, lookup.get), dtype=object)
        take = todo & rows.notna().to_numpy()
        if take.any():
            got = rows[take]
            kind[take] = [r["kind"] for r in got]
            sealed[take] = [float(r["sealed"]) for r in got]
            cls[take] = values[take].to_numpy()
            key_used[take] = key
    if "surface" in tags:
        surf = pd.to_numeric(pd.Series(_map(_text(tags["surface"].to_numpy()), lt["surface"])), errors="coerce").to_numpy(dtype=float)
        has = ~np.isnan(surf) & ~pd.isna(cls)
        sealed[has] = surf[has]
    defaulted = np.ones(n, dtype=bool)
    if "sealed_fraction" in tags:
        given = pd.to_numeric(pd.Series(tags["sealed_fraction"].to_numpy()), errors="coerce").to_numpy(dtype=float)
        ok = (given >= 0.0) & (given <= 1.0)
        sealed[ok] = given[ok]
        defaulted[ok] = False
        kind[ok & pd.isna(kind)] = "landuse"
        cls[ok & pd.isna(cls)] = ""
    return pd.DataFrame({"kind": kind, "cover_class": cls, "sealed_fraction": sealed, "sealed_defaulted": defaulted, "tag": key_used})


def poi_category(tags: pd.DataFrame, table: dict[str, Any] | None = None) -> np.ndarray:
    """Service category of each row from its tags (None where none); a ``category`` column wins."""
    table = table or load_defaults()
    pt = table["pois"]
    n = len(tags)
    cat = np.full(n, None, dtype=object)
    if "category" in tags:
        given = _text(tags["category"].to_numpy()).to_numpy(dtype=object)
        cat[~pd.isna(given)] = given[~pd.isna(given)]
    for key in pt["order"]:
        if key not in tags:
            continue
        todo = pd.isna(cat)
        if not todo.any():
            break
        mapping = pt["categories"].get(key, {})
        values = _text(tags[key].to_numpy())
        mapped = _map(values, mapping)
        take = todo & ~pd.isna(mapped)
        cat[take] = mapped[take]
    return cat


__all__ = [
    "OVERRIDE_COLUMNS",
    "building_use",
    "complete_buildings",
    "default_storeys",
    "landcover_class",
    "load_defaults",
    "parse_number",
    "parse_year",
    "poi_category",
    "read_overrides",
    "storey_height",
]
