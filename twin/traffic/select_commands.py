"""The work behind ``twin traffic select-link`` / ``select-zone`` output files and ``select-zone``.

:func:`check_select_outputs` makes every output check before any work (and reads the node
coordinates a map needs); :func:`write_select_outputs` writes the per-link table and the map of
either command; :func:`run_select_zone` is the select-zone command.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from twin.errors import InputError
from twin.traffic.network import Network
from twin.traffic.output_files import StagedOutputs

#: Endings of a map.
MAP_SUFFIXES = (".png", ".svg")


@dataclass
class SelectOutputs:
    """The output files of a select-link / select-zone run (None: not asked for)."""

    od: Path | None = None
    link_flows: Path | None = None
    map: Path | None = None
    nodes: Path | None = None
    #: The checked outputs, written staged and swapped in together (:func:`check_output_paths`
    #: sets it; None: the files are written in place, each atomically).
    staged: StagedOutputs | None = field(default=None, repr=False)

    def path(self, target: Path) -> Path:
        """Where to write the output ``target``: its staged file, or ``target`` itself."""
        return target if self.staged is None else self.staged.path(target)

    def writing(self) -> contextlib.AbstractContextManager[Any]:
        """``with outputs.writing(): ...``: the staged files swapped in together at the end (none on an error)."""
        return contextlib.nullcontext() if self.staged is None else self.staged


def zone_flow_check(network: Network, flow: np.ndarray, matrix: np.ndarray, idx: np.ndarray, side: str, total: float) -> dict[str, float]:
    """The select-zone check: the net flow out of (``side="origin"``) or into the zone nodes ``idx``
    equals their demand ``total`` less the trips between two selected zones.

    Returns ``demand_veh``, ``demand_among_zones_veh``, ``net_flow_veh`` and ``balance_error``
    (relative; absolute when nothing is expected).
    """
    from twin.traffic.select_maps import zone_balance

    among = float(matrix[np.ix_(idx, idx)].sum() - matrix[idx, idx].sum())
    net_flow = zone_balance(network, flow, idx, side)
    expected = total - among
    return {"demand_veh": total, "demand_among_zones_veh": among, "net_flow_veh": net_flow,
            "balance_error": abs(net_flow - expected) / max(abs(expected), 1e-300) if expected else abs(net_flow)}


def check_zone_demand(matrix: np.ndarray, idx: list[int] | np.ndarray, side: str, zones: list[str], *, path: Path) -> None:
    """Raise InputError (field ``--zones``, the demand file ``path`` named) when no trip starts at
    (``side="origin"``) or ends at the zones ``idx`` of ``matrix``, trips from a zone to itself
    left out: every flow of the analysis would be 0 (the selection matches nothing). Checked
    before the assignment."""
    rows = matrix[idx] if side == "origin" else matrix[:, idx].T
    total = float(rows.sum() - matrix[idx, idx].sum())
    if not total > 0:
        where = "from" if side == "origin" else "to"
        raise InputError(f"no trip goes {where} the selected zone(s) {', '.join(map(str, zones))} in the demand (side {side}): every select-zone "
                         f"flow would be 0, the selection matches nothing; choose zones with trips {where} them, or the other --side",
                         path=path, field="--zones")  # fmt: skip


def check_output_paths(outputs: SelectOutputs, *, inputs: list[Path]) -> None:
    """Every output of ``outputs`` has an allowed ending, can be written, is none of ``inputs``
    (:func:`twin.io.output_checks.check_output_file`), no two outputs share a path and an existing
    file is an earlier traffic output (:mod:`twin.traffic.output_files`); ``outputs.staged`` then
    holds them, to be written staged and swapped in together.

    Raises
    ------
    OutputError
    """
    from twin.traffic.select_maps import TABLE_SUFFIXES

    staged = StagedOutputs(inputs)  # two options on one file first, then each file's own kind and writer
    staged.add([("--output", outputs.od, TABLE_SUFFIXES), ("--link-flows", outputs.link_flows, TABLE_SUFFIXES), ("--map", outputs.map, MAP_SUFFIXES)])
    outputs.staged = staged


def check_select_outputs(net: Path, trips: Path, outputs: SelectOutputs) -> None:
    """Before any work: every output has an allowed ending, can be written, is not an input nor
    inside the network's folder (it holds the README and node file read with the net), and no
    two outputs share a path; a map has matplotlib and a node file.

    Raises
    ------
    OutputError, InputError
    """
    from twin.traffic.select_maps import node_file_for, require_matplotlib

    nodes = outputs.nodes if outputs.nodes is not None else (node_file_for(net) if outputs.map is not None else None)
    if outputs.nodes is not None and outputs.map is None:
        raise InputError("the node file places the map's nodes: only with --map (without it the file changes nothing)", path=outputs.nodes, field="--nodes")
    check_output_paths(outputs, inputs=[net, trips, net.parent, *([nodes] if nodes is not None else [])])
    if outputs.map is not None:
        require_matplotlib()
        if nodes is not None and not nodes.is_file():
            raise InputError("no node coordinates to draw the map (TNTP node file 'node X Y'; give one with --nodes)", path=nodes, field="--map")
    outputs.nodes = nodes if outputs.map is not None else None


def write_select_outputs(
    network: Network,
    flow: np.ndarray,
    selected_flow: np.ndarray,
    outputs: SelectOutputs,
    *,
    kind: str,
    unit: str,
    title: str,
    highlight_links: np.ndarray | None = None,
    highlight_nodes: list[int] | None = None,
    xy: np.ndarray | None = None,
    lines: list[np.ndarray] | None = None,
) -> dict[str, str]:
    """Write ``--link-flows`` and ``--map`` of a select-link (``kind='select_link'``) or
    select-zone (``kind='select_zone'``) run (to their staged files: the caller swaps them in with
    :meth:`SelectOutputs.writing`); returns the paths, by summary key (``lines``: the drawing of
    every link, default straight between its nodes, ``xy``)."""
    from twin.traffic.select_maps import draw_flow_map, link_flow_frame, write_link_flows

    written: dict[str, str] = {}
    if outputs.link_flows is not None:
        frame = link_flow_frame(network, flow, selected_flow, kind=kind, unit=unit, selected=highlight_links)
        write_link_flows(frame, outputs.path(outputs.link_flows))
        written["link_flows"] = str(outputs.link_flows)
    if outputs.map is not None:
        if xy is None:
            raise InputError("no node coordinates to draw the map", field="--map")
        words = kind.replace("_", "-")
        what = "selected link(s)" if highlight_links is not None else "selected zone(s)"
        draw_flow_map(network, xy, selected_flow, outputs.path(outputs.map), title=title, label=f"{words} flow ({unit.replace('_h', '/h')})",
                                           highlight_links=() if highlight_links is None else highlight_links,
                      highlight_nodes=highlight_nodes or (), highlight_label=what, lines=lines)  # fmt: skip
        written["map"] = str(outputs.map)
    return written


def od_summary(od: np.ndarray, node_ids: np.ndarray, frame: Any, top: int) -> dict[str, Any]:
    """The OD part of a select-link summary: the number of OD pairs, the ``top`` largest (``frame``:
    origin, destination, flow; sorted largest first) and the origin and destination totals."""
    z = od.shape[0]
    return {
        "od_pairs": int(len(frame)),
        "top": [{"origin": str(r.origin), "destination": str(r.destination), "flow": float(r.flow)} for r in frame.head(top).itertuples()],
        "origin_totals": {str(node_ids[o]): float(v) for o, v in enumerate(od.sum(axis=1)) if v > 0},
        "destination_totals": {str(node_ids[d]): float(v) for d, v in enumerate(od.sum(axis=0)[:z]) if v > 0},
    }


def read_inputs(net: Path, trips: Path, outputs: SelectOutputs, gap: float) -> tuple[Network, Any, np.ndarray | None]:
    """Check the gap and the outputs, read the network, the demand and (for a map) the node coordinates.

    Raises
    ------
    InputError
        A bad gap, a bad file, a trips file without demand, a node file that does not cover the network.
    """
    from twin.traffic.assign_commands import check_gap_option
    from twin.traffic.select_maps import read_node_xy
    from twin.traffic.tntp import read_network, read_trips

    check_gap_option(gap)
    check_select_outputs(net, trips, outputs)
    network = read_network(net)
    xy = read_node_xy(network, outputs.nodes) if outputs.nodes is not None else None
    demand = read_trips(trips, n_zones=network.n_zones, demand_for="assign")
    return network, demand, xy


def run_select_zone(net: Path, trips: Path, zones: list[str], side: str, gap: float, outputs: SelectOutputs) -> dict[str, Any]:
    """Select-zone analysis of a TNTP case: assign (Algorithm B), take the flow of the trips from
    (``side='origin'``) or to (``'destination'``) the zones, check it against their demand and
    write the outputs. Every input and output check comes before the assignment.

    Returns
    -------
    dict
        ``network``, ``zones``, ``side``, ``relative_gap``, ``demand_veh`` (from / to the zones,
        to / from every other zone), ``demand_among_zones_veh`` (between two different selected
        zones), ``net_flow_veh`` (out of the zone nodes for the origin side, into them for the
        destination side; equals ``demand_veh - demand_among_zones_veh``), ``balance_error``
        (relative), ``vehicle_distance`` and ``vehicle_time`` of the selected trips, and the files written.
    """
    from twin.traffic.assign import assign
    from twin.traffic.select_link import select_zone, zone_indices

    if side not in ("origin", "destination"):
        raise InputError(f"must be origin or destination, got {side!r}", field="--side")
    network, demand, xy = read_inputs(net, trips, outputs, gap)
    try:
        idx = zone_indices(network, zones)  # unknown zones fail before the assignment
    except InputError as exc:  # an unknown zone: name the network file, as select-link does
        if exc.obj is None:
            raise
        raise InputError(exc.message, path=net, obj=exc.obj, field=exc.field) from None
    check_zone_demand(demand.matrix, idx, side, zones, path=trips)
    result = assign(network, demand, algorithm="b", gap=gap)
    sz = select_zone(result, zones, side=side, demand=demand)
    summary: dict[str, Any] = {
        "network": network.name,
        "zones": [str(v) for v in sz.zones],
        "side": side,
        "relative_gap": result.relative_gap,
        **zone_flow_check(network, sz.link_flow, demand.matrix, idx, side, sz.total),
        "vehicle_distance": float(sz.link_flow @ network.length),
        "vehicle_time": float(sz.link_flow @ result.time),
        "length_unit": network.length_unit,
        "time_unit": network.time_unit,
    }
    title = f"{network.name}: select-zone, trips {'from' if side == 'origin' else 'to'} zone(s) {', '.join(summary['zones'])} (relative gap {result.relative_gap:.1e})"
    with outputs.writing():
        summary.update(write_select_outputs(network, result.flow, sz.link_flow, outputs, kind="select_zone", unit=sz.unit, title=title, highlight_nodes=idx, xy=xy))
    return summary
