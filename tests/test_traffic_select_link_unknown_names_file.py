"""``twin traffic select-link`` on a TNTP network: an unknown ``--link`` names the network file.

The error said ``no link '999' in network SiouxFalls``: the network's name, not its file, while
every other TNTP error names the file (``file .../SiouxFalls_net.tntp; ...``). Now it does too.
"""

from __future__ import annotations

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path


def test_unknown_link_names_the_network_file() -> None:
    net = shared_path("traffic", "tntp", "SiouxFalls", "SiouxFalls_net.tntp")
    trips = net.with_name("SiouxFalls_trips.tntp")
    result = run_twin(["traffic", "select-link", "--net", net, "--trips", trips, "--link", "999"])
    assert_one_line_error(result, contains=(f"file {net}", "object link 999", "'--link'", "no link '999'"))
