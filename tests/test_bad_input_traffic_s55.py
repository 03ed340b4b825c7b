"""Bad input in the traffic and mobility commands (helper fuzz3, s55): each case was accepted, or
refused with an unclear message, before its fix."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.test_traffic_dynamic_replicates import write_grid


@pytest.mark.parametrize("spelling", ["nan", "NaN"])
def test_nan_written_in_flow_veh_s_is_not_an_empty_cell(tmp_path, spelling):
    """A demand with both ``vehicles`` and ``flow_veh_s``: an empty ``flow_veh_s`` cell is not
    checked, but ``nan`` written in it was read as one by pandas (exit 0)."""
    folder = write_grid(tmp_path / "grid")
    demand = pd.read_csv(folder / "demand.csv")
    demand["vehicles"] = demand["flow_veh_s"] * (demand["t_end_s"] - demand["t_start_s"])
    demand["flow_veh_s"] = demand["flow_veh_s"].astype(object)
    demand.loc[1, "flow_veh_s"] = spelling
    demand.to_csv(folder / "demand.csv", index=False)
    assert_one_line_error(run_twin(["traffic", "simulate", str(folder)]),
                          contains=("demand.csv", "demand row 3", "'flow_veh_s'", f"not a finite number (leave the cell empty if the column may be left out): '{spelling}'"))


def test_an_empty_flow_veh_s_cell_beside_vehicles_still_runs(tmp_path):
    """The fix reads only an empty cell as missing: an empty optional cell stays allowed."""
    folder = write_grid(tmp_path / "grid")
    demand = pd.read_csv(folder / "demand.csv")
    demand["vehicles"] = demand["flow_veh_s"] * (demand["t_end_s"] - demand["t_start_s"])
    demand.loc[1, "flow_veh_s"] = None
    demand.to_csv(folder / "demand.csv", index=False)
    r = run_twin(["traffic", "simulate", str(folder), "--routes", "free_flow", "--json"])
    assert r.code == 0, r.stderr


def test_access_weight_typo_gets_a_hint_and_a_text_column_is_refused() -> None:
    """--weight floor_area named no column to use instead; --weight use (a text column) was a
    ValueError (exit 70)."""
    import geopandas as gpd

    from twin.errors import SchemaError
    from twin.traffic.access import building_weights

    b = gpd.GeoDataFrame({"building_id": ["a", "b"], "use": ["residential", "office"], "floor_area_m2": [100.0, 50.0],
                          "use_defaulted": [False, True]}, geometry=gpd.points_from_xy([0, 1], [0, 1]))  # fmt: skip
    with pytest.raises(SchemaError, match=r"lack the weight column 'floor_area' \(did you mean 'floor_area_m2'\?\); give auto, count or a numeric "
                                          r"column of the buildings \(floor_area_m2\)$"):  # fmt: skip
        building_weights(b, "floor_area")
    for text_column in ("use", "building_id", "use_defaulted"):
        with pytest.raises(SchemaError, match=f"the weight column '{text_column}' is not numeric") as info:
            building_weights(b, text_column)
        assert info.value.field == text_column
    assert building_weights(b, "floor_area_m2")[0].tolist() == [100.0, 0.0]  # office: not residents


def test_access_weight_of_text_is_one_line_naming_the_option(tmp_path) -> None:
    from tests.output_helpers import write_tiny_inputs
    from tests.scenario_helpers import SAMPLES

    district = write_tiny_inputs(tmp_path / "in") / "district.geojson"
    r = run_twin(["traffic", "access", SAMPLES / "stgilles_streets_osm2013.geojson", district, "--weight", "building_id"])
    assert_one_line_error(r, contains=("district.geojson", "'--weight'", "the weight column 'building_id' is not numeric"))


def test_estimate_od_refuses_a_missing_file_before_the_engine_is_imported(tmp_path) -> None:
    """estimate-od imported NumPy, pandas and the traffic engine before it looked at its paths."""
    from tests.test_cli_paths_checked_before_imports import HEAVY, _imported_and_result

    net = tmp_path / "net.tntp"
    net.write_text("")
    cases = [(["--net", tmp_path / "nope_net.tntp", "--trips", net, "--counts", net], ("nope_net.tntp", "network file not found")),
             (["--net", net, "--trips", net, "--counts", tmp_path / "nope.csv"], ("nope.csv", "'--counts'", "counts file not found"))]
    for args, contains in cases:
        imported, result = _imported_and_result(["traffic", "estimate-od", *args, "--rounds", "3"])
        assert_one_line_error(result, contains=contains)
        assert not imported & set(HEAVY), sorted(imported & set(HEAVY))


def test_mobility_checks_paths_and_options_before_reading_the_gtfs_feed(tmp_path) -> None:
    """A missing scene and --map without --close were refused only after the --gtfs feed was read
    (here a damaged feed, whose error came first)."""
    from tests.scenario_helpers import SAMPLES

    feed = tmp_path / "feed.zip"
    feed.write_text("not a zip")
    streets = SAMPLES / "stgilles_streets_osm2013.geojson"
    assert_one_line_error(run_twin(["traffic", "mobility", tmp_path / "nope.geojson", "--gtfs", feed]),
                          contains=("nope.geojson", "'FILES'", "input not found"))
    assert_one_line_error(run_twin(["traffic", "mobility", streets, "--gtfs", feed, "--map", tmp_path / "m.png"]),
                          contains=("'--map'", "give --close or --close-link"))
    assert_one_line_error(run_twin(["traffic", "mobility", streets, "--gtfs", feed, "-o", tmp_path / "flows.txt"]),
                          contains=("flows.txt", "'--output'"))


def _one_row_demand(folder, t_end_s: float, *, tmax: bool) -> None:
    pd.DataFrame({"origin_node_id": [0], "destination_node_id": [8], "t_start_s": [0.0], "t_end_s": [t_end_s], "vehicles": [50.0]}).to_csv(
        folder / "demand.csv", index=False)
    keys = {"deltat": 10, "duo_update_time": 100, **({"tmax": 2400} if tmax else {})}
    pd.DataFrame({"key": list(keys), "value": list(keys.values()), "unit": "s"}).to_csv(folder / "scenario.csv", index=False)


def test_a_departure_window_beyond_the_longest_run_names_the_demand_file(tmp_path):
    """Without a duration the run lasts to an hour after the last window: t_end_s 1e12 was refused
    by the run naming no file (field 't_end_s' only)."""
    folder = write_grid(tmp_path / "grid")
    _one_row_demand(folder, 1e12, tmax=False)
    assert_one_line_error(run_twin(["traffic", "simulate", str(folder)]),
                          contains=("demand.csv", "'t_end_s'", "the demand runs until 1e+12 s, beyond the longest simulation"))


def test_a_window_so_long_that_no_vehicle_departs_in_the_run_is_refused(tmp_path):
    """50 vehicles over [0, 1e12) s in a run of 2,400 s: 1.2e-7 vehicles departed, exit 0 with a warning."""
    folder = write_grid(tmp_path / "grid")
    _one_row_demand(folder, 1e12, tmax=True)
    assert_one_line_error(run_twin(["traffic", "simulate", str(folder)]),
                          contains=("demand.csv", "'t_end_s'", "less than one vehicle (1.2e-07) of the demand's 50 departs within the run (2400 s)"))
    _one_row_demand(folder, 2400.0, tmax=True)  # the same vehicles over the run: simulated
    r = run_twin(["traffic", "simulate", str(folder), "--routes", "free_flow", "--json"])
    assert r.code == 0, r.stderr


def test_select_zone_on_zones_without_trips_on_that_side_is_refused(tmp_path):
    """--zones E --side origin on a demand with trips to E only printed a demand of 0 and zero
    flows everywhere (exit 0)."""
    from tests.test_traffic_movements import NO_LEFT, scene_folder
    from tests.test_traffic_select_scene import write_demand

    scene = scene_folder(tmp_path, [NO_LEFT])
    od = write_demand(tmp_path / "od.csv", [("W", "E", 100.0), ("N", "N", 5.0)])
    base = ["traffic", "select-zone", "--scene", scene, "--demand", od]
    assert_one_line_error(run_twin([*base, "-z", "E"]), contains=("od.csv", "'--zones'", "no trip goes from the selected zone(s) E", "matches nothing"))
    assert_one_line_error(run_twin([*base, "-z", "W", "--side", "destination"]), contains=("od.csv", "no trip goes to the selected zone(s) W"))
    assert_one_line_error(run_twin([*base, "-z", "N"]), contains=("no trip goes from the selected zone(s) N",))  # N -> N: no trip on the network
    r = run_twin([*base, "-z", "E", "--side", "destination", "--json"])
    assert r.code == 0, r.stderr


def test_a_gtfs_feed_of_another_city_names_the_feed() -> None:
    """The Cairns sample feed on the Saint-Gilles scene stopped at mode calibration: "field
    'targets': no trip can use 'pt'", naming neither the feed nor --gtfs."""
    from tests.scenario_helpers import SAMPLES

    files = [SAMPLES / f"stgilles_{layer}_osm2013.geojson" for layer in ("buildings", "streets", "landcover", "pois")]
    feed = SAMPLES / "cairns_gtfs_weekday_am.zip"
    r = run_twin(["traffic", "mobility", *files, "--periods", "am_peak", "--feedback", "1", "--gtfs", feed])
    assert_one_line_error(r, contains=("cairns_gtfs_weekday_am.zip", "'--gtfs'", "no stop of the feed lies within 800 m", "415 stops"))


