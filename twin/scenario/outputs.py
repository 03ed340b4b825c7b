"""A run's per-object outputs: the KPI table and per-object deltas as (Geo)Parquet, written as
one folder that replaces any previous one whole."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pandas as pd


def _object_geometries(comparison, whatif: str, domain: str):
    """Geometry of every object of the baseline and of the what-if (new objects included)."""
    idc = comparison.baseline[domain].id_column
    frames = [r.objects[[idc, "geometry"]] for r in (comparison.baseline[domain], comparison.whatifs[whatif][domain]) if "geometry" in r.objects.columns]
    if not frames:
        return None, None
    crs = next((getattr(f, "crs", None) for f in frames if getattr(f, "crs", None) is not None), None)
    return pd.concat(frames, ignore_index=True).drop_duplicates(subset=idc, keep="first"), crs


def write_outputs(comparison, out_dir: Path) -> dict:
    """KPI table and per-object deltas of a comparison as (Geo)Parquet, atomically as a folder.

    The files are written to a temporary folder beside ``out_dir`` and renamed onto it; a
    previous ``out_dir`` is moved aside first and removed after, so a reader sees either the
    old folder or the new one, complete. Per-object frames carry the geometry of the objects of
    both scenes (an inserted building has a row, with NaN baseline values).

    Returns
    -------
    dict
        Output name (``kpis``, ``<whatif>/<domain>``) -> file name inside ``out_dir``.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    written = {}
    try:
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it private; outputs follow the umask
        comparison.kpis.to_parquet(tmp / "kpis.parquet", index=False)
        written["kpis"] = "kpis.parquet"
        for name in comparison.whatifs:
            for domain in comparison.whatifs[name]:
                frame = comparison.deltas(name, domain)
                idc = comparison.baseline[domain].id_column
                fname = f"deltas_{name}_{domain}.parquet"
                geo, crs = _object_geometries(comparison, name, domain)
                if geo is not None:
                    import geopandas as gpd

                    frame = gpd.GeoDataFrame(frame.merge(geo, on=idc, how="left"), geometry="geometry", crs=crs)
                frame.to_parquet(tmp / fname, index=False)
                written[f"{name}/{domain}"] = fname
        _replace_dir(tmp, out_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return written


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _replace_dir(src: Path, dst: Path, tries: int = 5) -> None:
    """Rename folder ``src`` onto ``dst``, moving an existing ``dst`` aside first."""
    for _ in range(tries):
        old = None
        if dst.exists():
            old = dst.with_name(f".{dst.name}.old.{uuid.uuid4().hex[:8]}")
            try:
                os.replace(dst, old)
            except FileNotFoundError:  # another writer moved it first
                old = None
        try:
            os.replace(src, dst)
        except OSError:  # another writer put its folder there in between: try again
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
            continue
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return
    raise OSError(f"could not move {src} onto {dst}")
