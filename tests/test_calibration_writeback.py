"""Calibrated values into the scene (source 'calibrated'), through a saved scene, into every later run and Monte Carlo band."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from twin.errors import InputError, SchemaError, TwinWarning

N = 12


@pytest.fixture(scope="module")
def calibrated():
    from tests.conftest import DATA_SAMPLES
    from twin.calibration.calibrate import calibrate_buildings
    from twin.calibration.forward import ForwardModel
    from twin.calibration.meters import read_meters
    from twin.calibration.parameters import load_calibration_priors
    from twin.calibration.synthetic import calendar_layout, noisy
    from twin.calibration.writeback import building_table, write_back
    from twin.energy.stock import prepare_stock
    from twin.ingest import ingest

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        scene, _ = ingest([DATA_SAMPLES / "stgilles_buildings_osm2013.geojson", DATA_SAMPLES / "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"])
    b = scene.buildings
    scene.set_layer("buildings", b[b["use"] == "residential"].iloc[:N])
    prep = prepare_stock(scene)
    months = calendar_layout(prep.drivers, "MS")
    fm = ForwardModel(prep.envelope, prep.drivers, months, np.full(N, "gas"), conventions=prep.conventions, factors=prep.factors,
                      shade=prep.shade_factor)
    priors = load_calibration_priors()[0]
    rng = np.random.default_rng(21)
    truth = priors.values_from_z(priors.sample_z(rng, N))
    m = fm.predict(np.arange(N), truth)
    while np.isnan(m).any():  # a draw the 5R1C network cannot take (conductance beyond its limits) is drawn again
        bad = np.isnan(m).any(axis=1)
        truth[bad] = priors.values_from_z(priors.sample_z(rng, int(bad.sum())))
        m = fm.predict(np.arange(N), truth)
    y = noisy(m, rng)
    ids = prep.envelope["building_id"].astype(str).to_numpy()
    rows = [{"building_id": ids[i], "carrier": "gas", "start": months.start[p].isoformat(), "end": months.end[p].isoformat(), "kwh": y[i, p]}
            for i in range(N) for p in range(12)]
    md = read_meters(pd.DataFrame(rows), building_ids=ids)
    cal = calibrate_buildings(scene, md, prepared=prep, seed=4)
    new = write_back(scene, building_table(cal))
    return scene, new, prep, cal, truth, y, ids, fm


def test_columns_sources_and_supports(calibrated):
    from twin.calibration.writeback import calibration_table
    from twin.energy.calibrated import PARAMETERS

    scene, new, prep, cal, truth, y, ids, fm = calibrated
    t = calibration_table(new)
    assert len(t) == N and (t["calib_kind"] == "building").all()
    for p in PARAMETERS:
        assert (t[f"calib_{p}_source"] == "calibrated").all()
        assert (t[f"calib_{p}_low"] <= t[f"calib_{p}_p5"]).all() and (t[f"calib_{p}_p5"] <= t[f"calib_{p}"]).all()
        assert (t[f"calib_{p}"] <= t[f"calib_{p}_p95"]).all() and (t[f"calib_{p}_p95"] <= t[f"calib_{p}_high"]).all()
    # the scene's own attributes keep their sources
    assert set(new.buildings["n_storeys_source"]) <= {"data", "inferred", "default"}


def test_calibration_survives_a_saved_scene(calibrated, tmp_path):
    from twin.export.layers import write_scene
    from twin.scene.io import read_scene

    scene, new, *_ = calibrated
    write_scene(new, tmp_path / "s")
    back = read_scene(tmp_path / "s")
    cols = [c for c in back.buildings.columns if c.startswith("calib_")]
    assert len(cols) >= 40
    pd.testing.assert_frame_equal(pd.DataFrame(back.buildings[cols]).reset_index(drop=True), pd.DataFrame(new.buildings[cols]).reset_index(drop=True),
                                  check_dtype=False)


def test_central_run_uses_the_posterior_medians(calibrated):
    """The stock model of the calibrated scene = the calibration's forward model at the medians (an exact identity)."""
    from twin.energy.calibrated import PARAMETERS
    from twin.energy.stock import prepare_stock, simulate_prepared

    scene, new, prep, cal, truth, y, ids, fm = calibrated
    p2 = prepare_stock(new)
    assert p2.base_envelope is not None
    pd.testing.assert_frame_equal(p2.base_envelope.drop(columns=[c for c in p2.base_envelope if c.endswith("_source")]),
                                  prep.envelope.drop(columns=[c for c in prep.envelope if c.endswith("_source")]), check_dtype=False)
    med = new.buildings.set_index("building_id").loc[ids, [f"calib_{p}" for p in PARAMETERS]].to_numpy()
    np.testing.assert_allclose(p2.envelope["u_wall_w_m2k"].to_numpy(), prep.envelope["u_wall_w_m2k"].to_numpy() * med[:, 0])
    assert (p2.envelope["u_wall_w_m2k_source"] == "calibrated").all()
    run = simulate_prepared(p2)
    gas = run.accounts.set_index("building_id").loc[ids, "gas_kwh"].to_numpy()
    np.testing.assert_allclose(gas, fm.predict(np.arange(N), med).sum(axis=1), rtol=1e-9)


