"""A water table below the layers deepens a soil column: a limit it passes is named on ``bottom.depth_m``.

``twin soil column`` extends the deepest layer down to a ``water_table`` bottom. When that extension
takes the column past the node limit (:data:`twin.soil.limits.MAX_NODES_PER_COLUMN`) the grid was
reported (``grid.dz_m``) although it fits the layers as given: the table is the key to change. A
table below the depth limit (:data:`twin.soil.limits.MAX_DEPTH_M`) says what to do. A grid too fine
for the layers themselves is still the grid's fault.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.cli_harness import assert_one_line_error, run_twin


def _spec(tmp_path: Path, *, grid: dict, depth_m: float) -> Path:
    doc = {
        "materials": {"loam": {"texture": "loam"}},
        "layers": [{"top_m": 0.0, "bottom_m": 1.0, "material": "loam"}],
        "grid": grid,
        "initial": {"hydrostatic": True},
        "top": {"kind": "atmospheric", "rain": {"block": {"depth_mm": 10.0, "duration_s": 3600.0}}},
        "bottom": {"kind": "water_table", "depth_m": depth_m},
        "duration_s": 86400.0,
    }
    path = tmp_path / "deep_table.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(("grid", "spacing"), [({"dz_m": 0.001}, "dz_m = 0.001 m"),
                                               ({"dz_top_m": 0.0001, "dz_max_m": 0.001}, "dz_max_m = 0.001 m")],
                         ids=["uniform", "graded"])
def test_table_past_the_node_limit_names_the_table(tmp_path: Path, grid: dict, spacing: str) -> None:
    # 1 m of layers at 1 mm is 1,001 nodes; the table at 200 m makes it 200,001
    path = _spec(tmp_path, grid=grid, depth_m=200.0)
    line = assert_one_line_error(run_twin(["soil", "column", path]),
                                 contains=("deep_table.yaml", "field 'bottom.depth_m'", "the water table at 200 m", spacing, "100,000 nodes",
                                           "at most 99.999 m", "shallower table"))
    assert "grid." not in line


def test_grid_too_fine_for_the_layers_names_the_grid(tmp_path: Path) -> None:
    # 1 m at 0.005 mm is 200,001 nodes before any table: the grid is at fault
    path = _spec(tmp_path, grid={"dz_m": 0.000005}, depth_m=200.0)
    assert_one_line_error(run_twin(["soil", "column", path]), contains=("deep_table.yaml", "field 'grid.dz_m'", "above the limit of 100,000"))


def test_table_below_the_depth_limit_says_what_to_do(tmp_path: Path) -> None:
    path = _spec(tmp_path, grid={"dz_m": 0.01}, depth_m=1500.0)
    assert_one_line_error(run_twin(["soil", "column", path]),
                          contains=("deep_table.yaml", "field 'bottom.depth_m'", "water table at 1500 m", "(1000 m)", "<= 1000 m",
                                    "free_drainage bottom"))
