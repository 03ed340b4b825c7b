"""Write every layer of a scene to GeoParquet (a folder) or GeoPackage (one file), atomically.

GeoParquet folder ``OUT/``: ``scene.json`` (name, CRS, layer list, weather location),
``<layer>.parquet`` per non-empty layer (GeoParquet for geometric layers), and
``weather.parquet`` if the scene has weather. ``scene.json`` also lists every other file of the
folder with its size and SHA-256 (``files``), so a reader can check the folder is one complete
export. The folder is staged beside the target and swapped in whole
(:func:`twin.io.staged.staged_dir`): a reader sees the earlier export or the new one, complete,
never a mix and never nothing, even when the process is killed. An existing folder is replaced
only when it is an earlier scene (it holds ``scene.json``) or empty.

Who may replace a scene: every command that writes one names itself (``written_by``:
``twin ingest``, ``twin export``, ``twin calibrate`` for the ``scene/`` of its folder), records
the name in ``scene.json`` (a ``.gpkg``: its ``twin_scene`` table) and replaces only a scene
that records the same name (:func:`twin.io.staged.check_writer`, the rule of every output
folder). So ``twin ingest F -o B`` does not replace the scene ``B`` that ``twin export`` or
``twin calibrate`` wrote, nor ``twin export A -o B`` the scene ``twin ingest`` wrote. A scene
that records no writer (written before writers were recorded, or by the Python API) is refused
once: it cannot be told from a calibrated scene of an older twin; remove it, or name another
output. The Python API (:func:`write_scene` without ``written_by``) records and checks nothing.

GeoPackage ``OUT.gpkg``: one layer per non-empty scene layer (attribute tables for
``storeys``, ``spaces``, ``elements``), plus ``twin_scene`` (one row of metadata) and
``weather`` when present; written to a temporary file and renamed.

The output path is checked before anything is converted (:func:`check_scene_output`); a
command that computes the scene first (``twin ingest``) should call it before its work.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from twin.errors import InputError, OutputError
from twin.io import atomic_path, progress, staged_dir
from twin.io.json_out import to_json_text
from twin.io.staged import check_writer, folder_writer
from twin.scene.schema import GEO_LAYERS, SCENE_FORMAT_VERSION


def _metadata(scene, written_by: str | None = None) -> dict:
    meta = {
        "twin_scene_format": SCENE_FORMAT_VERSION,
        **({"written_by": written_by} if written_by is not None else {}),
        "name": scene.name,
        "crs": scene.crs.to_string(),
        "layers": {k: len(v) for k, v in scene.layers.items()},
        "meta": {k: v for k, v in scene.meta.items() if isinstance(v, (str, int, float, bool, list, dict))},
    }
    if scene.weather is not None:
        source = getattr(scene.weather, "origin", "") or scene.weather.source  # a saved scene's weather: the EPW it came from
        meta["weather"] = {"source": source, "location": dataclasses.asdict(scene.weather.location)}
    return meta


def _weather_frame(scene) -> pd.DataFrame:
    data = scene.weather.data
    frame = data.reset_index()
    frame["time"] = frame["time"].astype(str)  # ISO 8601 with offset: survives every format
    return frame


#: Names that mark a folder as a scene written by twin (an existing folder is replaced only then).
SCENE_FOLDER_MARKERS = ("scene.json",)

#: The ``written_by`` of the scene folders that ``twin export`` writes (and may replace).
EXPORT_WRITER = "twin export"

#: The ``written_by`` of the scenes that ``twin ingest`` writes (and may replace).
INGEST_WRITER = "twin ingest"


def scene_geopackage_writer(path: str | os.PathLike[str]) -> str | None:
    """The ``written_by`` recorded in the ``twin_scene`` table of a scene GeoPackage; None when absent or unreadable."""
    import json

    import pyogrio

    from twin.io.gdal_env import gdal_reads
    from twin.io.read_errors import library_errors
    from twin.scene.io import SCENE_GPKG_TABLE

    try:
        with gdal_reads():  # GDAL writes no .aux.xml beside the scene it is about to replace
            table = pyogrio.read_dataframe(path, layer=SCENE_GPKG_TABLE)
        meta = json.loads(str(table["value"].iloc[0]))
    except (*library_errors(), ValueError, KeyError, IndexError, TypeError, OSError):  # unreadable: no writer recorded
        return None
    writer = meta.get("written_by") if isinstance(meta, dict) else None
    return writer if isinstance(writer, str) else None


def _check_writer(out: Path, written_by: str | None, field: str | None) -> None:
    """Refuse a scene folder or GeoPackage at ``out`` that ``written_by`` did not write (nothing to check when None).

    A folder: :func:`twin.io.staged.check_writer`; a ``.gpkg``: the same rule on the writer of
    its ``twin_scene`` table.
    """
    if written_by is None:
        return
    if out.suffix.lower() != ".gpkg":
        check_writer(out, written_by, field=field)
        return
    if not (out.is_file() and out.stat().st_size > 0):
        return
    found = scene_geopackage_writer(out)
    if found != written_by:
        who = f"written by {found}" if found else "with no writer recorded (an older twin, or another command)"
        raise OutputError(f"the output file holds a scene {who}, not an earlier result of {written_by}; "
                          "it would be replaced whole: name another -o file, or remove it", path=out, field=field)


def check_not_a_scene_file(path: str | os.PathLike[str], *, field: str | None = "--output") -> None:
    """Refuse a file output of another kind (a table, per-building results) at a scene GeoPackage
    or inside the folder of a scene or of another command's results (one that records its writer,
    :func:`twin.io.staged.folder_writer`).

    ``twin traffic ... --output X.gpkg`` would replace the scene ``X.gpkg`` that ``twin ingest``
    wrote, and ``--output scene/links.parquet`` a layer of the scene folder ``scene/`` (which its
    ``scene.json`` would then list with another size and hash); a scene is replaced only by the
    command that wrote it (module docstring).

    Raises
    ------
    OutputError
        ``path`` is a scene GeoPackage, or lies in a scene folder or a results folder of twin.
    """
    from twin.scene.io import is_scene_geopackage

    path = Path(path)
    folder = Path(os.path.realpath(path)).parent
    scene = (folder / "scene.json").is_file()
    found = folder_writer(folder)
    if scene or found is not None:
        who = f"written by {found}" if found else "(no writer recorded)"
        what = ("a scene", "that scene") if scene else ("results", "those results")
        raise OutputError(f"the output file lies in the folder of {what[0]} {who}; it would change {what[1]}: "
                          "name a file in another folder", path=path, field=field)
    if path.suffix.lower() != ".gpkg" or not path.is_file() or path.stat().st_size == 0 or not is_scene_geopackage(path):
        return
    found = scene_geopackage_writer(path)
    who = f"written by {found}" if found else "(no writer recorded)"
    raise OutputError(f"the output file holds a scene {who}; it would be replaced: name another file, or remove it",
                      path=path, field=field)


def scene_format(out: str | os.PathLike[str], format: str | None = None) -> str:
    """``'gpkg'`` or ``'parquet'``: ``format``, or from the suffix of ``out`` (``.gpkg`` -> gpkg)."""
    fmt = format or ("gpkg" if Path(out).suffix.lower() == ".gpkg" else "parquet")
    if fmt not in ("gpkg", "parquet"):
        raise InputError(f"unknown export format {fmt!r}; use 'parquet' or 'gpkg'", path=out, field="format")
    return fmt


def check_scene_output(
    out: str | os.PathLike[str],
    *,
    inputs: Iterable[str | os.PathLike[str]] = (),
    format: str | None = None,
    field: str | None = "--out",
    written_by: str | None = None,
) -> Path:
    """Check, before any work, that a scene can be written to ``out`` (folder or ``.gpkg``).

    Call it before reading or ingesting (``twin ingest FILES -o OUT``: ``inputs=FILES``);
    :func:`write_scene` calls it again before converting anything. With ``written_by``
    (``twin export``: :data:`EXPORT_WRITER`, ``twin ingest``: :data:`INGEST_WRITER`), an
    existing scene folder or GeoPackage is replaced only when its metadata (``scene.json``,
    ``twin_scene``) records the same writer (module docstring).

    Raises
    ------
    OutputError
        Not writable, a file where a folder is expected or the other way round, a folder or a
        GeoPackage that is not an earlier scene, a scene folder of another writer, an output
        that is (or is inside, or holds) an input.
    InputError
        Unknown format.
    """
    from twin.io.output_checks import check_output_file, check_output_folder

    if scene_format(out, format) == "gpkg":
        checked = check_output_file(out, inputs=inputs, field=field)
        from twin.scene.io import is_scene_geopackage

        if checked.is_file() and checked.stat().st_size > 0 and not is_scene_geopackage(checked):
            raise OutputError("the output file exists and is not a scene GeoPackage written by twin; it would be replaced: "
                              "name a new file, or remove it", path=out, field=field)
        _check_writer(Path(os.path.realpath(checked)), written_by, field)
        return checked
    checked = check_output_folder(out, inputs=inputs, owned=SCENE_FOLDER_MARKERS, field=field)
    _check_writer(Path(os.path.realpath(checked)), written_by, field)
    return checked


def write_scene(
    scene,
    out: str | os.PathLike[str],
    *,
    format: str | None = None,
    inputs: Iterable[str | os.PathLike[str]] = (),
    written_by: str | None = None,
) -> Path:
    """Write ``scene`` to ``out``: a GeoParquet folder, or a ``.gpkg`` file.

    Parameters
    ----------
    format
        ``'parquet'`` or ``'gpkg'``; by default from the suffix of ``out`` (``.gpkg`` -> gpkg).
    inputs
        Files or folders the scene was read from: the output may not be one of them, lie
        inside one, or (a folder) hold one.
    written_by
        The command writing (:data:`EXPORT_WRITER`, :data:`INGEST_WRITER`): recorded in a
        folder's ``scene.json`` or a GeoPackage's ``twin_scene`` table, and an existing scene is
        replaced only when it records the same writer. None (the Python API): nothing recorded,
        any earlier scene replaced.

    Raises
    ------
    OutputError
        ``out`` cannot be written (checked before anything is converted).
    """
    out = Path(out)
    fmt = scene_format(out, format)
    check_scene_output(out, inputs=inputs, format=fmt, written_by=written_by)
    if fmt == "gpkg":
        _write_gpkg(scene, out, written_by)
    else:
        _write_parquet_folder(scene, out, written_by)
    return out


def write_scene_files(scene, folder: Path, *, written_by: str | None = None) -> list[str]:
    """The files of a scene folder written into ``folder`` (which exists); ``scene.json`` last.

    Used by :func:`write_scene` inside its staged folder, and by commands that put a scene
    inside a bigger result folder (``twin run``'s ``baseline_scene/``). ``written_by`` is
    recorded in ``scene.json`` when given.
    """
    from twin.io.run_record import file_manifest

    folder = Path(folder)
    written = []
    layers = [(name, frame) for name, frame in scene.layers.items() if len(frame)]
    with progress.step("writing layers", len(layers) + (scene.weather is not None)) as done:
        for name, frame in layers:
            with progress.step(f"{name}.parquet ({len(frame):,} row{'' if len(frame) == 1 else 's'})"):
                if name in GEO_LAYERS:
                    frame.to_parquet(folder / f"{name}.parquet", index=False)
                else:
                    pd.DataFrame(frame).to_parquet(folder / f"{name}.parquet", index=False)
            written.append(f"{name}.parquet")
            done.advance()
        if scene.weather is not None:
            _weather_frame(scene).to_parquet(folder / "weather.parquet", index=False)
            written.append("weather.parquet")
            done.advance()
    meta = _metadata(scene, written_by)
    meta["files"] = {k: v for k, v in file_manifest(folder).items() if k in written}
    (folder / "scene.json").write_text(to_json_text(meta), encoding="utf-8")
    return [*written, "scene.json"]


def _write_parquet_folder(scene, out: Path, written_by: str | None) -> None:
    with staged_dir(out, owned=SCENE_FOLDER_MARKERS, field="--out") as tmp:
        write_scene_files(scene, tmp, written_by=written_by)


def _write_gpkg(scene, out: Path, written_by: str | None) -> None:
    import pyogrio

    with atomic_path(out) as tmp:
        meta = pd.DataFrame({"key": ["twin_scene"], "value": [to_json_text(_metadata(scene, written_by), indent=None)]})
        pyogrio.write_dataframe(meta, tmp, layer="twin_scene", driver="GPKG")
        layers = [(name, frame) for name, frame in scene.layers.items() if len(frame)]
        with progress.step("writing layers", len(layers) + (scene.weather is not None)) as done:
            for name, frame in layers:
                with progress.step(f"{name} ({len(frame):,} row{'' if len(frame) == 1 else 's'})"):
                    pyogrio.write_dataframe(_gpkg_safe(frame), tmp, layer=name, driver="GPKG", append=True)
                done.advance()
            if scene.weather is not None:
                pyogrio.write_dataframe(_weather_frame(scene), tmp, layer="weather", driver="GPKG", append=True)
                done.advance()


def _gpkg_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """GDAL has no nullable-string or bool extension types: cast them plainly."""
    frame = frame.copy()
    for col in frame.columns:
        if col == "geometry":
            continue
        if isinstance(frame[col].dtype, pd.StringDtype):
            frame[col] = frame[col].astype(object)
    return frame
