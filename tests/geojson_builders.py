"""Small GeoJSON inputs for the ingest tests: square and rectangular polygon features and
FeatureCollections written with a ``"crs"`` member (Lambert 72, EPSG:31370, unless told otherwise).

A test that needs a file these do not make (a malformed file, the ``"crs"`` member after the
features, bytes in another encoding) writes it itself.
"""

from __future__ import annotations

import json
from pathlib import Path

#: The ``"crs"`` name of Lambert 72 as GDAL writes it.
LAMBERT72 = "urn:ogc:def:crs:EPSG::31370"

#: A corner near the Parvis of Saint-Gilles in Lambert 72, m (synthetic data near Lambert's false
#: origin is refused: it looks like longitude/latitude, see twin.ingest.crs_check).
X0, Y0 = 148_000.0, 168_000.0


def rectangle_ring(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    """The closed ring of the axis-aligned rectangle from corner ``(x0, y0)`` to corner ``(x1, y1)``,
    in the file's units (m in Lambert 72, degrees in WGS84)."""
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def square_ring(x: float, y: float, size: float = 10.0) -> list[list[float]]:
    """The closed ring of a square, lower-left corner ``(x, y)``, side ``size``, in the file's
    units (m in Lambert 72, degrees in WGS84)."""
    return rectangle_ring(x, y, x + size, y + size)


def polygon_feature(ring: list[list[float]], **properties) -> dict:
    """A Feature whose geometry is the Polygon of one outer ``ring``, with ``properties``."""
    return {"type": "Feature", "properties": properties, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def square(x: float, y: float, size: float = 10.0, **properties) -> dict:
    """A square polygon Feature (see :func:`square_ring`; 10 m in Lambert 72 by default)."""
    return polygon_feature(square_ring(x, y, size), **properties)


def geojson_text(features: list, crs: str | None = LAMBERT72, *, indent: int | None = None, **members) -> str:
    """The JSON text of a FeatureCollection of ``features``.

    Parameters
    ----------
    features
        The entries of ``"features"``, written as given (anything JSON can hold; NaN and
        Infinity are written as the JSON extensions some writers use).
    crs
        The name in the ``"crs"`` member, written before ``"features"``; None: no member
        (RFC 7946: WGS84 degrees).
    indent
        As in :func:`json.dumps`.
    members
        Further top-level members (``bbox``...), written after ``"features"``.
    """
    doc: dict = {"type": "FeatureCollection"}
    if crs is not None:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    doc["features"] = features
    doc.update(members)
    return json.dumps(doc, indent=indent)


def write_geojson(path: Path, features: list, crs: str | None = LAMBERT72, *, indent: int | None = None,
                             **members) -> Path:
    """Write :func:`geojson_text` to ``path`` (UTF-8); returns ``path``."""
    path.write_text(geojson_text(features, crs, indent=indent, **members), encoding="utf-8")
    return path
