"""The work behind ``twin traffic select-link --scene`` and ``select-zone --scene``.

The scene's car network is assigned as ``twin traffic assign --scene`` assigns it (Algorithm B;
OSM turn restrictions, pretimed signals with their green split, optional turn penalties on the
turn-expanded network and optional give-way delay, :func:`twin.traffic.scene_graph.build_scene_graph`). Select-link then runs on that network with
the selected street link standing for every link of it that carries the street link's flow (the
link itself and its via-way copies, :meth:`~twin.traffic.scene_graph.SceneGraph.street_link_of`);
the flows of the selected trips are mapped back to the street links as the assignment's are
(:meth:`~twin.traffic.scene_graph.SceneGraph.street_flow`), and the map draws the scene's street
geometries in its CRS (EPSG:31370 by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from twin.errors import InputError
from twin.traffic.network import Network
from twin.traffic.scene_graph import SceneGraph
from twin.traffic.select_commands import SelectOutputs
from twin.traffic.tntp import Demand

#: Unit of a scene's flows (vehicles per hour), in column names.
UNIT = "veh_h"


@dataclass(eq=False)
class SceneCase:
    """A scene, its demand and the network assigned (see :func:`read_scene_case`)."""

    scene: Any
    source: str
    demand_path: Path
    zones: list[str]
    od: Demand
    sg: SceneGraph

    @property
    def net(self) -> Network:
        """The scene's car network (one link per street link)."""
        return self.sg.net


def check_scene_outputs(source: list[Path], demand: Path, outputs: SelectOutputs) -> None:
    """Before any work: every output has an allowed ending, can be written, is no input and no
    two share a path; a map has matplotlib.

    Raises
    ------
    OutputError, InputError
    """
    from twin.traffic.select_commands import check_output_paths
    from twin.traffic.select_maps import require_matplotlib

    if outputs.nodes is not None:
        raise InputError("not with --scene (the map draws the scene's street geometries)", path=outputs.nodes, field="--nodes")
    check_output_paths(outputs, inputs=[*source, demand])
    if outputs.map is not None:
        require_matplotlib()


def read_scene_case(source: list[Path], demand: Path, *, gap: float, outputs: SelectOutputs, crs: str | None, scene_crs: str,
                    restrictions: bool, signals: bool, turn_penalties: bool, signal_split: str = "equal", give_way: bool = False,
                    design_flows: Path | None = None, period: str | None = None, klass: str | None = None,
                    count_period_h: float | None = None) -> SceneCase:  # fmt: skip
    """Check the gap and the outputs, read the scene and the demand, build the network assigned.

    ``signal_split`` ``flows`` takes the counted flows of ``design_flows`` (``period`` / ``klass``
    choosing one of the file's periods and classes, ``count_period_h`` the hours each count
    covers), as ``twin traffic assign --scene``
    (:func:`twin.traffic.dynamic_commands.read_design_flows`).

    Raises
    ------
    InputError
        A bad gap, output, scene or demand table (as ``twin traffic assign --scene``).
    """
    from twin.traffic.assign_commands import check_gap_option, read_scene_demand
    from twin.traffic.dynamic_commands import check_signal_split, design_flow_counts, read_design_flows
    from twin.traffic.scene_graph import build_scene_graph

    check_signal_split(signal_split, signals, design_flows, period=period, klass=klass, count_period_h=count_period_h)
    check_gap_option(gap)
    check_scene_outputs(source, demand, outputs)
    scene, zones, od = read_scene_demand(source, demand, crs, scene_crs)
    net = Network.from_scene(scene, mode="car", zones=zones)
    flows = read_design_flows(design_flows, net, period=period, klass=klass, count_period_h=count_period_h) if design_flows is not None else None
    sg = build_scene_graph(scene, net, restrictions=restrictions, signals=signals, turn_penalties=turn_penalties, signal_split=signal_split, give_way=give_way,
                           signal_flows=flows)  # fmt: skip
    if flows is not None:
        sg.counts.update(design_flow_counts(net, sg.flagged, flows, (net.capacity > 0) & (net.vdf < 2), design_flows, count_period_h=count_period_h))
    label = str(source[0]) if len(source) == 1 else ", ".join(map(str, source))
    return SceneCase(scene, label, demand, zones, od, sg)


