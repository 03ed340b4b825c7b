"""Turning movements of a scene's street network: what each turn is, what it costs, what it carries.

A *movement* is a turn ``(in_link, out_link)`` at a node: every link entering the node with every
link leaving it (:func:`twin.traffic.turns.turn_pairs`). Its kind (``straight``, ``left``,
``right``, ``u_turn``; right-hand traffic, the angle rule of
:func:`twin.traffic.turns.turn_kind_codes`) comes from the street geometry, not from the straight
line between the nodes: the heading on arrival is the direction from the point ``reach_m``
(default 20 m) before the end of the in-link to its end, the heading on departure that from the
start of the out-link to the point ``reach_m`` along it (the whole link when shorter), so that a
curved street is judged by how it meets the junction. A movement back onto the in-link's tail
node is a U-turn whatever its angle. A link of zero length has no heading; its movements count
as straight.

:func:`movement_penalties` gives each movement the default penalty of its kind
(:data:`twin.traffic.turns.DEFAULT_TURN_PENALTIES_S`), for
:func:`twin.traffic.turns.expand_turns`; :func:`movement_table` tabulates the movements of an
assignment on the turn-expanded network (flow per movement, whether it is allowed, its penalty).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from twin.errors import InputError
from twin.traffic.network import Network
from twin.traffic.turns import TURN_KINDS, TurnNetwork, check_turn_penalties_s, turn_kind_codes, turn_pairs

HEADING_REACH_M = 20.0
"""Length of street (m) over which the heading into and out of a junction is taken."""

MOVEMENT_COLUMNS = ("node_id", "in_link_id", "out_link_id", "movement", "allowed", "penalty_s", "signalised", "flow_veh_h")
"""Columns of the turning-movement table (:func:`movement_table`)."""


@dataclass(frozen=True)
class Movements:
    """The movements of a network: turn ``k`` runs from ``in_link[k]`` to ``out_link[k]`` (stored
    link indices) and is of kind ``TURN_KINDS[kind[k]]``."""

    in_link: np.ndarray
    out_link: np.ndarray
    kind: np.ndarray

    def __len__(self) -> int:
        return int(self.in_link.size)


def link_headings(scene: Any, network: Network, reach_m: float = HEADING_REACH_M, links: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Headings (dx, dy) of the stored links of ``network`` on arriving at their head and on
    leaving their tail, from the geometry of the scene's ``links`` layer (scene CRS, metres).

    A geometry drawn from the link's ``to_node`` to its ``from_node`` (nearer the to-node's point
    at its start, when the scene's nodes have points) is read the other way round. ``links``
    (n_links,) bool: only these links (e.g. the streets of a network that also has zone
    connectors, which have no geometry in the scene); the others get (0, 0). None: every link.

    Returns
    -------
    arrive, leave : ndarray (m, 2)
        Not normalised; (0, 0) for a link of zero length.

    Raises
    ------
    InputError
        ``reach_m`` not a finite number > 0; a link asked for without a geometry in the scene.
    """
    import shapely

    if not (np.isfinite(reach_m) and reach_m > 0):
        raise InputError(f"must be a finite number > 0 m, got {reach_m}", field="reach_m")
    rows = np.arange(network.n_links) if links is None else np.flatnonzero(links)
    arrive_all = np.zeros((network.n_links, 2))
    leave_all = np.zeros((network.n_links, 2))
    table = scene.links.drop_duplicates("link_id").set_index("link_id")
    geoms = table.geometry.reindex(network.link_ids[rows]).to_numpy()
    missing = np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if missing.size:
        raise InputError("the link has no geometry: the kind of its turns is unknown", obj=f"link {network.link_ids[rows[missing[0]]]}", field="geometry")
    nodes = scene.nodes
    if "node_id" in nodes.columns and getattr(nodes, "geometry", None) is not None and len(nodes):
        points = nodes.drop_duplicates("node_id").set_index("node_id").geometry.reindex(network.node_ids[network.from_node[rows]]).to_numpy()
        known = ~shapely.is_missing(points)
        backwards = np.zeros(len(geoms), dtype=bool)
        backwards[known] = shapely.distance(shapely.get_point(geoms[known], 0), points[known]) > shapely.distance(shapely.get_point(geoms[known], -1), points[known])
        geoms = np.where(backwards, shapely.reverse(geoms), geoms)
    length = shapely.length(geoms)
    start, end = shapely.get_point(geoms, 0), shapely.get_point(geoms, -1)
    before_end = shapely.line_interpolate_point(geoms, np.maximum(length - reach_m, 0.0))
    after_start = shapely.line_interpolate_point(geoms, np.minimum(reach_m, length))
    arrive_all[rows] = shapely.get_coordinates(end) - shapely.get_coordinates(before_end)
    leave_all[rows] = shapely.get_coordinates(after_start) - shapely.get_coordinates(start)
    return arrive_all, leave_all


