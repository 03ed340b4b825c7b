"""District mobility: demand from the scene, destination and mode choice on skims, car assignment.

:func:`run_district_mobility` runs, for each period (morning peak hour, midday hour):

1. **Trip ends** (:mod:`twin.traffic.demand`): residents, jobs, school places and visited POIs
   of grid zones.
2. **Networks per mode** from the scene's links: walk (1.33 m/s) and bike (4.2 m/s) on the links
   open to them (the bike also pushed at walking speed where only walking is allowed:
   :mod:`twin.traffic.bike_links`), car on its links with their free speed, capacity and a BPR delay; zone
   centroids connected to the nearest nodes of each network (the walk to the car is walked);
   the district edge as four external zones (north, east, south, west) connected to the
   street ends cut by the edge (for cars in their direction: an entry only where a link leads
   in, an exit only where one leads out). Public transport from a GTFS feed
   (:mod:`twin.traffic.gtfs`, Connection Scan over the period's departures), or without one,
   opt-in, a schedule-free feed from OSM route lines and stops (:mod:`twin.traffic.osm_transit`),
   with walking access, egress and transfers on the walk network.
3. **Skims** per mode: time, distance (:mod:`twin.traffic.skims`); trips leaving the district
   go on for ``beyond_distance_m`` at a documented speed per mode.
4. **Destination choice** (production-constrained logit with size terms, on the mode-choice
   logsum scaled by ``theta``) for four segments: residents leaving home (to internal
   activities or the rest of the region through an edge), trips back home, visitors arriving
   from outside, visitors leaving. ``theta`` is calibrated on the baseline to the mean trip
   length of Brussels residents.
5. **Mode choice** (:mod:`twin.traffic.mode_choice`), constants calibrated on the baseline to
   the Brussels shares (without public transport when there is no timetable).
6. **Car assignment** (Algorithm B) with **through traffic** between the edges from a
   documented external matrix (default: a share of the entering main roads' capacity, spread
   over the exits; replace it with counts), and feedback of the congested times to the skims
   (``feedback`` iterations, method of successive averages on the demand).

A what-if reuses the baseline's calibration (``baseline=``): constants, ``theta`` and the
baseline destination logsums, so that a closure changes routes, destinations, modes and - with
``evaporation_elasticity`` - the number of trips made. Every trip is either served (a mode with a
path) or reported in :attr:`MobilityResult.unserved` with its reason.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from twin.caching import BoundedCache, content_digest, parsed_file
from twin.errors import InputError
from twin.traffic.access import BIKE_SPEED_M_S, WALK_SPEED_M_S
from twin.traffic.demand import Parameter, TripEnds, check_zone_size, read_parameters, trip_ends
from twin.traffic.flow_limits import MAX_LANE_FLOW_VEH_H, MAX_LANES, MAX_ROAD_FLOW_VEH_H
from twin.traffic.mode_choice import MODE_WORDS, MODES, ModeChoiceModel, read_targets, targets_without_pt

SIDES = ("north", "east", "south", "west")
PERIODS: dict[str, dict[str, Any]] = {
    "am_peak": {"share": "am_peak_hour_share", "home": "am_from_home_share", "through": "through_share_am", "window_s": (8 * 3600.0, 9 * 3600.0)},
    "off_peak": {"share": "off_peak_hour_share", "home": "off_peak_from_home_share", "through": "through_share_off_peak", "window_s": (11 * 3600.0, 12 * 3600.0)},
}
MAIN_ROAD_CLASSES = frozenset({"motorway", "trunk", "primary", "secondary", "tertiary", "motorway_link", "trunk_link", "primary_link", "secondary_link", "tertiary_link"})
"""Road classes counted as main roads (the rest open to cars counts as residential streets)."""
DETOUR = 1.3
"""Street distance / straight line of the connector legs (Giacomin & Levinson 2015)."""
EDGE_DISTANCE_M = 30.0
"""A street end within this distance of the network's bounding box is where the district meets the city."""
CONNECTORS_PER_ZONE = 4
MAX_CONNECTOR_M = 400.0
MAX_PT_ACCESS_S = 600.0
"""Longest walk to or from a stop, s (10 minutes)."""
SEGMENTS = ("home_out", "to_home", "visitors_in", "visitors_out")


@dataclass(frozen=True)
class MobilityOptions:
    """Options of :func:`run_district_mobility` (all checked before any work)."""

    periods: tuple[str, ...] = ("am_peak", "off_peak")
    zone_size_m: float = 100.0
    gtfs: str | None = None
    gtfs_date: str | None = None
    transit_routes: str | None = None
    """Without a GTFS feed: public transport from OSM route lines and stops (a GeoJSON), a
    schedule-free approximation (:mod:`twin.traffic.osm_transit`). Off by default."""
    transit_defaults: str | None = None
    """Headways and speeds per mode for ``transit_routes`` (default ``twin/data/transit_osm_defaults.csv``)."""
    mode_choice_table: str | None = None
    mode_choice_overrides: dict[str, float] = field(default_factory=dict)
    calibrate_modes: bool = True
    targets_table: str | None = None
    parameters_table: str | None = None
    parameter_overrides: dict[str, float] = field(default_factory=dict)
    external_matrix: str | None = None
    feedback: int = 3
    gap: float = 1e-4
    access_minutes: float = 15.0
    access_categories: tuple[str, ...] | None = None
    access_modes: tuple[str, ...] = ("walk", "bike", "pt")
    pt_departure_step_s: float = 300.0
    compute_access: bool = True
    turning_movements: bool = False
    """Car turning movements of every street node per period (:attr:`MobilityResult.movements`;
    the car network is then always turn-expanded: the same equilibrium, a larger network)."""
    signals: bool = False
    """Pretimed signals (HCM stop-line delay, :func:`twin.traffic.signals.add_signals`, default
    timing) on the car network at the nodes the scene flags as signalised (the OSM ingest flags
    them). Off by default: alone (without ``give_way`` and a ``capacity`` split) they push car routes
    off the main roads; with both, the junction model is not calibrated on counts (docs/traffic.md,
    District mobility)."""
    signal_split: str = "equal"
    """Green split of the signals' approaches (:attr:`twin.traffic.signals.SignalTiming.split`):
    ``equal`` (every approach the same green) or ``capacity`` (Webster's rule with the
    approaches' capacities as design flows, phases by street axis). Needs ``signals``."""
    give_way: bool = False
    """Give-way delay (HCM two-way-stop control) on the yielding approaches of the car network's
    unsignalised junctions (:mod:`twin.traffic.priority`: minor arms of a through major road,
    else priority to the right), capacities agreeing with the conflicting flows within
    ``give_way_tolerance`` at every feedback iteration (:func:`twin.traffic.give_way_fixed_point.solve_give_way`).
    Off by default (not calibrated on counts)."""
    give_way_tolerance: float = 0.01
    """Largest relative change of a give-way capacity at which a fixed point stops (converged)."""
    give_way_max_passes: int = 20
    """Most assignments of one give-way fixed point (one per feedback iteration and period); a
    period whose last fixed point did not converge gets a note and a :class:`~twin.errors.TwinWarning`."""

    def check(self) -> None:
        for p in self.periods:
            if p not in PERIODS:
                raise InputError(f"unknown period {p!r}; periods: {', '.join(PERIODS)}", field="periods")
        if not self.periods:
            raise InputError("give at least one period", field="periods")
        check_zone_size(self.zone_size_m)
        if not (isinstance(self.feedback, int) and 1 <= self.feedback <= 50):
            raise InputError(f"feedback must be a whole number in [1, 50], got {self.feedback}", field="feedback")
        if not (np.isfinite(self.gap) and 0 < self.gap <= 0.1):
            raise InputError(f"gap must be in (0, 0.1], got {self.gap}", field="gap")
        if not (np.isfinite(self.access_minutes) and 0 < self.access_minutes <= 120):
            raise InputError(f"access_minutes must be in (0, 120], got {self.access_minutes}", field="access_minutes")
        for m in self.access_modes:
            if m not in ("walk", "bike", "pt"):
                raise InputError(f"unknown access mode {m!r}; use walk, bike, pt", field="access_modes")
        if not (np.isfinite(self.pt_departure_step_s) and 30 <= self.pt_departure_step_s <= 3600):
            raise InputError(f"pt_departure_step_s must be in [30, 3600], got {self.pt_departure_step_s}", field="pt_departure_step_s")
        if self.signal_split == "flows":  # a split the other commands take: say why not here, and what instead
            raise InputError(
                "signal_split 'flows' is not a mobility option: a mobility run times its signals once, before its assignments, for all its "
                "periods, and reads no counted flows (--design-flows); use capacity (Webster's rule on the approaches' capacities), or time "
                "the signals from counts with 'twin traffic assign --scene ... --signal-split flows --design-flows COUNTS.csv'",
                field="signal_split")  # fmt: skip
        if self.signal_split not in ("equal", "capacity"):
            raise InputError(f"unknown signal split {self.signal_split!r}; mobility runs take equal or capacity", field="signal_split")
        if self.signal_split != "equal" and not self.signals:
            raise InputError(f"signal split {self.signal_split!r} without signals changes nothing: turn the signals on, or leave the split out", field="signal_split")
        from twin.traffic.give_way_fixed_point import check_fixed_point_options

        check_fixed_point_options(self.give_way_tolerance, self.give_way_max_passes)
        if self.transit_routes is not None and self.gtfs is not None:
            raise InputError("give either a GTFS feed or OSM transit routes, not both (the feed is the better source)", field="transit_routes")
        if self.transit_defaults is not None and self.transit_routes is None:
            raise InputError("a public-transport defaults table is given but no OSM transit routes (add the routes or leave the table out)", field="transit_defaults")
        if self.gtfs_date is not None:
            import datetime as dt

            if self.gtfs is None:
                raise InputError("a service day is given but no GTFS feed (add the feed or leave the day out)", field="gtfs_date")
            try:
                dt.datetime.strptime(self.gtfs_date, "%Y%m%d")
            except ValueError:
                raise InputError(f"{self.gtfs_date!r} is not a calendar date YYYYMMDD", field="gtfs_date") from None


