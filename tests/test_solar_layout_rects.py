"""``solar_layout.rects_in_polygons`` against shapely: a rectangle is in when its four corners are."""

from __future__ import annotations

import numpy as np
import shapely

from twin.kernels.solar_layout import rects_in_polygons
from twin.solar.surfaces import flat_rings


def test_rects_in_polygons_against_shapely_corners():
    rng = np.random.default_rng(7)
    polys = np.array([shapely.Polygon([(0, 0), (10, 0), (10, 6), (4, 6), (4, 10), (0, 10)], [[(1, 1), (3, 1), (3, 3), (1, 3)]]),
                      shapely.MultiPolygon([shapely.box(20, 0, 25, 5), shapely.box(30, 0, 33, 3)])], dtype=object)
    n = 3000
    owner = rng.integers(0, 2, n)
    ua = np.where(owner == 0, rng.uniform(-1, 11, n), rng.uniform(19, 34, n))
    va = rng.uniform(-1, 11, n)
    ub = ua + rng.uniform(0.1, 3.0, n)
    vb = va + rng.uniform(0.1, 3.0, n)
    got = np.zeros(n, dtype=bool)
    rects_in_polygons(ua, va, ub, vb, owner, *flat_rings(polys), got)
    ref = np.array([all(polys[o].contains(shapely.Point(x, y)) for x, y in ((a, c), (b, c), (b, d), (a, d)))
                    for o, a, c, b, d in zip(owner, ua, va, ub, vb)])
    assert ref.sum() > 100 and (~ref).sum() > 100, "both outcomes must occur for the test to mean something"
    assert (got == ref).all()
