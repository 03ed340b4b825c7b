"""Bad-input sweep of the newer command lines (task pbad): each case failed before its fix.

Every case runs the real command line in a child process (:func:`tests.cli_harness.run_twin`) and
must end in one ``twin: error:`` line naming the file and the field, exit status 2, no
traceback. Before the fixes: ``twin traffic assign --scene`` stopped with an internal error
(exit 70) on a demand table with a header and no rows, summed an OD pair given twice without a
word, and on a scene without car links blamed the demand table's first node; ``twin traffic
simulate`` reported 'no path' there; ``twin energy run`` ran to the end (exit 0) with a negative
or infinite U-value, a window ratio of 1.7 or a building given twice in ``--overrides``, and
stopped with an internal error (exit 70) on an empty overrides or measure table or a measure
table that is not UTF-8.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path
from tests.output_helpers import write_tiny_inputs
from tests.scenario_helpers import SAMPLES
from twin.errors import InputError

STREETS = SAMPLES / "stgilles_streets_osm2013.geojson"
MEASURES = Path(__file__).resolve().parents[1] / "twin" / "data" / "energy_measures.csv"


@pytest.fixture(scope="module")
def street_pair() -> tuple[str, str]:
    """Two node ids of the St-Gilles car network (the first link's ends)."""
    from twin.traffic.network import Network
    from twin.workflows.scene_loading import load_scene

    net = Network.from_scene(load_scene([STREETS], scene_crs="EPSG:31370", source_crs=None), mode="car")
    return str(net.node_ids[net.from_node[0]]), str(net.node_ids[net.to_node[0]])


def _csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_assign_demand_with_header_only(tmp_path: Path) -> None:
    od = _csv(tmp_path / "od.csv", "origin,destination,flow_veh_h\n")
    result = run_twin(["traffic", "assign", "--scene", STREETS, "--demand", od, "-q"])
    assert_one_line_error(result, contains=("od.csv", "'flow_veh_h'", "no rows"))


def test_assign_demand_pair_given_twice(tmp_path: Path, street_pair: tuple[str, str]) -> None:
    a, b = street_pair
    od = _csv(tmp_path / "od.csv", f"origin,destination,flow_veh_h\n{a},{b},100\n{a},{b},50\n")
    result = run_twin(["traffic", "assign", "--scene", STREETS, "--demand", od, "-q"])
    assert_one_line_error(result, contains=("od.csv", "row 3", "'destination'", "given twice (first at row 2)"))


@pytest.mark.parametrize("command", ["assign", "simulate"])
def test_scene_without_car_links(tmp_path: Path, command: str) -> None:
    """A buildings-only scene: the error names the scene and its links, not the demand's nodes."""
    district = write_tiny_inputs(tmp_path / "in") / "district.geojson"
    if command == "assign":
        od = _csv(tmp_path / "od.csv", "origin,destination,flow_veh_h\nn1,n2,100\n")
        args = ["traffic", "assign", "--scene", district, "--demand", od, "-q"]
    else:
        od = _csv(tmp_path / "od.csv", "origin,destination,t_start_s,t_end_s,vehicles\nn1,n2,0,600,10\n")
        args = ["traffic", "simulate", district, "--demand", od, "-q"]
    assert_one_line_error(run_twin(args), contains=("district.geojson", "links layer", "'modes'", "no link open to cars"))


def _energy_run(tmp: Path, *options: str | Path) -> list:
    inputs = write_tiny_inputs(tmp / "in")
    return ["energy", "run", inputs / "district.geojson", "-w", inputs / "weather.epw", "-o", tmp / "out", "--no-plots", "-q", *options]


@pytest.mark.parametrize(
    ("text", "contains"),
    [
        ("building_id,u_wall_w_m2k\nb1,-0.5\n", ("line 2", "'u_wall_w_m2k'", ">= 0")),
        ("building_id,u_wall_w_m2k\nb1,inf\n", ("line 2", "'u_wall_w_m2k'", "finite")),
        ("tabula_code,window_ratio\nBE.N.SFH.01.Gen.ReEx.001.001,1.7\n", ("line 2", "'window_ratio'", "[0, 1]")),
        ("building_id,u_wall_w_m2k\nb1,0.5\nb2,\nb1,0.9\n", ("line 4", "'building_id'", "given twice")),
        ("", ("'--overrides'", "cannot read")),
    ],
    ids=["negative-u", "infinite-u", "share-above-1", "building-twice", "empty-file"],
)
def test_energy_overrides_checked_before_the_run(tmp_path: Path, text: str, contains: tuple[str, ...]) -> None:
    overrides = _csv(tmp_path / "overrides.csv", text)
    result = run_twin(_energy_run(tmp_path, "--overrides", overrides))
    assert_one_line_error(result, contains=("overrides.csv", *contains))
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("content", "contains"),
    [
        (b"", ("'--measures'", "cannot read")),
        (MEASURES.read_bytes().splitlines(keepends=True)[0], ("'measure'", "no rows")),
        (b"\x00\x01PAR1\xff\xfe", ("'--measures'", "cannot read")),
    ],
    ids=["empty-file", "header-only", "not-utf8"],
)
def test_energy_measure_table_unreadable(tmp_path: Path, content: bytes, contains: tuple[str, ...]) -> None:
    table = tmp_path / "measures.csv"
    table.write_bytes(content)
    result = run_twin(_energy_run(tmp_path, "--measures", table, "-m", "wall_insulation"))
    assert_one_line_error(result, contains=("measures.csv", *contains))


