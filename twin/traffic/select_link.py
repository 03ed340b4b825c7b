"""Select-link analysis: the OD matrix of the traffic that uses a link (or any of a set of links).

Works on the origin flows of Algorithm B (``assign(..., algorithm="b")`` or
:func:`twin.traffic.multiclass.assign_multiclass`), which are acyclic per origin; the flows
of an origin are split at every node in proportion to its link flows (proportionality, see
:mod:`twin.kernels.traffic_select`). For one selected link the select-link OD flows sum to the
link's flow (checked and stored as ``closure``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from twin.errors import InputError, SimulationError
from twin.io import atomic_path
from twin.traffic.network import Network
from twin.traffic.results import AssignmentResult
from twin.traffic.tntp import Demand

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from twin.traffic.multiclass import MultiClassResult


@dataclass(eq=False)
class SelectLinkResult:
    """Select-link OD matrix and flow map.

    Attributes
    ----------
    network : Network
    link_ids : list
        The selected links (ids as in the network).
    od : ndarray (z, z)
        Flow from each origin zone to each destination zone that uses a selected link
        (vehicles per period, or PCE if ``unit`` says so).
    link_flow : ndarray (m,)
        Flow on every link of the traffic that uses a selected link, downstream of it
        (the part of its trip after the selected link); on the selected link its whole flow.
    selected_flow : float
        Assigned flow on the selected links (summed).
    unit : str
    trip_flow : ndarray (m,) or None
        Flow on every link of the whole trips that use a selected link, before and after it
        (the select-link flow map); on a selected link its whole flow. None if not asked for.
    """

    network: Network
    link_ids: list
    od: np.ndarray
    link_flow: np.ndarray
    selected_flow: float
    unit: str = "veh"
    meta: dict[str, Any] = field(default_factory=dict)
    trip_flow: np.ndarray | None = None

    @property
    def total(self) -> float:
        """Sum of the select-link OD matrix."""
        return float(self.od.sum())

    def to_frame(self) -> pd.DataFrame:
        """Tidy OD table (origin, destination, flow) of the non-zero entries."""
        import pandas as pd

        o, d = np.nonzero(self.od > 0.0)
        ids = self.network.node_ids
        return pd.DataFrame({"origin": ids[o], "destination": ids[d], "flow": self.od[o, d]})

    def write(self, path: str | Path) -> Path:
        """Write :meth:`to_frame` atomically to ``.csv`` or ``.parquet``."""
        path = Path(path)
        if path.suffix.lower() not in (".csv", ".parquet"):
            raise InputError("output must end in .csv or .parquet", path=path, field="output")
        frame = self.to_frame()
        from twin.traffic.dynamic_commands import to_table  # tags a Parquet, refuses a file of another kind
        with atomic_path(path) as tmp:
            to_table(frame, tmp, path)
        return path


def link_indices(network: Network, links: Sequence[Any]) -> np.ndarray:
    """Stored indices of links given by id, or by ``"from-to"`` node ids (e.g. ``"12-37"``).

    Raises
    ------
    InputError
        An empty selection, an unknown link, two links given twice.
    """
    if len(links) == 0:
        raise InputError("select-link needs at least one link", field="links")
    by_id = {str(v): k for k, v in enumerate(network.link_ids)}
    node_ids = network.node_ids
    out = []
    for item in links:
        key = str(item).strip()
        if key in by_id:
            out.append(by_id[key])
            continue
        if "-" in key:
            a, b = (s.strip() for s in key.split("-", 1))
            hit = np.flatnonzero((node_ids[network.from_node].astype(str) == a) & (node_ids[network.to_node].astype(str) == b))
            if hit.size == 1:
                out.append(int(hit[0]))
                continue
            if hit.size > 1:
                raise InputError(f"{hit.size} links go from node {a} to node {b}: give a link id", obj=f"link {key}", field="links")
        raise InputError(f"no link {key!r} in network {network.name} (give a link id or from-to node ids)", obj=f"link {key}", field="links")
    if len(set(out)) != len(out):
        raise InputError("a link is selected twice", field="links")
    return np.array(out, dtype=np.int64)


def _run(network: Network, row_flow: np.ndarray, row_origin: np.ndarray, demand_rows: np.ndarray, sel: np.ndarray,
         whole_trips: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Select-link OD rows, the tagged (downstream) flow and (``whole_trips``) the whole trips' flow of every row."""
    from twin.kernels.traffic_select import select_link_od, select_link_trip_flows

    m = network.n_links
    selected = np.zeros(m, dtype=np.uint8)
    selected[sel] = 1
    out_od = np.empty(demand_rows.shape)
    out_link = np.empty(row_flow.shape)
    tol = 1e-12 * max(float(demand_rows.sum()), 1.0)
    status = select_link_od(
        np.ascontiguousarray(row_flow, dtype=np.float64), row_origin, np.ascontiguousarray(demand_rows, dtype=np.float64),
        network.to_node.astype(np.int64), network.out_start.astype(np.int64), selected, tol, out_od, out_link,
    )
    if status < 0:
        raise SimulationError(f"the flows of origin row {-status - 1} contain a cycle: not bush flows", field="origin_flows")
    if not whole_trips:
        return out_od, out_link, None
    out_trip = np.empty(row_flow.shape)
    select_link_trip_flows(
        np.ascontiguousarray(row_flow, dtype=np.float64), row_origin, np.ascontiguousarray(demand_rows, dtype=np.float64),
        network.to_node.astype(np.int64), network.out_start.astype(np.int64), selected, out_link, tol, out_trip,
    )  # acyclic: checked by select_link_od on the same rows
    return out_od, out_link, out_trip


