"""Give-way delay at unsignalised (priority) junctions in static assignment.

Method
------
*Junctions.* An unsignalised node where at least three distinct street neighbours meet (a node
with two is a shape point and costs nothing). Each neighbour is an *arm* (a two-way street is
one arm); its class is the highest OSM road class of the street links between the node and it
(:data:`ROAD_CLASS_RANK`: motorway > trunk > primary > secondary > tertiary > unclassified =
residential > living_street, service and the rest; a ``*_link`` ranks as its road), its
direction that of the links' geometry next to the node. The *approaches* of an arm are its
street links (with a capacity) that end at the node.

*Who gives way* (Belgian Highway Code, Code de la route / Wegcode, AR 1er decembre 1975):

* **roundabout** (sign D5 with B1 on every entry: the B1 rule, art. 12.3.2, overrides priority
  to the right; the same wherever a roundabout sign stands with give-way signs on the entries): a node
  where a ring link arrives and a ring link leaves (``junction=roundabout`` or ``circular`` on
  the OSM way, the links' ``junction`` column) is a roundabout junction: every approach that is
  not a ring link gives way to the ring links arriving there (conflicting flow: the circulating
  flow in front of the entry); the ring never gives way. Priority to the right would make the
  ring give way to the entering cars (they come from its right): wrong wherever D5 + B1 stand,
  which is assumed for every mapped ring;
* **signs from the data** (``sign``, ``all_way_stop``, ``mini_roundabout``), at a junction
  that is not a ring node and has a sign of the map (OSM ``highway=give_way`` / ``stop`` on an
  approach, the links' ``priority_sign``; ``stop=all`` or ``highway=mini_roundabout`` on the
  node, the nodes' ``priority_sign``: placed at ingest by
  :mod:`twin.ingest.priority_signs`): the signs decide, whatever the road classes. The signed
  approaches (B1 / B5, art. 12.3.2) give way to the approaches of the arms without a sign
  (*assumed* a priority road: a missing sign on another minor arm makes that arm a priority
  one); unsigned approaches give way to no one. Every approach signed, or ``stop=all``: an
  all-way stop; HCM 2010 has its own method for these (chapter 20), not implemented here:
  *stand-in*, priority to the right among the stopped approaches (the rule below), with the
  two-way stop delay. A mini roundabout (D5 + B1 painted): each entry gives way to the
  approaches of the arm immediately to its left (first met turning clockwise, not within
  :data:`AHEAD_DEG` of straight ahead: traffic circulates counterclockwise, so the cars passing
  an entry come from there), with the roundabout entry capacity below; that arm's whole flow
  stands in for the circulating flow (it counts the cars leaving at the entry's own arm and
  leaves out those from farther arms);
* **major road**: where the highest class is carried by exactly two arms (a through road) and
  the others rank lower, the lower arms' approaches give way to the major arms' approaches.
  *Assumption*: the minor arms carry give-way or stop signs (B1 / B5, art. 12.3.2) and the
  through road is a priority road; the map does not say so (OSM rarely tags the signs: 34
  give-way and stop nodes in the whole 2013 Brussels extract, none in Saint-Gilles);
* **priority to the right** (art. 12.3.1), every other junction: each approach gives way to
  the approaches of the arm immediately to its right, i.e. the first arm met turning
  counterclockwise (seen from above) from its own arm, at less than ``180 - AHEAD_DEG`` degrees
  (an arm within :data:`AHEAD_DEG` of straight ahead is not to the right), among the arms that
  have an approach (a one-way street leaving the junction brings no one from the right). An
  approach with no such arm gives way to no one.

*Capacity and delay of a roundabout entry*: the entry capacity of HCM 2010 chapter 21 by lane
configuration (Eq. 21-1 to 21-5) at circulating flow ``v_c`` (veh/h, the flow of the ring links
arriving at the entry's node), :func:`twin.traffic.roundabout.roundabout_capacity` (its module
docstring: method, references, why HCM 2010 rather than the 6th edition). Lanes: the entry's
from the approach link's ``lanes``, the circulating ones from the ring link arriving at the
node (the most lanes where several arrive); a mini roundabout's entries have one lane against
one. On a scene a lane count whose ``lanes_source`` is ``default`` (the road class's default: a
guess) counts as one lane (:func:`scene_junctions`): the single-lane formula, the lowest
capacity of the four. Control delay (Eq. 21-17) on the entry's capacity (one delay per
approach, as below; the lanes' delays at equal degrees of saturation are the same, so per-lane
delays are not needed): that of a yielding approach below with ``+ 5 min(x, 1)`` for ``+ 5``
(delay-function codes 5-7 with ``beta`` = 5 s).

*Delay of a yielding approach* (Highway Capacity Manual 2010, chapter 19, two-way stop-controlled
intersections; the same equations in HCM 2000, chapter 17). Potential capacity (Harders 1968,
HCM 2010 Eq. 19-30) at conflicting flow ``v_c`` (veh/h)::

    c = v_c exp(-v_c t_c / 3600) / (1 - exp(-v_c t_f / 3600))    (c = 3600 / t_f at v_c = 0)

and control delay (HCM 2010 Eq. 19-64) at the approach's own flow ``v``, ``x = v / c``::

    d = 3600 / c + 900 T [(x - 1) + sqrt((x - 1)^2 + (3600 / c) x / (450 T))] + 5   s

with the HCM 2010 base headways of a minor-street *through* movement on a two-lane major street
(Exhibit 19-10; HCM 2000 Exhibit 17-5): critical headway ``t_c`` = 6.5 s, follow-up headway
``t_f`` = 4.0 s, and the analysis period ``T`` = 0.25 h (:class:`GiveWayParameters`). Using them
for priority to the right as well (a driver crossing the stream from the right) is an
assumption. ``v_c`` is the sum of the flows on the approaches given way to (for a minor arm:
both major arms; HCM counts fewer major movements against a minor right turn, so this
overstates the delay of right turns). ``c`` is floored at :data:`MIN_CAPACITY_VEH_H`.

Within one assignment ``c`` is fixed, so the cost of a give-way line depends on its own flow
only (separable: delay-function codes 5-7 of :mod:`twin.kernels.traffic_vdf`, closed-form
integral for the Beckmann objective); ``v_c`` comes from a previous assignment
(:meth:`GiveWayNetwork.updated`).

*Network.* Every yielding approach gets a zero-length *give-way line* link between its end and
the junction (:func:`insert_give_way_lines`), like the stop lines of
:func:`twin.traffic.signals.add_signals`; the approach keeps its own delay function.

Limits: one delay per approach (no per-movement capacities, no shared lanes, no two-stage
crossing, no upstream signal platoons), the signs assumed from the road classes where the map
has none (most junctions), no all-way stop method (priority to the right stands in), conflicting
flows of the previous assignment (a fixed point, not an equilibrium with interactions); a
roundabout entry's lanes are used equally (no lane-use imbalance, no lane for one movement), 3+
lanes count as 2, no exiting-flow or pedestrian effect, and two streets entering at one ring
node do not give way to each other.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from twin.errors import InputError
from twin.traffic.network import LINK_META, VDF_GIVE_WAY, Network
from twin.traffic.roundabout import (
    MIN_CAPACITY_VEH_H,
    RING_JUNCTIONS,
    ROUNDABOUT_DECAY_H_VEH,
    ROUNDABOUT_DECAY_TWO_H_VEH,
    ROUNDABOUT_DECAY_TWO_LEFT_H_VEH,
    ROUNDABOUT_INTERCEPT_VEH_H,
    ROUNDABOUT_MAX_LANES,
    lane_counts,
    ring_links,
    roundabout_capacity,
)
from twin.types.priority_signs import APPROACH_SIGNS, NODE_SIGNS

ROAD_CLASS_RANK: dict[str, int] = {
    "motorway": 7, "trunk": 6, "primary": 5, "secondary": 4, "tertiary": 3, "unclassified": 2, "residential": 2,
    "living_street": 1, "service": 1,
}  # fmt: skip
"""Rank of an OSM ``highway`` class (higher: more important); ``X_link`` ranks as ``X``; any other class ranks 1."""
AHEAD_DEG = 20.0
"""An arm within this angle of straight ahead is not to the right of an approach."""
UNITS_PER_HOUR = {"s": 3600.0, "min": 60.0, "h": 1.0}
DEFAULT_LANE_SOURCES = ("default",)
"""``lanes_source`` values of a scene link whose lane count is a guess: read as one lane at a roundabout."""
ROUNDABOUT_SATURATION_DELAY_S = 5.0
"""The ``5 min(x, 1)`` s of the roundabout control delay (HCM 2010 Eq. 21-17), in place of the
two-way stop's constant 5 s (Eq. 19-64)."""
TWO_WAY_STOP_DELAY_S = 5.0
"""The constant 5 s (deceleration and acceleration) of the two-way stop control delay (HCM 2010 Eq. 19-64)."""


