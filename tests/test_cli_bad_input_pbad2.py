"""Second bad-input sweep of the command line (task pbad2): each case failed before its fix.

Every case runs the real command line in a child process (:func:`tests.cli_harness.run_twin`) and
must end in one ``twin: error:`` line naming the file and the field (or option), exit status 2,
no traceback; the warnings end in one ``twin: warning:`` line and exit 0.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path
from tests.output_helpers import write_tiny_inputs
from tests.scenario_helpers import SAMPLES

STREETS = SAMPLES / "stgilles_streets_osm2013.geojson"


def _text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_simulate_demand_rows_are_csv_lines(tmp_path: Path) -> None:
    """The second data row of a scene's demand table is line 3 of the file (was 'demand row 1',
    while the other tables count CSV lines)."""
    od = _text(tmp_path / "od.csv", "origin,destination,t_start_s,t_end_s,vehicles\nn1,n2,0,600,10\nn1,n2,0,600,-5\n")
    result = run_twin(["traffic", "simulate", STREETS, "--demand", od, "-q"])
    assert_one_line_error(result, contains=("od.csv", "demand row 3", "'vehicles'"))



def _warnings(result) -> list[str]:
    return [line for line in result.stderr_lines if line.startswith("twin: warning:")]


def test_simulate_crs_on_a_written_scene_is_a_warning(tmp_path: Path) -> None:
    """A written scene keeps its CRS: a valid --crs was not used and nothing said so."""
    from twin.scene.io import read_scene
    from twin.traffic.network import Network

    scene = tmp_path / "scene"
    assert run_twin(["ingest", STREETS, "-o", scene, "-q"]).code == 0
    net = Network.from_scene(read_scene(scene), mode="car")
    a, b = net.node_ids[net.from_node[0]], net.node_ids[net.to_node[0]]
    od = _text(tmp_path / "od.csv", f"origin,destination,t_start_s,t_end_s,vehicles\n{a},{b},0,60,1\n")
    result = run_twin(["traffic", "simulate", scene, "--demand", od, "--crs", "EPSG:31370", "--duration", "120", "-q"])
    assert result.code == 0, result.stderr
    assert len(_warnings(result)) == 1 and "--crs EPSG:31370 was not used" in _warnings(result)[0]


@pytest.mark.parametrize(
    ("option", "value", "text"),
    [("--spacing", "0", "sensor spacing"), ("--surfaces", "roof,bogus", "surfaces must be among"), ("--max-distance", "-1", "search distance")],
)
def test_cadastre_errors_name_the_option(tmp_path: Path, option: str, value: str, text: str) -> None:
    """Were named by the fields of CadastreOptions ('spacing_m', 'kinds', 'max_distance_m')."""
    inputs = write_tiny_inputs(tmp_path / "in")
    result = run_twin(["solar", "cadastre", inputs / "district.geojson", "-w", inputs / "weather.epw", "-o", tmp_path / "out", option, value, "-q"])
    assert_one_line_error(result, contains=(f"'{option}'", text))


def test_cadastre_cityjson_output_needs_a_cityjson_name(tmp_path: Path) -> None:
    """--cityjson x.txt wrote a CityJSON document under a name no reader takes for one (exit 0)."""
    inputs = write_tiny_inputs(tmp_path / "in")
    result = run_twin(["solar", "cadastre", inputs / "district.geojson", "-w", inputs / "weather.epw", "-o", tmp_path / "out",
                       "--cityjson", tmp_path / "b.txt", "-q"])
    assert_one_line_error(result, contains=("b.txt", "'--cityjson'", ".city.json"))
    assert not (tmp_path / "out").exists() and not (tmp_path / "b.txt").exists()


def test_cadastre_cityjson_output_of_a_cityjson_input_is_refused_before_the_work(tmp_path: Path) -> None:
    """Was refused only after the whole cadastre had been computed and OUT written (exit 2, OUT left)."""
    weather = write_tiny_inputs(tmp_path / "in") / "weather.epw"
    result = run_twin(["solar", "cadastre", shared_path("gis", "delft.city.json"), "-w", weather, "-o", tmp_path / "out",
                       "--cityjson", tmp_path / "b.city.json", "--method", "horizon", "-q"])
    assert_one_line_error(result, contains=("delft.city.json", "'--cityjson'", "footprint scene"))
    assert not (tmp_path / "out").exists()


def test_pv_of_zero_kwp(tmp_path: Path) -> None:
    """--kwp 0 printed 0 kWh/year and an infinite payback (exit 0)."""
    weather = write_tiny_inputs(tmp_path / "in") / "weather.epw"
    assert_one_line_error(run_twin(["solar", "pv", "-w", weather, "--kwp", "0"]), contains=("'--kwp'", "> 0"))
