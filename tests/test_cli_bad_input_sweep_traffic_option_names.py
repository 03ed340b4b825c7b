"""Bad-input sweep of ``twin traffic``: errors in an option's value name the option as typed.

``assign --algorithm xyz`` said ``field 'algorithm'``, ``estimate-od --method bogus`` ``field
'method'`` (and only after reading the network, prior and counts), ``select-link --link 999``
``field 'links'``, ``select-zone -z 99`` ``field 'zones'``: the library's parameter names, not the
options. Now each names ``--algorithm``, ``--method``, ``--link``, ``--zones`` (one rule:
``named_as_option`` of :mod:`twin.cli.traffic`, as ``twin traffic mobility`` does), and the method
is checked before any file is read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path


@pytest.mark.parametrize(
    ("args", "contains"),
    [
        (["assign", "--algorithm", "xyz"], ("'--algorithm'", "unknown algorithm 'xyz'")),
        (["select-link", "--link", "999"], ("'--link'", "no link '999'")),
        (["select-link", "--link", "1", "--link", "1-2"], ("'--link'", "selected twice")),
        (["select-zone", "-z", "99"], ("'--zones'", "'99' is not a zone")),
        (["select-zone", "-z", "1,1"], ("'--zones'", "selected twice")),
    ],
)
def test_option_value_errors_name_the_option(args: list[str], contains: tuple[str, ...]) -> None:
    net = shared_path("traffic", "tntp", "SiouxFalls", "SiouxFalls_net.tntp")
    assert_one_line_error(run_twin(["traffic", args[0], "--net", net, "--trips", net.with_name("SiouxFalls_trips.tntp"), *args[1:]]), contains=contains)


def test_estimate_od_method_is_checked_before_the_files(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    args = ["traffic", "estimate-od", "--net", missing / "net.tntp", "--trips", missing / "trips.tntp", "--counts", missing / "c.csv", "--method", "bogus"]
    assert_one_line_error(run_twin(args), contains=("'--method'", "unknown method 'bogus'"))
