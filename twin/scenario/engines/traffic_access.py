"""The 15-minute access indicator of the traffic engine, split into what the Monte Carlo reuses.

:func:`twin.traffic.indicators.access_indicator` gives the share of residents within the
threshold of each service category by walk, bike and public transport. The scenario engine
needs the same numbers for every Monte Carlo sample, where only the residents per building
change (sampled floor areas and uses, sampled floor area per resident): the travel times from
each building to its nearest service do not. :func:`access_times` computes those times once
per scene, with the same services, graphs and rules as ``access_indicator``;
:func:`access_kpis` weights them with a sample's residents. With the central residents the
shares equal ``access_indicator``'s (``tests/test_scenario_mobility_engine.py`` checks it to
1e-12 on Saint-Gilles).

Public transport (only with a GTFS feed) is zone-based, as in ``access_indicator``: the better
of walking and the morning-peak zone-to-zone public-transport time of the given mobility
result to the zone of the nearest service. In a Monte Carlo sample the zone times of the
central run stand in (a sample moves the zones' activity-weighted points by metres).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class AccessTimes:
    """Per mode and category, every building's time to the nearest service (s; inf: none reached)."""

    modes: tuple[str, ...]
    categories: tuple[str, ...]
    times_s: dict[tuple[str, str], np.ndarray]
    services: dict[str, int]


def access_times(scene: Any, options: Any, *, ends: Any, result: Any = None, timetable: Any = None) -> AccessTimes:
    """Times from every building to the nearest service of each category, per access mode.

    Parameters
    ----------
    scene
        The scene (buildings, links, nodes, POIs, land cover).
    options
        :class:`~twin.traffic.mobility.MobilityOptions` (``access_categories``, ``access_modes``).
    ends
        The scene's :class:`~twin.traffic.demand.TripEnds` (zones of the buildings, for public transport).
    result
        The scene's :class:`~twin.traffic.mobility.MobilityResult` (its public-transport skims).
    timetable
        The GTFS timetable, or None (then no public-transport rows).
    """
    import geopandas as gpd
    import pandas as pd
    import shapely

    from twin.traffic.access import fifteen_minute_city, service_points
    from twin.traffic.indicators import DEFAULT_CATEGORIES, category_sources, check_categories

    cats = check_categories(options.access_categories or DEFAULT_CATEGORIES)
    svc = service_points(scene, cats, sources=category_sources())
    if timetable is not None and "public_transport" in cats:
        stops = gpd.GeoDataFrame({"category": "public_transport", "service_id": [f"gtfs:{s}" for s in timetable.stop_ids]},
                                 geometry=shapely.points(timetable.stop_xy), crs=scene.crs)  # fmt: skip
        svc = pd.concat([svc, stops], ignore_index=True)
    present = [c for c in cats if (svc["category"] == c).any()]
    times: dict[tuple[str, str], np.ndarray] = {}
    for mode in ("walk", "bike"):
        if mode not in options.access_modes and not (mode == "walk" and "pt" in options.access_modes):
            continue
        if present:
            res = fifteen_minute_city(scene, categories=tuple(present), mode=mode, threshold_s=options.access_minutes * 60.0, services=svc,
                                      residential_only=False, weight="count")  # fmt: skip
            for c in present:
                times[(mode, c)] = res.buildings[f"time_{c}_s"].to_numpy(dtype=float)
    if "pt" in options.access_modes and timetable is not None and present and result is not None:
        period = "am_peak" if "am_peak" in result.periods else next(iter(result.periods))
        pt = result.periods[period].skims.get("pt", {}).get("time_s")
        if pt is not None:
            z = ends.n_zones
            zt = pt[:z, :z]
            nearest = shapely.STRtree(shapely.points(ends.zone_xy)).nearest(np.asarray(svc.geometry.values, dtype=object))
            for c in present:
                zs = np.unique(nearest[(svc["category"] == c).to_numpy()])
                best = zt[:, zs].min(axis=1) if zs.size else np.full(z, np.inf)
                walk = times.get(("walk", c), np.full(len(ends.building_zone), np.inf))
                times[("pt", c)] = np.minimum(best[ends.building_zone], walk)
    modes = tuple(m for m in options.access_modes if not (m == "pt" and timetable is None))
    return AccessTimes(modes=modes, categories=tuple(cats), times_s=times, services={c: int((svc["category"] == c).sum()) for c in cats})


def access_kpis(times: AccessTimes, residents: np.ndarray, minutes: float) -> dict[str, float]:
    """``access_<minutes>min_<mode>_<category>_pct``: the share of ``residents`` (per building)
    within ``minutes`` of a service, in percent (0 for a category without any service in the
    scene, NaN without residents)."""
    w = np.asarray(residents, dtype=float)
    total = float(w.sum())
    out = {}
    for mode in times.modes:
        for c in times.categories:
            t = times.times_s.get((mode, c))
            key = f"access_{minutes:g}min_{mode}_{c}_pct"
            if t is None:
                out[key] = 0.0 if times.services.get(c, 0) == 0 else float("nan")
                continue
            ok = t <= minutes * 60.0
            out[key] = 100.0 * float(w[ok].sum() / total) if total > 0 else float("nan")
    return out


def access_kpi_names(modes: tuple[str, ...], categories: tuple[str, ...], minutes: float) -> tuple[str, ...]:
    """The names :func:`access_kpis` gives, in its order."""
    return tuple(f"access_{minutes:g}min_{m}_{c}_pct" for m in modes for c in categories)