def street_link_indices(case: SceneCase, links: list[str]) -> np.ndarray:
    """Indices (in the car network) of street links given by their ``link_id``.

    Raises
    ------
    InputError
        No link, an id that is no link of the scene or a link closed to cars, a link given twice.
    """
    if not links:
        raise InputError("give at least one street link id", path=case.source, field="--link")
    by_id = {str(v): k for k, v in enumerate(case.net.link_ids)}
    scene_ids = set(case.scene.links["link_id"].astype(str))
    out = []
    for item in links:
        key = str(item).strip()
        if key not in by_id:
            why = "is not open to cars" if key in scene_ids else f"is not a link of the scene ({len(scene_ids)} links; give a link_id of its links layer)"
            raise InputError(f"street link {key!r} {why}", path=case.source, obj=f"link {key}", field="--link")
        out.append(by_id[key])
    if len(set(out)) != len(out):
        raise InputError("a street link is selected twice", path=case.source, field="--link")
    return np.array(out, dtype=np.int64)


def assign_case(case: SceneCase, gap: float) -> Any:
    """Algorithm B equilibrium of the demand on the network assigned (per-origin flows kept; with
    give-way lines, the last of :func:`twin.traffic.scene_graph.assign_scene_graph`'s passes)."""
    from twin.traffic.scene_graph import assign_scene_graph

    return assign_scene_graph(case.sg, case.od, algorithm="b", gap=gap)


def street_lines(case: SceneCase) -> tuple[list[np.ndarray], np.ndarray]:
    """The drawing of every street link (its geometry shifted to the right of its direction, so
    that both directions of a street show) and the coordinates of every node of the car network."""
    import shapely

    net = case.net
    links = case.scene.links
    geoms = links.geometry.set_axis(links["link_id"].astype(str)).reindex([str(v) for v in net.link_ids]).to_numpy()  # stored order
    coords = [np.asarray(shapely.get_coordinates(g), dtype=np.float64) for g in geoms]
    xy = np.full((net.n_nodes, 2), np.nan)
    for k, c in enumerate(coords):
        xy[net.from_node[k]], xy[net.to_node[k]] = c[0], c[-1]
    finite = xy[np.isfinite(xy[:, 0])]
    shift = 0.004 * max(float(np.ptp(finite, axis=0).max()) if finite.size else 1.0, 1e-12)
    lines = []
    for g, c in zip(geoms, coords, strict=True):
        moved = shapely.offset_curve(g, -shift) if g.length > 2 * shift else g
        lines.append(np.asarray(shapely.get_coordinates(moved), dtype=np.float64) if moved.geom_type == "LineString" and not moved.is_empty else c)
    return lines, xy


def write_od(sl: Any, path: Path) -> Path:
    """The select-link OD table as a demand table (origin, destination, flow_veh_h), atomically."""
    from twin.io import atomic_path

    frame = sl.to_frame().rename(columns={"flow": "flow_veh_h"})
    from twin.traffic.dynamic_commands import to_table  # tags a Parquet, refuses a file of another kind
    with atomic_path(path) as tmp:
        to_table(frame, tmp, path)
    return path


def run_scene_select_link(source: list[Path], demand: Path, links: list[str], *, gap: float, top: int, outputs: SelectOutputs, crs: str | None,
                          scene_crs: str, restrictions: bool = True, signals: bool = True, turn_penalties: bool = False, signal_split: str = "equal",
                          give_way: bool = False, design_flows: Path | None = None, period: str | None = None,
                          klass: str | None = None, count_period_h: float | None = None) -> dict[str, Any]:  # fmt: skip
    """Select-link analysis of street links of a scene (module docstring). Every input and output
    check comes before the assignment; a selection without car flow at equilibrium is an error.

    Returns
    -------
    dict
        The summary of ``twin traffic select-link`` (flows in veh/h) with the restriction,
        penalty and signal counts of ``twin traffic assign --scene``.

    Raises
    ------
    InputError
        Bad input (see :func:`read_scene_case`, :func:`street_link_indices`), or selected street
        links that carry no car flow.
    """
    from twin.traffic.select_commands import od_summary, write_select_outputs
    from twin.traffic.select_link import select_link

    case = read_scene_case(source, demand, gap=gap, outputs=outputs, crs=crs, scene_crs=scene_crs, restrictions=restrictions, signals=signals,
                           turn_penalties=turn_penalties, signal_split=signal_split, give_way=give_way, design_flows=design_flows,
                           period=period, klass=klass, count_period_h=count_period_h)  # fmt: skip
    sel = street_link_indices(case, links)
    result = assign_case(case, gap)
    sg, net = case.sg, case.net
    street = sg.street_flow(result.flow)
    ids = [str(v) for v in net.link_ids[sel]]
    if not street[sel].sum() > 1e-9 * max(case.od.total, 1.0):
        raise InputError(f"no car uses the selected street link(s) at equilibrium (flow {street[sel].sum():.3g} veh/h): the selection matches nothing",
                         path=case.source, obj=f"link {', '.join(ids)}", field="--link")  # fmt: skip
    of = sg.street_link_of()
    carriers = np.flatnonzero(np.isin(of, sel))
    sl = select_link(result, [sg.network.link_ids[e] for e in carriers], demand=case.od)
    trip_street = sg.street_flow(sl.trip_flow)
    lines, xy = street_lines(case) if outputs.map is not None else (None, None)
    title = f"select-link {', '.join(ids)} (veh/h, relative gap {result.relative_gap:.1e})"
    with outputs.writing():  # staged, then swapped in together: an error on the last output leaves every earlier file as it was
        if outputs.od is not None:
            write_od(sl, outputs.path(outputs.od))
        written = write_select_outputs(net, street, trip_street, outputs, kind="select_link", unit=UNIT, title=title, highlight_links=sel, xy=xy, lines=lines)
    frame = sl.to_frame().sort_values("flow", ascending=False)
    summary: dict[str, Any] = {
        "network": net.name,
        "links": ids,
        "relative_gap": result.relative_gap,
        "selected_link_flow": float(street[sel].sum()),
        "select_link_total": sl.total,
        **od_summary(sl.od, sg.network.node_ids, frame, top),
        "expanded_links_selected": int(carriers.size),
        "unit": "veh/h",
        **sg.counts,
    }
    if outputs.od is not None:
        summary["output"] = str(outputs.od)
    summary.update(written)
    return summary