def test_monte_carlo_draws_the_posterior_and_the_band_shrinks(calibrated):
    from twin.energy.priors import load_priors
    from twin.energy.sampled import simulate_samples
    from twin.energy.stock import prepare_stock, simulate_prepared
    from twin.energy.stock_samples import draw_stock_samples

    scene, new, prep, cal, truth, y, ids, fm = calibrated
    priors = load_priors()
    s0 = draw_stock_samples(scene, priors, 60, 9)
    s1 = draw_stock_samples(new, priors, 60, 9)
    # a building calibrated to its own meter keeps its attributes; its parameters vary with the posterior
    assert (s1.n_storeys == s1.n_storeys[0]).all() and (s1.period == s1.period[0]).all()
    assert s1.calibrated["h_tr_factor"].std(axis=0).min() > 0
    q = cal.summary.set_index("building_id").loc[ids]
    inside = (s1.calibrated["h_tr_factor"] >= q["h_tr_factor_p5"].to_numpy() * 0.999) & (s1.calibrated["h_tr_factor"] <= q["h_tr_factor_p95"].to_numpy() * 1.001)
    assert 0.75 <= inside.mean() <= 0.99
    p2 = prepare_stock(new)
    t0 = simulate_samples(scene, prep, s0, fallback=simulate_prepared(prep).accounts)
    t1 = simulate_samples(new, p2, s1, fallback=simulate_prepared(p2).accounts)
    w0 = np.percentile(t0["final_energy_kwh"], 95) - np.percentile(t0["final_energy_kwh"], 5)
    w1 = np.percentile(t1["final_energy_kwh"], 95) - np.percentile(t1["final_energy_kwh"], 5)
    measured = y.sum()
    print(f"final energy band: priors {w0:,.0f} kWh wide, calibrated {w1:,.0f} kWh wide; measured {measured:,.0f}, calibrated band "
          f"[{np.percentile(t1['final_energy_kwh'], 5):,.0f}, {np.percentile(t1['final_energy_kwh'], 95):,.0f}]")
    assert w1 < 0.25 * w0
    assert np.percentile(t1["final_energy_kwh"], 1) <= measured * 1.02 and measured * 0.98 <= np.percentile(t1["final_energy_kwh"], 99)


def test_group_calibration_moves_the_group_together():
    from twin.calibration.group import GroupPosterior
    from twin.calibration.writeback import group_table
    from twin.energy.calibrated import draw_calibrated

    post = GroupPosterior(np.zeros(3), np.ones(3) / 3, 0.8, 0.7, 0.9, -0.5, 0.3, (0.3, 1.5), 100.0)
    t = group_table(["a", "b", "c"], "residential", post, "test")
    b = pd.DataFrame({"building_id": ["a", "b", "c", "d"]}).merge(t, how="left")
    values, kind = draw_calibrated(b, ["a", "b", "c", "d"], 50, 1, 7)
    h = values["h_tr_factor"]
    assert list(kind) == ["group", "group", "group", ""]
    assert np.all(h[:, 0] == h[:, 1]) and np.all(h[:, 1] == h[:, 2]) and np.isnan(h[:, 3]).all()
    assert ((h[:, 0] >= 0.3) & (h[:, 0] <= 1.5)).all() and h[:, 0].std() > 0
    assert np.isnan(values["heating_setpoint_c"]).all()


def test_apply_calibration_refuses_other_scenes_and_unknown_columns(calibrated):
    from twin.calibration.writeback import apply_calibration, calibration_table

    scene, new, *_ = calibrated
    t = calibration_table(new)
    with pytest.raises(InputError, match="not in the scene"):
        apply_calibration(scene, t.assign(building_id="elsewhere"))
    with pytest.raises(SchemaError, match="unknown calibration column 'calib_u'"):
        apply_calibration(scene, t.assign(calib_u=1.0))
    with pytest.raises(SchemaError, match="calib_kind must be building or group"):
        apply_calibration(scene, t.assign(calib_kind="street"))
    again = apply_calibration(scene, t)
    assert (again.buildings["calib_kind"] == "building").all()


def test_group_conditional_survives_a_saved_scene_and_bad_columns_fall_back(calibrated, tmp_path):
    """What a run needs to draw a class-calibrated group's shift given its own samples travels with the
    scene (GeoPackage); unreadable columns leave the group to the marginal posterior."""
    from twin.calibration.group import GroupPosterior
    from twin.calibration.writeback import group_table, write_back
    from twin.energy.calibrated import group_conditionals
    from twin.export.layers import write_scene
    from twin.scene.io import read_scene

    scene, new, prep, cal, truth, y, ids, fm = calibrated
    post = GroupPosterior(np.zeros(3), np.ones(3) / 3, 0.8, 0.7, 0.9, -0.5, 0.3, (0.3, 1.5), 100.0)
    cond = {"targets": [{"target": "d_or_worse", "classes": ["D", "E", "F", "G"], "share": 0.85, "sd": 0.025, "relation": "about"}],
            "prior_mu": 0.0, "prior_sd": 0.3, "node_low": -0.8, "node_high": 0.1}
    grouped = write_back(scene, group_table(ids[:6], "residential", post, "classes", cond))
    write_scene(grouped, tmp_path / "s.gpkg")
    g = group_conditionals(read_scene(tmp_path / "s.gpkg").buildings, ids)["residential"]
    assert g["targets"] == cond["targets"] and (g["prior_mu"], g["prior_sd"], g["node_low"], g["node_high"]) == (0.0, 0.3, -0.8, 0.1)
    assert (g["low"], g["high"]) == (0.3, 1.5) and list(g["members"]) == [True] * 6 + [False] * (len(ids) - 6)
    b = grouped.buildings.copy()
    b["calib_group_targets"] = b["calib_group_targets"].where(b["calib_group_targets"].isna(), "{not json")
    assert group_conditionals(b, ids) == {}
