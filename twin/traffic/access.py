"""Accessibility: travel-time isochrones, cumulative opportunities and the 15-minute-city indicator.

Points (buildings, services) are snapped to the nearest street piece of the mode's network
(an undirected piece groups a link and its reverse twin); a point reaches the network at the
snapped position by an off-network leg at ``access_speed_m_s`` (straight line, at most
``max_access_m``) and then travels along the piece to either end node, in the directions the
mode may use. Travel times on the network come from a multi-source Dijkstra
(:mod:`twin.kernels.access_paths`).

Mode speeds (documented defaults; override with ``speed_m_s``):

* walk: 1.33 m/s (4.8 km/h; mean walking speed of adults, e.g. Bohannon 1997 gives 1.27-1.46 m/s
  for comfortable gait), on links open to ``walk``, both directions;
* bike: 4.2 m/s (15 km/h, a usual urban cycling speed), on links open to ``bike``, and pushed at
  the walking speed on links open to ``walk`` only (against a one-way street, a footway:
  :mod:`twin.traffic.bike_links`);
* car: the link's free speed, on links open to ``car``, in their direction only; the access
  leg is walked.

The 15-minute-city indicator (Moreno et al. 2021) is the share of residents, weighted by
dwellings or floor area, whose building reaches at least one service of a category within 15
minutes. Services come from the scene's ``pois`` (category), ``landcover`` (cover_class: e.g.
``school``, ``park``) and ``buildings`` (use: ``education``...) layers or a user layer with a
``category`` column; polygons are reached at points every ``polygon_step_m`` along their
boundary.

References
----------
* W. G. Hansen (1959), "How accessibility shapes land use", JAIP 25(2), 73-76 (cumulative
  opportunities).
* C. Moreno, Z. Allam, D. Chabaud, C. Gall, F. Pratlong (2021), "Introducing the '15-minute
  city'", Smart Cities 4(1), 93-111.
* R. W. Bohannon (1997), "Comfortable and maximum walking speed of adults aged 20-79 years",
  Age and Ageing 26(1), 15-19.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from twin.errors import InputError, SchemaError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd
    import shapely

    from twin.traffic.network import Network

WALK_SPEED_M_S = 1.33
"""Walking speed, m/s (4.8 km/h)."""
BIKE_SPEED_M_S = 4.2
"""Cycling speed, m/s (15 km/h)."""
MODE_SPEEDS_M_S: dict[str, float | None] = {"walk": WALK_SPEED_M_S, "bike": BIKE_SPEED_M_S, "car": None}
FIFTEEN_MINUTES_S = 900.0
MAX_THRESHOLD_S = 86400.0
"""Longest travel-time budget of the 15-minute-city indicator, s (a day)."""
DEFAULT_MAX_ACCESS_M = 250.0
DEFAULT_POLYGON_STEP_M = 25.0
DEFAULT_SNAP_SLACK_M = 25.0
"""A point is attached to every piece within this distance beyond its nearest one (at most
:data:`MAX_SNAPS`): a building at a corner reaches both streets, a park edge both its inner
path and the street along it."""
MAX_SNAPS = 6

SERVICE_SOURCES: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {
    "school": (("pois", "category", ("school",)), ("landcover", "cover_class", ("school",)), ("buildings", "use", ("education", "school"))),
    "park": (("pois", "category", ("park",)), ("landcover", "cover_class", ("park",))),
    "playground": (("pois", "category", ("playground",)), ("landcover", "cover_class", ("playground",))),
    "shop": (("pois", "category", ("shop", "supermarket", "convenience")), ("buildings", "use", ("retail",))),
    "health": (("pois", "category", ("health", "doctors", "pharmacy", "clinic", "hospital")), ("buildings", "use", ("health",))),
}
"""Where each service category is looked for: (layer, column, values). Other categories need a
layer of one's own (``services=`` of :func:`fifteen_minute_city`, Python only)."""


@dataclass
class Attachment:
    """Points snapped to an :class:`AccessGraph`.

    ``ptr``/``node``/``time_s``: CSR entries per point (see :mod:`twin.kernels.access_paths`).
    Each point is snapped to one or more pieces (``pair_*``: point, piece, fraction along the
    piece from its first node, access distance); ``access_m`` is the distance to the nearest
    piece (inf for points farther than ``max_access_m`` from every piece: no entries).
    """

    ptr: np.ndarray
    node: np.ndarray
    time_s: np.ndarray
    pair_point: np.ndarray
    pair_piece: np.ndarray
    pair_fraction: np.ndarray
    pair_access_m: np.ndarray
    access_m: np.ndarray

    @property
    def n_points(self) -> int:
        return int(self.ptr.shape[0] - 1)


