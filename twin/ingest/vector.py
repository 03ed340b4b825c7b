"""GeoJSON, GeoPackage, GeoParquet and shapefile layers -> buildings, streets, land cover, POIs.

The target scene layer follows from the geometry and the attributes of each feature, unless
the caller names it with ``layer=``:

==============  ===========================================  ===============================
geometry        attributes                                   scene layer
==============  ===========================================  ===============================
polygons        ``building`` (not ``no``), or height /       ``buildings``
                storeys / year columns, or nothing known
polygons        ``landuse``, ``leisure``, ``natural``,        ``landcover`` (sealed fraction
                ``amenity``, ``surface``                     from the class table)
lines           ``highway`` / ``road_class`` / ``fclass``    ``nodes`` + ``links``
                (all lines if no such column)                (:mod:`twin.ingest.streets`)
points          ``amenity``, ``shop``, ``leisure``,           ``pois``
                ``category`` ...
points          ``highway=traffic_signals`` (also in a        ``signalised`` street nodes of
                ``;`` list), ``crossing=traffic_signals``     the ingest
                                                             (:mod:`twin.ingest.signal_points`)
points          ``highway=give_way|stop|mini_roundabout``     ``priority_sign`` of the approach
                (``direction``, ``stop``)                    links / junction nodes
                                                             (:mod:`twin.ingest.priority_signs`)
==============  ===========================================  ===============================

CRS
---
A layer must say what its CRS is. GeoJSON follows RFC 7946: a file without a ``"crs"`` member
is WGS84 longitude/latitude (GDAL does the same); GeoParquet follows its specification: a
``geo`` column without ``crs`` is OGC:CRS84. A file without any CRS (a shapefile without
``.prj``, a GeoParquet with ``"crs": null``) raises :class:`~twin.errors.CRSError` naming the
file, unless the caller passes ``crs=`` (``--source-crs``), which also replaces a format
default (a GeoJSON in Lambert metres without the member). ``crs_override=True``
(``--override-crs``) applies ``crs=`` even to a file that declares a (wrong) CRS.

The coordinates must fit the CRS (:mod:`twin.ingest.crs_check`): national-grid files without
the member are common, and reading Lambert metres as degrees would silently put a city in the
ocean, so such a file is refused with the CRS to name (``--source-crs EPSG:31370`` when the
metres fit the scene CRS); projected coordinates that fit degrees are refused with
``--source-crs EPSG:4326``; data outside the area of use of its CRS is refused.

Encoding: GeoJSON must be UTF-8 (RFC 7946); other text is refused with the byte offset; a
text column of another format that is not valid UTF-8 is refused naming the column.

Geometry
--------
A feature whose geometry GEOS cannot build (an unclosed ring, a ring of fewer than four
points) or that has a NaN or infinite coordinate is dropped and listed in ``result.dropped``.
Invalid polygons are repaired with ``shapely.make_valid(method="structure")``; what cannot be
repaired (no area left) is dropped and listed in ``result.dropped`` with the reason GEOS gives.
Footprints are stored 2-D; a 3-D footprint's lowest z becomes ``ground_z_m``.

Ids
---
``osm:<type>/<osm_id>`` when the file has ``osm_id`` (type from ``osm_type``, or ``way`` for
lines and polygons, ``node`` for points; GDAL's ``osm_way_id`` column is honoured), else
``<file stem>:<id>`` from the first of ``id_column``, ``building_id``, ``id``, ``fid``,
``ID``, ``gml_id``, else ``<file stem>:<row>``. A repeated id gets ``#1``, ``#2``... appended.
"""

from __future__ import annotations

import json
import mmap
import os
import re
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from twin.errors import CRSError, InputError, ParseError
from twin.ingest.attributes.tags import KEYS as _KEYS
from twin.ingest.defaults import (
    _per_unique,
    complete_buildings,
    landcover_class,
    load_defaults,
    parse_number,
    parse_year,
    poi_category_and_tag,
)
from twin.ingest.geojson_features import check_geojson_features
from twin.ingest.priority_signs import sign_rows, vector_sign_points
from twin.ingest.result import IngestResult
from twin.ingest.signal_points import signal_rows, vector_signal_points
from twin.io.gdal_env import gdal_reads
from twin.io.geopackage_damage import check_geopackage_intact

TARGET_LAYERS = ("buildings", "streets", "landcover", "pois", "sites")
"""Values of ``layer=``: ``streets`` gives the ``nodes`` and ``links`` layers."""

HEIGHT_COLUMNS = _KEYS["height_m"]
STOREY_COLUMNS = _KEYS["n_storeys"]
YEAR_COLUMNS = _KEYS["construction_year"]
ID_COLUMNS = ("building_id", "id", "fid", "gml_id", "identifier")
LANDCOVER_COLUMNS = ("landuse", "leisure", "natural", "landcover", "cover_class", "sealed_fraction")

_POLY = (3, 6)
_LINE = (1, 2, 5)
_POINT = (0, 4)


# ----------------------------------------------------------------------------- CRS
def geojson_declares_crs(path: str | os.PathLike[str]) -> bool:
    """True if the GeoJSON file has a top-level ``"crs"`` member (:func:`geojson_crs_member`)."""
    return geojson_crs_member(path)[0]


def geojson_crs_member(path: str | os.PathLike[str]) -> tuple[bool, Any]:
    """Whether the GeoJSON file has a top-level ``"crs"`` member, and its value (None if absent
    or unreadable).

    The head of the file is scanned up to the ``"features"`` member (where writers put
    ``"crs"``); only if ``"crs"`` occurs later in the file is the whole file parsed.
    """
    with open(path, "rb") as fh:
        try:
            data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # empty file
            return False, None
        with data:
            head = data[: 1 << 20]
            depth = 0
            # every string (so braces inside strings are skipped), or a bracket
            token = re.compile(rb'"((?:[^"\\]|\\.)*)"(\s*:)?|[{}\[\]]')
            for m in token.finditer(head):
                t = m.group()
                if t in (b"{", b"["):
                    depth += 1
                elif t in (b"}", b"]"):
                    depth -= 1
                elif depth == 1 and m.group(2) is not None:
                    key = m.group(1)
                    if key == b"crs":
                        try:
                            value = json.JSONDecoder().raw_decode(head[m.end():].decode("utf-8", "replace").lstrip())[0]
                        except ValueError:
                            value = None
                        return True, value
                    if key == b"features":
                        if data.find(b'"crs"', m.end()) < 0:
                            return False, None
                        break
            else:
                if len(data) <= len(head):
                    return False, None
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(f"not valid JSON: {exc}", path=path) from None
    return (True, doc["crs"]) if isinstance(doc, dict) and "crs" in doc else (False, None)