def test_energy_overrides_blank_value_passes_the_check(tmp_path: Path) -> None:
    """A blank value keeps the default (as the run reads it), signed parameters may be negative."""
    from twin.energy.typology import check_overrides_file

    path = _csv(tmp_path / "overrides.csv", "building_id,u_wall_w_m2k,window_ratio,theta_i_c\nb1,,0.3,-2\nb2,0.5,,\n")
    check_overrides_file(path)
    with pytest.raises(InputError, match="share in") as exc:
        check_overrides_file(_csv(tmp_path / "bad.csv", "building_id,window_ratio\nb1,-0.1\n"))
    assert exc.value.field == "window_ratio" and exc.value.obj == "line 2"


def test_cadastre_of_a_scene_without_buildings(tmp_path: Path) -> None:
    """Streets only: was an empty cadastre and exit 0."""
    weather = write_tiny_inputs(tmp_path / "in") / "weather.epw"
    result = run_twin(["solar", "cadastre", STREETS, "-w", weather, "-o", tmp_path / "out", "-q"])
    assert_one_line_error(result, contains=("stgilles_streets_osm2013.geojson", "'buildings'", "no buildings"))
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("crs", "text"),
    [("EPSG:99999", "not a CRS pyproj knows"), ("EPSG:4326", "not a projected CRS"), ("EPSG:3812", "a scene or footprint file has its own")],
)
def test_cadastre_crs_checked_before_the_run(tmp_path: Path, crs: str, text: str) -> None:
    """An unknown --crs was an internal error (exit 70) after the whole computation; a projected
    one on a footprint file (EPSG:31370 in the scene) relabelled the outputs' coordinates (exit 0)."""
    inputs = write_tiny_inputs(tmp_path / "in")
    result = run_twin(["solar", "cadastre", inputs / "district.geojson", "-w", inputs / "weather.epw", "-o", tmp_path / "out", "--crs", crs, "-q"])
    assert_one_line_error(result, contains=("'--crs'", crs, text))


MOBILITY_FILES = [SAMPLES / f"stgilles_{layer}_osm2013.geojson" for layer in ("streets", "buildings", "pois")]


