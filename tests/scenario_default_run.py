"""One ``twin run`` of the default scenario per test process, shared by the report tests.

The default scenario (Saint-Gilles, three what-ifs, 100 Monte Carlo samples) takes about two
minutes; :func:`default_run` runs it the first time it is asked for and hands the same results
folder to every later caller in the process (module-scoped fixtures of
``tests/test_scenario_report.py`` and ``tests/test_report_drilldown.py``).
"""

from __future__ import annotations

from pathlib import Path

_RESULT: dict[str, tuple[Path, str]] = {}


def default_run(tmp_path_factory) -> tuple[Path, str]:
    """``twin run -o OUT -q`` of the default scenario (once per process); returns (OUT, its output)."""
    if "run" not in _RESULT:
        from typer.testing import CliRunner

        from twin.cli.main import app

        out = tmp_path_factory.mktemp("default_run") / "results"
        result = CliRunner().invoke(app, ["run", "-o", str(out), "-q"])
        assert result.exit_code == 0, result.output
        _RESULT["run"] = (out, result.output)
    return _RESULT["run"]
