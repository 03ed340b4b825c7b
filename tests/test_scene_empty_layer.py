"""``empty_layer`` builds its empty tables in one step (issue 16, speed): every layer must equal
the table made column by column (a typed ``Series`` per column, the geometry added by
``GeoDataFrame``), its columns, dtypes, index, class and CRS."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from twin.scene.layers import empty_layer
from twin.scene.schema import GEO_LAYERS, LAYERS


def _column_by_column(name: str, crs) -> pd.DataFrame:
    data = {col.name: pd.Series([], dtype=col.dtype) for col in LAYERS[name] if col.dtype != "geometry"}
    frame = pd.DataFrame(data)
    if any(col.dtype == "geometry" for col in LAYERS[name]):
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    return frame


@pytest.mark.parametrize("name", sorted(LAYERS))
@pytest.mark.parametrize("crs", ["EPSG:31370", None])
def test_empty_layer_equals_the_column_by_column_table(name, crs):
    crs = crs if name in GEO_LAYERS else None
    got = empty_layer(name, crs=crs)
    want = _column_by_column(name, crs)
    assert type(got) is type(want)
    assert list(got.columns) == list(want.columns)
    assert list(got.dtypes) == list(want.dtypes)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    if isinstance(want, gpd.GeoDataFrame):
        assert got.geometry.name == want.geometry.name == "geometry"
        assert got.crs == want.crs
