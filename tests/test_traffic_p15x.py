"""Loose ends of issue 15's scene turn restrictions (p15x).

* The command line says what a run applied of a scene with a via-way restriction: the banned
  sequences of ``twin traffic assign --scene``, and that ``twin traffic simulate`` leaves the
  via-way restriction out (dynamic loading cannot apply it), not "1 of 1 applied (0 banned turns)".
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.test_traffic_via_way_p15v import U_TURN, dual_scene


@pytest.fixture
def dual_folder(tmp_path: Path) -> Path:
    """The dual carriageway of p15v with its no_u_turn 1 -> via 3 -> 2, as a scene folder."""
    from twin.export import write_scene

    write_scene(dual_scene([U_TURN], capacity_veh_h=1800.0), tmp_path / "dual")
    return tmp_path / "dual"


def test_cli_lines_count_via_way_restrictions(dual_folder: Path, tmp_path: Path) -> None:
    """``twin traffic assign --scene``: 1 of 1 applied, 0 banned turns and 1 banned sequence;
    ``twin traffic simulate``: 0 of 1 applied, the via-way one named as not applied by dynamic
    loading (not counted among the restrictions that do not apply to the network)."""
    from typer.testing import CliRunner

    from twin.cli.main import app

    static, dynamic = tmp_path / "od.csv", tmp_path / "dyn.csv"
    pd.DataFrame({"origin": ["A"], "destination": ["D"], "flow_veh_h": [1.0]}).to_csv(static, index=False)
    pd.DataFrame({"origin": ["A"], "destination": ["D"], "t_start_s": [0.0], "t_end_s": [60.0], "flow_veh_s": [0.01]}).to_csv(dynamic, index=False)
    res = CliRunner().invoke(app, ["traffic", "assign", "--scene", str(dual_folder), "--demand", str(static), "-q"])
    assert res.exit_code == 0, res.output
    assert "turn restrictions            1 of 1 applied (0 banned turns, 1 banned sequences); 0 not applicable (reasons: --json)" in res.output
    res = CliRunner().invoke(app, ["traffic", "simulate", str(dual_folder), "--demand", str(dynamic), "--routes", "free_flow", "--duration", "300"])
    assert res.exit_code == 0, res.output
    assert (
        "turn restrictions            0 of 1 applied (0 banned turns); 1 via-way not applied (dynamic loading cannot apply them; "
        "twin traffic assign --scene does); 0 not applicable (reasons: --json)"
    ) in res.output
