"""Issue 18, part 2: the water that crosses a sealed edge, against Parlange's sorptivity and a
resolved 3-D block (twin/soil/soil_block_edge.py)."""

from __future__ import annotations

import numpy as np
import pytest

from twin.errors import InputError
from twin.soil.block3d import Block, Side, run_block
from twin.soil.hydraulics import texture_material
from twin.soil.soil_block_edge import edge_strip_gain, sorptivity_parlange

SILT_LOAM = texture_material("Silt Loam").with_air_entry(-0.02)
RAIN = 30e-3 / 3600.0


def _absorption(dx: float, times: list[float]) -> np.ndarray:
    """Horizontal absorption through a face held at h = 0 (one row of cells, 2 m long, no
    vertical flow): cumulative inflow per m2 of face at ``times``."""
    nx = int(round(2.0 / dx))
    b = Block(nx=nx, ny=1, nz=1, dx_m=dx, dy_m=1.0, dz_m=1.0, materials=[SILT_LOAM], sides={"x_min": Side("head", 0.0)})
    return run_block(b, -1.0, times, keep_fields=False).inflow_m3[:, 0]


def test_lateral_absorption_converges_to_parlange_sorptivity_and_coarse_columns_miss_it():
    # Philip (1957): I = S sqrt(t); S from Parlange's (1975) integral of the material's own
    # functions (not the kernel's tables)
    s = sorptivity_parlange(SILT_LOAM, -1.0)
    t = np.array([3600.0, 86400.0])
    fine = _absorption(0.005, list(t)) / (s * np.sqrt(t))
    assert fine == pytest.approx([1.0, 1.0], abs=0.03)  # Parlange's formula: within a few per cent
    # columns wider than the wetting front (centimetres in an hour) underestimate it: the flux
    # across the first face is K dh / dx
    coarse = _absorption(1.0, [3600.0]) / (s * 60.0)
    assert coarse[0] < 0.5


def test_sorptivity_rises_with_the_initial_dryness_and_rejects_bad_heads():
    assert sorptivity_parlange(SILT_LOAM, -3.0) > sorptivity_parlange(SILT_LOAM, -1.0) > sorptivity_parlange(SILT_LOAM, -0.3) > 0
    with pytest.raises(InputError):
        sorptivity_parlange(SILT_LOAM, 0.0)


def test_edge_gain_converges_across_the_edge():
    g = [edge_strip_gain(SILT_LOAM, dx_m=dx, dz_m=0.05).gain_m3_per_m for dx in (0.2, 0.1, 0.05)]
    d1, d2 = g[1] - g[0], g[2] - g[1]
    assert 0 < d2 < d1  # monotone and the increments shrink
    assert np.log2(d1 / d2) > 1.0  # observed order above one
    assert abs(d2) / g[2] < 0.02
    r = edge_strip_gain(SILT_LOAM, dx_m=0.05, dz_m=0.05)
    assert r.balance_error_rel < 1e-10
    assert 0 < r.gain_m3_per_m < r.infiltration_m3_per_m
    with pytest.raises(InputError, match="whole multiple"):
        edge_strip_gain(SILT_LOAM, dx_m=0.3)


def test_resolved_3d_square_matches_the_edge_model_times_its_perimeter():
    # a de-sealed 2 m x 2 m square inside sealed ground, 10 cm columns: the rain water under the
    # sealed ground is the edge's per-metre gain times the perimeter, less a corner deficit of a
    # few per cent (the front's reach, decimetres, against the 2 m side)
    side, dom, dx, nz = 2.0, 4.0, 0.1, 20
    n = int(round(dom / dx))
    xc = (np.arange(n) + 0.5) * dx
    inside = np.abs(xc - dom / 2) < side / 2
    open_ = inside[None, :] & inside[:, None]
    mat = np.zeros((nz, n, n), dtype=np.int64)

    def blk(rain: bool) -> Block:
        sides = {"bottom": Side("free_drainage")}
        if rain:
            sides["top"] = Side("rain", np.where(open_, RAIN, np.nan))
        return Block(nx=n, ny=n, nz=nz, dx_m=dx, dy_m=dx, dz_m=0.05, materials=[SILT_LOAM], material=mat, sides=sides)

    w = run_block(blk(False), run_block(blk(True), -1.0, [3600.0], keep_fields=False).state, [86400.0], t_start_s=3600.0,
                  keep_fields=False)
    d = run_block(blk(False), -1.0, [86400.0], keep_fields=False)
    gain = ((w.state.theta - d.state.theta).reshape(nz, n, n).sum(axis=0) * 0.05 * dx * dx)[~open_].sum()
    edge = edge_strip_gain(SILT_LOAM, dx_m=dx, dz_m=0.05, open_width_m=side / 2, sealed_width_m=(dom - side) / 2)
    assert gain / (edge.gain_m3_per_m * 4 * side) == pytest.approx(0.95, abs=0.03)


def test_the_reported_measure_does_not_depend_on_the_block_grid_and_counts_the_soil_along_the_sealed_cells():
    from tests.soil_block_scenes import car_park_with_square_grid
    from twin.soil.block_bands import changed_region, parse_block_options, run_pair
    from twin.soil.rain import block_rain
    from twin.soil.soil_block_edge import sealed_edge_gain

    base, what = car_park_with_square_grid(0.8), car_park_with_square_grid(0.0)
    region = changed_region(base, what, 10.0)
    hours = 6.0
    rain = block_rain(30.0, 3600.0, end_s=hours * 3600.0)
    out = {}
    for sub in (1, 2):
        w, b, _ = run_pair(base, what, rain, region, parse_block_options({"sub": sub, "dz_m": 0.1}), duration_s=hours * 3600.0)
        out[sub] = (w, b)
    for key in ("block_sealed_rain_gain_m3", "block_sealed_edge_m"):
        assert out[1][0][key] == out[2][0][key] and out[1][1][key] == out[2][1][key]
    assert out[1][0]["block_sealed_rain_gain_grid_m3"] != out[2][0]["block_sealed_rain_gain_grid_m3"]
    w = out[2][0]
    # the 20 m square, fully de-sealed, is 4 x 4 cells; its 16 outer faces touch sealed cells off
    # the edge ring: 16 x 5 m of soil, each metre gaining the section's gain
    assert w["block_sealed_edge_m"] == pytest.approx(80.0)
    from twin.soil.block3d import BlockOptions
    from twin.soil.soil_block_edge import SECTION_DT_MIN_S, SECTION_MAX_ITER

    g = edge_strip_gain(SILT_LOAM, dx_m=0.05, dz_m=0.05, open_width_m=1.0, sealed_width_m=0.5,
                        options=BlockOptions(max_iter=SECTION_MAX_ITER, dt_min_s=SECTION_DT_MIN_S),
                        rain_edges_s=np.asarray(rain.t_edges_s), rain_rates_m_s=np.asarray(rain.rain_m_s), duration_s=hours * 3600.0)
    assert w["block_sealed_rain_gain_m3"] == pytest.approx(80.0 * g.gain_m3_per_m, rel=1e-9)
    assert out[2][1]["block_sealed_edge_m"] == pytest.approx(80.0 * 0.2)  # the paved square: 20 % soil along each face
    ring = np.zeros((8, 8), dtype=bool)
    ring[0, 3] = True
    with pytest.raises(InputError, match="edge ring"):
        sealed_edge_gain(base, region, ring, rain, hours * 3600.0)
