"""Public transport from OpenStreetMap route lines and stops when there is no GTFS feed.

A *schedule-free approximation*, as planning tools build one without a feed: the map gives
where the lines run and where they stop; a documented commercial speed and headway per mode
(:data:`DEFAULTS_TABLE`, ``twin/data/transit_osm_defaults.csv``) give when. The result is a
:class:`twin.traffic.gtfs.Feed`, so the rest of the pipeline (:func:`twin.traffic.gtfs.timetable`,
the Connection Scan skims, the 15-minute access) runs unchanged.

Input: a GeoJSON FeatureCollection in longitude/latitude (``data_samples/stgilles_transit_osm2013.geojson``
is cut from OSM by ``scripts/cut_stgilles_transit.py``):

* route features: a (Multi)LineString with ``route`` (the OSM mode: ``tram``, ``bus``,
  ``subway`` ...), optional ``ref``, ``name``, ``operator``, ``osm_id``;
* stop features: a Point (``osm_id``, ``name`` optional).

Method, per route:

1. its lines are merged (:func:`shapely.line_merge`) and the pieces chained end to end when
   their ends lie within :data:`CHAIN_GAP_M` (longest piece first, nearest end next); each
   chain is a *pattern*, run in both directions;
2. the stops of a chain are the stop points within :data:`STOP_DISTANCE_M` of it, ordered by
   their position along it (:func:`shapely.line_locate_point`); a stop less than
   :data:`MIN_STOP_SPACING_M` along the line after the previous one, or less than
   :data:`SAME_NAME_SPACING_M` with the same name, is the same stop (the platforms, stop
   positions and poles of one stop on both sides of the street) and is left out;
3. the in-vehicle time between two stops is their distance along the line over the mode's
   commercial speed (which includes the dwell times); trips leave the first stop every
   peak headway in :data:`PEAK_WINDOWS_S` and every off-peak headway otherwise, from
   :data:`SERVICE_S` start to end, on every weekday (calendar :data:`CALENDAR_SPAN`).

Steps 1 and 2 depend on the files only: they are done once per file
(:mod:`twin.traffic.osm_transit_patterns`), step 3 for each headway factor (a Monte Carlo
sample's; :func:`osm_timetable` makes the timetable from the patterns directly:
:mod:`twin.traffic.osm_transit_timetable`).

A chain with fewer than 2 stops is skipped; a route none of whose chains has 2 stops is skipped
and counted in :attr:`OsmTransit.skipped`. Limits: no timetable (the mean wait is half the
headway, no coordination between lines), no transfer penalty beyond the wait and the walk, the
same headway on every branch of a line, routes cut at the edge of the file's area.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from twin.errors import InputError

DEFAULTS_TABLE = Path(__file__).resolve().parents[1] / "data" / "transit_osm_defaults.csv"
"""Headways and commercial speeds per mode (and optionally operator), with their sources."""
STOP_DISTANCE_M = 30.0
"""A stop point serves a route when it lies within this distance of the route's line, m (a
stop pole or platform stands on the pavement, 5-15 m from the track or lane axis)."""
MIN_STOP_SPACING_M = 50.0
"""Stop points closer than this along the line are one stop, m (STIB stops are about 300-500 m apart)."""
SAME_NAME_SPACING_M = 200.0
"""Consecutive stop points with the same name closer than this along the line are one stop, m
(the platforms of both directions, staggered across a junction)."""
CHAIN_GAP_M = 50.0
"""Pieces of a route's line whose ends lie within this distance are chained into one pattern, m."""
SERVICE_S = (6 * 3600.0, 20 * 3600.0)
"""First and last departure time of the service from the first stop, s after midnight (the model's periods lie within)."""
PEAK_WINDOWS_S = ((7 * 3600.0, 9.5 * 3600.0), (16 * 3600.0, 19 * 3600.0))
"""Departures in these windows run at the peak headway (assumption: the usual weekday peaks)."""
CALENDAR_SPAN = ("20130101", "20131231")
"""Nominal service span, Monday to Friday (the year of the OSM extract; only the weekday matters)."""
OSM_PT_MODES = ("bus", "trolleybus", "tram", "subway", "light_rail", "train", "monorail", "ferry")
"""The public-transport values of OSM's ``route`` tag a defaults row may name."""
STOP_KINDS: dict[str, tuple[str, ...]] = {"bus": ("bus_stop", "tram_stop"), "trolleybus": ("bus_stop", "tram_stop"), "tram": ("tram_stop", "halt", "station"),
                                          "light_rail": ("tram_stop", "halt", "station"), "subway": ("halt", "station"), "train": ("halt", "station")}  # fmt: skip
