"""Documented, overridable defaults for what GIS and OSM files leave out.

Footprint files rarely say how tall a building is, when it was built or what it is used for.
This module fills those gaps from the table ``twin/data/ingest_defaults.yaml`` and flags every
value it filled (``height_defaulted``, ``storeys_defaulted``, ``year_defaulted``,
``use_defaulted``), so a model or a planner can tell data from assumption.

Rules (buildings)
-----------------
The order of data, inference and defaults for every building attribute, each value with its
source (``<attribute>_source``: data, user, inferred, default) and rule
(``<attribute>_rule``), is in :mod:`twin.ingest.attributes` and ``docs/stock_attributes.md``.
In short:

* use: the building's tags (``amenity``, ``shop``, ``office``, ... ``building``; see
  ``use_from_tags`` in the table), then its name (``use_from_name``), then (in a scene) the
  POIs inside it and the land-use polygon it stands in; else ``use_default`` (residential),
  or ``large_untagged_use`` ('other') for untagged footprints of 1000 m2 or more;
* height and storeys: given; from each other (``storey_height_m`` by use, roof levels); from
  the party-wall neighbours (in a scene); else storeys by use and footprint area, never more
  than ``max_default_storeys`` (5);
* construction year: given (``start_date`` and the forms of
  :mod:`twin.ingest.attributes.years`); the neighbours' (in a scene); else NaN, flagged.

Overrides
---------
``defaults=`` (to the readers or :func:`load_defaults`) is a nested dict merged onto the table,
or the path of a YAML file of the same shape, e.g.
``{"buildings": {"storey_height_m": {"residential": 2.8}}}``.
``overrides=`` gives known values per building: a DataFrame with a ``building_id`` column (or
index), a mapping ``{building_id: {"height_m": 12.0, ...}}`` or the path of a CSV / Parquet
table; columns :data:`OVERRIDE_COLUMNS` (``use``, ``height_m``, ``n_storeys``,
``construction_year``, ``heating_system``). Overridden values have the source ``user``.
"""

from __future__ import annotations

import copy
import os
import re
from typing import Any

import numpy as np
import pandas as pd

