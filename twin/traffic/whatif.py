"""What-if operations on traffic cases and their differences from the baseline.

A :class:`TrafficCase` bundles a network, its link dynamics and a time-dependent demand. Its
operations (:meth:`~TrafficCase.close_links`, :meth:`~TrafficCase.set_lanes`,
:meth:`~TrafficCase.set_capacity`, :meth:`~TrafficCase.set_speed`,
:meth:`~TrafficCase.scale_demand`) return a new case and leave the baseline untouched.
:func:`compare_links` and :func:`compare_totals` diff two dynamic-loading results (link flows,
vehicle-km, vehicle-hours, delays, travel times), :func:`compare_access` two 15-minute-city
results per zone; :func:`map_change` draws a change on a map.

Street changes that matter to walking and cycling are made on the scene
(:func:`close_streets`, which removes modes from links) and the access graph is rebuilt from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from twin.errors import InputError
from twin.street_limits import MAX_FREE_SPEED_M_S as STREET_MAX_FREE_SPEED_M_S
from twin.street_limits import MAX_LANES as STREET_MAX_LANES

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

    from twin.traffic.access import FifteenMinuteResult
    from twin.traffic.dynamic import DynamicResult, LinkDynamics
    from twin.traffic.network import Network

LINK_METRICS = ("entered_veh", "vehicle_km", "vehicle_h", "delay_veh_h", "mean_travel_time_s", "max_queue_veh")
TOTAL_METRICS = (
    "generated_veh",
    "arrived_veh",
    "total_travel_time_veh_h",
    "total_delay_veh_h",
    "origin_wait_veh_h",
    "vehicle_km",
    "mean_trip_time_s",
)



MAX_LANES = float(STREET_MAX_LANES)
"""Most lanes of one link in a what-if (:data:`twin.street_limits.MAX_LANES`, as at ingest and in the scenario schema)."""
MAX_SPEED_M_S = STREET_MAX_FREE_SPEED_M_S
"""Highest free speed of a what-if, m/s (:data:`twin.street_limits.MAX_FREE_SPEED_M_S`)."""
MAX_DEMAND_FACTOR = 1000.0
"""Largest demand multiplier of a what-if (the scenario schema allows far less)."""

@dataclass(frozen=True)
class TrafficCase:
    """A network, its fundamental diagrams and an OD demand table (see :func:`twin.traffic.dynamic.demand_arrays`)."""

    network: Network
    dynamics: LinkDynamics
    demand: pd.DataFrame
    name: str = "baseline"
    scene: Any = None
    changes: tuple[str, ...] = field(default_factory=tuple)

    # ------------------------------------------------------------------ build
    @classmethod
    def from_scene(cls, scene: Any, demand: pd.DataFrame, *, mode: str = "car", name: str = "baseline", **dynamics_options: Any) -> TrafficCase:
        """Case of the scene's links open to ``mode``; lanes from the ``links`` layer."""
        from twin.traffic.dynamic import LinkDynamics
        from twin.traffic.network import Network

        net = Network.from_scene(scene, mode=mode)
        lanes = _scene_column(scene, net, "lanes", 1.0)
        dyn = LinkDynamics.from_network(net, lanes=np.maximum(lanes, 1.0), **dynamics_options)
        return cls(network=net, dynamics=dyn, demand=demand, name=name, scene=scene)

    @classmethod
    def from_scenario(cls, scenario: Any, *, name: str = "baseline") -> TrafficCase:
        """Case of a scenario folder read by :func:`twin.traffic.dynamic_scenario.read_scenario`."""
        return cls(network=scenario.network, dynamics=scenario.dynamics, demand=scenario.demand, name=name)

    # ------------------------------------------------------------------ selection
    def link_mask(self, link_ids: Any) -> np.ndarray:
        """Boolean mask of the stored links with the given native ids (error for an unknown id)."""
        ids = [link_ids] if isinstance(link_ids, (str, int, np.integer)) else list(link_ids)
        stored = {lid: k for k, lid in enumerate(self.network.link_ids.tolist())}
        mask = np.zeros(self.network.n_links, dtype=bool)
        for lid in ids:
            k = stored.get(lid)
            if k is None:
                try:
                    k = stored.get(type(next(iter(stored)))(lid))
                except (TypeError, ValueError, StopIteration):
                    k = None
            if k is None:
                raise InputError(f"no link {lid!r} in the network", obj=f"link {lid}", field="link_id")
            mask[k] = True
        return mask

    def _derive(self, note: str, **changes: Any) -> TrafficCase:
        name = changes.pop("name", None) or (self.name if self.name != "baseline" else "variant")
        return replace(self, name=name, changes=self.changes + (note,), **changes)

    # ------------------------------------------------------------------ operations
    def close_links(self, link_ids: Any, *, name: str | None = None) -> TrafficCase:
        """Remove links (a street closure for the modelled mode); the network's per-link meta
        arrays (lanes, OSM ways: :data:`twin.traffic.network.LINK_META`) follow the kept links
        (:meth:`~twin.traffic.network.Network.drop_links`)."""
        mask = self.link_mask(link_ids)
        net = self.network.drop_links(mask)
        return self._derive(f"close {int(mask.sum())} links", network=net, dynamics=self.dynamics.select(~mask), name=name)

    def set_lanes(self, link_ids: Any, lanes: float, *, name: str | None = None) -> TrafficCase:
        """Change the lane count; capacity and jam storage scale with it (per-lane values kept)."""
        if not (np.isfinite(lanes) and 0 < lanes <= MAX_LANES):
            raise InputError(f"lanes must be a finite number in (0, {MAX_LANES:g}], got {lanes}", field="lanes")
        mask = self.link_mask(link_ids)
        d = self.dynamics
        factor = np.where(mask, lanes / d.lanes, 1.0)
        dyn = d.with_values(lanes=np.where(mask, lanes, d.lanes), capacity_veh_s=d.capacity_veh_s * factor, wave_speed_m_s=d.wave_speed_m_s)
        net = self.network.with_values(capacity=self.network.capacity * factor)
        return self._derive(f"lanes {lanes:g} on {int(mask.sum())} links", network=net, dynamics=dyn, name=name)

    def set_capacity(self, link_ids: Any, *, capacity_veh_h: float | None = None, factor: float | None = None, name: str | None = None) -> TrafficCase:
        """Set the capacity (veh/h, all lanes) or multiply it by ``factor``.

        The free speed and jam density are kept; the backward wave speed follows from the
        triangle through the new capacity.
        """
        if (capacity_veh_h is None) == (factor is None):
            raise InputError("give capacity_veh_h or factor", field="capacity_veh_h")
        mask = self.link_mask(link_ids)
        d = self.dynamics
        value = factor if factor is not None else capacity_veh_h
        if not np.isfinite(value):
            raise InputError(f"must be finite, got {value}", field="factor" if factor is not None else "capacity_veh_h")
        new = d.capacity_veh_s * factor if factor is not None else np.full(d.n_links, capacity_veh_h / 3600.0)
        if np.any(~(new[mask] >= 0)):
            raise InputError(f"negative capacity {capacity_veh_h if capacity_veh_h is not None else factor}", field="capacity_veh_h")
        cap = np.where(mask, new, d.capacity_veh_s)
        dyn = d.with_values(capacity_veh_s=cap, wave_speed_m_s=None) if np.any(mask) else d
        dyn = _keep_waves(d, dyn, mask)
        net = self.network.with_values(capacity=np.where(mask, cap * 3600.0, self.network.capacity))
        return self._derive(f"capacity on {int(mask.sum())} links", network=net, dynamics=dyn, name=name)

    def set_speed(self, link_ids: Any, free_speed_m_s: float, *, name: str | None = None) -> TrafficCase:
        """Change the free speed (e.g. a 30 km/h zone); capacity is kept where the triangle allows."""
        if not (np.isfinite(free_speed_m_s) and 0 < free_speed_m_s <= MAX_SPEED_M_S):
            raise InputError(f"free speed must be a finite number in (0, {MAX_SPEED_M_S:g}] m/s, got {free_speed_m_s}", field="free_speed_m_s")
        from twin.traffic.dynamic import _TIME_TO_S

        mask = self.link_mask(link_ids)
        d = self.dynamics
        v = np.where(mask, free_speed_m_s, d.free_speed_m_s)
        apex = v * d.wave_speed_m_s * d.jam_density_veh_m_lane * d.lanes / (v + d.wave_speed_m_s)
        cap = np.where(mask, np.minimum(d.capacity_veh_s, apex), d.capacity_veh_s)
        dyn = d.with_values(free_speed_m_s=v, capacity_veh_s=cap)
        t_unit = _TIME_TO_S.get(self.network.time_unit, 1.0)
        fft = np.where(mask, d.length_m / v / t_unit, self.network.free_flow_time)
        net = self.network.with_values(free_flow_time=fft, capacity=np.where(mask, cap * 3600.0, self.network.capacity))
        return self._derive(f"speed {free_speed_m_s:g} m/s on {int(mask.sum())} links", network=net, dynamics=dyn, name=name)

    def scale_demand(self, factor: float, *, origins: Any = None, destinations: Any = None, name: str | None = None) -> TrafficCase:
        """Multiply the demand (of the given origins / destinations only, if named) by ``factor``."""
        if not (np.isfinite(factor) and 0 <= factor <= MAX_DEMAND_FACTOR):
            raise InputError(f"demand factor must be a finite number in [0, {MAX_DEMAND_FACTOR:g}], got {factor}", field="factor")
        dem = self.demand.copy()
        ocol = "origin" if "origin" in dem.columns else "origin_node_id"
        dcol = "destination" if "destination" in dem.columns else "destination_node_id"
        sel = np.ones(len(dem), dtype=bool)
        if origins is not None:
            sel &= dem[ocol].isin(list(np.atleast_1d(origins))).to_numpy()
        if destinations is not None:
            sel &= dem[dcol].isin(list(np.atleast_1d(destinations))).to_numpy()
        if (origins is not None or destinations is not None) and not sel.any():
            from twin.errors import NoEffectError

            raise NoEffectError(
                f"no demand row leaves the origins {origins!r} for the destinations {destinations!r}: scaling changes nothing",
                field="origins" if origins is not None else "destinations",
            )
        for col in ("vehicles", "flow_veh_s"):
            if col in dem.columns:
                dem[col] = np.where(sel, dem[col].to_numpy(np.float64) * factor, dem[col].to_numpy(np.float64))
        return self._derive(f"demand x{factor:g} on {int(sel.sum())} rows", demand=dem, name=name)

    # ------------------------------------------------------------------ run
    def simulate(self, **options: Any) -> DynamicResult:
        """Dynamic loading of this case (options of :func:`twin.traffic.dynamic.simulate`)."""
        from twin.traffic.dynamic import simulate

        result = simulate(self.network, self.demand, dynamics=self.dynamics, **options)
        result.meta["case"] = self.name
        result.meta["changes"] = "; ".join(self.changes)
        return result


