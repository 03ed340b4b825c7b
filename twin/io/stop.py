"""What a process stopped by a signal must clean up: the outputs it is staging.

Writers that stage their outputs (:func:`twin.io.staged.staged_dir`,
:func:`twin.io.atomic.atomic_path`) register each temporary folder or file here while it
exists, and hold :func:`critical` while they put a complete output in place. The command
line's signal watcher (:mod:`twin.cli.signals`) calls :func:`remove_staged` before it ends a
process that a signal caught inside a compiled kernel (where Python cannot raise
``KeyboardInterrupt``): it waits for a swap under way to finish, so the target holds the
complete previous output or the complete new one, never a part, and removes every staged path.

The module only keeps state: it installs no handler and starts no thread. Used as a library
(no command line), registering is cheap and nothing is ever removed by it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

#: How long :func:`remove_staged` waits for a swap under way, s (a swap is a rename or two and
#: the removal of the replaced folder; a hung file system must not keep the process alive).
SWAP_WAIT_S = 30.0

_swap_lock = threading.RLock()
_staged: dict[str, int] = {}  # path -> how many writers registered it
_registry_lock = threading.Lock()
_stopping = threading.Event()


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


__all__ = ["SWAP_WAIT_S", "critical", "register", "remove_staged", "staged_paths", "staging", "stopping", "unregister"]
