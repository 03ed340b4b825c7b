"""The 3-D Richards kernel against a plain NumPy implementation of the same scheme, and the block API.

The reference below is written for reading: cells and faces enumerated in Python loops from the
block spec (its own enumeration, not the twin-side face lists), the retention and conductivity
of each cell from the NumPy functions of :mod:`twin.soil.hydraulics`, the Picard matrix
assembled densely and solved with ``numpy.linalg.solve``, and the conservative update of the
water content as a flux divergence. On a small block with two soils, uneven layers and every
boundary kind but rain, kernel and reference must agree to 1e-8 m.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from twin.errors import InputError, ResourceLimitError
from twin.soil.block3d import MAX_CELLS, SIDES, Block, BlockOptions, Side, run_block
from twin.soil.hydraulics import SoilMaterial, texture_material

# ----------------------------------------------------------------------------- reference


def ref_faces(block: Block):
    """Interior faces (c, e, area, distance, gravity) and boundary faces (c, side, kind, value,
    area, half cell, gravity), enumerated cell by cell."""
    nx, ny, nz = block.nx, block.ny, block.nz
    dz = np.asarray(block.dz_m)

    def idx(i, j, k):
        return (k * ny + j) * nx + i

    inner, bound = [], []
    for k in range(nz):
        for j in range(ny):
            for i in range(nx):
                c = idx(i, j, k)
                if i + 1 < nx:
                    inner.append((c, idx(i + 1, j, k), block.dy_m * dz[k], block.dx_m, 0.0))
                if j + 1 < ny:
                    inner.append((c, idx(i, j + 1, k), block.dx_m * dz[k], block.dy_m, 0.0))
                if k + 1 < nz:
                    inner.append((c, idx(i, j, k + 1), block.dx_m * block.dy_m, 0.5 * (dz[k] + dz[k + 1]), 1.0))
                on_side = {
                    "x_min": (i == 0, (k, j), block.dy_m * dz[k], 0.5 * block.dx_m, 0.0),
                    "x_max": (i == nx - 1, (k, j), block.dy_m * dz[k], 0.5 * block.dx_m, 0.0),
                    "y_min": (j == 0, (k, i), block.dx_m * dz[k], 0.5 * block.dy_m, 0.0),
                    "y_max": (j == ny - 1, (k, i), block.dx_m * dz[k], 0.5 * block.dy_m, 0.0),
                    "top": (k == 0, (j, i), block.dx_m * block.dy_m, 0.5 * dz[k], 1.0),
                    "bottom": (k == nz - 1, (j, i), block.dx_m * block.dy_m, 0.5 * dz[k], -1.0),
                }
                for name, (here, where, area, half, grav) in on_side.items():
                    side = block.sides.get(name)
                    if not here or side is None or side.kind == "no_flow":
                        continue
                    value = float(np.broadcast_to(np.asarray(side.value, dtype=float), block.face_shape(name))[where])
                    if np.isnan(value):
                        continue
                    bound.append((c, name, side.kind, value, area, half, grav))
    return inner, bound


def ref_run(block: Block, h0: np.ndarray, dt: float, n_steps: int, tol: float):
    """Backward Euler, modified Picard (Celia et al. 1990), dense solve; returns h, theta and the
    inflow per side (m3)."""
    mats = [block.materials[m] for m in block.material.reshape(-1)]
    n = block.n_cells
    dz = np.asarray(block.dz_m)
    vol = np.array([block.dx_m * block.dy_m * dz[c // (block.nx * block.ny)] for c in range(n)])
    inner, bound = ref_faces(block)
    h = h0.reshape(-1).astype(float).copy()
    theta = np.array([m.theta(x) for m, x in zip(mats, h)], dtype=float)
    inflow_side = dict.fromkeys(SIDES, 0.0)

    def props(h):
        th = np.array([float(m.theta(x)) for m, x in zip(mats, h)])
        cap = np.array([float(m.capacity(x)) for m, x in zip(mats, h)])
        k = np.array([float(m.k(x)) for m, x in zip(mats, h)])
        return th, cap, k

    def fluxes(h, k):
        net = np.zeros(n)
        a = np.zeros((n, n))
        per_face = []
        for c, e, area, d, g in inner:
            kf = 0.5 * (k[c] + k[e])
            q = kf * area * ((h[c] - h[e]) / d + g)  # from c to e
            net[c] -= q
            net[e] += q
            t = kf * area / d
            a[c, c] += t
            a[e, e] += t
            a[c, e] -= t
            a[e, c] -= t
        for c, name, kind, value, area, half, grav in bound:
            if kind == "head":
                kb = 0.5 * (float(mats[c].k(value)) + k[c])
                q = kb * area * ((value - h[c]) / half + grav)
                a[c, c] += kb * area / half
            elif kind == "flux":
                q = value * area
            else:  # free drainage
                q = -k[c] * area
            net[c] += q
            per_face.append((name, q))
        return net, a, per_face

    for _ in range(n_steps):
        h_ok = False
        th_prev = None
        for it in range(61):
            th, cap, k = props(h)
            net, a, per_face = fluxes(h, k)
            if it > 0 and h_ok and np.max(np.abs(th - th_prev)) <= tol:
                break
            rhs = net - vol * (th - theta) / dt
            a = a + np.diag(vol * np.maximum(cap, 1e-6) / dt)
            dh = np.linalg.solve(a, rhs)
            h_ok = bool(np.all(np.abs(dh) <= tol))
            th_prev = th
            h = h + dh
        else:
            raise AssertionError("reference Picard did not converge")
        theta = theta + dt * net / vol
        for name, q in per_face:
            inflow_side[name] += q * dt
    return h, theta, inflow_side


def small_block() -> tuple[Block, np.ndarray]:
    loam = texture_material("Loam")
    loam = replace(loam, tabulate=False)
    gardner = SoilMaterial(name="g", model="gardner", theta_r=0.05, theta_s=0.40, ks_m_s=2e-6, alpha_per_m=2.0)
    nx, ny, nz = 3, 2, 4
    material = np.zeros((nz, ny, nx), dtype=np.int64)
    material[2:, :, 1:] = 1
    top = np.array([[1.0e-6, np.nan, 3.0e-6], [2.0e-6, 1.0e-6, np.nan]])
    sides = {
        "top": Side("flux", top),
        "x_min": Side("head", np.array([[-0.3, -0.5], [-0.4, -0.6], [-0.2, -0.1], [0.1, 0.2]])),
        "y_max": Side("flux", -5.0e-7),
        "bottom": Side("free_drainage"),
    }
    block = Block(nx=nx, ny=ny, nz=nz, dx_m=0.4, dy_m=0.3, dz_m=[0.05, 0.1, 0.2, 0.15], materials=[loam, gardner],
                  material=material, sides=sides)
    rng = np.random.default_rng(7)
    h0 = -rng.uniform(0.2, 2.0, size=(nz, ny, nx))
    return block, h0


def test_kernel_agrees_with_numpy_reference() -> None:
    block, h0 = small_block()
    dt, n_steps, tol = 600.0, 6, 1e-11
    h_ref, theta_ref, inflow_ref = ref_run(block, h0, dt, n_steps, tol)
    opts = BlockOptions(dt_initial_s=dt, dt_min_s=dt, dt_max_s=dt, tol_h_m=tol, tol_h_rel=0.0, tol_theta=tol, lin_tol=1e-14,
                        max_iter=60, iter_low=40, iter_high=55, dtheta_max=0.0)
    res = run_block(block, h0, [dt * n_steps], options=opts)
    assert res.totals["steps"] == n_steps and res.totals["rejected_steps"] == 0
    np.testing.assert_allclose(res.h_m[-1].reshape(-1), h_ref, atol=1e-8)
    np.testing.assert_allclose(res.theta[-1].reshape(-1), theta_ref, atol=1e-10)
    for s, name in enumerate(SIDES):
        assert res.inflow_m3[-1, s] == pytest.approx(inflow_ref[name], rel=1e-7, abs=1e-14), name
    assert res.relative_balance_error < 1e-10
    # every kind moved water: lateral head inflow, top infiltration, side outflow, drainage
    assert res.totals["inflow_top_m3"] > 0 and res.totals["inflow_y_max_m3"] < 0 and res.totals["inflow_bottom_m3"] < 0


def test_tables_agree_with_analytic_functions() -> None:
    """The 1-D kernel's Hermite tables of van Genuchten give the same block within their error."""
    block, h0 = small_block()
    loam_tab = texture_material("Loam")
    assert loam_tab.tabulate
    opts = BlockOptions(dt_initial_s=60.0, dt_max_s=600.0, tol_h_m=1e-9, tol_h_rel=0.0, tol_theta=1e-9, max_iter=60,
                        iter_low=40, iter_high=55)
    res_a = run_block(block, h0, [3600.0], options=opts)
    block.materials = [loam_tab, block.materials[1]]
    res_t = run_block(block, h0, [3600.0], options=opts)
    assert np.abs(res_t.h_m - res_a.h_m).max() < 1e-4
    assert np.abs(res_t.theta - res_a.theta).max() < 1e-6
    assert res_t.relative_balance_error < 1e-10


