"""Bad-input sweep s24 of ``twin traffic simulate``: a demand row giving both ``vehicles`` and ``flow_veh_s``.

The run used ``vehicles`` and ignored ``flow_veh_s`` however far the two disagreed (exit 0). Now
they must agree within one vehicle or 2 % (rounding: grid11 gives 80 vehicles and 0.0225 veh/s x
3600 s = 81), else one ``twin: error:`` line names the file, the row and both fields, exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_harness import REPO, assert_one_line_error, run_twin
from tests.test_bad_input_engines import write_scenario

STREETS = REPO / "data_samples" / "stgilles_streets_osm2013.geojson"


def test_vehicles_and_flow_that_disagree_name_the_row_and_both_fields(tmp_path: Path) -> None:
    """0.6 veh/s over 600 s is 360 vehicles, not 100 (a flow typed in the wrong unit or window)."""
    folder = write_scenario(tmp_path / "s", demand={"vehicles": [100.0]})
    line = assert_one_line_error(run_twin(["traffic", "simulate", folder, "-q"]),
                                 contains=("demand.csv", "demand row 2", "vehicles", "flow_veh_s", "disagree", "360"))  # fmt: skip
    assert "100" in line


def test_scene_demand_table_that_disagrees_names_the_table_and_line(tmp_path: Path) -> None:
    od = tmp_path / "od.csv"
    od.write_text("origin,destination,t_start_s,t_end_s,vehicles,flow_veh_s\n"
                  "n1,n2,0,600,60,0.1\n"
                  "n1,n2,0,600,60,0.2\n", encoding="utf-8")  # fmt: skip
    result = run_twin(["traffic", "simulate", STREETS, "--demand", od, "--duration", "600", "-q"])
    assert_one_line_error(result, contains=("od.csv", "demand row 3", "'vehicles, flow_veh_s'", "disagree"))


def test_negative_flow_beside_vehicles_is_an_error(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s", demand={"vehicles": [360.0], "flow_veh_s": [-0.6]})
    assert_one_line_error(run_twin(["traffic", "simulate", folder, "-q"]), contains=("demand.csv", "demand row 2", "'flow_veh_s'", "negative"))


def test_vehicles_win_when_the_two_agree_within_rounding(tmp_path: Path) -> None:
    """359 vehicles beside 0.6 veh/s x 600 s = 360: one vehicle apart, accepted; 359 depart."""
    folder = write_scenario(tmp_path / "s", demand={"vehicles": [359.0]})
    result = run_twin(["traffic", "simulate", folder, "--json", "-q"])
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["generated_veh"] == pytest.approx(359.0, abs=1e-6)  # not 360


def test_demand_option_with_a_scenario_folder_is_refused(tmp_path: Path) -> None:
    """The folder's demand.csv was run and --demand ignored, exit 0 (even an empty --demand table)."""
    folder = write_scenario(tmp_path / "s")
    od = tmp_path / "od.csv"
    od.write_text("origin,destination,t_start_s,t_end_s,vehicles\n0,2,0,600,50\n", encoding="utf-8")
    line = assert_one_line_error(run_twin(["traffic", "simulate", folder, "--demand", od, "-q"]),
                                 contains=("'--demand'", "demand.csv", "would not be read"))  # fmt: skip
    assert str(folder) in line


def test_crs_option_with_a_scenario_folder_is_refused(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "s")
    assert_one_line_error(run_twin(["traffic", "simulate", folder, "--crs", "EPSG:4326", "-q"]),
                          contains=("'--crs'", "EPSG:4326", "would not be read", "scenes only"))  # fmt: skip


def _square_without_priority_junctions(tmp_path: Path) -> tuple[Path, str, str]:
    """Six residential streets meeting only at the corners of a square (no priority junction):
    the streets file and the first and last car node."""
    import geopandas as gpd
    import numpy as np
    from shapely.geometry import LineString

    from twin.ingest import ingest
    from twin.traffic.network import Network

    lines = [LineString([(148000.0, 168000.0 + 200 * k), (148400.0, 168000.0 + 200 * k)]) for k in range(3)]
    lines += [LineString([(148000.0 + 200 * k, 168000.0), (148000.0 + 200 * k, 168400.0)]) for k in range(3)]
    streets = tmp_path / "streets.geojson"
    gpd.GeoDataFrame({"highway": "residential", "name": [f"s{k}" for k in range(6)]}, geometry=lines, crs="EPSG:31370").to_file(streets)
    scene, _ = ingest([streets], crs="EPSG:31370")
    nodes = np.sort(Network.from_scene(scene, mode="car").node_ids.astype(str))
    return streets, str(nodes[0]), str(nodes[-1])


def test_give_way_on_a_scene_where_no_approach_yields(tmp_path: Path) -> None:
    """--give-way ran, exit 0, its summary line '0 yielding approaches, mean capacity nan veh/h'."""
    import pandas as pd

    streets, first, last = _square_without_priority_junctions(tmp_path)
    od = tmp_path / "od.csv"
    pd.DataFrame({"origin": [first], "destination": [last], "t_start_s": [0.0], "t_end_s": [300.0], "vehicles": [20.0]}).to_csv(od, index=False)
    base = ["traffic", "simulate", streets, "--demand", od, "--duration", "600", "-q"]
    assert run_twin(base).code == 0
    assert_one_line_error(run_twin([*base, "--give-way"]), contains=("streets.geojson", "'--give-way'", "no priority junction", "would change nothing"))


def test_static_give_way_on_a_scene_where_no_approach_yields(tmp_path: Path) -> None:
    """The same scene through twin traffic assign --scene: --give-way assigned with 0 yielding approaches, exit 0."""
    import pandas as pd

    streets, first, last = _square_without_priority_junctions(tmp_path)
    od = tmp_path / "od.csv"
    pd.DataFrame({"origin": [first], "destination": [last], "flow_veh_h": [200.0]}).to_csv(od, index=False)
    base = ["traffic", "assign", "--scene", streets, "--demand", od]
    assert run_twin(base).code == 0
    assert_one_line_error(run_twin([*base, "--give-way"]), contains=("'--give-way'", "no priority junction", "would change nothing"))
