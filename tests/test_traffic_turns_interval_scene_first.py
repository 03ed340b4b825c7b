"""``twin traffic simulate SCENE`` without ``--duration``: a ``--turns-interval`` longer than any
run (30 days) is refused before anything is read. It was refused only once the scene and its
demand were read (the run's length comes from the demand); an interval within 30 days but longer
than that run still waits for the demand (tests/test_traffic_movements.py).
"""

from __future__ import annotations

from tests.cli_harness import assert_one_line_error, run_twin
from tests.test_traffic_cli_checked_first import SCENE


def test_a_turns_interval_longer_than_any_run_is_refused_before_the_demand_is_read(tmp_path):
    """The --demand table does not exist: the interval's error comes first (was: the missing demand's)."""
    result = run_twin(["traffic", "simulate", *SCENE, "--demand", str(tmp_path / "none.csv"),
                       "--turns", str(tmp_path / "t.csv"), "--turns-interval", "3e6"])
    assert_one_line_error(result, contains=("'--turns-interval'", "(0, 2.592e+06] s", "got 3000000.0"))