def _keep_waves(old: LinkDynamics, new: LinkDynamics, mask: np.ndarray) -> LinkDynamics:
    """Keep the old wave speed on the links that did not change."""
    from twin.traffic.dynamic import LinkDynamics

    return LinkDynamics(
        length_m=new.length_m,
        free_speed_m_s=new.free_speed_m_s,
        wave_speed_m_s=np.where(mask, new.wave_speed_m_s, old.wave_speed_m_s),
        jam_density_veh_m_lane=new.jam_density_veh_m_lane,
        lanes=new.lanes,
        capacity_veh_s=new.capacity_veh_s,
    )


def _scene_column(scene: Any, net: Network, column: str, default: float) -> np.ndarray:
    links = scene.links
    if column not in links.columns:
        return np.full(net.n_links, default)
    lookup = dict(zip(links["link_id"].tolist(), links[column].tolist()))
    return np.array([float(lookup.get(lid, default)) for lid in net.link_ids.tolist()])


# ---------------------------------------------------------------------------------------- scene
def close_streets(scene: Any, link_ids: Any, *, modes: Any = ("car", "truck", "bus")) -> Any:
    """A copy of the scene where the given links no longer allow ``modes`` (``None``: all modes)."""
    from twin.scene.schema import MODES

    variant = scene.copy()
    links = variant.links.copy()
    ids = set([link_ids] if isinstance(link_ids, str) else list(link_ids))
    mask = links["link_id"].isin(ids).to_numpy()
    missing = ids - set(links["link_id"][mask].tolist())
    if missing:
        raise InputError(f"no link {sorted(missing)[0]!r} in the scene", obj="links", field="link_id")
    closed = set(MODES if modes is None else modes)
    links.loc[mask, "modes"] = [",".join(m for m in str(v).split(",") if m and m not in closed) for v in links.loc[mask, "modes"]]
    variant.set_layer("links", links)
    return variant


