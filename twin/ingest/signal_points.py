"""Traffic-signal points at ingest: which points are signals, and their street nodes.

One rule for every source: a point tagged ``highway=traffic_signals`` (also in a ``;`` list,
:func:`twin.scene.signals.is_traffic_signal`) is a signal, not a POI. The OSM reader
(:mod:`twin.ingest.osm`) finds them among the nodes of its file and places them on that
file's streets; the vector reader (:mod:`twin.ingest.vector`) keeps them aside in
``IngestResult.signal_points`` and :func:`place_ingest_signals` places them, once every file
is read, on the street nodes of the whole ingest (the streets usually come in another file).

Placement (:func:`place_signals`): :func:`twin.scene.signals.signal_nodes` in metres (the scene
CRS, or the data's UTM zone without a projected one); the street nodes get ``signalised`` and
``signal_source`` (the OSM node id(s), the tag, the distance moved); signals that are not placed
are dropped with :data:`NOT_PLACED`; the counts go to ``result.meta['signals']``. Signalised
pedestrian crossings (``crossing=traffic_signals``) are not placed, as from OSM files
(:func:`twin.traffic.signals.mark_signals` takes them on request); a vector file's are dropped
with :data:`CROSSING_NOT_READ`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from twin.errors import InputError
from twin.ingest.result import IngestResult

OSM_CRS = "EPSG:4326"

NOT_PLACED = "traffic signal not placed: not at a street node, nor within 1 m of a street open to cars and 30 m of its end"
"""Reason of a dropped signal that :func:`twin.scene.signals.signal_nodes` leaves unmatched."""

CROSSING_NOT_READ = ("signalised pedestrian crossing (crossing=traffic_signals): not placed at ingest, as from OSM files "
                     "(twin.traffic.signals.mark_signals takes it with include_crossings=True)")
"""Reason of a dropped ``crossing=traffic_signals`` point of a vector file."""

NO_OSM_ID = "traffic signal without an integer osm_id (signal_source names the OSM node): give the file's osm_id column"
"""Reason of a dropped signal point of a vector file that has no OSM node id."""

NEEDS_STREETS = "signals need the street network in the same ingest: give the streets file too"
"""Message of the error for signal points in an ingest without street lines."""


def _empty_signals(crs: Any = OSM_CRS) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"osm_id": np.zeros(0, dtype=np.int64), "kind": []}, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def signal_rows(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Which rows of ``frame`` (lower-case columns) are signals and which signalised crossings.

    Returns
    -------
    signal : bool ndarray
        ``highway`` marks a traffic signal (:func:`twin.scene.signals.is_traffic_signal`).
    crossing : bool ndarray
        ``crossing=traffic_signals`` (:func:`twin.scene.signals.is_signal_crossing`) and not a signal.
    """
    from twin.scene.signals import is_signal_crossing, is_traffic_signal

    n = len(frame)
    signal = np.zeros(n, dtype=bool)
    crossing = np.zeros(n, dtype=bool)
    if "highway" in frame:
        signal = _tagged(frame["highway"], is_traffic_signal)
    if "crossing" in frame:
        crossing = _tagged(frame["crossing"], is_signal_crossing) & ~signal
    return signal, crossing


def _tagged(values: pd.Series, rule: Any) -> np.ndarray:
    """``rule`` of each value's text (False where missing), as a bool array (any column dtype)."""
    return np.fromiter((not pd.isna(v) and bool(rule(str(v))) for v in values.to_numpy(dtype=object)), dtype=bool, count=len(values))


