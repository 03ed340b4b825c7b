"""Priority signs at ingest: give-way and stop signs on the approaches, mini roundabouts on nodes.

OSM maps the signs of a priority junction as nodes: ``highway=give_way`` (B1) or
``highway=stop`` (B5), usually on the approaching way a few metres before the junction, with
``direction=forward|backward`` where the travel direction they control must be told apart
(``stop=all``: an all-way stop); ``highway=mini_roundabout`` on the junction node. This module
reads them from the points of an OSM file (:mod:`twin.ingest.osm`) and puts them on the street
network of that file, or from the points of a vector file (GeoJSON, GeoPackage ...; with an
integer ``osm_id``, :func:`vector_sign_points`) and puts them on the streets of the whole ingest
once every file is read (:func:`place_ingest_signs`; without streets they are dropped with
:data:`NEEDS_STREETS`), for the give-way model (:mod:`twin.traffic.priority`).

Placement rule (:func:`place_priority_signs`; metres in the scene CRS or the data's UTM zone):

* a give-way or stop sign controls the *approach* into the next junction (a node with at least
  three distinct street neighbours on the links open to cars) of the street it stands on
  (within :data:`ON_STREET_M` of a car link with a capacity), in its travel direction. With
  ``direction=forward`` the direction is that of the OSM way (links ``...:f``), with
  ``backward`` against it (``...:b``); without ``direction``, the one with the nearer junction
  ahead. OSM wiki, *Tag:highway=give_way*: "that direction can usually be deduced by finding
  the shorter distance to the priority intersection"; where needed, ``direction=forward`` or
  ``backward`` relates it "to the as-drawn-direction of the OSM way containing the
  highway=give_way node" (*Tag:highway=stop*: tagged the same way). The street is followed
  through nodes with two neighbours (a way that changes name) up to :data:`MAX_SIGN_DISTANCE_M`
  from the sign. The approach link gets ``priority_sign`` (``give_way`` or ``stop``; ``stop``
  wins when both) and ``priority_sign_source`` (the OSM node, the tag, the distance);
* ``stop=all`` also marks that junction node ``priority_sign = all_way_stop`` (directly when
  the sign stands on the junction node);
* ``highway=mini_roundabout`` within :data:`AT_NODE_M` of a junction node marks it
  ``priority_sign = mini_roundabout``;
* dropped, with a reason (counted in ``result.meta['priority_signs']``): a give-way or stop
  sign on the junction node itself (:data:`AT_JUNCTION`: which approach it controls is not
  known), a ``direction`` other than ``forward`` / ``backward`` (:func:`bad_direction`:
  compass bearings, ``both``), a sign with no junction ahead within reach (:data:`NOT_PLACED`),
  a mini roundabout off a junction node (:data:`MINI_NOT_PLACED`).

The columns are added only when the file has sign points; a scene without them reads ''.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from twin.ingest.result import IngestResult
from twin.types.priority_signs import APPROACH_SIGNS, NODE_SIGNS

OSM_CRS = "EPSG:4326"
SIGN_HIGHWAY = ("give_way", "stop", "mini_roundabout")
"""``highway`` values read as priority signs (also within a ``;`` list)."""
DIRECTIONS = ("forward", "backward")
"""Usable ``direction`` values of a give-way or stop sign ('' or absent: the nearer junction)."""
AT_NODE_M = 0.5
"""A sign within this distance of a street node stands on that node, m."""
ON_STREET_M = 1.0
"""A sign within this distance of a car link stands on that street, m."""
MAX_SIGN_DISTANCE_M = 30.0
"""Longest distance along the street from a sign to the junction it controls, m."""

AT_JUNCTION = ("give-way/stop sign on the junction node itself: which approach it controls is not known "
               "(OSM maps it on the approaching way, with direction=forward|backward)")
NOT_PLACED = (f"give-way/stop sign not placed: not within {ON_STREET_M:g} m of a street open to cars with a junction "
              f"ahead within {MAX_SIGN_DISTANCE_M:g} m in its direction")
NO_OSM_ID = "priority sign without an integer osm_id (priority_sign_source names the OSM node): give the file's osm_id column"
NEEDS_STREETS = "priority sign not placed: the ingest has no street network (give the streets file too)"
MINI_NOT_PLACED = f"mini roundabout not placed: not within {AT_NODE_M:g} m of a junction node (three or more streets open to cars)"


def bad_direction(value: str) -> str:
    """Reason of a dropped sign whose ``direction`` is not ``forward`` or ``backward``."""
    return (f"give-way/stop sign with direction={value!r}: only forward or backward (along or against the way) "
            "says which travel direction it controls")  # fmt: skip


def _text(frame: pd.DataFrame, column: str) -> list[str]:
    if column not in frame:
        return [""] * len(frame)
    return ["" if pd.isna(v) else str(v).strip() for v in frame[column].to_numpy(dtype=object)]


def sign_points(points: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The priority signs among ``points`` (``osm_id``, ``highway``, optional ``direction`` and
    ``stop``): ``osm_id``, ``kind`` (``give_way``, ``stop``, ``mini_roundabout``), ``direction``
    ('' absent), ``all_way`` (``stop=all``), point geometry, in the order of their ids."""
    crs = points.crs if points.crs is not None else OSM_CRS
    highway = _text(points, "highway")
    kind = [next((k for k in SIGN_HIGHWAY if k in h.split(";")), "") for h in highway]
    keep = np.array([k != "" for k in kind], dtype=bool)
    stop = _text(points, "stop")
    out = gpd.GeoDataFrame({"osm_id": points["osm_id"].to_numpy()[keep].astype(np.int64) if len(points) else np.zeros(0, np.int64),
                            "kind": np.array(kind, dtype=object)[keep], "direction": np.array(_text(points, "direction"), dtype=object)[keep],
                            "all_way": np.array([s.lower() == "all" and k == "stop" for s, k in zip(stop, kind, strict=True)], dtype=bool)[keep]},
                           geometry=gpd.GeoSeries(points.geometry.to_numpy()[keep], crs=crs).values, crs=crs)  # fmt: skip
    return out.sort_values("osm_id", kind="stable").reset_index(drop=True)


