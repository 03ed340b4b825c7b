"""``twin soil block SPEC.yaml``: the report, and one clear error line for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tests.cli_harness import assert_one_line_error, run_twin
from tests.soil_helpers import edited
from twin.cli.main import app
from twin.soil.hydraulics import texture_material, van_genuchten

SPEC = {
    "name": "de-sealed square",
    "materials": {"loam": {"texture": "Loam"}, "gravel": {"model": "van_genuchten", "theta_r": 0.02, "theta_s": 0.35,
                                                          "alpha_per_m": 10.0, "n": 3.0, "ks_m_s": 1.0e-4}},
    "layers": [{"top_m": 0.0, "bottom_m": 0.2, "material": "gravel"}, {"top_m": 0.2, "bottom_m": 1.0, "material": "loam"}],
    "grid": {"nx": 6, "ny": 5, "nz": 10, "dx_m": 1.0, "dy_m": 1.0, "dz_m": 0.1},
    "initial": {"h_m": -1.0},
    "sides": {"top": {"kind": "rain", "rain_mm_h": 30.0, "open_x_m": [2.0, 4.0], "open_y_m": [1.0, 4.0]},
              "bottom": {"kind": "free_drainage"}},
    "output_times_s": [1800.0, 3600.0],
    "solver": {"dt_max_s": 300.0},
}


def _write(tmp_path: Path, spec: dict) -> Path:
    path = tmp_path / "block.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def test_block_json_report(tmp_path: Path) -> None:
    """Rain falls on the open faces only (2 x 3 of 1 m2 at 30 mm/h), the layers get their
    materials, the balance closes."""
    result = CliRunner().invoke(app, ["soil", "block", str(_write(tmp_path, SPEC)), "--json"])
    assert result.exit_code == 0, result.output
    rep = json.loads(result.output)
    assert rep["cells"] == 300
    last = rep["outputs"][-1]
    assert last["rain_m3"] == pytest.approx(6 * 0.030, rel=1e-9)
    assert last["rain_m3"] - last["runoff_m3"] == pytest.approx(last["inflow_m3"]["top"], rel=1e-9)
    theta = last["theta_mean_by_layer"]
    gravel = van_genuchten("gravel", 0.02, 0.35, 10.0, 3.0, 1.0e-4)
    loam = texture_material("Loam")
    assert len(theta) == 10 and theta[0] < 0.35 and theta[-1] == pytest.approx(float(loam.theta(-1.0)), abs=2e-3)
    assert theta[0] > float(gravel.theta(-1.0)) + 1e-3  # the gravel on top took water
    assert rep["totals"]["relative_balance_error"] < 1e-10
    text = CliRunner().invoke(app, ["soil", "block", str(_write(tmp_path, SPEC))])
    assert text.exit_code == 0 and "relative water balance error" in text.output


@pytest.mark.parametrize(
    ("key", "value", "expect"),
    [
        ("grid.nx", 2000, ("limit", "block.yaml")),  # 2000 x 5 x 10 is fine, so make it bigger below
        ("sides.bottom", {"kind": "rain", "rain_mm_h": 10.0}, ("top only", "sides.bottom")),
        ("sides.top.rian_mm_h", 3.0, ("unknown key", "rian_mm_h")),
        # s54b: a range holding every face of its side closed none and was read without a word
        ("sides.bottom.open_depth_m", [0.0, 1.0], ("sides.bottom.open_depth_m", "closes none and changes nothing")),
        ("sides.top.open_x_m", [0.0, 6.0], ("sides.top.open_x_m", "closes none and changes nothing")),
    ],
)
def test_bad_block_specs_are_one_line(tmp_path: Path, key: str, value, expect) -> None:
    spec = edited(SPEC, {key: value})
    if key == "grid.nx":
        spec["grid"].update(nx=2000, ny=2000, nz=10)  # 40 million cells
    result = run_twin(["soil", "block", _write(tmp_path, spec)])
    assert_one_line_error(result, contains=expect)


def test_missing_spec_is_one_line(tmp_path: Path) -> None:
    assert_one_line_error(run_twin(["soil", "block", tmp_path / "nope.yaml"]), contains="nope.yaml")
