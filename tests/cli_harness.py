"""Run the ``twin`` command line as a user does, in a child process with a time limit.

The bad-input corpus (``tests/test_bad_input_*.py``) checks every case with
:func:`assert_one_line_error`: exit code 2, exactly one line ``twin: error: ...`` on stderr,
no traceback, no crash, no hang.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: Time limit of one command in the corpus, s (a hang fails the test instead of the suite). Generous:
#: on a fresh clone the first command of a worker compiles its Numba kernels (cold cache) while the
#: other test worker does the same on a 2-core machine.
DEFAULT_TIMEOUT_S = 300.0

#: A progress line of :mod:`twin.io.progress` (not an error, not a warning).
PROGRESS_LINE = re.compile(r"^twin: \[\s*\d+\.\d s\] ")


@dataclass
class CliResult:
    """What one run of the command line gave."""

    args: list[str]
    code: int
    stdout: str
    stderr: str

    @property
    def stderr_lines(self) -> list[str]:
        """The lines of stderr that are not blank and not progress lines."""
        return [line for line in self.stderr.splitlines() if line.strip() and not PROGRESS_LINE.match(line)]


def run_twin(
    args: list[str | os.PathLike[str]],
    *,
    cwd: str | os.PathLike[str] | None = None,
    env: dict[str, str] | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    stdin: str | None = None,
) -> CliResult:
    """Run ``twin ARGS`` in a child process; fails the test if it runs longer than ``timeout_s``."""
    import pytest

    full_env = {k: v for k, v in os.environ.items() if k not in ("TWIN_TRACEBACK", "TWIN_WARNINGS")}
    full_env.setdefault("TWIN_NUMBA_THREADS", "1")
    if env:
        full_env.update(env)
    argv = [str(a) for a in args]
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "twin.cli.main", *argv],
            cwd=cwd or REPO, env=full_env, capture_output=True, text=True, timeout=timeout_s,
            input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"twin {' '.join(argv)} did not finish within {timeout_s:g} s (a hang)")
    return CliResult(argv, proc.returncode, proc.stdout, proc.stderr)


def assert_one_line_error(result: CliResult, *, contains: str | tuple[str, ...] = (), code: int = 2) -> str:
    """Assert the run ended in one ``twin: error:`` line and exit ``code``; returns the line.

    ``contains``: text (or texts) the line must hold, case-insensitive (e.g. the file name and
    the field).
    """
    cmd = "twin " + " ".join(result.args)
    assert "Traceback" not in result.stderr, f"{cmd}: traceback\n{result.stderr}"
    assert result.code >= 0, f"{cmd}: killed by signal {-result.code}\n{result.stderr[-2000:]}"
    errors = [line for line in result.stderr_lines if line.startswith("twin: error:")]
    others = [line for line in result.stderr_lines if not line.startswith(("twin: error:", "twin: warning:"))]
    assert len(errors) == 1 and not others, f"{cmd}: expected one error line, got stderr:\n{result.stderr[-3000:]}"
    assert result.code == code, f"{cmd}: exit code {result.code}, expected {code}; {errors[0]}"
    line = errors[0]
    for text in (contains,) if isinstance(contains, str) else contains:
        assert text.lower() in line.lower(), f"{cmd}: {text!r} not in {line!r}"
    return line


def assert_warning(result: CliResult, *, contains: str | tuple[str, ...] = ()) -> str:
    """Assert the run printed a ``twin: warning:`` line holding ``contains`` and no traceback."""
    cmd = "twin " + " ".join(result.args)
    assert "Traceback" not in result.stderr, f"{cmd}: traceback\n{result.stderr}"
    warnings = [line for line in result.stderr_lines if line.startswith("twin: warning:")]
    texts = (contains,) if isinstance(contains, str) else contains
    hits = [w for w in warnings if all(t.lower() in w.lower() for t in texts)]
    assert hits, f"{cmd}: no warning with {texts!r}; stderr:\n{result.stderr[-3000:]}"
    return hits[0]