@dataclass
class ModeNetwork:
    """A mode's network with zone centroids (internal zones, then the four edges) as its first nodes."""

    mode: str
    network: Any
    n_internal: int
    street_link: np.ndarray
    """Stored-link mask: True for street links, False for connectors (and turn links)."""
    turns: Any = None
    """The scene's OSM turn restrictions on this network (:class:`twin.traffic.scene_turns.SceneTurns`;
    car only), None without any."""
    turned: Any = None
    """Maps link values of ``network`` back to the street and connector links of ``base`` when
    ``network`` is not that network: the :class:`~twin.traffic.turns.TurnNetwork` of the
    turn-expanded car network (a restriction banned a turn), or the
    :class:`~twin.traffic.signals.SignalNetwork` when the car network has stop lines (signals)."""
    base: Any = None
    """The street and connector links that ``turned`` maps back to (None when ``turned`` is None)."""
    expanded: Any = None
    """The :class:`~twin.traffic.turns.TurnNetwork` of the car network when it is turn-expanded."""
    movements: Any = None
    """The street-to-street movements of the car network (:class:`twin.traffic.movements.Movements`
    over the links of ``base``) when turning movements are asked for."""
    signals: dict[str, Any] | None = None
    """Signal counts of the car network (:func:`twin.traffic.signals.scene_signals`, with
    ``signal_approaches``), None when signals are off or for other modes."""
    give_way: Any = None
    """The :class:`~twin.traffic.priority.GiveWayNetwork` of the car network (also its ``turned``)
    when give-way delay is on, None otherwise; in a period's result, with that period's last capacities."""


@dataclass
class PeriodResult:
    """One period: person trips by segment and mode, car assignment, through traffic."""

    period: str
    trips: np.ndarray  # (n_modes, n, n) person trips per hour over zones + edges
    through: np.ndarray  # (4, 4) vehicles per hour between edges (assigned)
    through_demand: np.ndarray  # (4, 4) through demand before elasticity and path checks
    car_vehicles: np.ndarray  # (n, n) vehicle OD assigned
    link_flow: dict[str, float]
    link_time_s: dict[str, float]
    skims: dict[str, dict[str, np.ndarray]]
    dest_logsum: dict[str, np.ndarray]
    generated: dict[str, np.ndarray]
    unserved: list[dict[str, Any]]
    intrazonal_car: float
    assignment: Any
    car_net: ModeNetwork
    car_cost: np.ndarray
    feedback_logsums: list[dict[str, np.ndarray]] = field(default_factory=list)
    """Destination logsums per segment at each feedback iteration (a what-if compares its own at the same iteration)."""
    feedback_edge_time_s: list[np.ndarray] = field(default_factory=list)
    """Car times between the edges (4 x 4, s) at each feedback iteration (for the through traffic's elasticity)."""
    movement_flow: np.ndarray | None = None
    """Car flow (veh/h) of each movement of ``car_net.movements`` (with turning movements only)."""
    give_way_change: float | None = None
    """With give-way delay: the largest relative change of a give-way capacity at the last pass
    (the capacities of the last assignment against those of its own flows)."""
    give_way: Any = None
    """With give-way delay: how the last feedback iteration's fixed point ended
    (:class:`~twin.traffic.give_way_fixed_point.GiveWayConvergence`)."""


@dataclass
class MobilityResult:
    """Everything :func:`run_district_mobility` computed (see the module docstring)."""

    zones: Any
    zone_ids: np.ndarray
    periods: dict[str, PeriodResult]
    model: ModeChoiceModel
    theta: float
    params: dict[str, Parameter]
    kpis: dict[str, float]
    access: Any
    links: Any
    notes: list[str]
    unserved: Any
    through_matrix: Any
    timings_s: dict[str, float]
    options: MobilityOptions
    movements: Any = None
    """Turning movements (with ``options.turning_movements``): one row per street-to-street
    movement of the car network (:func:`twin.traffic.movements.movement_table` columns, with
    ``flow_<period>_veh_h`` per period instead of ``flow_veh_h``)."""

    def mode_totals(self) -> Any:
        import pandas as pd

        rows = []
        for p, r in self.periods.items():
            for k, m in enumerate(MODES):
                rows.append({"period": p, "mode": m, "trips": float(r.trips[k].sum())})
        return pd.DataFrame(rows)

    def trips_frame(self) -> Any:
        """Person trips per period, origin, destination and mode (non-zero entries)."""
        import pandas as pd

        ids = np.r_[self.zone_ids, np.array([f"edge_{s}" for s in SIDES], dtype=object)]
        frames = []
        for p, r in self.periods.items():
            k, o, d = np.nonzero(r.trips > 0)
            frames.append(pd.DataFrame({"period": p, "origin": ids[o], "destination": ids[d], "mode": np.array(MODES)[k], "trips": r.trips[k, o, d]}))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def junction_delays(self) -> Any:
        """Control delay per junction with a stop or give-way line, per period (one frame, a
        ``period`` column first; :func:`twin.traffic.junction_delays.period_junctions`): empty
        unless ``options.signals`` or ``options.give_way``."""
        from twin.traffic.junction_delays import run_junctions

        return run_junctions(self.periods)

    def skims_list(self) -> list:
        """Skims per mode and period as :class:`~twin.traffic.skims.Skim` (zones and edges)."""
        from twin.traffic.skims import Skim

        ids = np.r_[self.zone_ids, np.array([f"edge_{s}" for s in SIDES], dtype=object)]
        out = []
        for p, r in self.periods.items():
            for mode, mats in r.skims.items():
                out.append(Skim(mode=mode, period=p, zone_ids=ids, matrices=dict(mats)))
        return out


# ---------------------------------------------------------------------------------------- networks
def edge_nodes(scene: Any) -> dict[str, list[str]]:
    """Street ends cut by the district's edge, per side (from the geometry, whatever the modes)."""
    links = scene.links
    nodes = scene.nodes
    if len(links) == 0:
        raise InputError("the scene has no streets", obj="links", field="inputs.files")
    deg: dict[str, set] = {}
    for a, b in zip(links["from_node"].tolist(), links["to_node"].tolist()):
        deg.setdefault(a, set()).add(b)
        deg.setdefault(b, set()).add(a)
    xy = {nid: (p.x, p.y) for nid, p in zip(nodes["node_id"].tolist(), nodes.geometry.values)}
    pts = np.array([xy[n] for n in deg if n in xy])
    xmin, ymin = pts.min(axis=0)
    xmax, ymax = pts.max(axis=0)
    out: dict[str, list[str]] = {s: [] for s in SIDES}
    for n, nb in deg.items():
        if len(nb) != 1 or n not in xy:
            continue
        x, y = xy[n]
        d = {"north": ymax - y, "east": xmax - x, "south": y - ymin, "west": x - xmin}
        side = min(d, key=d.get)
        if d[side] <= EDGE_DISTANCE_M:
            out[side].append(n)
    return out


#: :func:`edge_nodes` by the scene's :func:`~twin.traffic.mode_streets.streets_key` (which
#: covers what it reads: the links' end nodes, the nodes' ids and points): the runs of a street
#: layout (every Monte Carlo sample) share them. The last eight stored.
_EDGE_NODES_CACHE: BoundedCache[bytes, dict[str, list[str]]] = BoundedCache(8)


def _edge_nodes_of_streets(scene: Any, key: bytes) -> dict[str, list[str]]:
    """:func:`edge_nodes` of ``scene``, whose :func:`~twin.traffic.mode_streets.streets_key` is
    ``key``, from :data:`_EDGE_NODES_CACHE` when a recent run had its streets; the caller gets
    its own lists."""
    hit = _EDGE_NODES_CACHE.get(key)
    if hit is None:
        hit = _EDGE_NODES_CACHE.put(key, edge_nodes(scene))
    return {side: list(ids) for side, ids in hit.items()}


def _edge_access(walk_link_ids: np.ndarray) -> np.ndarray:
    """Per side (:data:`SIDES`), the walk network's connectors at that edge of the district
    (links ``conn:walk:edge_<side>:...``), counted in one pass over the link ids."""
    counts = dict.fromkeys(SIDES, 0)
    prefix = "conn:walk:edge_"
    for lid in walk_link_ids.tolist():
        s = str(lid)
        if s.startswith(prefix):
            side = s[len(prefix):].split(":", 1)[0]
            if side in counts:
                counts[side] += 1
    return np.array([counts[s] for s in SIDES])


def build_mode_network(scene: Any, mode: str, ends: TripEnds, edges: dict[str, list[str]], *, signals: bool = False, movements: bool = False,
                       give_way: bool = False, signal_split: str = "equal", streets_key: bytes | None = None) -> ModeNetwork:
    """The mode's street network with zone and edge centroids (see the module docstring); for
    cars with the scene's turn restrictions and, with ``signals``, a stop line with the HCM delay
    of a pretimed signal on every street approach of the nodes the scene flags as signalised;
    with ``movements``, turn-expanded even without a restriction, and its street-to-street
    movements kinded from the scene's geometry (:func:`twin.traffic.movements.scene_movements`);
    with ``give_way``, a give-way line on every yielding approach of the unsignalised junctions
    (:func:`_with_give_way`)."""
    from twin.traffic.mode_streets import mode_streets, zone_connectors
    from twin.traffic.network import Network, osm_way_ids

    streets = mode_streets(scene, mode, walk_speed=WALK_SPEED_M_S, bike_speed=BIKE_SPEED_M_S, key=streets_key)
    z = ends.n_zones
    n_c = z + len(SIDES)
    node_ids = np.array([*ends.zone_ids.tolist(), *[f"edge_{s}" for s in SIDES], *streets.node_ids.tolist()], dtype=object)
    # connectors: zones to the nearest nodes (origin side needs out-links, destination side in-links)
    speed = {"walk": WALK_SPEED_M_S, "bike": BIKE_SPEED_M_S}.get(mode, WALK_SPEED_M_S)
    frm, to, ids, times, lengths = [streets.from_node + n_c], [streets.to_node + n_c], streets.link_ids.tolist(), [streets.time_s], [streets.length_m]
    n_conn = 0
    for direction, zi, node, d in zone_connectors(streets, ends.zone_xy, max_m=MAX_CONNECTOR_M, per_zone=CONNECTORS_PER_ZONE):
        node = node + n_c
        frm.append(zi if direction == "out" else node)
        to.append(node if direction == "out" else zi)
        ids += [f"conn:{mode}:{direction}:{a}:{b}" for a, b in zip(ends.zone_ids[zi].tolist(), node_ids[node].tolist())]
        times.append(d * DETOUR / speed)
        lengths.append(d * DETOUR)
        n_conn += zi.size
    pos = {nid: n_c + i for i, nid in enumerate(streets.node_ids.tolist())}
    edge_frm, edge_to = [], []
    for k, side in enumerate(SIDES):
        for n in edges[side]:
            if n not in pos:
                continue
            node = pos[n]
            for direction, ok in (("in", streets.out_degree[node - n_c] > 0), ("out", streets.in_degree[node - n_c] > 0)):
                if not ok:
                    continue  # an entry needs a link leading in, an exit a link leading out
                a, b = (z + k, node) if direction == "in" else (node, z + k)
                edge_frm.append(a)
                edge_to.append(b)
                ids.append(f"conn:{mode}:edge_{side}:{direction}:{n}")
    n_extra = n_conn + len(edge_frm)
    frm.append(np.array(edge_frm, dtype=np.int64))
    to.append(np.array(edge_to, dtype=np.int64))
    times.append(np.zeros(len(edge_frm)))
    lengths.append(np.zeros(len(edge_frm)))
    net = Network.build(
        node_ids=node_ids, link_ids=np.array(ids, dtype=object), from_node=np.concatenate(frm).astype(np.int64), to_node=np.concatenate(to).astype(np.int64),
        free_flow_time=np.concatenate(times).astype(float), capacity=np.r_[streets.capacity, np.full(n_extra, np.inf)], length=np.concatenate(lengths).astype(float),
        alpha=np.r_[streets.alpha, np.zeros(n_extra)], beta=4.0,
        n_zones=n_c, first_thru_node=n_c, time_unit="s", length_unit="m", name=f"{mode} network",
    )  # fmt: skip
    turns = turned = base = signal_counts = street_moves = give = None
    if mode == "car":  # the mode and the way of every stored link, for the scene's turn restrictions
        base = net
        net.meta.update(mode=mode, osm_way_id=osm_way_ids(net.link_ids))
        base_street = np.array([not str(k).startswith("conn:") for k in base.link_ids.tolist()])
        net, turns, turned = _with_restrictions(scene, net, expand=movements)
        if movements:
            from twin.traffic.movements import scene_movements

            street_moves = scene_movements(scene, base, links=base_street)
        expanded = turned
        if signals:
            net, turned, signal_counts = _with_signals(scene, scene.links[streets.used], base, base_street, net, turned, split=signal_split)
        if give_way:
            give = _with_give_way(scene, scene.links[streets.used], base, base_street, net, turned, signalised=signals)
            net, turned = give.network, give
    else:
        expanded = None
    street = np.array([not str(i).startswith("conn:") for i in net.link_ids.tolist()])
    return ModeNetwork(mode=mode, network=net, n_internal=z, street_link=street, turns=turns, turned=turned, base=base if turned is not None else None,
                       expanded=expanded, movements=street_moves, signals=signal_counts, give_way=give)  # fmt: skip