def road_rank(road_class: Iterable[Any]) -> np.ndarray:
    """Rank per link of its OSM road class (:data:`ROAD_CLASS_RANK`; ``X_link`` as ``X``; others 1)."""
    out = []
    for rc in road_class:
        name = str(rc) if rc is not None else ""
        name = name[: -len("_link")] if name.endswith("_link") else name
        out.append(ROAD_CLASS_RANK.get(name, 1))
    return np.array(out, dtype=np.int64)


@dataclass(frozen=True)
class GiveWayParameters:
    """Gap-acceptance parameters of a yielding approach (module docstring for the sources).

    Attributes
    ----------
    critical_headway_s : float
        Critical headway ``t_c``, s (> 0).
    follow_up_headway_s : float
        Follow-up headway ``t_f``, s (> 0, at most ``t_c``).
    period_h : float
        Analysis period ``T`` of the delay, h (> 0).
    """

    critical_headway_s: float = 6.5
    follow_up_headway_s: float = 4.0
    period_h: float = 0.25

    def check(self, where: str = "give-way parameters") -> None:
        """Raise InputError (naming ``where`` and the field) for a value outside its range."""
        for name, value in (("critical_headway_s", self.critical_headway_s), ("follow_up_headway_s", self.follow_up_headway_s), ("period_h", self.period_h)):
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise InputError(f"{name} must be a finite number > 0, got {value}", obj=where, field=name)
        if self.follow_up_headway_s > self.critical_headway_s:
            raise InputError(f"follow-up headway {self.follow_up_headway_s} s exceeds the critical headway {self.critical_headway_s} s",
                             obj=where, field="follow_up_headway_s")  # fmt: skip


def potential_capacity(conflicting_veh_h: np.ndarray, params: GiveWayParameters) -> np.ndarray:
    """Potential capacity (veh/h) of a yielding approach at conflicting flow ``v_c`` (Harders 1968,
    HCM 2010 Eq. 19-30), ``3600 / t_f`` at ``v_c = 0``, floored at :data:`MIN_CAPACITY_VEH_H`."""
    vc = np.asarray(conflicting_veh_h, dtype=np.float64)
    if not np.all(np.isfinite(vc) & (vc >= 0)):
        raise InputError("conflicting flows must be finite and >= 0", field="conflicting_flow")
    tc, tf = params.critical_headway_s, params.follow_up_headway_s
    with np.errstate(invalid="ignore", divide="ignore"):
        c = vc * np.exp(-vc * tc / 3600.0) / -np.expm1(-vc * tf / 3600.0)
    c = np.where(vc > 0, c, 3600.0 / tf)
    return np.maximum(c, MIN_CAPACITY_VEH_H)


def scene_junction(links: Any, link_ids: Iterable[Any]) -> list[str]:
    """The ``junction`` value of each of ``link_ids`` in the scene links table ``links`` ('' for
    a link not in it, e.g. a connector, and for every link of a scene without the column)."""
    if "junction" not in links.columns:
        return ["" for _ in link_ids]
    value = dict(zip(links["link_id"].tolist(), links["junction"].fillna("").astype(str).tolist(), strict=True))
    return [value.get(k, "") for k in link_ids]


