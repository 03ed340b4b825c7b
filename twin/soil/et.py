"""FAO-56 Penman-Monteith reference evapotranspiration, daily and hourly, with every intermediate.

Each function is one numbered equation of FAO Irrigation and Drainage Paper 56 (Allen, Pereira,
Raes & Smith 1998), works on floats and NumPy arrays alike and keeps the paper's units (kPa,
degrees Celsius, MJ m-2 per day or per hour, mm per day or per hour). The worked examples 17
(monthly mean data, Bangkok), 18 (daily data, Uccle) and 19 (hourly data, N'Diaye) are
reproduced by ``tests/test_soil_et.py`` term by term.

:func:`hourly_reference_et` applies the hourly form (eq. 53) to a weather file
(:class:`twin.ingest.epw.Weather`): global horizontal radiation as Rs, dew point for the actual
vapour pressure, station pressure, wind at 10 m brought to 2 m (eq. 47), the sun's position from
the file's latitude, longitude and time zone (eqs. 28-33). At night and near sunrise and
sunset, where Rs/Rso is ill-defined, the ratio of the last hour with the sun well up is carried
(FAO-56: "the ratio Rs/Rso ... 2-3 hours before sunset"), clipped to [0.3, 1] as ASCE-EWRI
(2005) does so that the cloudiness factor stays positive.

References
----------
Allen, R.G., Pereira, L.S., Raes, D. & Smith, M. (1998), Crop evapotranspiration: guidelines for
computing crop water requirements, FAO Irrigation and Drainage Paper 56, FAO, Rome (chapter 3,
equations 7-53; chapter 4, examples 17-19).
ASCE-EWRI (2005), The ASCE standardized reference evapotranspiration equation, Allen, R.G. et al.
(eds.), ASCE, Reston (the [0.3, 1] bounds of Rs/Rso).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from twin.errors import InputError

SOLAR_CONSTANT_MJ_M2_MIN = 0.0820
"""Gsc, MJ m-2 min-1 (FAO-56 eq. 21)."""
STEFAN_BOLTZMANN_MJ_K4_M2_DAY = 4.903e-9
"""sigma, MJ K-4 m-2 day-1 (FAO-56 eq. 39; per hour: divided by 24, 2.043e-10)."""
REFERENCE_ALBEDO = 0.23
"""Albedo of the hypothetical grass reference crop (FAO-56 eq. 38)."""
RS_RSO_BOUNDS = (0.3, 1.0)
"""Relative shortwave radiation used in the cloudiness factor (FAO-56: at most 1; ASCE-EWRI
2005: at least 0.3)."""
NIGHT_RS_RSO = 0.7
"""Rs/Rso carried into the first night of a series, before any daylight hour gave one (FAO-56
gives 0.4-0.6 for humid and 0.7-0.8 for arid climates; 0.7 sits between)."""


# ---------------------------------------------------------------- atmosphere (chapter 3, eqs. 7-19)
def atmospheric_pressure_kpa(elevation_m):
    """Eq. 7: P = 101.3 ((293 - 0.0065 z) / 293)^5.26, kPa."""
    z = np.asarray(elevation_m, dtype=float)
    return 101.3 * ((293.0 - 0.0065 * z) / 293.0) ** 5.26


def psychrometric_constant_kpa_c(pressure_kpa):
    """Eq. 8: gamma = 0.665e-3 P, kPa/degC."""
    return 0.665e-3 * np.asarray(pressure_kpa, dtype=float)


def saturation_vapour_pressure_kpa(t_c):
    """Eq. 11: e°(T) = 0.6108 exp(17.27 T / (T + 237.3)), kPa."""
    t = np.asarray(t_c, dtype=float)
    return 0.6108 * np.exp(17.27 * t / (t + 237.3))


def mean_saturation_vapour_pressure_kpa(t_max_c, t_min_c):
    """Eq. 12: es = (e°(Tmax) + e°(Tmin)) / 2, kPa."""
    return 0.5 * (saturation_vapour_pressure_kpa(t_max_c) + saturation_vapour_pressure_kpa(t_min_c))


def vapour_pressure_slope_kpa_c(t_c):
    """Eq. 13: Delta = 4098 e°(T) / (T + 237.3)^2, kPa/degC."""
    t = np.asarray(t_c, dtype=float)
    return 4098.0 * saturation_vapour_pressure_kpa(t) / (t + 237.3) ** 2


def actual_vapour_pressure_from_dew_point_kpa(t_dew_c):
    """Eq. 14: ea = e°(Tdew), kPa."""
    return saturation_vapour_pressure_kpa(t_dew_c)


def actual_vapour_pressure_from_rh_kpa(t_max_c, t_min_c, rh_max_pct, rh_min_pct):
    """Eq. 17: ea = (e°(Tmin) RHmax/100 + e°(Tmax) RHmin/100) / 2, kPa."""
    return 0.5 * (saturation_vapour_pressure_kpa(t_min_c) * np.asarray(rh_max_pct) / 100.0
                  + saturation_vapour_pressure_kpa(t_max_c) * np.asarray(rh_min_pct) / 100.0)


def actual_vapour_pressure_from_rh_mean_kpa(t_max_c, t_min_c, rh_mean_pct):
    """Eq. 19: ea = RHmean/100 (e°(Tmax) + e°(Tmin)) / 2, kPa."""
    return np.asarray(rh_mean_pct, dtype=float) / 100.0 * mean_saturation_vapour_pressure_kpa(t_max_c, t_min_c)


def hourly_actual_vapour_pressure_kpa(t_c, rh_pct):
    """Eq. 54: ea = e°(Thr) RHhr/100, kPa."""
    return saturation_vapour_pressure_kpa(t_c) * np.asarray(rh_pct, dtype=float) / 100.0


def wind_speed_2m(u_z_m_s, height_m):
    """Eq. 47: u2 = uz 4.87 / ln(67.8 z - 5.42), m/s (a wind measured ``height_m`` above ground)."""
    return np.asarray(u_z_m_s, dtype=float) * 4.87 / np.log(67.8 * np.asarray(height_m, dtype=float) - 5.42)


# ---------------------------------------------------------------- radiation (chapter 3, eqs. 21-46)
def inverse_relative_distance(day_of_year):
    """Eq. 23: dr = 1 + 0.033 cos(2 pi J / 365)."""
    return 1.0 + 0.033 * np.cos(2.0 * np.pi * np.asarray(day_of_year, dtype=float) / 365.0)


def solar_declination_rad(day_of_year):
    """Eq. 24: delta = 0.409 sin(2 pi J / 365 - 1.39), rad."""
    return 0.409 * np.sin(2.0 * np.pi * np.asarray(day_of_year, dtype=float) / 365.0 - 1.39)


def sunset_hour_angle_rad(latitude_rad, declination_rad):
    """Eq. 25: omega_s = arccos(-tan(phi) tan(delta)), rad (clipped at the polar day and night)."""
    x = -np.tan(np.asarray(latitude_rad, dtype=float)) * np.tan(np.asarray(declination_rad, dtype=float))
    return np.arccos(np.clip(x, -1.0, 1.0))


def extraterrestrial_radiation_daily(latitude_rad, day_of_year):
    """Eq. 21: Ra for a day, MJ m-2 day-1."""
    phi = np.asarray(latitude_rad, dtype=float)
    dr = inverse_relative_distance(day_of_year)
    delta = solar_declination_rad(day_of_year)
    ws = sunset_hour_angle_rad(phi, delta)
    return 24.0 * 60.0 / np.pi * SOLAR_CONSTANT_MJ_M2_MIN * dr * (
        ws * np.sin(phi) * np.sin(delta) + np.cos(phi) * np.cos(delta) * np.sin(ws))


def daylight_hours(latitude_rad, day_of_year):
    """Eq. 34: N = 24 omega_s / pi, hours."""
    return 24.0 / np.pi * sunset_hour_angle_rad(latitude_rad, solar_declination_rad(day_of_year))


def seasonal_correction_h(day_of_year):
    """Eqs. 32-33: the seasonal correction for solar time Sc, hours."""
    b = 2.0 * np.pi * (np.asarray(day_of_year, dtype=float) - 81.0) / 364.0
    return 0.1645 * np.sin(2.0 * b) - 0.1255 * np.cos(b) - 0.025 * np.sin(b)


def solar_time_angle_rad(t_mid_h, day_of_year, *, lz_deg_west, lm_deg_west):
    """Eq. 31: omega = pi/12 ((t + 0.06667 (Lz - Lm) + Sc) - 12), rad, at the midpoint ``t_mid_h``
    (local standard clock hours) of the period; ``Lz`` the centre of the time zone and ``Lm`` the
    site, both in degrees west of Greenwich (FAO-56's convention)."""
    t = np.asarray(t_mid_h, dtype=float)
    d_lon = (lz_deg_west - lm_deg_west + 180.0) % 360.0 - 180.0  # the shorter way round
    return np.pi / 12.0 * ((t + 0.06667 * d_lon + seasonal_correction_h(day_of_year)) - 12.0)


def extraterrestrial_radiation_period(latitude_rad, day_of_year, t_mid_h, *, lz_deg_west, lm_deg_west, period_h=1.0):
    """Eqs. 28-30: Ra of a period of ``period_h`` hours (1 for hourly), MJ m-2 per period.

    The end angles omega1, omega2 are clipped to the sunset hour angle, so the period that holds
    sunrise or sunset gets the sunlit part only and a night period gets 0.
    """
    phi = np.asarray(latitude_rad, dtype=float)
    dr = inverse_relative_distance(day_of_year)
    delta = solar_declination_rad(day_of_year)
    ws = sunset_hour_angle_rad(phi, delta)
    w = solar_time_angle_rad(t_mid_h, day_of_year, lz_deg_west=lz_deg_west, lm_deg_west=lm_deg_west)
    w = np.where(w > np.pi, w - 2 * np.pi, np.where(w < -np.pi, w + 2 * np.pi, w))
    w1 = np.clip(w - np.pi * period_h / 24.0, -ws, ws)
    w2 = np.clip(w + np.pi * period_h / 24.0, -ws, ws)
    ra = 12.0 * 60.0 / np.pi * SOLAR_CONSTANT_MJ_M2_MIN * dr * (
        (w2 - w1) * np.sin(phi) * np.sin(delta) + np.cos(phi) * np.cos(delta) * (np.sin(w2) - np.sin(w1)))
    return np.maximum(ra, 0.0)


def solar_radiation_angstrom(sunshine_h, daylight_h, ra, *, a_s=0.25, b_s=0.50):
    """Eq. 35: Rs = (as + bs n/N) Ra (the units of Ra)."""
    return (a_s + b_s * np.asarray(sunshine_h, dtype=float) / np.asarray(daylight_h, dtype=float)) * np.asarray(ra, dtype=float)


def clear_sky_radiation(ra, elevation_m):
    """Eq. 37: Rso = (0.75 + 2e-5 z) Ra (the units of Ra)."""
    return (0.75 + 2.0e-5 * np.asarray(elevation_m, dtype=float)) * np.asarray(ra, dtype=float)


def net_shortwave_radiation(rs, albedo=REFERENCE_ALBEDO):
    """Eq. 38: Rns = (1 - albedo) Rs."""
    return (1.0 - albedo) * np.asarray(rs, dtype=float)


def cloudiness_factor(rs_rso):
    """The last factor of eq. 39: 1.35 Rs/Rso - 0.35 (Rs/Rso as given, see :data:`RS_RSO_BOUNDS`)."""
    return 1.35 * np.asarray(rs_rso, dtype=float) - 0.35


def net_longwave_radiation_daily(t_max_c, t_min_c, ea_kpa, rs_rso):
    """Eq. 39: Rnl = sigma (Tmax,K^4 + Tmin,K^4)/2 (0.34 - 0.14 sqrt(ea)) (1.35 Rs/Rso - 0.35),
    MJ m-2 day-1 (Rs/Rso limited to at most 1)."""
    tk4 = 0.5 * ((np.asarray(t_max_c) + 273.16) ** 4 + (np.asarray(t_min_c) + 273.16) ** 4)
    ratio = np.minimum(np.asarray(rs_rso, dtype=float), 1.0)
    return STEFAN_BOLTZMANN_MJ_K4_M2_DAY * tk4 * (0.34 - 0.14 * np.sqrt(ea_kpa)) * cloudiness_factor(ratio)


def net_longwave_radiation_hourly(t_c, ea_kpa, rs_rso):
    """Eq. 39 for an hour (sigma / 24, the hour's mean temperature), MJ m-2 hour-1."""
    tk4 = (np.asarray(t_c, dtype=float) + 273.16) ** 4
    ratio = np.minimum(np.asarray(rs_rso, dtype=float), 1.0)
    return STEFAN_BOLTZMANN_MJ_K4_M2_DAY / 24.0 * tk4 * (0.34 - 0.14 * np.sqrt(ea_kpa)) * cloudiness_factor(ratio)


def soil_heat_flux_monthly(t_month_prev_c, t_month_c=None, t_month_next_c=None):
    """Eqs. 43-44: G of a month, MJ m-2 day-1: 0.07 (T(i+1) - T(i-1)) when the next month is known,
    else 0.14 (T(i) - T(i-1))."""
    if t_month_next_c is not None:
        return 0.07 * (np.asarray(t_month_next_c, dtype=float) - np.asarray(t_month_prev_c, dtype=float))
    if t_month_c is None:
        raise InputError("give the mean temperature of this month or of the next", field="t_month_c")
    return 0.14 * (np.asarray(t_month_c, dtype=float) - np.asarray(t_month_prev_c, dtype=float))


def soil_heat_flux_hourly(rn, daytime):
    """Eqs. 45-46: G = 0.1 Rn in daylight, 0.5 Rn at night, MJ m-2 hour-1."""
    return np.where(np.asarray(daytime, dtype=bool), 0.1, 0.5) * np.asarray(rn, dtype=float)


# ---------------------------------------------------------------- Penman-Monteith (eqs. 6 and 53)
@dataclass(frozen=True)
class PenmanMonteithTerms:
    """ET0 and its two terms (mm per period): ``radiation`` = 0.408 Delta (Rn - G) / D and
    ``aerodynamic`` = gamma Cn/(T + 273) u2 (es - ea) / D with D = Delta + gamma (1 + 0.34 u2)."""

    et0_mm: np.ndarray
    radiation_mm: np.ndarray
    aerodynamic_mm: np.ndarray


def _penman_monteith(cn, delta, rn, g, gamma, t_c, u2, es, ea) -> PenmanMonteithTerms:
    delta = np.asarray(delta, dtype=float)
    gamma = np.asarray(gamma, dtype=float)
    u2 = np.asarray(u2, dtype=float)
    den = delta + gamma * (1.0 + 0.34 * u2)
    rad = 0.408 * delta * (np.asarray(rn, dtype=float) - np.asarray(g, dtype=float)) / den
    aero = gamma * cn / (np.asarray(t_c, dtype=float) + 273.0) * u2 * (np.asarray(es, dtype=float) - np.asarray(ea, dtype=float)) / den
    return PenmanMonteithTerms(rad + aero, rad, aero)


def reference_et_daily(delta, rn, g, gamma, t_mean_c, u2, es, ea) -> PenmanMonteithTerms:
    """Eq. 6: ET0 = [0.408 Delta (Rn - G) + gamma 900/(T + 273) u2 (es - ea)] / [Delta + gamma (1 + 0.34 u2)], mm/day
    (Rn and G in MJ m-2 day-1)."""
    return _penman_monteith(900.0, delta, rn, g, gamma, t_mean_c, u2, es, ea)


def reference_et_hourly(delta, rn, g, gamma, t_c, u2, es, ea) -> PenmanMonteithTerms:
    """Eq. 53: as eq. 6 with 37 for 900, per hour (Rn and G in MJ m-2 hour-1), mm/hour."""
    return _penman_monteith(37.0, delta, rn, g, gamma, t_c, u2, es, ea)


# ---------------------------------------------------------------- a weather file, hour by hour
def hourly_reference_et(
    weather,
    *,
    elevation_m: float | None = None,
    wind_height_m: float = 10.0,
    rs_rso_initial: float = NIGHT_RS_RSO,
    path=None,
):
    """Hourly FAO-56 reference ET (eq. 53) for every hour of a weather file.

    Parameters
    ----------
    weather
        A :class:`twin.ingest.epw.Weather`: hourly rows (index = end of the hour, local standard
        time) with ``dry_bulb_c``, ``dew_point_c``, ``pressure_pa``, ``wind_speed_m_s`` (at
        ``wind_height_m``) and ``ghi_w_m2`` (Wh m-2 in the hour, taken as Rs), and its location.
    elevation_m
        Site elevation for the clear-sky radiation (default: the file's).
    wind_height_m
        Height of the wind measurement (EPW: 10 m).
    rs_rso_initial
        Rs/Rso carried into the first night before a daylight hour gave one.

    Returns
    -------
    pandas.DataFrame
        One row per hour (the weather's index): ``et0_mm`` and every term (``t_c``, ``es_kpa``,
        ``ea_kpa``, ``delta_kpa_c``, ``gamma_kpa_c``, ``u2_m_s``, ``ra_mj_m2``, ``rs_mj_m2``,
        ``rso_mj_m2``, ``rs_rso``, ``rns_mj_m2``, ``rnl_mj_m2``, ``rn_mj_m2``, ``g_mj_m2``,
        ``daytime``). Temperatures, dew point, pressure and wind are the means of the readings at
        the start and the end of each hour (EPW readings are instantaneous at the stamp);
        radiation is the hour's total. ET0 can be slightly negative at night (dew); it is kept,
        the caller decides.

    Raises
    ------
    InputError
        A column is missing or holds missing values (field named), or the rows are not hourly.
    """
    import pandas as pd

    data = weather.data if hasattr(weather, "data") else weather
    loc = weather.location
    need = ("dry_bulb_c", "dew_point_c", "pressure_pa", "wind_speed_m_s", "ghi_w_m2")
    for col in need:
        if col not in data:
            raise InputError("the weather has no such column (needed for the reference evapotranspiration)", path=path, field=col)
        bad = ~np.isfinite(data[col].to_numpy(dtype=float))
        if bad.any():
            raise InputError(f"missing values ({int(bad.sum())} hours); the reference evapotranspiration needs every hour",
                             path=path, obj=str(data.index[int(np.flatnonzero(bad)[0])]), field=col)
    idx = data.index
    if len(idx) > 1:
        steps = (idx[1:] - idx[:-1]).total_seconds().to_numpy()
        if np.any(np.abs(steps - 3600.0) > 1e-6):
            k = int(np.flatnonzero(np.abs(steps - 3600.0) > 1e-6)[0])
            raise InputError("gap or irregular step in the hourly weather", path=path, obj=str(idx[k + 1]), field="time")

    def hour_mean(col: str) -> np.ndarray:
        v = data[col].to_numpy(dtype=float)
        prev = np.concatenate([[v[0]], v[:-1]])
        return 0.5 * (v + prev)

    t = hour_mean("dry_bulb_c")
    t_dew = np.minimum(hour_mean("dew_point_c"), t)
    p_kpa = hour_mean("pressure_pa") / 1000.0
    u2 = wind_speed_2m(hour_mean("wind_speed_m_s"), wind_height_m)
    rs = data["ghi_w_m2"].to_numpy(dtype=float) * 0.0036  # Wh m-2 in the hour -> MJ m-2

    z = loc.elevation_m if elevation_m is None else elevation_m
    lat = math.radians(loc.latitude_deg)
    lz_west = (-15.0 * loc.tz_offset_h) % 360.0  # FAO-56: degrees west of Greenwich
    lm_west = (-loc.longitude_deg) % 360.0
    start = idx - pd.Timedelta(minutes=30)  # the hour's midpoint, local standard time
    doy = start.day_of_year.to_numpy()
    t_mid = start.hour.to_numpy() + start.minute.to_numpy() / 60.0
    ra = extraterrestrial_radiation_period(lat, doy, t_mid, lz_deg_west=lz_west, lm_deg_west=lm_west, period_h=1.0)
    rso = clear_sky_radiation(ra, z)
    # the sun is "well up" when the hour's midpoint lies more than an hour from sunrise and sunset
    ws = sunset_hour_angle_rad(lat, solar_declination_rad(doy))
    w = solar_time_angle_rad(t_mid, doy, lz_deg_west=lz_west, lm_deg_west=lm_west)
    w = np.where(w > np.pi, w - 2 * np.pi, np.where(w < -np.pi, w + 2 * np.pi, w))
    daytime = ra > 0.0
    up = (np.abs(w) < ws - np.pi / 12.0) & (rso > 0.0)
    ratio = np.full(len(t), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio[up] = np.clip(rs[up] / rso[up], *RS_RSO_BOUNDS)
    carried = np.empty(len(t))
    last = float(np.clip(rs_rso_initial, *RS_RSO_BOUNDS))
    for i in range(len(t)):  # carry the last well-lit ratio into the night and the low-sun hours
        if up[i]:
            last = ratio[i]
        carried[i] = last
    ea = actual_vapour_pressure_from_dew_point_kpa(t_dew)
    es = saturation_vapour_pressure_kpa(t)
    delta = vapour_pressure_slope_kpa_c(t)
    gamma = psychrometric_constant_kpa_c(p_kpa)
    rns = net_shortwave_radiation(rs)
    rnl = net_longwave_radiation_hourly(t, ea, carried)
    rn = rns - rnl
    g = soil_heat_flux_hourly(rn, daytime)
    terms = reference_et_hourly(delta, rn, g, gamma, t, u2, es, ea)
    return pd.DataFrame(
        {
            "et0_mm": terms.et0_mm, "radiation_term_mm": terms.radiation_mm, "aerodynamic_term_mm": terms.aerodynamic_mm,
            "t_c": t, "es_kpa": es, "ea_kpa": ea, "delta_kpa_c": delta, "gamma_kpa_c": gamma, "u2_m_s": u2,
            "ra_mj_m2": ra, "rs_mj_m2": rs, "rso_mj_m2": rso, "rs_rso": carried, "rns_mj_m2": rns, "rnl_mj_m2": rnl,
            "rn_mj_m2": rn, "g_mj_m2": g, "daytime": daytime,
        },
        index=idx,
    )
