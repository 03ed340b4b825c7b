"""Bring a table into the shape the scene schema asks for.

:func:`conform` fills optional columns with their defaults, casts types, checks required
columns and unique ids, and raises :class:`~twin.errors.SchemaError` naming the layer, the
column and the first offending row otherwise.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from geopandas.array import from_shapely

from twin.errors import SchemaError
from twin.scene.schema import BOUNDARY_KINDS, ELEMENT_KINDS, ID_COLUMN, LAYERS


def empty_layer(name: str, crs=None) -> pd.DataFrame:
    """An empty table of layer ``name`` with every column typed.

    Every :class:`~twin.scene.Scene` makes one per layer it is not given (11 on a scene of
    buildings only), so the columns are empty arrays put in one table at once, and the geometry
    carries the CRS itself (a ``GeoDataFrame`` given ``crs=`` as well compares the two): about a
    third of the time of a ``Series`` per column.
    """
    data: dict[str, object] = {}
    geometry = False
    for col in LAYERS[name]:
        if col.dtype == "geometry":
            geometry = True
            continue
        data[col.name] = pd.array([], dtype=col.dtype) if col.dtype == "string" else np.array([], dtype=col.dtype)
    if geometry:
        data["geometry"] = from_shapely(np.array([], dtype=object), crs=crs)
        return gpd.GeoDataFrame(data, geometry="geometry")
    return pd.DataFrame(data, copy=False)


def conform(name: str, frame: pd.DataFrame, *, crs=None, source: str | None = None) -> pd.DataFrame:
    """Return ``frame`` as a valid layer ``name``: all schema columns, typed, ids unique.

    Extra columns are kept after the schema columns (users may carry their own attributes).

    Raises
    ------
    SchemaError
        A required column is missing, a value cannot be cast, or an id is repeated.
    """
    if name not in LAYERS:
        raise SchemaError(f"unknown layer {name!r}; known layers: {', '.join(LAYERS)}", path=source)
    frame = frame.copy()
    n = len(frame)
    out = {}
    geometry = None
    for col in LAYERS[name]:
        if col.dtype == "geometry":
            if "geometry" not in frame:
                raise SchemaError(f"layer {name!r} needs geometry", path=source, field="geometry")
            geometry = gpd.GeoSeries(frame["geometry"].values, crs=getattr(frame, "crs", None) or crs)
            continue
        if col.name in frame:
            values = frame[col.name]
        elif col.required:
            raise SchemaError(f"layer {name!r} lacks required column", path=source, field=col.name)
        else:
            values = pd.Series([col.default] * n, dtype=object)
        out[col.name] = _cast(name, col, values, frame, source)
    if name == "buildings" and n:
        _fill_provenance(out, frame)
    extra = [c for c in frame.columns if c not in out and c != "geometry"]
    for c in extra:
        out[c] = frame[c].values
    result = pd.DataFrame(out)
    if geometry is not None:
        result = gpd.GeoDataFrame(result, geometry=geometry.values, crs=geometry.crs or crs)
    _check_values(name, result, source)
    return result


def conform_columns(name: str, layer: pd.DataFrame, columns: dict, *, source: str | None = None) -> pd.DataFrame:
    """``layer`` (already a valid layer ``name``) with the attribute ``columns`` replaced, each
    cast and checked as :func:`conform` does; the other columns are the layer's (shared, not
    copied) and are not checked again.

    Raises
    ------
    SchemaError
        A column the schema of the layer does not have, or its geometry; values not one per row;
        a value that cannot be cast or that the layer's checks refuse.
    """
    schema = {c.name: c for c in LAYERS[name]}
    out = layer.copy(deep=False)
    for key, values in columns.items():
        col = schema.get(key)
        if col is None or col.dtype == "geometry":
            raise SchemaError(f"{key!r} is not an attribute column of layer {name!r}", path=source, field=key)
        values = values if isinstance(values, pd.Series) else pd.Series(values, copy=False)
        if len(values) != len(layer):
            raise SchemaError(f"{len(values)} values for the {len(layer)} rows of layer {name!r}", path=source, field=key)
        out[key] = _cast(name, col, values, layer, source)
    _check_values(name, out, source, columns=set(columns))
    return out


def _cast(name: str, col, values: pd.Series, frame: pd.DataFrame, source: str | None):
    """The values of schema column ``col`` of layer ``name`` as its type (array)."""
    try:
        if col.dtype == "string":
            return _as_string(values)
        if col.dtype == "int64":
            arr = pd.to_numeric(pd.Series(values.values), errors="raise")
            if arr.isna().any():
                bad = int(np.flatnonzero(arr.isna().values)[0])
                raise SchemaError(f"missing integer value in layer {name!r}", path=source, obj=_row_id(frame, name, bad), field=col.name)
            return arr.astype("int64").values
        if col.dtype == "float64":
            return pd.to_numeric(pd.Series(values.values), errors="raise").astype("float64").values
        if col.dtype == "bool":
            return pd.Series(values.values).fillna(bool(col.default)).astype(bool).values
        return values.values
    except (ValueError, TypeError) as exc:
        raise SchemaError(f"cannot read as {col.dtype}: {exc}", path=source, field=col.name) from None


def _as_string(values: pd.Series):
    """Text values as the schema's ``string`` array, '' where missing; a column that already is
    one is kept, text in object columns is converted once (no ``str()`` per value unless a
    value is not text)."""
    if str(values.dtype) == "string":
        return (values.fillna("") if values.isna().any() else values).array
    arr = np.asarray(values.to_numpy(dtype=object), dtype=object)
    missing = pd.isna(arr)
    if missing.any():
        arr = arr.copy()
        arr[missing] = ""
    if pd.api.types.infer_dtype(arr, skipna=False) != "string":
        arr = pd.Series(arr, dtype=object).astype(str).to_numpy(dtype=object)
    return pd.array(arr, dtype="string")


def _fill_provenance(out: dict, frame: pd.DataFrame) -> None:
    """Sources, rules and the ground-floor use of buildings that lack them (layers written before
    these columns existed, or by other tools), in place.

    A missing ``<attribute>_source`` comes from the legacy flag (True -> ``default``, False ->
    ``data``); a missing flag from the source (True for inferred or default); an empty rule is
    ``default`` for a default and ``given`` or ``inferred`` otherwise; ``ground_floor_use``
    defaults to the use (rule ``as_use``); the sources of ``roof_kind``, ``roof_levels``,
    ``min_level`` and ``min_height_m`` are ``default`` where the value is the empty default.
    """
    from twin.scene.provenance import LEGACY_FLAGS

    def text(col: str) -> np.ndarray:
        return pd.Series(out[col]).astype(object).fillna("").to_numpy(dtype=object, copy=True)

    def has_empty(col: str) -> bool:
        return bool((pd.Series(out[col]) == "").any())

    for attribute, flag in LEGACY_FLAGS.items():
        scol, rcol = f"{attribute}_source", f"{attribute}_rule"
        if not has_empty(scol) and not has_empty(rcol) and flag in frame:
            continue
        src = text(scol)
        empty = src == ""
        flags = np.asarray(out[flag], dtype=bool)
        if empty.any():
            src[empty] = np.where(flags[empty], "default", "data")
            out[scol] = pd.array(src, dtype="string")
        if flag not in frame and not empty.all():
            out[flag] = np.isin(src, ("inferred", "default"))
        rule = text(rcol)
        blank = rule == ""
        if blank.any():
            rule[blank] = np.where(src[blank] == "default", "default", np.where(src[blank] == "inferred", "inferred", "given"))
            out[rcol] = pd.array(rule, dtype="string")
    if any(has_empty(c) for c in ("ground_floor_use", "ground_floor_use_source", "ground_floor_use_rule")):
        use, use_src = text("use"), text("use_source")
        gf, gf_src, gf_rule = text("ground_floor_use"), text("ground_floor_use_source"), text("ground_floor_use_rule")
        none = gf == ""
        if none.any():
            gf[none], gf_src[none], gf_rule[none] = use[none], use_src[none], "as_use"
        gf_src[gf_src == ""] = use_src[gf_src == ""]
        gf_rule[gf_rule == ""] = "as_use"
        for col, values in (("ground_floor_use", gf), ("ground_floor_use_source", gf_src), ("ground_floor_use_rule", gf_rule)):
            out[col] = pd.array(values, dtype="string")
    for col in ("roof_kind", "roof_levels", "min_level", "min_height_m"):
        if not has_empty(f"{col}_source"):
            continue
        src = text(f"{col}_source")
        empty = src == ""
        if empty.any():
            values = out[col]
            unset = (text(col) == "") if col == "roof_kind" else ~(np.nan_to_num(np.asarray(values, dtype=float)) > 0)
            src[empty] = np.where(unset[empty], "default", "data")
            out[f"{col}_source"] = pd.array(src, dtype="string")
    _fill_derived_sources(out, text, has_empty)


def _fill_derived_sources(out: dict, text, has_empty) -> None:
    """``floor_area_m2_source`` and ``storey_height_m_source`` where empty (layers written before
    these columns existed): a floor area unlike footprint x storeys came from a file (``data``,
    the only test such a layer allows), else :func:`~twin.scene.provenance.derived_floor_area_source`;
    a storey height over a known height and known storeys takes the weaker of their sources,
    else ``default`` (by use)."""
    from twin.scene.provenance import KNOWN_SOURCES, derived_floor_area_source, storey_height_source

    s_src = text("n_storeys_source")
    if has_empty("floor_area_m2_source"):
        src = text("floor_area_m2_source")
        empty = src == ""
        floor = np.asarray(out["floor_area_m2"], dtype=float)
        derived = np.asarray(out["footprint_area_m2"], dtype=float) * np.asarray(out["n_storeys"], dtype=float)
        with np.errstate(invalid="ignore"):
            from_file = np.isfinite(floor) & ~np.isclose(floor, derived, rtol=1e-9, atol=1e-9)
        src[empty] = np.where(from_file, "data", derived_floor_area_source(s_src))[empty]
        out["floor_area_m2_source"] = pd.array(src, dtype="string")
    if has_empty("storey_height_m_source"):
        src = text("storey_height_m_source")
        empty = src == ""
        h_src = text("height_m_source")
        both = np.isin(h_src, KNOWN_SOURCES) & np.isin(s_src, KNOWN_SOURCES)
        src[empty] = np.where(both, storey_height_source(h_src, s_src), "default")[empty]
        out["storey_height_m_source"] = pd.array(src, dtype="string")


def _row_id(frame: pd.DataFrame, name: str, i: int) -> object:
    id_col = ID_COLUMN[name]
    return frame[id_col].iloc[i] if id_col in frame else f"row {i}"


def _check_values(name: str, frame: pd.DataFrame, source: str | None, columns: set[str] | None = None) -> None:
    """The value checks of layer ``name`` (unique, non-empty ids; kinds; ranges), on ``columns``
    only when given (the others already checked)."""

    def checked(col: str) -> bool:
        return columns is None or col in columns

    id_col = ID_COLUMN[name]
    if checked(id_col):
        dup = frame[id_col].duplicated()
        if dup.any():
            raise SchemaError(f"id repeated in layer {name!r}", path=source, obj=frame[id_col][dup].iloc[0], field=id_col)
        empty = frame[id_col] == ""
        if empty.any():
            raise SchemaError(f"empty id in layer {name!r}", path=source, obj=f"row {int(np.flatnonzero(empty.values)[0])}", field=id_col)
    kinds: list[tuple[str, object]] = []
    ranges: list[tuple[str, float, float, bool]] = []
    if name == "elements":
        kinds = [("kind", ELEMENT_KINDS), ("boundary", BOUNDARY_KINDS)]
        ranges = [("area_m2", 0.0, np.inf, False), ("u_value_w_m2k", 0.0, np.inf, True)]
    if name == "buildings":
        from twin.scene.provenance import SOURCES

        kinds = [(c.name, SOURCES) for c in LAYERS[name] if c.name.endswith("_source") and c.name != "source"]
        ranges = [("height_m", 0.0, np.inf, False), ("footprint_area_m2", 0.0, np.inf, False)]
    if name == "landcover":
        ranges = [("sealed_fraction", 0.0, 1.0, False)]
    if name == "links":
        ranges = [(col, 0.0, np.inf, False) for col in ("length_m", "free_speed_m_s", "capacity_veh_h")]
    for col, allowed in kinds:
        if checked(col):
            _check_in(frame, col, allowed, name, source)
    for col, lo, hi, allow_nan in ranges:
        if checked(col):
            _check_range(frame, col, lo, hi, name, source, allow_nan=allow_nan)


def _check_in(frame, col, allowed, name, source):
    bad = ~frame[col].isin(allowed)
    if bad.any():
        i = int(np.flatnonzero(bad.values)[0])
        raise SchemaError(
            f"value {frame[col].iloc[i]!r} not one of {allowed}", path=source, obj=frame[ID_COLUMN[name]].iloc[i], field=col
        )


def _check_range(frame, col, lo, hi, name, source, allow_nan=False):
    values = frame[col].to_numpy(dtype=float)
    bad = (values < lo) | (values > hi) | np.isinf(values)
    if not allow_nan:
        bad |= np.isnan(values)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        what = "is not a finite number" if not np.isfinite(values[i]) else f"outside [{lo:g}, {hi:g}]"
        raise SchemaError(  # the value as a number reads (NumPy 2 quotes np.float64(nan) with repr)
            f"value {float(values[i]):g} {what}", path=source, obj=frame[ID_COLUMN[name]].iloc[i], field=col
        )
