"""Commands run as child processes, for the tests of interruptions and stores: one ``twin run``
of the tiny scenario, and the wait for a killed process group to be gone."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.output_helpers import run_cli, write_tiny_scenario


def tiny_run(folder: Path, name: str) -> tuple[Path, Path]:
    """``twin run`` of the tiny scenario (seed 1) written in ``folder / "scenario"``, into ``folder / name``, in a child process.

    Parameters
    ----------
    folder : Path
        A fresh folder.
    name : str
        Name of the results folder inside ``folder``.

    Returns
    -------
    tuple of Path
        The scenario file and the results folder (the run ended with exit code 0).
    """
    scen = write_tiny_scenario(folder / "scenario", seed=1)
    out = folder / name
    proc = run_cli("run", scen, "-o", out, "-q")
    assert proc.returncode == 0, proc.stderr
    return scen, out


def wait_group_gone(pgid: int, timeout_s: float, message: str) -> None:
    """Wait until no process of the group ``pgid`` is alive; fail the test with ``message`` after ``timeout_s`` seconds.

    Parameters
    ----------
    pgid : int
        The process group (the id of the child started with ``start_new_session``).
    timeout_s : float
        How long to wait.
    message : str
        The failure's text.
    """
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        pytest.fail(message)
