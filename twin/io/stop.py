"""What a process stopped by a signal must clean up, and what it has already written whole.

Writers that stage their outputs (:func:`twin.io.staged.staged_dir`,
:func:`twin.io.atomic.atomic_path`, :class:`twin.traffic.output_files.StagedOutputs`) register
each temporary folder or file here while it exists, and hold :func:`critical` while they put a
complete output in place. The command line's signal watcher (:mod:`twin.cli.signals`) calls
:func:`remove_staged` before it ends a process that a signal caught inside a compiled kernel
(where Python cannot raise ``KeyboardInterrupt``): it waits for a swap under way to finish, so
the target holds the complete previous output or the complete new one, never a part, and
removes every staged path.

Two short steps of a writer must not be cut by a Python signal handler that raises:
making a temporary name and registering it (a signal between the two left an unregistered,
empty ``.twin-tmp-*`` file beside the output), and the swap itself (a signal between the
rename and its bookkeeping). :func:`signals_held` holds SIGINT and SIGTERM there and hands the
signal on once the step is over; the swap of a folder is then undone
(:func:`twin.io.staged.staged_dir`), so a command stopped by a signal keeps its earlier output.
A signal that comes after an output was put in place leaves the new output, whole:
:func:`note_placed` records it, and the command line's stop line names it
(:func:`placed_paths`).

The module keeps state and, only inside :func:`signals_held` in the main thread, swaps the
handlers of SIGINT and SIGTERM for a note. Used as a library (no command line), registering is
cheap and nothing is ever removed by it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: How long :func:`remove_staged` waits for a swap under way, s (a swap is a rename or two and
#: the removal of the replaced folder; a hung file system must not keep the process alive).
SWAP_WAIT_S = 30.0

_swap_lock = threading.RLock()
_staged: dict[str, int] = {}  # path -> how many writers registered it
_registry_lock = threading.Lock()
_stopping = threading.Event()
_placed: list[str] = []  # outputs put in place whole by the command running, in order (note_placed)
_recording: list[bool] = [False]  # only while the command line runs a command (record_placed)


def register(path: str | os.PathLike[str]) -> None:
    """Note ``path`` (a staged folder or temporary file) as to be removed if the process is stopped."""
    key = os.fspath(path)
    with _registry_lock:
        _staged[key] = _staged.get(key, 0) + 1


def unregister(path: str | os.PathLike[str]) -> None:
    """Forget ``path`` (it was put in place or removed by its writer)."""
    key = os.fspath(path)
    with _registry_lock:
        n = _staged.get(key, 0) - 1
        if n > 0:
            _staged[key] = n
        else:
            _staged.pop(key, None)


def staged_paths() -> list[Path]:
    """The paths registered now (a copy)."""
    with _registry_lock:
        return [Path(p) for p in _staged]


def note_placed(target: str | os.PathLike[str]) -> None:
    """Record that the complete output ``target`` was put in place (within :func:`record_placed`).

    A target inside a path registered now (a file written into a staged folder) is not an
    output of its own yet: it is not recorded. Outside :func:`record_placed` (twin used as a
    library: a notebook, a Dask worker writing thousands of outputs) nothing is recorded.
    """
    if not _recording[0]:
        return
    key = os.path.abspath(target)
    with _registry_lock:
        if any(key == s or key.startswith(s.rstrip(os.sep) + os.sep) for s in _staged):
            return
        if key not in _placed:
            _placed.append(key)


def placed_paths() -> list[Path]:
    """The outputs this process has put in place whole (:func:`note_placed`), in order."""
    with _registry_lock:
        return [Path(p) for p in _placed]


@contextlib.contextmanager
def record_placed() -> Iterator[None]:
    """Within the block, record the outputs put in place (:func:`note_placed`), starting empty.

    Entered by the command line around one command (:func:`twin.cli.signals.installed`), so
    its stop line names what that command had written whole; the record is dropped after.
    """
    with _registry_lock:
        _placed.clear()
        _recording[0] = True
    try:
        yield
    finally:
        with _registry_lock:
            _recording[0] = False
            _placed.clear()


class HeldSignals:
    """SIGINT and SIGTERM noted, not acted on, until :meth:`deliver` (in the main thread only).

    Outside the main thread (where handlers cannot be set) nothing is held. A signal that is
    ignored (``SIG_IGN``) stays ignored. Nested holds work: the inner one hands its signal to
    the outer one's note.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.signum: int | None = None
        self._previous: dict[int, Any] = {}
        if threading.current_thread() is threading.main_thread():
            for sig in self.SIGNALS:
                if signal.getsignal(sig) is not signal.SIG_IGN:
                    self._previous[sig] = signal.signal(sig, self._note)

    def _note(self, signum: int, frame: Any) -> None:  # noqa: ARG002 - signal handler signature
        if self.signum is None:
            self.signum = signum

    def deliver(self) -> None:
        """Put the earlier handlers back, then hand them the signal received meanwhile, if any."""
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()
        signum, self.signum = self.signum, None
        if signum is None:
            return
        handler = signal.getsignal(signum)
        if callable(handler):
            handler(signum, None)
        elif handler == signal.SIG_DFL:
            signal.raise_signal(signum)


@contextlib.contextmanager
def signals_held() -> Iterator[HeldSignals]:
    """Hold SIGINT and SIGTERM for the block (:class:`HeldSignals`); deliver the one received after it.

    The block can read ``held.signum`` to undo what it did before the signal is delivered.
    """
    held = HeldSignals()
    try:
        yield held
    finally:
        held.deliver()


@contextlib.contextmanager
def staging(path: str | os.PathLike[str]) -> Iterator[None]:
    """Register ``path`` for the block (see :func:`register`)."""
    register(path)
    try:
        yield
    finally:
        unregister(path)


@contextlib.contextmanager
def critical() -> Iterator[None]:
    """Hold off a signal stop while an output is put in place (a rename, an exchange)."""
    with _swap_lock:
        yield


def stopping() -> bool:
    """Whether :func:`remove_staged` has begun (the process is about to end)."""
    return _stopping.is_set()


def _remove(path: Path) -> None:
    for _ in range(3):  # a writer still running in another thread may add a file meanwhile
        if not os.path.lexists(path):
            return
        if path.is_symlink() or not path.is_dir():
            with contextlib.suppress(OSError):
                path.unlink()
        else:
            shutil.rmtree(path, ignore_errors=True)


def remove_staged(wait_s: float = SWAP_WAIT_S) -> list[Path]:
    """Wait (at most ``wait_s``) for a swap under way, then remove every registered path.

    Returns the paths that were registered. The swap lock is kept afterwards, so no output is
    put in place between this call and the end of the process.
    """
    _stopping.set()
    _swap_lock.acquire(timeout=wait_s)  # noqa: SIM115 - kept until the process ends
    paths = staged_paths()
    for path in paths:
        _remove(path)
    return paths


__all__ = ["SWAP_WAIT_S", "HeldSignals", "critical", "note_placed", "placed_paths", "record_placed", "register", "remove_staged",
           "signals_held", "staged_paths", "staging", "stopping", "unregister"]