def _check_declared_crs(member: Any, frame: gpd.GeoDataFrame, path: Path) -> None:
    """Refuse a GeoJSON ``"crs"`` name that GDAL could not resolve: GDAL then reads the
    coordinates as WGS84 without a word."""
    name = member.get("properties", {}).get("name") if isinstance(member, dict) and isinstance(member.get("properties"), dict) else None
    if not isinstance(name, str) or frame.crs is None or not frame.crs.equals("EPSG:4326"):
        return
    try:
        pyproj.CRS.from_user_input(name)
    except pyproj.exceptions.CRSError:
        raise CRSError(
            f"the file declares the CRS {name!r}, which is unknown (GDAL would read the coordinates as WGS84); "
            "correct the name (e.g. urn:ogc:def:crs:EPSG::31370) or give --source-crs with --override-crs",
            path=path, field="crs",
        ) from None


def _parquet_crs_state(path: Path) -> str:
    """'declared', 'absent' (no crs key: the spec's CRS84 default) or 'null' (unknown CRS)."""
    import pyarrow
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(path).metadata or {}
    except (pyarrow.ArrowException, OSError) as exc:
        raise ParseError(f"not a Parquet file: {_short(exc)}", path=path) from None
    if b"geo" not in meta:
        raise ParseError("not a GeoParquet file (no 'geo' metadata)", path=path)
    try:
        geo = json.loads(meta[b"geo"])
        col = geo.get("columns", {}).get(geo.get("primary_column", "geometry"), {})
    except (ValueError, AttributeError, TypeError):
        raise ParseError("the GeoParquet 'geo' metadata is not valid JSON of the GeoParquet specification", path=path, field="geo") from None
    if not isinstance(col, dict) or "crs" not in col:
        return "absent"
    return "null" if col["crs"] is None else "declared"


_SQLITE_CALL = re.compile(r"sqlite3_\w+\(.*?\) failed: ")
"""The SQL statement GDAL's GeoPackage driver quotes before SQLite's reason."""


def _short(exc: BaseException, limit: int = 200) -> str:
    """The message of a library exception on one line, without GDAL's driver advice (nor the SQL
    statements of its GeoPackage driver: SQLite's reasons, once each)."""
    text = " ".join(str(exc).split())
    if _SQLITE_CALL.search(text):
        text = "; ".join(dict.fromkeys(_SQLITE_CALL.sub("", text).split("; ")))
        text = f"SQLite: {text}" + (" (the GeoPackage is damaged, e.g. cut short)" if "malformed" in text else "")
    text = text.split("; It might help to specify the correct driver")[0]
    text = text.replace("not recognized as being in a supported file format.", "not recognized as a supported file format")
    return text[:limit] + ("..." if len(text) > limit else "")


def check_utf8(path: Path, *, chunk_bytes: int = 1 << 22) -> None:
    """Raise ParseError if the file is not UTF-8 text (RFC 7946 and 8259 ask for UTF-8).

    Read in chunks with an incremental decoder, so a large file costs no more memory than a chunk.
    """
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open(path, "rb") as fh:
        while True:
            block = fh.read(chunk_bytes)
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                raise ParseError(
                    f"not UTF-8 text ({exc.reason} at byte {offset + exc.start}); GeoJSON must be UTF-8 (RFC 7946): "
                    "convert it, e.g. iconv -f latin1 -t utf-8",
                    path=path, obj=f"byte {offset + exc.start}",
                ) from None
            if not block:
                return
            offset += len(block)


def _check_lonlat(frame: gpd.GeoDataFrame, path, layer: str | None = None, scene_crs=None) -> None:
    """The coordinates must fit the frame's CRS (:func:`twin.ingest.crs_check.check_layer`)."""
    from twin.ingest.crs_check import check_layer

    check_layer(frame, path=path, layer=layer, scene_crs=scene_crs)


# ----------------------------------------------------------------------------- reading
def _read_ogr_layer(path: Path, lyr: str) -> gpd.GeoDataFrame:
    """One layer through pyogrio; features whose geometry GEOS cannot build (an unclosed ring,
    too few points) get no geometry and their reason in ``frame.attrs['invalid_geometry']``
    (row -> text), so the caller drops them instead of failing on the whole file."""
    import pyogrio
    from shapely.errors import GEOSException

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.filterwarnings("ignore", message="Could not parse column", category=UserWarning)  # JSON-looking text
        try:
            frame = pyogrio.read_dataframe(path, layer=lyr, use_arrow=True)
            if isinstance(frame, gpd.GeoDataFrame):
                frame.attrs["invalid_geometry"] = {}
            return _materialise_text(frame, path)
        except GEOSException:
            pass
        frame = pyogrio.read_dataframe(path, layer=lyr, use_arrow=True, on_invalid="ignore")
        _, _, wkb, _ = pyogrio.raw.read(path, layer=lyr, columns=[], read_geometry=True)
    invalid = {}
    geoms = np.asarray(frame.geometry.values, dtype=object)
    for i in np.flatnonzero(pd.isna(geoms)):
        if wkb[i] is None:
            continue
        try:
            shapely.from_wkb(wkb[i])
            reason = "geometry GEOS cannot build"
        except GEOSException as exc:
            reason = str(exc).split(":", 1)[-1].strip()
        invalid[int(i)] = f"invalid geometry ({reason})"
    frame.attrs["invalid_geometry"] = invalid
    return _materialise_text(frame, path)


