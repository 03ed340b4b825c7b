"""Solar geometry, transposition, glazing and shading against closed forms and astronomy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from twin.energy import solar


def test_sun_at_solar_noon_of_june_solstice_denver():
    """Elevation at solar noon = 90 - latitude + declination (23.44 deg at the June solstice)."""
    lat, lon = 39.83, -104.65
    # solar noon UTC ~ 12:00 - lon*4 min - equation of time (-1.7 min on 21 June)
    t = pd.DatetimeIndex([pd.Timestamp("2023-06-21 12:00", tz="UTC") + pd.Timedelta(minutes=-lon * 4 + 1.7)])
    sun = solar.sun_position(t, lat, lon, interval_end=False)
    assert sun.azimuth_deg[0] == pytest.approx(180.0, abs=0.3)
    # declination 23.43 deg; refraction at 73.6 deg elevation adds about 0.005 deg
    assert sun.elevation_deg[0] == pytest.approx(90 - lat + 23.43, abs=0.05)


def test_sun_equinox_and_winter_solstice():
    lat, lon = 50.8, 4.35  # Brussels
    days = {"2023-03-20": 0.0, "2023-12-21": -23.44}
    for day, decl in days.items():
        noon = pd.Timestamp(f"{day} 12:00", tz="UTC") - pd.Timedelta(minutes=lon * 4)
        t = pd.date_range(noon - pd.Timedelta(minutes=30), noon + pd.Timedelta(minutes=30), freq="1min")
        sun = solar.sun_position(t, lat, lon, interval_end=False)
        assert sun.elevation_deg.max() == pytest.approx(90 - lat + decl, abs=0.3)
    # equinox: the sun rises near due east
    t = pd.date_range("2023-03-20 04:00", "2023-03-20 08:00", freq="1min", tz="UTC")
    sun = solar.sun_position(t, lat, lon, interval_end=False)
    i = np.argmin(np.abs(sun.elevation_deg))
    assert sun.azimuth_deg[i] == pytest.approx(90.0, abs=1.5)


def test_interval_end_uses_midpoint():
    t = pd.DatetimeIndex([pd.Timestamp("2023-06-21 13:00", tz="Etc/GMT+7")])
    a = solar.sun_position(t, 39.8, -104.7)
    b = solar.sun_position(t - pd.Timedelta(minutes=30), 39.8, -104.7, interval_end=False)
    assert a.zenith_deg[0] == pytest.approx(b.zenith_deg[0], abs=1e-9)


def test_naive_time_rejected():
    from twin.errors import InputError

    with pytest.raises(InputError):
        solar.sun_position(pd.date_range("2023-01-01", periods=3, freq="h"), 50, 4)


def _sky(n=200, seed=0):
    rng = np.random.default_rng(seed)
    zen = rng.uniform(5, 84, n)
    az = rng.uniform(60, 300, n)
    dni = rng.uniform(0, 900, n)
    dhi = rng.uniform(10, 300, n)
    ghi = dni * np.cos(np.radians(zen)) + dhi
    sun = solar.SunPosition(zen, az, 90 - zen, np.full(n, 1367.0))
    f1, f2 = solar.perez_coefficients(dni, dhi, zen, sun.dni_extra_w_m2)
    return solar.Sky(pd.date_range("2023-01-01", periods=n, freq="h", tz="UTC"), sun, dni, dhi, ghi, 0.2, f1, f2)


def test_perez_on_horizontal_returns_global_horizontal():
    """Tilt 0: beam DNI cos z + isotropic + circumsolar = DNI cos z + DHI exactly (z < 85 deg)."""
    sky = _sky()
    p = solar.plane_irradiance(sky, 0.0, 180.0)
    np.testing.assert_allclose(p.total, sky.ghi_w_m2, rtol=1e-12)
    assert np.all(p.ground == 0) and np.all(np.abs(p.horizon) < 1e-9)


def test_perez_overcast_sky_is_isotropic_on_vertical():
    """Overcast (DNI = 0, epsilon = 1, low brightness): vertical diffuse close to DHI / 2."""
    n = 10
    zen = np.full(n, 60.0)
    dhi = np.full(n, 5.0)  # very dark sky: Delta small, F1 and F2 near f11, f21
    f1, f2 = solar.perez_coefficients(np.zeros(n), dhi, zen, np.full(n, 1367.0))
    # epsilon = 1 -> first bin of Perez et al. (1990) Table 6: F1 = max(0, f11 + f12 D + f13 z)
    z = np.radians(60.0)
    am = 1 / (np.cos(z) + 0.50572 * (96.07995 - 60.0) ** -1.6364)  # Kasten & Young (1989)
    delta = 5.0 * am / 1367.0
    assert f1[0] == pytest.approx(max(0.0, -0.008 + 0.588 * delta - 0.062 * z), abs=1e-12)
    assert f2[0] == pytest.approx(-0.060 + 0.072 * delta - 0.022 * z, abs=1e-12)
    sun = solar.SunPosition(zen, np.full(n, 180.0), 90 - zen, np.full(n, 1367.0))
    sky = solar.Sky(pd.date_range("2023-01-01", periods=n, freq="h", tz="UTC"), sun, np.zeros(n), dhi, dhi * 1.0, 0.0, f1, f2)
    p = solar.plane_irradiance(sky, 90.0, 0.0)
    assert p.total[0] == pytest.approx(dhi[0] * (1 - f1[0]) / 2 + dhi[0] * f2[0], rel=1e-12)


def test_glazing_fresnel_limits():
    g = solar.Glazing(panes=1, n=1.526, kl=0.0)
    r = ((1.526 - 1) / (1.526 + 1)) ** 2
    assert solar.glazing_transmittance(np.array([1.0]), g)[0] == pytest.approx((1 - r) / (1 + r), rel=1e-9)
    ratio = solar.glazing_angular_ratio(np.cos(np.radians([0, 30, 60, 80, 90])))
    assert ratio[0] == pytest.approx(1.0)
    assert np.all(np.diff(ratio) < 0) and ratio[-1] == 0.0
    # BESTEST Glass Type 1: tau 0.86156 at normal incidence with the default kl
    assert solar.glazing_transmittance(np.array([1.0]), solar.Glazing(panes=1))[0] == pytest.approx(0.86156, abs=5e-4)
    r_sky, r_gnd, r_hor = solar.diffuse_angular_ratios(90.0)
    assert 0.8 < r_sky < 0.95 and 0.8 < r_gnd < 0.95 and 0.8 < r_hor < 1.0


def test_horizon_view_factors_closed_forms():
    e = np.radians(25.0)
    hz = np.full((1, 36), 25.0)
    iso_v, band_v = solar.horizon_view_factors(hz, 90.0, 180.0)
    # vertical plane, uniform horizon e: blocked share = (e/2 + sin 2e / 4) / (pi / 4)
    assert iso_v[0] == pytest.approx(1 - (e / 2 + np.sin(2 * e) / 4) / (np.pi / 4), abs=2e-4)
    assert band_v[0] == 0.0
    iso_h, _ = solar.horizon_view_factors(hz, 0.0, 180.0)
    assert iso_h[0] == pytest.approx(np.cos(e) ** 2, abs=2e-4)
    free, _ = solar.horizon_view_factors(np.zeros((1, 36)), 90.0, 90.0)
    assert free[0] == pytest.approx(1.0)


def test_horizon_blocks_beam_by_sector():
    hz = np.zeros(36)
    hz[18] = 40.0  # sector centred on due south
    sun = solar.SunPosition(np.array([60.0, 60.0, 30.0]), np.array([181.0, 250.0, 180.0]), np.array([30.0, 30.0, 60.0]), np.full(3, 1367.0))
    vis = solar.horizon_beam_visible(hz, sun)
    assert list(vis) == [False, True, True]
    assert list(solar.sector_of(np.array([0.0, 4.9, 5.1, 359.0, 185.0]), 36)) == [0, 0, 1, 0, 19]


def _sun_in_normal_plane(elev_deg: float, azimuth: float = 180.0) -> solar.SunPosition:
    e = np.array([elev_deg])
    return solar.SunPosition(90 - e, np.array([azimuth]), e, np.array([1367.0]))


def test_overhang_shadow_depth():
    """Long overhang, sun in the facade's normal plane: shaded height = depth x tan(elevation) - gap."""
    ws = solar.WindowShading(width=2.0, height=1.5, overhang_depth=0.8, overhang_gap=0.2, overhang_extension=50.0)
    for elev in (20.0, 40.0, 55.0):
        beam, sky_f, gnd_f = solar.window_shading_factors(ws, _sun_in_normal_plane(elev), 180.0)
        shaded = np.clip(0.8 * np.tan(np.radians(elev)) - 0.2, 0, 1.5) / 1.5
        assert beam[0] == pytest.approx(1 - shaded, abs=1 / 12 + 1e-9)  # 12 sample rows
    assert 0.5 < sky_f < 1.0 and gnd_f == pytest.approx(1.0, abs=1e-9)
    # sun behind the facade: no beam at all
    beam, _, _ = solar.window_shading_factors(ws, _sun_in_normal_plane(30.0, azimuth=0.0), 180.0)
    assert beam[0] == 0.0