def test_rain_on_a_desealed_square_spreads_under_sealed_cells() -> None:
    """Rain above the conductivity on the middle of a sealed top: the faces flood and run off,
    rain = infiltration + runoff, water moves laterally under the sealed cells, the result is
    mirror-symmetric, and the balance closes."""
    soil = texture_material("Loam")  # Ks = 10.4 mm/h
    n = 7
    rain = np.full((n, n), np.nan)
    rain[2:5, 2:5] = 30.0e-3 / 3600.0  # 30 mm/h on the de-sealed square; NaN: sealed
    block = Block(nx=n, ny=n, nz=10, dx_m=1.0, dy_m=1.0, dz_m=0.1, materials=[soil],
                  sides={"top": Side("rain", rain), "bottom": Side("free_drainage")})
    res = run_block(block, -2.0, [1800.0, 3600.0, 7200.0], options=BlockOptions(dt_max_s=300.0))
    assert res.relative_balance_error < 1e-10
    t = res.totals
    assert t["rain_m3"] == pytest.approx(9 * 30.0e-3 * 2, rel=1e-9)  # 9 m2, 30 mm/h, two hours
    assert t["runoff_m3"] > 0.0
    assert t["rain_m3"] - t["runoff_m3"] == pytest.approx(t["inflow_top_m3"], rel=1e-9)
    wet = res.theta[-1] - float(soil.theta(-2.0))
    assert wet[1, 3, 1] > 1e-4  # under the sealed cell next to the square (0.1-0.2 m deep)
    assert wet[1, 3, 0] < wet[1, 3, 1]
    np.testing.assert_allclose(res.h_m[-1], res.h_m[-1][:, ::-1, :], atol=1e-6)
    np.testing.assert_allclose(res.h_m[-1], np.transpose(res.h_m[-1], (0, 2, 1)), atol=1e-6)


