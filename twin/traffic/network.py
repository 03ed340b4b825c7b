"""The road network as flat arrays: links sorted by tail node, with forward and backward stars.

One :class:`Network` serves static assignment, dynamic loading and accessibility. It is built
from TNTP files (:func:`twin.traffic.tntp.read_network`) or from a scene's ``nodes``/``links``
layers (:meth:`Network.from_scene`), and handed to the kernels as plain arrays.

Conventions
-----------
* Nodes are numbered ``0 .. n_nodes-1``; ``node_ids[i]`` is the native id of node ``i``
  (TNTP node number, or scene ``node_id`` string).
* Zones (centroids) are the first ``n_zones`` nodes, zone ``z`` is node ``z`` (TNTP numbering).
* ``first_thru_node`` is a 0-based node *index*: nodes with a smaller index (zone centroids) may
  start or end a trip but never carry through traffic. TNTP's ``<FIRST THRU NODE> k`` (1-based
  node number) becomes ``k - 1``; ``0`` means every node may be passed through.
* Links are stored sorted by tail node (stable, so the file order is kept within a tail), making
  the link arrays themselves the CSR forward star: the out-links of node ``u`` are
  ``out_start[u] .. out_start[u+1]-1``. ``link_ids[k]`` is the native id of stored link ``k``
  (TNTP: 1-based line number in the file; scene: ``link_id``).
* The backward star: in-links of node ``v`` are ``in_link[in_start[v] : in_start[v+1]]``.
* Delay functions per link: ``vdf`` code 0 = BPR ``t = t0 (1 + alpha (v/c)^beta)``; code 1 =
  conical (Spiess 1990) with ``alpha`` and ``beta = (2 alpha - 1) / (2 alpha - 2)``;
  codes 2, 3, 4 = signal stop-line delay (HCM uniform + incremental delay) on the zero-length
  links that :func:`twin.traffic.signals.add_signals` inserts, in seconds, minutes or hours
  (slots: ``free_flow_time`` = uniform delay at zero flow, ``capacity`` = approach capacity
  ``s g / C``, ``alpha`` = analysis period ``T``, ``beta`` = green ratio; see
  :mod:`twin.kernels.traffic_vdf`).
* Signalised nodes: ``meta['signalised']`` (bool per node) and ``meta['signal_source']``
  (provenance text per node, empty where unsignalised) when the scene's nodes carry them
  (:func:`twin.traffic.signals.mark_signals`); a flag only, the delay comes from
  :func:`~twin.traffic.signals.add_signals`.
* Generalized cost = delay-function time + ``fixed_cost``, where ``fixed_cost`` collects the
  flow-independent terms (``toll_factor * toll + distance_factor * length``).
* Units: TNTP networks keep the file's units (``time_unit``, ``length_unit``, capacity per hour);
  networks from a scene use seconds, metres and vehicles per hour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from twin.errors import InputError, SchemaError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

VDF_BPR = 0
VDF_CONICAL = 1
VDF_CODES = {"bpr": VDF_BPR, "conical": VDF_CONICAL}
VDF_SIGNAL = {"s": 2, "min": 3, "h": 4}
"""Signal stop-line delay code by time unit (:mod:`twin.kernels.traffic_vdf`)."""
VDF_GIVE_WAY = {"s": 5, "min": 6, "h": 7}
"""Give-way (priority junction) delay code by time unit (:mod:`twin.kernels.traffic_vdf`, :mod:`twin.traffic.priority`)."""
LINK_META = ("lanes", "osm_way_id", "line")
"""Keys of ``Network.meta`` holding one value per stored link, in stored order (lanes of scene
and scenario networks, OSM way of scene links, line of a TNTP file): :meth:`Network.drop_links`
keeps them in step with the kept links. (``meta['link_index']``, the scene rows in file order, is
not one of them: a copy without links drops it.)"""


@dataclass(frozen=True, eq=False)
class Network:
    """A directed road network in CSR form (links sorted by tail node).

    Attributes
    ----------
    node_ids : ndarray (n_nodes,)
        Native node ids.
    link_ids : ndarray (n_links,)
        Native link ids, in stored (tail-sorted) order.
    from_node, to_node : ndarray of int32 (n_links,)
        Tail and head node index of each link.
    free_flow_time : ndarray of float64 (n_links,)
        Free-flow travel time ``t0``, in ``time_unit``.
    capacity : ndarray of float64 (n_links,)
        Capacity ``c`` of the delay function (vehicles per hour for scene networks).
    length : ndarray of float64 (n_links,)
        Length, in ``length_unit``.
    alpha, beta : ndarray of float64 (n_links,)
        Delay-function parameters (BPR ``B`` and ``Power``; conical ``alpha``).
    toll : ndarray of float64 (n_links,)
        Toll, in the file's units.
    link_type : ndarray of int32 (n_links,)
        Link type code (TNTP ``link_type``; 0 for scene links).
    vdf : ndarray of int8 (n_links,)
        Delay-function code per link (``VDF_BPR`` or ``VDF_CONICAL``).
    fixed_cost : ndarray of float64 (n_links,)
        Flow-independent part of the generalized cost, in ``time_unit``.
    n_zones : int
        Number of zones; zone ``z`` is node index ``z``.
    first_thru_node : int
        0-based index of the first node that may carry through traffic.
    out_start : ndarray of int64 (n_nodes + 1,)
        Forward star offsets into the link arrays.
    in_start : ndarray of int64 (n_nodes + 1,), in_link : ndarray of int32 (n_links,)
        Backward star: the in-links of node ``v`` are ``in_link[in_start[v]:in_start[v+1]]``.
    time_unit, length_unit : str
        Units of ``free_flow_time`` (and costs) and of ``length``.
    name : str
        A label (file stem or scene name).
    meta : dict
        Anything else (source path, generalized-cost weights, mode).
    """

    node_ids: np.ndarray
    link_ids: np.ndarray
    from_node: np.ndarray
    to_node: np.ndarray
    free_flow_time: np.ndarray
    capacity: np.ndarray
    length: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    toll: np.ndarray
    link_type: np.ndarray
    vdf: np.ndarray
    fixed_cost: np.ndarray
    n_zones: int
    first_thru_node: int
    out_start: np.ndarray
    in_start: np.ndarray
    in_link: np.ndarray
    time_unit: str = "min"
    length_unit: str = ""
    name: str = "network"
    meta: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ sizes
    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.node_ids.shape[0])

    @property
    def n_links(self) -> int:
        """Number of links."""
        return int(self.from_node.shape[0])

    def free_flow_cost(self) -> np.ndarray:
        """Generalized cost at zero flow: ``free_flow_time + fixed_cost`` (BPR) per link."""
        from twin.kernels.traffic_vdf import link_costs

        out = np.empty(self.n_links)
        link_costs(np.zeros(self.n_links), self.free_flow_time, self.capacity, self.alpha, self.beta, self.vdf, self.fixed_cost, out)
        return out

    def node_index(self, node_id: Any) -> int:
        """Index of the node with native id ``node_id``; raises KeyError when absent."""
        lookup = self.meta.get("_node_lookup")
        if lookup is None:
            lookup = {nid: i for i, nid in enumerate(self.node_ids.tolist())}
            self.meta["_node_lookup"] = lookup
        return lookup[node_id]

    # ------------------------------------------------------------------ build
    @classmethod
    def build(
        cls,
        *,
        node_ids: np.ndarray,
        link_ids: np.ndarray,
        from_node: np.ndarray,
        to_node: np.ndarray,
        free_flow_time: np.ndarray,
        capacity: np.ndarray,
        length: np.ndarray | None = None,
        alpha: np.ndarray | float = 0.15,
        beta: np.ndarray | float = 4.0,
        toll: np.ndarray | float = 0.0,
        link_type: np.ndarray | int = 0,
        vdf: np.ndarray | str = "bpr",
        fixed_cost: np.ndarray | float = 0.0,
        n_zones: int = 0,
        first_thru_node: int = 0,
        time_unit: str = "min",
        length_unit: str = "",
        name: str = "network",
        meta: dict[str, Any] | None = None,
        path: str | None = None,
    ) -> Network:
        """Build a network from link arrays in any order (sorted here by tail node, stably).

        ``from_node``/``to_node`` are 0-based node indices into ``node_ids``. Scalars broadcast
        to every link. Raises :class:`~twin.errors.InputError` for out-of-range node indices,
        negative or NaN times and capacities, or ``first_thru_node`` outside ``0..n_zones``.
        """
        n_nodes = len(node_ids)
        m = len(from_node)
        from_node = np.asarray(from_node, dtype=np.int64)
        to_node = np.asarray(to_node, dtype=np.int64)

        def arr(value: Any, dtype: Any) -> np.ndarray:
            a = np.asarray(value, dtype=dtype)
            return np.full(m, a, dtype=dtype) if a.ndim == 0 else a.copy()

        if isinstance(vdf, str):
            if vdf not in VDF_CODES:
                raise InputError(f"unknown delay function {vdf!r}; use one of {sorted(VDF_CODES)}", path=path, field="vdf")
            vdf = VDF_CODES[vdf]
        fft = arr(free_flow_time, np.float64)
        cap = arr(capacity, np.float64)
        lng = arr(0.0 if length is None else length, np.float64)
        al, be = arr(alpha, np.float64), arr(beta, np.float64)
        tl, lt = arr(toll, np.float64), arr(link_type, np.int32)
        vd, fc = arr(vdf, np.int8), arr(fixed_cost, np.float64)
        for name_, a in (("to_node", to_node), ("free_flow_time", fft), ("capacity", cap), ("alpha", al), ("beta", be)):
            if a.shape[0] != m:
                raise InputError(f"{name_} has {a.shape[0]} values for {m} links", path=path, field=name_)
        for name_, a in (("from_node", from_node), ("to_node", to_node)):
            bad = np.flatnonzero((a < 0) | (a >= n_nodes))
            if bad.size:
                raise InputError(f"node index {a[bad[0]]} outside 0..{n_nodes - 1}", path=path, obj=f"link {link_ids[bad[0]]}", field=name_)
        for name_, a in (("free_flow_time", fft), ("capacity", cap), ("length", lng), ("alpha", al), ("beta", be)):
            bad = np.flatnonzero(~(a >= 0))
            if bad.size:
                raise InputError(f"{name_} must be >= 0, got {a[bad[0]]}", path=path, obj=f"link {link_ids[bad[0]]}", field=name_)
        # capacity may be +inf (no congestion); every other value must be finite
        for name_, a in (("free_flow_time", fft), ("length", lng), ("alpha", al), ("beta", be), ("toll", tl), ("fixed_cost", fc)):
            bad = np.flatnonzero(~np.isfinite(a))
            if bad.size:
                raise InputError(f"{name_} must be finite, got {a[bad[0]]}", path=path, obj=f"link {link_ids[bad[0]]}", field=name_)
        bad = np.flatnonzero((cap == 0) & (al > 0) & (be > 0) & (vd == VDF_BPR))
        if bad.size:
            raise InputError("capacity is 0 on a flow-dependent link", path=path, obj=f"link {link_ids[bad[0]]}", field="capacity")
        bad = np.flatnonzero((vd == VDF_CONICAL) & ~(al > 1.0))
        if bad.size:
            raise InputError("conical alpha must be > 1", path=path, obj=f"link {link_ids[bad[0]]}", field="alpha")
        bad = np.flatnonzero((vd < 0) | (vd > max(VDF_GIVE_WAY.values())))
        if bad.size:
            raise InputError(f"unknown delay function code {vd[bad[0]]}", path=path, obj=f"link {link_ids[bad[0]]}", field="vdf")
        gw = vd >= min(VDF_GIVE_WAY.values())
        for name_, a, ok, rule in (("capacity", cap, (cap > 0) & np.isfinite(cap), "finite and > 0"), ("alpha", al, al > 0, "(the analysis period) > 0")):
            bad = np.flatnonzero(gw & ~ok)
            if bad.size:
                raise InputError(f"give-way link {name_} must be {rule}, got {a[bad[0]]}", path=path, obj=f"link {link_ids[bad[0]]}", field=name_)
        sig = (vd >= min(VDF_SIGNAL.values())) & ~gw
        for name_, a, ok, rule in (
            ("capacity", cap, (cap > 0) & np.isfinite(cap), "finite and > 0"),
            ("alpha", al, al > 0, "(the analysis period) > 0"),
            ("beta", be, (be > 0) & (be <= 1), "(the green ratio) in (0, 1]"),
            ("free_flow_time", fft, (be < 1) | (fft == 0), "(the uniform delay) 0 at a green ratio of 1"),
        ):
            bad = np.flatnonzero(sig & ~ok)
            if bad.size:
                raise InputError(f"signal link {name_} must be {rule}, got {a[bad[0]]}", path=path, obj=f"link {link_ids[bad[0]]}", field=name_)
        if not 0 <= first_thru_node <= max(n_zones, 0) and not (n_zones == 0 and first_thru_node == 0):
            raise InputError(f"first thru node index {first_thru_node} outside 0..{n_zones}", path=path, field="first_thru_node")
        if not 0 <= n_zones <= n_nodes:
            raise InputError(f"{n_zones} zones but {n_nodes} nodes", path=path, field="n_zones")

        order = np.argsort(from_node, kind="stable")
        from_s = from_node[order].astype(np.int32)
        to_s = to_node[order].astype(np.int32)
        out_start = np.zeros(n_nodes + 1, dtype=np.int64)
        np.cumsum(np.bincount(from_s, minlength=n_nodes), out=out_start[1:])
        in_order = np.argsort(to_s, kind="stable").astype(np.int32)
        in_start = np.zeros(n_nodes + 1, dtype=np.int64)
        np.cumsum(np.bincount(to_s, minlength=n_nodes), out=in_start[1:])
        return cls(
            node_ids=np.asarray(node_ids),
            link_ids=np.asarray(link_ids)[order],
            from_node=from_s,
            to_node=to_s,
            free_flow_time=fft[order],
            capacity=cap[order],
            length=lng[order],
            alpha=al[order],
            beta=be[order],
            toll=tl[order],
            link_type=lt[order],
            vdf=vd[order],
            fixed_cost=fc[order],
            n_zones=int(n_zones),
            first_thru_node=int(first_thru_node),
            out_start=out_start,
            in_start=in_start,
            in_link=in_order,
            time_unit=time_unit,
            length_unit=length_unit,
            name=name,
            meta=dict(meta or {}),
        )

    # ------------------------------------------------------------------ scene
    @classmethod
    def from_scene(
        cls,
        scene: Any,
        *,
        mode: str = "car",
        zones: Sequence[str] | None = None,
        zones_are_through: bool = True,
        alpha: float | None = None,
        beta: float = 4.0,
        vdf: str = "bpr",
    ) -> Network:
        """Network of the links of ``scene`` open to ``mode`` (free-flow time in seconds).

        Parameters
        ----------
        scene
            A :class:`twin.scene.Scene` (or anything with ``links`` and ``nodes`` frames
            following :mod:`twin.scene.schema`).
        mode
            Keep links whose ``modes`` list contains this mode (one of ``schema.MODES``).
        zones
            Node ids used as zones (origins/destinations); they are numbered first, in this order.
            ``None``: no zones (``n_zones = 0``), e.g. for accessibility from arbitrary nodes.
        zones_are_through
            If False, the zone nodes may not carry through traffic (``first_thru_node = n_zones``).
        alpha, beta, vdf
            Delay function applied to every link. ``alpha`` defaults to 0.15 for motorised modes
            and 0 (no congestion) for ``walk`` and ``bike``; links with zero capacity get
            ``alpha = 0`` (constant time) whatever the mode.

        Returns
        -------
        Network
            ``free_flow_time`` = ``length_m / free_speed_m_s`` in s, ``capacity`` in veh/h,
            ``length`` in m, ``fixed_cost`` 0. ``meta['link_index']`` maps back to scene rows;
            ``meta['osm_way_id']`` is the OSM way of every stored link (:func:`osm_way_ids`).
        """
        from twin.scene.schema import MODES

        if mode not in MODES:
            raise InputError(f"unknown mode {mode!r}; use one of {MODES}", field="mode")
        links = scene.links
        nodes = scene.nodes
        for col in ("link_id", "from_node", "to_node", "length_m", "free_speed_m_s", "capacity_veh_h", "modes"):
            if col not in links.columns:
                raise SchemaError(f"links layer lacks column {col!r}", obj="links", field=col)
        modes = links["modes"].fillna("").astype(str)
        keep = modes.map(lambda s: mode in {p.strip() for p in s.split(",")}).to_numpy(bool)
        sel = links.loc[keep]
        node_list: list[Any] = []
        if zones is not None:
            node_list.extend(zones)
        seen = set(node_list)
        if len(seen) != len(node_list):
            raise InputError("zone node ids are not unique", field="zones")
        candidates = list(nodes["node_id"]) if "node_id" in nodes.columns else []
        candidates += list(sel["from_node"]) + list(sel["to_node"])
        for nid in candidates:
            if nid not in seen:
                seen.add(nid)
                node_list.append(nid)
        lookup = {nid: i for i, nid in enumerate(node_list)}
        speed = sel["free_speed_m_s"].to_numpy(np.float64)
        length_m = sel["length_m"].to_numpy(np.float64)
        bad = np.flatnonzero(~(speed > 0) | ~np.isfinite(speed))
        if bad.size:
            raise InputError(f"free speed must be finite and > 0, got {speed[bad[0]]}", obj=f"link {sel['link_id'].iloc[bad[0]]}", field="free_speed_m_s")
        bad = np.flatnonzero(~(length_m >= 0) | ~np.isfinite(length_m))
        if bad.size:
            raise InputError(f"length must be finite and >= 0, got {length_m[bad[0]]}", obj=f"link {sel['link_id'].iloc[bad[0]]}", field="length_m")
        bad = np.flatnonzero(~(sel["capacity_veh_h"].to_numpy(np.float64) >= 0))
        if bad.size:
            raise InputError(
                f"capacity must be >= 0, got {sel['capacity_veh_h'].iloc[bad[0]]}", obj=f"link {sel['link_id'].iloc[bad[0]]}", field="capacity_veh_h"
            )
        n_zones = 0 if zones is None else len(zones)
        capacity = sel["capacity_veh_h"].to_numpy(np.float64)
        if alpha is None:
            alpha = 0.0 if mode in ("walk", "bike") else 0.15
        alpha_links = np.where(capacity > 0, float(alpha), 0.0)
        net = cls.build(
            node_ids=np.asarray(node_list, dtype=object),
            link_ids=sel["link_id"].to_numpy(dtype=object),
            from_node=np.fromiter((lookup[v] for v in sel["from_node"]), dtype=np.int64, count=len(sel)),
            to_node=np.fromiter((lookup[v] for v in sel["to_node"]), dtype=np.int64, count=len(sel)),
            free_flow_time=length_m / speed,
            capacity=capacity,
            length=length_m,
            alpha=alpha_links,
            beta=beta,
            vdf=vdf,
            n_zones=n_zones,
            first_thru_node=0 if zones_are_through else n_zones,
            time_unit="s",
            length_unit="m",
            name=str(getattr(scene, "name", "scene")),
            meta={"mode": mode, "source": "scene", "link_index": sel.index.to_numpy()},
        )
        net.meta["osm_way_id"] = osm_way_ids(net.link_ids)
        if "lanes" in sel.columns:
            net.meta["lanes"] = scene_lanes(sel, net.link_ids)  # signal saturation flows
        if "signalised" in nodes.columns:
            net.meta["signalised"], net.meta["signal_source"] = scene_signal_flags(nodes, node_list)
        return net

    # ------------------------------------------------------------------ what-ifs
    def with_values(self, **arrays: np.ndarray) -> Network:
        """Copy with some per-link arrays replaced (stored order), e.g. ``capacity=...``.

        Topology (``from_node``, ``to_node``) cannot change here; use :meth:`drop_links`.
        """
        allowed = {"free_flow_time", "capacity", "length", "alpha", "beta", "toll", "link_type", "vdf", "fixed_cost"}
        for key, value in arrays.items():
            if key not in allowed:
                raise InputError(f"cannot replace {key!r}; replaceable: {sorted(allowed)}", field=key)
            if np.shape(value) != (self.n_links,):
                raise InputError(f"{key} needs {self.n_links} values, got shape {np.shape(value)}", field=key)
        new = {k: np.asarray(v, dtype=getattr(self, k).dtype).copy() for k, v in arrays.items()}
        return replace(self, meta=dict(self.meta), **new)

    def drop_links(self, mask: np.ndarray) -> Network:
        """Copy without the links where ``mask`` is True (e.g. a street closure).

        The per-link meta arrays (:data:`LINK_META`) keep the values of the kept links; other
        meta entries are kept as they are (``link_index`` and ``_`` entries are dropped).

        Raises
        ------
        InputError
            A per-link meta array that does not hold one value per link (naming the network and
            the key).
        """
        mask = np.asarray(mask, dtype=bool)
        keep = ~mask
        meta: dict[str, Any] = {}
        for key, value in self.meta.items():
            if key.startswith("_") or key == "link_index":
                continue
            if key in LINK_META:
                if np.shape(value) != (self.n_links,):
                    raise InputError(f"meta['{key}'] needs one value per link ({self.n_links}), got shape {np.shape(value)}", obj=f"network {self.name}", field=key)
                value = np.asarray(value)[keep]
            meta[key] = value
        return Network.build(
            node_ids=self.node_ids,
            link_ids=self.link_ids[keep],
            from_node=self.from_node[keep],
            to_node=self.to_node[keep],
            free_flow_time=self.free_flow_time[keep],
            capacity=self.capacity[keep],
            length=self.length[keep],
            alpha=self.alpha[keep],
            beta=self.beta[keep],
            toll=self.toll[keep],
            link_type=self.link_type[keep],
            vdf=self.vdf[keep],
            fixed_cost=self.fixed_cost[keep],
            n_zones=self.n_zones,
            first_thru_node=self.first_thru_node,
            time_unit=self.time_unit,
            length_unit=self.length_unit,
            name=self.name,
            meta=meta,
        )

    def link_ends(self) -> dict[str, np.ndarray]:
        """The first columns of every per-link table (stored order): ``link_id`` and the native
        ids of its ends, ``from_node`` and ``to_node``."""
        return {"link_id": self.link_ids, "from_node": self.node_ids[self.from_node], "to_node": self.node_ids[self.to_node]}

    def links_frame(self) -> pd.DataFrame:
        """The link arrays as a DataFrame (stored order), with native node ids."""
        import pandas as pd

        return pd.DataFrame(
            {
                **self.link_ends(),
                "free_flow_time": self.free_flow_time,
                "capacity": self.capacity,
                "length": self.length,
                "alpha": self.alpha,
                "beta": self.beta,
                "toll": self.toll,
                "link_type": self.link_type,
                "fixed_cost": self.fixed_cost,
            }
        )

    def __repr__(self) -> str:
        return (
            f"Network({self.name!r}: {self.n_nodes} nodes, {self.n_links} links, {self.n_zones} zones, "
            f"first thru node index {self.first_thru_node}, time in {self.time_unit})"
        )


OSM_WAY_PREFIX = "osm:way/"
"""Start of a scene link id built from an OSM way: ``osm:way/<id>:<piece>:f|b``
(:func:`twin.ingest.streets.build_network`)."""


def scene_lanes(links: Any, link_ids: Sequence[Any]) -> np.ndarray:
    """Lanes of each of ``link_ids`` from a scene's links table with a ``lanes`` column (float64,
    at least 1; 1 for an id the table does not have, e.g. a zone connector)."""
    import pandas as pd

    lanes = pd.Series(links["lanes"].to_numpy(np.float64), index=links["link_id"].to_numpy(dtype=object))
    return np.maximum(lanes.reindex(np.asarray(link_ids, dtype=object)).fillna(1.0).to_numpy(np.float64), 1.0)


def scene_signal_flags(nodes: Any, node_ids: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """``signalised`` (bool) and ``signal_source`` (str, '' if none) of each of ``node_ids`` from a
    scene's nodes table with a ``signalised`` column (False for an id it does not have)."""
    flag = dict(zip(nodes["node_id"], nodes["signalised"].fillna(False).astype(bool), strict=True))
    src = dict(zip(nodes["node_id"], nodes["signal_source"].fillna("").astype(str), strict=True)) if "signal_source" in nodes.columns else {}
    ids = list(node_ids)
    return np.array([bool(flag.get(v, False)) for v in ids], dtype=bool), np.array([src.get(v, "") for v in ids], dtype=object)


def osm_way_of(text: Any, *, link: bool = True) -> int:
    """OSM way id of a link id ``osm:way/<id>:<piece>:f|b`` (``link``) or of a way's source id
    ``osm:way/<id>`` (not ``link``); -1 for any other text."""
    text = str(text)
    if not text.startswith(OSM_WAY_PREFIX):
        return -1
    digits, colon, _ = text[len(OSM_WAY_PREFIX) :].partition(":")
    return int(digits) if digits.isascii() and digits.isdigit() and bool(colon) == link else -1


def osm_way_ids(link_ids: Sequence[Any]) -> np.ndarray:
    """OSM way id (int64) of every link id ``osm:way/<id>:<piece>:f|b``; -1 for other ids."""
    return np.fromiter((osm_way_of(k) for k in link_ids), dtype=np.int64, count=len(link_ids))