def _materialise_text(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Arrow-backed text columns as Python objects, failing with the column's name if a value is
    not valid text (a shapefile or GeoPackage in another encoding than it declares); list and
    object values (a JSON array as a property) as their text, so they are judged as text."""
    import pyarrow

    for col in frame.columns:
        if col == getattr(frame, "_geometry_column_name", None):
            continue
        dtype = frame[col].dtype
        if isinstance(dtype, pd.ArrowDtype) or str(dtype).startswith(("string", "large_string")):
            try:
                frame[col] = pd.Series(frame[col].to_numpy(dtype=object), index=frame.index, dtype=object)
            except (pyarrow.ArrowException, UnicodeError) as exc:
                raise ParseError(f"text that is not valid UTF-8 ({_short(exc, 80)}); declare or convert the file's encoding", path=path, field=str(col)) from None
        if frame[col].dtype == object:
            values = frame[col].to_numpy(dtype=object)
            nested = np.fromiter((isinstance(v, (list, tuple, dict, np.ndarray)) for v in values), dtype=bool, count=len(values))
            if nested.any():
                values = values.copy()
                values[nested] = [json.dumps(np.asarray(v).tolist() if isinstance(v, np.ndarray) else v, default=str) for v in values[nested]]
                frame[col] = pd.Series(values, index=frame.index, dtype=object)
    return frame


def _read_frames(
    path: Path, source_layer: str | None, crs, crs_override: bool = False
) -> tuple[list[tuple[str | None, gpd.GeoDataFrame, str]], list[str]]:
    """(layer name, frame, crs source) for each layer of the file with geometry, and the names of
    the layers without (attribute tables of a GeoPackage: not read)."""
    import pyogrio
    from pyogrio.errors import DataSourceError

    name = path.name.lower()
    missing = None
    if name.endswith((".parquet", ".geoparquet")):
        state = _parquet_crs_state(path)
        try:
            frame = gpd.read_parquet(path)
        except (OSError, ValueError, TypeError, KeyError) as exc:  # pyarrow errors are ValueError/OSError
            raise ParseError(f"cannot read GeoParquet: {_short(exc)}", path=path) from None
        frame = _materialise_text(frame, path)
        frame.attrs["invalid_geometry"] = {}
        if state == "null":
            missing = "an unknown (null) CRS in its 'geo' metadata"
            frame = frame.set_crs(None, allow_override=True) if frame.crs is not None else frame
        elif state == "absent":  # the GeoParquet specification's default: OGC:CRS84
            return [(None, *_assign_crs(frame.set_crs("OGC:CRS84", allow_override=True), crs, path, None, crs_override, default="geoparquet"))], []
        return [(None, *_assign_crs(frame, crs, path, missing, crs_override))], []
    is_geojson = name.endswith((".geojson", ".json"))
    if is_geojson:
        check_utf8(path)
        check_geojson_features(path)
    else:
        check_geopackage_intact(path)
    try:
        layers = [row[0] for row in pyogrio.list_layers(path)]
    except (DataSourceError, OSError, ValueError) as exc:
        raise ParseError(f"cannot open: {_short(exc)}", path=path) from None
    if not layers:
        raise ParseError("the file holds no layer", path=path)
    if source_layer is not None:
        if source_layer not in layers:
            raise InputError(f"no layer {source_layer!r}; layers: {layers}", path=path, field="source_layer")
        layers = [source_layer]
    out, tables = [], []
    for lyr in layers:
        try:
            frame = _read_ogr_layer(path, lyr)
        except (DataSourceError, OSError, ValueError) as exc:
            raise ParseError(f"cannot read layer {lyr!r}: {_short(exc)}", path=path) from None
        if not isinstance(frame, gpd.GeoDataFrame):
            tables.append(lyr)
            continue  # an attribute-only table
        missing = None
        default = None
        declared, member = geojson_crs_member(path) if is_geojson else (False, None)
        if is_geojson and declared and not crs_override:
            _check_declared_crs(member, frame, path)
        if is_geojson and not declared:
            # RFC 7946: a GeoJSON without "crs" is WGS84 (longitude/latitude); the coordinates
            # are checked against it, so Lambert metres in such a file are refused, not moved
            frame = frame.set_crs("EPSG:4326", allow_override=True)
            default = "rfc7946"
        elif frame.crs is None:
            missing = "no CRS (e.g. a shapefile without .prj)"
        out.append((lyr if len(layers) > 1 else None, *_assign_crs(frame, crs, path, missing, crs_override, default=default)))
    if not out:
        raise ParseError(f"the file holds no layer with geometry (attribute tables only: {tables})", path=path)
    return out, tables


def _assign_crs(
    frame: gpd.GeoDataFrame, crs, path, missing: str | None, override: bool = False, *, default: str | None = None
) -> tuple[gpd.GeoDataFrame, str]:
    """The frame in its CRS and where that CRS came from ('file', 'caller', or the format's
    default: 'rfc7946', 'geoparquet')."""
    use_caller = crs is not None and (missing is not None or default is not None or override)
    if not use_caller:
        if missing is not None:
            raise CRSError(f"the file declares {missing}; name its CRS with --source-crs (crs=), e.g. --source-crs EPSG:31370", path=path, field="crs")
        return frame, default or "file"
    try:
        return frame.set_crs(pyproj.CRS.from_user_input(crs), allow_override=True), "caller"
    except pyproj.exceptions.CRSError as exc:
        raise CRSError(f"unknown CRS {crs!r}: {_short(exc)}", path=path, field="crs") from None


# ----------------------------------------------------------------------------- helpers
def lower_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Column names in lower case (the first of two that differ only by case wins)."""
    seen, keep, names = set(), [], []
    for c in frame.columns:
        lc = str(c).lower()
        if lc in seen:
            continue
        seen.add(lc)
        keep.append(c)
        names.append(lc)
    out = frame[keep].copy()
    out.columns = names
    if isinstance(frame, gpd.GeoDataFrame):
        out = gpd.GeoDataFrame(out, geometry=frame.geometry.name.lower(), crs=frame.crs)
    return out


def unique_ids(ids: np.ndarray) -> np.ndarray:
    """``ids`` with ``#1``, ``#2``... appended to the second, third... occurrence of a value."""
    s = pd.Series(ids, dtype=object)
    if not s.duplicated().any():
        return s.to_numpy(dtype=object)
    k = s.groupby(s, sort=False).cumcount().to_numpy()
    out = s.to_numpy(dtype=object).copy()
    rep = k > 0
    out[rep] = [f"{v}#{n}" for v, n in zip(out[rep], k[rep])]
    return out


def feature_ids(frame: pd.DataFrame, stem: str, kind: str | np.ndarray, *, id_column: str | None = None) -> np.ndarray:
    """Stable ids (see module docstring).

    ``kind`` is the OSM type used when the frame has ``osm_id`` but no ``osm_type``: 'way' or
    'node', or one per row.
    """
    n = len(frame)
    if id_column is not None:
        col = id_column.lower()
        if col not in frame:
            raise InputError(f"no id column {id_column!r}", field="id_column")
        return unique_ids(_prefixed(stem, frame[col]))
    if "osm_id" in frame:
        osm_id = frame["osm_id"]
        typ = np.full(n, kind, dtype=object) if isinstance(kind, str) else np.asarray(kind, dtype=object).copy()
        if "osm_type" in frame:
            t = _per_unique(frame["osm_type"].to_numpy(dtype=object), lambda v: str(v).strip().lower() or None)
            has = ~pd.isna(t)
            typ[has] = t[has]
            ids = _int_text(osm_id)
        elif "osm_way_id" in frame:  # GDAL multipolygons: ways in osm_way_id, relations in osm_id
            way = frame["osm_way_id"]
            is_way = way.notna().to_numpy()
            typ = np.where(is_way, "way", "relation").astype(object)
            ids = np.where(is_way, _int_text(way), _int_text(osm_id))
        else:
            ids = _int_text(osm_id)
        good = ~pd.isna(ids)
        out = _row_ids(stem, n)
        out[good] = ("osm:" + pd.Series(typ[good], dtype=object) + "/" + pd.Series(ids[good], dtype=object)).to_numpy(dtype=object)
        return unique_ids(out)
    for col in ID_COLUMNS:
        if col in frame and frame[col].notna().all():
            return unique_ids(_prefixed(stem, frame[col]))
    return _row_ids(stem, n)


def _row_ids(stem: str, n: int) -> np.ndarray:
    """``'<stem>:<row>'`` for rows 0..n-1 (object array)."""
    return (stem + ":" + pd.Series(np.arange(n)).astype(str)).to_numpy(dtype=object)


def _prefixed(stem: str, values: pd.Series) -> np.ndarray:
    """``'<stem>:<value>'`` for every value (whole floats without '.0'), object array."""
    text = _int_text(values)
    text[pd.isna(text)] = ""
    return (stem + ":" + pd.Series(text, dtype=object)).to_numpy(dtype=object)


def _int_text(values: pd.Series) -> np.ndarray:
    """Ids as text; floats that are whole numbers lose their '.0'."""
    s = pd.Series(values)
    out = np.full(len(s), None, dtype=object)
    ok = s.notna().to_numpy()
    if pd.api.types.is_float_dtype(s):
        whole = ok & (np.mod(s.to_numpy(dtype=float, na_value=0.0), 1.0) == 0.0)
        out[whole] = s[whole].astype(np.int64).astype(str).to_numpy(dtype=object)
        rest = ok & ~whole
        out[rest] = s[rest].astype(str).to_numpy(dtype=object)
    elif pd.api.types.is_integer_dtype(s) or pd.api.types.is_string_dtype(s):
        out[ok] = s[ok].astype(str).to_numpy(dtype=object)
    else:
        out[ok] = [str(v) for v in s[ok]]
    return out


def _obj(values) -> pd.Series:
    """An object Series (pandas 3 would otherwise infer, and convert to, its string dtype)."""
    return pd.Series(np.asarray(values, dtype=object), dtype=object)


def _text_or_empty(values: pd.Series | None, n: int) -> pd.Series:
    """Text of each value, '' where missing (object Series)."""
    if values is None:
        return _obj(np.full(n, "", dtype=object))
    return _obj(_per_unique(values.to_numpy(dtype=object), str)).fillna("")


def _is_building(values: pd.Series) -> np.ndarray:
    """True where a ``building`` tag is present and not ``no``."""
    flag = _per_unique(values.to_numpy(dtype=object), lambda v: str(v).strip().lower() not in ("no", ""))
    return np.asarray(pd.Series(flag, dtype=object).fillna(False), dtype=bool)


def metric_area(geoms: np.ndarray, crs) -> np.ndarray:
    """Area of each geometry in m2: in an equal-area projection around the data when ``crs``
    is geographic, else in ``crs`` (scaled by its linear unit)."""
    crs = pyproj.CRS.from_user_input(crs)
    if crs.is_geographic:
        if len(geoms) == 0:
            return np.zeros(0)
        x0, y0, x1, y1 = shapely.total_bounds(geoms)
        laea = pyproj.CRS.from_proj4(f"+proj=laea +lat_0={(y0 + y1) / 2} +lon_0={(x0 + x1) / 2} +ellps=WGS84 +units=m")
        geoms = gpd.GeoSeries(geoms, crs=crs).to_crs(laea).values
        return shapely.area(np.asarray(geoms, dtype=object))
    unit = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
    return shapely.area(geoms) * unit * unit


def repair_polygons(geoms: np.ndarray, ids: np.ndarray, result: IngestResult) -> tuple[np.ndarray, np.ndarray]:
    """Valid 2-D (Multi)Polygons, and the mask of rows kept; drops are recorded in ``result``.

    Returns
    -------
    geoms : the repaired geometries of the kept rows
    keep : bool mask over the input rows
    """
    geoms = np.asarray(geoms, dtype=object)
    keep = ~pd.isna(geoms)
    for i in np.flatnonzero(~keep):
        result.drop(ids[i], "no geometry")
    empty = np.zeros(len(geoms), dtype=bool)
    empty[keep] = shapely.is_empty(geoms[keep])
    for i in np.flatnonzero(empty):
        result.drop(ids[i], "empty geometry")
    keep &= ~empty
    g = geoms.copy()
    if keep.any() and shapely.has_z(g[keep]).any():
        g[keep] = shapely.force_2d(g[keep])
    valid = np.ones(len(g), dtype=bool)
    valid[keep] = shapely.is_valid(g[keep])
    bad = np.flatnonzero(keep & ~valid)
    if len(bad):
        reasons = shapely.is_valid_reason(g[bad])
        fixed = shapely.make_valid(g[bad], method="structure", keep_collapsed=False)
        fixed = _polygonal(fixed)
        ok = ~shapely.is_empty(fixed) & (shapely.area(fixed) > 0)
        g[bad[ok]] = fixed[ok]
        result.meta["repaired"] = int(result.meta.get("repaired", 0)) + int(ok.sum())
        for i, r in zip(bad[~ok], reasons[~ok]):
            result.drop(ids[i], f"invalid geometry that cannot be repaired ({r})", invalid=True)
        keep[bad[~ok]] = False
    zero = np.zeros(len(g), dtype=bool)
    zero[keep] = shapely.area(g[keep]) <= 0
    for i in np.flatnonzero(zero):
        result.drop(ids[i], "polygon without area")
    keep &= ~zero
    return g[keep], keep


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """The polygonal part of each geometry (collections from make_valid), as (Multi)Polygons."""
    geoms = np.asarray(geoms, dtype=object)
    types = shapely.get_type_id(geoms)
    todo = ~np.isin(types, _POLY)
    if not todo.any():
        return geoms
    parts, idx = shapely.get_parts(geoms[todo], return_index=True)
    is_poly = np.isin(shapely.get_type_id(parts), _POLY)
    parts, idx = parts[is_poly], idx[is_poly]
    polys, pidx = shapely.get_parts(parts, return_index=True)  # MultiPolygon -> Polygons
    out = geoms.copy()
    rebuilt = np.full(int(todo.sum()), shapely.Polygon(), dtype=object)
    if len(polys):
        multi = shapely.multipolygons(polys, indices=idx[pidx])
        present = np.unique(idx[pidx])
        rebuilt[present] = multi
    out[todo] = rebuilt
    return out


def _ground_z(geoms: np.ndarray) -> np.ndarray:
    """Lowest z of each geometry (0 where 2-D)."""
    out = np.zeros(len(geoms))
    has = shapely.has_z(geoms)
    if has.any():
        xyz, idx = shapely.get_coordinates(geoms[has], include_z=True, return_index=True)
        low = np.full(int(has.sum()), np.inf)
        np.minimum.at(low, idx, xyz[:, 2])
        out[has] = np.where(np.isfinite(low), low, 0.0)
    return out


# ----------------------------------------------------------------------------- layer builders
def buildings_from_frame(
    frame: gpd.GeoDataFrame,
    ids: np.ndarray,
    result: IngestResult,
    *,
    source_format: str,
    table: dict[str, Any],
    overrides=None,
) -> gpd.GeoDataFrame:
    """The ``buildings`` layer from a polygon frame with lower-case attribute columns.

    ``table`` is the merged defaults table (:func:`twin.ingest.defaults.load_defaults`),
    ``overrides`` the known values by building id.
    """
    from twin.ingest.attributes.checks import check_values
    from twin.ingest.attributes.tags import tag_keys

    raw_geoms = np.asarray(frame.geometry.values, dtype=object)
    ground = _ground_z(np.where(pd.isna(raw_geoms), None, raw_geoms)) if len(raw_geoms) else np.zeros(0)
    geoms, keep = repair_polygons(raw_geoms, ids, result)
    raw, parsed = read_raw_attributes(frame)
    geoms, keep = _drop_bad_attributes(raw, parsed, geoms, keep, ids, result)
    f = frame[keep]
    n = len(f)
    raw = {a: (v[keep], k[keep]) for a, (v, k) in raw.items()}
    parsed, notes = check_values(ids[keep], raw, {a: p[keep] for a, p in parsed.items()}, table)
    prefix = "tag" if source_format == "osm" else "column"
    data = {
        "building_id": _obj(ids[keep]),
        "source": _obj(np.full(n, str(result.path), dtype=object)),
        "source_format": _obj(np.full(n, source_format, dtype=object)),
        "name": _text_or_empty(f.get("name"), n),
        "ground_z_m": ground[keep],
        "footprint_area_m2": metric_area(geoms, frame.crs),
        "roof_kind": _obj(np.where(pd.isna(raw["roof_kind"][0]), "", pd.Series(raw["roof_kind"][0], dtype=object).astype(str).str.strip().str.lower())),
    }
    for attribute, numbers in parsed.items():
        keys = raw[attribute][1]
        data[attribute] = numbers
        data[f"{attribute}_rule"] = _obj(np.where(pd.isna(keys), None, prefix + ":" + pd.Series(keys, dtype=object).astype(str)))
    tag_columns = [k for k in tag_keys(table) if k in f and k != "name"]
    for k in tag_columns:
        data[k] = _obj(f[k].to_numpy(dtype=object))
    table_frame = pd.DataFrame(data)
    done = complete_buildings(table_frame, overrides=overrides, path=result.path, table=table)
    done = done.drop(columns=[c for c in tag_columns if c not in ("use",)], errors="ignore")
    done = done.drop(columns=[f"{a}_rule" for a in ("roof_levels", "min_level", "min_height_m")], errors="ignore")
    if notes:
        by_building: dict[str, list[str]] = {}
        for note in notes:
            by_building.setdefault(note.building_id, []).append(f"{note.field} {note.reason}")
        done["attribute_notes"] = done["building_id"].map(lambda b: "; ".join(by_building.get(b, []))).to_numpy(dtype=object)
        result.meta.setdefault("attribute_notes", []).extend(note.text() for note in notes)
    if done.attrs.get("overrides_applied"):
        result.meta["overrides_applied"] = int(result.meta.get("overrides_applied", 0)) + done.attrs["overrides_applied"]
    return gpd.GeoDataFrame(done, geometry=gpd.GeoSeries(geoms, crs=frame.crs).values, crs=frame.crs)


#: How each numeric attribute is parsed from its text.
_PARSERS = {
    "height_m": lambda v: parse_number(v, feet_to_m=True),
    "n_storeys": parse_number,
    "construction_year": parse_year,
    "roof_levels": parse_number,
    "min_level": parse_number,
    "min_height_m": lambda v: parse_number(v, feet_to_m=True),
}


def read_raw_attributes(frame: pd.DataFrame) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], dict[str, np.ndarray]]:
    """Per attribute the raw value of each row with the key it came from (the first of
    :data:`twin.ingest.attributes.tags.KEYS` holding a value in that row), and the numbers
    parsed from them (NaN where none; not for ``roof_kind``)."""
    from twin.ingest.attributes.tags import KEYS, coalesce

    raw, parsed = {}, {}
    for attribute, keys in KEYS.items():
        values, used = coalesce(frame, keys)
        raw[attribute] = (values, used)
        if attribute in _PARSERS:
            parsed[attribute] = _PARSERS[attribute](pd.Series(values, dtype=object)) if len(values) else np.zeros(0)
    return raw, parsed


