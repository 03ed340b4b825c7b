"""Sun position, plane-of-array irradiance, glazing angular transmittance and shading.

Method
------
* **Sun position**: NOAA solar calculator equations (after Meeus, *Astronomical Algorithms*,
  1991), with the NOAA atmospheric refraction correction; accuracy about 0.01 deg, far below
  what hourly building simulation needs. EPW values are interval-end hourly sums, so the
  position is taken at the interval midpoint.
* **Transposition**: Perez et al. (1990) anisotropic sky: isotropic, circumsolar and horizon
  brightening components, coefficients of Perez et al. 1990, Table 6 (the "all sites
  composite" set), clearness ``epsilon`` with ``kappa = 1.041`` (zenith in rad) and sky
  brightness ``Delta = DHI * AM / E0`` with the Kasten & Young (1989) relative air mass.
  Ground reflection is isotropic with albedo ``rho`` (default 0.2).
* **Glazing angular transmittance**: Fresnel reflection (both polarisations) with multiple
  reflections between ``N`` panes and Bouguer absorption, Duffie & Beckman (2013) §5.1-5.3,
  normalised to normal incidence. The window's total solar energy transmittance ``g(theta)``
  is taken to follow ``g_n * tau(theta) / tau(0)``. Diffuse sky, horizon band and ground
  reflected components use the ratio averaged over their directions (cosine weighted).
* **Shading**: overhangs and fins by ray casting from points on the window toward the sun
  (beam) and over the hemisphere (isotropic sky and ground diffuse); obstruction horizons
  (elevation angle per azimuth sector) block the beam when the sun is below them and reduce
  the isotropic sky diffuse by the obstructed part of the sky view factor.
* **Sky long-wave loss**: ``sigma T_e^4 - L_h`` with ``L_h`` the EPW horizontal infrared
  radiation: the net loss of a black horizontal surface at air temperature (ISO 13790
  §11.3.5 uses ``h_r * dtheta_er`` with a default ``dtheta_er`` of 11 K; this is its hourly
  form from measured sky radiation). A plane of tilt ``t`` loses the share
  :func:`sky_longwave_factor` ``= F_sky * beta`` of it, ``F_sky = (1 + cos t) / 2`` and
  ``beta = sqrt(F_sky)`` (Walton 1983, TARP; the EnergyPlus outside long-wave model): the part
  ``1 - beta`` of the sky a tilted plane sees lies near the horizon, where the long air path
  radiates close to air temperature. Horizontal 1, vertical 0.354 (ISO 13790's ``F_r`` takes
  0.5 for a vertical wall, an isotropic sky at the zenith's temperature).

References
----------
Perez R., Ineichen P., Seals R., Michalsky J., Stewart R. (1990). Modeling daylight
availability and irradiance components from direct and global irradiance. Solar Energy 44(5),
271-289.
Kasten F., Young A.T. (1989). Revised optical air mass tables and approximation formula.
Applied Optics 28(22), 4735-4738.
Duffie J.A., Beckman W.A. (2013). Solar Engineering of Thermal Processes, 4th ed., Wiley.
NOAA Global Monitoring Laboratory, Solar Calculation Details (solar position spreadsheet).
ISO 13790:2008 §11.3-11.4.
Walton G.N. (1983). Thermal Analysis Research Program reference manual. NBSIR 83-2655, National
Bureau of Standards; as used in the EnergyPlus Engineering Reference, "Outside surface heat
balance: external long-wave radiation" (``F_sky``, ``beta``).
McClellan T.M., Pedersen C.O. (1997). Investigation of outside heat balance models for use in a
heat balance cooling load calculation procedure. ASHRAE Transactions 103(2), 469-484.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from twin.errors import InputError

SIGMA = 5.670374419e-8  # W/(m2 K4)
SOLAR_CONSTANT_W_M2 = 1367.0

# Perez et al. (1990), Table 6: upper bin edges of epsilon and f11 f12 f13 f21 f22 f23
_PEREZ_EPS_EDGES = np.array([1.065, 1.230, 1.500, 1.950, 2.800, 4.500, 6.200])
_PEREZ_F = np.array(
    [
        [-0.008, 0.588, -0.062, -0.060, 0.072, -0.022],
        [0.130, 0.683, -0.151, -0.019, 0.066, -0.029],
        [0.330, 0.487, -0.221, 0.055, -0.064, -0.026],
        [0.568, 0.187, -0.295, 0.109, -0.152, -0.014],
        [0.873, -0.392, -0.362, 0.226, -0.462, 0.001],
        [1.132, -1.237, -0.412, 0.288, -0.823, 0.056],
        [1.060, -1.600, -0.359, 0.264, -1.127, 0.131],
        [0.678, -0.327, -0.250, 0.156, -1.377, 0.251],
    ]
)


# --------------------------------------------------------------------------- sun position
@dataclass(frozen=True)
class SunPosition:
    """Sun position per hour (at the interval midpoint).

    Attributes
    ----------
    zenith_deg, azimuth_deg, elevation_deg : (n_h,) apparent (refracted) position; azimuth
        clockwise from north.
    dni_extra_w_m2 : (n_h,) extraterrestrial normal irradiance.
    """

    zenith_deg: np.ndarray
    azimuth_deg: np.ndarray
    elevation_deg: np.ndarray
    dni_extra_w_m2: np.ndarray


def sun_position(
    time: pd.DatetimeIndex, latitude_deg: float, longitude_deg: float, *, interval_end: bool = True
) -> SunPosition:
    """Apparent sun position (NOAA equations) for each hourly interval of ``time``.

    Parameters
    ----------
    time : tz-aware DatetimeIndex
        Interval end times (EPW convention) when ``interval_end``; instants otherwise.
    latitude_deg, longitude_deg : float
        Site, degrees north / east.
    """
    if time.tz is None:
        raise InputError("time index must be tz-aware", field="time")
    t = time.tz_convert("UTC")
    if interval_end:
        t = t - pd.Timedelta(minutes=30)
    unix_s = (t - pd.Timestamp("1970-01-01", tz="UTC")) / pd.Timedelta(seconds=1)
    unix_s = np.asarray(unix_s, dtype=np.float64)
    jd = unix_s / 86400.0 + 2440587.5
    tc = (jd - 2451545.0) / 36525.0
    l0 = np.mod(280.46646 + tc * (36000.76983 + 0.0003032 * tc), 360.0)
    m = 357.52911 + tc * (35999.05029 - 0.0001537 * tc)
    e = 0.016708634 - tc * (0.000042037 + 0.0000001267 * tc)
    mr = np.radians(m)
    c = (
        np.sin(mr) * (1.914602 - tc * (0.004817 + 0.000014 * tc))
        + np.sin(2 * mr) * (0.019993 - 0.000101 * tc)
        + np.sin(3 * mr) * 0.000289
    )
    true_long = l0 + c
    true_anom = np.radians(m + c)
    r_au = 1.000001018 * (1 - e * e) / (1 + e * np.cos(true_anom))
    omega = np.radians(125.04 - 1934.136 * tc)
    lam = np.radians(true_long - 0.00569 - 0.00478 * np.sin(omega))
    eps0 = 23 + (26 + (21.448 - tc * (46.815 + tc * (0.00059 - tc * 0.001813))) / 60) / 60
    eps = np.radians(eps0 + 0.00256 * np.cos(omega))
    decl = np.arcsin(np.sin(eps) * np.sin(lam))
    y = np.tan(eps / 2) ** 2
    l0r = np.radians(l0)
    eot_min = 4 * np.degrees(
        y * np.sin(2 * l0r)
        - 2 * e * np.sin(mr)
        + 4 * e * y * np.sin(mr) * np.cos(2 * l0r)
        - 0.5 * y * y * np.sin(4 * l0r)
        - 1.25 * e * e * np.sin(2 * mr)
    )
    minutes_utc = np.mod(unix_s / 60.0, 1440.0)
    tst = minutes_utc + eot_min + 4 * longitude_deg
    ha = np.radians(tst / 4 - 180.0)
    lat = np.radians(latitude_deg)
    cosz = np.clip(np.sin(lat) * np.sin(decl) + np.cos(lat) * np.cos(decl) * np.cos(ha), -1.0, 1.0)
    zen = np.arccos(cosz)
    az = np.degrees(np.arctan2(np.sin(ha), np.cos(ha) * np.sin(lat) - np.tan(decl) * np.cos(lat))) + 180.0
    elev = 90.0 - np.degrees(zen)
    elev = elev + _refraction_deg(elev)
    return SunPosition(
        zenith_deg=90.0 - elev,
        azimuth_deg=np.mod(az, 360.0),
        elevation_deg=elev,
        dni_extra_w_m2=SOLAR_CONSTANT_W_M2 / r_au**2,
    )


def _refraction_deg(elev_deg: np.ndarray) -> np.ndarray:
    """NOAA approximation of atmospheric refraction, degrees (added to the true elevation)."""
    e = np.asarray(elev_deg, dtype=float)
    te = np.tan(np.radians(np.clip(e, -89.0, 89.0)))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(
            e > 85.0,
            0.0,
            np.where(
                e > 5.0,
                58.1 / te - 0.07 / te**3 + 0.000086 / te**5,
                np.where(
                    e > -0.575,
                    1735.0 + e * (-518.2 + e * (103.4 + e * (-12.79 + e * 0.711))),
                    -20.772 / te,
                ),
            ),
        )
    return r / 3600.0


def relative_air_mass(zenith_deg: np.ndarray) -> np.ndarray:
    """Kasten & Young (1989) relative optical air mass (NaN for the sun below the horizon)."""
    z = np.asarray(zenith_deg, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        am = 1.0 / (np.cos(np.radians(z)) + 0.50572 * (96.07995 - z) ** -1.6364)
    return np.where(z < 90.0, am, np.nan)


# --------------------------------------------------------------------------- sky (Perez)
@dataclass(frozen=True)
class Sky:
    """Everything a surface needs to compute its irradiance, per hour.

    Attributes
    ----------
    time : DatetimeIndex (n_h,)
    sun : SunPosition
    dni_w_m2, dhi_w_m2, ghi_w_m2 : (n_h,) weather irradiance.
    albedo : float, ground reflectance.
    f1, f2 : (n_h,) Perez circumsolar and horizon brightening coefficients.
    """

    time: pd.DatetimeIndex
    sun: SunPosition
    dni_w_m2: np.ndarray
    dhi_w_m2: np.ndarray
    ghi_w_m2: np.ndarray
    albedo: float
    f1: np.ndarray
    f2: np.ndarray


def perez_coefficients(
    dni: np.ndarray, dhi: np.ndarray, zenith_deg: np.ndarray, dni_extra: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Perez (1990) brightness coefficients F1 (circumsolar) and F2 (horizon); 0 without sun or diffuse."""
    z = np.radians(np.asarray(zenith_deg, dtype=float))
    up = (z < np.pi / 2) & (dhi > 0)
    kappa = 1.041
    with np.errstate(divide="ignore", invalid="ignore"):
        eps = ((dhi + dni) / dhi + kappa * z**3) / (1 + kappa * z**3)
        delta = dhi * relative_air_mass(np.degrees(z)) / dni_extra
    eps = np.where(up, eps, 1.0)
    delta = np.where(up, delta, 0.0)
    k = np.searchsorted(_PEREZ_EPS_EDGES, eps, side="right")
    f = _PEREZ_F[k]
    f1 = np.maximum(0.0, f[:, 0] + f[:, 1] * delta + z * f[:, 2])
    f2 = f[:, 3] + f[:, 4] * delta + z * f[:, 5]
    return np.where(up, f1, 0.0), np.where(up, f2, 0.0)


