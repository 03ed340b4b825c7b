"""The solar cadastre as the source of the ``pv`` renovation measure's size and yield.

A scenario's ``pv`` measure (:mod:`twin.energy.measures`) puts modules on a building's roofs of
suitability class excellent or good (:data:`SUITABLE`): their peak power (kWp) and AC yield
(kWh/year) come from :func:`twin.solar.cadastre.solar_cadastre` (roof tilt and azimuth, shading
by neighbours through horizon profiles, usable area and module layout, PVWatts DC/AC chain of
:mod:`twin.solar.pv`). The cadastre is computed once per scene geometry: it is kept for the last
:data:`CACHE_SIZE` geometries, keyed by a hash of the footprints, heights, ground levels, roof
shapes, the weather and the options (a what-if that changes no geometry, and every Monte Carlo
sample, reuse the baseline's).

>>> cad = district_cadastre(scene, weather)      # doctest: +SKIP
>>> pv = suitable_pv(cad.surfaces)                # per building: pv_kwp, pv_ac_kwh_year, n_suitable_roofs
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from twin.caching import BoundedCache, weather_digest
from twin.solar.cadastre import Cadastre, CadastreOptions, solar_cadastre

#: Roof classes the ``pv`` measure equips (the Brussels solar map's excellent and good potential).
SUITABLE = ("excellent", "good")

#: Cadastre options of scenario runs: horizon method (36 sectors of 10 degrees, obstructions within
#: 100 m), 1 m sensors with at most 64 per roof. On Saint-Gilles (3,991 roofs) against 1 m
#: sensors without a cap: suitable kWp -0.5 %, AC -0.5 %, 4.2 s instead of 6.1 s at load 5
#: (2 m and 16 per roof: -3.0 %, 2.0 s).
SCENARIO_OPTIONS = CadastreOptions(method="horizon", spacing_m=1.0, max_sensors_per_surface=64, max_distance_m=100.0)

#: How many geometries' cadastres are kept (:func:`district_cadastre`).
CACHE_SIZE = 2
#: Cadastres of the last geometries, by :func:`geometry_key`.
_CACHE: BoundedCache[str, Cadastre] = BoundedCache(CACHE_SIZE)


def geometry_key(buildings: pd.DataFrame, weather, options: CadastreOptions) -> str:
    """A hash of what the cadastre of ``buildings`` is made of: ids, footprints, heights, ground
    levels and roof shapes of the buildings, the weather's numbers and the options."""
    import shapely

    h = hashlib.blake2b(digest_size=20)
    h.update("\x1f".join(buildings["building_id"].astype(str)).encode())
    h.update(b"".join(shapely.to_wkb(np.asarray(buildings.geometry.values), hex=False)))
    for col in ("height_m", "ground_z_m"):
        if col in buildings:
            h.update(col.encode() + pd.to_numeric(buildings[col], errors="coerce").to_numpy(dtype=float).tobytes())
    if "roof_kind" in buildings:
        h.update("\x1f".join(buildings["roof_kind"].fillna("").astype(str)).encode())
    h.update(weather_digest(weather))
    h.update(repr(options).encode())
    return h.hexdigest()


def district_cadastre(scene, weather, options: CadastreOptions = SCENARIO_OPTIONS) -> Cadastre:
    """The solar cadastre of a scene's roofs, computed once per geometry (see the module docstring).

    The returned object is shared between the callers of one geometry: do not change it.
    """
    buildings = getattr(scene, "buildings", scene)
    key = geometry_key(buildings, weather, options)
    cad = _CACHE.get(key)
    return cad if cad is not None else _CACHE.put(key, solar_cadastre(scene, weather, options))


def suitable_pv(surfaces: pd.DataFrame) -> pd.DataFrame:
    """Per building, the PV of its roofs of class :data:`SUITABLE`.

    Parameters
    ----------
    surfaces
        The cadastre's surface table (``building_id``, ``kind``, ``suitability``, ``pv_kwp``,
        ``pv_ac_kwh_year``, ``investment_eur``).

    Returns
    -------
    pandas.DataFrame
        Index ``building_id`` (every building with a roof in the table): ``pv_kwp`` (kWp),
        ``pv_ac_kwh_year`` (kWh/year), ``n_suitable_roofs``, ``n_roofs``; 0 where no roof is
        suitable. Its sums equal ``meta['totals']['suitable_pv_kwp']`` and
        ``suitable_pv_ac_mwh_year`` x 1000.
    """
    roofs = pd.DataFrame(surfaces[surfaces["kind"] == "roof"]).copy()
    ok = roofs["suitability"].isin(SUITABLE).to_numpy()
    frame = pd.DataFrame({
        "building_id": roofs["building_id"].astype(str).to_numpy(),
        "pv_kwp": np.where(ok, roofs["pv_kwp"].to_numpy(dtype=float), 0.0),
        "pv_ac_kwh_year": np.where(ok, roofs["pv_ac_kwh_year"].to_numpy(dtype=float), 0.0),
        "n_suitable_roofs": ok.astype(np.int64),
        "n_roofs": np.ones(len(roofs), dtype=np.int64),
    })
    return frame.groupby("building_id", sort=False).sum()


__all__ = ["CACHE_SIZE", "SCENARIO_OPTIONS", "SUITABLE", "district_cadastre", "geometry_key", "suitable_pv"]
