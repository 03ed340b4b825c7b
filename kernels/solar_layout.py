"""Point-in-polygon for many points against their own polygons (sensor grids, module layouts).

Polygons come as flat rings: ``ring_xy`` (n_points, 2) holds every ring, closed (last vertex
repeats the first); ``ring_offsets`` (n_rings + 1) slices it per ring; ``poly_ring_offsets``
(n_polys + 1) slices the rings per polygon (exterior and holes of all its parts). The even-odd
rule over all rings of a polygon decides: a point is inside when a ray from it crosses the
rings an odd number of times (holes and separate parts come out right without orientation).
Nothing here imports twin; the caller allocates the output.
"""

from __future__ import annotations

from twin.kernels.config import jit_parallel, prange


@jit_parallel
def points_in_polygons(px, py, owner, ring_xy, ring_offsets, poly_ring_offsets, out_inside):
    """``out_inside[i]`` = point ``(px[i], py[i])`` lies inside polygon ``owner[i]`` (even-odd rule).

    Parameters
    ----------
    px, py : float64 (n,)
    owner : int64 (n,) polygon of each point.
    ring_xy : float64 (n_points, 2); ring_offsets : int64 (n_rings + 1);
    poly_ring_offsets : int64 (n_polys + 1).
    out_inside : bool (n,), output.
    """
    for i in prange(px.shape[0]):
        x = px[i]
        y = py[i]
        p = owner[i]
        inside = False
        for r in range(poly_ring_offsets[p], poly_ring_offsets[p + 1]):
            for k in range(ring_offsets[r], ring_offsets[r + 1] - 1):
                x0 = ring_xy[k, 0]
                y0 = ring_xy[k, 1]
                x1 = ring_xy[k + 1, 0]
                y1 = ring_xy[k + 1, 1]
                if (y0 > y) != (y1 > y):
                    xc = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
                    if x < xc:
                        inside = not inside
        out_inside[i] = inside
