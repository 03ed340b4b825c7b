"""Bad-input sweep of ``twin traffic``: ``select-link`` / ``select-zone --nodes`` without ``--map``.

The node file only places the map's nodes; without ``--map`` the run ignored it, exit 0. Now one
``twin: error:`` line names ``--nodes`` and the file, exit 2, before any work
(:func:`twin.traffic.select_commands.check_select_outputs`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path


def sioux_falls() -> tuple[Path, Path, Path]:
    net = shared_path("traffic", "tntp", "SiouxFalls", "SiouxFalls_net.tntp")
    return net, net.with_name("SiouxFalls_trips.tntp"), net.with_name("SiouxFalls_node.tntp")


@pytest.mark.parametrize("command", [["select-link", "--link", "1"], ["select-zone", "-z", "1"]])
def test_select_nodes_without_a_map(tmp_path: Path, command: list[str]) -> None:
    net, trips, nodes = sioux_falls()
    out = tmp_path / "links.csv"
    args = ["traffic", command[0], "--net", net, "--trips", trips, *command[1:], "--nodes", nodes, "--link-flows", out]
    assert_one_line_error(run_twin(args), contains=("'--nodes'", "SiouxFalls_node.tntp", "only with --map"))
    assert not out.exists()
