"""The zone model as an option: ``energy.model`` in a scenario, ``twin energy run --model``.

Needs the option in twin/scenario/schema.py, the dispatch in twin/scenario/engines/energy.py and
the flag in twin/cli/energy.py (see the report of session p13b).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.cli_harness import assert_one_line_error, run_twin
from tests.conftest import shared_path

REPO = Path(__file__).resolve().parents[1]


def _scenario(**energy) -> dict:
    doc = yaml.safe_load((REPO / "scenarios" / "stgilles_default.yaml").read_text(encoding="utf-8"))
    doc.setdefault("energy", {}).update(energy)
    return doc


def test_scenario_energy_model_option():
    from twin.errors import ScenarioError
    from twin.scenario.schema import parse_scenario

    assert parse_scenario(_scenario()).energy.model == "5r1c"  # the default
    assert parse_scenario(_scenario(model="iso52016")).energy.model == "iso52016"
    with pytest.raises(ScenarioError, match="5r1c.*iso52016") as exc:
        parse_scenario(_scenario(model="iso13790"))
    assert exc.value.field == "energy.model"


def test_cli_unknown_model_is_one_error_line(tmp_path):
    res = run_twin(["energy", "run", str(tmp_path / "no_scene"), "--model", "iso13790", "-o", str(tmp_path / "out")])
    assert_one_line_error(res, contains=("iso13790", "5r1c, iso52016", "--model"))


@pytest.mark.slow
def test_cli_run_with_the_finer_model(tmp_path):
    """``twin energy run --model iso52016`` runs the stock through the finer model; ``--samples``
    with it is refused (the Monte Carlo runs 5R1C only)."""
    from typer.testing import CliRunner

    from tests.test_energy_stock_bad_input import row_scene
    from twin.cli.main import app
    from twin.export import write_scene

    uccle = shared_path("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw")
    folder = tmp_path / "scene"
    write_scene(row_scene(3), folder)
    args = ["energy", "run", str(folder), "--weather", str(uccle), "--format", "csv", "--no-plots", "-q"]
    q = {}
    for model in ("5r1c", "iso52016"):
        res = CliRunner().invoke(app, [*args, "-o", str(tmp_path / model), "--model", model])
        assert res.exit_code == 0, res.output
        q[model] = pd.read_csv(tmp_path / model / "buildings.csv").set_index("building_id")["q_heat_kwh"]
    ratio = (q["iso52016"] / q["5r1c"]).to_numpy()
    assert len(ratio) == 3 and np.all(np.isfinite(ratio))
    # two different models (not the 5R1C path twice), within the spread measured on TABULA and Saint-Gilles (0.72-0.95)
    assert np.all((ratio > 0.6) & (ratio < 1.0)), ratio
    res = CliRunner().invoke(app, [*args, "-o", str(tmp_path / "mc"), "--model", "iso52016", "--samples", "5"])
    from twin.errors import InputError

    assert isinstance(res.exception, InputError) and "5R1C model only" in str(res.exception), res.output  # in process: the exception