SIGNAL_LINK_PREFIX = "conn:car:signal:"
"""Link id prefix of the stop lines of the car network (``conn:``: not a street link)."""


def _with_signals(scene: Any, streets: Any, base: Any, street: np.ndarray, net: Any, turned: Any, *, split: str = "equal") -> tuple[Any, Any, dict[str, Any] | None]:
    """The car network ``net`` (``base``, whose street links are ``street``, or its turn-expanded form ``turned``) with a stop line on
    every street approach of the nodes the scene flags as signalised (``signalised`` column of
    its nodes): :func:`twin.traffic.signals.add_signals` with the default timing and the green split ``split``, saturation flow
    per lane from the streets' ``lanes`` (``streets``: the scene's car links). Zone and edge
    connectors are never approaches. Returns the network (stop lines labelled
    :data:`SIGNAL_LINK_PREFIX` + approach link id; the other links keep ``net``'s labels), the
    map back to ``base`` (the :class:`~twin.traffic.signals.SignalNetwork`, or ``turned`` as it
    was when no flagged node has an approach) and the counts (None when the scene flags none)."""
    from twin.traffic.network import scene_lanes, scene_signal_flags
    from twin.traffic.signal_phases import scene_link_bearings
    from twin.traffic.signals import SignalTiming, add_signals, scene_signals

    nodes = scene.nodes
    if "signalised" not in nodes.columns:
        return net, turned, None
    base.meta["signalised"], base.meta["signal_source"] = scene_signal_flags(nodes, base.node_ids)
    if "lanes" in streets.columns:
        base.meta["lanes"] = scene_lanes(streets, base.link_ids)
    flagged, counts = scene_signals(base, street & (base.capacity > 0) & (base.vdf < 2))
    if not flagged:
        return net, turned, counts
    bearing = scene_link_bearings(scene, base) if split != "equal" else None
    sig = add_signals(turned if turned is not None else base, flagged, approach=street, timing=SignalTiming(split=split), bearing=bearing)
    counts["signal_approaches"] = int((sig.approach_of >= 0).sum())
    counts.update(sig.split)
    approach_ids = base.link_ids[turned.link_of[sig.approach_of]] if turned is not None else base.link_ids[np.maximum(sig.approach_of, 0)]
    labels = np.where(sig.link_of >= 0, net.link_ids[np.maximum(sig.link_of, 0)], np.array([SIGNAL_LINK_PREFIX + str(k) for k in approach_ids.tolist()], dtype=object))
    return replace(sig.network, link_ids=labels.astype(object), name=f"{net.name} (signals)"), sig, counts


GIVE_WAY_LINK_PREFIX = "conn:car:giveway:"
"""Link id prefix of the give-way lines of the car network (``conn:``: not a street link)."""
def _with_give_way(scene: Any, streets: Any, base: Any, street: np.ndarray, net: Any, turned: Any, *, signalised: bool) -> Any:
    """The car network ``net`` (over ``base``; ``turned`` maps it back, None when it is ``base``)
    with a give-way line (:data:`GIVE_WAY_LINK_PREFIX` + approach id) on every yielding approach
    of the unsignalised junctions of ``base`` (:func:`twin.traffic.priority.add_scene_give_way`),
    capacities at zero conflicting flow. Returns the :class:`~twin.traffic.priority.GiveWayNetwork`."""
    from twin.traffic.priority import add_scene_give_way

    return add_scene_give_way(scene, streets, base, net, turned, street=street & (base.capacity > 0), signalised=signalised, line_label=GIVE_WAY_LINK_PREFIX)


def _with_restrictions(scene: Any, net: Any, *, expand: bool = False) -> tuple[Any, Any, Any]:
    """The car network ``net`` (built with ``meta['mode']`` and ``meta['osm_way_id']``) with the
    scene's OSM turn restrictions: the turn-expanded network (:func:`twin.traffic.turns.expand_turns`;
    zones and edges stay its first nodes) whose street and connector links keep their ids and
    whose turn links are ``conn:car:turn:...`` (the copies of via links of via-way restrictions
    carry their link's id), the :class:`~twin.traffic.scene_turns.SceneTurns`
    and the :class:`~twin.traffic.turns.TurnNetwork` (which maps link values back to ``net``);
    ``net`` itself (never changed), the turns (None when the scene has no restrictions) and None
    when no turn or sequence is banned, unless ``expand`` (turning movements asked for): then
    always the turn-expanded network."""
    from twin.traffic.scene_turns import scene_banned_turns, scene_restrictions
    from twin.traffic.turns import expand_turns

    table = scene_restrictions(scene)
    turns = scene_banned_turns(net, table) if len(table) else None
    if not (expand or (turns is not None and (turns.banned or turns.sequences))):
        return net, turns, None
    tn = expand_turns(net, banned=turns.banned if turns else (), sequences=turns.sequences if turns else ())
    ids = net.link_ids
    labels = [
        str(ids[k]) if k >= 0 else (f"conn:car:turn:{ids[t[0]]}->{ids[t[1]]}" if t[0] >= 0 else f"conn:car:zone:{e}")
        for e, (k, t) in enumerate(zip(tn.link_of.tolist(), tn.turn_of.tolist(), strict=True))
    ]
    return replace(tn.network, link_ids=np.array(labels, dtype=object), name="car network (turn restrictions)"), turns, tn


#: The free-flow skims of :func:`_skim` (no ``cost``): a what-if's walk and bike networks are its
#: baseline's (a closure to cars, the same zones), and the baseline and the what-if of a Monte
#: Carlo sample run the same street networks to the same zones, so these are found here instead
#: of searching every path again. Skims at congested car times are not stored: each feedback
#: iteration's times come from an assignment of its own demand, and no later call of a run, a
#: what-if or a sample asked for the same times again (a cache of them, in the default run's
#: 498 calls, was never hit). The last eight stored.
_FREE_SKIM_CACHE: BoundedCache[bytes, tuple[np.ndarray, np.ndarray]] = BoundedCache(8)