"""Which tagged stop points a route of a mode may use: ``highway=bus_stop``, ``railway=tram_stop|halt|station``
(a tram stop is often a bus stop too; an underground line does not stop at the bus stops above it).
A stop point with none of these tags (or with ``public_transport``) may serve any mode."""
MAX_FILE_BYTES = 200 * 1024**2
DEFAULT_COLUMNS = ("mode", "operator", "headway_peak_s", "headway_offpeak_s", "speed_m_s", "source")


@dataclass(frozen=True)
class ServiceDefault:
    """Headways (s) and commercial speed (m/s) of a mode (and operator; '' for any), with the source."""

    mode: str
    operator: str
    headway_peak_s: float
    headway_offpeak_s: float
    speed_m_s: float
    source: str
    provenance: str = "default"


@dataclass
class MapRoute:
    """One route of the file: its id, mode, labels and line in the metric CRS."""

    route_id: str
    mode: str
    ref: str
    name: str
    operator: str
    line: Any
    feature: int


@dataclass
class OsmTransit:
    """The feed built from a map and what was done: patterns, skipped routes, defaults used."""

    feed: Any
    routes: int
    used: list[str]
    skipped: list[str]
    patterns: int
    stops: int
    stops_served: int
    defaults: dict[tuple[str, str], ServiceDefault] = field(default_factory=dict)
    source: Path | None = None
    """The routes file (None: the feed's path)."""

    def note(self) -> str:
        """One line for the run's notes (what was built, from what, and what was skipped)."""
        name = (self.source if self.source is not None else self.feed.path).name
        modes = sorted({(d.mode, d.operator) for d in self.defaults.values()})
        speeds = ", ".join(f"{m}{' ' + o if o else ''} {self.defaults[(m, o)].speed_m_s:g} m/s every "
                           f"{self.defaults[(m, o)].headway_peak_s / 60:g}/{self.defaults[(m, o)].headway_offpeak_s / 60:g} min" for m, o in modes)  # fmt: skip
        text = (f"public transport without a timetable from OSM routes ({name}): {len(self.used)} of {self.routes} routes, "
                f"{self.patterns} stop patterns in both directions, {self.stops_served} of {self.stops} stop points served "
                f"(stops within {STOP_DISTANCE_M:g} m of a route; speed and peak/off-peak headway: {speeds})")  # fmt: skip
        if self.skipped:
            text += f"; {len(self.skipped)} route(s) skipped with fewer than 2 stops within {STOP_DISTANCE_M:g} m: {', '.join(self.skipped)}"
        return text


# ---------------------------------------------------------------------------------------- defaults
#: Shortest headway of a defaults table, s: the busiest metro lines run every 90 s or so; a
#: headway of 0.001 s scheduled millions of departures (a run stopped after minutes, no error).
MIN_HEADWAY_S = 30.0

#: Fastest commercial speed of a defaults table, m/s (360 km/h, above the fastest high-speed
#: trains' 320 km/h): a faster one is a unit slip (km/h given as m/s).
MAX_SPEED_M_S = 100.0


def _number(text: Any, *, path: Path, row: int, col: str) -> float:
    try:
        value = float(str(text).strip())
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise InputError(f"{col} must be a finite number > 0, got {str(text)!r}", path=path, obj=f"row {row}", field=col)
    if col == "speed_m_s" and value > MAX_SPEED_M_S:
        raise InputError(f"speed_m_s {value:g} is above {MAX_SPEED_M_S:g} m/s ({3.6 * MAX_SPEED_M_S:g} km/h, faster than any train): km/h given as m/s?",
                         path=path, obj=f"row {row}", field=col)  # fmt: skip
    span_s = SERVICE_S[1] - SERVICE_S[0]
    if col.startswith("headway") and not MIN_HEADWAY_S <= value <= span_s:
        raise InputError(f"{col} {value:g} s is outside [{MIN_HEADWAY_S:g}, {span_s:g}] s (a vehicle at most every {MIN_HEADWAY_S:g} s, at least "
                         "once in the service day): a unit slip?", path=path, obj=f"row {row}", field=col)  # fmt: skip
    return value


