"""Bad-input sweep of ``twin traffic``: scene options on a TNTP network, which change nothing.

``twin traffic assign --net --trips`` with ``--no-signals``, ``--no-restrictions``, ``--crs`` or
``--scene-crs`` ran, exit 0, the option silently not used (a TNTP network has no signals, turn
restrictions or geometry); ``select-link`` / ``select-zone`` refused ``--signals`` and ``--crs``
but took ``--no-signals`` / ``--no-restrictions`` (False counted as left out). Now each is one
``twin: error:`` line naming the option as typed, exit 2, before any work (one rule:
``check_tntp_options`` of :mod:`twin.cli.traffic`, used by all three commands).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path


def sioux_falls() -> tuple[Path, Path, Path]:
    net = shared_path("traffic", "tntp", "SiouxFalls", "SiouxFalls_net.tntp")
    return net, net.with_name("SiouxFalls_trips.tntp"), net.with_name("SiouxFalls_node.tntp")


@pytest.mark.parametrize(("extra", "field"), [(["--no-signals"], "--no-signals"), (["--no-restrictions"], "--no-restrictions"),
                                              (["--signals"], "--signals"), (["--crs", "EPSG:4326"], "--crs"), (["--scene-crs", "EPSG:3857"], "--scene-crs")])  # fmt: skip
def test_tntp_assign_refuses_scene_options(tmp_path: Path, extra: list[str], field: str) -> None:
    net, trips, _ = sioux_falls()
    out = tmp_path / "flows.csv"
    assert_one_line_error(run_twin(["traffic", "assign", "--net", net, "--trips", trips, "--output", out, *extra]), contains=(f"'{field}'", "only with --scene"))
    assert not out.exists()


@pytest.mark.parametrize("flag", ["--no-signals", "--no-restrictions"])
def test_tntp_select_refuses_switching_scene_controls_off(tmp_path: Path, flag: str) -> None:
    """select-link / select-zone refused --signals but took --no-signals on a TNTP network silently (False counted as left out)."""
    net, trips, _ = sioux_falls()
    for command in (["select-link", "--link", "1"], ["select-zone", "-z", "1"]):
        args = ["traffic", command[0], "--net", net, "--trips", trips, *command[1:], flag, "--link-flows", tmp_path / "links.csv"]
        assert_one_line_error(run_twin(args), contains=(f"'{flag}'", "only with --scene"))
    assert not (tmp_path / "links.csv").exists()