def test_rain_below_the_conductivity_does_not_run_off() -> None:
    """100 mm/h on dry sand (Ks = 297 mm/h at -5 m): the dry surface cell first conducts little,
    but the soil takes all the rain (the flooded-face test compares the rain with what the soil
    takes at the pond head, not a head extrapolated with the dry cell's conductivity); on Clay
    (Ks = 2 mm/h) the same rain runs off, never negative."""
    for texture, h0, expect_runoff in (("Sand", -5.0, False), ("Clay", -1.0, True)):
        soil = texture_material(texture)
        block = Block(nx=3, ny=3, nz=20, dx_m=1.0, dy_m=1.0, dz_m=0.05, materials=[soil],
                      sides={"top": Side("rain", 100.0e-3 / 3600.0), "bottom": Side("free_drainage")})
        res = run_block(block, h0, [1800.0, 3600.0])
        assert res.relative_balance_error < 1e-10
        assert np.all(res.runoff_m3 >= 0.0)
        if expect_runoff:
            assert res.totals["runoff_m3"] > 0.5 * res.totals["rain_m3"]
        else:
            assert res.totals["runoff_m3"] == 0.0 and res.totals["inflow_top_m3"] == pytest.approx(0.9, rel=1e-9)


def test_storm_then_dry_spell_continues_the_state() -> None:
    """A second run from the first one's state starts from its exact stored water (the carried
    water content, not theta(h)), so the balance over both runs closes to 1e-10."""
    soil = texture_material("Loam")
    block = Block(nx=4, ny=3, nz=8, dx_m=1.0, dy_m=1.0, dz_m=0.1, materials=[soil],
                  sides={"top": Side("rain", 30.0e-3 / 3600.0), "bottom": Side("free_drainage")})
    storm = run_block(block, -1.0, [3600.0])
    block.sides = {"top": Side("flux", -2.0e-3 / 86400.0), "bottom": Side("free_drainage")}  # 2 mm/day evaporation
    dry = run_block(block, storm.state, [7200.0], t_start_s=3600.0)
    assert storm.totals["runoff_m3"] > 0
    assert dry.totals["storage_start_m3"] == storm.totals["storage_end_m3"]
    change = dry.totals["storage_end_m3"] - storm.totals["storage_start_m3"]
    inflow = storm.boundary_inflow_m3 + dry.boundary_inflow_m3
    assert abs(change - inflow) < 1e-10 * abs(storm.boundary_inflow_m3)
    assert dry.totals["inflow_top_m3"] == pytest.approx(-12 * 2.0e-3 / 24.0, rel=1e-9)
    with pytest.raises(InputError):
        run_block(Block(nx=2, ny=2, nz=2, dx_m=1.0, dy_m=1.0, dz_m=0.1, materials=[soil]), storm.state, [10.0])