from twin.errors import InputError
from twin.ingest.attributes.overrides import OVERRIDE_COLUMNS
from twin.types.use_classes import packaged_defaults as _packaged


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
        The YAML file is missing or not a mapping, sets no value (empty, or only empty
        sections), or has a top-level key the packaged table does not (a misspelt section would
        change nothing).
    """
    table = copy.deepcopy(_packaged())
    if defaults is None:
        return table
    path = None
    if isinstance(defaults, (str, os.PathLike)):
        from twin.io.yaml_file import read_yaml_mapping

        path = defaults
        defaults = read_yaml_mapping(defaults, "defaults file")
        if isinstance(defaults, dict) and not _sets_a_value(defaults):
            raise InputError("the defaults file sets no value (it is empty or holds only empty sections): it would change nothing",
                             path=path, field="--defaults")
    if not isinstance(defaults, dict):
        raise InputError(f"defaults must be a dict or a YAML path, got {type(defaults).__name__}", field="defaults")
    unknown = [str(k) for k in defaults if k not in table]
    if unknown:
        raise InputError(f"unknown section {unknown[0]!r} (sections: {', '.join(map(str, table))}); it would change nothing",
                         path=path, field=unknown[0])
    check_shape(table, defaults, path=path)
    return _merge(table, defaults)


def _sets_a_value(mapping: dict) -> bool:
    """Whether ``mapping`` holds a value other than an empty mapping at some depth."""
    return any(_sets_a_value(v) if isinstance(v, dict) else True for v in mapping.values())


def _kind(value: object) -> str | None:
    """'mapping', 'list' or 'number' for the value kinds :func:`check_shape` compares; None for others."""
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "number"
    return None


def check_shape(packaged: dict, user: dict, *, path=None, prefix: str = "") -> None:
    """Each value of ``user`` has the kind (mapping, list, number) of the packaged value it replaces.

    ``buildings: 3`` merged onto the packaged mapping and failed later inside the ingest with an
    internal error (``'int' object has no attribute 'get'``). A setting of a section the packaged
    table does not have (``buildings.storey_heigth_m``) is an error: it would change nothing. A key
    deeper down is left alone (those mappings are open: by use, by tag); ``null`` is taken where
    the packaged value is a number.

    Raises
    ------
    InputError
        Naming the file and the key path (``buildings.latest_year``).
    """
    for key, value in user.items():
        if key not in packaged:
            if prefix.count(".") == 1:  # a setting of a section (buildings.storey_heigth_m): a slip that would change nothing
                from twin.io.key_hints import did_you_mean

                section = prefix.rstrip(".")
                raise InputError(f"unknown key {key!r} in section {section!r}{did_you_mean(key, packaged)}: it would change nothing "
                                 "(the settings are those of twin/data/ingest_defaults.yaml)", path=path, field=f"{prefix}{key}")
            continue
        want, got = _kind(packaged[key]), _kind(value)
        where = f"{prefix}{key}"
        if want is not None and got != want and not (want == "number" and value is None):
            shown = type(value).__name__ if got is None else got
            raise InputError(f"{where} must be a {want} like the packaged table's (twin/data/ingest_defaults.yaml), got a {shown}: {value!r:.60}",
                             path=path, field=where)
        if want == "mapping":
            check_shape(packaged[key], value, path=path, prefix=f"{where}.")


# ----------------------------------------------------------------------------- tag parsing
_NUMBER = re.compile(r"(-?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?)")
"""The first number of a text: sign, digits, a decimal point or comma, an exponent (``1e3``:
without it ``1e400`` read as 1 m; a number that overflows reads as infinite and is reported
where the value is checked, :mod:`twin.ingest.limits`)."""


def _number(value, feet_to_m: bool) -> float:
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    text = str(value)
    if text.lstrip().startswith(("[", "{")):  # a JSON array or object (twin.ingest.vector reads them as text): not a number
        return np.nan
    m = _NUMBER.search(text)
    if m is None:
        return np.nan
    number = float(m.group(1).replace(",", "."))
    if feet_to_m and ("ft" in text or "'" in text or "feet" in text):
        number *= 0.3048
    return number


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

    A decimal comma is accepted (``'7,5'``), and an exponent (``'1.2e1'`` -> 12.0; ``'1e400'``
    -> inf: the caller checks that the number is finite). With ``feet_to_m``, values marked ``ft``,
    ``feet`` or ``'`` are converted to metres (OSM ``height=40'``). A JSON array or object
    (``'[1, 2]'``: a list property of a GeoJSON) is no number (NaN). Each distinct value is
    parsed once.
    """
    return _floats(values, lambda v: _number(v, feet_to_m))


def parse_year(values: pd.Series | np.ndarray | list) -> np.ndarray:
    """Construction year from ``start_date``-like text, float64 (NaN where unknown).

    ``'1890'``, ``'1890-05-01'``, ``'~1890'``, ``'1890s'`` (-> 1895), ``'C19'`` (19th century
    -> 1850, its middle), ``'1890..1900'`` (-> 1895), ``'before 1914'`` (-> 1913): the forms of
    :mod:`twin.ingest.attributes.years`. Years outside 1000..2100 are unknown. Each distinct
    value is parsed once.
    """
    from twin.ingest.attributes.years import year_from_text

    return _floats(values, year_from_text)


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
    """Use class of each row from its own tags (:func:`twin.ingest.attributes.tags.use_from_tags`).

    Parameters
    ----------
    tags
        Any of the columns ``use``, ``amenity``, ``shop``, ``office``, ``building`` ... (the keys
        of ``use_from_tags`` in the table).
    table
        The defaults table (:func:`load_defaults`).

    Returns
    -------
    use : object array of use classes (``use_default`` where no tag gives one)
    defaulted : bool array, True where no tag gave the use
    """
    from twin.ingest.attributes.tags import use_from_tags

    table = table or load_defaults()
    use = use_from_tags(tags.reset_index(drop=True), table)["use"].to_numpy(dtype=object).copy()
    defaulted = pd.isna(use)
    use[defaulted] = table["buildings"]["use_default"]
    return use, defaulted


# ----------------------------------------------------------------------------- storeys, heights
def storey_height(use: np.ndarray, table: dict[str, Any] | None = None) -> np.ndarray:
    """Default storey height (m) for each use class."""
    from twin.ingest.attributes.form import storey_height as _storey_height

    return _storey_height(use, table or load_defaults())


