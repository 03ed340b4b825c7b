"""Saint-Gilles: a design storm on the soil grid; per-cell and total water balance; de-sealing.

The scene is read with the project's readers (buildings, land cover, streets of the 1 km2
district, OSM 2013). Coarse cells keep the tests quick; the 2 m run is in the benchmark.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.conftest import shared_path
from twin.errors import InputError
from twin.soil.district import CELL_VARIABLES, run_district
from twin.soil.grid import KIND_GROUND, GridOptions, build_grid
from twin.soil.rain import block_rain, chicago_storm

DISTRICT = (148000.0, 168000.0, 149000.0, 169000.0)
PARKING = "osm:way/22795481"  # the largest car park of the district (about 100 m x 60 m)
STORM = block_rain(30.0, 3600.0)  # 30 mm in one hour (a design block rain)


@pytest.fixture(scope="module")
def scene():
    from twin.ingest import ingest

    files = [shared_path("brussels", f"stgilles_{k}_osm2013.geojson") for k in ("buildings", "landcover", "streets")]
    scene, _ = ingest(files)
    return scene


def _deseal(scene, landcover_id: str):
    what_if = scene.copy()
    lc = what_if.landcover.copy()
    lc.loc[lc["landcover_id"] == landcover_id, "sealed_fraction"] = 0.0
    what_if.set_layer("landcover", lc)
    return what_if


def test_design_storm_on_the_district_closes_the_water_balance(scene):
    grid = build_grid(scene, GridOptions(cell_size_m=20.0, bounds=DISTRICT, subsamples=4))
    assert grid.shape == (50, 50)
    fractions = grid.roof + grid.sealed + grid.paving + grid.ground
    np.testing.assert_allclose(fractions, 1.0, atol=1e-12)
    assert 0.35 < grid.roof.mean() < 0.5  # footprints are 42 % of the box (SOURCE.md)
    res = run_district(grid, STORM, duration_s=3 * 3600.0, output_times_s=[3600.0, 3 * 3600.0])
    tot = res.totals_m3()
    assert tot["rain"] == pytest.approx(0.030 * 1.0e6, rel=1e-12)
    assert abs(tot["runon"]) < 1e-9 * tot["rain"]
    assert res.relative_balance_error() < 1e-6
    per_cell = np.abs(res.cells["balance_error"]) / res.cells["rain"]
    assert per_cell.max() < 1e-6
    # every cell: runoff, infiltration and storage are physical and add up
    assert (res.cells["runoff"] >= -1e-9).all() and (res.cells["infiltration"] >= -1e-9).all()
    assert tot["runoff"] > grid.shed.mean() * tot["rain"] * 0.999  # sealed surfaces shed all their rain
    assert tot["infiltration"] > 0 and tot["storage_change"] > 0
    assert res.columns.failures.sum() == 0
    # moisture as xarray: NaN where a cell has no open ground; wetter at the top after the storm
    ds = res.to_xarray()
    assert ds["theta"].dims == ("time", "z", "y", "x") and ds.sizes["time"] == 2
    has_ground = grid.ground > 0
    theta = ds["theta"].values
    assert np.isnan(theta[:, :, ~has_ground]).all() and np.isfinite(theta[:, :, has_ground]).all()
    assert np.nanmean(theta[0, 0]) > np.nanmean(theta[0, -1])
    cells = res.to_geodataframe()
    assert len(cells) == 2500 and cells["rain_m3"].sum() == pytest.approx(tot["rain"])


def test_desealing_the_car_park_lowers_runoff_by_its_new_infiltration(scene):
    bounds = (148250.0, 168830.0, 148500.0, 168980.0)
    options = GridOptions(cell_size_m=5.0, bounds=bounds, subsamples=2)
    base = run_district(build_grid(scene, options), STORM, duration_s=3 * 3600.0)
    what_if = _deseal(scene, PARKING)
    green = run_district(build_grid(what_if, options), STORM, duration_s=3 * 3600.0)
    park = what_if.landcover.set_index("landcover_id").geometry[PARKING]
    d_runoff = green.cells["runoff"] - base.cells["runoff"]
    d_infil = green.cells["infiltration"] - base.cells["infiltration"]
    d_store = green.cells["storage_change"] - base.cells["storage_change"]
    changed = np.abs(d_runoff) > 1e-9
    inside = np.zeros(base.grid.shape, dtype=bool).ravel()
    inside[base.grid.cells_in(park.buffer(5.0))] = True
    inside = inside.reshape(base.grid.shape)
    assert changed.any() and not (changed & ~inside).any()  # no run-on: only the car park changes
    # runoff falls there by what the new open ground takes in (no evaporation in the storm)
    assert d_runoff.sum() < 0
    assert -d_runoff.sum() == pytest.approx(d_infil.sum(), rel=1e-6)
    np.testing.assert_allclose(-d_runoff, d_infil, atol=1e-9 * STORM.depth_mm)
    assert d_infil.sum() == pytest.approx(d_store.sum() + (green.cells["drainage"] - base.cells["drainage"]).sum(), rel=1e-6)
    # and by a good share of the rain on the de-sealed area (silt loam takes ~4.5 mm/h of 30)
    desealed_m2 = ((green.grid.ground - base.grid.ground) * green.grid.cell_area_m2).sum()
    assert desealed_m2 > 0.5 * park.area
    assert -d_runoff.sum() > 0.1 * 0.030 * desealed_m2
    assert green.relative_balance_error() < 1e-6 and base.relative_balance_error() < 1e-6


def test_runon_from_roofs_and_streets_keeps_the_balance(scene):
    bounds = (148400.0, 168400.0, 148600.0, 168600.0)
    options = GridOptions(cell_size_m=10.0, bounds=bounds, subsamples=4, runoff_to_neighbours=0.5)
    grid = build_grid(scene, options)
    ground = grid.col_kind == KIND_GROUND
    assert grid.col_rain_factor[ground].max() > 1.5  # small yards between roofs get a lot
    storm = chicago_storm(800.0, 8.0, 0.8, duration_s=3600.0, step_s=300.0)
    res = run_district(grid, storm, duration_s=2 * 3600.0, output_times_s=[7200.0])
    tot = res.totals_m3()
    assert abs(tot["runon"]) < 1e-9 * tot["rain"]  # what is sent is received
    assert res.relative_balance_error() < 1e-6
    assert np.abs(res.cells["balance_error"]).max() < 1e-6 * res.cells["rain"].max()
    no_runon = run_district(build_grid(scene, options.model_copy(update={"runoff_to_neighbours": 0.0})), storm,
                            duration_s=2 * 3600.0, store_profiles=False)
    assert tot["infiltration"] > no_runon.totals_m3()["infiltration"]  # run-on soaks in where it can


def test_identical_columns_integrated_once_give_the_same_answer(scene):
    # run-on makes most rain factors distinct; paving and green roofs add profiles
    bounds = (148250.0, 168830.0, 148450.0, 168980.0)
    opts = GridOptions(cell_size_m=10.0, bounds=bounds, runoff_to_neighbours=0.5, green_roof_share=0.3, permeable_paving_classes=["parking"])
    grid = build_grid(scene, opts)
    distinct = np.unique(np.column_stack([grid.col_profile.astype(float), grid.col_rain_factor]), axis=0)
    assert len(grid.profiles) == 3 and 1 < len(distinct) < len(grid.col_cell)
    storm = chicago_storm(800.0, 8.0, 0.8, duration_s=3600.0, step_s=300.0)
    full = run_district(grid, storm, duration_s=2 * 3600.0, output_times_s=[1800.0, 7200.0])
    once = run_district(grid, storm, duration_s=2 * 3600.0, output_times_s=[1800.0, 7200.0], unique_columns=True)
    for k in CELL_VARIABLES:
        np.testing.assert_allclose(once.cells[k], full.cells[k], rtol=1e-12, atol=1e-15, err_msg=k)
    np.testing.assert_allclose(once.theta, full.theta, rtol=1e-6, equal_nan=True)
    np.testing.assert_allclose(once.columns.cumulative_m, full.columns.cumulative_m, rtol=1e-12, atol=1e-15)
    assert once.relative_balance_error() < 1e-6
    assert once.n_integrated == len(distinct) and full.n_integrated == len(grid.col_cell)


def test_green_roofs_and_permeable_paving_options(scene):
    bounds = (148250.0, 168830.0, 148500.0, 168980.0)
    plain = build_grid(scene, GridOptions(cell_size_m=10.0, bounds=bounds))
    opts = GridOptions(cell_size_m=10.0, bounds=bounds, green_roof_share=0.5, permeable_paving_classes=["parking"])
    grid = build_grid(scene, opts)
    np.testing.assert_allclose(grid.green_roof, 0.5 * grid.roof)
    assert grid.paving.sum() > 0 and grid.paving.sum() == pytest.approx(plain.sealed.sum() - grid.sealed.sum(), rel=1e-9)
    res = run_district(grid, STORM, duration_s=3 * 3600.0, store_profiles=False)
    ref = run_district(plain, STORM, duration_s=3 * 3600.0, store_profiles=False)
    assert res.relative_balance_error() < 1e-6
    assert res.totals_m3()["runoff"] < ref.totals_m3()["runoff"]


def test_bad_grid_input_names_the_field(scene):
    with pytest.raises(InputError) as err:
        build_grid(scene, GridOptions(cell_size_m=50.0, bounds=DISTRICT, texture="Moon Dust"))
    assert err.value.field == "texture"
    with pytest.raises(InputError) as err:
        run_district(build_grid(scene, GridOptions(cell_size_m=100.0, bounds=DISTRICT)), STORM, evaporation_m_s=-1.0)
    assert err.value.field == "evaporation_m_s"


def test_plots_are_made_lazily(scene, tmp_path):
    from twin.soil import plots
    from twin.soil.column import column_report, load_column_spec, prepare_column

    grid = build_grid(scene, GridOptions(cell_size_m=50.0, bounds=DISTRICT))
    res = run_district(grid, STORM, duration_s=7200.0)
    plots.runoff_map(res, path=tmp_path / "runoff.png")
    plots.moisture_slice(res, depth_m=0.1, path=tmp_path / "theta.png")
    spec = Path(__file__).parent / "soil_data" / "celia1990.yaml"
    run = prepare_column(load_column_spec(spec), path=spec)
    plots.profiles(column_report(run, run.run()), path=tmp_path / "profiles.png")
    for name in ("runoff.png", "theta.png", "profiles.png"):
        assert (tmp_path / name).stat().st_size > 1000
    assert set(CELL_VARIABLES) <= set(res.cells)


def test_a_cell_larger_than_the_district_is_refused(scene):
    """``cell_size_m: 1e9`` gridded Saint-Gilles as one cell of 1e18 m2 and reported 7.8e17 m3 of
    rain, exit 0; a cell larger than the district it grids is refused naming the key."""
    with pytest.raises(InputError, match="larger than the district it grids") as info:
        build_grid(scene, GridOptions(cell_size_m=1e9))
    assert info.value.field == "grid.cell_size_m"
    assert build_grid(scene, GridOptions(cell_size_m=500.0)).shape == (3, 3)
