"""The document level of a CityJSON file: parse and check the JSON, the vertices and the CRS.

Shared by the CityJSON reader of :mod:`twin.ingest.cityjson` (buildings, elements, land cover
into a scene) and by :mod:`twin.solar.cityjson_surfaces` (the 3-D surfaces the solar model
needs), so the solar engine reads the file with the same checks without importing the ingest
layer. Every problem is a :class:`~twin.errors.ParseError` or :class:`~twin.errors.CRSError`
naming the file and the JSON path.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from twin.errors import CRSError, ParseError
from twin.io.input_limits import CITYJSON_NAMED_SUFFIXES

SUPPORTED_VERSIONS = ("1.0", "1.1", "2.0")
"""CityJSON versions read (and their patch versions, ``1.1.3``)."""

CITYJSON_SUFFIXES = (*CITYJSON_NAMED_SUFFIXES, ".json")
"""Endings of a CityJSON file, lower case (a name is compared case-folded): those the solar engine
reads as CityJSON and twin's CityJSON writers write (:mod:`twin.export.cityjson`). A plain
``.json`` may also be GeoJSON: ``twin ingest`` tells them apart by the content."""

MAX_COORDINATE_M = 1e9
"""Largest coordinate accepted after the transform, m (larger ones are taken as corrupt)."""

_EPSG_RE = re.compile(r"EPSG(?:/[\w.]*/|:[\w.]*:|:)(\d+)", re.IGNORECASE)


def json_path_error(path: Path, json_path: str, message: str) -> ParseError:
    """A ParseError naming ``path`` and the JSON path (``/`` for the document)."""
    return ParseError(message, path=path, obj=json_path or "/")


def expect(value: Any, kind: type | tuple[type, ...], path: Path, json_path: str, what: str) -> Any:
    """``value`` if it is of ``kind`` (a JSON boolean never counts as a number), else ParseError."""
    if not isinstance(value, kind) or isinstance(value, bool):
        raise json_path_error(path, json_path, f"{what} must be {_kind_name(kind)}, got {type(value).__name__}")
    return value


def _kind_name(kind) -> str:
    names = {dict: "an object", list: "an array", str: "a string", int: "an integer", float: "a number"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def horizontal_crs(text: Any, *, path: Path | None = None):
    """The horizontal, projected pyproj CRS named by a CityJSON ``referenceSystem`` (or user text).

    Accepts ``https://www.opengis.net/def/crs/EPSG/0/7415``, ``urn:ogc:def:crs:EPSG::28992``,
    ``EPSG:28992`` or a :class:`pyproj.CRS`. A compound CRS gives its horizontal part (7415 ->
    28992). Raises :class:`~twin.errors.CRSError` for anything else, or a CRS not projected in
    metres (CityJSON areas and heights are computed in the file's units).
    """
    import pyproj

    try:
        if isinstance(text, pyproj.CRS):
            crs = text
        elif isinstance(text, str):
            codes = _EPSG_RE.findall(text)
            crs = pyproj.CRS.from_epsg(int(codes[0])) if codes else pyproj.CRS.from_user_input(text)
        else:
            raise CRSError(f"reference system must be a string, got {type(text).__name__}", path=path, field="referenceSystem")
    except pyproj.exceptions.CRSError as exc:
        raise CRSError(f"unknown reference system {text!r}: {exc}", path=path, field="referenceSystem") from None
    except (ValueError, OverflowError):
        raise CRSError(f"unknown reference system {text!r}", path=path, field="referenceSystem") from None
    if crs.is_compound:
        horizontal = [c for c in crs.sub_crs_list if c.is_projected or c.is_geographic]
        if not horizontal:
            raise CRSError(f"compound CRS {crs.name!r} has no horizontal part", path=path, field="referenceSystem")
        crs = horizontal[0]
    if crs.is_projected and len(crs.axis_info) > 2:
        crs = crs.to_2d()
    if not crs.is_projected or crs.axis_info[0].unit_name not in ("metre", "meter"):
        raise CRSError(
            f"CityJSON in {crs.name!r} is not supported: it must be in a projected CRS in metres", path=path, field="referenceSystem"
        )
    return crs


def load_document(path: Path) -> dict:
    """The parsed document of a CityJSON file (type and version checked)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror or exc}", path=path) from None
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON ({exc.msg}); the file may be truncated", path=path, obj=f"line {exc.lineno} column {exc.colno}") from None
    except UnicodeDecodeError as exc:
        raise ParseError(f"not UTF-8 text: {exc.reason}", path=path, obj=f"byte {exc.start}") from None
    except RecursionError:
        raise ParseError("JSON nested too deeply", path=path) from None
    except ValueError as exc:  # e.g. integers with too many digits
        raise ParseError(f"invalid JSON: {exc}", path=path) from None
    expect(doc, dict, path, "/", "the document")
    if doc.get("type") != "CityJSON":
        raise ParseError(f"not a CityJSON document (type is {doc.get('type')!r})", path=path, obj="/type")
    version = doc.get("version")
    if not isinstance(version, str) or not any(version == v or version.startswith(v + ".") for v in SUPPORTED_VERSIONS):
        raise ParseError(f"unsupported CityJSON version {version!r}; supported: {', '.join(SUPPORTED_VERSIONS)}", path=path, obj="/version")
    return doc


