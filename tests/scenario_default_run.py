"""One ``twin run`` of the default scenario per test session, shared by the report tests.

The default scenario (Saint-Gilles, three what-ifs, 100 Monte Carlo samples) takes a few
minutes; :func:`default_run` runs it the first time it is asked for and hands the same results
folder to every later caller (module-scoped fixtures of ``tests/test_scenario_report.py`` and
``tests/test_report_drilldown.py``). Under pytest-xdist the test files run in several worker
processes: the first worker to ask runs it in the session's shared temporary folder, under a
file lock; the others wait on the lock and read the finished folder (one run per session instead
of one per worker). The tests only read the folder.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

_RESULT: dict[str, tuple[Path, str]] = {}


def _shared_folder(tmp_path_factory) -> Path:
    """The folder every process of the session sees (the xdist workers' common parent)."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = root / "default_run_shared"
    folder.mkdir(exist_ok=True)
    return folder


def _run_once(out: Path) -> str:
    from typer.testing import CliRunner

    from twin.cli.main import app

    result = CliRunner().invoke(app, ["run", "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return result.output


def default_run(tmp_path_factory) -> tuple[Path, str]:
    """``twin run -o OUT -q`` of the default scenario (once per session); returns (OUT, its output)."""
    if "run" not in _RESULT:
        folder = _shared_folder(tmp_path_factory)
        out, record = folder / "results", folder / "finished.json"
        with open(folder / "lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            if record.exists():
                output = json.loads(record.read_text())["output"]
            else:
                output = _run_once(out)
                record.write_text(json.dumps({"output": output}))
        _RESULT["run"] = (out, output)
    return _RESULT["run"]
