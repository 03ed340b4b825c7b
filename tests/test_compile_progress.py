"""The progress line says when Numba compiles a kernel (:mod:`twin.io.compile_progress`).

On a test clock: a compile of a kernel of ``twin.kernels`` shows after the innermost step and
ends with its compile (nested compiles name the inner kernel); a compile in a thread without a
reporter shows on the watched one; library use and ``-q`` show nothing; functions of other modules
are not shown. In process: a real Numba compile of a function of ``twin.kernels`` reaches the
reporter, a call of the compiled function does not. As a user runs it: ``twin solar pv`` with an
empty ``NUMBA_CACHE_DIR`` prints the compiling line, the same command again (kernels loaded from
that cache) does not.
"""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
import threading

import numba
import pytest

from tests.cli_harness import REPO, run_twin
from tests.output_helpers import child_env
from twin.io import compile_progress, progress
from twin.kernels.solar_sky import pv_annual

EPW = REPO / "data_samples" / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"
COMPILING = "compiling Numba kernels for this machine"


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def line_reporter(stream: io.StringIO) -> progress.LineReporter:
    return progress.LineReporter(stream, first_s=0.0, clock=Clock(), thread=False, tty=False)


def in_thread(fn, *args) -> None:
    thread = threading.Thread(target=fn, args=args)
    thread.start()
    thread.join()


class FakeDispatcher:
    """What the listener reads of a Numba dispatcher: its Python function."""

    def __init__(self, module: str, name: str) -> None:
        def func():
            return None

        func.__module__, func.__qualname__ = module, name
        self.py_func = func


def test_a_compile_shows_after_the_innermost_step_with_the_kernel_and_ends_with_it():
    stream = io.StringIO()
    rep = line_reporter(stream)
    with progress.reporting(rep), progress.step("run"), progress.step("energy on the baseline"):
        compile_progress.compile_started(pv_annual)
        during = rep.status()
        compile_progress.compile_ended(pv_annual)
        after = rep.status()
    assert during == f"run > energy on the baseline > {compile_progress.compile_label()}: solar_sky.pv_annual"
    assert after == "run > energy on the baseline"
    assert stream.getvalue().splitlines()[-1].endswith(during)  # a new thing under way: printed at once
    label = compile_progress.compile_label()
    assert label.startswith(COMPILING + " (first run after an install or kernel change; cached in ")
    assert numba.config.CACHE_DIR in label if numba.config.CACHE_DIR else "kernels" in label


def test_a_nested_compile_names_the_inner_kernel_then_the_outer_one_again():
    rep = line_reporter(io.StringIO())
    outer, inner = FakeDispatcher("twin.kernels.traffic_bush", "bush_iteration"), FakeDispatcher("twin.kernels.traffic_vdf", "vdf_time")
    with progress.reporting(rep), progress.step("traffic"):
        compile_progress.compile_started(outer)
        compile_progress.compile_started(inner)
        assert rep.status().endswith(": traffic_vdf.vdf_time")
        compile_progress.compile_ended(inner)
        assert rep.status().endswith(": traffic_bush.bush_iteration")
        compile_progress.compile_ended(outer)
        assert rep.status() == "traffic"


def test_steps_started_and_ended_meanwhile_leave_the_compile_last_and_shown():
    rep = line_reporter(io.StringIO())
    with progress.reporting(rep), progress.step("run"):
        compile_progress.compile_started(pv_annual)
        with progress.step("reading the scene"):
            assert rep.status() == f"run > reading the scene > {compile_progress.compile_label()}: solar_sky.pv_annual"
        assert rep.status() == f"run > {compile_progress.compile_label()}: solar_sky.pv_annual"
        compile_progress.compile_ended(pv_annual)
        assert rep.status() == "run"


def test_a_compile_in_a_thread_without_a_reporter_shows_on_the_watched_one():
    rep = line_reporter(io.StringIO())
    seen = []
    with progress.reporting(rep), progress.step("baseline scene"):
        in_thread(lambda: (compile_progress.compile_started(pv_annual), seen.append(rep.status()),
                           compile_progress.compile_ended(pv_annual)))
        assert rep.status() == "baseline scene"
    assert seen == [f"baseline scene > {compile_progress.compile_label()}: solar_sky.pv_annual"]


def test_library_use_quiet_commands_and_other_modules_show_nothing():
    stream = io.StringIO()
    rep = line_reporter(stream)
    with progress.reporting(rep), progress.step("solar pv"):
        other = FakeDispatcher("numba.np.arraymath", "array_sum_impl")
        compile_progress.compile_started(other)
        assert rep.status() == "solar pv"  # not a kernel of twin
        compile_progress.compile_ended(other)
    # no reporter (library use), in this thread and in another
    compile_progress.compile_started(pv_annual)
    compile_progress.compile_ended(pv_annual)
    in_thread(lambda: (compile_progress.compile_started(pv_annual), compile_progress.compile_ended(pv_annual)))
    # -q: a silent reporter here, and nothing watched for the other threads
    with progress.reporting(progress.Reporter()):
        compile_progress.compile_started(pv_annual)
        compile_progress.compile_ended(pv_annual)
        assert compile_progress._watched == ()
    assert COMPILING not in stream.getvalue()


def test_a_real_compile_of_a_twin_kernel_reaches_the_reporter_and_a_call_does_not():
    namespace = {"__name__": "twin.kernels._compile_probe"}
    exec("def add_one(x):\n    return x + 1.0\n", namespace)  # a function of a twin.kernels module, compiled here
    probe = numba.njit(cache=False)(namespace["add_one"])
    stream = io.StringIO()
    with progress.reporting(line_reporter(stream)), progress.step("probe"):
        assert probe(1.0) == 2.0
        compiled = stream.getvalue()
        assert probe(2.0) == 3.0
        called = stream.getvalue()[len(compiled):]
    assert f"probe > {COMPILING}" in compiled and compiled.rstrip().endswith(": _compile_probe.add_one")
    assert COMPILING not in called


REGISTERED_ON_KERNELS_IMPORT = textwrap.dedent(
    """
    import io, sys
    from twin.io import progress
    with progress.reporting(progress.LineReporter(io.StringIO(), thread=False)):
        assert "numba" not in sys.modules  # a command that runs no kernel does not import Numba for this
        import twin.kernels.config
        from numba.core import event
        print(sorted(type(listener).__name__ for listener in event._registered["numba:compile"]))
    """
)


def test_the_listener_is_registered_when_the_kernels_are_imported_not_before():
    proc = subprocess.run([sys.executable, "-c", REGISTERED_ON_KERNELS_IMPORT], capture_output=True, text=True, timeout=120,
                          env=child_env(), cwd=REPO, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "['CompileListener']"


@pytest.mark.slow  # about 10 s: a cold compile of the PV kernel, then the same command warm
def test_a_first_run_says_it_compiles_and_a_run_from_the_cache_does_not(tmp_path):
    env = {"NUMBA_CACHE_DIR": str(tmp_path)}
    cold = run_twin(["solar", "pv", "-w", EPW], env=env)
    warm = run_twin(["solar", "pv", "-w", EPW], env=env)
    assert cold.code == 0 and warm.code == 0, cold.stderr + warm.stderr
    assert cold.stdout == warm.stdout
    compiling = [line for line in cold.stderr.splitlines() if COMPILING in line]
    assert compiling, cold.stderr
    assert compiling[0].endswith(f"solar pv > {COMPILING} (first run after an install or kernel change; cached in {tmp_path}): solar_sky.pv_annual")
    assert COMPILING not in warm.stderr
