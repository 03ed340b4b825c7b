"""The one scene loader of the commands that accept a scene or raw input files.

``twin energy run``, ``twin calibrate``, ``twin solar cadastre``, ``twin traffic simulate``,
``twin traffic access`` and ``twin traffic mobility`` take either a scene written by twin or the
files to build one from. They all go through :func:`load_scene`, so one rule decides what a
path is:

* **one folder**: a scene folder written by ``twin ingest -o`` / ``twin export``
  (:func:`twin.scene.io.read_scene`; a folder without ``scene.json`` is an error naming it);
* **one GeoPackage holding a** ``twin_scene`` **table** (written by twin): read as written;
* **anything else** (one or more footprint, OSM, CityJSON, IFC or GeoJSON files, a GeoPackage
  of source data, an ``.epw`` file that becomes the scene weather): ingested into a new scene
  (:func:`twin.ingest.ingest`) in ``scene_crs``, with ``source_crs`` for files that declare none.

A missing path is an :class:`~twin.errors.InputError` naming it, before anything is read.

This module belongs to the workflow layer (it may import :mod:`twin.ingest`); it is the only
module of that layer the engines' command functions import (``tests/test_import_layers.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from twin.errors import InputError


def _as_paths(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[Path]:
    if isinstance(paths, (str, os.PathLike)):
        return [Path(paths)]
    return [Path(p) for p in paths]


def is_written_scene(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> bool:
    """True if ``paths`` is one scene written by twin (a folder, or a GeoPackage with a ``twin_scene`` table)."""
    from twin.scene.io import is_scene_geopackage

    found = _as_paths(paths)
    return len(found) == 1 and (found[0].is_dir() or is_scene_geopackage(found[0]))


def check_scene_paths(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The paths of a command's SCENE argument, checked before any work starts: at least one, each existing.

    Returns
    -------
    list of Path
        ``paths`` as paths.

    Raises
    ------
    InputError
        No path, or a path that does not exist (field ``SCENE``, as the command line shows it).
    """
    return _existing(_as_paths(paths), "SCENE", none="no scene given", missing="file not found")


def check_sources(paths: list[Path], field: str) -> None:
    """Every source of a traffic command exists (a folder or a file); InputError naming the first one missing.

    Standard library only: ``twin traffic simulate`` runs it before importing
    :mod:`twin.traffic.dynamic_commands` (NumPy, pandas: about a second).
    """
    _existing(paths, field, none="give at least one input", missing="input not found")


def _existing(paths: list[Path], field: str, *, none: str, missing: str) -> list[Path]:
    """``paths`` if there is at least one and each exists; otherwise InputError ``none`` (naming
    ``field``) or ``missing`` (naming the first missing path and ``field``)."""
    if not paths:
        raise InputError(none, field=field)
    for path in paths:
        if not path.exists():
            raise InputError(missing, path=path, field=field)
    return paths


def load_scene(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    scene_crs: str | None = None,
    source_crs: str | None = None,
    layers: Iterable[str] | None = None,
) -> Any:
    """A :class:`~twin.scene.Scene` from a scene written by twin or from input files (module docstring).

    Parameters
    ----------
    paths
        One scene folder or twin GeoPackage, or the input files to ingest.
    scene_crs
        Metric CRS of a scene built from input files (default: that of :func:`twin.ingest.ingest`,
        EPSG:31370). Not used for a scene read as written (it keeps its CRS).
    source_crs
        CRS of input files that declare none (``--crs`` of the commands).
    layers
        Of a scene read as written, the layers to read (the buildings always; the others left
        empty): :func:`twin.scene.io.read_scene`. None: every layer. Input files are ingested whole.

    Raises
    ------
    InputError
        No path, or a path that does not exist.
    """
    found = check_scene_paths(paths)
    if is_written_scene(found):
        from twin.scene.io import read_scene

        return read_scene(found[0], layers=layers)
    from twin.ingest import ingest

    options: dict[str, Any] = {}
    if scene_crs is not None:
        options["crs"] = scene_crs
    if source_crs is not None:
        options["source_crs"] = source_crs
    scene, _ = ingest(found, **options)
    return scene


__all__ = ["check_scene_paths", "check_sources", "is_written_scene", "load_scene"]
