"""OpenStreetMap files (.osm XML, .osm.bz2, .osm.pbf) -> buildings, streets, land cover, POIs.

The file is read with GDAL's OSM driver through pyogrio, which assembles way and
multipolygon-relation geometries in C (``points``, ``lines`` and ``multipolygons`` layers).
The driver keeps only the tags its configuration names, so this module writes its own
``osmconf.ini`` (GDAL's default one plus the tags listed in :data:`TAGS`, with
``attribute_name_laundering=no`` so ``building:levels`` keeps its name). ``.osm.bz2`` is
decompressed to a temporary file first (GDAL cannot read bzip2).

* buildings: closed ways and multipolygon relations with ``building=*`` (not ``no``), with
  height, levels, roof levels, min level and height, year, roof shape and use from their tags
  (``height``, ``building:levels``, ``roof:levels``, ``building:min_level``, ``min_height``,
  ``start_date``, ``construction_date``, ``roof:shape``, ``building``, ``building:use``,
  ``amenity``, ``shop``, ``office``, ``craft``, ``healthcare``, ``religion``, ``tourism``,
  ``leisure``, ``landuse``, ``name``), inference and documented defaults
  (:mod:`twin.ingest.attributes`, :mod:`twin.ingest.defaults`);
* streets: ways with ``highway=*`` -> nodes and directed links (:mod:`twin.ingest.streets`),
  and the ``type=restriction`` relations mapped to that network -> ``turn_restrictions``
  (:mod:`twin.ingest.osm_restrictions`; the ones that cannot be mapped are dropped with a reason);
  the nodes tagged ``highway=traffic_signals`` (also in a ``;`` list) flag the street nodes
  that carry them (``signalised``, ``signal_source``: :func:`twin.ingest.signal_points.place_signals`,
  matched in metres in the scene CRS, or the data's UTM zone without one; signals that are not
  placed are dropped with a reason). ``crossing=traffic_signals`` (signalised pedestrian
  crossings) is not read: :func:`twin.traffic.signals.mark_signals` takes those on request;
  ``highway=give_way`` / ``stop`` nodes (with ``direction``, ``stop=all``) mark the approach
  link they control, ``highway=mini_roundabout`` its junction node (``priority_sign``,
  ``priority_sign_source``: :func:`twin.ingest.priority_signs.place_priority_signs`; the
  ones that cannot be placed are dropped with a reason);
* landcover: other areas with ``landuse``, ``leisure``, ``natural`` or ``amenity`` in the class
  table (e.g. ``amenity=parking|school``), sealed fraction from the table;
* pois: nodes with a service tag (``amenity``, ``shop``, ``leisure``, ``healthcare`` ...), and a
  point inside every area (building or not) with one; a service mapped both as a node and as
  an area gives two POIs.

Coordinates stay WGS84 (EPSG:4326); :meth:`twin.scene.Scene.add` reprojects. Ids are
``osm:node/<id>``, ``osm:way/<id>``, ``osm:relation/<id>``.
"""

from __future__ import annotations

import bz2
import os
import shutil
import tempfile
import warnings
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from twin.errors import InputError, ParseError
from twin.ingest.defaults import landcover_class, load_defaults
from twin.ingest.osm_restrictions import restriction_table
from twin.ingest.priority_signs import SIGN_HIGHWAY, place_priority_signs, sign_points
from twin.ingest.result import IngestResult
from twin.ingest.signal_points import place_signals, signal_points
from twin.ingest.streets import default_snap
from twin.ingest.vector import (
    TARGET_LAYERS,
    _is_building,
    buildings_from_frame,
    feature_ids,
    landcover_from_frame,
    lower_columns,
    pois_from_frame,
    streets_from_frame,
)
from twin.io.gdal_env import gdal_reads

OSM_CRS = "EPSG:4326"

