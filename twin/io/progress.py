"""Progress of long steps: shown on stderr by the command line, silent in library use.

Library code marks its steps (and counts, when it has them); this costs nothing and prints
nothing unless a reporter is installed::

    from twin.io import progress

    with progress.step("energy on the baseline", total=n, unit="building") as bar:
        for ...:
            bar.advance()

    for path in progress.track(paths, "ingest", unit="file"):
        ...

The command line (:func:`twin.cli.main.main`) installs a :class:`LineReporter` on stderr for
the whole command unless ``-q``/``--quiet``. It prints the steps being worked on, innermost
last::

    twin: [   12.4 s] twin run > energy on what-if 'reno' > energy: simulation 3/10 chunks (30%)

first once the command has run :data:`FIRST_S` (shorter commands print nothing), then when a
new step starts, when a count moves (at most every :data:`MIN_GAP_S`), and at least every
:data:`HEARTBEAT_S` from a background thread, so a long call that reports nothing (a Numba
kernel: they release the GIL, ``kernels/config.py``) still shows its step and elapsed time.
The time in brackets is measured from the start of the command. On a terminal the line is
redrawn in place; elsewhere (a pipe, a log file, a test) every report is one line.

Work beside the steps, from any thread (a Numba kernel compiling, :mod:`twin.io.compile_progress`,
which :func:`reporting` starts watching for a :class:`LineReporter`), is shown after the
innermost step while it lasts (:meth:`LineReporter.push_aside`).

Functions that take a ``progress`` argument pass it to :func:`requested`: ``None`` follows
the installed reporter (none: silent), ``False`` silences the block, ``True`` shows the block
on stderr even without the command line (a library caller asking for progress).

Step starts and ends are also logged at DEBUG level on the ``twin.progress`` logger (shown by
``twin -v``).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO, TypeVar

#: Seconds a command runs before its first progress line (shorter commands print nothing).
FIRST_S = 1.0

#: Longest gap between two progress lines while a step is running, s.
HEARTBEAT_S = 5.0

#: Shortest gap between two lines that differ only by their counts, s.
MIN_GAP_S = 1.0

#: Period of the background thread, s.
TICK_S = 0.2

#: Prefix of every progress line (``twin: [   12.4 s] ...``).
PREFIX = "twin"

_log = logging.getLogger("twin.progress")

T = TypeVar("T")


class Step:
    """One step being worked on: a label, optionally a count of ``total`` items (``unit``)."""

    __slots__ = ("label", "total", "unit", "done", "t0", "t_shown")

    def __init__(self, label: str, total: int | None = None, unit: str = "") -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.done = 0
        self.t0 = time.perf_counter()
        self.t_shown = 0.0  # start on the clock of the reporter showing it

    def advance(self, n: int = 1) -> None:
        """``n`` more items done."""
        self.done += n

    def describe(self) -> str:
        if self.total is None:
            return self.label if not self.done else f"{self.label} {self.done} {self.unit}".rstrip()
        pct = f" ({100.0 * self.done / self.total:.0f}%)" if self.total else ""
        return f"{self.label} {self.done}/{self.total} {self.unit}".rstrip() + pct


class Reporter:
    """Receives the steps; this base class shows nothing (what a quiet command installs)."""

    def push(self, step: Step) -> None:
        """``step`` started (inside the steps already running)."""

    def pop(self, step: Step) -> None:
        """``step`` ended."""

    def push_aside(self, step: Step) -> None:
        """``step`` started beside the steps (from any thread; shown after the innermost step)."""

    def pop_aside(self, step: Step) -> None:
        """``step`` pushed by :meth:`push_aside` ended."""

    def close(self) -> None:
        """No more steps."""


class LineReporter(Reporter):
    """Progress lines on a stream (default: ``sys.stderr`` at construction), see the module docstring.

    Parameters
    ----------
    stream
        Where the lines go.
    first_s
        Seconds from construction before the first line (default :data:`FIRST_S`).
    heartbeat_s
        Longest gap between lines while a step runs, s (default :data:`HEARTBEAT_S`).
    tty
        Redraw one line in place (default: whether ``stream`` is a terminal).
    clock
        Seconds, monotonic (tests pass a fake clock and call :meth:`tick` themselves).
    thread
        Start the background thread that prints the heartbeat lines.
    """

    def __init__(self, stream: TextIO | None = None, *, first_s: float | None = None, heartbeat_s: float | None = None,
                 tty: bool | None = None, clock: Callable[[], float] = time.perf_counter, thread: bool = True) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.first_s = float(FIRST_S if first_s is None else first_s)
        self.heartbeat_s = float(HEARTBEAT_S if heartbeat_s is None else heartbeat_s)
        if tty is None:
            isatty = getattr(self.stream, "isatty", None)
            try:
                tty = bool(isatty()) if isatty is not None else False
            except (OSError, ValueError):
                tty = False
        self.tty = tty
        self._clock = clock
        self.t0 = clock()
        self._stack: list[Step] = []
        self._asides: list[Step] = []  # work beside the steps (push_aside), shown after them
        self._lock = threading.RLock()
        self._last_time: float | None = None
        self._last_key: tuple | None = None
        self._drawn = False
        self._closed = False
        self._stop = threading.Event()
        self._thread = None
        if thread:
            self._thread = threading.Thread(target=self._run, name="twin-progress", daemon=True)
            self._thread.start()

    # steps -------------------------------------------------------------------------------
    def push(self, step: Step) -> None:
        with self._lock:
            step.t_shown = self._clock()
            self._stack.append(step)
            self.tick()

    def pop(self, step: Step) -> None:
        with self._lock:
            if step in self._stack:
                # the step and any left open inside it (an exception unwound them)
                del self._stack[self._stack.index(step):]

    def push_aside(self, step: Step) -> None:
        with self._lock:
            step.t_shown = self._clock()
            self._asides.append(step)
            self.tick()

    def pop_aside(self, step: Step) -> None:
        with self._lock:
            if step in self._asides:
                self._asides.remove(step)

    # printing ----------------------------------------------------------------------------
    def status(self) -> str:
        """The steps being worked on, outermost first."""
        with self._lock:
            return " > ".join(s.describe() for s in self._stack + self._asides)

    def tick(self) -> bool:
        """Print a line if one is due (see the module docstring); whether one was printed."""
        with self._lock:
            shown = self._stack + self._asides
            if self._closed or not shown:
                return False
            now = self._clock()
            if now - self.t0 < self.first_s:
                return False
            labels = tuple(s.label for s in shown)
            key = (labels, tuple((s.done, s.total) for s in shown))
            last = self._last_key
            ended_only = last is not None and len(labels) < len(last[0]) and last[0][: len(labels)] == labels
            started = last is None or (labels != last[0] and not ended_only)
            due = (
                started  # a new step (not only the end of one: that waits like a count)
                or (key != last and now - self._last_time >= MIN_GAP_S)
                or now - self._last_time >= self.heartbeat_s
            )
            if not due:
                return False
            inner = shown[-1]
            running = now - inner.t_shown
            text = " > ".join(s.describe() for s in shown)
            if running >= self.heartbeat_s:
                text += f" ({running:.0f} s in this step)"
            self._write(f"{PREFIX}: [{now - self.t0:8.1f} s] {text}")
            self._last_key, self._last_time = key, now
            return True

    def _write(self, line: str) -> None:
        try:
            if self.tty:
                import shutil

                width = shutil.get_terminal_size((100, 20)).columns
                self.stream.write("\r\x1b[K" + line[: max(10, width - 1)])
                self._drawn = True
            else:
                self.stream.write(line + "\n")
            self.stream.flush()
        except (OSError, ValueError, AttributeError):  # the stream went away (closed pipe, no stderr): stop reporting
            self._closed = True

    def clear_line(self) -> None:
        """On a terminal, erase the status line (before other output); it is redrawn at the next report."""
        with self._lock:
            if self._drawn and not self._closed:
                with contextlib.suppress(OSError, ValueError):
                    self.stream.write("\r\x1b[K")
                    self.stream.flush()
                self._drawn = False
                self._last_key = None

    def _run(self) -> None:
        while not self._stop.wait(TICK_S):
            self.tick()

    def close(self) -> None:
        """Stop the thread; on a terminal, clear the status line."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)
        self.clear_line()
        with self._lock:
            self._closed = True
            self._stack.clear()
            self._asides.clear()