def sign_rows(frame: pd.DataFrame) -> np.ndarray:
    """Which rows of ``frame`` (lower-case columns) are priority signs (``highway`` one of
    :data:`SIGN_HIGHWAY`, also within a ``;`` list)."""
    return np.array([any(k in h.split(";") for k in SIGN_HIGHWAY) for h in _text(frame, "highway")], dtype=bool)


def vector_sign_points(frame: gpd.GeoDataFrame, ids: np.ndarray, result: IngestResult) -> gpd.GeoDataFrame:
    """The priority signs among the sign points ``frame`` of a vector file (rows of
    :func:`sign_rows`; ``ids``: their feature ids, :func:`sign_points` of them); points without
    an integer ``osm_id`` are dropped with :data:`NO_OSM_ID`."""
    osm_id = pd.to_numeric(frame["osm_id"], errors="coerce").to_numpy(dtype=float) if "osm_id" in frame else np.full(len(frame), np.nan)
    whole = np.isfinite(osm_id) & (np.mod(np.nan_to_num(osm_id), 1.0) == 0.0)
    for i in np.flatnonzero(~whole):
        result.drop(ids[i], NO_OSM_ID)
    keep = frame[whole].copy()
    keep["osm_id"] = osm_id[whole].astype(np.int64)
    return sign_points(gpd.GeoDataFrame(keep, geometry=keep.geometry.name, crs=frame.crs))


def place_ingest_signs(scene: Any, results: Any) -> None:
    """Place the ``sign_points`` of every result on the streets of ``scene`` (those of the whole
    ingest), file by file (:func:`place_priority_signs`); the ``nodes`` and ``links`` layers are
    replaced. Without street nodes the signs are dropped with :data:`NEEDS_STREETS`."""
    for result in results:
        points = result.sign_points
        if points is None or not len(points):
            continue
        if len(scene.nodes) == 0:
            for oid in points["osm_id"].tolist():
                result.drop(f"osm:node/{oid}", NEEDS_STREETS)
            result.meta["priority_signs"] = {"read": len(points), "on_approach": 0, "at_junction_node": 0, "not_placed": len(points), "signed_approaches": 0,
                                             "signed_nodes": 0}  # fmt: skip
            continue
        nodes, links = place_priority_signs(scene.nodes, scene.links, points, scene.crs, result)
        scene.set_layer("nodes", nodes)
        scene.set_layer("links", links)


