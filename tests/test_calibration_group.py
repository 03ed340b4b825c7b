"""Group calibration to aggregates: the grid posterior against a closed form, the class targets, and
Saint-Gilles calibrated to the Region's EPB class distribution of dwellings (acceptance)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from twin.calibration.group import _posterior_from_grid, load_class_targets
from twin.calibration.parameters import ParameterPrior
from twin.errors import SchemaError


def test_grid_posterior_equals_the_conjugate_normal():
    """Normal prior x normal likelihood in log s (support wide enough not to matter): the posterior
    is normal with the textbook mean and variance."""
    prior = ParameterPrior("s", "log", 0.0, 0.3, -3.0, 3.0, "-", "test")
    grid = np.linspace(-3.0, 3.0, 6001)
    obs, sd_obs = -0.4, 0.1
    like = (-0.5 * ((grid - obs) / sd_obs) ** 2)[:, None]
    post, joint = _posterior_from_grid(grid, like, prior)
    var = 1.0 / (1 / 0.3**2 + 1 / sd_obs**2)
    mean = var * (obs / sd_obs**2)
    assert math.log(post.median) == pytest.approx(mean, abs=2e-3)
    assert math.log(post.p5) == pytest.approx(mean - 1.6449 * math.sqrt(var), abs=3e-3)
    assert math.log(post.p95) == pytest.approx(mean + 1.6449 * math.sqrt(var), abs=3e-3)
    assert joint.sum() == pytest.approx(1.0)


def test_packaged_targets_and_bad_tables(tmp_path):
    t = load_class_targets()
    fit = [x for x in t if x.use == "fit"]
    assert len(fit) == 1 and fit[0].classes == ("D", "E", "F", "G") and fit[0].share == 0.85
    assert all(x.source for x in t)
    bad = tmp_path / "t.csv"
    pd.DataFrame({"target": ["x"], "classes": ["D,Q"], "share": [0.5], "sd": [0.1], "use": ["fit"]}).to_csv(bad, index=False)
    with pytest.raises(SchemaError, match="unknown EPB class 'Q'"):
        load_class_targets(bad)
    pd.DataFrame({"target": ["x"], "classes": ["D"], "share": [1.5], "sd": [0.1], "use": ["fit"]}).to_csv(bad, index=False)
    with pytest.raises(SchemaError, match="within \\[0, 1\\]"):
        load_class_targets(bad)
    pd.DataFrame({"target": ["x"], "classes": ["D"], "share": [0.5], "sd": [0.1], "use": ["check"]}).to_csv(bad, index=False)
    with pytest.raises(SchemaError, match="no target with use = fit"):
        load_class_targets(bad)


def test_conditional_draws_equal_the_conjugate_normal():
    """A run's draw of the shift given its sample: with a share linear in log s, a normal target and
    a normal prior, the posterior given the sample is normal (textbook mean and variance); the
    inverse-CDF draws of :func:`conditional_log_shift` follow it."""
    from scipy import stats

    from twin.calibration.group import GRID, conditional_log_shift

    model = {"targets": [{"target": "t", "classes": ["D"], "share": 0.85, "sd": 0.02, "relation": "about"}], "prior_mu": 0.0, "prior_sd": 0.3,
             "node_low": -1.5, "node_high": 1.0}
    grid = np.linspace(model["node_low"], model["node_high"], GRID)
    # two samples: share = 0.85 + 0.2 (log s - c) with c = -0.4 and -0.1 (the log shift each needs)
    c = np.array([-0.4, -0.1])
    shares = {"t": 0.85 + 0.2 * (grid[:, None] - c[None, :])}
    u = (np.arange(4000) + 0.5) / 4000
    sd_x = 0.02 / 0.2
    for j in range(2):
        x = conditional_log_shift({"t": np.repeat(shares["t"][:, [j]], len(u), axis=1)}, model, u)
        var = 1.0 / (1 / 0.3**2 + 1 / sd_x**2)
        mean = var * (c[j] / sd_x**2)
        assert np.mean(x) == pytest.approx(mean, abs=3e-3)
        assert np.std(x) == pytest.approx(np.sqrt(var), rel=0.03)
        assert stats.kstest(x, "norm", args=(mean, np.sqrt(var))).statistic < 0.02


@pytest.fixture(scope="module")
def stgilles():
    """200 dwellings of Saint-Gilles (a seeded random draw: the whole district is in benchmarks/bench_calibration.py)."""
    import warnings

    from tests.conftest import DATA_SAMPLES
    from twin.energy.stock import prepare_stock
    from twin.errors import TwinWarning
    from twin.ingest import ingest

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        scene, _ = ingest([DATA_SAMPLES / "stgilles_buildings_osm2013.geojson", DATA_SAMPLES / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"])
    b = scene.buildings
    res = b[b["use"] == "residential"]
    scene.set_layer("buildings", res.iloc[np.sort(np.random.default_rng(5).choice(len(res), 200, replace=False))])
    return scene, prepare_stock(scene)


def test_interpolation_between_nodes_equals_a_direct_run(stgilles):
    """The class shares between simulated nodes come from interpolated primary energies: a direct run
    of the kernel at a midpoint gives the same shares (within a point)."""
    from twin.calibration.group import StockForward, _interp_pe, class_shares
    from twin.calibration.parameters import load_calibration_priors
    from twin.energy.priors import load_priors

    scene, prep = stgilles
    _, shift, _ = load_calibration_priors()
    res = scene.buildings.loc[scene.buildings["use"] == "residential", "building_id"].astype(str).tolist()
    fwd = StockForward(scene, prep, load_priors(), 8, 3, res)
    _, s_of_row = fwd.rows()
    nodes = np.linspace(shift.low, shift.high, 7)
    pe = np.column_stack([fwd.run(float(x))["primary_energy_kwh_m2"] for x in nodes])
    mid = 0.5 * (nodes[2] + nodes[3])
    direct = fwd.run(float(mid))
    interp = _interp_pe(nodes, pe, np.array([mid]))[:, 0]
    ok = np.all(np.isfinite(pe), axis=1)
    g = direct["group"] & ok
    a = class_shares(direct["primary_energy_kwh_m2"], direct["a_f_m2"], g, s_of_row, 8, ("D", "E", "F", "G"))
    b = class_shares(interp, direct["a_f_m2"], g, s_of_row, 8, ("D", "E", "F", "G"))
    rel = np.nanmedian(np.abs(interp[g] / direct["primary_energy_kwh_m2"][g] - 1))
    print(f"direct {a.round(4)}, interpolated {b.round(4)}, median primary-energy error {rel:.2e}")
    assert np.max(np.abs(a - b)) <= 0.01
    assert rel < 0.01
