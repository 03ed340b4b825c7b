"""``twin``: the entry point. Sub-commands of each engine live in their own module."""

from __future__ import annotations

import importlib.util
import sys
from importlib import import_module
from typing import Annotated

import typer

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
}
for _name, _module in _SUBAPPS.items():
    if importlib.util.find_spec(_module) is not None:
        app.add_typer(import_module(_module).app, name=_name)

# top-level commands defined in their own modules (registered when the module exists)
_COMMANDS = ("twin.cli.scene_commands", "twin.cli.run_commands", "twin.cli.calibrate")
for _module in _COMMANDS:
    if importlib.util.find_spec(_module) is not None:
        import_module(_module).register(app)


def _version(value: bool) -> None:
    if value:
        from twin import __version__

        typer.echo(f"twin {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit")] = False,
) -> None:
    """Urban digital twin: ingest buildings, streets, land cover and soil into one scene; simulate
    energy, traffic and soil water; compare what-if scenarios."""


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - console entry
    """Console entry point: run the app, exit with its code (see :mod:`twin.cli.errors`)."""
    from twin.cli.errors import run_app

    sys.exit(run_app(app, argv))


if __name__ == "__main__":  # pragma: no cover
    main()
