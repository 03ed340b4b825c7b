"""Write every layer of a scene to GeoParquet (a folder) or GeoPackage (one file), atomically.

GeoParquet folder ``OUT/``: ``scene.json`` (name, CRS, layer list, weather location),
``<layer>.parquet`` per non-empty layer (GeoParquet for geometric layers), and
``weather.parquet`` if the scene has weather. The folder is written beside the target and
renamed into place, so an earlier export is never left half-overwritten.

GeoPackage ``OUT.gpkg``: one layer per non-empty scene layer (attribute tables for
``storeys``, ``spaces``, ``elements``), plus ``twin_scene`` (one row of metadata) and
``weather`` when present.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from twin.errors import InputError
from twin.io import atomic_path
from twin.scene.schema import GEO_LAYERS

SCENE_FORMAT_VERSION = 1


def _metadata(scene) -> dict:
    meta = {
        "twin_scene_format": SCENE_FORMAT_VERSION,
        "name": scene.name,
        "crs": scene.crs.to_string(),
        "layers": {k: len(v) for k, v in scene.layers.items()},
        "meta": {k: v for k, v in scene.meta.items() if isinstance(v, (str, int, float, bool, list, dict))},
    }
    if scene.weather is not None:
        meta["weather"] = {"source": scene.weather.source, "location": dataclasses.asdict(scene.weather.location)}
    return meta


def _weather_frame(scene) -> pd.DataFrame:
    data = scene.weather.data
    frame = data.reset_index()
    frame["time"] = frame["time"].astype(str)  # ISO 8601 with offset: survives every format
    return frame


def write_scene(scene, out: str | os.PathLike[str], *, format: str | None = None) -> Path:
    """Write ``scene`` to ``out``: a GeoParquet folder, or a ``.gpkg`` file.

    Parameters
    ----------
    format
        ``'parquet'`` or ``'gpkg'``; by default from the suffix of ``out`` (``.gpkg`` -> gpkg).
    """
    out = Path(out)
    fmt = format or ("gpkg" if out.suffix.lower() == ".gpkg" else "parquet")
    if fmt == "gpkg":
        _write_gpkg(scene, out)
    elif fmt == "parquet":
        _write_parquet_folder(scene, out)
    else:
        raise InputError(f"unknown export format {fmt!r}; use 'parquet' or 'gpkg'", path=out, field="format")
    return out


def _write_parquet_folder(scene, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for name, frame in scene.layers.items():
            if len(frame) == 0:
                continue
            if name in GEO_LAYERS:
                frame.to_parquet(tmp / f"{name}.parquet", index=False)
            else:
                pd.DataFrame(frame).to_parquet(tmp / f"{name}.parquet", index=False)
        if scene.weather is not None:
            _weather_frame(scene).to_parquet(tmp / "weather.parquet", index=False)
        (tmp / "scene.json").write_text(json.dumps(_metadata(scene), indent=2), encoding="utf-8")
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            old.rmdir()
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _write_gpkg(scene, out: Path) -> None:
    import pyogrio

    with atomic_path(out) as tmp:
        meta = pd.DataFrame({"key": ["twin_scene"], "value": [json.dumps(_metadata(scene))]})
        pyogrio.write_dataframe(meta, tmp, layer="twin_scene", driver="GPKG")
        for name, frame in scene.layers.items():
            if len(frame) == 0:
                continue
            frame = _gpkg_safe(frame)
            pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG", append=True)
        if scene.weather is not None:
            pyogrio.write_dataframe(_weather_frame(scene), tmp, layer="weather", driver="GPKG", append=True)


def _gpkg_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """GDAL has no nullable-string or bool extension types: cast them plainly."""
    frame = frame.copy()
    for col in frame.columns:
        if col == "geometry":
            continue
        if isinstance(frame[col].dtype, pd.StringDtype):
            frame[col] = frame[col].astype(object)
    return frame