def _tram_feed_with(tmp_path, name: str, **tables: str):
    """The hand-made tram feed of tests/traffic_reference.py with some tables replaced."""
    import zipfile

    from tests.traffic_reference import tram_feed

    ok = tram_feed(tmp_path / "tram.zip")
    with zipfile.ZipFile(ok) as z:
        content = {n: z.read(n).decode() for n in z.namelist()}
    content.update(tables)
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as z:
        for n, text in content.items():
            z.writestr(n, text)
    return path, content


CALENDAR_HEADER = "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"


def test_gtfs_calendar_without_rows_or_with_a_bad_date_is_refused(tmp_path) -> None:
    """A header-only calendar.txt was an internal error when the service day was chosen
    (ValueError: time data '' does not match format '%Y%m%d', exit 70)."""
    from twin.errors import InputError
    from twin.traffic.gtfs import read_gtfs

    empty, _ = _tram_feed_with(tmp_path, "empty_calendar.zip", **{"calendar.txt": CALENDAR_HEADER})
    with pytest.raises(InputError, match="the feed's calendar.txt holds no row: no service runs on any day") as info:
        read_gtfs(empty)
    assert info.value.path == str(empty)
    bad, _ = _tram_feed_with(tmp_path, "bad_date.zip", **{"calendar.txt": CALENDAR_HEADER + "WK,1,1,1,1,1,0,0,20130101,2013-12-31\n"})
    with pytest.raises(InputError, match="end_date must be a calendar date YYYYMMDD, got '2013-12-31'") as info:
        read_gtfs(bad)
    assert "calendar.txt" in str(info.value) and "line 2" in str(info.value)


