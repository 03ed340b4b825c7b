"""Where a run store is, from the path a user typed: checked before the store's reader is imported.

``twin store list STORE`` and ``twin store release STORE ...`` refuse a path that is no run store
at once; the reader (:mod:`twin.scenario.store`: pandas, and the scenario schema its package
imports, about a second) is imported only once the path is known to be one. Standard library only.
"""

from __future__ import annotations

import os
from pathlib import Path

from twin.errors import InputError


def store_file(path: str | os.PathLike[str]) -> Path:
    """The run store at ``path``: the file itself, or ``runs.sqlite`` in a folder (``twin batch
    -o OUT`` keeps it in ``OUT/runs.sqlite``).

    Raises
    ------
    InputError
        No such file or folder, or a folder without ``runs.sqlite``.
    """
    path = Path(path)
    where = "twin batch -o OUT keeps it in OUT/runs.sqlite, twin run -o OUT in OUT.runs.sqlite"
    if path.is_dir():
        if (path / "runs.sqlite").is_file():
            return path / "runs.sqlite"
        raise InputError(f"a folder without runs.sqlite, not a run store ({where})", path=path)
    if not path.exists():
        raise InputError(f"no such file: not a run store ({where})", path=path)
    if not path.is_file():
        raise InputError("not a regular file, not a run store", path=path)
    return path


__all__ = ["store_file"]
