"""``twin batch`` where some scenario files are bad and the others ran: exit 1 (partial), the bad
files listed as failed runs, the good runs recorded (a deliberate choice: see ``twin batch
--help`` and docs/scenarios.md)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.test_scenario_store_claim_held import TIMEOUT_S, app, tiny_source  # noqa: F401 - fixtures
from twin.scenario.store import RunStore


@pytest.mark.slow
def test_batch_with_a_bad_file_and_a_good_one_exits_1_listing_the_bad_one(tmp_path, app):  # noqa: F811 - the fixture
    path, run_id, _ = app
    (path.parent / "bad.yaml").write_text("name: bad\ncolour: red\n")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "twin.cli.main", "batch", str(path.parent), "-o", str(out), "--workers", "1", "--no-report"],
                          capture_output=True, text=True, timeout=TIMEOUT_S)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "2 runs: " in proc.stdout and "done 1" in proc.stdout and "failed 1" in proc.stdout
    assert any(line.strip().startswith("failed ") and "bad.yaml" in line for line in proc.stdout.splitlines()), proc.stdout
    assert "twin: warning: 1 of 2 runs failed" in proc.stderr
    assert RunStore(out / "runs.sqlite").get(run_id)["status"] == "done"
