"""Stock model plumbing of issue 16's ninth look: row selection of the envelope."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.mark.parametrize("keep", [[True, False, True, True], [False] * 4, [True] * 4])
def test_rows_of_equals_a_boolean_selection(keep):
    from twin.energy.stock import rows_of

    shared = pd.array(["TABULA a", "TABULA b", None, "TABULA a"], dtype="str")
    frame = pd.DataFrame({"building_id": pd.array(["w", "x", "y", "z"], dtype="str"), "u_wall_w_m2k": [1.0, 2.0, np.nan, 4.0],
                          "n": np.arange(4), "flag": [True, False, True, False]})
    for k in range(3):  # columns sharing one string array, as the envelope's sources
        frame[f"p{k}_source"] = shared
    frame["when"] = pd.to_datetime(["2020-01-01", "2021-01-01", None, "2023-01-01"])
    got = rows_of(frame, np.array(keep))
    want = frame[np.array(keep)].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert list(got.dtypes) == list(want.dtypes)


def test_rows_of_with_repeated_column_names():
    from twin.energy.stock import rows_of

    frame = pd.DataFrame([[1.0, "a"], [2.0, "b"], [3.0, "c"]], columns=["x", "x"])
    keep = np.array([True, False, True])
    pd.testing.assert_frame_equal(rows_of(frame, keep), frame[keep].reset_index(drop=True), check_exact=True)


@pytest.mark.parametrize("legacy", [False, True])
def test_defaults_share_is_floor_area_shares_of_the_buildings_run(legacy):
    import geopandas as gpd
    import shapely

    from twin.energy.stock import defaults_share
    from twin.scene.provenance import BUILDING_PARAMETERS, LEGACY_FLAGS, SOURCES, floor_area_shares

    rng = np.random.default_rng(3)
    n = 30
    cols = {"building_id": [f"b{i}" for i in range(n)], "floor_area_m2": rng.uniform(50.0, 500.0, n), "height_m": 9.0}
    for p in BUILDING_PARAMETERS:
        if legacy:
            cols[LEGACY_FLAGS[p]] = rng.random(n) < 0.5
        else:
            cols[f"{p}_source"] = rng.choice(["data", "inferred", "default", None], n)
    layer = gpd.GeoDataFrame(cols, geometry=[shapely.box(i, 0, i + 1, 1) for i in range(n)], crs="EPSG:31370")

    class _Scene:
        buildings = layer

    for ids in (layer["building_id"].to_numpy(), layer["building_id"].to_numpy()[::3][::-1]):
        got = defaults_share(_Scene(), ids)
        want = floor_area_shares(layer[layer["building_id"].isin(ids)])
        assert got == {attr: {s: float(row[s]) for s in SOURCES} for attr, row in want.iterrows()}


def test_gc_frozen_leaves_existing_objects_out_of_collections_until_exit():
    import gc

    from twin.energy.stock import _gc_frozen

    if gc.get_freeze_count():
        pytest.skip("objects already frozen in this process")
    with _gc_frozen():
        assert gc.get_freeze_count() > 0
        cycle: list = []
        cycle.append(cycle)  # a cycle made during the run is still collected
        del cycle
        assert gc.collect() >= 1
    assert gc.get_freeze_count() == 0
    gc.freeze()  # a caller that froze its own objects: left frozen
    try:
        frozen = gc.get_freeze_count()
        with _gc_frozen():
            assert gc.get_freeze_count() == frozen
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_the_5r1c_kernel_loaded_by_prepare_stock_is_the_one_the_run_calls():
    """prepare_stock loads the 5R1C kernel on one building of the stock's own inputs: the stock's
    run then adds no signature (nothing compiled anew) and its results do not depend on it."""
    import dataclasses

    import twin.kernels.energy_5r1c as kernels
    from tests.conftest import shared_path
    from tests.test_energy_stock_shading import canyon_scene
    from twin.energy.simulate import simulate_stock
    from twin.energy.stock import prepare_stock, run_stock
    from twin.ingest.epw import read_epw

    weather = read_epw(shared_path("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"))
    scene = canyon_scene(street_m=8.0)
    prep = prepare_stock(scene, weather)
    loaded = list(kernels.simulate_5r1c.signatures)
    assert loaded
    run = run_stock(scene, weather, prepared=prep)
    assert list(kernels.simulate_5r1c.signatures) == loaded
    plain = simulate_stock(dataclasses.replace(prep.baseline_inputs.inputs, shade_factor=prep.shade_factor), prep.drivers, on_error="report")
    pd.testing.assert_frame_equal(run.results.per_building, plain.per_building, check_exact=True)
