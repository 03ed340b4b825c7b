"""The work behind ``twin traffic assign --scene``: static user equilibrium on a scene's car network.

The demand is a CSV table of hourly OD flows between nodes of the scene (``origin``,
``destination``: node ids of its ``nodes`` layer; ``flow_veh_h``: vehicles per hour). The zones
are those nodes (in order of first appearance), through nodes like any other
(:meth:`twin.traffic.network.Network.from_scene`, free-flow times in seconds, BPR delay). The
scene's OSM turn restrictions (``turn_restrictions`` layer,
:func:`twin.traffic.scene_turns.scene_banned_turns`) are applied by default: the assignment then
runs on the turn-expanded network (:func:`twin.traffic.turns.expand_turns`; via-way
restrictions as banned link sequences, with copies of the via links) and its flows (summed over a
link and its copies), costs and times (the link's own) are mapped back to the scene's links.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from twin.errors import InputError

DEMAND_COLUMNS = ("origin", "destination", "flow_veh_h")
"""Columns of the demand table of a scene assignment."""


def read_node_demand(path: Path, node_ids: set[str]) -> tuple[list[str], np.ndarray]:
    """Zones (node ids, in order of first appearance) and the OD matrix (veh/h) of a demand CSV.

    Raises
    ------
    InputError
        Unreadable file, a missing column, no rows, a node that is not in the scene, a flow that is
        not a finite number >= 0, an OD pair given twice (naming the file, the row and the column),
        or no demand at all.
    """
    import pandas as pd

    from twin.io.paths import check_input_file

    check_input_file(path, field="--demand", what="demand table")
    try:
        frame = pd.read_csv(path, dtype={"origin": str, "destination": str})
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the demand table: {' '.join(str(exc).split())}", path=path) from None
    for col in DEMAND_COLUMNS:
        if col not in frame.columns:
            raise InputError(f"the demand table needs the columns {', '.join(DEMAND_COLUMNS)}", path=path, field=col)
    if frame.empty:
        raise InputError("the demand table has no rows: nothing to assign", path=path, field="flow_veh_h")
    flow = pd.to_numeric(frame["flow_veh_h"], errors="coerce").to_numpy(np.float64)
    bad = np.flatnonzero(~(np.isfinite(flow) & (flow >= 0)))
    if bad.size:
        raise InputError(f"must be a finite number >= 0 (veh/h), got {frame['flow_veh_h'].iloc[bad[0]]!r}", path=path, obj=f"row {bad[0] + 2}", field="flow_veh_h")
    for col in ("origin", "destination"):
        unknown = [i for i, v in enumerate(frame[col].astype(str)) if v not in node_ids]
        if unknown:
            raise InputError(f"node {frame[col].iloc[unknown[0]]!r} is not a node of the scene's street network", path=path, obj=f"row {unknown[0] + 2}", field=col)
    pairs = frame["origin"].astype(str) + "\0" + frame["destination"].astype(str)
    repeated = np.flatnonzero(pairs.duplicated().to_numpy())
    if repeated.size:
        row = int(repeated[0])
        first = int(np.flatnonzero((pairs == pairs.iloc[row]).to_numpy())[0])
        raise InputError(f"OD pair {frame['origin'].iloc[row]!r} -> {frame['destination'].iloc[row]!r} is given twice (first at row {first + 2}); "
                         "give each pair once with its total flow", path=path, obj=f"row {row + 2}", field="destination")
    zones = list(dict.fromkeys([*frame["origin"].astype(str), *frame["destination"].astype(str)]))
    index = {z: k for k, z in enumerate(zones)}
    matrix = np.zeros((len(zones), len(zones)))
    np.add.at(matrix, (frame["origin"].astype(str).map(index).to_numpy(), frame["destination"].astype(str).map(index).to_numpy()), flow)
    np.fill_diagonal(matrix, 0.0)
    if not matrix.sum() > 0:
        raise InputError("the demand table holds no demand between different nodes: nothing to assign", path=path, field="flow_veh_h")
    return zones, matrix


def run_scene_assign(
    source: list[Path],
    *,
    demand: Path,
    algorithm: str,
    gap: float,
    max_iter: int | None,
    output: Path | None,
    crs: str | None,
    scene_crs: str,
    restrictions: bool = True,
    signals: bool = True,
    callback: Any = None,
) -> tuple[Any, dict[str, Any]]:
    """Static user equilibrium of the demand table on the scene's car network.

    With ``restrictions``, the scene's OSM turn restrictions (on the turn-expanded network); with
    ``signals``, a pretimed signal of the default timing (:class:`twin.traffic.signals.SignalTiming`:
    HCM delay on a stop line of capacity ``s g``, :func:`twin.traffic.signals.add_signals`) on every
    approach of the nodes the scene flags as signalised (``signalised`` column of its nodes: the
    OSM ingest sets it); a flagged node that no car link enters is left out and listed
    (:func:`twin.traffic.signals.split_by_approach`), as dynamic loading does.

    Returns the :class:`~twin.traffic.results.AssignmentResult` on the scene's links (flows in
    veh/h; times in s, an approach's with its stop line's delay) and the summary (its
    :meth:`~twin.traffic.results.AssignmentResult.summary`, the network, the restriction counts of
    :func:`twin.traffic.dynamic_commands.scene_restriction_options`, the signal counts and the
    output path).
    """
    from twin.traffic.assign import assign
    from twin.traffic.dynamic_commands import check_car_links, check_output, check_sources, scene_from_files, scene_restriction_options
    from twin.traffic.network import Network
    from twin.traffic.turns import expand_turns

    check_output(output, (".csv", ".parquet"), "--output")
    check_sources(source, "--scene")
    scene = scene_from_files(source, crs, scene_crs)
    check_car_links(scene, source)
    street_nodes = set(scene.links["from_node"].astype(str)) | set(scene.links["to_node"].astype(str))
    zones, matrix = read_node_demand(demand, street_nodes)
    net = Network.from_scene(scene, mode="car", zones=zones)
    options: dict[str, Any] = {}
    counts = scene_restriction_options(scene, net, restrictions, options, sequences=True)
    banned, sequences = options.get("banned_turns", []), options.get("banned_sequences", [])
    graph = expand_turns(net, banned=banned, sequences=sequences) if banned or sequences else None
    counts["signals"] = "off"
    if signals:
        from twin.traffic.signals import add_signals, scene_signals

        flagged, signal_counts = scene_signals(net, (net.capacity > 0) & (net.vdf < 2))
        counts.update(signal_counts)
        if flagged:
            graph = add_signals(graph if graph is not None else net, flagged)
            counts["signal_approaches"] = int((graph.approach_of >= 0).sum())
    if graph is not None:  # a turn-expanded network, stop lines, or both: the results mapped back to the scene's links
        raw = assign(graph.network, matrix, algorithm=algorithm, gap=gap, max_iter=max_iter, callback=callback)
        result = replace(raw, network=net, flow=graph.link_flow(raw.flow), cost=graph.link_values(raw.cost), time=graph.link_values(raw.time), origin_flows=None)
    else:
        result = assign(net, matrix, algorithm=algorithm, gap=gap, max_iter=max_iter, callback=callback)
    summary = {**result.summary(), "network": repr(net), "zones": len(zones), "demand_veh_h": float(matrix.sum()), **counts}
    if output is not None:
        summary["output"] = str(result.write(output))
    return result, summary


__all__ = ["DEMAND_COLUMNS", "read_node_demand", "run_scene_assign"]
