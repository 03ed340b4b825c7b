"""Bad-input sweep 3 of ``twin batch --scheduler``: an address that is no Dask address.

``--scheduler 'not an address'`` was an internal error (exit 70, "ValueError: missing port
number") once the scenario files had been read and the results folder made. Now one
``twin: error:`` line naming the option, before any file is read (``check_scheduler``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.output_helpers import write_tiny_scenario
from twin.errors import InputError
from twin.scenario.batch import check_scheduler


@pytest.mark.parametrize(
    ("address", "contains"),
    [("not an address", ("missing port number",)), ("tcp://host", ("missing port number",)), ("http://host:8786", ("unknown scheme 'http'",))],
    ids=["words", "no-port", "http"],
)
def test_scheduler_that_is_no_address_is_refused_before_reading(tmp_path: Path, address: str, contains: tuple[str, ...]) -> None:
    write_tiny_scenario(tmp_path / "apps")
    out = tmp_path / "results"
    result = run_twin(["batch", tmp_path / "apps", "--scheduler", address, "-o", out])
    assert_one_line_error(result, contains=("'--scheduler'", "is not a Dask scheduler address", *contains))
    assert not out.exists()


def test_dask_addresses_pass_the_check() -> None:
    for address in ("tcp://127.0.0.1:8786", "127.0.0.1:8786", "tls://scheduler.example:8786", "inproc://10.0.0.1/1/1", None):
        check_scheduler(address)
    with pytest.raises(InputError, match="unknown scheme"):
        check_scheduler("ftp://host:21")
