"""Bad-input sweep of ``twin traffic``: ``skims --gap`` without ``--trips``.

Free-flow skims assign no demand, so the gap changed nothing (exit 0). Now one ``twin: error:``
line names ``--gap``, exit 2, before any work (:func:`twin.traffic.mobility_commands.run_skims`;
the default gap with ``--trips`` is ``DEFAULT_SKIM_GAP``, 1e-6 as before).
"""

from __future__ import annotations

from pathlib import Path

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path


def sioux_falls() -> tuple[Path, Path, Path]:
    net = shared_path("traffic", "tntp", "SiouxFalls", "SiouxFalls_net.tntp")
    return net, net.with_name("SiouxFalls_trips.tntp"), net.with_name("SiouxFalls_node.tntp")


def test_skims_gap_without_trips(tmp_path: Path) -> None:
    net, _, _ = sioux_falls()
    out = tmp_path / "skims.omx"
    assert_one_line_error(run_twin(["traffic", "skims", "--net", net, "--output", out, "--gap", "1e-3"]), contains=("'--gap'", "--trips", "changes nothing"))
    assert not out.exists()
