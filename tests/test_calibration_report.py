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
    assert "not calibrated" in html and "twin calibrate" in html and "were not given" in html
    # an uncalibrated run with the calibrated counterpart: the run's bands are the "before"
    html = calibration_section(_comparison(None, _kpis(1.0, 1.0)), _kpis(0.25, 0.5))
    assert "-75 %" in html
