"""``twin``: the entry point. Sub-commands of each engine live in their own module.

Options of every command (before or after the command name):

``-q``/``--quiet``
    No progress lines (commands with their own ``-q`` also print no summary).
``-v``/``--verbose``
    Debug messages of the ``twin.*`` loggers (standard :mod:`logging`) on stderr.

Progress: :func:`main` installs a :class:`twin.io.progress.LineReporter` on stderr for the
command (unless ``-q``, ``--help`` or ``--version``), with the command as its outer step, so
every command running longer than :data:`twin.io.progress.FIRST_S` shows what it is doing at
least every :data:`twin.io.progress.HEARTBEAT_S`. Used as a library, twin prints nothing.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import signal
import sys
from collections.abc import Iterator, Sequence
from importlib import import_module
from typing import Annotated

import typer

from twin.cli import pause_point
from twin.cli.help_text import reflow_commands

app = typer.Typer(
    name="twin",
    help="Urban digital twin: ingest buildings, streets, land cover and soil into one scene; "
    "simulate energy, traffic and soil water; compare what-if scenarios.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# engine sub-commands: name -> module defining ``app`` (registered when the module exists)
_SUBAPPS = {
    "energy": "twin.cli.energy",
    "traffic": "twin.cli.traffic",
    "soil": "twin.cli.soil",
    "solar": "twin.cli.solar",
    "store": "twin.cli.store",
}
for _name, _module in _SUBAPPS.items():
    if importlib.util.find_spec(_module) is not None:
        app.add_typer(import_module(_module).app, name=_name)

# top-level commands defined in their own modules (registered when the module exists)
_COMMANDS = ("twin.cli.scene_commands", "twin.cli.run_commands", "twin.cli.calibrate")
for _module in _COMMANDS:
    if importlib.util.find_spec(_module) is not None:
        import_module(_module).register(app)

reflow_commands(app)  # one line per paragraph of help: the terminal wraps it (twin.cli.help_text)


def _version(value: bool) -> None:
    if value:
        from twin import __version__

        typer.echo(f"twin {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress lines on stderr")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug messages (logging) on stderr")] = False,
) -> None:
    """Urban digital twin: ingest buildings, streets, land cover and soil into one scene; simulate
    energy, traffic and soil water; compare what-if scenarios."""
    configure_logging(verbose=verbose, quiet=quiet)


class _LevelFormatter(logging.Formatter):
    """``twin: warning: message`` (lower-case level, like the warnings of :mod:`twin.cli.errors`)."""

    def format(self, record: logging.LogRecord) -> str:
        record.levelname_lower = record.levelname.lower()
        return super().format(record)


class _StderrHandler(logging.StreamHandler):
    """A handler writing to the ``sys.stderr`` of the moment (a test may swap it)."""

    twin_cli = True

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:  # set by StreamHandler.__init__; always sys.stderr
        pass


def configure_logging(*, verbose: bool = False, quiet: bool = False) -> None:
    """One stderr handler on the ``twin`` logger: DEBUG with ``-v`` (time and logger name),
    else WARNING (ERROR with ``-q``); the loggers of other libraries are left alone."""
    log = logging.getLogger("twin")
    handler = next((h for h in log.handlers if getattr(h, "twin_cli", False)), None)
    if handler is None:
        handler = _StderrHandler()
        log.addHandler(handler)
    if verbose:
        handler.setFormatter(_LevelFormatter("%(asctime)s %(name)s %(levelname_lower)s: %(message)s"))
        level = logging.DEBUG
    else:
        handler.setFormatter(_LevelFormatter("twin: %(levelname_lower)s: %(message)s"))
        level = logging.ERROR if quiet else logging.WARNING
    log.setLevel(level)


#: Command groups whose sub-command names the command (``twin energy run``).
_GROUPS = (*_SUBAPPS, "scenario")


def _flags(args: Sequence[str]) -> tuple[bool, bool, bool]:
    """``(quiet, verbose, informational)`` from the command line: -q/-v of the root or of any
    command (before ``--``); informational: --help, --version or no command (no progress)."""
    head = list(args[: args.index("--")] if "--" in args else args)
    quiet = any(a in ("-q", "--quiet") for a in head)
    verbose = any(a in ("-v", "--verbose") for a in head)
    informational = not head or any(a in ("--help", "--version") for a in head)
    return quiet, verbose, informational


def command_label(args: Sequence[str]) -> str:
    """The command being run, e.g. ``run`` or ``energy run`` (the outer step of the progress lines)."""
    words = [a for a in args if not a.startswith("-")][:2]
    if not words:
        return "twin"
    if words[0] in _GROUPS and len(words) > 1:
        return " ".join(words)
    return words[0]


@contextlib.contextmanager
def command_output(args: Sequence[str]) -> Iterator[None]:
    """Logging and progress for one command line: a stderr reporter with the command as its outer
    step, unless -q, --help or --version."""
    quiet, verbose, informational = _flags(args)
    configure_logging(verbose=verbose, quiet=quiet)
    if informational:
        yield
        return
    from twin.io import progress

    if quiet:  # a silent reporter: code asked for progress=True (a command without its own -q) stays silent too
        with progress.reporting(progress.Reporter()):
            yield
        return
    with progress.reporting(progress.LineReporter()), progress.step(command_label(args)):
        yield


_GLOBAL_FLAGS = ("-q", "--quiet", "-v", "--verbose")


def global_flags_first(args: Sequence[str]) -> list[str]:
    """``args`` with -q/-v given after the command name also given to ``twin`` itself (so every
    command takes them); a command's own -q stays where it is (it also drops the summary)."""
    args = list(args)
    end = args.index("--") if "--" in args else len(args)
    flags = [a for a in args[:end] if a in _GLOBAL_FLAGS]
    if not flags:
        return args
    own = _own_options(args[:end])
    kept = [a for i, a in enumerate(args) if i >= end or a not in _GLOBAL_FLAGS or a in own]
    front = list(dict.fromkeys("--quiet" if f in ("-q", "--quiet") else "--verbose" for f in flags))
    return [*front, *kept]


