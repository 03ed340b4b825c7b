"""Traffic engine adapter: peak-hour car assignment on the scene's streets, and the 15-minute
walking indicator.

Demand (documented assumption, replaceable by a user OD later): every building produces
``trips_per_100m2 x floor_area / 100 x peak_hour_share`` car trips in the peak hour (times
``scene.meta['demand_factor']``, set by ``scale_demand``), leaving from the car node nearest to
the building towards the district's gateways: the car nodes within 5 m of the street
network's bounding box (where the district's streets meet the rest of the city), in
proportion to the capacity of the links entering each gateway. The static user equilibrium is
solved with Algorithm B to ``traffic.gap``.

Unserved trips: trips whose origin has no car path to a gateway (a part of the network cut off,
in the data or by a closure) are not assigned. They are not lost silently: the KPIs
``unserved_trips`` and ``unserved_trips_pct`` count them, a note says where the network is cut
(gateways most origins cannot reach, origins that reach no gateway), and the runner turns the
note into a :class:`~twin.errors.TwinWarning` (once per distinct text, naming the scenes), so a
closure that disconnects demand is always reported. Such trips are neither rerouted to another
gateway nor shifted to other modes (not modelled).

Accessibility: the share of residents (buildings weighted by floor area) reaching a school
and a park within ``traffic.minutes`` on foot (:func:`twin.traffic.access.fifteen_minute_city`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from twin.errors import InputError, SimulationError
from twin.scenario.runner import EngineResult

#: Scene layers (and meta keys) this engine reads.
READS = frozenset({"nodes", "links", "buildings", "pois", "landcover", "meta:demand_factor"})

#: The columns of ``buildings`` it reads (a what-if that changes only other building columns,
#: such as a renovation, reuses the baseline's traffic results): footprints (origins), floor
#: area (trips, residents), use and dwellings (residents, services).
BUILDING_COLUMNS = ("building_id", "geometry", "floor_area_m2", "use", "dwellings")

#: KPIs that are NaN when undefined (a mean over no assigned trip, a ratio over no link).
UNDEFINED_OK = frozenset({"mean_trip_time_min", "max_volume_capacity_ratio"})

GATEWAY_DISTANCE_M = 5.0
ACCESS_CATEGORIES = ("school", "park")


def check_scene(scene, options) -> None:
    """What the engine needs, checked before any engine runs: streets open to cars, and buildings.

    Raises
    ------
    InputError
        No street link open to cars (no streets input, or every link closed to cars), no building.
    """
    links = scene.links
    if len(links) == 0:
        raise InputError("the traffic engine needs streets: add a streets file to inputs.files", field="inputs.files")
    car = links["modes"].fillna("").map(lambda v: "car" in str(v).split(",")).to_numpy(bool)
    if not car.any():
        raise InputError("no street of the scene is open to cars", obj="links", field="modes")
    if len(scene.buildings) == 0:
        raise InputError("the traffic engine needs buildings (the trip demand comes from their floor area)", field="inputs.files")


def kpi_names(options) -> tuple[str, ...]:
    """The KPIs this engine reports with ``options`` (the walking time appears in the access KPIs)."""
    access = tuple(f"residents_within_{options.minutes:g}min_walk_{c}_pct" for c in (*ACCESS_CATEGORIES, "all"))
    return ("assigned_trips", "unserved_trips", "unserved_trips_pct", "vehicle_km", "vehicle_hours", "mean_trip_time_min",
            "max_volume_capacity_ratio", *access)


def _node_xy(scene, node_ids: np.ndarray) -> np.ndarray:
    nodes = scene.nodes.set_index("node_id")
    geoms = np.asarray(nodes.loc[node_ids].geometry.values)
    return shapely.get_coordinates(geoms)


def _demand(scene, options, car_nodes: np.ndarray, in_capacity: pd.Series, out_degree: pd.Series, area: np.ndarray | None = None,
            cache: dict | None = None):
    """Origins (node ids, trips) and gateways (node ids, shares).

    ``area``: the buildings' floor areas (default: the scene's ``floor_area_m2``; a Monte Carlo
    sample passes its own). ``cache``: a dict kept across samples of one scene (gateways and the
    origin node of every building do not depend on the floor areas).
    """
    if cache is not None and "gateways" in cache:
        return _trips(scene, options, area, cache["origin_node"]), cache["gateways"]
    xy = _node_xy(scene, car_nodes)
    xmin, ymin = xy.min(axis=0)
    xmax, ymax = xy.max(axis=0)
    edge = np.minimum.reduce([xy[:, 0] - xmin, xmax - xy[:, 0], xy[:, 1] - ymin, ymax - xy[:, 1]])
    gateways = car_nodes[(edge <= GATEWAY_DISTANCE_M) & (in_capacity.reindex(car_nodes).fillna(0).to_numpy() > 0)]
    if len(gateways) == 0:
        raise InputError("the street network has no gateway node with incoming car capacity", obj="links", field="capacity_veh_h")
    share = in_capacity.reindex(gateways).to_numpy(dtype=float)
    share = share / share.sum()
    # origins: nearest car node with an outgoing link to each building
    can_leave = car_nodes[out_degree.reindex(car_nodes).fillna(0).to_numpy() > 0]
    tree = shapely.STRtree(shapely.points(_node_xy(scene, can_leave)))
    b = scene.buildings
    points = shapely.point_on_surface(np.asarray(b.geometry.values))
    origin_node = can_leave[tree.nearest(points)]
    gateway_shares = pd.Series(share, index=gateways)
    if cache is not None:
        cache["gateways"], cache["origin_node"] = gateway_shares, origin_node
    return _trips(scene, options, area, origin_node), gateway_shares


def _trips(scene, options, area: np.ndarray | None, origin_node: np.ndarray) -> pd.Series:
    """Peak-hour car trips per origin node (nodes with trips only)."""
    b = scene.buildings
    factor = float(scene.meta.get("demand_factor", 1.0))
    area = b["floor_area_m2"].to_numpy(dtype=float) if area is None else np.asarray(area, dtype=float)
    bad = ~np.isfinite(area) | (area < 0)
    if bad.any():
        raise InputError(f"{int(bad.sum())} buildings have a missing, negative or infinite floor area; the trip demand needs it",
                         obj=str(b["building_id"].iloc[int(np.flatnonzero(bad)[0])]), field="floor_area_m2")
    trips = options.trips_per_100m2 * area / 100.0 * options.peak_hour_share * factor
    if not np.isfinite(trips.sum()):
        raise SimulationError(f"the peak-hour demand is not finite (demand factor {factor:g})", field="scale_demand")
    per_node = pd.Series(trips).groupby(origin_node).sum()
    return per_node[per_node > 0]


def _assignment(scene, options, area: np.ndarray | None = None, cache: dict | None = None):
    """The peak-hour assignment; ``area`` and ``cache`` as in :func:`_demand` (the network and
    its shortest paths are kept in ``cache`` while the origins stay the same nodes)."""
    if cache is not None and "car_nodes" in cache:
        car_nodes, in_cap, out_deg = cache["car_nodes"], cache["in_cap"], cache["out_deg"]
        origins, gateways = _demand(scene, options, car_nodes, in_cap, out_deg, area, cache)
        return _assign_demand(scene, options, origins, gateways, cache)
    links = scene.links
    car = links["modes"].fillna("").map(lambda s: "car" in s.split(",")).to_numpy(bool) & (links["capacity_veh_h"].to_numpy() > 0)
    car_links = links[car]
    if len(car_links) == 0:
        raise InputError("no street is open to cars", obj="links", field="modes")
    car_nodes = np.unique(np.r_[car_links["from_node"].to_numpy(), car_links["to_node"].to_numpy()]).astype(object)
    in_cap = car_links.groupby("to_node")["capacity_veh_h"].sum()
    out_deg = car_links.groupby("from_node").size()
    if cache is not None:
        cache.update(car_nodes=car_nodes, in_cap=in_cap, out_deg=out_deg)
    origins, gateways = _demand(scene, options, car_nodes, in_cap, out_deg, area, cache)
    return _assign_demand(scene, options, origins, gateways, cache)


def _assign_demand(scene, options, origins: pd.Series, gateways: pd.Series, cache: dict | None):
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    from twin.traffic.assign import assign
    from twin.traffic.network import Network

    zones = list(dict.fromkeys([*origins.index, *gateways.index]))
    if cache is not None and cache.get("zones") == zones:
        net, dist = cache["net"], cache["dist"]
    else:
        net = Network.from_scene(scene, mode="car", zones=zones)
        graph = csr_matrix((net.free_flow_time + 1e-9, (net.from_node, net.to_node)), shape=(net.n_nodes, net.n_nodes))
        dist = dijkstra(graph, indices=np.arange(net.n_zones))[:, :net.n_zones]
        if cache is not None:
            cache.update(zones=zones, net=net, dist=dist)
    nz = net.n_zones
    pos = {z: i for i, z in enumerate(zones)}
    matrix = np.zeros((nz, nz))
    o_idx = np.array([pos[z] for z in origins.index])
    g_idx = np.array([pos[g] for g in gateways.index])
    matrix[np.ix_(o_idx, g_idx)] = origins.to_numpy()[:, None] * gateways.to_numpy()[None, :]
    np.fill_diagonal(matrix, 0.0)
    # pairs without a path are not assigned: they are reported as unserved trips
    cut = ~np.isfinite(dist) & (matrix > 0)
    unserved = float(matrix[cut].sum())
    reason = _why_unserved(scene, matrix, cut, zones, o_idx, g_idx) if unserved > 0 else ""
    matrix[~np.isfinite(dist)] = 0.0
    result = assign(net, matrix, algorithm="b", gap=options.gap)
    return net, result, matrix, unserved, reason


def _why_unserved(scene, matrix: np.ndarray, cut: np.ndarray, zones: list, o_idx: np.ndarray, g_idx: np.ndarray) -> str:
    """Where the trips without a path go wrong: gateways most trips cannot reach, origins that reach no gateway."""
    sub_cut = cut[np.ix_(o_idx, g_idx)]
    demand = matrix[np.ix_(o_idx, g_idx)]
    per_gateway = demand.sum(axis=0)
    lost_gateway = np.divide((demand * sub_cut).sum(axis=0), per_gateway, out=np.zeros(len(g_idx)), where=per_gateway > 0)
    bad_gateways = [zones[g_idx[j]] for j in np.flatnonzero(lost_gateway > 0.5)]
    stranded = [zones[o_idx[i]] for i in np.flatnonzero(sub_cut.all(axis=1) & (demand.sum(axis=1) > 0))]
    parts = []
    if bad_gateways:
        parts.append(f"{len(bad_gateways)} of {len(g_idx)} gateways cannot be reached from most origins (at {_where(scene, bad_gateways)})")
    if stranded:
        parts.append(f"{len(stranded)} origin nodes reach no gateway (at {_where(scene, stranded)})")
    if not parts:
        n_o = int(sub_cut.any(axis=1).sum())
        parts.append(f"{n_o} origin nodes cannot reach some of the gateways")
    return "; ".join(parts)


def _where(scene, nodes: list) -> str:
    """Street names at ``nodes`` (for messages)."""
    links = scene.links
    at = links[links["from_node"].isin(nodes) | links["to_node"].isin(nodes)]
    names = [n for n in dict.fromkeys(at["name"].fillna("").astype(str)) if n.strip()]
    return ", ".join(repr(n) for n in names[:3]) + (f" and {len(names) - 3} more streets" if len(names) > 3 else "") if names else "unnamed streets"


def _unserved_text(unserved: float, total: float, reason: str) -> str | None:
    """The note (and warning) about trips with no car path from their origin to their gateway."""
    if unserved <= 0:
        return None
    pct = 100.0 * unserved / total if total > 0 else 100.0

    def trips(x: float) -> str:
        return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"

    return (f"{trips(unserved)} of {trips(total)} peak-hour car trips ({pct:.1f} %) have no car path from their origin to "
            f"their gateway: {reason}; they are counted as unserved_trips, not rerouted to another gateway or shifted "
            "to other modes")


def _assignment_kpis(net, res, matrix: np.ndarray, unserved: float, capacity: np.ndarray) -> dict[str, float]:
    veh_km = float((res.flow * net.length).sum() / 1000.0)
    veh_h = float((res.flow * res.time).sum() / 3600.0)
    trips = float(matrix.sum())
    demand = trips + unserved
    flow = pd.Series(res.flow, index=net.link_ids)
    with np.errstate(divide="ignore", invalid="ignore"):
        vc = np.where(capacity[1] > 0, flow.reindex(capacity[0]).fillna(0.0).to_numpy() / capacity[1], np.nan)
    return {
        "assigned_trips": trips,
        "unserved_trips": unserved,
        "unserved_trips_pct": 100.0 * unserved / demand if demand > 0 else 0.0,
        "vehicle_km": veh_km,
        "vehicle_hours": veh_h,
        "mean_trip_time_min": veh_h * 60.0 / trips if trips > 0 else float("nan"),
        "max_volume_capacity_ratio": float(np.nanmax(vc)) if len(vc) else float("nan"),
    }


def run(scene, options, *, base_dir: Path) -> EngineResult:
    from twin.traffic.access import fifteen_minute_city

    net, res, matrix, unserved, reason = _assignment(scene, options)
    flow = pd.Series(res.flow, index=net.link_ids)
    time_s = pd.Series(res.time, index=net.link_ids)
    links = scene.links
    objects = links[["link_id", "name", "road_class", "length_m", "capacity_veh_h", "geometry"]].copy()
    objects["flow_veh_h"] = flow.reindex(objects["link_id"]).fillna(0.0).to_numpy()
    free_s = links["length_m"].to_numpy(dtype=float) / links["free_speed_m_s"].to_numpy(dtype=float)
    objects["travel_time_s"] = time_s.reindex(objects["link_id"]).to_numpy()
    objects["delay_s"] = objects["travel_time_s"] - free_s
    with np.errstate(divide="ignore", invalid="ignore"):
        objects["volume_capacity_ratio"] = np.where(objects["capacity_veh_h"] > 0, objects["flow_veh_h"] / objects["capacity_veh_h"], np.nan)
    veh_km = float((res.flow * net.length).sum() / 1000.0)
    veh_h = float((res.flow * res.time).sum() / 3600.0)
    trips = float(matrix.sum())
    demand = trips + unserved
    kpis = {
        "assigned_trips": trips,
        "unserved_trips": unserved,
        "unserved_trips_pct": 100.0 * unserved / demand if demand > 0 else 0.0,
        "vehicle_km": veh_km,
        "vehicle_hours": veh_h,
        "mean_trip_time_min": veh_h * 60.0 / trips if trips > 0 else float("nan"),
        "max_volume_capacity_ratio": float(np.nanmax(objects["volume_capacity_ratio"].to_numpy())) if len(objects) else float("nan"),
    }
    acc = fifteen_minute_city(scene, categories=ACCESS_CATEGORIES, mode="walk", threshold_s=options.minutes * 60.0)
    for row in acc.summary().itertuples():
        kpis[f"residents_within_{options.minutes:g}min_walk_{row.category}_pct"] = 100.0 * row.share_of_residents
    notes = [
        f"demand: {trips:,.0f} peak-hour car trips from buildings to {len(np.unique(np.flatnonzero(matrix.sum(axis=0))))} gateways; "
        f"Algorithm B to relative gap {res.history[-1].relative_gap:.1e} in {res.iterations} iterations"
    ]
    unserved_note = _unserved_text(unserved, demand, reason)
    if unserved_note:
        notes.append(unserved_note)
    return EngineResult(objects, "link_id", kpis, None, notes, warnings=[unserved_note] if unserved_note else [])


#: Sampled building attributes the engine reads (floor area: trips and residents; use: residents).
STOCK_ATTRIBUTES = frozenset({"floor_area_m2", "use"})


def run_samples(scene, options: list, stock, *, base_dir: Path) -> tuple[list[dict[str, float]], list[str]]:
    """KPIs of every Monte Carlo sample on ``scene``: the options of each sample and, with ``stock``
    (:class:`~twin.energy.stock_samples.StockSamples`), its sampled floor areas (trip demand,
    residents) and uses (residents are counted in residential buildings). The network, gateways,
    origin nodes and the walking times to services are computed once per scene and option
    set; each sample re-assigns its demand and re-weights the residents."""
    from twin.traffic.access import building_weights, fifteen_minute_city

    aligned = stock.for_scene(scene) if stock is not None else None
    cache: dict = {}
    access: dict[float, object] = {}
    b = scene.buildings
    capacity = (scene.links["link_id"].to_numpy(), scene.links["capacity_veh_h"].to_numpy(dtype=float))
    out = []
    for s, opts in enumerate(options):
        area = None if aligned is None else aligned.floor_area_m2[s]
        net, res, matrix, unserved, _ = _assignment(scene, opts, area, cache)
        kpis = _assignment_kpis(net, res, matrix, unserved, capacity)
        if opts.minutes not in access:
            access[opts.minutes] = fifteen_minute_city(scene, categories=ACCESS_CATEGORIES, mode="walk", threshold_s=opts.minutes * 60.0)
        acc = access[opts.minutes]
        frame = b.drop(columns="geometry")
        if aligned is not None:
            frame = frame.assign(floor_area_m2=aligned.floor_area_m2[s], use=aligned.use[s])
        w, _ = building_weights(frame, acc.weight if acc.weight in frame.columns else "auto", residential_only=True)
        total = w.sum()
        for cat in (*ACCESS_CATEGORIES, "all"):
            ok = acc.buildings[f"reach_{cat}"].to_numpy()
            kpis[f"residents_within_{opts.minutes:g}min_walk_{cat}_pct"] = float(100.0 * w[ok].sum() / total) if total > 0 else float("nan")
        out.append(kpis)
    return out, []
