"""``twin traffic simulate --duo-interval``: the seconds between DUO route updates (a whole number
of time steps); a scenario folder keeps its own ``duo_update_time`` unless told otherwise, a scene
updates every ``SCENE_DUO_INTERVAL_S``; an interval that changes nothing or cannot be honoured is
one error line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.test_traffic_dynamic_replicates import direct, simulate_json, write_grid


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    return write_grid(tmp_path_factory.mktemp("duo_interval") / "grid")  # its scenario.csv: 10 s steps, DUO every 100 s


def test_a_scenario_folder_keeps_its_interval_unless_told(grid):
    own = simulate_json([grid])
    assert own["duo_interval_steps"] == 10  # 100 s / 10 s
    assert own["total_delay_veh_h"] == pytest.approx(direct(grid, 0).totals()["total_delay_veh_h"], rel=1e-12)
    fast = simulate_json([grid, "--duo-interval", "30"])
    assert fast["duo_interval_steps"] == 3
    from twin.traffic.dynamic import simulate
    from twin.traffic.dynamic_scenario import read_scenario

    sc = read_scenario(grid)
    ref = simulate(sc.network, sc.demand, dynamics=sc.dynamics, dt_s=sc.dt_s, duration_s=sc.duration_s, route_choice="duo",
                   duo_interval_s=30.0, duo_weight=sc.number("duo_update_weight", 0.5), seed=0)  # fmt: skip
    assert fast["total_delay_veh_h"] == pytest.approx(ref.totals()["total_delay_veh_h"], rel=1e-12)
    assert fast["total_delay_veh_h"] != pytest.approx(own["total_delay_veh_h"], rel=1e-6)  # the option acts


def test_a_scene_updates_every_scene_interval(tmp_path):
    """A scene (the streets of a small grid written as a GeoJSON): routes every 60 s by default."""
    import geopandas as gpd
    from shapely.geometry import LineString

    from twin.traffic.dynamic_commands import SCENE_DUO_INTERVAL_S

    lines, names = [], []
    for k in range(3):  # a 3 x 3 lattice of residential streets, 200 m apart
        lines += [LineString([(148000.0, 168000.0 + 200 * k), (148400.0, 168000.0 + 200 * k)]),
                  LineString([(148000.0 + 200 * k, 168000.0), (148000.0 + 200 * k, 168400.0)])]
        names += [f"h{k}", f"v{k}"]
    streets = tmp_path / "streets.geojson"
    gpd.GeoDataFrame({"highway": "residential", "name": names}, geometry=lines, crs="EPSG:31370").to_file(streets, driver="GeoJSON")
    from twin.ingest import ingest
    from twin.traffic.network import Network

    scene, _ = ingest([streets], crs="EPSG:31370")
    net = Network.from_scene(scene, mode="car")
    nodes = net.node_ids[np.argsort(net.node_ids.astype(str))]
    od = tmp_path / "od.csv"
    pd.DataFrame({"origin": [nodes[0]], "destination": [nodes[-1]], "t_start_s": 0.0, "t_end_s": 300.0, "vehicles": 20.0}).to_csv(od, index=False)
    s = simulate_json([streets, "--demand", od, "--duration", "900", "--dt", "5"])
    assert s["route_choice"] == "duo" and s["duo_interval_steps"] * s["dt_s"] == SCENE_DUO_INTERVAL_S == 60.0
    assert simulate_json([streets, "--demand", od, "--duration", "900", "--dt", "5", "--duo-interval", "600"])["duo_interval_steps"] == 120


@pytest.mark.parametrize(("extra", "contains"), [
    (["--duo-interval", "25"], ("--duo-interval", "whole number of time steps of 10 s")),
    (["--duo-interval", "0"], ("--duo-interval", "finite number")),
    (["--duo-interval", "nan"], ("--duo-interval", "finite number")),
    (["--routes", "free_flow", "--duo-interval", "60"], ("--duo-interval", "changes nothing")),
])
def test_bad_intervals_are_one_error_line(grid, extra, contains):
    assert_one_line_error(run_twin(["traffic", "simulate", str(grid), *extra]), contains=contains)