def document_vertices(doc: dict, path: Path) -> np.ndarray:
    """The vertices of ``doc`` as (n, 3) float64 in the file's units, the transform applied and checked."""
    if "vertices" not in doc:
        raise ParseError("missing 'vertices'", path=path, obj="/vertices")
    raw = expect(doc["vertices"], list, path, "/vertices", "vertices")
    if not raw:
        return np.zeros((0, 3))
    try:
        verts = np.asarray(raw, dtype=np.float64)
    except (ValueError, TypeError, OverflowError):
        bad = next((i for i, v in enumerate(raw) if not _is_xyz(v)), 0)
        raise json_path_error(path, f"/vertices/{bad}", "a vertex must be an array of 3 numbers") from None
    if verts.ndim != 2 or verts.shape[1] != 3:
        bad = next((i for i, v in enumerate(raw) if not _is_xyz(v)), 0)
        raise json_path_error(path, f"/vertices/{bad}", "a vertex must be an array of 3 numbers")
    transform = doc.get("transform")
    if transform is not None:
        expect(transform, dict, path, "/transform", "transform")
        parts = []
        for key in ("scale", "translate"):
            v = transform.get(key)
            if not _is_xyz(v):
                raise json_path_error(path, f"/transform/{key}", f"transform {key} must be an array of 3 numbers")
            parts.append(np.asarray(v, dtype=np.float64))
        verts = verts * parts[0] + parts[1]
    finite = (np.abs(verts) < MAX_COORDINATE_M).all(axis=1)  # also False for NaN / inf
    if not finite.all():
        raise json_path_error(path, f"/vertices/{int(np.flatnonzero(~finite)[0])}", f"vertex coordinate is not a finite number below {MAX_COORDINATE_M:g} m")
    return verts


def _is_xyz(v: Any) -> bool:
    return (
        isinstance(v, list)
        and len(v) == 3
        and all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in v)
    )


def document_crs(doc: dict, path: Path, crs: Any, fallback: Any = None, *, option: str = "--source-crs"):
    """(horizontal CRS, declared text): ``crs`` overrides the declaration, ``fallback`` is used
    only when the file declares none. ``option`` is the command-line option that gives ``crs``,
    named in the error of a file that declares none (``twin ingest --source-crs``, ``twin solar
    cadastre --crs``)."""
    meta = doc.get("metadata")
    if meta is not None:
        expect(meta, dict, path, "/metadata", "metadata")
    declared = None if meta is None else meta.get("referenceSystem", meta.get("crs"))
    if isinstance(declared, dict):  # CityJSON 1.0 drafts: {"epsg": 7415}
        declared = f"EPSG:{declared.get('epsg')}"
    if crs is not None:
        return horizontal_crs(crs, path=path), declared
    if declared is None and fallback is not None:
        return horizontal_crs(fallback, path=path), declared
    if declared is None:
        raise CRSError(
            f"the file declares no metadata.referenceSystem; name it with {option} (crs=), e.g. {option} EPSG:28992",
            path=path, field="referenceSystem",
        )
    return horizontal_crs(declared, path=path), declared


__all__ = [
    "MAX_COORDINATE_M",
    "SUPPORTED_VERSIONS",
    "document_crs",
    "document_vertices",
    "expect",
    "horizontal_crs",
    "json_path_error",
    "load_document",
]