def _drop_bad_attributes(
    raw: dict[str, tuple[np.ndarray, np.ndarray]], parsed: dict[str, np.ndarray], geoms: np.ndarray, keep: np.ndarray,
    ids: np.ndarray, result: IngestResult,
) -> tuple[np.ndarray, np.ndarray]:
    """Drop kept rows whose height, storeys or year is not a usable number
    (:mod:`twin.ingest.limits`, the field named by the key the value came from); returns the
    geometries and mask of the rows still kept."""
    from twin.ingest.limits import attribute_problems, storey_height_problems

    problems: dict[int, str] = {}
    for attribute, kind in (("height_m", "height"), ("n_storeys", "storeys"), ("construction_year", "year")):
        values, used = raw[attribute]
        for key in pd.unique(used[~pd.isna(used)]):
            rows = np.flatnonzero(used == key)
            found = attribute_problems(pd.Series(values[rows], dtype=object), parsed[attribute][rows], field=str(key), kind=kind)
            for j, reason in found.items():
                problems.setdefault(int(rows[j]), reason)
    problems.update(storey_height_problems(parsed["height_m"], parsed["n_storeys"], skip=set(problems)))
    bad = np.zeros(len(keep), dtype=bool)
    bad[list(problems)] = True
    bad &= keep
    if not bad.any():
        return geoms, keep
    for i in np.flatnonzero(bad):
        result.drop(ids[i], problems[int(i)], invalid=True)
    still = ~bad[keep]  # over the kept rows, in order
    keep = keep & ~bad
    return np.asarray(geoms, dtype=object)[still], keep


