"""``twin traffic simulate --turns-interval`` longer than the run is refused before the inputs are
read whenever the run's length is known without them (``--duration``, or a scenario folder's
``tmax``): it was refused by ``simulate`` itself, after the scene or folder and its demand were
read (as the other interval checks were before ``tests/test_traffic_cli_checked_first.py``). A
scene without ``--duration`` runs until an hour after its demand's last departure window, so there
the check waits for the demand.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.test_traffic_cli_checked_first import SCENE
from tests.test_traffic_dynamic_replicates import write_grid


@pytest.fixture(scope="module")
def grid_bad_demand(tmp_path_factory):
    """The grid (10 s steps, tmax 2400 s) whose demand names a node the network lacks."""
    folder = write_grid(tmp_path_factory.mktemp("turns_first") / "grid")
    demand = pd.read_csv(folder / "demand.csv")
    demand.loc[0, "origin_node_id"] = 99
    demand.to_csv(folder / "demand.csv", index=False)
    return folder


@pytest.mark.parametrize(("extra", "run"), [([], "(2400 s)"), (["--duration", "600"], "(600 s)")])
def test_a_folder_turns_interval_longer_than_the_run_is_refused_before_the_demand_is_read(grid_bad_demand, tmp_path, extra, run):
    result = run_twin(["traffic", "simulate", str(grid_bad_demand), *extra, "--turns", str(tmp_path / "t.csv"), "--turns-interval", "3000"])
    assert_one_line_error(result, contains=("'--turns-interval'", "(3000 s) is longer than the run", run))


def test_a_scene_turns_interval_longer_than_the_duration_is_refused_before_anything_is_read(tmp_path):
    """The --demand table does not exist: the interval's error comes first (was: the missing demand's)."""
    result = run_twin(["traffic", "simulate", *SCENE, "--demand", str(tmp_path / "none.csv"), "--duration", "600",
                       "--turns", str(tmp_path / "t.csv"), "--turns-interval", "1200"])
    assert_one_line_error(result, contains=("'--turns-interval'", "(1200 s) is longer than the run (600 s)"))
