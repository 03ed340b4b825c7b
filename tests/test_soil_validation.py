"""Soil physics against the outside world: Celia et al. (1990), Green-Ampt (Chow et al. 1988),
SCS Curve Number (NRCS), heat conduction against closed forms and a real weather year."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.conftest import shared_path
from tests.soil_validation_cases import CAP, LAM, celia_front, heat_periodic
from twin.soil.heat import (
    damping_depth_m,
    de_vries_capacity,
    johansen_conductivity,
    run_heat,
    soil_temperature_from_weather,
    step_solution,
)
from twin.soil.screening import green_ampt_ponded, green_ampt_rain, scs_runoff_mm

CM_H = 0.01 / 3600.0


def test_celia_wetting_front_on_a_converged_grid():
    """Celia, Bouloutas & Zarba (1990): front (h = -537.5 cm) at 56.6 +/- 0.5 cm after 1 day."""
    fronts = {dz: celia_front(dz)[0] for dz in (0.01, 0.005, 0.0025)}
    # converging from above as the grid is refined, and converged within the published tolerance
    assert fronts[0.01] > fronts[0.005] > fronts[0.0025]
    assert abs(fronts[0.005] - fronts[0.0025]) < abs(fronts[0.01] - fronts[0.005])
    assert fronts[0.0025] == pytest.approx(0.566, abs=0.005)
    # Richardson extrapolation of the three grids stays in the band too
    r = (fronts[0.01] - fronts[0.005]) / (fronts[0.005] - fronts[0.0025])
    p = math.log(r) / math.log(2)
    extrapolated = fronts[0.0025] - (fronts[0.005] - fronts[0.0025]) / (2**p - 1)
    assert extrapolated == pytest.approx(0.566, abs=0.005)


def test_celia_time_step_converged_and_water_balance():
    front, rep = celia_front(0.0025)
    fine, _ = celia_front(0.0025, dt_max_s=60.0, tol_h_m=1e-4, tol_theta=1e-5)
    assert abs(front - fine) < 0.002  # the default time stepping does not move the front
    assert rep["relative_water_balance_error"] < 1e-6
    assert rep["steps_failed"] == 0
    tot = rep["totals_m"]
    assert tot["infiltration"] == pytest.approx(tot["storage_change"] + tot["drainage"], rel=1e-9)


def test_green_ampt_ponded_silt_loam_chow_example():
    """Chow, Maidment & Mays (1988) example 4.4.1: F(1 h) = 3.17 cm, f(1 h) = 1.81 cm/h."""
    f_cum, rate = green_ampt_ponded([3600.0], 0.65 * CM_H, 0.167, 0.340)
    assert f_cum[0] * 100 == pytest.approx(3.17, abs=0.01)
    assert rate[0] / CM_H == pytest.approx(1.81, abs=0.01)
    # the implicit equation holds at any time
    t = np.array([60.0, 600.0, 7200.0, 36000.0])
    f_cum, _ = green_ampt_ponded(t, 0.65 * CM_H, 0.167, 0.340)
    sd = 0.167 * 0.340
    np.testing.assert_allclose(f_cum - sd * np.log1p(f_cum / sd), 0.65 * CM_H * t, rtol=1e-10)


def test_green_ampt_under_rain_ponding_time():
    """Chow et al. (1988) example 4.4.2: silt loam under 5 cm/h ponds at 0.17 h with F = 0.85 cm."""
    edges = np.arange(0, 3 * 3600 + 1, 600.0)
    res = green_ampt_rain(edges, np.full(len(edges) - 1, 5.0 * CM_H), 0.65 * CM_H, 0.167, 0.340)
    assert res.ponding_time_s / 3600 == pytest.approx(0.17, abs=0.005)
    # until ponding every drop soaks in, so F_p = i t_p
    first = int(res.ponding_time_s // 600)
    assert res.cumulative_infiltration_m[first] == pytest.approx(5.0 * CM_H * first * 600.0, rel=1e-12)
    assert 5.0 * res.ponding_time_s / 3600 == pytest.approx(0.85, abs=0.005)
    # after ponding the ponded solution shifted in time holds; the balance closes per interval
    np.testing.assert_allclose(res.rain_m, res.infiltration_m + res.runoff_m, rtol=1e-12)
    assert (res.runoff_m >= -1e-15).all() and res.runoff_m.sum() > 0
    # light rain below K never runs off
    light = green_ampt_rain(edges, np.full(len(edges) - 1, 0.5 * CM_H), 0.65 * CM_H, 0.167, 0.340)
    assert light.runoff_m.sum() == 0.0 and math.isnan(light.ponding_time_s)


def test_scs_curve_number_value_of_the_issue():
    # S = 25400/80 - 254 = 63.5 mm, Ia = 0.2 S = 12.7 mm, Q = 37.3^2 / (37.3 + 63.5) = 13.80 mm
    assert float(scs_runoff_mm(50.0, 80.0)) == pytest.approx(13.80, abs=0.005)


# ----------------------------------------------------------------------------- heat (LAM, CAP: tests/soil_validation_cases.py)


def test_heat_periodic_surface_matches_damping_depth_solution():
    """Carslaw & Jaeger (1959) 2.6: amplitude exp(-z/d), lag z/d, d = sqrt(2 D / omega)."""
    z, d, res, exact = heat_periodic()
    assert np.abs(res.temperature_c[:, 0, :] - exact).max() < 0.01  # K, for a 5 K surface amplitude
    # amplitude at one damping depth is 5/e
    k = int(np.argmin(np.abs(z - d)))
    amp = 0.5 * (res.temperature_c[:, 0, k].max() - res.temperature_c[:, 0, k].min())
    assert amp == pytest.approx(5.0 * math.exp(-z[k] / d), rel=0.01)
    assert res.heat_in_j_m2[0] - res.heat_out_j_m2[0] == pytest.approx(res.heat_stored_j_m2[0], abs=1e-6 * abs(res.heat_in_j_m2[0]) + 1e-3)


def test_heat_step_matches_erfc():
    z = np.linspace(0.0, 3.0, 301)
    res = run_heat(z, LAM, CAP, 5.0, [0.0, 3 * 86400.0], [20.0, 20.0], dt_s=60.0,
                   output_times_s=[86400.0, 3 * 86400.0], bottom="insulated")
    for o, t in enumerate((86400.0, 3 * 86400.0)):
        assert np.abs(res.temperature_c[o, 0] - step_solution(z, t, 5.0, 20.0, LAM / CAP)).max() < 0.02
    assert res.heat_out_j_m2[0] == 0.0
    assert res.heat_in_j_m2[0] == pytest.approx(res.heat_stored_j_m2[0], rel=1e-9)


def test_thermal_properties_follow_the_published_forms():
    # de Vries: C = (1 - n) C_s + theta C_w
    assert de_vries_capacity(0.2, 0.45) == pytest.approx(0.55 * 2.0e6 + 0.2 * 4.18e6)
    n = 0.45
    rho_b = 2700 * (1 - n)
    dry = (0.135 * rho_b + 64.7) / (2700 - 0.947 * rho_b)
    lam_s = 7.7**0.5 * 2.0**0.5
    sat = lam_s ** (1 - n) * 0.57**n
    assert johansen_conductivity(0.0, n) == pytest.approx(dry)
    assert johansen_conductivity(n, n) == pytest.approx(sat)
    assert johansen_conductivity(0.5 * n, n) == pytest.approx(dry + (sat - dry) * (math.log10(0.5) + 1))
    lam = johansen_conductivity(np.linspace(0, n, 20), n)
    assert (np.diff(lam) >= 0).all()


def test_soil_temperature_under_the_uccle_year_damps_as_theory_says():
    from twin.ingest.epw import read_epw

    weather = read_epw(shared_path("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"))
    out = soil_temperature_from_weather(weather, [0.0, 1.0, 2.0], conductivity_w_mk=LAM, capacity_j_m3k=CAP, dz_m=0.1)
    year = 365 * 86400.0
    d = damping_depth_m(LAM, CAP, year)
    t = np.arange(len(out)) * 3600.0
    w = 2 * np.pi / year

    def first_harmonic(series):
        c = 2 * np.mean(series * np.cos(w * t))
        s = 2 * np.mean(series * np.sin(w * t))
        return math.hypot(c, s), math.atan2(c, s)

    a0, p0 = first_harmonic(out["T_0.00m"].to_numpy())
    for depth in (1.0, 2.0):
        a, p = first_harmonic(out[f"T_{depth:.2f}m"].to_numpy())
        assert a / a0 == pytest.approx(math.exp(-depth / d), rel=0.05)
        lag = (p0 - p) % (2 * np.pi)
        assert lag == pytest.approx(depth / d, rel=0.05)
    # the daily cycle (damping depth ~0.12 m) is gone at 1 m: exp(-1 / 0.12) ~ 2e-4
    w = 2 * np.pi / 86400.0
    a0, _ = first_harmonic(out["T_0.00m"].to_numpy())
    a1, _ = first_harmonic(out["T_1.00m"].to_numpy())
    assert a1 / a0 < 5 * math.exp(-1.0 / damping_depth_m(LAM, CAP, 86400.0))