def run_scene_select_zone(source: list[Path], demand: Path, zones: list[str], side: str, *, gap: float, outputs: SelectOutputs, crs: str | None,
                          scene_crs: str, restrictions: bool = True, signals: bool = True, turn_penalties: bool = False, signal_split: str = "equal",
                          give_way: bool = False, design_flows: Path | None = None, period: str | None = None,
                          klass: str | None = None, count_period_h: float | None = None) -> dict[str, Any]:  # fmt: skip
    """Select-zone analysis of a scene: the zones are the nodes of the demand table; the flows
    of the trips from (``side='origin'``) or to them, mapped back to the street links.

    Returns
    -------
    dict
        The summary of ``twin traffic select-zone`` (veh/h; distance in m, time in s: the
        selected trips' time on the network assigned, with signal delay and turn penalties).
    """
    from twin.traffic.select_commands import check_zone_demand, write_select_outputs, zone_flow_check
    from twin.traffic.select_link import select_zone

    if side not in ("origin", "destination"):
        raise InputError(f"must be origin or destination, got {side!r}", field="--side")
    case = read_scene_case(source, demand, gap=gap, outputs=outputs, crs=crs, scene_crs=scene_crs, restrictions=restrictions, signals=signals,
                           turn_penalties=turn_penalties, signal_split=signal_split, give_way=give_way, design_flows=design_flows,
                           period=period, klass=klass, count_period_h=count_period_h)  # fmt: skip
    index = {z: k for k, z in enumerate(case.zones)}
    if not zones:
        raise InputError("give at least one zone", path=demand, field="--zones")
    for zone in zones:
        if zone not in index:
            raise InputError(f"node {zone!r} is not a zone: the zones are the {len(index)} origin and destination nodes of the demand table", path=demand, obj=f"zone {zone}", field="--zones")
    idx = [index[z] for z in zones]
    if len(set(idx)) != len(idx):
        raise InputError("a zone is selected twice", path=demand, field="--zones")
    check_zone_demand(case.od.matrix, idx, side, zones, path=demand)
    result = assign_case(case, gap)
    sz = select_zone(result, zones, side=side, demand=case.od)
    net, matrix = case.net, case.od.matrix
    street = case.sg.street_flow(sz.link_flow)
    summary: dict[str, Any] = {
        "network": net.name,
        "zones": list(zones),
        "side": side,
        "relative_gap": result.relative_gap,
        **zone_flow_check(net, street, matrix, idx, side, sz.total),
        "vehicle_distance": float(street @ net.length),
        "vehicle_time": float(sz.link_flow @ result.time),
        "length_unit": "m",
        "time_unit": "s",
        "unit": "veh/h",
        **case.sg.counts,
    }
    lines, xy = street_lines(case) if outputs.map is not None else (None, None)
    title = f"select-zone, trips {'from' if side == 'origin' else 'to'} zone(s) {', '.join(zones)} (veh/h, relative gap {result.relative_gap:.1e})"
    with outputs.writing():
        summary.update(write_select_outputs(net, case.sg.street_flow(result.flow), street, outputs, kind="select_zone", unit=UNIT, title=title,
                                            highlight_nodes=idx, xy=xy, lines=lines))  # fmt: skip
    return summary


__all__ = ["SceneCase", "check_scene_outputs", "read_scene_case", "run_scene_select_link", "run_scene_select_zone", "street_link_indices"]
