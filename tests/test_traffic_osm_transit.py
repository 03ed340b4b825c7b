"""Public transport from OSM route lines and stops without a GTFS feed (twin.traffic.osm_transit).

A hand-made route (3 stops on a straight 1 km line) gives in-vehicle times distance / speed and
the mean wait (headway - departure step) / 2, checked by hand; the Saint-Gilles extract's stops
and routes are counted with plain json; a mobility run with the option gives public transport a
share, meets the Brussels targets and gives a 15-minute access by public transport; bad input
gives one error line.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.geojson_builders import write_geojson
from twin.errors import InputError
from twin.traffic.osm_transit import DEFAULTS_TABLE, osm_timetable, osm_transit, read_defaults

REPO = Path(__file__).resolve().parents[1]
EXTRACT = REPO / "data_samples" / "stgilles_transit_osm2013.geojson"
SCENE_FILES = [REPO / "data_samples" / f"stgilles_{k}_osm2013.geojson" for k in ("buildings", "streets")]
HEADER = "mode,operator,headway_peak_s,headway_offpeak_s,speed_m_s,source\n"


def lonlat(x: float, y: float) -> list[float]:
    from pyproj import Transformer

    lon, lat = Transformer.from_crs("EPSG:31370", "EPSG:4326", always_xy=True).transform(x, y)
    return [lon, lat]


def write_map(path: Path, routes: list[tuple[str, list[tuple[float, float]]]], stops: list[tuple[str, float, float]]) -> Path:
    """A GeoJSON of route lines and stop points given in EPSG:31370 metres."""
    feats = [{"type": "Feature", "properties": {"route": mode, "ref": f"L{k}", "osm_id": 100 + k},
              "geometry": {"type": "LineString", "coordinates": [lonlat(x, y) for x, y in line]}} for k, (mode, line) in enumerate(routes)]  # fmt: skip
    feats += [{"type": "Feature", "properties": {"name": name, "osm_id": 1000 + k}, "geometry": {"type": "Point", "coordinates": lonlat(x, y)}}
              for k, (name, x, y) in enumerate(stops)]  # fmt: skip
    return write_geojson(path, feats, crs=None)


@pytest.fixture()
def straight(tmp_path: Path) -> tuple[Path, Path]:
    """A tram on a 1 km east-west line, stops 10 m beside it at 0, 400 and 1000 m (listed out of
    order), 5 m/s, every 10 min at the peak; a second tram line far from every stop."""
    x0, y0 = 148_000.0, 168_500.0
    path = write_map(tmp_path / "map.geojson", [("tram", [(x0, y0), (x0 + 1000.0, y0)]), ("tram", [(x0, y0 + 900.0), (x0 + 500.0, y0 + 900.0)])],
                     [("C", x0 + 1000.0, y0 + 10.0), ("A", x0, y0 - 10.0), ("B", x0 + 400.0, y0 + 10.0)])  # fmt: skip
    table = tmp_path / "defaults.csv"
    table.write_text(HEADER + "tram,,600,900,5.0,test\n", encoding="utf-8")
    return path, table


def test_hand_made_route_times_are_distance_over_speed_and_waits_follow_the_headway(straight) -> None:
    from twin.traffic.transit import departure_times, pt_travel_times, straight_line_legs

    path, table = straight
    built = osm_transit(path, defaults_table=table)
    assert built.routes == 2 and built.skipped == ["tram L1"] and "1 route(s) skipped" in built.note()
    assert built.patterns == 2  # one chain, both directions
    tt, _ = osm_timetable(path, crs="EPSG:31370", start_s=8 * 3600.0, end_s=9 * 3600.0 + 5400.0, defaults_table=table)
    names = dict(zip(built.feed.stops["stop_id"], built.feed.stops["stop_name"]))
    stop_name = np.array([names[s] for s in tt.stop_ids])
    legs = {}
    for a, b, d, r in zip(stop_name[tt.dep_stop], stop_name[tt.arr_stop], tt.dep_t, tt.arr_t):
        legs.setdefault((a, b), []).append((d, r))
    # in-vehicle: 400 m and 600 m at 5 m/s (whole seconds in the feed, coordinates via lon/lat)
    for (a, b), ride in ((("A", "B"), 80.0), (("B", "C"), 120.0), (("C", "B"), 120.0), (("B", "A"), 80.0)):
        assert all(abs(r - d - ride) <= 0.5 for d, r in legs[(a, b)]), (a, b)
    deps = np.array(sorted(d for d, _ in legs[("A", "B")] if d < 9 * 3600.0))
    assert deps[0] == 8 * 3600.0 and np.all(np.diff(deps) == 600.0)  # the peak headway from 08:00
    # door to door from stop A to stop C, departing every minute 08:00-09:00: by hand, the waits
    # are 0, 540, 480, ..., 60 s (mean (600 - 60) / 2 = 270 s), plus the 200 s ride
    ia, ic = int(np.flatnonzero(stop_name == "A")[0]), int(np.flatnonzero(stop_name == "C")[0])
    access = straight_line_legs(tt.stop_xy[[ia]], tt.stop_xy, max_m=1.0)
    egress = straight_line_legs(tt.stop_xy[[ic]], tt.stop_xy, max_m=1.0)
    mean, share = pt_travel_times(tt, access, egress, departure_times(8 * 3600.0, 9 * 3600.0, 60.0), max_time_s=5400.0)
    assert share[0, 0] == 1.0
    assert mean[0, 0] == pytest.approx(270.0 + 200.0, abs=0.5)


def test_a_headway_factor_scales_every_headway_and_nothing_else(straight) -> None:
    """pt_headway_factor 1.3 (a Monte Carlo sample's draw): departures every 780 s at the peak
    (600 x 1.3), the rides unchanged; 0 or a non-finite factor is refused."""
    path, table = straight
    tt, _ = osm_timetable(path, crs="EPSG:31370", start_s=8 * 3600.0, end_s=9 * 3600.0 + 5400.0, defaults_table=table, headway_factor=1.3)
    first = tt.dep_stop[np.argmin(tt.dep_t)]
    deps = np.unique(tt.dep_t[(tt.dep_stop == first) & (tt.dep_t < 9 * 3600.0)])
    assert deps.size >= 4 and np.all(np.diff(deps) == 780.0)
    rides = np.unique(np.round(tt.arr_t - tt.dep_t))
    central, _ = osm_timetable(path, crs="EPSG:31370", start_s=8 * 3600.0, end_s=9 * 3600.0 + 5400.0, defaults_table=table)
    assert np.array_equal(rides, np.unique(np.round(central.arr_t - central.dep_t)))
    for bad in (0.0, float("nan")):
        with pytest.raises(InputError, match="pt_headway_factor"):
            osm_timetable(path, crs="EPSG:31370", start_s=0.0, end_s=3600.0, defaults_table=table, headway_factor=bad)


def test_a_traffic_sample_takes_its_headway_factor(straight) -> None:
    """The scenario's samples: a drawn pt_headway_factor gives that sample a timetable with the
    headways scaled; the central value (1) or a GTFS-less scenario without routes keeps the central one."""
    from dataclasses import replace
    from types import SimpleNamespace

    from twin.scenario.engines.traffic_model import sample_timetable
    from twin.traffic.demand import read_parameters

    path, table = straight
    params = read_parameters()
    assert params["pt_headway_factor"].value == 1.0 and (params["pt_headway_factor"].low, params["pt_headway_factor"].high) == (0.7, 1.4)
    central, _ = osm_timetable(path, crs="EPSG:31370", start_s=8 * 3600.0, end_s=12 * 3600.0 + 5400.0, defaults_table=table)
    files = SimpleNamespace(transit_routes=path, transit_defaults=table, timetable=central)
    options = SimpleNamespace(periods=["am_peak", "off_peak"])
    assert sample_timetable(files, options, params, "EPSG:31370") is central
    drawn = {**params, "pt_headway_factor": replace(params["pt_headway_factor"], value=0.8)}
    tt = sample_timetable(files, options, drawn, "EPSG:31370")
    first = tt.dep_stop[np.argmin(tt.dep_t)]
    deps = np.unique(tt.dep_t[(tt.dep_stop == first) & (tt.dep_t < 9 * 3600.0)])
    assert np.all(np.diff(deps) == 480.0)  # 600 s x 0.8
    no_routes = SimpleNamespace(transit_routes=None, transit_defaults=None, timetable=None)
    assert sample_timetable(no_routes, options, drawn, "EPSG:31370") is None


@pytest.mark.parametrize("factor", [1.0, 1.37])
def test_the_window_leaves_out_only_trips_the_timetable_would_drop(factor: float) -> None:
    """osm_timetable writes only the trips with a departure in its window (a Monte Carlo sample
    rebuilds it); the timetable equals the one of the whole service day over the same window:
    every connection, its times and which trip it belongs to."""
    from twin.traffic.gtfs import timetable

    for start, end in ((8 * 3600.0, 12 * 3600.0 + 5400.0), (11 * 3600.0, 12 * 3600.0 + 5400.0)):
        whole_day = timetable(osm_transit(EXTRACT, crs="EPSG:31370", headway_factor=factor).feed, "20130108", start_s=start, end_s=end, crs="EPSG:31370")
        cut, _ = osm_timetable(EXTRACT, crs="EPSG:31370", start_s=start, end_s=end, headway_factor=factor)
        assert whole_day.n_connections > 500
        for name in ("stop_ids", "stop_xy", "dep_stop", "arr_stop", "dep_t", "arr_t"):
            assert np.array_equal(getattr(whole_day, name), getattr(cut, name)), name
        assert np.array_equal(whole_day.trip_ids[whole_day.trip], cut.trip_ids[cut.trip])
        assert cut.n_trips < whole_day.n_trips


def test_saint_gilles_extract_stops_and_routes_counted_against_the_file() -> None:
    data = json.loads(EXTRACT.read_text(encoding="utf-8"))
    points = [f for f in data["features"] if f["geometry"]["type"] == "Point"]
    lines = [f for f in data["features"] if f["geometry"]["type"] in ("LineString", "MultiLineString")]
    built = osm_transit(EXTRACT)
    assert len(built.feed.stops) == built.stops == len(points)
    assert built.routes == len(lines) and len(built.used) + len(built.skipped) == len(lines)
    assert {f"osm:relation/{f['properties']['osm_id']}" for f in lines} >= set(built.feed.routes["route_id"])
    refs = {f["properties"]["ref"] for f in lines if f["properties"]["route"] == "tram"}
    assert {"3", "4", "51", "81", "92", "97"} <= refs  # the trams of Saint-Gilles
    served = set(built.feed.stop_times["stop_id"])
    assert 0 < len(served) == built.stops_served <= len(points)
    assert len(built.used) >= 10 and not built.feed.stop_times.empty


def test_mobility_with_osm_transit_gives_pt_a_share_meets_the_targets_and_access() -> None:
    from tests.traffic_helpers import stgilles_scene
    from twin.traffic.mobility import MobilityOptions, run_district_mobility
    from twin.traffic.mode_choice import MODES, read_targets

    scene = stgilles_scene()
    res = run_district_mobility(scene, MobilityOptions(transit_routes=str(EXTRACT), feedback=1, periods=("am_peak",), access_categories=("school", "park")))
    trips = res.periods["am_peak"].trips
    shares = trips.sum(axis=(1, 2)) / trips.sum()
    targets = read_targets()  # with public transport: the Region's shares
    # feedback 1: the period's trips are chosen on the skims the constants were calibrated on
    assert shares == pytest.approx([targets[m] for m in MODES], abs=1e-6)
    assert shares[MODES.index("pt")] > 0.2 and res.kpis["am_peak_pt_trips"] > 0
    assert any(n.startswith("public transport without a timetable from OSM routes") for n in res.notes)
    pt = res.access[res.access["mode"] == "pt"]
    assert set(pt["category"]) == {"school", "park"} and (pt["share_of_residents"] > 0).all()


@pytest.mark.parametrize(
    ("row", "needle"),
    [
        ("tramm,,600,900,5.0,x\n", "unknown mode 'tramm'"),
        ("tram,,0,900,5.0,x\n", "headway_peak_s must be a finite number > 0"),
        ("tram,,600,nan,5.0,x\n", "headway_offpeak_s must be a finite number > 0"),
        ("tram,,600,900,-1,x\n", "speed_m_s must be a finite number > 0"),
        ("tram,,600,900,inf,x\n", "speed_m_s must be a finite number > 0"),
    ],
)
def test_bad_defaults_table(tmp_path: Path, row: str, needle: str) -> None:
    table = tmp_path / "d.csv"
    table.write_text(HEADER + row, encoding="utf-8")
    with pytest.raises(InputError, match=needle) as err:
        read_defaults(table)
    assert err.value.obj == "row 2" and str(table) in str(err.value)


def test_packaged_defaults_are_sourced() -> None:
    table = read_defaults()
    assert {"tram", "bus", "subway"} <= {m for m, _ in table}
    for d in table.values():
        assert d.provenance == "default" and d.source.startswith("speed: ") and "headways: " in d.source
    assert read_defaults(DEFAULTS_TABLE) == table


def test_a_route_mode_without_defaults_and_a_map_without_stops_are_errors(tmp_path: Path) -> None:
    line = [(148_000.0, 168_500.0), (149_000.0, 168_500.0)]
    path = write_map(tmp_path / "m.geojson", [("ferry", line)], [("A", 148_000.0, 168_500.0), ("B", 149_000.0, 168_500.0)])
    with pytest.raises(InputError, match="'ferry' route.*no row for that mode") as err:
        osm_transit(path)
    assert "feature 0" in str(err.value)
    path = write_map(tmp_path / "n.geojson", [("tram", line)], [])
    with pytest.raises(InputError, match="none of the 1 routes has 2 stop points within 30 m"):
        osm_transit(path)


def test_a_feed_and_osm_routes_together_are_refused() -> None:
    from twin.traffic.mobility import MobilityOptions

    with pytest.raises(InputError, match="either a GTFS feed or OSM transit routes") as err:
        MobilityOptions(gtfs="feed.zip", transit_routes=str(EXTRACT)).check()
    assert err.value.field == "transit_routes"


def test_cli_bad_transit_input_is_one_error_line(tmp_path: Path) -> None:
    stops_only = write_map(tmp_path / "stops.geojson", [], [("A", 148_000.0, 168_500.0)])
    r = run_twin(["traffic", "mobility", *SCENE_FILES, "--transit-routes", stops_only])
    assert_one_line_error(r, contains=(str(stops_only), "no route line", "'route'"))
    bad = tmp_path / "d.csv"
    bad.write_text(HEADER + "tram,,600,0,5.0,x\n", encoding="utf-8")
    r = run_twin(["traffic", "mobility", *SCENE_FILES, "--transit-routes", EXTRACT, "--transit-defaults", bad])
    assert_one_line_error(r, contains=(str(bad), "row 2", "headway_offpeak_s"))
    r = run_twin(["traffic", "mobility", *SCENE_FILES, "--transit-defaults", bad])
    assert_one_line_error(r, contains=("--transit-defaults", "no OSM transit routes"))


def test_scenario_transit_routes_give_public_transport_and_are_an_input(tmp_path: Path) -> None:
    """``traffic.transit_routes``: public transport becomes a mode and an access mode through the
    scenario path; the file is an input of the run (another file, another run id); not with a feed."""
    import shutil

    import yaml

    from tests.scenario_helpers import BOX_100M, write_small_district
    from twin.errors import ScenarioError
    from twin.scenario.batch import run_identity
    from twin.scenario.runner import run_scenario
    from twin.scenario.schema import parse_scenario

    buildings = write_small_district(tmp_path, BOX_100M)
    shutil.copy(EXTRACT, tmp_path / "transit.geojson")
    streets, pois = (str(REPO / "data_samples" / f"stgilles_{k}_osm2013.geojson") for k in ("streets", "pois"))
    doc = {"name": "osm-pt", "inputs": {"files": [str(buildings), streets, pois]}, "domains": ["traffic"],
           "whatifs": [{"name": "parvis", "modifications": [{"op": "close_streets", "select": {"where": {"name": ["Parvis Saint-Gilles"]}}}]}],
           "traffic": {"transit_routes": "transit.geojson", "periods": ["am_peak"], "feedback": 1, "access_categories": ["school", "park"]}}  # fmt: skip
    comp = run_scenario(parse_scenario(doc), base_dir=tmp_path)
    k = comp.kpis.set_index("kpi")
    assert k.loc["am_peak_pt_share_pct", "baseline"] > 0.0
    assert list(k.filter(like="access_15min_pt_", axis=0).index) == ["access_15min_pt_school_pct", "access_15min_pt_park_pct"]
    path = tmp_path / "osm-pt.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True))
    first = run_identity(path)["run_id"]
    with open(tmp_path / "transit.geojson", "a", encoding="utf-8") as f:
        f.write("\n")  # another routes file (a byte appended)
    assert run_identity(path)["run_id"] != first
    with pytest.raises(ScenarioError, match="either traffic.gtfs"):
        parse_scenario({**doc, "traffic": {**doc["traffic"], "gtfs": "feed.zip"}})
    with pytest.raises(ScenarioError, match="transit_defaults is set but there is no transit_routes"):
        parse_scenario({**doc, "traffic": {"transit_defaults": "d.csv"}})