def test_fins_shade_oblique_sun():
    """Fins of depth d: sun at horizontal angle g off the normal shades d tan g of the width."""
    ws = solar.WindowShading(width=1.0, height=1.0, fin_depth=0.5, fin_above=10.0, fin_below=10.0)
    gamma = 30.0
    beam, _, _ = solar.window_shading_factors(ws, _sun_in_normal_plane(10.0, azimuth=180.0 + gamma), 180.0)
    assert beam[0] == pytest.approx(1 - 0.5 * np.tan(np.radians(gamma)), abs=1 / 12 + 1e-9)


def test_standard_drivers_and_horizon_shade_factors():
    from tests.conftest import shared_path
    from twin.energy.inputs import STANDARD_GROUPS
    from twin.ingest.epw import read_epw

    w = read_epw(shared_path("weather", "USA_CO_Denver.Intl.AP.725650_TMY3.epw"))
    drv = solar.standard_drivers(w)
    assert drv.irr_w_m2.shape == (len(STANDARD_GROUPS), 8760)
    annual = dict(zip(STANDARD_GROUPS, drv.irr_w_m2.sum(axis=1) / 1000))
    # orientation ordering in the northern hemisphere; roof sees the global horizontal
    assert annual["opq_s"] > annual["opq_e"] > annual["opq_n"] and annual["opq_s"] > annual["opq_w"] > annual["opq_n"]
    assert annual["roof"] == pytest.approx(w.data["ghi_w_m2"].sum() / 1000, rel=0.01)
    assert annual["win_s"] < annual["opq_s"]  # angular losses of the glazing
    assert 20 < np.mean(drv.irr_w_m2[STANDARD_GROUPS.index("sky_lw")]) < 150
    hz = np.zeros((3, 36))
    hz[1] = 30.0
    hz[2] = 89.0
    f = solar.horizon_shade_factors(w, hz, np.array(["win_s", "win_s", "opq_s"]))
    assert np.allclose(f[0], 1.0)
    assert np.all(f[1] < 0.9) and np.all(f[1] > 0.0)
    assert np.all(f[2] < 0.3) and np.all(f[2] > 0.0)  # only ground reflection left
    # Denver's noon sun is below 30 deg in December: a 30 deg horizon leaves almost only diffuse
    assert f[1, 11] < 0.15 and f[1, 5] > 0.6