def test_gtfs_header_only_stop_times_and_repeated_stop_sequence_are_refused(tmp_path) -> None:
    from twin.errors import InputError
    from twin.traffic.gtfs import read_gtfs, timetable

    _, content = _tram_feed_with(tmp_path, "tram_copy.zip")
    path, _ = _tram_feed_with(tmp_path, "no_stop_times.zip", **{"stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"})
    with pytest.raises(InputError, match=r"stop_times.txt has no rows \(a header only\)"):
        read_gtfs(path)
    rows = content["stop_times.txt"].splitlines()
    rows[2] = rows[2].rsplit(",", 1)[0] + ",1"  # trip t0_0: stop S2 given the sequence of S1
    path, _ = _tram_feed_with(tmp_path, "repeated.zip", **{"stop_times.txt": "\n".join(rows) + "\n"})
    with pytest.raises(InputError, match="stop_sequence 1 repeats in trip 't0_0' \\(first at line 2\\)") as info:
        timetable(read_gtfs(path), "20130108")
    assert "line 3" in str(info.value) and info.value.field == "stop_sequence"


def test_gtfs_feed_with_no_departure_in_the_periods_names_the_feed(tmp_path) -> None:
    """Every trip written at 31:00-34:20 (the next morning, GTFS times past 24:00): mode calibration
    stopped at "field 'targets': no trip can use 'pt'", naming neither the feed nor --gtfs."""
    from tests.scenario_helpers import SAMPLES

    _, content = _tram_feed_with(tmp_path, "tram_copy.zip")
    late = [content["stop_times.txt"].splitlines()[0]]
    for line in content["stop_times.txt"].splitlines()[1:]:
        trip, arr, dep, stop, seq = line.split(",")
        shift = [f"{int(t[:2]) + 24:02d}{t[2:]}" for t in (arr, dep)]
        late.append(",".join([trip, *shift, stop, seq]))
    feed, _ = _tram_feed_with(tmp_path, "late.zip", **{"stop_times.txt": "\n".join(late) + "\n"})
    files = [SAMPLES / f"stgilles_{layer}_osm2013.geojson" for layer in ("buildings", "streets", "landcover", "pois")]
    r = run_twin(["traffic", "mobility", *files, "--periods", "am_peak", "--feedback", "1", "--gtfs", feed])
    assert_one_line_error(r, contains=("late.zip", "'--gtfs'", "no vehicle of the feed departs between", "times past 24:00"))


