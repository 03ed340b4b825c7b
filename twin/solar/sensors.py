"""Sensor points on surfaces: a square grid in each surface's plane.

On a surface of plane coordinates ``(u, v)`` (:class:`~twin.solar.surfaces.Surfaces`) the grid
has spacing ``s`` along u (horizontal) and v (up the slope), centred on the polygon's bounding
box; points inside the polygon are kept. Each sensor stands for ``area / n_points`` of its
surface, so sums over sensors give the surface's area exactly. A surface too small to hold a
grid point gets one sensor at a point inside it. Sensors sit ``offset_m`` above the surface,
along its normal.

``max_per_surface`` caps the points of a surface (the spacing of that surface grows to
``sqrt(area / max_per_surface)``): the whole-region cadastre samples large roofs coarser.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from twin.solar.grid import SENSOR_OFFSET_M
from twin.solar.surfaces import Surfaces, contains_points


@dataclass
class Sensors:
    """Sensor points: position (n, 3), unit normal (n, 3), surface index (n,), area share (n,) m2,
    plane coordinates (n, 2). Sensors of one surface are contiguous (``offsets`` per surface
    of ``surface_index``)."""

    xyz: np.ndarray
    normal: np.ndarray
    surface: np.ndarray
    area_m2: np.ndarray
    uv: np.ndarray
    surface_index: np.ndarray  # (n_surf,) the surfaces that carry sensors, in order
    offsets: np.ndarray  # (n_surf + 1,)

    def __len__(self) -> int:
        return len(self.surface)


def surface_sensors(surfaces: Surfaces, which: np.ndarray, spacing_m: float, *, offset_m: float = SENSOR_OFFSET_M,
                    max_per_surface: int | None = None) -> Sensors:
    """Sensors on the surfaces ``which`` (indices into ``surfaces``); see the module docstring."""
    which = np.asarray(which, dtype=np.int64)
    polys = surfaces.poly_uv[which]
    area = shapely.area(polys) if len(which) else np.zeros(0)
    s = np.full(len(which), float(spacing_m))
    if max_per_surface:
        s = np.maximum(s, np.sqrt(area / float(max_per_surface)))
    b = shapely.bounds(polys) if len(which) else np.zeros((0, 4))
    nu = np.maximum(1, np.floor((b[:, 2] - b[:, 0]) / s).astype(np.int64) + 1)
    nv = np.maximum(1, np.floor((b[:, 3] - b[:, 1]) / s).astype(np.int64) + 1)
    u0 = 0.5 * (b[:, 0] + b[:, 2]) - 0.5 * (nu - 1) * s
    v0 = 0.5 * (b[:, 1] + b[:, 3]) - 0.5 * (nv - 1) * s
    count = nu * nv
    owner = np.repeat(np.arange(len(which)), count)
    start = np.zeros(len(which) + 1, dtype=np.int64)
    np.cumsum(count, out=start[1:])
    k = np.arange(int(start[-1])) - start[owner]
    iu = k % nu[owner]
    iv = k // nu[owner]
    u = u0[owner] + iu * s[owner]
    v = v0[owner] + iv * s[owner]
    inside = contains_points(polys, owner, u, v)
    owner, u, v = owner[inside], u[inside], v[inside]
    # surfaces without any grid point inside: one sensor at a point on the surface
    n_in = np.bincount(owner, minlength=len(which))
    empty = np.flatnonzero(n_in == 0)
    if len(empty):
        pts = shapely.get_coordinates(shapely.point_on_surface(polys[empty]))
        owner = np.concatenate([owner, empty])
        u = np.concatenate([u, pts[:, 0]])
        v = np.concatenate([v, pts[:, 1]])
    order = np.argsort(owner, kind="stable")
    owner, u, v = owner[order], u[order], v[order]
    n_in = np.bincount(owner, minlength=len(which))
    offsets = np.zeros(len(which) + 1, dtype=np.int64)
    np.cumsum(n_in, out=offsets[1:])
    surf = which[owner]
    normal = surfaces.normal[surf]
    xyz = surfaces.origin[surf] + u[:, None] * surfaces.u_axis[surf] + v[:, None] * surfaces.v_axis[surf] + offset_m * normal
    share = area[owner] / n_in[owner]
    return Sensors(np.ascontiguousarray(xyz), np.ascontiguousarray(normal), surf, share, np.column_stack([u, v]), which, offsets)


def points_as_sensors(xyz: np.ndarray, normal: np.ndarray) -> Sensors:
    """Free-standing sensors (no surface): each its own group."""
    xyz = np.ascontiguousarray(xyz, dtype=float).reshape(-1, 3)
    normal = np.asarray(normal, dtype=float).reshape(-1, 3)
    normal = np.ascontiguousarray(np.broadcast_to(normal / np.linalg.norm(normal, axis=1, keepdims=True), xyz.shape))
    n = len(xyz)
    return Sensors(xyz, normal, np.arange(n), np.ones(n), np.zeros((n, 2)), np.arange(n), np.arange(n + 1))
