"""Prompt, clean stops on SIGTERM and SIGINT, even inside a compiled kernel.

Python runs a signal handler only between two bytecodes of the main thread. While the main
thread is inside a Numba kernel (minutes for a large stock or a year of soil water) a handler
that raises :class:`KeyboardInterrupt` waits for the kernel to return, and a scheduler (Dask,
systemd, ``docker stop``) or a user at Ctrl-C waits with it, then kills the process hard.

How the command line stops instead (:func:`installed`, entered by :func:`twin.cli.main.main`):

1. The handlers are Python handlers (SIGINT: :class:`KeyboardInterrupt`; SIGTERM:
   :class:`twin.workflows.interrupt.Terminated`), so a signal that arrives while Python code
   runs unwinds the stack as before: staged folders are removed, the run store marks the run
   failed ("interrupted").
2. :func:`signal.set_wakeup_fd` makes the C-level handler write the signal number to a pipe at
   once, whatever the main thread is doing. A watcher thread waits on that pipe (the kernels
   release the GIL: ``nogil=True`` in ``kernels/config.py``). When a signal comes it looks
   at the main thread's innermost Python frame; if the frame still stands where it stood when
   the signal came after :data:`GRACE_S`, the main thread is inside native code (a kernel) and
   the watcher stops the process itself: it waits for a swap of outputs under way to finish,
   removes every staged output (:func:`twin.io.stop.remove_staged`), prints the one line and
   ends the process with :func:`os._exit`. A main thread that is unwinding gets
   :data:`UNWIND_S` to finish first; a second signal stops at once.

Exit codes: 130 after SIGINT, 143 after SIGTERM (128 + the signal number, as a shell reports
a process killed by the signal). The line: ``twin: interrupted`` (SIGINT) or ``twin:
terminated (SIGTERM)``. Outputs: a target holds its complete previous content or, when the
signal came during the final swap, the complete new one (:mod:`twin.io.staged`).

A ``KeyboardInterrupt`` that a library swallows: Python raises it wherever the main thread is,
also inside a ctypes callback, and ctypes does not let an exception out of a callback: it
reports it as "unraisable" and returns. Numba's first compile of a kernel runs such a callback
(llvmlite's object cache notifies Numba of the compiled object); a Ctrl-C that lands in it was
printed as ``Exception ignored on calling ctypes callback function ... KeyboardInterrupt`` and
Numba then failed with ``RuntimeError: no compiled object yet`` (an "internal error"). Within
:func:`installed`, :data:`sys.unraisablehook` takes a ``KeyboardInterrupt`` that comes after a
stop signal silently and tells the watcher, which stops the process at once as it does inside a
kernel (the main thread will not unwind: its exception is gone). :func:`received` is set by the
handler itself, before it raises, so the command line (:mod:`twin.cli.errors`) can tell an
error that follows a stop signal (a library that turned the ``KeyboardInterrupt`` into its own
exception) from a bug.

A ``KeyboardInterrupt`` that a library clears outright: C code may call a Python handler
(through ``PyErr_CheckSignals`` or a nested call) and then clear the exception it raised, as
numpy does when it compares two dtypes that it cannot convert (seen when pyarrow asks pandas
whether a table's column names are unique). The command then goes on. If it ends before the
watcher's :data:`UNWIND_S`, :func:`installed` yields a :class:`CommandStop` whose ``lost``
names the signal, and :func:`twin.cli.main.main` ends as for a signal after the end
(:func:`stop_after_end`: the line says that the results were written whole, exit 130 / 143);
a command that runs on is stopped by the watcher after :data:`UNWIND_S`.

After a stop signal, anything else Python cannot raise (a library's ``__del__`` failing on an
object the signal left half made, e.g. PyTables' ``Node.__del__`` on a file it was opening)
is not printed either: the process is ending, and the line says why.

The line names the outputs the command had already put in place whole before the signal came
(:func:`twin.io.stop.placed_paths`), e.g. ``twin: interrupted; out was already written
whole``: a signal after the final swap of an output leaves the new output, whole, and the user
must not take it for the earlier one. A signal during a swap is held and the swap undone
(:func:`twin.io.stop.signals_held`), so an output not named keeps its earlier content.

The end of the process (:func:`exit_now`): CPython's own shutdown puts the default action
back on SIGINT and SIGTERM before it finalizes its modules, so a signal in that last instant
killed the process with no line (exit -15 after SIGTERM). :func:`twin.cli.main.main` ends
instead with :func:`exit_now`: the exit functions run under the handlers of :func:`after_end`,
then :func:`os._exit`. Those handlers follow the handlers of :func:`installed` directly, at the
end of its block (:attr:`CommandStop.ended_with`): the CI at 418bef6 found a SIGTERM in the
instant between the two that killed ``python -m twin.cli.main`` with no line.

Only the console entry point installs this; twin used as a library keeps the handlers of its
host (Jupyter, Dask workers, pytest).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

from twin.cli import STOP_CODES, STOP_LINES
from twin.workflows.interrupt import Terminated, raises_terminated

#: How long the main thread's frame must stand still after a signal before the watcher
#: concludes that it is inside native code and stops the process itself, s.
GRACE_S = 0.5

#: How long a main thread that moves (unwinds after the handler raised) may take to end on its
#: own before the watcher stops the process anyway, s.
UNWIND_S = 10.0

#: Exit code and line per signal (defined in :mod:`twin.cli`, whose entry point takes the
#: signals before this module is imported).
EXIT_CODES = STOP_CODES
LINES = STOP_LINES

_STOP_BYTE = 0  # written by uninstall to end the watcher (no signal has number 0)

_received: list[int] = []
_received_lock = threading.Lock()
_announce_lock = threading.Lock()
_announced: list[bool] = [False]
_swallowed = threading.Event()  # a KeyboardInterrupt after the signal was lost in a library (_unraisable_hook)


def _note(sig: int) -> None:
    """Record ``sig`` as the stop signal received, unless one was recorded before."""
    with _received_lock:
        if not _received:
            _received.append(sig)


def received() -> int | None:
    """The first stop signal received within :func:`installed` (None: none, or outside it)."""
    return _received[0] if _received else None


def exit_code(default: int) -> int:
    """The conventional exit code of the signal received, or ``default`` when none was."""
    sig = received()
    return EXIT_CODES.get(sig, default) if sig is not None else default


def stop_line(sig: int | None) -> str:
    """The line of the stop signal ``sig``, naming the outputs already put in place whole.

    E.g. ``twin: interrupted`` when no output was replaced (every output keeps its earlier
    content), ``twin: terminated (SIGTERM); out was already written whole`` when the signal came
    after the command had put ``out`` in place (at most three names, then how many more).
    """
    from twin.io.stop import placed_paths

    base = LINES.get(sig, "twin: interrupted")
    placed = [_shown(p) for p in placed_paths()] if sig is not None else []  # no signal: a KeyboardInterrupt raised in code
    if not placed:
        return base
    names = ", ".join(placed[:3]) + (f" and {len(placed) - 3} more" if len(placed) > 3 else "")
    return f"{base}; {names} {'was' if len(placed) == 1 else 'were'} already written whole"


def _shown(path: Path) -> str:
    """``path`` as a user named it most likely: relative to the current folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


