"""SIGINT and SIGTERM while a writing command replaces an earlier result: nothing written is lost or mixed.

The sweep of the writing commands (stage, then swap): each command first writes a complete
result, then runs again into the same place and gets a signal mid-work. Then: exit 130 (SIGINT)
or 143 (SIGTERM), one line on stderr and no traceback, every file of the first result
byte-identical, no staging entry left beside it (:mod:`twin.io.staged`), and a rerun succeeds.

Where the signal lands is made certain, not left to timing: the rerun runs as
``python -m tests.staging_pause`` with ``TWIN_TEST_PAUSE=staged:<marker>``, which writes the marker
and sleeps once the new result is wholly written beside the output and before it is swapped in;
the signal is sent once the marker exists. The test used to send it as soon as the staging entry
appeared: a command whose write phase is short (solar cadastre) had often put its new result in
place by then, and after five such tries the test skipped, checking nothing. The lines of a
signal that lands after the swap or after the command has ended are checked by
``tests/test_stop_held_signals.py`` and ``tests/test_signals_startup_shutdown.py``.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.output_helpers import child_env, run_cli, signal_if_running, write_tiny_inputs
from tests.staging_pause import POINT

pytestmark = pytest.mark.slow

#: Longest wait for the write to reach the pause, and for the stopped process to end, s (a cold
#: Numba cache compiles kernels first, on a loaded 2-core machine).
WAIT_S = 300.0

LINES = {signal.SIGINT: "twin: interrupted", signal.SIGTERM: "twin: terminated (SIGTERM)"}
CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}


def _hashes(path: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file of ``path`` (a folder or one file)."""
    if path.is_file():
        return {"": hashlib.sha256(path.read_bytes()).hexdigest()}
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def case(tmp_path_factory) -> dict[str, Path]:
    """The tiny district ingested, and monthly gas readings of three of its buildings."""
    root = tmp_path_factory.mktemp("interrupted")
    inputs = write_tiny_inputs(root / "in")
    result = run_cli("ingest", inputs / "district.geojson", inputs / "weather.epw", "-o", root / "scene", "-q")
    assert result.returncode == 0, result.stderr
    ids = pd.read_parquet(root / "scene" / "buildings.parquet", columns=["building_id"])["building_id"].astype(str).tolist()
    months = pd.date_range("2023-01-01", periods=13, freq="MS", tz="Europe/Brussels")
    pd.DataFrame([{"building_id": b, "carrier": "gas", "start": months[i].isoformat(), "end": months[i + 1].isoformat(), "kwh": 900.0}
                  for b in ids[:3] for i in range(12)]).to_csv(root / "meters.csv", index=False)
    return {"scene": root / "scene", "weather": inputs / "weather.epw", "meters": root / "meters.csv"}


def _shown(path: Path) -> str:
    """``path`` as the stop line names it: relative to the current folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


COMMANDS = {
    "energy run": lambda c, out: ["energy", "run", c["scene"], "-w", c["weather"], "-o", out, "-q"],
    "solar cadastre": lambda c, out: ["solar", "cadastre", c["scene"], "-w", c["weather"], "-o", out, "-q"],
    "calibrate": lambda c, out: ["calibrate", c["scene"], "--meters", c["meters"], "--draws", "20", "-o", out, "-q"],
    "export folder": lambda c, out: ["export", c["scene"], "-o", out],
    "export gpkg": lambda c, out: ["export", c["scene"], "-o", out.with_name(out.name + ".gpkg")],
}

def _signalled_rerun(args: list, out: Path, sig: int, command: str, marker: Path) -> tuple[str, int]:
    """Rerun ``twin ARGS`` paused before its swap (:mod:`tests.staging_pause`), send ``sig`` there.

    Returns stderr and the exit code.
    """
    proc = subprocess.Popen([sys.executable, "-m", "tests.staging_pause", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=child_env(TWIN_TEST_PAUSE=f"{POINT}:{marker}"),
                            stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + WAIT_S
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert marker.exists(), f"twin {command} ended (or took {WAIT_S:g} s) before its write of {out} reached the pause"
        assert signal_if_running(proc, sig), f"twin {command} ended while paused"
        _, err = proc.communicate(timeout=WAIT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return err, proc.returncode


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_signal_mid_work_keeps_the_earlier_result_whole(case, tmp_path, command, sig):
    args = COMMANDS[command](case, tmp_path / "res" / "out")
    out = Path(args[args.index("-o") + 1])
    first = run_cli(*args, timeout_s=WAIT_S)
    assert first.returncode == 0, first.stderr
    before = _hashes(out)
    assert before
    beside = sorted(os.listdir(out.parent))

    err, code = _signalled_rerun(args, out, sig, command, tmp_path / "paused")
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("twin: [")]
    assert code == CODES[sig] and "Traceback" not in err, err[-2000:]
    assert lines == [LINES[sig]], err[-2000:]
    assert sorted(os.listdir(out.parent)) == beside  # no staging entry left beside it
    assert _hashes(out) == before  # every file of the first result, byte for byte, none added or lost
    again = run_cli(*args, timeout_s=WAIT_S)
    assert again.returncode == 0, again.stderr
    assert sorted(os.listdir(out.parent)) == beside