def _stgilles(*layers: str):
    from tests.scenario_helpers import SAMPLES

    return [SAMPLES / f"stgilles_{layer}_osm2013.geojson" for layer in layers]


def test_mobility_gtfs_day_without_service_names_the_option(tmp_path) -> None:
    """Was "field 'date'" (the library's parameter), not --gtfs-date."""
    from tests.traffic_reference import tram_feed

    feed = tram_feed(tmp_path / "tram.zip")
    r = run_twin(["traffic", "mobility", *_stgilles("buildings", "streets", "landcover", "pois"), "--periods", "am_peak", "--feedback", "1",
                  "--gtfs", feed, "--gtfs-date", "20130105"])  # a Saturday: the tram runs on weekdays
    assert_one_line_error(r, contains=("tram.zip", "'--gtfs-date'", "no service runs on 20130105"))


@pytest.mark.parametrize(("option", "values"), [("--close-link", ["osm:way/1:0:f", "osm:way/1:0:f"]), ("--close", ["Rue X", "rue x"])])
def test_mobility_closure_given_twice_is_refused_before_the_scene_is_read(option, values) -> None:
    """Closing a street or link twice ran (exit 0) as closing it once."""
    args = [a for v in values for a in (option, v)]
    assert_one_line_error(run_twin(["traffic", "mobility", *_stgilles("streets"), *args]), contains=(f"'{option}'", "is given twice"))


def test_mobility_scene_without_streets_names_the_files_not_a_scenario_key() -> None:
    """Was "object links; field 'inputs.files'" (a scenario's key) naming no file."""
    r = run_twin(["traffic", "mobility", *_stgilles("buildings"), "--periods", "am_peak", "--feedback", "1"])
    assert_one_line_error(r, contains=("stgilles_buildings_osm2013.geojson", "'FILES'", "the scene has no streets"))


def test_a_parameter_table_of_ones_own_has_the_packaged_names_each_once(tmp_path) -> None:
    """A misspelt name was a KeyError (exit 70) when the model looked the packaged name up; a name
    given twice was read without a word (the last row won)."""
    from twin.errors import InputError
    from twin.traffic.demand import PARAMETERS, read_parameters

    lines = PARAMETERS.read_text().splitlines()
    cases = [(lines[:1] + [lines[1].replace("floor_area_per_resident_m2", "floor_area_per_residnt_m2")] + lines[2:],
              ("line 2", "'name'", "unknown mobility parameter 'floor_area_per_residnt_m2' (did you mean 'floor_area_per_resident_m2'?)")),
             (lines + [lines[1]], (f"line {len(lines) + 1}", "is given twice (first at line 2)")),
             (lines[:1] + lines[2:], ("the parameter table lacks floor_area_per_resident_m2",))]
    for k, (rows, contains) in enumerate(cases):
        path = tmp_path / f"p{k}.csv"
        path.write_text("\n".join(rows) + "\n")
        with pytest.raises(InputError) as info:
            read_parameters(path)
        assert str(path) in str(info.value) and all(c in str(info.value) for c in contains), str(info.value)
    path = tmp_path / "same.csv"
    path.write_text(PARAMETERS.read_text())
    assert read_parameters(path).keys() == read_parameters().keys()