def read_defaults(path: str | Path | None = None) -> dict[tuple[str, str], ServiceDefault]:
    """The defaults table (:data:`DEFAULT_COLUMNS`), keyed by (mode, operator).

    Raises
    ------
    InputError
        A missing column, a mode that is not an OSM public-transport mode (:data:`OSM_PT_MODES`),
        a headway or speed that is not a finite number > 0, a (mode, operator) given twice; each
        naming the file, the row and the column.
    """
    import pandas as pd

    from twin.io.paths import check_input_file

    path = Path(path) if path is not None else DEFAULTS_TABLE
    check_input_file(path, suffixes=(".csv",), field="transit_defaults", what="public-transport defaults table")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the table: {str(exc).splitlines()[0]}", path=path) from None
    for col in DEFAULT_COLUMNS:
        if col not in table.columns:
            raise InputError(f"missing column {col!r} (columns: {', '.join(DEFAULT_COLUMNS)})", path=path, field=col)
    out: dict[tuple[str, str], ServiceDefault] = {}
    for i, r in enumerate(table.itertuples(index=False)):
        row = i + 2
        mode, operator = str(r.mode).strip(), str(r.operator).strip()
        if mode not in OSM_PT_MODES:
            raise InputError(f"unknown mode {mode!r}; OSM public-transport modes: {', '.join(OSM_PT_MODES)}", path=path, obj=f"row {row}", field="mode")
        if (mode, operator) in out:
            raise InputError(f"mode {mode!r}{' operator ' + repr(operator) if operator else ''} is given twice", path=path, obj=f"row {row}", field="mode")
        out[(mode, operator)] = ServiceDefault(
            mode=mode, operator=operator, headway_peak_s=_number(r.headway_peak_s, path=path, row=row, col="headway_peak_s"),
            headway_offpeak_s=_number(r.headway_offpeak_s, path=path, row=row, col="headway_offpeak_s"),
            speed_m_s=_number(r.speed_m_s, path=path, row=row, col="speed_m_s"), source=str(r.source),
            provenance="default" if path == DEFAULTS_TABLE else f"table {path.name}",
        )  # fmt: skip
    if not out:
        raise InputError("the table has no row", path=path, field="mode")
    return out


def service_for(defaults: dict[tuple[str, str], ServiceDefault], route: MapRoute, *, path: Path, defaults_path: Path) -> ServiceDefault:
    """The row of the route's mode and operator, else of its mode for any operator."""
    hit = defaults.get((route.mode, route.operator)) or defaults.get((route.mode, ""))
    if hit is None:
        raise InputError(f"route {route.ref or route.route_id!r} is a {route.mode!r} route, and the defaults table {defaults_path} has no row for that mode "
                         "(add one, or leave the route out of the file)", path=path, obj=f"feature {route.feature} (route {route.route_id})", field="route")  # fmt: skip
    return hit


# ---------------------------------------------------------------------------------------- reading
def _text(props: dict, key: str) -> str:
    value = props.get(key)
    return "" if value is None else str(value).strip()