def test_interval_mean_temperature_is_trapezoid_of_the_stamps():
    """EPW/TMY3 temperatures are instantaneous at the stamp; hour h (ending at stamp h) sees (T[h-1] + T[h]) / 2."""
    from types import SimpleNamespace

    idx = pd.date_range("2023-01-01 01:00", periods=24, freq="h", tz="Etc/GMT+7")
    # a linear ramp within the day: the interval mean of a linear signal is its midpoint value
    t = 2.0 * np.arange(24) - 5.0
    w = SimpleNamespace(data=pd.DataFrame({"dry_bulb_c": t}, index=idx))
    mean = solar.interval_mean_temperature_c(w)
    np.testing.assert_allclose(mean[1:], t[1:] - 1.0)
    assert mean[0] == pytest.approx(0.5 * (t[0] + t[-1]))  # periodic year: wraps to the last stamp
    # a missing value stays in its own hour, so errors keep naming the right weather row
    t2 = t.copy()
    t2[10] = np.nan
    m2 = solar.interval_mean_temperature_c(SimpleNamespace(data=pd.DataFrame({"dry_bulb_c": t2}, index=idx)))
    assert np.isnan(m2[10]) and np.isfinite(np.delete(m2, 10)).all()
    assert m2[11] == pytest.approx(t[11])
