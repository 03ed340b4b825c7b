"""The footprints written with the energy tables: each row gets the first footprint of its
building id, None without one, as pandas' ``map`` over ``drop_duplicates`` gives (the
reference here), whatever the ids' storage (Arrow strings, Python objects, integers)."""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from twin.energy.stock import _footprint_of, _parquet_bytes


def _reference(building_ids: pd.Series, footprints: gpd.GeoDataFrame) -> np.ndarray:
    geo = footprints.drop_duplicates("building_id").set_index("building_id")["geometry"]
    return building_ids.map(geo).to_numpy()


def _footprints(ids, dtype) -> gpd.GeoDataFrame:
    boxes = [shapely.box(i, 0.0, i + 1.0, 1.0 + 0.1 * i) for i in range(len(ids))]
    return gpd.GeoDataFrame({"building_id": pd.Series(ids, dtype=dtype)}, geometry=boxes, crs="EPSG:31370")


def _same(got: np.ndarray, want: np.ndarray) -> bool:
    return len(got) == len(want) and all(
        (g is None or (isinstance(g, float) and np.isnan(g))) == (w is None or (isinstance(w, float) and np.isnan(w)))
        and (not isinstance(g, shapely.Geometry) or shapely.equals_exact(g, w, tolerance=0.0))
        for g, w in zip(got, want)
    )


@pytest.mark.parametrize("dtype", ["str", object])
def test_first_footprint_of_each_id_none_without(dtype):
    fp = _footprints(["a", "b", "c", "b", "d"], dtype)  # "b" twice: its first row counts
    asked = pd.Series(["d", "b", "zz", "a", "b"], dtype=dtype)
    got = _footprint_of(asked, fp)
    assert _same(got, _reference(asked, fp))
    assert got[2] is None
    assert shapely.equals_exact(got[1], fp.geometry.iloc[1], tolerance=0.0)  # not the 4th row's box
    assert not shapely.equals_exact(got[1], fp.geometry.iloc[3], tolerance=0.0)


def test_ids_arrow_cannot_compare_fall_back_to_map():
    fp = _footprints(["a", "b"], "str")
    asked = pd.Series([0, 1])  # integers against string ids: no footprint, as map gives
    assert _same(_footprint_of(asked, fp), _reference(asked, fp))


def test_written_table_bytes_equal_the_map_reference():
    fp = _footprints([f"w{i}" for i in range(40)], "str")
    table = pd.DataFrame({"building_id": pd.Series([f"w{i}" for i in range(39, -1, -3)] + ["missing"], dtype="str")})
    table["q_heat_kwh"] = np.arange(len(table), dtype=float)
    ref = gpd.GeoDataFrame(table.assign(geometry=_reference(table["building_id"], fp)), geometry="geometry", crs=fp.crs)
    buf = io.BytesIO()
    ref.to_parquet(buf, index=False)
    assert _parquet_bytes(table, fp) == buf.getvalue()