def scene_junctions(scene: Any, streets: Any, base: Network, *, street: np.ndarray, signalised: bool) -> Junctions:
    """:func:`classify_junctions` of ``base``, a car network built from ``scene`` whose street
    links keep their scene ids (``streets``: the scene's car links): the road class, the
    roundabout ring (``junction``), the priority sign (``priority_sign``) and the lanes
    (:func:`scene_lanes`) of each street link from ``streets``, node points and signs
    (``priority_sign``) from the scene's nodes, and each arm's direction from the link's
    geometry next to the node (the first and last interior vertices; else the other end node). ``street``: the links that can be
    approaches; with ``signalised``, the nodes ``base.meta['signalised']`` flags are left out
    (their signals control them)."""
    import shapely

    nodes = scene.nodes
    where = {nid: (p.x, p.y) for nid, p in zip(nodes["node_id"].tolist(), nodes.geometry.values, strict=True)}
    xy = np.array([where.get(v, (np.nan, np.nan)) for v in base.node_ids.tolist()], dtype=np.float64)
    row = {lid: i for i, lid in enumerate(streets["link_id"].tolist())}
    classes = streets["road_class"].fillna("").astype(str).tolist() if "road_class" in streets.columns else [""] * len(streets)
    road_class = [classes[row[k]] if k in row else "" for k in base.link_ids.tolist()]
    near = np.stack([xy[base.to_node], xy[base.from_node]], axis=1)  # default: the other end node
    geoms = streets.geometry.values
    for k, lid in enumerate(base.link_ids.tolist()):
        if lid not in row or geoms[row[lid]] is None:
            continue
        xyz = shapely.get_coordinates(geoms[row[lid]])
        if len(xyz) < 2:
            continue
        tail = xy[base.from_node[k]]
        if np.hypot(*(xyz[-1] - tail)) < np.hypot(*(xyz[0] - tail)):
            xyz = xyz[::-1]  # geometry drawn head to tail
        near[k, 0], near[k, 1] = xyz[1], xyz[-2]
    flags = base.meta.get("signalised")
    exclude = base.node_ids[np.flatnonzero(flags)].tolist() if signalised and flags is not None else ()
    return classify_junctions(base, road_class, xy, street=street, exclude=exclude, near=near, junction=scene_junction(streets, base.link_ids.tolist()),
                              sign=scene_sign(streets, "link_id", base.link_ids.tolist()), node_sign=scene_sign(nodes, "node_id", base.node_ids.tolist()),
                              lanes=scene_lanes(streets, base.link_ids.tolist()))  # fmt: skip


def scene_lanes(links: Any, link_ids: Iterable[Any]) -> np.ndarray:
    """Lanes of each of ``link_ids`` for the roundabout formulas, from the scene links table
    ``links``: its ``lanes``, but 1 where ``lanes_source`` is a default (:data:`DEFAULT_LANE_SOURCES`:
    the road class's count, a guess) and for a link not in it or a table without ``lanes``. A
    count below 1 is kept (:func:`classify_junctions` rejects it, naming the link)."""
    import pandas as pd

    ids = list(link_ids)
    if "lanes" not in links.columns:
        return np.ones(len(ids), dtype=np.float64)
    lanes = pd.to_numeric(links["lanes"], errors="coerce").to_numpy(dtype=np.float64)
    if "lanes_source" in links.columns:
        guessed = links["lanes_source"].fillna("").astype(str).isin(DEFAULT_LANE_SOURCES).to_numpy()
        lanes = np.where(guessed & (lanes >= 1), 1.0, lanes)
    value = dict(zip(links["link_id"].tolist(), lanes.tolist(), strict=True))
    return np.array([value.get(k, 1.0) for k in ids], dtype=np.float64)


def scene_sign(table: Any, id_column: str, ids: Iterable[Any]) -> list[str]:
    """The ``priority_sign`` (from the data: :mod:`twin.ingest.priority_signs`) of each of ``ids``
    in the scene table ``table`` ('' for an id not in it and for every id of a table without the
    column)."""
    if "priority_sign" not in table.columns:
        return ["" for _ in ids]
    value = dict(zip(table[id_column].tolist(), table["priority_sign"].fillna("").astype(str).tolist(), strict=True))
    return [value.get(k, "") for k in ids]


def base_links_of(network: Network, inner: Any) -> np.ndarray:
    """For every stored link of ``network``, the link of the classified (base) network it is (-1:
    a turn link, a stop line, a give-way line). ``inner`` maps ``network`` to the base: a
    :class:`~twin.traffic.turns.TurnNetwork`, a :class:`~twin.traffic.signals.SignalNetwork` (over
    a turn network or not), a :class:`GiveWayNetwork` over either, or None when ``network`` is
    the base."""
    if inner is None:
        return np.arange(network.n_links)
    return _links_below(inner)


def _links_below(graph: Any) -> np.ndarray:
    """The base link of each link of ``graph.network``, through every map below it (-1: none)."""
    from twin.traffic.signals import SignalNetwork

    of = np.asarray(graph.link_of, dtype=np.int64)
    inner = graph.inner if isinstance(graph, GiveWayNetwork) else graph.turns if isinstance(graph, SignalNetwork) else None
    if inner is None:  # a TurnNetwork, or a layer straight over the base
        return of
    below = _links_below(inner)
    return np.where(of >= 0, below[np.maximum(of, 0)], -1)


def add_scene_give_way(scene: Any, streets: Any, base: Network, network: Network, inner: Any, *, street: np.ndarray, signalised: bool,
                       line_label: str) -> GiveWayNetwork:  # fmt: skip
    """``network`` (over the scene's car network ``base``; ``inner`` maps it back, None when it is
    ``base``) with a give-way line (``line_label`` + approach id) after every stored copy of each
    yielding approach of :func:`scene_junctions` (``streets``, ``street``, ``signalised`` as
    there), capacities at zero conflicting flow."""
    junctions = scene_junctions(scene, streets, base, street=street, signalised=signalised)
    entry = {int(k): j for j, k in enumerate(junctions.approach.tolist())}
    of_base = base_links_of(network, inner)
    lines = [e for e, k in enumerate(of_base.tolist()) if k in entry]
    return insert_give_way_lines(network, np.array(lines, dtype=np.int64), np.array([entry[int(of_base[e])] for e in lines], dtype=np.int64), junctions,
                                 line_label=line_label, inner=inner)  # fmt: skip


