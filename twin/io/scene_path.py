"""Whether a path can be a scene written by twin, checked before the scene reader is imported.

``twin info SCENE`` and ``twin export SCENE`` refuse a path that is no scene at once; the reader
(:func:`twin.scene.io.read_scene`: pandas and geopandas, about a second) is imported only once
the path is a folder holding ``scene.json`` or a ``.gpkg`` file. Standard library only.
"""

from __future__ import annotations

import os
from pathlib import Path

from twin.errors import InputError


def check_scene_path(path: str | os.PathLike[str]) -> Path:
    """``path`` as a scene to read: an existing folder with ``scene.json``, or a path ending in ``.gpkg``.

    Only the names are looked at: the files themselves are checked when they are read
    (:func:`twin.scene.io.read_scene`).

    Returns
    -------
    Path
        ``path`` as a path.

    Raises
    ------
    InputError
        No such path, a folder without ``scene.json``, or a file that is not a ``.gpkg``.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("scene not found (a folder or .gpkg written by 'twin ingest' expected)", path=path)
    if path.is_dir():
        if not (path / "scene.json").exists():
            raise InputError("not a twin scene folder (no scene.json); create one with 'twin ingest ... -o FOLDER'", path=path)
    elif path.suffix.lower() != ".gpkg":
        raise InputError("no twin scene here (a folder with scene.json or a .gpkg expected)", path=path)
    return path


__all__ = ["check_scene_path"]
