"""Cut the traffic signals of the Saint-Gilles box out of the 2013 Brussels OSM extract.

Writes ``data_samples/stgilles_signals_osm2013.geojson``: every OSM *node* of
``../shared/data/brussels/brussels_capital_region_2013-01-01.osm.pbf`` (ODbL, (c) OpenStreetMap
contributors) tagged ``highway=traffic_signals`` (also in a ``;`` list; kind
``traffic_signals``) or ``crossing=traffic_signals`` (kind ``crossing``) that lies in the
Saint-Gilles box, EPSG:31370 E 148000-149000, N 168000-169000 (the box of the other
``stgilles_*`` files; pyproj's EPSG:4326 -> EPSG:31370 transform, bounds included).

The street sample ``stgilles_streets_osm2013.geojson`` has only the ways (no node tags), so the
signals cannot be recovered from it; they are read here with
:func:`twin.traffic.signals.read_osm_signals` (pyosmium).

Properties: ``osm_id``, ``osm_type`` (``node``), ``kind``, ``highway``, ``crossing``,
``direction`` (``traffic_signals:direction``). Coordinates: longitude/latitude (OGC CRS84,
declared in the file), 7 decimals (the OSM precision).

Usage: ``.venv/bin/python scripts/cut_stgilles_signals.py [PBF] [OUT]``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PBF = REPO.parent / "shared" / "data" / "brussels" / "brussels_capital_region_2013-01-01.osm.pbf"
OUT = REPO / "data_samples" / "stgilles_signals_osm2013.geojson"
BOX = (148_000.0, 168_000.0, 149_000.0, 169_000.0)


def cut(pbf: Path, out: Path) -> int:
    """Write the GeoJSON; returns the number of signal nodes written."""
    import pandas as pd
    import pyproj

    from twin.traffic.signals import read_osm_signals

    signals = read_osm_signals(pbf)
    to_lambert = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:31370", always_xy=True)
    x, y = to_lambert.transform(signals.geometry.x.to_numpy(), signals.geometry.y.to_numpy())
    inside = (x >= BOX[0]) & (x <= BOX[2]) & (y >= BOX[1]) & (y <= BOX[3])
    features = []
    for _, r in signals[inside].iterrows():
        props = {"osm_id": int(r["osm_id"]), "osm_type": "node", **{k: (None if pd.isna(r[k]) else r[k]) for k in ("kind", "highway", "crossing", "direction")}}
        geometry = {"type": "Point", "coordinates": [round(float(r.geometry.x), 7), round(float(r.geometry.y), 7)]}
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    head = (
        '{\n"type": "FeatureCollection",\n"name": "stgilles_signals_osm2013",\n'
        '"crs": { "type": "name", "properties": { "name": "urn:ogc:def:crs:OGC:1.3:CRS84" } },\n"features": [\n'
    )
    body = ",\n".join(json.dumps(f, ensure_ascii=False) for f in features)
    out.write_text(head + body + "\n]\n}\n", encoding="utf-8")
    return len(features)


if __name__ == "__main__":
    pbf = Path(sys.argv[1]) if len(sys.argv) > 1 else PBF
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else OUT
    print(f"wrote {cut(pbf, out)} signal nodes to {out}")