def announce(line: str | None = None) -> bool:
    """Print the stop line on stderr; after a signal only once per process (False: printed already).

    Without a signal received (a ``KeyboardInterrupt`` raised some other way, a command run in
    the process of a test) the line is printed every time.
    """
    sig = received()
    text = line if line is not None else stop_line(sig)
    if sig is None:
        _write_line(text)
        return True
    # The line is written under the lock: the watcher, which ends the process with os._exit
    # once this returns False, must not end it between another thread's check and its write
    # (a SIGTERM to the process group of `twin batch` ended it so with 143 and no line).
    with _announce_lock:
        if _announced[0]:
            return False
        _announced[0] = True
        _write_line(text)
    return True


def _write_line(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        if sys.stderr.isatty():
            sys.stderr.write("\r\x1b[K")  # the progress line, if one is drawn
        sys.stderr.write(text + "\n")
        sys.stderr.flush()


def _raise_interrupt(signum, frame):  # noqa: ARG001 - signal handler signature
    _note(signal.SIGINT)
    raise KeyboardInterrupt


@raises_terminated  # twin.workflows.interrupt.sigterm_raises keeps it: the signal is noted here, not only by the watcher
def _raise_terminated(signum, frame):  # noqa: ARG001 - signal handler signature
    _note(signal.SIGTERM)
    raise Terminated("terminated (SIGTERM)")


def _unraisable_hook(previous):
    """A :data:`sys.unraisablehook` for a ``KeyboardInterrupt`` that Python could not raise.

    An exception raised where Python cannot propagate it (a ctypes callback, a ``__del__``
    method) comes here. A ``KeyboardInterrupt`` (``Terminated`` included) after a stop signal is
    the signal being lost: nothing is printed and the watcher stops the process. Any other
    exception after a stop signal is a consequence of it (a library's ``__del__`` on an object
    the signal left half made): nothing is printed, the process is ending with its one line.
    Without a stop signal, everything goes to ``previous``.
    """

    def hook(unraisable) -> None:
        if received() is None:
            previous(unraisable)
        elif isinstance(unraisable.exc_value, KeyboardInterrupt):
            _swallowed.set()

    return hook


def _main_frame_key() -> tuple[int, int] | None:
    """Where the main thread stands: (id of its innermost frame, its last instruction)."""
    frame = sys._current_frames().get(threading.main_thread().ident)  # noqa: SLF001 - documented CPython API
    if frame is None:
        return None
    return id(frame), frame.f_lasti


def _force_stop(sig: int) -> None:
    """Remove the staged outputs, print the line, end the process (never returns)."""
    from twin.io.stop import remove_staged

    remove_staged()
    announce(stop_line(sig))
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()
    os._exit(EXIT_CODES.get(sig, 130))


def _watch(read_fd: int) -> None:
    """The watcher thread: wait for signal numbers on ``read_fd``; stop the process if need be."""
    pending: int | None = None
    since = 0.0
    key = None
    while True:
        timeout = None if pending is None else 0.05
        if timeout is not None:
            ready, _, _ = select.select([read_fd], [], [], timeout)
            data = os.read(read_fd, 64) if ready else b""
        else:
            try:
                data = os.read(read_fd, 64)
            except OSError:
                return
        if data == b"" and pending is None:
            return  # the pipe was closed
        for sig in data:
            if sig == _STOP_BYTE:
                return
            if sig not in EXIT_CODES:
                continue
            _note(sig)
            if pending is not None:  # a second signal: stop now
                _force_stop(pending)
            pending, since, key = sig, time.monotonic(), _main_frame_key()
        if pending is None:
            continue
        if _swallowed.is_set():  # the main thread lost its KeyboardInterrupt: it will not unwind
            _force_stop(pending)
        waited = time.monotonic() - since
        if waited >= GRACE_S:
            now_key = _main_frame_key()
            if now_key is None:
                continue  # the main thread is gone: the interpreter is ending on its own
            if now_key == key or waited >= UNWIND_S:
                _force_stop(pending)
            key, since = now_key, time.monotonic() - GRACE_S / 2  # moving: look again shortly


@dataclasses.dataclass
class CommandStop:
    """What :func:`installed` learned of the command run in its block.

    Attributes
    ----------
    lost
        The stop signal received during the block that no line reported although the block
        ended normally: a library cleared its ``KeyboardInterrupt`` and the command ran to its
        end (see the module docstring). None: no such signal.
    ended_with
        Set by the command line as the block's last step: the exit code of the command. The
        block then hands over to the handlers of :func:`after_end` instead of putting the
        earlier handlers back, so no instant is left between the two in which a signal meets
        the default action (killed by SIGTERM with no line, or a ``KeyboardInterrupt`` traceback
        and death by SIGINT, when twin is run as ``python -m twin.cli.main``) or the start-up
        handler's plain line (when the new results are already in place).
    """

    lost: int | None = None
    ended_with: int | None = None


def _lost_signal() -> int | None:
    """The stop signal received that no line has reported (None: none, or reported)."""
    sig = received()
    return sig if sig is not None and not _announced[0] else None


@contextlib.contextmanager
def installed() -> Iterator[CommandStop]:
    """Within the block, SIGINT and SIGTERM stop the process promptly (see the module docstring).

    Yields a :class:`CommandStop`, whose ``lost`` is set when the block ends normally after a
    stop signal that no line reported, and whose ``ended_with`` the command line sets. Outside
    the main thread (where handlers cannot be installed) this does nothing.
    """
    stop = CommandStop()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    from twin.io.stop import record_placed

    with _received_lock:  # a fresh start (a second command in the same process)
        _received.clear()
    _announced[0] = False
    _swallowed.clear()
    previous = {sig: signal.getsignal(sig) for sig in EXIT_CODES}
    previous_hook = sys.unraisablehook
    old_fd = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    signal.signal(signal.SIGINT, _raise_interrupt)
    signal.signal(signal.SIGTERM, _raise_terminated)
    sys.unraisablehook = _unraisable_hook(previous_hook)
    watcher = threading.Thread(target=_watch, args=(read_fd,), name="twin-signal-watcher", daemon=True)
    watcher.start()
    try:
        with record_placed():  # what this command puts in place whole, for its stop line (stop_line)
            yield stop
            stop.lost = _lost_signal()  # (the block ended normally)
    finally:
        sys.unraisablehook = previous_hook
        if stop.ended_with is not None:  # the command line's end: straight to its after-end handlers
            after_end(stop.ended_with)
        else:
            for sig, handler in previous.items():
                if handler is not None:
                    signal.signal(sig, handler)
        signal.set_wakeup_fd(old_fd)
        with contextlib.suppress(OSError):
            os.write(write_fd, bytes([_STOP_BYTE]))
        watcher.join(timeout=1.0)
        for fd in (write_fd, read_fd):
            with contextlib.suppress(OSError):
                os.close(fd)
        with _received_lock:  # outside the block no signal counts (received(): twin.cli.errors.ended_by_signal)
            _received.clear()
        _swallowed.clear()


def ended_line(sig: int, code: int) -> str:
    """The line of a stop signal that came after the command had ended with exit code ``code``."""
    base = LINES.get(sig, "twin: interrupted")
    if code == 0:
        return f"{base} after the command had ended; its results were written whole"
    return f"{base} after the command had ended (exit code {code})"


def stop_after_end(sig: int, code: int) -> None:
    """End the process for a stop signal ``sig`` that came after the command ended with ``code``.

    Flush stdout and stderr, print :func:`ended_line` and exit with 130 (SIGINT) or 143
    (SIGTERM) at once, not with ``code``. The command's outputs are final then (every swap is
    done, nothing is staged), so nothing is unwound; what is left is the interpreter's shutdown
    (about a second of finalizing libraries), in which a ``KeyboardInterrupt`` would print a
    traceback and the default SIGTERM action a silent death (exit -15).

    Why 130/143 and not the command's own code: the signal did reach a running process, and its
    caller asked for a stop. A shell script, ``make`` or a scheduler tells "stopped" from "done"
    by that code (bash's rule for a foreground child after Ctrl-C: a child that exits 0 lets the
    script carry on with its next step, which is what the user pressed Ctrl-C to prevent). The
    line says that the results are whole, so the user knows that there is nothing to rerun.
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, RuntimeError, AttributeError):
            stream.flush()
    with contextlib.suppress(OSError):
        os.write(2, (ended_line(sig, code) + "\n").encode())
    os._exit(EXIT_CODES.get(sig, 128 + sig))


def after_end(code: int) -> None:
    """From now on a SIGINT or SIGTERM ends the process by :func:`stop_after_end` (main thread only).

    Set by :func:`installed` at the end of its block once the command line has noted the exit
    code ``code`` of its command (:attr:`CommandStop.ended_with`).
    """
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in EXIT_CODES:
        signal.signal(sig, lambda signum, frame: stop_after_end(signum, code))  # noqa: ARG005 - handler signature


def exit_now(code: int) -> NoReturn:
    """End the process with ``code``: the exit functions, flushed streams, :func:`os._exit`.

    Called by :func:`twin.cli.main.main` once the command has ended and :func:`after_end` set
    its handlers. Python's own shutdown would put the default action back on SIGINT and SIGTERM
    before finalizing its modules (a signal there: no line, exit -15) and would free every
    object, whose ``__del__`` may print (a library's "Exception ignored in ..."). Instead the
    functions registered with :mod:`atexit` (logging's flush, multiprocessing, weakref
    finalizers, coverage) run here under the after-end handlers, stdout and stderr are flushed,
    and the process ends. The command's outputs are complete and closed by then (each is put
    in place by a rename once written). When a thread that is not a daemon still runs, Python's
    shutdown waits for it as usual (:func:`sys.exit`).
    """
    import atexit

    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.exit(code)
    atexit._run_exitfuncs()  # noqa: SLF001 - what the interpreter's shutdown runs first; no public name
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, RuntimeError, AttributeError):
            stream.flush()
    run_pending_handlers()  # a signal a native thread took: its after-end line, not a silent exit 0
    os._exit(code)


def run_pending_handlers() -> None:
    """Run now the Python handler of every signal that has come but not been acted on yet.

    CPython's C-level handler only marks a signal; the main thread runs the Python handler when
    it next looks at its "eval breaker". The kernel hands a signal sent to the process to any
    of its threads that does not block it; when that is a thread that never runs Python (a
    worker of Numba, pyarrow or OpenBLAS), the mark does not set the main thread's eval breaker,
    and the handler waits for the main thread's next switch of the GIL or call of
    ``PyErr_CheckSignals``. A process that ends before either (:func:`os._exit`) loses the
    signal: the CI at 418bef6 saw ``twin solar cadastre`` exit 0 with no line after a SIGTERM.
    :func:`signal.pthread_sigmask` with an empty set changes no mask and then calls
    ``PyErr_CheckSignals``, which runs the handler of every marked signal (main thread only;
    elsewhere nothing happens). While a command runs, the watcher thread of :func:`installed`
    reads such a signal from the wakeup pipe, and its own wake-up brings the main thread to the
    handler.
    """
    signal.pthread_sigmask(signal.SIG_BLOCK, ())


__all__ = ["EXIT_CODES", "GRACE_S", "LINES", "UNWIND_S", "CommandStop", "after_end", "announce", "ended_line", "exit_code", "exit_now", "installed",
           "received", "run_pending_handlers", "stop_after_end", "stop_line"]