def signal_points(points: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The points tagged ``highway=traffic_signals`` (also in a ``;`` list) among ``points``
    (``osm_id``, ``highway``): ``osm_id``, ``kind`` (``traffic_signals``), point geometry (CRS of
    ``points``), in the order of their ids."""
    if "highway" not in points or not len(points):
        return _empty_signals(points.crs if len(points) else OSM_CRS)
    tagged, _ = signal_rows(points)
    sig = points.loc[tagged, ["osm_id", "geometry"]]
    out = gpd.GeoDataFrame({"osm_id": sig["osm_id"].astype(np.int64).to_numpy(), "kind": "traffic_signals"},
                           geometry=sig.geometry.to_numpy(), crs=points.crs)
    return out.sort_values("osm_id", kind="stable").reset_index(drop=True)


def vector_signal_points(frame: gpd.GeoDataFrame, ids: np.ndarray, result: IngestResult) -> gpd.GeoDataFrame:
    """The signals among the signal and crossing points ``frame`` of a vector file (rows of
    :func:`signal_rows`; ``ids``: their feature ids): crossings and points without an integer
    ``osm_id`` are dropped with their reason (:data:`CROSSING_NOT_READ`, :data:`NO_OSM_ID`)."""
    signal, _ = signal_rows(frame)
    osm_id = pd.to_numeric(frame["osm_id"], errors="coerce").to_numpy(dtype=float) if "osm_id" in frame else np.full(len(frame), np.nan)
    whole = np.isfinite(osm_id) & (np.mod(np.nan_to_num(osm_id), 1.0) == 0.0)
    for i in np.flatnonzero(~signal):
        result.drop(ids[i], CROSSING_NOT_READ)
    for i in np.flatnonzero(signal & ~whole):
        result.drop(ids[i], NO_OSM_ID)
    keep = signal & whole
    points = gpd.GeoDataFrame({"osm_id": osm_id[keep].astype(np.int64), "highway": frame["highway"].to_numpy(dtype=object)[keep]},
                              geometry=frame.geometry.to_numpy()[keep], crs=frame.crs)
    return signal_points(points) if len(points) else _empty_signals(frame.crs)


def metric_crs(scene_crs: Any, frame: gpd.GeoDataFrame) -> Any:
    """``scene_crs`` when it is projected in metres; else the UTM zone of the centre of ``frame``."""
    import pyproj
    from pyproj.aoi import AreaOfInterest
    from pyproj.database import query_utm_crs_info

    if scene_crs is not None:
        crs = pyproj.CRS.from_user_input(scene_crs)
        if crs.is_projected and crs.axis_info[0].unit_name in ("metre", "meter"):
            return crs
    x0, y0, x1, y1 = frame.to_crs(OSM_CRS).total_bounds
    lon, lat = 0.5 * (x0 + x1), 0.5 * (y0 + y1)
    zone = query_utm_crs_info(datum_name="WGS 84", area_of_interest=AreaOfInterest(lon, lat, lon, lat))
    return pyproj.CRS.from_epsg(int(zone[0].code))


def place_signals(nodes: gpd.GeoDataFrame, links: gpd.GeoDataFrame, signals: gpd.GeoDataFrame, scene_crs: Any,
                  result: IngestResult) -> gpd.GeoDataFrame:
    """``nodes`` with ``signalised`` / ``signal_source`` from ``signals`` (``osm_id``, ``kind``, points).

    :func:`twin.scene.signals.signal_nodes` in metres (:func:`metric_crs`); flags already on
    ``nodes`` (another file of the ingest) are kept, with the new sources appended. Signals not
    placed are dropped from ``result`` with :data:`NOT_PLACED`; the counts go to
    ``result.meta['signals']``. Unchanged without signals or nodes.
    """
    from twin.scene.signals import signal_nodes, with_signal_columns

    if len(signals) == 0 or len(nodes) == 0:
        return nodes
    metric = metric_crs(scene_crs, nodes)
    flags, source, match = signal_nodes(nodes.to_crs(metric), links.to_crs(metric), signals)
    for oid in match.unmatched:
        result.drop(f"osm:node/{oid}", NOT_PLACED)
    result.meta["signals"] = {"read": len(signals), "at_node": match.at_node, "moved_to_junction": match.snapped,
                              "not_placed": len(match.unmatched), "signalised_nodes": match.n_signalised_nodes}
    if "signalised" in nodes.columns:
        old = nodes["signalised"].fillna(False).to_numpy(dtype=bool)
        old_source = nodes["signal_source"].fillna("").astype(str).tolist() if "signal_source" in nodes.columns else [""] * len(nodes)
        source = ["; ".join(s for s in (a, b) if s) for a, b in zip(old_source, source, strict=True)]
        flags = flags | old
    return with_signal_columns(nodes, flags, source)


def place_ingest_signals(scene: Any, results: Iterable[IngestResult]) -> None:
    """Place the ``signal_points`` of every result on the street nodes of ``scene`` (the nodes of
    the whole ingest), file by file (:func:`place_signals`); the ``nodes`` layer is replaced.

    Raises
    ------
    InputError
        A file with signal points and a scene without street nodes (:data:`NEEDS_STREETS`).
    """
    for result in results:
        points = result.signal_points
        if points is None:
            continue
        if len(scene.nodes) == 0:
            raise InputError(NEEDS_STREETS, path=result.path, obj=f"{len(points)} traffic signal(s)", field="highway")
        if len(points):
            scene.set_layer("nodes", place_signals(scene.nodes, scene.links, points, scene.crs, result))


__all__ = [
    "CROSSING_NOT_READ",
    "NEEDS_STREETS",
    "NOT_PLACED",
    "NO_OSM_ID",
    "metric_crs",
    "place_ingest_signals",
    "place_signals",
    "signal_points",
    "signal_rows",
    "vector_signal_points",
]
