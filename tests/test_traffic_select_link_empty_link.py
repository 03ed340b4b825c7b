"""``twin traffic select-link --link ""``: an empty link id is its own clear message.

It read ``object link ; field '--link': no link '' in network ...`` (an object with no name).
Now one line ``--link is empty``, before any file is read, for a TNTP case and a scene.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path


@pytest.mark.parametrize("value", ["", "  "])
def test_empty_link_on_a_tntp_network(value: str) -> None:
    net = shared_path("traffic", "tntp", "SiouxFalls", "SiouxFalls_net.tntp")
    result = run_twin(["traffic", "select-link", "--net", net, "--trips", net.with_name("SiouxFalls_trips.tntp"), "--link", "1", "--link", value])
    assert_one_line_error(result, contains=("'--link'", "--link is empty"))
    assert "object link" not in result.stderr


def test_empty_link_is_refused_before_the_files(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    result = run_twin(["traffic", "select-link", "--scene", missing / "scene", "--demand", missing / "d.csv", "--link", ""])
    assert_one_line_error(result, contains=("'--link'", "--link is empty"))
