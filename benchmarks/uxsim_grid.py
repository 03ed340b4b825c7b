"""The grid11 files as a UXsim world: nodes, links and demand added to a world built by the
caller (its settings differ between the benchmarks: seed, logging, C++ or Python)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


def add_grid(w: Any, nodes: pd.DataFrame, links: pd.DataFrame, demand: pd.DataFrame, scale: float = 1.0) -> None:
    """Add the nodes, links and demand of grid11's CSV files to the UXsim world ``w``.

    Parameters
    ----------
    w : uxsim.World
        A world without nodes yet.
    nodes, links, demand : DataFrame
        ``nodes.csv`` (``node_id``, ``x_m``, ``y_m``), ``links.csv`` (``link_id``, ``from_node_id``,
        ``to_node_id``, ``length_m``, ``free_flow_speed_m_s``, ``jam_density_veh_m``,
        ``merge_priority``) and ``demand.csv`` (``origin_node_id``, ``destination_node_id``,
        ``t_start_s``, ``t_end_s``, ``flow_veh_s``).
    scale : float
        Factor on every demand flow.
    """
    for r in nodes.itertuples():
        w.addNode(str(r.node_id), r.x_m, r.y_m)
    for r in links.itertuples():
        w.addLink(str(r.link_id), str(r.from_node_id), str(r.to_node_id), length=r.length_m, free_flow_speed=r.free_flow_speed_m_s,
                  jam_density=r.jam_density_veh_m, merge_priority=r.merge_priority)  # fmt: skip
    for r in demand.itertuples():
        w.adddemand(str(r.origin_node_id), str(r.destination_node_id), r.t_start_s, r.t_end_s, r.flow_veh_s * scale)