def read_transit_map(path: str | Path, *, crs: Any) -> tuple[list[MapRoute], list[str], list[str], list[str], np.ndarray, np.ndarray]:
    """Routes (lines in ``crs``) and stops (ids, names, kinds, lon/lat, x/y in ``crs``) of a GeoJSON file.

    A stop's kind lists its ``highway=bus_stop`` / ``railway=tram_stop|halt|station`` values
    ('' when it has none, or a ``public_transport`` tag: any mode may use it, :data:`STOP_KINDS`).

    Raises
    ------
    InputError
        Not a GeoJSON FeatureCollection in longitude/latitude, a feature without geometry or
        of another type than (Multi)LineString or Point, a route without ``route``, coordinates
        outside the longitude/latitude ranges, duplicate stop ids, no route at all.
    """
    import shapely
    from pyproj import CRS, Transformer
    from shapely.geometry import shape

    from twin.io.paths import check_input_file

    path = check_input_file(path, suffixes=(".geojson", ".json"), max_bytes=MAX_FILE_BYTES, field="transit_routes", what="public-transport routes file")
    if CRS.from_user_input(crs).is_geographic:
        raise InputError(f"public transport from OSM routes needs a metric scene CRS, got {crs}", path=path, field="crs")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"not JSON: {exc}", path=path, field="transit_routes") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise InputError("not a GeoJSON FeatureCollection", path=path, field="type")
    crs_name = str(((data.get("crs") or {}).get("properties") or {}).get("name", "CRS84"))
    if not (crs_name.endswith("CRS84") or crs_name.endswith("4326")):
        raise InputError(f"the routes file must be in longitude/latitude (CRS84, RFC 7946), it declares {crs_name}", path=path, field="crs")
    to_metric = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    routes: list[MapRoute] = []
    stop_ids: list[str] = []
    names: list[str] = []
    kinds: list[str] = []
    lonlat: list[tuple[float, float]] = []
    for k, feat in enumerate(data["features"]):
        props = (feat or {}).get("properties") or {}
        geom_json = (feat or {}).get("geometry")
        kind = (geom_json or {}).get("type") if isinstance(geom_json, dict) else None
        osm_id = _text(props, "osm_id")
        where = f"feature {k}" + (f" (OSM {_text(props, 'osm_type') or 'id'} {osm_id})" if osm_id else "")
        if kind not in ("LineString", "MultiLineString", "Point"):
            raise InputError(f"a feature must be a route line (LineString, MultiLineString) or a stop (Point), got {kind!r}", path=path, obj=where, field="geometry")
        try:
            geom = shape(geom_json)
        except (ValueError, TypeError, AttributeError, IndexError) as exc:
            raise InputError(f"unreadable geometry: {exc}", path=path, obj=where, field="geometry") from None
        coords = shapely.get_coordinates(geom)
        if geom.is_empty or not (np.all(np.abs(coords[:, 0]) <= 180) and np.all(np.abs(coords[:, 1]) <= 90)):
            raise InputError("empty geometry or coordinates outside longitude [-180, 180] / latitude [-90, 90]", path=path, obj=where, field="geometry")
        if kind == "Point":
            stop_ids.append(f"osm:node/{osm_id}" if osm_id else f"stop_{k}")
            names.append(_text(props, "name"))
            tagged = [v for v in (_text(props, "highway"), _text(props, "railway")) if v in ("bus_stop", "tram_stop", "halt", "station")]
            kinds.append("" if _text(props, "public_transport") or not tagged else ",".join(tagged))
            lonlat.append((float(coords[0, 0]), float(coords[0, 1])))
            continue
        mode = _text(props, "route")
        if not mode:
            raise InputError("a route line needs its mode in 'route' (the OSM tag: tram, bus, subway ...)", path=path, obj=where, field="route")
        line = shapely.transform(geom, lambda xy: np.column_stack(to_metric.transform(xy[:, 0], xy[:, 1])))
        routes.append(MapRoute(route_id=f"osm:relation/{osm_id}" if osm_id else f"route_{k}", mode=mode, ref=_text(props, "ref"), name=_text(props, "name"),
                               operator=_text(props, "operator"), line=line, feature=k))  # fmt: skip
    if not routes:
        raise InputError("the file has no route line (LineString or MultiLineString features with 'route')", path=path, field="route")
    seen: set[str] = set()
    for i, sid in enumerate(stop_ids):
        if sid in seen:
            raise InputError(f"stop {sid!r} is given twice", path=path, obj=f"stop {i}", field="osm_id")
        seen.add(sid)
    ll = np.asarray(lonlat, dtype=np.float64).reshape(-1, 2)
    xy = np.column_stack(to_metric.transform(ll[:, 0], ll[:, 1])) if len(ll) else np.zeros((0, 2))
    return routes, stop_ids, names, kinds, ll, xy


# ---------------------------------------------------------------------------------------- geometry
def route_chains(line: Any, *, gap_m: float = CHAIN_GAP_M) -> list[Any]:
    """The route's line as chains: merged pieces joined end to end when their ends are within ``gap_m``."""
    import shapely
    from shapely.geometry import LineString

    merged = shapely.line_merge(line) if line.geom_type != "LineString" else line
    pieces = [list(p.coords) for p in sorted(getattr(merged, "geoms", [merged]), key=lambda g: -g.length) if p.length > 0]
    chains = []
    while pieces:
        chain = pieces.pop(0)
        while pieces:
            best = None
            for i, c in enumerate(pieces):
                for at_end in (True, False):
                    anchor = chain[-1] if at_end else chain[0]
                    for cc in (c, c[::-1]):
                        join = cc[0] if at_end else cc[-1]
                        d = math.hypot(join[0] - anchor[0], join[1] - anchor[1])
                        if d <= gap_m and (best is None or d < best[0]):
                            best = (d, i, at_end, cc)
            if best is None:
                break
            _, i, at_end, cc = best
            chain = chain + cc if at_end else cc + chain
            pieces.pop(i)
        chains.append(LineString(chain))
    return chains