@dataclass
class Junctions:
    """The yielding approaches of a network's priority junctions (:func:`classify_junctions`).

    One entry per yielding approach: ``node`` (stored node index), ``approach`` (stored link
    index), ``rule`` (``major``, ``right``, ``roundabout``, or from signs in the data ``sign``,
    ``all_way_stop``, ``mini_roundabout``) and ``conflicts`` (stored indices of the approaches
    given way to: for a roundabout entry, the ring links arriving at its node), ``entry_lanes``
    and ``circulating_lanes`` (the lanes of a roundabout entry and of the ring in front of it, 1
    at the other approaches and by default).
    ``n_junctions``, ``n_major``, ``n_right``, ``n_roundabout`` and ``n_sign`` count junctions
    (``n_right``: priority-to-the-right junctions, whether or not an approach yields there;
    ``n_roundabout``: ring nodes with another arm, an entry or only an exit; ``n_sign``: junctions
    decided by signs in the data, mini roundabouts and all-way stops included).
    """

    node: np.ndarray
    approach: np.ndarray
    rule: np.ndarray
    conflicts: list[np.ndarray]
    n_junctions: int
    n_major: int
    n_right: int
    n_roundabout: int = 0
    n_sign: int = 0
    entry_lanes: np.ndarray | None = None
    circulating_lanes: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = np.asarray(self.approach).size
        for name in ("entry_lanes", "circulating_lanes"):
            value = getattr(self, name)
            lanes = np.ones(n, dtype=np.int64) if value is None else lane_counts(value, name).reshape(-1)
            if lanes.shape != (n,):
                raise InputError(f"{name} needs {n} values (one per yielding approach), got {lanes.size}", field=name)
            setattr(self, name, lanes)

    @property
    def roundabout(self) -> np.ndarray:
        """True per yielding approach that is a roundabout entry (a mini roundabout's included)."""
        return np.array([r in ("roundabout", "mini_roundabout") for r in self.rule.tolist()], dtype=bool)

    def capacity(self, conflicting_veh_h: np.ndarray, params: GiveWayParameters) -> np.ndarray:
        """Capacity (veh/h) of each yielding approach at its conflicting flow: Harders'
        potential capacity (:func:`potential_capacity`), at a roundabout entry HCM 2010 Eq. 21-1
        to 21-5 by its lanes (:func:`roundabout_capacity`)."""
        vc = np.asarray(conflicting_veh_h, dtype=np.float64)
        if vc.shape != self.approach.shape:
            raise InputError(f"{self.approach.size} yielding approaches but {vc.size} conflicting flows", field="conflicting_flow")
        harders = potential_capacity(vc, params)
        return np.where(self.roundabout, roundabout_capacity(vc, self.entry_lanes, self.circulating_lanes), harders)

    def conflicting_flow(self, link_flow: np.ndarray) -> np.ndarray:
        """Conflicting flow ``v_c`` of each yielding approach: the sum of ``link_flow`` (per link of
        the classified network) over the approaches it gives way to."""
        f = np.asarray(link_flow, dtype=np.float64)
        return np.array([float(f[c].sum()) for c in self.conflicts], dtype=np.float64)

    def roundabout_configurations(self) -> dict[tuple[int, int], int]:
        """Roundabout entries (a mini roundabout's included) by (entry lanes, circulating lanes),
        each capped at :data:`ROUNDABOUT_MAX_LANES`: the four configurations of HCM 2010 Eq. 21-1
        to 21-5, every one listed (0 when none)."""
        rb = self.roundabout
        ne = np.minimum(self.entry_lanes[rb], ROUNDABOUT_MAX_LANES)
        nc = np.minimum(self.circulating_lanes[rb], ROUNDABOUT_MAX_LANES)
        return {(e, c): int(np.sum((ne == e) & (nc == c))) for e in (1, 2) for c in (1, 2)}

    def require_yielding(self, *, signalised: bool, path: Any = None, field: str = "--give-way") -> None:
        """Raise InputError (``field``) when no approach yields: give-way delay would change
        nothing (``signalised``: the signalised nodes were left out of the junctions)."""
        if self.approach.size:
            return
        kind = f"{'unsignalised ' if signalised else ''}priority junction"
        found = f"{self.n_junctions} {kind}s, none with a yielding approach" if self.n_junctions else f"no {kind}"
        raise InputError(f"no car approach of the scene gives way ({found}): {field} would change nothing; leave it out", path=path, field=field)

    def summary(self) -> dict[str, int]:
        """Counts: junctions, major-road, priority-to-the-right, roundabout junctions and junctions
        decided by signs in the data, yielding approaches (of which roundabout entries, a mini
        roundabout's included, and of those the multi-lane ones: an entry or a ring of 2+ lanes)."""
        multi = self.roundabout & ((self.entry_lanes > 1) | (self.circulating_lanes > 1))
        return {"junctions": self.n_junctions, "major_road_junctions": self.n_major, "priority_to_right_junctions": self.n_right,
                "roundabout_junctions": self.n_roundabout, "sign_junctions": self.n_sign, "yielding_approaches": int(self.approach.size),
                "roundabout_entries": int(self.roundabout.sum()), "roundabout_multilane_entries": int(multi.sum())}  # fmt: skip


def _signs(values: Iterable[Any] | None, n: int, allowed: tuple[str, ...], field: str) -> np.ndarray:
    """``values`` as n stripped strings ('' for None / NaN / no sign), each '' or one of ``allowed``."""
    if values is None:
        return np.full(n, "", dtype=object)
    out = np.array(["" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip() for v in values], dtype=object)
    if out.shape != (n,):
        raise InputError(f"{field} needs {n} values, got {out.shape[0]}", field=field)
    bad = sorted({v for v in out.tolist() if v and v not in allowed})
    if bad:
        raise InputError(f"unknown priority sign {bad[0]!r}; one of {', '.join(allowed)} or ''", field=field)
    return out


