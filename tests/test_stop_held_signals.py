"""A signal in the short steps of a writer: making a temporary name, the swap, the end of the process.

The fresh-clone CI at 0efd991 found three holes, each where a stop signal lands in a step of a
few microseconds to milliseconds, so the sweeps (``tests/test_outputs_interrupted_*.py``) hit
them only now and then:

- a signal while ``twin solar cadastre`` swapped its folder in: the new result was in place but
  the line said ``twin: interrupted`` (a user takes the folder for the earlier result);
- a signal between making a temporary file and registering it left an empty
  ``.twin-tmp-*`` file beside the output (``twin traffic estimate-od``'s record);
- a SIGTERM in the interpreter's last instant killed the process with no line (exit -15), and a
  library's ``__del__`` on an object the signal left half made printed "Exception ignored in".

Here each step gets the signal on purpose (the process signals itself from inside the step),
in this process or in a child that runs the command line's own ending.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from twin.io import atomic_path, staged, stop
from twin.io.staged import staged_dir


def _signal_self() -> None:
    os.kill(os.getpid(), signal.SIGINT)


def _then_signal(func):
    """``func`` followed by a SIGINT to this process (it lands after ``func`` made its entry)."""

    def wrapped(*args, **kwargs):
        made = func(*args, **kwargs)
        _signal_self()
        return made

    return wrapped


def _beside(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


@pytest.fixture(autouse=True)
def _fresh_record():
    with stop.record_placed():  # as the command line records one command's outputs
        yield


def test_a_held_signal_is_delivered_when_the_step_ends():
    reached = []
    with pytest.raises(KeyboardInterrupt), stop.signals_held() as held:
        _signal_self()
        reached.append(held.signum)  # not raised here: noted
    assert reached == [signal.SIGINT]


def test_a_signal_during_the_swap_of_a_folder_undoes_it(tmp_path, monkeypatch):
    target = tmp_path / "out"
    target.mkdir()
    (target / "result.txt").write_text("earlier", encoding="utf-8")
    monkeypatch.setattr(staged, "exchange", _then_signal(staged.exchange))  # lands after the exchange, before its bookkeeping
    with pytest.raises(KeyboardInterrupt), staged_dir(target) as tmp:
        (tmp / "result.txt").write_text("new", encoding="utf-8")
    assert (target / "result.txt").read_text(encoding="utf-8") == "earlier"
    assert _beside(tmp_path) == ["out"]
    assert stop.placed_paths() == []


def test_a_signal_during_the_first_rename_of_a_folder_undoes_it(tmp_path, monkeypatch):
    target = tmp_path / "out"
    rename = os.rename

    def rename_then_signal(a, b):
        rename(a, b)
        if Path(b) == target:
            _signal_self()

    monkeypatch.setattr(staged.os, "rename", rename_then_signal)
    with pytest.raises(KeyboardInterrupt), staged_dir(target) as tmp:
        (tmp / "result.txt").write_text("new", encoding="utf-8")
    assert _beside(tmp_path) == []  # no output, as before the command


def test_a_folder_put_in_place_is_recorded_and_named_by_the_stop_line(tmp_path, monkeypatch):
    from twin.cli.signals import stop_line

    monkeypatch.chdir(tmp_path)
    with staged_dir(tmp_path / "out") as tmp:
        with atomic_path(tmp / "inner.txt") as inner:  # a file of the staged folder: not an output of its own
            inner.write_text("x", encoding="utf-8")
    assert stop.placed_paths() == [tmp_path / "out"]
    assert stop_line(signal.SIGTERM) == "twin: terminated (SIGTERM); out was already written whole"
    assert stop_line(None) == "twin: interrupted"  # no signal (a KeyboardInterrupt raised in code): nothing named
    with stop.record_placed():  # a new command: a new record
        assert stop_line(signal.SIGINT) == "twin: interrupted"


def test_nothing_is_recorded_outside_a_command(tmp_path):
    """twin as a library (a notebook, a Dask worker writing thousands of outputs) records nothing:
    the fresh-clone CI at eed0c03 found the outputs of earlier tests named on an in-process
    command's stop line (test_cli_errors::test_interrupt_exits_130)."""
    from twin.io import atomic_write_text

    with stop.record_placed():
        pass
    atomic_write_text(tmp_path / "a.txt", "x")
    with staged_dir(tmp_path / "out"):
        pass
    assert stop.placed_paths() == []


def test_a_signal_while_a_temporary_file_is_named_leaves_nothing(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "mkstemp", _then_signal(tempfile.mkstemp))
    with pytest.raises(KeyboardInterrupt), atomic_path(tmp_path / "out.json") as tmp:
        tmp.write_text("{}", encoding="utf-8")
    assert _beside(tmp_path) == []
    assert stop.staged_paths() == []


def test_a_signal_while_a_temporary_folder_is_made_leaves_nothing(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "mkdtemp", _then_signal(tempfile.mkdtemp))
    with pytest.raises(KeyboardInterrupt), staged_dir(tmp_path / "out"):
        pass
    assert _beside(tmp_path) == []
    assert stop.staged_paths() == []


