"""Traffic signals on a scene's street nodes: which junctions carry a signal.

OSM tags a signal on a node: ``highway=traffic_signals`` (also within a ``;`` list) on the
junction itself or, at many junctions, on the node of the stop line a few metres before it;
signalised pedestrian crossings carry ``crossing=traffic_signals``. :func:`signal_nodes` puts
such points on the street nodes of a network layer (the rule below); the ingest of OSM files
(:mod:`twin.ingest.osm`) and :func:`twin.traffic.signals.mark_signals` (a signal table on a
scene) both use it. The flag is a scene attribute, below the traffic model: the delay a
signal causes is the traffic model's (:mod:`twin.traffic.signals`).

Rule: a signal within 0.5 m of a node is that node's. A signal on a link open to ``mode``
(within 1 m) but not at a node goes to the link's nearer end node when that is within
``max_snap_m`` along the line. Others are left unmatched (listed). Signalised pedestrian
crossings are left out unless ``include_crossings``: their vehicle green is usually most of
the cycle (push-button), and a two-phase default would overstate their delay several times.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from twin.errors import InputError

#: Columns of the signal tables :func:`signal_nodes` reads (``kind``: ``traffic_signals`` or ``crossing``).
SIGNAL_COLUMNS = ("osm_id", "kind")


def is_traffic_signal(highway: str) -> bool:
    """Whether an OSM ``highway`` value marks a traffic signal: ``traffic_signals``, also within a
    ``;`` list (``traffic_signals;crossing``). The one rule of the OSM ingest and
    :func:`twin.traffic.signals.read_osm_signals`."""
    return "traffic_signals" in str(highway).split(";")


def is_signal_crossing(crossing: str) -> bool:
    """Whether an OSM ``crossing`` value marks a signalised pedestrian crossing (``traffic_signals``):
    kind ``crossing`` of :func:`twin.traffic.signals.read_osm_signals`, which the ingest does not place."""
    return str(crossing) == "traffic_signals"


@dataclass
class SignalMatch:
    """What :func:`signal_nodes` did: signals at a node, moved to a link end, not placed."""

    at_node: int
    snapped: int
    unmatched: list[int]
    n_signalised_nodes: int


def signal_nodes(nodes: Any, links: Any, signals: Any, *, include_crossings: bool = False, max_snap_m: float = 30.0,
                 mode: str = "car") -> tuple[np.ndarray, list[str], SignalMatch]:
    """Which of ``nodes`` carry a signal of ``signals`` (module docstring: the rule).

    Parameters
    ----------
    nodes, links
        Street nodes (``node_id``, point geometry) and links (``from_node``, ``to_node``,
        ``modes``, line geometry) in one metric CRS.
    signals
        GeoDataFrame of signal points (:data:`SIGNAL_COLUMNS`, point geometry, any CRS: taken
        to that of ``nodes``).
    include_crossings
        Take ``crossing`` signals too.
    max_snap_m
        Longest distance along a link from a signal to the end node it is moved to, m.
    mode
        Links open to this mode carry the signals that are not at a node.

    Returns
    -------
    signalised : bool ndarray (n_nodes,)
    source : list of str (n_nodes,)
        The OSM node id(s), the tag and the distance moved; ``""`` where unsignalised.
    match : SignalMatch

    Raises
    ------
    InputError
        ``max_snap_m`` not a finite number >= 0, no street nodes.
    """
    import geopandas as gpd
    import shapely

    if not (np.isfinite(max_snap_m) and max_snap_m >= 0):
        raise InputError(f"max_snap_m must be a finite number >= 0, got {max_snap_m}", field="max_snap_m")
    if len(nodes) == 0:
        raise InputError("the scene has no street nodes to put signals on", obj="nodes", field="signalised")
    sig = signals if include_crossings else signals[signals["kind"] == "traffic_signals"]
    sig = gpd.GeoDataFrame(sig, geometry="geometry", crs=signals.crs).to_crs(nodes.crs)
    xy = np.c_[nodes.geometry.x.to_numpy(), nodes.geometry.y.to_numpy()]
    node_row = {nid: r for r, nid in enumerate(nodes["node_id"])}
    use = links[links["modes"].fillna("").astype(str).map(lambda s: mode in {p.strip() for p in s.split(",")})]
    tree = shapely.STRtree(use.geometry.to_numpy()) if len(use) else None
    sources: dict[int, list[str]] = {}
    at_node = snapped = 0
    unmatched: list[int] = []
    for oid, kind, pt in zip(sig["osm_id"], sig["kind"], sig.geometry, strict=True):
        d = np.hypot(xy[:, 0] - pt.x, xy[:, 1] - pt.y)
        r = int(np.argmin(d))
        tag = "highway=traffic_signals" if kind == "traffic_signals" else "crossing=traffic_signals"
        if d[r] <= 0.5:
            sources.setdefault(r, []).append(f"osm node {oid} {tag}")
            at_node += 1
            continue
        best = None
        if tree is not None:
            for j in tree.query(pt, predicate="dwithin", distance=1.0):
                line = use.geometry.iloc[int(j)]
                along = line.project(pt)
                for end, dist in ((use["from_node"].iloc[int(j)], along), (use["to_node"].iloc[int(j)], line.length - along)):
                    if end in node_row and dist <= max_snap_m and (best is None or dist < best[1]):
                        best = (node_row[end], dist)
        if best is None:
            unmatched.append(int(oid))
            continue
        sources.setdefault(best[0], []).append(f"osm node {oid} {tag}, {best[1]:.1f} m along the street")
        snapped += 1
    signalised = np.zeros(len(nodes), dtype=bool)
    source = [""] * len(nodes)
    for r, found in sources.items():
        signalised[r] = True
        source[r] = "; ".join(found)
    return signalised, source, SignalMatch(at_node, snapped, unmatched, len(sources))


def with_signal_columns(nodes: pd.DataFrame, signalised: np.ndarray, source: list[str]) -> pd.DataFrame:
    """A copy of ``nodes`` with the columns ``signalised`` (bool) and ``signal_source`` (str)."""
    out = nodes.copy()
    out["signalised"] = np.asarray(signalised, dtype=bool)
    out["signal_source"] = list(source)
    return out


__all__ = ["SIGNAL_COLUMNS", "SignalMatch", "is_signal_crossing", "is_traffic_signal", "signal_nodes", "with_signal_columns"]