TAGS: dict[str, tuple[str, ...]] = {
    "points": (
        "name", "amenity", "shop", "leisure", "tourism", "healthcare", "public_transport", "railway", "highway", "office",
        "craft", "religion", "direction", "stop",
    ),
    "lines": (
        "name", "highway", "oneway", "junction", "maxspeed", "maxspeed:forward", "maxspeed:backward", "lanes", "lanes:forward", "lanes:backward",
        "oneway:bicycle", "access", "motor_vehicle", "bicycle", "foot", "area",
    ),
    "multipolygons": (
        "name", "type", "building", "building:levels", "building:min_level", "roof:levels", "height", "building:height",
        "min_height", "start_date", "building:start_date", "construction_date", "building:year", "roof:shape",
        "building:use", "amenity", "shop", "office", "craft", "healthcare", "religion", "tourism", "leisure", "landuse",
        "natural", "surface",
    ),
}
"""Tags kept per GDAL OSM layer (everything else is left out)."""
SIGN_TAGS = ("direction", "stop")
"""Point tags read for the priority signs only: a point with just these is not a POI candidate."""

CLOSED_WAYS_ARE_POLYGONS = (
    "aeroway,amenity,boundary,building,craft,geological,historic,landuse,leisure,military,natural,office,place,shop,"
    "sport,tourism,highway=platform,public_transport=platform"
)
"""GDAL's default list: a closed way with one of these keys is an area, not a line."""


@lru_cache(maxsize=1)
def osm_config_file() -> str:
    """Path of the GDAL OSM driver configuration this module writes (once per process)."""
    lines = ["[general]", f"closed_ways_are_polygons={CLOSED_WAYS_ARE_POLYGONS}", "attribute_name_laundering=no", ""]
    for layer in ("points", "lines", "multipolygons", "multilinestrings", "other_relations"):
        lines += [f"[{layer}]", "osm_id=yes"]
        if layer == "multipolygons":
            lines.append("osm_way_id=yes")
        lines += [f"attributes={','.join(TAGS.get(layer, ('name', 'type')))}", "other_tags=no", ""]
    folder = tempfile.mkdtemp(prefix="twin-osmconf-")
    path = os.path.join(folder, "osmconf.ini")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
    return path


def check_osm_file(path: Path, source: Path) -> None:
    """Cheap checks before GDAL reads an OSM file, whose driver reads malformed or cut XML
    without a word (and returns nothing or part of the data).

    XML (``.osm``): starts with ``<?xml`` or ``<osm`` and ends with ``</osm>``. PBF: the first
    blob header names ``OSMHeader``.

    Raises
    ------
    ParseError
        Naming the file and what is wrong.
    """
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(256)
        fh.seek(max(0, size - 256))
        tail = fh.read(256)
    if source.name.lower().endswith(".pbf"):
        if b"OSMHeader" not in head[:64]:
            raise ParseError("not an OSM PBF file (no OSMHeader block at its start)", path=source)
        return
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not (text.startswith(b"<?xml") or text.startswith(b"<osm")):
        raise ParseError("not OSM XML (it does not start with '<?xml' or '<osm')", path=source)
    if b"</osm>" not in tail:
        raise ParseError("truncated OSM XML: no closing </osm> at its end (the objects after the cut would be missing)", path=source)


def _read_layer(path: Path, layer: str, where: str | None, source: Path, clip=None) -> gpd.GeoDataFrame:
    """One layer of the GDAL OSM driver, columns in lower case, filtered by ``where`` (SQL) and,
    with ``clip`` (a shapely geometry in longitude/latitude), to the features that intersect it.

    The filter matters for ``multipolygons``: without one, GDAL leaves out a closed
    ``building=*`` way that is the outer ring of a multipolygon relation tagged with something
    else (e.g. Brussels' Hotel de Ville, outer way of a ``tourism=attraction`` relation): 10
    buildings of the 2013 Brussels extract are lost. With ``"building" IS NOT NULL`` the
    relation does not pass the filter and the way is reported; no building is reported twice
    (checked against pyosmium in tests/test_ingest_osm.py).
    """
    import pyogrio
    from pyogrio.errors import DataSourceError

    try:
        with warnings.catch_warnings(), gdal_reads():
            warnings.simplefilter("ignore", RuntimeWarning)  # "Non closed ring detected" etc.
            frame = pyogrio.read_dataframe(path, layer=layer, where=where, mask=clip, use_arrow=True, CONFIG_FILE=osm_config_file())
    except (DataSourceError, OSError, ValueError) as exc:
        raise ParseError(f"cannot read OSM layer {layer!r}: {exc}", path=source) from None
    if frame.crs is None:
        frame = frame.set_crs(OSM_CRS)
    return lower_columns(frame)


