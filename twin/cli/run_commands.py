"""``twin run``: the main job on the embedded default district.

Until the scenario runner (issue 6) lands, ``twin run`` ingests the default district from
``data_samples/`` (Saint-Gilles footprints, streets, land cover, the Uccle weather file),
detects party walls and writes the scene, its party walls, facades and a summary to OUT.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("run")(run)


def run(
    out: Annotated[Path, typer.Option("-o", "--out", help="Results folder")] = Path("results"),
    data: Annotated[Optional[Path], typer.Option(help="Folder with the default inputs (default: the repository's data_samples/)")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Run the main job on the default district and write its results to OUT."""
    from twin.workflows.default_run import run_default

    summary = run_default(out, data_dir=data, progress=not quiet)
    if not quiet:
        for line in summary["lines"]:
            typer.echo(line)