def sky_from_weather(weather, *, albedo: float | None = 0.2) -> Sky:
    """Sun position and Perez coefficients from a :class:`twin.ingest.epw.Weather`.

    Parameters
    ----------
    weather : Weather
        ``weather.data`` with ``dni_w_m2``, ``dhi_w_m2``, ``ghi_w_m2`` on a tz-aware index of
        interval-end times; ``weather.location`` with latitude / longitude.
    albedo : float or None
        Ground reflectance; ``None`` uses the mean of the file's ``albedo`` column (0.2 if
        absent).

    Raises
    ------
    InputError
        An hour of missing (EPW missing-value code) or non-finite irradiance or air temperature
        (``dry_bulb_c``, when the weather has it), naming the file, the first such row and the
        field: every model that builds this sky (zone, stock, PV) reads both in every hour (a
        missing temperature gave NaN PV module temperatures, counted as no yield).
    """
    data = weather.data
    loc = weather.location
    sun = sun_position(data.index, loc.latitude_deg, loc.longitude_deg)
    dni = data["dni_w_m2"].to_numpy(dtype=float)
    dhi = data["dhi_w_m2"].to_numpy(dtype=float)
    ghi = data["ghi_w_m2"].to_numpy(dtype=float)
    needed = [("dni_w_m2", dni, "irradiance"), ("dhi_w_m2", dhi, "irradiance"), ("ghi_w_m2", ghi, "irradiance")]
    if "dry_bulb_c" in data:
        needed.append(("dry_bulb_c", data["dry_bulb_c"].to_numpy(dtype=float), "air temperature"))
    for name, arr, what in needed:
        bad = ~np.isfinite(arr)
        if bad.any():
            h = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"missing {what} ({int(bad.sum())} hours)",
                path=getattr(weather, "source", None) or None,
                obj=f"weather row {h} ({data.index[h]})",
                field=name,
            )
    if albedo is None:
        col = data["albedo"].to_numpy(dtype=float) if "albedo" in data else np.array([np.nan])
        albedo = float(np.nanmean(col)) if np.isfinite(col).any() else 0.2
    # no beam below the horizon (interval-midpoint position; sunrise hours keep their diffuse)
    dni = np.where(sun.elevation_deg > 0.0, np.maximum(dni, 0.0), 0.0)
    dhi = np.maximum(dhi, 0.0)
    ghi = np.maximum(ghi, 0.0)
    f1, f2 = perez_coefficients(dni, dhi, sun.zenith_deg, sun.dni_extra_w_m2)
    return Sky(data.index, sun, dni, dhi, ghi, float(albedo), f1, f2)


