"""The drill-down's footprints (report_drilldown.ring_coords) are encoded for all buildings at once;
the integers are those of encoding one geometry at a time (the function below, as it was)."""

from __future__ import annotations

import numpy as np
import shapely

from twin.scenario.report_drilldown import ring_coords


def one_geometry_at_a_time(geom, x0: float, y0: float) -> list[list[int]]:
    """The plain path: the exterior ring of each polygon of ``geom``, delta-encoded decimetres."""
    out = []
    for p in getattr(geom, "geoms", [geom]):
        ext = getattr(p, "exterior", None)
        if ext is None:
            continue
        xy = np.round((np.asarray(ext.coords)[:, :2] - (x0, y0)) * 10.0).astype(np.int64)
        xy[1:] = np.diff(xy, axis=0)
        out.append(xy.ravel().tolist())
    return out


def test_all_at_once_equals_one_geometry_at_a_time():
    rng = np.random.default_rng(2)
    x0, y0 = 148_000.25, 168_000.75
    geoms = [shapely.Polygon(rng.random((7, 2)) * 40 + (x0 + 100 * i, y0)).convex_hull for i in range(20)]
    geoms[3] = shapely.box(x0, y0, x0 + 30, y0 + 30).difference(shapely.box(x0 + 10, y0 + 10, x0 + 20, y0 + 20))  # a courtyard
    geoms[5] = shapely.MultiPolygon([shapely.box(x0, y0, x0 + 9.96, y0 + 9.94), shapely.box(x0 + 20.05, y0, x0 + 31, y0 + 8)])
    geoms[8] = None
    geoms[11] = shapely.Polygon([(x0, y0, 3.0), (x0 + 12.34, y0, 3.0), (x0 + 12.34, y0 + 7.77, 3.0)])  # with heights
    geoms[14] = shapely.GeometryCollection([shapely.Point(x0, y0), shapely.box(x0, y0, x0 + 5, y0 + 5)])
    got = ring_coords(geoms, x0, y0)
    assert got == [one_geometry_at_a_time(g, x0, y0) for g in geoms]
    assert got[8] == [] and len(got[5]) == 2 and len(got[14]) == 1 and got[3][0][:2] == [0, 0]
