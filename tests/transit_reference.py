"""A plain-Python public-transport router, written apart from twin.traffic.gtfs and the kernel.

It reads the GTFS zip with the csv module, and for every departure time relaxes whole trips
round by round (as RAPTOR does, Delling, Pajor & Werneck 2015) until nothing improves, instead of
scanning connections once in time order. The rules are those the issue's model states: walk to
stops within the access radius, board after arriving (``slack`` after a ride or a transfer
walk), one walking transfer between rides, walk to the destination from a stop reached by a
vehicle; travel time = arrival - departure, averaged over the departures that arrive within
``max_time``.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile


def _secs(text):
    h, m, s = (int(p) for p in text.strip().split(":"))
    return h * 3600 + m * 60 + s


def read_trips(zip_path, service_ids):
    """{trip_id: [(stop_id, arrival_s, departure_s), ...] in stop_sequence order}, stop coordinates."""
    with zipfile.ZipFile(zip_path) as z:
        def rows(name):
            return list(csv.DictReader(io.TextIOWrapper(z.open(name), encoding="utf-8-sig")))

        trips = {r["trip_id"] for r in rows("trips.txt") if r["service_id"] in service_ids}
        stops = {r["stop_id"]: (float(r["stop_lat"]), float(r["stop_lon"])) for r in rows("stops.txt")}
        by_trip = {}
        for r in rows("stop_times.txt"):
            if r["trip_id"] in trips:
                by_trip.setdefault(r["trip_id"], []).append((int(r["stop_sequence"]), r["stop_id"], _secs(r["arrival_time"]), _secs(r["departure_time"])))
    return {t: [(s, a, d) for _, s, a, d in sorted(v)] for t, v in by_trip.items()}, stops


def mean_travel_times(trips, stop_xy, zone_xy, departures, *, speed, detour, max_access, max_transfer, slack, max_time):
    """Mean travel time (s, None if never reached) for every ordered pair of zones."""
    def walk(p, q):
        return math.hypot(p[0] - q[0], p[1] - q[1])

    ids = sorted(stop_xy)
    near = {z: [(s, walk(zone_xy[z], stop_xy[s]) * detour / speed) for s in ids if walk(zone_xy[z], stop_xy[s]) <= max_access] for z in range(len(zone_xy))}
    foot = {s: [(s2, walk(stop_xy[s], stop_xy[s2]) * detour / speed) for s2 in ids if s2 != s and walk(stop_xy[s], stop_xy[s2]) <= max_transfer] for s in ids}
    out = {}
    for zo in range(len(zone_xy)):
        sums = [0.0] * len(zone_xy)
        counts = [0] * len(zone_xy)
        for tau in departures:
            board = {}
            for s, t in near[zo]:
                board[s] = min(board.get(s, math.inf), tau + t)
            arr = {}
            changed = True
            while changed:
                changed = False
                for legs in trips.values():
                    on = False
                    for i in range(len(legs) - 1):
                        s, _, dep = legs[i]
                        if dep > tau + max_time:
                            break
                        if not on and dep >= tau and board.get(s, math.inf) <= dep:
                            on = True
                        if on:
                            s2, ta, _ = legs[i + 1]
                            if ta < arr.get(s2, math.inf):
                                arr[s2] = ta
                                changed = True
                                board[s2] = min(board.get(s2, math.inf), ta + slack)
                                for s3, w in foot[s2]:
                                    arr[s3] = min(arr.get(s3, math.inf), ta + w)
                                    board[s3] = min(board.get(s3, math.inf), ta + w + slack)
            for zd in range(len(zone_xy)):
                best = min((arr.get(s, math.inf) + t for s, t in near[zd]), default=math.inf)
                if best - tau <= max_time:
                    sums[zd] += best - tau
                    counts[zd] += 1
        for zd in range(len(zone_xy)):
            out[(zo, zd)] = sums[zd] / counts[zd] if counts[zd] else None
    return out
