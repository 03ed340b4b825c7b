"""The urban shading factors of a stock run (``StockRun.shade_factor``): the run holds the
prepared factors and the rows the 5R1C kernel simulated (``shade_prepared``, ``shade_rows``) and a
read selects them, not a copy after every run (``twin energy run`` never reads them); what a
reader gets is unchanged."""

from __future__ import annotations

import dataclasses

import numpy as np

from tests.test_energy_stock_shading import canyon_scene

#: Two houses of the canyon whose envelope passes validation but whose conductance the kernel rejects.
LEAKY = {"r0h1": {"u_wall_w_m2k": 60.0, "u_roof_w_m2k": 60.0}, "r1h3": {"u_roof_w_m2k": 60.0}}


def test_shade_factor_of_a_run_holds_the_simulated_buildings_rows(weather):
    from twin.energy.stock import prepare_stock, run_stock

    scene = canyon_scene(street_m=8.0)
    prep = prepare_stock(scene, weather, overrides=LEAKY)
    run = run_stock(scene, weather, prepared=prep)
    assert list(run.excluded["building_id"]) == ["r0h1", "r1h3"]
    kept = ~prep.envelope["building_id"].isin(["r0h1", "r1h3"]).to_numpy()
    full = prep.shade_factor
    assert len(np.unique(full.reshape(len(full), -1), axis=0)) > 2  # rows that differ: a wrong row would show
    assert run.shade_prepared is full  # the prepared factors themselves, not a copy
    np.testing.assert_array_equal(run.shade_rows, kept)
    factor = run.shade_factor
    np.testing.assert_array_equal(factor, full[kept])
    assert len(factor) == len(run.envelope) == len(run.accounts)
    np.testing.assert_array_equal(dataclasses.replace(run, meta={}).shade_factor, full[kept])
    whole = run_stock(scene, weather)  # nothing rejected: every row, no selection
    assert whole.shade_rows is None and whole.shade_factor is whole.shade_prepared


def test_shade_factor_selects_the_simulated_rows():
    from twin.energy.stock import StockRun

    f = np.arange(12.0).reshape(3, 2, 2)
    run = StockRun(None, None, None, None, None, None, shade_prepared=f)
    assert run.shade_factor is f
    run = dataclasses.replace(run, shade_rows=np.array([True, False, True]))
    np.testing.assert_array_equal(run.shade_factor, f[[0, 2]])
    assert run.shade_prepared is f  # the prepared factors are kept whole
    assert StockRun(None, None, None, None, None, None, shade_rows=np.array([], dtype=bool)).shade_factor is None