def _unit(tilt_deg: float, azimuth_deg: float) -> np.ndarray:
    """Outward unit normal (east, north, up) of a plane with tilt from horizontal and azimuth from north."""
    t, a = np.radians(tilt_deg), np.radians(azimuth_deg)
    return np.array([np.sin(t) * np.sin(a), np.sin(t) * np.cos(a), np.cos(t)])


def sun_vectors(sun: SunPosition) -> np.ndarray:
    """(n_h, 3) unit vectors toward the sun (east, north, up)."""
    el = np.radians(sun.elevation_deg)
    az = np.radians(sun.azimuth_deg)
    return np.column_stack([np.cos(el) * np.sin(az), np.cos(el) * np.cos(az), np.sin(el)])


@dataclass(frozen=True)
class PlaneIrradiance:
    """Irradiance components on a plane, W/m2 (n_h,), and the cosine of the incidence angle."""

    beam: np.ndarray
    circumsolar: np.ndarray
    isotropic: np.ndarray
    horizon: np.ndarray
    ground: np.ndarray
    cos_aoi: np.ndarray

    @property
    def total(self) -> np.ndarray:
        """Global irradiance on the plane, W/m2."""
        return self.beam + self.circumsolar + self.isotropic + self.horizon + self.ground


def plane_irradiance(sky: Sky, tilt_deg: float, azimuth_deg: float) -> PlaneIrradiance:
    """Perez (1990) plane-of-array irradiance components on a plane of given tilt and azimuth.

    Parameters
    ----------
    sky : Sky
    tilt_deg : float
        0 = horizontal facing up, 90 = vertical.
    azimuth_deg : float
        Azimuth of the outward normal, clockwise from north (180 = south).
    """
    n = _unit(tilt_deg, azimuth_deg)
    cos_aoi = sun_vectors(sky.sun) @ n
    beta = np.radians(tilt_deg)
    cosz = np.cos(np.radians(sky.sun.zenith_deg))
    a = np.maximum(0.0, cos_aoi)
    b = np.maximum(np.cos(np.radians(85.0)), cosz)
    beam = sky.dni_w_m2 * a
    iso = sky.dhi_w_m2 * (1 - sky.f1) * (1 + np.cos(beta)) / 2
    circ = sky.dhi_w_m2 * sky.f1 * a / b
    hor = sky.dhi_w_m2 * sky.f2 * np.sin(beta)
    gnd = sky.ghi_w_m2 * sky.albedo * (1 - np.cos(beta)) / 2
    return PlaneIrradiance(beam, circ, iso, hor, gnd, cos_aoi)


def interval_mean_temperature_c(weather, column: str = "dry_bulb_c") -> np.ndarray:
    """Mean outdoor temperature of each hourly interval, degC (n_h,).

    TMY3 / EPW temperatures are instantaneous values at the time stamp, while the irradiance
    columns are totals over the 60 minutes *ending* at the time stamp (Wilcox & Marion 2008,
    NREL/TP-581-43156, Table 1-1; EnergyPlus interpolates temperatures linearly between
    the stamps). The hourly step that ends at stamp ``h`` therefore sees the trapezoidal
    mean ``(T[h-1] + T[h]) / 2``, the same interval as the solar gains. The value before the
    first stamp is taken from the last one (a typical year is periodic, as in the warm-up).
    A missing value stays missing in its own hour only (the next hour falls back to its own
    stamp), so errors still name the weather row that holds it.
    """
    t = weather.data[column].to_numpy(dtype=float)
    if t.size == 0:
        return t.copy()
    prev = np.roll(t, 1)
    prev = np.where(np.isfinite(prev), prev, t)
    return 0.5 * (t + prev)


def sky_longwave_loss_w_m2(weather) -> np.ndarray:
    """Net long-wave loss of a black horizontal surface at air temperature, W/m2 (n_h,).

    ``sigma (T_e + 273.15)^4 - L_h`` with ``L_h`` the EPW horizontal infrared radiation from
    the sky. Where ``L_h`` is missing, the ISO 13790 §11.4.6 default ``dtheta_er = 11 K`` is
    used (``h_r = 4 sigma T^3``).
    """
    data = weather.data
    te = data["dry_bulb_c"].to_numpy(dtype=float) + 273.15
    lw = data["horizontal_ir_w_m2"].to_numpy(dtype=float) if "horizontal_ir_w_m2" in data else np.full(te.shape, np.nan)
    default = 4 * SIGMA * te**3 * 11.0
    return np.where(np.isfinite(lw), SIGMA * te**4 - lw, default)


