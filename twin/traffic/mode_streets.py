"""The street part of a mode network, built once per street layout, and its zone connectors.

:func:`twin.traffic.mobility.build_mode_network` joins two parts:

* the mode's street links and nodes (:class:`ModeStreets`): they depend on the scene's links and
  nodes only, so every Monte Carlo sample of a scene (whose buildings change, not its streets)
  and a what-if that leaves the streets alone share them (:func:`mode_streets`, cached by the
  content of what they are built from: :data:`_STREETS_CACHE`);
* the zone connectors (:func:`zone_connectors`): they depend on the zone centroids, which follow
  the buildings' activity (a sample's floor areas move them), so they are made for every
  sample; a what-if run against its sample's baseline with the same walk and bike streets (a
  closure to cars) finds them in :data:`_CONNECTORS_CACHE`, by candidate nodes and centroids.

A :class:`ModeStreets` is shared between runs: it is frozen and its arrays are read-only; the
network built from it gets fresh arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from twin.caching import BoundedCache, content_digest

#: The columns of the links layer a mode's street part is built from.
STREET_COLUMNS = ("link_id", "from_node", "to_node", "modes", "length_m", "free_speed_m_s", "capacity_veh_h")


@dataclass(frozen=True)
class ModeStreets:
    """A mode's street links and nodes, indexed from 0 (a network puts its zones and edges first).

    Attributes
    ----------
    mode
        ``walk``, ``bike`` or ``car``.
    used
        Rows of the scene's links layer in the network (bool, over the layer's rows).
    node_ids
        The street nodes the links use, in order of first use (from nodes, then to nodes).
    link_ids, from_node, to_node, time_s, length_m, capacity, alpha
        Per street link: its id, its end nodes (indices into ``node_ids``), its free-flow time
        (s), length (m), capacity (veh/h; infinite but for cars) and BPR alpha.
    out_degree, in_degree
        Street links leaving and entering each node.
    node_xy
        Each node's coordinates (NaN for a node without a point in the nodes layer).
    candidates
        Per connector direction (``out``: origins, ``in``: destinations): the nodes a zone may be
        connected to (with links leaving, resp. entering, and coordinates), their points and the
        :class:`shapely.STRtree` over them; None when there is none.
    connector_key
        Digest of what :func:`zone_connectors` reads of it (each direction's candidate nodes and
        their coordinates), made by :func:`build_streets`: the key of its connectors in
        :data:`_CONNECTORS_CACHE` (None: not cached).
    """

    mode: str
    used: np.ndarray
    node_ids: np.ndarray
    link_ids: np.ndarray
    from_node: np.ndarray
    to_node: np.ndarray
    time_s: np.ndarray
    length_m: np.ndarray
    capacity: np.ndarray
    alpha: np.ndarray
    out_degree: np.ndarray
    in_degree: np.ndarray
    node_xy: np.ndarray
    candidates: dict[str, tuple[np.ndarray, np.ndarray, Any] | None]
    connector_key: bytes | None = None


#: Street parts by the content of what they are built from (:func:`streets_key`): the walk, bike
#: and car networks of a baseline and of one what-if with other streets. The last eight stored.
_STREETS_CACHE: BoundedCache[tuple, ModeStreets] = BoundedCache(8)


def streets_key(scene: Any) -> bytes:
    """Digest of what :func:`build_streets` reads from ``scene``: the links'
    :data:`STREET_COLUMNS` (those present) and the nodes' ids and point coordinates."""
    import shapely

    links, nodes = scene.links, scene.nodes
    cols = [c for c in STREET_COLUMNS if c in links.columns]
    geoms = np.asarray(nodes.geometry.values, dtype=object)
    return content_digest(cols, *(links[c].to_numpy() for c in cols), nodes["node_id"].to_numpy(), shapely.get_type_id(geoms), shapely.get_coordinates(geoms))


