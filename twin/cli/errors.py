"""Run the typer app and turn a :class:`~twin.errors.TwinError` into a one-line message and exit code 2."""

from __future__ import annotations

import sys


def run_app(app) -> None:
    from twin.errors import TwinError

    try:
        app(standalone_mode=False)
    except TwinError as exc:
        print(f"twin: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except SystemExit:
        raise
    except Exception as exc:  # click's usage errors
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Abort):
            print("Aborted.", file=sys.stderr)
            sys.exit(1)
        raise
