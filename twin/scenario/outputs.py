"""A run's per-object outputs: the KPI table and per-object deltas as (Geo)Parquet, written as
one folder that replaces any previous one whole."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

#: Names that mark a folder as earlier outputs of :func:`write_outputs`.
OUTPUT_MARKERS = ("kpis.parquet",)


def _object_geometries(comparison, whatif: str, domain: str):
    """Geometry of every object of the baseline and of the what-if (new objects included)."""
    idc = comparison.baseline[domain].id_column
    frames = [r.objects[[idc, "geometry"]] for r in (comparison.baseline[domain], comparison.whatifs[whatif][domain]) if "geometry" in r.objects.columns]
    if not frames:
        return None, None
    crs = next((getattr(f, "crs", None) for f in frames if getattr(f, "crs", None) is not None), None)
    return pd.concat(frames, ignore_index=True).drop_duplicates(subset=idc, keep="first"), crs


def write_output_files(comparison, folder: Path) -> dict:
    """Write the KPI table and per-object deltas into the existing folder ``folder``.

    Per-object frames carry the geometry of the objects of both scenes (GeoParquet; an
    inserted building has a row, with NaN baseline values).

    Returns
    -------
    dict
        Output name (``kpis``, ``<whatif>/<domain>``) -> file name inside ``folder``.
    """
    folder = Path(folder)
    written = {}
    comparison.kpis.to_parquet(folder / "kpis.parquet", index=False)
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
            frame.to_parquet(folder / fname, index=False)
            written[f"{name}/{domain}"] = fname
    return written


def write_outputs(comparison, out_dir: Path) -> dict:
    """KPI table and per-object deltas of a comparison as (Geo)Parquet, atomically as a folder.

    The files are staged in a temporary folder beside ``out_dir`` and swapped in whole
    (:func:`twin.io.staged.staged_dir`): a reader sees the old folder or the new one,
    complete; a failure or a kill leaves the old one as it was. An existing ``out_dir`` is
    replaced only when it holds earlier outputs (``kpis.parquet``) or is empty.

    Returns
    -------
    dict
        Output name (``kpis``, ``<whatif>/<domain>``) -> file name inside ``out_dir``.
    """
    from twin.io.staged import staged_dir

    with staged_dir(out_dir, owned=OUTPUT_MARKERS) as tmp:
        written = write_output_files(comparison, tmp)
    return written
