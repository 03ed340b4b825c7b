"""The ``twin`` command line. Modules here import only typer at top level; the work is
imported inside each command so that ``twin --help`` stays fast."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

#: The line printed on stderr after each stop signal (:data:`twin.cli.signals.LINES` is this).
STOP_LINES = {signal.SIGINT: "twin: interrupted", signal.SIGTERM: "twin: terminated (SIGTERM)"}

#: Exit code after each stop signal: 128 + the signal number, as a shell reports a process the
#: signal killed (:data:`twin.cli.signals.EXIT_CODES` is this).
STOP_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}

#: Test-only: ``TWIN_TEST_PAUSE=<point>:<marker file>`` makes the command line write the marker
#: file at ``<point>`` and then sleep there (60 s at most), so a test can send a signal at a point
#: it has proved reached, whatever the load of the machine. Points: ``import`` (in
#: :func:`entry`, before the command line is imported) and ``ended`` (in
#: :func:`twin.cli.main.main`, once the command has ended). Unset (always, outside tests) it
#: costs one dictionary look-up per point.
PAUSE_ENV = "TWIN_TEST_PAUSE"


def pause_point(point: str) -> None:
    """Test-only (:data:`PAUSE_ENV`): at ``point``, write the marker file and sleep; else nothing."""
    wanted = os.environ.get(PAUSE_ENV)
    if not wanted:
        return
    name, _, marker = wanted.partition(":")
    if name != point or not marker:
        return
    with open(marker, "w", encoding="utf-8") as f:
        f.write(point)
    time.sleep(60.0)


def stop_quietly(signum: int, frame) -> None:  # noqa: ARG001 - signal handler signature
    """A signal handler for where nothing is being written: flush, print the one line, exit 130/143.

    Installed by :func:`entry` before the command line is imported (the full handlers of
    :func:`twin.cli.signals.installed` replace it while a command runs) and by
    :func:`twin.cli.main.main` once the command has ended. It ends the process with
    :func:`os._exit`: nothing is staged at those points, so there is nothing to unwind, and a
    Python ``KeyboardInterrupt`` raised inside an import or inside the interpreter's shutdown
    would print a traceback (or a message from a ``__del__``) instead of the line.
    """
    for stream in (sys.stdout, sys.stderr):  # "wrote ..." still buffered in a pipe must not be lost
        try:
            stream.flush()
        except (OSError, ValueError, RuntimeError, AttributeError):  # closed, or a flush the signal interrupted
            pass
    line = STOP_LINES.get(signum, "twin: interrupted")
    try:
        os.write(2, (line + "\n").encode())
    except OSError:
        pass
    os._exit(STOP_CODES.get(signum, 128 + signum))


def entry(argv: list[str] | None = None) -> None:  # pragma: no cover - console entry
    """Console entry point (``twin``): import the command line, then run it (:func:`twin.cli.main.main`).

    SIGINT and SIGTERM are taken by :func:`stop_quietly` first thing, before the command line
    (typer, click and every command module) is imported: a Ctrl-C or a ``kill`` during start-up
    is one line and exit 130 / 143, not a traceback nor a silent death. The window left is the
    interpreter's own start and the import of ``twin`` and this module (a few milliseconds, no
    heavy import). A ``KeyboardInterrupt`` raised some other way during the import ends the same.
    """
    if threading.current_thread() is threading.main_thread():  # (handlers can be set only there)
        for sig in STOP_CODES:
            signal.signal(sig, stop_quietly)
    try:
        pause_point("import")
        from twin.cli.main import main as run
    except KeyboardInterrupt:
        from twin.cli.signals import announce

        announce()
        sys.exit(130)
    run(argv)
