"""The ray-casting grid of a triangle scene (:mod:`twin.kernels.solar_grid`) and its queries.

Every query runs in chunks so that a progress bar (``progress=True``) can follow it; the
results do not depend on the chunking.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from twin.solar.progress import chunks

#: Default cell side of the grid, m (about a house width: few triangles per cell).
DEFAULT_CELL_M = 8.0

#: Most cells a grid may have (the cell side grows beyond it).
MAX_CELLS = 16_000_000

#: Sensor rays start this far along the surface normal, m.
SENSOR_OFFSET_M = 0.01

#: Ray hits nearer than this are ignored, m.
T_MIN_M = 1e-6

#: Horizon cuts nearer than this (horizontal distance) are ignored, m.
F_MIN_M = 1e-6

#: A vertical wall is listed in the cells its segment passes through widened by this much, m: a
#: walk meets the wall in one of them even when the crossing lies on a cell's edge (the walk's
#: cell steps and the crossing are computed apart, to about 1e-12 m).
WALL_MARGIN_M = 1e-4


def spatial_order(xy: np.ndarray, block_m: float) -> np.ndarray:
    """Permutation of points (n, 2) along a Z-order (Morton) curve of square blocks of side
    ``block_m`` (stable within a block): points near each other come close in the order."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if len(xy) == 0:
        return np.zeros(0, dtype=np.int64)
    finite = np.isfinite(xy).all(axis=1)
    lo = xy[finite].min(axis=0) if finite.any() else np.zeros(2)
    ij = np.zeros((len(xy), 2), dtype=np.int64)
    ij[finite] = np.clip(np.floor((xy[finite] - lo) / float(block_m)), 0, 2**20 - 1).astype(np.int64)
    code = np.zeros(len(xy), dtype=np.int64)
    for k in range(20):
        code |= ((ij[:, 0] >> k) & 1) << (2 * k) | ((ij[:, 1] >> k) & 1) << (2 * k + 1)
    return np.argsort(code, kind="stable")


def upper_wall_tops(tri: np.ndarray) -> np.ndarray:
    """``(x0, y0, x1, y1, z_top)`` (n, 5) of triangles (n, 3, 3) that are the upper halves
    ``(p0 z0, p1 z1, p0 z1)`` of vertical walls with horizontal tops (z1 > z0).

    Raises ``ValueError`` naming the first triangle of another shape: the horizon walks would
    otherwise cut a triangle that is not there.
    """
    tri = np.asarray(tri, dtype=np.float64).reshape(-1, 3, 3)
    a, c, d = tri[:, 0], tri[:, 1], tri[:, 2]
    ok = (a[:, 0] == d[:, 0]) & (a[:, 1] == d[:, 1]) & (c[:, 2] == d[:, 2]) & (d[:, 2] > a[:, 2])
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        raise ValueError(f"triangle {i} is not the upper half (p0 z0, p1 z1, p0 z1) of a vertical wall: {tri[i].tolist()}")
    return np.ascontiguousarray(np.column_stack([a[:, 0], a[:, 1], c[:, 0], c[:, 1], c[:, 2]]))


