"""Turn bans, turn penalties and pretimed signals for dynamic loading (:func:`twin.traffic.dynamic.simulate`).

Turns
-----
Every pair of a link ``a`` entering a node and a link ``b`` leaving it is a *movement*. A banned
movement carries no flow; a penalised one costs its penalty (s) in route choice. Routes are then
chosen per in-link instead of per node: the route search runs on the links
(:func:`twin.kernels.dnl_ltm.turn_link_costs`), giving each link's cost to each destination
``c(a) = t(a) + min_b (pen(a, b) + c(b))`` over the allowed movements ``a -> b``, and the flow of
in-link ``a`` for destination ``d`` goes to the movements within 1e-9 (relative) of its best
``pen(a, b) + c(b)``. The node model (Tampère et al. 2011) receives each in-link's own turning
fractions, which it was built for. The vehicles waiting at an origin start on the links leaving
their node with the lowest ``c(b)`` (no turn at the start of a trip).

A penalty is a route-choice cost only, not time lost at the node: the vehicles that take a
penalised movement pass the node like any other (the node model's capacities and priorities
decide), so travel and arrival times do not contain it. It stands for the discomfort, risk and
waiting for gaps of a turn that the first-order node model does not represent; to slow a turn
down, lower the out-link's capacity or add a signal.

Signals
-------
A pretimed signal at a node gives each of its approaches (links entering it with a capacity
> 0) a stop-line capacity of ``s g``: the lane-group capacity ``c = s g_eff / C`` of the Highway
Capacity Manual (HCM 2000 chapter 16, HCM 2010 chapter 18), saturation flow times effective
green ratio. This is the cycle-averaged representation of a signal (green spread over the
cycle), the one the static model uses too (:mod:`twin.traffic.signals`); the red and green
phases themselves are not simulated. It caps the link's sending flow and is its priority
in the node model, so a queue builds at ``lambda - s g`` when the demand ``lambda`` exceeds it
and spills back as in any bottleneck. Timing and saturation flow come from
:class:`twin.traffic.signals.SignalTiming` (as in static assignment: ``s`` = saturation flow
per lane x lanes when the network knows its lanes, ``meta['lanes']``, else the approach's
capacity); the stop-line capacity is at most the link's capacity. The green ratio ``g`` is the
timing's split (:attr:`~twin.traffic.signals.SignalTiming.split`), applied as in static
assignment by :func:`twin.traffic.signal_phases.node_split`: ``equal`` gives every approach
:attr:`~twin.traffic.signals.SignalTiming.green`; ``capacity`` and ``flows`` group the approaches
into phases by the axis of their arriving bearing and give each its phase's Webster green, with
the approach's capacity (``q`` x 3,600 veh/h, of the link dynamics) or a given flow as design flow
(a counted 0 stays 0, an approach not counted takes its capacity:
:func:`twin.traffic.signal_phases.approach_design_flows`) and ``s`` as saturation flow. A node
whose bearings are unknown, whose approaches share one axis or all have a design flow of 0 keeps
the equal split (counted). Not represented: the uniform delay of the red at low flow
(Webster's ``C (1 - g)^2 / 2``, 18 s at the 90 s default), since below ``s g`` no vehicle waits;
the platoons the red forms; coordination.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from twin.errors import InputError
from twin.traffic.signal_phases import SPLIT_STATUSES

if TYPE_CHECKING:  # pragma: no cover
    from twin.kernels.dnl_ltm import LtmTurns
    from twin.traffic.network import Network
    from twin.traffic.signals import SignalTiming


Movements = tuple[np.ndarray, np.ndarray, np.ndarray]
"""``(mv_ptr, link_from, out_pos)`` of :func:`movement_index`."""


def movement_index(network: Network) -> Movements:
    """Movement pointers of every in-link: ``(mv_ptr, link_from, out_pos)`` (int64).

    The movements of link ``a`` are ``mv_ptr[a] + out_pos[b]`` for each link ``b`` leaving the
    head of ``a`` (in the network's stored order of the links leaving a node).
    :func:`twin.traffic.dynamic.simulate` computes it once per run and passes it on.
    """
    frm = network.from_node.astype(np.int64)
    to = network.to_node.astype(np.int64)
    out_start = network.out_start.astype(np.int64)
    n_out = np.diff(out_start)
    mv_ptr = np.zeros(network.n_links + 1, dtype=np.int64)
    np.cumsum(n_out[to], out=mv_ptr[1:])
    out_pos = np.arange(network.n_links, dtype=np.int64) - out_start[frm]
    return mv_ptr, frm, out_pos


def turn_penalties(
    network: Network,
    *,
    banned: Iterable[tuple[int, int]] = (),
    penalties_s: Mapping[tuple[int, int], float] | None = None,
    u_turn_penalty_s: float | None = None,
    movements: Movements | None = None,
) -> np.ndarray:
    """Penalty of every movement, s (``inf``: banned), in :func:`movement_index` order.

    Parameters
    ----------
    network
        The road network.
    banned
        Turns ``(in_link, out_link)`` (stored link indices, as :func:`twin.traffic.turns.expand_turns`
        and :func:`twin.traffic.turns.osm_banned_turns`) that are not allowed.
    penalties_s
        Penalty of individual turns, s (finite, >= 0; e.g. :func:`twin.traffic.turns.angle_penalties`
        with ``seconds_per_unit=1``). A turn given twice in ``penalties_s`` is impossible (a
        mapping); a banned turn stays banned whatever its penalty.
    u_turn_penalty_s
        Added to every U-turn (the out-link leads back to the in-link's tail), s; ``inf`` bans
        them; None: no U-turn penalty.
    movements
        ``movement_index(network)`` when the caller has it (computed here otherwise).

    Raises
    ------
    InputError
        A turn whose links do not meet at a node or a link index out of range (naming the links),
        a negative or non-finite penalty (naming the turn), a negative U-turn penalty.
    """
    from twin.traffic.turns import check_turn

    mv_ptr, frm, out_pos = movement_index(network) if movements is None else movements
    pen = np.zeros(int(mv_ptr[-1]))
    if u_turn_penalty_s is not None:
        if not (u_turn_penalty_s >= 0):
            raise InputError(f"U-turn penalty must be >= 0 s (inf bans U-turns), got {u_turn_penalty_s}", field="u_turn_penalty_s")
        to = network.to_node.astype(np.int64)
        out_start = network.out_start.astype(np.int64)
        for a in range(network.n_links):
            for b in range(int(out_start[to[a]]), int(out_start[to[a] + 1])):
                if to[b] == frm[a]:
                    pen[mv_ptr[a] + out_pos[b]] += float(u_turn_penalty_s)
    for pair, value in (penalties_s or {}).items():
        i, j = check_turn(network, pair, "turn penalty")
        if not (np.isfinite(value) and value >= 0):
            raise InputError(
                f"turn penalty must be a finite number >= 0 s, got {value}",
                obj=f"turn {network.link_ids[i]} -> {network.link_ids[j]}",
                field="turn_penalty_s",
            )
        pen[mv_ptr[i] + out_pos[j]] += float(value)
    for pair in banned:
        i, j = check_turn(network, pair, "banned turn")
        pen[mv_ptr[i] + out_pos[j]] = np.inf
    return pen


def ltm_turns(
    network: Network, penalties: np.ndarray, split: np.ndarray, *, fixed: bool, split_mv: np.ndarray | None = None, movements: Movements | None = None
) -> LtmTurns:
    """Kernel record of the movements, with per-movement rates from the per-node ``split``.

    The record also holds the movements' graph on the links (:func:`twin.kernels.dnl_ltm.movement_graph`),
    built here once for every route update of the run.

    ``split_mv`` (n_movements, n_dest): per-movement rates to use as they are (e.g. of
    :func:`twin.traffic.dynamic_routes.equilibrium_turn_splits`) instead. ``movements``:
    ``movement_index(network)`` when the caller has it (computed here otherwise).

    ``split[b, d]`` (the node's rates) goes to every allowed movement ``a -> b``, renormalised
    over the allowed movements of ``a``. With ``fixed`` (the caller's rates are the routes), a
    link that carries flow for ``d`` (``split[a, d] > 0``) into a node other than ``d`` where
    every movement with a rate is banned is an error.

    Raises
    ------
    InputError
        Fixed rates that send flow for a destination only through banned movements (naming the
        in-link and the destination column).
    """
    from twin.kernels.dnl_ltm import LtmTurns, movement_graph

    mv_ptr, frm, out_pos = movement_index(network) if movements is None else movements
    penalties = np.asarray(penalties, dtype=np.float64)
    graph = movement_graph(network.in_start.astype(np.int64), network.in_link.astype(np.int64), frm, out_pos, mv_ptr, penalties,
                           int(network.first_thru_node))
    if split_mv is not None:
        return LtmTurns(mv_ptr, penalties, np.array(split_mv, dtype=np.float64), frm, out_pos, *graph)
    to = network.to_node.astype(np.int64)
    out_start = network.out_start.astype(np.int64)
    n_dest = split.shape[1]
    split_mv = np.zeros((int(mv_ptr[-1]), n_dest))
    for a in range(network.n_links):
        outs = np.arange(out_start[to[a]], out_start[to[a] + 1])
        if outs.size == 0:
            continue
        mv = mv_ptr[a] + out_pos[outs]
        allowed = np.isfinite(penalties[mv])
        rates = np.where(allowed[:, None], split[outs], 0.0)
        total = rates.sum(axis=0)
        ok = total > 0
        split_mv[mv] = np.where(ok, rates / np.where(ok, total, 1.0), 0.0)
        if fixed:
            stranded = np.flatnonzero((split[a] > 0) & ~ok & (split[outs].sum(axis=0) > 0))
            if stranded.size:
                d = int(stranded[0])
                raise InputError(
                    f"fixed splitting rates send the flow of link {network.link_ids[a]} for destination column {d} only into banned turns",
                    obj=f"link {network.link_ids[a]}",
                    field="splits",
                )
    return LtmTurns(mv_ptr, penalties, split_mv, frm, out_pos, *graph)


def no_turns(n_dest: int) -> LtmTurns:
    """The empty kernel record: routes per node, as without turns."""
    from twin.kernels.dnl_ltm import LtmTurns

    empty = np.zeros(0, dtype=np.int64)
    return LtmTurns(empty, np.zeros(0), np.zeros((0, n_dest)), empty, empty, empty, empty, np.zeros(0))


@dataclass
class SignalStopLines:
    """Stop-line capacities of the signal approaches of a dynamic loading.

    Attributes
    ----------
    discharge_veh_s : ndarray (n_links,)
        Stop-line capacity of every link, veh/s: ``min(capacity, s g)`` on the approaches, the
        capacity elsewhere.
    approaches : list of int
        Stored indices of the approach links, node by node.
    green : ndarray (n_approaches,)
        Effective green ratio ``g / C`` of each approach (in the order of ``approaches``).
    split : dict
        ``split``: the split rules of the signals (comma-separated, in the order of
        :data:`~twin.traffic.signal_phases.SPLITS`); ``nodes_split``: nodes split by Webster's rule;
        ``nodes_one_axis`` / ``nodes_without_bearing`` / ``nodes_no_flow``: nodes of a ``capacity``
        or ``flows`` split left equal because their approaches share one axis / lack a bearing /
        all have a design flow of 0 (as
        :attr:`twin.traffic.signals.SignalNetwork.split`).
    """

    discharge_veh_s: np.ndarray
    approaches: list[int]
    green: np.ndarray
    split: dict[str, Any] = field(default_factory=dict)


def signal_stop_lines(
    network: Network,
    capacity_veh_s: np.ndarray,
    lanes: np.ndarray,
    signals: Iterable[Any] | Mapping[Any, SignalTiming | None],
    *,
    timing: SignalTiming | None = None,
    bearing: Mapping[Any, float] | np.ndarray | None = None,
    flows: Mapping[Any, float] | np.ndarray | None = None,
) -> SignalStopLines:
    """Stop-line capacity ``min(capacity, s g)`` of every signal approach, ``g`` from the timing's split.

    Parameters
    ----------
    network
        The road network.
    capacity_veh_s, lanes
        Capacity (veh/s) and lanes of every link (of the :class:`~twin.traffic.dynamic.LinkDynamics`).
    signals
        Native ids of the signalised nodes, or a mapping id -> :class:`~twin.traffic.signals.SignalTiming`
        (None: ``timing``); see :func:`twin.traffic.signals.signalised_nodes` for the nodes flagged in a scene.
    timing
        Default timing (default :class:`~twin.traffic.signals.SignalTiming`).
    bearing
        Arriving bearing of every link, degrees (NaN: unknown): by native link id or (n_links,);
        e.g. :func:`twin.traffic.signal_phases.network_bearings` from node coordinates or
        :func:`~twin.traffic.signal_phases.scene_link_bearings`. Needed by a ``capacity`` or
        ``flows`` split (without it every node keeps the equal split, counted); an error when
        every signal's split is ``equal``.
    flows
        Design flows of ``split="flows"``, veh/h: by native link id or (n_links,); an approach not
        counted (absent from the mapping, NaN in the array) takes its capacity, a counted 0 stays 0
        (:func:`twin.traffic.signal_phases.approach_design_flows`, the rule of static signals).
        Required by, and only allowed with, a ``flows`` split.

    Returns
    -------
    SignalStopLines

    Raises
    ------
    InputError
        A node that is not in the network or has no approach (naming it), a timing out of range,
        an empty selection; bearings or flows of the wrong shape, not finite, for a link not in
        the network (flows: below 0; NaN is "not counted"), or given where no signal's split uses them; ``split="flows"`` without flows.
    """
    from twin.traffic.signal_phases import SPLITS, approach_design_flows, node_split
    from twin.traffic.signals import _link_array, _timings, approach_links

    if isinstance(signals, (str, bytes)):
        raise InputError(f"signals must be node ids or a mapping of node ids to timings, got the string {signals!r}", field="signals")
    plan = _timings(signals, network, timing)
    used = {t.split for t in plan.values()}
    if flows is not None and "flows" not in used:
        raise InputError("design flows given but no signal has split 'flows' (they would change nothing)", field="signal_flows")
    if bearing is not None and used == {"equal"}:
        raise InputError("bearings given but every signal has split 'equal' (they would change nothing)", field="signal_bearing")
    node_flows = next((node for node, t in plan.items() if t.split == "flows"), None)
    if flows is None and node_flows is not None:
        where = f"signal at node {node_flows}"
        raise InputError("split 'flows' needs the approaches' design flows (signal_flows=...)", obj=where, field="signal_flows")
    link_pos = {lid: k for k, lid in enumerate(network.link_ids.tolist())}
    bearings = _link_array(bearing, network, "signal_bearing", link_pos)
    design = _link_array(flows, network, "signal_flows", link_pos, nonnegative=True)
    node_of = {nid: i for i, nid in enumerate(network.node_ids.tolist())}
    has_lanes = network.meta.get("lanes") is not None
    cap = np.asarray(capacity_veh_s, dtype=np.float64)
    cap_veh_h = cap * 3600.0
    lane = np.asarray(lanes, dtype=np.float64)
    out = cap.copy()
    approaches: list[int] = []
    greens: list[float] = []
    counts: dict[str, Any] = {"split": ",".join(k for k in SPLITS if k in used), **dict.fromkeys(SPLIT_STATUSES.values(), 0)}
    is_approach = cap > 0
    for node, t in plan.items():
        ins = np.asarray(approach_links(network, node_of, node, is_approach), dtype=np.int64)
        s_veh_s = t.saturation_flow_veh_h_lane * lane[ins] / 3600.0 if has_lanes else cap[ins]
        if t.split == "equal":
            g = np.full(len(ins), t.green)
        else:
            b = bearings[ins] if bearings is not None else np.full(len(ins), np.nan)
            flow = cap_veh_h[ins] if design is None or t.split == "capacity" else approach_design_flows(cap_veh_h[ins], design[ins])
            sat = t.saturation_flow_veh_h_lane * lane[ins] if has_lanes else cap_veh_h[ins]
            g, _, status = node_split(t, flow, sat, b)
            counts[SPLIT_STATUSES[status]] += 1
        for i, s_i, g_i in zip(ins.tolist(), s_veh_s.tolist(), g.tolist()):
            out[i] = min(float(cap[i]), s_i * g_i)
            approaches.append(i)
            greens.append(g_i)
    return SignalStopLines(out, approaches, np.asarray(greens, dtype=np.float64), counts)
