"""Choose a reader by file name and gather many files into one scene.

Every file goes through the same gate, before and after its reader:

before
    :func:`twin.io.paths.check_input_file`: a regular, readable file below the size limit (a
    folder, a device such as ``/dev/zero``, a FIFO or a link to one is refused before it is
    opened, so nothing hangs); a known extension.
after
    buildings outside the physical bounds of :mod:`twin.ingest.limits` are dropped (with their
    reason in ``result.dropped``); building values not used as given (a future year, a
    ``building:min_level`` not below the levels: :mod:`twin.ingest.attributes.checks`) give one
    warning per file (all are in ``result.meta['attribute_notes']``); the coordinates of every layer must fit its CRS and, in
    :func:`ingest`, the scene CRS (:mod:`twin.ingest.crs_check`); a file of which nothing could
    be used gives a :class:`~twin.errors.TwinWarning`.

Traffic-signal points of vector files are placed on the street nodes of the whole ingest once
every file is read (:func:`twin.ingest.signal_points.place_ingest_signals`); signal points without
any street line in the ingest are an :class:`~twin.errors.InputError`. Priority-sign points
(``highway=give_way|stop|mini_roundabout``) go on the street approaches the same way
(:func:`twin.ingest.priority_signs.place_ingest_signs`); without streets they are dropped with a
reason (a points file may come before or without its streets).

A failure inside a parsing library (GEOS, Arrow, GDAL, a decoder) that a reader did not turn
into a :class:`~twin.errors.TwinError` itself becomes a :class:`~twin.errors.ParseError` naming
the file.
"""

from __future__ import annotations

import inspect
import os
import warnings
from collections.abc import Callable, Iterable
from importlib import import_module
from pathlib import Path

from twin.errors import InputError, ParseError, TwinWarning
from twin.ingest.result import IngestResult
from twin.io.read_errors import library_errors

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

PER_BUILDING_OPTIONS = ("overrides",)
"""Options that give values per building: a reader applies them only if it names them in its
signature (a ``**kwargs`` catch-all does not count) and records ``meta['overrides_applied']``
(how many buildings it changed); else :func:`read` refuses a row that names one of the reader's
buildings (:func:`check_overrides_applied`), so no reader drops them without a word."""

FORMAT_NAMES = {".ifc": "IFC", ".city.json": "CityJSON", ".cityjson": "CityJSON", ".epw": "EPW"}
"""Format names in messages (others: the vector / OSM formats, which apply overrides)."""

IFC_OPTIONS = ("origin", "rotation_deg", "ground_z_m", "id_prefix", "timeout_s", "threads", "memory_limit_mb", "allow_truncated")
"""Options that only the IFC reader understands (not passed to other readers)."""


def detect_format(path: str | os.PathLike[str]) -> str:
    """The reader suffix for ``path`` (e.g. ``'.city.json'``); raises InputError if unknown.

    A ``.json`` file is CityJSON when its top-level ``type`` is ``CityJSON``, else GeoJSON.
    """
    name = Path(path).name.lower()
    for suffix in sorted(_READERS, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    if name.endswith(".json"):
        from twin.io.paths import check_input_file

        check_input_file(path)
        with open(path, "rb") as fh:
            head = fh.read(4096)
        return ".city.json" if b'"CityJSON"' in head else ".geojson"
    raise InputError(f"unknown file format; known: {', '.join(sorted(_READERS))}, .json", path=path)


def _reader(suffix: str) -> Callable[..., IngestResult]:
    module, func = _READERS[suffix]
    return getattr(import_module(module), func)


def _accepted(reader: Callable[..., IngestResult], options: dict) -> dict:
    """The options ``reader`` takes (all of them if it has ``**kwargs``), except a per-building
    option (:data:`PER_BUILDING_OPTIONS`) it does not name: a catch-all would swallow it."""
    params = inspect.signature(reader).parameters
    named = {k for k, p in params.items() if p.kind is not inspect.Parameter.VAR_KEYWORD}
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return {k: v for k, v in options.items() if k in named or k not in PER_BUILDING_OPTIONS}
    return {k: v for k, v in options.items() if k in params}


def check_overrides_applied(result: IngestResult, overrides, *, path, suffix: str) -> None:
    """Refuse overrides rows naming buildings of ``result`` that its reader did not apply.

    A reader applies overrides when it records ``meta['overrides_applied']``
    (:data:`PER_BUILDING_OPTIONS`); a row naming a building of a file whose reader did not is an
    :class:`~twin.errors.InputError` (:func:`twin.ingest.attributes.overrides.not_applied_error`):
    the value would stay as read and the option would change nothing.
    """
    if overrides is None or "overrides_applied" in result.meta:
        return
    buildings = result.layers.get("buildings")
    if buildings is None or not len(buildings):
        return
    from twin.ingest.attributes.overrides import not_applied_error, read_overrides

    rows = read_overrides(overrides)
    error = not_applied_error(rows, buildings["building_id"], source=path, fmt=FORMAT_NAMES.get(suffix, suffix.lstrip(".")))
    if error is not None:
        raise error


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300] + ("..." if len(text) > 300 else "")


