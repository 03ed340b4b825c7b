"""Bands on the lateral water redistribution of the 3-D soil block (issue 18,
twin/soil/block_bands.py): paired samples of the Carsel & Parrish (1988) hydraulics for a
baseline and a de-sealing what-if, on a small block (a 20 m square in a sealed car park at 5 m
cells, 2.5 m x 2.5 m x 10 cm block cells, 6 hours)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tests.soil_block_scenes import car_park_with_square_grid
from twin.errors import InputError, ResourceLimitError
from twin.soil.block_bands import (
    BLOCK_KPIS,
    TEXTURES,
    changed_region,
    check_block_size,
    draw_normals,
    paired_samples,
    parse_block_options,
    run_pair,
    sampled_material,
)
from twin.soil.hydraulics import carsel_parrish
from twin.soil.rain import block_rain

HOURS = 6.0


_grid = car_park_with_square_grid


@pytest.fixture(scope="module")
def setup():
    base, what = _grid(0.8), _grid(0.0)  # the square's paving taken up
    region = changed_region(base, what, 10.0)
    opts = parse_block_options({"sub": 2, "dz_m": 0.1})
    rain = block_rain(30.0, 3600.0, end_s=HOURS * 3600.0)
    return base, what, region, opts, rain


@pytest.fixture(scope="module")
def samples(setup):
    base, what, region, opts, rain = setup
    return paired_samples(base, what, rain, region, opts, 8, 7, duration_s=HOURS * 3600.0)


def test_the_region_is_the_changed_cells_and_the_margin(setup):
    base, what, region, opts, _ = setup
    assert region == (10.0, 10.0, 50.0, 50.0)
    assert changed_region(base, base, 10.0) is None
    assert check_block_size(base, region, opts) == 16 * 16 * 10


def test_paired_samples_give_bands_that_contain_the_median_and_every_balance_closes(samples):
    assert max(samples.balance_error_rel) < 1e-10
    for k in BLOCK_KPIS:
        b = np.array([s[k] for s in samples.base])
        w = np.array([s[k] for s in samples.what])
        for x in (b, w, w - b):
            lo, med, hi = np.percentile(x, [5, 50, 95])
            assert lo <= med <= hi
    gain = np.array([s["block_sealed_rain_gain_m3"] for s in samples.what])
    assert np.ptp(gain) > 0.1 * np.median(gain) > 0  # the hydraulics move the redistribution
    # paired: de-sealing the square adds infiltration and rain water under the sealed street in every sample
    for b, w in zip(samples.base, samples.what):
        assert w["block_infiltration_m3"] > b["block_infiltration_m3"]
        assert w["block_sealed_rain_gain_m3"] > b["block_sealed_rain_gain_m3"] > 0
        # the 20 sealed cells off the block's edge ring (8 x 8 cells: 6 x 6 inside, the 4 x 4 square open)
        assert w["block_sealed_rain_gain_mm"] == pytest.approx(w["block_sealed_rain_gain_m3"] / (20 * 25.0) * 1000.0, rel=1e-12)


def test_collapsed_priors_collapse_the_band_onto_the_central_run(setup):
    base, what, region, opts, rain = setup
    flat = opts.model_copy(update={"prior_spread": 0.0})
    ps = paired_samples(base, what, rain, region, flat, 3, 7, duration_s=HOURS * 3600.0)
    w0, b0, _ = run_pair(base, what, rain, region, flat, duration_s=HOURS * 3600.0)
    for s in range(3):
        assert ps.what[s] == w0 and ps.base[s] == b0
    assert max(ps.balance_error_rel) < 1e-10


def test_sampled_materials_are_physical_paired_and_follow_the_prior():
    silt = carsel_parrish()["Silt Loam"]
    z = draw_normals(400, 3)
    assert np.array_equal(z, draw_normals(400, 3)) and z.shape == (400, len(TEXTURES), 5)
    mats = [sampled_material(silt, z[s]) for s in range(400)]
    assert all(m.n > 1 and m.alpha_per_m > 0 and m.ks_m_s > 0 and 0 <= m.theta_r and m.theta_s >= m.theta_r + 0.05 for m in mats)
    ks = np.array([m.ks_m_s for m in mats])
    # moment-matched lognormal: the median is mean / sqrt(1 + cv^2); Ks of silt loam: 0.45 +- 1.23 cm/h
    cv = 1.23 / 0.45
    assert np.median(ks) == pytest.approx(silt.ks_m_s / np.sqrt(1 + cv**2), rel=0.2)
    assert np.mean([m.theta_s for m in mats]) == pytest.approx(0.45, abs=0.01)
    assert sampled_material(silt, z[0], 0.0) is silt
    other = dataclasses.replace(silt, name="my own soil")
    assert sampled_material(other, z[0]) is other  # not a Carsel & Parrish texture: unchanged


def test_bad_block_options_are_clear_errors(setup):
    base, _, region, opts, _ = setup
    with pytest.raises(ValueError, match="block.sub"):
        parse_block_options({"sub": 0})
    with pytest.raises(ValueError, match="block.cells: unknown key"):
        parse_block_options({"cells": 3})
    with pytest.raises(ValueError, match="block.region"):
        parse_block_options({"region": [10, 10, 0, 20]})
    with pytest.raises(ResourceLimitError, match="max_cells") as err:
        check_block_size(base, region, opts.model_copy(update={"max_cells": 1000}))
    assert err.value.field == "soil.block"
    with pytest.raises(InputError, match="no cell centre"):
        check_block_size(base, (100.0, 100.0, 200.0, 200.0), opts)


def test_default_columns_are_about_a_metre():
    from twin.soil.block_bands import resolved

    assert resolved(parse_block_options({}), 5.0).sub == 5
    assert resolved(parse_block_options({}), 2.0).sub == 2
    assert resolved(parse_block_options({}), 100.0).sub == 20  # at most 20 columns a cell
    assert resolved(parse_block_options({"sub": 3}), 5.0).sub == 3