def test_an_external_matrix_row_above_the_widest_road_is_refused(tmp_path) -> None:
    """vehicles_h 1e12 was refused only by the assignment's demand limit, naming no file."""
    from twin.errors import InputError
    from twin.traffic.mobility import MAX_THROUGH_VEH_H, read_external_matrix

    assert MAX_THROUGH_VEH_H == 16 * 2400
    path = tmp_path / "ext.csv"
    path.write_text("origin_edge,destination_edge,period,vehicles_h\nnorth,south,am_peak,300\nwest,east,am_peak,1e12\n")
    with pytest.raises(InputError, match="vehicles_h 1e12 is above the largest plausible through flow between two edges, 38,400 veh/h") as info:
        read_external_matrix(path, ("am_peak",))
    assert str(path) in str(info.value) and "line 3" in str(info.value) and info.value.field == "vehicles_h"
    path.write_text("origin_edge,destination_edge,period,vehicles_h\nnorth,south,am_peak,38400\n")
    assert read_external_matrix(path, ("am_peak",))["am_peak"].max() == 38400.0


def test_a_coefficient_given_twice_is_refused(tmp_path) -> None:
    """A mode-choice table with an asc row repeated was read without a word (the later row won)."""
    from twin.errors import InputError
    from twin.traffic.mode_choice import ModeChoiceModel

    packaged = (Path(__file__).resolve().parents[1] / "twin" / "data" / "mobility_mode_choice.csv").read_text().splitlines()
    path = tmp_path / "mc.csv"
    path.write_text("\n".join([*packaged, packaged[1]]) + "\n")
    with pytest.raises(InputError, match=r"asc of car is given twice \(first at line 2\)") as info:
        ModeChoiceModel.from_table(path)
    assert str(path) in str(info.value) and f"line {len(packaged) + 1}" in str(info.value)
    time_row = next(line for line in packaged if line.startswith("time,"))
    path.write_text("\n".join([*packaged, time_row]) + "\n")
    with pytest.raises(InputError, match="time is given twice"):
        ModeChoiceModel.from_table(path)


@pytest.mark.parametrize("option", ["--counts", "--design-flows"])
def test_an_unreadable_counts_file_names_its_option(tmp_path, option) -> None:
    """Was "file ...: not a readable CSV file: No columns to parse from file", naming no option."""
    from twin.errors import InputError
    from twin.traffic.counts import read_counts
    from twin.traffic.network import Network

    net = Network.build(node_ids=np.array([1, 2]), link_ids=np.array([1]), from_node=[0], to_node=[1], free_flow_time=np.ones(1),
                        capacity=np.ones(1) * 100.0, length=np.ones(1), n_zones=2)  # fmt: skip
    path = tmp_path / "counts.csv"
    path.write_text("")
    with pytest.raises(InputError, match="not a readable CSV file") as info:
        read_counts(path, net, option=option)
    assert info.value.field == option and info.value.path == str(path)


@pytest.mark.parametrize(("column", "value", "message"), [
    ("headway_offpeak_s", "0.001", "headway_offpeak_s 0.001 s is outside [30, 50400] s"),
    ("headway_peak_s", "1e9", "headway_peak_s 1e+09 s is outside [30, 50400] s"),
    ("speed_m_s", "5000", "speed_m_s 5000 is above 100 m/s"),
])  # fmt: skip
def test_transit_defaults_out_of_range_are_refused(tmp_path, column, value, message) -> None:
    """An off-peak headway of 0.001 s scheduled departures without end (the run was killed after
    120 s, no error); 1e9 s and 5000 m/s ran (exit 0)."""
    import csv

    from twin.errors import InputError
    from twin.traffic.osm_transit import DEFAULTS_TABLE, read_defaults

    rows = list(csv.DictReader(DEFAULTS_TABLE.open()))
    rows[0][column] = value
    path = tmp_path / "defaults.csv"
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(InputError, match=re.escape(message)) as info:
        read_defaults(path)
    assert info.value.field == column and "row 2" in str(info.value) and str(path) in str(info.value)
    assert read_defaults()  # the packaged table is within the bounds