def read(path: str | os.PathLike[str], **options) -> IngestResult:
    """Read one file with the reader its name calls for.

    Options are passed to the reader (e.g. ``crs='EPSG:4326'`` for a layer without CRS,
    ``layer='buildings'`` to force the target layer of a vector file; ``origin=``,
    ``rotation_deg=`` for an IFC file).

    Raises
    ------
    InputError
        Not a readable regular file, or an unknown format.
    ParseError
        The file cannot be parsed.
    CRSError
        Its coordinates do not fit its CRS.
    """
    from twin.io.paths import check_input_file

    path = Path(path)
    if check_input_file(path).stat().st_size == 0:
        raise ParseError("empty file (0 bytes)", path=path)
    suffix = detect_format(path)
    reader = _reader(suffix)
    scene_crs = options.get("scene_crs")
    try:
        result = reader(path, **_accepted(reader, options))
    except library_errors() as exc:
        raise ParseError(f"cannot read the file as {suffix}: {type(exc).__name__}: {_one_line(exc)}", path=path) from None
    check_overrides_applied(result, options.get("overrides"), path=path, suffix=suffix)
    check_result(result, path=path, hint="ifc" if suffix == ".ifc" else "source", scene_crs=scene_crs)
    return result


def check_result(result: IngestResult, *, path, hint: str = "source", scene_crs=None) -> None:
    """The checks after a reader (module docstring): building bounds, CRS fit, nothing usable.

    Stores the longitude/latitude bounds of each layer in ``result.meta['lonlat_bounds']``.
    """
    from twin.ingest.crs_check import check_layer
    from twin.ingest.limits import drop_bad_buildings

    drop_bad_buildings(result)
    bounds = {}
    for name, frame in result.layers.items():
        if name == "weather" or not hasattr(frame, "geometry"):
            continue
        b = check_layer(frame, path=path, layer=name, scene_crs=scene_crs, hint=hint)
        if b is not None:
            bounds[name] = b
    result.meta["lonlat_bounds"] = {k: list(b.lonlat) for k, b in bounds.items() if b.lonlat is not None}
    rows = sum(len(f) for k, f in result.layers.items() if k != "weather") + sum(len(p) for p in (result.signal_points, result.sign_points) if p is not None)
    notes = result.meta.get("attribute_notes") or []
    if notes:
        warnings.warn(
            f"file {path}: {len(notes)} value(s) not used as given (first: {notes[0]}); "
            "'twin ingest' lists them all",
            TwinWarning, stacklevel=3,
        )
    invalid = result.invalid
    if invalid and rows:
        first = invalid[0]
        warnings.warn(
            f"file {path}: {len(invalid)} object(s) dropped as invalid data, the rest was read "
            f"(first: {first.obj}: {first.reason})",
            TwinWarning, stacklevel=3,
        )
    if rows == 0 and "weather" not in result.layers:
        if result.dropped:
            first = result.dropped[0]
            warnings.warn(
                f"file {path}: nothing usable; all {len(result.dropped)} objects were dropped "
                f"(first: {first.obj}: {first.reason})",
                TwinWarning, stacklevel=3,
            )
        else:
            warnings.warn(f"file {path}: no objects found", TwinWarning, stacklevel=3)


#: The suffixes :func:`detect_format` gives OSM files (read by :func:`twin.ingest.osm.read_osm`).
OSM_SUFFIXES = (".osm", ".osm.pbf", ".pbf", ".osm.bz2")