def scene_movements(scene: Any, network: Network, reach_m: float = HEADING_REACH_M, links: np.ndarray | None = None) -> Movements:
    """Every movement at the through nodes of ``network`` (a network of ``scene``,
    :meth:`~twin.traffic.network.Network.from_scene`) with its kind from the scene's geometry;
    with ``links`` ((n_links,) bool), only the movements from such a link to such a link (e.g.
    street to street, leaving out zone connectors)."""
    in_link, out_link = turn_pairs(network)
    if links is not None:
        keep = np.asarray(links, dtype=bool)
        both = keep[in_link] & keep[out_link]
        in_link, out_link = in_link[both], out_link[both]
    arrive, leave = link_headings(scene, network, reach_m, links)
    kind = turn_kind_codes(arrive[in_link, 0], arrive[in_link, 1], leave[out_link, 0], leave[out_link, 1])
    kind[network.to_node[out_link] == network.from_node[in_link]] = TURN_KINDS.index("u_turn")
    return Movements(in_link, out_link, kind)


def movement_penalties(movements: Movements, penalties_s: Mapping[str, float] | None = None) -> dict[tuple[int, int], float]:
    """Penalty (s) of each movement by its kind, for ``expand_turns(penalties=...)`` on a network
    timed in seconds; ``penalties_s`` overrides :data:`~twin.traffic.turns.DEFAULT_TURN_PENALTIES_S`
    per kind. Movements of penalty 0 are left out."""
    pen = check_turn_penalties_s(penalties_s)
    by_code = np.array([pen[k] for k in TURN_KINDS])[movements.kind]
    keep = np.flatnonzero(by_code > 0)
    return {(int(movements.in_link[k]), int(movements.out_link[k])): float(by_code[k]) for k in keep}


def movement_flows(movements: Movements, turns: TurnNetwork, expanded_flow: np.ndarray) -> np.ndarray:
    """Flow of each movement: the flows of its turn links in ``turns`` (``expanded_flow``, one per
    link of ``turns.network``), summed over the copies of via links; 0 for a banned movement.

    Raises
    ------
    InputError
        ``expanded_flow`` not one value per link of the expanded network.
    """
    if np.shape(expanded_flow) != (turns.network.n_links,):
        raise InputError(f"expanded flows must be one value per link of the turn-expanded network ({turns.network.n_links})", field="expanded_flow")
    by_turn = turns.turn_flow(np.asarray(expanded_flow, dtype=np.float64))
    return np.array([by_turn.get(p, 0.0) for p in zip(movements.in_link.tolist(), movements.out_link.tolist(), strict=True)], dtype=np.float64)


def movement_frame(
    network: Network,
    movements: Movements,
    *,
    banned: Collection[tuple[int, int]] = (),
    penalties: Mapping[tuple[int, int], float] | None = None,
    signalised: Collection[Any] = (),
) -> Any:
    """One row per movement, without flows: node, links, kind, whether it is allowed (False:
    banned by a turn restriction), penalty (s), whether the node has a signal."""
    import pandas as pd

    pairs = list(zip(movements.in_link.tolist(), movements.out_link.tolist(), strict=True))
    ban, pen, signal = set(banned), dict(penalties or {}), set(signalised)
    node = network.node_ids[network.to_node[movements.in_link]]
    return pd.DataFrame(
        {
            "node_id": node,
            "in_link_id": network.link_ids[movements.in_link],
            "out_link_id": network.link_ids[movements.out_link],
            "movement": pd.Categorical.from_codes(movements.kind, categories=list(TURN_KINDS)),
            "allowed": np.array([p not in ban for p in pairs], dtype=bool),
            "penalty_s": np.array([pen.get(p, 0.0) for p in pairs], dtype=np.float64),
            "signalised": np.array([n in signal for n in node.tolist()], dtype=bool),
        }
    )


def movement_table(
    network: Network,
    movements: Movements,
    turns: TurnNetwork,
    expanded_flow: np.ndarray,
    *,
    banned: Collection[tuple[int, int]] = (),
    penalties: Mapping[tuple[int, int], float] | None = None,
    signalised: Collection[Any] = (),
) -> Any:
    """One row per movement (:data:`MOVEMENT_COLUMNS`): :func:`movement_frame` and the flow of
    :func:`movement_flows` (``flow_veh_h``, in the demand's unit, veh/h)."""
    flow = movement_flows(movements, turns, expanded_flow)
    frame = movement_frame(network, movements, banned=banned, penalties=penalties, signalised=signalised)
    frame["flow_veh_h"] = flow
    return frame


__all__ = ["HEADING_REACH_M", "MOVEMENT_COLUMNS", "Movements", "link_headings", "movement_flows", "movement_frame", "movement_penalties", "movement_table", "scene_movements"]
