"""``twin store list OUT`` after ``twin run -o OUT`` reads ``OUT.runs.sqlite``.

README says the store of ``twin run -o OUT`` is ``OUT.runs.sqlite`` and that of ``twin batch -o
OUT`` is ``OUT/runs.sqlite``; a new user who ran ``twin run -o results`` typed ``twin store list
results`` and was told "a folder without runs.sqlite, not a run store" (or "no such file" once
results/ was gone) with ``results.runs.sqlite`` beside it. The folder now stands for that store,
for ``list`` and ``release``; a batch folder with ``runs.sqlite`` and the refusals are unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.test_scenario_store_claim_held import KW
from twin.scenario.store import RunStore


def _run_store(path: Path) -> None:
    store = RunStore(path)
    assert store.claim("r1", **{**KW, "label": "app-r1", "seed": 7}).claimed
    store.fail("r1", "file a.yaml; field 'whatifs': no building matches")


@pytest.mark.parametrize("results_folder", [True, False])
def test_list_of_the_results_folder_reads_its_store_beside_it(tmp_path: Path, results_folder: bool) -> None:
    out = tmp_path / "results"
    if results_folder:
        out.mkdir()
        (out / "report.html").write_text("<html></html>")
    _run_store(tmp_path / "results.runs.sqlite")
    got = run_twin(["store", "list", out, "--format", "json"])
    assert got.code == 0, got.stderr
    listed = json.loads(got.stdout)
    assert listed["store"].endswith("results.runs.sqlite")
    assert [r["run_id"] for r in listed["runs"]] == ["r1"]


def test_release_of_the_results_folder_reads_its_store_beside_it(tmp_path: Path) -> None:
    (tmp_path / "results").mkdir()
    _run_store(tmp_path / "results.runs.sqlite")
    line = assert_one_line_error(run_twin(["store", "release", tmp_path / "results", "nope"]), contains="nope")
    assert "results.runs.sqlite" in line


def test_batch_folder_and_a_folder_without_store_are_read_as_before(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    _run_store(batch / "runs.sqlite")
    _run_store(tmp_path / "batch.runs.sqlite")  # a twin run store beside it does not win over the batch's own
    got = run_twin(["store", "list", batch, "--format", "json"])
    assert got.code == 0, got.stderr
    assert json.loads(got.stdout)["store"].endswith("batch/runs.sqlite")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_one_line_error(run_twin(["store", "list", empty]), contains=(str(empty), "without runs.sqlite"))
