"""Say when Numba compiles a kernel, so that a first run does not look like a hang.

twin's kernels are compiled for the machine on their first call and cached on disk
(``twin.kernels.config``): the first run after an install, after a change to a kernel, or with
an empty ``NUMBA_CACHE_DIR`` compiles them (``twin run``: about 2:45 instead of 1:22). While a
:class:`~twin.io.progress.LineReporter` shows progress (the command line, or ``progress=True``;
:func:`twin.io.progress.reporting` calls :func:`watching`), every such compile is shown after the
innermost step, with the kernel being compiled (``module.function`` of ``twin.kernels``)::

    twin: [     3.2 s] solar pv > compiling Numba kernels for this machine (first run after an install or kernel change; cached in /home/me/.cache/twin/numba): solar_sky.pv_annual

Only real compiles are shown: Numba broadcasts its ``"numba:compile"`` event around a compile
after a cache miss (``Dispatcher.compile`` in ``numba/core/dispatcher.py``), not when a kernel is
loaded from the disk cache nor on a call to a kernel already loaded, so the listener costs
nothing on a warm run. Functions of other modules (Numba's own implementations of NumPy
functions, compiled inside a kernel's compile) are not shown.

A compile in another thread (the kernels' warm-up thread of :mod:`twin.solar.shading`) has no
reporter of its own (a thread starts without one): it is shown on the newest reporter being
watched, the command's. Without one (library use) nothing is shown; with ``-q`` (a silent
reporter) neither.

The listener is registered with Numba once per process, when ``twin.kernels.config`` is first
imported (it imports Numba, about 0.5 s: a command that never runs a kernel does not pay for it),
or at once when it already is.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import os
import sys
import threading
from collections.abc import Iterator
from typing import Any

from twin.io import progress

#: Module prefix of the functions whose compiles are shown.
KERNELS_PACKAGE = "twin.kernels."

#: The module whose import (it imports Numba) registers the listener.
_CONFIG_MODULE = "twin.kernels.config"

_lock = threading.Lock()
_started = False  # the listener is registered, or waits for the import of _CONFIG_MODULE
_watched: tuple[progress.Reporter, ...] = ()  # newest last; replaced whole under _lock, read without it
_thread_state = threading.local()  # .names: kernels compiling in this thread (nested); .shown: (reporter, step) or None


class CompileStep(progress.Step):
    """A compile beside the steps: the label and the kernel being compiled."""

    __slots__ = ("kernel",)

    def __init__(self, label: str, kernel: str) -> None:
        super().__init__(label)
        self.kernel = kernel

    def describe(self) -> str:
        return f"{self.label}: {self.kernel}"


def compile_label() -> str:
    """What a compile is and where its result goes (the cache folder of ``twin.kernels.config``)."""
    import numba

    from twin.kernels import config

    if config.CACHE_STATUS.startswith("disabled"):
        return "compiling Numba kernels for this machine (no writable cache folder: compiled again on every run)"
    folder = numba.config.CACHE_DIR or os.path.join(os.path.dirname(os.path.abspath(config.__file__)), "__pycache__")
    return f"compiling Numba kernels for this machine (first run after an install or kernel change; cached in {folder})"


def kernel_name(dispatcher: Any) -> str | None:
    """``module.function`` of a dispatcher of ``twin.kernels`` (module without the package), else None."""
    func = getattr(dispatcher, "py_func", None)
    module = getattr(func, "__module__", None) or ""
    if not module.startswith(KERNELS_PACKAGE):
        return None
    return f"{module[len(KERNELS_PACKAGE):]}.{func.__qualname__}"


def _reporter() -> progress.Reporter | None:
    """Where a compile in this thread is shown: this thread's reporter, else the newest watched one."""
    here = progress.current()
    if here is not None:
        return here
    watched = _watched
    return watched[-1] if watched else None


def _names() -> list[str]:
    """The kernels compiling in this thread, outermost first (a kernel's compile compiles those it calls)."""
    if not hasattr(_thread_state, "names"):
        _thread_state.names = []
    return _thread_state.names


def compile_started(dispatcher: Any) -> None:
    """A compile of ``dispatcher`` started in this thread (Numba's START event)."""
    name = kernel_name(dispatcher)
    if name is None:
        return
    names = _names()
    names.append(name)
    shown = getattr(_thread_state, "shown", None)
    if shown is not None:  # a kernel compiled inside another's compile: name the inner one
        shown[1].kernel = name
        return
    reporter = _reporter()
    if reporter is None:
        return
    step = CompileStep(compile_label(), name)
    _thread_state.shown = (reporter, step)
    reporter.push_aside(step)


def compile_ended(dispatcher: Any) -> None:
    """The compile of ``dispatcher`` in this thread ended, compiled or failed (Numba's END event)."""
    if kernel_name(dispatcher) is None:
        return
    names = _names()
    if names:
        names.pop()
    shown = getattr(_thread_state, "shown", None)
    if shown is None:
        return
    reporter, step = shown
    if names:
        step.kernel = names[-1]
        return
    _thread_state.shown = None
    reporter.pop_aside(step)


def _register() -> None:
    """Register the listener of ``"numba:compile"`` events with Numba (imports Numba)."""
    from numba.core import event

    class CompileListener(event.Listener):
        def on_start(self, ev: event.Event) -> None:
            compile_started(ev.data["dispatcher"])

        def on_end(self, ev: event.Event) -> None:
            compile_ended(ev.data["dispatcher"])

    event.register("numba:compile", CompileListener())


class _RegisterOnKernelsImport(importlib.abc.MetaPathFinder):
    """Registers the listener when ``twin.kernels.config`` is about to be imported, then steps
    aside (finds nothing itself: the ordinary finders import the module)."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        if fullname == _CONFIG_MODULE:
            with contextlib.suppress(ValueError):
                sys.meta_path.remove(self)
            _register()
        return None


def _start() -> None:
    """Register the listener now if the kernels are imported, else when they are (once per process)."""
    global _started
    with _lock:
        if _started:
            return
        _started = True
        if _CONFIG_MODULE in sys.modules:
            _register()
        else:
            sys.meta_path.insert(0, _RegisterOnKernelsImport())


@contextlib.contextmanager
def watching(reporter: progress.Reporter) -> Iterator[None]:
    """Show the kernels compiled during the block on ``reporter`` (also those of threads without a reporter)."""
    global _watched
    _start()
    with _lock:
        _watched = (*_watched, reporter)
    try:
        yield
    finally:
        with _lock:
            _watched = tuple(r for r in _watched if r is not reporter)


__all__ = ["KERNELS_PACKAGE", "CompileStep", "compile_ended", "compile_label", "compile_started", "kernel_name", "watching"]
