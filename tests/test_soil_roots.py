"""Root water uptake (Feddes et al. 1978 with a root-density profile) against plain references.

* the kernel's stress response against the NumPy reference written from the published
  piecewise-linear curve (``ref_feddes_alpha``), at the same heads, to 1e-6 relative;
* one Picard step with the sink, and whole runs of random columns with roots and a potential
  transpiration, against the plain-Python reference scheme of ``test_soil_reference`` extended
  with the sink (1e-10, as the kernel without roots);
* a column drying under a constant potential transpiration: the actual transpiration rate the
  kernel reports at each output time equals ``sum V alpha(h) b Tp`` evaluated by the NumPy
  reference at the heads the kernel reports at that time (1e-6 relative): the reduction curve
  HYDRUS-1D documents (no stress while h > h3, falling to zero at h4);
* root-density profiles normalised on any grid.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.test_soil_reference import (
    _assert_heads_agree,
    _props_for,
    _random_case,
    _random_material,
    make_ref_step,
    ref_column,
    ref_feddes_alpha,
)
from twin.errors import InputError
from twin.kernels import soil_hydraulics as H
from twin.kernels import soil_richards as R
from twin.kernels import soil_roots as K
from twin.soil.hydraulics import texture_material
from twin.soil.roots import MM_DAY, FeddesParameters, root_density
from twin.soil.solver import Forcing, Profile, SolverOptions, build_tables, layered_profile, run_richards

GRASS = FeddesParameters()  # Wesseling et al. (1991), HYDRUS-1D's grass
TREE = FeddesParameters(h1_m=0.0, h2_m=-0.01, h3h_m=-5.0, h3l_m=-8.0, h4_m=-150.0, r2h_mm_day=5.0, r2l_mm_day=1.0)


@pytest.mark.parametrize("fed", [GRASS, TREE], ids=["grass", "tree"])
@pytest.mark.parametrize("tp_mm_day", [0.0, 0.5, 1.0, 2.5, 4.0, 5.0, 8.0])
def test_kernel_stress_response_matches_the_numpy_reference(fed, tp_mm_day):
    heads = np.concatenate([-np.logspace(-4, 3, 3000), [0.0, 0.5, fed.h1_m, fed.h2_m, fed.h3h_m, fed.h3l_m, fed.h4_m]])
    tp = tp_mm_day * MM_DAY
    row = fed.row()
    got = np.array([K.feddes_alpha(h, K.feddes_h3(tp, row), row) for h in heads])
    want = ref_feddes_alpha(heads, tp, fed)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=0.0)
    np.testing.assert_allclose(fed.alpha(heads, tp), want, rtol=1e-6, atol=0.0)  # the Python-side twin
    assert got.max() == 1.0 and got.min() == 0.0
    # the published shape: no uptake when too wet or below wilting, full uptake in between
    assert K.feddes_alpha(fed.h1_m + 0.01, 0.5 * (fed.h3h_m + fed.h3l_m), row) == 0.0
    assert K.feddes_alpha(fed.h4_m - 1.0, fed.h3h_m, row) == 0.0


def test_one_step_with_roots_matches_the_reference():
    """The kernel's step with the sink against the reference step, from random states under a
    random demand, iterated close to the fixed point (as the step test without roots)."""
    rng = np.random.default_rng(23)
    options = SolverOptions(tol_h_m=1e-10, tol_h_rel=0.0, tol_theta=1e-12, tol_dry_theta=0.0, max_iter=200)
    opts = options.to_array()
    checked = stressed = 0
    for case in range(200):
        mats = [_random_material(rng, i) for i in range(3)]
        params, table = build_tables(mats)
        props = _props_for(mats, True, opts)
        n = int(rng.integers(6, 16))
        z = np.concatenate([[0.0], np.cumsum(rng.uniform(0.02, 0.1, n - 1))])
        mat = np.sort(rng.integers(0, 3, n)).astype(np.int64)
        node_mats = [mats[i] for i in mat]
        root = root_density(z, float(rng.uniform(0.05, 1.2) * z[-1]), shape=str(rng.choice(["hoffman_van_genuchten", "uniform"])))
        fed = GRASS if rng.random() < 0.5 else TREE
        pond = bool(rng.random() < 0.5)
        bottom = int(rng.integers(0, 3))
        bottom_head = -float(10 ** rng.uniform(-1, 0.5))
        h_old = -(10 ** rng.uniform(-1.5, 2.0)) * np.exp(rng.normal(0, 0.3, n)).cumprod() ** 0.2
        solve, state, _, vol = make_ref_step(z, node_mats, opts, props, pond=pond, bottom=bottom, bottom_head=bottom_head,
                                             root=root, fed=fed)
        th, cap, kn = state(h_old)
        w_old = th.copy()
        dt = float(10 ** rng.uniform(1, 3.5))
        tp = float(rng.uniform(0.2, 8.0)) * MM_DAY
        dirichlet = bool(rng.random() < 0.3)
        top_value = float(rng.uniform(-5.0, -0.5)) if dirichlet else float(rng.uniform(0.0, 3e-6))
        conv, iters, h_ref, _, _, _, w_ref, q_top, q_bot, ta = solve(h_old, w_old, th, cap, kn, dt, dirichlet, top_value, tp)
        work = np.zeros((R.N_WORK, n))
        dz = np.diff(z)
        h_k, theta_k, cap_k, kn_k, kf, w_k, sink, dsink, cap_sink = (np.zeros(n) for _ in range(9))
        n_root = int(np.flatnonzero(root > 0).max()) + 1
        theta_wilt = np.array([H.material_state_at(fed.h4_m, params, table, m)[0] for m in mat])
        out = R._solve_step(
            R.ColumnGrid(n, vol, dz, 1.0 / dz, mat, params, table, pond),
            R.StepState(h_old.copy(), w_old.copy(), th.copy(), cap.copy(), kn.copy(), h_k, theta_k, cap_k, kn_k, kf, w_k),
            R.StepBoundary(dirichlet, top_value, bottom, bottom_head),
            R.StepRoots(root, n_root, tp, fed.row(), theta_wilt, sink, dsink, cap_sink),
            dt, opts, R.StepScratch(work[0], work[1], work[2], work[3], work[4], work[5], work[6]),
        )
        assert out[0] == conv, case
        if not conv:
            continue
        # the lagged sink slows the approach to the tight fixed point near the kinks of alpha:
        # round-off may shift the count of a long iteration by a few
        assert abs(out[1] - iters) <= max(1, 0.1 * iters), case
        water = max(float(np.sum(vol * w_old)), abs(q_top) * dt, abs(q_bot) * dt, tp * dt)
        assert abs(out[4] - ta) * dt <= 1e-10 * water, case
        assert abs(out[2] - q_top) * dt <= 1e-10 * water and abs(out[3] - q_bot) * dt <= 1e-10 * water, case
        assert np.abs((w_k - w_ref) * vol).max() <= 1e-10 * water, case
        _assert_heads_agree(h_k, h_ref, node_mats)
        # the step's own balance: storage change = inflow - outflow - uptake
        assert abs(np.sum(vol * (w_k - w_old)) - dt * (out[2] - out[3] - out[4])) <= 1e-12 * water, case
        checked += 1
        stressed += out[4] < 0.99 * tp
    assert checked > 150 and stressed > 20


@pytest.mark.parametrize("seed", list(range(1, 7)))
def test_kernel_with_roots_matches_reference_on_random_columns(seed: int) -> None:
    """Whole runs with roots, transpiration and evaporation, as the runs without roots."""
    mats, profiles, col_prof, forcing, top, bottom, h0, bottom_head, rain_factor, out_times = _random_case(seed)
    rng = np.random.default_rng(100 + seed)
    rooted = [Profile(p.z_m, p.material, root_density(p.z_m, float(rng.uniform(0.1, 1.0)) * p.z_m[-1])) for p in profiles]
    tp = rng.uniform(0.0, 6.0, len(forcing.rain_m_s)) * MM_DAY
    forcing = Forcing(forcing.t_edges_s, forcing.rain_m_s, forcing.evaporation_m_s, forcing.top_head_m, transpiration_m_s=tp)
    options = SolverOptions(dt_max_s=1800.0, chunk=2)
    res = run_richards(rooted, mats, col_prof, h0, forcing, top=top, bottom=bottom, bottom_head_m=bottom_head,
                       rain_factor=rain_factor, output_times_s=out_times, options=options, feddes=GRASS)
    opts = options.to_array()
    props = _props_for(mats, True, opts)
    flipped = 0
    for j in range(len(col_prof)):
        p = rooted[col_prof[j]]
        node_mats = [mats[i] for i in p.material]
        h, tot, cum, _ = ref_column(
            p.z_m, node_mats, forcing, opts, np.full(p.n_nodes, h0[j]), top=top[j], bottom=bottom[j],
            bottom_head=bottom_head[j], rain_factor=rain_factor[j], out_times=out_times, props=props,
            root=p.root_density_per_m, fed=GRASS,
        )
        got = res.totals[j]
        same = got[R.F_STEPS] == tot["steps"] and got[R.F_ITERS] == tot["iters"] and got[R.F_REJECTS] == tot["rejects"]
        flipped += not same
        tol = 1e-10 if same else 1e-4
        water = max(tot["storage0"], tot["storage1"], tot["rain"], abs(tot["infil"]), abs(tot["drain"]), tot["transp_pot"])
        for key, idx in [("infil", R.F_INFIL), ("drain", R.F_DRAIN), ("transp", R.F_TRANSP), ("transp_pot", R.F_TRANSP_POT),
                         ("storage1", R.F_STORAGE1), ("evap", R.F_EVAP), ("runoff", R.F_RUNOFF)]:
            assert abs(got[idx] - tot[key]) <= tol * water, (j, key)
        np.testing.assert_allclose(res.cumulative_m[:, j, :7], cum, rtol=0, atol=tol * water)
        if same:
            _assert_heads_agree(res.h_final_m[j, : p.n_nodes], h, node_mats)
    assert flipped <= 1
    assert np.all(np.abs(res.balance_error_m) <= 1e-12 * np.maximum(1.0, res.potential_transpiration_m))
    assert res.transpiration_m.sum() > 0


def test_reduction_curve_of_a_drying_column_under_constant_demand():
    """Loam, 1 m, grass roots to 0.6 m, no rain, zero-flux bottom, Tp = 5 mm/day for 60 days: at
    every day the kernel's uptake rate equals the NumPy reference at the kernel's heads."""
    loam = texture_material("Loam").with_air_entry(-0.02)
    prof = layered_profile([(0.0, 1.0, 0)], dz_m=0.02)
    prof = Profile(prof.z_m, prof.material, root_density(prof.z_m, 0.6))
    days = 60
    edges = np.array([0.0, days * 86400.0])
    tp = 5.0 * MM_DAY
    forcing = Forcing(edges, [0.0], [0.0], transpiration_m_s=[tp])
    times = np.arange(1, days + 1) * 86400.0
    res = run_richards([prof], [loam], [0], -0.5, forcing, bottom="zero_flux", output_times_s=times, feddes=GRASS,
                       options=SolverOptions(h_critical_m=-1000.0))
    rate = res.cumulative_m[:, 0, R.C_TRANSP_RATE]
    vol = prof.node_volume_m
    want = np.array([np.sum(vol * ref_feddes_alpha(res.h_m[o, 0], tp, GRASS) * prof.root_density_per_m * tp)
                     for o in range(days)])
    np.testing.assert_allclose(rate, want, rtol=1e-6, atol=1e-6 * tp)
    ratio = rate / tp
    # the documented behaviour: no stress while the root zone is wetter than h3, then a steady
    # decline towards wilting; the uptake never exceeds the demand
    assert ratio[0] == pytest.approx(1.0, abs=1e-12)
    assert ratio.max() <= 1.0 + 1e-12 and np.all(np.diff(ratio) <= 1e-9)
    assert ratio[-1] < 0.3
    # the water balance of the column closes: what the roots took is what the soil lost
    assert res.storage_change_m[0] == pytest.approx(-res.transpiration_m[0], rel=1e-12)
    assert res.transpiration_m[0] < res.potential_transpiration_m[0] == pytest.approx(tp * days * 86400.0, rel=1e-12)


def test_root_density_is_normalised_on_any_grid():
    for z in (np.linspace(0, 1, 51), np.concatenate([[0.0], np.cumsum(np.geomspace(0.01, 0.2, 25))])):
        for depth in (0.05, 0.3, 0.8, 5.0):
            for shape in ("hoffman_van_genuchten", "uniform"):
                b = root_density(z, depth, shape=shape)
                p = Profile(z, np.zeros(len(z), dtype=int), b)
                assert np.sum(p.node_volume_m * p.root_density_per_m) == pytest.approx(1.0, rel=1e-12)
                assert np.all(b[z > depth + 1e-9] == 0)
    assert not root_density(np.linspace(0, 1, 11), 0.0).any()
    with pytest.raises(InputError):
        root_density(np.linspace(0, 1, 11), 0.5, shape="fibrous")


def test_feddes_parameters_must_be_ordered():
    with pytest.raises(ValueError, match="h4_m"):
        FeddesParameters(h3l_m=-8.0, h4_m=-5.0)
    with pytest.raises(ValueError, match="h2_m"):
        FeddesParameters(h1_m=-0.5, h2_m=-0.1)
    with pytest.raises(InputError, match="Feddes"):
        z = np.linspace(0, 1, 11)
        run_richards([Profile(z, np.zeros(11, dtype=int), root_density(z, 0.5))], [texture_material("Loam")], [0], -1.0,
                     Forcing([0.0, 3600.0], [0.0], transpiration_m_s=[1e-8]))
