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
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any


class Terminated(KeyboardInterrupt):
    """The process received SIGTERM."""


#: Attribute of a SIGTERM handler that raises :class:`Terminated` itself (:func:`raises_terminated`).
RAISES_TERMINATED = "twin_raises_terminated"


def raises_terminated(handler: Callable[[int, FrameType | None], Any]) -> Callable[[int, FrameType | None], Any]:
    """Mark ``handler`` (a SIGTERM handler) as one that raises :class:`Terminated`; return it.

    :func:`sigterm_raises` keeps such a handler in place: the command line's
    (:mod:`twin.cli.signals`) also records the signal before it raises, so the exit code is
    143 whichever thread notices the signal first.
    """
    setattr(handler, RAISES_TERMINATED, True)
    return handler


@raises_terminated
def _raise_terminated(signum, frame):  # noqa: ARG001 - signal handler signature
    raise Terminated("terminated (SIGTERM)")


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated`; the previous handler is restored after.

    A handler that raises :class:`Terminated` already (:func:`raises_terminated`) is kept. Outside
    the main thread (where handlers cannot be installed) this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if getattr(signal.getsignal(signal.SIGTERM), RAISES_TERMINATED, False):
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


__all__ = ["RAISES_TERMINATED", "Terminated", "raises_terminated", "sigterm_raises"]
