"""Cut the GTFS sample shipped in data_samples/ from gtfs_kit's Cairns feed.

Source: mrcagney/gtfs_kit (MIT) ``data/cairns_gtfs.zip``: the TransLink (Queensland) Cairns
bus feed of 2014. Kept: the weekday trips (service CNS2014-CNS_MUL-Weekday-00) with at least one
stop time between 06:30 and 09:30, whole; their stops, routes, calendar rows and exceptions.
Dropped: shapes.txt (not used). Run: ``python scripts/cut_gtfs_sample.py cairns_gtfs.zip
data_samples/cairns_gtfs_weekday_am.zip``.
"""

from __future__ import annotations

import io
import sys
import zipfile

import pandas as pd

SERVICE = "CNS2014-CNS_MUL-Weekday-00"
START, END = "06:30:00", "09:30:00"


def main(src: str, dst: str) -> None:
    with zipfile.ZipFile(src) as z:
        t = {n: pd.read_csv(io.BytesIO(z.read(n)), dtype=str, keep_default_na=False) for n in z.namelist() if n.endswith(".txt")}
    st = t["stop_times.txt"]
    trips = t["trips.txt"]
    trips = trips[trips["service_id"] == SERVICE]
    in_window = st[(st["departure_time"].str.zfill(8) >= START) & (st["departure_time"].str.zfill(8) <= END)]
    trips = trips[trips["trip_id"].isin(in_window["trip_id"])]
    st = st[st["trip_id"].isin(trips["trip_id"])]
    out = {
        "agency.txt": t["agency.txt"],
        "stops.txt": t["stops.txt"][t["stops.txt"]["stop_id"].isin(st["stop_id"])],
        "routes.txt": t["routes.txt"][t["routes.txt"]["route_id"].isin(trips["route_id"])],
        "trips.txt": trips.drop(columns=["shape_id"], errors="ignore"),
        "stop_times.txt": st,
        "calendar.txt": t["calendar.txt"][t["calendar.txt"]["service_id"] == SERVICE],
        "calendar_dates.txt": t["calendar_dates.txt"][t["calendar_dates.txt"]["service_id"] == SERVICE],
    }
    with zipfile.ZipFile(dst, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, frame in out.items():
            z.writestr(name, frame.to_csv(index=False))
    print({k: len(v) for k, v in out.items()})


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
