"""GTFS static feeds: reading, checking, and the timetable of one service day as connections.

A feed is a ``.zip`` or a folder with ``stops.txt``, ``routes.txt``, ``trips.txt``,
``stop_times.txt`` and ``calendar.txt`` and/or ``calendar_dates.txt`` (GTFS Schedule
reference, https://gtfs.org/schedule/reference/). Read with pandas (every column as text).

Checked before use, each as one :class:`~twin.errors.InputError` naming the file, the line and
the field: missing files or columns, duplicate stop or trip ids, a stop time naming a stop or
a trip that does not exist (a broken reference), a trip naming an unknown route, times that
are not ``H:MM:SS``, times that go backwards along a trip, a ``stop_sequence`` repeated
within a trip, coordinates outside the WGS84 ranges, calendar dates that are not ``YYYYMMDD``,
calendars without a row, a date with no service.

:func:`timetable` turns the trips running on a date into *connections* (vehicle legs between
consecutive stops) sorted by departure time, with stop coordinates in a metric CRS, for the
Connection Scan kernel (:mod:`twin.kernels.transit_csa`). Stop times without a time (non-
timepoints) are interpolated linearly between the timed stops of their trip.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from twin.errors import InputError

REQUIRED: dict[str, tuple[str, ...]] = {
    "stops.txt": ("stop_id", "stop_lat", "stop_lon"),
    "routes.txt": ("route_id",),
    "trips.txt": ("route_id", "service_id", "trip_id"),
    "stop_times.txt": ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"),
}
CALENDARS = ("calendar.txt", "calendar_dates.txt")
MAX_FEED_BYTES = 2 * 1024**3
"""Largest feed accepted (a whole-country feed is a few hundred MB unzipped)."""
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass
class Feed:
    """The tables of a GTFS feed (pandas DataFrames of text) and where they came from."""

    path: Path
    stops: Any
    routes: Any
    trips: Any
    stop_times: Any
    calendar: Any = None
    calendar_dates: Any = None
    meta: dict[str, Any] = field(default_factory=dict)

    def where(self, name: str) -> str:
        """``feed.zip:stop_times.txt`` (for messages)."""
        return f"{self.path}:{name}" if self.path.suffix.lower() == ".zip" else str(self.path / name)


@dataclass
class Timetable:
    """Connections of one service day, sorted by departure time (times in s after midnight)."""

    stop_ids: np.ndarray
    stop_xy: np.ndarray
    dep_stop: np.ndarray
    arr_stop: np.ndarray
    dep_t: np.ndarray
    arr_t: np.ndarray
    trip: np.ndarray
    trip_ids: np.ndarray
    route_of_trip: np.ndarray
    date: str
    crs: Any = None

    @property
    def n_stops(self) -> int:
        return int(self.stop_ids.shape[0])

    @property
    def n_trips(self) -> int:
        return int(self.trip_ids.shape[0])

    @property
    def n_connections(self) -> int:
        return int(self.dep_t.shape[0])


# ---------------------------------------------------------------------------------------- reading
def _open_tables(path: Path) -> dict[str, bytes]:
    if path.is_dir():
        return {p.name: p.read_bytes() for p in path.iterdir() if p.suffix == ".txt" and p.is_file()}
    from twin.io.paths import check_input_file

    check_input_file(path, suffixes=(".zip",), max_bytes=MAX_FEED_BYTES, field="gtfs", what="GTFS feed")
    try:
        with zipfile.ZipFile(path) as z:
            out = {}
            total = 0
            for info in z.infolist():
                name = info.filename.rsplit("/", 1)[-1]
                if not name.endswith(".txt"):
                    continue
                total += info.file_size
                if total > MAX_FEED_BYTES:
                    raise InputError(f"the feed unzips to more than {MAX_FEED_BYTES / 1024**3:g} GB", path=path, field="gtfs")
                out[name] = z.read(info)
            return out
    except zipfile.BadZipFile:
        raise InputError("not a zip file (a GTFS feed is a zip of .txt tables)", path=path, field="gtfs") from None


def check_feed_path(path: str | Path) -> Path:
    """``path`` as a Path if it is a folder, or a ``.zip`` file of at most :data:`MAX_FEED_BYTES`;
    else an InputError naming it and the field ``gtfs`` (``--gtfs`` on the command line). Nothing
    is read: ``twin traffic mobility`` checks the feed's path before the scene's, and reads the
    feed after them."""
    path = Path(path)
    if not path.exists():
        raise InputError("GTFS feed not found", path=path, field="gtfs")
    if not path.is_dir():
        from twin.io.paths import check_input_file

        check_input_file(path, suffixes=(".zip",), max_bytes=MAX_FEED_BYTES, field="gtfs", what="GTFS feed")
    return path


def read_gtfs(path: str | Path) -> Feed:
    """Read and check a GTFS feed (zip or folder).

    Raises
    ------
    InputError
        See the module docstring; the message names the table, line and field.
    """
    import pandas as pd

    path = check_feed_path(path)
    raw = _open_tables(path)
    feed = Feed(path=path, stops=None, routes=None, trips=None, stop_times=None)
    tables: dict[str, Any] = {}
    for name in (*REQUIRED, *CALENDARS):
        if name not in raw:
            if name in REQUIRED:
                raise InputError(f"the feed has no {name}", path=path, field=name)
            continue
        try:
            frame = pd.read_csv(io.BytesIO(raw[name]), dtype=str, keep_default_na=False, skipinitialspace=True, encoding="utf-8-sig")
        except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read the table: {str(exc).splitlines()[0]}", path=feed.where(name)) from None
        frame.columns = [c.strip() for c in frame.columns]
        for col in REQUIRED.get(name, ()):
            if col not in frame.columns:
                raise InputError(f"missing column {col!r}", path=feed.where(name), field=col)
        if name in REQUIRED and frame.empty:  # a header only: no stop, route, trip or stop time, no public transport
            raise InputError(f"{name} has no rows (a header only): the feed runs no public transport", path=feed.where(name))
        tables[name] = frame
    if not any(c in tables for c in CALENDARS):
        raise InputError("the feed has neither calendar.txt nor calendar_dates.txt", path=path, field="calendar.txt")
    feed.stops, feed.routes, feed.trips, feed.stop_times = (tables[n] for n in REQUIRED)
    feed.calendar = tables.get("calendar.txt")
    feed.calendar_dates = tables.get("calendar_dates.txt")
    _check_references(feed)
    _check_calendar_dates(feed)
    return feed


def _check_calendar_dates(feed: Feed) -> None:
    """Every date of the calendars is a calendar date ``YYYYMMDD``, and the calendars hold a row:
    a header-only calendar.txt was an internal error (ValueError: time data '' does not match
    format '%Y%m%d', exit 70) when the service day was chosen."""
    import datetime as dt

    rows = 0
    for name, frame, columns in (("calendar.txt", feed.calendar, ("start_date", "end_date")), ("calendar_dates.txt", feed.calendar_dates, ("date",))):
        if frame is None:
            continue
        rows += len(frame)
        for col in columns:
            if col not in frame.columns:
                if len(frame):
                    raise InputError(f"missing column {col!r}", path=feed.where(name), field=col)
                continue
            for k, text in enumerate(frame[col].str.strip().tolist()):
                try:
                    dt.datetime.strptime(text, "%Y%m%d")
                except ValueError:
                    raise InputError(f"{col} must be a calendar date YYYYMMDD, got {text!r}", path=feed.where(name), obj=f"line {k + 2}", field=col) from None
    if rows == 0:
        present = " and ".join(n for n, f in (("calendar.txt", feed.calendar), ("calendar_dates.txt", feed.calendar_dates)) if f is not None)
        verb = "hold" if " and " in present else "holds"
        raise InputError(f"the feed's {present} {verb} no row: no service runs on any day", path=feed.path, field=present.split(" ")[0])


def _first_bad(mask: np.ndarray) -> int | None:
    idx = np.flatnonzero(mask)
    return int(idx[0]) if idx.size else None


def _check_references(feed: Feed) -> None:
    st, stops, trips, routes = feed.stop_times, feed.stops, feed.trips, feed.routes
    for name, frame, key in (("stops.txt", stops, "stop_id"), ("trips.txt", trips, "trip_id"), ("routes.txt", routes, "route_id")):
        dup = frame[key].duplicated().to_numpy()
        k = _first_bad(dup)
        if k is not None:
            raise InputError(f"duplicate {key} {frame[key].iloc[k]!r}", path=feed.where(name), obj=f"line {k + 2}", field=key)
        k = _first_bad((frame[key].str.strip() == "").to_numpy())
        if k is not None:
            raise InputError(f"empty {key}", path=feed.where(name), obj=f"line {k + 2}", field=key)
    k = _first_bad(~st["stop_id"].isin(stops["stop_id"]).to_numpy())
    if k is not None:
        raise InputError(f"stop {st['stop_id'].iloc[k]!r} is not in stops.txt (a broken stop reference)", path=feed.where("stop_times.txt"), obj=f"line {k + 2}", field="stop_id")
    k = _first_bad(~st["trip_id"].isin(trips["trip_id"]).to_numpy())
    if k is not None:
        raise InputError(f"trip {st['trip_id'].iloc[k]!r} is not in trips.txt", path=feed.where("stop_times.txt"), obj=f"line {k + 2}", field="trip_id")
    k = _first_bad(~trips["route_id"].isin(routes["route_id"]).to_numpy())
    if k is not None:
        raise InputError(f"route {trips['route_id'].iloc[k]!r} is not in routes.txt", path=feed.where("trips.txt"), obj=f"line {k + 2}", field="route_id")
    used = stops["stop_id"].isin(st["stop_id"]).to_numpy()
    for col, lo, hi in (("stop_lat", -90.0, 90.0), ("stop_lon", -180.0, 180.0)):
        vals = np.full(len(stops), np.nan)
        for i, text in enumerate(stops[col].tolist()):
            try:
                vals[i] = float(text) if str(text).strip() else np.nan
            except ValueError:
                vals[i] = np.nan
        k = _first_bad(used & ~((vals >= lo) & (vals <= hi)))
        if k is not None:
            raise InputError(f"{col} must be a number in [{lo:g}, {hi:g}], got {stops[col].iloc[k]!r}", path=feed.where("stops.txt"), obj=f"line {k + 2}", field=col)


def parse_times(values: Any, *, path: str, field: str, lines: np.ndarray | None = None) -> np.ndarray:
    """``H:MM:SS`` (hours may exceed 24) to seconds; '' to NaN. InputError on anything else."""
    s = np.asarray(values, dtype=object).astype(str)
    out = np.full(s.shape[0], np.nan)
    for i, text in enumerate(s.tolist()):
        text = text.strip()
        if not text:
            continue
        parts = text.split(":")
        ok = len(parts) == 3 and all(p.isdigit() for p in parts)
        if ok:
            h, m, sec = (int(p) for p in parts)
            ok = m < 60 and sec < 60 and h < 240
        if not ok:
            line = int(lines[i]) if lines is not None else i + 2
            raise InputError(f"time {text!r} is not H:MM:SS", path=path, obj=f"line {line}", field=field)
        out[i] = h * 3600 + m * 60 + sec
    return out


# ---------------------------------------------------------------------------------------- service
def services_on(feed: Feed, date: str) -> set[str]:
    """Service ids running on ``date`` (``YYYYMMDD``): calendar.txt then its exceptions."""
    import datetime as dt

    try:
        day = dt.datetime.strptime(str(date), "%Y%m%d").date()
    except ValueError:
        raise InputError(f"the service date must be YYYYMMDD, got {date!r}", field="date") from None
    active: set[str] = set()
    cal = feed.calendar
    if cal is not None and len(cal):
        wd = WEEKDAYS[day.weekday()]
        for col in ("service_id", wd, "start_date", "end_date"):
            if col not in cal.columns:
                raise InputError(f"missing column {col!r}", path=feed.where("calendar.txt"), field=col)
        run = (cal[wd].str.strip() == "1") & (cal["start_date"].str.strip() <= day.strftime("%Y%m%d")) & (cal["end_date"].str.strip() >= day.strftime("%Y%m%d"))
        active |= set(cal.loc[run, "service_id"])
    cd = feed.calendar_dates
    if cd is not None and len(cd):
        for col in ("service_id", "date", "exception_type"):
            if col not in cd.columns:
                raise InputError(f"missing column {col!r}", path=feed.where("calendar_dates.txt"), field=col)
        today = cd[cd["date"].str.strip() == day.strftime("%Y%m%d")]
        active |= set(today.loc[today["exception_type"].str.strip() == "1", "service_id"])
        active -= set(today.loc[today["exception_type"].str.strip() == "2", "service_id"])
    return active


def feed_dates(feed: Feed) -> tuple[str, str]:
    """First and last date the calendar tables mention (``YYYYMMDD``)."""
    dates: list[str] = []
    if feed.calendar is not None and len(feed.calendar):
        dates += feed.calendar["start_date"].str.strip().tolist() + feed.calendar["end_date"].str.strip().tolist()
    if feed.calendar_dates is not None and len(feed.calendar_dates):
        dates += feed.calendar_dates["date"].str.strip().tolist()
    return (min(dates), max(dates)) if dates else ("", "")


def timetable(feed: Feed, date: str, *, start_s: float = 0.0, end_s: float = 48 * 3600.0, crs: Any = "EPSG:31370") -> Timetable:
    """Connections of the trips running on ``date`` that depart in ``[start_s, end_s]``.

    Stop coordinates are projected to ``crs`` (metric). Raises InputError when no service runs
    on the date (naming the dates the feed covers) or a trip's times go backwards.
    """
    import pandas as pd
    from pyproj import Transformer

    services = services_on(feed, date)
    if not services:
        first, last = feed_dates(feed)
        raise InputError(f"no service runs on {date} (the feed's calendar covers {first}-{last})", path=feed.path, field="date")
    trips = feed.trips[feed.trips["service_id"].isin(services)]
    st = feed.stop_times
    lines = np.arange(len(st)) + 2
    sel = st["trip_id"].isin(trips["trip_id"]).to_numpy()
    st = st[sel]
    lines = lines[sel]
    seq = pd.to_numeric(st["stop_sequence"].str.strip(), errors="coerce").to_numpy()
    k = _first_bad(~np.isfinite(seq))
    if k is not None:
        raise InputError(f"stop_sequence {st['stop_sequence'].iloc[k]!r} is not a whole number", path=feed.where("stop_times.txt"), obj=f"line {lines[k]}", field="stop_sequence")
    arr = parse_times(st["arrival_time"].to_numpy(), path=feed.where("stop_times.txt"), field="arrival_time", lines=lines)
    dep = parse_times(st["departure_time"].to_numpy(), path=feed.where("stop_times.txt"), field="departure_time", lines=lines)
    arr = np.where(np.isnan(arr), dep, arr)
    dep = np.where(np.isnan(dep), arr, dep)
    trip_codes, trip_index = np.unique(st["trip_id"].to_numpy(), return_inverse=True)
    order = np.lexsort((seq, trip_index))
    trip_index, arr, dep, lines = trip_index[order], arr[order], dep[order], lines[order]
    stop_col = st["stop_id"].to_numpy()[order]
    k = _first_bad((trip_index[1:] == trip_index[:-1]) & (seq[order][1:] == seq[order][:-1]))
    if k is not None:  # the order of the two stops is not given: the trip's legs would be guessed
        raise InputError(f"stop_sequence {seq[order][k + 1]:g} repeats in trip {trip_codes[trip_index[k + 1]]!r} (first at line {lines[k]}): "
                         "it must increase along the trip", path=feed.where("stop_times.txt"), obj=f"line {lines[k + 1]}", field="stop_sequence")  # fmt: skip
    # interpolate missing times along each trip (by position between timed stops)
    starts = np.flatnonzero(np.r_[True, trip_index[1:] != trip_index[:-1]])
    ends = np.r_[starts[1:], trip_index.size]
    for a, b in zip(starts, ends):
        t = dep[a:b]
        if np.isnan(t).any():
            timed = np.flatnonzero(~np.isnan(t))
            if timed.size < 2 or np.isnan(t[0]) or np.isnan(t[-1]):
                raise InputError("the first and last stop of a trip need times", path=feed.where("stop_times.txt"), obj=f"line {lines[a]}", field="departure_time")
            fill = np.interp(np.arange(b - a), timed, t[timed])
            dep[a:b] = np.where(np.isnan(t), fill, t)
            arr[a:b] = np.where(np.isnan(arr[a:b]), fill, arr[a:b])
    same = trip_index[1:] == trip_index[:-1]
    back = same & (arr[1:] < dep[:-1])
    k = _first_bad(back | (dep < arr)[1:] & same)
    if k is not None:
        raise InputError("times go backwards along the trip", path=feed.where("stop_times.txt"), obj=f"line {lines[k + 1]}", field="arrival_time")
    stops = feed.stops
    used_ids = np.unique(stop_col)
    stop_pos = {sid: i for i, sid in enumerate(used_ids.tolist())}
    lookup = stops.set_index("stop_id")
    lat = lookup.loc[used_ids, "stop_lat"].astype(float).to_numpy()
    lon = lookup.loc[used_ids, "stop_lon"].astype(float).to_numpy()
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    sidx = np.fromiter((stop_pos[s] for s in stop_col.tolist()), dtype=np.int64, count=stop_col.size)
    dep_stop, arr_stop, dep_t, arr_t, trip = window_connections(trip_index, sidx, dep, arr, start_s, end_s)
    route_of = trips.set_index("trip_id").loc[trip_codes, "route_id"].to_numpy()
    return Timetable(
        stop_ids=used_ids, stop_xy=np.column_stack([x, y]), dep_stop=dep_stop, arr_stop=arr_stop, dep_t=dep_t, arr_t=arr_t,
        trip=trip, trip_ids=trip_codes, route_of_trip=route_of, date=str(date), crs=crs,
    )  # fmt: skip


def window_connections(row_trip: np.ndarray, row_stop: np.ndarray, dep: np.ndarray, arr: np.ndarray, start_s: float,
                       end_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The connections of stop-time rows sorted by trip and sequence: each pair of consecutive
    rows of one trip that departs in ``[start_s, end_s]``, sorted by departure then arrival time.

    Parameters
    ----------
    row_trip, row_stop : int (n,)
        Trip and stop index of each row.
    dep, arr : float (n,)
        Departure and arrival time of each row, s after midnight.

    Returns
    -------
    dep_stop, arr_stop, dep_t, arr_t, trip
        The :class:`Timetable` connection arrays.
    """
    same = row_trip[1:] == row_trip[:-1]
    c_dep = dep[:-1][same]
    keep = (c_dep >= start_s) & (c_dep <= end_s)
    dep_stop = row_stop[:-1][same][keep]
    arr_stop = row_stop[1:][same][keep]
    dep_t = c_dep[keep]
    arr_t = arr[1:][same][keep]
    trip = row_trip[:-1][same][keep].astype(np.int64)
    o = np.lexsort((arr_t, dep_t))
    return dep_stop[o], arr_stop[o], dep_t[o], arr_t[o], trip[o]