def landcover_from_frame(frame: gpd.GeoDataFrame, ids: np.ndarray, result: IngestResult, *, table: dict[str, Any]) -> gpd.GeoDataFrame:
    """The ``landcover`` layer; polygons whose class is not in the table are dropped."""
    cls = landcover_class(frame, table)
    known = cls["cover_class"].notna().to_numpy()
    for i in np.flatnonzero(~known):
        tags = {k: frame[k].iloc[i] for k in LANDCOVER_COLUMNS + ("amenity",) if k in frame and pd.notna(frame[k].iloc[i])}
        result.drop(ids[i], f"land-cover class not in the table (tags {tags})" if tags else "polygon without a land-cover class")
    f, c, i2 = frame[known], cls[known], ids[known]
    geoms, keep = repair_polygons(f.geometry.values, i2, result)
    c = c[keep]
    if "sealed_fraction" in f:
        _note_unused_sealed_fractions(f["sealed_fraction"].to_numpy(dtype=object)[keep], c, i2[keep], result)
    name = f["name"][keep] if "name" in f else None
    out = pd.DataFrame(
        {
            "landcover_id": i2[keep],
            "kind": c["kind"].to_numpy(),
            "cover_class": c["cover_class"].to_numpy(),
            "sealed_fraction": c["sealed_fraction"].to_numpy(dtype=float),
            "sealed_defaulted": c["sealed_defaulted"].to_numpy(dtype=bool),
            "name": _text_or_empty(name, len(c)),
        }
    )
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geoms, crs=frame.crs).values, crs=frame.crs)