def junction_counts_text(counts: dict[str, Any], prefix: str = "") -> str:
    """``N unsignalised junctions (a on a major road, b priority to the right, c on a roundabout's
    ring, d decided by signs in the data)`` from the counts of :meth:`Junctions.summary`, their
    keys with ``prefix`` (e.g. ``give_way_`` in a command's summary): the words of every give-way
    line (mobility notes, ``assign`` / ``select-*`` / ``simulate`` on a scene). With multi-lane
    roundabout entries (``roundabout_multilane_entries`` > 0; a summary without the count has
    none), ``c on a roundabout's ring (e multi-lane entries)``."""
    c = {k: counts[prefix + k] for k in ("junctions", "major_road_junctions", "priority_to_right_junctions", "roundabout_junctions", "sign_junctions")}
    multi = counts.get(prefix + "roundabout_multilane_entries", 0)
    ring = f"{c['roundabout_junctions']} on a roundabout's ring" + (f" ({multi} multi-lane {'entry' if multi == 1 else 'entries'})" if multi else "")
    return (f"{c['junctions']} unsignalised junctions ({c['major_road_junctions']} on a major road, {c['priority_to_right_junctions']} priority to "
            f"the right, {ring}, {c['sign_junctions']} decided by signs in the data)")  # fmt: skip


def _default_near(network: Network, xy: np.ndarray) -> np.ndarray:
    near = np.empty((network.n_links, 2, 2))
    near[:, 0] = xy[network.to_node]
    near[:, 1] = xy[network.from_node]
    return near


def classify_junctions(
    network: Network,
    road_class: Iterable[Any],
    xy: np.ndarray,
    *,
    street: np.ndarray | None = None,
    exclude: Iterable[Any] = (),
    near: np.ndarray | None = None,
    junction: Iterable[Any] | None = None,
    sign: Iterable[Any] | None = None,
    node_sign: Iterable[Any] | None = None,
    lanes: Iterable[Any] | None = None,
) -> Junctions:
    """Find the priority junctions of ``network`` and who gives way to whom (module docstring).

    Parameters
    ----------
    network
        The network (no stop or give-way lines).
    road_class
        OSM road class (``highway``) of every stored link (anything for non-street links).
    xy
        (n_nodes, 2) projected coordinates of the nodes (NaN where unknown: zones).
    street
        (n_links,) bool: the street links (default: every link with a capacity > 0). Connectors
        are neither arms nor approaches.
    exclude
        Native ids of nodes that are not priority junctions (signalised nodes).
    near
        (n_links, 2, 2): for every link, the point of its geometry next to its tail and the one
        next to its head (the arm directions); default: the other end node.
    junction
        OSM ``junction`` value of every stored link (``roundabout`` / ``circular``: a ring link;
        anything else, None: not); default: no roundabout.
    sign
        Priority sign of every stored link from the data (``give_way`` or ``stop``: the link is
        a signed approach; '', None: no sign; the scene links' ``priority_sign``); default none.
    node_sign
        Priority sign of every node from the data (``mini_roundabout``, ``all_way_stop``; '',
        None: none; the scene nodes' ``priority_sign``); default none.
    lanes
        Lanes of every stored link (whole numbers >= 1): a roundabout entry's lanes and those of
        the ring links arriving at its node choose the capacity formula (module docstring);
        default one lane everywhere.

    Returns
    -------
    Junctions

    Raises
    ------
    InputError
        Arrays of the wrong shape, an unknown sign, a lane count below 1 (the link named); a
        junction arm without coordinates.
    """
    m = network.n_links
    rank = road_rank(road_class)
    if rank.shape != (m,):
        raise InputError(f"road_class needs {m} values, got {rank.shape[0]}", field="road_class")
    xy = np.asarray(xy, dtype=np.float64)
    if xy.shape != (network.n_nodes, 2):
        raise InputError(f"xy must be ({network.n_nodes}, 2), got {xy.shape}", field="xy")
    is_street = (network.capacity > 0) if street is None else np.asarray(street, dtype=bool)
    if is_street.shape != (m,):
        raise InputError(f"street needs {m} values, got {is_street.shape}", field="street")
    pts = _default_near(network, xy) if near is None else np.asarray(near, dtype=np.float64)
    if pts.shape != (m, 2, 2):
        raise InputError(f"near must be ({m}, 2, 2), got {pts.shape}", field="near")
    ring = np.zeros(m, dtype=bool) if junction is None else ring_links(junction)
    if ring.shape != (m,):
        raise InputError(f"junction needs {m} values, got {ring.shape[0]}", field="junction")
    n_lanes = _link_lanes(network, lanes)
    signed = _signs(sign, m, APPROACH_SIGNS, "sign")
    on_node = _signs(node_sign, network.n_nodes, NODE_SIGNS, "node_sign")
    skip = {str(v) for v in exclude}
    frm, to = network.from_node.astype(np.int64), network.to_node.astype(np.int64)
    ring_in: dict[int, list[int]] = {}  # ring links with a capacity arriving at a node
    ring_out: set[int] = set()
    for k in np.flatnonzero(ring & is_street & (frm != to)).tolist():
        ring_out.add(int(frm[k]))
        if network.capacity[k] > 0:
            ring_in.setdefault(int(to[k]), []).append(k)
    # per node: arm (neighbour) -> [rank, direction point, approaches]
    arms: dict[int, dict[int, list[Any]]] = {}
    for k in np.flatnonzero(is_street & (frm != to)).tolist():
        for v, u, point in ((int(to[k]), int(frm[k]), pts[k, 1]), (int(frm[k]), int(to[k]), pts[k, 0])):
            arm = arms.setdefault(v, {}).setdefault(u, [0, point, []])
            arm[0] = max(arm[0], int(rank[k]))
        if network.capacity[k] > 0:
            arms[int(to[k])][int(frm[k])][2].append(k)
    node, approach, rule, conflicts, entry_lanes, circulating_lanes = [], [], [], [], [], []
    n_junctions = n_major = n_right = n_roundabout = n_sign = 0

    def add(v: int, ks: Iterable[int], why: str, given: np.ndarray, ring_lanes: int = 0) -> None:
        """``ring_lanes`` > 0: the approaches are roundabout entries against that many lanes."""
        for k in ks:
            node.append(v), approach.append(k), rule.append(why), conflicts.append(given)
            entry_lanes.append(int(n_lanes[k]) if ring_lanes else 1), circulating_lanes.append(ring_lanes or 1)

    for v, by_arm in arms.items():
        if len(by_arm) < 3 or str(network.node_ids[v]) in skip:
            continue
        n_junctions += 1
        if v in ring_in and v in ring_out:
            n_roundabout += 1
            add(v, sorted(k for a in by_arm.values() for k in a[2] if not ring[k]), "roundabout", np.array(sorted(ring_in[v]), dtype=np.int64),
                ring_lanes=int(n_lanes[ring_in[v]].max()))
            continue
        if on_node[v] or any(signed[k] for a in by_arm.values() for k in a[2]):
            n_sign += 1
            _by_signs(v, by_arm, on_node[v], signed, network, xy, add)
            continue
        top = max(a[0] for a in by_arm.values())
        major = [u for u, a in by_arm.items() if a[0] == top]
        if len(major) == 2:
            n_major += 1
            given = np.array(sorted(k for u in major for k in by_arm[u][2]), dtype=np.int64)
            for u, a in by_arm.items():
                if u not in major:
                    add(v, a[2], "major", given)
            continue
        n_right += 1
        for u, w in _side_arms(v, by_arm, network, xy, left=False).items():
            add(v, by_arm[u][2], "right", np.array(sorted(by_arm[w][2]), dtype=np.int64))
    return Junctions(np.array(node, dtype=np.int64), np.array(approach, dtype=np.int64), np.array(rule, dtype=object), conflicts, n_junctions, n_major,
                     n_right, n_roundabout, n_sign, np.array(entry_lanes, dtype=np.int64), np.array(circulating_lanes, dtype=np.int64))  # fmt: skip


