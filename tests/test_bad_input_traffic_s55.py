"""Bad input in the traffic and mobility commands (helper fuzz3, s55): each case was accepted, or
refused with an unclear message, before its fix."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.test_traffic_dynamic_replicates import write_grid


@pytest.mark.parametrize("spelling", ["nan", "NaN"])
def test_nan_written_in_flow_veh_s_is_not_an_empty_cell(tmp_path, spelling):
    """A demand with both ``vehicles`` and ``flow_veh_s``: an empty ``flow_veh_s`` cell is not
    checked, but ``nan`` written in it was read as one by pandas (exit 0)."""
    folder = write_grid(tmp_path / "grid")
    demand = pd.read_csv(folder / "demand.csv")
    demand["vehicles"] = demand["flow_veh_s"] * (demand["t_end_s"] - demand["t_start_s"])
    demand["flow_veh_s"] = demand["flow_veh_s"].astype(object)
    demand.loc[1, "flow_veh_s"] = spelling
    demand.to_csv(folder / "demand.csv", index=False)
    assert_one_line_error(run_twin(["traffic", "simulate", str(folder)]),
                          contains=("demand.csv", "demand row 3", "'flow_veh_s'", f"not a finite number (leave the cell empty if the column may be left out): '{spelling}'"))


def test_an_empty_flow_veh_s_cell_beside_vehicles_still_runs(tmp_path):
    """The fix reads only an empty cell as missing: an empty optional cell stays allowed."""
    folder = write_grid(tmp_path / "grid")
    demand = pd.read_csv(folder / "demand.csv")
    demand["vehicles"] = demand["flow_veh_s"] * (demand["t_end_s"] - demand["t_start_s"])
    demand.loc[1, "flow_veh_s"] = None
    demand.to_csv(folder / "demand.csv", index=False)
    r = run_twin(["traffic", "simulate", str(folder), "--routes", "free_flow", "--json"])
    assert r.code == 0, r.stderr
