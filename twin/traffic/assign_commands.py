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
Optionally every turn pays the default penalty of its kind, and the turning movements of every
node are written (:mod:`twin.traffic.movements`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from twin.errors import InputError
from twin.traffic.tntp import Demand

DEMAND_COLUMNS = ("origin", "destination", "flow_veh_h")
"""Columns of the demand table of a scene assignment."""


def check_gap_option(gap: float) -> None:
    """Raise :class:`~twin.errors.InputError` (field ``--gap``) unless ``gap`` is a finite target
    relative gap in (0, 1).

    The relative gap (TSTT - SPTT) / TSTT of any loading with demand is below 1, the first
    all-or-nothing loading's included: a target of 1 or more stops there, before any equilibrium.
    """
    if not (np.isfinite(gap) and 0 < gap < 1):
        raise InputError(f"must be a finite number in (0, 1), got {gap} (a relative gap is below 1 from the first all-or-nothing "
                         "loading on: a target of 1 or more would stop there, before any equilibrium)", field="--gap")  # fmt: skip


def read_node_demand(path: Path, node_ids: set[str]) -> tuple[list[str], Demand]:
    """Zones (node ids, in order of first appearance) and the OD matrix (veh/h) of a demand CSV.

    The :class:`~twin.traffic.tntp.Demand` keeps the file and each pair's CSV line for the
    assignment's errors (an OD pair without a path names its line); rows whose origin is their
    destination (trips that use no link) are left out of the matrix and summed in
    ``meta['same_node_veh_h']``.

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
        raise InputError(f"must be a finite number >= 0 (veh/h), got {str(frame['flow_veh_h'].iloc[bad[0]])!r}", path=path, obj=f"row {bad[0] + 2}",
                         field="flow_veh_h")  # the cell as written (str: not numpy's repr, np.float64(nan))
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
    rows, cols = frame["origin"].astype(str).map(index).to_numpy(), frame["destination"].astype(str).map(index).to_numpy()
    matrix = np.zeros((len(zones), len(zones)))
    matrix[rows, cols] = flow
    lines = np.zeros(matrix.shape, dtype=np.int32)
    lines[rows, cols] = np.arange(len(frame), dtype=np.int32) + 2
    same_node = float(np.trace(matrix))
    np.fill_diagonal(matrix, 0.0)
    if not matrix.sum() > 0:
        raise InputError("the demand table holds no demand between different nodes: nothing to assign", path=path, field="flow_veh_h")
    return zones, Demand(matrix, str(path), lines, {"same_node_veh_h": same_node, "zone_ids": zones})


def read_scene_demand(source: list[Path], demand: Path, crs: str | None, scene_crs: str) -> tuple[Any, list[str], Demand]:
    """The scene of ``--scene`` (checked to have car links) and its demand table
    (:func:`read_node_demand` on the nodes of its street links).

    Raises
    ------
    InputError
        A missing source, a scene without a car link, a bad demand table.
    """
    from twin.traffic.dynamic_commands import check_car_links, check_sources, scene_from_files

    check_sources(source, "--scene")
    scene = scene_from_files(source, crs, scene_crs)
    check_car_links(scene, source)
    street_nodes = set(scene.links["from_node"].astype(str)) | set(scene.links["to_node"].astype(str))
    zones, od = read_node_demand(demand, street_nodes)
    return scene, zones, od


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
    turn_penalties: bool = False,
    turns_output: Path | None = None,
    callback: Any = None,
    signal_split: str = "equal",
    give_way: bool = False,
    design_flows: Path | None = None,
    period: str | None = None,
    klass: str | None = None,
    count_period_h: float | None = None,
) -> tuple[Any, dict[str, Any]]:
    """Static user equilibrium of the demand table on the scene's car network.

    With ``restrictions``, the scene's OSM turn restrictions (on the turn-expanded network); with
    ``signals``, a pretimed signal of the default timing (:class:`twin.traffic.signals.SignalTiming`:
    HCM delay on a stop line of capacity ``s g``, :func:`twin.traffic.signals.add_signals`) on every
    approach of the nodes the scene flags as signalised (``signalised`` column of its nodes: the
    OSM ingest sets it); a flagged node that no car link enters is left out and listed
    (:func:`twin.traffic.signals.split_by_approach`), as dynamic loading does; ``signal_split``
    their green split (``equal``, ``capacity``, or ``flows``: Webster's rule with the counted flows of
    ``design_flows``, a counts file read by :func:`twin.traffic.dynamic_commands.read_design_flows`,
    ``period`` / ``klass`` choosing one period and class of it, ``count_period_h`` the hours each
    count covers (default 1; design flow = vehicles / hours, veh/h); an approach not in the file takes
    its capacity, a counted 0 stays 0, the summary counts both kinds: ``signal_design_flows``,
    ``signal_approaches_capacity``; :func:`twin.traffic.scene_graph.build_scene_graph`). With
    ``give_way``, give-way delay on the yielding approaches of the unsignalised junctions
    (:mod:`twin.traffic.priority`), assignments until their capacities agree with their own
    conflicting flows (:func:`twin.traffic.give_way_fixed_point.solve_give_way`); the summary gives the largest
    relative capacity change at the last pass (``give_way_change``), the passes and whether they
    converged (``give_way_passes``, ``give_way_converged``). With
    ``turn_penalties``, every turn pays the default penalty of its kind (left 10 s, right 5 s,
    U-turn 30 s, :data:`twin.traffic.turns.DEFAULT_TURN_PENALTIES_S`; the kind from the street
    geometry, :mod:`twin.traffic.movements`). With ``turns_output``, the turning movements of
    every node (:func:`twin.traffic.movements.movement_table`: flow, kind, allowed, penalty,
    signal) are written there (``.csv`` or ``.parquet``); the assignment then always runs on the
    turn-expanded network (the same equilibrium: turns without a ban or penalty cost nothing).

    Returns the :class:`~twin.traffic.results.AssignmentResult` on the scene's links (flows in
    veh/h; times in s, an approach's with its stop line's delay) and the summary (its
    :meth:`~twin.traffic.results.AssignmentResult.summary`, the network, the restriction counts of
    :func:`twin.traffic.dynamic_commands.scene_restriction_options`, the signal counts and the
    output path).
    """
    from twin.traffic.dynamic_commands import (
        TABLE_SUFFIXES,
        check_signal_split,
        design_flow_counts,
        read_design_flows,
        write_frame,
    )
    from twin.traffic.network import Network
    from twin.traffic.output_files import StagedOutputs
    from twin.traffic.scene_graph import assign_scene_graph, build_scene_graph

    check_signal_split(signal_split, signals, design_flows, period=period, klass=klass, count_period_h=count_period_h)
    outputs = StagedOutputs([*source, demand, design_flows])  # every output checked now, written staged and swapped in together
    outputs.add([("--output", output, TABLE_SUFFIXES), ("--turns", turns_output, TABLE_SUFFIXES)])
    scene, zones, od = read_scene_demand(source, demand, crs, scene_crs)
    net = Network.from_scene(scene, mode="car", zones=zones)
    flows = read_design_flows(design_flows, net, period=period, klass=klass, count_period_h=count_period_h) if design_flows is not None else None
    sg = build_scene_graph(scene, net, restrictions=restrictions, signals=signals, turn_penalties=turn_penalties, turns=turns_output is not None,
                           signal_split=signal_split, give_way=give_way, signal_flows=flows)  # fmt: skip
    if flows is not None:
        sg.counts.update(design_flow_counts(net, sg.flagged, flows, (net.capacity > 0) & (net.vdf < 2), design_flows, count_period_h=count_period_h))
    raw = assign_scene_graph(sg, od, algorithm=algorithm, gap=gap, max_iter=max_iter, callback=callback)
    graph, expanded, counts = sg.graph, sg.expanded, sg.counts
    if graph is not None:  # a turn-expanded network, stop lines, give-way lines: the results mapped back to the scene's links
        result = replace(raw, network=net, flow=graph.link_flow(raw.flow), cost=graph.link_values(raw.cost), time=graph.link_values(raw.time), origin_flows=None)
    else:
        result = raw
    table = None
    if turns_output is not None:  # then ``expanded`` and ``movements`` exist
        from twin.traffic.movements import movement_table

        expanded_flow = graph.original_flow(raw.flow) if graph is not expanded else raw.flow
        table = movement_table(net, sg.movements, expanded, expanded_flow, banned=sg.banned, penalties=sg.penalties, signalised=sg.flagged)
    summary = {**result.summary(), "network": net.name, "zones": len(zones), "demand_veh_h": od.total, "same_node_veh_h": od.meta["same_node_veh_h"], **counts}
    with outputs:  # staged, then swapped in together: an error on the last output leaves every earlier file as it was
        if output is not None:
            result.write(outputs.path(output))
            summary["output"] = str(output)
        if table is not None:
            summary["movements"] = len(table)
            summary["turns_output"] = str(write_frame(table, outputs.path(turns_output), target=turns_output, field="--turns"))
    return result, summary


__all__ = ["DEMAND_COLUMNS", "read_node_demand", "read_scene_demand", "run_scene_assign"]
