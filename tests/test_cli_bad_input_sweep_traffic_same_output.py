"""Bad-input sweep of ``twin traffic``: two outputs of one run given the same path.

``twin traffic simulate SCENE --output x.csv --turns x.csv`` (or ``--timeseries x.csv``) and
``twin traffic mobility ... --output x.csv --turns x.csv`` (or ``--skims``) ran, exit 0, and the
table written last replaced the other: one of the results asked for was lost. Now one ``twin:
error:`` line names the second option and the first, exit 2, before any work, and a file already
at that path is left as it was (one rule: :func:`twin.traffic.dynamic_commands.check_distinct_outputs`,
also behind ``assign --scene --output/--turns`` and the select commands' outputs).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.traffic_output_cases import crossroads_scene_folder


@pytest.fixture(scope="module")
def scene(tmp_path_factory) -> Path:
    return crossroads_scene_folder(tmp_path_factory, "same_output")


def refused_and_kept(args: list, target: Path, contains: tuple[str, ...]) -> None:
    """One error line holding ``contains``; the file already at ``target`` keeps its bytes."""
    target.write_text("an earlier result\n")
    assert_one_line_error(run_twin(args), contains=contains)
    assert target.read_text() == "an earlier result\n"


@pytest.mark.parametrize("option", ["--turns", "--timeseries"])
def test_simulate_two_outputs_on_one_file(scene: Path, tmp_path: Path, option: str) -> None:
    od = tmp_path / "od.csv"
    pd.DataFrame({"origin": ["W"], "destination": ["E"], "t_start_s": [0.0], "t_end_s": [300.0], "vehicles": [20.0]}).to_csv(od, index=False)
    out = tmp_path / "x.csv"
    refused_and_kept(["traffic", "simulate", scene, "--demand", od, "--routes", "free_flow", "--output", out, option, out], out,
                     (option, "x.csv", "same file as --output"))  # fmt: skip


@pytest.mark.parametrize(("option", "name"), [("--turns", "x.parquet"), ("--skims", "x.parquet")])
def test_mobility_two_outputs_on_one_file(scene: Path, tmp_path: Path, option: str, name: str) -> None:
    out = tmp_path / name
    refused_and_kept(["traffic", "mobility", scene, "--output", out, option, out], out, (option, name, "same file as --output"))


def test_assign_scene_output_and_turns_on_one_file(scene: Path, tmp_path: Path) -> None:
    od = tmp_path / "od.csv"
    pd.DataFrame({"origin": ["W"], "destination": ["E"], "flow_veh_h": [600.0]}).to_csv(od, index=False)
    out = tmp_path / "x.csv"
    refused_and_kept(["traffic", "assign", "--scene", scene, "--demand", od, "--output", out, "--turns", out], out, ("--turns", "x.csv", "same file as --output"))