def sky_longwave_factor(tilt_deg: float | np.ndarray) -> float | np.ndarray:
    """Share of :func:`sky_longwave_loss_w_m2` that a plane of tilt ``tilt_deg`` loses to the sky.

    ``F_sky * beta`` with ``F_sky = (1 + cos tilt) / 2`` the sky view factor and
    ``beta = sqrt(F_sky)`` the part of that view exchanging with the sky at its effective
    (horizontal-infrared) temperature; the rest, near the horizon, is taken at air
    temperature, and the ground half at air temperature (Walton 1983, TARP; EnergyPlus
    Engineering Reference, external long-wave radiation).

    Parameters
    ----------
    tilt_deg : float or array
        Plane tilt from horizontal, degrees (0 facing up, 90 vertical, 180 facing down).

    Returns
    -------
    float or array
        Dimensionless factor: 1 for a roof, 0.354 for a wall, 0 facing down.
    """
    f_sky = 0.5 * (1.0 + np.cos(np.radians(tilt_deg)))
    f_sky = np.clip(f_sky, 0.0, 1.0)
    out = f_sky * np.sqrt(f_sky)
    return float(out) if np.ndim(out) == 0 else out


# --------------------------------------------------------------------------- glazing
@dataclass(frozen=True)
class Glazing:
    """Angular model of a glazing: ``panes`` sheets of glass of refractive index ``n`` and
    extinction-thickness product ``kl`` each (Duffie & Beckman 2013, §5.1-5.3).

    The default ``kl = 0.0622`` is clear 3.175 mm float glass: it reproduces the normal
    solar transmittance 0.86156 of BESTEST "Glass Type 1" with ``n = 1.526``.
    """

    panes: int = 2
    n: float = 1.526
    kl: float = 0.0622


def glazing_transmittance(cos_aoi: np.ndarray, glazing: Glazing = Glazing()) -> np.ndarray:
    """Solar transmittance of the pane stack at incidence angle ``arccos(cos_aoi)`` (0 beyond 90 deg)."""
    c1 = np.clip(np.asarray(cos_aoi, dtype=float), 0.0, 1.0)
    th1 = np.arccos(c1)
    th2 = np.arcsin(np.sin(th1) / glazing.n)
    c2 = np.cos(th2)
    npn = glazing.panes
    with np.errstate(divide="ignore", invalid="ignore"):
        r_perp = np.sin(th2 - th1) ** 2 / np.sin(th2 + th1) ** 2
        r_par = np.tan(th2 - th1) ** 2 / np.tan(th2 + th1) ** 2
    r0 = ((glazing.n - 1) / (glazing.n + 1)) ** 2
    r_perp = np.where(th1 < 1e-6, r0, r_perp)
    r_par = np.where(th1 < 1e-6, r0, r_par)
    tau_r = 0.5 * ((1 - r_perp) / (1 + (2 * npn - 1) * r_perp) + (1 - r_par) / (1 + (2 * npn - 1) * r_par))
    tau_a = np.exp(-npn * glazing.kl / c2)
    return np.where(c1 > 1e-9, tau_r * tau_a, 0.0)


def glazing_angular_ratio(cos_aoi: np.ndarray, glazing: Glazing = Glazing()) -> np.ndarray:
    """``tau(theta) / tau(0)``: the angular modifier of the window's g-value."""
    return glazing_transmittance(cos_aoi, glazing) / glazing_transmittance(np.array([1.0]), glazing)[0]


