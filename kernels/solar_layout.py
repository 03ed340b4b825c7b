"""Point-in-polygon for many points against their own polygons (sensor grids, module layouts).

Polygons come as flat rings: ``ring_xy`` (n_points, 2) holds every ring, closed (last vertex
repeats the first); ``ring_offsets`` (n_rings + 1) slices it per ring; ``poly_ring_offsets``
(n_polys + 1) slices the rings per polygon (exterior and holes of all its parts). The even-odd
rule over all rings of a polygon decides: a point is inside when a ray from it crosses the
rings an odd number of times (holes and separate parts come out right without orientation).
Nothing here imports twin; the caller allocates the output.
"""

from __future__ import annotations

import numpy as np

from twin.kernels.config import jit, jit_parallel, prange


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
        out_inside[i] = _inside(px[i], py[i], owner[i], ring_xy, ring_offsets, poly_ring_offsets)


@jit_parallel
def rects_in_polygons(ua, va, ub, vb, owner, ring_xy, ring_offsets, poly_ring_offsets, out_inside):
    """``out_inside[i]``: the four corners of the axis-aligned rectangle ``[ua, ub] x [va, vb]``
    all lie inside polygon ``owner[i]`` (even-odd rule, as :func:`points_in_polygons`)."""
    for i in prange(ua.shape[0]):
        ok = True
        for c in range(4):
            x = ua[i] if (c == 0 or c == 3) else ub[i]
            y = va[i] if c < 2 else vb[i]
            if not _inside(x, y, owner[i], ring_xy, ring_offsets, poly_ring_offsets):
                ok = False
                break
        out_inside[i] = ok


@jit
def _inside(x, y, p, ring_xy, ring_offsets, poly_ring_offsets):
    """Point ``(x, y)`` lies inside polygon ``p`` (the even-odd rule: a ray from it towards +x
    crosses the polygon's rings an odd number of times)."""
    inside = False
    for r in range(poly_ring_offsets[p], poly_ring_offsets[p + 1]):
        for k in range(ring_offsets[r], ring_offsets[r + 1] - 1):
            y0 = ring_xy[k, 1]
            y1 = ring_xy[k + 1, 1]
            if (y0 > y) != (y1 > y):
                x0 = ring_xy[k, 0]
                if x < x0 + (y - y0) * (ring_xy[k + 1, 0] - x0) / (y1 - y0):
                    inside = not inside
    return inside


@jit
def _row_crossings(y, p, ring_xy, ring_offsets, poly_ring_offsets, out_x):
    """The ``x`` of every crossing of polygon ``p``'s edges with the line at ``y`` (the edges
    :func:`_inside` counts, same expression) into ``out_x``; returns their number."""
    n = 0
    for r in range(poly_ring_offsets[p], poly_ring_offsets[p + 1]):
        for k in range(ring_offsets[r], ring_offsets[r + 1] - 1):
            y0 = ring_xy[k, 1]
            y1 = ring_xy[k + 1, 1]
            if (y0 > y) != (y1 > y):
                x0 = ring_xy[k, 0]
                out_x[n] = x0 + (y - y0) * (ring_xy[k + 1, 0] - x0) / (y1 - y0)
                n += 1
    return n


@jit
def _inside_row(x, xs, n):
    """:func:`_inside` of a point at ``x`` on a line whose crossings are ``xs[:n]`` (:func:`_row_crossings`)."""
    inside = False
    for k in range(n):
        if x < xs[k]:
            inside = not inside
    return inside


@jit_parallel
def layout_modules(u0, v0, nu, nv, su, sv, depth, ring_xy, ring_offsets, poly_ring_offsets, sensor_offsets, sensor_uv,
                   sensor_ok, out_count):
    """Modules that fit on each surface: slots of ``su x depth`` on a lattice of pitch ``(su, sv)``
    from ``(u0, v0)`` (``nu x nv`` slots) whose four corners lie inside polygon ``j`` and whose
    centre's nearest sensor (``sensor_offsets[j]:sensor_offsets[j + 1]`` of ``sensor_uv``) is
    ``sensor_ok``. ``out_count`` (n_surf,) int64, output.

    The corners of a row of slots lie on two lines (``v = va`` and ``v = vb``): the polygon's
    crossings with each line are computed once per row and every corner is tested against
    them (the point-in-polygon test of :func:`_inside`, edge by edge, at the cost of the
    crossings only).
    """
    for j in prange(u0.shape[0]):
        s0 = sensor_offsets[j]
        s1 = sensor_offsets[j + 1]
        all_ok = True
        for s in range(s0, s1):
            if not sensor_ok[s]:
                all_ok = False
                break
        n = 0
        n_edges = 0
        for r in range(poly_ring_offsets[j], poly_ring_offsets[j + 1]):
            n_edges += max(0, ring_offsets[r + 1] - ring_offsets[r] - 1)
        xa = np.empty(n_edges)
        xb = np.empty(n_edges)
        for iv in range(nv[j]):
            va = v0[j] + iv * sv[j]
            vb = va + depth[j]
            na = _row_crossings(va, j, ring_xy, ring_offsets, poly_ring_offsets, xa)
            nb = _row_crossings(vb, j, ring_xy, ring_offsets, poly_ring_offsets, xb)
            for iu in range(nu[j]):
                ua = u0[j] + iu * su[j]
                ub = ua + su[j]
                if not (_inside_row(ua, xa, na) and _inside_row(ub, xa, na) and _inside_row(ub, xb, nb)
                        and _inside_row(ua, xb, nb)):
                    continue
                if not all_ok:
                    cu = 0.5 * (ua + ub)
                    cv = 0.5 * (va + vb)
                    best = np.inf
                    good = False
                    for s in range(s0, s1):
                        d = (sensor_uv[s, 0] - cu) ** 2 + (sensor_uv[s, 1] - cv) ** 2
                        if d < best:
                            best = d
                            good = sensor_ok[s]
                    if not good:
                        continue
                n += 1
        out_count[j] = n
