"""Polygon layers of the soil engine (water-table map, sewer catchments) read through one reader
(twin.soil.grid.read_polygon_layer): a file that is missing, of the wrong type or unreadable is
one InputError naming the file and the layer; a GeoDataFrame is used as given."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from twin.errors import InputError
from twin.soil.groundwater import read_water_table_map
from twin.soil.sewer import network_from_catchments

READERS = {
    "water-table map": lambda src: read_water_table_map(src),
    "sewer catchment": lambda src: network_from_catchments(src, grid=None),
}
WORDS = {  # (file checks, reader failure)
    "water-table map": ("water-table map", "cannot read the water-table map"),
    "sewer catchment": ("sewer catchment file", "cannot read the sewer catchments"),
}


@pytest.mark.parametrize("layer", sorted(READERS))
@pytest.mark.parametrize("case", ["missing", "suffix", "garbage", "empty"])
def test_bad_file_is_one_error_naming_file_and_layer(tmp_path, layer, case):
    path = tmp_path / {"missing": "nowhere.geojson", "suffix": "layer.txt"}.get(case, f"{case}.geojson")
    if case != "missing":
        path.write_text({"suffix": "{}", "garbage": "{not json", "empty": ""}[case])
    with pytest.raises(InputError) as err:
        READERS[layer](path)
    text = str(err.value)
    assert str(path) in text and "\n" not in text
    checks, unreadable = WORDS[layer]
    assert (unreadable if case == "garbage" else checks) in text
    if case == "empty":  # was GDAL's 'not recognized as being in a supported file format'
        assert f"empty {checks} (0 bytes)" in text and "not recognized" not in text


def test_a_geodataframe_is_used_as_given():
    gdf = gpd.GeoDataFrame({"water_table_depth_m": [2.0, 4.5]}, geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)],
                           crs="EPSG:31370")
    out = read_water_table_map(gdf, crs="EPSG:4326")
    assert out.crs == "EPSG:4326"
    assert out["water_table_depth_m"].tolist() == [2.0, 4.5]
    with pytest.raises(InputError, match="no such field") as err:
        read_water_table_map(gdf.drop(columns="water_table_depth_m"))
    assert err.value.path is None and err.value.field == "water_table_depth_m"
