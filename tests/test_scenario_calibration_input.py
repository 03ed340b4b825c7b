"""``inputs.calibration``: a table written by ``twin calibrate`` enters a scenario.

The calibrated parameters are applied to the baseline scene (so every what-if carries them),
the table is a confined, hashed input of the run, and a table of another scene is one error line
naming the scenario key.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.cli_harness import assert_one_line_error, run_twin
from tests.scenario_helpers import BOX_100M, EPW, write_small_district


def _doc(buildings, calibration=None) -> dict:
    inputs = {"files": [str(buildings)], "weather": str(EPW)}
    if calibration:
        inputs["calibration"] = calibration
    return {"name": "calibrated", "inputs": inputs, "domains": ["energy"],
            "whatifs": [{"name": "walls", "modifications": [{"op": "renovate", "select": {"fraction": 1.0}, "measures": ["wall_insulation"]}]}]}


def _group_table(ids, median: float) -> pd.DataFrame:
    from twin.calibration.group import GroupPosterior
    from twin.calibration.writeback import group_table

    post = GroupPosterior(np.zeros(3), np.ones(3) / 3, median, 0.95 * median, 1.05 * median, float(np.log(median)), 0.05, (0.3, 1.5), 100.0)
    return group_table(ids, "all", post, "test")


def test_calibrated_parameters_reach_the_baseline_and_the_whatifs(tmp_path):
    from twin.ingest import ingest
    from twin.scenario.batch import run_identity
    from twin.scenario.runner import run_scenario
    from twin.scenario.schema import parse_scenario

    buildings = write_small_district(tmp_path, BOX_100M)
    scene, _ = ingest([buildings])
    ids = scene.buildings["building_id"].astype(str).tolist()
    _group_table(ids, 0.5).to_parquet(tmp_path / "calibration.parquet")

    plain = run_scenario(parse_scenario(_doc(buildings)), base_dir=tmp_path)
    calibrated = run_scenario(parse_scenario(_doc(buildings, "calibration.parquet")), base_dir=tmp_path)
    b = calibrated.baseline_scene.buildings
    assert (b["calib_h_tr_factor"] == 0.5).all() and (b["calib_h_tr_factor_source"] == "calibrated").all()
    k0, k1 = (c.kpis.set_index("kpi") for c in (plain, calibrated))
    # halving the envelope's transmission lowers the baseline need and the insulation's saving
    assert k1.loc["heating_need_mwh", "baseline"] < 0.9 * k0.loc["heating_need_mwh", "baseline"]
    assert abs(k1.loc["heating_need_mwh", "delta"]) < abs(k0.loc["heating_need_mwh", "delta"])
    # the table is an input of the run: another table, another run id
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(_doc(buildings, "calibration.parquet")))
    first = run_identity(path)["run_id"]
    _group_table(ids, 0.6).to_parquet(tmp_path / "calibration.parquet")
    assert run_identity(path)["run_id"] != first


@pytest.mark.parametrize(("table", "needle"), [("other.parquet", "not in the scene"), ("calib.txt", ".parquet")])
def test_a_table_of_another_scene_or_format_is_one_error_line(tmp_path, table, needle):
    buildings = write_small_district(tmp_path, BOX_100M)
    _group_table(["osm:way/1", "osm:way/2"], 0.5).to_parquet(tmp_path / "other.parquet")
    (tmp_path / "calib.txt").write_text("building_id\n")
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(_doc(buildings, table)))
    r = run_twin(["run", str(path), "-o", str(tmp_path / "out"), "-q"])
    assert_one_line_error(r, contains=("inputs.calibration", needle))
    assert not (tmp_path / "out").exists()
