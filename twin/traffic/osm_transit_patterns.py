"""The stop patterns of an OSM routes file, matched once per file and reused for every headway.

:func:`twin.traffic.osm_transit.osm_transit` writes a schedule-free feed in two steps: the
stops of each route's chains, in order along them (the geometry: :func:`transit_patterns`), then
the trips of every pattern at the headways (times a Monte Carlo sample's ``pt_headway_factor``).
Only the second step depends on the factor, so the first is cached by the files it reads
(path, size and modification time of the routes file and of the defaults table) and the CRS:
:data:`_PATTERNS_CACHE`. A :class:`TransitPatterns` is shared: frozen, its arrays read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from twin.caching import BoundedCache


@dataclass(frozen=True)
class TransitPatterns:
    """The routes and stops of a file and the stop patterns of its routes.

    Attributes
    ----------
    path, defaults_path
        The routes file and the defaults table read.
    routes
        Every route of the file (:class:`~twin.traffic.osm_transit.MapRoute`), in file order.
    stop_ids, names, lonlat
        The stop points (ids, names, longitude/latitude).
    feed_xy
        Every stop point's coordinates in the CRS from its longitude/latitude as the feed writes
        them (7 decimals), as :func:`twin.traffic.gtfs.timetable` projects them.
    chains
        Per used route, in file order: (route, its service defaults, its chains as (stop
        indices in order, distance along the chain m), each with at least 2 stops).
    skipped
        ``"<mode> <label>"`` of the routes without a chain of 2 stops.
    n_patterns, stops_served
        Stop patterns (each chain in both directions) and stop points on one of them.
    defaults
        The service defaults the used routes take, by (mode, operator).
    """

    path: Path
    defaults_path: Path
    routes: tuple
    stop_ids: tuple[str, ...]
    names: tuple[str, ...]
    lonlat: np.ndarray
    feed_xy: np.ndarray
    chains: tuple[tuple[Any, Any, tuple[tuple[np.ndarray, np.ndarray], ...]], ...]
    skipped: tuple[str, ...]
    n_patterns: int
    stops_served: int
    defaults: dict

    @property
    def used(self) -> list[str]:
        """Route ids of the routes with a pattern, in file order."""
        return [r.route_id for r, _, _ in self.chains]


#: Patterns by the files they were matched from and the CRS. The last four stored.
_PATTERNS_CACHE: BoundedCache[tuple, TransitPatterns] = BoundedCache(4)


def _stamp(path: Path) -> tuple:
    """(resolved path, size, modification time in ns) of ``path``; None when it cannot be read
    (the reader then raises its own error)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (str(path.resolve()), st.st_size, st.st_mtime_ns)


def transit_patterns(path: Path, *, crs: Any, defaults_path: Path) -> TransitPatterns:
    """The :class:`TransitPatterns` of the routes file ``path`` (from :data:`_PATTERNS_CACHE`
    when the files are unchanged since a recent call).

    Raises
    ------
    InputError
        Bad defaults or routes file, a route whose mode has no defaults row
        (:func:`~twin.traffic.osm_transit.read_defaults`, :func:`~twin.traffic.osm_transit.read_transit_map`,
        :func:`~twin.traffic.osm_transit.service_for`), no route with 2 stops near it.
    """
    stamps = (_stamp(path), _stamp(defaults_path))
    key = (str(path), str(defaults_path), stamps, str(crs))
    hit = _PATTERNS_CACHE.get(key) if None not in stamps else None
    if hit is not None:
        return hit
    built = match_patterns(path, crs=crs, defaults_path=defaults_path)
    return built if None in stamps else _PATTERNS_CACHE.put(key, built)


def match_patterns(path: Path, *, crs: Any, defaults_path: Path) -> TransitPatterns:
    """Read the defaults and the routes file and match every route's stops (no cache)."""
    from pyproj import Transformer

    from twin.errors import InputError
    from twin.traffic.osm_transit import STOP_DISTANCE_M, chain_stops, read_defaults, read_transit_map, route_chains, service_for, stop_serves

    defaults = read_defaults(defaults_path)
    routes, stop_ids, names, kinds, lonlat, xy = read_transit_map(path, crs=crs)
    services = {r.route_id: service_for(defaults, r, path=path, defaults_path=defaults_path) for r in routes}
    chains_of, skipped = [], []
    for r in routes:
        ok = np.array([stop_serves(k, r.mode) for k in kinds], dtype=bool)
        sub = np.flatnonzero(ok)
        chains = [chain_stops(c, xy[sub], [names[j] for j in sub.tolist()]) for c in route_chains(r.line)]
        chains = [(sub[i], s) for i, s in chains]
        chains = [(i, s) for i, s in chains if i.size >= 2]
        if not chains:
            skipped.append(f"{r.mode} {r.ref or r.name or r.route_id}")
            continue
        for i, s in chains:
            i.flags.writeable = False
            s.flags.writeable = False
        chains_of.append((r, services[r.route_id], tuple(chains)))
    if not chains_of:
        raise InputError(f"none of the {len(routes)} routes has 2 stop points within {STOP_DISTANCE_M:g} m of its line: no public transport to build "
                         "(are the stops in the file?)", path=path, field="route")  # fmt: skip
    lonlat = np.array(lonlat, dtype=float).reshape(-1, 2)
    lon = np.array([float(f"{v:.7f}") for v in lonlat[:, 0].tolist()])
    lat = np.array([float(f"{v:.7f}") for v in lonlat[:, 1].tolist()])
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    feed_xy = np.column_stack([x, y]).reshape(-1, 2)
    lonlat.flags.writeable = False
    feed_xy.flags.writeable = False
    served = {j for _, _, chains in chains_of for idx, _ in chains for j in idx.tolist()}
    return TransitPatterns(path=path, defaults_path=defaults_path, routes=tuple(routes), stop_ids=tuple(stop_ids), names=tuple(names), lonlat=lonlat, feed_xy=feed_xy,
                           chains=tuple(chains_of), skipped=tuple(skipped), n_patterns=2 * sum(len(c) for _, _, c in chains_of), stops_served=len(served),
                           defaults={(d.mode, d.operator): d for _, d, _ in chains_of})  # fmt: skip