class _Streets:
    """The car links (with a capacity) of a metric street network, and each node's neighbours."""

    def __init__(self, links: gpd.GeoDataFrame):
        import shapely

        modes = links["modes"].fillna("").astype(str)
        car = modes.map(lambda s: "car" in {p.strip() for p in s.split(",")}).to_numpy(dtype=bool)
        cap = pd.to_numeric(links.get("capacity_veh_h", pd.Series(1.0, index=links.index)), errors="coerce").fillna(0.0).to_numpy() > 0
        self.rows = np.flatnonzero(car)
        self.approach = car & cap
        self.frm = links["from_node"].astype(str).to_numpy()
        self.to = links["to_node"].astype(str).to_numpy()
        self.ids = links["link_id"].astype(str).to_numpy()
        self.geoms = links.geometry.to_numpy()
        self.neighbours: dict[str, set[str]] = {}
        self.out: dict[str, list[int]] = {}
        for r in self.rows.tolist():
            if self.frm[r] != self.to[r]:
                self.neighbours.setdefault(self.frm[r], set()).add(self.to[r])
                self.neighbours.setdefault(self.to[r], set()).add(self.frm[r])
                if self.approach[r]:
                    self.out.setdefault(self.frm[r], []).append(r)
        self.tree = shapely.STRtree(self.geoms[self.rows]) if len(self.rows) else None

    def arms(self, node: str) -> int:
        return len(self.neighbours.get(node, ()))

    def near(self, point: Any) -> list[int]:
        """Rows of the car approach links within :data:`ON_STREET_M` of ``point``."""
        if self.tree is None:
            return []
        hits = self.rows[self.tree.query(point, predicate="dwithin", distance=ON_STREET_M)]
        return sorted(int(r) for r in hits if self.approach[r])

    def ahead(self, row: int, metres: float) -> tuple[int, float] | None:
        """From ``metres`` before the head of link ``row``: the approach link into the next junction
        and the distance to it, following nodes with two neighbours; None without one in reach."""
        seen = {row}
        while metres <= MAX_SIGN_DISTANCE_M:
            head, tail = self.to[row], self.frm[row]
            arms = self.arms(head)
            if arms >= 3:
                return row, metres
            if arms < 2:
                return None
            nxt = [r for r in self.out.get(head, []) if self.to[r] != tail and r not in seen]
            if len(nxt) != 1:
                return None
            row = nxt[0]
            seen.add(row)
            metres += float(self.geoms[row].length)
        return None


def _direction_ok(link_id: str, direction: str) -> bool:
    return direction == "" or link_id.endswith(":f" if direction == "forward" else ":b")