_NULL = Reporter()

#: The installed reporter (a context variable: a thread of its own starts with none, so library
#: code running in several threads never mixes up their reporters).
_installed: contextvars.ContextVar[Reporter | None] = contextvars.ContextVar("twin_progress_reporter", default=None)


def current() -> Reporter | None:
    """The installed reporter, or None (library use: nothing is shown)."""
    return _installed.get()


def clear_line() -> None:
    """Erase the terminal status line of the installed reporter, if any (call before printing)."""
    reporter = _installed.get()
    if isinstance(reporter, LineReporter):
        reporter.clear_line()


@contextlib.contextmanager
def reporting(reporter: Reporter) -> Iterator[Reporter]:
    """Install ``reporter`` for the block (the previous one is restored after; ``reporter`` is closed).

    A :class:`LineReporter` also shows the Numba kernels compiled meanwhile, from any thread
    (:func:`twin.io.compile_progress.watching`).
    """
    from twin.io import compile_progress

    previous = _installed.get()
    token = _installed.set(reporter)
    watch = compile_progress.watching(reporter) if isinstance(reporter, LineReporter) else contextlib.nullcontext()
    try:
        with watch:
            yield reporter
    finally:
        try:
            _installed.reset(token)
        except ValueError:  # closed from another context (a generator finalised elsewhere)
            _installed.set(previous)
        reporter.close()


@contextlib.contextmanager
def requested(progress: bool | None) -> Iterator[None]:
    """Progress as a ``progress`` argument asks: None follows the installed reporter, False
    silences the block, True shows it (a :class:`LineReporter` on stderr if none is installed)."""
    if progress is None or (progress and _installed.get() is not None):
        yield
        return
    with reporting(LineReporter() if progress else _NULL):
        yield


@contextlib.contextmanager
def step(label: str, total: int | None = None, *, unit: str = "") -> Iterator[Step]:
    """A step of work for the block; ``advance()`` the yielded :class:`Step` as items get done."""
    s = Step(label, total, unit)
    reporter = _installed.get()
    _log.debug("start: %s", label)
    if reporter is not None:
        reporter.push(s)
    try:
        yield s
    finally:
        if reporter is not None:
            reporter.pop(s)
        _log.debug("end: %s (%.2f s)", label, time.perf_counter() - s.t0)


def track(items: Iterable[T], label: str, *, total: int | None = None, unit: str = "") -> Iterator[T]:
    """Iterate ``items`` as one step counting them (``total``: default ``len(items)`` when it has one)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with step(label, total, unit=unit) as s:
        for item in items:
            yield item
            s.advance()


__all__ = ["FIRST_S", "clear_line", "HEARTBEAT_S", "LineReporter", "Reporter", "Step", "current", "reporting", "requested", "step", "track"]