# ---------------------------------------------------------------------------------------- diffs
def compare_links(base: DynamicResult, variant: DynamicResult, *, scene: Any = None, metrics: Any = LINK_METRICS) -> pd.DataFrame:
    """Per-link results of two dynamic loadings side by side, with changes.

    Columns ``<metric>_base``, ``<metric>_variant``, ``<metric>_change`` for each metric and
    ``status`` (``kept``, ``closed``: only in the baseline, ``new``: only in the variant). With
    ``scene``, a GeoDataFrame with the links' geometry.
    """
    import pandas as pd

    a = base.link_summary().set_index("link_id")
    b = variant.link_summary().set_index("link_id")
    out = pd.DataFrame(index=a.index.union(b.index, sort=False))
    out.index.name = "link_id"
    for m in metrics:
        out[f"{m}_base"] = a[m].reindex(out.index)
        out[f"{m}_variant"] = b[m].reindex(out.index)
        out[f"{m}_change"] = out[f"{m}_variant"] - out[f"{m}_base"]
    in_a = out.index.isin(a.index)
    in_b = out.index.isin(b.index)
    out["status"] = np.where(in_a & in_b, "kept", np.where(in_a, "closed", "new"))
    out = out.reset_index()
    if scene is not None and len(scene.links):
        import geopandas as gpd

        geo = scene.links[["link_id", "geometry"]]
        out = gpd.GeoDataFrame(out.merge(geo, on="link_id", how="left"), geometry="geometry", crs=scene.crs)
    return out


