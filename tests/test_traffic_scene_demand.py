"""The demand table of ``twin traffic assign --scene``: an OD pair without a path names the file and
its line; trips from a node to itself are reported as left out, not dropped silently."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from tests.cli_harness import assert_one_line_error, run_twin


def two_streets(tmp_path: Path) -> Path:
    """Street A -> B (two-way) and a one-way street C -> D apart from it, as a scene folder."""
    from twin.export import write_scene
    from twin.scene import Scene

    xy = {"A": (0.0, 0.0), "B": (100.0, 0.0), "C": (0.0, 500.0), "D": (100.0, 500.0)}
    rows = [("s:1:f", "A", "B"), ("s:1:b", "B", "A"), ("s:2:f", "C", "D")]
    frame = gpd.GeoDataFrame([{"link_id": k, "from_node": a, "to_node": b, "geometry": shapely.LineString([xy[a], xy[b]])} for k, a, b in rows], geometry="geometry", crs="EPSG:31370")
    frame["length_m"], frame["free_speed_m_s"], frame["capacity_veh_h"], frame["modes"] = 100.0, 10.0, 1000.0, "car"
    scene = Scene(crs="EPSG:31370")
    scene.add("links", frame)
    scene.add("nodes", gpd.GeoDataFrame({"node_id": list(xy)}, geometry=[shapely.Point(p) for p in xy.values()], crs="EPSG:31370"))
    write_scene(scene, tmp_path / "scene")
    return tmp_path / "scene"


def test_an_od_pair_without_a_path_names_the_file_and_line(tmp_path: Path) -> None:
    od = tmp_path / "od.csv"
    pd.DataFrame({"origin": ["A", "D"], "destination": ["B", "C"], "flow_veh_h": [10.0, 5.0]}).to_csv(od, index=False)
    run = run_twin(["traffic", "assign", "--scene", two_streets(tmp_path), "--demand", od, "-q"])
    line = assert_one_line_error(run, contains=("od.csv", "line 3", "origin D, destination C", "no path from zone D to zone C"))
    assert "(demand 5.0)" in line


def test_trips_from_a_node_to_itself_are_reported(tmp_path: Path) -> None:
    od = tmp_path / "od.csv"
    pd.DataFrame({"origin": ["A", "B"], "destination": ["B", "B"], "flow_veh_h": [10.0, 7.5]}).to_csv(od, index=False)
    run = run_twin(["traffic", "assign", "--scene", two_streets(tmp_path), "--demand", od, "-q"])
    assert run.code == 0, run.stderr
    assert "demand 10.00 veh/h (7.50 veh/h from a node to itself left out: they use no link)" in run.stdout
