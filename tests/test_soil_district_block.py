"""District option: a 3-D block inside a district of 1-D columns (twin/soil/district_block.py)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from twin.errors import InputError, ResourceLimitError
from twin.scene import Scene
from twin.soil.district_block import run_district_with_block
from twin.soil.grid import GridOptions, build_grid
from twin.soil.rain import block_rain


def _grid(parts, size=10.0):
    """A 60 m x 60 m site with land-cover polygons ``(id, class, sealed fraction, box)``."""
    scene = Scene()
    scene.add("sites", gpd.GeoDataFrame({"site_id": ["d"]}, geometry=[box(0, 0, 60, 60)], crs="EPSG:31370"))
    scene.add("landcover", gpd.GeoDataFrame(
        {"landcover_id": [p[0] for p in parts], "kind": ["landuse"] * len(parts), "cover_class": [p[1] for p in parts],
         "sealed_fraction": [p[2] for p in parts]}, geometry=[p[3] for p in parts], crs="EPSG:31370"))
    return build_grid(scene, GridOptions(cell_size_m=size))


def test_rain_the_soil_can_take_enters_the_block_as_it_enters_the_columns():
    """2 mm/h for 2 h on a 60 % sealed park: no ponding in 1-D or 3-D, so the block's top
    inflow equals the 1-D infiltration of the same cells (the water each cell's soil receives,
    at the same intensity), and the block's water balance closes."""
    grid = _grid([("park", "park", 0.6, box(0, 0, 60, 60))])
    storm = block_rain(4.0, 7200.0, end_s=3 * 3600.0)
    r = run_district_with_block(grid, storm, (15, 15, 45, 45), duration_s=3 * 3600.0, sub=5)
    one_d = r.district_1d("infiltration").sum()
    assert one_d > 0 and r.runoff_m3.sum() == pytest.approx(0.0, abs=1e-12)
    assert r.infiltration_m3.sum() == pytest.approx(one_d, rel=1e-9)
    assert r.balance_error_rel < 1e-10


def test_a_desealed_square_wets_the_soil_under_the_sealed_street_around_it():
    """A 20 m square of open ground in a sealed car park, 30 mm in an hour, 6 h: the block
    carries rain water under the sealed cells around the square (the 1-D columns cannot: there
    is no soil column under a sealed cell), the more the closer; the balance closes."""
    grid = _grid([("street", "parking", 1.0, box(0, 0, 60, 60)), ("square", "park", 0.0, box(20, 20, 40, 40))], size=5.0)
    storm = block_rain(30.0, 3600.0, end_s=6 * 3600.0)
    r = run_district_with_block(grid, storm, (10, 10, 50, 50), duration_s=6 * 3600.0, sub=5)
    assert r.balance_error_rel < 1e-10
    sealed = r.sealed_top
    assert sealed.sum() == 48 and (~sealed).sum() == 16
    assert np.all(r.district_1d("storage_change")[sealed] == 0.0)
    assert r.gain_under_sealed_m3 > 1e-3
    ring1 = r.rain_gain_m3[1:7, 1:7][sealed[1:7, 1:7]]  # sealed cells next to the square
    outer = r.rain_gain_m3[[0, 7], :].ravel()  # the outermost rows
    assert ring1.min() > outer.max()
    assert r.exchange_m3 == 0.0  # no ground column outside: closed sides


def test_open_ground_all_round_exchanges_little_with_the_columns():
    """Uniform open ground: the 1-D neighbours' heads match the block's edge, so the one-way
    lateral exchange is a small fraction of the infiltration."""
    grid = _grid([("park", "park", 0.0, box(0, 0, 60, 60))])
    storm = block_rain(30.0, 3600.0, end_s=4 * 3600.0)
    r = run_district_with_block(grid, storm, (15, 15, 45, 45), duration_s=4 * 3600.0)
    assert r.exchange_m3 != 0.0
    assert abs(r.exchange_m3) < 1e-3 * r.infiltration_m3.sum()
    assert r.balance_error_rel < 1e-10


def test_bad_block_regions_are_clear_errors():
    grid = _grid([("park", "park", 0.0, box(0, 0, 60, 60))])
    storm = block_rain(10.0, 3600.0)
    with pytest.raises(InputError) as err:
        run_district_with_block(grid, storm, (100, 100, 200, 200))
    assert err.value.field == "region"
    with pytest.raises(InputError) as err:
        run_district_with_block(grid, storm, (0, 0, 60, 60), sub=0)
    assert err.value.field == "sub"
    with pytest.raises(ResourceLimitError, match="limit") as err:
        run_district_with_block(grid, storm, (0, 0, 60, 60), sub=100, dz_m=0.01)
    assert err.value.field == "region"
