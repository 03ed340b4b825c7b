"""One home for what a single run is and writes (:mod:`twin.scenario.runner`): ``twin run`` and
each run of a batch use the same functions, and a scenario run never goes through the batch module."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd

from tests.scenario_helpers import fake_comparison

REPO = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports (top-level, lazy and ``from`` imports)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def test_a_scenario_run_does_not_walk_through_the_batch_module():
    for rel in ("twin/workflows/scenario_run.py", "twin/scenario/runner.py", "twin/scenario/outputs.py"):
        assert not any(m.startswith("twin.scenario.batch") for m in imported_modules(REPO / rel)), rel
    batch = imported_modules(REPO / "twin" / "scenario" / "batch.py")
    for name in ("run_identity", "write_run_folder", "kpi_deltas", "run_scenario"):
        assert f"twin.scenario.runner.{name}" in batch, name  # the batch takes them from the runner
    assert "twin.scenario.outputs.write_outputs" not in batch


def test_batch_keeps_the_old_names_of_the_runner_functions():
    from twin.scenario import batch, runner

    assert batch.run_identity is runner.run_identity
    assert batch.scenario_inputs is runner.scenario_inputs


def test_write_run_folder_writes_kpis_deltas_and_samples(tmp_path):
    from twin.scenario.runner import kpi_deltas, write_run_folder

    comparison = fake_comparison()
    comparison.samples = pd.DataFrame({"sample": [0, 1], "whatif": ["w", "w"], "domain": ["energy"] * 2, "kpi": ["q", "q"],
                                       "baseline": [100.0, 101.0], "whatif_value": [66.0, 70.0], "delta": [-34.0, -31.0]})
    written = write_run_folder(comparison, tmp_path / "run")
    assert written == {"kpis": "kpis.parquet", "w/energy": "deltas_w_energy.parquet", "samples": "samples.parquet"}
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == sorted(written.values())
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "run" / "samples.parquet"), comparison.samples)
    assert kpi_deltas(comparison) == {"w/energy/q": -34.0}
    # without samples: no samples file (and the folder is replaced whole)
    comparison.samples = None
    assert "samples" not in write_run_folder(comparison, tmp_path / "run")
    assert not (tmp_path / "run" / "samples.parquet").exists()
