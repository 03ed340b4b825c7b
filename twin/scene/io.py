"""Read a scene written by :func:`twin.export.write_scene` (GeoParquet folder or GeoPackage)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from twin.errors import InputError, ParseError
from twin.scene.schema import GEO_LAYERS, LAYERS


def _weather_from_frame(frame: pd.DataFrame, meta: dict):
    from twin.ingest.epw import Location, Weather

    index = pd.DatetimeIndex(pd.to_datetime(frame.pop("time"), format="ISO8601"))
    index.name = "time"
    frame.index = index
    return Weather(frame, Location(**meta["location"]), meta.get("source", ""))


def read_scene(path: str | os.PathLike[str]):
    """Load a scene folder (``scene.json`` + ``*.parquet``) or a ``.gpkg`` written by twin.

    Raises
    ------
    InputError
        The path is neither a twin scene folder nor a twin GeoPackage.
    """
    from twin.scene.scene import Scene

    path = Path(path)
    if path.is_dir():
        meta_file = path / "scene.json"
        if not meta_file.exists():
            raise InputError("not a twin scene folder (no scene.json); create one with 'twin ingest ... -o FOLDER'", path=path)
        meta = _load_meta(meta_file.read_text(encoding="utf-8"), meta_file)
        scene = Scene(crs=meta["crs"], name=meta.get("name", "scene"), meta=meta.get("meta", {}))
        for name in LAYERS:
            f = path / f"{name}.parquet"
            if f.exists():
                import geopandas as gpd

                frame = gpd.read_parquet(f) if name in GEO_LAYERS else pd.read_parquet(f)
                scene.add(name, frame, source=str(f), replace=True)
        if "weather" in meta and (path / "weather.parquet").exists():
            scene.weather = _weather_from_frame(pd.read_parquet(path / "weather.parquet"), meta["weather"])
        return scene
    if path.suffix.lower() == ".gpkg" and path.exists():
        import pyogrio

        layers = {name for name, _ in pyogrio.list_layers(path)}
        if "twin_scene" not in layers:
            raise InputError("GeoPackage has no twin_scene table; it was not written by twin", path=path)
        meta = _load_meta(pyogrio.read_dataframe(path, layer="twin_scene")["value"].iloc[0], path)
        scene = Scene(crs=meta["crs"], name=meta.get("name", "scene"), meta=meta.get("meta", {}))
        for name in LAYERS:
            if name in layers:
                frame = pyogrio.read_dataframe(path, layer=name)
                scene.add(name, frame, source=str(path), replace=True)
        if "weather" in layers and "weather" in meta:
            scene.weather = _weather_from_frame(pyogrio.read_dataframe(path, layer="weather"), meta["weather"])
        return scene
    raise InputError("no twin scene here (a folder with scene.json or a .gpkg expected)", path=path)


def _load_meta(text: str, where) -> dict:
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"scene metadata is not JSON: {exc}", path=where) from None
    if not isinstance(meta, dict) or "crs" not in meta:
        raise ParseError("scene metadata lacks 'crs'", path=where, field="crs")
    return meta
