"""``twin batch`` writes each run's ``report.html`` (the report of ``twin run``) in the run's folder.

The report is staged with the run's other outputs and recorded in the store's ``outputs``;
``--no-report`` (``run_batch(report=False)``) writes none; a report that fails fails its run
and leaves no folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.cli_harness import run_twin
from tests.scenario_helpers import EPW, write_small_district
from twin.errors import OutputError
from twin.scenario.store import RunStore

#: A few footprints around the Parvis (as tests/test_scenario_batch.py): a run takes seconds.
TINY_BOX = (148330.0, 168860.0, 148390.0, 168920.0)

#: The two applications of the batch.
NAMES = ("permit-parvis-a", "permit-parvis-b")


@pytest.fixture(scope="module")
def tiny_source(tmp_path_factory):
    return write_small_district(tmp_path_factory.mktemp("tiny"), TINY_BOX)


@pytest.fixture
def apps(tmp_path, tiny_source) -> Path:
    """A folder of two small renovation applications, their footprints beside them."""
    folder = tmp_path / "apps"
    folder.mkdir()
    buildings = Path(shutil.copy(tiny_source, folder / tiny_source.name))
    for name in NAMES:
        doc = {
            "name": name,
            "inputs": {"files": [str(buildings)], "weather": str(EPW)},
            "domains": ["energy"],
            "whatifs": [{"name": "reno", "modifications": [
                {"op": "renovate", "select": {"fraction": 0.5}, "measures": ["wall_insulation"]}]}],
            "uncertainty": {"seed": 0},
        }
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(doc))
    return folder


def _hidden(out: Path) -> list[str]:
    return [p.name for p in out.iterdir() if p.name.startswith(".")]


@pytest.mark.slow
def test_each_done_run_of_a_batch_has_its_report(apps, tmp_path):
    from twin.scenario.batch import run_batch

    out = tmp_path / "out"
    records = run_batch(apps, out=out, n_workers=1)
    assert (records["status"] == "done").all(), records["error"].tolist()
    assert len(records) == len(NAMES)
    for name, record in zip(NAMES, records.to_dict("records")):
        report = out / record["run_id"] / "report.html"
        assert record["outputs"]["report"] == str(report)
        text = report.read_text(encoding="utf-8")
        assert f"<title>twin: {name}</title>" in text and record["run_id"] in text
        assert (out / record["run_id"] / "kpis.parquet").exists()
    assert _hidden(out) == []


@pytest.mark.slow
def test_no_report_writes_none(apps, tmp_path):
    out = tmp_path / "out"
    result = run_twin(["batch", apps, "-o", out, "--workers", "1", "-q", "--no-report"], timeout_s=600)
    assert result.code == 0, result.stderr
    runs = RunStore(out / "runs.sqlite").runs()
    assert len(runs) == len(NAMES) and (runs["status"] == "done").all()
    for run_id in runs["run_id"]:
        record = RunStore(out / "runs.sqlite").get(run_id)
        assert (out / run_id / "kpis.parquet").exists()
        assert not (out / run_id / "report.html").exists() and "report" not in record["outputs"]


def test_a_report_that_fails_fails_the_run_and_writes_no_folder(apps, tmp_path, monkeypatch):
    import twin.scenario.report
    from twin.scenario.batch import run_one

    def broken(comparison, path, *, run_id=None):
        raise OutputError("disk full", path=path)

    monkeypatch.setattr(twin.scenario.report, "write_report", broken)
    out = tmp_path / "out"
    record = run_one(str(apps / f"{NAMES[0]}.yaml"), str(tmp_path / "runs.sqlite"), str(out))
    assert record["status"] == "failed" and "disk full" in record["error"] and "report.html" in record["error"]
    assert not (out / record["run_id"]).exists() and _hidden(out) == []