def read_osm(
    path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    layers: tuple[str, ...] | None = None,
    crs=None,
    defaults: dict | str | os.PathLike[str] | None = None,
    overrides=None,
    scene_crs: str | None = None,
    clip=None,
) -> IngestResult:
    """Read an OSM XML / PBF file into scene layers.

    Parameters
    ----------
    path
        ``.osm``, ``.osm.bz2`` or ``.osm.pbf``.
    layer, layers
        Produce only this target layer / these ones (``'buildings'``, ``'streets'``,
        ``'landcover'``, ``'pois'``); default all.
    crs
        Accepted for symmetry with :func:`twin.ingest.vector.read_vector`; OSM is always
        WGS84, a different value is an error.
    defaults, overrides
        See :func:`twin.ingest.defaults.complete_buildings`.
    scene_crs
        CRS of the scene the layers go to: the signals are put on the street nodes in metres
        in it (when projected in metres; else in the data's UTM zone).
    clip
        A district to cut from a larger extract (a shapely geometry in longitude/latitude):
        whole buildings whose centroid lies in it and street lines cut to it (as the Saint-Gilles
        sample was cut: :func:`clip_lines`), land-cover polygons and points of interest that
        touch it; None: everything.

    Returns
    -------
    IngestResult
        Layers in EPSG:4326, dropped objects with reasons, ``meta['crs']``.

    Raises
    ------
    ParseError
        GDAL cannot read the file.
    InputError
        Unknown target layer or a non-WGS84 ``crs``.
    """
    import pyproj

    path = Path(path)
    if not path.exists():
        raise InputError("file not found", path=path)
    wanted = tuple(layers) if layers is not None else ((layer,) if layer is not None else TARGET_LAYERS)
    wanted = tuple({"links": "streets", "nodes": "streets"}.get(w, w) for w in wanted)
    for w in wanted:
        if w not in TARGET_LAYERS:
            raise InputError(f"unknown target layer {w!r}; one of {TARGET_LAYERS}", path=path, field="layer")
    if crs is not None and not pyproj.CRS.from_user_input(crs).equals(pyproj.CRS.from_user_input(OSM_CRS)):
        raise InputError(f"OSM data is WGS84 (EPSG:4326), not {crs}", path=path, field="crs")
    table = load_defaults(defaults)
    result = IngestResult(path=str(path), meta={"crs": OSM_CRS, "crs_source": "file"})
    with _readable(path) as readable:
        check_osm_file(readable, path)
        poi_frames = []
        if "buildings" in wanted or "pois" in wanted:
            # buildings read on their own: see _read_layer on the attribute filter
            polys = _read_layer(readable, "multipolygons", '"building" IS NOT NULL', path, clip)
            if clip is not None:
                polys = polys[shapely.within(shapely.centroid(polys.geometry.to_numpy()), clip)]
            ids = feature_ids(polys, "osm", "way")
            is_building = _is_building(polys["building"]) if len(polys) else np.zeros(0, dtype=bool)
            if "buildings" in wanted:
                result.layers["buildings"] = buildings_from_frame(
                    polys[is_building], ids[is_building], result, source_format="osm", table=table,
                    overrides=overrides,
                )
            if "pois" in wanted:
                poi_frames.append(pois_from_frame(polys, ids, result, table=table, report=False))
        if "landcover" in wanted or "pois" in wanted:
            keys = ["landuse", "leisure", "natural", "amenity"]
            if "pois" in wanted:
                keys += ["shop", "tourism", "healthcare", "office"]
            where = f"""("building" IS NULL OR "building" = 'no') AND ({' OR '.join(f'"{k}" IS NOT NULL' for k in keys)})"""
            polys = _read_layer(readable, "multipolygons", where, path, clip)
            ids = feature_ids(polys, "osm", "way")
            if "landcover" in wanted:
                cls = landcover_class(polys, table)["cover_class"].notna().to_numpy()
                result.layers["landcover"] = landcover_from_frame(polys[cls], ids[cls], result, table=table)
                result.meta["areas_without_landcover_class"] = int((~cls).sum())
            if "pois" in wanted:
                poi_frames.append(pois_from_frame(polys, ids, result, table=table, report=False))
        points = None
        if "pois" in wanted:
            points = _read_layer(readable, "points", None, path, clip)
            points = points[points[[k for k in TAGS["points"][1:] if k in points and k not in SIGN_TAGS]].notna().any(axis=1).to_numpy()]
            pts = pois_from_frame(points, feature_ids(points, "osm", "node"), result, table=table, report=False)
            frames = [f for f in [pts, *poi_frames] if len(f)]
            result.layers["pois"] = (
                gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=OSM_CRS) if frames else pts
            )
            result.meta["points_without_category"] = int(len(points) - len(pts))
        if "streets" in wanted:
            lines = _read_layer(readable, "lines", None, path, clip)
            lines = lines[lines["highway"].notna().to_numpy()] if "highway" in lines else lines.iloc[:0]
            if clip is not None:
                lines = clip_lines(lines, clip)
            prefix = f"osm:{_stem(path)}"
            nodes, links = streets_from_frame(lines, feature_ids(lines, "osm", "way"), result, node_prefix=prefix, table=table)
            if points is None:  # the signal and priority-sign nodes only
                points = _read_layer(readable, "points", " OR ".join(f""""highway" LIKE '%{v}%'""" for v in ("traffic_signals", *SIGN_HIGHWAY)), path, clip)
            nodes, links = place_priority_signs(nodes, links, sign_points(points), scene_crs, result)
            result.layers["nodes"] = place_signals(nodes, links, signal_points(points), scene_crs, result)
            result.layers["links"] = links
            result.layers["turn_restrictions"] = restriction_table(
                readable, links, node_prefix=prefix, snap_deg=default_snap(OSM_CRS, table), result=result
            )
    return result


