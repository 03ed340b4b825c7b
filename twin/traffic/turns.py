"""Turn restrictions and turn penalties by network expansion, and OSM ``restriction`` relations.

Expansion (the classic turn-expanded graph, e.g. Caldwell 1961; Kirby & Potts 1969): every node
``v`` is split into one *arrival* node per link entering it and one *departure* node per link
leaving it; link ``k = (u, v)`` runs from its departure node at ``u`` to its arrival node at
``v`` with all its attributes (delay function, capacity, fixed cost); a *turn link* from the
arrival node of ``i`` to the departure node of ``j`` exists for every allowed turn ``i -> j`` at
``v`` and costs the turn penalty (constant, no congestion). Zone nodes stay as they are and are
joined to their departure / arrival nodes by zero-cost connectors; they are never through nodes
in the expanded network, and through movements at a zone that may be passed through use turn
links like any other node. Every assignment algorithm (Algorithm B, Frank-Wolfe, multi-class,
select-link) runs unchanged on the expanded network; :meth:`TurnNetwork.link_flow` maps flows
(and :meth:`TurnNetwork.link_values` costs and times) back to the original links and :meth:`TurnNetwork.turn_flow` gives the turning movements.

Defaults: every turn allowed at no penalty; ``u_turn_penalty`` (same unit as link times; ``inf``
bans U-turns, i.e. ``j`` going back to the tail of ``i``). :func:`angle_penalties` classifies
every turn by the angle between the in-link's and the out-link's headings from node coordinates
(right-hand traffic: more than 45 degrees counter-clockwise is a left turn, more than 45 degrees
clockwise a right turn, beyond 160 degrees either way a U-turn) and gives the penalties of
:data:`DEFAULT_TURN_PENALTIES_S` (left 10 s, right 5 s, straight 0, U-turn 30 s; planning
defaults of the order used by VISUM/Aimsun-style junction models, to be calibrated).

OSM: relations with ``type=restriction`` (:func:`read_osm_restrictions`); ``no_*`` bans the turn
from the ``from`` way to the ``to`` way at the ``via`` node, ``only_*`` bans every other turn
out of the ``from`` way at that node (OSM wiki, Relation:restriction). Restrictions with
``via`` ways ban a *sequence* of links, not a turn (:class:`SequenceBan`,
:func:`via_way_sequences`): ``expand_turns(..., sequences=...)`` gives the via links entered from
the from way a copy (the usual node-splitting of path-based turn restrictions: a second arrival
and departure node per via link, reachable only by the turn out of the from way's link) whose exit
into the to way is missing (``no_*``) or is its only exit (``only_*``); every other exit of a copy
is that of the original link. The copies are links of the expanded network mapped to their
original (:attr:`TurnNetwork.link_of`), so :meth:`TurnNetwork.link_flow` sums their flows onto the
original links. :func:`osm_banned_turns` maps the via-node restrictions only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from twin.errors import InputError
from twin.io.osm_relations import OsmRestriction, OsmRestrictions
from twin.traffic.network import Network

DEFAULT_TURN_PENALTIES_S = {"left": 10.0, "right": 5.0, "straight": 0.0, "u_turn": 30.0}
"""Default turn penalties, s (see the module docstring)."""


TURN_KINDS = ("straight", "left", "right", "u_turn")
"""Turn kinds, in the order of the codes of :func:`turn_kind_codes`."""


def turn_kind_codes(dx_in: np.ndarray, dy_in: np.ndarray, dx_out: np.ndarray, dy_out: np.ndarray) -> np.ndarray:
    """Index into :data:`TURN_KINDS` of each turn with headings (dx, dy) in and out (y north).

    Right-hand traffic: the signed angle from the heading in to the heading out, counter-clockwise
    positive; beyond 160 degrees either way a U-turn, above 45 degrees a left turn, below -45
    degrees a right turn, else straight on.
    """
    dx_in, dy_in, dx_out, dy_out = (np.asarray(a, dtype=np.float64) for a in (dx_in, dy_in, dx_out, dy_out))
    angle = np.degrees(np.arctan2(dx_in * dy_out - dy_in * dx_out, dx_in * dx_out + dy_in * dy_out))
    return np.select([np.abs(angle) > 160.0, angle > 45.0, angle < -45.0], [3, 1, 2], 0).astype(np.int8)


def turn_kind(dx_in: float, dy_in: float, dx_out: float, dy_out: float) -> str:
    """``left``, ``right``, ``straight`` or ``u_turn`` for headings (dx, dy) in and out (y north)."""
    return TURN_KINDS[int(turn_kind_codes(dx_in, dy_in, dx_out, dy_out))]


def check_turn_penalties_s(penalties_s: Mapping[str, float] | None) -> dict[str, float]:
    """:data:`DEFAULT_TURN_PENALTIES_S` updated with ``penalties_s`` (s per turn kind), checked.

    Raises
    ------
    InputError
        A key that is not a turn kind, or a value that is not a finite number >= 0.
    """
    pen = {**DEFAULT_TURN_PENALTIES_S, **(penalties_s or {})}
    for key, value in pen.items():
        if key not in DEFAULT_TURN_PENALTIES_S or not (np.isfinite(value) and value >= 0):
            raise InputError(f"turn penalty {key!r} must be one of {sorted(DEFAULT_TURN_PENALTIES_S)} with a finite value >= 0 s, got {value}", field="penalties_s")
    return pen


def turn_pairs(network: Network) -> tuple[np.ndarray, np.ndarray]:
    """Every turn ``(in_link, out_link)`` (stored link indices) at the network's through nodes:
    each link entering a node ``v >= first_thru_node`` with each link leaving it (U-turns included).

    Returns
    -------
    in_link, out_link : ndarray of int64
        One entry per turn, ordered by in-link, then out-link.
    """
    to = network.to_node.astype(np.int64)
    start = network.out_start.astype(np.int64)
    through = to >= network.first_thru_node
    count = np.where(through, start[to + 1] - start[to], 0)
    in_link = np.repeat(np.arange(network.n_links, dtype=np.int64), count)
    offset = np.arange(in_link.size, dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
    return in_link, start[to[in_link]] + offset


def angle_penalties(network: Network, x: np.ndarray, y: np.ndarray, penalties_s: Mapping[str, float] | None = None, *, seconds_per_unit: float = 60.0) -> dict[tuple[int, int], float]:
    """Penalty of every turn from node coordinates ``x``, ``y`` (m, any metric CRS; one per node).

    ``penalties_s`` maps ``left``/``right``/``straight``/``u_turn`` to seconds (default
    :data:`DEFAULT_TURN_PENALTIES_S`); the result is in the network's time unit
    (``seconds_per_unit`` s per unit: 60 for minutes). Turns at zone nodes are left out.
    """
    pen = check_turn_penalties_s(penalties_s)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != (network.n_nodes,) or y.shape != (network.n_nodes,) or not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise InputError(f"node coordinates must be {network.n_nodes} finite x and y values", field="x")
    frm = network.from_node.astype(np.int64)
    to = network.to_node.astype(np.int64)
    i, j = turn_pairs(network)
    v = to[i]
    kind = turn_kind_codes(x[v] - x[frm[i]], y[v] - y[frm[i]], x[to[j]] - x[v], y[to[j]] - y[v])
    kind[to[j] == frm[i]] = TURN_KINDS.index("u_turn")
    value = np.array([pen[k] for k in TURN_KINDS])[kind] / seconds_per_unit
    keep = np.flatnonzero(value > 0)
    return dict(zip(zip(i[keep].tolist(), j[keep].tolist(), strict=True), value[keep].tolist(), strict=True))


def osm_banned_turns(network: Network, restrictions: OsmRestrictions | Iterable[OsmRestriction]) -> list[tuple[int, int]]:
    """Banned turns ``(in_link, out_link)`` (stored indices) of OSM restrictions on ``network``.

    The network's node ids must be OSM node ids and ``network.meta['osm_way_id']`` give the way
    of every link. Restrictions with via ways are ignored.

    Raises
    ------
    InputError
        No ``osm_way_id`` on the network, or a restriction whose ``from`` way does not enter, or
        ``to`` way does not leave, its ``via`` node in the network (ways and node that do not meet).
    """
    items = restrictions.restrictions if isinstance(restrictions, OsmRestrictions) else list(restrictions)
    ways = network_way_ids(network)
    node_of = {str(v): k for k, v in enumerate(network.node_ids)}
    banned: list[tuple[int, int]] = []
    for r in items:
        if r.via_node is None:
            continue
        v = node_of.get(str(r.via_node))
        turns = restriction_turns(network, ways, v, r.from_way, r.to_way, mandatory=r.mandatory) if v is not None else None
        if turns is None:
            raise InputError(
                f"turn restriction {r.kind}: from way {r.from_way} and to way {r.to_way} do not meet at via node {r.via_node} in the network",
                obj=f"relation {r.relation_id}",
                field="via",
            )
        banned += turns
    return banned


def network_way_ids(network: Network) -> np.ndarray:
    """``network.meta['osm_way_id']`` as int64 (one per stored link; -1 for a link of no way).

    Raises
    ------
    InputError
        The network has no ``osm_way_id``, or not one per link.
    """
    ways = network.meta.get("osm_way_id")
    if ways is None:
        raise InputError("OSM turn restrictions need a network with meta['osm_way_id'] per link", field="osm_way_id")
    ways = np.asarray([int(w) for w in ways], dtype=np.int64)
    if ways.shape != (network.n_links,):
        raise InputError(f"meta['osm_way_id'] needs one way id per link ({network.n_links}), got {ways.size}", field="osm_way_id")
    return ways


def restriction_turns(network: Network, ways: np.ndarray, via: int, from_way: int, to_way: int, *, mandatory: bool) -> list[tuple[int, int]] | None:
    """Banned turns ``(in_link, out_link)`` of one restriction at node index ``via``.

    ``ways``: OSM way id of every stored link (:func:`network_way_ids`). ``no_*`` bans the
    turns from the links of ``from_way`` entering ``via`` to the links of ``to_way`` leaving it;
    ``only_*`` (``mandatory``) bans every other turn out of those in-links at ``via``. None when
    no link of ``from_way`` enters or no link of ``to_way`` leaves ``via`` (the ways do not meet
    there in this network).
    """
    ins = np.flatnonzero((ways == from_way) & (network.to_node == via))
    outs = np.flatnonzero((ways == to_way) & (network.from_node == via))
    if ins.size == 0 or outs.size == 0:
        return None
    if mandatory:
        allowed = set(outs.tolist())
        others = [j for j in range(int(network.out_start[via]), int(network.out_start[via + 1])) if j not in allowed]
        return [(int(i), int(j)) for i in ins for j in others]
    return [(int(i), int(j)) for i in ins for j in outs]


MAX_VIA_LINKS = 64
"""Longest via path followed for a via-way restriction, links (a guard on malformed chains)."""


@dataclass(frozen=True)
class SequenceBan:
    """A via-way restriction on a network: the link sequence ``entry -> via[0] -> ... -> via[-1]``
    followed by a link of ``exits`` (leaving the head of ``via[-1]``) is banned (``only`` False,
    ``no_*``), or those exits are the only way out of that sequence (``only`` True, ``only_*``).
    Stored link indices."""

    entry: int
    via: tuple[int, ...]
    exits: frozenset[int]
    only: bool


def via_way_sequences(network: Network, ways: np.ndarray, from_way: int, via_ways: Sequence[int], to_way: int, *, mandatory: bool) -> list[SequenceBan] | None:
    """The :class:`SequenceBan` of one via-way restriction on ``network``.

    ``ways``: OSM way id of every stored link (:func:`network_way_ids`). A via path starts with a
    link of ``via_ways[0]`` leaving the head of a link of ``from_way``, follows the links of each
    via way in turn (never straight back along the link it came on, never through a node twice,
    at most :data:`MAX_VIA_LINKS` links) and ends at a node that a link of ``to_way`` leaves,
    after at least one link of the last via way. None when no such path exists (the chain does
    not join the from way to the to way in this network).
    """
    chain = [int(w) for w in via_ways]
    frm = network.from_node.astype(np.int64)
    to = network.to_node.astype(np.int64)
    out: list[SequenceBan] = []

    def leaving(node: int) -> range:
        return range(int(network.out_start[node]), int(network.out_start[node + 1]))

    for entry in np.flatnonzero(ways == from_way).tolist():
        stack = [((j,), 0) for j in leaving(int(to[entry])) if ways[j] == chain[0] and to[j] != frm[entry]]
        while stack:
            path, k = stack.pop()
            last = path[-1]
            head = int(to[last])
            if k == len(chain) - 1:
                exits = frozenset(j for j in leaving(head) if ways[j] == to_way and to[j] != frm[last])
                if exits:
                    out.append(SequenceBan(int(entry), tuple(int(v) for v in path), exits, mandatory))
            if len(path) >= MAX_VIA_LINKS:
                continue
            seen = {int(frm[entry])} | {int(frm[v]) for v in path} | {head}
            for j in leaving(head):
                if int(to[j]) in seen:
                    continue
                if ways[j] == chain[k]:
                    stack.append(((*path, j), k))
                elif k + 1 < len(chain) and ways[j] == chain[k + 1]:
                    stack.append(((*path, j), k + 1))
    return out or None


@dataclass(eq=False)
class TurnNetwork:
    """A turn-expanded network and the maps back to the original one.

    ``link_of[e]``: original link of expanded link ``e`` (-1 for turn links and connectors);
    ``turn_of[e]``: ``(in_link, out_link)`` of a turn link (``(-1, -1)`` otherwise);
    ``copy_link[e]``: True for the copies of via links made for via-way restrictions (their
    ``link_of`` is the link they copy; None: no copies).
    """

    network: Network
    original: Network
    link_of: np.ndarray
    turn_of: np.ndarray
    copy_link: np.ndarray | None = None

    def link_flow(self, flow: np.ndarray) -> np.ndarray:
        """Original link flows from expanded link flows."""
        out = np.zeros(self.original.n_links)
        keep = self.link_of >= 0
        np.add.at(out, self.link_of[keep], flow[keep])
        return out

    def link_values(self, values: np.ndarray) -> np.ndarray:
        """Per-link quantities of the original links (cost, time, ...; not summed like flows) from
        those of the expanded links: each original link takes the value of its own expanded link
        (not of its via-way copies, whose flows and so congested times are their own)."""
        out = np.zeros(self.original.n_links)
        keep = self.link_of >= 0
        if self.copy_link is not None:
            keep &= ~self.copy_link
        out[self.link_of[keep]] = np.asarray(values)[keep]
        return out

    def turn_flow(self, flow: np.ndarray) -> dict[tuple[int, int], float]:
        """Turning movements ``{(in_link, out_link): flow}`` with a flow > 0 (a movement out of a
        via link's copy is added to the same movement out of the link)."""
        out: dict[tuple[int, int], float] = {}
        for e in np.flatnonzero((self.turn_of[:, 0] >= 0) & (flow > 0)).tolist():
            key = (int(self.turn_of[e, 0]), int(self.turn_of[e, 1]))
            out[key] = out.get(key, 0.0) + float(flow[e])
        return out


def check_turn(network: Network, pair: tuple[int, int], what: str) -> tuple[int, int]:
    """``(in_link, out_link)`` as stored link indices, checked: both in range, meeting at a node.

    Raises
    ------
    InputError
        A link index out of range, or links that do not meet (the in-link's head is not the
        out-link's tail); names both links and ``what`` (e.g. ``"banned turn"``).
    """
    m = network.n_links
    try:
        i, j = (int(x) for x in pair)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a pair (in_link, out_link) of link indices, got {pair!r}", field=what) from None
    if not (0 <= i < m and 0 <= j < m):
        raise InputError(f"{what} ({i}, {j}): link index outside 0..{m - 1}", field=what)
    to_i = int(network.to_node[i])
    from_j = int(network.from_node[j])
    if to_i != from_j:
        raise InputError(
            f"{what} from link {network.link_ids[i]} to link {network.link_ids[j]}: the links do not meet at a node "
            f"(link {network.link_ids[i]} ends at node {network.node_ids[to_i]}, link {network.link_ids[j]} starts at node {network.node_ids[from_j]})",
            obj=f"turn {network.link_ids[i]} -> {network.link_ids[j]}",
            field=what,
        )
    return i, j


def expand_turns(
    network: Network,
    *,
    banned: Iterable[tuple[int, int]] = (),
    penalties: Mapping[tuple[int, int], float] | None = None,
    u_turn_penalty: float | None = None,
    sequences: Iterable[SequenceBan] = (),
) -> TurnNetwork:
    """The turn-expanded network of ``network`` (see the module docstring).

    Parameters
    ----------
    banned
        Turns ``(in_link, out_link)`` (stored link indices) that are not allowed.
    penalties
        Penalty of individual turns, in the network's time unit (finite, >= 0).
    u_turn_penalty
        Penalty of every U-turn (``inf`` bans them); None: U-turns allowed at no cost.
    sequences
        Via-way restrictions (:class:`SequenceBan`): the via links entered from ``entry`` get
        copies (one per distinct via path prefix from an entry, shared by the restrictions
        that start alike); a copy's exits are those of its link, less the banned exits of the
        ``no_*`` sequences that end there, and only the next via link (along the way) or the
        exits (at the end) of the ``only_*`` ones. Turn bans, penalties and U-turn rules apply
        to the copies' turns as to their links'. A sequence through a banned turn or a node
        that is not a through node is left out (nothing to ban).

    Raises
    ------
    InputError
        A banned or penalised turn whose links do not meet at a node (the in-link's head is not
        the out-link's tail), a link index out of range, a negative or non-finite penalty, a
        sequence whose links do not follow one another.
    """
    m = network.n_links
    frm = network.from_node.astype(np.int64)
    to = network.to_node.astype(np.int64)
    ban = {check_turn(network, p, "banned turn") for p in banned}
    pen: dict[tuple[int, int], float] = {}
    for p, value in (penalties or {}).items():
        key = check_turn(network, p, "turn penalty")
        if not (np.isfinite(value) and value >= 0):
            raise InputError(f"turn penalty must be a finite number >= 0, got {value}", obj=f"turn {network.link_ids[key[0]]} -> {network.link_ids[key[1]]}", field="turn penalty")
        pen[key] = float(value)
    if u_turn_penalty is not None and not (u_turn_penalty >= 0):
        raise InputError(f"U-turn penalty must be >= 0 (inf bans U-turns), got {u_turn_penalty}", field="u_turn_penalty")

    def turn_cost(i: int, j: int) -> float | None:
        """Cost of the turn i -> j, None when it is not allowed."""
        if (i, j) in ban:
            return None
        c = pen.get((i, j), 0.0)
        if to[j] == frm[i] and u_turn_penalty is not None:
            if not np.isfinite(u_turn_penalty):
                return None
            c += float(u_turn_penalty)
        return c

    copies = _via_copies(network, sequences, turn_cost)
    z = network.n_zones
    ids = network.node_ids
    node_ids: list[str] = [str(ids[v]) for v in range(z)]
    arr_node = np.arange(m) + z  # arrival node of link k at its head
    dep_node = np.arange(m) + z + m  # departure node of link k at its tail
    node_ids += [f"{ids[to[k]]}:in:{network.link_ids[k]}" for k in range(m)]
    node_ids += [f"{ids[frm[k]]}:out:{network.link_ids[k]}" for k in range(m)]
    tails: list[int] = list(dep_node)
    heads: list[int] = list(arr_node)
    link_of: list[int] = list(range(m))
    turn_of: list[tuple[int, int]] = [(-1, -1)] * m
    cost: list[float] = [0.0] * m

    def add(tail: int, head: int, link: int, turn: tuple[int, int], c: float) -> None:
        tails.append(tail)
        heads.append(head)
        link_of.append(link)
        turn_of.append(turn)
        cost.append(c)

    for v in range(network.n_nodes):
        ins = network.in_link[network.in_start[v] : network.in_start[v + 1]].astype(np.int64)
        outs = np.arange(network.out_start[v], network.out_start[v + 1])
        if v < z:
            for j in outs:
                add(v, int(dep_node[j]), -1, (-1, -1), 0.0)
            for i in ins:
                add(int(arr_node[i]), v, -1, (-1, -1), 0.0)
        if v < network.first_thru_node:
            continue  # zones that are not through nodes: no turns
        for i in ins:
            for j in outs:
                c = turn_cost(int(i), int(j))
                if c is None or (int(i), int(j)) in copies.entered:
                    continue
                add(int(arr_node[i]), int(dep_node[j]), -1, (int(i), int(j)), c)
    # via-way copies: a departure and an arrival node per copy, the copy link, its entry turn and its exits
    first_copy_node = len(node_ids)
    n_copy = len(copies.link)
    node_ids += [f"{ids[frm[k]]}:out:{network.link_ids[k]}:via{c}" for c, k in enumerate(copies.link)]
    node_ids += [f"{ids[to[k]]}:in:{network.link_ids[k]}:via{c}" for c, k in enumerate(copies.link)]
    copy_dep = first_copy_node + np.arange(n_copy)
    copy_arr = first_copy_node + n_copy + np.arange(n_copy)
    n_plain = len(tails)
    for c, k in enumerate(copies.link):
        add(int(copy_dep[c]), int(copy_arr[c]), k, (-1, -1), 0.0)
    for c, (k, (tail_link, c_entry)) in enumerate(zip(copies.link, copies.entered_from, strict=True)):
        tail = int(arr_node[tail_link]) if copies.parent[c] < 0 else int(copy_arr[copies.parent[c]])
        if c_entry is not None:
            add(tail, int(copy_dep[c]), -1, (tail_link, k), c_entry)
        head = int(to[k])
        if head < z:
            add(int(copy_arr[c]), head, -1, (-1, -1), 0.0)
        for j, c_exit in copies.exits[c]:
            add(int(copy_arr[c]), int(dep_node[j]), -1, (k, j), c_exit)
    n_new = len(tails)
    orig = np.array(link_of)
    is_orig = orig >= 0
    src = np.where(is_orig, orig, 0)
    is_copy = np.zeros(n_new, dtype=bool)
    is_copy[n_plain : n_plain + n_copy] = True

    def attr(a: np.ndarray, other: float) -> np.ndarray:
        return np.where(is_orig, np.asarray(a)[src], other)

    expanded = Network.build(
        node_ids=np.array(node_ids, dtype=object),
        link_ids=np.arange(n_new),
        from_node=np.array(tails),
        to_node=np.array(heads),
        free_flow_time=np.where(is_orig, network.free_flow_time[src], np.array(cost)),
        capacity=attr(network.capacity, np.inf),
        length=attr(network.length, 0.0),
        alpha=attr(network.alpha, 0.0),
        beta=attr(network.beta, 0.0),
        toll=attr(network.toll, 0.0),
        link_type=np.where(is_orig, network.link_type[src], 0),
        vdf=np.where(is_orig, network.vdf[src], 0).astype(np.int8),
        fixed_cost=attr(network.fixed_cost, 0.0),
        n_zones=z,
        first_thru_node=z,
        time_unit=network.time_unit,
        length_unit=network.length_unit,
        name=f"{network.name} (turns)",
    )
    position = expanded.link_ids.astype(np.int64)  # stored order -> construction order
    turns = np.array(turn_of, dtype=np.int64).reshape(-1, 2)[position]
    return TurnNetwork(expanded, network, orig[position], turns, is_copy[position] if n_copy else None)


@dataclass
class _Copies:
    """Copies of via links (:func:`_via_copies`): copy ``c`` copies link ``link[c]``, is entered
    from original link ``entered_from[c][0]`` (its parent copy ``parent[c]`` when >= 0) at cost
    ``entered_from[c][1]`` (None: not entered, a restriction forbids it), and leaves to the original links ``exits[c]`` ((link, turn cost))."""

    link: list[int]
    parent: list[int]
    entered_from: list[tuple[int, float | None]]
    exits: list[list[tuple[int, float]]]
    entered: set[tuple[int, int]]
    """Original turns (entry, first via link) replaced by the turn into a copy."""


def _via_copies(network: Network, sequences: Iterable[SequenceBan], turn_cost: Callable[[int, int], float | None]) -> _Copies:
    """The copies of via links of ``sequences`` (see :func:`expand_turns`)."""
    to = network.to_node.astype(np.int64)
    thru = network.first_thru_node
    key_of: dict[tuple[int, ...], int] = {}
    out = _Copies([], [], [], [], set())
    must: list[list[frozenset[int]]] = []  # per copy: exits must be in each of these sets
    never: list[set[int]] = []  # per copy: exits banned by no_* sequences ending there
    for seq in sequences:
        path = (int(seq.entry), *(int(v) for v in seq.via))
        for a, b in zip(path[:-1], path[1:], strict=True):
            check_turn(network, (a, b), "via-way sequence")
        if any(turn_cost(a, b) is None or to[a] < thru for a, b in zip(path[:-1], path[1:], strict=True)):
            continue  # the sequence cannot be driven: nothing to ban
        parent = -1
        for n in range(2, len(path) + 1):
            key = path[:n]
            if key not in key_of:
                key_of[key] = len(out.link)
                a, b = key[-2], key[-1]
                out.link.append(b)
                out.parent.append(parent)
                out.entered_from.append((a, float(turn_cost(a, b))))
                out.exits.append([])
                must.append([])
                never.append(set())
                if parent < 0:
                    out.entered.add((a, b))
            c = key_of[key]
            if n < len(path) and seq.only:
                must[c].append(frozenset({path[n]}))
            parent = c
        if seq.only:
            must[parent].append(frozenset(int(j) for j in seq.exits))
        else:
            never[parent] |= {int(j) for j in seq.exits}
    children = {(out.parent[c], out.link[c]) for c in range(len(out.link)) if out.parent[c] >= 0}
    for c, k in enumerate(out.link):
        head = int(to[k])
        if head < thru:
            continue  # no turns at a zone that is not a through node
        for j in range(int(network.out_start[head]), int(network.out_start[head + 1])):
            cost = turn_cost(k, j)
            if cost is None or (c, j) in children or j in never[c] or not all(j in allowed for allowed in must[c]):
                continue  # the way on along the via path is the child copy's entry turn
            out.exits[c].append((j, cost))
    for c, k in enumerate(out.link):
        p = out.parent[c]
        if p >= 0 and (k in never[p] or not all(k in allowed for allowed in must[p])):
            out.entered_from[c] = (out.entered_from[c][0], None)  # another restriction of the same entry closes the way on
    return out
