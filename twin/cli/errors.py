"""Run the command-line app and turn every way it can end into one line and an exit code.

Exit codes
----------
0
    Success.
1
    The work ran but its result is partial: not converged, some runs of a batch failed.
2
    Bad input or a bad command line: a :class:`~twin.errors.TwinError`, a usage error (unknown
    command or option, a value of the wrong type), or a file the system refused to read or write.
70
    A bug in twin (an exception twin did not anticipate); the message says where the traceback is.
130
    Interrupted (Ctrl-C, SIGINT). An error that ends the command after a stop signal came is
    the interruption's doing (a library that swallowed the ``KeyboardInterrupt`` or turned it
    into its own exception, e.g. Numba interrupted while it compiles a kernel): it is reported
    as the interruption, 130 or 143, not as a bug (:func:`ended_by_signal`).
143
    Terminated (SIGTERM); the command line stops within about a second even inside a compiled
    kernel, staged outputs removed (:mod:`twin.cli.signals`).

Usage errors are recognised by what they carry (``exit_code`` and ``format_message``), not by
their class: typer 0.22 and later raise the exceptions of their own copy of click, earlier
versions those of click itself, and both must print the same one line.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from collections.abc import Sequence

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_BAD_INPUT = 2
EXIT_BUG = 70
EXIT_INTERRUPTED = 130

PROG = "twin"


def error_line(message: str) -> str:
    """The one line printed for an error: ``twin: error: <message>`` (newlines folded)."""
    return f"{PROG}: error: " + " ".join(str(message).split())


def _is_click_exception(exc: BaseException) -> bool:
    return hasattr(exc, "exit_code") and callable(getattr(exc, "format_message", None))


def _class_names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def _usage_message(exc: BaseException) -> tuple[str, int]:
    """Message and exit code of a click-style exception (``UsageError``, ``BadParameter``...)."""
    names = _class_names(exc)
    message = exc.format_message()
    ctx = getattr(exc, "ctx", None)
    if "UsageError" in names:
        command = getattr(ctx, "command_path", None) or PROG
        return f"{message} (see '{command} --help')", EXIT_BAD_INPUT
    return message, int(getattr(exc, "exit_code", EXIT_BAD_INPUT) or EXIT_BAD_INPUT)


def _write_traceback(exc: BaseException) -> str | None:
    """Write the traceback of an unexpected exception to a file; its path, or None."""
    try:
        fd, name = tempfile.mkstemp(prefix="twin-traceback-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("".join(traceback.format_exception(exc)))
        return name
    except OSError:
        return None


def _os_error_message(exc: OSError) -> str:
    where = f"file {exc.filename}: " if getattr(exc, "filename", None) else ""
    what = exc.strerror or str(exc)
    return f"{where}{what}"


def run_app(app, args: Sequence[str] | None = None) -> int:
    """Run ``app`` (a typer app) on ``args`` (default ``sys.argv[1:]``); return the exit code.

    Nothing is raised and nothing but the command's own output and at most one error line is
    printed (set ``TWIN_TRACEBACK=1`` to see the traceback of an error as well).
    """
    show_traceback = os.environ.get("TWIN_TRACEBACK", "") not in ("", "0")
    _install_warning_printer()
    try:
        code = app(args=None if args is None else list(args), prog_name=PROG, standalone_mode=False)
    except BaseException as exc:
        _clear_progress()  # the error line below starts on a clean terminal line
        if ended_by_signal(exc):  # Ctrl-C, SIGTERM (twin.workflows.interrupt.Terminated), or what they caused
            _maybe_traceback(show_traceback)
            return interrupted()
        return _exit_code_of_exception(show_traceback)
    code = _return_code(code)
    if code == EXIT_INTERRUPTED:  # typer turns Ctrl-C (and SIGTERM's Terminated) into Exit(130) before it reaches us
        _clear_progress()
        return interrupted()
    return code


def ended_by_signal(exc: BaseException) -> bool:
    """Whether ``exc``, ending a command, is the doing of a stop signal (SIGINT, SIGTERM).

    True for a ``KeyboardInterrupt`` and, once :mod:`twin.cli.signals` received a stop signal,
    for any other exception but ``SystemExit``: whatever a library raises while the signal
    unwinds it is a consequence of the interruption, not a bug of twin or bad input.
    """
    from twin.cli import signals

    if isinstance(exc, KeyboardInterrupt):
        return True
    return not isinstance(exc, SystemExit) and signals.received() is not None


def interrupted() -> int:
    """Print the line of an interruption (SIGINT, SIGTERM); its exit code (130, 143)."""
    from twin.cli import signals

    signals.announce()
    return signals.exit_code(EXIT_INTERRUPTED)


def _clear_progress() -> None:
    from twin.io.progress import clear_line

    clear_line()


def _exit_code_of_exception(show_traceback: bool) -> int:
    """Print the one line of the exception being handled; its exit code."""
    from twin.errors import TwinError

    try:
        raise
    except TwinError as exc:
        _maybe_traceback(show_traceback)
        print(error_line(str(exc)), file=sys.stderr)
        return getattr(exc, "exit_code", EXIT_BAD_INPUT)
    except SystemExit as exc:
        return _system_exit_code(exc)
    except BrokenPipeError:  # `twin ... | head`: the reader left; not an error of ours
        _silence_stdout()
        return EXIT_PARTIAL
    except RecursionError:
        _maybe_traceback(show_traceback)
        print(error_line("input nested too deeply to be read"), file=sys.stderr)
        return EXIT_BAD_INPUT
    except MemoryError:
        _maybe_traceback(show_traceback)
        print(error_line("out of memory: the input is too large for this machine (or a resource limit was hit)"), file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        _maybe_traceback(show_traceback)
        print(error_line(_os_error_message(exc)), file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 - the last line of defence of the command line
        if _is_click_exception(exc):
            names = _class_names(exc)
            if "NoArgsIsHelpError" in names:  # `twin` or `twin energy` alone: the help, not an error
                print(exc.format_message())
                return EXIT_OK
            if "Abort" in names:
                print(f"{PROG}: aborted", file=sys.stderr)
                return EXIT_PARTIAL
            message, code = _usage_message(exc)
            print(error_line(message), file=sys.stderr)
            return code
        if "Abort" in _class_names(exc):
            print(f"{PROG}: aborted", file=sys.stderr)
            return EXIT_PARTIAL
        _maybe_traceback(show_traceback)
        where = _write_traceback(exc)
        hint = f"; traceback in {where}" if where else ""
        print(error_line(f"internal error (a bug in twin, please report it): {type(exc).__name__}: {exc}{hint}"), file=sys.stderr)
        return EXIT_BUG


def _install_warning_printer() -> None:
    """Print :class:`~twin.errors.TwinWarning` as ``twin: warning: ...`` lines; silence the
    warnings of other libraries (deprecations and the like) unless ``TWIN_WARNINGS=all``."""
    import warnings

    from twin.errors import TwinWarning

    def show(message, category, filename, lineno, file=None, line=None):  # noqa: ARG001
        _clear_progress()
        if issubclass(category, TwinWarning):
            print(f"{PROG}: warning: " + " ".join(str(message).split()), file=sys.stderr)
        elif os.environ.get("TWIN_WARNINGS") == "all":
            print(warnings.formatwarning(message, category, filename, lineno, line), file=sys.stderr, end="")

    warnings.showwarning = show
    warnings.simplefilter("always", TwinWarning)


def _maybe_traceback(show: bool) -> None:
    if show:
        traceback.print_exc(file=sys.stderr)


def _return_code(value: object) -> int:
    """Exit code from what the app returned (an ``Exit(code)`` comes back as its code)."""
    if value is None:
        return EXIT_OK
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    return EXIT_OK


def _system_exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return EXIT_OK
    if isinstance(exc.code, int):
        return exc.code
    print(str(exc.code), file=sys.stderr)
    return EXIT_PARTIAL


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
