"""Read a scene written by :func:`twin.export.write_scene` (GeoParquet folder or GeoPackage).

A scene on disk may have been edited, truncated or replaced; it is read as carefully as any
input: every file is checked before it is opened (:func:`twin.io.paths.check_input_file`), a
file a library cannot read becomes a :class:`~twin.errors.ParseError` naming it, a layer is
validated against the schema (:func:`twin.scene.layers.conform`) and the buildings against the
physical bounds of :mod:`twin.scene.limits` (a :class:`~twin.errors.SchemaError` naming the
building and the column), the weather layer against what the EPW reader gives (a year of
consecutive hours, every field in its range or missing).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from twin.errors import CRSError, InputError, ParseError, SchemaError
from twin.scene.schema import GEO_LAYERS, LAYERS, SCENE_FORMAT_VERSION
from twin.types.weather import Location, Weather

MAX_META_BYTES = 16 * 1024**2
"""Size limit of ``scene.json``, bytes (twin writes a few kilobytes)."""


LOCATION_BOUNDS = {"latitude_deg": (-90.0, 90.0), "longitude_deg": (-180.0, 180.0), "tz_offset_h": (-12.0, 14.0),
                   "elevation_m": (-1000.0, 9999.9)}
"""Bounds of the numbers of the weather site in scene metadata (those of the EPW location line,
EnergyPlus input-output reference), degrees, hours and m."""

LOCATION_KEYS = tuple(f.name for f in dataclasses.fields(Location))
"""The keys of the weather site in scene metadata: the fields of :class:`~twin.types.weather.Location`."""
LOCATION_REQUIRED = tuple(f.name for f in dataclasses.fields(Location) if f.default is dataclasses.MISSING)
"""The keys of :data:`LOCATION_KEYS` without a default (all but ``wmo``)."""


def _check_location(location: object, where) -> None:
    """Refuse a weather site of scene metadata that is no object, lacks a field of
    :class:`~twin.types.weather.Location` or has one it does not know, or whose numbers are not
    numbers within :data:`LOCATION_BOUNDS` (naming ``where``, the ``scene.json``, and the field)."""
    from twin.io.key_hints import did_you_mean

    if location is None:
        raise ParseError("scene metadata weather has no location (the weather site)", path=where, field="weather.location")
    if not isinstance(location, dict):
        raise ParseError(f"scene metadata weather location must be an object, got {type(location).__name__}", path=where,
                         field="weather.location")
    for key in location:
        if key not in LOCATION_KEYS:
            raise ParseError(f"scene metadata weather location has an unknown key {key!r}"
                             f"{did_you_mean(key, LOCATION_KEYS, parenthesised=False)} (keys: {', '.join(LOCATION_KEYS)})",
                             path=where, field=f"weather.location.{key}")  # fmt: skip
    for key in LOCATION_REQUIRED:
        if key not in location:
            raise ParseError(f"scene metadata weather location has no {key}", path=where, field=f"weather.location.{key}")
    for key, (low, high) in LOCATION_BOUNDS.items():
        value = location.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise ParseError(f"scene metadata weather location {key} must be a number in [{low:g}, {high:g}], got {value!r}",
                             path=where, field=f"weather.location.{key}")


@dataclasses.dataclass(frozen=True)
class StoredWeather(Weather):
    """The weather layer of a saved scene: ``source`` is the layer's file (``weather.parquet``, or
    the GeoPackage), named in the errors of the models that read it (a missing hour of an edited
    layer was reported in the EPW it came from); ``origin`` is the file ``twin ingest`` read it
    from (scene metadata ``weather.source``), written again when the scene is saved."""

    origin: str = ""


def _weather_from_frame(frame: pd.DataFrame, meta: dict, where, meta_where):
    _check_location(meta.get("location"), meta_where)
    try:
        index = pd.DatetimeIndex(pd.to_datetime(frame.pop("time"), format="ISO8601"))
        location = Location(**meta["location"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ParseError(f"weather of the scene cannot be read: {type(exc).__name__}: {exc}", path=where, field="weather") from None
    index.name = "time"
    frame.index = index
    _check_weather_hours(frame, where)
    return StoredWeather(frame, location, str(where), origin=str(meta.get("source", "")))


def _check_weather_hours(frame: pd.DataFrame, where) -> None:
    """Refuse a weather layer that is not what :func:`twin.io.epw.read_epw` gives (the only weather
    ``twin ingest`` stores): a year of consecutive hours (8760, or 8784 in a leap year), each value of
    a field of :data:`twin.io.epw.RANGES` inside its range or NaN (a missing-value code).

    A cut or edited layer was read as it stood: ``twin energy run`` simulated 100 hours of weather as
    "the year" and wrote annual needs 45 times too small, exit 0.

    Raises
    ------
    ParseError
        Naming the weather file, the first bad hour and the field.
    """
    import numpy as np

    from twin.io.epw import RANGES, out_of_range

    n = len(frame)
    if n not in (8760, 8784):
        raise ParseError(f"the scene's weather has {n:,} hourly rows; 8760 (or 8784 in a leap year) expected, a year as "
                         "'twin ingest' stores it from an EPW file (a cut or edited weather layer?)",
                         path=where, obj="weather", field="time")
    expected = pd.date_range(frame.index[0], periods=n, freq="h")
    if not (frame.index == expected).all():
        r = int(np.flatnonzero(frame.index != expected)[0])
        raise ParseError(f"hours are not consecutive: {frame.index[r]} where {expected[r]} was expected",
                         path=where, obj=f"weather row {r}", field="time")
    for name, (lo, hi) in RANGES.items():
        if name not in frame:
            continue
        try:
            values = frame[name].to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError):
            raise ParseError(f"{name} holds values that are not numbers", path=where, obj="weather", field=name) from None
        found = out_of_range(values, name)
        if found is not None:
            r, n = found
            raise ParseError(f"value {float(values[r]):g} outside the range {lo:g}..{hi:g} of the field (in {n:,} "
                             f"hour{'s' if n > 1 else ''})", path=where, obj=f"weather row {r} ({frame.index[r]})", field=name)


def _library_errors() -> tuple[type[BaseException], ...]:
    from twin.io.read_errors import library_errors

    return library_errors() + (ValueError, KeyError, TypeError, OSError)


def _read_parquet(f: Path, geo: bool) -> pd.DataFrame:
    from twin.io.paths import check_input_file

    check_input_file(f, what="scene layer file", refuse_empty=True)
    try:
        if geo:
            import geopandas as gpd

            return gpd.read_parquet(f)
        return pd.read_parquet(f)
    except _library_errors() as exc:
        text = " ".join(str(exc).split())[:200]
        raise ParseError(f"not a readable {'GeoParquet' if geo else 'Parquet'} layer: {type(exc).__name__}: {text}", path=f) from None


def _new_scene(meta: dict, where):
    from twin.scene.scene import Scene

    crs = meta["crs"]
    if not isinstance(crs, str):
        raise ParseError(f"scene metadata 'crs' must be a CRS text, got {type(crs).__name__}", path=where, field="crs")
    name = meta.get("name", "scene")
    extra = meta.get("meta", {})
    if not isinstance(extra, dict):
        raise ParseError("scene metadata 'meta' must be an object", path=where, field="meta")
    try:
        return Scene(crs=crs, name=str(name), meta=extra)
    except CRSError as exc:  # Scene knows no file: name the metadata it was read from
        raise CRSError(exc.message, path=where, field="crs") from None


def _check_no_null_geometry(name: str, frame: pd.DataFrame, source: str) -> None:
    """Refuse a row of a saved geometric layer without geometry (a hand-edited layer file: twin
    writes none, and every model would meet it as a crash or a silent zero)."""
    from twin.scene.layers import ID_COLUMN

    if name not in GEO_LAYERS or "geometry" not in frame or not len(frame):
        return
    missing = frame["geometry"].isna().to_numpy()
    if missing.any():
        i = int(missing.argmax())
        id_col = ID_COLUMN[name]
        obj = frame[id_col].iloc[i] if id_col in frame else f"row {i}"
        raise SchemaError(f"no geometry (null) in layer {name!r} ({int(missing.sum())} of {len(frame)} rows): remove the "
                          "rows or give their geometry", path=source, obj=obj, field="geometry")


def _add(scene, name: str, frame: pd.DataFrame, source: str) -> None:
    from twin.scene.limits import building_row_problems

    _check_no_null_geometry(name, frame, source)
    scene.add(name, frame, source=source, replace=True)
    if name == "buildings":
        problems = building_row_problems(scene.buildings)
        if problems:
            i = min(problems)
            column = problems[i].split(" ", 1)[0]
            raise SchemaError(
                f"{problems[i]} ({len(problems)} buildings out of bounds; see twin.scene.limits)",
                path=source, obj=scene.buildings["building_id"].iloc[i], field=column,
            )


def _check_row_count(frame: pd.DataFrame, listed, name: str, f: Path) -> None:
    """Refuse a layer whose rows are not those the scene metadata lists (a layer cut short, or
    replaced by another scene's: it was read as it stood, a district of 100 buildings out of 3,991)."""
    if isinstance(listed, bool) or not isinstance(listed, int) or listed == len(frame):
        return
    gpkg = f.suffix.lower() == ".gpkg"
    where = f"the {name} layer of {f.name}" if gpkg else f"{f.name}"
    rows = f"{len(frame):,} row{'' if len(frame) == 1 else 's'}"
    raise ParseError(f"{where} holds {rows}{'' if gpkg else f' of the {name} layer'} but {'the ' + SCENE_GPKG_TABLE + ' table' if gpkg else 'scene.json'} "
                     f"lists {listed:,} (a layer cut short, edited or copied from another scene?); write the scene again with "
                     "'twin ingest' or 'twin export'", path=f, obj=f"{name} layer", field="rows")


def read_scene(path: str | os.PathLike[str], *, layers: Iterable[str] | None = None):
    """Load a scene folder (``scene.json`` + ``*.parquet``) or a ``.gpkg`` written by twin.

    ``layers``: the layers to read (names of :data:`twin.scene.schema.LAYERS`; the buildings are
    always read), the others left empty; None (default): every layer. A command that uses a few
    layers of a large scene (``twin energy run``: buildings, storeys, spaces, elements) skips
    decoding the rest (the region's streets, nodes, land cover and POIs: about 0.3 s of CPU).

    Raises
    ------
    InputError
        The path is neither a twin scene folder nor a twin GeoPackage.
    ParseError
        A file of the scene cannot be read, a GeoPackage is damaged
        (:func:`twin.io.geopackage_damage.check_geopackage_intact`).
    SchemaError
        A layer breaks the scene schema or the physical bounds of buildings.
    """
    from twin.io.paths import check_input_file
    from twin.io.scene_path import check_scene_path

    path = check_scene_path(path)  # a folder with scene.json or a .gpkg
    if path.is_dir():
        meta_file = path / "scene.json"
        check_input_file(meta_file, max_bytes=MAX_META_BYTES, what="scene metadata", refuse_empty=True)
        try:
            text = meta_file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise ParseError(f"scene metadata is not UTF-8 text ({exc.reason})", path=meta_file) from None
        meta = _load_meta(text, meta_file)
        scene = _new_scene(meta, meta_file)
        counts = meta.get("layers") if isinstance(meta.get("layers"), dict) else {}
        for name in _wanted(layers):
            f = path / f"{name}.parquet"
            if f.exists() or f.is_symlink():
                frame = _read_parquet(f, name in GEO_LAYERS)
                _check_row_count(frame, counts.get(name), name, f)
                _add(scene, name, frame, str(f))
            elif counts.get(name):
                raise ParseError(f"scene.json lists {counts[name]} rows of the {name} layer but {f.name} is missing "
                                 "(an incomplete copy of the scene?)", path=path, obj=f"{name} layer", field=f.name)
        weather_file = path / "weather.parquet"
        if "weather" in meta and not (weather_file.exists() or weather_file.is_symlink()):
            raise ParseError("scene.json describes a weather file but weather.parquet is missing (an incomplete copy of the scene?)",
                             path=path, obj="weather", field="weather.parquet")
        if "weather" in meta:
            weather_meta = meta["weather"]
            if not isinstance(weather_meta, dict):
                raise ParseError("scene metadata 'weather' must be an object", path=meta_file, field="weather")
            scene.weather = _weather_from_frame(_read_parquet(weather_file, False), weather_meta, weather_file, meta_file)
        return scene
    from twin.io.geopackage_damage import check_geopackage_intact

    check_input_file(path, what="scene GeoPackage", refuse_empty=True)
    check_geopackage_intact(path)
    return _read_gpkg(path, _wanted(layers))


SCENE_GPKG_TABLE = "twin_scene"
"""The table of scene metadata that marks a GeoPackage written by twin (:func:`twin.export.write_scene`)."""


def is_scene_geopackage(path: str | os.PathLike[str]) -> bool:
    """True if ``path`` is a readable GeoPackage holding a :data:`SCENE_GPKG_TABLE` table (a scene
    written by twin); False for any other file, a GeoPackage of source data or one that cannot be read.
    False, unread, for one with a journal or write-ahead log of an unfinished write beside it: GDAL's
    open would finish the write in the file (:func:`twin.io.geopackage_damage.unfinished_write`;
    the reader that follows refuses it)."""
    from twin.io.geopackage_damage import unfinished_write

    path = Path(path)
    if path.suffix.lower() != ".gpkg" or not path.is_file() or unfinished_write(path) is not None:
        return False
    import pyogrio

    from twin.io.gdal_env import gdal_reads

    try:
        with gdal_reads():
            return SCENE_GPKG_TABLE in {name for name, _ in pyogrio.list_layers(path)}
    except _library_errors():
        return False


def scene_holds_weather(paths: Iterable[str | os.PathLike[str]]) -> bool | None:
    """Whether the scene of ``paths`` holds weather, told without reading its layers.

    Parameters
    ----------
    paths
        What a command takes as its scene (:func:`twin.workflows.scene_loading.load_scene`): one
        scene folder or GeoPackage written by twin, or the input files to ingest.

    Returns
    -------
    bool or None
        For input files to ingest: whether an ``.epw`` is among them. For a scene folder: whether
        its ``scene.json`` describes weather. For a GeoPackage written by twin: whether it has a
        ``weather`` layer. None when it cannot be told (a path missing, a folder among several
        paths, a ``scene.json`` that cannot be read): the scene's reader then says what is wrong.

    Raises
    ------
    InputError, ParseError
        One GeoPackage, damaged or left mid-write
        (:func:`twin.io.geopackage_damage.check_geopackage_intact`): GDAL would read it as no scene.
    """
    from twin.io.geopackage_damage import check_geopackage_intact

    found = [Path(p) for p in paths]
    if not found or not all(p.exists() for p in found):
        return None
    if len(found) == 1 and found[0].suffix.lower() == ".gpkg":
        check_geopackage_intact(found[0])
    if len(found) == 1 and found[0].is_dir():
        meta_file = found[0] / "scene.json"
        try:
            if meta_file.stat().st_size > MAX_META_BYTES:
                return None
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return "weather" in meta if isinstance(meta, dict) else None
    if len(found) == 1 and is_scene_geopackage(found[0]):
        import pyogrio

        from twin.io.gdal_env import gdal_reads

        with gdal_reads():  # is_scene_geopackage has just listed them: a readable twin GeoPackage
            return "weather" in {name for name, _ in pyogrio.list_layers(found[0])}
    if any(p.name.lower().endswith(".epw") for p in found):
        return True
    return None if any(p.is_dir() for p in found) else False


def _wanted(layers: Iterable[str] | None) -> list[str]:
    """The layers of :data:`LAYERS` to read (schema order): all, or ``layers`` and the buildings."""
    if layers is None:
        return list(LAYERS)
    wanted = {str(n) for n in layers} | {"buildings"}
    unknown = sorted(wanted - set(LAYERS))
    if unknown:
        raise InputError(f"unknown scene layers {unknown}; expected names of {list(LAYERS)}", field="layers")
    return [n for n in LAYERS if n in wanted]


def _read_gpkg(path: Path, wanted: list[str] | None = None):
    """The scene of a GeoPackage written by twin (``wanted`` layers, or all), read without GDAL
    side files (:func:`twin.io.gdal_env.gdal_reads`)."""
    from twin.io.gdal_env import gdal_reads

    with gdal_reads():  # GDAL writes no .aux.xml beside the scene (a user may have tagged it)
        return _read_gpkg_layers(path, wanted)


def _read_gpkg_layers(path: Path, wanted: list[str] | None):
    import pyogrio

    def read(layer: str):
        try:
            return pyogrio.read_dataframe(path, layer=layer)
        except _library_errors() as exc:
            text = " ".join(str(exc).split())[:200]
            raise ParseError(f"cannot read layer {layer!r}: {type(exc).__name__}: {text}", path=path) from None

    try:
        layers = {name for name, _ in pyogrio.list_layers(path)}
    except _library_errors() as exc:
        text = " ".join(str(exc).split())
        # without GDAL's advice to prefix the path with a driver name ('CSV:path'): no use to a twin user
        text = text.split("; It might help to specify the correct driver")[0].replace(
            "not recognized as being in a supported file format.", "not recognized as a supported file format")
        raise ParseError(f"not a readable GeoPackage: {text[:200]}", path=path) from None
    if SCENE_GPKG_TABLE not in layers:
        raise InputError(f"GeoPackage has no {SCENE_GPKG_TABLE} table; it was not written by twin", path=path)
    table = read(SCENE_GPKG_TABLE)
    if "value" not in table or len(table) == 0:
        raise ParseError(f"the {SCENE_GPKG_TABLE} table has no value", path=path, field=SCENE_GPKG_TABLE)
    meta = _load_meta(table["value"].iloc[0], path)
    scene = _new_scene(meta, path)
    counts = meta.get("layers") or {}
    for name in LAYERS if wanted is None else wanted:
        if name in layers:
            frame = read(name)
            _check_row_count(frame, counts.get(name), name, path)
            _add(scene, name, frame, str(path))
    if "weather" in layers and "weather" in meta:
        if not isinstance(meta["weather"], dict):
            raise ParseError("scene metadata 'weather' must be an object", path=path, field="weather")
        scene.weather = _weather_from_frame(read("weather"), meta["weather"], path, path)
    return scene


def _load_meta(text: str, where) -> dict:
    try:
        meta = json.loads(text)
    except (json.JSONDecodeError, TypeError, RecursionError) as exc:
        raise ParseError(f"scene metadata is not JSON: {exc}", path=where) from None
    if not isinstance(meta, dict) or "crs" not in meta:
        raise ParseError("scene metadata lacks 'crs'", path=where, field="crs")
    version = meta.get("twin_scene_format", SCENE_FORMAT_VERSION)  # absent: a scene of before the number
    if isinstance(version, bool) or version != SCENE_FORMAT_VERSION:
        raise ParseError(f"scene format {version!r} is not the one this twin reads ({SCENE_FORMAT_VERSION}): a scene written by "
                         "another version of twin, or edited; write it again with 'twin ingest'", path=where, field="twin_scene_format")
    counts = meta.get("layers")
    if counts is not None:  # the row count of each layer, checked against its file (_check_row_count)
        if not isinstance(counts, dict):
            raise ParseError(f"scene metadata 'layers' must map each layer to its number of rows, got {type(counts).__name__}",
                             path=where, field="layers")
        for name, n in counts.items():
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                raise ParseError(f"scene metadata gives the {name} layer {n!r} rows; a whole number >= 0 expected", path=where,
                                 field=f"layers.{name}")
    return meta
