"""Small inputs for the output tests (atomic folders, kill tests, output bad-input corpus).

Every scenario folder is self-contained: the footprints (a few buildings around the Parvis of
Saint-Gilles, cut from ``data_samples/``) and the weather file are copied next to the YAML,
which names them by relative path, so the folder works wherever it lives and under input
confinement.
"""

from __future__ import annotations

import ctypes
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


def _other_thread(pid: int, sig: int) -> int:
    """The id of a thread of process ``pid``, not its main thread, that does not block ``sig``."""
    for task in sorted(Path(f"/proc/{pid}/task").iterdir(), key=lambda t: int(t.name)):
        status = (task / "status").read_text(encoding="ascii", errors="replace")
        blocked = int(next(line for line in status.splitlines() if line.startswith("SigBlk:")).split()[1], 16)
        if int(task.name) != pid and not blocked >> (sig - 1) & 1:
            return int(task.name)
    raise AssertionError(f"process {pid} has no thread but its main one that takes signal {sig}")


def signal_if_running(proc: subprocess.Popen, sig: int, *, wait_s: float = 30.0, main_thread: bool = True) -> bool:
    """Send ``sig`` to the main thread of ``proc`` if it is still running; False when it had ended before.

    A plain ``proc.send_signal`` cannot tell the two apart: a command that ends in the instant
    between the test's look and the signal exits 0 with no line, as a signal lost by the command
    would. So the process is frozen first (SIGSTOP), its state read: ended (``Z``) means the
    signal came too late; stopped (``T``) means it is alive, outside its final exit, and ``sig``
    is sent, then SIGCONT, so ``sig`` is the first thing it meets when it runs again.

    ``sig`` goes to the main thread (``tgkill``, thread id = process id), where the kernel puts a
    user's Ctrl-C or ``kill`` to a running twin: the main thread runs the Python handler and
    unwinds through the staged outputs' own rollback (:meth:`twin.traffic.output_files.StagedOutputs.discard`,
    the ``finally`` of :func:`twin.io.staged.staged_dir` and :func:`twin.io.atomic.atomic_path`). A
    signal sent to the stopped process as a whole waits for whichever thread runs first after
    SIGCONT, in practice another one: the main thread, paused in ``time.sleep``
    (:func:`twin.cli.pause_point`), slept on, and the watcher of :mod:`twin.cli.signals` stopped
    the process after its grace time (:func:`twin.io.stop.remove_staged`), so a broken rollback
    went unseen. ``main_thread=False`` takes that path for certain: ``sig`` goes to another thread
    of ``proc`` (the signal watcher's, or a library's) that does not block it.
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
    tid = proc.pid if main_thread else _other_thread(proc.pid, sig)
    if ctypes.CDLL(None, use_errno=True).tgkill(proc.pid, tid, sig) != 0:
        raise OSError(ctypes.get_errno(), f"tgkill({proc.pid}, {tid}, {sig}) failed")
    os.kill(proc.pid, signal.SIGCONT)
    return True


def signalled_rerun(args: list, sig: int, marker: Path, *, wait_s: float = 300.0, main_thread: bool = True) -> tuple[str, int]:
    """Run ``twin ARGS`` paused once its new output is staged (:mod:`tests.staging_pause`, the
    pause noted in the file ``marker``) and send ``sig`` there (:func:`signal_if_running`, to the
    main thread or to another one).

    Waits at most ``wait_s`` for the pause, then for the end. Returns stderr and the exit code.
    """
    from tests.staging_pause import POINT

    proc = subprocess.Popen([sys.executable, "-m", "tests.staging_pause", *map(str, args)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env=child_env(TWIN_TEST_PAUSE=f"{POINT}:{marker}"),
                            stdin=subprocess.DEVNULL)
    shown = " ".join(map(str, args))
    try:
        deadline = time.monotonic() + wait_s
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert marker.exists(), f"twin {shown} ended (or took {wait_s:g} s) before its write reached the pause"
        assert signal_if_running(proc, sig, main_thread=main_thread), f"twin {shown} ended while paused"
        _, err = proc.communicate(timeout=wait_s)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return err, proc.returncode
