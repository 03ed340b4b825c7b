"""Cut the points of interest of the Saint-Gilles box out of the 2013 Brussels OSM extract.

Writes ``data_samples/stgilles_pois_osm2013.geojson``: every OSM *node* of
``../shared/data/brussels/brussels_capital_region_2013-01-01.osm.pbf`` (ODbL, (c) OpenStreetMap
contributors) that

* has one of the tags ``amenity``, ``shop``, ``office``, ``craft``, ``tourism``, ``leisure``,
  ``healthcare``, ``religion``,
* lies in the Saint-Gilles box, EPSG:31370 E 148000-149000, N 168000-169000 (the box of the
  other ``stgilles_*`` files; pyproj's EPSG:4326 -> EPSG:31370 transform, bounds included), and
* gives a service category (``pois`` table of ``twin/data/ingest_defaults.yaml``): street
  furniture (post boxes, bicycle stands, telephones, recycling bins) and what the table has no
  category for (fuel stations, a parking entrance) are left out, so the reader uses every point.

Properties: ``osm_id``, ``osm_type`` (``node``), ``name`` and the tags above (null where absent).
Coordinates: longitude/latitude (OGC CRS84, declared in the file), 7 decimals (about 1 cm).
The nodes are read with pyosmium, independently of twin's GDAL-based reader.

Usage: ``.venv/bin/python scripts/cut_stgilles_pois.py [PBF] [OUT]``.
"""

from __future__ import annotations

from pathlib import Path

from stgilles_osm_points import REPO, in_box, main, point_feature, write_points

OUT = REPO / "data_samples" / "stgilles_pois_osm2013.geojson"
KEYS = ("amenity", "shop", "office", "craft", "tourism", "leisure", "healthcare", "religion")


def cut(pbf: Path, out: Path) -> int:
    """Write the GeoJSON; returns the number of POIs written."""
    import osmium
    import pandas as pd

    from twin.ingest.defaults import load_defaults, poi_category

    table = load_defaults()
    rows = []
    for node in osmium.FileProcessor(str(pbf), osmium.osm.NODE):
        tags = dict(node.tags)
        if not any(k in tags for k in KEYS):
            continue
        lon, lat = node.location.lon, node.location.lat
        if not in_box(lon, lat):
            continue
        rows.append({"osm_id": str(node.id), "osm_type": "node", "name": tags.get("name"), **{k: tags.get(k) for k in KEYS}, "_lon": lon, "_lat": lat})
    frame = pd.DataFrame(rows)
    useful = pd.notna(poi_category(frame, table))
    frame = frame[useful].sort_values("osm_id", key=lambda s: s.astype(int)).reset_index(drop=True)
    features = [point_feature({k: (None if pd.isna(r[k]) else r[k]) for k in ("osm_id", "osm_type", "name", *KEYS)}, r["_lon"], r["_lat"])
                for _, r in frame.iterrows()]
    return write_points(out, "stgilles_pois_osm2013", features)


if __name__ == "__main__":
    main(cut, OUT, "POIs")