def clip_lines(lines: gpd.GeoDataFrame, clip) -> gpd.GeoDataFrame:
    """The street lines cut to ``clip`` (their line parts inside it; a line that leaves and comes
    back becomes a MultiLineString, which the network splits into pieces); lines that keep no
    length are left out. So the streets end on the district's edge, where the traffic engine's
    through traffic enters (:func:`twin.traffic.mobility.edge_nodes`), as in the Saint-Gilles sample."""
    parts, row = shapely.get_parts(shapely.intersection(lines.geometry.to_numpy(), clip), return_index=True)
    is_line = shapely.get_type_id(parts) == 1  # LineString (points where a line only touches the edge left out)
    rows = np.unique(row[is_line])
    out = lines.iloc[rows].copy()
    cut = shapely.multilinestrings(parts[is_line], indices=np.searchsorted(rows, row[is_line]))
    out[lines.geometry.name] = gpd.GeoSeries(cut, index=out.index, crs=lines.crs)
    return out


def _stem(path: Path) -> str:
    name = path.name
    for suffix in (".osm.pbf", ".osm.bz2", ".osm", ".pbf"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


class _readable:
    """Context manager: a path GDAL can read (bz2 decompressed to a temporary .osm file)."""

    def __init__(self, path: Path):
        self.path = path
        self.tmp: str | None = None

    def __enter__(self) -> Path:
        if not self.path.name.lower().endswith(".bz2"):
            return self.path
        self.tmp = tempfile.mkdtemp(prefix="twin-osm-")
        out = Path(self.tmp) / (_stem(self.path) + ".osm")
        try:
            with bz2.open(self.path, "rb") as src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        except (OSError, EOFError) as exc:
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise ParseError(f"cannot decompress bzip2: {exc}", path=self.path) from None
        return out

    def __exit__(self, *exc) -> None:
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)


__all__ = ["OSM_CRS", "TAGS", "osm_config_file", "read_osm"]