def mode_streets(scene: Any, mode: str, *, walk_speed: float, bike_speed: float, key: bytes | None = None) -> ModeStreets:
    """The street part of ``mode``'s network in ``scene`` (:func:`build_streets`), from
    :data:`_STREETS_CACHE` when the links and nodes are those of a recent call; ``key``: the
    scene's :func:`streets_key` when already computed (the three modes of a run share it)."""
    full = (streets_key(scene) if key is None else key, mode, float(walk_speed), float(bike_speed))
    hit = _STREETS_CACHE.get(full)
    if hit is None:
        hit = _STREETS_CACHE.put(full, build_streets(scene, mode, walk_speed=walk_speed, bike_speed=bike_speed))
    return hit


def mode_mask(links: Any, mode: str) -> np.ndarray:
    """Rows of ``links`` open to ``mode`` (comma-separated ``modes``); for cars, with a capacity > 0."""
    m = np.array(links["modes"].fillna("").astype(str).map(lambda s: mode in {x.strip() for x in s.split(",")}).to_numpy(bool), copy=True)
    if mode == "car":
        m = m & (links["capacity_veh_h"].to_numpy(dtype=float) > 0)
    return m


def build_streets(scene: Any, mode: str, *, walk_speed: float, bike_speed: float) -> ModeStreets:
    """The street part of ``mode``'s network: walkers at ``walk_speed``, cyclists at
    ``bike_speed`` (pushing at ``walk_speed`` where only walking is allowed, as the 15-minute
    indicator), cars at the links' free speed with BPR alpha 0.15 on links with a capacity."""
    import shapely

    from twin.traffic.bike_links import bike_links

    links = scene.links
    if mode == "bike":
        used, pushed = bike_links(links)
        sel, pushed = links[used], pushed[used]
    else:
        used = mode_mask(links, mode)
        sel = links[used]
    nodes = scene.nodes
    xy = {nid: (p.x, p.y) for nid, p in zip(nodes["node_id"].tolist(), nodes.geometry.values)}
    street_nodes = list(dict.fromkeys(sel["from_node"].tolist() + sel["to_node"].tolist()))
    pos = {nid: i for i, nid in enumerate(street_nodes)}
    length = sel["length_m"].to_numpy(dtype=float)
    if mode == "walk":
        t = length / walk_speed
    elif mode == "bike":
        t = length / np.where(pushed, walk_speed, bike_speed)
    else:
        t = length / sel["free_speed_m_s"].to_numpy(dtype=float)
    frm = np.array([pos[a] for a in sel["from_node"].tolist()], dtype=np.int64)
    to = np.array([pos[b] for b in sel["to_node"].tolist()], dtype=np.int64)
    cap = sel["capacity_veh_h"].to_numpy(dtype=float) if mode == "car" else np.full(len(sel), np.inf)
    alpha = np.where(cap > 0, 0.15, 0.0) if mode == "car" else np.zeros(len(sel))
    n = len(street_nodes)
    out_deg = np.bincount(frm, minlength=n) if frm.size else np.zeros(n, int)
    in_deg = np.bincount(to, minlength=n) if to.size else np.zeros(n, int)
    node_xy = np.array([xy.get(k, (np.nan, np.nan)) for k in street_nodes]).reshape(-1, 2)
    candidates: dict[str, tuple[np.ndarray, np.ndarray, Any] | None] = {}
    for direction, ok in (("out", out_deg > 0), ("in", in_deg > 0)):
        cand = np.flatnonzero(ok & np.isfinite(node_xy[:, 0]))
        pts = shapely.points(node_xy[cand]) if cand.size else None
        candidates[direction] = None if cand.size == 0 else (cand, pts, shapely.STRtree(pts))
    arrays = dict(used=np.asarray(used, dtype=bool), node_ids=np.array(street_nodes, dtype=object), link_ids=np.array(sel["link_id"].tolist(), dtype=object),
                  from_node=frm, to_node=to, time_s=np.asarray(t, dtype=float), length_m=np.asarray(length, dtype=float), capacity=np.asarray(cap, dtype=float),
                  alpha=np.asarray(alpha, dtype=float), out_degree=out_deg, in_degree=in_deg, node_xy=node_xy)  # fmt: skip
    for a in arrays.values():
        a.flags.writeable = False
    for c in candidates.values():
        if c is not None:
            c[0].flags.writeable = False
            c[1].flags.writeable = False
    connector_key = content_digest(*((d, None) if c is None else (d, c[0], node_xy[c[0]]) for d, c in candidates.items()))
    return ModeStreets(mode=mode, candidates=candidates, connector_key=connector_key, **arrays)


