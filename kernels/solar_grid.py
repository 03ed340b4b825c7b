"""Ray casting against a triangle scene through a uniform 2-D grid with cell heights.

The acceleration structure is a *height-field grid*: the plane (x east, y north) is cut into
square cells of side ``cell``; each cell lists the triangles whose bounding box overlaps it
(CSR: ``cell_offsets`` (n_cells + 1), ``cell_items``, sorted within a cell by decreasing top
``item_zmax``) and keeps the highest z of those triangles (``cell_zmax``). A ray walks the
cells its horizontal projection crosses (Amanatides & Woo 1987, "A fast voxel traversal algorithm for ray tracing", Eurographics
'87) and skips every cell whose top lies below the ray inside the cell; the walk stops once
the ray is above the highest triangle of the scene. Ray-triangle tests are Moeller &
Trumbore (1997), "Fast, minimum storage ray-triangle intersection", J. Graphics Tools 2(1).

Two queries share the walk:

* :func:`occluded` / :func:`direct_hourly` / :func:`beam_annual_exact`: does the ray toward
  the sun hit a triangle (any hit beyond ``t_min``)?
* :func:`horizon_elevations`: the highest elevation angle of the scene seen along a vertical
  half-plane (one azimuth), i.e. a horizon profile. Along the cut of a triangle with the
  half-plane ``z`` is linear in the horizontal distance ``f``, so ``(z - z_o) / f`` is
  monotonic and its maximum lies at an end of the cut.

Arrays in, arrays out; the caller allocates every output. Triangles are ``tri`` (n_t, 3, 3):
vertex k of triangle i is ``tri[i, k, :]`` = (x, y, z), metres. Nothing here imports twin.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from twin.kernels.config import jit, jit_parallel, prange

_INF = np.inf


class GridArrays(NamedTuple):
    """A triangle scene and its height-field grid, one argument of the queries (see the module docstring).

    The caller passes plain Python ``float`` / ``int`` scalars (one compiled signature, loaded
    from Numba's disk cache in later processes).
    """

    tri: np.ndarray  #: float64 (n_t, 3, 3) triangles, m
    x0: float  #: x of the grid's lower-left corner, m
    y0: float  #: y of the grid's lower-left corner, m
    cell: float  #: cell side, m
    nx: int  #: cells along x
    ny: int  #: cells along y
    cell_offsets: np.ndarray  #: int64 (nx * ny + 1) CSR offsets of the cells' lists
    cell_items: np.ndarray  #: int64 triangle indices, per cell by decreasing top
    item_zmax: np.ndarray  #: float64 top of each listed triangle
    cell_zmax: np.ndarray  #: float64 (nx * ny) highest z in each cell (-inf: empty)


# ----------------------------------------------------------------------------- building
@jit
def grid_count(tri, x0, y0, cell, nx, ny, counts):
    """Number of triangles whose bounding box overlaps each cell (``counts`` (nx * ny), zeroed by the caller)."""
    for i in range(tri.shape[0]):
        xmin = min(tri[i, 0, 0], min(tri[i, 1, 0], tri[i, 2, 0]))
        xmax = max(tri[i, 0, 0], max(tri[i, 1, 0], tri[i, 2, 0]))
        ymin = min(tri[i, 0, 1], min(tri[i, 1, 1], tri[i, 2, 1]))
        ymax = max(tri[i, 0, 1], max(tri[i, 1, 1], tri[i, 2, 1]))
        i0 = max(0, min(nx - 1, int(math.floor((xmin - x0) / cell))))
        i1 = max(0, min(nx - 1, int(math.floor((xmax - x0) / cell))))
        j0 = max(0, min(ny - 1, int(math.floor((ymin - y0) / cell))))
        j1 = max(0, min(ny - 1, int(math.floor((ymax - y0) / cell))))
        for j in range(j0, j1 + 1):
            for ii in range(i0, i1 + 1):
                counts[j * nx + ii] += 1


@jit
def grid_fill(tri, x0, y0, cell, nx, ny, cell_offsets, cursor, cell_items, cell_zmax):
    """Fill the CSR lists of :func:`grid_count` and each cell's highest z.

    ``cursor`` (nx * ny) is scratch (any content); ``cell_zmax`` (nx * ny) is overwritten
    (``-inf`` in empty cells).
    """
    n_cells = nx * ny
    for c in range(n_cells):
        cursor[c] = cell_offsets[c]
        cell_zmax[c] = -_INF
    for i in range(tri.shape[0]):
        xmin = min(tri[i, 0, 0], min(tri[i, 1, 0], tri[i, 2, 0]))
        xmax = max(tri[i, 0, 0], max(tri[i, 1, 0], tri[i, 2, 0]))
        ymin = min(tri[i, 0, 1], min(tri[i, 1, 1], tri[i, 2, 1]))
        ymax = max(tri[i, 0, 1], max(tri[i, 1, 1], tri[i, 2, 1]))
        zmax = max(tri[i, 0, 2], max(tri[i, 1, 2], tri[i, 2, 2]))
        i0 = max(0, min(nx - 1, int(math.floor((xmin - x0) / cell))))
        i1 = max(0, min(nx - 1, int(math.floor((xmax - x0) / cell))))
        j0 = max(0, min(ny - 1, int(math.floor((ymin - y0) / cell))))
        j1 = max(0, min(ny - 1, int(math.floor((ymax - y0) / cell))))
        for j in range(j0, j1 + 1):
            for ii in range(i0, i1 + 1):
                c = j * nx + ii
                cell_items[cursor[c]] = i
                cursor[c] += 1
                if zmax > cell_zmax[c]:
                    cell_zmax[c] = zmax


@jit(inline="always")
def _wall_rows(walls, i, y0, cell, ny, margin):
    """First and last row (clipped to the grid) of the cells wall ``i``'s segment, widened by ``margin``, may pass through."""
    j0 = max(0, min(ny - 1, int(math.floor((min(walls[i, 1], walls[i, 3]) - margin - y0) / cell))))
    j1 = max(0, min(ny - 1, int(math.floor((max(walls[i, 1], walls[i, 3]) + margin - y0) / cell))))
    return j0, j1


@jit(inline="always")
def _wall_row_cells(walls, i, j, x0, y0, cell, nx, margin):
    """First and last column (clipped to the grid) of the cells of row ``j`` that the segment
    of wall ``i`` (``walls[i] = (xa, ya, xb, yb, z)``) passes through, the row's band widened by
    ``margin`` (m) on both sides and the segment's part in it by ``margin`` along x; ``i0 > i1``
    when the segment misses the band."""
    xa = walls[i, 0]
    ya = walls[i, 1]
    xb = walls[i, 2]
    yb = walls[i, 3]
    lo = y0 + j * cell - margin
    hi = y0 + (j + 1) * cell + margin
    if ya == yb:
        if ya < lo or ya > hi:
            return 1, 0
        xl = min(xa, xb)
        xh = max(xa, xb)
    else:
        ta = min(1.0, max(0.0, (lo - ya) / (yb - ya)))
        tb = min(1.0, max(0.0, (hi - ya) / (yb - ya)))
        xl = xa + min(ta, tb) * (xb - xa)
        xh = xa + max(ta, tb) * (xb - xa)
        if xl > xh:
            xl, xh = xh, xl
    i0 = max(0, min(nx - 1, int(math.floor((xl - margin - x0) / cell))))
    i1 = max(0, min(nx - 1, int(math.floor((xh + margin - x0) / cell))))
    return i0, i1


@jit
def wall_grid_count(walls, x0, y0, cell, nx, ny, margin, counts):
    """:func:`grid_count` of vertical walls by the cells their segment passes through (widened
    by ``margin``, m), not by their bounding box: a vertical half-plane meets a wall on its
    segment, in a cell the segment passes through (``walls`` as in :func:`_wall_top_tan`)."""
    for i in range(walls.shape[0]):
        j0, j1 = _wall_rows(walls, i, y0, cell, ny, margin)
        for j in range(j0, j1 + 1):
            i0, i1 = _wall_row_cells(walls, i, j, x0, y0, cell, nx, margin)
            for ii in range(i0, i1 + 1):
                counts[j * nx + ii] += 1


@jit
def wall_grid_fill(walls, x0, y0, cell, nx, ny, margin, cell_offsets, cursor, cell_items, cell_zmax):
    """:func:`grid_fill` of the cells of :func:`wall_grid_count` (each wall's top ``walls[i, 4]``)."""
    n_cells = nx * ny
    for c in range(n_cells):
        cursor[c] = cell_offsets[c]
        cell_zmax[c] = -_INF
    for i in range(walls.shape[0]):
        j0, j1 = _wall_rows(walls, i, y0, cell, ny, margin)
        for j in range(j0, j1 + 1):
            i0, i1 = _wall_row_cells(walls, i, j, x0, y0, cell, nx, margin)
            for ii in range(i0, i1 + 1):
                c = j * nx + ii
                cell_items[cursor[c]] = i
                cursor[c] += 1
                if walls[i, 4] > cell_zmax[c]:
                    cell_zmax[c] = walls[i, 4]


@jit
def _window_max_line(src, r, g, h, out):
    """``out[i] = max(src[max(0, i - r) : i + r + 1])`` in O(n) (van Herk 1992; Gil & Werman
    1993): prefix maxima ``g`` and suffix maxima ``h`` within blocks of ``2 r + 1`` of the line
    padded by ``r`` values of ``-inf`` on both sides (``g``, ``h``: scratch of ``n + 2 r``)."""
    n = src.shape[0]
    w = 2 * r + 1
    m = n + 2 * r
    for p in range(m):
        i = p - r
        v = src[i] if 0 <= i < n else -_INF
        g[p] = v if p % w == 0 else max(g[p - 1], v)
    for p in range(m - 1, -1, -1):
        i = p - r
        v = src[i] if 0 <= i < n else -_INF
        h[p] = v if (p % w == w - 1 or p == m - 1) else max(h[p + 1], v)
    for i in range(n):
        # window [i - r, i + r] is padded [i, i + 2 r]: one block boundary at most inside it
        out[i] = max(h[i], g[i + 2 * r])


@jit
def window_max_rows(z, r, out):
    """Largest value of each row of ``z`` (ny, nx) within ``r`` cells on either side (cells
    outside count as ``-inf``), into ``out`` (ny, nx): the row pass of a square window maximum."""
    ny, nx = z.shape
    g = np.empty(nx + 2 * r)
    h = np.empty(nx + 2 * r)
    for j in range(ny):
        _window_max_line(z[j], r, g, h, out[j])


@jit
def window_max_at(rows, r, ci, cj, out):
    """Largest value of the square of ``2 r + 1`` cells centred on cell ``(cj[q], ci[q])``
    (row, column; inside the grid) for each query ``q``, from the row pass ``rows`` of
    :func:`window_max_rows`: a column maximum of ``2 r + 1`` values per query, so the window
    maximum of the whole grid is never formed."""
    ny = rows.shape[0]
    for q in range(ci.shape[0]):
        i = ci[q]
        best = -_INF
        for j in range(max(0, cj[q] - r), min(ny, cj[q] + r + 1)):
            v = rows[j, i]
            if v > best:
                best = v
        out[q] = best


# ----------------------------------------------------------------------------- primitives
@jit
def ray_triangle_t(ox, oy, oz, dx, dy, dz, tri, i):
    """Distance along the ray to triangle ``i`` (Moeller-Trumbore), or ``inf`` when missed."""
    ax = tri[i, 0, 0]
    ay = tri[i, 0, 1]
    az = tri[i, 0, 2]
    e1x = tri[i, 1, 0] - ax
    e1y = tri[i, 1, 1] - ay
    e1z = tri[i, 1, 2] - az
    e2x = tri[i, 2, 0] - ax
    e2y = tri[i, 2, 1] - ay
    e2z = tri[i, 2, 2] - az
    px = dy * e2z - dz * e2y
    py = dz * e2x - dx * e2z
    pz = dx * e2y - dy * e2x
    det = e1x * px + e1y * py + e1z * pz
    if det == 0.0:
        return _INF
    inv = 1.0 / det
    sx = ox - ax
    sy = oy - ay
    sz = oz - az
    u = (sx * px + sy * py + sz * pz) * inv
    if u < 0.0 or u > 1.0:
        return _INF
    qx = sy * e1z - sz * e1y
    qy = sz * e1x - sx * e1z
    qz = sx * e1y - sy * e1x
    v = (dx * qx + dy * qy + dz * qz) * inv
    if v < 0.0 or u + v > 1.0:
        return _INF
    return (e2x * qx + e2y * qy + e2z * qz) * inv


@jit
def _walk_start(ox, oy, dx, dy, x0, y0, cell):
    """Start of the cell walk (Amanatides & Woo 1987) of a ray from ``(ox, oy)`` along the
    horizontal direction ``(dx, dy)`` (any length; only its x and y parts are used).

    Returns ``(ci, cj, step_i, step_j, t_max_x, t_max_y, t_dx, t_dy)``: the start cell (may lie
    outside the grid: the caller checks), the cell steps (-1, 0, 1), the ray parameter at the
    first x and y cell boundaries and between successive ones (``inf`` along an axis the ray
    does not move on).
    """
    ci = int(math.floor((ox - x0) / cell))
    cj = int(math.floor((oy - y0) / cell))
    step_i = 1 if dx > 0.0 else (-1 if dx < 0.0 else 0)
    step_j = 1 if dy > 0.0 else (-1 if dy < 0.0 else 0)
    if dx != 0.0:
        t_max_x = ((ci + (1 if dx > 0.0 else 0)) * cell + x0 - ox) / dx
        t_dx = cell / abs(dx)
    else:
        t_max_x = _INF
        t_dx = _INF
    if dy != 0.0:
        t_max_y = ((cj + (1 if dy > 0.0 else 0)) * cell + y0 - oy) / dy
        t_dy = cell / abs(dy)
    else:
        t_max_y = _INF
        t_dy = _INF
    return ci, cj, step_i, step_j, t_max_x, t_max_y, t_dx, t_dy


@jit
def _walk_next(ci, cj, step_i, step_j, t_max_x, t_max_y, t_dx, t_dy):
    """One step of the cell walk started by :func:`_walk_start`: into the neighbour across the
    nearer cell boundary (across y on a tie). Returns ``(ci, cj, t_max_x, t_max_y)``."""
    if t_max_x < t_max_y:
        return ci + step_i, cj, t_max_x + t_dx, t_max_y
    return ci, cj + step_j, t_max_x, t_max_y + t_dy


@jit
def _off_grid(ci, cj, nx, ny):
    """Cell ``(ci, cj)`` lies outside the ``nx x ny`` grid (the walk ends there)."""
    return ci < 0 or cj < 0 or ci >= nx or cj >= ny


@jit
def occluded(ox, oy, oz, dx, dy, dz, t_min, grid, z_top):
    """True if the ray ``o + t d`` (``d`` a unit vector, ``t > t_min``) hits a triangle of
    ``grid`` (:class:`GridArrays`).

    Only rays that do not point down (``dz >= 0``) may be asked: the walk stops once the
    ray is above ``z_top``, the highest vertex of the scene.
    """
    tri, x0, y0, cell, nx, ny, cell_offsets, cell_items, item_zmax, cell_zmax = grid
    if oz > z_top:
        return False
    # start cell (the origin lies inside the grid: the caller builds it over the sensors too)
    ci, cj, step_i, step_j, t_max_x, t_max_y, t_dx, t_dy = _walk_start(ox, oy, dx, dy, x0, y0, cell)
    if _off_grid(ci, cj, nx, ny):
        return False
    t_in = 0.0
    while True:
        t_out = min(t_max_x, t_max_y)
        c = cj * nx + ci
        # lowest point of the ray inside the cell (dz >= 0: at the entry)
        z_low = oz + dz * t_in  # lowest point of the ray in the cell
        if z_low <= cell_zmax[c]:
            for k in range(cell_offsets[c], cell_offsets[c + 1]):
                if item_zmax[k] < z_low:  # items sorted by decreasing top: the rest lie below the ray
                    break
                t = ray_triangle_t(ox, oy, oz, dx, dy, dz, tri, cell_items[k])
                if t > t_min and t < _INF:
                    return True
        if t_out == _INF:
            return False
        t_in = t_out
        if oz + dz * t_in > z_top:
            return False
        ci, cj, t_max_x, t_max_y = _walk_next(ci, cj, step_i, step_j, t_max_x, t_max_y, t_dx, t_dy)
        if _off_grid(ci, cj, nx, ny):
            return False


@jit
def _clip_tan(fa, za, fb, zb, oz, max_dist, f_min):
    """Largest ``(z - oz) / f`` on the segment (fa, za)-(fb, zb) (``fa <= fb``) clipped to
    ``[f_min, max_dist]``; ``-inf`` if nothing is left."""
    if fb < f_min or fa > max_dist:
        return -_INF
    if fa < f_min:
        if fb > fa:
            za = za + (zb - za) * (f_min - fa) / (fb - fa)
        fa = f_min
    if fb > max_dist:
        if fb > fa:
            zb = za + (zb - za) * (max_dist - fa) / (fb - fa)
        fb = max_dist
    ta = (za - oz) / fa
    tb = (zb - oz) / fb
    return ta if ta > tb else tb


@jit
def _cut_max_tan(ox, oy, oz, ax, ay, tri, i, max_dist, f_min):
    """Largest ``(z - oz) / f`` over the cut of triangle ``i`` with the vertical half-plane
    from ``(ox, oy)`` along the horizontal unit vector ``(ax, ay)``, ``f`` (horizontal distance)
    within ``[f_min, max_dist]``; ``-inf`` when the triangle misses it."""
    s0 = (tri[i, 0, 0] - ox) * -ay + (tri[i, 0, 1] - oy) * ax
    s1 = (tri[i, 1, 0] - ox) * -ay + (tri[i, 1, 1] - oy) * ax
    s2 = (tri[i, 2, 0] - ox) * -ay + (tri[i, 2, 1] - oy) * ax
    if (s0 > 0.0 and s1 > 0.0 and s2 > 0.0) or (s0 < 0.0 and s1 < 0.0 and s2 < 0.0):
        return -_INF
    f0 = (tri[i, 0, 0] - ox) * ax + (tri[i, 0, 1] - oy) * ay
    f1 = (tri[i, 1, 0] - ox) * ax + (tri[i, 1, 1] - oy) * ay
    f2 = (tri[i, 2, 0] - ox) * ax + (tri[i, 2, 1] - oy) * ay
    z0 = tri[i, 0, 2]
    z1 = tri[i, 1, 2]
    z2 = tri[i, 2, 2]
    if s0 == 0.0 and s1 == 0.0 and s2 == 0.0:
        # the triangle lies in the plane: the maximum of a linear-fractional function over it
        # is at a vertex (points outside [f_min, max_dist] left out)
        best = -_INF
        for f_, z_ in ((f0, z0), (f1, z1), (f2, z2)):
            if f_min <= f_ <= max_dist:
                t = (z_ - oz) / f_
                if t > best:
                    best = t
        return best
    # the cut is a segment: vertices on the plane and strict edge crossings (up to 3 points;
    # several at one distance f on a vertical triangle, so every point is evaluated)
    n = 0
    fa = 0.0
    za = 0.0
    fb = 0.0
    zb = 0.0
    best = -_INF
    for e in range(3):
        if e == 0:
            sa, sb, pfa, pfb, pza, pzb = s0, s1, f0, f1, z0, z1
        elif e == 1:
            sa, sb, pfa, pfb, pza, pzb = s1, s2, f1, f2, z1, z2
        else:
            sa, sb, pfa, pfb, pza, pzb = s2, s0, f2, f0, z2, z0
        if sa == 0.0:
            f_ = pfa
            z_ = pza
        elif (sa > 0.0 and sb < 0.0) or (sa < 0.0 and sb > 0.0):
            lam = sa / (sa - sb)
            f_ = pfa + lam * (pfb - pfa)
            z_ = pza + lam * (pzb - pza)
        else:
            continue
        if n == 0:
            fa, za, fb, zb = f_, z_, f_, z_
        elif f_ < fa:
            fa, za = f_, z_
        elif f_ > fb:
            fb, zb = f_, z_
        if f_min <= f_ <= max_dist:
            t = (z_ - oz) / f_
            if t > best:
                best = t
        n += 1
    if n == 0:
        return -_INF
    if fa < f_min or fb > max_dist:
        t = _clip_tan(fa, za, fb, zb, oz, max_dist, f_min)
        if t > best:
            best = t
    return best


@jit
def _wall_top_tan(ox, oy, oz, ax, ay, walls, i, max_dist, f_min):
    """:func:`_cut_max_tan` of a triangle that is the upper half of a vertical wall, from the
    wall's top edge alone: ``walls[i] = (x0, y0, x1, y1, z1)``, the wall's ends and its
    (horizontal) top.

    The triangle (p0 z0, p1 z1, p0 z1) stands on the segment p0-p1, so a vertical half-plane
    crossing that segment at horizontal distance ``f`` cuts it along a vertical segment at that
    one ``f``, whose top is the top edge (z1): the largest ``(z - oz) / f`` of the cut is
    ``(z1 - oz) / f`` (the walks only cut triangles whose top is above ``oz``). A half-plane
    containing the segment cuts the whole triangle: the largest value is at a top corner.
    ``-inf`` when the half-plane misses the segment or ``f`` lies outside ``[f_min, max_dist]``.
    """
    px = walls[i, 0] - ox
    py = walls[i, 1] - oy
    qx = walls[i, 2] - ox
    qy = walls[i, 3] - oy
    s0 = px * -ay + py * ax
    s1 = qx * -ay + qy * ax
    if (s0 > 0.0 and s1 > 0.0) or (s0 < 0.0 and s1 < 0.0):
        return -_INF
    f0 = px * ax + py * ay
    f1 = qx * ax + qy * ay
    rise = walls[i, 4] - oz
    if s0 == 0.0 and s1 == 0.0:  # the wall lies in the half-plane's plane: its top corners
        best = -_INF
        if f_min <= f0 <= max_dist:
            best = rise / f0
        if f_min <= f1 <= max_dist:
            t = rise / f1
            if t > best:
                best = t
        return best
    # where the top edge meets the plane (an end of it when that end lies on the plane)
    if s1 == 0.0:
        f = f1
    elif s0 == 0.0:
        f = f0
    else:
        f = f1 + s1 / (s1 - s0) * (f0 - f1)
    if f_min <= f <= max_dist:
        return rise / f
    return -_INF


@jit
def horizon_tan(ox, oy, oz, ax, ay, max_dist, f_min, exclude, item_group, grid, z_top, walls):
    """Tangent of the horizon elevation along azimuth direction ``(ax, ay)`` (unit, horizontal).

    The largest ``(z - oz) / f`` over every triangle cut within ``f_min <= f <= max_dist``,
    and at least 0 (an open horizon). ``item_group[k]`` is the group of the triangle
    ``cell_items[k]`` (stored beside the lists: read in sequence, not by a random access per
    triangle); listed triangles with ``item_group[k] == exclude`` are skipped (``exclude = -1``:
    none, and the groups are not read). ``walls`` (n_t, 5), when not empty, says that every
    triangle is the upper half of a vertical wall (:func:`_wall_top_tan`: its top edge is cut
    instead of the triangle, the same largest values); empty (0, 5): any triangles.
    """
    best = 0.0
    if oz >= z_top:
        return best
    tri, x0, y0, cell, nx, ny, cell_offsets, cell_items, item_zmax, cell_zmax = grid
    on_walls = walls.shape[0] > 0
    ci, cj, step_i, step_j, t_max_x, t_max_y, t_dx, t_dy = _walk_start(ox, oy, ax, ay, x0, y0, cell)
    if _off_grid(ci, cj, nx, ny):
        return best
    t_in = 0.0
    while True:
        c = cj * nx + ci
        rise = cell_zmax[c] - oz
        if rise > 0.0 and rise > best * max(t_in, f_min):
            bound = best * max(t_in, f_min)
            for k in range(cell_offsets[c], cell_offsets[c + 1]):
                if item_zmax[k] - oz <= bound:  # sorted by decreasing top: nothing higher follows
                    break
                if exclude != -1 and item_group[k] == exclude:  # -1: nothing excluded, no group to read
                    continue
                if on_walls:
                    t = _wall_top_tan(ox, oy, oz, ax, ay, walls, cell_items[k], max_dist, f_min)
                else:
                    t = _cut_max_tan(ox, oy, oz, ax, ay, tri, cell_items[k], max_dist, f_min)
                if t > best:
                    best = t
                    bound = best * max(t_in, f_min)
        t_out = min(t_max_x, t_max_y)
        if t_out == _INF or t_out > max_dist:
            return best
        t_in = t_out
        if z_top - oz <= best * t_in:
            return best
        ci, cj, t_max_x, t_max_y = _walk_next(ci, cj, step_i, step_j, t_max_x, t_max_y, t_dx, t_dy)
        if _off_grid(ci, cj, nx, ny):
            return best


# ----------------------------------------------------------------------------- batch queries
@jit_parallel
def horizon_elevations(origins, exclude, front, n_sectors_offset, max_dist, f_min, grid, item_group, z_top_near, walls, out_rows,
                       out_elevation_deg):
    """Horizon profiles: elevation angle (degrees, >= 0) per azimuth sector of each origin.

    Sector ``k`` of ``n = out_elevation_deg.shape[1]`` is looked at along azimuth
    ``(k + n_sectors_offset) * 360 / n`` degrees clockwise from north (+y); ``n_sectors_offset``
    0 puts the first sector centre at north.

    Parameters
    ----------
    origins : float64 (n_o, 3)
    exclude : int64 (n_o,) triangle group (building) left out for each origin, -1 none.
    front : float64 (n_o, 2) outward horizontal unit normal of a vertical surface at the origin
        (sectors wholly behind it are set to 0 without a walk), or (0, 0): every sector.
    max_dist, f_min : float, horizontal search range, m.
    grid : :class:`GridArrays`, the scene and its grid.
    item_group : int64 (len(cell_items),) group (building) of each listed triangle, ``tri_group[cell_items]``.
    z_top_near : float64 (n_o,) highest point of the scene within ``max_dist`` of each origin
        (any upper bound will do; the walk stops once nothing higher can follow).
    walls : float64 (n_t, 5) or (0, 5): the triangles as upper halves of vertical walls
        (:func:`horizon_tan`), or empty for any triangles.
    out_rows : int64 (n_o,) the row of ``out_elevation_deg`` of each origin (distinct rows: the
        origins can be walked in any order and their profiles written where the caller wants them).
    out_elevation_deg : float64 (n_rows, n), output; the rows ``out_rows`` are written.
    """
    n = out_elevation_deg.shape[1]
    behind = -math.sin(math.pi / n) - 1e-9  # a sector whose centre is this far behind lies wholly behind
    sin_az = np.empty(n)  # the sector directions, computed once
    cos_az = np.empty(n)
    for k in range(n):
        az = math.radians((k + n_sectors_offset) * 360.0 / n)
        sin_az[k] = math.sin(az)
        cos_az[k] = math.cos(az)
    for o in prange(origins.shape[0]):
        ox = origins[o, 0]
        oy = origins[o, 1]
        oz = origins[o, 2]
        r = out_rows[o]
        for k in range(n):
            out_elevation_deg[r, k] = 0.0
            if oz >= z_top_near[o] or front[o, 0] * sin_az[k] + front[o, 1] * cos_az[k] < behind:
                continue  # nothing higher within reach, or behind the surface
            t = horizon_tan(ox, oy, oz, sin_az[k], cos_az[k], max_dist, f_min, exclude[o], item_group, grid, z_top_near[o],
                            walls)
            if t != 0.0:
                out_elevation_deg[r, k] = math.degrees(math.atan(t))


@jit_parallel
def direct_hourly(origins, normals, sun, dni, t_min, grid, z_top, out_w_m2):
    """Direct (beam) irradiance on each sensor each hour, W/m2: ``dni * cos(aoi)`` when the sun
    is in front of the sensor and its ray leaves the scene unblocked, else 0.

    Parameters
    ----------
    origins, normals : float64 (n_s, 3) sensor points and unit normals.
    sun : float64 (n_h, 3) unit vectors toward the sun (east, north, up).
    dni : float64 (n_h,) direct normal irradiance (0 with the sun down), W/m2.
    t_min : float, hits nearer than this along the ray are ignored, m.
    grid : :class:`GridArrays`; z_top : float, highest vertex of the scene, m.
    out_w_m2 : float64 (n_s, n_h), output.
    """
    n_h = sun.shape[0]
    for s in prange(origins.shape[0]):
        for h in range(n_h):
            out_w_m2[s, h] = 0.0
            if dni[h] <= 0.0 or sun[h, 2] <= 0.0:
                continue
            c = normals[s, 0] * sun[h, 0] + normals[s, 1] * sun[h, 1] + normals[s, 2] * sun[h, 2]
            if c <= 0.0:
                continue
            if not occluded(origins[s, 0], origins[s, 1], origins[s, 2], sun[h, 0], sun[h, 1], sun[h, 2], t_min, grid, z_top):
                out_w_m2[s, h] = dni[h] * c


@jit_parallel
def beam_annual_exact(origins, normals, sun, beam_dn, circ_dn, month, t_min, grid, z_top, out_beam, out_circ, out_beam_free,
                      out_circ_free):
    """Monthly sums of the beam and circumsolar irradiance of each sensor, shaded and free, Wh/m2.

    Hour ``h`` contributes ``beam_dn[h] * cos(aoi)`` (``beam_dn`` the DNI) and
    ``circ_dn[h] * cos(aoi)`` (``circ_dn`` = Perez ``DHI F1 / max(cos 85, cos z)``) to month
    ``month[h]`` when the sun is in front of the sensor; to the shaded sums only when its ray is
    unblocked. Outputs (n_s, 12) are overwritten.
    """
    n_h = sun.shape[0]
    for s in prange(origins.shape[0]):
        for m in range(12):
            out_beam[s, m] = 0.0
            out_circ[s, m] = 0.0
            out_beam_free[s, m] = 0.0
            out_circ_free[s, m] = 0.0
        for h in range(n_h):
            if (beam_dn[h] <= 0.0 and circ_dn[h] <= 0.0) or sun[h, 2] <= 0.0:
                continue
            c = normals[s, 0] * sun[h, 0] + normals[s, 1] * sun[h, 1] + normals[s, 2] * sun[h, 2]
            if c <= 0.0:
                continue
            m = month[h]
            out_beam_free[s, m] += beam_dn[h] * c
            out_circ_free[s, m] += circ_dn[h] * c
            if not occluded(origins[s, 0], origins[s, 1], origins[s, 2], sun[h, 0], sun[h, 1], sun[h, 2], t_min, grid, z_top):
                out_beam[s, m] += beam_dn[h] * c
                out_circ[s, m] += circ_dn[h] * c