def _own_options(args: Sequence[str]) -> set[str]:
    """The option names of the command ``args`` invoke (empty if there is none)."""
    command = typer.main.get_command(app)
    for word in (a for a in args if not a.startswith("-")):
        sub = getattr(command, "commands", {}).get(word)
        if sub is None:
            break
        command = sub
    if getattr(command, "commands", None) is not None:  # a group: its options are not a command's
        return set()
    return {opt for p in command.params for opt in (*getattr(p, "opts", ()), *getattr(p, "secondary_opts", ()))}


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - console entry
    """Console entry point: run the app, exit with its code (see :mod:`twin.cli.errors`)."""
    from twin.cli import signals
    from twin.cli.errors import interrupted, run_app

    code = None
    try:
        with signals.installed() as stop:  # SIGTERM / SIGINT: prompt stop, exit 143 / 130
            try:
                args = global_flags_first(sys.argv[1:] if argv is None else argv)
                with command_output(args):
                    code = run_app(app, args)
            except KeyboardInterrupt:  # around the command: reading its line, starting or ending its progress
                code = interrupted()
            stop.ended_with = code  # a signal from the block's end on: one line, 130 / 143 (signals.after_end)
    except KeyboardInterrupt as exc:  # while the handlers were being put back: the command had ended
        from twin.workflows.interrupt import Terminated

        if code is None:
            raise
        signals.stop_after_end(signal.SIGTERM if isinstance(exc, Terminated) else signal.SIGINT, code)
    if stop.lost is not None:  # a signal whose KeyboardInterrupt a library cleared: the command ran to its end
        signals.stop_after_end(stop.lost, code)
    pause_point("ended")
    signals.exit_now(code)  # not the interpreter's shutdown, which puts the default signal action back


if __name__ == "__main__":  # pragma: no cover
    main()