def test_a_signal_while_a_traffic_output_is_staged_leaves_nothing(tmp_path, monkeypatch):
    import tempfile

    from twin.traffic.output_files import StagedOutputs

    outputs = StagedOutputs()
    outputs.add([("--output", tmp_path / "od.csv", (".csv",))])
    monkeypatch.setattr(tempfile, "mkstemp", _then_signal(tempfile.mkstemp))
    with pytest.raises(KeyboardInterrupt), outputs:
        outputs.path(tmp_path / "od.csv")
    assert _beside(tmp_path) == []


ENDING = textwrap.dedent("""
    import atexit, os, signal, sys
    from twin.cli import signals

    class HalfMade:
        def __del__(self):
            raise AttributeError("'File' object has no attribute '_node_manager'")

    kept = HalfMade()  # freed only by the interpreter's shutdown
    atexit.register(lambda: open(sys.argv[1], "w").write("ran"))
    signals.after_end(0)
    if sys.argv[2] == "signal":
        atexit.register(lambda: os.kill(os.getpid(), signal.SIGTERM))
    signals.exit_now(0)
""")


@pytest.mark.parametrize("with_signal", [False, True], ids=["plain", "SIGTERM at exit"])
def test_the_end_of_the_process_runs_the_exit_functions_and_keeps_the_line(tmp_path, with_signal):
    marker = tmp_path / "atexit.txt"
    proc = subprocess.run([sys.executable, "-c", ENDING, str(marker), "signal" if with_signal else "plain"],
                          capture_output=True, text=True, timeout=120)
    if with_signal:  # the handler set by after_end still holds while the exit functions run
        assert (proc.returncode, proc.stderr) == (143, "twin: terminated (SIGTERM) after the command had ended; its results were written whole\n")
    else:
        assert (proc.returncode, proc.stderr) == (0, "")  # no "Exception ignored in ... __del__" from the shutdown
        assert marker.read_text(encoding="utf-8") == "ran"


def test_a_signal_during_the_write_probe_leaves_nothing(tmp_path, monkeypatch):
    import tempfile

    from twin.io.output_checks import probe_writable

    monkeypatch.setattr(tempfile, "mkdtemp", _then_signal(tempfile.mkdtemp))
    with pytest.raises(KeyboardInterrupt):
        probe_writable(tmp_path / "out")
    assert _beside(tmp_path) == []


BLOCK_END = textwrap.dedent("""
    import os, signal, sys, time
    from twin.cli import signals

    with signals.installed() as stop:
        stop.ended_with = 0  # as twin.cli.main.main notes its command's exit code
    os.kill(os.getpid(), getattr(signal, sys.argv[1]))  # the instant after the block, before anything else runs
    time.sleep(30)
""")


@pytest.mark.parametrize(("sig", "code"), [("SIGINT", 130), ("SIGTERM", 143)])
def test_a_signal_just_after_the_command_block_gets_the_after_end_line(sig, code):
    """The CI at 418bef6: the block put the earlier handlers back (the default action in ``python
    -m twin.cli.main``) and ``main`` set the after-end ones only next; a SIGTERM between the two
    killed the process with no line (exit -15), a SIGINT printed a traceback (exit -2)."""
    proc = subprocess.run([sys.executable, "-c", BLOCK_END, sig], capture_output=True, text=True, timeout=120)
    line = {"SIGINT": "twin: interrupted", "SIGTERM": "twin: terminated (SIGTERM)"}[sig]
    assert (proc.returncode, proc.stderr) == (code, f"{line} after the command had ended; its results were written whole\n")


NATIVE_THREAD_END = textwrap.dedent("""
    import ctypes, signal, time
    from twin.cli import signals

    libc = ctypes.CDLL(None)
    thread = ctypes.c_ulong()  # a thread that never runs Python, as Numba's, pyarrow's or OpenBLAS's workers
    assert libc.pthread_create(ctypes.byref(thread), None, ctypes.cast(libc.pause, ctypes.c_void_p), None) == 0
    signals.after_end(0)
    libc.pthread_kill(thread, signal.SIGTERM)  # the kernel may hand a process's signal to any such thread
    t0 = time.monotonic()
    while time.monotonic() - t0 < 0.2:  # busy, holding the GIL: a switch of the GIL would show the main thread the mark
        pass
    signals.exit_now(0)
""")


def test_a_signal_a_native_thread_took_gets_its_line_at_the_end():
    """The CI at 418bef6 (``twin solar cadastre``, SIGTERM, exit 0 and no line): a signal handled
    by a thread that never runs Python only marks the signal; the main thread did not look at the
    mark before :func:`os._exit`. :func:`twin.cli.signals.exit_now` now runs the pending handlers
    first."""
    proc = subprocess.run([sys.executable, "-c", NATIVE_THREAD_END], capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stderr) == (143, "twin: terminated (SIGTERM) after the command had ended; its results were written whole\n")
