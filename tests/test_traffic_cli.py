"""``twin traffic assign`` end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from tests.conftest import shared_path
from twin.cli.main import app

runner = CliRunner()


def sioux() -> tuple[str, str]:
    folder = shared_path("traffic", "tntp", "SiouxFalls")
    return str(folder / "SiouxFalls_net.tntp"), str(folder / "SiouxFalls_trips.tntp")


def test_assign_prints_and_writes(tmp_path: Path) -> None:
    net, trips = sioux()
    out = tmp_path / "flows.csv"
    result = runner.invoke(app, ["traffic", "assign", "--net", net, "--trips", trips, "--gap", "1e-6", "-o", str(out)])
    assert result.exit_code == 0, result.output
    for words in ("iter", "converged after", "relative gap", "Beckmann objective", "total system travel time", "wall time"):
        assert words in result.output
    frame = pd.read_csv(out)
    assert len(frame) == 76 and frame["flow"].sum() > 0
    assert not list(tmp_path.glob(".*.tmp*"))  # atomic write left no temporary file


def test_assign_json_and_parquet(tmp_path: Path) -> None:
    net, trips = sioux()
    out = tmp_path / "flows.parquet"
    result = runner.invoke(app, ["traffic", "assign", "--net", net, "--trips", trips, "-a", "bfw", "--gap", "1e-4", "--json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["algorithm"] == "bfw" and summary["converged"] and summary["relative_gap"] <= 1e-4
    assert summary["history"][-1]["relative_gap"] == summary["relative_gap"]
    assert len(pd.read_parquet(out)) == 76


def test_not_converged_exits_1() -> None:
    net, trips = sioux()
    result = runner.invoke(app, ["traffic", "assign", "--net", net, "--trips", trips, "-a", "fw", "--gap", "1e-9", "--max-iter", "3", "-q"])
    assert result.exit_code == 1
    assert "NOT converged after 3 iterations" in result.output


def test_bad_input_exits_2_naming_the_file(tmp_path: Path) -> None:
    _, trips = sioux()
    bad = tmp_path / "bad_net.tntp"
    bad.write_text("<NUMBER OF ZONES> 24\n<NUMBER OF NODES> x\n<FIRST THRU NODE> 1\n<NUMBER OF LINKS> 0\n<END OF METADATA>\n")
    proc = subprocess.run(
        [sys.executable, "-m", "twin.cli.main", "traffic", "assign", "--net", str(bad), "--trips", trips],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 2
    assert str(bad) in proc.stderr and "line 2" in proc.stderr and "NUMBER OF NODES" in proc.stderr
