"""Sky kernels: sky-view factors from horizon profiles, annual and monthly beam behind horizons,
and the hourly PV chain of many orientations.

Conventions: directions are (east, north, up); azimuths clockwise from north; a horizon
profile has ``n`` sectors, sector ``k`` centred on azimuth ``k * 360 / n`` and covering
``[(k - 1/2), (k + 1/2)] * 360 / n``; the obstruction elevation is constant within a sector.

Sky-view factor (cosine-weighted, isotropic radiance) of a plane with unit normal
``n = (sin t sin a, sin t cos a, cos t)`` under a horizon ``h(phi)``::

    F = 1 - [sum over phi of  int_0^h(phi) max(0, n . d(e, phi)) cos e de  dphi] / [pi (1 + cos t) / 2]

with ``n . d = A cos e + B sin e``, ``A = sin t cos(phi - a)``, ``B = cos t``. The elevation
integral is exact: ``int (A cos e + B sin e) cos e de = A (e/2 + sin 2e / 4) + B sin^2 e / 2``
over the part of ``[0, h]`` where ``A cos e + B sin e >= 0``; azimuth uses the midpoint rule
with ``n_sub`` points per sector. For a horizontal plane this is ``mean(cos^2 h_k)``, the
closed form of a horizon of sectors.

Nothing here imports twin; every output is allocated by the caller.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from twin.kernels.config import jit, jit_parallel, prange


class PVWeather(NamedTuple):
    """Hourly sky of the PV kernels (n_h each; see :func:`pv_annual`)."""

    sun: np.ndarray  #: float64 (n_h, 3) unit vectors toward the sun (east, north, up)
    dni: np.ndarray  #: beam normal irradiance, W/m2
    circ_dn: np.ndarray  #: Perez circumsolar per unit cos(aoi), W/m2
    dhi_iso: np.ndarray  #: isotropic sky radiance x pi, W/m2
    dhi_band: np.ndarray  #: horizon band per unit sin(tilt), W/m2
    ghi_ground: np.ndarray  #: albedo x GHI, W/m2
    t_air_c: np.ndarray  #: air temperature, C
    wind_m_s: np.ndarray  #: wind speed, m/s


class PVSystem(NamedTuple):
    """PV module, temperature, glass and inverter parameters of the PV kernels (floats; see :func:`pv_annual`)."""

    pdc0_w: float  #: DC nameplate, W
    gamma_per_k: float  #: power temperature coefficient, 1/K
    sapm_a: float  #: Sandia module-temperature coefficient a
    sapm_b: float  #: Sandia coefficient b, s/m
    sapm_dt: float  #: Sandia cell-module difference at 1000 W/m2, K
    n_glass: float  #: refractive index of the cover glass
    k_l: float  #: glass extinction x thickness
    inv_eff_nom: float  #: nominal inverter efficiency
    inv_eff_ref: float  #: reference inverter efficiency (PVWatts 0.9637)
    dc_ac_ratio: float  #: DC/AC nameplate ratio

_HALF_PI = 0.5 * math.pi

#: Tasks :func:`beam_annual_horizon` cuts its surfaces into (contiguous runs, shared by the threads).
BEAM_TASKS = 256


@jit
def _g(a, b, e):
    """Antiderivative of ``(a cos e + b sin e) cos e``."""
    return a * (0.5 * e + 0.25 * math.sin(2.0 * e)) + 0.5 * b * math.sin(e) ** 2


@jit
def _lit_integral(a, b, h):
    """``int_0^h max(0, a cos e + b sin e) cos e de`` for ``0 <= h <= pi/2``."""
    if h <= 0.0 or (a == 0.0 and b == 0.0):
        return 0.0
    d = math.atan2(b, a)
    lo = max(0.0, d - _HALF_PI)
    hi = min(h, d + _HALF_PI)
    if hi <= lo:
        return 0.0
    return _g(a, b, hi) - _g(a, b, lo)


@jit_parallel
def sky_view_factors(horizon_deg, tilt_rad, azimuth_rad, n_sub, band_free_deg, out_iso, out_band):
    """Unobstructed share of the isotropic sky and of the horizon band seen by planes.

    Parameters
    ----------
    horizon_deg : float64 (n, n_s) obstruction elevation per sector, degrees (0 open, 90 closed).
    tilt_rad, azimuth_rad : float64 (n,) plane orientations.
    n_sub : int, azimuth points per sector.
    band_free_deg : float, a sector whose horizon is below this is free for the horizon band.
    out_iso : float64 (n,), output: sky-view factor with the horizon / without it.
    out_band : float64 (n,), output: cosine-weighted free share of the horizon band (1 for a
        horizontal plane, which has no band term).

    Notes
    -----
    The unobstructed integral is ``pi (1 + cos t) / 2``; the obstructed part is summed over the
    sectors with a horizon above 0 only (exact in elevation, midpoint rule in azimuth, one
    evaluation per sector for a horizontal plane, whose integrand does not depend on azimuth).
    """
    n = horizon_deg.shape[0]
    n_s = horizon_deg.shape[1]
    width = 2.0 * math.pi / n_s
    dphi = width / n_sub
    # azimuths of the quadrature points, once: cos(phi - az) = cos phi cos az + sin phi sin az
    cos_phi = np.empty(n_s * n_sub)
    sin_phi = np.empty(n_s * n_sub)
    for k in range(n_s):
        for j in range(n_sub):
            phi = (k - 0.5 + (j + 0.5) / n_sub) * width
            cos_phi[k * n_sub + j] = math.cos(phi)
            sin_phi[k * n_sub + j] = math.sin(phi)
    for i in prange(n):
        st = math.sin(tilt_rad[i])
        ct = math.cos(tilt_rad[i])
        st_c = st * math.cos(azimuth_rad[i])
        st_s = st * math.sin(azimuth_rad[i])
        total = math.pi * 0.5 * (1.0 + ct)
        lost = 0.0
        band_w = 0.0
        band_free = 0.0
        flat = abs(st) < 1e-12
        for k in range(n_s):
            hd = horizon_deg[i, k]
            free = hd < band_free_deg
            if hd <= 0.0 and (flat or free):
                if not flat:
                    for j in range(n_sub):
                        a = st_c * cos_phi[k * n_sub + j] + st_s * sin_phi[k * n_sub + j]
                        if a > 0.0:
                            band_w += a
                            band_free += a
                continue
            h = math.radians(min(90.0, hd))
            if flat:
                lost += n_sub * dphi * _lit_integral(0.0, ct, h)
                continue
            # where a >= 0 and ct >= 0 the integrand is positive over [0, h]: closed form
            p_h = 0.5 * h + 0.25 * math.sin(2.0 * h)
            q_h = 0.5 * math.sin(h) ** 2
            for j in range(n_sub):
                a = st_c * cos_phi[k * n_sub + j] + st_s * sin_phi[k * n_sub + j]
                if h > 0.0:
                    if a >= 0.0 and ct >= 0.0:
                        lost += dphi * (a * p_h + ct * q_h)
                    else:
                        lost += dphi * _lit_integral(a, ct, h)
                if a > 0.0:
                    band_w += a
                    if free:
                        band_free += a
        out_iso[i] = min(1.0, max(0.0, 1.0 - lost / total)) if total > 1e-12 else 1.0
        out_band[i] = band_free / band_w if band_w > 0.0 else 1.0


@jit_parallel
def sky_view_factors_grouped(horizon_deg, group, group_tilt_rad, group_azimuth_rad, n_sub, band_free_deg, out_iso, out_band):
    """:func:`sky_view_factors` of planes that share a few orientations (``group[i]`` indexes
    ``group_tilt_rad`` and ``group_azimuth_rad``): the azimuth quadrature of each group and
    sector is summed once, so a plane costs one closed form per sector instead of ``n_sub``.

    Same formula and outputs as :func:`sky_view_factors` (the sums are only regrouped: equal
    to rounding). Points of a sector where the closed form does not hold (``a < 0`` or a plane
    facing down) keep their per-point :func:`_lit_integral`.
    """
    n = horizon_deg.shape[0]
    n_s = horizon_deg.shape[1]
    n_g = group_tilt_rad.shape[0]
    width = 2.0 * math.pi / n_s
    dphi = width / n_sub
    pos_a = np.zeros((n_g, n_s))  # sum of a over the points with the closed form
    pos_n = np.zeros((n_g, n_s))  # their number
    band_a = np.zeros((n_g, n_s))  # sum of max(a, 0): the band weights
    rest_a = np.zeros((n_g, n_s, n_sub))  # a of the other points
    rest_n = np.zeros((n_g, n_s), dtype=np.int64)
    for g in range(n_g):
        st = math.sin(group_tilt_rad[g])
        ct = math.cos(group_tilt_rad[g])
        for k in range(n_s):
            for j in range(n_sub):
                phi = (k - 0.5 + (j + 0.5) / n_sub) * width
                a = st * math.cos(group_azimuth_rad[g]) * math.cos(phi) + st * math.sin(group_azimuth_rad[g]) * math.sin(phi)
                if a >= 0.0 and ct >= 0.0:
                    pos_a[g, k] += a
                    pos_n[g, k] += 1.0
                else:
                    rest_a[g, k, rest_n[g, k]] = a
                    rest_n[g, k] += 1
                if a > 0.0:
                    band_a[g, k] += a
    for i in prange(n):
        g = group[i]
        st = math.sin(group_tilt_rad[g])
        ct = math.cos(group_tilt_rad[g])
        total = math.pi * 0.5 * (1.0 + ct)
        lost = 0.0
        band_w = 0.0
        band_free = 0.0
        flat = abs(st) < 1e-12
        for k in range(n_s):
            hd = horizon_deg[i, k]
            free = hd < band_free_deg
            if hd <= 0.0 and (flat or free):
                if not flat:
                    band_w += band_a[g, k]
                    band_free += band_a[g, k]
                continue
            h = math.radians(min(90.0, hd))
            if flat:
                lost += n_sub * dphi * _lit_integral(0.0, ct, h)
                continue
            if h > 0.0:
                p_h = 0.5 * h + 0.25 * math.sin(2.0 * h)
                q_h = 0.5 * math.sin(h) ** 2
                lost += dphi * (pos_a[g, k] * p_h + pos_n[g, k] * ct * q_h)
                for r in range(rest_n[g, k]):
                    lost += dphi * _lit_integral(rest_a[g, k, r], ct, h)
            band_w += band_a[g, k]
            if free:
                band_free += band_a[g, k]
        out_iso[i] = min(1.0, max(0.0, 1.0 - lost / total)) if total > 1e-12 else 1.0
        out_band[i] = band_free / band_w if band_w > 0.0 else 1.0


@jit
def _count_above(sorted_desc, lo, hi, value):
    """Number of entries of ``sorted_desc[lo:hi]`` (descending) strictly greater than ``value``."""
    if hi <= lo:
        return 0
    if sorted_desc[hi - 1] > value:  # all of them (an open horizon: the usual case)
        return hi - lo
    if sorted_desc[lo] <= value:  # none
        return 0
    a = lo
    b = hi
    while a < b:
        m = (a + b) // 2
        if sorted_desc[m] > value:
            a = m + 1
        else:
            b = m
    return a - lo


@jit_parallel
def beam_annual_horizon(horizon_deg, sensor_offsets, normals, sun, weight, sector_offsets, elev_sorted, out_beam,
                        out_free):
    """Annual beam (and circumsolar) irradiation of sensors behind their horizon profiles, Wh/m2.

    Hours are grouped by the sector of the sun's azimuth and sorted by decreasing sun
    elevation: hours ``sector_offsets[k]:sector_offsets[k + 1]`` of ``sun``, ``weight`` and
    ``elev_sorted``. Hour ``h`` adds ``weight[h] * max(0, n . sun[h])`` to a sensor whose
    horizon in that sector is below ``elev_sorted[h]``: per sector these are the first hours,
    so one cumulative sum per surface and a binary search per sensor and sector give the
    annual sum.

    Parameters
    ----------
    horizon_deg : float64 (n_sensors, n_s) horizon of each sensor, degrees.
    sensor_offsets : int64 (n_surfaces + 1): sensors of surface ``j`` are
        ``sensor_offsets[j]:sensor_offsets[j + 1]`` (they share its normal).
    normals : float64 (n_surfaces, 3) unit normals.
    sun : float64 (n_b, 3) sun vectors of the sorted hours.
    weight : float64 (n_b,) normal irradiance of each hour (DNI + Perez circumsolar), W/m2.
    sector_offsets : int64 (n_s + 1).
    elev_sorted : float64 (n_b,) sun elevation of the sorted hours, degrees.
    out_beam : float64 (n_sensors,), output: shaded annual sum, Wh/m2.
    out_free : float64 (n_surfaces,), output: unshaded annual sum of the surface, Wh/m2.
    """
    n_surf = normals.shape[0]
    n_s = sector_offsets.shape[0] - 1
    n_b = sun.shape[0]
    # contiguous runs of surfaces per task: a surface with the normal of the one before it
    # (flat roofs, rows of one orientation) reuses its cumulative sums
    n_tasks = min(n_surf, BEAM_TASKS)
    for task in prange(n_tasks):
        cum = np.empty(n_b + n_s)
        total = 0.0
        have = False
        nx = 0.0
        ny = 0.0
        nz = 0.0
        for j in range(task * n_surf // n_tasks, (task + 1) * n_surf // n_tasks):
            if not (have and normals[j, 0] == nx and normals[j, 1] == ny and normals[j, 2] == nz):
                nx = normals[j, 0]
                ny = normals[j, 1]
                nz = normals[j, 2]
                have = True
                total = 0.0
                for k in range(n_s):
                    base = sector_offsets[k] + k
                    run = 0.0
                    cum[base] = 0.0
                    for h in range(sector_offsets[k], sector_offsets[k + 1]):
                        c = nx * sun[h, 0] + ny * sun[h, 1] + nz * sun[h, 2]
                        if c > 0.0:
                            run += weight[h] * c
                        cum[base + 1 + h - sector_offsets[k]] = run
                    total += run
            out_free[j] = total
            for s in range(sensor_offsets[j], sensor_offsets[j + 1]):
                acc = 0.0
                for k in range(n_s):
                    cnt = _count_above(elev_sorted, sector_offsets[k], sector_offsets[k + 1], horizon_deg[s, k])
                    acc += cum[sector_offsets[k] + k + cnt]
                out_beam[s] = acc


@jit
def monthly_beam_tables(group_normals, sun, weight, month, sector_offsets, out_cum):
    """Cumulative monthly beam per orientation group, for :func:`monthly_shade_factors`.

    ``out_cum[g, sector_offsets[k] + k + c, m]`` is the beam of group ``g`` in month ``m`` from
    the first ``c`` hours of sector ``k`` (hours sorted as in :func:`beam_annual_horizon`).
    ``weight`` (n_g, n_b) is the normal-incidence irradiance per group and hour (so a group can
    carry its own angular modifier), ``month`` (n_b,) the month 0..11 of each sorted hour.
    """
    n_g = group_normals.shape[0]
    n_s = sector_offsets.shape[0] - 1
    for g in range(n_g):
        for k in range(n_s):
            base = sector_offsets[k] + k
            for m in range(12):
                out_cum[g, base, m] = 0.0
            for h in range(sector_offsets[k], sector_offsets[k + 1]):
                r = base + 1 + h - sector_offsets[k]
                for m in range(12):
                    out_cum[g, r, m] = out_cum[g, r - 1, m]
                c = group_normals[g, 0] * sun[h, 0] + group_normals[g, 1] * sun[h, 1] + group_normals[g, 2] * sun[h, 2]
                if c > 0.0:
                    out_cum[g, r, month[h]] += weight[g, h] * c


@jit_parallel
def monthly_shade_factors(horizon_deg, group, iso_factor, band_factor, beam_cum, sector_offsets, elev_sorted,
                          beam_free, iso_m, band_m, ground_m, out_factor):
    """Monthly ratio of shaded to unshaded irradiance of surfaces behind horizon profiles.

    The same model as :func:`twin.kernels.solar.horizon_monthly_factors` (beam and circumsolar
    only with the sun above the sector's horizon, isotropic diffuse times ``iso_factor``,
    horizon band times ``band_factor``, ground unchanged), with the hourly loop replaced by the
    sorted tables of :func:`monthly_beam_tables`.

    Parameters
    ----------
    horizon_deg : float64 (n_f, n_s); group : int64 (n_f,); iso_factor, band_factor : (n_f,).
    beam_cum : float64 (n_g, n_b + n_s, 12) from :func:`monthly_beam_tables`.
    beam_free : float64 (n_g, 12) unshaded monthly beam of each group.
    iso_m, band_m, ground_m : float64 (n_g, 12) monthly isotropic, band and ground sums.
    out_factor : float64 (n_f, 12), output (1 where a month has no irradiance).
    """
    n_s = sector_offsets.shape[0] - 1
    n_g = beam_cum.shape[0]
    # sectors without any beam on a group's plane (behind it, or never sunny) add nothing: skipped
    lit = np.zeros((n_g, n_s), dtype=np.bool_)
    for g in range(n_g):
        for k in range(n_s):
            for r in range(sector_offsets[k] + k, sector_offsets[k + 1] + k + 1):
                for m in range(12):
                    if beam_cum[g, r, m] != 0.0:
                        lit[g, k] = True
    for f in prange(horizon_deg.shape[0]):
        g = group[f]
        acc = np.zeros(12)
        for k in range(n_s):
            if not lit[g, k]:
                continue
            cnt = _count_above(elev_sorted, sector_offsets[k], sector_offsets[k + 1], horizon_deg[f, k])
            r = sector_offsets[k] + k + cnt
            for m in range(12):
                acc[m] += beam_cum[g, r, m]
        for m in range(12):
            free = beam_free[g, m] + iso_m[g, m] + band_m[g, m] + ground_m[g, m]
            shaded = acc[m] + iso_factor[f] * iso_m[g, m] + band_factor[f] * band_m[g, m] + ground_m[g, m]
            if free > 0.0:
                out_factor[f, m] = min(1.0, max(0.0, shaded / free))
            else:
                out_factor[f, m] = 1.0


@jit
def _iam_physical(cos_aoi, n_glass, k_l):
    """Transmittance of a glass cover relative to normal incidence (De Soto et al. 2006;
    pvlib ``iam.physical`` without the anti-reflective coating), 0 at or beyond 90 degrees."""
    if cos_aoi <= 0.0:
        return 0.0
    c = min(1.0, cos_aoi)
    th = math.acos(c)
    s = math.sin(th)
    st = s / n_glass
    ct = math.sqrt(1.0 - st * st)
    # reflectances of both polarisations at the air-glass interface
    if th < 1e-6:
        r0 = ((n_glass - 1.0) / (n_glass + 1.0)) ** 2
        rs = r0
        rp = r0
    else:
        rs = ((c - n_glass * ct) / (c + n_glass * ct)) ** 2
        rp = ((ct - n_glass * c) / (ct + n_glass * c)) ** 2
    tau = 1.0 - 0.5 * (rs + rp)
    tau *= math.exp(-k_l / ct)
    r0 = ((n_glass - 1.0) / (n_glass + 1.0)) ** 2
    tau0 = (1.0 - r0) * math.exp(-k_l)
    return tau / tau0


@jit
def _pv_hour(nx, ny, nz, sx, sy, sz, dni, circ_dn, dhi_iso, dhi_band, ghi_ground, t_air_c, wind_m_s, system, pac0, pdc0_inv):
    """(poa, effective, dc, ac) of one hour on one plane (see :func:`pv_annual`); ``system`` a :class:`PVSystem`."""
    pdc0_w, gamma_per_k, sapm_a, sapm_b, sapm_dt, n_glass, k_l, inv_eff_nom, inv_eff_ref, _ = system
    c = nx * sx + ny * sy + nz * sz
    if sz <= 0.0:
        c = 0.0
    cpos = c if c > 0.0 else 0.0
    tilt_cos = nz
    tilt_sin = math.sqrt(max(0.0, 1.0 - nz * nz))
    beam = dni * cpos
    diffuse = circ_dn * cpos + dhi_iso * 0.5 * (1.0 + tilt_cos) + dhi_band * tilt_sin + ghi_ground * 0.5 * (1.0 - tilt_cos)
    poa = beam + diffuse
    if poa <= 0.0:
        return 0.0, 0.0, 0.0, 0.0
    eff = beam * _iam_physical(c, n_glass, k_l) + diffuse
    t_cell = poa * math.exp(sapm_a + sapm_b * wind_m_s) + t_air_c + poa / 1000.0 * sapm_dt
    dc = pdc0_w * eff / 1000.0 * (1.0 + gamma_per_k * (t_cell - 25.0))
    if dc < 0.0:
        dc = 0.0
    ac = 0.0
    if dc > 0.0:
        zeta = dc / pdc0_inv
        eta = inv_eff_nom / inv_eff_ref * (-0.0162 * zeta - 0.0059 / zeta + 0.9858)
        ac = min(pac0, max(0.0, eta * dc))
    return poa, eff, dc, ac


@jit
def pv_hourly(normal, weather, system, out_dc_w, out_ac_w):
    """Hourly DC and AC power (W, hour means) of one plane of unit normal ``normal`` (3,) under
    ``weather`` (:class:`PVWeather`) with ``system`` (:class:`PVSystem`): the chain of
    :func:`pv_annual`, hour by hour. Outputs (n_h,) are overwritten."""
    sun, dni, circ_dn, dhi_iso, dhi_band, ghi_ground, t_air_c, wind_m_s = weather
    pac0 = system.pdc0_w / system.dc_ac_ratio
    pdc0_inv = pac0 / system.inv_eff_nom
    for h in range(sun.shape[0]):
        _, _, dc, ac = _pv_hour(normal[0], normal[1], normal[2], sun[h, 0], sun[h, 1], sun[h, 2], dni[h], circ_dn[h], dhi_iso[h],
                                dhi_band[h], ghi_ground[h], t_air_c[h], wind_m_s[h], system, pac0, pdc0_inv)
        out_dc_w[h] = dc
        out_ac_w[h] = ac


@jit_parallel
def pv_annual(normals, weather, system, out_poa_wh, out_eff_wh, out_dc_wh, out_ac_wh):
    """Annual plane-of-array irradiation and PVWatts-type DC and AC energy of 1 kWp per orientation.

    For every orientation ``o`` and hour ``h``: the Perez components on the plane (``dni`` and
    ``circ_dn`` are normal-incidence beam and circumsolar; ``dhi_iso`` the isotropic radiance
    times pi, ``dhi_band`` the horizon-band term per unit ``sin(tilt)``, ``ghi_ground`` = albedo x
    GHI); effective irradiance = beam x IAM(aoi) (glass cover, :func:`_iam_physical`) + the
    diffuse rest; cell temperature by the Sandia model (King et al. 2004:
    ``T_m = E exp(a + b WS) + T_a``, ``T_c = T_m + E/1000 dT``) from the plane-of-array
    irradiance; DC power ``pdc0 E_eff/1000 (1 + gamma (T_c - 25))`` (PVWatts, Dobos 2014); AC
    through the PVWatts inverter model with nameplate ``pdc0 / dc_ac_ratio``, clipped.

    ``weather``: :class:`PVWeather`; ``system``: :class:`PVSystem` (``pdc0_w`` the DC nameplate).
    Outputs (n_o,), Wh/m2 for irradiation and Wh for energy, are overwritten.
    """
    # arrays unpacked before the parallel loop (tuple fields are only read inside it)
    sun, dni, circ_dn, dhi_iso, dhi_band, ghi_ground, t_air_c, wind_m_s = weather
    n_h = sun.shape[0]
    pac0 = system.pdc0_w / system.dc_ac_ratio
    pdc0_inv = pac0 / system.inv_eff_nom
    for o in prange(normals.shape[0]):
        poa_sum = 0.0
        eff_sum = 0.0
        dc_sum = 0.0
        ac_sum = 0.0
        for h in range(n_h):
            poa, eff, dc, ac = _pv_hour(normals[o, 0], normals[o, 1], normals[o, 2], sun[h, 0], sun[h, 1], sun[h, 2], dni[h],
                                        circ_dn[h], dhi_iso[h], dhi_band[h], ghi_ground[h], t_air_c[h], wind_m_s[h], system,
                                        pac0, pdc0_inv)
            poa_sum += poa
            eff_sum += eff
            dc_sum += dc
            ac_sum += ac
        out_poa_wh[o] = poa_sum
        out_eff_wh[o] = eff_sum
        out_dc_wh[o] = dc_sum
        out_ac_wh[o] = ac_sum