def _hemisphere_grid(n_el: int = 45, n_az: int = 144) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Direction grid over the sphere (cell centres): unit vectors (k, 3), elevation (k,), solid angle (k,)."""
    de = np.pi / n_el
    da = 2 * np.pi / n_az
    el = -np.pi / 2 + (np.arange(n_el) + 0.5) * de
    az = (np.arange(n_az) + 0.5) * da
    e, a = np.meshgrid(el, az, indexing="ij")
    vec = np.stack([np.cos(e) * np.sin(a), np.cos(e) * np.cos(a), np.sin(e)], axis=-1).reshape(-1, 3)
    domega = (np.cos(e) * de * da).reshape(-1)
    return vec, e.reshape(-1), domega


def diffuse_angular_ratios(tilt_deg: float, glazing: Glazing = Glazing()) -> tuple[float, float, float]:
    """Cosine-weighted mean of ``tau(theta)/tau(0)`` over the isotropic sky, the ground and the horizon band.

    Returns
    -------
    (sky, ground, horizon) : floats
        Modifiers for the isotropic sky diffuse, the ground-reflected and the horizon
        brightening component of a plane of tilt ``tilt_deg`` (azimuth does not matter).
    """
    vec, el, dom = _hemisphere_grid()
    n = _unit(tilt_deg, 180.0)
    cos_t = vec @ n
    front = cos_t > 0
    ratio = glazing_angular_ratio(cos_t, glazing)
    w = np.where(front, cos_t * dom, 0.0)
    sky = el > 0
    gnd = ~sky
    r_sky = float((ratio * w)[sky].sum() / w[sky].sum()) if w[sky].sum() > 0 else 1.0
    r_gnd = float((ratio * w)[gnd].sum() / w[gnd].sum()) if w[gnd].sum() > 0 else 1.0
    # horizon band: directions at elevation 0
    az = np.radians(np.arange(0.0, 360.0, 1.0) + 0.5)
    hv = np.column_stack([np.sin(az), np.cos(az), np.zeros_like(az)])
    ch = hv @ n
    wh = np.maximum(ch, 0.0)
    r_hor = float((glazing_angular_ratio(ch, glazing) * wh).sum() / wh.sum()) if wh.sum() > 0 else 1.0
    return r_sky, r_gnd, r_hor


# --------------------------------------------------------------------------- overhangs and fins
@dataclass(frozen=True)
class Fin:
    """One side fin of a window, metres: it projects ``depth`` outward at ``gap`` from its jamb,
    from ``below`` under the sill to ``above`` over the head."""

    depth: float
    gap: float = 0.0
    above: float = 0.0
    below: float = 0.0

    def __post_init__(self) -> None:
        for name in ("depth", "gap", "above", "below"):
            v = getattr(self, name)
            if not (np.isfinite(v) and v >= 0):
                raise ValueError(f"fin {name} must be a finite length >= 0 m, got {v!r}")


@dataclass(frozen=True)
class WindowShading:
    """Overhang and side fins of a rectangular window in a vertical facade, metres.

    The window is ``width`` x ``height``. The overhang projects ``overhang_depth`` outward at
    ``overhang_gap`` above the window head and extends ``overhang_extension`` beyond each side,
    or ``overhang_extension_left`` / ``overhang_extension_right`` beyond the left / right jamb
    (seen from outside; each None takes ``overhang_extension``). Symmetric fins project
    ``fin_depth`` outward, at ``fin_gap`` from the left / right jambs (as seen from outside), from
    ``fin_below`` under the sill to ``fin_above`` over the head; ``fin_left`` / ``fin_right``
    (:class:`Fin`) give one side's fin instead (not together with ``fin_depth``). A depth of 0
    means no overhang / fin.
    """

    width: float
    height: float
    overhang_depth: float = 0.0
    overhang_gap: float = 0.0
    overhang_extension: float = 0.0
    fin_depth: float = 0.0
    fin_gap: float = 0.0
    fin_above: float = 0.0
    fin_below: float = 0.0
    overhang_extension_left: float | None = None
    overhang_extension_right: float | None = None
    fin_left: Fin | None = None
    fin_right: Fin | None = None

    def __post_init__(self) -> None:
        lengths = {k: getattr(self, k) for k in ("width", "height", "overhang_depth", "overhang_gap", "overhang_extension", "fin_depth",
                                                   "fin_gap", "fin_above", "fin_below", "overhang_extension_left", "overhang_extension_right")}
        for name, v in lengths.items():
            if v is not None and not (np.isfinite(v) and v >= 0):
                raise ValueError(f"window shading {name} must be a finite length >= 0 m, got {v!r}")
        if self.width <= 0 or self.height <= 0:
            raise ValueError(f"window shading needs a window of positive size, got {self.width!r} x {self.height!r} m")
        if self.fin_depth > 0 and (self.fin_left is not None or self.fin_right is not None):
            raise ValueError("give symmetric fins (fin_depth) or per-side fins (fin_left / fin_right), not both")

    @property
    def active(self) -> bool:
        return self.overhang_depth > 0 or bool(self.fins())

    def overhang_extents(self) -> tuple[float, float]:
        """Extensions of the overhang beyond the left and right jambs (seen from outside), m."""
        left = self.overhang_extension if self.overhang_extension_left is None else self.overhang_extension_left
        right = self.overhang_extension if self.overhang_extension_right is None else self.overhang_extension_right
        return left, right

    def fins(self) -> list[tuple[float, Fin]]:
        """The fins as (x of the fin plane in facade coordinates, fin), left first; those of depth 0 left out."""
        if self.fin_depth > 0:
            f = Fin(self.fin_depth, self.fin_gap, self.fin_above, self.fin_below)
            return [(-self.fin_gap, f), (self.width + self.fin_gap, f)]
        out = []
        if self.fin_left is not None and self.fin_left.depth > 0:
            out.append((-self.fin_left.gap, self.fin_left))
        if self.fin_right is not None and self.fin_right.depth > 0:
            out.append((self.width + self.fin_right.gap, self.fin_right))
        return out


def _sunlit_fraction_local(ws: WindowShading, d: np.ndarray, n_grid: int = 12) -> np.ndarray:
    """Sunlit fraction of the window for directions ``d`` (k, 3) in facade coordinates.

    Facade coordinates: x to the right (seen from outside), y outward, z up; window spans
    x in [0, width], z in [0, height] on the plane y = 0. Directions with d_y <= 0 give 0.
    The window is sampled at the centres of an ``n_grid`` x ``n_grid`` grid; a sample is shaded
    when the ray towards ``d`` crosses the overhang (a rectangle at z = height + gap, y in
    [0, depth], x in [-left extension, width + right extension]) or a fin (a rectangle at its
    x, y in [0, depth], z in [-below, height + above]).
    """
    xs = (np.arange(n_grid) + 0.5) / n_grid * ws.width
    zs = (np.arange(n_grid) + 0.5) / n_grid * ws.height
    px, pz = np.meshgrid(xs, zs, indexing="ij")
    px = px.reshape(1, -1)
    pz = pz.reshape(1, -1)
    dx = d[:, 0:1]
    dy = d[:, 1:2]
    dz = d[:, 2:3]
    blocked = np.zeros((d.shape[0], px.shape[1]), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        if ws.overhang_depth > 0:
            ext_left, ext_right = ws.overhang_extents()
            z_ov = ws.height + ws.overhang_gap
            t = (z_ov - pz) / dz
            y = t * dy
            x = px + t * dx
            hit = (dz > 0) & (y >= 0) & (y <= ws.overhang_depth)
            hit &= (x >= -ext_left) & (x <= ws.width + ext_right)
            blocked |= hit
        for x_f, fin in ws.fins():
            t = (x_f - px) / dx
            y = t * dy
            z = pz + t * dz
            hit = (t > 0) & (y >= 0) & (y <= fin.depth)
            hit &= (z >= -fin.below) & (z <= ws.height + fin.above)
            blocked |= hit
    lit = 1.0 - blocked.mean(axis=1)
    return np.where(d[:, 1] > 0, lit, 0.0)


def _to_facade(vec: np.ndarray, azimuth_deg: float) -> np.ndarray:
    """(east, north, up) vectors into facade coordinates (right, outward, up) of a vertical facade."""
    a = np.radians(azimuth_deg)
    right = np.array([-np.cos(a), np.sin(a), 0.0])
    out = np.array([np.sin(a), np.cos(a), 0.0])
    return np.column_stack([vec @ right, vec @ out, vec[:, 2]])


def window_shading_factors(
    ws: WindowShading, sun: SunPosition, azimuth_deg: float
) -> tuple[np.ndarray, float, float]:
    """Overhang / fin shading of a window in a vertical facade.

    Returns
    -------
    beam_sunlit : (n_h,) sunlit fraction of the window for beam and circumsolar (0 when the sun is
        behind the facade or below the horizon).
    sky_factor : float, fraction of the isotropic sky diffuse still received (cosine weighted).
    ground_factor : float, same for ground-reflected irradiance.
    """
    if not ws.active:
        return np.ones(sun.elevation_deg.shape[0]), 1.0, 1.0
    d = _to_facade(sun_vectors(sun), azimuth_deg)
    beam = np.zeros(d.shape[0])  # sun behind the facade or below the horizon: window not sunlit
    front = (d[:, 1] > 0) & (sun.elevation_deg > 0)
    beam[front] = _sunlit_fraction_local(ws, d[front])
    vec, el, dom = _hemisphere_grid(30, 96)
    dl = _to_facade(vec, azimuth_deg)
    w = np.where(dl[:, 1] > 0, dl[:, 1] * dom, 0.0)
    keep = w > 0
    lit = np.zeros(vec.shape[0])
    lit[keep] = _sunlit_fraction_local(ws, dl[keep], n_grid=8)
    sky = el > 0
    sky_f = float((lit * w)[sky].sum() / w[sky].sum())
    gnd_f = float((lit * w)[~sky].sum() / w[~sky].sum())
    return beam, sky_f, gnd_f


# --------------------------------------------------------------------------- horizon
def sector_of(azimuth_deg: np.ndarray, n_sectors: int) -> np.ndarray:
    """Index of the azimuth sector (sectors centred on ``k * 360 / n_sectors``) of each azimuth."""
    width = 360.0 / n_sectors
    return (np.floor(np.mod(np.asarray(azimuth_deg, dtype=float) + width / 2, 360.0) / width).astype(np.int64)) % n_sectors


def horizon_view_factors(
    horizon_elev_deg: np.ndarray, tilt_deg: np.ndarray | float, azimuth_deg: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray]:
    """Unobstructed fraction of the isotropic sky and of the horizon band seen by planes.

    Parameters
    ----------
    horizon_elev_deg : (n, n_sectors)
        Obstruction elevation angle per azimuth sector (sector k centred on ``k * 360 /
        n_sectors`` deg from north), degrees (see ``Scene.horizon_profile``).
    tilt_deg, azimuth_deg : (n,) or float
        Plane orientations.

    Returns
    -------
    iso_factor : (n,) sky view factor with obstructions / without (cosine weighted over the
        visible sky, isotropic radiance).
    band_factor : (n,) cosine-weighted fraction of the horizon band (elevation 0) that is not
        obstructed (obstruction elevation below 0.5 deg).
    """
    hz = np.radians(np.atleast_2d(np.asarray(horizon_elev_deg, dtype=float)))
    n, n_s = hz.shape
    tilt = np.broadcast_to(np.radians(np.asarray(tilt_deg, dtype=float)), (n,))
    az = np.broadcast_to(np.radians(np.asarray(azimuth_deg, dtype=float)), (n,))
    sub = 4
    n_el = 45
    phi = (np.arange(n_s * sub) + 0.5) / (n_s * sub) * 2 * np.pi - np.pi / n_s  # sub-azimuths
    sec = np.arange(n_s * sub) // sub
    el = (np.arange(n_el) + 0.5) / n_el * np.pi / 2
    de = np.pi / 2 / n_el
    dphi = 2 * np.pi / (n_s * sub)
    ce, se = np.cos(el), np.sin(el)
    cp, sp = np.cos(phi), np.sin(phi)
    # direction (E, N, U) = (ce*sp, ce*cp, se); normal = (sin t sin a, sin t cos a, cos t)
    st, ct = np.sin(tilt), np.cos(tilt)
    sa, ca = np.sin(az), np.cos(az)
    iso = np.empty(n)
    band = np.empty(n)
    chunk = 256
    for i0 in range(0, n, chunk):
        i1 = min(n, i0 + chunk)
        horiz = st[i0:i1, None] * (sp[None, :] * sa[i0:i1, None] + cp[None, :] * ca[i0:i1, None])  # (c, n_phi)
        cos_t = ce[None, :, None] * horiz[:, None, :] + se[None, :, None] * ct[i0:i1, None, None]
        w = np.maximum(cos_t, 0.0) * (ce * de * dphi)[None, :, None]  # (c, n_el, n_phi)
        hzs = hz[i0:i1][:, sec]  # (c, n_phi)
        # blocked part of each elevation cell (linear within the cell: second-order accurate)
        blocked = np.clip((hzs[:, None, :] - (el - de / 2)[None, :, None]) / de, 0.0, 1.0)
        total = w.sum(axis=(1, 2))
        lost = (w * blocked).sum(axis=(1, 2))
        iso[i0:i1] = np.where(total > 0, 1.0 - lost / np.where(total > 0, total, 1.0), 1.0)
        wb = np.maximum(horiz, 0.0)
        free = hzs < np.radians(0.5)
        wsum = wb.sum(axis=1)
        band[i0:i1] = np.where(wsum > 0, (wb * free).sum(axis=1) / np.where(wsum > 0, wsum, 1.0), 1.0)
    return iso, band


def horizon_beam_visible(horizon_elev_deg: np.ndarray, sun: SunPosition) -> np.ndarray:
    """(n_h,) bool: sun above the obstruction horizon (one profile of n_sectors values)."""
    hz = np.asarray(horizon_elev_deg, dtype=float).reshape(-1)
    return sun.elevation_deg > hz[sector_of(sun.azimuth_deg, hz.shape[0])]


# --------------------------------------------------------------------------- surfaces
def surface_irradiance(
    sky: Sky,
    tilt_deg: float,
    azimuth_deg: float,
    *,
    glazing: Glazing | None = None,
    shading: WindowShading | None = None,
    horizon_deg: np.ndarray | None = None,
) -> np.ndarray:
    """Hourly effective irradiance on one surface, W/m2 (n_h,).

    For an opaque surface (``glazing=None``): plane-of-array irradiance. For a window: each
    component is weighted by the angular modifier of the glazing (beam and circumsolar at the
    sun's incidence angle, diffuse by :func:`diffuse_angular_ratios`), so that
    ``g_n * A_w * result`` is the transmitted solar heat. ``shading`` (vertical windows only)
    applies overhang/fin shading; ``horizon_deg`` (n_sectors,) an obstruction horizon.
    """
    p = plane_irradiance(sky, tilt_deg, azimuth_deg)
    beam = p.beam + p.circumsolar
    iso, hor, gnd = p.isotropic, p.horizon, p.ground
    if glazing is not None:
        r_sky, r_gnd, r_hor = diffuse_angular_ratios(tilt_deg, glazing)
        beam = beam * glazing_angular_ratio(p.cos_aoi, glazing)
        iso, hor, gnd = iso * r_sky, hor * r_hor, gnd * r_gnd
    if shading is not None and shading.active:
        if abs(tilt_deg - 90.0) > 1e-6:
            raise InputError("overhangs and fins are supported on vertical windows only", field="tilt_deg")
        b_lit, f_sky, f_gnd = window_shading_factors(shading, sky.sun, azimuth_deg)
        beam = beam * b_lit
        iso, hor, gnd = iso * f_sky, hor * f_sky, gnd * f_gnd
    if horizon_deg is not None:
        vis = horizon_beam_visible(horizon_deg, sky.sun)
        f_iso, f_band = horizon_view_factors(np.asarray(horizon_deg)[None, :], tilt_deg, azimuth_deg)
        beam = np.where(vis, beam, 0.0)
        iso, hor = iso * f_iso[0], hor * f_band[0]
    return beam + iso + hor + gnd


#: Orientation (tilt, azimuth) of the standard groups, see ``twin.energy.inputs.STANDARD_GROUPS``.
STANDARD_ORIENTATION: dict[str, tuple[float, float]] = {
    "win_n": (90.0, 0.0),
    "win_e": (90.0, 90.0),
    "win_s": (90.0, 180.0),
    "win_w": (90.0, 270.0),
    "win_h": (0.0, 180.0),
    "opq_n": (90.0, 0.0),
    "opq_e": (90.0, 90.0),
    "opq_s": (90.0, 180.0),
    "opq_w": (90.0, 270.0),
    "roof": (0.0, 180.0),
}


#: Window groups of :data:`STANDARD_ORIENTATION` that can carry overhangs and fins (vertical facades).
SHADEABLE_WINDOW_GROUPS: tuple[str, ...] = ("win_n", "win_e", "win_s", "win_w")
#: Separator between the window group and the shading geometry's short id in a shaded group's name.
SHADED_GROUP_SEPARATOR = "~"


@dataclass(frozen=True)
class ShadedWindows:
    """Windows of one facade orientation under one overhang / fin geometry: one irradiance group of the stock drivers.

    Parameters
    ----------
    group : str
        The standard window group of the facade (:data:`SHADEABLE_WINDOW_GROUPS`: ``win_n``,
        ``win_e``, ``win_s``, ``win_w``); its orientation and the drivers' glazing are used.
    shadings : tuple of WindowShading
        The shading of each window of the group when they differ (e.g. a wall-wide overhang
        over a row of windows at different offsets), else one: the group's irradiance is the
        mean over them, as the spec path's window row (:func:`twin.energy.spec.zone_model`).

    The group's name (:attr:`name`) is ``<group>~<short id>``, the short id a digest of the
    orientation and the geometry (:func:`twin.caching.content_digest`, 6 bytes in hex): equal
    geometries on equal facades have the same name, so every building with that geometry shares
    one row of the drivers.
    """

    group: str
    shadings: tuple[WindowShading, ...]

    def __post_init__(self) -> None:
        if isinstance(self.shadings, list):  # a list and a tuple of the same shadings are one geometry
            object.__setattr__(self, "shadings", tuple(self.shadings))

    @property
    def name(self) -> str:
        """Name of the group in :attr:`twin.energy.inputs.Drivers.groups`: ``<group>~<12 hex digits>``."""
        from twin.caching import content_digest

        return f"{self.group}{SHADED_GROUP_SEPARATOR}{content_digest(self.group, tuple(self.shadings), digest_size=6).hex()}"

    def check(self, key: str) -> None:
        """Raise :class:`~twin.errors.InputError` (naming ``key``, e.g. ``shaded_windows.0``) unless usable.

        A vertical standard window group, at least one shading, each a :class:`WindowShading`,
        and at least one with an overhang or a fin.
        """
        obj = f"shaded windows {self.group!r}"
        if self.group not in SHADEABLE_WINDOW_GROUPS:
            what = "a roof window (win_h): overhangs and fins are for vertical windows" if self.group == "win_h" else f"group {self.group!r}"
            raise InputError(f"cannot shade {what}; shaded groups are {', '.join(SHADEABLE_WINDOW_GROUPS)}", obj=obj, field=f"{key}.group")
        shadings = self.shadings if isinstance(self.shadings, tuple) else ()
        if not shadings:
            raise InputError("needs at least one window shading (a tuple of WindowShading)", obj=obj, field=f"{key}.shadings")
        for i, sh in enumerate(shadings):
            if not isinstance(sh, WindowShading):
                raise InputError(f"unknown shading {type(sh).__name__}: expected a twin.energy.solar.WindowShading", obj=obj,
                                 field=f"{key}.shadings.{i}")
        if not any(sh.active for sh in shadings):
            raise InputError("no overhang or fin (every depth is 0): leave the windows in their standard group", obj=obj,
                             field=f"{key}.shadings")


def shaded_groups(shaded_windows: Sequence[ShadedWindows]) -> list[ShadedWindows]:
    """The distinct shaded groups of ``shaded_windows`` in first-seen order (equal ones once), each checked.

    Raises
    ------
    InputError
        An entry that :meth:`ShadedWindows.check` refuses (naming ``shaded_windows.<k>``), or two
        different geometries with one name (a collision of the short id).
    """
    seen: dict[str, tuple[int, ShadedWindows]] = {}
    for k, sw in enumerate(shaded_windows):
        if not isinstance(sw, ShadedWindows):
            raise InputError(f"unknown shading {type(sw).__name__}: expected a twin.energy.solar.ShadedWindows", field=f"shaded_windows.{k}")
        sw.check(f"shaded_windows.{k}")
        name = sw.name
        if name in seen:
            if seen[name][1] != sw:
                raise InputError(f"group name {name!r} is already the name of shaded_windows.{seen[name][0]}, another geometry",
                                 obj=f"shaded windows {sw.group!r}", field=f"shaded_windows.{k}")
            continue
        seen[name] = (k, sw)
    return [sw for _, sw in seen.values()]


def standard_irradiance(weather, *, albedo: float | None = 0.2, glazing: Glazing = Glazing(),
                        shaded_windows: Sequence[ShadedWindows] = ()) -> np.ndarray:
    """Driver rows of :data:`twin.energy.inputs.STANDARD_GROUPS` (n_groups, n_h), W/m2, then one per shaded group.

    ``shaded_windows``: :class:`ShadedWindows`, one row per distinct one (:func:`shaded_groups`):
    :func:`surface_irradiance` of the group's orientation with ``glazing`` and each of its
    shadings (their mean when several), on the same sky as the standard rows.
    """
    from twin.energy.inputs import STANDARD_GROUPS

    extra = shaded_groups(shaded_windows)
    sky = sky_from_weather(weather, albedo=albedo)
    rows = []
    for g in STANDARD_GROUPS:
        if g == "sky_lw":
            rows.append(sky_longwave_loss_w_m2(weather))
        else:
            tilt, az = STANDARD_ORIENTATION[g]
            rows.append(surface_irradiance(sky, tilt, az, glazing=glazing if g.startswith("win") else None))
    for sw in extra:
        tilt, az = STANDARD_ORIENTATION[sw.group]
        # the spec path's window row (twin.energy.spec.zone_model): the same calls and the same mean, so the same bits
        row = surface_irradiance(sky, tilt, az, glazing=glazing, shading=sw.shadings[0])
        for sh in sw.shadings[1:]:
            row = row + surface_irradiance(sky, tilt, az, glazing=glazing, shading=sh)
        rows.append(row if len(sw.shadings) == 1 else row / len(sw.shadings))
    return np.vstack(rows)


def standard_drivers(
    weather,
    *,
    albedo: float | None = 0.2,
    glazing: Glazing = Glazing(),
    gain_schedule: np.ndarray | None = None,
    heat_setpoint_c: np.ndarray | None = None,
    cool_setpoint_c: np.ndarray | None = None,
    shaded_windows: Sequence[ShadedWindows] = (),
):
    """:class:`twin.energy.inputs.Drivers` with the standard surface groups from a weather file.

    Schedules default to: gains always 1; heating and cooling off (NaN). The outdoor
    temperature of each hour is the interval mean of the file's instantaneous values
    (:func:`interval_mean_temperature_c`), aligned with the hour-integrated irradiance.

    ``shaded_windows`` (sequence of :class:`ShadedWindows`, default none): windows with
    overhangs or fins get one extra group per distinct (orientation, geometry), named
    :attr:`ShadedWindows.name` and placed after :data:`~twin.energy.inputs.STANDARD_GROUPS`
    (equal entries, e.g. of many buildings, give one group). Without them the drivers are the
    standard groups only.

    Raises
    ------
    InputError
        A shaded group that :func:`shaded_groups` refuses (a roof window, an unknown shading,
        two geometries with one name), naming ``shaded_windows.<k>``.
    """
    from twin.energy.inputs import STANDARD_GROUPS, Drivers

    extra = shaded_groups(shaded_windows)
    data = weather.data
    t_out = interval_mean_temperature_c(weather)
    return Drivers(
        time=data.index,
        t_out_c=t_out,
        irr_w_m2=standard_irradiance(weather, albedo=albedo, glazing=glazing, shaded_windows=extra),
        groups=STANDARD_GROUPS + tuple(sw.name for sw in extra),
        gain_schedule=gain_schedule,
        heat_setpoint_c=heat_setpoint_c,
        cool_setpoint_c=cool_setpoint_c,
        wind_speed_m_s=weather_wind(data, "wind_speed_m_s"),
        wind_dir_deg=weather_wind(data, "wind_dir_deg"),
    )


def weather_wind(data, column: str) -> np.ndarray | None:
    """The weather's wind column as float64, None when the weather has none (e.g. a meter data set's own weather)."""
    return data[column].to_numpy(dtype=float) if column in data else None


def horizon_shade_factors(
    weather,
    horizon_elev_deg: np.ndarray,
    group: np.ndarray,
    *,
    groups: tuple[str, ...] | None = None,
    albedo: float | None = 0.2,
    glazing: Glazing = Glazing(),
) -> np.ndarray:
    """Monthly shading factors of facades (or roofs) from their obstruction horizons.

    Parameters
    ----------
    weather : Weather
    horizon_elev_deg : (n_f, n_sectors)
        Obstruction elevation per azimuth sector (``Scene.horizon_profile`` columns
        ``h_000 ... h_350``), degrees.
    group : (n_f,) str
        Standard surface group of each facade (e.g. ``"win_s"``, ``"opq_e"``, ``"roof"``).
        Each facade is evaluated at its group's nominal orientation.
    groups : tuple of str, optional
        Group names (default :data:`~twin.energy.inputs.STANDARD_GROUPS`).

    Returns
    -------
    (n_f, 12) ratio of shaded to unshaded monthly irradiance (ISO 13790 ``F_sh,ob``). The
    caller combines facades of one building and group (e.g. area-weighted mean) into
    ``StockInputs.shade_factor``.
    """
    from twin.energy.inputs import STANDARD_GROUPS
    from twin.kernels.solar import horizon_monthly_factors

    groups = STANDARD_GROUPS if groups is None else tuple(groups)
    hz = np.atleast_2d(np.asarray(horizon_elev_deg, dtype=float))
    n_f, n_s = hz.shape
    gnames = [g for g in groups if g in STANDARD_ORIENTATION]
    gi = {g: k for k, g in enumerate(gnames)}
    try:
        gidx = np.array([gi[str(g)] for g in np.asarray(group).reshape(-1)], dtype=np.int64)
    except KeyError as exc:
        raise InputError(f"unknown surface group {exc.args[0]!r}; expected one of {gnames}", field="group") from None
    sky = sky_from_weather(weather, albedo=albedo)
    n_h = sky.time.shape[0]
    beam = np.empty((len(gnames), n_h))
    iso = np.empty_like(beam)
    band = np.empty_like(beam)
    gnd = np.empty_like(beam)
    for k, g in enumerate(gnames):
        tilt, az = STANDARD_ORIENTATION[g]
        p = plane_irradiance(sky, tilt, az)
        b, i_, h_, g_ = p.beam + p.circumsolar, p.isotropic, p.horizon, p.ground
        if g.startswith("win"):
            r_sky, r_gnd, r_hor = diffuse_angular_ratios(tilt, glazing)
            b = b * glazing_angular_ratio(p.cos_aoi, glazing)
            i_, h_, g_ = i_ * r_sky, h_ * r_hor, g_ * r_gnd
        beam[k], iso[k], band[k], gnd[k] = b, i_, h_, g_
    tilts = np.array([STANDARD_ORIENTATION[gnames[k]][0] for k in gidx])
    azs = np.array([STANDARD_ORIENTATION[gnames[k]][1] for k in gidx])
    f_iso, f_band = horizon_view_factors(hz, tilts, azs)
    mid = sky.time - pd.Timedelta(minutes=30)
    month = (mid.month.to_numpy() - 1).astype(np.int64)
    out = np.empty((n_f, 12))
    horizon_monthly_factors(
        np.ascontiguousarray(np.radians(hz)),
        gidx,
        f_iso,
        f_band,
        np.radians(sky.sun.elevation_deg),
        sector_of(sky.sun.azimuth_deg, n_s),
        month,
        beam,
        iso,
        band,
        gnd,
        out,
    )
    return out
