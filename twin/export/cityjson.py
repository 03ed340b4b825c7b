"""Write the buildings of a scene to CityJSON 2.0 as LoD1 blocks, atomically.

Each footprint is extruded from ``ground_z_m`` to ``ground_z_m + height_m`` into a ``Solid``
(a ``MultiSolid`` for a MultiPolygon footprint) with semantic surfaces (GroundSurface,
WallSurface, RoofSurface). Rings follow the specification: counter-clockwise seen from outside
the solid (so the ground face is clockwise seen from above), interior rings the other way.
Vertices are deduplicated and stored as integers with the ``transform`` (scale 1 mm,
translate = the lower corner of the data). Every building column (the ``*_defaulted`` flags
included, NaN as ``null``) becomes an attribute, together with the CityJSON names
``measuredHeight``, ``storeysAboveGround``, ``yearOfConstruction`` and ``function`` where
the value was not defaulted; ``heating_system`` (and its source and rule) only where it came
from data or a user (:data:`SYSTEM_KNOWN_SOURCES`), the name the reader takes back. Footprints are snapped to the 1 mm vertex grid first.
``metadata.referenceSystem`` is the scene CRS as an OGC EPSG URL. The cost is linear in the
number of buildings (vertex blocks carry a running count; each building's indices are known
without summing earlier blocks).

Object ids are the ``building_id`` values with a leading ``cityjson:`` removed, so a building
read from CityJSON keeps its native id through a round trip.

References
----------
CityJSON specifications 2.0, https://www.cityjson.org/specs/2.0.1/
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from twin.errors import CRSError, OutputError, SchemaError
from twin.io import atomic_path, progress
from twin.io.cityjson_document import CITYJSON_SUFFIXES

CITYJSON_VERSION = "2.0"
SYSTEM_KNOWN_SOURCES = ("data", "user")
"""Sources of a ``heating_system`` written as an attribute (a default one is left out)."""
SCALE_M = 0.001
_SEMANTICS = [{"type": "GroundSurface"}, {"type": "WallSurface"}, {"type": "RoofSurface"}]
_GROUND, _WALL, _ROOF = 0, 1, 2


@dataclass
class CityJSONExport:
    """What :func:`write_cityjson` wrote: the file, the number of buildings and the skipped ones."""

    path: Path
    n_buildings: int
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _json_value(value: Any) -> Any:
    """A JSON-safe attribute value (NaN and missing as None, NumPy scalars as Python)."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        return value
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def reference_system(crs) -> str:
    """``https://www.opengis.net/def/crs/EPSG/0/<code>`` for a CRS with an EPSG code."""
    import pyproj

    code = pyproj.CRS.from_user_input(crs).to_epsg()
    if code is None:
        raise CRSError(f"the CRS {pyproj.CRS.from_user_input(crs).name!r} has no EPSG code; CityJSON needs one", field="crs")
    return f"https://www.opengis.net/def/crs/EPSG/0/{code}"


def _rings(polygon, oriented: bool = False) -> list[np.ndarray]:
    """Exterior (counter-clockwise from above) then interior rings (clockwise), without closing
    vertex; ``oriented``: the polygon is already so."""
    import shapely

    if not oriented:
        polygon = shapely.orient_polygons(polygon, exterior_cw=False)
    rings = [np.asarray(polygon.exterior.coords)[:-1, :2]]
    rings += [np.asarray(r.coords)[:-1, :2] for r in polygon.interiors]
    return rings


class _Points:
    """Vertex blocks appended in order, with their running count (so a new block's first index
    is known in O(1): the export stays linear in the number of buildings)."""

    def __init__(self) -> None:
        self.blocks: list[np.ndarray] = []
        self.count = 0

    def append(self, block: np.ndarray) -> None:
        self.blocks.append(block)
        self.count += len(block)

    def __len__(self) -> int:
        return len(self.blocks)

    def __iter__(self):
        return iter(self.blocks)