def _skim(mnet: ModeNetwork, cost: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Shortest-time skims of a mode network (``time_s``, ``distance_m`` along those paths),
    zones and edges x zones and edges, at the free-flow times or at ``cost``; fresh arrays, at
    free-flow times the same as a new search when the network is that of a recent call
    (:data:`_FREE_SKIM_CACHE`)."""
    from twin.traffic.skims import network_skims

    net = mnet.network
    if cost is not None:
        sk = network_skims(net, cost=cost, attributes={"distance_m": net.length}, cost_name="time_s")
        return {"time_s": sk.matrices["time_s"], "distance_m": sk.matrices["distance_m"]}
    c = net.free_flow_time
    # everything network_skims reads: the zones, the forward star, the link costs and lengths
    key = content_digest(int(net.n_zones), int(net.first_thru_node), int(net.n_links),
                         *(np.asarray(a, dtype=np.int64) for a in (net.out_start, net.from_node, net.to_node)),
                         np.asarray(c, dtype=np.float64), np.asarray(net.length, dtype=np.float64))  # fmt: skip
    hit = _FREE_SKIM_CACHE.get(key)
    if hit is None:
        sk = network_skims(net, cost=c, attributes={"distance_m": net.length}, cost_name="time_s")
        hit = _FREE_SKIM_CACHE.put(key, (sk.matrices["time_s"], sk.matrices["distance_m"]))
    return {"time_s": hit[0].copy(), "distance_m": hit[1].copy()}  # the cached arrays are never handed out


def _intrazonal(m: np.ndarray, n_internal: int) -> np.ndarray:
    """Diagonal of internal zones = half the time to the nearest other internal zone."""
    out = m.copy()
    sub = out[:n_internal, :n_internal].copy()
    np.fill_diagonal(sub, np.inf)
    nearest = sub.min(axis=1)
    idx = np.arange(n_internal)
    out[idx, idx] = np.where(np.isfinite(nearest), 0.5 * nearest, np.inf)
    return out


# ---------------------------------------------------------------------------------------- transit
#: The walking legs and transfers of :func:`_pt_legs` by the content of what they are computed
#: from (the walk network's zones, forward star and free-flow times, the positions of its street
#: nodes, the stops): every Monte Carlo sample and a what-if closing streets to cars walk the same
#: network to the same stops. The last eight stored; handed out as copies.
_PT_LEGS_CACHE: BoundedCache[bytes, tuple[Any, Any] | None] = BoundedCache(8)


def _pt_legs(scene: Any, walk: ModeNetwork, tt: Any) -> tuple[Any, Any] | None:
    """The walking legs between zones (and edges) and stops, by the walk network, and the
    transfers between stops: the same for every period of a run. None when no stop is within
    :data:`MAX_PT_ACCESS_S` of a street node. Fresh arrays, the same as a new computation when
    the inputs are those of a recent call (:data:`_PT_LEGS_CACHE`)."""
    from twin.traffic.transit import Legs

    net = walk.network
    n_c = net.n_zones
    nodes = scene.nodes
    xy = {nid: (p.x, p.y) for nid, p in zip(nodes["node_id"].tolist(), nodes.geometry.values)}
    sxy = np.array([xy.get(net.node_ids[i], (np.nan, np.nan)) for i in range(n_c, net.n_nodes)], dtype=np.float64).reshape(-1, 2)
    # everything below reads: the zones, the forward star, the walking times, the street nodes' positions, the stops
    key = content_digest(int(n_c), int(net.first_thru_node), int(net.n_links),
                         *(np.asarray(a, dtype=np.int64) for a in (net.out_start, net.from_node, net.to_node)),
                         np.asarray(net.free_flow_time, dtype=np.float64), sxy, np.asarray(tt.stop_xy, dtype=np.float64),
                         float(MAX_PT_ACCESS_S), float(DETOUR), float(WALK_SPEED_M_S))  # fmt: skip
    hit = _PT_LEGS_CACHE.get(key)
    if hit is None:
        hit = _PT_LEGS_CACHE.put(key, _pt_legs_of(net, sxy, tt))
    if hit is None:
        return None
    return tuple(Legs(g.ptr.copy(), g.stop.copy(), g.time_s.copy()) for g in hit)  # the cached arrays are never handed out


def _pt_legs_of(net: Any, sxy: np.ndarray, tt: Any) -> tuple[Any, Any] | None:
    """:func:`_pt_legs` of the walk network ``net`` whose street nodes (``n_zones`` on) are at ``sxy``."""
    import shapely

    from twin.kernels.traffic_skims import tree_skims
    from twin.traffic.kernel_threads import kernel_threads
    from twin.traffic.transit import access_legs_from_times, straight_line_legs

    n_c = net.n_zones
    street_idx = np.arange(n_c, net.n_nodes)
    okn = np.isfinite(sxy[:, 0])
    tree = shapely.STRtree(shapely.points(sxy[okn]))
    stop_pts = shapely.points(tt.stop_xy)
    near, dist = tree.query_nearest(stop_pts, return_distance=True, all_matches=False)
    stop_node = np.full(tt.n_stops, -1, dtype=np.int64)
    stop_leg = np.full(tt.n_stops, np.inf)
    stop_node[near[0]] = street_idx[okn][near[1]]
    stop_leg[near[0]] = dist * DETOUR / WALK_SPEED_M_S
    usable = (stop_node >= 0) & (stop_leg <= MAX_PT_ACCESS_S)
    if not usable.any():
        return None
    dest_nodes = stop_node[usable]
    cost = np.ascontiguousarray(net.free_flow_time, dtype=np.float64)
    out_cost = np.empty((n_c, dest_nodes.size))
    out_attr = np.empty((0, n_c, dest_nodes.size))
    with kernel_threads(n_c * net.n_links):
        tree_skims(np.arange(n_c, dtype=np.int64), dest_nodes, net.out_start.astype(np.int64), net.from_node.astype(np.int64), net.to_node.astype(np.int64),
                   cost, int(net.first_thru_node), np.zeros((0, net.n_links)), out_cost, out_attr)  # fmt: skip
    walk_t = np.full((n_c, tt.n_stops), np.inf)
    walk_t[:, np.flatnonzero(usable)] = out_cost + stop_leg[usable][None, :]
    legs = access_legs_from_times(walk_t, max_time_s=MAX_PT_ACCESS_S)
    return legs, straight_line_legs(tt.stop_xy, tt.stop_xy, max_m=400.0, exclude_self=True)


#: The public-transport skims of :func:`_pt_skims` by the content of what they are computed from
#: (the walking legs and transfers, the timetable's connections, the departures): the baseline and
#: the what-if of a Monte Carlo sample walk the same network to the same stops and ride the same
#: timetable (the sample's headways), so the what-if's two periods find the baseline's here
#: instead of running the connection scan again (80 of the default run's 166 calls). The last
#: four stored (two periods of two runs); handed out as copies.
_PT_SKIM_CACHE: BoundedCache[bytes, tuple[np.ndarray, np.ndarray]] = BoundedCache(4)


def _pt_skims(legs: tuple[Any, Any] | None, tt: Any, n_c: int, window: tuple[float, float], step_s: float) -> dict[str, np.ndarray]:
    """Public-transport door-to-door times between the ``n_c`` zones and edges over the period's
    departures, with the run's walking legs and transfers (:func:`_pt_legs`). Fresh arrays, the
    same as a new scan when the inputs are those of a recent call (:data:`_PT_SKIM_CACHE`)."""
    from twin.traffic.kernel_threads import CSA_THREADS_MIN_WORK, kernel_threads
    from twin.traffic.transit import TRANSFER_SLACK_S, departure_times, pt_travel_times

    if legs is None:
        return {"time_s": np.full((n_c, n_c), np.inf), "distance_m": np.full((n_c, n_c), np.inf), "served_share": np.zeros((n_c, n_c))}
    access, transfers = legs
    deps = departure_times(window[0], window[1], step_s)
    # everything pt_travel_times reads: the legs, the connections and trips, the departures, the limits
    key = content_digest(int(n_c), *(np.asarray(a) for g in (access, transfers) for a in (g.ptr, g.stop, g.time_s)),
                         *(np.asarray(getattr(tt, k)) for k in ("dep_stop", "arr_stop", "dep_t", "arr_t", "trip")), int(tt.n_trips), int(tt.n_stops),
                         deps, float(TRANSFER_SLACK_S), PT_MAX_TIME_S)  # fmt: skip
    hit = _PT_SKIM_CACHE.get(key)
    if hit is None:
        with kernel_threads(float(access.n_points) * deps.size * tt.n_connections, CSA_THREADS_MIN_WORK):  # the same times on one thread
            mean, share = pt_travel_times(tt, access, access, deps, transfers=transfers, max_time_s=PT_MAX_TIME_S)
        np.fill_diagonal(mean, np.inf)
        hit = _PT_SKIM_CACHE.put(key, (mean, share))
    return {"time_s": hit[0].copy(), "served_share": hit[1].copy()}  # the cached arrays are never handed out


#: Longest public-transport journey the skims count, s.
PT_MAX_TIME_S = 5400.0


# ---------------------------------------------------------------------------------------- demand
def _segment_inputs(ends: TripEnds, p: dict[str, float], period: str, n_edge_access: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(productions over zones+edges, size over zones+edges, allowed destination mask) per segment."""
    z = ends.n_zones
    n = z + len(SIDES)
    share = p[PERIODS[period]["share"]]
    home = p[PERIODS[period]["home"]]
    inbound = p["inbound_share"]
    act = ends.activity_ends / 2.0  # trips attracted per day
    res = ends.resident_ends  # trips made by residents per day
    region_act = p["region_jobs"] * p["trip_ends_per_job_day"] / 2.0 / len(SIDES)
    region_res = p["region_residents"] * p["trips_per_resident_day"] / len(SIDES)
    edge_ok = n_edge_access > 0
    out = {}
    prod = np.zeros(n)
    prod[:z] = share * home * res
    size = np.r_[act, np.where(edge_ok, region_act, 0.0)]
    out["home_out"] = (prod, size, np.ones(n, bool))
    prod = np.zeros(n)
    prod[:z] = share * (1 - home) * act * (1 - inbound)
    size = np.r_[res, np.where(edge_ok, region_res, 0.0)]
    out["to_home"] = (prod, size, np.ones(n, bool))
    prod = np.zeros(n)
    total_in = share * home * act.sum() * inbound
    prod[z:] = np.where(edge_ok, total_in / max(edge_ok.sum(), 1), 0.0)
    size = np.r_[act, np.zeros(len(SIDES))]
    out["visitors_in"] = (prod, size, np.r_[np.ones(z, bool), np.zeros(len(SIDES), bool)])
    prod = np.zeros(n)
    prod[:z] = share * (1 - home) * act * inbound
    size = np.r_[np.zeros(z), np.where(edge_ok, region_res, 0.0)]
    out["visitors_out"] = (prod, size, np.r_[np.zeros(z, bool), np.ones(len(SIDES), bool)])
    return out


def _level_of_service(skims: dict[str, dict[str, np.ndarray]], z: int, p: dict[str, float], costs: dict[str, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Times (min), costs (EUR) and distances (m) per mode over zones + edges, beyond legs added."""
    n = z + len(SIDES)
    t = np.full((len(MODES), n, n), np.inf)
    dist = np.full((len(MODES), n, n), np.inf)
    speed = {"walk": p["beyond_speed_walk_m_s"], "bike": p["beyond_speed_bike_m_s"], "car": p["beyond_speed_car_m_s"], "pt": p["beyond_speed_pt_m_s"]}
    ext = np.zeros((n, n))
    ext[:z, z:] = 1.0
    ext[z:, :z] = 1.0
    for k, m in enumerate(MODES):
        if m not in skims:
            continue
        tt = _intrazonal(skims[m]["time_s"], z)
        dd = _intrazonal(skims[m]["distance_m"], z) if "distance_m" in skims[m] else np.where(np.isfinite(tt), skims["walk"]["distance_m"], np.inf)
        tt = tt + ext * p["beyond_distance_m"] / speed[m]
        dd = dd + ext * p["beyond_distance_m"]
        tt[z:, z:] = np.inf  # edge to edge: through traffic, not person trips of the district
        t[k] = tt / 60.0
        dist[k] = dd
    cost = np.zeros_like(t)
    cost[MODES.index("car")] = np.where(np.isfinite(dist[MODES.index("car")]), dist[MODES.index("car")] / 1000.0 * costs["car_cost_eur_per_km"], 0.0)
    cost[MODES.index("pt")] = costs["pt_fare_eur"]
    return t, cost, dist


#: The cost tables read by :func:`read_costs`, by path and content digest (a changed file is
#: parsed again; every run of a Monte Carlo reads the same one). The last four stored.
_COSTS_CACHE: BoundedCache[tuple[str, bytes], dict[str, float]] = BoundedCache(4)


def read_costs(path: str | Path | None = None) -> dict[str, float]:
    """The money costs of the modes (``parameter``, ``value``: car cost per km, public-transport
    fare), from ``path`` or the packaged ``mobility_costs.csv``.

    The file is read on every call and parsed only when its content is new (:data:`_COSTS_CACHE`);
    the caller gets its own dict.
    """
    import io

    import pandas as pd

    from twin.traffic.mode_choice import DATA_DIR

    def parse(data: bytes) -> dict[str, float]:
        table = pd.read_csv(io.BytesIO(data))
        return {str(k): float(v) for k, v in zip(table["parameter"], table["value"])}

    return dict(parsed_file(_COSTS_CACHE, Path(path) if path is not None else DATA_DIR / "mobility_costs.csv", parse))


def _mode_choice(model: ModeChoiceModel, t: np.ndarray, cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mode logsums (n x n) and mode shares (modes x n x n) of ``model`` at times ``t`` and
    costs ``cost``: the part of :func:`_choose` that does not depend on ``theta`` or the
    segments' trips."""
    u = model.utilities(t, cost)
    return model.logsum(u), model.probabilities(u)


def _choose(model: ModeChoiceModel, theta: float, segs: dict, t: np.ndarray, cost: np.ndarray, scale: dict[str, np.ndarray] | None = None, *,
            modes: tuple[np.ndarray, np.ndarray] | None = None):
    """Person trips (modes x n x n) and destination logsums per segment; ``modes``: the
    :func:`_mode_choice` of ``model``, ``t`` and ``cost`` when already computed (calls that only
    change ``theta`` or ``scale`` share it)."""
    from twin.traffic.distribution import destination_choice

    ls, pm = _mode_choice(model, t, cost) if modes is None else modes
    n = t.shape[1]
    total = np.zeros((len(MODES), n, n))
    dls = {}
    od_all = np.zeros((n, n))
    for name, (prod, size, allowed) in segs.items():
        g = prod if scale is None or name not in scale else prod * scale[name]
        util = np.where(allowed[None, :], ls, -np.inf)
        od, lsum = destination_choice(g, size, util, theta)
        dls[name] = lsum
        od_all += od
        total += pm * od[None, :, :]
    return total, dls, od_all


def _mean_length(trips: np.ndarray, dist: np.ndarray) -> float:
    d = np.where(np.isfinite(dist), dist, 0.0)
    tot = trips.sum()
    return float((trips * d).sum() / tot) if tot > 0 else float("nan")


def _main_road_capacities(scene: Any, edges: dict[str, list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Per edge (:data:`SIDES`), the capacity (veh/h) of the main roads open to cars entering the
    district there and leaving it there."""
    from twin.traffic.mode_streets import mode_mask

    links = scene.links
    main = links["road_class"].fillna("").astype(str).isin(MAIN_ROAD_CLASSES).to_numpy() & mode_mask(links, "car")
    entering = np.zeros(len(SIDES))
    leaving = np.zeros(len(SIDES))
    for k, side in enumerate(SIDES):
        at = set(edges[side])
        entering[k] = links.loc[main & links["from_node"].isin(at).to_numpy(), "capacity_veh_h"].sum()
        leaving[k] = links.loc[main & links["to_node"].isin(at).to_numpy(), "capacity_veh_h"].sum()
    return entering, leaving


#: :func:`_main_road_capacities` by the scene's streets key and its links' road classes (what it
#: reads, with the edges made from those streets): a Monte Carlo sample's baseline has its
#: scene's streets. The last eight stored.
_MAIN_CAPS_CACHE: BoundedCache[bytes, tuple[np.ndarray, np.ndarray]] = BoundedCache(8)


def _main_road_capacities_of_streets(scene: Any, edges: dict[str, list[str]], key: bytes) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_main_road_capacities` of ``scene`` (streets key ``key``, ``edges`` its
    :func:`edge_nodes`), from :data:`_MAIN_CAPS_CACHE` when a recent run had its streets and
    road classes; fresh arrays."""
    full = content_digest(key, scene.links["road_class"].to_numpy())
    hit = _MAIN_CAPS_CACHE.get(full)
    if hit is None:
        hit = _MAIN_CAPS_CACHE.put(full, tuple(a.copy() for a in _main_road_capacities(scene, edges)))
    return hit[0].copy(), hit[1].copy()


def _default_through(capacities: tuple[np.ndarray, np.ndarray], share: float) -> np.ndarray:
    """Vehicles per hour between edges: ``share`` x capacity of the main roads entering at each
    edge, spread over the other edges in proportion to the main-road capacity leaving there
    (``capacities``: :func:`_main_road_capacities`, computed once per run)."""
    entering, leaving = capacities
    m = np.zeros((len(SIDES), len(SIDES)))
    for a in range(len(SIDES)):
        others = [b for b in range(len(SIDES)) if b != a and leaving[b] > 0]
        tot = sum(leaving[b] for b in others)
        for b in others:
            m[a, b] = share * entering[a] * leaving[b] / tot
    return m


#: Largest through flow of one row of an external matrix, veh/h: the widest road in one direction
#: (:data:`twin.traffic.flow_limits.MAX_ROAD_FLOW_VEH_H`, 38,400 veh/h); a larger row is a unit
#: slip (a day's vehicles given as veh/h).
MAX_THROUGH_VEH_H = MAX_ROAD_FLOW_VEH_H


def read_external_matrix(path: str | Path, periods: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Through traffic from a CSV: origin_edge, destination_edge, period, vehicles_h (each at most
    :data:`MAX_THROUGH_VEH_H`; rows of one pair and period add up)."""
    import pandas as pd

    from twin.io.paths import check_input_file

    path = Path(path)
    check_input_file(path, suffixes=(".csv",), field="external_matrix", what="external matrix")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the external matrix: {' '.join(str(exc).split())}", path=path, field="external_matrix") from None
    for col in ("origin_edge", "destination_edge", "period", "vehicles_h"):
        if col not in table.columns:
            raise InputError(f"missing column {col!r}", path=path, field=col)
    if table.empty:
        raise InputError("the external matrix has no rows: it adds no through traffic", path=path, field="vehicles_h")
    out = {p: np.zeros((len(SIDES), len(SIDES))) for p in periods}
    for i, row in table.iterrows():
        where = f"line {int(i) + 2}"
        for col in ("origin_edge", "destination_edge"):
            if row[col] not in SIDES:
                raise InputError(f"unknown edge {row[col]!r}; edges: {', '.join(SIDES)}", path=path, obj=where, field=col)
        if row["period"] not in PERIODS:
            raise InputError(f"unknown period {row['period']!r}", path=path, obj=where, field="period")
        try:
            v = float(row["vehicles_h"])
        except ValueError:
            raise InputError(f"not a number: {row['vehicles_h']!r}", path=path, obj=where, field="vehicles_h") from None
        if not (np.isfinite(v) and v >= 0):
            raise InputError(f"vehicles_h must be finite and >= 0, got {v}", path=path, obj=where, field="vehicles_h")
        if v > MAX_THROUGH_VEH_H:  # was refused by the assignment's demand limit (1e12), naming no file
            raise InputError(f"vehicles_h {row['vehicles_h'].strip()} is above the largest plausible through flow between two edges, "
                             f"{MAX_THROUGH_VEH_H:,.0f} veh/h (the widest road, {MAX_LANES} lanes at {MAX_LANE_FLOW_VEH_H:,.0f} veh/h each); "
                             "a unit slip (vehicles per day?)", path=path, obj=where, field="vehicles_h")  # fmt: skip
        if row["period"] in out:
            out[row["period"]][SIDES.index(row["origin_edge"]), SIDES.index(row["destination_edge"])] += v
    return out


# ---------------------------------------------------------------------------------------- run
def run_district_mobility(
    scene: Any,
    options: MobilityOptions | None = None,
    *,
    baseline: MobilityResult | None = None,
    model: ModeChoiceModel | None = None,
    params: dict[str, Parameter] | None = None,
    timetable: Any = None,
) -> MobilityResult:
    """Demand, destinations, modes, car assignment and indicators of a district (module docstring).

    Parameters
    ----------
    scene
        The scene (buildings, links, nodes; POIs and land cover for the access indicator).
    options
        :class:`MobilityOptions`.
    baseline
        The baseline's result: a what-if reuses its calibration and its destination logsums
        (evaporation), and is compared with it by :func:`compare_mobility`.
    model, params
        A mode-choice model and parameter set (e.g. one Monte Carlo sample); default from the
        tables named in ``options``.
    timetable
        A :class:`~twin.traffic.gtfs.Timetable` already read (else ``options.gtfs`` is read, or
        without one ``options.transit_routes`` is built by :func:`twin.traffic.osm_transit.osm_timetable`).

    Raises
    ------
    InputError
        Bad options or tables (checked first), a scene without streets or buildings.
    """
    import pandas as pd

    from twin.traffic.assign import assign
    from twin.traffic.give_way_fixed_point import solve_give_way
    from twin.traffic.mode_streets import streets_key

    options = options or MobilityOptions()
    options.check()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    if baseline is not None:
        model = model or baseline.model
        params = params or baseline.params
    if params is None:
        params = read_parameters(options.parameters_table, options.parameter_overrides)
    if model is None:
        model = ModeChoiceModel.from_table(options.mode_choice_table, overrides=options.mode_choice_overrides)
    p = {k: v.value for k, v in params.items()}
    costs = read_costs()
    if options.access_categories is not None:
        from twin.traffic.indicators import check_categories

        check_categories(options.access_categories)
    # the timetable's window: the periods' hours and 90 min after (trips leaving late in a period)
    window_s = (min(PERIODS[q]["window_s"][0] for q in options.periods), max(PERIODS[q]["window_s"][1] for q in options.periods) + 5400.0)
    if timetable is None and options.gtfs:
        from twin.traffic.gtfs import feed_dates, read_gtfs
        from twin.traffic.gtfs import timetable as make_tt

        feed = read_gtfs(options.gtfs)
        date = options.gtfs_date or _a_tuesday(feed_dates(feed))
        try:
            timetable = make_tt(feed, date, start_s=window_s[0], end_s=window_s[1], crs=scene.crs)
        except InputError as exc:  # the service day is gtfs_date (--gtfs-date), not the library's 'date'
            if exc.field != "date":
                raise
            chosen = "" if options.gtfs_date else " (the default day, a Tuesday of the feed's calendar: choose one with --gtfs-date)"
            raise InputError(exc.message + chosen, path=exc.path, obj=exc.obj, field="gtfs_date") from None
        if timetable.n_connections == 0:  # stopped at mode calibration: "field 'targets': no trip can use 'pt'", naming no file
            start_s, end_s = window_s

            def hm(t: float) -> str:
                return f"{int(t // 3600):02d}:{int(t % 3600 // 60):02d}"

            raise InputError(f"no vehicle of the feed departs between {hm(start_s)} and {hm(end_s)} (the periods {', '.join(options.periods)} "
                             f"and 90 min after) on service day {date}: no trip could use public transport; a trip after midnight belongs "
                             "to the service day before (times past 24:00), or choose another day with --gtfs-date", path=options.gtfs, field="gtfs")  # fmt: skip
    transit_note = None
    if timetable is None and options.transit_routes:
        from twin.traffic.osm_transit import osm_timetable

        timetable, transit_note = osm_timetable(options.transit_routes, crs=scene.crs, defaults_table=options.transit_defaults,
                                                start_s=window_s[0], end_s=window_s[1])
    if len(scene.buildings) == 0:
        raise InputError("the mobility model needs buildings (trip ends come from them)", obj="buildings", field="inputs.files")
    ends = trip_ends(scene, params, zone_size_m=options.zone_size_m)
    if timetable is not None and (options.gtfs or options.transit_routes):
        _check_stops_reach_zones(timetable, ends.zone_xy, options)
    key = streets_key(scene)  # the street parts of the three networks are shared by the runs of a street layout
    edges = _edge_nodes_of_streets(scene, key)
    nets = {m: build_mode_network(scene, m, ends, edges, signals=options.signals, movements=options.turning_movements, give_way=options.give_way,
                                  signal_split=options.signal_split, streets_key=key)
            for m in ("walk", "bike", "car")}  # fmt: skip
    timings["networks_s"] = time.perf_counter() - t0
    z = ends.n_zones
    notes: list[str] = [] if transit_note is None else [transit_note]
    if nets["car"].turns is not None:
        c = nets["car"].turns.summary()
        notes.append(f"car network: {c['turn_restrictions_applied']} of {c['turn_restrictions']} OSM turn restrictions applied "
                     f"({c['restriction_banned_turns']} banned turns" + (f", {c['restriction_banned_sequences']} banned via-way link sequences" if c["restriction_banned_sequences"] else "")
                     + "; the others do not bind cars or are not on the district's car network)")  # fmt: skip
    sc = nets["car"].signals
    if options.signals and not (sc and sc["signals"]):
        notes.append("car network: signals asked, but the scene flags no signalised node with a car approach (the OSM ingest flags them): none applied")
    elif sc:
        without = len(sc["signals_without_approach"])
        split = ""
        if sc.get("split", "equal") != "equal":
            split = (f"; green split by {sc['split']} (Webster) at {sc['nodes_split']} node(s)"
                     + (f", equal at {sc['nodes_one_axis']} with one street axis" if sc["nodes_one_axis"] else "")
                     + (f", equal at {sc['nodes_without_bearing']} without bearings" if sc["nodes_without_bearing"] else ""))  # fmt: skip
        notes.append(f"car network: pretimed signals (HCM delay, default timing) at {sc['signals']} signalised nodes ({sc['signal_approaches']} approaches)"
                     + (f"; {without} flagged node(s) without a car approach not applied" if without else "") + split)  # fmt: skip
    gw0 = nets["car"].give_way
    if options.give_way:
        from twin.traffic.priority import junction_counts_text

        c = gw0.junctions.summary()
        notes.append(f"car network: give-way delay (HCM two-way stop control) at {junction_counts_text(c)}: "
                     f"{c['yielding_approaches']} yielding approaches ({c['roundabout_entries']} roundabout entries), {int((gw0.yielding >= 0).sum())} give-way lines")  # fmt: skip
    if baseline is not None and (len(baseline.zone_ids) != z or np.any(baseline.zone_ids != ends.zone_ids)):
        raise InputError("the what-if's zones differ from the baseline's (buildings moved?): compare runs of one scene", field="baseline")
    through_user = read_external_matrix(options.external_matrix, options.periods) if options.external_matrix else None
    own_through = through_user is None and (baseline is None or any(q not in baseline.periods for q in options.periods))
    main_caps = _main_road_capacities_of_streets(scene, edges, key) if own_through else None
    theta = baseline.theta if baseline is not None else 1.0
    results: dict[str, PeriodResult] = {}
    free_skims = {m: _skim(nets[m]) for m in ("walk", "bike", "car")}
    timings["skims_s"] = time.perf_counter() - t0 - timings["networks_s"]
    edge_access = _edge_access(nets["walk"].network.link_ids)
    pt_legs = _pt_legs(scene, nets["walk"], timetable) if timetable is not None else None  # the same for every period
    for period in options.periods:
        tp = time.perf_counter()
        window = PERIODS[period]["window_s"]
        skims = {m: dict(free_skims[m]) for m in free_skims}
        if timetable is not None:
            skims["pt"] = _pt_skims(pt_legs, timetable, nets["walk"].network.n_zones, window, options.pt_departure_step_s)
        segs = _segment_inputs(ends, p, period, edge_access)
        t_min, cost, dist = _level_of_service(skims, z, p, costs)
        if baseline is None and period == options.periods[0]:
            model, theta = _calibrate(model, segs, t_min, cost, dist, p, options, notes, has_pt=timetable is not None)
        scale = None
        ref = baseline.periods.get(period) if baseline is not None else None
        feedback_logsums: list[dict[str, np.ndarray]] = []
        feedback_edge_time: list[np.ndarray] = []
        if through_user is not None:
            through = through_user[period]
        elif baseline is not None and period in baseline.periods:
            through = baseline.periods[period].through_demand.copy()  # a what-if's through demand is its baseline's
        else:
            through = _default_through(main_caps, p[PERIODS[period]["through"]])
        car = nets["car"]
        cost_links = car.network.free_flow_time.copy()
        od_avg = None
        assignment = None
        gw, gw_conv = gw0, None
        for it in range(options.feedback):
            if it > 0:
                skims["car"] = _skim(car, cost_links)
                t_min, cost, dist = _level_of_service(skims, z, p, costs)
            modes = _mode_choice(model, t_min, cost)  # for both choices of this iteration
            if ref is not None:
                # trip making elastic to the destination logsum, compared with the baseline's at the
                # same feedback iteration (same stage of congestion), so a what-if that changes
                # nothing the model reads gives the baseline's trips exactly
                _, dls_now, _ = _choose(model, theta, segs, t_min, cost, modes=modes)
                base_dls = ref.feedback_logsums[min(it, len(ref.feedback_logsums) - 1)] if ref.feedback_logsums else ref.dest_logsum
                scale = {}
                for name, lsum in dls_now.items():
                    base_ls = base_dls[name]
                    with np.errstate(invalid="ignore"):
                        delta = np.where(np.isfinite(lsum) & np.isfinite(base_ls), lsum - base_ls, 0.0)
                    scale[name] = np.exp(p["evaporation_elasticity"] * delta)
            trips, dls, _ = _choose(model, theta, segs, t_min, cost, scale, modes=modes)
            feedback_logsums.append(dls)
            od_avg = trips if od_avg is None else od_avg + (trips - od_avg) / (it + 1)
            veh = od_avg[MODES.index("car")] / max(p["car_occupancy"], 1e-9)
            vmat = veh.copy()
            np.fill_diagonal(vmat, 0.0)
            vmat[z:, z:] = 0.0
            car_sk = skims["car"]["time_s"]
            ok_thr = np.isfinite(car_sk[z:, z:])
            feedback_edge_time.append(car_sk[z:, z:].copy())
            thr = through.copy()
            if ref is not None:
                # through traffic is elastic too: exp(e x beta_time x change of its car time),
                # against the baseline's time at the same feedback iteration
                base_t = ref.feedback_edge_time_s[min(it, len(ref.feedback_edge_time_s) - 1)] if ref.feedback_edge_time_s else ref.skims["car"]["time_s"][z:, z:]
                with np.errstate(invalid="ignore"):
                    dt_min = np.where(np.isfinite(base_t) & ok_thr, (car_sk[z:, z:] - base_t) / 60.0, 0.0)
                thr = thr * np.exp(p["evaporation_elasticity"] * model.beta_time_per_min * dt_min)
            vmat[z:, z:] = np.where(ok_thr, thr, 0.0)
            if vmat.sum() > 0 and gw is not None:
                # the fixed point of capacities and flows, warm-started from the last feedback iteration's conflicting flows
                gw, assignment, gw_conv = solve_give_way(gw, lambda network, od=vmat: assign(network, od, algorithm="b", gap=options.gap),
                                                         tolerance=options.give_way_tolerance, max_passes=options.give_way_max_passes,
                                                         start_veh_h=None if gw_conv is None else gw_conv.conflicting_veh_h)  # fmt: skip
                car = replace(car, network=gw.network, turned=gw, give_way=gw)  # the capacities of the assignment just made
                cost_links = assignment.time.copy()
            elif vmat.sum() > 0:
                assignment = assign(car.network, vmat, algorithm="b", gap=options.gap)
                cost_links = assignment.time.copy()
            else:
                assignment = None
                cost_links = car.network.free_flow_time.copy()
        if gw_conv is not None:
            notes.append(f"{period}: give-way capacities against the conflicting flows, last feedback iteration: {gw_conv.describe()}")
            if not gw_conv.converged:
                import warnings

                from twin.errors import TwinWarning

                warnings.warn(f"{period}: the give-way capacities did not converge: {gw_conv.describe()}; raise give_way_max_passes or give_way_tolerance",
                              TwinWarning, stacklevel=2)  # fmt: skip
        skims["car"] = _skim(car, cost_links)
        unserved = []
        final_trips = od_avg
        for name, (prod, _, _) in segs.items():
            g = prod if scale is None else prod * scale.get(name, 1.0)
            lsum = dls[name]
            lost = np.flatnonzero(~np.isfinite(lsum) & (g > 0))
            for i in lost.tolist():
                unserved.append({"period": period, "segment": name, "zone": _zone_label(ends, i), "trips": float(g[i]),
                                 "reason": _why_unreachable(nets, i, z)})  # fmt: skip
        thr_final = vmat[z:, z:] if od_avg is not None else through
        for a in range(len(SIDES)):
            for b in range(len(SIDES)):
                if through[a, b] > 0 and not np.isfinite(skims["car"]["time_s"][z + a, z + b]):
                    unserved.append({"period": period, "segment": "through", "zone": f"edge_{SIDES[a]} -> edge_{SIDES[b]}", "trips": float(through[a, b]),
                                     "reason": "no car path between these edges of the district (closed or one-way streets)"})  # fmt: skip
        if car.turned is None:
            flows = dict(zip(car.network.link_ids.tolist(), assignment.flow.tolist())) if assignment is not None else {}
            times = dict(zip(car.network.link_ids.tolist(), cost_links.tolist()))
        else:  # keyed by the street and connector links (turn links and stop lines are not reported; an approach's time includes its stop line)
            street_ids = car.base.link_ids.tolist()
            flows = dict(zip(street_ids, car.turned.link_flow(assignment.flow).tolist())) if assignment is not None else {}
            times = dict(zip(street_ids, car.turned.link_values(cost_links).tolist()))
        results[period] = PeriodResult(
            period=period, trips=final_trips, through=thr_final, through_demand=through, car_vehicles=vmat, link_flow=flows, link_time_s=times, skims=skims,
            dest_logsum=dls, generated={k: (v[0] if scale is None else v[0] * scale.get(k, 1.0)) for k, v in segs.items()}, unserved=unserved,
            intrazonal_car=float(np.trace(final_trips[MODES.index("car")][:z, :z])), assignment=assignment, car_net=car, car_cost=cost_links,
            feedback_logsums=feedback_logsums, feedback_edge_time_s=feedback_edge_time, movement_flow=_movement_flow(car, assignment),
            give_way_change=None if gw_conv is None else gw_conv.residual, give_way=gw_conv,
        )  # fmt: skip
        timings[f"{period}_s"] = time.perf_counter() - tp
    ta = time.perf_counter()
    from twin.traffic.indicators import access_indicator, link_table, mobility_kpis

    access = access_indicator(scene, ends, results, options, nets=nets, timetable=timetable) if options.compute_access else None
    timings["access_s"] = time.perf_counter() - ta
    links = link_table(scene, results)
    movements = _movement_frame(nets["car"], results) if options.turning_movements else None
    zones = _zones_frame(scene, ends)
    unserved_df = pd.DataFrame([u for r in results.values() for u in r.unserved], columns=["period", "segment", "zone", "trips", "reason"])
    kpis = mobility_kpis(results, links, access, unserved_df, params)
    timings["total_s"] = time.perf_counter() - t0
    through_df = pd.DataFrame([{"period": q, "origin_edge": SIDES[a], "destination_edge": SIDES[b], "vehicles_h": float(r.through[a, b])}
                               for q, r in results.items() for a in range(4) for b in range(4) if r.through[a, b] > 0])  # fmt: skip
    if timetable is None:
        notes.append("no public-transport timetable (options.gtfs or options.transit_routes): public transport is not available to any trip, and the target shares exclude it")
    return MobilityResult(zones=zones, zone_ids=ends.zone_ids, periods=results, model=model, theta=theta, params=params, kpis=kpis, access=access,
                          links=links, notes=notes, unserved=unserved_df, through_matrix=through_df, timings_s=timings, options=options,
                          movements=movements)  # fmt: skip


def _check_stops_reach_zones(timetable: Any, zone_xy: np.ndarray, options: MobilityOptions) -> None:
    """Raise InputError naming the feed (``options.gtfs``, else ``options.transit_routes``) when no
    stop of ``timetable`` lies within :data:`twin.traffic.transit.MAX_ACCESS_M` of a zone: no trip
    could walk to public transport. A feed of another city (or projected to another CRS) stopped
    at mode calibration with "no trip can use 'pt'", naming neither the feed nor its option."""
    from scipy.spatial import cKDTree

    from twin.traffic.transit import MAX_ACCESS_M

    stops = np.asarray(timetable.stop_xy, dtype=np.float64)
    zones = np.asarray(zone_xy, dtype=np.float64)
    if len(stops) == 0 or len(zones) == 0:
        reach = np.zeros(0)
    else:
        reach, _ = cKDTree(zones).query(stops, distance_upper_bound=MAX_ACCESS_M)
    if np.isfinite(reach).any():
        return
    path, field = (options.gtfs, "gtfs") if options.gtfs else (options.transit_routes, "transit_routes")

    def span(xy: np.ndarray) -> str:
        return f"x {xy[:, 0].min():.0f}..{xy[:, 0].max():.0f}, y {xy[:, 1].min():.0f}..{xy[:, 1].max():.0f}" if len(xy) else "none"

    raise InputError(f"no stop of the feed lies within {MAX_ACCESS_M:g} m (the longest walk to a stop) of the scene's zones, so no trip could use "
                     f"public transport: its {len(stops)} stops span {span(stops)}, the zones {span(zones)} (m, the scene's CRS); "
                     "a feed of another city?", path=path, field=field)  # fmt: skip


def _movement_flow(car: ModeNetwork, assignment: Any) -> np.ndarray | None:
    """Flow (veh/h) of each street movement of ``car`` (None without movements): the turn links'
    flows of the assignment (zero without one), through the stop lines when there are signals."""
    from twin.traffic.movements import movement_flows

    if car.movements is None:
        return None
    if assignment is None:
        return np.zeros(len(car.movements))
    flow = assignment.flow if car.turned is car.expanded else car.turned.original_flow(assignment.flow)
    return movement_flows(car.movements, car.expanded, flow)


def _movement_frame(car: ModeNetwork, results: dict[str, PeriodResult]) -> Any:
    """The turning-movement table of a run: :func:`twin.traffic.movements.movement_frame` of the
    car network's street movements (banned turns and signals marked) with one flow column per period."""
    from twin.traffic.movements import movement_frame

    signalised = car.base.node_ids[np.flatnonzero(car.base.meta["signalised"])].tolist() if car.signals and car.signals["signals"] else ()
    frame = movement_frame(car.base, car.movements, banned=car.turns.banned if car.turns else (), signalised=signalised)
    for period, r in results.items():
        frame[f"flow_{period}_veh_h"] = r.movement_flow
    return frame


def _a_tuesday(span: tuple[str, str]) -> str:
    import datetime as dt

    first = dt.datetime.strptime(span[0], "%Y%m%d").date()
    day = first + dt.timedelta(days=(1 - first.weekday()) % 7 + 7)
    return day.strftime("%Y%m%d")


def _calibrate(model, segs, t_min, cost, dist, p, options, notes, *, has_pt: bool):
    """Mode constants to the target shares and ``theta`` to the mean trip length (baseline only)."""
    from scipy.optimize import brentq

    targets = read_targets(options.targets_table)
    if not has_pt:
        targets = targets_without_pt(targets)
    theta = 1.0
    target_len = p["mean_trip_length_m"]

    def mean_len(th: float, mdl, modes: tuple[np.ndarray, np.ndarray]) -> float:
        trips, _, _ = _choose(mdl, th, segs, t_min, cost, modes=modes)
        return _mean_length(trips, dist)

    modes = _mode_choice(model, t_min, cost)  # of the model as it stands: every theta tried shares it
    for _ in range(4):
        if options.calibrate_modes:
            _, _, od = _choose(model, theta, segs, t_min, cost, modes=modes)
            model = model.calibrate(lambda mdl: mdl.utilities(t_min, cost), od, targets, tol=1e-6)
            modes = _mode_choice(model, t_min, cost)
        lo, hi = 1e-3, 20.0
        f_lo, f_hi = mean_len(lo, model, modes) - target_len, mean_len(hi, model, modes) - target_len
        if f_lo > 0 > f_hi:
            theta = brentq(lambda th, model=model, modes=modes: mean_len(th, model, modes) - target_len, lo, hi, xtol=1e-6)
        else:
            theta = lo if f_lo <= 0 else hi
            notes.append(f"the mean trip length target {target_len:.0f} m cannot be met by destination choice (range {f_lo + target_len:.0f}-"
                         f"{f_hi + target_len:.0f} m); the scale of destination choice stays at {theta:g}")
            break
    # in words (the note reaches the report, the terminal and the run record): theta scales the
    # destinations' utility of travel time and cost; a mode constant is the mode's preference
    # beyond its time and cost, the car's 0 by construction (the reference: mode_choice.calibrate)
    constants = ", ".join(f"{MODE_WORDS[m]} {model.asc[m]:+.3f}" for m in MODES if m != "car")
    shares = ", ".join(f"{MODE_WORDS.get(m, m)} {v:.2f}" for m, v in targets.items())
    notes.append(f"calibrated: how strongly destinations are chosen by travel time and cost (scale {theta:.4g}); preference for each "
                 f"mode beyond its time and cost, against the car: {constants} (target shares {shares})")
    return model, theta


def _zone_label(ends: TripEnds, i: int) -> str:
    z = ends.n_zones
    return str(ends.zone_ids[i]) if i < z else f"edge_{SIDES[i - z]}"


def _why_unreachable(nets: dict[str, ModeNetwork], i: int, z: int) -> str:
    parts = []
    for m, mn in nets.items():
        net = mn.network
        has_conn = any(str(lid).startswith(f"conn:{m}:") and int(net.from_node[k]) == i for k, lid in enumerate(net.link_ids.tolist()))
        parts.append(f"{m}: {'no street of this mode within ' + str(int(MAX_CONNECTOR_M)) + ' m' if not has_conn else 'its streets reach no destination'}")
    return "no destination reachable by any mode (" + "; ".join(parts) + ")"


def _zones_frame(scene: Any, ends: TripEnds) -> Any:
    import geopandas as gpd

    return gpd.GeoDataFrame(
        {"zone_id": ends.zone_ids, "residents": ends.residents, "jobs": ends.jobs, "school_places": ends.places, "visit_pois": ends.visit_pois,
         "resident_trips_day": ends.resident_ends, "activity_trip_ends_day": ends.activity_ends},
        geometry=list(ends.zone_geometry), crs=scene.crs,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------- what-if
def compare_mobility(base: MobilityResult, variant: MobilityResult, *, closed_link_ids: Any = (), link_change: bool = True) -> dict[str, Any]:
    """Rerouted, mode-shifted, redistributed and evaporated trips, and the per-link change.

    Per period:

    * ``evaporated_trips``: person trips no longer made (baseline total - what-if total; negative:
      induced);
    * ``mode_shifted_trips``: car trips lost on an OD pair that reappear on other modes on the
      same pair;
    * ``redistributed_car_trips``: the rest of the car trips lost (another destination, or not made);
    * ``rerouted_car_trips``: car trips (person trips of the district and through vehicles) of the
      what-if whose baseline route used a closed link and which still go by car;
    * ``closed_link_flow_veh_h``: the what-if's flow on the closed links (0: they are closed).

    Returns a dict: ``kpis`` (flat, per period), ``links`` (GeoDataFrame: flows of both runs
    and their change, ``status`` closed/kept; left out with ``link_change=False``, for a caller
    that reads the KPIs only, e.g. every Monte Carlo sample), when both runs have turning movements,
    ``movements`` (the same per movement; ``status`` ``closed`` for a movement onto or off a
    closed link, which the what-if's car network no longer has) and, when either run has signals
    or give-way delay, ``junctions``: the control delay per junction and period of both runs and
    its change, largest change first (:func:`twin.traffic.junction_delays.junction_change`).
    """
    from twin.kernels.traffic_skims import tree_skims
    from twin.traffic.kernel_threads import kernel_threads

    closed = set(str(c) for c in ([closed_link_ids] if isinstance(closed_link_ids, str) else list(closed_link_ids)))
    out: dict[str, float] = {}
    car = MODES.index("car")
    for period, rb in base.periods.items():
        if period not in variant.periods:
            continue
        rv = variant.periods[period]
        tb, tv = rb.trips, rv.trips
        out[f"{period}_person_trips_base"] = float(tb.sum())
        out[f"{period}_person_trips_whatif"] = float(tv.sum())
        out[f"{period}_evaporated_trips"] = float(tb.sum() - tv.sum())
        dcar = tv[car] - tb[car]
        others = (tv.sum(axis=0) - tv[car]) - (tb.sum(axis=0) - tb[car])
        lost = np.maximum(-dcar, 0.0)
        shifted = np.minimum(lost, np.maximum(others, 0.0))
        out[f"{period}_mode_shifted_trips"] = float(shifted.sum())
        out[f"{period}_redistributed_car_trips"] = float(lost.sum() - shifted.sum())
        for k, m in enumerate(MODES):
            out[f"{period}_{m}_trips_change"] = float(tv[k].sum() - tb[k].sum())
        # rerouted: baseline route (congested baseline costs) through a closed link
        net = rb.car_net.network
        ind = np.array([1.0 if str(lid) in closed else 0.0 for lid in net.link_ids.tolist()])
        n_c = net.n_zones
        if ind.any():
            oc = np.empty((n_c, n_c))
            oa = np.empty((1, n_c, n_c))
            with kernel_threads(n_c * net.n_links):
                tree_skims(np.arange(n_c, dtype=np.int64), np.arange(n_c, dtype=np.int64), net.out_start.astype(np.int64), net.from_node.astype(np.int64),
                           net.to_node.astype(np.int64), np.ascontiguousarray(rb.car_cost), int(net.first_thru_node), ind[None, :], oc, oa)  # fmt: skip
            used = np.nan_to_num(oa[0], posinf=0.0) > 0
            out[f"{period}_rerouted_car_trips"] = float((rv.car_vehicles * used).sum())
        else:
            out[f"{period}_rerouted_car_trips"] = 0.0
        out[f"{period}_closed_link_flow_veh_h"] = float(sum(rv.link_flow.get(lid, 0.0) for lid in closed))
        out[f"{period}_through_vehicles_base"] = float(rb.through.sum())
        out[f"{period}_through_vehicles_whatif"] = float(rv.through.sum())
        out[f"{period}_evaporated_through_vehicles"] = float(rb.through.sum() - rv.through.sum())
        for key in ("vehicle_km_residential", "vehicle_km_main", "co2_kg", "nox_kg"):
            out[f"{period}_{key}_change"] = float(variant.kpis.get(f"{period}_{key}", np.nan) - base.kpis.get(f"{period}_{key}", np.nan))
    result: dict[str, Any] = {"kpis": out}
    if link_change:
        result["links"] = _link_change(base, variant, closed)
    if base.movements is not None and variant.movements is not None:
        result["movements"] = _movement_change(base.movements, variant.movements)
    if any(o.signals or o.give_way for o in (base.options, variant.options)):
        from twin.traffic.junction_delays import junction_change

        result["junctions"] = junction_change(base.junction_delays(), variant.junction_delays())
    return result


def _movement_change(base: Any, variant: Any) -> Any:
    """Turning movements of a baseline and a what-if side by side (``<flow column>_whatif`` and
    ``_change``), ``status`` ``closed`` for the baseline's movements the what-if does not have."""
    key = ["node_id", "in_link_id", "out_link_id"]
    flows = [c for c in base.columns if c.startswith("flow_")]
    v = variant.set_index(key)
    index = base.set_index(key).index
    frame = base.copy()
    present = index.isin(v.index)
    for col in flows:
        frame[f"{col}_whatif"] = v[col].reindex(index).fillna(0.0).to_numpy() if col in v.columns else 0.0
        frame[f"{col}_change"] = frame[f"{col}_whatif"] - frame[col]
    frame["status"] = np.where(present, "kept", "closed")
    return frame


def _link_change(base: MobilityResult, variant: MobilityResult, closed: set[str]) -> Any:
    frame = base.links.copy()
    v = variant.links.set_index("link_id")
    for col in [c for c in frame.columns if c.startswith("flow_")]:
        frame[f"{col}_whatif"] = v[col].reindex(frame["link_id"]).fillna(0.0).to_numpy() if col in v.columns else 0.0
        frame[f"{col}_change"] = frame[f"{col}_whatif"] - frame[col]
    frame["status"] = np.where(frame["link_id"].astype(str).isin(closed), "closed", "kept")
    return frame


def map_change(change: Any, path: str | Path, *, column: str = "flow_am_peak_veh_h_change", title: str | None = None) -> Path:
    """A map of a per-link change (PNG/SVG, written atomically): red more traffic, blue less, closed links dashed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from twin.io import atomic_path

    path = Path(path)
    if column not in change.columns:
        raise InputError(f"no column {column!r} in the link change table", field="column")
    fig, ax = plt.subplots(figsize=(7, 7))
    vals = change[column].to_numpy(dtype=float)
    lim = max(float(np.nanmax(np.abs(vals))) if len(vals) else 1.0, 1e-9)
    change.plot(ax=ax, color="0.85", linewidth=0.6)
    moved = change[np.abs(vals) > 0.01 * lim]
    if len(moved):
        moved.plot(ax=ax, column=column, cmap="RdBu_r", vmin=-lim, vmax=lim, linewidth=2.0, legend=True, legend_kwds={"label": f"{column} (veh/h)"})
    cl = change[change["status"] == "closed"]
    if len(cl):
        cl.plot(ax=ax, color="black", linewidth=2.5, linestyle="--")
    ax.set_title(title or column)
    ax.set_axis_off()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120, bbox_inches="tight", format=path.suffix.lstrip(".") or "png")
    plt.close(fig)
    return path


def with_sample(options: MobilityOptions, **changes: Any) -> MobilityOptions:
    """Options with some fields replaced (e.g. for a Monte Carlo sample)."""
    return replace(options, **changes)


BAND_KPIS = (
    "person_trips", "walk_share_pct", "bike_share_pct", "pt_share_pct", "car_share_pct", "vehicle_km", "vehicle_km_residential",
    "vehicle_km_main", "co2_kg", "nox_kg",
)  # fmt: skip
BAND_CHANGES = (
    "evaporated_trips", "mode_shifted_trips", "redistributed_car_trips", "rerouted_car_trips", "evaporated_through_vehicles",
    "vehicle_km_residential_change", "vehicle_km_main_change", "co2_kg_change", "car_trips_change", "walk_trips_change", "bike_trips_change",
)  # fmt: skip


def mobility_bands(
    scene: Any,
    options: MobilityOptions | None = None,
    *,
    samples: int = 20,
    seed: int = 0,
    closed_link_ids: Any = (),
    quantiles: tuple[float, float] = (0.05, 0.95),
) -> dict[str, Any]:
    """Bands of the KPIs (and of a closure's changes) from the uncertain inputs.

    Each sample draws the mode-choice coefficients (normal, their standard errors), every demand
    parameter (uniform in its band: trip rates, floor area per resident, shares, the evaporation
    elasticity...) and the emission factors (uniform in their bands); the baseline is
    recalibrated on the sample (constants and ``theta``), and the what-if (``closed_link_ids``)
    runs on the same sample, so the changes are paired. Returns ``samples`` (one row per sample)
    and ``bands`` (per KPI: low, median, high at ``quantiles``).
    """
    import pandas as pd

    from twin.traffic.demand import sample_parameters
    from twin.traffic.emissions import read_factors, sample_factors
    from twin.traffic.whatif import close_streets

    if not (isinstance(samples, int) and 1 <= samples <= 10_000):
        raise InputError(f"samples must be a whole number in [1, 10000], got {samples}", field="samples")
    options = replace(options or MobilityOptions(), compute_access=False)
    options.check()
    rng = np.random.default_rng(seed)
    params0 = read_parameters(options.parameters_table, options.parameter_overrides)
    model0 = ModeChoiceModel.from_table(options.mode_choice_table, overrides=options.mode_choice_overrides)
    ids = [closed_link_ids] if isinstance(closed_link_ids, str) else list(closed_link_ids)
    variant_scene = close_streets(scene, ids) if ids else None
    factors = sample_factors(read_factors(), samples, rng)
    rows = []
    from twin.traffic.emissions import per_km

    for k in range(samples):
        params = sample_parameters(params0, 1, rng)[0]
        model = model0.sample(1, rng)[0]
        base = run_district_mobility(scene, options, model=model, params=params)
        co2_km, nox_km = per_km(factors[k])
        row = {"sample": k}
        for period in options.periods:
            for key in BAND_KPIS:
                row[f"{period}_{key}"] = base.kpis.get(f"{period}_{key}", np.nan)
            row[f"{period}_co2_kg"] = base.kpis[f"{period}_vehicle_km"] * co2_km
            row[f"{period}_nox_kg"] = base.kpis[f"{period}_vehicle_km"] * nox_km / 1000.0
        if variant_scene is not None:
            var = run_district_mobility(variant_scene, options, baseline=base)
            cmp = compare_mobility(base, var, closed_link_ids=ids)["kpis"]
            for period in options.periods:
                for key in BAND_CHANGES:
                    row[f"{period}_{key}"] = cmp.get(f"{period}_{key}", np.nan)
                row[f"{period}_co2_kg_change"] = cmp[f"{period}_vehicle_km_residential_change"] * co2_km + cmp[f"{period}_vehicle_km_main_change"] * co2_km
        rows.append(row)
    frame = pd.DataFrame(rows)
    lo, hi = quantiles
    bands = pd.DataFrame(
        [{"kpi": c, "low": float(frame[c].quantile(lo)), "median": float(frame[c].median()), "high": float(frame[c].quantile(hi))} for c in frame.columns if c != "sample"]
    )
    return {"samples": frame, "bands": bands}