def default_storeys(
    use: np.ndarray, footprint_area_m2: np.ndarray, table: dict[str, Any] | None = None, *, untagged: np.ndarray | None = None
) -> np.ndarray:
    """Default number of storeys from the use class and the footprint area (int64); ``untagged``
    (True where the use is itself a default) selects the ``untagged`` bands."""
    from twin.ingest.attributes.form import default_storeys as _default_storeys

    return _default_storeys(use, footprint_area_m2, table or load_defaults(), untagged=untagged)[0]


def read_overrides(overrides, *, path=None) -> pd.DataFrame | None:
    """Per-building known values as a DataFrame indexed by ``building_id``
    (:func:`twin.ingest.attributes.overrides.read_overrides`)."""
    from twin.ingest.attributes.overrides import read_overrides as _read

    return _read(overrides, path=path)


def complete_buildings(
    frame: pd.DataFrame,
    *,
    defaults: dict | str | os.PathLike[str] | None = None,
    overrides=None,
    path=None,
    table: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Fill use, storeys, height, year and roof attributes where unknown, with their sources.

    Parameters
    ----------
    frame
        Columns ``building_id``, ``footprint_area_m2`` (m2), and, NaN / None where unknown:
        ``height_m`` (m), ``n_storeys``, ``construction_year``, ``roof_levels``, ``min_level``,
        ``min_height_m`` (m), ``roof_kind``, ``name``, tag columns (``building``,
        ``amenity`` ...) or a resolved ``use`` with ``use_source`` (or ``use_defaulted``).
    defaults
        Merged onto the defaults table (see :func:`load_defaults`).
    overrides
        Known values by building id (see :func:`read_overrides`); source ``user``.
    path
        The source file, for error messages.
    table
        The merged defaults table, if the caller has it already (then ``defaults`` is not used).

    Returns
    -------
    DataFrame
        ``frame`` with ``use``, ``ground_floor_use``, ``height_m``, ``n_storeys`` (int64),
        ``storey_height_m``, ``construction_year``, ``roof_kind``, ``roof_levels``,
        ``min_level``, ``min_height_m``, a ``<attribute>_source`` and (use, ground floor,
        height, storeys, year) ``<attribute>_rule`` column each, the ``*_defaulted`` flags
        (True where the source is inferred or default) and ``floor_area_m2`` (footprint x
        storeys). See :mod:`twin.ingest.attributes.complete`.
    """
    from twin.ingest.attributes.complete import complete

    table = table if table is not None else load_defaults(defaults)
    return complete(frame, table, overrides=overrides, path=path)


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
    for _key, classes in lt["classes"].items():
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
    return poi_category_and_tag(tags, table)[0]


def poi_category_and_tag(tags: pd.DataFrame, table: dict[str, Any] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Service category of each row and the tag that decided it.

    Returns
    -------
    category : object array (None where none); a ``category`` column wins
    tag : object array of ``key=value`` (the first tag of ``pois.order`` that gives the
        category; for a ``category`` column, the first tag of that order that has a value),
        None where no tag holds a value
    """
    table = table or load_defaults()
    pt = table["pois"]
    n = len(tags)
    cat = np.full(n, None, dtype=object)
    tag = np.full(n, None, dtype=object)
    if "category" in tags:
        given = _text(tags["category"].to_numpy()).to_numpy(dtype=object)
        cat[~pd.isna(given)] = given[~pd.isna(given)]
    for key in pt["order"]:
        if key not in tags:
            continue
        values = _text(tags[key].to_numpy())
        mapping = pt["categories"].get(key, {})
        mapped = _map(values, mapping)
        todo = pd.isna(cat)
        take = todo & ~pd.isna(mapped)
        cat[take] = mapped[take]
        named = pd.isna(tag) & ~pd.isna(values.to_numpy(dtype=object)) & (take | ~todo)
        tag[named] = (key + "=" + values[named]).to_numpy(dtype=object)
    return cat, tag


__all__ = [
    "OVERRIDE_COLUMNS",
    "building_use",
    "check_shape",
    "complete_buildings",
    "default_storeys",
    "landcover_class",
    "load_defaults",
    "parse_number",
    "parse_year",
    "poi_category",
    "poi_category_and_tag",
    "read_overrides",
    "storey_height",
]