def _note_unused_sealed_fractions(raw: np.ndarray, cls: pd.DataFrame, ids: np.ndarray, result: IngestResult) -> None:
    """A given ``sealed_fraction`` that is not a share in 0..1 (``1.5``, ``lots``) is replaced by its
    class's value (:func:`twin.ingest.defaults.landcover_class`): one note per polygon in
    ``result.meta['attribute_notes']`` (printed by ``twin ingest``, counted in a warning)."""
    text = pd.Series(raw, dtype=object)
    given = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    present = (text.notna() & (text.astype(str).str.strip() != "")).to_numpy()
    unused = present & ~((given >= 0.0) & (given <= 1.0))
    for j in np.flatnonzero(unused):
        value, cover = cls["sealed_fraction"].iloc[j], cls["cover_class"].iloc[j]
        result.meta.setdefault("attribute_notes", []).append(
            f"{ids[j]}: sealed_fraction {raw[j]!r} is not a share in 0..1; the value {value:g} of class {cover!r} is used")


def pois_from_frame(frame: gpd.GeoDataFrame, ids: np.ndarray, result: IngestResult, *, table: dict[str, Any], report: bool = True) -> gpd.GeoDataFrame:
    """The ``pois`` layer: points, or a point inside each polygon; rows without a category
    are dropped (and reported when ``report``)."""
    cat, tag = poi_category_and_tag(frame, table)
    geoms = np.asarray(frame.geometry.values, dtype=object)
    has_geom = ~pd.isna(geoms)
    has_geom[has_geom] = ~shapely.is_empty(geoms[has_geom])
    ok = ~pd.isna(cat) & has_geom
    if report:
        for i in np.flatnonzero(pd.isna(cat)):
            result.drop(ids[i], "point without a service category")
        for i in np.flatnonzero(~pd.isna(cat) & ~has_geom):
            result.drop(ids[i], "no geometry")
    g = geoms[ok]
    if len(g):
        types = shapely.get_type_id(g)
        not_point = types != 0
        if not_point.any():
            g = g.copy()
            g[not_point] = shapely.point_on_surface(shapely.make_valid(g[not_point]))
        g = shapely.force_2d(g)
    name = frame["name"][ok] if "name" in frame else None
    out = pd.DataFrame(
        {
            "poi_id": ids[ok],
            "category": cat[ok],
            "name": _text_or_empty(name, int(ok.sum())),
            "tag": _obj(np.where(pd.isna(tag[ok]), "", tag[ok])),
        }
    )
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(g, crs=frame.crs).values, crs=frame.crs)


def sites_from_frame(frame: gpd.GeoDataFrame, ids: np.ndarray, stem: str) -> gpd.GeoDataFrame:
    """The ``sites`` layer (districts of the region): polygons with their name, if any."""
    n = len(frame)
    name = _text_or_empty(frame["name"] if "name" in frame else None, n)
    name = name.where(name != "", stem)
    out = pd.DataFrame({"site_id": ids, "name": name.to_numpy(), "kind": "district", "parent_id": ""})
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(frame.geometry.values, crs=frame.crs).values, crs=frame.crs)


