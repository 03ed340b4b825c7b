"""Is the weather file of the scene's place?

The sun positions of every solar and energy model come from the weather file's LOCATION line
(latitude, longitude, time zone), not from the scene. A weather file of another place (Denver's
TMY3 with a Brussels scene) ran with exit 0: roofs and facades of Brussels under Denver's sun and
climate. :func:`check_weather_site` refuses a weather file whose location lies more than
:data:`MAX_WEATHER_DISTANCE_KM` from the centre of the scene's geometry; it is called where a
weather file meets a scene (``twin ingest``, ``twin energy run``, ``twin solar cadastre``, and
``twin run``: a scenario's ``inputs.weather`` at ingest, its ``energy.weather`` in the energy engine).
"""

from __future__ import annotations

import functools
import math
from os import PathLike

import numpy as np

from twin.errors import InputError

MAX_WEATHER_DISTANCE_KM = 300.0
"""Farthest a weather file's location may lie from the scene's centre, km. Belgium is about
280 km across: any Belgian station serves a Brussels scene; a file of Paris (260 km from Uccle) passes, one
of Lyon (about 700 km) or another continent does not. To run another place's climate on purpose
(an analogue city), set the LOCATION line's latitude and longitude to the site's."""

_EARTH_RADIUS_KM = 6371.0


def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle (haversine) distance between two points given in degrees, km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2.0 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _position(lon: float, lat: float) -> str:
    """``50.797 N, 4.358 E`` of a longitude and latitude in degrees."""
    return f"{abs(lat):.3f} {'N' if lat >= 0 else 'S'}, {abs(lon):.3f} {'E' if lon >= 0 else 'W'}"


def scene_centre_lonlat(scene) -> tuple[float, float] | None:
    """Longitude and latitude (degrees) of the centre of the bounds of every geometry layer of
    ``scene`` (a :class:`twin.scene.Scene`), or None when it has no geometry."""
    bounds = []
    for frame in scene.layers.values():
        if len(frame) and hasattr(frame, "geometry") and hasattr(frame, "total_bounds"):
            b = np.asarray(frame.total_bounds, dtype=float)
            if np.isfinite(b).all():
                bounds.append(b)
    if not bounds:
        return None
    b = np.vstack(bounds)
    return lonlat_of(0.5 * (b[:, 0].min() + b[:, 2].max()), 0.5 * (b[:, 1].min() + b[:, 3].max()), scene.crs)


def check_weather_site(weather, scene, *, path: str | PathLike[str] | None = None, field: str = "weather") -> None:
    """Raise :class:`InputError` when ``weather`` (a :class:`twin.io.epw.Weather`) lies more than
    :data:`MAX_WEATHER_DISTANCE_KM` from the centre of ``scene``'s geometry.

    Parameters
    ----------
    weather
        The weather; its ``location`` gives latitude and longitude, its ``source`` the file.
    scene
        The scene the weather drives; a scene without geometry passes.
    path
        The weather file named in the message (default: ``weather.source``).
    field
        The option or key that gave the weather (``--weather``, ``weather``).

    Raises
    ------
    InputError
        The distance, both positions and what to do.
    """
    centre = scene_centre_lonlat(scene)
    if centre is not None:
        check_weather_near(weather, centre, path=path, field=field)


def lonlat_of(x: float, y: float, crs) -> tuple[float, float] | None:
    """Longitude and latitude (degrees) of the point ``(x, y)`` of ``crs`` (None when it has no
    finite image, or ``crs`` is None)."""
    if crs is None:
        return None
    lon, lat = _to_lonlat(crs).transform(x, y)
    return (float(lon), float(lat)) if math.isfinite(lon) and math.isfinite(lat) else None


@functools.lru_cache(maxsize=8)
def _to_lonlat(crs):
    """The transformer from ``crs`` to longitude and latitude (built once per CRS: about 60 ms)."""
    import pyproj

    return pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)


def check_weather_near(weather, centre: tuple[float, float], *, path: str | PathLike[str] | None = None, field: str = "weather") -> None:
    """:func:`check_weather_site` for a site given as ``(longitude, latitude)`` in degrees."""
    loc = getattr(weather, "location", None)
    if loc is None:
        return
    d = distance_km(centre[0], centre[1], loc.longitude_deg, loc.latitude_deg)
    if d > MAX_WEATHER_DISTANCE_KM:
        name = getattr(loc, "name", "") or "the weather file"
        raise InputError(
            f"the weather file is of {name} ({_position(loc.longitude_deg, loc.latitude_deg)}), {d:,.0f} km from the scene "
            f"(centre {_position(*centre)}; at most {MAX_WEATHER_DISTANCE_KM:g} km): the sun positions and the "
            "climate would be of another place. Give a weather file of the site (or, for another place's climate on purpose, "
            "set its LOCATION latitude and longitude to the site's)",
            path=path if path is not None else (getattr(weather, "source", None) or None),
            field=field,
        )