@pytest.mark.parametrize(
    ("content", "contains"),
    [
        (b"\x00\x01PAR1\xff\xfe", ("'--external-matrix'", "cannot read")),
        (b"origin_edge,destination_edge,period,vehicles_h\n", ("'vehicles_h'", "no rows")),
    ],
    ids=["not-utf8", "header-only"],
)
def test_mobility_external_matrix_unreadable_or_empty(tmp_path: Path, content: bytes, contains: tuple[str, ...]) -> None:
    """Was an internal error (exit 70) and a run without the through traffic asked for (exit 0)."""
    matrix = tmp_path / "external.csv"
    matrix.write_bytes(content)
    result = run_twin(["traffic", "mobility", *MOBILITY_FILES, "--external-matrix", matrix, "-q"])
    assert_one_line_error(result, contains=("external.csv", *contains))


@pytest.mark.parametrize(
    ("feed", "day", "text"),
    [(None, "20130305", "no gtfs feed"), (SAMPLES / "cairns_gtfs_weekday_am.zip", "20131345", "not a calendar date")],
    ids=["day-without-feed", "not-a-date"],
)
def test_mobility_gtfs_date_checked(feed: Path | None, day: str, text: str) -> None:
    """Both ran to the end (exit 0) without public transport from the day asked for."""
    result = run_twin(["traffic", "mobility", *MOBILITY_FILES, *(["--gtfs", feed] if feed else []), "--gtfs-date", day, "-q"])
    assert_one_line_error(result, contains=("'--gtfs-date'", text))


def test_energy_measure_given_twice(tmp_path: Path) -> None:
    """-m M -m M ran (exit 0)."""
    result = run_twin(_energy_run(tmp_path, "-m", "wall_insulation", "-m", "roof_insulation", "-m", "wall_insulation"))
    assert_one_line_error(result, contains=("'--measure'", "'wall_insulation' is given twice"))


def test_estimate_od_counts_is_a_folder(tmp_path: Path) -> None:
    """Was 'file ...: Is a directory' (no option named)."""
    folder = shared_path("traffic", "tntp", "SiouxFalls")
    net, trips = folder / "SiouxFalls_net.tntp", folder / "SiouxFalls_trips.tntp"
    result = run_twin(["traffic", "estimate-od", "--net", net, "--trips", trips, "--counts", tmp_path, "-q"])
    assert_one_line_error(result, contains=(str(tmp_path), "'--counts'", "folder"))


@pytest.mark.parametrize(
    ("text", "samples", "contains"),
    [("heating_setpoint_c:\n  sd_building_k: 1.0\n", "0", "no effect without --samples"), ("", "2", "holds no entries")],
    ids=["priors-without-samples", "empty-prior-file"],
)
def test_energy_priors_that_change_nothing(tmp_path: Path, text: str, samples: str, contains: str) -> None:
    """Both ran (exit 0) on the packaged priors or none."""
    priors = _csv(tmp_path / "priors.yaml", text)
    result = run_twin(_energy_run(tmp_path, "--samples", samples, "--priors", priors))
    assert_one_line_error(result, contains=("priors.yaml", "'--priors'", contains))


@pytest.mark.parametrize("option", ["--crs", "--scene-crs"])
def test_scene_assign_unknown_crs_on_a_written_scene(tmp_path: Path, street_pair: tuple[str, str], option: str) -> None:
    """A written scene keeps its CRS, so an unknown --crs / --scene-crs was never read (exit 0)."""
    a, b = street_pair
    scene = tmp_path / "scene"
    ingest = run_twin(["ingest", STREETS, "-o", scene, "-q"])
    assert ingest.code == 0, ingest.stderr
    od = _csv(tmp_path / "od.csv", f"origin,destination,flow_veh_h\n{a},{b},100\n")
    result = run_twin(["traffic", "assign", "--scene", scene, "--demand", od, option, "EPSG:99999", "-q"])
    assert_one_line_error(result, contains=(f"'{option}'", "EPSG:99999", "not a CRS pyproj knows"))