def compare_totals(base: DynamicResult, variant: DynamicResult, *, metrics: Any = TOTAL_METRICS) -> pd.DataFrame:
    """Network totals of two dynamic loadings: baseline, variant, change and relative change."""
    import pandas as pd

    ta, tb = base.totals(), variant.totals()
    rows = []
    for m in metrics:
        va, vb = float(ta[m]), float(tb[m])
        rows.append({"metric": m, "base": va, "variant": vb, "change": vb - va, "change_rel": (vb - va) / va if va else float("nan")})
    return pd.DataFrame(rows)


def compare_access(
    base: FifteenMinuteResult, variant: FifteenMinuteResult, *, zones: gpd.GeoDataFrame | None = None, cell_m: float = 250.0
) -> gpd.GeoDataFrame:
    """15-minute-city shares per zone and category, baseline against variant.

    ``zones``: polygons with a ``zone_id`` column; default a square grid of ``cell_m``. Each
    building counts in the zone holding its representative point. Columns per category:
    ``share_<cat>_base``, ``share_<cat>_variant``, ``share_<cat>_change`` (shares of the zone's
    residents weight), ``mean_time_<cat>_change_s``; and ``weight``.
    """
    import geopandas as gpd
    import pandas as pd
    import shapely

    ba, bb = base.buildings, variant.buildings
    if not np.array_equal(ba["building_id"].to_numpy(), bb["building_id"].to_numpy()):
        raise InputError("baseline and variant must hold the same buildings in the same order", field="building_id")
    pts = shapely.point_on_surface(np.asarray(ba.geometry.values, dtype=object))
    if zones is None:
        x0, y0, x1, y1 = shapely.total_bounds(pts)
        xs = np.arange(np.floor(x0 / cell_m) * cell_m, x1 + cell_m, cell_m)
        ys = np.arange(np.floor(y0 / cell_m) * cell_m, y1 + cell_m, cell_m)
        cells = [shapely.box(x, y, x + cell_m, y + cell_m) for y in ys[:-1] for x in xs[:-1]]
        zones = gpd.GeoDataFrame({"zone_id": [f"cell_{k}" for k in range(len(cells))]}, geometry=cells, crs=ba.crs)
    elif "zone_id" not in zones.columns:
        raise InputError("zones need a 'zone_id' column", field="zone_id")
    tree = shapely.STRtree(np.asarray(zones.geometry.values, dtype=object))
    src, hit = tree.query(pts, predicate="within")
    zone_of = np.full(len(ba), -1, dtype=np.int64)
    zone_of[src] = hit
    w = ba["weight"].to_numpy()
    frame = pd.DataFrame({"zone": zone_of, "weight": w})
    cats = [c for c in base.categories if c in variant.categories]
    for cat in cats:
        frame[f"a_{cat}"] = w * ba[f"reach_{cat}"].to_numpy()
        frame[f"b_{cat}"] = w * bb[f"reach_{cat}"].to_numpy()
        ta = ba[f"time_{cat}_s"].to_numpy()
        tb = bb[f"time_{cat}_s"].to_numpy()
        frame[f"dt_{cat}"] = np.where(np.isfinite(ta) & np.isfinite(tb), tb - ta, np.nan)
    frame = frame[frame["zone"] >= 0]
    g = frame.groupby("zone")
    agg = g.sum(numeric_only=True)
    out = zones.iloc[agg.index.to_numpy()].copy().reset_index(drop=True)
    out["weight"] = agg["weight"].to_numpy()
    out["buildings"] = g.size().to_numpy()
    safe = np.where(out["weight"].to_numpy() > 0, out["weight"].to_numpy(), np.nan)
    for cat in cats:
        out[f"share_{cat}_base"] = agg[f"a_{cat}"].to_numpy() / safe
        out[f"share_{cat}_variant"] = agg[f"b_{cat}"].to_numpy() / safe
        out[f"share_{cat}_change"] = out[f"share_{cat}_variant"] - out[f"share_{cat}_base"]
        out[f"mean_time_{cat}_change_s"] = g[f"dt_{cat}"].mean().to_numpy()
    return out


def map_change(frame: gpd.GeoDataFrame, column: str, path: Any, *, title: str | None = None) -> Any:
    """Map of a change column (diverging colours centred on zero), written atomically as PNG/SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    from twin.io import atomic_path

    if column not in frame.columns:
        raise InputError(f"no column {column!r} to map", field=column)
    values = frame[column].to_numpy(np.float64)
    lim = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 1.0
    lim = lim if lim > 0 else 1.0
    fig, ax = plt.subplots(figsize=(7, 7))
    frame.plot(column=column, ax=ax, cmap="RdBu_r", norm=TwoSlopeNorm(0.0, -lim, lim), legend=True, linewidth=1.5, missing_kwds={"color": "lightgrey"})
    if "status" in frame.columns and (frame["status"] == "closed").any():
        frame[frame["status"] == "closed"].plot(ax=ax, color="black", linewidth=2.5)
    ax.set_title(title or column)
    ax.set_axis_off()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=120, bbox_inches="tight", format=str(path).rsplit(".", 1)[-1])
    plt.close(fig)
    return path