def chain_stops(chain: Any, stop_xy: np.ndarray, names: list[str] | None = None, *, max_m: float = STOP_DISTANCE_M,
                spacing_m: float = MIN_STOP_SPACING_M) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Stops of one chain in order along it: (stop indices, distance along the chain, m); one
    point per stop (:data:`MIN_STOP_SPACING_M`, :data:`SAME_NAME_SPACING_M` with ``names``)."""
    import shapely

    if len(stop_xy) == 0:
        return np.zeros(0, np.int64), np.zeros(0)
    pts = shapely.points(stop_xy)
    near = np.flatnonzero(shapely.distance(chain, pts) <= max_m)
    s = shapely.line_locate_point(chain, pts[near])
    order = np.lexsort((near, s))
    keep_i: list[int] = []
    keep_s: list[float] = []
    for j in order.tolist():
        if keep_s:
            gap = s[j] - keep_s[-1]
            same = names is not None and names[near[j]] != "" and names[near[j]] == names[keep_i[-1]]
            if gap < spacing_m or (same and gap < SAME_NAME_SPACING_M):
                continue
        keep_i.append(int(near[j]))
        keep_s.append(float(s[j]))
    return np.asarray(keep_i, dtype=np.int64), np.asarray(keep_s, dtype=np.float64)


def stop_serves(kind: str, mode: str) -> bool:
    """Whether a stop point of ``kind`` (:func:`read_transit_map`) may serve a route of ``mode`` (:data:`STOP_KINDS`)."""
    if not kind or mode not in STOP_KINDS:
        return True
    return any(k in STOP_KINDS[mode] for k in kind.split(","))


def departures(d: ServiceDefault, *, service_s: tuple[float, float] = SERVICE_S, headway_factor: float = 1.0) -> np.ndarray:
    """Departure times from the first stop: the peak headway inside :data:`PEAK_WINDOWS_S`, else the
    off-peak one, each times ``headway_factor`` (a Monte Carlo sample's draw; 1: the table's)."""
    out = []
    t = service_s[0]
    while t <= service_s[1]:
        out.append(t)
        peak = any(a <= t < b for a, b in PEAK_WINDOWS_S)
        t += (d.headway_peak_s if peak else d.headway_offpeak_s) * headway_factor
    return np.asarray(out)


def check_headway_factor(value: float) -> float:
    """``value`` as a float if it is a finite number > 0, else InputError (field ``pt_headway_factor``)."""
    v = float(value)
    if not (math.isfinite(v) and v > 0):
        raise InputError(f"the headway factor must be a finite number > 0, got {value}", field="pt_headway_factor")
    return v


def _hms(t: np.ndarray) -> list[str]:
    s = np.rint(t).astype(np.int64)
    return [f"{v // 3600}:{v // 60 % 60:02d}:{v % 60:02d}" for v in s.tolist()]


# ---------------------------------------------------------------------------------------- feed
def osm_transit(path: str | Path, *, crs: Any = "EPSG:31370", defaults_table: str | Path | None = None, headway_factor: float = 1.0,
                window_s: tuple[float, float] | None = None) -> OsmTransit:  # fmt: skip
    """The schedule-free feed of the routes and stops in ``path`` (module docstring).

    Parameters
    ----------
    path
        The GeoJSON of route lines and stop points (longitude/latitude).
    crs
        The metric CRS distances are measured in (the scene's).
    defaults_table
        Headways and speeds (columns :data:`DEFAULT_COLUMNS`); default :data:`DEFAULTS_TABLE`.
    headway_factor
        Every headway of the table times this (the parameter ``pt_headway_factor`` of
        ``twin/data/mobility_parameters.csv``, drawn per Monte Carlo sample; 1: the table's).
    window_s
        (start, end), s after midnight: only the trips with a departure from a stop in it are
        written (the others would be dropped by :func:`twin.traffic.gtfs.timetable` over that
        window anyway); None: the whole service day.

    Returns
    -------
    OsmTransit
        ``feed`` (a :class:`twin.traffic.gtfs.Feed` of text tables, as :func:`twin.traffic.gtfs.read_gtfs` gives).

    Raises
    ------
    InputError
        Bad defaults (:func:`read_defaults`) or file (:func:`read_transit_map`), a route whose
        mode has no defaults row, no route with 2 stops near it.
    """
    import pandas as pd

    from twin.traffic.gtfs import Feed
    from twin.traffic.osm_transit_patterns import transit_patterns
    from twin.traffic.osm_transit_timetable import pattern_trips

    factor = check_headway_factor(headway_factor)
    defaults_path = Path(defaults_table) if defaults_table is not None else DEFAULTS_TABLE
    path = Path(path)
    pat = transit_patterns(path, crs=crs, defaults_path=defaults_path)  # the stops along each route, matched once per file
    routes, stop_ids, names, lonlat = pat.routes, pat.stop_ids, pat.names, pat.lonlat
    ids, route_of, stops, times = pattern_trips(pat, factor, window_s if window_s is not None else (-math.inf, math.inf))
    trips = [(r, "weekday", t) for r, t in zip(route_of, ids)]
    st_trip: list[str] = []
    st_stop: list[str] = []
    st_seq: list[int] = []
    st_time: list[str] = []
    for trip_id, order, t in zip(ids, stops, times):
        st_trip += [trip_id] * order.size
        st_stop += [stop_ids[j] for j in order.tolist()]
        st_seq += list(range(1, order.size + 1))
        st_time += _hms(t)
    used = set(pat.used)
    route_rows = [{"route_id": r.route_id, "route_short_name": r.ref, "route_long_name": r.name, "route_type": r.mode, "agency_id": r.operator}
                  for r in routes if r.route_id in used]  # fmt: skip
    feed = Feed(
        path=path,
        stops=pd.DataFrame({"stop_id": stop_ids, "stop_name": names, "stop_lat": [f"{v:.7f}" for v in lonlat[:, 1]], "stop_lon": [f"{v:.7f}" for v in lonlat[:, 0]]}),
        routes=pd.DataFrame(route_rows, columns=["route_id", "route_short_name", "route_long_name", "route_type", "agency_id"]),
        trips=pd.DataFrame(trips, columns=["route_id", "service_id", "trip_id"]),
        stop_times=pd.DataFrame({"trip_id": st_trip, "arrival_time": st_time, "departure_time": st_time, "stop_id": st_stop, "stop_sequence": [str(v) for v in st_seq]}),
        calendar=pd.DataFrame([{"service_id": "weekday", **{day: ("1" if i < 5 else "0") for i, day in enumerate(_WEEKDAYS)},
                                "start_date": CALENDAR_SPAN[0], "end_date": CALENDAR_SPAN[1]}]),  # fmt: skip
        meta={"source": "osm_transit", "defaults_table": str(defaults_path)},
    )  # fmt: skip
    return transit_summary(pat, feed)


def transit_summary(pat: Any, feed: Any = None) -> OsmTransit:
    """The :class:`OsmTransit` of matched patterns (:class:`~twin.traffic.osm_transit_patterns.TransitPatterns`) and their ``feed`` (None: not written)."""
    return OsmTransit(feed=feed, routes=len(pat.routes), used=pat.used, skipped=list(pat.skipped), patterns=pat.n_patterns, stops=len(pat.stop_ids),
                      stops_served=pat.stops_served, defaults=dict(pat.defaults), source=pat.path)  # fmt: skip


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def osm_timetable(path: str | Path, *, crs: Any, start_s: float, end_s: float, defaults_table: str | Path | None = None,
                  headway_factor: float = 1.0) -> tuple[Any, str]:  # fmt: skip
    """The :class:`~twin.traffic.gtfs.Timetable` of :func:`osm_transit` (``headway_factor`` as there) on a Tuesday, and its note.

    The same as :func:`twin.traffic.gtfs.timetable` of :func:`osm_transit`'s feed over
    ``[start_s, end_s]``, made from the matched stop patterns (cached per file:
    :mod:`twin.traffic.osm_transit_patterns`) without writing the feed's text
    (:func:`twin.traffic.osm_transit_timetable.pattern_timetable`).
    """
    from twin.traffic.osm_transit_patterns import transit_patterns
    from twin.traffic.osm_transit_timetable import pattern_timetable

    factor = check_headway_factor(headway_factor)
    pat = transit_patterns(Path(path), crs=crs, defaults_path=Path(defaults_table) if defaults_table is not None else DEFAULTS_TABLE)
    return pattern_timetable(pat, factor, start_s=start_s, end_s=end_s, crs=crs), transit_summary(pat).note()
