"""Values a new user types on the command line (cli3): each case failed before its fix.

Every case runs the real command line in a child process and must end in one ``twin: error:``
line naming the option, exit status 2.
"""

from __future__ import annotations

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.scenario_helpers import SAMPLES

EPW = SAMPLES / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"


@pytest.mark.parametrize("kwp", ["-1", "inf", "2e6"])
def test_kwp_range_says_above_zero(kwp: str) -> None:
    """--kwp -1 said 'outside [0, 1e+06]' though --kwp 0 is refused too."""
    line = assert_one_line_error(run_twin(["solar", "pv", "-w", EPW, "--kwp", kwp]), contains=("'--kwp'", "outside (0, 1e+06] kWp", "> 0"))
    assert "[0," not in line