# ----------------------------------------------------------------------------- bad input


def test_bad_blocks_are_clear_errors() -> None:
    soil = texture_material("Loam")
    with pytest.raises(ResourceLimitError, match="limit") as err:
        Block(nx=400, ny=400, nz=60, dx_m=0.5, dy_m=0.5, dz_m=0.05, materials=[soil])
    assert f"{MAX_CELLS:,}" in str(err.value)
    with pytest.raises(InputError) as err:
        Block(nx=0, ny=2, nz=2, dx_m=1.0, dy_m=1.0, dz_m=0.1, materials=[soil])
    assert err.value.field == "nx"
    with pytest.raises(InputError) as err:
        Block(nx=2, ny=2, nz=2, dx_m=1.0, dy_m=1.0, dz_m=[0.1, 0.2, 0.3], materials=[soil])
    assert err.value.field == "dz_m"
    with pytest.raises(InputError):
        Block(nx=2, ny=2, nz=2, dx_m=1.0, dy_m=1.0, dz_m=0.1, materials=[soil], sides={"left": Side("head", 0.0)})
    with pytest.raises(InputError, match="top only"):
        Block(nx=2, ny=2, nz=2, dx_m=1.0, dy_m=1.0, dz_m=0.1, materials=[soil], sides={"bottom": Side("rain", 1e-6)})
    block = Block(nx=2, ny=2, nz=2, dx_m=1.0, dy_m=1.0, dz_m=0.1, materials=[soil], sides={"top": Side("head", np.zeros((3, 2)))})
    with pytest.raises(InputError, match="shape") as err:
        run_block(block, -1.0, [10.0])
    assert err.value.obj == "top"
    block.sides = {"top": Side("head", 0.0)}
    with pytest.raises(InputError) as err:
        run_block(block, np.full((2, 2, 2), np.nan), [10.0])
    assert err.value.field == "h_initial_m"
    with pytest.raises(InputError) as err:
        run_block(block, -1.0, [10.0, 5.0])
    assert err.value.field == "output_times_s"
