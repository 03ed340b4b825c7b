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

from pathlib import Path

from stgilles_osm_points import REPO, in_box, main, point_feature, write_points

OUT = REPO / "data_samples" / "stgilles_signals_osm2013.geojson"


def cut(pbf: Path, out: Path) -> int:
    """Write the GeoJSON; returns the number of signal nodes written."""
    import pandas as pd

    from twin.traffic.signals import read_osm_signals

    signals = read_osm_signals(pbf)
    inside = in_box(signals.geometry.x.to_numpy(), signals.geometry.y.to_numpy())
    features = []
    for _, r in signals[inside].iterrows():
        props = {"osm_id": int(r["osm_id"]), "osm_type": "node", **{k: (None if pd.isna(r[k]) else r[k]) for k in ("kind", "highway", "crossing", "direction")}}
        features.append(point_feature(props, r.geometry.x, r.geometry.y))
    return write_points(out, "stgilles_signals_osm2013", features)


if __name__ == "__main__":
    main(cut, OUT, "signal nodes")
