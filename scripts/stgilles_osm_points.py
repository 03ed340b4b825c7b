"""What the ``scripts/cut_stgilles_*.py`` scripts share: the 2013 Brussels OSM extract, the
Saint-Gilles box, the box test and the GeoJSON point file they write.

The box is EPSG:31370 E 148000-149000, N 168000-169000 (the box of every ``stgilles_*`` file of
``data_samples/``), bounds included, tested after pyproj's EPSG:4326 -> EPSG:31370 transform.
The files are GeoJSON FeatureCollections of points in longitude/latitude (OGC CRS84, declared in
the file), 7 decimals (the OSM precision, about 1 cm), one feature per line.

Imported by the scripts when run as ``.venv/bin/python scripts/NAME.py`` (``scripts/`` is then
first on ``sys.path``).
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
#: The 2013-01-01 extract of the Brussels-Capital Region (ODbL, (c) OpenStreetMap contributors).
PBF = REPO.parent / "shared" / "data" / "brussels" / "brussels_capital_region_2013-01-01.osm.pbf"
#: The Saint-Gilles box, EPSG:31370 (xmin, ymin, xmax, ymax), m.
BOX = (148_000.0, 168_000.0, 149_000.0, 169_000.0)


@functools.cache
def _to_lambert():
    import pyproj

    return pyproj.Transformer.from_crs("EPSG:4326", "EPSG:31370", always_xy=True)


def in_box(lon, lat) -> np.ndarray:
    """Whether each longitude/latitude point (degrees, EPSG:4326) lies in :data:`BOX` (bounds included)."""
    x, y = _to_lambert().transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return (x >= BOX[0]) & (x <= BOX[2]) & (y >= BOX[1]) & (y <= BOX[3])


def point_feature(props: dict, lon: float, lat: float) -> dict:
    """A GeoJSON point feature, coordinates rounded to 7 decimals."""
    return {"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": [round(float(lon), 7), round(float(lat), 7)]}}


def write_points(out: Path, name: str, features: Iterable[dict]) -> int:
    """Write ``features`` as the FeatureCollection ``name`` (CRS84 declared) to ``out``; their number."""
    head = (
        f'{{\n"type": "FeatureCollection",\n"name": "{name}",\n'
        '"crs": { "type": "name", "properties": { "name": "urn:ogc:def:crs:OGC:1.3:CRS84" } },\n"features": [\n'
    )
    lines = [json.dumps(f, ensure_ascii=False) for f in features]
    out.write_text(head + ",\n".join(lines) + "\n]\n}\n", encoding="utf-8")
    return len(lines)


def main(cut: Callable[[Path, Path], int], default_out: Path, what: str) -> None:
    """``SCRIPT [PBF] [OUT]``: run ``cut`` and print what it wrote."""
    pbf = Path(sys.argv[1]) if len(sys.argv) > 1 else PBF
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else default_out
    print(f"wrote {cut(pbf, out)} {what} to {out}")