#: Zone connectors by candidate nodes (:attr:`ModeStreets.connector_key`), zone centroids and
#: search (:func:`zone_connectors`): the walk and bike connectors of a what-if that closes streets
#: to cars only are its sample's baseline's. The last eight stored (a sample adds four).
_CONNECTORS_CACHE: BoundedCache[bytes, list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]] = BoundedCache(8)


def zone_connectors(streets: ModeStreets, zone_xy: np.ndarray, *, max_m: float, per_zone: int) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    """Connectors of every zone to its nearest street nodes, per direction.

    A zone is connected to the ``per_zone`` nearest candidate nodes (:attr:`ModeStreets.candidates`)
    within ``max_m`` of its centroid (by distance, then node), and to its nearest node within
    ``max_m`` when that one is not among them. From :data:`_CONNECTORS_CACHE` when a recent
    call had the same candidate nodes (:attr:`ModeStreets.connector_key`), centroids and search;
    fresh arrays either way.

    Returns
    -------
    list of (direction, zone, node, distance m)
        ``out`` then ``in`` (a direction without candidates left out); zones in the order the
        spatial index first returns them, each zone's nodes nearest first; ``node`` indexes
        :attr:`ModeStreets.node_ids`.
    """
    key = None
    if streets.connector_key is not None:
        key = content_digest(streets.connector_key, np.asarray(zone_xy, dtype=np.float64), float(max_m), int(per_zone))
        hit = _CONNECTORS_CACHE.get(key)
        if hit is not None:
            return [(d, z.copy(), n.copy(), dist.copy()) for d, z, n, dist in hit]
    out = _search_connectors(streets, zone_xy, max_m=max_m, per_zone=per_zone)
    if key is not None:
        _CONNECTORS_CACHE.put(key, [(d, z.copy(), n.copy(), dist.copy()) for d, z, n, dist in out])
    return out


def _search_connectors(streets: ModeStreets, zone_xy: np.ndarray, *, max_m: float, per_zone: int) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    """:func:`zone_connectors` by the street part's spatial index (no cache)."""
    import shapely

    zpts = shapely.points(zone_xy)
    out = []
    for direction in ("out", "in"):
        c = streets.candidates[direction]
        if c is None:
            continue
        cand, pts, tree = c
        near, dist = tree.query_nearest(zpts, max_distance=max_m, return_distance=True, all_matches=False)
        hits_z, hits_n = tree.query(zpts, predicate="dwithin", distance=max_m)
        dd = shapely.distance(zpts[hits_z], pts[hits_n])
        zc = np.concatenate([hits_z, near[0]]).astype(np.int64)
        nc = np.concatenate([hits_n, near[1]]).astype(np.int64)
        dc = np.concatenate([np.asarray(dd, dtype=float), np.asarray(dist, dtype=float)])
        order = np.lexsort((nc, dc, zc))  # by zone, then distance, then node
        zc, nc, dc = zc[order], nc[order], dc[order]
        dup = np.r_[False, (zc[1:] == zc[:-1]) & (dc[1:] == dc[:-1]) & (nc[1:] == nc[:-1])]  # the nearest one is also a hit
        zc, nc, dc = zc[~dup], nc[~dup], dc[~dup]
        start = np.r_[0, np.flatnonzero(zc[1:] != zc[:-1]) + 1] if zc.size else np.zeros(0, np.int64)
        rank = np.arange(zc.size) - np.repeat(start, np.diff(np.r_[start, zc.size]))
        keep = rank < per_zone
        zc, nc, dc = zc[keep], nc[keep], dc[keep]
        # zones in the order they first appear in the index's answers (hits, then nearest)
        first = np.zeros(zone_xy.shape[0], dtype=np.int64)
        seen, at = np.unique(np.concatenate([hits_z, near[0]]).astype(np.int64), return_index=True)
        first[seen] = at
        by_zone = np.argsort(first[zc], kind="stable")
        out.append((direction, zc[by_zone], cand[nc[by_zone]], dc[by_zone]))
    return out