def select_link(
    result: AssignmentResult | MultiClassResult,
    links: Sequence[Any],
    *,
    demand: Demand | np.ndarray | None = None,
    klass: str | None = None,
    whole_trips: bool = True,
) -> SelectLinkResult:
    """Select-link OD matrix of ``links`` at an assignment's equilibrium.

    Parameters
    ----------
    result
        An Algorithm B result (it keeps the flows per origin) or a multi-class result.
    links
        Link ids, or ``"from-to"`` node-id pairs; traffic using any of them is selected.
    demand
        The OD matrix assigned (single-class results; not needed for multi-class ones).
    klass
        Multi-class results: one class (vehicles), or None for all classes in PCE.
    whole_trips
        Also the flow of the selected trips on every link (``trip_flow``; a second sweep, about
        twice the time). False: ``trip_flow`` is None.

    Raises
    ------
    InputError
        A result without origin flows (not Algorithm B), a missing or mismatched demand, an
        unknown link or class.
    """
    from twin.traffic.multiclass import MultiClassResult

    network = result.network
    sel = link_indices(network, links)
    z = network.n_zones
    if isinstance(result, MultiClassResult):
        names = result.classes if klass is None else [klass]
        if klass is not None and klass not in result.classes:
            raise InputError(f"no vehicle class {klass!r}; the classes are {result.classes}", field="class")
        od = np.zeros((z, z))
        link_flow = np.zeros(network.n_links)
        trip_flow = np.zeros(network.n_links) if whole_trips else None
        for name in names:
            c = result.classes.index(name)
            factor = 1.0 if klass is not None else float(result.pce[c])  # vehicles for one class, PCE for all
            rows = result.row_flows[c * z : (c + 1) * z] / result.pce[c]
            o, lf, tf = _run(network, rows, np.arange(z, dtype=np.int64), result.class_demand[c], sel, whole_trips)
            od += factor * o
            link_flow += factor * lf.sum(axis=0)
            if trip_flow is not None and tf is not None:
                trip_flow += factor * tf.sum(axis=0)
        selected_flow = float(result.class_flow[result.classes.index(klass)][sel].sum()) if klass is not None else float(result.flow_pce[sel].sum())
        unit = "veh" if klass is not None else "pce"
    else:
        if result.origin_flows is None:
            raise InputError(f"select-link needs the flows per origin of Algorithm B; the result is from {result.algorithm!r}", field="algorithm")
        if demand is None:
            raise InputError("select-link on a single-class result needs the demand assigned", field="demand")
        matrix = np.asarray(demand.matrix if isinstance(demand, Demand) else demand, dtype=np.float64)
        if matrix.shape != (z, z):
            raise InputError(f"demand has shape {matrix.shape}, the network {z} zones", field="demand")
        od, lf, tf = _run(network, result.origin_flows, np.arange(z, dtype=np.int64), matrix, sel, whole_trips)
        link_flow = lf.sum(axis=0)
        trip_flow = tf.sum(axis=0) if tf is not None else None
        selected_flow = float(result.flow[sel].sum())
        unit = "veh"
    out = SelectLinkResult(network, [network.link_ids[k] for k in sel], od, link_flow, selected_flow, unit, trip_flow=trip_flow)
    if len(sel) == 1:
        out.meta["closure"] = abs(out.total - selected_flow) / max(selected_flow, 1e-300) if selected_flow > 0 else abs(out.total)
    return out