def _source_options(suffix: str, source_crs: str | None, override_crs: bool) -> dict:
    """How ``--source-crs`` reaches each reader (it is the CRS of files that declare none)."""
    if source_crs is None or suffix in (".ifc", ".epw", *OSM_SUFFIXES):
        return {}
    if suffix in (".city.json", ".cityjson"):
        return {"crs": source_crs} if override_crs else {"source_crs": source_crs}
    return {"crs": source_crs, "crs_override": bool(override_crs)}


def ingest(
    paths: Iterable[str | os.PathLike[str]],
    *,
    scene=None,
    crs: str | None = None,
    source_crs: str | None = None,
    override_crs: bool = False,
    ifc_crs: str | None = None,
    sites: Iterable[str | os.PathLike[str]] = (),
    clip_to_sites: bool = False,
    progress: bool | None = None,
    context: bool = True,
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
        CRS of input files that declare none (vector and CRS-less CityJSON files; a GeoJSON
        without ``"crs"`` is WGS84 by RFC 7946 unless this names another CRS).
    override_crs
        Apply ``source_crs`` also to files that declare a (wrong) CRS.
    ifc_crs
        CRS of an IFC ``origin=`` (default: the scene CRS).
    sites
        Polygon files of districts/sites: read into the ``sites`` layer, and every building
        gets the ``site_id`` of the site it stands in. A file without a polygon, or sites that
        hold no building of the scene, are an :class:`~twin.errors.InputError` (field ``sites``).
    clip_to_sites
        Cut the OSM files (``.osm``, ``.osm.bz2``, ``.osm.pbf``) to the sites: a district from
        a region's extract (:func:`twin.ingest.osm.read_osm`'s ``clip``). Other files are read
        whole. Needs ``sites``.
    progress
        None: report the files read and the context step to the reporter the command line
        installed (library use: silent); False: silent; True: on stderr
        (:func:`twin.io.progress.requested`).
    context
        Once every file is read, infer building attributes that are still defaults from the
        scene: POIs inside footprints, land-use polygons, party-wall neighbours
        (:mod:`twin.ingest.attributes.context`).
    **options
        Passed to the readers that take them (``origin=``, ``rotation_deg=`` only to IFC files).

    Raises
    ------
    CRSError
        A layer lies outside the area of use of the scene CRS (the message names one that fits).
    """
    from twin.io.progress import requested

    with requested(progress):
        return _ingest(paths, scene=scene, crs=crs, source_crs=source_crs, override_crs=override_crs, ifc_crs=ifc_crs,
                       sites=sites, clip_to_sites=clip_to_sites, context=context, **options)


def _ingest(paths, *, scene, crs, source_crs, override_crs, ifc_crs, sites, clip_to_sites, context, **options):
    """:func:`ingest`, each file and the context step reported to :mod:`twin.io.progress`."""
    from twin.ingest.crs_check import check_scene_fit
    from twin.io import progress
    from twin.scene import DEFAULT_CRS, Scene

    if scene is None:
        scene = Scene(crs=crs or DEFAULT_CRS)
    scene_crs = scene.crs.to_string()
    results = []
    paths = list(paths)
    sites = list(sites)
    check_each_file_once(paths, sites)
    check_one_weather(paths)
    if clip_to_sites and not sites:
        raise InputError("clip_to_sites cuts the OSM files to the sites, and no sites file is given: give the district's polygon "
                         "as sites", field="sites")
    clip = None

    def read_into_scene(path, extra: dict) -> None:
        suffix = detect_format(path)
        opts = dict(options)
        opts["scene_crs"] = scene_crs
        if suffix == ".ifc":
            if ifc_crs is not None:
                opts["crs"] = ifc_crs
        else:
            for key in IFC_OPTIONS:
                opts.pop(key, None)
            opts.update(_source_options(suffix, source_crs, override_crs))
        if clip is not None and suffix in OSM_SUFFIXES:
            opts["clip"] = clip
        opts.update(extra)
        result = read(path, **opts)
        for name, lonlat in result.meta.get("lonlat_bounds", {}).items():
            check_scene_fit(
                tuple(lonlat), scene_crs, path=path, layer=name,
                source_crs=result.meta.get("crs"), hint="ifc" if suffix == ".ifc" else "source",
            )
        add_result(scene, result)
        results.append(result)

    def read_sites() -> None:
        for path in sites:
            with progress.step(f"{Path(path).name} (sites)"):
                read_into_scene(path, {"layer": "sites"})
            if not len(results[-1].layers.get("sites", ())):
                raise InputError("no site polygon in the file: a sites file gives the districts the buildings are assigned to",
                                 path=path, field="sites")
            files_done.advance()

    with progress.step("input files", len(paths) + len(sites)) as files_done:
        if clip_to_sites:  # the sites first: they cut the files
            read_sites()
            clip = sites_lonlat(scene)
        for path in paths:
            with progress.step(Path(path).name):
                read_into_scene(path, {})
            files_done.advance()
        if not clip_to_sites:
            read_sites()
        if scene.weather is not None:
            from twin.io.weather_site import check_weather_site

            check_weather_site(scene.weather, scene, field="weather")
        if any(r.signal_points is not None for r in results):
            from twin.ingest.signal_points import place_ingest_signals

            with progress.step("traffic signals on the street nodes"):
                place_ingest_signals(scene, results)
        if any(r.sign_points is not None for r in results):
            from twin.ingest.priority_signs import place_ingest_signs

            with progress.step("priority signs on the street approaches"):
                place_ingest_signs(scene, results)
        if len(scene.sites):
            with progress.step("sites of the buildings"):
                if scene.assign_sites() == 0 and len(scene.buildings):
                    raise InputError(f"no building stands in any of the {len(scene.sites)} site polygon(s): every building would be "
                                     "outside every site (check the sites file's extent and CRS)",
                                     path=sites[0] if len(sites) == 1 else None, field="sites")
        if context:
            from twin.ingest.attributes.context import refine_scene
            from twin.ingest.defaults import load_defaults

            with progress.step("building attributes from their context"):
                refine_scene(scene, table=load_defaults(options.get("defaults")))
    return scene, results


def source_crs_used(results) -> bool:
    """Whether a ``source_crs`` given to :func:`ingest` was applied to any of its ``results`` (an
    input without a declared CRS); False: every input declared its own or has a fixed one (OSM,
    IFC, EPW), so the option changed nothing."""

    def used(result) -> bool:
        if result.meta.get("format") == "cityjson":
            return result.meta.get("crs_declared") is None
        return result.meta.get("crs_source") == "caller"

    return any(used(r) for r in results)


def sites_lonlat(scene):
    """The union of the scene's sites in longitude/latitude (the OSM files' CRS), a shapely geometry."""
    return scene.sites.geometry.to_crs("EPSG:4326").union_all()


def check_each_file_once(paths: list, sites: list = ()) -> None:
    """Refuse a file given twice among ``paths`` and ``sites``, before any file is read.

    Its objects would be added twice, and the second read failed on the first id already in the
    scene ("id already in layer 'buildings'"), which does not say that the file is repeated; a file
    given as an input and as sites was read as both without a word (its polygons as buildings and as
    sites).

    Raises
    ------
    InputError
        The same file (after resolving the path) twice; names it and both positions (and roles).
    """
    first: dict[Path, tuple[str, int, int]] = {}
    given = [("input file", i, len(paths), p) for i, p in enumerate(paths, start=1)]
    given += [("sites file", i, len(sites), p) for i, p in enumerate(sites, start=1)]
    for role, i, n, p in given:
        key = Path(p).resolve()
        if key in first:
            role0, i0, n0 = first[key]
            where = f"{role}s {i0} and {i} of {n}" if role == role0 else f"{role0} {i0} of {n0} and {role} {i} of {n}"
            raise InputError(f"the file is given twice ({where}): give each file once (its objects would be read twice)", path=p)
        first[key] = (role, i, n)


def check_one_weather(paths: list) -> None:
    """Refuse a second weather file among ``paths``, before any file is read.

    A scene holds one weather (:func:`add_result` attaches it); a later ``.epw`` replaced an
    earlier one without a word (``twin ingest a.epw b.epw`` kept ``b.epw``).

    Raises
    ------
    InputError
        Two or more ``.epw`` files; names the second one, field ``weather``.
    """
    epws = [Path(p) for p in paths if Path(p).name.lower().endswith(".epw")]
    if len(epws) > 1:
        raise InputError(f"a scene holds one weather file and {epws[0]} is already an input ({len(epws)} .epw files given): "
                         "give one (the later would replace the earlier)", path=epws[1], field="weather")


def add_result(scene, result: IngestResult) -> None:
    """Add the layers of ``result`` to ``scene`` (weather is attached, not layered)."""
    for name, frame in result.layers.items():
        if name == "weather":
            scene.weather = frame
            continue
        if len(frame):
            scene.add(name, frame, source=result.path)
