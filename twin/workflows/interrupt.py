"""SIGTERM as an exception, so a terminated command cleans up like an interrupted one.

Python turns Ctrl-C (SIGINT) into :class:`KeyboardInterrupt`, which unwinds the stack: staged
output folders are removed, the run store marks the run failed. SIGTERM (``kill PID``, a batch
scheduler, ``docker stop``) kills the process at once by default. Inside
:func:`sigterm_raises` it raises :class:`Terminated` (a ``KeyboardInterrupt``) instead.
``kill -9`` cannot be caught: :class:`twin.scenario.store.RunStore` marks such runs failed
when it is next opened, and :func:`twin.io.staged.staged_dir` removes their temporary folders.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


class Terminated(KeyboardInterrupt):
    """The process received SIGTERM."""


def _raise_terminated(signum, frame):  # noqa: ARG001 - signal handler signature
    raise Terminated("terminated (SIGTERM)")


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated`; the previous handler is restored after.

    Outside the main thread (where handlers cannot be installed) this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


__all__ = ["Terminated", "sigterm_raises"]
