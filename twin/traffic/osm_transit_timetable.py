"""The timetable of an OSM routes file's stop patterns at a headway factor, without the text feed.

:func:`twin.traffic.osm_transit.osm_timetable` is, by definition, :func:`twin.traffic.gtfs.timetable`
of the feed :func:`twin.traffic.osm_transit.osm_transit` writes (times as ``H:MM:SS``, stop
coordinates as 7-decimal longitude/latitude) on a Tuesday. :func:`pattern_timetable` makes the
same :class:`~twin.traffic.gtfs.Timetable` from the matched patterns
(:class:`~twin.traffic.osm_transit_patterns.TransitPatterns`) directly: every time rounded to the
whole second as the feed writes it, every coordinate through its 7-decimal text, trips in the
order of their ids, connections sorted by departure then arrival as there. A Monte Carlo sample
(one headway factor) then does not write and parse the feed's text tables again
(``tests/test_traffic_osm_timetable_p16t.py`` compares both ways).
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: The service day of the feed's weekday calendar the timetable is made for (a Tuesday).
SERVICE_DATE = "20130108"


def pattern_trips(pat: Any, factor: float, window_s: tuple[float, float]) -> tuple[list[str], list[str], list[np.ndarray], list[np.ndarray]]:
    """The trips :func:`~twin.traffic.osm_transit.osm_transit` writes over ``window_s``: their ids,
    routes, stops (indices into ``pat.stop_ids``, in order) and times at the stops (s, rounded to
    the whole second as ``H:MM:SS`` text holds them)."""
    from twin.traffic.osm_transit import departures

    ids: list[str] = []
    routes: list[str] = []
    stops: list[np.ndarray] = []
    times: list[np.ndarray] = []
    for r, d, chains in pat.chains:
        deps = departures(d, headway_factor=factor)
        for c, (idx, s) in enumerate(chains):
            for direction in (0, 1):
                order = idx if direction == 0 else idx[::-1]
                along = s - s[0] if direction == 0 else s[-1] - s[::-1]
                for k, t0 in enumerate(deps.tolist()):
                    if t0 > window_s[1] or t0 + along[-1] / d.speed_m_s < window_s[0]:
                        continue  # no departure from a stop in the window
                    ids.append(f"{r.route_id}:{c}:{direction}:{k}")
                    routes.append(r.route_id)
                    stops.append(order)
                    times.append(np.rint(t0 + along / d.speed_m_s).astype(np.int64).astype(float))
    return ids, routes, stops, times


def pattern_timetable(pat: Any, factor: float, *, start_s: float, end_s: float, crs: Any) -> Any:
    """The :class:`~twin.traffic.gtfs.Timetable` of ``pat``'s trips at ``factor`` times the
    headways over ``[start_s, end_s]`` on :data:`SERVICE_DATE` (module docstring)."""
    from twin.traffic.gtfs import Timetable, window_connections

    ids, routes, stops, times = pattern_trips(pat, factor, (start_s, end_s))
    trip_ids = np.array(ids, dtype=object)
    by_id = np.argsort(trip_ids, kind="stable")  # the feed's trips in the order of np.unique of their ids
    n_rows = np.array([stops[i].size for i in by_id.tolist()], dtype=np.int64)
    row_stop = np.concatenate([stops[i] for i in by_id.tolist()]) if ids else np.zeros(0, np.int64)
    row_t = np.concatenate([times[i] for i in by_id.tolist()]) if ids else np.zeros(0)
    row_trip = np.repeat(np.arange(len(ids), dtype=np.int64), n_rows)
    stop_text = np.array(pat.stop_ids, dtype=object)
    used_ids = np.unique(stop_text[row_stop])
    at = {sid: i for i, sid in enumerate(pat.stop_ids)}
    stop_xy = pat.feed_xy[[at[s] for s in used_ids.tolist()]].reshape(-1, 2)  # through the feed's 7-decimal text
    sidx = np.searchsorted(used_ids, stop_text[row_stop]).astype(np.int64) if row_stop.size else np.zeros(0, np.int64)
    dep_stop, arr_stop, dep_t, arr_t, trip = window_connections(row_trip, sidx, row_t, row_t, start_s, end_s)
    return Timetable(stop_ids=used_ids, stop_xy=stop_xy, dep_stop=dep_stop, arr_stop=arr_stop, dep_t=dep_t, arr_t=arr_t,
                     trip=trip, trip_ids=trip_ids[by_id], route_of_trip=np.array(routes, dtype=object)[by_id], date=SERVICE_DATE, crs=crs)  # fmt: skip
