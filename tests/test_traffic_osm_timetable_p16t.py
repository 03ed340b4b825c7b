"""The OSM routes' stop patterns matched once per file (twin.traffic.osm_transit_patterns) and the
timetable made from them without the feed's text (twin.traffic.osm_transit_timetable).

The timetable of osm_timetable is, by definition, twin.traffic.gtfs.timetable of the feed
osm_transit writes: both are compared array by array (values and dtypes) on the Saint-Gilles
extract at several headway factors and windows. The cache: a second call returns the same
patterns, a rewritten routes file or defaults table gives a new entry, the shared arrays are
read-only and two timetables in a row leave them as they were."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from twin.traffic import osm_transit_patterns as otp
from twin.traffic.gtfs import timetable
from twin.traffic.osm_transit import DEFAULTS_TABLE, osm_timetable, osm_transit

REPO = Path(__file__).resolve().parents[1]
EXTRACT = REPO / "data_samples" / "stgilles_transit_osm2013.geojson"
FIELDS = ("stop_ids", "stop_xy", "dep_stop", "arr_stop", "dep_t", "arr_t", "trip", "trip_ids", "route_of_trip")


@pytest.mark.parametrize("factor", [1.0, 0.73, 1.37])
def test_the_timetable_equals_the_one_read_from_the_written_feed(factor: float) -> None:
    for start, end in ((8 * 3600.0, 13.5 * 3600.0), (16 * 3600.0, 20.5 * 3600.0)):
        built = osm_transit(EXTRACT, crs="EPSG:31370", headway_factor=factor, window_s=(start, end))
        ref = timetable(built.feed, "20130108", start_s=start, end_s=end, crs="EPSG:31370")
        tt, note = osm_timetable(EXTRACT, crs="EPSG:31370", start_s=start, end_s=end, headway_factor=factor)
        assert ref.n_connections > 1000 and note == built.note()
        for name in FIELDS:
            a, b = getattr(ref, name), getattr(tt, name)
            assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b), name
        assert (tt.date, tt.crs) == (ref.date, ref.crs)


def copy_extract(tmp_path: Path, *, drop_last_route: bool = False) -> Path:
    data = json.loads(EXTRACT.read_text(encoding="utf-8"))
    if drop_last_route:
        last = max(i for i, f in enumerate(data["features"]) if f["geometry"]["type"] != "Point")
        del data["features"][last]
    path = tmp_path / "routes.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_patterns_are_matched_once_per_file_and_again_when_it_changes(tmp_path: Path) -> None:
    otp._PATTERNS_CACHE.clear()
    path = copy_extract(tmp_path)
    first = otp.transit_patterns(path, crs="EPSG:31370", defaults_path=DEFAULTS_TABLE)
    assert otp.transit_patterns(path, crs="EPSG:31370", defaults_path=DEFAULTS_TABLE) is first
    assert len(otp._PATTERNS_CACHE) == 1
    # the file rewritten with a route less: a new entry, one pattern fewer at least
    copy_extract(tmp_path, drop_last_route=True)
    fewer = otp.transit_patterns(path, crs="EPSG:31370", defaults_path=DEFAULTS_TABLE)
    assert fewer is not first and len(otp._PATTERNS_CACHE) == 2
    assert len(fewer.routes) == len(first.routes) - 1 and fewer.n_patterns <= first.n_patterns
    # the packaged defaults as a table of the user's: another entry, whose defaults say so
    table = tmp_path / "defaults.csv"
    table.write_text(DEFAULTS_TABLE.read_text(encoding="utf-8"), encoding="utf-8")
    other = otp.transit_patterns(path, crs="EPSG:31370", defaults_path=table)
    assert other is not fewer and len(otp._PATTERNS_CACHE) == 3
    assert other.defaults_path == table and all(d.provenance == "table defaults.csv" for d in other.defaults.values())


def test_shared_patterns_are_read_only_and_unchanged_by_timetables() -> None:
    otp._PATTERNS_CACHE.clear()
    window = dict(start_s=8 * 3600.0, end_s=13.5 * 3600.0)
    first, _ = osm_timetable(EXTRACT, crs="EPSG:31370", headway_factor=0.9, **window)
    pat = otp.transit_patterns(EXTRACT, crs="EPSG:31370", defaults_path=DEFAULTS_TABLE)
    saved = [(i.copy(), s.copy()) for _, _, chains in pat.chains for i, s in chains]
    idx, along = pat.chains[0][2][0]
    with pytest.raises(ValueError, match="read-only"):
        idx[0] = 0
    with pytest.raises(ValueError, match="read-only"):
        pat.feed_xy[0, 0] = 0.0
    other, _ = osm_timetable(EXTRACT, crs="EPSG:31370", headway_factor=1.3, **window)
    again, _ = osm_timetable(EXTRACT, crs="EPSG:31370", headway_factor=0.9, **window)
    assert len(otp._PATTERNS_CACHE) == 1 and otp.transit_patterns(EXTRACT, crs="EPSG:31370", defaults_path=DEFAULTS_TABLE) is pat
    assert all(np.array_equal(a, i) and np.array_equal(b, s) for (a, b), (i, s) in zip(saved, ((i, s) for _, _, c in pat.chains for i, s in c), strict=True))
    assert other.n_connections < first.n_connections  # longer headways, fewer trips
    for name in FIELDS:
        assert np.array_equal(getattr(again, name), getattr(first, name)), name
