"""Choose a reader by file name and gather many files into one scene."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from importlib import import_module
from pathlib import Path

from twin.errors import InputError
from twin.ingest.result import IngestResult

# suffix -> (module, function); longest suffix wins
_READERS: dict[str, tuple[str, str]] = {
    ".ifc": ("twin.ingest.ifc", "read_ifc"),
    ".city.json": ("twin.ingest.cityjson", "read_cityjson"),
    ".cityjson": ("twin.ingest.cityjson", "read_cityjson"),
    ".geojson": ("twin.ingest.vector", "read_vector"),
    ".gpkg": ("twin.ingest.vector", "read_vector"),
    ".parquet": ("twin.ingest.vector", "read_vector"),
    ".geoparquet": ("twin.ingest.vector", "read_vector"),
    ".shp": ("twin.ingest.vector", "read_vector"),
    ".osm": ("twin.ingest.osm", "read_osm"),
    ".osm.pbf": ("twin.ingest.osm", "read_osm"),
    ".pbf": ("twin.ingest.osm", "read_osm"),
    ".osm.bz2": ("twin.ingest.osm", "read_osm"),
    ".epw": ("twin.ingest.epw", "read_epw_result"),
}


def detect_format(path: str | os.PathLike[str]) -> str:
    """The reader suffix for ``path`` (e.g. ``'.city.json'``); raises InputError if unknown.

    A ``.json`` file is CityJSON when its top-level ``type`` is ``CityJSON``, else GeoJSON.
    """
    name = Path(path).name.lower()
    for suffix in sorted(_READERS, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    if name.endswith(".json"):
        with open(path, "rb") as fh:
            head = fh.read(4096)
        return ".city.json" if b'"CityJSON"' in head else ".geojson"
    raise InputError(f"unknown file format; known: {', '.join(sorted(_READERS))}", path=path)


def _reader(suffix: str) -> Callable[..., IngestResult]:
    module, func = _READERS[suffix]
    return getattr(import_module(module), func)


def read(path: str | os.PathLike[str], **options) -> IngestResult:
    """Read one file with the reader its name calls for.

    Options are passed to the reader (e.g. ``crs='EPSG:4326'`` for a layer without CRS,
    ``layer='buildings'`` to force the target layer of a vector file).
    """
    if not Path(path).exists():
        raise InputError("file not found", path=path)
    return _reader(detect_format(path))(path, **options)


def ingest(
    paths: Iterable[str | os.PathLike[str]],
    *,
    scene=None,
    crs: str | None = None,
    source_crs: str | None = None,
    sites: Iterable[str | os.PathLike[str]] = (),
    progress: bool = False,
    **options,
):
    """Read ``paths`` into one scene; returns ``(scene, results)``.

    Parameters
    ----------
    paths
        Files of any supported format.
    scene
        Add to this scene instead of a new one.
    crs
        Scene CRS for a new scene (default EPSG:31370).
    source_crs
        CRS of input files that declare none (vector and CityJSON files; without it such a
        file is an error).
    sites
        Polygon files of districts/sites: read into the ``sites`` layer, and every building
        gets the ``site_id`` of the site it stands in.
    progress
        Show a progress bar.
    """
    from twin.scene import DEFAULT_CRS, Scene

    if scene is None:
        scene = Scene(crs=crs or DEFAULT_CRS)
    results = []
    paths = list(paths)
    iterator: Iterable = paths
    if progress and len(paths) > 1:
        from tqdm import tqdm

        iterator = tqdm(paths, desc="ingest", unit="file")
    for path in iterator:
        if detect_format(path) == ".ifc":
            extra = {"scene_crs": scene.crs.to_string()}
        else:
            extra = {"crs": source_crs} if source_crs else {}
        result = read(path, **options, **extra)
        add_result(scene, result)
        results.append(result)
    for path in sites:
        result = read(path, layer="sites", **({"crs": source_crs} if source_crs else {}))
        add_result(scene, result)
        results.append(result)
    if len(scene.sites):
        scene.assign_sites()
    return scene, results


def add_result(scene, result: IngestResult) -> None:
    """Add the layers of ``result`` to ``scene`` (weather is attached, not layered)."""
    for name, frame in result.layers.items():
        if name == "weather":
            scene.weather = frame
            continue
        if len(frame):
            scene.add(name, frame, source=result.path)
