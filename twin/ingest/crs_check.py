"""Do the coordinates fit the CRS they are said to be in, and the scene CRS they go to?

A wrong CRS does not fail: it moves the data. Longitude/latitude declared as Belgian Lambert 72
gives a building of 1e-8 m2 near Lambert's false origin; Swiss data reprojected into Lambert 72
lands 211 km south of Belgium; an IFC model georeferenced in Germany is drawn, distorted, in
the Belgian grid. So every layer a reader returns is checked twice:

1. **against its own CRS** (declared by the file, named by the caller, or the format's default:
   WGS84 for GeoJSON without ``"crs"`` and OSM): a geographic CRS needs longitude/latitude
   within +-180/+-90; any CRS with an area of use (``pyproj.CRS.area_of_use``, the EPSG
   bounding box in degrees) needs the data's bounds, transformed to longitude/latitude, inside
   that box widened by :data:`AREA_TOLERANCE_DEG`;
2. **against the scene CRS** it is reprojected to (:func:`twin.ingest.ingest`): the same box
   test with the scene CRS's area of use.

The error names the CRS to use, in command-line syntax: ``--source-crs EPSG:4326`` when
projected coordinates fit degrees, the scene CRS when metres read as degrees fit it, or a
projected CRS that covers the data (the layer's own one, else its WGS 84 UTM zone) for
``--crs``. A CRS without an area of use (a custom PROJ string) is only checked for finite
results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyproj
import shapely

from twin.errors import CRSError

AREA_TOLERANCE_DEG = 0.05
"""How far (degrees, about 5 km) data may reach beyond a CRS's published area of use: the EPSG
bounding boxes are rounded to 0.01 degree."""

WGS84 = "EPSG:4326"


@dataclass(frozen=True)
class Bounds:
    """Bounds of a layer: ``xy`` in its own CRS, ``lonlat`` in degrees (None if unknown)."""

    xy: tuple[float, float, float, float]
    lonlat: tuple[float, float, float, float] | None


def data_bounds(geoms) -> tuple[float, float, float, float] | None:
    """(xmin, ymin, xmax, ymax) over the finite bounds of ``geoms``; None if there are none."""
    geoms = np.asarray(geoms, dtype=object)
    if geoms.size == 0:
        return None
    present = ~np.equal(geoms, None)
    if not present.any():
        return None
    b = shapely.bounds(geoms[present])
    ok = np.isfinite(b).all(axis=1)
    if not ok.any():
        return None
    b = b[ok]
    return float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max())


def fits_degrees(xy: tuple[float, float, float, float]) -> bool:
    """True if the bounds are valid longitude/latitude."""
    x0, y0, x1, y1 = xy
    return -180.0 <= x0 and x1 <= 180.0 and -90.0 <= y0 and y1 <= 90.0


def _name(crs: pyproj.CRS) -> str:
    code = crs.to_authority()
    text = f"{code[0]}:{code[1]}" if code else crs.to_string()
    return f"{text} ({crs.name})"


def _code(crs: pyproj.CRS) -> str:
    code = crs.to_authority()
    return f"{code[0]}:{code[1]}" if code else crs.to_string()


def _fmt_lonlat(b: tuple[float, float, float, float]) -> str:
    x0, y0, x1, y1 = b
    return f"longitude {x0:.4f}..{x1:.4f}, latitude {y0:.4f}..{y1:.4f}"


def to_lonlat(xy: tuple[float, float, float, float], crs: pyproj.CRS) -> tuple[float, float, float, float] | None:
    """Bounds ``xy`` of ``crs`` as longitude/latitude bounds; None if they cannot be transformed."""
    if crs.is_geographic:
        if not fits_degrees(xy):
            return None
        geo = crs.geodetic_crs
        if geo is not None and geo.equals(pyproj.CRS.from_user_input(WGS84).geodetic_crs):
            return xy
    try:
        tr = pyproj.Transformer.from_crs(crs, WGS84, always_xy=True)
        out = tr.transform_bounds(*xy, densify_pts=21)
    except (pyproj.exceptions.ProjError, pyproj.exceptions.CRSError, ValueError):
        return None
    if not all(math.isfinite(v) for v in out) or not fits_degrees(out):
        return None
    return tuple(float(v) for v in out)


def inside_area(lonlat: tuple[float, float, float, float], crs: pyproj.CRS, tol: float = AREA_TOLERANCE_DEG) -> bool:
    """True if ``lonlat`` lies in the area of use of ``crs`` (widened by ``tol`` degrees), or
    ``crs`` has none."""
    area = crs.area_of_use
    if area is None:
        return True
    x0, y0, x1, y1 = lonlat
    west, east = area.west, area.east
    if west > east:  # an area crossing the antimeridian
        lon_ok = all(x >= west - tol or x <= east + tol for x in (x0, x1))
    else:
        lon_ok = west - tol <= x0 and x1 <= east + tol
    return lon_ok and area.south - tol <= y0 and y1 <= area.north + tol


def utm_for(lonlat: tuple[float, float, float, float]) -> pyproj.CRS | None:
    """The WGS 84 UTM zone of the centre of ``lonlat`` (None if there is none, e.g. at the poles)."""
    from pyproj.aoi import AreaOfInterest
    from pyproj.database import query_utm_crs_info

    lon = (lonlat[0] + lonlat[2]) / 2
    lat = (lonlat[1] + lonlat[3]) / 2
    try:
        infos = query_utm_crs_info(datum_name="WGS 84", area_of_interest=AreaOfInterest(lon, lat, lon, lat))
    except (pyproj.exceptions.CRSError, ValueError):
        return None
    return pyproj.CRS.from_epsg(int(infos[0].code)) if infos else None


def _projected_suggestion(lonlat, *candidates) -> pyproj.CRS | None:
    """The first projected, metric candidate whose area of use holds ``lonlat``, else the UTM zone."""
    for crs in candidates:
        if crs is None:
            continue
        crs = pyproj.CRS.from_user_input(crs)
        if crs.is_projected and crs.area_of_use is not None and inside_area(lonlat, crs):
            return crs
    return utm_for(lonlat)


def check_layer(frame, *, path, layer: str | None, scene_crs=None, hint: str = "source") -> Bounds | None:
    """Check that the coordinates of ``frame`` fit its CRS (the checks of the module docstring).

    Parameters
    ----------
    frame
        A GeoDataFrame with a CRS.
    path
        The file, for the message.
    layer
        The layer name, for the message (None: the file's only layer).
    scene_crs
        The scene CRS, used only to suggest a CRS for metres read as degrees.
    hint
        ``"source"``: the CRS is the input's (suggest ``--source-crs``); ``"ifc"``: the IFC
        placement (suggest ``--origin``/``--crs``).

    Returns
    -------
    Bounds or None
        The layer's bounds (None for an empty layer or one without CRS).

    Raises
    ------
    CRSError
        Coordinates outside the CRS's domain or area of use.
    """
    crs = getattr(frame, "crs", None)
    if crs is None or len(frame) == 0:
        return None
    crs = pyproj.CRS.from_user_input(crs)
    xy = data_bounds(frame.geometry.values)
    if xy is None:
        return None
    where = ("coordinates" if layer is None else f"coordinates of layer {layer!r}") + f" (x {xy[0]:.6g}..{xy[2]:.6g}, y {xy[1]:.6g}..{xy[3]:.6g})"
    if crs.is_geographic and not fits_degrees(xy):
        guess = None
        if scene_crs is not None:
            scene = pyproj.CRS.from_user_input(scene_crs)
            back = to_lonlat(xy, scene)
            if back is not None and inside_area(back, scene):
                guess = _code(scene)
        suggestion = f"use --source-crs {guess}" if guess else "name their CRS with --source-crs EPSG:<code>"
        raise CRSError(
            f"{where} are not longitude/latitude although the layer's CRS {_name(crs)} is geographic "
            f"(a GeoJSON without \"crs\" is WGS84 by RFC 7946); they look like projected metres: {suggestion}",
            path=path, field="crs",
        )
    lonlat = to_lonlat(xy, crs)
    if lonlat is not None and inside_area(lonlat, crs):
        return Bounds(xy, lonlat)
    area = crs.area_of_use
    area_text = f"{area.name.rstrip('.')}: {_fmt_lonlat((area.west, area.south, area.east, area.north))}" if area else "its domain"
    placed = f"they lie at {_fmt_lonlat(lonlat)}" if lonlat is not None else "they cannot be transformed to longitude/latitude"
    if crs.is_projected and fits_degrees(xy):
        fix = "they look like longitude/latitude: use --source-crs EPSG:4326"
        if hint == "ifc":
            fix = "place the model with --origin X,Y in --ifc-crs (metres)"
    elif hint == "ifc":
        better = _projected_suggestion(lonlat) if lonlat is not None else None
        fix = "place the model with --origin X,Y (and --ifc-crs, --rotation)" + (
            f", or use a scene CRS that covers it: --crs {_code(better)}" if better is not None else ""
        )
    else:
        fix = "name the file's real CRS with --source-crs EPSG:<code> (and --override-crs if the file declares a wrong one)"
    raise CRSError(
        f"{where} are outside the area of use of their CRS {_name(crs)} ({area_text}); {placed}; {fix}",
        path=path, field="crs",
    )


def _swapped_axes(lonlat: tuple[float, float, float, float], scene, source_crs) -> bool:
    """True if a layer in geographic coordinates lies inside the area of use of ``scene`` once its
    longitude and latitude are swapped (a file written latitude first)."""
    if source_crs is not None:
        try:
            if not pyproj.CRS.from_user_input(source_crs).is_geographic:
                return False
        except pyproj.exceptions.CRSError:
            return False
    west, south, east, north = lonlat
    if not (-90.0 <= west <= east <= 90.0):
        return False
    return inside_area((south, west, north, east), scene)


def check_scene_fit(
    lonlat: tuple[float, float, float, float] | None, scene_crs, *, path, layer: str, source_crs=None, hint: str = "source"
) -> None:
    """Check that a layer with longitude/latitude bounds ``lonlat`` lies in the area of use of
    ``scene_crs``.

    Raises
    ------
    CRSError
        Naming the layer's place and a scene CRS (``--crs``) that covers it.
    """
    if lonlat is None:
        return
    scene = pyproj.CRS.from_user_input(scene_crs)
    if inside_area(lonlat, scene):
        return
    area = scene.area_of_use
    if _swapped_axes(lonlat, scene, source_crs):  # was: a --crs of another continent suggested
        raise CRSError(
            f"layer {layer!r} lies at {_fmt_lonlat(lonlat)}, outside the area of use of the scene CRS {_name(scene)}, but with its two "
            "coordinates swapped it lies inside: the file gives latitude before longitude; GeoJSON (RFC 7946) and WGS84 layers give "
            "longitude first: swap them in the source",
            path=path, field="crs",
        )
    better = _projected_suggestion(lonlat, source_crs)
    fix = f"choose a scene CRS that covers it with --crs {_code(better)}" if better is not None else "choose a scene CRS that covers it with --crs"
    if hint == "ifc":
        fix += ", or place the model in the scene with --origin X,Y"
    raise CRSError(
        f"layer {layer!r} lies at {_fmt_lonlat(lonlat)}, outside the area of use of the scene CRS "
        f"{_name(scene)} ({area.name.rstrip('.')}: {_fmt_lonlat((area.west, area.south, area.east, area.north))}); {fix}",
        path=path, field="crs",
    )


__all__ = ["AREA_TOLERANCE_DEG", "Bounds", "check_layer", "check_scene_fit", "data_bounds", "inside_area", "to_lonlat", "utm_for"]
