"""Bad-input sweep of ``twin traffic``: a bad ``flow_veh_h`` cell of a scene demand table.

``twin traffic assign --scene`` (and the select commands, same reader) named the row and field
but quoted the cell as numpy prints it: ``got np.float64(nan)``, ``got np.int64(-5)``. Now the
cell as the planner wrote it: ``got 'nan'``, ``got '-5'``
(:func:`twin.traffic.assign_commands.read_node_demand`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.traffic_output_cases import crossroads_scene_folder


@pytest.fixture(scope="module")
def scene(tmp_path_factory) -> Path:
    return crossroads_scene_folder(tmp_path_factory, "demand_cells")


@pytest.mark.parametrize(("cell", "shown"), [("nan", "'nan'"), ("-5", "'-5'"), ("inf", "'inf'"), ("1e999", "'inf'")])
def test_bad_flow_cell_is_quoted_as_written(scene: Path, tmp_path: Path, cell: str, shown: str) -> None:
    od = tmp_path / "od.csv"
    od.write_text(f"origin,destination,flow_veh_h\nW,E,600\nN,S,{cell}\n")
    line = assert_one_line_error(run_twin(["traffic", "assign", "--scene", scene, "--demand", od]),
                                 contains=("od.csv", "row 3", "'flow_veh_h'", f"got {shown}"))  # fmt: skip
    assert "np." not in line