def streets_from_frame(
    frame: gpd.GeoDataFrame, ids: np.ndarray, result: IngestResult, *, node_prefix: str, table: dict[str, Any]
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The ``nodes`` and ``links`` layers from street lines (see :mod:`twin.ingest.streets`); tag
    values not used as given go to ``result.meta['attribute_notes']``."""
    from twin.ingest.streets import build_network

    geoms = np.asarray(frame.geometry.values, dtype=object)
    missing = pd.isna(geoms)
    for i in np.flatnonzero(missing):
        result.drop(ids[i], "no geometry")
    f = frame[~missing]
    if len(f) and shapely.has_z(np.asarray(f.geometry.values, dtype=object)).any():
        f = f.set_geometry(shapely.force_2d(np.asarray(f.geometry.values, dtype=object)))
    name = f["name"].where(f["name"].notna(), "").astype(str).to_numpy() if "name" in f else None
    def note(obj: object, text: str) -> None:
        result.meta.setdefault("attribute_notes", []).append(f"{obj}: {text}")

    return build_network(f, source_ids=ids[~missing], names=name, node_prefix=node_prefix, defaults=table, drop=result.drop, note=note)


# ----------------------------------------------------------------------------- classification
def _classify(frame: gpd.GeoDataFrame, table: dict[str, Any]) -> tuple[np.ndarray, dict[str, str]]:
    """Target layer of each row ('' = not used) and the reason of each decision."""
    n = len(frame)
    geoms = np.asarray(frame.geometry.values, dtype=object)
    types = np.full(n, -1)
    has = ~pd.isna(geoms)
    types[has] = shapely.get_type_id(geoms[has])
    target = np.full(n, "", dtype=object)
    why: dict[str, str] = {}
    poly = np.isin(types, _POLY)
    if poly.any():
        building_col = "building" in frame
        is_building = np.zeros(n, dtype=bool)
        if building_col:
            is_building = _is_building(frame["building"])
        buildingish = any(c in frame for c in HEIGHT_COLUMNS + STOREY_COLUMNS + YEAR_COLUMNS) or building_col
        lc_cols = [c for c in LANDCOVER_COLUMNS + ("amenity", "surface") if c in frame]
        is_lc = np.zeros(n, dtype=bool)
        if lc_cols:
            is_lc = landcover_class(frame, table)["cover_class"].notna().to_numpy()
        if building_col:
            target[poly & is_building] = "buildings"
            target[poly & ~is_building & is_lc] = "landcover"
            why["buildings"] = "polygons with a 'building' attribute"
            if (poly & ~is_building & is_lc).any():
                why["landcover"] = "polygons without 'building' but with a land-cover class"
        elif lc_cols and not buildingish:
            target[poly] = "landcover"
            why["landcover"] = f"polygons with land-cover attributes {lc_cols}"
        else:
            target[poly] = "buildings"
            why["buildings"] = (
                "polygons with height/storey/year attributes" if buildingish else "polygons without known attributes (read as footprints)"
            )
    line = np.isin(types, _LINE)
    if line.any():
        streets = line & ~_footprint_lines(frame, table)
        target[streets] = "streets"
        if streets.any():
            why["streets"] = "lines"
    point = np.isin(types, _POINT)
    if point.any():
        target[point] = "pois"
        why["pois"] = "points"
        signal, crossing = signal_rows(frame)
        signal = point & (signal | crossing)
        if signal.any():
            target[signal] = "signals"
            why["signals"] = "points tagged highway=traffic_signals or crossing=traffic_signals (placed on the street nodes of the ingest)"
        sign = point & sign_rows(frame) & ~signal
        if sign.any():
            target[sign] = "signs"
            why["signs"] = "points tagged highway=give_way, stop or mini_roundabout (placed on the street approaches of the ingest)"
        if (signal | sign).any() and not (point & ~signal & ~sign).any():
            why.pop("pois")
    return target, why


def _footprint_lines(frame: gpd.GeoDataFrame, table: dict[str, Any]) -> np.ndarray:
    """True where a row is a building (its 'building' attribute) and no street (no value in a
    street class column): a footprint drawn as a line, which a file without street classes would
    otherwise read as a street of the default class."""
    if "building" not in frame:
        return np.zeros(len(frame), dtype=bool)
    has_class = np.zeros(len(frame), dtype=bool)
    for col in table["streets"]["class_columns"]:
        if col in frame:
            has_class |= frame[col].notna().to_numpy()
    return _is_building(frame["building"]) & ~has_class


def _nonfinite_rows(geoms: np.ndarray, has: np.ndarray) -> dict[int, str]:
    """Rows whose geometry has a NaN or infinite coordinate, with the reason."""
    rows = np.flatnonzero(has)
    if len(rows) == 0:
        return {}
    xyz, idx = shapely.get_coordinates(geoms[rows], include_z=True, return_index=True)
    bad_coord = ~np.isfinite(xyz[:, :2]).all(axis=1)
    if shapely.has_z(geoms[rows]).any():
        bad_coord |= np.isinf(xyz[:, 2])  # a missing z is NaN in 2-D parts; infinity is wrong
    if not bad_coord.any():
        return {}
    out = {}
    for k in np.flatnonzero(bad_coord):
        row = int(rows[idx[k]])
        if row not in out:
            out[row] = f"coordinate is not a finite number ({xyz[k, 0]:.6g}, {xyz[k, 1]:.6g})"
    return out


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".geojson", ".json", ".gpkg", ".geoparquet", ".parquet", ".shp"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


# ----------------------------------------------------------------------------- entry point
def read_vector(
    path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    source_layer: str | None = None,
    crs: str | pyproj.CRS | None = None,
    crs_override: bool = False,
    defaults: dict | str | os.PathLike[str] | None = None,
    overrides=None,
    id_column: str | None = None,
    scene_crs: str | pyproj.CRS | None = None,
) -> IngestResult:
    """Read a GeoJSON, GeoPackage, GeoParquet or shapefile into scene layers.

    Parameters
    ----------
    path
        The file.
    layer
        Force the scene layer of every feature: ``'buildings'``, ``'streets'`` (nodes and
        links), ``'landcover'``, ``'pois'`` or ``'sites'`` (district outlines); default: decided per feature from its geometry
        and attributes (module docstring).
    source_layer
        The layer of a multi-layer file (GeoPackage) to read; default all of them.
    crs
        CRS of a file that declares none (e.g. ``'EPSG:31370'``; a GeoJSON without ``"crs"`` is
        WGS84 by RFC 7946 unless this names another); ignored for files that declare one unless
        ``crs_override``.
    crs_override
        Use ``crs`` even for a file that declares a CRS (a wrong declaration).
    defaults
        Overrides of the defaults table (:func:`twin.ingest.defaults.load_defaults`).
    overrides
        Known values per building id (:func:`twin.ingest.defaults.read_overrides`).
    id_column
        The attribute holding a feature's native id (ids become ``<file stem>:<value>``).
    scene_crs
        The CRS the layers are going to (only used to name the CRS of metres found in a
        file said to be in degrees).

    Returns
    -------
    IngestResult
        Layers in the file's CRS (the scene reprojects), every dropped feature with its
        reason, and ``meta`` (``crs``, ``crs_source`` 'file' or 'caller', ``layers`` decided
        and why, ``repaired`` count, ``tables_not_read``: the attribute tables of a GeoPackage
        read without ``source_layer``).

    Raises
    ------
    CRSError
        The file declares no CRS and ``crs`` is not given, or its coordinates do not fit a
        geographic CRS.
    ParseError
        The file cannot be read.
    InputError
        Unknown ``layer`` / ``source_layer``.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", path=path)
    if layer is not None:
        layer = {"links": "streets", "nodes": "streets"}.get(layer, layer)
        if layer not in TARGET_LAYERS:
            raise InputError(f"unknown target layer {layer!r}; one of {TARGET_LAYERS}", path=path, field="layer")
    table = load_defaults(defaults)
    result = IngestResult(path=str(path))
    with gdal_reads():  # GDAL writes no .aux.xml beside the user's file
        frames, tables = _read_frames(path, source_layer, crs, crs_override)
    if tables:  # said by twin ingest, not silently left out
        result.meta["tables_not_read"] = tables
    parts: dict[str, list[pd.DataFrame]] = {}
    signals: list[gpd.GeoDataFrame] = []
    signs: list[gpd.GeoDataFrame] = []
    decisions: dict[str, str] = {}
    for lyr, frame, crs_source in frames:
        result.meta.setdefault("crs", frame.crs.to_string() if frame.crs is not None else None)
        result.meta["crs_source"] = crs_source
        invalid = dict(frame.attrs.get("invalid_geometry", {}))
        stem = _stem(path) if lyr is None else f"{_stem(path)}/{lyr}"
        f = lower_columns(frame)
        geoms = np.asarray(f.geometry.values, dtype=object)
        types = np.full(len(f), -1)
        has = ~pd.isna(geoms)
        types[has] = shapely.get_type_id(geoms[has])
        # ids of the whole layer, so row-based ids are the row in the file
        all_ids = feature_ids(f, stem, np.where(np.isin(types, _POINT), "node", "way"), id_column=id_column)
        invalid.update(_nonfinite_rows(geoms, has))
        if invalid:
            bad = np.zeros(len(f), dtype=bool)
            bad[list(invalid)] = True
            for i in np.flatnonzero(bad):
                result.drop(all_ids[i], invalid[int(i)], invalid=True)
            f, geoms, types, has, all_ids = f[~bad], geoms[~bad], types[~bad], has[~bad], all_ids[~bad]
        _check_lonlat(f, path, lyr, scene_crs)
        if layer is None:
            target, why = _classify(f, table)
            decisions.update({k: f"{v}" + (f" (layer {lyr})" if lyr else "") for k, v in why.items()})
        else:
            target = np.full(len(f), layer, dtype=object)
            decisions[layer] = "named by the caller"
        for name in ("buildings", "landcover", "streets", "pois", "sites", "signals", "signs"):
            rows = target == name
            if name in ("buildings", "landcover", "sites"):
                wrong = rows & has & ~np.isin(types, _POLY)
            elif name == "streets":
                wrong = rows & has & ~np.isin(types, _LINE)
            else:
                wrong = rows & has & np.isin(types, _LINE)
            if wrong.any():
                for i in all_ids[wrong]:
                    result.drop(i, f"geometry does not fit layer {name!r}")
                rows &= ~wrong
            if not rows.any():
                continue
            sub = f[rows]
            ids = all_ids[rows]
            if name == "buildings":
                out = buildings_from_frame(sub, ids, result, source_format="footprints", table=table, overrides=overrides)
                parts.setdefault("buildings", []).append(out)
            elif name == "landcover":
                parts.setdefault("landcover", []).append(landcover_from_frame(sub, ids, result, table=table))
            elif name == "pois":
                parts.setdefault("pois", []).append(pois_from_frame(sub, ids, result, table=table))
            elif name == "sites":
                parts.setdefault("sites", []).append(sites_from_frame(sub, ids, stem))
            elif name == "signals":
                signals.append(vector_signal_points(sub, ids, result))
            elif name == "signs":
                signs.append(vector_sign_points(sub, ids, result))
            else:
                nodes, links = streets_from_frame(sub, ids, result, node_prefix=stem, table=table)
                parts.setdefault("nodes", []).append(nodes)
                parts.setdefault("links", []).append(links)
        unused = np.flatnonzero(target == "")
        if len(unused):
            for i, t in zip(all_ids[unused], types[unused]):
                if t < 0:
                    reason = "no geometry"
                elif t == 7:
                    reason = "geometry collection: not a footprint, line or point"
                elif t in _LINE:
                    reason = "line with a 'building' attribute and no street class: a footprint must be a Polygon"
                else:
                    reason = "feature fits no scene layer (no building or land-cover attributes)"
                result.drop(i, reason)
    for name, frs in parts.items():
        if len(frs) == 1:
            merged = frs[0]
        else:  # layers of one GeoPackage may differ in CRS: bring them to the first one's
            frs = [f if f.crs == frs[0].crs else f.to_crs(frs[0].crs) for f in frs]
            merged = gpd.GeoDataFrame(pd.concat(frs, ignore_index=True), geometry="geometry", crs=frs[0].crs)
        if name == "nodes" and len(frs) > 1:
            merged = merged.drop_duplicates("node_id").reset_index(drop=True)
        result.layers[name] = merged
    if signals:
        result.signal_points = gpd.GeoDataFrame(pd.concat([f.to_crs(signals[0].crs) for f in signals], ignore_index=True),
                                                geometry="geometry", crs=signals[0].crs)
    if signs:
        result.sign_points = gpd.GeoDataFrame(pd.concat([f.to_crs(signs[0].crs) for f in signs], ignore_index=True), geometry="geometry", crs=signs[0].crs)
    result.meta["layers"] = decisions
    return result


__all__ = [
    "TARGET_LAYERS",
    "buildings_from_frame",
    "feature_ids",
    "geojson_crs_member",
    "geojson_declares_crs",
    "landcover_from_frame",
    "metric_area",
    "pois_from_frame",
    "read_vector",
    "repair_polygons",
    "streets_from_frame",
    "unique_ids",
]