def place_priority_signs(nodes: gpd.GeoDataFrame, links: gpd.GeoDataFrame, signs: gpd.GeoDataFrame, scene_crs: Any,
                         result: IngestResult) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:  # fmt: skip
    """``nodes`` and ``links`` with the ``priority_sign`` / ``priority_sign_source`` columns of
    ``signs`` (:func:`sign_points`), placed by the module's rule; unchanged without signs or
    street nodes. Signs not placed are dropped from ``result`` with their reason; the counts go
    to ``result.meta['priority_signs']``."""
    from twin.ingest.signal_points import metric_crs

    if len(signs) == 0 or len(nodes) == 0:
        return nodes, links
    metric = metric_crs(scene_crs, nodes)
    mnodes, streets = nodes.to_crs(metric), _Streets(links.to_crs(metric))
    pts = signs.to_crs(metric)
    xy = np.c_[mnodes.geometry.x.to_numpy(), mnodes.geometry.y.to_numpy()]
    node_ids = mnodes["node_id"].astype(str).to_numpy()
    link_sign: dict[int, list[tuple[str, str]]] = {}
    node_sign: dict[int, list[tuple[str, str]]] = {}
    row_of_link = {lid: r for r, lid in enumerate(streets.ids.tolist())}
    row_of_node = {nid: r for r, nid in enumerate(node_ids.tolist())}
    counts = {"read": len(signs), "on_approach": 0, "at_junction_node": 0, "not_placed": 0}
    for oid, kind, direction, all_way, pt in zip(pts["osm_id"], pts["kind"], pts["direction"], pts["all_way"], pts.geometry, strict=True):
        obj = f"osm:node/{oid}"
        tag = f"osm node {oid} highway={kind}" + (" stop=all" if all_way else "")
        d = np.hypot(xy[:, 0] - pt.x, xy[:, 1] - pt.y)
        r = int(np.argmin(d))
        on_junction = d[r] <= AT_NODE_M and streets.arms(node_ids[r]) >= 3
        if kind == "mini_roundabout" or (all_way and on_junction):
            if not on_junction:
                result.drop(obj, MINI_NOT_PLACED if kind == "mini_roundabout" else NOT_PLACED)
                counts["not_placed"] += 1
                continue
            node_sign.setdefault(r, []).append(("mini_roundabout" if kind == "mini_roundabout" else "all_way_stop", tag))
            counts["at_junction_node"] += 1
            continue
        direction = str(direction).strip().lower()
        if direction not in ("", *DIRECTIONS):
            result.drop(obj, bad_direction(direction))
            counts["not_placed"] += 1
            continue
        if on_junction:
            result.drop(obj, AT_JUNCTION)
            counts["not_placed"] += 1
            continue
        found = []
        for k in streets.near(pt):
            if _direction_ok(streets.ids[k], direction):
                hit = streets.ahead(k, float(streets.geoms[k].length - streets.geoms[k].project(pt)))
                if hit is not None:
                    found.append((hit[1], hit[0]))
        if not found:
            result.drop(obj, NOT_PLACED)
            counts["not_placed"] += 1
            continue
        metres, k = min(found)
        link_sign.setdefault(row_of_link[streets.ids[k]], []).append((kind, f"{tag}, {metres:.1f} m before the junction"))
        if all_way:
            node_sign.setdefault(row_of_node[streets.to[k]], []).append(("all_way_stop", tag))
        counts["on_approach"] += 1
    counts.update({"signed_approaches": len(link_sign), "signed_nodes": len(node_sign)})
    result.meta["priority_signs"] = counts
    return _with_signs(nodes, node_sign, NODE_SIGNS), _with_signs(links, link_sign, APPROACH_SIGNS[::-1])


def _with_signs(frame: gpd.GeoDataFrame, found: dict[int, list[tuple[str, str]]], order: tuple[str, str]) -> gpd.GeoDataFrame:
    """A copy of ``frame`` with ``priority_sign`` (the first of ``order`` among a row's signs) and
    ``priority_sign_source``; values already there (another file) are kept, sources appended."""
    out = frame.copy()
    sign = _text(frame, "priority_sign")
    source = _text(frame, "priority_sign_source")
    for r, items in found.items():
        kinds = {k for k, _ in items} | ({sign[r]} if sign[r] else set())
        sign[r] = next(k for k in order if k in kinds)
        source[r] = "; ".join(s for s in (source[r], *(t for _, t in items)) if s)
    out["priority_sign"] = sign
    out["priority_sign_source"] = source
    return out


__all__ = ["AT_JUNCTION", "AT_NODE_M", "DIRECTIONS", "MAX_SIGN_DISTANCE_M", "MINI_NOT_PLACED", "NEEDS_STREETS", "NOT_PLACED", "NO_OSM_ID", "ON_STREET_M", "SIGN_HIGHWAY",
           "bad_direction", "place_ingest_signs", "place_priority_signs", "sign_points", "sign_rows", "vector_sign_points"]  # fmt: skip