def _link_lanes(network: Network, lanes: Iterable[Any] | None) -> np.ndarray:
    """Lanes of every stored link of ``network`` (int64; default 1), each a whole number >= 1
    (else InputError naming the link)."""
    if lanes is None:
        return np.ones(network.n_links, dtype=np.int64)
    value = np.asarray(list(lanes) if not isinstance(lanes, np.ndarray) else lanes, dtype=np.float64)
    if value.shape != (network.n_links,):
        raise InputError(f"lanes needs {network.n_links} values, got {value.size}", field="lanes")
    bad = np.flatnonzero(~(np.isfinite(value) & (value >= 1) & (value == np.floor(value))))
    if bad.size:
        raise InputError(f"a lane count must be a whole number >= 1, got {value[bad[0]]:g}", obj=f"link {network.link_ids[bad[0]]}", field="lanes")
    return value.astype(np.int64)


def _side_arms(v: int, by_arm: dict[int, list[Any]], network: Network, xy: np.ndarray, *, left: bool) -> dict[int, int]:
    """For each arm with an approach at node ``v``: the arm with an approach immediately to its
    right (first met turning counterclockwise), or with ``left`` to its left (clockwise), at less
    than ``180 - AHEAD_DEG`` degrees; arms with no such arm are left out."""
    angle = {}
    for u, a in by_arm.items():
        dx, dy = a[1][0] - xy[v, 0], a[1][1] - xy[v, 1]
        if not (np.isfinite(dx) and np.isfinite(dy)) or dx == dy == 0:
            raise InputError("a junction arm has no direction (coordinates missing or equal)", obj=f"node {network.node_ids[v]}", field="xy")
        angle[u] = math.degrees(math.atan2(dy, dx))
    out = {}
    for u, a in by_arm.items():
        if not a[2]:
            continue
        turn = [(((angle[u] - angle[w]) if left else (angle[w] - angle[u])) % 360.0, w) for w, b in by_arm.items() if w != u and b[2]]
        turn = [(d, w) for d, w in turn if 0.0 < d < 180.0 - AHEAD_DEG]
        if turn:
            out[u] = min(turn)[1]
    return out


def _by_signs(v: int, by_arm: dict[int, list[Any]], node_sign: str, signed: np.ndarray, network: Network, xy: np.ndarray, add: Any) -> None:
    """The yielding approaches of junction ``v`` decided by the signs of the data (module
    docstring): a mini roundabout, an all-way stop, or the signed approaches giving way to the
    approaches of the arms without a sign."""
    if node_sign == "mini_roundabout":
        for u, w in _side_arms(v, by_arm, network, xy, left=True).items():
            add(v, by_arm[u][2], "mini_roundabout", np.array(sorted(by_arm[w][2]), dtype=np.int64))
        return
    free = sorted(k for a in by_arm.values() if not any(signed[k] for k in a[2]) for k in a[2])
    if node_sign == "all_way_stop" or not free:
        for u, w in _side_arms(v, by_arm, network, xy, left=False).items():
            add(v, by_arm[u][2], "all_way_stop", np.array(sorted(by_arm[w][2]), dtype=np.int64))
        return
    given = np.array(free, dtype=np.int64)
    add(v, sorted(k for a in by_arm.values() for k in a[2] if signed[k]), "sign", given)


