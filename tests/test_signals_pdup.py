"""SIGTERM and SIGINT stop a command promptly, even inside a compiled kernel (twin.cli.signals).

Python runs a signal handler only between bytecodes: before twin.cli.signals, a SIGTERM that
came while the main thread was inside a Numba kernel waited for the kernel to end (minutes).
These tests start a child process on the code path users run (``python -m twin.cli.main``),
wait until it is inside a long kernel, signal it and check what it leaves:

* the exit code is the shell's convention (143 after SIGTERM, 130 after SIGINT) and stderr holds
  one line, ``twin: terminated (SIGTERM)`` or ``twin: interrupted``;
* a staged output folder is removed and the previous output is intact (byte for byte);
* no temporary folder or file of twin is left beside the output.

"Inside the kernel" is told from outside the child: the kernel is one call of the Richards
solver on a column whose time step is capped at 1 s over 100 days (8,640,000 steps: tens of
seconds of CPU on a fast machine, where 10 days ended before the signal came); the signal is sent once the child has used 2 s of CPU more than a run of
the same spec over one hour (start-up, reading, preparing and the one-hour kernel; measured
first, same machine). The only time limit is a hang guard (:data:`HANG_GUARD_S`): before the
fix the child ran on to the end of the kernel.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.output_helpers import child_env, twin_cmd

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the child's CPU time from /proc (Linux)")]

CELIA = Path(__file__).parent / "soil_data" / "celia1990.yaml"

#: How long a signalled child may take to end before the test calls it hung, s (not a speed
#: requirement: the stop itself takes about a second).
HANG_GUARD_S = 120.0

#: CPU the child must use beyond the short run before it is signalled, s.
KERNEL_MARGIN_CPU_S = 2.0

LONG_S = 8_640_000  # 100 days at dt <= 1 s: 8,640,000 steps of the kernel, far longer than the 2 s margin anywhere
SHORT_S = 3_600


def _column_spec(folder: Path, duration_s: int) -> Path:
    """The Celia et al. (1990) column of tests/soil_data with dt_max 1 s over ``duration_s``."""
    raw = yaml.safe_load(CELIA.read_text())
    raw["duration_s"] = duration_s
    raw["output_times_s"] = [duration_s]
    raw["solver"] = {"dt_max_s": 1.0}
    path = folder / f"column_{duration_s}.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def _cpu_s(pid: int) -> float:
    """User + system CPU time of process ``pid`` (all its threads) so far, s."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _run_to_end(cmd: list[str], cwd: Path) -> float:
    """Run ``cmd`` to the end (it must succeed); its CPU time, s."""
    before = os.times()
    proc = subprocess.run(cmd, cwd=cwd, env=child_env(), capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
    after = os.times()
    assert proc.returncode == 0, proc.stderr
    return (after.children_user - before.children_user) + (after.children_system - before.children_system)


def _signal_in_kernel(cmd: list[str], cwd: Path, sig: int, cpu_threshold_s: float, ready=None) -> subprocess.CompletedProcess:
    """Start ``cmd``; once it used ``cpu_threshold_s`` of CPU (and ``ready(stdout_so_far)`` holds), send ``sig``."""
    proc = subprocess.Popen(cmd, cwd=cwd, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True)
    try:
        while True:
            assert proc.poll() is None, f"the command ended before it was signalled: {proc.communicate()}"
            if _cpu_s(proc.pid) >= cpu_threshold_s:
                break
            time.sleep(0.05)
        if ready is not None:
            assert ready(proc.stdout.readline()), "the child did not report its staged folder"
            assert proc.poll() is None
        os.kill(proc.pid, sig)
        t0 = time.monotonic()
        out, err = proc.communicate(timeout=HANG_GUARD_S)
        print(f"\n{signal.Signals(sig).name} after {cpu_threshold_s:.1f} s of CPU: ended in {time.monotonic() - t0:.2f} s "
              f"(exit {proc.returncode}; load {os.getloadavg()[0]:.1f})")  # measured, not asserted
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"the command did not stop within {HANG_GUARD_S:.0f} s of the signal (it waits for the kernel)")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _twin_leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".twin-" in p.name)


@pytest.fixture(scope="module")
def column(tmp_path_factory):
    """(folder, long spec, CPU threshold at which the long run is inside its kernel, s)."""
    folder = tmp_path_factory.mktemp("signals")
    short = _column_spec(folder, SHORT_S)
    long = _column_spec(folder, LONG_S)
    _run_to_end(twin_cmd("soil", "column", short, "-q"), folder)  # compiles, fills the Numba cache
    base = _run_to_end(twin_cmd("soil", "column", short, "-q"), folder)
    return folder, long, base + KERNEL_MARGIN_CPU_S


@pytest.mark.parametrize(("sig", "code", "line"), [(signal.SIGTERM, 143, "twin: terminated (SIGTERM)"),
                                                   (signal.SIGINT, 130, "twin: interrupted")], ids=["SIGTERM", "SIGINT"])
def test_signal_inside_the_kernel_stops_twin_soil_column(column, sig, code, line):
    folder, long, threshold = column
    res = _signal_in_kernel(twin_cmd("soil", "column", long, "-q"), folder, sig, threshold)
    assert res.returncode == code, res.stderr
    assert res.stderr.splitlines() == [line]
    assert res.stdout == ""  # nothing half-printed: the result comes only at the end


DRIVER = """
import sys
from pathlib import Path
from twin.cli import signals
from twin.io.staged import staged_dir
from twin.soil.column import load_column_spec, prepare_column

spec, out = Path(sys.argv[1]), Path(sys.argv[2])
run = prepare_column(load_column_spec(spec), path=spec)
with signals.installed():
    try:
        with staged_dir(out, owned=("result.txt",)) as tmp:
            (tmp / "result.txt").write_text("partial")
            print("staged", tmp, flush=True)
            run.run()  # minutes inside the kernel
            (tmp / "result.txt").write_text("new")
    except KeyboardInterrupt:  # the signal came while Python ran (e.g. in Numba's dispatcher): as twin.cli.errors does
        signals.announce()
        sys.exit(signals.exit_code(130))
"""


def test_sigterm_inside_the_kernel_removes_the_staged_folder(column):
    """A folder staged around a kernel call (the order of twin's writers: stage, compute, swap)
    is removed, the previous output kept byte for byte, nothing of twin left beside it."""
    folder, long, threshold = column
    out = folder / "out"
    out.mkdir(exist_ok=True)
    (out / "result.txt").write_text("previous")
    cmd = [sys.executable, "-c", DRIVER, str(long), str(out)]
    res = _signal_in_kernel(cmd, folder, signal.SIGTERM, threshold, ready=lambda text: text.startswith("staged "))
    assert res.returncode == 143, res.stderr
    assert res.stderr.splitlines() == ["twin: terminated (SIGTERM)"]
    assert sorted(p.name for p in out.iterdir()) == ["result.txt"]
    assert (out / "result.txt").read_text() == "previous"
    assert _twin_leftovers(folder) == []
