"""The report's calibration section (twin.scenario.report_calibration): bands before and after calibration side by side."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from twin.scenario.report_calibration import calibration_section, calibration_summary, width_table


def _kpis(scale_base: float, scale_delta: float) -> pd.DataFrame:
    rows = []
    for w in ("wave", "parvis"):
        for kpi, base, delta in (("heating_need_mwh", 1000.0, -100.0), ("floor_area_class_d_or_worse_pct", 90.0, -20.0), ("investment_keur", 0.0, 5.0)):
            d = delta if w == "wave" else 0.0
            rows.append({"whatif": w, "domain": "energy", "kpi": kpi, "baseline": base, "whatif_value": base + d, "delta": d,
                         "baseline_p_lo": base - 100 * scale_base, "baseline_p_hi": base + 100 * scale_base,
                         "delta_p_lo": d - 10 * scale_delta, "delta_p_hi": d + 10 * scale_delta})
    rows.append({"whatif": "wave", "domain": "traffic", "kpi": "am_peak_co2_kg", "baseline": 1.0, "whatif_value": 1.0, "delta": 0.0,
                 "baseline_p_lo": 0.0, "baseline_p_hi": 2.0, "delta_p_lo": 0.0, "delta_p_hi": 0.0})
    return pd.DataFrame(rows)


def _comparison(calibration: str | None, kpis: pd.DataFrame, buildings: pd.DataFrame | None = None):
    sc = SimpleNamespace(inputs=SimpleNamespace(calibration=calibration), uncertainty=SimpleNamespace(percentiles=(5.0, 95.0), samples=100))
    scene = None if buildings is None else SimpleNamespace(buildings=buildings)
    return SimpleNamespace(scenario=sc, kpis=kpis, baseline_scene=scene, stock_samples=None)


def test_width_table_baseline_once_and_change():
    t = width_table(_kpis(1.0, 1.0), _kpis(0.25, 0.5))
    heat = t[t["kpi"] == "heating_need_mwh"]
    assert heat["part"].tolist() == ["baseline", "delta", "delta"]  # the baseline once, a delta per what-if
    base = heat.iloc[0]
    assert base["before_width"] == pytest.approx(200.0) and base["after_width"] == pytest.approx(50.0) and base["change_pct"] == pytest.approx(-75.0)
    d = heat[heat["whatif"] == "wave"].iloc[0]
    assert d["before_width"] == pytest.approx(20.0) and d["change_pct"] == pytest.approx(-50.0)
    assert "investment_keur" not in set(t["kpi"]) and "am_peak_co2_kg" not in set(t["kpi"])
    # a what-if that changes no energy KPI (zero bands before and after) has no delta row
    zero = _kpis(1.0, 1.0)
    zero.loc[zero["whatif"] == "parvis", ["delta_p_lo", "delta_p_hi"]] = 0.0
    assert width_table(zero, zero)["whatif"].tolist().count("parvis") == 0
    with pytest.raises(ValueError, match="no band column 'delta_p_hi'"):
        width_table(_kpis(1, 1).drop(columns="delta_p_hi"), _kpis(1, 1))


def test_section_calibrated_run_with_its_uncalibrated_counterpart():
    b = pd.DataFrame({"building_id": ["a", "b", "c"], "calib_kind": ["building", "building", None], "calib_method": ["laplace-is", "laplace-is", None],
                      "calib_h_tr_factor": [0.8, 1.0, np.nan], "calib_h_tr_factor_p5": [0.7, 0.9, np.nan], "calib_h_tr_factor_p95": [0.9, 1.1, np.nan]})
    s = calibration_summary(SimpleNamespace(buildings=b))
    assert s["kinds"] == {"building": 2} and s["parameters"]["h_tr_factor"] == pytest.approx((0.8, 0.9, 1.0))
    html = calibration_section(_comparison("calibration.parquet", _kpis(0.25, 0.5), b), _kpis(1.0, 1.0))
    assert html.startswith("<section id='calibration'>") and html.endswith("</section>")
    assert "2 buildings to their own meters" in html and "calibration.parquet" in html
    assert html.count("<tr>") == 2 + 1 + 2 * 3  # two header rows; one parameter; per KPI its baseline and a delta per what-if
    assert "-75 %" in html and "-50 %" in html


def test_section_uncalibrated_run():
    html = calibration_section(_comparison(None, _kpis(1.0, 1.0)))
    assert "not calibrated" in html and "twin calibrate" in html
    assert "were not given" not in html  # no counterpart to ask for when there is no calibration (tests/test_report_other_scenarios.py)
    # an uncalibrated run with the calibrated counterpart: the run's bands are the "before"
    html = calibration_section(_comparison(None, _kpis(1.0, 1.0)), _kpis(0.25, 0.5))
    assert "-75 %" in html


def test_calibrated_run_and_its_counterpart_end_to_end(tmp_path):
    """A scenario calibrated to synthetic monthly gas readings of every building (truth from the
    calibration priors, the documented noise), 8 samples: the counterpart (the same scenario
    without the calibration, energy only) has the wider bands, and the section says so."""
    import warnings

    from tests.scenario_helpers import BOX_100M, EPW, write_small_district
    from twin.calibration.calibrate import calibrate_buildings
    from twin.calibration.forward import ForwardModel
    from twin.calibration.meters import read_meters
    from twin.calibration.parameters import load_calibration_priors
    from twin.calibration.synthetic import calendar_layout, noisy
    from twin.calibration.writeback import building_table
    from twin.energy.stock import prepare_stock
    from twin.errors import TwinWarning
    from twin.ingest import ingest
    from twin.scenario.report_calibration import counterpart_kpis
    from twin.scenario.runner import run_scenario
    from twin.scenario.schema import parse_scenario

    buildings = write_small_district(tmp_path, BOX_100M)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        scene, _ = ingest([buildings, EPW])
    prep = prepare_stock(scene)
    env = prep.envelope
    n = len(env)
    rng = np.random.default_rng(3)
    months = calendar_layout(prep.drivers, "MS")
    fm = ForwardModel(env, prep.drivers, months, np.full(n, "gas"), conventions=prep.conventions, factors=prep.factors, shade=prep.shade_factor)
    cp = load_calibration_priors()[0]
    truth = cp.values_from_z(cp.sample_z(rng, n))
    m = fm.predict(np.arange(n), truth)
    keep = ~np.isnan(m).any(axis=1)
    ids = env["building_id"].astype(str).to_numpy()[keep]
    y = noisy(m[keep], rng)
    p, s = np.meshgrid(np.arange(12), np.arange(len(ids)))
    meters = pd.DataFrame({"building_id": ids[s.ravel()], "carrier": "gas", "start": [t.isoformat() for t in months.start[p.ravel()]],
                           "end": [t.isoformat() for t in months.end[p.ravel()]], "kwh": y.ravel()})
    cal = calibrate_buildings(scene, read_meters(meters, building_ids=scene.buildings["building_id"].astype(str)), prepared=prep, seed=1)
    building_table(cal).to_parquet(tmp_path / "calibration.parquet")
    doc = {"name": "calibrated", "inputs": {"files": [str(buildings)], "weather": str(EPW), "calibration": "calibration.parquet"},
           "domains": ["energy"], "uncertainty": {"samples": 8, "seed": 5},
           "whatifs": [{"name": "walls", "modifications": [{"op": "renovate", "select": {"fraction": 1.0}, "measures": ["wall_insulation"]}]}]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TwinWarning)
        run = run_scenario(parse_scenario(doc), base_dir=tmp_path)
        before = counterpart_kpis(run, base_dir=tmp_path)
    t = width_table(before, run.kpis).set_index(["kpi", "part"])
    print(t.round(2).to_string())
    for kpi in ("heating_need_mwh", "primary_energy_mwh"):
        for part in ("baseline", "delta"):
            assert t.loc[(kpi, part), "after_width"] < 0.5 * t.loc[(kpi, part), "before_width"], (kpi, part)
    html = calibration_section(run, before)
    assert f"{int(keep.sum())} buildings to their own meters" in html and "Heating need" in html
    # the run itself carries the bands with the priors alone (kpis.csv: uncalibrated_*), equal to the counterpart's,
    # and the report's section draws them without being handed the counterpart
    from twin.scenario.report_calibration import PRIOR_COLUMNS, prior_kpis

    assert set(PRIOR_COLUMNS) <= set(run.kpis.columns)
    m = prior_kpis(run.kpis).merge(before, on=["whatif", "domain", "kpi"], suffixes=("", "_cp"))
    assert len(m) == int((before["domain"] == "energy").sum())
    for c in ("baseline", "delta", "baseline_p_lo", "baseline_p_hi", "delta_p_lo", "delta_p_hi"):
        np.testing.assert_allclose(m[c].to_numpy(float), m[f"{c}_cp"].to_numpy(float), rtol=1e-12)
    assert calibration_section(run) == html