def _solid(polygon, z0: float, z1: float, points: _Points, oriented: bool = False) -> tuple[list, list[int]] | None:
    """Boundaries (one shell) and semantic values of the extruded polygon; vertices appended to ``points``."""
    rings = _rings(polygon, oriented)
    if len(rings[0]) < 3:
        return None
    base = points.count
    bottom_idx, top_idx = [], []
    for ring in rings:
        n = len(ring)
        bottom = np.column_stack([ring, np.full(n, z0)])
        top = np.column_stack([ring, np.full(n, z1)])
        points.append(bottom)
        points.append(top)
        bottom_idx.append(list(range(base, base + n)))
        top_idx.append(list(range(base + n, base + 2 * n)))
        base += 2 * n
    shell = [[list(reversed(r)) for r in bottom_idx]]  # ground: seen from below, counter-clockwise
    values = [_GROUND]
    for b, t in zip(bottom_idx, top_idx):  # walls of exterior (ccw) and interior (cw) rings face out of the solid
        n = len(b)
        for i in range(n):
            j = (i + 1) % n
            shell.append([[b[i], b[j], t[j], t[i]]])
            values.append(_WALL)
    shell.append([list(r) for r in top_idx])  # roof: seen from above, counter-clockwise
    values.append(_ROOF)
    return [shell], values


def check_cityjson_output(path: str | os.PathLike[str], *, inputs=(), field: str | None = "--out", written_by: str | None = None) -> Path:
    """Check, before any work, that a CityJSON file can be written at ``path``.

    Parameters
    ----------
    path
        The CityJSON file.
    inputs
        Files or folders the command reads.
    field
        The option that named the file, for messages.
    written_by
        The command writing (``twin export``, ``twin solar cadastre``): an existing file is
        replaced only if its ``metadata`` records the same writer (:func:`cityjson_writer`; the
        file rule of :func:`twin.io.output_checks.check_file_writer`), so the two commands do not
        replace each other's file; a CityJSON of an older twin, which records none, is refused
        once. None (the Python API): any CityJSON of twin is replaced.

    Raises
    ------
    OutputError
        A name that does not end in one of :data:`CITYJSON_SUFFIXES` (``x.txt`` would hold a
        CityJSON document no reader recognises), not writable, an existing folder or device, an
        output that is (or is inside) an input, or an existing file that is not an earlier export
        of twin (:func:`is_twin_cityjson`: a source CityJSON, e.g. the LoD2 file the scene was
        ingested from, was replaced by the LoD1 export without a word), or (``written_by``) not
        one of that command.
    """
    from twin.io.output_checks import check_file_writer, check_output_file

    if not Path(path).name.lower().endswith(CITYJSON_SUFFIXES):
        raise OutputError(f"a CityJSON file must end in {', '.join(CITYJSON_SUFFIXES)}", path=path, field=field)
    checked = check_output_file(path, inputs=inputs, field=field)
    if checked.is_file() and checked.stat().st_size > 0 and not is_twin_cityjson(checked):
        raise OutputError("the output file exists and is not a CityJSON export of twin (no twin_building_id); it would be replaced: "
                          "name a new file, or remove it", path=path, field=field)
    if written_by is not None:
        check_file_writer(checked, written_by, cityjson_writer, field=field, again=f"another {field or 'output'} file")
    return checked


#: The ``metadata`` member of a CityJSON of twin that names the command that wrote it.
WRITER_KEY = "twin_written_by"
_WRITER_MARK = re.compile(rb'"' + WRITER_KEY.encode() + rb'":"([^"\\]{1,100})"')