@dataclass(eq=False)
class GiveWayNetwork:
    """A network with give-way lines on the yielding approaches, and the maps back.

    ``link_of[e]``: link of ``original`` that stored link ``e`` is (-1 for give-way lines);
    ``approach_of[e]``: the link of ``original`` whose give-way line ``e`` is (-1 otherwise);
    ``yielding[e]``: the entry of ``junctions`` of give-way line ``e`` (-1 otherwise).
    ``junctions`` index the links of ``classified``; ``to_classified`` maps flows on the links
    of ``original`` to those (None: ``original`` is ``classified``). ``inner``: the map from
    ``original`` to the street links (a :class:`~twin.traffic.turns.TurnNetwork` or
    :class:`~twin.traffic.signals.SignalNetwork`, None when ``original`` is them).
    """

    network: Network
    original: Network
    link_of: np.ndarray
    approach_of: np.ndarray
    yielding: np.ndarray
    junctions: Junctions
    params: GiveWayParameters
    units_per_hour: float
    inner: Any = None

    def original_flow(self, flow: np.ndarray) -> np.ndarray:
        """Flows on the links of ``original``, or of the turn-expanded network below signals."""
        out = np.zeros(self.original.n_links)
        keep = self.link_of >= 0
        np.add.at(out, self.link_of[keep], np.asarray(flow, dtype=np.float64)[keep])
        return self.inner.original_flow(out) if hasattr(self.inner, "original_flow") else out

    def link_flow(self, flow: np.ndarray) -> np.ndarray:
        """Flows on the street (and connector) links below ``original``."""
        out = np.zeros(self.original.n_links)
        keep = self.link_of >= 0
        np.add.at(out, self.link_of[keep], np.asarray(flow, dtype=np.float64)[keep])
        return self.inner.link_flow(out) if self.inner is not None else out

    def link_values(self, values: np.ndarray) -> np.ndarray:
        """Per-link times or costs of the links below ``original``, each approach's with its
        give-way line's added (a route's times still add up)."""
        values = np.asarray(values, dtype=np.float64)
        out = np.zeros(self.original.n_links)
        keep = self.link_of >= 0
        out[self.link_of[keep]] = values[keep]
        line = self.approach_of >= 0
        out[self.approach_of[line]] += values[line]
        return self.inner.link_values(out) if self.inner is not None else out

    def capacities(self, conflicting_veh_h: np.ndarray) -> np.ndarray:
        """Capacity of every stored give-way line (in stored order) at the conflicting flows of
        the yielding approaches (one per entry of ``junctions``; :meth:`Junctions.capacity`)."""
        cap = self.junctions.capacity(conflicting_veh_h, self.params)
        return cap[self.yielding[self.yielding >= 0]]

    def capacity_change(self, conflicting_veh_h: np.ndarray) -> float:
        """Largest relative difference between the give-way lines' capacities at the conflicting
        flows ``conflicting_veh_h`` (one per entry of ``junctions``) and the ones this network has
        (0 without give-way lines)."""
        line = self.yielding >= 0
        new = self.capacities(conflicting_veh_h)
        old = self.network.capacity[line]
        return float(np.max(np.abs(new - old) / old)) if new.size else 0.0

    def at_conflicting(self, conflicting_veh_h: np.ndarray) -> GiveWayNetwork:
        """This network with the give-way capacities (and zero-flow delays) of the conflicting
        flows ``conflicting_veh_h`` (veh/h, one per entry of ``junctions``)."""
        line = self.yielding >= 0
        new = self.capacities(conflicting_veh_h)
        cap = self.network.capacity.copy()
        fft = self.network.free_flow_time.copy()
        cap[line] = new
        rb = self.junctions.roundabout[self.yielding[line]]
        fft[line] = (3600.0 / new + np.where(rb, 0.0, TWO_WAY_STOP_DELAY_S)) * self.units_per_hour / 3600.0
        return replace(self, network=replace(self.network, capacity=cap, free_flow_time=fft))

    def updated(self, classified_flow: np.ndarray) -> tuple[GiveWayNetwork, float]:
        """This network with the give-way capacities (and zero-flow delays) of the conflicting
        flows in ``classified_flow`` (per link of the classified network, e.g. the street flows
        of the last assignment); also the largest relative change of a capacity."""
        vc = self.junctions.conflicting_flow(classified_flow)
        return self.at_conflicting(vc), self.capacity_change(vc)

    def lines(self, flow: np.ndarray, classified_flow: np.ndarray | None = None) -> Any:
        """One row per give-way line: node, approach link, rule, conflicting flow (of
        ``classified_flow``, when given), flow, capacity, degree of saturation, delay (unit of the network)."""
        import pandas as pd

        from twin.traffic.vdf import link_times

        e = np.flatnonzero(self.yielding >= 0)
        j = self.yielding[e]
        delay = link_times(self.network, flow)
        flow = np.asarray(flow, dtype=np.float64)
        frame = pd.DataFrame({"node_id": self.original.node_ids[self.original.to_node[self.approach_of[e]]],
                              "link_id": self.original.link_ids[self.approach_of[e]], "rule": self.junctions.rule[j], "flow": flow[e],
                              "capacity": self.network.capacity[e], "degree_of_saturation": flow[e] / self.network.capacity[e], "delay": delay[e]})  # fmt: skip
        if classified_flow is not None:
            frame.insert(3, "conflicting_flow", self.junctions.conflicting_flow(classified_flow)[j])
        return frame


