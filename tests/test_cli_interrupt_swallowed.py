"""Ctrl-C that a library swallows or turns into its own error still ends twin as an interruption.

Numba compiles a kernel the first time it is called; llvmlite hands the compiled object to
Numba through a ctypes callback (``ExecutionEngine._raw_object_cache_notify``). A Ctrl-C that
lands in that callback raises ``KeyboardInterrupt`` inside it, and ctypes does not propagate
exceptions out of callbacks: it prints ``Exception ignored on calling ctypes callback
function ... KeyboardInterrupt`` and returns. Numba then fails with ``RuntimeError: no compiled
object yet for <Library ...>``, which the command line reported as an internal error (exit 70),
after the ctypes message (measured: ``twin soil column`` with a cold Numba cache, SIGINT 8 s in).

The tests reproduce that mechanism in a child process on the entry point users run
(:func:`twin.cli.main.main`): a step of ``twin run`` (inside its staged results folder) raises
SIGINT inside a ctypes callback, then raises Numba's error ("swallowed"); a step turns the
``KeyboardInterrupt`` into its own error ("wrapped"); SIGINT comes while the command line is
read, before the command runs ("early", a traceback before). Expected: exit 130, stderr exactly
``twin: interrupted``, the previous results folder intact byte for byte, no staged folder left,
the run marked failed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.child_runs import tiny_run
from tests.output_helpers import child_env, hidden_entries, run_record

DRIVER = r"""
import ctypes
import signal
import sys

import twin.scenario.report as report

MODE = sys.argv[1]
report.write_report_original = report.write_report


def compile_interrupted(*args, **kwargs):
    if MODE == "swallowed":  # as llvmlite's object-cache callback during Numba's compile
        callback = ctypes.CFUNCTYPE(None)(lambda: signal.raise_signal(signal.SIGINT))
        callback()  # ctypes swallows the KeyboardInterrupt raised inside
        raise RuntimeError("no compiled object yet for <Library '_solve_step' at 0x7f>")
    if MODE == "wrapped":  # a library that turns the KeyboardInterrupt into its own error
        try:
            signal.raise_signal(signal.SIGINT)
        except KeyboardInterrupt:
            raise RuntimeError("compilation failed") from None
    if MODE == "early":
        signal.raise_signal(signal.SIGINT)


report.write_report = compile_interrupted  # called inside the staged results folder

if MODE.startswith("lost-"):  # a library that clears the KeyboardInterrupt and goes on (numpy comparing dtypes)
    write_report, SIG = report.write_report_original, getattr(signal, MODE[5:])

    def swallowing(*args, **kwargs):
        try:
            signal.raise_signal(SIG)
        except KeyboardInterrupt:
            pass
        return write_report(*args, **kwargs)

    report.write_report = swallowing

if MODE == "early":  # before the command runs: while the command line is being read
    import twin.cli.main as cli_main

    cli_main.global_flags_first = lambda args: compile_interrupted() or list(args)

from twin.cli.main import main

main(sys.argv[2:])
"""


@pytest.fixture(scope="module")
def tiny_result(tmp_path_factory):
    """The tiny scenario and a complete ``twin run`` result of it (child process)."""
    return tiny_run(tmp_path_factory.mktemp("interrupt_swallowed"), "first")


@pytest.mark.parametrize("mode", ["swallowed", "wrapped", "early"])
def test_ctrl_c_swallowed_by_a_library_ends_as_an_interruption(tiny_result, tmp_path, mode):
    from twin.scenario.store import RunStore
    from twin.workflows.scenario_run import store_path_for

    scen, first = tiny_result
    out = tmp_path / "results"
    shutil.copytree(first, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    proc = subprocess.run([sys.executable, "-c", DRIVER, mode, "run", str(scen), "-o", str(out), "-q", "--seed", "3"],
                          capture_output=True, text=True, timeout=600, env=child_env(), stdin=subprocess.DEVNULL)
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr.splitlines() == ["twin: interrupted"]
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before  # the previous result, byte for byte
    assert run_record(out)["seed"] == 1
    assert hidden_entries(tmp_path) == []  # no staged folder left beside it
    if mode != "early":
        runs = RunStore(store_path_for(out)).runs()
        assert list(runs["status"]) == ["failed"], runs  # by the run itself, or as a dead process when opened
    else:
        assert not Path(store_path_for(out)).exists()  # stopped before the run was claimed


def test_after_the_command_a_bug_is_a_bug_again(capsys):
    """A signal counts only within :func:`twin.cli.signals.installed`: an error after it (twin
    used as a library, a second command in the same process) is not taken for the interruption."""
    import signal

    import typer

    from twin.cli import signals
    from twin.cli.errors import EXIT_BUG, run_app

    with signals.installed():
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
        assert signals.received() == signal.SIGINT
    assert signals.received() is None
    app = typer.Typer()

    @app.command()
    def cmd() -> None:
        raise ZeroDivisionError("a bug")

    @app.command()
    def other() -> None:
        pass

    assert run_app(app, ["cmd"]) == EXIT_BUG
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "internal error" in err[0]
    Path(err[0].rsplit("traceback in ", 1)[1]).unlink()


@pytest.mark.parametrize(("sig", "code"), [("SIGINT", 130), ("SIGTERM", 143)])
def test_a_signal_a_library_clears_still_stops_with_its_line(tiny_result, tmp_path, sig, code):
    """A stop signal whose ``KeyboardInterrupt`` a library clears, the command then running to its end.

    Seen in the CI at 418bef6: SIGTERM while ``twin solar cadastre`` wrote its tables; the handler
    ran inside numpy's comparison of two dtypes (pyarrow asking pandas whether the column names
    are unique), which cleared the exception. The command ended normally, before the watcher's
    grace, and exited 0 with no line: the user's stop was lost. Now: the line of a signal after
    the end (the results are whole, the new ones) and 130 / 143.
    """
    from twin.scenario.store import RunStore
    from twin.workflows.scenario_run import store_path_for

    scen, first = tiny_result
    out = tmp_path / "results"
    shutil.copytree(first, out)
    proc = subprocess.run([sys.executable, "-c", DRIVER, f"lost-{sig}", "run", str(scen), "-o", str(out), "-q", "--seed", "3"],
                          capture_output=True, text=True, timeout=600, env=child_env(), stdin=subprocess.DEVNULL)
    line = "twin: interrupted" if sig == "SIGINT" else "twin: terminated (SIGTERM)"
    assert proc.returncode == code, proc.stderr
    assert proc.stderr.splitlines() == [f"{line} after the command had ended; its results were written whole"]
    assert run_record(out)["seed"] == 3  # the new result, whole
    assert hidden_entries(tmp_path) == []
    assert list(RunStore(store_path_for(out)).runs()["status"]) == ["done"]
