"""Hourly sky of a weather file for the solar model: sun vectors and Perez components.

Sun position and Perez coefficients come from :mod:`twin.energy.solar` (NOAA equations at the
interval midpoint; Perez et al. 1990 "all sites composite" coefficients), so the energy model
and the solar model share one sky. The plane-of-array irradiance of a plane of tilt ``t`` is::

    beam       dni * max(0, cos aoi)                          (blocked by obstructions)
    circumsolar circ_dn * max(0, cos aoi)                     (blocked with the beam)
    isotropic  iso * (1 + cos t) / 2        * F_iso           (F_iso: sky-view share)
    horizon    band * sin t                 * F_band          (F_band: free horizon band)
    ground     ground * (1 - cos t) / 2                       (albedo x GHI)

with ``circ_dn = DHI F1 / max(cos 85 deg, cos z)``, ``iso = DHI (1 - F1)``, ``band = DHI F2``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class SolarSky:
    """Per-hour arrays (n_h,) of a weather year; ``sun`` is (n_h, 3)."""

    time: pd.DatetimeIndex
    sun: np.ndarray
    elevation_deg: np.ndarray
    azimuth_deg: np.ndarray
    dni: np.ndarray
    circ_dn: np.ndarray
    iso: np.ndarray
    band: np.ndarray
    ground: np.ndarray
    month: np.ndarray
    t_air_c: np.ndarray
    wind_m_s: np.ndarray
    albedo: float

    @property
    def n_hours(self) -> int:
        return len(self.dni)

    def plane_components(self, normal: np.ndarray) -> dict[str, np.ndarray]:
        """Hourly components (W/m2) on an unobstructed plane of unit normal ``normal`` (3,)."""
        n = np.asarray(normal, dtype=float)
        c = np.where(self.sun[:, 2] > 0, self.sun @ n, 0.0)
        a = np.maximum(c, 0.0)
        ct = n[2]
        st = np.sqrt(max(0.0, 1.0 - ct * ct))
        return {
            "beam": self.dni * a,
            "circumsolar": self.circ_dn * a,
            "isotropic": self.iso * 0.5 * (1 + ct),
            "horizon": self.band * st,
            "ground": self.ground * 0.5 * (1 - ct),
            "cos_aoi": c,
        }


#: Wind speed of a weather without a wind column (a meter data set's own weather), m/s: the
#: still-air value of the PVWatts module temperature model.
DEFAULT_WIND_M_S = 1.0


def solar_sky(weather, *, albedo: float | None = 0.2) -> SolarSky:
    """The sky of a :class:`twin.ingest.epw.Weather` (see the module docstring).

    The wind speed (PV module temperature) comes from the weather's ``wind_speed_m_s``;
    :data:`DEFAULT_WIND_M_S` where the weather has no such column.

    Raises
    ------
    InputError
        Missing irradiance or air temperature (:func:`twin.energy.solar.sky_from_weather`), or a
        wind speed missing (EPW code 999) in some hours, naming the file, the first such row and
        the field (the hours used to take 1 m/s without a word).
    """
    from twin.energy.solar import interval_mean_temperature_c, sky_from_weather, sun_vectors

    sky = sky_from_weather(weather, albedo=albedo)
    zen = np.radians(sky.sun.zenith_deg)
    b = np.maximum(np.cos(np.radians(85.0)), np.cos(zen))
    up = sky.sun.elevation_deg > 0
    circ = np.where(up, sky.dhi_w_m2 * sky.f1 / b, 0.0)
    data = weather.data
    mid = sky.time - pd.Timedelta(minutes=30)
    wind = data["wind_speed_m_s"].to_numpy(dtype=float) if "wind_speed_m_s" in data else np.full(len(data), DEFAULT_WIND_M_S)
    missing = ~np.isfinite(wind)
    if missing.any():
        from twin.errors import InputError

        h = int(np.flatnonzero(missing)[0])
        raise InputError(f"missing wind speed ({int(missing.sum())} hours): the PV module temperature needs the wind of every hour",
                         path=getattr(weather, "source", None) or None, obj=f"weather row {h} ({data.index[h]})", field="wind_speed_m_s")
    return SolarSky(
        time=sky.time,
        sun=np.ascontiguousarray(sun_vectors(sky.sun)),
        elevation_deg=np.asarray(sky.sun.elevation_deg, dtype=float),
        azimuth_deg=np.asarray(sky.sun.azimuth_deg, dtype=float),
        dni=np.asarray(sky.dni_w_m2, dtype=float),
        circ_dn=np.asarray(circ, dtype=float),
        iso=np.asarray(sky.dhi_w_m2 * (1 - sky.f1), dtype=float),
        band=np.asarray(sky.dhi_w_m2 * sky.f2, dtype=float),
        ground=np.asarray(sky.ghi_w_m2 * sky.albedo, dtype=float),
        month=(mid.month.to_numpy() - 1).astype(np.int64),
        t_air_c=interval_mean_temperature_c(weather),
        wind_m_s=wind,
        albedo=float(sky.albedo),
    )


@dataclass(frozen=True)
class BeamHours:
    """Sun-up hours with beam, grouped by the azimuth sector of the sun and sorted by decreasing
    elevation (the tables of :func:`twin.kernels.solar_sky.beam_annual_horizon`)."""

    sector_offsets: np.ndarray  # int64 (n_s + 1)
    hours: np.ndarray  # int64 (n_b,) index into the year
    elevation_deg: np.ndarray  # (n_b,)
    sun: np.ndarray  # (n_b, 3)
    weight: np.ndarray  # (n_b,) dni + circ_dn, W/m2
    month: np.ndarray  # int64 (n_b,)


def beam_hours(sky: SolarSky, n_sectors: int) -> BeamHours:
    """:class:`BeamHours` of ``sky`` for horizons of ``n_sectors`` sectors."""
    from twin.energy.solar import sector_of

    weight = sky.dni + sky.circ_dn
    h = np.flatnonzero((sky.elevation_deg > 0) & (weight > 0))
    sec = sector_of(sky.azimuth_deg[h], n_sectors)
    order = np.lexsort((-sky.elevation_deg[h], sec))
    h = h[order]
    sec = sec[order]
    offsets = np.zeros(n_sectors + 1, dtype=np.int64)
    np.cumsum(np.bincount(sec, minlength=n_sectors), out=offsets[1:])
    return BeamHours(offsets, h, np.ascontiguousarray(sky.elevation_deg[h]), np.ascontiguousarray(sky.sun[h]),
                     np.ascontiguousarray(weight[h]), np.ascontiguousarray(sky.month[h]))
