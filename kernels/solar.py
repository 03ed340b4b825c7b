"""Solar kernels: monthly horizon shading factors of many facades.

Arrays in, arrays out; the caller (``twin.energy.solar``) computes sun positions and
plane-of-array irradiance components per surface group, and allocates the outputs.
"""

from __future__ import annotations

import numpy as np

from twin.kernels.config import jit_parallel, prange


@jit_parallel
def horizon_monthly_factors(
    horizon_elev_rad,
    group,
    iso_factor,
    band_factor,
    sun_elev_rad,
    sun_sector,
    month,
    beam_gh,
    iso_gh,
    band_gh,
    ground_gh,
    out_factor,
):
    """Monthly ratio of shaded to unshaded irradiance on facades with a horizon profile.

    For facade ``f`` of surface group ``g = group[f]`` and hour ``h``:

    * beam and circumsolar (``beam_gh[g, h]``) count when the sun is above the horizon
      elevation of its azimuth sector: ``sun_elev_rad[h] > horizon_elev_rad[f, sun_sector[h]]``;
    * isotropic sky diffuse (``iso_gh``) is multiplied by ``iso_factor[f]`` (unobstructed part of
      the surface's sky view factor);
    * the horizon-brightening band (``band_gh``, may be negative) by ``band_factor[f]``;
    * ground-reflected (``ground_gh``) is left unchanged (obstructions reflect about as the
      ground does).

    Parameters
    ----------
    horizon_elev_rad : float64 (n_f, n_sectors) obstruction elevation per azimuth sector, rad.
    group : int64 (n_f,) surface group of each facade (row of the ``*_gh`` arrays).
    iso_factor, band_factor : float64 (n_f,).
    sun_elev_rad : float64 (n_h,) sun elevation, rad.
    sun_sector : int64 (n_h,) azimuth sector of the sun.
    month : int64 (n_h,) month 0..11.
    beam_gh, iso_gh, band_gh, ground_gh : float64 (n_g, n_h) components on each group, W/m2.
    out_factor : float64 (n_f, 12), output; 1 where a month has no irradiance.
    """
    n_f = horizon_elev_rad.shape[0]
    n_h = sun_elev_rad.shape[0]
    for f in prange(n_f):
        g = group[f]
        shaded = np.zeros(12)
        free = np.zeros(12)
        for h in range(n_h):
            m = month[h]
            b = beam_gh[g, h]
            rest = iso_gh[g, h] + band_gh[g, h] + ground_gh[g, h]
            free[m] += b + rest
            s = iso_factor[f] * iso_gh[g, h] + band_factor[f] * band_gh[g, h] + ground_gh[g, h]
            if b > 0.0 and sun_elev_rad[h] > horizon_elev_rad[f, sun_sector[h]]:
                s += b
            shaded[m] += s
        for m in range(12):
            if free[m] > 0.0:
                out_factor[f, m] = min(1.0, max(0.0, shaded[m] / free[m]))
            else:
                out_factor[f, m] = 1.0
