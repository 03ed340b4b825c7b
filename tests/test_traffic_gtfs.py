"""Public transport: the GTFS reader and the Connection Scan skims on a real feed (the Cairns
sample in data_samples/) against a plain-Python round-based router written separately
(tests/transit_reference.py); kernel against its reference on a hand-made line; bad feeds."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from pyproj import Transformer

from tests import transit_reference as ref
from twin.errors import InputError
from twin.traffic.gtfs import read_gtfs, services_on, timetable
from twin.traffic.transit import Legs, departure_times, pt_travel_times, straight_line_legs

SAMPLE = Path(__file__).resolve().parents[1] / "data_samples" / "cairns_gtfs_weekday_am.zip"
DATE = "20140610"  # a Tuesday inside the feed's calendar
UTM55S = "EPSG:32755"


def test_cairns_travel_times_match_an_independent_router() -> None:
    feed = read_gtfs(SAMPLE)
    assert services_on(feed, DATE) == {"CNS2014-CNS_MUL-Weekday-00"}
    tt = timetable(feed, DATE, start_s=6.5 * 3600, end_s=10 * 3600, crs=UTM55S)
    # 24 zones: every 17th stop, moved 150 m east, so that access walks are not zero
    zones = tt.stop_xy[::17][:24] + np.array([150.0, 0.0])
    deps = departure_times(7 * 3600, 8 * 3600, 300)
    legs = straight_line_legs(zones, tt.stop_xy, max_m=800.0)
    mean, share = pt_travel_times(tt, legs, legs, deps, transfer_slack_s=60.0, max_time_s=5400.0)
    # the reference reads the zip with csv, projects the stops itself and routes trip by trip
    trips, stops_ll = ref.read_trips(SAMPLE, {"CNS2014-CNS_MUL-Weekday-00"})
    tr = Transformer.from_crs("EPSG:4326", UTM55S, always_xy=True)
    used = {s for legs_ in trips.values() for s, _, _ in legs_}
    stop_xy = {s: tr.transform(stops_ll[s][1], stops_ll[s][0]) for s in used}
    expect = ref.mean_travel_times(trips, stop_xy, [tuple(z) for z in zones], deps.tolist(), speed=1.33, detour=1.3,
                                   max_access=800.0, max_transfer=400.0, slack=60.0, max_time=5400.0)  # fmt: skip
    pairs = [(o, d) for o in range(len(zones)) for d in range(len(zones)) if o != d]
    both = [(o, d) for o, d in pairs if expect[(o, d)] is not None and np.isfinite(mean[o, d])]
    only_one = [(o, d) for o, d in pairs if (expect[(o, d)] is None) != (not np.isfinite(mean[o, d]))]
    assert not only_one
    assert len(both) > 0.5 * len(pairs)  # most pairs are served: the comparison is not vacuous
    rel = np.array([abs(mean[o, d] - expect[(o, d)]) / expect[(o, d)] for o, d in both])
    assert np.mean(rel <= 0.05) >= 0.95
    assert rel.max() < 1e-9  # same rules, different algorithm: equal to rounding
    assert np.all((share >= 0) & (share <= 1))


def test_kernel_on_a_hand_made_line_with_a_transfer() -> None:
    # stops A(0) B(1) C(2) D(3); trip 0: A 08:00 -> B 08:10 -> C 08:20; trip 1: D 08:23 -> E(4) 08:40
    # C and D are 100 m apart (walk 100*1.3/1.33 = 97.7 s): with a 60 s slack 08:20 + 157.7 s < 08:23 catches trip 1,
    # with a 180 s slack it is missed and trip 2 (08:53 -> 09:10) is taken
    from twin.traffic.gtfs import Timetable

    h = 3600.0
    tt = Timetable(
        stop_ids=np.array(list("ABCDE")), stop_xy=np.array([[0, 0], [1000, 0], [2000, 0], [2000, 100], [4000, 100]], float),
        dep_stop=np.array([0, 1, 3, 3]), arr_stop=np.array([1, 2, 4, 4]), dep_t=np.array([8 * h, 8 * h + 600, 8 * h + 1380, 8 * h + 3180]),
        arr_t=np.array([8 * h + 600, 8 * h + 1200, 8 * h + 2400, 8 * h + 4200]), trip=np.array([0, 0, 1, 2]),
        trip_ids=np.array(["t0", "t1", "t2"]), route_of_trip=np.array(["r", "s", "s"]), date="x",
    )  # fmt: skip
    access = Legs(np.array([0, 1]), np.array([0]), np.array([120.0]))  # origin 2 min from A
    egress = Legs(np.array([0, 1]), np.array([4]), np.array([30.0]))  # destination 30 s from E
    mean, share = pt_travel_times(tt, access, egress, np.array([7 * h + 50 * 60]), transfer_slack_s=60.0, max_time_s=3 * h)
    # leave 07:50, board A 08:00, C 08:20, walk to D, board 08:23, E 08:40, +30 s
    assert mean[0, 0] == pytest.approx(8 * h + 40 * 60 + 30 - (7 * h + 50 * 60))
    assert share[0, 0] == 1.0
    mean2, _ = pt_travel_times(tt, access, egress, np.array([7 * h + 50 * 60]), transfer_slack_s=180.0, max_time_s=3 * h)
    assert mean2[0, 0] == pytest.approx(9 * h + 10 * 60 + 30 - (7 * h + 50 * 60))
    # a departure after the last useful trip within max_time: not served
    mean3, share3 = pt_travel_times(tt, access, egress, np.array([8 * h + 60]), max_time_s=3 * h)
    assert not np.isfinite(mean3[0, 0]) and share3[0, 0] == 0.0


def broken_feed(tmp_path, edit: str) -> Path:
    with zipfile.ZipFile(SAMPLE) as z:
        tables = {n: z.read(n).decode() for n in z.namelist()}
    if edit == "stop":
        lines = tables["stop_times.txt"].splitlines()
        parts = lines[5].split(",")
        parts[3] = "NO_SUCH_STOP"
        lines[5] = ",".join(parts)
        tables["stop_times.txt"] = "\n".join(lines) + "\n"
    elif edit == "route":
        lines = tables["trips.txt"].splitlines()
        lines[3] = "NO_ROUTE" + lines[3][lines[3].index(","):]
        tables["trips.txt"] = "\n".join(lines) + "\n"
    elif edit == "time":
        tables["stop_times.txt"] = tables["stop_times.txt"].replace("07:", "7h", 1)
    elif edit == "nostops":
        del tables["stops.txt"]
    out = tmp_path / f"bad_{edit}.zip"
    with zipfile.ZipFile(out, "w") as z:
        for n, text in tables.items():
            z.writestr(n, text)
    return out


@pytest.mark.parametrize(
    ("edit", "needle", "line"),
    [("stop", "stop 'NO_SUCH_STOP' is not in stops.txt", "line 6"), ("route", "route 'NO_ROUTE' is not in routes.txt", "line 4"), ("nostops", "has no stops.txt", None)],
)
def test_broken_feeds_are_refused_naming_table_line_and_field(tmp_path, edit, needle, line) -> None:
    with pytest.raises(InputError) as err:
        read_gtfs(broken_feed(tmp_path, edit))
    msg = str(err.value)
    assert needle in msg and "\n" not in msg
    if line:
        assert line in msg


def test_bad_time_and_date(tmp_path) -> None:
    feed = read_gtfs(broken_feed(tmp_path, "time"))
    with pytest.raises(InputError, match="is not H:MM:SS"):
        timetable(feed, DATE, crs=UTM55S)
    with pytest.raises(InputError, match="no service runs on 20140607"):
        timetable(read_gtfs(SAMPLE), "20140607", crs=UTM55S)  # a Saturday
    with pytest.raises(InputError, match="not a zip"):
        p = tmp_path / "x.zip"
        p.write_bytes(io.BytesIO(b"plain text").getvalue())
        read_gtfs(p)
