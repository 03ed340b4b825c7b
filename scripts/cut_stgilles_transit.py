"""Cut the public-transport routes and stops around Saint-Gilles out of the 2013 Brussels OSM extract.

Writes ``data_samples/stgilles_transit_osm2013.geojson``, the input of
:mod:`twin.traffic.osm_transit`, from
``../shared/data/brussels/brussels_capital_region_2013-01-01.osm.pbf`` (ODbL, (c) OpenStreetMap
contributors), in the Saint-Gilles box grown by 500 m: EPSG:31370 E 147500-149500,
N 167500-169500 (the box of the other ``stgilles_*`` files, :data:`BOX`, plus :data:`BUFFER_M`).

* routes (``kind`` = ``route``): the ``type=route`` relations of the GDAL OSM driver's
  ``multilinestrings`` layer whose ``route`` is ``tram``, ``bus``, ``trolleybus``, ``subway`` or
  ``light_rail``, their lines cut to the grown box; properties ``osm_id``, ``osm_type``
  (``relation``), ``route``, ``ref``, ``name``, ``operator``;
* stops (``kind`` = ``stop``): the nodes of the ``points`` layer in the grown box tagged
  ``railway=tram_stop|halt|station``, ``highway=bus_stop`` or
  ``public_transport=platform|stop_position|station``; properties ``osm_id``, ``osm_type``
  (``node``), ``name``, ``railway``, ``highway``, ``public_transport``.

GDAL's own OSM configuration is used (not :func:`twin.ingest.osm.osm_config_file`, which drops
``other_tags`` and so the relations' ``route``, ``ref`` and ``operator``); the tags are read from
``other_tags``. Coordinates: longitude/latitude (OGC CRS84, declared in the file), 7 decimals.

Another district: ``--sites FILE`` (the polygon file of a scenario's ``inputs.sites``) cuts the
box of the sites (EPSG:31370 bounds) grown by :data:`BUFFER_M` instead, into ``--output FILE``
(required with ``--sites``: the Saint-Gilles sample is not replaced); the collection is named
after the output file.

Usage: ``.venv/bin/python scripts/cut_stgilles_transit.py [PBF] [OUT] [--sites FILE --output FILE]``.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from stgilles_osm_points import BOX, PBF, REPO

OUT = REPO / "data_samples" / "stgilles_transit_osm2013.geojson"
BUFFER_M = 500.0
ROUTE_MODES = ("tram", "bus", "trolleybus", "subway", "light_rail")
STOP_TAGS = {"railway": ("tram_stop", "halt", "station"), "highway": ("bus_stop",), "public_transport": ("platform", "stop_position", "station")}


def _tag(other: str | None, key: str) -> str | None:
    hit = re.search(r'"' + re.escape(key) + r'"=>"((?:[^"\\]|\\.)*)"', other if isinstance(other, str) else "")
    return hit.group(1) if hit else None


def _rounded(geom) -> dict:
    import shapely

    mapping = shapely.geometry.mapping(shapely.set_precision(geom, 1e-7))
    return json.loads(json.dumps(mapping))


def sites_box(sites: Path) -> tuple[float, float, float, float]:
    """The EPSG:31370 bounds (xmin, ymin, xmax, ymax, m) of the polygons of ``sites`` (a
    GeoJSON without ``crs`` is longitude/latitude)."""
    import geopandas as gpd
    import numpy as np

    frame = gpd.read_file(sites)
    polygons = frame[frame.geometry.notna() & frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if len(polygons) == 0:
        raise SystemExit(f"{sites}: no polygon (--sites: the district's polygons)")
    x0, y0, x1, y1 = polygons.set_crs(frame.crs or "EPSG:4326", allow_override=True).to_crs("EPSG:31370").total_bounds
    if not np.all(np.isfinite([x0, y0, x1, y1])):
        raise SystemExit(f"{sites}: the polygons have no finite EPSG:31370 bounds")
    return float(x0), float(y0), float(x1), float(y1)


def cut(pbf: Path, out: Path, box: tuple[float, float, float, float] = BOX, name: str = OUT.name.removesuffix(".geojson")) -> int:
    """Write the GeoJSON collection ``name`` of the routes and stops in ``box`` (EPSG:31370, m)
    grown by :data:`BUFFER_M`; returns the number of features (routes and stops) written."""
    import geopandas as gpd
    import numpy as np
    import pyogrio
    import shapely

    grown = shapely.box(box[0] - BUFFER_M, box[1] - BUFFER_M, box[2] + BUFFER_M, box[3] + BUFFER_M)
    area = gpd.GeoSeries([grown], crs="EPSG:31370").to_crs("EPSG:4326").iloc[0]
    bbox = tuple(area.bounds)
    features: list[dict] = []
    rel = pyogrio.read_dataframe(pbf, layer="multilinestrings", bbox=bbox)
    rel = rel[rel["type"] == "route"]
    rel = rel.iloc[np.argsort(rel["osm_id"].astype(np.int64).to_numpy(), kind="stable")]
    for _, r in rel.iterrows():
        mode = _tag(r["other_tags"], "route")
        if mode not in ROUTE_MODES:
            continue
        part = r.geometry.intersection(area)
        if part.is_empty or part.length == 0:
            continue
        part = shapely.line_merge(part) if part.geom_type != "LineString" else part
        props = {"kind": "route", "osm_id": int(r["osm_id"]), "osm_type": "relation", "route": mode, "ref": _tag(r["other_tags"], "ref"),
                 "name": None if r["name"] is None or r["name"] != r["name"] else str(r["name"]), "operator": _tag(r["other_tags"], "operator")}  # fmt: skip
        features.append({"type": "Feature", "properties": props, "geometry": _rounded(part)})
    pts = pyogrio.read_dataframe(pbf, layer="points", bbox=bbox)
    pts = pts[pts.geometry.within(area)]
    pts = pts.iloc[np.argsort(pts["osm_id"].astype(np.int64).to_numpy(), kind="stable")]
    for _, r in pts.iterrows():
        tags = {"railway": _tag(r["other_tags"], "railway"), "highway": r["highway"] if isinstance(r["highway"], str) else None,
                "public_transport": _tag(r["other_tags"], "public_transport")}  # fmt: skip
        if not any(tags[k] in v for k, v in STOP_TAGS.items()):
            continue
        props = {"kind": "stop", "osm_id": int(r["osm_id"]), "osm_type": "node", "name": r["name"] if isinstance(r["name"], str) else None, **tags}
        features.append({"type": "Feature", "properties": props, "geometry": _rounded(r.geometry)})
    head = (
        f'{{\n"type": "FeatureCollection",\n"name": "{name}",\n'
        '"crs": { "type": "name", "properties": { "name": "urn:ogc:def:crs:OGC:1.3:CRS84" } },\n"features": [\n'
    )
    out.write_text(head + ",\n".join(json.dumps(f, ensure_ascii=False) for f in features) + "\n]\n}\n", encoding="utf-8")
    return len(features)


def main() -> None:
    """``SCRIPT [PBF] [OUT] [--sites FILE --output FILE]``: cut and print what was written."""
    parser = argparse.ArgumentParser(description="Cut public-transport routes and stops out of an OSM extract (docs/traffic.md).")
    parser.add_argument("pbf", nargs="?", type=Path, default=PBF, help="the OSM extract (default: the 2013 Brussels PBF)")
    parser.add_argument("out", nargs="?", type=Path, default=None, help=f"output GeoJSON (default: {OUT.relative_to(REPO)})")
    parser.add_argument("--sites", type=Path, help="polygon file of the district: cut its box grown by 500 m, not Saint-Gilles")
    parser.add_argument("--output", type=Path, help="output GeoJSON (the same as OUT)")
    args = parser.parse_args()
    if args.out is not None and args.output is not None:
        parser.error("give the output once: OUT or --output")
    out = args.output or args.out
    if args.sites is not None and out is None:
        parser.error("--sites needs --output (the Saint-Gilles sample is not replaced)")
    if args.sites is None:
        out = out or OUT
        n = cut(args.pbf, out)
    else:
        n = cut(args.pbf, out, sites_box(args.sites), out.name.removesuffix(".geojson"))
    print(f"wrote {n} routes and stops to {out}")


if __name__ == "__main__":
    main()