@dataclass
class SceneGrid:
    """Triangles (n_t, 3, 3), their group (building) and the height-field grid over them."""

    tri: np.ndarray
    tri_group: np.ndarray
    x0: float
    y0: float
    cell: float
    nx: int
    ny: int
    cell_offsets: np.ndarray
    cell_items: np.ndarray
    item_zmax: np.ndarray
    cell_zmax: np.ndarray
    z_top: float
    item_group: np.ndarray
    #: (n_t, 5) ``(x0, y0, x1, y1, z_top)`` of each triangle when every triangle is the upper
    #: half of a vertical wall (``build(vertical_walls=True)``), else (0, 5).
    walls: np.ndarray = field(default_factory=lambda: np.zeros((0, 5)))

    @classmethod
    def build(cls, tri: np.ndarray, tri_group: np.ndarray | None = None, *, cell_m: float = DEFAULT_CELL_M,
              points: np.ndarray | None = None, vertical_walls: bool = False) -> SceneGrid:
        """Grid over the triangles and the query ``points`` (n, 3 or 2), padded by one cell.

        ``item_group`` is the group of each listed triangle (``tri_group[cell_items]``), read
        in sequence by the horizon walks. ``vertical_walls``: every triangle is the upper half
        ``(p0 z0, p1 z1, p0 z1)`` of a vertical wall with a horizontal top (as
        :func:`twin.solar.shading.wall_triangles` with ``upper_only`` makes them; checked, a
        ``ValueError`` otherwise); the horizons then cut each wall's top edge, which gives the
        same largest elevations at about three quarters of the time, and each wall is listed in
        the cells its segment passes through (:data:`WALL_MARGIN_M`), not every cell of its
        bounding box: fewer cuts, the same walls met."""
        from twin.kernels.solar_grid import grid_count, grid_fill, wall_grid_count, wall_grid_fill

        tri = np.ascontiguousarray(tri, dtype=np.float64).reshape(-1, 3, 3)
        walls = upper_wall_tops(tri) if vertical_walls else np.zeros((0, 5))
        group = np.full(len(tri), -2, dtype=np.int64) if tri_group is None else np.ascontiguousarray(tri_group, dtype=np.int64)
        xy = [tri[:, :, :2].reshape(-1, 2)]
        if points is not None and len(points):
            xy.append(np.asarray(points, dtype=float)[:, :2])
        allxy = np.concatenate(xy) if len(xy) else np.zeros((0, 2))
        if len(allxy) == 0:
            allxy = np.zeros((1, 2))
        lo = allxy.min(axis=0)
        hi = allxy.max(axis=0)
        cell = float(cell_m)
        span = hi - lo
        while (math.floor(span[0] / cell) + 3) * (math.floor(span[1] / cell) + 3) > MAX_CELLS:
            cell *= 1.5
        x0, y0 = float(lo[0] - cell), float(lo[1] - cell)
        nx = int(math.floor(span[0] / cell)) + 3
        ny = int(math.floor(span[1] / cell)) + 3
        counts = np.zeros(nx * ny, dtype=np.int64)
        if vertical_walls:  # each wall in the cells its segment passes through, not its bounding box's
            wall_grid_count(walls, x0, y0, cell, nx, ny, WALL_MARGIN_M, counts)
        else:
            grid_count(tri, x0, y0, cell, nx, ny, counts)
        offsets = np.zeros(nx * ny + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        items = np.empty(int(offsets[-1]), dtype=np.int64)
        zmax = np.empty(nx * ny)
        z_top = float(tri[:, :, 2].max()) if len(tri) else -np.inf
        # within each cell, triangles by decreasing top (ties by index): the queries stop at the
        # first one too low. The cells are filled in that order, so each list comes out sorted.
        tz = tri[:, :, 2].max(axis=1) if len(tri) else np.zeros(0)
        order = np.argsort(-tz, kind="stable")
        cursor = np.empty(nx * ny, dtype=np.int64)
        if vertical_walls:
            wall_grid_fill(np.ascontiguousarray(walls[order]), x0, y0, cell, nx, ny, WALL_MARGIN_M, offsets, cursor, items, zmax)
        else:
            grid_fill(np.ascontiguousarray(tri[order]), x0, y0, cell, nx, ny, offsets, cursor, items, zmax)
        items = np.ascontiguousarray(order[items])
        return cls(tri, group, x0, y0, cell, nx, ny, offsets, items, np.ascontiguousarray(tz[items]), zmax, z_top,
                   np.ascontiguousarray(group[items]), walls)

    def arrays(self):
        """The scene and grid as the kernels' :class:`twin.kernels.solar_grid.GridArrays`."""
        from twin.kernels.solar_grid import GridArrays

        return GridArrays(self.tri, float(self.x0), float(self.y0), float(self.cell), int(self.nx), int(self.ny), self.cell_offsets,
                          self.cell_items, self.item_zmax, self.cell_zmax)

    def horizons(self, origins: np.ndarray, *, n_sectors: int = 36, exclude: np.ndarray | None = None,
                 max_distance_m: float = 100.0, front: np.ndarray | None = None, progress=None,
                 order: np.ndarray | None = None) -> np.ndarray:
        """Horizon elevation (degrees, >= 0) per azimuth sector (sector k centred on k * 360 / n_sectors
        clockwise from north) seen from each origin (n, 3); ``exclude[i]`` a triangle group left out.

        ``front`` (n, 2): outward horizontal normals of vertical surfaces; sectors wholly behind
        such a surface are not looked at (0): a vertical plane sees nothing there.
        ``order``: a permutation of the origins, the order they are walked in (default: the
        :func:`spatial_order` of blocks of 8 cells, computed here); the profiles do not depend on it.
        """
        from twin.kernels.solar_grid import horizon_elevations

        origins = np.ascontiguousarray(origins, dtype=np.float64).reshape(-1, 3)
        ex = np.full(len(origins), -1, dtype=np.int64) if exclude is None else np.ascontiguousarray(exclude, dtype=np.int64)
        z_near = self.top_within(origins, max_distance_m)
        grid = self.arrays()
        fr = np.zeros((len(origins), 2)) if front is None else np.ascontiguousarray(front, dtype=np.float64).reshape(-1, 2)
        # origins in Z order of 64 m blocks: neighbours walk the same cells and triangles one
        # after the other (fewer cache misses); each origin's profile does not depend on the order
        if order is None:
            order = spatial_order(origins[:, :2], 8.0 * self.cell)
        else:
            order = np.ascontiguousarray(order, dtype=np.int64)
            if order.shape != (len(origins),) or not (np.bincount(order, minlength=len(origins)) == 1).all():
                raise ValueError(f"order must be a permutation of the {len(origins)} origins")
        o_s, ex_s, fr_s, z_s = (np.ascontiguousarray(x[order]) for x in (origins, ex, fr, z_near))
        # each profile written in its origin's row by the kernel (every row once: ``order`` is a
        # permutation), not into a walking-order copy permuted afterwards (a second array of
        # n x n_sectors, 66 MB for the region's facades, touched fresh)
        out = np.empty((len(origins), int(n_sectors)))
        for a, b in chunks(len(origins), progress, "horizons"):
            horizon_elevations(o_s[a:b], ex_s[a:b], fr_s[a:b], 0.0, float(max_distance_m), F_MIN_M, grid, self.item_group, z_s[a:b],
                               self.walls, order[a:b], out)
        return out

    def top_within(self, points: np.ndarray, distance_m: float) -> np.ndarray:
        """An upper bound of the highest triangle within ``distance_m`` (horizontally) of each point:
        the largest cell top in the square of cells around the point's cell (-inf: none)."""
        from twin.kernels.solar_grid import window_max_at, window_max_rows

        r = int(math.ceil(distance_m / self.cell)) + 1
        key = ("top_within_rows", r)
        cache = self.__dict__.setdefault("_cache", {})
        if key not in cache:
            rows = np.empty((self.ny, self.nx))
            window_max_rows(self.cell_zmax.reshape(self.ny, self.nx), r, rows)
            cache[key] = rows
        ci = np.clip(np.floor((points[:, 0] - self.x0) / self.cell).astype(np.int64), 0, self.nx - 1)
        cj = np.clip(np.floor((points[:, 1] - self.y0) / self.cell).astype(np.int64), 0, self.ny - 1)
        out = np.empty(len(ci))
        window_max_at(cache[key], r, ci, cj, out)
        return out

    def direct_hourly(self, origins: np.ndarray, normals: np.ndarray, sun: np.ndarray, dni: np.ndarray) -> np.ndarray:
        """Direct irradiance (n, n_h), W/m2, with shading by every triangle (see the kernel)."""
        from twin.kernels.solar_grid import direct_hourly

        origins = np.ascontiguousarray(origins, dtype=np.float64)
        out = np.zeros((len(origins), len(sun)))
        direct_hourly(origins, np.ascontiguousarray(normals, dtype=np.float64), np.ascontiguousarray(sun, dtype=np.float64),
                      np.ascontiguousarray(dni, dtype=np.float64), T_MIN_M, self.arrays(), float(self.z_top), out)
        return out

    def beam_monthly(self, origins, normals, sun, beam_dn, circ_dn, month, *, progress=None):
        """Monthly beam and circumsolar sums, shaded and free (each (n, 12), Wh/m2), by ray casting every hour."""
        from twin.kernels.solar_grid import beam_annual_exact

        origins = np.ascontiguousarray(origins, dtype=np.float64)
        normals = np.ascontiguousarray(normals, dtype=np.float64)
        n = len(origins)
        outs = [np.zeros((n, 12)) for _ in range(4)]
        args = (np.ascontiguousarray(sun, dtype=np.float64), np.ascontiguousarray(beam_dn, dtype=np.float64),
                np.ascontiguousarray(circ_dn, dtype=np.float64), np.ascontiguousarray(month, dtype=np.int64))
        grid = self.arrays()
        for a, b in chunks(n, progress, "sun rays"):
            beam_annual_exact(origins[a:b], normals[a:b], *args, T_MIN_M, grid, float(self.z_top), *(o[a:b] for o in outs))
        return tuple(outs)
