"""Checks of an ``insert_building`` modification made before its IFC file is read.

A permit's ``origin_xy`` typed as longitude/latitude (``[4.345, 50.83]``) or left at ``[0, 0]``
used to be found only after the IFC file was parsed (tens of seconds), in an error that named the
IFC file's ``crs`` and advised the command line's ``--origin`` option instead of the scenario key.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyproj

from twin.errors import ScenarioError


def check_insert_origin(origin_xy: Sequence[float], crs: pyproj.CRS | str, *, field: str) -> None:
    """Raise :class:`~twin.errors.ScenarioError` naming ``<field>.origin_xy`` unless the origin
    lies in the area of use of the scene CRS.

    Parameters
    ----------
    origin_xy
        The model's origin, metres in ``crs``.
    crs
        The scene CRS (projected, metres).
    field
        Key path of the modification (``whatifs.0.modifications.0``).
    """
    from twin.ingest.crs_check import fits_degrees, inside_area, to_lonlat

    crs = pyproj.CRS.from_user_input(crs)
    x, y = (float(v) for v in origin_xy)
    xy = (x, y, x, y)
    lonlat = to_lonlat(xy, crs)
    if lonlat is not None and inside_area(lonlat, crs):
        return
    name = crs.to_string()
    area = crs.area_of_use
    where = f" ({area.name.rstrip('.')})" if area is not None else ""
    if x == 0.0 and y == 0.0:
        fix = f"[0, 0] is the CRS's own origin, not a place in a district: give the site's position in metres of {name} (inputs.crs)"
    elif fits_degrees(xy):
        fix = f"they look like longitude/latitude: give the origin in metres of the scene CRS {name} (inputs.crs)"
    else:
        fix = f"give the origin in metres of the scene CRS {name} (inputs.crs)"
    raise ScenarioError(f"origin_xy [{x:g}, {y:g}] lies outside the area of use of the scene CRS {name}{where}; {fix}",
                        field=f"{field}.origin_xy")
