"""SIGINT and SIGTERM while a writing command replaces an earlier result: nothing written is lost or mixed.

The sweep of the writing commands (stage, then swap): each command first writes a complete
result, then runs again into the same place and gets a signal mid-work. Then: exit 130 (SIGINT)
or 143 (SIGTERM), one line on stderr and no traceback, every file of the first result the
same file (inode) and byte-identical, no staging entry left beside it (:mod:`twin.io.staged`), and a rerun succeeds.

Where the signal lands is made certain, not left to timing: the rerun runs as
``python -m tests.staging_pause`` with ``TWIN_TEST_PAUSE=staged:<marker>``, which writes the marker
and sleeps once the new result is wholly written beside the output and before it is swapped in;
the signal is sent once the marker exists, to the main thread, where a user's Ctrl-C lands
(:func:`tests.output_helpers.signal_if_running`), so the command unwinds through its writer's
rollback. The test used to send it as soon as the staging entry
appeared: a command whose write phase is short (solar cadastre) had often put its new result in
place by then, and after five such tries the test skipped, checking nothing. The lines of a
signal that lands after the swap or after the command has ended are checked by
``tests/test_stop_held_signals.py`` and ``tests/test_signals_startup_shutdown.py``.
"""

from __future__ import annotations

import hashlib
import os
import signal
from pathlib import Path

import pandas as pd
import pytest

from tests.output_helpers import run_cli, signalled_rerun, write_tiny_inputs

pytestmark = pytest.mark.slow

#: Longest wait for the write to reach the pause, and for the stopped process to end, s (a cold
#: Numba cache compiles kernels first, on a loaded 2-core machine).
WAIT_S = 300.0

LINES = {signal.SIGINT: "twin: interrupted", signal.SIGTERM: "twin: terminated (SIGTERM)"}
CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}


def _files(path: Path) -> dict[str, tuple[int, str]]:
    """Relative path -> (inode, SHA-256) of ``path`` (a folder or one file) and of every file in it.

    The inode tells the earlier file from a new one with the same bytes: the rerun is the same
    command, and a deterministic one (``export``) writes the same bytes again, so a broken rollback
    that put the new result in place changed no hash.
    """
    if path.is_file():
        return {"": (path.stat().st_ino, hashlib.sha256(path.read_bytes()).hexdigest())}
    files = {str(p.relative_to(path)): (p.stat().st_ino, hashlib.sha256(p.read_bytes()).hexdigest())
             for p in sorted(path.rglob("*")) if p.is_file()}
    return {".": (path.stat().st_ino, ""), **files}


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

@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_signal_mid_work_keeps_the_earlier_result_whole(case, tmp_path, command, sig):
    args = COMMANDS[command](case, tmp_path / "res" / "out")
    out = Path(args[args.index("-o") + 1])
    first = run_cli(*args, timeout_s=WAIT_S)
    assert first.returncode == 0, first.stderr
    before = _files(out)
    assert any(sha for _, sha in before.values())  # the first run wrote files
    beside = sorted(os.listdir(out.parent))

    err, code = signalled_rerun(args, sig, tmp_path / "paused", wait_s=WAIT_S)
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("twin: [")]
    assert code == CODES[sig] and "Traceback" not in err, err[-2000:]
    assert lines == [LINES[sig]], err[-2000:]
    assert sorted(os.listdir(out.parent)) == beside  # no staging entry left beside it
    assert _files(out) == before  # every file of the first result, the same file byte for byte, none added or lost
    again = run_cli(*args, timeout_s=WAIT_S)
    assert again.returncode == 0, again.stderr
    assert sorted(os.listdir(out.parent)) == beside
