"""The hot-days KPIs of a de-sealing count the ground whose cover changed, not the cells it touches.

Independent references: a square car park on a grid offset by half a cell and a strip narrower
than a cell, whose changed area must equal (polygon area) x (drop of the sealed fraction) within
the grid's rasterisation tolerance (half a sample spacing times the perimeter, the sample points
of :func:`twin.soil.grid.build_grid`), and a hand-made grid of four cells whose mean changes are
computed by hand. Before the fix the changed area was the ground of every touched cell (a 20 m
square on 5 m cells offset by half a cell: 625 m2 instead of 340 m2) and the means were diluted by
the unchanged parts of those cells.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS

from twin.scene import Scene
from twin.soil.deseal_heat import _kpis, changed_area_m2_per_cell, cover_fractions
from twin.soil.grid import GridOptions, build_grid

SEALED_BEFORE, SEALED_AFTER = 0.95, 0.1


def _scenes(polygon):
    """A scene with one car park (``polygon``, sealed fraction 0.95, in a 60 m x 60 m lawn) and its
    de-sealed copy (0.1, class park)."""
    lc = gpd.GeoDataFrame(
        {"landcover_id": ["lawn", "car_park"], "kind": ["landuse", "landuse"], "cover_class": ["grass", "parking"], "sealed_fraction": [0.0, SEALED_BEFORE]},
        geometry=[shapely.box(0.0, 0.0, 60.0, 60.0), polygon], crs=CRS.from_epsg(31370))
    base = Scene(crs=CRS.from_epsg(31370), name="t")
    base.set_layer("landcover", lc)
    what = base.copy()
    lc2 = lc.copy()
    lc2.loc[1, ["sealed_fraction", "cover_class"]] = [SEALED_AFTER, "park"]
    what.set_layer("landcover", lc2)
    return base, what


def _changed_area(polygon, options):
    base, what = _scenes(polygon)
    gb, gw = build_grid(base, options), build_grid(what, options)
    fb, fw = cover_fractions(gb), cover_fractions(gw)
    series = {c: np.full((3, 24), 40.0 + i) for i, c in enumerate(sorted(set(fb) | set(fw)))}
    kpis, _, _ = _kpis(fb, fw, series, gb.cell_area_m2, np.arange(1, 25))  # the KPI the engine reports
    assert kpis["changed_area_m2"] == pytest.approx(changed_area_m2_per_cell(fb, fw, gb.cell_area_m2).sum())
    return kpis["changed_area_m2"], gb, gw


def _tolerance(polygon, options):
    spacing = options.cell_size_m / options.subsamples
    return 0.5 * spacing * polygon.length * (SEALED_BEFORE - SEALED_AFTER)


@pytest.mark.parametrize("polygon", [
    shapely.box(12.5, 12.5, 32.5, 32.5),  # 20 m square, edges through cell centres (offset by half a cell)
    shapely.box(13.7, 11.2, 31.9, 40.1),  # no alignment at all
    shapely.box(10.0, 21.0, 50.0, 24.0),  # 40 m x 3 m strip inside one row of 5 m cells
    shapely.box(10.0, 23.0, 50.0, 27.0),  # 40 m x 4 m strip across two rows
    shapely.box(10.0, 21.0, 50.0, 22.5),  # 40 m x 1.5 m strip, less than a sample spacing of 5 m / 2
])
def test_changed_area_is_the_polygon_area_times_the_sealing_drop(polygon):
    options = GridOptions(cell_size_m=5.0, bounds=(0.0, 0.0, 60.0, 60.0), subsamples=2)
    got, gb, _ = _changed_area(polygon, options)
    expect = polygon.area * (SEALED_BEFORE - SEALED_AFTER)
    assert got == pytest.approx(expect, abs=_tolerance(polygon, options))
    # the whole ground of the touched cells is larger than the tolerance allows (the old count)
    touched = gb.cells_in(polygon.buffer(5.0 * np.sqrt(0.5) - 1e-9))
    assert len(touched) * gb.cell_area_m2 * (SEALED_BEFORE - SEALED_AFTER) > expect + _tolerance(polygon, options)


def test_square_offset_by_half_a_cell_is_exact():
    """Sample points 2.5 m apart at 1.25 m from the cell edges: a 20 m square from 12.5 m holds
    exactly 8 x 8 points, so the grid's area is the polygon's and the changed area 0.85 x 400 m2
    (the 25 cells it touches have 625 m2)."""
    options = GridOptions(cell_size_m=5.0, bounds=(0.0, 0.0, 60.0, 60.0), subsamples=2)
    got, _, _ = _changed_area(shapely.box(12.5, 12.5, 32.5, 32.5), options)
    assert got == pytest.approx(400.0 * (SEALED_BEFORE - SEALED_AFTER), abs=1e-9)


def test_changed_area_converges_with_finer_samples():
    strip = shapely.box(10.0, 21.3, 50.0, 23.4)  # 40 m x 2.1 m
    expect = strip.area * (SEALED_BEFORE - SEALED_AFTER)
    for s in (2, 5, 10):
        options = GridOptions(cell_size_m=5.0, bounds=(0.0, 0.0, 60.0, 60.0), subsamples=s)
        got, _, _ = _changed_area(strip, options)
        assert got == pytest.approx(expect, abs=_tolerance(strip, options))


def _four_cells():
    """Four 10 m cells (area 100 m2): A de-sealed fully (asphalt -> lawn), B on a fifth of its
    ground, C unchanged, D half roof with a quarter of the cell de-sealed."""
    base = {"asphalt": np.array([1.0, 1.0, 0.5, 0.5]), "lawn": np.array([0.0, 0.0, 0.5, 0.0])}
    what = {"asphalt": np.array([0.0, 0.8, 0.5, 0.25]), "lawn": np.array([1.0, 0.2, 0.5, 0.25])}
    hot, cool = 50.0, 35.0
    day = np.zeros(24)
    day[12] = 10.0  # a peak at the hour ending 13: the daily maximum is the mid-day level + 10 for both covers
    series = {"asphalt": np.tile(hot + day, (3, 1)), "lawn": np.tile(cool + day, (3, 1))}
    return base, what, series, hot, cool


def test_means_over_the_changed_ground_and_the_district_match_the_hand_computation():
    base, what, series, hot, cool = _four_cells()
    kpis, cell_change, levels = _kpis(base, what, series, 100.0, np.arange(1, 25))
    mid_hot = hot + 10.0 / 5  # the mid-day hours ending 12-16 hold the peak once
    mid_cool = cool + 10.0 / 5
    # changed ground: 100 + 20 + 25 m2, all of it asphalt turned lawn
    assert kpis["changed_area_m2"] == pytest.approx(145.0)
    assert kpis["surface_temp_change_midday_c"] == pytest.approx(cool - hot)
    assert levels["surface_temp_midday_c"] == pytest.approx((mid_hot, mid_cool))
    assert kpis["surface_temp_change_daily_max_c"] == pytest.approx(cool - hot)
    assert levels["surface_temp_daily_max_c"] == pytest.approx((hot + 10.0, cool + 10.0))
    # district: every cell's ground-level area (100, 100, 100, 50 m2) weighs its cell's change
    ground = np.array([100.0, 100.0, 100.0, 50.0])
    change = np.array([cool - hot, 0.2 * (cool - hot), 0.0, 0.5 * (cool - hot)])
    np.testing.assert_allclose(cell_change, change)
    assert kpis["district_surface_temp_change_midday_c"] == pytest.approx((ground * change).sum() / ground.sum())
    assert levels["district_surface_temp_midday_c"][1] - levels["district_surface_temp_midday_c"][0] == pytest.approx(
        kpis["district_surface_temp_change_midday_c"])


def test_changed_area_counts_ground_that_goes_under_a_new_roof():
    base = {"asphalt": np.array([1.0]), "lawn": np.array([0.0])}
    what = {"asphalt": np.array([0.6]), "lawn": np.array([0.0])}  # 40 % of the cell now a roof
    assert changed_area_m2_per_cell(base, what, 25.0) == pytest.approx([10.0])
