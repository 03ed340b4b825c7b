"""Routes for dynamic loading from the static user equilibrium: destination-based splitting rates.

Dynamic loading routes vehicles by destination (share of the flow at a node bound for ``d``
that takes each outgoing link). A static equilibrium gives link flows per *origin* when solved
with an origin-based algorithm (Algorithm B, :func:`twin.traffic.assign.assign`). Flows per
*destination* come from the same algorithm on the reversed network with the transposed OD
matrix: a path from ``o`` to ``d`` is a path from ``d`` to ``o`` in the reversed network, with
the same link costs, so the reversed problem has the same equilibrium link flows and its
origin-based flows are the destination-based flows of the original problem. The splitting rate
of link ``a`` for ``d`` is ``x_ad / sum_{b leaving tail(a)} x_bd``.

The demand is averaged over its departure windows (vehicles per hour over the period from the
first departure to the last); the delay function is BPR with ``alpha``, ``beta`` on the links'
free-flow times and capacities from the :class:`~twin.traffic.dynamic.LinkDynamics`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from twin.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from twin.traffic.dynamic import DemandArrays, LinkDynamics
    from twin.traffic.dynamic_turns import Movements
    from twin.traffic.network import Network
    from twin.traffic.results import AssignmentResult


def equilibrium_splits(
    network: Network,
    demand: DemandArrays,
    dynamics: LinkDynamics,
    *,
    alpha: float = 0.15,
    beta: float = 4.0,
    gap: float = 1e-6,
    period_s: float | None = None,
    max_iter: int | None = None,
) -> tuple[np.ndarray, AssignmentResult]:
    """Destination-based splitting rates (n_links, n_dest) of the static user equilibrium.

    Returns the rates (columns in the order of ``demand.dest_node``) and the assignment result
    of the reversed problem (its ``flow`` is the equilibrium link flow, veh/h, in the reversed
    network's stored order; ``meta['forward_link']`` maps it to ``network``'s links).

    Raises
    ------
    InputError
        Empty demand or a zero-capacity link carrying flow-dependent cost.
    """
    from twin.traffic.assign import assign
    from twin.traffic.network import Network

    n_dest = demand.dest_node.shape[0]
    if n_dest == 0:
        raise InputError("no demand to assign", field="demand")
    # renumber nodes so that the zones come first (TNTP convention of the assignment): the
    # network's own zones, which routes may not pass through (below its first_thru_node), then
    # the other nodes with demand; the reversed network keeps the same no-through set
    first_thru = int(network.first_thru_node)
    demand_nodes = np.unique(np.concatenate([demand.dest_node, demand.orig_node]))
    zones = np.concatenate([np.arange(first_thru), demand_nodes[demand_nodes >= first_thru]])
    n_zones = zones.shape[0]
    order = np.concatenate([zones, np.setdiff1d(np.arange(network.n_nodes), zones)])
    new_index = np.empty(network.n_nodes, dtype=np.int64)
    new_index[order] = np.arange(network.n_nodes)
    t0 = float(np.min(demand.t0_s)) if demand.t0_s.size else 0.0
    t1 = float(np.max(demand.t1_s)) if demand.t1_s.size else 0.0
    period = (t1 - t0) if period_s is None else float(period_s)
    if not period > 0:
        raise InputError(f"demand period must be > 0 s, got {period}", field="period_s")
    cap_h = dynamics.capacity_veh_s * 3600.0
    rev = Network.build(
        node_ids=np.asarray(network.node_ids)[order],
        link_ids=np.arange(network.n_links),  # forward stored index
        from_node=new_index[network.to_node.astype(np.int64)],
        to_node=new_index[network.from_node.astype(np.int64)],
        free_flow_time=dynamics.free_time_s,
        capacity=np.where(cap_h > 0, cap_h, 1e-6),
        length=dynamics.length_m,
        alpha=alpha,
        beta=beta,
        n_zones=int(n_zones),
        first_thru_node=first_thru,
        time_unit="s",
        length_unit="m",
        name=f"{network.name} (reversed)",
    )
    zone_of = {int(z): k for k, z in enumerate(zones.tolist())}
    matrix = np.zeros((n_zones, n_zones))
    vehicles = demand.rate_veh_s * (demand.t1_s - demand.t0_s)
    for o, d, v in zip(demand.od_orig.tolist(), demand.od_dest.tolist(), vehicles.tolist()):
        # reversed problem: from the destination to the origin
        matrix[zone_of[int(demand.dest_node[d])], zone_of[int(demand.orig_node[o])]] += v * 3600.0 / period
    result = assign(rev, matrix, algorithm="b", gap=gap, max_iter=max_iter)
    forward = np.asarray(rev.link_ids, dtype=np.int64)
    result.meta["forward_link"] = forward
    flows = np.zeros((network.n_links, n_dest))
    for d, node in enumerate(demand.dest_node.tolist()):
        flows[forward, d] = result.origin_flows[zone_of[int(node)]]
    tail = network.from_node.astype(np.int64)
    splits = np.zeros_like(flows)
    for d in range(n_dest):
        out_sum = np.bincount(tail, weights=flows[:, d], minlength=network.n_nodes)
        denom = out_sum[tail]
        splits[:, d] = np.where(denom > 0, flows[:, d] / np.where(denom > 0, denom, 1.0), 0.0)
    return splits, result


def equilibrium_turn_splits(
    network: Network,
    demand: DemandArrays,
    dynamics: LinkDynamics,
    movement_pen_s: np.ndarray,
    *,
    alpha: float = 0.15,
    beta: float = 4.0,
    gap: float = 1e-6,
    period_s: float | None = None,
    max_iter: int | None = None,
    movements: Movements | None = None,
) -> tuple[np.ndarray, np.ndarray, AssignmentResult]:
    """Destination-based splitting rates of the static user equilibrium with turn bans and penalties.

    The static problem runs on a turn-expanded graph (as :func:`twin.traffic.turns.expand_turns`:
    each link from a departure node at its tail to an arrival node at its head, a turn link of
    cost ``pen`` (s, no congestion) for every allowed movement, zero-cost connectors from each
    origin to the departure nodes of its out-links and from the arrival nodes of a
    destination's in-links to it), reversed with the transposed OD matrix as in
    :func:`equilibrium_splits`, so its origin-based flows are destination-based flows of every
    link and movement. Rates: movement ``a -> b`` for ``d``, its flow over the flow for ``d``
    leaving ``a`` by a movement; the links leaving a node, their flow for ``d`` over the flow
    for ``d`` leaving the node (at a demand node with its own flow for ``d``, the origin's
    connector flows: the rates of its origin queue).

    Parameters
    ----------
    movement_pen_s
        Penalty of every movement, s (``inf``: banned), in
        :func:`twin.traffic.dynamic_turns.movement_index` order.
    movements
        ``movement_index(network)`` when the caller has it (computed here otherwise).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, AssignmentResult)
        Per-node rates (n_links, n_dest), per-movement rates (n_movements, n_dest), and the
        assignment of the reversed expanded problem.

    Raises
    ------
    InputError
        Empty demand or a demand period <= 0.
    """
    from twin.traffic.assign import assign
    from twin.traffic.dynamic_turns import movement_index
    from twin.traffic.network import Network

    n_dest = demand.dest_node.shape[0]
    if n_dest == 0:
        raise InputError("no demand to assign", field="demand")
    zones = np.unique(np.concatenate([demand.dest_node, demand.orig_node]))
    n_z = zones.shape[0]
    zone_of = {int(z): k for k, z in enumerate(zones.tolist())}
    m = network.n_links
    mv_ptr, frm, out_pos = movement_index(network) if movements is None else movements
    to = network.to_node.astype(np.int64)
    out_start = network.out_start.astype(np.int64)
    tails: list[int] = list(n_z + m + np.arange(m))  # departure node of each link
    heads: list[int] = list(n_z + np.arange(m))  # arrival node of each link
    cost: list[float] = list(dynamics.free_time_s)
    cap_h = dynamics.capacity_veh_s * 3600.0
    capacity: list[float] = list(np.where(cap_h > 0, cap_h, 1e-6))
    kind: list[int] = [0] * m  # 0 link, 1 movement, 2 origin connector, 3 destination connector
    ref: list[int] = list(range(m))  # link, movement or link of the connector
    first_thru = int(network.first_thru_node)
    for a in range(m):
        if to[a] < first_thru:
            continue
        for b in range(int(out_start[to[a]]), int(out_start[to[a] + 1])):
            mv = int(mv_ptr[a] + out_pos[b])
            if np.isfinite(movement_pen_s[mv]):
                tails.append(n_z + a)
                heads.append(n_z + m + b)
                cost.append(float(movement_pen_s[mv]))
                capacity.append(np.inf)
                kind.append(1)
                ref.append(mv)
    for node, k in zone_of.items():
        for b in range(int(out_start[node]), int(out_start[node + 1])):
            tails.append(k)
            heads.append(n_z + m + b)
            kind.append(2)
            ref.append(b)
        for a in network.in_link[network.in_start[node] : network.in_start[node + 1]].tolist():
            tails.append(n_z + int(a))
            heads.append(k)
            kind.append(3)
            ref.append(int(a))
    n_new = len(tails)
    cost += [0.0] * (n_new - len(cost))
    capacity += [np.inf] * (n_new - len(capacity))
    is_link = np.array(kind) == 0
    t0 = float(np.min(demand.t0_s)) if demand.t0_s.size else 0.0
    t1 = float(np.max(demand.t1_s)) if demand.t1_s.size else 0.0
    period = (t1 - t0) if period_s is None else float(period_s)
    if not period > 0:
        raise InputError(f"demand period must be > 0 s, got {period}", field="period_s")
    ids = np.asarray(network.node_ids)
    rev = Network.build(
        node_ids=np.array([f"zone:{ids[z]}" for z in zones] + [f"in:{k}" for k in range(m)] + [f"out:{k}" for k in range(m)], dtype=object),
        link_ids=np.arange(n_new),  # construction index
        from_node=np.array(heads),
        to_node=np.array(tails),
        free_flow_time=np.array(cost),
        capacity=np.array(capacity),
        length=np.where(is_link, np.r_[dynamics.length_m, np.zeros(n_new - m)], 0.0),
        alpha=np.where(is_link, alpha, 0.0),
        beta=np.where(is_link, beta, 0.0),
        n_zones=int(n_z),
        first_thru_node=int(n_z),
        time_unit="s",
        length_unit="m",
        name=f"{network.name} (turns, reversed)",
    )
    matrix = np.zeros((n_z, n_z))
    vehicles = demand.rate_veh_s * (demand.t1_s - demand.t0_s)
    for o, d, v in zip(demand.od_orig.tolist(), demand.od_dest.tolist(), vehicles.tolist()):
        matrix[zone_of[int(demand.dest_node[d])], zone_of[int(demand.orig_node[o])]] += v * 3600.0 / period
    result = assign(rev, matrix, algorithm="b", gap=gap, max_iter=max_iter)
    position = np.asarray(rev.link_ids, dtype=np.int64)  # stored -> construction
    flows = np.zeros((n_new, n_dest))
    for d, node in enumerate(demand.dest_node.tolist()):
        flows[position, d] = result.origin_flows[zone_of[int(node)]]
    kind_a = np.array(kind)
    ref_a = np.array(ref)
    n_mv = int(mv_ptr[-1])
    mv_flow = np.zeros((n_mv, n_dest))
    mv_flow[ref_a[kind_a == 1]] = flows[kind_a == 1]
    owner = np.repeat(np.arange(m), np.diff(mv_ptr))  # in-link of each movement
    split_mv = np.zeros_like(mv_flow)
    node_split = np.zeros((m, n_dest))
    conn = np.zeros((m, n_dest))
    np.add.at(conn, ref_a[kind_a == 2], flows[kind_a == 2])
    link_flow = flows[:m]
    is_zone = np.zeros(network.n_nodes, dtype=bool)
    is_zone[zones] = True
    for d in range(n_dest):
        out_sum = np.bincount(owner, weights=mv_flow[:, d], minlength=m)[owner]
        split_mv[:, d] = np.where(out_sum > 0, mv_flow[:, d] / np.where(out_sum > 0, out_sum, 1.0), 0.0)
        # at a demand node the origin's own flow (connectors), where it has any for d
        own = np.bincount(frm, weights=conn[:, d], minlength=network.n_nodes) > 0
        leave = np.where(is_zone[frm] & own[frm], conn[:, d], link_flow[:, d])
        node_sum = np.bincount(frm, weights=leave, minlength=network.n_nodes)[frm]
        node_split[:, d] = np.where(node_sum > 0, leave / np.where(node_sum > 0, node_sum, 1.0), 0.0)
    result.meta["kind"] = kind_a[position]
    return node_split, split_mv, result
