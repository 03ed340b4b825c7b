"""Misdirected outputs of the writing commands: one line, exit 2, nothing already written touched.

The sweep of "nothing already written is lost or mixed" (docs/scenarios.md, 'Batches'): ``twin
batch -o`` named a folder of the user's, or the folder of the scenario files, and the batch wrote
``runs.sqlite`` and one folder per run among the user's files (exit 0). Every other writing
command refused such a folder already (``tests/test_output_ownership*.py``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.output_helpers import write_tiny_scenario

pytest.importorskip("dask.distributed")


def _snapshot(folder: Path) -> dict[str, str]:
    """Every entry under ``folder``: relative path -> SHA-256 of a file, or 'dir'."""
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir")
            for p in sorted(folder.rglob("*"))}


@pytest.fixture
def apps(tmp_path: Path) -> Path:
    """A folder holding one tiny scenario (and its inputs)."""
    write_tiny_scenario(tmp_path / "apps")
    return tmp_path / "apps"


def test_batch_refuses_a_folder_of_the_users_files(apps: Path, tmp_path: Path) -> None:
    user = tmp_path / "documents"
    user.mkdir()
    (user / "notes.txt").write_text("my notes", encoding="utf-8")
    (user / "plans").mkdir()
    (user / "plans" / "site.dxf").write_bytes(b"0\nSECTION\n")
    before = _snapshot(tmp_path)
    assert_one_line_error(run_twin(["batch", apps, "-o", user, "-q", "--workers", "1"]),
                          contains=("documents", "'--out'", "not an earlier result of twin batch", "runs.sqlite"))
    assert _snapshot(tmp_path) == before


def test_batch_refuses_the_folder_of_its_scenario_files(apps: Path, tmp_path: Path) -> None:
    before = _snapshot(tmp_path)
    assert_one_line_error(run_twin(["batch", apps, "-o", apps, "-q", "--workers", "1"]),
                          contains=("apps", "'--out'", "tiny.yaml", "scenario file"))
    assert _snapshot(tmp_path) == before


def test_batch_refuses_a_parent_of_its_scenario_files(apps: Path, tmp_path: Path) -> None:
    """``-o .`` from the project folder: the scenario folder lies inside the output folder."""
    before = _snapshot(tmp_path)
    assert_one_line_error(run_twin(["batch", apps, "-o", tmp_path, "-q", "--workers", "1"]),
                          contains=("'--out'", "tiny.yaml", "scenario file"))
    assert _snapshot(tmp_path) == before
