"""Bad-input sweep of ``twin traffic simulate``: an OD pair with no path between its nodes.

The one error line named the OD pair and the field but no file (``object OD pair ('C', 'A');
field 'destination': no path ...``): the planner was not told which table holds the pair. Now it
names the demand table (``--demand``, or a scenario folder's ``demand.csv``), as ``assign
--scene`` does (:func:`twin.traffic.dynamic_commands.cli_input_error`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.cli_harness import assert_one_line_error, run_twin
from tests.test_bad_input_engines import write_scenario


def one_way_scene(folder: Path) -> Path:
    """A -> B -> C, one way."""
    import geopandas as gpd
    import shapely

    from twin.export import write_scene
    from twin.scene import Scene

    rows = [{"link_id": "AB", "from_node": "A", "to_node": "B", "geometry": shapely.LineString([(0, 0), (200, 0)])},
            {"link_id": "BC", "from_node": "B", "to_node": "C", "geometry": shapely.LineString([(200, 0), (400, 0)])}]  # fmt: skip
    links = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:31370")
    links["length_m"] = links.geometry.length
    links["free_speed_m_s"], links["capacity_veh_h"], links["modes"], links["lanes"] = 13.9, 1800.0, "car", 1
    scene = Scene(crs="EPSG:31370")
    scene.add("links", links)
    scene.add("nodes", gpd.GeoDataFrame({"node_id": list("ABC"), "signalised": False}, geometry=[shapely.Point(x, 0) for x in (0, 200, 400)], crs="EPSG:31370"))
    write_scene(scene, folder)
    return folder


def test_scene_demand_without_a_path_names_the_demand_file(tmp_path: Path) -> None:
    scene = one_way_scene(tmp_path / "scene")
    od = tmp_path / "od_dynamic.csv"
    pd.DataFrame({"origin": ["A", "C"], "destination": ["C", "A"], "t_start_s": 0.0, "t_end_s": 300.0, "vehicles": [10.0, 5.0]}).to_csv(od, index=False)
    assert_one_line_error(run_twin(["traffic", "simulate", scene, "--demand", od, "--routes", "free_flow"]),
                          contains=("file " + str(od), "OD pair ('C', 'A')", "'destination'", "no path"))  # fmt: skip


def test_folder_demand_without_a_path_names_its_demand_csv(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "scenario", demand={"origin_node_id": [2], "destination_node_id": [0]})  # links run 0 -> 1 -> 2
    assert_one_line_error(run_twin(["traffic", "simulate", folder]), contains=("demand.csv", "OD pair", "'destination'", "no path"))
