"""SIGINT and SIGTERM at start-up and after the command has ended: one line, exit 130 / 143.

Where the signal lands is made certain, not left to timing on a loaded machine: the test-only
variable ``TWIN_TEST_PAUSE=<point>:<marker>`` (:data:`twin.cli.PAUSE_ENV`) makes the command
line write the marker file at a named point and sleep there; the test sends the signal once the
marker exists. ``import``: in the console entry point, before the command line (typer, click,
the command modules) is imported, so the process is provably still starting. ``ended``: after
the command has ended and its output is printed, just before the interpreter shuts down.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.output_helpers import child_env

LINES = {signal.SIGINT: "twin: interrupted", signal.SIGTERM: "twin: terminated (SIGTERM)"}
CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}
WAIT_S = 120.0
SIGNALS = pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])


def _signalled(cmd: list[str], point: str, sig: int, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run ``cmd`` paused at ``point``, send ``sig`` once the marker is written; the ended process."""
    marker = tmp_path / f"paused-{point}"
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
                            env=child_env(TWIN_TEST_PAUSE=f"{point}:{marker}"))
    try:
        deadline = time.monotonic() + WAIT_S
        while not marker.exists():
            assert proc.poll() is None, f"ended before reaching {point}: {proc.returncode} {proc.stderr.read()}"
            assert time.monotonic() < deadline, f"{point} not reached in {WAIT_S} s"
            time.sleep(0.02)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=WAIT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _console_script() -> str:
    script = Path(sys.executable).with_name("twin")
    if not script.exists():
        pytest.fail(f"no console script {script}: install the package (pip install -e .)")
    return str(script)


@SIGNALS
def test_a_signal_while_the_command_line_is_still_imported_is_one_line(tmp_path, sig):
    result = _signalled([_console_script(), "--help"], "import", sig, tmp_path)
    assert (result.returncode, result.stderr, result.stdout) == (CODES[sig], LINES[sig] + "\n", "")


@SIGNALS
def test_a_signal_after_the_command_has_ended_is_one_line_and_keeps_its_output(tmp_path, sig):
    from twin import __version__

    result = _signalled([sys.executable, "-m", "twin.cli.main", "--version"], "ended", sig, tmp_path)
    assert result.returncode == CODES[sig], result.stderr
    assert result.stderr == f"{LINES[sig]} after the command had ended; its results were written whole\n"
    assert result.stdout == f"twin {__version__}\n"  # printed before the signal, buffered in the pipe: not lost


def test_the_command_line_still_ends_with_its_own_code_without_a_signal(tmp_path):
    marker = tmp_path / "never"
    result = subprocess.run([_console_script(), "--version"], capture_output=True, text=True, timeout=WAIT_S,
                            env=child_env(TWIN_TEST_PAUSE=f"elsewhere:{marker}"))
    assert (result.returncode, result.stderr) == (0, "")
    assert not marker.exists()