@dataclass
class AccessGraph:
    """A mode's street network ready for accessibility queries.

    Build with :meth:`from_scene` or :meth:`from_network`. ``link_time_s`` is per stored link of
    ``network``; ``piece_*`` describe the undirected street pieces used for snapping.
    """

    network: Network
    mode: str
    link_time_s: np.ndarray
    node_xy: np.ndarray
    piece_geom: np.ndarray
    piece_a: np.ndarray
    piece_b: np.ndarray
    piece_fwd: np.ndarray
    piece_bwd: np.ndarray
    link_piece: np.ndarray
    access_speed_m_s: float
    max_access_m: float = DEFAULT_MAX_ACCESS_M
    snap_slack_m: float = DEFAULT_SNAP_SLACK_M
    crs: Any = None
    _tree: Any = field(default=None, repr=False)

    # ------------------------------------------------------------------ build
    @classmethod
    def from_scene(
        cls,
        scene: Any,
        *,
        mode: str = "walk",
        speed_m_s: float | None = None,
        max_access_m: float = DEFAULT_MAX_ACCESS_M,
        snap_slack_m: float = DEFAULT_SNAP_SLACK_M,
        network: Network | None = None,
        push_bike: bool = True,
    ) -> AccessGraph:
        """Graph of the scene's links open to ``mode`` (geometry from the ``links`` layer).

        ``mode="bike"`` with ``push_bike`` (default): also the links open to walking only,
        the bike pushed at walking speed (:mod:`twin.traffic.bike_links`); ignored when a
        ``network`` is given.
        """
        from types import SimpleNamespace

        from twin.traffic.bike_links import bike_links
        from twin.traffic.network import Network

        pushed = None
        if network is None and mode == "bike" and push_bike:
            used, push_rows = bike_links(scene.links)
            # the bike graph's links, all marked open to bike for Network.from_scene (row labels kept)
            view = SimpleNamespace(links=scene.links.loc[used].assign(modes="bike"), nodes=scene.nodes)
            network = Network.from_scene(view, mode="bike", alpha=0.0)
            pushed_ids = set(scene.links["link_id"].to_numpy()[push_rows].tolist())
            pushed = np.fromiter((lid in pushed_ids for lid in network.link_ids.tolist()), dtype=bool, count=network.n_links)
        # travel times here do not depend on flow: no delay function (walk-only links have capacity 0)
        net = network if network is not None else Network.from_scene(scene, mode=mode, alpha=0.0)
        if net.n_links == 0:
            raise InputError(f"the scene has no links open to {mode!r}", obj="links", field="modes")
        links = scene.links
        rows = net.meta.get("link_index")
        if rows is None:
            lookup = {lid: k for k, lid in enumerate(links["link_id"].tolist())}
            pos = np.fromiter((lookup[lid] for lid in net.link_ids.tolist()), dtype=np.int64, count=net.n_links)
            geoms = np.asarray(links.geometry.values, dtype=object)[pos]
        else:
            # meta['link_index'] holds the scene rows of the kept links in file order; match by id
            sub = links.loc[rows]
            lookup = {lid: g for lid, g in zip(sub["link_id"].tolist(), sub.geometry.values)}
            geoms = np.array([lookup[lid] for lid in net.link_ids.tolist()], dtype=object)
        nodes = scene.nodes
        xy = {nid: (p.x, p.y) for nid, p in zip(nodes["node_id"].tolist(), nodes.geometry.values)}
        node_xy = np.full((net.n_nodes, 2), np.nan)
        for k, nid in enumerate(net.node_ids.tolist()):
            if nid in xy:
                node_xy[k] = xy[nid]
        return cls.from_network(
            net, node_xy, mode=mode, speed_m_s=speed_m_s, link_geometry=geoms, max_access_m=max_access_m, snap_slack_m=snap_slack_m, crs=scene.crs,
            pushed=pushed,
        )

    @classmethod
    def from_network(
        cls,
        network: Network,
        node_xy: np.ndarray,
        *,
        mode: str = "walk",
        speed_m_s: float | None = None,
        link_geometry: np.ndarray | None = None,
        max_access_m: float = DEFAULT_MAX_ACCESS_M,
        access_speed_m_s: float | None = None,
        snap_slack_m: float = DEFAULT_SNAP_SLACK_M,
        crs: Any = None,
        pushed: np.ndarray | None = None,
    ) -> AccessGraph:
        """Graph of a network (metres, seconds) with node coordinates (n_nodes, 2) in a metric CRS.

        ``link_geometry`` (shapely LineStrings from tail to head, stored link order) defaults to
        straight lines between the nodes. Walk and bike use ``speed_m_s`` (default
        :data:`MODE_SPEEDS_M_S`) on every link; car uses the link free-flow times (or
        ``speed_m_s`` if given). ``pushed`` (bike only; bool per stored link): links where the
        bike is pushed, at :data:`WALK_SPEED_M_S` (:mod:`twin.traffic.bike_links`).
        """
        import shapely

        if mode not in MODE_SPEEDS_M_S:
            raise InputError(f"unknown mode {mode!r}; use one of {sorted(MODE_SPEEDS_M_S)}", field="mode")
        if network.length_unit not in ("m", "") or network.time_unit != "s":
            raise InputError("accessibility needs a network in metres and seconds (e.g. Network.from_scene)", field="length_unit")
        speed = speed_m_s if speed_m_s is not None else MODE_SPEEDS_M_S[mode]
        length = np.asarray(network.length, dtype=np.float64)
        if speed is None:
            link_time = np.asarray(network.free_flow_time, dtype=np.float64).copy()
        else:
            if not speed > 0:
                raise InputError(f"speed must be > 0, got {speed}", field="speed_m_s")
            link_time = length / speed
        if pushed is not None:
            pushed = np.asarray(pushed, dtype=bool)
            if mode != "bike" or pushed.shape != (network.n_links,):
                raise InputError(f"pushed links are for mode 'bike', one flag per link ({network.n_links}); got mode {mode!r}, "
                                 f"shape {pushed.shape}", field="pushed")
            link_time = np.where(pushed, length / WALK_SPEED_M_S, link_time)
        bad = np.flatnonzero(~(link_time >= 0))
        if bad.size:
            raise InputError(f"link travel time must be >= 0, got {link_time[bad[0]]}", obj=f"link {network.link_ids[bad[0]]}", field="length_m")
        node_xy = np.asarray(node_xy, dtype=np.float64)
        frm = network.from_node.astype(np.int64)
        to = network.to_node.astype(np.int64)
        if link_geometry is None:
            if np.isnan(node_xy[np.concatenate([frm, to])]).any():
                raise InputError("node coordinates missing for a link without geometry", field="node_xy")
            link_geometry = shapely.linestrings(np.stack([node_xy[frm], node_xy[to]], axis=1))
        link_geometry = np.asarray(link_geometry, dtype=object)
        # undirected pieces: a link and its reverse twin (same end nodes, same length within 1 cm)
        lo = np.minimum(frm, to)
        hi = np.maximum(frm, to)
        key = np.stack([lo, hi, np.round(length * 100).astype(np.int64)], axis=1)
        _, piece_of, = np.unique(key, axis=0, return_inverse=True)[:2]
        piece_of = piece_of.ravel()
        n_pieces = int(piece_of.max()) + 1 if piece_of.size else 0
        piece_a = np.full(n_pieces, -1, dtype=np.int64)
        piece_b = np.full(n_pieces, -1, dtype=np.int64)
        piece_fwd = np.full(n_pieces, -1, dtype=np.int64)
        piece_bwd = np.full(n_pieces, -1, dtype=np.int64)
        piece_geom = np.empty(n_pieces, dtype=object)
        for k in range(network.n_links):
            p = piece_of[k]
            if piece_a[p] < 0:
                piece_a[p], piece_b[p] = frm[k], to[k]
                piece_geom[p] = link_geometry[k]
            if frm[k] == piece_a[p] and to[k] == piece_b[p]:
                if piece_fwd[p] < 0 or link_time[k] < link_time[piece_fwd[p]]:
                    piece_fwd[p] = k
            elif piece_bwd[p] < 0 or link_time[k] < link_time[piece_bwd[p]]:
                piece_bwd[p] = k
        if access_speed_m_s is None:
            access_speed_m_s = float(speed) if (speed is not None and mode != "car") else WALK_SPEED_M_S
        return cls(
            network=network,
            mode=mode,
            link_time_s=link_time,
            node_xy=node_xy,
            piece_geom=piece_geom,
            piece_a=piece_a,
            piece_b=piece_b,
            piece_fwd=piece_fwd,
            piece_bwd=piece_bwd,
            link_piece=piece_of.astype(np.int64),
            access_speed_m_s=float(access_speed_m_s),
            max_access_m=float(max_access_m),
            snap_slack_m=float(snap_slack_m),
            crs=crs,
        )

    def close(self, link_ids: Any) -> AccessGraph:
        """A copy where the given links (native ids) cannot be used (infinite travel time).

        Points keep their snaps (the street is still there, only closed), so closing links can
        only lengthen travel times; rebuilding the graph from a scene without the links would
        also move the snaps of the points next to them.
        """
        ids = [link_ids] if isinstance(link_ids, (str, int, np.integer)) else list(link_ids)
        stored = {lid: k for k, lid in enumerate(self.network.link_ids.tolist())}
        missing = [lid for lid in ids if lid not in stored]
        if missing:
            raise InputError(f"no link {missing[0]!r} open to {self.mode!r}", obj=f"link {missing[0]}", field="link_id")
        time = self.link_time_s.copy()
        time[[stored[lid] for lid in ids]] = np.inf
        fwd, bwd = self.piece_fwd.copy(), self.piece_bwd.copy()
        frm = self.network.from_node.astype(np.int64)
        for k in range(self.network.n_links):  # best open link of each piece and direction
            p = self.link_piece[k]
            side = fwd if frm[k] == self.piece_a[p] else bwd
            if side[p] < 0 or time[k] < time[side[p]]:
                side[p] = k
        return replace(self, link_time_s=time, piece_fwd=fwd, piece_bwd=bwd)

    # ------------------------------------------------------------------ graph arrays
    def _csr(self, reverse: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        net = self.network
        if not reverse:
            return net.out_start.astype(np.int64), net.to_node.astype(np.int64), np.arange(net.n_links, dtype=np.int64)
        in_link = net.in_link.astype(np.int64)
        return net.in_start.astype(np.int64), net.from_node.astype(np.int64)[in_link], in_link

    @property
    def tree(self) -> shapely.STRtree:
        """Spatial index of the pieces."""
        import shapely

        if self._tree is None:
            self._tree = shapely.STRtree(self.piece_geom)
        return self._tree

    # ------------------------------------------------------------------ snapping
    def snap(self, points: np.ndarray, slack_m: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Pieces near each point: (point, piece, fraction, distance) arrays, sorted by point.

        Every piece within ``nearest + slack_m`` (and ``max_access_m``) is kept, at most
        :data:`MAX_SNAPS` per point; ``slack_m=0`` keeps the nearest piece only.
        """
        import shapely

        slack = self.snap_slack_m if slack_m is None else float(slack_m)
        points = np.asarray(points, dtype=object)
        n = points.shape[0]
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0))
        if n == 0 or self.piece_geom.shape[0] == 0:
            return empty
        if slack <= 0:
            (src, hit), d = self.tree.query_nearest(points, max_distance=self.max_access_m, return_distance=True, all_matches=False)
        else:
            src, hit = self.tree.query(points, predicate="dwithin", distance=self.max_access_m)
            d = shapely.distance(points[src], self.piece_geom[hit])
            order = np.lexsort((d, src))
            src, hit, d = src[order], hit[order], d[order]
            first = np.ones(src.shape[0], dtype=bool)
            first[1:] = src[1:] != src[:-1]
            start = np.flatnonzero(first)
            nearest = np.repeat(d[start], np.diff(np.append(start, src.shape[0])))
            rank = np.arange(src.shape[0]) - np.repeat(start, np.diff(np.append(start, src.shape[0])))
            keep = (d <= nearest + slack) & (rank < MAX_SNAPS)
            src, hit, d = src[keep], hit[keep], d[keep]
        frac = shapely.line_locate_point(self.piece_geom[hit], points[src], normalized=True)
        return src.astype(np.int64), hit.astype(np.int64), np.asarray(frac, dtype=np.float64), np.asarray(d, dtype=np.float64)

    def attach(self, points: np.ndarray, role: str, *, slack_m: float | None = None) -> Attachment:
        """Snap points and give their entries as ``'origin'`` (leaving) or ``'target'`` (arriving).

        An origin at fraction ``f`` of a piece reaches its second node in ``(1 - f) t_fwd`` and
        its first in ``f t_bwd`` (where those directions exist); a target is reached from its
        first node in ``f t_fwd`` and from its second in ``(1 - f) t_bwd``. Both add the access
        leg ``distance / access_speed``. See :meth:`snap` for ``slack_m``.
        """
        if role not in ("origin", "target"):
            raise InputError(f"role must be 'origin' or 'target', got {role!r}", field="role")
        points = np.asarray(points, dtype=object)
        n = points.shape[0]
        src, p, f, dist = self.snap(points, slack_m)
        access_t = dist / self.access_speed_m_s
        fwd = self.piece_fwd[p]
        bwd = self.piece_bwd[p]
        t_fwd = np.where(fwd >= 0, self.link_time_s[np.maximum(fwd, 0)], np.inf)
        t_bwd = np.where(bwd >= 0, self.link_time_s[np.maximum(bwd, 0)], np.inf)

        def part(share: np.ndarray, t: np.ndarray) -> np.ndarray:
            return np.where(np.isfinite(t), share * np.where(np.isfinite(t), t, 0.0), np.inf)

        if role == "origin":
            cand = ((self.piece_b[p], part(1 - f, t_fwd)), (self.piece_a[p], part(f, t_bwd)))
        else:
            cand = ((self.piece_a[p], part(f, t_fwd)), (self.piece_b[p], part(1 - f, t_bwd)))
        ent_point = np.concatenate([src, src])
        ent_node = np.concatenate([cand[0][0], cand[1][0]])
        ent_time = np.concatenate([cand[0][1] + access_t, cand[1][1] + access_t])
        ok = np.isfinite(ent_time)
        order = np.argsort(ent_point[ok], kind="stable")
        ent_point, ent_node, ent_time = ent_point[ok][order], ent_node[ok][order], ent_time[ok][order]
        ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(ent_point, minlength=n), out=ptr[1:])
        nearest = np.full(n, np.inf)
        np.minimum.at(nearest, src, dist)
        return Attachment(
            ptr=ptr,
            node=ent_node.astype(np.int64),
            time_s=ent_time.astype(np.float64),
            pair_point=src,
            pair_piece=p,
            pair_fraction=f,
            pair_access_m=dist,
            access_m=nearest,
        )

    # ------------------------------------------------------------------ queries
    def node_times(self, seeds: Attachment, *, reverse: bool = False, cutoff_s: float = np.inf) -> np.ndarray:
        """Earliest time at every node from the nearest seed (``reverse``: to the nearest seed), s."""
        from twin.kernels.access_paths import multi_source_dijkstra

        indptr, head, link = self._csr(reverse)
        dist = np.empty(self.network.n_nodes)
        multi_source_dijkstra(indptr, head, link, self.link_time_s, seeds.node, seeds.time_s, float(cutoff_s), dist)
        return dist

    def time_to_nearest(self, origins: np.ndarray | Attachment, targets: np.ndarray, *, cutoff_s: float = np.inf) -> np.ndarray:
        """Travel time from each origin point to the nearest target point, s (inf if none).

        One multi-source Dijkstra on the reverse graph seeded at the targets, then each origin
        takes the better end of its piece; origins on a target's own piece may also go straight
        along it. ``origins`` may be points or their :meth:`attach` as ``"origin"`` (the same
        origins against several target sets are snapped once).
        """
        from twin.kernels.access_paths import attached_times

        o_att = origins if isinstance(origins, Attachment) else self.attach(origins, "origin")
        t_att = self.attach(targets, "target")
        # a target's entries, seen from the reverse graph, are seeds (node -> target time)
        dist = self.node_times(t_att, reverse=True, cutoff_s=cutoff_s)
        out = np.empty(o_att.n_points)
        attached_times(dist, o_att.ptr, o_att.node, o_att.time_s, out)
        return np.minimum(out, self._same_piece(o_att, t_att))

    def _same_piece(self, o_att: Attachment, t_att: Attachment) -> np.ndarray:
        """Direct time between an origin and a target on the same piece (inf elsewhere)."""
        import pandas as pd

        out = np.full(o_att.n_points, np.inf)
        if o_att.pair_point.size == 0 or t_att.pair_point.size == 0:
            return out
        o = pd.DataFrame({"o": o_att.pair_point, "piece": o_att.pair_piece, "fo": o_att.pair_fraction, "ao": o_att.pair_access_m})
        t = pd.DataFrame({"piece": t_att.pair_piece, "ft": t_att.pair_fraction, "at": t_att.pair_access_m})
        m = o.merge(t, on="piece")
        if m.empty:
            return out
        p = m["piece"].to_numpy()
        fwd, bwd = self.piece_fwd[p], self.piece_bwd[p]
        t_fwd = np.where(fwd >= 0, self.link_time_s[np.maximum(fwd, 0)], np.inf)
        t_bwd = np.where(bwd >= 0, self.link_time_s[np.maximum(bwd, 0)], np.inf)
        df = m["ft"].to_numpy() - m["fo"].to_numpy()
        with np.errstate(invalid="ignore"):
            along = np.where(df >= 0, df * t_fwd, -df * t_bwd)
        along = np.where(np.isnan(along), np.inf, along)
        direct = along + (m["ao"].to_numpy() + m["at"].to_numpy()) / self.access_speed_m_s
        best = pd.Series(direct).groupby(m["o"].to_numpy()).min()
        out[best.index.to_numpy()] = best.to_numpy()
        return out

    def point_times(self, node_time_s: np.ndarray, points: np.ndarray, *, slack_m: float | None = None) -> np.ndarray:
        """Arrival time at points given forward node times (e.g. from :meth:`node_times`), s."""
        from twin.kernels.access_paths import attached_times

        att = self.attach(points, "target", slack_m=slack_m)
        out = np.empty(att.n_points)
        attached_times(node_time_s, att.ptr, att.node, att.time_s, out)
        return out

    def cumulative_opportunities(
        self, origins: np.ndarray, targets: np.ndarray, thresholds_s: Any, *, weights: np.ndarray | None = None
    ) -> np.ndarray:
        """Opportunities (sum of target ``weights``) reachable from each origin within each threshold.

        Returns (n_origins, n_thresholds). Parallel over origins (one bounded Dijkstra each).
        Origins and targets on the same piece are connected through its end nodes only.
        """
        import numba

        from twin.kernels.access_paths import cumulative_opportunities

        thresholds = np.atleast_1d(np.asarray(thresholds_s, dtype=np.float64))
        o_att = self.attach(origins, "origin")
        t_att = self.attach(targets, "target")
        w = np.ones(t_att.n_points) if weights is None else np.asarray(weights, dtype=np.float64)
        if w.shape[0] != t_att.n_points:
            raise InputError(f"{w.shape[0]} weights for {t_att.n_points} targets", field="weights")
        out = np.zeros((o_att.n_points, thresholds.shape[0]))
        indptr, head, link = self._csr(False)
        status = cumulative_opportunities(
            indptr, head, link, self.link_time_s, o_att.ptr, o_att.node, o_att.time_s,
            t_att.ptr, t_att.node, t_att.time_s, w, thresholds, out, 4 * numba.get_num_threads(),
        )  # fmt: skip
        if status != 0:  # pragma: no cover - consistent input cannot overflow
            raise InputError("heap overflow in cumulative opportunities")
        return out

    def isochrones(self, origins: np.ndarray, thresholds_s: Any, *, resolution_m: float = 10.0) -> gpd.GeoDataFrame:
        """Areas reachable from the nearest origin within each threshold, as polygons.

        The plane is sampled on a grid of ``resolution_m``: a sample point is reached at the
        time of its snapped position on the nearest piece (from the node times, along its piece) plus
        its straight access leg (at most ``max_access_m``). Each polygon is the union of the
        reached cells. Columns: ``threshold_s``, ``area_m2``, ``geometry``.
        """
        import geopandas as gpd
        import shapely

        thresholds = np.sort(np.atleast_1d(np.asarray(thresholds_s, dtype=np.float64)))
        att = self.attach(origins, "origin")
        dist = self.node_times(att, cutoff_s=float(thresholds[-1]))
        reached = np.isfinite(dist)
        geoms = []
        areas = []
        if not reached.any():
            return gpd.GeoDataFrame({"threshold_s": thresholds, "area_m2": 0.0}, geometry=[shapely.Polygon()] * len(thresholds), crs=self.crs)
        xy = self.node_xy[reached]
        pad = self.max_access_m + resolution_m
        x0, y0 = np.nanmin(xy, axis=0) - pad
        x1, y1 = np.nanmax(xy, axis=0) + pad
        xs = np.arange(x0 + resolution_m / 2, x1, resolution_m)
        ys = np.arange(y0 + resolution_m / 2, y1, resolution_m)
        gx, gy = np.meshgrid(xs, ys)
        pts = shapely.points(gx.ravel(), gy.ravel())
        t_pts = self.point_times(dist, pts, slack_m=0.0).reshape(gx.shape)
        for thr in thresholds:
            inside = t_pts <= thr
            areas.append(float(inside.sum()) * resolution_m**2)
            geoms.append(_cells_to_polygon(inside, xs, ys, resolution_m))
        return gpd.GeoDataFrame({"threshold_s": thresholds, "area_m2": areas}, geometry=geoms, crs=self.crs)


def _cells_to_polygon(mask: np.ndarray, xs: np.ndarray, ys: np.ndarray, res: float) -> shapely.Geometry:
    """Union of the True cells of a raster (cell centres xs, ys): runs of each row as boxes."""
    import shapely

    boxes = []
    half = res / 2
    for r in range(mask.shape[0]):
        row = mask[r]
        if not row.any():
            continue
        d = np.diff(np.concatenate([[0], row.astype(np.int8), [0]]))
        starts = np.flatnonzero(d == 1)
        ends = np.flatnonzero(d == -1) - 1
        for s, e in zip(starts, ends):
            boxes.append(shapely.box(xs[s] - half, ys[r] - half, xs[e] + half, ys[r] + half))
    if not boxes:
        return shapely.Polygon()
    return shapely.union_all(np.array(boxes, dtype=object), grid_size=res / 1000.0)


# ---------------------------------------------------------------------------------------- services
def service_points(
    scene: Any,
    categories: Any = ("school", "park"),
    *,
    services: gpd.GeoDataFrame | None = None,
    polygon_step_m: float = DEFAULT_POLYGON_STEP_M,
    sources: dict[str, Any] | None = None,
) -> gpd.GeoDataFrame:
    """Access points of the essential services of each category (scene CRS).

    Points stay points; polygons (parks, school grounds, buildings) give points every
    ``polygon_step_m`` along their exterior (entrances are rarely mapped). Columns:
    ``category``, ``service_id``, ``geometry``.

    Parameters
    ----------
    services
        A user layer with a ``category`` column (used instead of the scene's layers).
    sources
        Where each category is looked for (default :data:`SERVICE_SOURCES`).
    """
    import geopandas as gpd
    import pandas as pd
    import shapely

    crs = getattr(scene, "crs", None)
    frames = []
    if services is not None:
        if "category" not in services.columns:
            raise SchemaError("the services layer needs a 'category' column", field="category")
        id_col = "poi_id" if "poi_id" in services.columns else None
        ids = services[id_col].astype(str).to_numpy() if id_col else services.index.astype(str).to_numpy()
        sv = gpd.GeoDataFrame({"category": services["category"].astype(str).to_numpy(), "service_id": ids}, geometry=services.geometry.values, crs=services.crs)
        if crs is not None and sv.crs is not None:
            sv = sv.to_crs(crs)
        frames.append(sv[sv["category"].isin(list(categories))])
    else:
        table = SERVICE_SOURCES if sources is None else sources
        check_categories(categories, table)
        for cat in categories:
            for layer, column, values in table[cat]:
                frame = scene.layer(layer)
                if len(frame) == 0 or column not in frame.columns:
                    continue
                sel = frame[frame[column].astype(str).str.lower().isin(values)]
                if len(sel) == 0:
                    continue
                id_col = frame.columns[0]
                frames.append(gpd.GeoDataFrame({"category": cat, "service_id": sel[id_col].astype(str).to_numpy()}, geometry=sel.geometry.values, crs=crs))
    if not frames:
        return gpd.GeoDataFrame({"category": [], "service_id": []}, geometry=[], crs=crs)
    allsv = pd.concat(frames, ignore_index=True)
    geoms = np.asarray(allsv.geometry.values, dtype=object)
    out_geom, out_cat, out_id = [], [], []
    for g, cat, sid in zip(geoms, allsv["category"].tolist(), allsv["service_id"].tolist()):
        if g is None or shapely.is_empty(g):
            continue
        if shapely.get_type_id(g) in (3, 6):  # (multi)polygon: points along the exterior
            parts = shapely.get_parts(g)
            for part in parts:
                ring = shapely.get_exterior_ring(part)
                n = max(4, int(np.ceil(ring.length / polygon_step_m)))
                pts = shapely.line_interpolate_point(ring, np.linspace(0.0, 1.0, n, endpoint=False), normalized=True)
                out_geom.extend(pts.tolist())
                out_cat.extend([cat] * len(pts))
                out_id.extend([sid] * len(pts))
        elif shapely.get_type_id(g) == 0:
            out_geom.append(g)
            out_cat.append(cat)
            out_id.append(sid)
        else:  # lines, multipoints: their points
            for p in shapely.get_parts(shapely.extract_unique_points(g)).tolist():
                out_geom.append(p)
                out_cat.append(cat)
                out_id.append(sid)
    return gpd.GeoDataFrame({"category": out_cat, "service_id": out_id}, geometry=out_geom, crs=allsv.crs)


# ---------------------------------------------------------------------------------------- 15 minutes
@dataclass
class FifteenMinuteResult:
    """Per-building travel times to each service category and the share of residents served."""

    buildings: gpd.GeoDataFrame
    categories: tuple[str, ...]
    threshold_s: float
    mode: str
    weight: str

    def summary(self) -> pd.DataFrame:
        """Per category: share of the weight (residents) within the threshold, buildings reached."""
        import pandas as pd

        b = self.buildings
        w = b["weight"].to_numpy()
        rows = []
        for cat in self.categories:
            ok = b[f"reach_{cat}"].to_numpy()
            t = b[f"time_{cat}_s"].to_numpy()
            rows.append(
                {
                    "category": cat,
                    "share_of_residents": float(w[ok].sum() / w.sum()) if w.sum() > 0 else float("nan"),
                    "buildings_reached": int(ok.sum()),
                    "buildings": int(len(b)),
                    "median_time_s": float(np.nanmedian(np.where(np.isfinite(t), t, np.nan))) if np.isfinite(t).any() else float("inf"),
                }
            )
        all_ok = b["reach_all"].to_numpy()
        rows.append(
            {
                "category": "all",
                "share_of_residents": float(w[all_ok].sum() / w.sum()) if w.sum() > 0 else float("nan"),
                "buildings_reached": int(all_ok.sum()),
                "buildings": int(len(b)),
                "median_time_s": float("nan"),
            }
        )
        return pd.DataFrame(rows)

    def plot(self, path: Any, *, category: str | None = None, title: str | None = None) -> Any:
        """Map of the buildings coloured by travel time to ``category`` (PNG/SVG, written atomically)."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from twin.io import atomic_path

        cat = category or self.categories[0]
        col = f"time_{cat}_s"
        b = self.buildings.copy()
        cap_min = 2.0 * self.threshold_s / 60.0
        b["minutes"] = np.minimum(b[col].to_numpy() / 60.0, cap_min)
        fig, ax = plt.subplots(figsize=(7, 7))
        b.plot(
            column="minutes", ax=ax, cmap="viridis_r", vmin=0, vmax=cap_min, legend=True,
            legend_kwds={"label": f"{self.mode} time to nearest {cat}, min (capped at {cap_min:g})"},
        )  # fmt: skip
        far = b[~b[f"reach_{cat}"]]
        if len(far):
            far.boundary.plot(ax=ax, color="red", linewidth=0.4)
        share = self.summary().set_index("category").loc[cat, "share_of_residents"]
        minutes = self.threshold_s / 60.0
        ax.set_title(title or f"{minutes:g}-minute access to {cat} by {self.mode}: {100 * share:.1f} % of residents (red: beyond)")
        ax.set_axis_off()
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=120, bbox_inches="tight", format=str(path).rsplit(".", 1)[-1])
        plt.close(fig)
        return path


def building_weights(buildings: pd.DataFrame, weight: str = "auto", *, residential_only: bool = True) -> tuple[np.ndarray, str]:
    """Residents proxy per building: ``dwellings`` column, else floor area (``weight='auto'``).

    ``residential_only`` gives non-residential buildings (``use`` other than residential) zero
    weight. Returns the weights and the name of what was used.
    """
    if weight == "auto":
        weight = "dwellings" if "dwellings" in buildings.columns else "floor_area_m2"
    if weight == "count":
        w = np.ones(len(buildings))
    else:
        import pandas as pd

        numeric = [str(c) for c in buildings.columns if c != "geometry" and pd.api.types.is_numeric_dtype(buildings[c]) and not pd.api.types.is_bool_dtype(buildings[c])]
        if weight not in numeric:  # a missing column (with the closest name), or one of text (was a ValueError, exit 70)
            from twin.io.key_hints import did_you_mean

            listed = ", ".join(numeric[:8]) + (", ..." if len(numeric) > 8 else "")
            what = (f"the weight column {weight!r} is not numeric" if weight in buildings.columns
                    else f"buildings lack the weight column {weight!r}{did_you_mean(weight, ['auto', 'count', *numeric])}")
            raise SchemaError(f"{what}; give auto, count or a numeric column of the buildings ({listed or 'none'})", obj="buildings", field=weight)
        w = buildings[weight].to_numpy(np.float64)
        w = np.where(np.isfinite(w) & (w > 0), w, 0.0)
    if residential_only and "use" in buildings.columns:
        w = np.where(buildings["use"].astype(str).str.lower().to_numpy() == "residential", w, 0.0)
    return w, weight


def check_categories(categories: Any, sources: dict[str, Any] | None = None) -> None:
    """Every category is one looked for in a scene (``sources``, default :data:`SERVICE_SOURCES`).

    Raises
    ------
    InputError
        An unknown category (field ``categories``), listing the known ones; the words fit the
        command line (``--categories``) and Python alike.
    """
    known = SERVICE_SOURCES if sources is None else sources
    for cat in categories:
        if cat not in known:
            raise InputError(f"unknown service category {cat!r}; known: {', '.join(sorted(known))} "
                             "(the categories looked for in a scene's POIs, land cover and buildings)", field="categories")


def check_access_options(*, mode: str, threshold_s: float, categories: Any) -> None:
    """Check the options of :func:`fifteen_minute_city` before any work (InputError naming the option)."""
    if mode not in MODE_SPEEDS_M_S:
        raise InputError(f"unknown mode {mode!r}; use one of {', '.join(MODE_SPEEDS_M_S)}", field="mode")
    try:
        ok = bool(np.isfinite(threshold_s) and 0 < threshold_s <= MAX_THRESHOLD_S)
    except TypeError:
        ok = False
    if not ok:
        raise InputError(f"the time budget must be a finite number in (0, {MAX_THRESHOLD_S:g}] s, got {threshold_s}", field="threshold_s")
    if isinstance(categories, str) or len(tuple(categories)) == 0:
        raise InputError("give at least one service category (a list, e.g. ['school', 'park'])", field="categories")


def fifteen_minute_city(
    scene: Any,
    *,
    categories: Any = ("school", "park"),
    mode: str = "walk",
    threshold_s: float = FIFTEEN_MINUTES_S,
    weight: str = "auto",
    residential_only: bool = True,
    services: gpd.GeoDataFrame | None = None,
    speed_m_s: float | None = None,
    graph: AccessGraph | None = None,
    polygon_step_m: float = DEFAULT_POLYGON_STEP_M,
    max_access_m: float = DEFAULT_MAX_ACCESS_M,
) -> FifteenMinuteResult:
    """The 15-minute-city indicator per building and category.

    For each category one multi-source Dijkstra (reverse graph, seeded at the category's
    access points) gives every building's time to its nearest service; a building is served
    when that time is at most ``threshold_s``.

    Returns
    -------
    FifteenMinuteResult
        ``buildings`` (GeoDataFrame: building_id, weight, ``time_<cat>_s``, ``reach_<cat>``,
        ``reach_all``, geometry) and :meth:`~FifteenMinuteResult.summary`.

    Raises
    ------
    InputError
        No buildings, an unknown mode or category, no category, a time budget that is not a
        finite number in (0, :data:`MAX_THRESHOLD_S`], a category with no service in the scene,
        or buildings whose weights are all zero (no residents: the share would be undefined).
    """
    import geopandas as gpd
    import shapely

    check_access_options(mode=mode, threshold_s=threshold_s, categories=categories)
    b = scene.buildings
    if len(b) == 0:
        raise InputError("the scene has no buildings", obj="buildings")
    g = graph if graph is not None else AccessGraph.from_scene(scene, mode=mode, speed_m_s=speed_m_s, max_access_m=max_access_m)
    svc = service_points(scene, categories, services=services, polygon_step_m=polygon_step_m)
    origins = shapely.point_on_surface(np.asarray(b.geometry.values, dtype=object))
    w, wname = building_weights(b, weight, residential_only=residential_only)
    if not w.sum() > 0:
        raise InputError(
            f"every building has weight 0 for {wname!r}{' (residential buildings only)' if residential_only else ''}: no residents to count",
            obj="buildings",
            field="weight",
        )
    out = gpd.GeoDataFrame({"building_id": b["building_id"].to_numpy(), "weight": w}, geometry=b.geometry.values, crs=b.crs)
    reach_all = np.ones(len(b), dtype=bool)
    targets = {cat: np.asarray(svc.geometry.values[svc["category"].to_numpy() == cat], dtype=object) for cat in categories}
    for cat, pts in targets.items():
        if pts.size == 0:
            raise InputError(f"no {cat!r} service in the scene (pois, landcover, buildings) or the services layer", field="categories")
    attached = g.attach(origins, "origin")  # the buildings snapped once for every category
    for cat, pts in targets.items():
        t = g.time_to_nearest(attached, pts)
        out[f"time_{cat}_s"] = t
        out[f"reach_{cat}"] = t <= threshold_s
        reach_all &= t <= threshold_s
    out["reach_all"] = reach_all
    return FifteenMinuteResult(buildings=out, categories=tuple(categories), threshold_s=float(threshold_s), mode=mode, weight=wname)