def insert_give_way_lines(
    network: Network,
    lines: np.ndarray,
    yielding: np.ndarray,
    junctions: Junctions,
    *,
    params: GiveWayParameters | None = None,
    conflicting_veh_h: np.ndarray | None = None,
    time_unit: str | None = None,
    line_label: str = "giveway:",
    inner: Any = None,
) -> GiveWayNetwork:
    """Insert a zero-length give-way line after each stored link ``lines`` of ``network``.

    Parameters
    ----------
    network
        The network to insert in (it may be turn-expanded or have stop lines already).
    lines
        Stored indices of ``network``'s links that get a give-way line.
    yielding
        For each of ``lines``, its entry in ``junctions`` (the approach it is, or a copy of).
    junctions
        The yielding approaches (:func:`classify_junctions`).
    params
        Gap-acceptance parameters (default :class:`GiveWayParameters`).
    conflicting_veh_h
        Conflicting flow of every entry of ``junctions`` (default 0: capacity ``3600 / t_f``, at a
        roundabout entry 1130 veh/h).
    time_unit
        ``s``, ``min`` or ``h``: the unit of the network's times (default: the network's).
    line_label
        Prefix of the give-way lines' link ids (followed by the approach's id).
    inner
        The map from ``network`` to its street links (see :class:`GiveWayNetwork`).

    Returns
    -------
    GiveWayNetwork

    Raises
    ------
    InputError
        Bad parameters, an unsupported time unit, a link listed twice or outside the network.
    """
    params = params or GiveWayParameters()
    params.check()
    unit = network.time_unit if time_unit is None else time_unit
    if unit not in VDF_GIVE_WAY:
        raise InputError(f"give-way delay needs a network timed in s, min or h, got {unit!r} (name it with time_unit=)", field="time_unit")
    split = np.asarray(lines, dtype=np.int64)
    yielding = np.asarray(yielding, dtype=np.int64)
    if split.shape != yielding.shape:
        raise InputError(f"{split.size} give-way lines but {yielding.size} yielding entries", field="yielding")
    if split.size and (split.min() < 0 or split.max() >= network.n_links or np.unique(split).size != split.size):
        raise InputError("give-way lines must be distinct stored links of the network", field="lines")
    vc = np.zeros(junctions.approach.size) if conflicting_veh_h is None else np.asarray(conflicting_veh_h, dtype=np.float64)
    if yielding.size and (yielding.min() < 0 or yielding.max() >= junctions.approach.size):
        raise InputError(f"yielding entries must be in 0..{junctions.approach.size - 1}", field="yielding")
    rb = junctions.roundabout[yielding]
    cap = junctions.capacity(vc, params)[yielding]
    t0_s = 3600.0 / cap + np.where(rb, 0.0, TWO_WAY_STOP_DELAY_S)  # delay at zero flow: Eq. 19-64, or Eq. 21-17 at a roundabout entry
    ramp_s = np.where(rb, ROUNDABOUT_SATURATION_DELAY_S, 0.0)  # the beta slot: coefficient of min(x, 1)
    per_h = UNITS_PER_HOUR[unit]
    m, n, k = network.n_links, network.n_nodes, split.size
    to_node = network.to_node.astype(np.int64).copy()
    head = to_node[split].copy()
    to_node[split] = n + np.arange(k)

    def cat(a: np.ndarray, extra: Any, dtype: Any) -> np.ndarray:
        return np.concatenate([np.asarray(a, dtype=dtype), np.broadcast_to(np.asarray(extra, dtype=dtype), (k,))])

    meta = {key: v for key, v in network.meta.items() if not key.startswith("_") and key not in ("link_index", *LINK_META)}
    new_nodes = np.array([f"{network.node_ids[head[i]]}:giveway:{network.link_ids[s]}" for i, s in enumerate(split.tolist())], dtype=object)
    built = Network.build(
        node_ids=np.concatenate([np.asarray(network.node_ids, dtype=object), new_nodes]),
        link_ids=np.arange(m + k), from_node=np.r_[network.from_node.astype(np.int64), n + np.arange(k)], to_node=np.r_[to_node, head],
        free_flow_time=cat(network.free_flow_time, t0_s * per_h / 3600.0, np.float64), capacity=cat(network.capacity, cap, np.float64),
        length=cat(network.length, 0.0, np.float64), alpha=cat(network.alpha, params.period_h * per_h, np.float64), beta=cat(network.beta, ramp_s * per_h / 3600.0, np.float64),
        toll=cat(network.toll, 0.0, np.float64), link_type=cat(network.link_type, 0, np.int32), vdf=cat(network.vdf, VDF_GIVE_WAY[unit], np.int8),
        fixed_cost=cat(network.fixed_cost, 0.0, np.float64), n_zones=network.n_zones, first_thru_node=network.first_thru_node, time_unit=network.time_unit,
        length_unit=network.length_unit, name=f"{network.name} (give-way)", meta=meta,
    )  # fmt: skip
    order = built.link_ids.astype(np.int64)
    ids = np.concatenate([np.asarray(network.link_ids, dtype=object), np.array([f"{line_label}{network.link_ids[s]}" for s in split.tolist()], dtype=object)])
    link_of = np.r_[np.arange(m), np.full(k, -1)][order]
    approach_of = np.r_[np.full(m, -1), split][order]
    which = np.r_[np.full(m, -1), yielding][order]
    return GiveWayNetwork(replace(built, link_ids=ids[order]), network, link_of, approach_of, which, junctions, params, per_h, inner)


def add_give_way(
    network: Network,
    junctions: Junctions,
    *,
    params: GiveWayParameters | None = None,
    conflicting_veh_h: np.ndarray | None = None,
    time_unit: str | None = None,
) -> GiveWayNetwork:
    """``network`` (the classified one) with a give-way line on every yielding approach of
    ``junctions`` (:func:`insert_give_way_lines`, ids ``giveway:<approach id>``)."""
    return insert_give_way_lines(network, junctions.approach, np.arange(junctions.approach.size), junctions, params=params,
                                 conflicting_veh_h=conflicting_veh_h, time_unit=time_unit)  # fmt: skip


def assign_with_give_way(gw: GiveWayNetwork, demand: Any, *, tolerance: float | None = None, max_passes: int | None = None,
                         **kwargs: Any) -> tuple[GiveWayNetwork, Any, Any]:
    """Assign on ``gw.network`` until the give-way capacities agree with their own conflicting
    flows (:func:`twin.traffic.give_way_fixed_point.solve_give_way`; ``tolerance`` and
    ``max_passes`` default to its :data:`~twin.traffic.give_way_fixed_point.TOLERANCE` and
    :data:`~twin.traffic.give_way_fixed_point.MAX_PASSES`; ``kwargs`` to
    :func:`twin.traffic.assign.assign`). Returns the network of the last assignment, its result
    and the :class:`~twin.traffic.give_way_fixed_point.GiveWayConvergence` (passes, the residual
    of each, converged or not). ``gw.inner`` must be None (``original`` is the classified network)."""
    from twin.traffic.assign import assign
    from twin.traffic.give_way_fixed_point import MAX_PASSES, TOLERANCE, solve_give_way

    return solve_give_way(gw, lambda network: assign(network, demand, **kwargs), tolerance=TOLERANCE if tolerance is None else tolerance,
                          max_passes=MAX_PASSES if max_passes is None else max_passes)  # fmt: skip


__all__ = ["APPROACH_SIGNS", "NODE_SIGNS", "RING_JUNCTIONS", "GiveWayNetwork", "GiveWayParameters", "Junctions", "add_give_way", "add_scene_give_way",
           "base_links_of", "assign_with_give_way", "classify_junctions", "insert_give_way_lines", "junction_counts_text", "potential_capacity", "ring_links", "road_rank",
           "roundabout_capacity", "scene_junction", "scene_junctions", "scene_lanes", "scene_sign",
           # of twin.traffic.roundabout, kept importable from here
           "MIN_CAPACITY_VEH_H", "ROUNDABOUT_DECAY_H_VEH", "ROUNDABOUT_DECAY_TWO_H_VEH", "ROUNDABOUT_DECAY_TWO_LEFT_H_VEH", "ROUNDABOUT_INTERCEPT_VEH_H",
           "ROUNDABOUT_MAX_LANES"]  # fmt: skip
