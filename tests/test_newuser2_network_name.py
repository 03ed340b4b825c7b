"""``--json`` summaries (and the skims summary) name the network by its name, not its repr.

``"network": "Network('SiouxFalls': 24 nodes, 76 links, ..., time in file)"`` was printed where
``"SiouxFalls"`` was meant (``twin traffic assign --scene``, ``simulate``, ``skims``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from tests.conftest import shared_path
from tests.test_traffic_dynamic_cli import write_bottleneck_scenario
from tests.test_traffic_scene_demand import two_streets
from twin.cli.main import app
from twin.traffic.tntp import read_network


def _summary(args: list[str]) -> dict:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_skims_summary_names_the_network(tmp_path: Path) -> None:
    net = shared_path("traffic", "tntp", "SiouxFalls", "SiouxFalls_net.tntp")
    summary = _summary(["traffic", "skims", "--net", str(net), "-o", str(tmp_path / "skims.omx")])
    assert summary["network"] == read_network(net).name == "SiouxFalls"


def test_simulate_summary_names_the_network(tmp_path: Path) -> None:
    folder = tmp_path / "bottleneck"
    write_bottleneck_scenario(folder)
    summary = _summary(["traffic", "simulate", str(folder), "--routes", "free_flow"])
    assert isinstance(summary["network"], str) and "Network(" not in summary["network"]
    assert "nodes" not in summary["network"]


def test_scene_assign_summary_names_the_network(tmp_path: Path) -> None:
    od = tmp_path / "od.csv"
    pd.DataFrame({"origin": ["A"], "destination": ["B"], "flow_veh_h": [10.0]}).to_csv(od, index=False)
    summary = _summary(["traffic", "assign", "--scene", str(two_streets(tmp_path)), "--demand", str(od), "-q"])
    assert isinstance(summary["network"], str) and "Network(" not in summary["network"]
    assert "nodes" not in summary["network"]
