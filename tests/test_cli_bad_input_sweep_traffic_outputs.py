"""Bad-input sweep of ``twin traffic``: an output that is an input, or lies inside an input folder.

``twin traffic assign --scene --output OD.csv`` (or ``--turns``), ``simulate --output DEMAND.csv``,
``simulate FOLDER --output FOLDER/demand.csv``, ``estimate-od --output COUNTS.csv``, ``skims
--output`` the trips file, ``access`` / ``mobility`` writing into the scene folder: each ran, exit
0, and replaced the planner's input with the results (``select-link`` / ``select-zone`` already
refused). Now each is one ``twin: error:`` line naming the option and the input, exit 2, checked
before any work, and the input is left as it was (one rule: ``check_output(inputs=)`` of
:mod:`twin.traffic.dynamic_commands`, on :func:`twin.io.output_checks.check_output_file`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path
from tests.test_bad_input_engines import write_scenario
from tests.test_traffic_signal_split_flows_cli import counts_csv
from tests.traffic_output_cases import crossroads_scene_folder


@pytest.fixture(scope="module")
def scene(tmp_path_factory) -> Path:
    return crossroads_scene_folder(tmp_path_factory, "outputs")


def static_demand(tmp_path: Path) -> Path:
    path = tmp_path / "od.csv"
    pd.DataFrame({"origin": ["W", "N"], "destination": ["E", "S"], "flow_veh_h": [600.0, 200.0]}).to_csv(path, index=False)
    return path


def dynamic_demand(tmp_path: Path) -> Path:
    path = tmp_path / "od_dynamic.csv"
    pd.DataFrame({"origin": ["W"], "destination": ["E"], "t_start_s": [0.0], "t_end_s": [300.0], "vehicles": [20.0]}).to_csv(path, index=False)
    return path


def refused_and_kept(args: list, kept: Path, contains: tuple[str, ...]) -> None:
    """The run is one error line holding ``contains``; ``kept`` (an input) has the bytes it had."""
    before = kept.read_bytes()
    assert_one_line_error(run_twin(args), contains=contains)
    assert kept.read_bytes() == before


@pytest.mark.parametrize("option", ["--output", "--turns"])
def test_assign_scene_output_over_the_demand(scene: Path, tmp_path: Path, option: str) -> None:
    od = static_demand(tmp_path)
    refused_and_kept(["traffic", "assign", "--scene", scene, "--demand", od, option, od], od, (option, "od.csv", "also an input"))


def test_assign_scene_output_inside_the_scene_folder(scene: Path, tmp_path: Path) -> None:
    od = static_demand(tmp_path)
    refused_and_kept(["traffic", "assign", "--scene", scene, "--demand", od, "--output", scene / "links.csv"], scene / "scene.json",
                     ("--output", "inside an input", "scene"))  # fmt: skip
    assert not (scene / "links.csv").exists()


def test_assign_design_flows_overwritten(scene: Path, tmp_path: Path) -> None:
    od = static_demand(tmp_path)
    flows = counts_csv(tmp_path / "counts.csv", {"Win": 600.0, "Nin": 200.0})
    refused_and_kept(["traffic", "assign", "--scene", scene, "--demand", od, "--signal-split", "flows", "--design-flows", flows, "--output", flows],
                     flows, ("--output", "counts.csv", "also an input"))  # fmt: skip


@pytest.mark.parametrize("option", ["--output", "--timeseries", "--turns"])
def test_simulate_scene_output_over_the_demand(scene: Path, tmp_path: Path, option: str) -> None:
    od = dynamic_demand(tmp_path)
    refused_and_kept(["traffic", "simulate", scene, "--demand", od, option, od], od, (option, "od_dynamic.csv", "also an input"))


def test_simulate_folder_output_over_its_demand(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "scenario")
    refused_and_kept(["traffic", "simulate", folder, "--output", folder / "demand.csv"], folder / "demand.csv", ("--output", "inside an input", "scenario"))


def test_estimate_od_output_over_the_counts(tmp_path: Path) -> None:
    net = shared_path("traffic", "tntp", "SiouxFalls", "SiouxFalls_net.tntp")
    counts = tmp_path / "counts.csv"
    pd.DataFrame({"link_id": [1], "period": "am", "vehicles": [4000.0], "class": "car"}).to_csv(counts, index=False)
    refused_and_kept(["traffic", "estimate-od", "--net", net, "--trips", net.with_name("SiouxFalls_trips.tntp"), "--counts", counts, "--output", counts],
                     counts, ("--output", "counts.csv", "also an input"))  # fmt: skip


def test_tntp_assign_and_skims_output_over_the_trips(tmp_path: Path) -> None:
    net = shared_path("traffic", "tntp", "SiouxFalls", "SiouxFalls_net.tntp")
    trips = tmp_path / "trips.parquet"  # a trips file with an output's ending: refused by name, before it is read
    trips.write_bytes(b"not read")
    refused_and_kept(["traffic", "skims", "--net", net, "--trips", trips, "--output", trips], trips, ("--output", "trips.parquet", "also an input"))
    refused_and_kept(["traffic", "assign", "--net", net, "--trips", trips, "--output", trips], trips, ("--output", "trips.parquet", "also an input"))


@pytest.mark.parametrize("command", ["access", "mobility"])
def test_scene_commands_write_outside_the_scene_folder(scene: Path, command: str) -> None:
    refused_and_kept(["traffic", command, scene, "--output", scene / "result.csv"], scene / "scene.json", ("--output", "inside an input"))
    assert not (scene / "result.csv").exists()
