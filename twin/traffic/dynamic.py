"""Dynamic network loading: queues, spillback and time-dependent demand on a :class:`Network`.

The link transmission model (Yperman 2007) with a triangular fundamental diagram per link, the
general node model of Tampère et al. (2011) at every node, point queues at the origins and
destination-based FIFO tracking of vehicles (kernel: :mod:`twin.kernels.dnl_ltm`). Routes come
from a dynamic user-optimal route choice (shortest paths on the experienced or the instantaneous
link travel times, updated periodically), from free-flow shortest paths, from a static user equilibrium
(:func:`twin.traffic.dynamic_routes.equilibrium_splits`) or from splitting rates given by the
caller.

Turn bans and penalties (routes chosen per in-link) and pretimed signals (stop-line capacity
``s g``) are options of :func:`simulate`; the method is in :mod:`twin.traffic.dynamic_turns`.
Give-way at unsignalised junctions (stop-line capacity of each yielding approach from the recent
outflow of the streams it gives way to) is in :mod:`twin.traffic.dynamic_give_way`.

Quantities are continuous (fractions of vehicles). Units: s, m, vehicles, vehicles/s.

Examples
--------
>>> from twin.traffic.dynamic import LinkDynamics, simulate  # doctest: +SKIP
>>> result = simulate(net, demand, dt_s=5.0, duration_s=7200.0)  # doctest: +SKIP
>>> result.totals()["total_travel_time_veh_h"]  # doctest: +SKIP

References
----------
* I. Yperman (2007), *The link transmission model for dynamic network loading*, PhD thesis,
  KU Leuven.
* G. F. Newell (1993), "A simplified theory of kinematic waves in highway traffic", Transportation
  Research B 27(4), 281-313.
* C. M. J. Tampère, R. Corthout, D. Cattrysse, L. H. Immers (2011), Transportation Research B 45(1),
  289-309.
* C. F. Daganzo (1994, 1995), the cell transmission model, Transportation Research B 28(4) and 29(2).
* M. Kuwahara, T. Akamatsu (1997), "Decomposition of the reactive dynamic assignment with queues
  for a many-to-many origin-destination pattern", Transportation Research B 31(1), 1-10.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from twin.errors import InputError, ResourceLimitError, SchemaError, SimulationError
from twin.traffic.signal_phases import SPLIT_STATUSES

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable, Mapping

    import pandas as pd
    import xarray as xr

    from twin.traffic.dynamic_turns import Movements
    from twin.traffic.network import Network
    from twin.traffic.priority import GiveWayParameters, Junctions
    from twin.traffic.signals import SignalTiming

DEFAULT_JAM_DENSITY_VEH_M_LANE = 0.15
"""Jam density per lane, vehicles/m (one car per 6.7 m of lane, bumper to bumper)."""

DEFAULT_DUO_INTERVAL_S = 600.0
PARALLEL_MIN_LINKS = 5000
DEFAULT_DUO_WEIGHT = 0.5
DEFAULT_DUO_NOISE = 0.01
"""Relative noise on the link times of each DUO route search (UXsim's ``duo_noise`` default):
every update multiplies each link's time by its own seeded ``1 + noise U(0, 1)`` draw, which
breaks exact ties between routes (see :func:`simulate`)."""

_TIME_TO_S = {"s": 1.0, "sec": 1.0, "min": 60.0, "h": 3600.0, "hr": 3600.0}
_LENGTH_TO_M = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "ft": 0.3048}

ROUTE_CHOICES = ("duo", "free_flow", "fixed", "equilibrium")
DUO_TIMES = ("instantaneous", "experienced", "discharge")
"""Link times of the DUO route search (see :func:`simulate`, ``duo_time``)."""

# Limits checked before any work (a value beyond them is an error, not a long wait or a swap storm)
MAX_DT_S = 3600.0
"""Longest time step, s (with longer steps every urban link is shorter than one step)."""
MAX_DURATION_S = 30 * 86400.0
"""Longest simulated time, s (30 days; dynamic loading studies a peak period or a day)."""
MAX_LINK_STEPS = 250_000_000
"""Largest links x steps of one run: the two cumulative curves per link take 16 bytes per
link-step (4 GB here). Saint-Gilles' 507 car links for 2 h at 1 s are 3.6 million."""
MAX_TOTAL_VEHICLES = 1.0e12
"""Largest total demand of one run, vehicles (as :data:`twin.traffic.assign.MAX_TOTAL_DEMAND`)."""


# ---------------------------------------------------------------------------------------- links
@dataclass(frozen=True)
class LinkDynamics:
    """Triangular fundamental diagram of every link, in the network's stored link order.

    Attributes
    ----------
    length_m : float64 (n_links)
    free_speed_m_s : float64 (n_links)
        Free-flow speed ``v``, m/s.
    wave_speed_m_s : float64 (n_links)
        Backward (congestion) wave speed ``w``, m/s.
    jam_density_veh_m_lane : float64 (n_links)
        Jam density per lane ``k_j``, vehicles/m.
    lanes : float64 (n_links)
    capacity_veh_s : float64 (n_links)
        Capacity of all lanes, vehicles/s; at most ``v w k_j lanes / (v + w)`` (the apex of the
        triangle); below it the diagram is trapezoidal.
    """

    length_m: np.ndarray
    free_speed_m_s: np.ndarray
    wave_speed_m_s: np.ndarray
    jam_density_veh_m_lane: np.ndarray
    lanes: np.ndarray
    capacity_veh_s: np.ndarray

    @property
    def n_links(self) -> int:
        """Number of links."""
        return int(self.length_m.shape[0])

    @property
    def jam_veh(self) -> np.ndarray:
        """Storage of each link at jam density, vehicles."""
        return self.jam_density_veh_m_lane * self.lanes * self.length_m

    @property
    def free_time_s(self) -> np.ndarray:
        """Free-flow travel time of each link, s."""
        return self.length_m / self.free_speed_m_s

    @classmethod
    def from_network(
        cls,
        network: Network,
        *,
        lanes: np.ndarray | float | None = None,
        jam_density_veh_m_lane: np.ndarray | float = DEFAULT_JAM_DENSITY_VEH_M_LANE,
        wave_speed_m_s: np.ndarray | float | None = None,
        capacity_veh_s: np.ndarray | float | None = None,
    ) -> LinkDynamics:
        """Diagram from a network's length, free-flow time and capacity (per hour).

        ``wave_speed_m_s=None`` makes the diagram triangular: ``w = q / (k_j lanes - q / v)``.
        ``lanes=None`` takes the scene's ``lanes`` column when the network came from a scene
        (``meta['lanes']``), else 1. Length and time are converted from the network's units.
        """
        n = network.n_links
        t_unit = _TIME_TO_S.get(network.time_unit)
        l_unit = _LENGTH_TO_M.get(network.length_unit)
        if t_unit is None:
            raise InputError(f"cannot convert network time unit {network.time_unit!r} to seconds", field="time_unit")
        if l_unit is None:
            raise InputError(f"cannot convert network length unit {network.length_unit!r} to metres", field="length_unit")
        length = np.asarray(network.length, dtype=np.float64) * l_unit
        t0 = np.asarray(network.free_flow_time, dtype=np.float64) * t_unit
        bad = np.flatnonzero(~(length > 0))
        if bad.size:
            raise InputError(
                f"link length must be > 0 for dynamic loading, got {length[bad[0]]}", obj=f"link {network.link_ids[bad[0]]}", field="length"
            )
        bad = np.flatnonzero(~(t0 > 0))
        if bad.size:
            raise InputError(
                f"free-flow time must be > 0 for dynamic loading, got {t0[bad[0]]}", obj=f"link {network.link_ids[bad[0]]}", field="free_flow_time"
            )
        if lanes is None:
            lanes = network.meta.get("lanes", 1.0)
        cap = np.asarray(network.capacity, dtype=np.float64) / 3600.0 if capacity_veh_s is None else capacity_veh_s
        return cls.build(
            length_m=length,
            free_speed_m_s=length / t0,
            lanes=np.broadcast_to(np.asarray(lanes, dtype=np.float64), (n,)),
            jam_density_veh_m_lane=jam_density_veh_m_lane,
            capacity_veh_s=cap,
            wave_speed_m_s=wave_speed_m_s,
            link_ids=network.link_ids,
        )

    @classmethod
    def build(
        cls,
        *,
        length_m: Any,
        free_speed_m_s: Any,
        capacity_veh_s: Any,
        lanes: Any = 1.0,
        jam_density_veh_m_lane: Any = DEFAULT_JAM_DENSITY_VEH_M_LANE,
        wave_speed_m_s: Any = None,
        link_ids: Any = None,
        path: str | None = None,
    ) -> LinkDynamics:
        """Validated diagram from per-link values (scalars broadcast).

        Raises
        ------
        InputError
            A non-positive length, speed, lane count or jam density, a negative capacity, or a
            capacity above the triangle's apex ``v w k_j lanes / (v + w)``; names the link.
        """
        length = np.asarray(length_m, dtype=np.float64).copy()
        n = length.shape[0]
        ids = np.arange(n) if link_ids is None else np.asarray(link_ids)

        def arr(v: Any) -> np.ndarray:
            return np.array(np.broadcast_to(np.asarray(v, dtype=np.float64), (n,)))

        v = arr(free_speed_m_s)
        q = arr(capacity_veh_s)
        ln = arr(lanes)
        kj = arr(jam_density_veh_m_lane)
        for name, a, ok in (
            ("length_m", length, length > 0),
            ("free_speed_m_s", v, v > 0),
            ("lanes", ln, ln > 0),
            ("jam_density_veh_m_lane", kj, kj > 0),
            ("capacity_veh_s", q, q >= 0),
        ):
            bad = np.flatnonzero(~ok | ~np.isfinite(a))
            if bad.size:
                what = "negative or non-finite capacity" if name == "capacity_veh_s" else f"{name} must be finite and > 0"
                raise InputError(f"{what}: {a[bad[0]]}", path=path, obj=f"link {ids[bad[0]]}", field=name)
        k_total = kj * ln
        if wave_speed_m_s is None:
            room = k_total - q / v
            bad = np.flatnonzero(~(room > 0))
            if bad.size:
                raise InputError(
                    f"capacity {q[bad[0]]:.4g} veh/s reaches jam density x lanes x free speed "
                    f"({k_total[bad[0]] * v[bad[0]]:.4g} veh/s): no triangular diagram",
                    path=path,
                    obj=f"link {ids[bad[0]]}",
                    field="capacity_veh_s",
                )
            w = np.where(q > 0, q / np.where(room > 0, room, 1.0), v)
        else:
            w = arr(wave_speed_m_s)
            bad = np.flatnonzero(~(w > 0) | ~np.isfinite(w))
            if bad.size:
                raise InputError(f"wave speed must be > 0, got {w[bad[0]]}", path=path, obj=f"link {ids[bad[0]]}", field="wave_speed_m_s")
            apex = v * w * k_total / (v + w)
            bad = np.flatnonzero(q > apex * (1 + 1e-9))
            if bad.size:
                raise InputError(
                    f"capacity {q[bad[0]]:.4g} veh/s above the triangle's apex {apex[bad[0]]:.4g} veh/s",
                    path=path,
                    obj=f"link {ids[bad[0]]}",
                    field="capacity_veh_s",
                )
        w = np.where(q > 0, w, v)
        return cls(length_m=length, free_speed_m_s=v, wave_speed_m_s=w, jam_density_veh_m_lane=kj, lanes=ln, capacity_veh_s=q)

    def select(self, keep: np.ndarray) -> LinkDynamics:
        """The diagram of the links where ``keep`` is True (e.g. after ``Network.drop_links``)."""
        keep = np.asarray(keep, dtype=bool)
        return LinkDynamics(
            length_m=self.length_m[keep],
            free_speed_m_s=self.free_speed_m_s[keep],
            wave_speed_m_s=self.wave_speed_m_s[keep],
            jam_density_veh_m_lane=self.jam_density_veh_m_lane[keep],
            lanes=self.lanes[keep],
            capacity_veh_s=self.capacity_veh_s[keep],
        )

    def with_values(self, **arrays: Any) -> LinkDynamics:
        """Copy with some per-link arrays replaced (validated again)."""
        values = {
            "length_m": self.length_m,
            "free_speed_m_s": self.free_speed_m_s,
            "capacity_veh_s": self.capacity_veh_s,
            "lanes": self.lanes,
            "jam_density_veh_m_lane": self.jam_density_veh_m_lane,
            "wave_speed_m_s": self.wave_speed_m_s,
        }
        for key in arrays:
            if key not in values:
                raise InputError(f"cannot replace {key!r}; replaceable: {sorted(values)}", field=key)
        values.update(arrays)
        return LinkDynamics.build(**values)

    def for_time_step(self, dt_s: float) -> tuple[LinkDynamics, np.ndarray]:
        """Diagram usable with step ``dt_s``: links shorter than ``v dt`` (or ``w dt``) are slowed.

        The link transmission model needs ``L / v >= dt`` and ``L / w >= dt``. A shorter link
        gets ``v = L / dt`` (and ``w = min(w, L / dt)``), i.e. its free travel time is raised to one
        step; capacity is kept (trapezoidal diagram). Returns the adjusted diagram and the mask of
        adjusted links.
        """
        limit = self.length_m / dt_s
        v = np.minimum(self.free_speed_m_s, limit)
        w = np.minimum(self.wave_speed_m_s, limit)
        adjusted = (v < self.free_speed_m_s) | (w < self.wave_speed_m_s)
        # keep the capacity feasible on the reduced triangle
        apex = v * w * self.jam_density_veh_m_lane * self.lanes / (v + w)
        q = np.minimum(self.capacity_veh_s, apex)
        new = LinkDynamics(
            length_m=self.length_m,
            free_speed_m_s=v,
            wave_speed_m_s=w,
            jam_density_veh_m_lane=self.jam_density_veh_m_lane,
            lanes=self.lanes,
            capacity_veh_s=q,
        )
        return new, adjusted


# ---------------------------------------------------------------------------------------- demand
@dataclass(frozen=True)
class DemandArrays:
    """Time-dependent OD demand as kernel arrays (origins and destinations are network nodes)."""

    orig_node: np.ndarray  # node index per origin
    dest_node: np.ndarray  # node index per destination
    od_orig: np.ndarray
    od_dest: np.ndarray
    t0_s: np.ndarray
    t1_s: np.ndarray
    rate_veh_s: np.ndarray

    @property
    def total_veh(self) -> float:
        """Vehicles in the whole demand."""
        return float(np.sum(self.rate_veh_s * (self.t1_s - self.t0_s)))


def numeric_column(frame: pd.DataFrame, column: str, *, path: str | None = None, what: str = "row") -> np.ndarray:
    """``frame[column]`` as float64; a value that is not a number raises InputError naming its row.

    Empty cells become NaN (the callers decide whether NaN is allowed); a cell that spells NaN
    (``nan``, ``NaN``: pandas reads it as an empty cell unless the frame was read with
    :data:`EMPTY_ONLY_NA`) is not a finite number.
    """
    import pandas as pd

    values = frame[column]
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(np.float64)
    wrong = np.flatnonzero(np.isnan(numbers) & values.notna().to_numpy())
    if wrong.size:
        k = int(wrong[0])
        text = values.iloc[k]
        try:
            spelt_nan = bool(np.isnan(float(text)))
        except (TypeError, ValueError):
            spelt_nan = False
        what_is_wrong = "not a finite number (leave the cell empty if the column may be left out)" if spelt_nan else "not a number"
        raise InputError(f"{what_is_wrong}: {text!r}", path=path, obj=f"{what} {frame.index[k]}", field=column)
    return numbers


#: ``pandas.read_csv`` keywords that read only an empty cell as missing: by default pandas also
#: reads ``nan``, ``NA``, ``null``, ``n/a``... as an empty cell, so ``nan`` written in an optional
#: column (``flow_veh_s`` beside ``vehicles``) was taken for a cell left empty.
EMPTY_ONLY_NA = {"keep_default_na": False, "na_values": [""]}


def demand_arrays(network: Network, demand: pd.DataFrame, *, path: str | None = None) -> DemandArrays:
    """Validate an OD demand table and convert it to kernel arrays.

    Parameters
    ----------
    demand
        One row per OD pair and departure window: ``origin``, ``destination`` (native node ids
        of ``network``), ``t_start_s``, ``t_end_s`` (s from the simulation start) and either
        ``vehicles`` (spread uniformly over the window) or ``flow_veh_s`` (uniform departure rate).
        When both are given, ``vehicles`` is used and each row's ``flow_veh_s`` x window must agree
        with it within one vehicle or 2 % (rounding; an empty ``flow_veh_s`` cell is not checked).
        Also accepted: ``origin_node_id``/``destination_node_id`` as in the grid11 benchmark files.

    Raises
    ------
    SchemaError
        A required column is missing.
    InputError
        Unknown node, origin equal to destination, negative flow, empty window, ``vehicles`` and
        ``flow_veh_s`` that disagree (row named).
    """
    frame = demand.rename(columns={"origin_node_id": "origin", "destination_node_id": "destination"})
    for col in ("origin", "destination", "t_start_s", "t_end_s"):
        if col not in frame.columns:
            raise SchemaError(f"demand lacks column {col!r}", path=path, field=col)
    if "flow_veh_s" not in frame.columns and "vehicles" not in frame.columns:
        raise SchemaError("demand needs a 'flow_veh_s' or a 'vehicles' column", path=path, field="flow_veh_s")
    rows = frame.index.to_numpy()
    t0 = numeric_column(frame, "t_start_s", path=path, what="demand row")
    t1 = numeric_column(frame, "t_end_s", path=path, what="demand row")
    bad = np.flatnonzero(~(t1 > t0) | ~(t0 >= 0) | ~np.isfinite(t1))
    if bad.size:
        raise InputError(
            f"departure window [{t0[bad[0]]}, {t1[bad[0]]}) s is empty, negative or not finite",
            path=path,
            obj=f"demand row {rows[bad[0]]}",
            field="t_end_s",
        )
    rate_field = "vehicles" if "vehicles" in frame.columns else "flow_veh_s"
    amount = numeric_column(frame, rate_field, path=path, what="demand row")
    bad = np.flatnonzero(~(amount >= 0) | ~np.isfinite(amount))
    if bad.size:
        raise InputError(f"negative, missing or non-finite demand {amount[bad[0]]}", path=path, obj=f"demand row {rows[bad[0]]}", field=rate_field)
    if rate_field == "vehicles" and "flow_veh_s" in frame.columns:
        from twin.traffic.dynamic_demand_checks import check_amounts_agree

        check_amounts_agree(amount, numeric_column(frame, "flow_veh_s", path=path, what="demand row"), t1 - t0, rows, path=path)
    rate = amount / (t1 - t0) if rate_field == "vehicles" else amount
    total = float(np.sum(rate * (t1 - t0)))
    if not total <= MAX_TOTAL_VEHICLES:
        k = int(np.argmax(rate * (t1 - t0)))
        raise InputError(
            f"total demand {total:.4g} vehicles exceeds the limit of {MAX_TOTAL_VEHICLES:.0e}; a unit slip?",
            path=path,
            obj=f"demand row {rows[k]}",
            field=rate_field,
        )

    def index_of(col: str) -> np.ndarray:
        out = np.empty(len(frame), dtype=np.int64)
        for k, nid in enumerate(frame[col].tolist()):
            try:
                out[k] = network.node_index(nid)
            except KeyError:
                try:  # csv ids read as int vs str
                    out[k] = network.node_index(type(network.node_ids[0])(nid))
                except (KeyError, ValueError, TypeError, IndexError):
                    raise InputError(f"node {nid!r} is not in the network", path=path, obj=f"demand row {rows[k]}", field=col) from None
        return out

    o_node = index_of("origin")
    d_node = index_of("destination")
    bad = np.flatnonzero(o_node == d_node)
    if bad.size:
        raise InputError("origin equals destination", path=path, obj=f"demand row {rows[bad[0]]}", field="destination")
    keep = rate > 0
    orig_nodes, od_orig = np.unique(o_node[keep], return_inverse=True)
    dest_nodes, od_dest = np.unique(d_node[keep], return_inverse=True)
    return DemandArrays(
        orig_node=orig_nodes.astype(np.int64),
        dest_node=dest_nodes.astype(np.int64),
        od_orig=od_orig.astype(np.int64),
        od_dest=od_dest.astype(np.int64),
        t0_s=t0[keep],
        t1_s=t1[keep],
        rate_veh_s=rate[keep],
    )


# ---------------------------------------------------------------------------------------- graph
def _graph_arrays(network: Network) -> dict[str, np.ndarray]:
    """CSR arrays of the network for the kernels (int64)."""
    from_node = network.from_node.astype(np.int64)
    in_link = network.in_link.astype(np.int64)
    return {
        "link_to": network.to_node.astype(np.int64),
        "in_ptr": network.in_start.astype(np.int64),
        "in_link": in_link,
        "out_ptr": network.out_start.astype(np.int64),
        "out_link": np.arange(network.n_links, dtype=np.int64),
        "rev_ptr": network.in_start.astype(np.int64),
        "rev_head": from_node[in_link],
        "rev_link": in_link,
    }


def _check_reachable(network: Network, graph: dict[str, np.ndarray], dem: DemandArrays, link_time: np.ndarray, path: str | None) -> None:
    """Raise InputError for an OD pair without a path."""
    from twin.kernels.traffic_paths import dijkstra

    n = network.n_nodes
    dist = np.empty(n)
    pred = np.empty(n, dtype=np.int64)
    order = np.empty(n, dtype=np.int64)
    heap = np.empty(n, dtype=np.int64)
    pos = np.empty(n, dtype=np.int64)
    for d, node in enumerate(dem.dest_node):
        dijkstra(
            graph["rev_ptr"],
            graph["rev_head"],
            graph["rev_link"],
            link_time,
            np.array([node], dtype=np.int64),
            np.zeros(1),
            int(network.first_thru_node),
            np.inf,
            dist,
            pred,
            order,
            heap,
            pos,
        )
        origins = np.unique(dem.orig_node[dem.od_orig[dem.od_dest == d]])
        bad = origins[~np.isfinite(dist[origins])]
        if bad.size:
            raise InputError(
                f"no path from origin {network.node_ids[bad[0]]!r} to destination {network.node_ids[node]!r}",
                path=path,
                obj=f"OD pair ({network.node_ids[bad[0]]!r}, {network.node_ids[node]!r})",
                field="destination",
            )


def _check_reachable_turns(
    network: Network, graph: dict[str, np.ndarray], dem: DemandArrays, link_time: np.ndarray, movement_pen: np.ndarray, movements: Movements
) -> None:
    """Raise InputError for an OD pair without a path that respects the banned turns
    (``movements``: :func:`twin.traffic.dynamic_turns.movement_index` of ``network``)."""
    from twin.kernels.dnl_ltm import movement_graph, turn_link_costs

    mv_ptr, link_from, out_pos = movements
    in_ptr, in_link = graph["in_ptr"], graph["in_link"]
    indptr, arc_head, arc_pen_s = movement_graph(in_ptr, in_link, link_from, out_pos, mv_ptr, movement_pen, int(network.first_thru_node))
    cost = np.empty(network.n_links)
    arc_cost = np.empty(arc_head.shape[0])
    work = [np.empty(network.n_links, dtype=np.int64) for _ in range(4)]  # pred, order, heap, pos
    for d, node in enumerate(dem.dest_node):
        turn_link_costs(indptr, arc_head, arc_pen_s, in_ptr, in_link, link_time, int(node), cost, arc_cost, *work)
        best = np.full(network.n_nodes, np.inf)
        np.minimum.at(best, link_from, cost)
        origins = np.unique(dem.orig_node[dem.od_orig[dem.od_dest == d]])
        bad = origins[~np.isfinite(best[origins])]
        if bad.size:
            raise InputError(
                f"no path from origin {network.node_ids[bad[0]]!r} to destination {network.node_ids[node]!r} without a banned turn",
                obj=f"OD pair ({network.node_ids[bad[0]]!r}, {network.node_ids[node]!r})",
                field="banned_turns",
            )


def check_splits(network: Network, dem: DemandArrays, splits: np.ndarray) -> None:
    """Check fixed splitting rates: every node flow for ``d`` can reach sums them to 1.

    Raises :class:`InputError` naming the node and destination where flow would be stranded.
    """
    splits = np.asarray(splits, dtype=np.float64)
    if splits.shape != (network.n_links, dem.dest_node.shape[0]):
        raise InputError(f"splits need shape (n_links, n_dest) = {(network.n_links, dem.dest_node.shape[0])}, got {splits.shape}", field="splits")
    if np.any(~(splits >= 0)):
        raise InputError("splitting rates must be >= 0", field="splits")
    tail = network.from_node.astype(np.int64)
    for d, dnode in enumerate(dem.dest_node):
        sums = np.bincount(tail, weights=splits[:, d], minlength=network.n_nodes)
        need = set(np.unique(dem.orig_node[dem.od_orig[dem.od_dest == d]]).tolist())
        need |= set(network.to_node[splits[:, d] > 0].tolist())
        need.discard(int(dnode))
        for node in sorted(need):
            if abs(sums[node] - 1.0) > 1e-6:
                raise InputError(
                    f"splitting rates at node {network.node_ids[node]!r} for destination {network.node_ids[dnode]!r} sum to {sums[node]:.6g}, not 1",
                    obj=f"node {network.node_ids[node]!r}",
                    field="splits",
                )


# ---------------------------------------------------------------------------------------- simulate
def whole_steps(interval_s: float, dt_s: float) -> int:
    """The number of time steps of ``dt_s`` in ``interval_s`` when it is a whole number of them
    (to 1e-9 relative) and at least one, else 0."""
    steps = interval_s / dt_s
    k = int(round(steps))
    return k if k >= 1 and abs(steps - k) <= 1e-9 * max(steps, 1.0) else 0


def check_duo_noise(duo_noise: Any, field: str = "duo_noise") -> None:
    """Raise InputError naming ``field`` unless ``duo_noise`` is a finite number in [0, 1]."""
    if isinstance(duo_noise, bool) or not isinstance(duo_noise, (int, float, np.integer, np.floating)) or not (
        np.isfinite(duo_noise) and 0.0 <= duo_noise <= 1.0
    ):
        raise InputError(f"duo_noise must be a finite number in [0, 1], got {duo_noise!r}", field=field)


def check_duo_interval(duo_interval_s: float, dt_s: float) -> int:
    """The time steps of ``dt_s`` between DUO route updates every ``duo_interval_s``.

    Parameters
    ----------
    duo_interval_s
        Seconds between route updates.
    dt_s
        Time step, s.

    Returns
    -------
    int
        Steps between updates, at least 1.

    Raises
    ------
    InputError
        An interval that is not finite and positive, or not a whole number of steps (field
        ``duo_interval_s``).
    """
    if not (np.isfinite(duo_interval_s) and duo_interval_s > 0):
        raise InputError(f"the route update interval must be a finite number > 0 s, got {duo_interval_s}", field="duo_interval_s")
    k = whole_steps(duo_interval_s, dt_s)
    if not k:
        raise InputError(f"the route update interval ({duo_interval_s:g} s) must be a whole number of time steps of {dt_s:g} s: "
                         "routes are updated between steps", field="duo_interval_s")  # fmt: skip
    return k


def movement_steps(interval_s: float, dt_s: float) -> int:
    """The time steps of ``dt_s`` in a movement-count interval of ``interval_s`` (at least 1).

    Raises
    ------
    InputError
        An interval that is not finite and positive, or not a whole number of steps (to 1e-9;
        field ``movement_interval_s``).
    """
    if not (np.isfinite(interval_s) and interval_s > 0):
        raise InputError(f"the movement interval must be a finite number > 0 s, got {interval_s}", field="movement_interval_s")
    k = whole_steps(interval_s, dt_s)
    if not k:
        raise InputError(f"the movement interval ({interval_s:g} s) must be a whole number of time steps of {dt_s:g} s", field="movement_interval_s")
    return k


def movement_bins(interval_s: float | None, dt_s: float, n_steps: int) -> tuple[int, int]:
    """Steps per movement-count interval and the number of intervals of a run of ``n_steps`` steps.

    ``interval_s`` None: one interval over the run. Otherwise a whole number of steps of ``dt_s``
    (to 1e-9), at most the run (``n_steps dt_s``); the last interval may be shorter.

    Raises
    ------
    InputError
        An interval that is not finite and positive, not a whole number of steps, or longer than the run
        (field ``movement_interval_s``).
    """
    if interval_s is None:
        return n_steps, 1
    k = movement_steps(interval_s, dt_s)
    if k > n_steps:
        raise InputError(f"the movement interval ({interval_s:g} s) is longer than the run ({n_steps * dt_s:g} s)", field="movement_interval_s")
    return k, -(-n_steps // k)


def run_steps(duration_s: float, dt_s: float) -> int:
    """The time steps of ``dt_s`` (s) in a run of ``duration_s`` (s): the last may end after it (to 1e-9)."""
    return int(np.ceil(duration_s / dt_s - 1e-9))


def default_duration_s(demand: DemandArrays) -> float:
    """The run's duration when none is given: the end of the last departure window plus one hour, s."""
    return (float(demand.t1_s.max()) if demand.t1_s.size else 0.0) + 3600.0


def simulate(
    network: Network,
    demand: pd.DataFrame | DemandArrays,
    *,
    dynamics: LinkDynamics | None = None,
    dt_s: float = 5.0,
    duration_s: float | None = None,
    route_choice: str = "duo",
    splits: np.ndarray | None = None,
    duo_interval_s: float = DEFAULT_DUO_INTERVAL_S,
    duo_weight: float = DEFAULT_DUO_WEIGHT,
    duo_noise: float = DEFAULT_DUO_NOISE,
    duo_supply_choice: bool = True,
    duo_time: str = "experienced",
    seed: int = 0,
    short_links: str = "slow",
    window_steps: int | None = None,
    node_iterations: int = 4,
    parallel: bool | None = None,
    banned_turns: Iterable[tuple[int, int]] = (),
    turn_penalty_s: Mapping[tuple[int, int], float] | None = None,
    u_turn_penalty_s: float | None = None,
    signals: Iterable[Any] | Mapping[Any, SignalTiming | None] | None = None,
    signal_timing: SignalTiming | None = None,
    signal_bearing: Mapping[Any, float] | np.ndarray | None = None,
    signal_flows: Mapping[Any, float] | np.ndarray | None = None,
    movement_interval_s: float | None = None,
    give_way: Junctions | bool | None = None,
    give_way_params: GiveWayParameters | None = None,
    give_way_window_s: float | None = None,
) -> DynamicResult:
    """Load time-dependent OD demand on the network with the link transmission model.

    Parameters
    ----------
    network
        The road network (TNTP or scene; units converted to s and m).
    demand
        OD demand table (see :func:`demand_arrays`) or prepared :class:`DemandArrays`.
    dynamics
        Fundamental diagram per link; default :meth:`LinkDynamics.from_network`.
    dt_s
        Time step, s.
    duration_s
        Simulated time, s; default: end of the last departure window plus one hour.
    route_choice
        ``"duo"``: reactive dynamic user-optimal (shortest paths on the current link times, ``duo_time``, every
        ``duo_interval_s``, moving ``duo_weight`` of the splitting rates; ties: ``duo_noise``); ``"free_flow"``:
        free-flow shortest paths, fixed; ``"fixed"``: the given ``splits``; ``"equilibrium"``:
        the splitting rates of the static user equilibrium of the period-averaged demand (BPR
        0.15 / 4 on the links' capacities, relative gap 1e-6;
        :func:`twin.traffic.dynamic_routes.equilibrium_splits`; with turns
        :func:`~twin.traffic.dynamic_routes.equilibrium_turn_splits`), fixed.
    splits
        Splitting rates (n_links, n_dest) for ``"fixed"`` (columns in the order of
        ``DemandArrays.dest_node``), or the starting rates for ``"duo"``.
    duo_interval_s
        Seconds between the route updates of ``"duo"``: finite, > 0 and a whole number of time
        steps of ``dt_s`` (to 1e-9 relative; 7 s with 5 s steps is an error, not 5 s). The other
        route choices ignore it.
    duo_noise
        Tie rule of ``"duo"`` (dimensionless, in [0, 1]). With ``duo_noise > 0`` every route update
        searches the shortest paths on the link times multiplied by ``1 + duo_noise U(0, 1)``
        (one draw per link and update from ``numpy.random.default_rng(seed)``), so routes that
        tie exactly (e.g. on a grid of equal links) get one next link per node and destination
        per update, and the ``duo_weight`` smoothing mixes the trees of successive updates, as
        UXsim's homogeneous DUO with its ``duo_noise`` (default 0.01 there and here). With
        ``duo_noise = 0`` next links within 1e-9 (relative) of the best share the flow equally:
        on a grid this spreads each destination's flow over all tied routes at once, which no
        driver population does (and on grid11 keeps every link below capacity). Routes within
        ``duo_noise`` of the best can swap between updates, so keep it small.
    duo_supply_choice
        ``"duo"`` only. True (default): at each node, a destination's vehicles choose among the
        next links its splitting rates prefer in proportion to ``rate x min(1, R / D)`` (the next
        link's receiving flow this step over the flow that wants it), so they do not wait behind
        a full next link while another preferred one has room (the continuous limit of UXsim's
        redraw of the next link at every step; :mod:`twin.kernels.dnl_ltm`). False: the rates
        apply as they are, and an incoming link waits, first-in-first-out, behind any full next
        link some of its vehicles prefer (on grid11 at 1.5x the demand only 54 % arrive in 2 h).
    duo_time
        ``"duo"`` only: the link times of the route search. ``"experienced"`` (default): the
        travel time of the vehicle leaving the link now, which describes the link as it was one
        travel time earlier. ``"instantaneous"``: the reactive-assignment time of a vehicle
        entering now (Kuwahara & Akamatsu 1997), free travel time plus the link's vertical queue
        ``N_in(t - L / v) - N_out(t)`` over its capacity. On grid11 the instantaneous time brings
        twin closer to UXsim (1.5x the demand: mean trip 1,403 s instead of 1,688 s, UXsim at
        deltan 1: 1,268 s), but on the Saint-Gilles case with 3,000 vehicles in the hour it
        gridlocks (1,620 of 3,000 arrive in 2 h, against all with the experienced time), so it is
        not the default (docs/traffic.md): the ring of the Barrière de Saint-Gilles roundabout
        (8 links of 3-19 m, 13 vehicles of storage) jams in a circle, and a full short link's
        point-queue time is at most its storage over its capacity (about 10 s), so routes keep
        entering it. ``"discharge"``: the free time plus the vertical queue over the link's
        outflow in the last free travel time (between 1 % of its capacity and its capacity), the
        point-queue time with the discharge the node actually allows: no gridlock on Saint-Gilles
        at 3,000 vehicles (all arrive), but on grid11 further from UXsim than the instantaneous
        time (routes overreact to held links; docs/traffic.md).
    seed
        Seed of the ``duo_noise`` draws (same seed, same result).
    short_links
        ``"slow"``: links shorter than one step at free speed get a free travel time of one step
        (their count is in ``result.meta['slowed_links']``); ``"error"``: raise instead.
    window_steps
        Packets of destination history per link (one per step with inflow); when a link needs
        more, its two oldest packets merge (``result.meta['fifo_merges']`` counts them; 0 means
        exact FIFO). Default: about four free travel times, within ~256 MB.
    node_iterations
        Node-model solutions per node and step (>= 1).
    parallel
        Spread the link and node loops of every step over Numba threads; default when the
        network has at least :data:`PARALLEL_MIN_LINKS` links (a step of a small network is too
        short to share).
    banned_turns
        Turns ``(in_link, out_link)`` (stored link indices) that carry no flow, e.g.
        :func:`twin.traffic.turns.osm_banned_turns`. With any turn given (banned, penalised or a
        U-turn penalty) routes are chosen per in-link (:mod:`twin.traffic.dynamic_turns`);
        without, per node as before.
    turn_penalty_s
        Penalty of individual turns ``{(in_link, out_link): s}`` (finite, >= 0), e.g.
        :func:`twin.traffic.turns.angle_penalties` with ``seconds_per_unit=1``. A route-choice
        cost only (``"duo"``, ``"free_flow"``, ``"equilibrium"``): not a delay at the node, so
        travel times do not contain it. Fixed splitting rates (``"fixed"``) only lose their banned turns (each
        in-link's rates renormalised over its allowed turns).
    u_turn_penalty_s
        Penalty of every U-turn, s (``inf`` bans them); None: none.
    signals
        Pretimed signals: native ids of the signalised nodes, or a mapping id ->
        :class:`~twin.traffic.signals.SignalTiming` (None: ``signal_timing``); e.g.
        :func:`twin.traffic.signals.signalised_nodes`. Each approach's stop-line capacity
        becomes ``min(capacity, s g)``, ``g`` from the timing's green split
        (:func:`twin.traffic.dynamic_turns.signal_stop_lines`). None: no signals.
    signal_timing
        Default timing of the signals (default :class:`~twin.traffic.signals.SignalTiming`).
    signal_bearing
        Arriving bearing of every link, degrees (NaN: unknown), by native link id or (n_links,),
        for a ``capacity`` or ``flows`` split (phases by street axis), e.g.
        :func:`twin.traffic.signal_phases.network_bearings` of the scenario's node coordinates or
        :func:`~twin.traffic.signal_phases.scene_link_bearings`; without it those nodes keep the
        equal split. ``result.meta``: ``signal_split``, ``signal_nodes_split``,
        ``signal_nodes_one_axis``, ``signal_nodes_without_bearing``, ``signal_nodes_no_flow``
        (:data:`twin.traffic.signal_phases.SPLIT_STATUSES`).
    signal_flows
        Design flows of ``split="flows"``, veh/h, by native link id or (n_links,) (an approach
        not counted, absent or NaN, takes its capacity; a counted 0 is 0); required by that
        split, an error with any other.
    movement_interval_s
        Length of the intervals the turning movements are counted in, s: a whole number of
        time steps, at most the simulated duration (the last interval may be shorter). None:
        one count over the run. ``DynamicResult.movements(by_interval=True)`` tabulates them.
    give_way
        The yielding approaches of the unsignalised junctions
        (:func:`twin.traffic.priority.classify_junctions`, on a scene
        :func:`~twin.traffic.priority.scene_junctions` with ``signalised=True`` when ``signals``
        are given): the stop-line capacity of each becomes, every step, ``min(capacity, c(v_c))``
        with ``c`` the give-way capacity of static assignment at the mean outflow ``v_c`` of the
        approaches it gives way to over the last ``give_way_window_s``
        (:mod:`twin.traffic.dynamic_give_way`). None or False: no give-way (True is an error: the
        classification needs node coordinates and road classes the network does not hold).
        ``result.meta``: ``give_way`` on/off, the junction counts ``give_way_<count>``, the mean
        give-way capacity and the vehicle-hours queued on the yielding approaches;
        ``result.give_way_capacity_veh_s``: the capacities per approach and step.
    give_way_params
        Gap-acceptance parameters (default :class:`~twin.traffic.priority.GiveWayParameters`).
    give_way_window_s
        Window of the moving average of the conflicting outflows, s (default
        :data:`twin.traffic.dynamic_give_way.DEFAULT_WINDOW_S`, or one step if longer); only with
        ``give_way``.

    Returns
    -------
    DynamicResult

    Raises
    ------
    InputError
        Bad demand, an OD pair without a path (respecting the banned turns), bad splitting
        rates, a link too short for ``dt_s`` with ``short_links="error"``, a time step outside
        (0, :data:`MAX_DT_S`] or a duration outside (0, :data:`MAX_DURATION_S`] (or not finite);
        a turn whose links do not meet, a negative or non-finite turn penalty, a signal on a
        node not in the network, signal bearings or design flows that no signal's split uses
        (or without signals), a ``flows`` split without flows; a DUO interval that is not a whole
        number of steps (field ``duo_interval_s``); a movement interval that is not a
        whole number of steps or is longer than the run; give-way junctions that are not those of
        ``network``, ``give_way=True``, give-way parameters or window out of range (or given
        without give-way).
    ResourceLimitError
        Links x steps above :data:`MAX_LINK_STEPS` (checked before anything is allocated).
    SimulationError
        The kernel failed (e.g. a vehicle history longer than the whole simulation).
    """
    from twin.kernels.dnl_ltm import (
        DUO_TIME_DISCHARGE,
        DUO_TIME_EXPERIENCED,
        DUO_TIME_INSTANTANEOUS,
        STATUS_OK,
        LtmDemand,
        LtmNetwork,
        LtmOutput,
        LtmZones,
        ltm_simulate,
        ltm_simulate_parallel,
    )

    if not (np.isfinite(dt_s) and 0 < dt_s <= MAX_DT_S):
        raise InputError(f"time step must be a finite number in (0, {MAX_DT_S:g}] s, got {dt_s}", field="dt_s")
    if duration_s is not None and not (np.isfinite(duration_s) and 0 < duration_s <= MAX_DURATION_S):
        raise InputError(f"duration must be a finite number in (0, {MAX_DURATION_S:g}] s, got {duration_s}", field="duration_s")
    if route_choice not in ROUTE_CHOICES:
        raise InputError(f"unknown route choice {route_choice!r}; use one of {ROUTE_CHOICES}", field="route_choice")
    if route_choice == "duo":
        check_duo_interval(duo_interval_s, dt_s)
    check_duo_noise(duo_noise)
    if not isinstance(duo_supply_choice, (bool, np.bool_)):
        raise InputError(f"duo_supply_choice must be True or False, got {duo_supply_choice!r}", field="duo_supply_choice")
    if duo_time not in DUO_TIMES:
        raise InputError(f"unknown duo_time {duo_time!r}; use one of {DUO_TIMES}", field="duo_time")
    if not isinstance(seed, (int, np.integer)):
        raise InputError(f"seed must be a whole number, got {seed!r}", field="seed")
    if not (isinstance(node_iterations, (int, np.integer)) and 1 <= node_iterations <= 100):
        raise InputError(f"node_iterations must be a whole number in [1, 100], got {node_iterations}", field="node_iterations")
    if signals is None and (signal_bearing is not None or signal_flows is not None):
        field_name = "signal_bearing" if signal_bearing is not None else "signal_flows"
        raise InputError("signal bearings or design flows given without signals", field=field_name)
    if give_way is True:
        raise InputError("give_way=True needs the junctions: pass twin.traffic.priority.classify_junctions(...) or scene_junctions(...) "
                         "(node coordinates and road classes are not in a Network)", field="give_way")  # fmt: skip
    if give_way is None or give_way is False:
        give_way = None
        if give_way_params is not None or give_way_window_s is not None:
            raise InputError("give-way parameters or window given without give_way (they would change nothing)",
                             field="give_way_params" if give_way_params is not None else "give_way_window_s")  # fmt: skip
    from twin.traffic.dynamic_give_way import DEFAULT_WINDOW_S, give_way_arrays

    gw = give_way_arrays(network, give_way, params=give_way_params, window_s=max(DEFAULT_WINDOW_S, float(dt_s)) if give_way_window_s is None else give_way_window_s,
                         dt_s=dt_s)
    dem = demand if isinstance(demand, DemandArrays) else demand_arrays(network, demand)
    if dynamics is None:
        dynamics = LinkDynamics.from_network(network)
    if dynamics.n_links != network.n_links:
        raise InputError(f"dynamics has {dynamics.n_links} links, network {network.n_links}", field="dynamics")
    dyn, slowed = dynamics.for_time_step(dt_s)
    if short_links == "error" and slowed.any():
        k = int(np.flatnonzero(slowed)[0])
        raise InputError(
            f"link of {dynamics.length_m[k]:.3g} m is shorter than one time step at free or wave speed (dt = {dt_s} s)",
            obj=f"link {network.link_ids[k]}",
            field="length_m",
        )
    if duration_s is None:
        duration_s = default_duration_s(dem)
        if duration_s > MAX_DURATION_S:
            raise ResourceLimitError(
                f"the demand runs until {duration_s - 3600.0:g} s, beyond the longest simulation of {MAX_DURATION_S:g} s", field="t_end_s"
            )
    n_steps = run_steps(duration_s, dt_s)
    if n_steps < 1:
        raise InputError(f"duration {duration_s} s is shorter than one step", field="duration_s")
    mv_bin_steps, n_mv_bins = movement_bins(movement_interval_s, dt_s, n_steps)
    link_steps = float(network.n_links) * (n_steps + 1)
    if link_steps > MAX_LINK_STEPS:
        raise ResourceLimitError(
            f"{network.n_links:,} links x {n_steps + 1:,} steps = {link_steps:.3g} link-steps, above the limit of {MAX_LINK_STEPS:.3g} "
            f"(about {16 * link_steps / 1e9:.1f} GB of cumulative curves): use a longer time step or a shorter duration",
            field="duration_s",
        )
    graph = _graph_arrays(network)
    from twin.traffic.dynamic_turns import movement_index

    movements = movement_index(network)  # once per run: the kernel counts every movement; route choice shares it with turns
    banned_list = list(banned_turns)
    has_turns = bool(banned_list) or bool(turn_penalty_s) or u_turn_penalty_s is not None
    if has_turns:
        from twin.traffic.dynamic_turns import turn_penalties

        movement_pen = turn_penalties(network, banned=banned_list, penalties_s=turn_penalty_s, u_turn_penalty_s=u_turn_penalty_s, movements=movements)
        _check_reachable_turns(network, graph, dem, dyn.free_time_s, movement_pen, movements)
    else:
        _check_reachable(network, graph, dem, dyn.free_time_s, None)
    discharge = dyn.capacity_veh_s
    approaches: list[int] = []
    signal_split: dict[str, Any] = {"split": None, **dict.fromkeys(SPLIT_STATUSES.values(), 0)}
    if signals is not None:
        from twin.traffic.dynamic_turns import signal_stop_lines

        lines = signal_stop_lines(network, dyn.capacity_veh_s, dyn.lanes, signals, timing=signal_timing, bearing=signal_bearing, flows=signal_flows)
        discharge, approaches, signal_split = lines.discharge_veh_s, lines.approaches, lines.split

    n_dest = dem.dest_node.shape[0]
    n_orig = dem.orig_node.shape[0]
    static_gap = None
    static_turn_splits = None
    if route_choice == "equilibrium" and has_turns:
        from twin.traffic.dynamic_routes import equilibrium_turn_splits

        splits, static_turn_splits, static = equilibrium_turn_splits(network, dem, dyn, movement_pen, movements=movements)
        static_gap = float(static.relative_gap)
        route_choice_kernel = "fixed"
    elif route_choice == "equilibrium":
        from twin.traffic.dynamic_routes import equilibrium_splits

        splits, static = equilibrium_splits(network, dem, dyn)
        static_gap = float(static.relative_gap)
        route_choice_kernel = "fixed"
    else:
        route_choice_kernel = route_choice
    if splits is None:
        split = np.zeros((network.n_links, n_dest))
        if route_choice_kernel == "fixed":
            raise InputError("route_choice='fixed' needs splits", field="splits")
    else:
        split = np.array(splits, dtype=np.float64, copy=True)
        check_splits(network, dem, split)
    if route_choice_kernel == "duo":
        duo_interval = whole_steps(duo_interval_s, dt_s)  # >= 1: checked above
        weight = float(duo_weight)
        if not 0.0 < weight <= 1.0:
            raise InputError(f"duo_weight must be in (0, 1], got {weight}", field="duo_weight")
    elif route_choice_kernel == "free_flow":
        duo_interval = n_steps + 1  # one update, at step 0
        weight = 1.0
    else:
        duo_interval = 0
        weight = 0.0
    if route_choice_kernel == "duo" and duo_noise > 0.0:
        n_updates = (n_steps - 1) // duo_interval + 1
        rng = np.random.default_rng(int(seed))
        duo_factor = 1.0 + float(duo_noise) * rng.uniform(0.0, 1.0, (n_updates, network.n_links))
    else:
        duo_factor = np.zeros((0, network.n_links))
    if has_turns:
        from twin.traffic.dynamic_turns import ltm_turns

        turns = ltm_turns(network, movement_pen, split, fixed=route_choice_kernel == "fixed", split_mv=static_turn_splits, movements=movements)
    else:
        from twin.traffic.dynamic_turns import no_turns

        turns = no_turns(n_dest)
    node_orig = np.full(network.n_nodes, -1, dtype=np.int64)
    node_orig[dem.orig_node] = np.arange(n_orig)
    node_dest = np.full(network.n_nodes, -1, dtype=np.int64)
    node_dest[dem.dest_node] = np.arange(n_dest)
    out_cap = np.zeros(network.n_nodes)
    np.maximum.at(out_cap, network.from_node.astype(np.int64), dyn.capacity_veh_s)
    orig_priority = np.maximum(out_cap[dem.orig_node], 1e-6)
    free_steps = dyn.free_time_s / dt_s
    if window_steps is None:
        # a packet per step of inflow: enough for a stay of several free travel times, within a
        # memory budget of about 256 MB for the destination history
        budget = max(8, int(256e6 / (8.0 * max(network.n_links, 1) * max(n_dest, 1))))
        window = int(min(n_steps + 1, budget, max(64, 4 * np.ceil(free_steps.max()) + 60)))
    else:
        window = int(min(n_steps + 1, max(4, window_steps)))
    window = max(window, 4)
    cum_in = np.zeros((network.n_links, n_steps + 1))
    cum_out = np.zeros_like(cum_in)
    cum_gen = np.zeros((n_orig, n_steps + 1))
    cum_dep = np.zeros_like(cum_gen)
    cum_arr = np.zeros((n_dest, n_steps + 1))
    link_time = np.zeros(network.n_links)
    merges = np.zeros(network.n_links, dtype=np.int64)
    movement_veh = np.zeros((int(movements[0][-1]), n_mv_bins))
    gw_cap = np.zeros((gw.kernel.approach.size, n_steps))
    split_run = split.copy()
    started = time.perf_counter()
    if parallel is None:
        parallel = network.n_links >= PARALLEL_MIN_LINKS
    kernel = ltm_simulate_parallel if parallel else ltm_simulate
    ltm_net = LtmNetwork(
        graph["link_to"],
        dyn.length_m,
        dyn.free_speed_m_s,
        dyn.wave_speed_m_s,
        dyn.jam_veh,
        dyn.capacity_veh_s,
        graph["in_ptr"],
        graph["in_link"],
        graph["out_ptr"],
        graph["out_link"],
        graph["rev_ptr"],
        graph["rev_head"],
        graph["rev_link"],
        discharge,
        movements[0],
        gw.kernel,
    )
    zones = LtmZones(node_orig, orig_priority, node_dest, dem.dest_node)
    ltm_demand = LtmDemand(dem.od_orig, dem.od_dest, dem.t0_s, dem.t1_s, dem.rate_veh_s)
    outputs = LtmOutput(cum_in, cum_out, cum_gen, cum_dep, cum_arr, link_time, merges, movement_veh, gw_cap)
    status = kernel(
        ltm_net,
        zones,
        ltm_demand,
        float(dt_s),
        split_run,
        turns,
        int(duo_interval),
        float(weight),
        duo_factor,
        {"instantaneous": DUO_TIME_INSTANTANEOUS, "experienced": DUO_TIME_EXPERIENCED, "discharge": DUO_TIME_DISCHARGE}[duo_time],
        bool(route_choice_kernel == "duo" and duo_supply_choice),
        int(window),
        int(node_iterations),
        int(network.first_thru_node),
        int(mv_bin_steps),
        outputs,
    )
    wall = time.perf_counter() - started
    if status != STATUS_OK:
        raise SimulationError(f"dynamic loading failed with status {status} (window {window} steps)")
    for name, curve, label in (("cum_in", cum_in, "link"), ("cum_out", cum_out, "link"), ("cum_arr", cum_arr, "destination")):
        bad = np.flatnonzero(~np.all(np.isfinite(curve), axis=1))
        if bad.size:
            k = int(bad[0])
            who = network.link_ids[k] if label == "link" else network.node_ids[dem.dest_node[k]]
            raise SimulationError(
                f"dynamic loading gave non-finite vehicle counts ({bad.size} {label}s; an overflow)", obj=f"{label} {who}", field=name
            )
    result = DynamicResult(
        network=network,
        dynamics=dyn,
        demand=dem,
        dt_s=float(dt_s),
        cum_in=cum_in,
        cum_out=cum_out,
        cum_gen=cum_gen,
        cum_dep=cum_dep,
        cum_arr=cum_arr,
        splits=split_run,
        link_time_s=link_time,
        turn_splits=turns.split_mv if has_turns else None,
        movement_veh=movement_veh.sum(axis=1),
        movement_veh_intervals=movement_veh,
        movement_interval_s=float(mv_bin_steps * dt_s),
        meta={
            "route_choice": route_choice,
            "slowed_links": int(slowed.sum()),
            "window_steps": window,
            "fifo_merges": int(merges.sum()),
            "parallel": bool(parallel),
            "wall_time_s": wall,
            "duo_interval_steps": duo_interval,
            "duo_noise": float(duo_noise) if route_choice_kernel == "duo" else 0.0,
            "duo_supply_choice": bool(route_choice_kernel == "duo" and duo_supply_choice),
            "duo_time": duo_time if route_choice_kernel == "duo" else None,
            "seed": int(seed),
            "static_relative_gap": static_gap,
            "banned_turns": int(np.isinf(turns.mv_pen_s).sum()) if has_turns else 0,
            "penalised_turns": int(((turns.mv_pen_s > 0) & np.isfinite(turns.mv_pen_s)).sum()) if has_turns else 0,
            "signal_approaches": len(approaches),
            **{f"signal_{k}": v for k, v in signal_split.items()},
        },
        give_way=gw.junctions,
        give_way_capacity_veh_s=gw_cap if gw.junctions is not None else None,
    )
    from twin.traffic.dynamic_give_way import give_way_meta

    result.meta.update(give_way_meta(gw, gw_cap, result.queue_veh, float(dt_s)))
    return result


# ---------------------------------------------------------------------------------------- results
def _first_crossing(cum: np.ndarray, values: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """Fractional step at which the non-decreasing ``cum`` first reaches each value (NaN if never)."""
    k = np.searchsorted(cum, values - tol, side="left")
    out = np.full(values.shape, np.nan)
    ok = k < cum.shape[0]
    kk = k[ok]
    prev = np.maximum(kk - 1, 0)
    rise = cum[kk] - cum[prev]
    frac = np.where(rise > 0, (values[ok] - cum[prev]) / np.where(rise > 0, rise, 1.0), 0.0)
    out[ok] = np.where(kk == 0, 0.0, prev + np.clip(frac, 0.0, 1.0))
    return out


@dataclass
class DynamicResult:
    """Cumulative curves of a dynamic loading, with derived flows, travel times and totals.

    ``cum_in[a, k]``/``cum_out[a, k]``: vehicles that entered/left link ``a`` (stored order)
    by time ``k dt``; ``cum_gen``/``cum_dep`` per origin; ``cum_arr`` per destination.
    ``turn_splits`` (with turns only): the last per-movement splitting rates (n_movements,
    n_dest), in :func:`twin.traffic.dynamic_turns.movement_index` order. ``movement_veh``:
    vehicles that made each movement (in-link to next link) over the run, in the same order
    (:meth:`movements` tabulates them); ``movement_veh_intervals`` (n_movements, n_intervals):
    the same per interval of ``movement_interval_s`` (the last one may be shorter).
    ``give_way`` (with give-way only): the yielding approaches; ``give_way_capacity_veh_s``
    (n_yielding, n_steps): the give-way capacity of each in each step, veh/s (its stop-line
    capacity is the smaller of it and the link's capacity).
    """

    network: Network
    dynamics: LinkDynamics
    demand: DemandArrays
    dt_s: float
    cum_in: np.ndarray
    cum_out: np.ndarray
    cum_gen: np.ndarray
    cum_dep: np.ndarray
    cum_arr: np.ndarray
    splits: np.ndarray
    link_time_s: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)
    turn_splits: np.ndarray | None = None
    movement_veh: np.ndarray | None = None
    movement_veh_intervals: np.ndarray | None = None
    movement_interval_s: float | None = None
    give_way: Junctions | None = None
    give_way_capacity_veh_s: np.ndarray | None = None

    @property
    def n_steps(self) -> int:
        """Number of time steps."""
        return int(self.cum_in.shape[1] - 1)

    @property
    def times_s(self) -> np.ndarray:
        """Sample times 0, dt, ..., n dt, s."""
        return np.arange(self.n_steps + 1) * self.dt_s

    def vehicles(self) -> np.ndarray:
        """Vehicles on each link at each sample time (n_links, n_steps + 1)."""
        return self.cum_in - self.cum_out

    def queue_veh(self, links: np.ndarray | None = None) -> np.ndarray:
        """Vehicles held back on each link (that entered more than ``L / v`` ago), (n_links, n_steps + 1);
        with ``links`` (stored indices), on those links only, in that order."""
        tau = self.dynamics.free_time_s / self.dt_s
        steps = np.arange(self.n_steps + 1)
        rows = np.arange(self.cum_in.shape[0]) if links is None else np.asarray(links, dtype=np.int64)
        out = np.empty((rows.size, self.cum_in.shape[1]))
        for r, a in enumerate(rows.tolist()):
            out[r] = np.interp(steps - tau[a], steps, self.cum_in[a], left=0.0) - self.cum_out[a]
        return np.maximum(out, 0.0)

    def congested_veh(self, cells: int = 40) -> np.ndarray:
        """Vehicles in the congested state on each link, (n_links, n_steps + 1).

        The vehicles slowed below the free speed by a queue, the quantity UXsim reports as a
        link's ``num_vehicles_queue`` (its vehicles slower than the free-flow speed). From the
        cumulative curves by Newell's (1993) solution of the kinematic wave with a triangular
        diagram: ``N(x, t) = min(N_up(t - x / v), N_down(t - (L - x) / w) + k_j (L - x))``,
        congested where the second term is the smaller. The link is cut into ``cells`` cells;
        a cell is congested when its midpoint is, and the count is the sum of ``N(x_i, t) -
        N(x_{i+1}, t)`` over the congested cells (error at most one cell's worth of vehicles at
        the back of a queue).

        Parameters
        ----------
        cells
            Cells per link (>= 1).

        Returns
        -------
        numpy.ndarray
            Vehicles, float64 (n_links, n_steps + 1).
        """
        if not (isinstance(cells, (int, np.integer)) and 1 <= cells <= 10_000):
            raise InputError(f"cells must be a whole number in [1, 10000], got {cells!r}", field="cells")
        dyn = self.dynamics
        steps = np.arange(self.n_steps + 1, dtype=np.float64)
        frac = np.linspace(0.0, 1.0, 2 * cells + 1)  # cell edges (even) and midpoints (odd)
        out = np.zeros_like(self.cum_in)
        for a in range(self.cum_in.shape[0]):
            length = dyn.length_m[a]
            tau_v = length / (dyn.free_speed_m_s[a] * self.dt_s)
            tau_w = length / (dyn.wave_speed_m_s[a] * self.dt_s)
            free = np.array([np.interp(steps - f * tau_v, steps, self.cum_in[a], left=0.0) for f in frac])
            cong = np.array([np.interp(steps - (1.0 - f) * tau_w, steps, self.cum_out[a], left=0.0) for f in frac])
            cong += dyn.jam_veh[a] * (1.0 - frac)[:, None]
            n_x = np.minimum(free, cong)
            congested_mid = cong[1::2] < free[1::2] - 1e-9
            out[a] = np.sum(np.where(congested_mid, n_x[0:-1:2] - n_x[2::2], 0.0), axis=0)
        return np.maximum(out, 0.0)

    def link_travel_time_s(self) -> np.ndarray:
        """Travel time of the vehicles entering each link during each step (n_links, n_steps), s.

        The vehicle at the middle of the step's inflow; NaN where nothing entered or where it had
        not left by the end of the simulation.
        """
        out = np.full((self.cum_in.shape[0], self.n_steps), np.nan)
        for a in range(self.cum_in.shape[0]):
            cin = self.cum_in[a]
            inflow = np.diff(cin)
            mid = 0.5 * (cin[:-1] + cin[1:])
            t_exit = _first_crossing(self.cum_out[a], mid)
            tt = (t_exit - (np.arange(self.n_steps) + 0.5)) * self.dt_s
            out[a] = np.where(inflow > 1e-9, tt, np.nan)
        return out

    def to_xarray(self, start: Any = None) -> xr.Dataset:
        """Per-step link results as an xarray Dataset (dims ``link``, ``step``).

        Variables: ``inflow_veh_s``, ``outflow_veh_s``, ``vehicles`` (mean over the step),
        ``density_veh_m`` (all lanes), ``queue_veh`` (end of step), ``travel_time_s`` and
        ``delay_s`` (vehicles entering in the step). Coordinate ``t_start_s``: step start, s from
        the simulation start. With ``start`` (a time-zone-aware timestamp of the simulation
        start) a coordinate ``time_utc`` gives each step's start in UTC (attribute ``timezone``:
        the zone of ``start``).
        """
        import pandas as pd
        import xarray as xr

        if start is not None:
            start = pd.Timestamp(start)
            if start.tzinfo is None:
                raise InputError("the simulation start needs a time zone (e.g. '2024-03-05 07:00+01:00')", field="start")

        veh = self.vehicles()
        mean_veh = 0.5 * (veh[:, :-1] + veh[:, 1:])
        tt = self.link_travel_time_s()
        dims = ("link", "step")
        ds = xr.Dataset(
            {
                "inflow_veh_s": (dims, np.diff(self.cum_in, axis=1) / self.dt_s, {"units": "veh/s"}),
                "outflow_veh_s": (dims, np.diff(self.cum_out, axis=1) / self.dt_s, {"units": "veh/s"}),
                "vehicles": (dims, mean_veh, {"units": "veh"}),
                "density_veh_m": (dims, mean_veh / self.dynamics.length_m[:, None], {"units": "veh/m"}),
                "queue_veh": (dims, self.queue_veh()[:, 1:], {"units": "veh"}),
                "travel_time_s": (dims, tt, {"units": "s"}),
                "delay_s": (dims, tt - self.dynamics.free_time_s[:, None], {"units": "s"}),
            },
            coords={
                "link": np.asarray(self.network.link_ids),
                "step": np.arange(self.n_steps),
                "t_start_s": ("step", np.arange(self.n_steps) * self.dt_s),
            },
            attrs={"dt_s": self.dt_s, "model": "link transmission model (Yperman 2007)", **{k: v for k, v in self.meta.items() if np.isscalar(v)}},
        )
        if start is not None:
            utc = (start + pd.to_timedelta(ds["t_start_s"].to_numpy(), unit="s")).tz_convert("UTC").tz_localize(None)
            ds = ds.assign_coords(time_utc=("step", utc.to_numpy()))
            ds["time_utc"].attrs["timezone"] = str(start.tzinfo)
        return ds

    def movements(self, by_interval: bool = False) -> pd.DataFrame:
        """Turning movements: one row per movement (each link entering a node with each link leaving
        it, :func:`twin.traffic.dynamic_turns.movement_index` order) with the vehicles that made it
        (``vehicles``; vehicles that arrive at the node are not in them).

        ``by_interval``: one row per movement and interval of ``movement_interval_s``
        (:func:`simulate`'s option), with ``t_start_s`` and ``t_end_s``; the intervals of a
        movement sum to its count over the run.

        Raises
        ------
        InputError
            A result made without movement counts (built by hand, not by :func:`simulate`).
        """
        import pandas as pd

        from twin.traffic.dynamic_turns import movement_index

        if self.movement_veh is None or (by_interval and self.movement_veh_intervals is None):
            raise InputError("this result has no movement counts (run twin.traffic.dynamic.simulate)", field="movement_veh")
        net = self.network
        mv_ptr, _, _ = movement_index(net)
        in_link = np.repeat(np.arange(net.n_links, dtype=np.int64), np.diff(mv_ptr))
        out_link = net.out_start.astype(np.int64)[net.to_node.astype(np.int64)[in_link]] + np.arange(in_link.size, dtype=np.int64) - mv_ptr[in_link]
        cols = {"node_id": net.node_ids[net.to_node[in_link]], "in_link_id": net.link_ids[in_link], "out_link_id": net.link_ids[out_link]}
        if not by_interval:
            return pd.DataFrame({**cols, "vehicles": self.movement_veh})
        counts = self.movement_veh_intervals
        n_bins = counts.shape[1]
        start = np.arange(n_bins) * self.movement_interval_s
        end = np.minimum(start + self.movement_interval_s, self.n_steps * self.dt_s)
        frame = {k: np.repeat(v, n_bins) for k, v in cols.items()}
        return pd.DataFrame({**frame, "t_start_s": np.tile(start, in_link.size), "t_end_s": np.tile(end, in_link.size), "vehicles": counts.reshape(-1)})

    def link_summary(self) -> pd.DataFrame:
        """One row per link: vehicles, vehicle-km, vehicle-hours, delay, travel time, queue."""
        import pandas as pd

        veh = self.vehicles()
        veh_s = self.dt_s * (0.5 * veh[:, 0] + veh[:, 1:-1].sum(axis=1) + 0.5 * veh[:, -1])
        entered = self.cum_in[:, -1]
        left = self.cum_out[:, -1]
        free = self.dynamics.free_time_s
        # delay = time spent beyond the free travel time = integral of the held-back vehicles
        queue = self.queue_veh()
        delay_s = self.dt_s * (0.5 * queue[:, 0] + queue[:, 1:-1].sum(axis=1) + 0.5 * queue[:, -1])
        tt = self.link_travel_time_s()
        inflow = np.diff(self.cum_in, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_tt = np.nansum(np.nan_to_num(tt) * inflow, axis=1) / np.where(np.isfinite(tt), inflow, 0).sum(axis=1)
        net = self.network
        return pd.DataFrame(
            {
                **net.link_ends(),
                "length_m": self.dynamics.length_m,
                "free_time_s": free,
                "entered_veh": entered,
                "left_veh": left,
                "vehicle_km": entered * self.dynamics.length_m / 1000.0,
                "vehicle_h": veh_s / 3600.0,
                "delay_veh_h": delay_s / 3600.0,
                "mean_travel_time_s": mean_tt,
                "max_vehicles": veh.max(axis=1),
                "max_density_veh_m_lane": veh.max(axis=1) / (self.dynamics.length_m * self.dynamics.lanes),
                "max_queue_veh": queue.max(axis=1),
            }
        )

    def totals(self) -> dict[str, float]:
        """Network totals: vehicles, vehicle-hours (in links and origin queues), delay, vehicle-km.

        ``mean_trip_time_s`` is the total time in the system divided by the vehicles generated,
        which is the mean trip time (departure at the origin queue to arrival) when every vehicle
        has arrived; NaN otherwise.
        """

        def integral(curve: np.ndarray) -> float:
            return float(self.dt_s * (0.5 * curve[0] + curve[1:-1].sum() + 0.5 * curve[-1]))

        gen = self.cum_gen.sum(axis=0)
        dep = self.cum_dep.sum(axis=0)
        arr = self.cum_arr.sum(axis=0)
        on_links = self.vehicles().sum(axis=0)
        in_system = gen - arr
        link_h = integral(on_links) / 3600.0
        wait_h = integral(gen - dep) / 3600.0
        system_h = integral(in_system) / 3600.0
        queue_h = integral(self.queue_veh().sum(axis=0)) / 3600.0
        all_done = gen[-1] > 0 and abs(gen[-1] - arr[-1]) <= 1e-6 * max(gen[-1], 1.0)
        return {
            "generated_veh": float(gen[-1]),
            "departed_veh": float(dep[-1]),
            "arrived_veh": float(arr[-1]),
            "in_network_end_veh": float(on_links[-1]),
            "waiting_end_veh": float(gen[-1] - dep[-1]),
            "conservation_error_veh": float(np.max(np.abs(dep - arr - on_links))),
            "total_travel_time_veh_h": system_h,
            "link_time_veh_h": link_h,
            "origin_wait_veh_h": wait_h,
            "total_delay_veh_h": queue_h + wait_h,
            "vehicle_km": float((self.cum_in[:, -1] * self.dynamics.length_m).sum() / 1000.0),
            "mean_trip_time_s": system_h * 3600.0 / gen[-1] if all_done else float("nan"),
            "link_steps": float(self.cum_in.shape[0] * self.n_steps),
        }

    def departures_arrivals(self) -> pd.DataFrame:
        """Cumulative generated, departed and arrived vehicles and vehicles on links over time."""
        import pandas as pd

        return pd.DataFrame(
            {
                "t_s": self.times_s,
                "generated_veh": self.cum_gen.sum(axis=0),
                "departed_veh": self.cum_dep.sum(axis=0),
                "arrived_veh": self.cum_arr.sum(axis=0),
                "on_links_veh": self.vehicles().sum(axis=0),
            }
        )
