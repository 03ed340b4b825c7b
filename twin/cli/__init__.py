"""The ``twin`` command line. Modules here import only typer at top level; the work is
imported inside each command so that ``twin --help`` stays fast."""

from __future__ import annotations

import sys


def entry(argv: list[str] | None = None) -> None:  # pragma: no cover - console entry
    """Console entry point (``twin``): import the command line, then run it (:func:`twin.cli.main.main`).

    A Ctrl-C while the command line is still being imported ends as any other interruption:
    one line on stderr, exit 130 (not a traceback).
    """
    try:
        from twin.cli.main import main as run
    except KeyboardInterrupt:
        from twin.cli.signals import announce

        announce()
        sys.exit(130)
    run(argv)
