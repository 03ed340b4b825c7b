"""run_district with identical columns integrated once: the per-column profiles are copied from
the distinct columns only when read, and the cells' moisture is read from the distinct columns;
both must be exactly what an eager copy to every column gives."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tests.conftest import shared_path
from twin.soil.district import _expand, run_district
from twin.soil.grid import KIND_GROUND, GridOptions, build_grid
from twin.soil.rain import chicago_storm
from twin.soil.solver import RichardsResult


def _distinct_result(rng: np.random.Generator, n_out: int = 2, n_distinct: int = 3, n_nodes: int = 4) -> RichardsResult:
    return RichardsResult(
        times_s=np.arange(n_out, dtype=float),
        h_m=rng.normal(size=(n_out, n_distinct, n_nodes)).astype(np.float32),
        theta=rng.uniform(size=(n_out, n_distinct, n_nodes)).astype(np.float32),
        cumulative_m=rng.uniform(size=(n_out, n_distinct, 9)),
        totals=rng.uniform(size=(n_distinct, 20)),
        h_final_m=rng.normal(size=(n_distinct, n_nodes)),
    )


def test_expanded_profiles_equal_an_eager_copy():
    res = _distinct_result(np.random.default_rng(7))
    inverse = np.array([2, 0, 0, 1, 2, 2])
    eager = dataclasses.replace(res, h_m=res.h_m[:, inverse], theta=res.theta[:, inverse], cumulative_m=res.cumulative_m[:, inverse],
                                totals=res.totals[inverse], h_final_m=res.h_final_m[inverse])  # fmt: skip
    lazy = _expand(res, inverse)
    assert isinstance(lazy, RichardsResult)
    for f in dataclasses.fields(RichardsResult):
        a, b = getattr(lazy, f.name), getattr(eager, f.name)
        if a is None or b is None:
            assert a is b, f.name
        else:
            np.testing.assert_array_equal(a, b, err_msg=f.name)
            assert a.dtype == b.dtype and a.shape == b.shape, f.name
    assert lazy.theta is lazy.theta  # copied once, then kept
    np.testing.assert_array_equal(lazy.failures, eager.failures)
    # a value set is the one read back (dataclasses.replace builds a new result through the setters)
    again = dataclasses.replace(lazy, theta=np.zeros_like(eager.theta))
    assert not again.theta.any()
    np.testing.assert_array_equal(again.h_m, eager.h_m)
    none = _expand(dataclasses.replace(res, h_m=None, theta=None), inverse)
    assert none.h_m is None and none.theta is None


@pytest.fixture(scope="module")
def scene():
    from twin.ingest import ingest

    files = [shared_path("brussels", f"stgilles_{k}_osm2013.geojson") for k in ("buildings", "landcover", "streets")]
    scene, _ = ingest(files)
    return scene


def test_cells_moisture_of_shared_columns_is_each_columns_own(scene):
    # run-on makes most rain factors distinct; paving and green roofs add profiles
    bounds = (148250.0, 168830.0, 148450.0, 168980.0)
    opts = GridOptions(cell_size_m=10.0, bounds=bounds, runoff_to_neighbours=0.5, green_roof_share=0.3, permeable_paving_classes=["parking"])
    grid = build_grid(scene, opts)
    storm = chicago_storm(800.0, 8.0, 0.8, duration_s=3600.0, step_s=300.0)
    once = run_district(grid, storm, duration_s=2 * 3600.0, output_times_s=[1800.0, 7200.0], unique_columns=True)
    assert once.n_integrated < len(grid.col_cell)
    # the cells' theta, assembled from the columns' own (copied) profiles
    ground = np.flatnonzero(grid.col_kind == KIND_GROUND)
    nz = len(once.z_m)
    ny, nx = grid.shape
    expect = np.full((2, nz, ny * nx), np.nan, dtype=np.float32)
    expect[:, :, grid.col_cell[ground]] = np.transpose(once.columns.theta[:, ground, :nz], (0, 2, 1))
    np.testing.assert_array_equal(once.theta, expect.reshape(2, nz, ny, nx))
    assert once.columns.theta.shape[1] == len(grid.col_cell) == once.columns.h_final_m.shape[0]
