"""Small inputs for the output tests (atomic folders, kill tests, output bad-input corpus).

Every scenario folder is self-contained: the footprints (a few buildings around the Parvis of
Saint-Gilles, cut from ``data_samples/``) and the weather file are copied next to the YAML,
which names them by relative path, so the folder works wherever it lives and under input
confinement.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

from tests.scenario_helpers import EPW, write_small_district

#: A few footprints around the Parvis: one ``twin run`` of the energy engine takes seconds.
TINY_BOX = (148330.0, 168860.0, 148390.0, 168920.0)


def tiny_scenario_doc(seed: int = 0, *, name: str = "tiny", fraction: float = 0.5) -> dict:
    """Energy only; renovate a random ``fraction`` of the buildings (the seed picks which)."""
    return {
        "name": name,
        "inputs": {"files": ["district.geojson"], "weather": "weather.epw", "crs": "EPSG:31370"},
        "domains": ["energy"],
        "whatifs": [{"name": "reno", "modifications": [
            {"op": "renovate", "select": {"fraction": fraction}, "measures": ["wall_insulation"]}]}],
        "uncertainty": {"seed": seed},
    }


def write_tiny_inputs(folder: Path) -> Path:
    """``district.geojson`` and ``weather.epw`` in ``folder``; returns ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "district.geojson").exists():
        src = write_small_district(folder / "_cut", TINY_BOX)
        shutil.move(src, folder / "district.geojson")
        shutil.rmtree(folder / "_cut", ignore_errors=True)
    if not (folder / "weather.epw").exists():
        shutil.copy(EPW, folder / "weather.epw")
    return folder


def write_tiny_scenario(folder: Path, seed: int = 0, *, name: str = "tiny.yaml", doc: dict | None = None) -> Path:
    """A tiny scenario YAML in ``folder`` (inputs written beside it); its path."""
    write_tiny_inputs(folder)
    path = folder / name
    path.write_text(yaml.safe_dump(doc if doc is not None else tiny_scenario_doc(seed), sort_keys=False))
    return path


def twin_cmd(*args: str | os.PathLike[str]) -> list[str]:
    """The command line of ``twin ARGS`` in a child process."""
    return [sys.executable, "-m", "twin.cli.main", *[str(a) for a in args]]


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TWIN_TRACEBACK", "TWIN_WARNINGS")}
    env.setdefault("TWIN_NUMBA_THREADS", "1")
    env.update(extra)
    return env


def run_cli(*args, timeout_s: float = 300.0, cwd=None) -> subprocess.CompletedProcess:
    """Run ``twin ARGS`` to the end; the completed process."""
    return subprocess.run(twin_cmd(*args), capture_output=True, text=True, timeout=timeout_s, env=child_env(),
                          cwd=cwd, stdin=subprocess.DEVNULL)


def run_record(out: Path) -> dict:
    return json.loads((out / "run_record.json").read_text(encoding="utf-8"))


def hidden_entries(folder: Path) -> list[str]:
    """Names in ``folder`` that start with a dot (twin's temporary folders are hidden)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def process_state(pid: int) -> str:
    """The state letter of process ``pid`` in ``/proc/PID/stat`` (``T``: stopped, ``Z``: ended, not yet reaped)."""
    text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    return text.rsplit(")", 1)[1].split()[0]  # after the command name, which may hold spaces


def signal_if_running(proc: subprocess.Popen, sig: int, *, wait_s: float = 30.0) -> bool:
    """Send ``sig`` to ``proc`` if it is still running; False when it had ended before.

    A plain ``proc.send_signal`` cannot tell the two apart: a command that ends in the instant
    between the test's look and the signal exits 0 with no line, as a signal lost by the command
    would. So the process is frozen first (SIGSTOP), its state read: ended (``Z``) means the
    signal came too late; stopped (``T``) means it is alive, outside its final exit, and ``sig``
    is sent, then SIGCONT, so ``sig`` is the first thing it meets when it runs again.
    """
    if proc.poll() is not None:
        return False
    os.kill(proc.pid, signal.SIGSTOP)
    deadline = time.monotonic() + wait_s
    while (state := process_state(proc.pid)) not in ("T", "t", "Z", "X"):
        assert time.monotonic() < deadline, f"process {proc.pid} neither stopped nor ended in {wait_s:g} s (state {state})"
        time.sleep(0.001)
    if state in ("Z", "X"):
        return False
    os.kill(proc.pid, sig)
    os.kill(proc.pid, signal.SIGCONT)
    return True