def cityjson_writer(path: str | os.PathLike[str]) -> tuple[str | None, str]:
    """The writer a CityJSON of twin records (``metadata.twin_written_by``, written before its city
    objects), for :func:`twin.io.output_checks.check_file_writer`; None for a CityJSON of an older
    twin or of the Python API without ``written_by``, and for any other file."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(TWIN_MARK_BYTES)
    except OSError:
        return None, "a file twin cannot read"
    if not head.startswith(b'{"type":"CityJSON"'):
        return None, "a file that is not a CityJSON export of twin"
    found = _WRITER_MARK.search(head.split(b'"CityObjects":', 1)[0])
    if found is None:
        return None, "a CityJSON of twin with no writer recorded (an older twin)"
    return found.group(1).decode("utf-8", "replace"), "a CityJSON"


#: Bytes of an existing file :func:`is_twin_cityjson` reads (the first city object's attributes lie within them).
TWIN_MARK_BYTES = 1 << 20


def is_twin_cityjson(path: str | os.PathLike[str]) -> bool:
    """True if ``path`` starts like a document of :func:`write_cityjson`: its first city object
    carries the ``twin_building_id`` attribute (or it has no city object); False for any other
    file (a source CityJSON, a text file)."""
    with open(path, "rb") as fh:
        head = fh.read(TWIN_MARK_BYTES)
    return head.startswith(b'{"type":"CityJSON"') and (b'"twin_building_id"' in head or b'"CityObjects":{}' in head)


def write_cityjson(
    scene_or_buildings,
    path: str | os.PathLike[str],
    *,
    crs=None,
    title: str | None = None,
    inputs=(),
    extra_attributes=None,
    written_by: str | None = None,
) -> CityJSONExport:
    """Write buildings as CityJSON 2.0 LoD1 solids with all their columns as attributes.

    Parameters
    ----------
    scene_or_buildings
        A :class:`~twin.scene.Scene` (its ``buildings`` and CRS) or a buildings GeoDataFrame.
    path
        Target file (``.city.json``); checked before anything is converted
        (:func:`check_cityjson_output`), written to a temporary file and renamed.
    crs
        CRS when a bare table without CRS is given.
    title
        ``metadata.title``.
    inputs
        Files or folders the buildings were read from (the output may not be one of them).
    extra_attributes
        A table with ``building_id`` and more columns (e.g. the per-building solar figures of
        :class:`twin.solar.cadastre.Cadastre`: ``solar_*`` names); each column becomes an
        attribute of the matching building (NaN as ``null``); buildings not in it get none.
    written_by
        The command writing, recorded in ``metadata.twin_written_by``; an existing file is
        replaced only if it records the same (:func:`check_cityjson_output`). None: no writer
        recorded, any CityJSON of twin replaced.

    Returns
    -------
    CityJSONExport
        The path, the number of buildings written and the skipped ones (empty footprint).

    Raises
    ------
    SchemaError
        The table lacks ``building_id``, ``height_m`` or ``geometry``.
    CRSError
        No CRS, or one without an EPSG code.
    OutputError
        ``path`` cannot be written.
    """
    check_cityjson_output(path, inputs=inputs, written_by=written_by)

    buildings = getattr(scene_or_buildings, "buildings", scene_or_buildings)
    frame_crs = crs or getattr(scene_or_buildings, "crs", None) or getattr(buildings, "crs", None)
    if frame_crs is None:
        raise CRSError("the buildings have no CRS; name one (crs=...)", path=path, field="crs")
    for col in ("building_id", "height_m", "geometry"):
        if col not in buildings:
            raise SchemaError("buildings table lacks a column needed for CityJSON export", path=path, field=col)
    ground = buildings["ground_z_m"].to_numpy(dtype=float) if "ground_z_m" in buildings else np.zeros(len(buildings))
    height = buildings["height_m"].to_numpy(dtype=float)
    attr_cols = [c for c in buildings.columns if c != "geometry"]
    records = _attribute_records(buildings, attr_cols)

    extra = _extra_by_building(extra_attributes, path)
    with progress.step("footprints into LoD1 parts"):
        parts_of = _footprint_parts(buildings.geometry.values, height)
    with progress.step("CityJSON buildings", len(records), unit="buildings") as done:
        objects, points, skipped = _city_objects(records, parts_of, ground, height, extra, path, done)
    doc = _document(objects, points, frame_crs, title)
    if written_by is not None:
        doc["metadata"][WRITER_KEY] = written_by
        check_cityjson_output(path, inputs=inputs, written_by=written_by)  # again: the file may have appeared meanwhile
    target = Path(path)
    with progress.step(f"writing {target.name}"), atomic_path(target) as tmp:
        tmp.write_text(json.dumps(doc, separators=(",", ":"), allow_nan=False), encoding="utf-8")
    return CityJSONExport(target, len(objects), skipped)


def _city_objects(records: list[dict], parts_of: list, ground: np.ndarray, height: np.ndarray, extra: dict, path,
                  done: progress.Step) -> tuple[dict[str, dict], _Points, list[tuple[str, str]]]:
    """The CityObjects of the buildings (``done`` counts them), their shared vertices, and the skipped buildings."""
    points = _Points()
    objects: dict[str, dict] = {}
    skipped: list[tuple[str, str]] = []
    for i, rec in enumerate(records):
        done.advance()
        bid = str(rec["building_id"])
        oid = bid[len("cityjson:"):] if bid.startswith("cityjson:") else bid
        z0 = ground[i] if math.isfinite(ground[i]) else 0.0
        h = height[i]
        polygons = parts_of[i]
        if polygons is None:
            skipped.append((bid, "empty footprint or no positive height"))
            continue
        solids = []
        for polygon in polygons:
            solid = _solid(polygon, z0, z0 + h, points, oriented=True)
            if solid is not None:
                solids.append(solid)
        if not solids:
            skipped.append((bid, "footprint has no polygon"))
            continue
        if len(solids) == 1:
            boundaries, values = solids[0]
            geometry = {"type": "Solid", "lod": "1", "boundaries": boundaries,
                        "semantics": {"surfaces": _SEMANTICS, "values": [values]}}
        else:
            geometry = {"type": "MultiSolid", "lod": "1", "boundaries": [s[0] for s in solids],
                        "semantics": {"surfaces": _SEMANTICS, "values": [[s[1]] for s in solids]}}
        attributes = {k: v for k, v in rec.items() if k != "building_id"}
        attributes["twin_building_id"] = bid
        if extra:
            attributes.update(extra.get(bid, {}))
        # CityJSON's own names, only for values that were not defaulted
        if not rec.get("height_defaulted", False):
            attributes["measuredHeight"] = float(h)
        if not rec.get("storeys_defaulted", True) and _json_value(rec.get("n_storeys")) is not None:
            attributes["storeysAboveGround"] = int(rec["n_storeys"])
        year = _json_value(rec.get("construction_year"))
        if year is not None and not rec.get("year_defaulted", True):
            attributes["yearOfConstruction"] = int(year)
        if rec.get("use") and not rec.get("use_defaulted", True):
            attributes["function"] = str(rec["use"])
        # a heating system only where it was known (read from data or given by a user): the
        # reader takes the attribute as data, so a default '' must not come back as one
        if "heating_system" in attributes and not (rec.get("heating_system") and rec.get("heating_system_source") in SYSTEM_KNOWN_SOURCES):
            for key in ("heating_system", "heating_system_source", "heating_system_rule"):
                attributes.pop(key, None)
        if oid in objects:
            raise SchemaError("building id repeated", path=path, obj=bid, field="building_id")
        objects[oid] = {"type": "Building", "attributes": attributes, "geometry": [geometry]}
    return objects, points, skipped


def _attribute_records(frame, cols: list[str]) -> list[dict]:
    """One dict of JSON-safe values per row (NaN, infinities and missing as None), column by
    column rather than value by value."""
    import pandas as pd

    lists = []
    for c in cols:
        s = frame[c]
        if pd.api.types.is_float_dtype(s.dtype):
            a = s.to_numpy(dtype=float)
            vals = a.tolist()
            bad = np.flatnonzero(~np.isfinite(a))
            for k in bad:
                vals[k] = None
        elif pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_integer_dtype(s.dtype):
            vals = s.tolist() if not s.isna().any() else [_json_value(v) for v in s.tolist()]
        else:
            vals = [_json_value(v) for v in s.tolist()]
        lists.append(vals)
    return [dict(zip(cols, row)) for row in zip(*lists)] if cols else [{} for _ in range(len(frame))]


def _footprint_parts(geometries, height: np.ndarray) -> list:
    """Polygons of each footprint on the 1 mm vertex grid (made valid), all buildings at once;
    None for an empty footprint or a height below the grid."""
    import shapely

    geoms = np.asarray(geometries, dtype=object)
    n = len(geoms)
    present = np.array([g is not None for g in geoms], dtype=bool)
    ok = present.copy()
    ok[present] = ~shapely.is_empty(geoms[present])
    ok &= np.isfinite(height) & (height >= SCALE_M)
    out: list = [None] * n
    idx = np.flatnonzero(ok)
    if not len(idx):
        return out
    g = shapely.set_precision(geoms[idx], SCALE_M)  # the vertex grid: no face collapses after rounding
    bad = ~shapely.is_valid(g)
    if bad.any():
        g[bad] = shapely.make_valid(g[bad])
    parts, owner = shapely.get_parts(g, return_index=True)
    keep = (shapely.get_type_id(parts) == 3) & (shapely.area(parts) > 0)
    parts = parts.copy()
    parts[keep] = shapely.orient_polygons(parts[keep], exterior_cw=False)
    for i in idx:
        out[i] = []
    for part, o in zip(parts[keep], owner[keep]):
        out[idx[o]].append(part)
    return out


def _extra_by_building(table, path) -> dict[str, dict]:
    """``building_id`` -> {column: JSON value} of an extra attribute table (empty for None)."""
    if table is None:
        return {}
    if "building_id" not in table:
        raise SchemaError("extra attribute table lacks a column", path=path, field="building_id")
    cols = [c for c in table.columns if c not in ("building_id", "geometry")]
    ids = table["building_id"].astype(str).tolist()
    values = zip(*(table[c].tolist() for c in cols)) if cols else ([] for _ in ids)
    return {bid: {c: _json_value(v) for c, v in zip(cols, row)} for bid, row in zip(ids, values)}


def _document(objects: dict, points: _Points, crs, title: str | None) -> dict:
    """The CityJSON document: integer vertices (deduplicated), transform, metadata."""
    coords = np.concatenate(points.blocks) if len(points) else np.zeros((0, 3))
    translate = np.floor(coords.min(axis=0) / SCALE_M) * SCALE_M if len(coords) else np.zeros(3)
    ints = np.rint((coords - translate) / SCALE_M).astype(np.int64)
    unique, inverse = np.unique(ints, axis=0, return_inverse=True) if len(ints) else (ints, np.zeros(0, dtype=np.int64))
    inverse = np.asarray(inverse).ravel()
    remap = inverse.tolist()

    def _re(node):
        if isinstance(node, list):
            return [_re(x) for x in node] if node and isinstance(node[0], list) else [remap[i] for i in node]
        return node

    for obj in objects.values():
        for geom in obj["geometry"]:
            geom["boundaries"] = _re(geom["boundaries"])
    vertices = unique.tolist()
    real = unique * SCALE_M + translate if len(unique) else np.zeros((1, 3))
    extent = [*real.min(axis=0).tolist(), *real.max(axis=0).tolist()]
    metadata = {"referenceSystem": reference_system(crs), "geographicalExtent": [round(v, 3) for v in extent]}
    if title:
        metadata["title"] = title
    return {
        "type": "CityJSON",
        "version": CITYJSON_VERSION,
        "transform": {"scale": [SCALE_M] * 3, "translate": [float(v) for v in translate]},
        "metadata": metadata,
        "CityObjects": objects,
        "vertices": vertices,
    }


__all__ = ["CityJSONExport", "TWIN_MARK_BYTES", "WRITER_KEY", "check_cityjson_output", "cityjson_writer", "is_twin_cityjson", "reference_system", "write_cityjson"]
