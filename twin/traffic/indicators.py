"""Indicators of the mobility model: 15-minute access by walk, bike and public transport,
vehicle-km on residential streets and main roads, emissions, trips by mode.

15-minute access (Moreno et al. 2021): for each category of services (``twin/data/
mobility_poi_categories.csv``: which layer, column and values give it: POIs, land-cover school
grounds and parks, school buildings), the share of residents (per building, from the demand
model) whose building reaches a service of the category within the threshold:

* walk and bike: on the street network (:func:`twin.traffic.access.fifteen_minute_city`);
* public transport: the better of walking and the zone-to-zone public-transport time of the
  morning peak (walk to a stop, wait, ride, walk) to the zone of the nearest service.

An unknown category is an error naming the known ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from twin.errors import InputError

CATEGORY_TABLE = Path(__file__).resolve().parents[1] / "data" / "mobility_poi_categories.csv"
DEFAULT_CATEGORIES = ("school", "park", "grocery", "health", "bank", "post", "culture")


def category_sources(path: str | Path | None = None) -> dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]]:
    """Where each category is looked for: ``{category: ((layer, column, values), ...)}``."""
    import pandas as pd

    table = pd.read_csv(Path(path) if path is not None else CATEGORY_TABLE, dtype=str, keep_default_na=False)
    out: dict[str, list] = {}
    for cat, layer, col, vals in zip(table["category"], table["layer"], table["column"], table["values"]):
        out.setdefault(cat, []).append((layer, col, tuple(v.strip().lower() for v in vals.split("|") if v.strip())))
    return {k: tuple(v) for k, v in out.items()}


def check_categories(categories: Any) -> tuple[str, ...]:
    """The categories, each known to the category table (InputError naming the known ones)."""
    if isinstance(categories, str):
        categories = [c.strip() for c in categories.split(",") if c.strip()]
    cats = tuple(categories)
    if not cats:
        raise InputError("give at least one service category", field="access_categories")
    known = category_sources()
    for c in cats:
        if c not in known:
            raise InputError(f"unknown service category {c!r}; known: {', '.join(sorted(known))}", field="access_categories")
    return cats


def access_indicator(scene: Any, ends: Any, results: dict, options: Any, *, nets: dict | None = None, timetable: Any = None) -> Any:
    """Share of residents within ``options.access_minutes`` of each category, per mode (DataFrame).

    Columns: category, mode, share_of_residents, buildings_reached, services (points), threshold_min.
    Categories without any service in the scene get share 0 and a ``services`` count of 0.
    """
    import pandas as pd

    from twin.traffic.access import fifteen_minute_city, service_points

    cats = check_categories(options.access_categories or DEFAULT_CATEGORIES)
    threshold = options.access_minutes * 60.0
    sources = category_sources()
    svc = service_points(scene, cats, sources=sources)
    if timetable is not None and "public_transport" in cats:
        import geopandas as gpd
        import shapely

        stops = gpd.GeoDataFrame({"category": "public_transport", "service_id": [f"gtfs:{s}" for s in timetable.stop_ids]},
                                 geometry=shapely.points(timetable.stop_xy), crs=scene.crs)  # fmt: skip
        svc = pd.concat([svc, stops], ignore_index=True)
    w = ends.building_residents
    total = w.sum()
    rows = []
    present = [c for c in cats if (svc["category"] == c).any()]
    per_mode_time: dict[str, dict[str, np.ndarray]] = {}
    for mode in ("walk", "bike"):
        if mode not in options.access_modes and not (mode == "walk" and "pt" in options.access_modes):
            continue
        if present:
            res = fifteen_minute_city(scene, categories=tuple(present), mode=mode, threshold_s=threshold, services=svc, residential_only=False, weight="count")
            per_mode_time[mode] = {c: res.buildings[f"time_{c}_s"].to_numpy() for c in present}
    if "pt" in options.access_modes and timetable is not None and present:
        period = "am_peak" if "am_peak" in results else next(iter(results))
        pt = results[period].skims.get("pt", {}).get("time_s")
        if pt is not None:
            import shapely

            z = ends.n_zones
            zt = pt[:z, :z].copy()
            # zone of every service point: nearest zone point
            tree = shapely.STRtree(shapely.points(ends.zone_xy))
            sp = np.asarray(svc.geometry.values, dtype=object)
            nearest = tree.nearest(sp)
            per_mode_time["pt"] = {}
            for c in present:
                zs = np.unique(nearest[(svc["category"] == c).to_numpy()])
                best = zt[:, zs].min(axis=1) if zs.size else np.full(z, np.inf)
                t_pt = best[ends.building_zone]
                per_mode_time["pt"][c] = np.minimum(t_pt, per_mode_time.get("walk", {}).get(c, np.full(len(t_pt), np.inf)))
    for mode in options.access_modes:
        if mode == "pt" and timetable is None:
            continue  # no timetable: no public-transport access rows (rather than undefined ones)
        for c in cats:
            n_svc = int((svc["category"] == c).sum())
            t = per_mode_time.get(mode, {}).get(c)
            if t is None:
                rows.append({"category": c, "mode": mode, "share_of_residents": 0.0 if n_svc == 0 else float("nan"), "buildings_reached": 0,
                             "services": n_svc, "threshold_min": options.access_minutes})  # fmt: skip
                continue
            ok = t <= threshold
            rows.append({"category": c, "mode": mode, "share_of_residents": float(w[ok].sum() / total) if total > 0 else float("nan"),
                         "buildings_reached": int(ok.sum()), "services": n_svc, "threshold_min": options.access_minutes})  # fmt: skip
    return pd.DataFrame(rows)


def district_access(scene: Any, options: Any = None, *, timetable: Any = None) -> Any:
    """The 15-minute indicator alone (walk and bike; public transport needs a demand run)."""
    from dataclasses import replace

    from twin.traffic.demand import read_parameters, trip_ends
    from twin.traffic.mobility import MobilityOptions

    options = options or MobilityOptions()
    options = replace(options, access_modes=tuple(m for m in options.access_modes if m != "pt") or ("walk",))
    options.check()
    ends = trip_ends(scene, read_parameters(options.parameters_table, options.parameter_overrides), zone_size_m=options.zone_size_m)
    return access_indicator(scene, ends, {}, options, timetable=timetable)


def street_type(road_class: Any) -> np.ndarray:
    """``main`` or ``residential`` per road class (see :data:`twin.traffic.mobility.MAIN_ROAD_CLASSES`)."""
    from twin.traffic.mobility import MAIN_ROAD_CLASSES

    rc = np.asarray(road_class, dtype=object).astype(str)
    return np.where(np.isin(rc, list(MAIN_ROAD_CLASSES)), "main", "residential")


def link_table(scene: Any, results: dict) -> Any:
    """Street links with their assigned car flow and volume/capacity per period (GeoDataFrame)."""
    import geopandas as gpd

    links = scene.links
    out = gpd.GeoDataFrame(links[["link_id", "name", "road_class", "length_m", "capacity_veh_h", "modes"]].copy(), geometry=links.geometry.values, crs=scene.crs)
    out["street_type"] = street_type(out["road_class"].fillna(""))
    for period, r in results.items():
        flow = np.array([r.link_flow.get(lid, 0.0) for lid in out["link_id"].tolist()])
        out[f"flow_{period}_veh_h"] = flow
        cap = out["capacity_veh_h"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[f"vc_{period}"] = np.where(cap > 0, flow / cap, np.nan)
        out[f"time_{period}_s"] = np.array([r.link_time_s.get(lid, np.nan) for lid in out["link_id"].tolist()])
    return out


def mobility_kpis(results: dict, links: Any, access: Any, unserved: Any, params: dict) -> dict[str, float]:
    """Flat KPIs per period (trips by mode, shares, vehicle-km by street type, emissions, unserved) and access shares."""
    from twin.traffic.emissions import emissions
    from twin.traffic.mode_choice import MODES

    k: dict[str, float] = {}
    for period, r in results.items():
        tot = float(r.trips.sum())
        k[f"{period}_person_trips"] = tot
        for i, m in enumerate(MODES):
            k[f"{period}_{m}_trips"] = float(r.trips[i].sum())
            k[f"{period}_{m}_share_pct"] = 100.0 * float(r.trips[i].sum()) / tot if tot > 0 else float("nan")
        flow = links[f"flow_{period}_veh_h"].to_numpy(float)
        length_km = links["length_m"].to_numpy(float) / 1000.0
        vkm = flow * length_km
        st = links["street_type"].to_numpy()
        k[f"{period}_vehicle_km"] = float(vkm.sum())
        k[f"{period}_vehicle_km_residential"] = float(vkm[st == "residential"].sum())
        k[f"{period}_vehicle_km_main"] = float(vkm[st == "main"].sum())
        tt = links[f"time_{period}_s"].to_numpy(float)
        k[f"{period}_vehicle_hours"] = float(np.nansum(flow * tt) / 3600.0)
        k[f"{period}_through_vehicles"] = float(r.through.sum())
        e = emissions(float(vkm.sum()))
        k[f"{period}_co2_kg"] = e["co2_kg"]
        k[f"{period}_nox_kg"] = e["nox_kg"]
        k[f"{period}_unserved_trips"] = float(unserved.loc[unserved["period"] == period, "trips"].sum()) if len(unserved) else 0.0
        vc = links[f"vc_{period}"].to_numpy(float)
        k[f"{period}_max_volume_capacity_ratio"] = float(np.nanmax(vc)) if np.isfinite(vc).any() else float("nan")
    if access is not None and len(access):
        for row in access.itertuples():
            k[f"access_{row.threshold_min:g}min_{row.mode}_{row.category}_pct"] = 100.0 * float(row.share_of_residents)
    return k
