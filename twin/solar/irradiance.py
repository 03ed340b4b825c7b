"""Annual irradiation of sensor points in a 3-D scene: direct shading, sky view, Perez.

Two ways to shade the beam, one code path (:mod:`twin.kernels.solar_grid`):

``exact``
    a ray toward the sun from every sensor every hour (beam and circumsolar blocked together);
    the diffuse sky from the sensor's horizon profile (``n_sectors``, default 72).
``horizon``
    the horizon profile of every sensor (default 36 sectors) blocks the beam when the sun is
    below the horizon of its azimuth sector (the energy model's rule, and PVGIS's); the hours
    are sorted once per sector, so a sensor costs a binary search per sector instead of a ray
    per hour. Used for whole regions.

The diffuse part: isotropic sky times the sky-view share of the horizon
(:func:`twin.kernels.solar_sky.sky_view_factors`), horizon band only where the horizon is free,
ground reflection unobstructed (albedo x GHI x (1 - cos t)/2: obstructions are taken to reflect
as the ground does).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.option_names import METHODS  # the irradiance methods (there for the command line, kept here)
from twin.solar.grid import SceneGrid
from twin.solar.progress import chunks
from twin.solar.sensors import Sensors
from twin.solar.sky import SolarSky, beam_hours

#: Horizon band counted free below this obstruction elevation, degrees (as the energy model).
BAND_FREE_DEG = 0.5

#: Azimuth points per sector in the sky-view integral.
SVF_SUBSAMPLES = 8


@dataclass
class SensorIrradiance:
    """Annual irradiation of sensors, Wh/m2 (n,), and their sky-view factors."""

    total_wh_m2: np.ndarray
    beam_wh_m2: np.ndarray  # beam + circumsolar, shaded
    diffuse_wh_m2: np.ndarray  # isotropic + horizon band (shaded) + ground
    free_wh_m2: np.ndarray  # the same plane without obstructions
    sky_view: np.ndarray  # isotropic sky-view share (1 = open sky of the plane)
    band_free: np.ndarray
    horizon_deg: np.ndarray  # (n, n_sectors)


def sky_view(horizon_deg: np.ndarray, normal: np.ndarray, *, n_sub: int = SVF_SUBSAMPLES) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic sky-view share and free horizon-band share of planes (normal (n, 3)) under horizons (n, n_s)."""
    from twin.kernels.solar_sky import sky_view_factors

    normal = np.asarray(normal, dtype=float).reshape(-1, 3)
    tilt = np.arccos(np.clip(normal[:, 2], -1.0, 1.0))
    az = np.arctan2(normal[:, 0], normal[:, 1])
    iso = np.empty(len(normal))
    band = np.empty(len(normal))
    sky_view_factors(np.ascontiguousarray(horizon_deg, dtype=float), tilt, az, int(n_sub), BAND_FREE_DEG, iso, band)
    return iso, band


def _diffuse_sums(sky: SolarSky, normal: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Annual isotropic, band and ground sums (Wh/m2) on unobstructed planes of normals (n, 3)."""
    ct = normal[:, 2]
    st = np.sqrt(np.clip(1 - ct * ct, 0, None))
    return sky.iso.sum() * 0.5 * (1 + ct), sky.band.sum() * st, sky.ground.sum() * 0.5 * (1 - ct)


def sensor_irradiance(grid: SceneGrid, sensors: Sensors, sky: SolarSky, *, method: str = "exact", n_sectors: int | None = None,
                      max_distance_m: float = 200.0, progress=None) -> SensorIrradiance:
    """Annual irradiation of every sensor (see the module docstring).

    Parameters
    ----------
    grid : the scene.
    sensors : the points (their normals give the planes).
    sky : the weather year.
    method : ``exact`` or ``horizon``.
    n_sectors : horizon sectors (default 72 exact, 36 horizon).
    max_distance_m : horizons look this far, m.
    progress : show bars on stderr.
    """
    from twin.errors import InputError

    if method not in METHODS:
        raise InputError(f"unknown shading method {method!r}; expected one of {', '.join(METHODS)}", field="method")
    n_sectors = int(n_sectors or (72 if method == "exact" else 36))
    hz = grid.horizons(sensors.xyz, n_sectors=n_sectors, max_distance_m=max_distance_m, progress=progress)
    svf, band = sky_view(hz, sensors.normal)
    iso_s, band_s, ground_s = _diffuse_sums(sky, sensors.normal)
    if method == "exact":
        b, c, bf, cf = grid.beam_monthly(sensors.xyz, sensors.normal, sky.sun, sky.dni, sky.circ_dn, sky.month, progress=progress)
        beam = (b + c).sum(axis=1)
        free_beam = (bf + cf).sum(axis=1)
    else:
        beam, free_beam = horizon_beam(hz, sensors, sky, n_sectors, progress=progress)
    diffuse = svf * iso_s + band * band_s + ground_s
    return SensorIrradiance(beam + diffuse, beam, diffuse, free_beam + iso_s + band_s + ground_s, svf, band, hz)


def horizon_beam(horizon_deg: np.ndarray, sensors: Sensors, sky: SolarSky, n_sectors: int, *, progress=None):
    """Annual beam + circumsolar (Wh/m2) of sensors behind their horizons, and unshaded, per sensor."""
    from twin.kernels.solar_sky import beam_annual_horizon

    bh = beam_hours(sky, n_sectors)
    n_surf = len(sensors.surface_index)
    normals = np.ascontiguousarray(sensors.normal[sensors.offsets[:-1]]) if n_surf else np.zeros((0, 3))
    beam = np.zeros(len(sensors))
    free_surf = np.zeros(n_surf)
    hz = np.ascontiguousarray(horizon_deg, dtype=float)
    for a, b in chunks(n_surf, progress, "beam"):
        s0, s1 = sensors.offsets[a], sensors.offsets[b]
        beam_annual_horizon(hz[s0:s1], sensors.offsets[a:b + 1] - s0, normals[a:b], bh.sun, bh.weight, bh.sector_offsets,
                            bh.elevation_deg, beam[s0:s1], free_surf[a:b])
    counts = np.diff(sensors.offsets)
    return beam, np.repeat(free_surf, counts)