def zone_indices(network: Network, zones: Sequence[Any]) -> list[int]:
    """Node indices of zones given by node id.

    Raises
    ------
    InputError
        An empty selection, a node id that is not a zone of the network, a zone given twice.
    """
    if len(zones) == 0:
        raise InputError("select-zone needs at least one zone", field="zones")
    lookup = {str(v): k for k, v in enumerate(network.node_ids[: network.n_zones])}
    idx = []
    for item in zones:
        if str(item).strip() not in lookup:
            raise InputError(f"{item!r} is not a zone of network {network.name} ({network.n_zones} zones)", obj=f"zone {item}", field="zones")
        idx.append(lookup[str(item).strip()])
    if len(set(idx)) != len(idx):
        raise InputError("a zone is selected twice", field="zones")
    return idx


@dataclass(eq=False)
class SelectZoneResult:
    """Link flows of the traffic from (``origin``) or to (``destination``) a set of zones.

    ``link_flow`` (m,) in vehicles (PCE for all classes of a multi-class result); ``total`` is the
    demand from / to the zones (equal to the flow leaving / entering them).
    """

    network: Network
    zones: list
    side: str
    link_flow: np.ndarray
    total: float
    unit: str = "veh"


def select_zone(result: AssignmentResult, zones: Sequence[Any], *, side: str, demand: Demand | np.ndarray) -> SelectZoneResult:
    """Select-zone analysis on an Algorithm B result: the flow on every link of the trips that
    start in (``side="origin"``) or end in (``side="destination"``) the given zones (node ids).

    Origin side: the sum of the zones' origin flows. Destination side: every origin's flow split
    at each node in proportion to its link flows (:func:`twin.kernels.traffic_select.select_destination_flows`).

    Raises
    ------
    InputError
        ``side`` not origin/destination, an unknown or non-zone node id, an empty selection, a
        result without origin flows, a demand of the wrong shape.
    """
    from twin.kernels.traffic_select import select_destination_flows

    network = result.network
    z = network.n_zones
    if side not in ("origin", "destination"):
        raise InputError(f"side must be 'origin' or 'destination', got {side!r}", field="side")
    idx = zone_indices(network, zones)
    if result.origin_flows is None:
        raise InputError(f"select-zone needs the flows per origin of Algorithm B; the result is from {result.algorithm!r}", field="algorithm")
    matrix = np.asarray(demand.matrix if isinstance(demand, Demand) else demand, dtype=np.float64)
    if matrix.shape != (z, z):
        raise InputError(f"demand has shape {matrix.shape}, the network {z} zones", field="demand")
    if side == "origin":
        flow = result.origin_flows[idx].sum(axis=0)
        total = float(matrix[idx].sum() - matrix[idx, idx].sum())
    else:
        mask = np.zeros(z, dtype=np.uint8)
        mask[idx] = 1
        out = np.empty(result.origin_flows.shape)
        status = select_destination_flows(
            np.ascontiguousarray(result.origin_flows), np.arange(z, dtype=np.int64), matrix, network.to_node.astype(np.int64),
            network.out_start.astype(np.int64), mask, 1e-12 * max(float(matrix.sum()), 1.0), out,
        )
        if status < 0:
            raise SimulationError(f"the flows of origin row {-status - 1} contain a cycle: not bush flows", field="origin_flows")
        flow = out.sum(axis=0)
        total = float(matrix[:, idx].sum() - matrix[idx, idx].sum())
    return SelectZoneResult(network, [network.node_ids[k] for k in idx], side, flow, total)
