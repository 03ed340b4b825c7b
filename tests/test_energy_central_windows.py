"""The central run's windows: the expected glazing over the window prior (twin.energy.central_windows).

Checked against hand values from the packaged prior table (``twin/data/stock_priors.yaml``,
``window``): a single-glazed TABULA type (U 5.0, g 0.75) is kept 25 %, gets 'double' (U 2.9,
g 0.75) 45 % and 'double_low_e' (U 1.8, g 0.62) 30 %; a 1971-1990 type (U >= 2.5) keeps its
glazing 60 % and gets 'double_low_e' 40 %; a newer type is in no group. Then: only the rows whose
window comes from the typology change; a building calibrated to its own meter keeps its window; a
group calibration's factor on the U-values carries over; and on a small Saint-Gilles district the
central heat need moves into the range of the Monte Carlo samples that draw the glazing states,
where the typology's single glazing left it above them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def windows():
    from twin.energy.priors import load_priors

    return load_priors(None).window


def test_expected_values_by_hand_from_the_prior_table(windows):
    from twin.energy.central_windows import expected_window_values

    typ_u = np.array([5.0, 3.5, 2.9, 1.6])
    typ_g = np.array([0.75, 0.75, 0.75, 0.6])
    u, g, grouped = expected_window_values(windows, typ_u, typ_g)
    assert grouped.tolist() == [True, True, True, False]
    assert u[0] == pytest.approx(0.25 * 5.0 + 0.45 * 2.9 + 0.30 * 1.8, rel=1e-12)  # 3.095
    assert g[0] == pytest.approx(0.25 * 0.75 + 0.45 * 0.75 + 0.30 * 0.62, rel=1e-12)
    assert u[1] == pytest.approx(0.6 * 3.5 + 0.4 * 1.8, rel=1e-12)
    assert u[2] == pytest.approx(0.6 * 2.9 + 0.4 * 1.8, rel=1e-12)
    assert g[2] == pytest.approx(0.6 * 0.75 + 0.4 * 0.62, rel=1e-12)
    assert (u[3], g[3]) == (1.6, 0.6)


def _env(sources, u, g=0.75):
    n = len(sources)
    return pd.DataFrame({"building_id": [f"b{i}" for i in range(n)], "u_window_w_m2k": np.asarray(u, dtype=float),
                         "g_window": np.full(n, g), "u_window_w_m2k_source": sources, "g_window_source": sources})


def test_only_typology_windows_change_and_meter_calibrated_buildings_keep_theirs(windows):
    from twin.energy.central_windows import with_expected_windows

    env = _env(["TABULA BE.N.SFH.01", "ifc IfcWindow", "user override", "TABULA BE.N.SFH.01"], [5.0, 5.0, 5.0, 5.0])
    out, n = with_expected_windows(env, windows, keep=np.array([False, False, False, True]))
    assert n == 1
    assert out["u_window_w_m2k"].tolist() == pytest.approx([3.095, 5.0, 5.0, 5.0])
    assert out["g_window"].tolist() == pytest.approx([0.25 * 0.75 + 0.45 * 0.75 + 0.30 * 0.62, 0.75, 0.75, 0.75])
    assert env["u_window_w_m2k"].tolist() == [5.0] * 4  # the input is not changed


def test_a_group_calibration_factor_carries_over_to_the_expected_window(windows):
    from twin.energy.central_windows import with_expected_windows

    base = _env(["TABULA BE.N.SFH.01", "TABULA BE.N.SFH.01"], [5.0, 5.0])
    calibrated = base.copy()
    calibrated["u_window_w_m2k"] = [5.0 * 0.8, 5.0]
    calibrated["u_window_w_m2k_source"] = ["calibrated", "TABULA BE.N.SFH.01"]
    out, n = with_expected_windows(calibrated.iloc[::-1].reset_index(drop=True), windows, base=base)  # rows matched by id
    assert n == 2
    got = dict(zip(out["building_id"], out["u_window_w_m2k"]))
    assert got == pytest.approx({"b0": 0.8 * 3.095, "b1": 3.095})


def test_central_heat_need_inside_the_samples_range_with_expected_windows(tmp_path):
    """Small district, priors on the windows only: the samples' heating need brackets the central
    run with expected windows; with the typology's windows the central run is above them."""
    import warnings

    from tests.scenario_helpers import prepared_small_district
    from twin.energy.central_windows import with_expected_windows
    from twin.energy.priors import load_priors
    from twin.energy.sampled import simulate_samples
    from twin.energy.stock import simulate_prepared
    from twin.energy.stock_samples import draw_stock_samples

    district = prepared_small_district(tmp_path)
    scene, prep = district["scene"], district["prep"]
    off = {e: {"enabled": False} for e in ("construction_period", "use", "storeys", "storey_height_m", "heating_system",
                                            "heating_setpoint_c", "air_change", "heat_pump_cop", "pv_yield")}
    priors = load_priors(off)
    assert priors.enabled() == ["window"]
    samples = draw_stock_samples(scene, priors, 40, 7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        totals = simulate_samples(scene, prep, samples, fallback=simulate_prepared(prep).accounts)
    need = totals["q_heat_kwh"].to_numpy(dtype=float)
    lo, hi = np.percentile(need, [5, 95])
    typology = float(simulate_prepared(prep, prep.envelope.copy(), None).accounts["q_heat_kwh"].sum())
    env, n = with_expected_windows(prep.envelope.copy(), priors.window)
    assert n > 0
    central = float(simulate_prepared(prep, env, None).accounts["q_heat_kwh"].sum())
    print(f"heat need, MWh: typology windows {typology / 1e3:.1f}, expected windows {central / 1e3:.1f}, samples 5-95 % {lo / 1e3:.1f}-{hi / 1e3:.1f}")
    assert typology > hi, (typology, lo, hi)
    assert lo <= central <= hi, (central, lo, hi)
