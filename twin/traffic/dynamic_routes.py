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
    zones = np.unique(np.concatenate([demand.dest_node, demand.orig_node]))
    n_zones = zones.shape[0]
    # renumber nodes so that the zones come first (TNTP convention of the assignment)
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
        first_thru_node=0,
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
