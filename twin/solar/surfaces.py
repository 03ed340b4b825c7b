"""Planar surfaces of a 3-D scene and their triangles: what the solar kernels see.

A :class:`Surfaces` set holds every surface of the scene (roofs, walls, floors) as a planar
polygon given in its own plane coordinates: a point ``(u, v)`` of ``poly_uv[i]`` is the 3-D
point ``origin[i] + u * u_axis[i] + v * v_axis[i]``; ``normal[i] = u_axis[i] x v_axis[i]`` is
the outward unit normal. ``u_axis`` is horizontal wherever the surface is not horizontal (so
``v`` runs up the slope), which is how PV modules are laid out on a roof.

Triangles for ray casting come from a constrained Delaunay triangulation of each polygon in
its plane (holes kept), mapped back to 3-D; a triangle carries the index of its surface and of
its building.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

#: Surface kinds.
KINDS = ("roof", "wall", "floor", "ground")

#: A surface whose vertices lie farther than this from their best-fit plane is non-planar, m.
PLANARITY_TOL_M = 0.10

#: Surfaces smaller than this are degenerate (zero area), m2.
MIN_AREA_M2 = 1e-4


@dataclass
class Surfaces:
    """Planar surfaces with plane frames (see the module docstring). All arrays have one row
    per surface."""

    building_index: np.ndarray  # int64
    kind: np.ndarray  # object: one of KINDS
    origin: np.ndarray  # float64 (n, 3)
    u_axis: np.ndarray  # float64 (n, 3)
    v_axis: np.ndarray  # float64 (n, 3)
    poly_uv: np.ndarray  # object: shapely Polygon in plane coordinates
    source_id: np.ndarray  # object: where the surface came from (CityJSON path, footprint edge ...)
    planar_error_m: np.ndarray = None  # float64: largest distance of a vertex from the plane
    #: per surface: the 3-D footprint projection (x, y) used for maps (shapely, may be None for walls)
    plan: np.ndarray = None

    def __post_init__(self) -> None:
        n = len(self.building_index)
        if self.planar_error_m is None:
            self.planar_error_m = np.zeros(n)
        if self.plan is None:
            self.plan = np.full(n, None, dtype=object)

    def __len__(self) -> int:
        return len(self.building_index)

    @property
    def normal(self) -> np.ndarray:
        """Outward unit normals (n, 3)."""
        return np.cross(self.u_axis, self.v_axis)

    @property
    def area_m2(self) -> np.ndarray:
        return shapely.area(self.poly_uv) if len(self) else np.zeros(0)

    @property
    def tilt_deg(self) -> np.ndarray:
        """Tilt from horizontal: 0 facing up, 90 vertical, 180 facing down."""
        return np.degrees(np.arccos(np.clip(self.normal[:, 2], -1.0, 1.0)))

    @property
    def azimuth_deg(self) -> np.ndarray:
        """Azimuth of the normal, clockwise from north (grid north), 0-360; 180 for horizontal surfaces."""
        n = self.normal
        az = np.degrees(np.arctan2(n[:, 0], n[:, 1])) % 360.0
        flat = np.hypot(n[:, 0], n[:, 1]) < 1e-9
        return np.where(flat, 180.0, az)

    def to_xyz(self, i: int, uv: np.ndarray) -> np.ndarray:
        """3-D points (k, 3) of plane coordinates ``uv`` (k, 2) of surface ``i``."""
        uv = np.asarray(uv, dtype=float).reshape(-1, 2)
        return self.origin[i] + uv[:, :1] * self.u_axis[i] + uv[:, 1:2] * self.v_axis[i]

    def take(self, index: np.ndarray) -> Surfaces:
        idx = np.asarray(index)
        return Surfaces(
            self.building_index[idx], self.kind[idx], self.origin[idx], self.u_axis[idx], self.v_axis[idx],
            self.poly_uv[idx], self.source_id[idx], self.planar_error_m[idx], self.plan[idx],
        )

    @staticmethod
    def concat(parts: list[Surfaces]) -> Surfaces:
        parts = [p for p in parts if len(p)]
        if not parts:
            return empty_surfaces()
        return Surfaces(
            np.concatenate([p.building_index for p in parts]).astype(np.int64),
            np.concatenate([p.kind for p in parts]).astype(object),
            np.concatenate([p.origin for p in parts]),
            np.concatenate([p.u_axis for p in parts]),
            np.concatenate([p.v_axis for p in parts]),
            np.concatenate([p.poly_uv for p in parts]).astype(object),
            np.concatenate([p.source_id for p in parts]).astype(object),
            np.concatenate([p.planar_error_m for p in parts]),
            np.concatenate([p.plan for p in parts]).astype(object),
        )


def empty_surfaces() -> Surfaces:
    z3 = np.zeros((0, 3))
    return Surfaces(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object), z3, z3, z3, np.zeros(0, dtype=object), np.zeros(0, dtype=object))


@dataclass
class Mesh:
    """Triangles of a scene with the surfaces and buildings they belong to.

    Attributes
    ----------
    tri : float64 (n_t, 3, 3)
    tri_surface : int64 (n_t,) surface index (-1: an obstruction that is no surface of interest)
    tri_building : int64 (n_t,) building index
    surfaces : Surfaces
    building_ids : object (n_b,)
    problems : DataFrame with ``building_id``, ``surface``, ``problem`` (bad input, per building)
    roof_shape_sources : counts of buildings whose roof shape came from ``data``, a ``default`` or
        was ``approximated`` (:func:`twin.solar.footprints.roof_shape_sources`; every building
        ``data`` for 3-D models)
    """

    tri: np.ndarray
    tri_surface: np.ndarray
    tri_building: np.ndarray
    surfaces: Surfaces
    building_ids: np.ndarray
    problems: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["building_id", "surface", "problem"]))
    roof_shape_sources: dict[str, int] = field(default_factory=dict)

    @property
    def n_triangles(self) -> int:
        return int(self.tri.shape[0])


def plane_frame(normal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """In-plane axes (u horizontal, v up the slope) of unit normals (n, 3): ``u x v = normal``.

    Horizontal planes facing up get u = east, v = north; facing down u = east, v = south.
    """
    n = np.atleast_2d(np.asarray(normal, dtype=float))
    h = np.hypot(n[:, 0], n[:, 1])
    flat = h < 1e-9
    with np.errstate(invalid="ignore", divide="ignore"):
        u = np.column_stack([-n[:, 1] / np.where(flat, 1, h), n[:, 0] / np.where(flat, 1, h), np.zeros(len(n))])
    u[flat] = [1.0, 0.0, 0.0]
    v = np.cross(n, u)
    return u, v


def newell_normal(points: np.ndarray) -> np.ndarray:
    """Unit normal of a ring (k, 3) by Newell's method (counter-clockwise seen from the normal's side);
    zero vector for a degenerate ring."""
    p = np.asarray(points, dtype=float)
    q = np.roll(p, -1, axis=0)
    n = np.array([
        np.sum((p[:, 1] - q[:, 1]) * (p[:, 2] + q[:, 2])),
        np.sum((p[:, 2] - q[:, 2]) * (p[:, 0] + q[:, 0])),
        np.sum((p[:, 0] - q[:, 0]) * (p[:, 1] + q[:, 1])),
    ])
    norm = np.linalg.norm(n)
    return n / norm if norm > 0 else np.zeros(3)


def triangulate(surfaces: Surfaces) -> tuple[np.ndarray, np.ndarray]:
    """Triangles (n_t, 3, 3) of every surface, and the surface index of each.

    Each polygon is triangulated in its plane (constrained Delaunay, holes kept) and the
    triangles mapped to 3-D. Empty polygons give no triangle.
    """
    if len(surfaces) == 0:
        return np.zeros((0, 3, 3)), np.zeros(0, dtype=np.int64)
    polys = surfaces.poly_uv
    ok = ~(shapely.is_empty(polys) | (shapely.area(polys) <= 0))
    idx = np.flatnonzero(ok)
    if len(idx) == 0:
        return np.zeros((0, 3, 3)), np.zeros(0, dtype=np.int64)
    quads = _quads(polys[idx])
    tris = []
    owners = []
    if quads.any():
        q = idx[quads]
        c = shapely.get_coordinates(shapely.get_exterior_ring(polys[q])).reshape(len(q), 5, 2)[:, :4]
        for a, b, cc in ((0, 1, 2), (0, 2, 3)):
            uv = np.stack([c[:, a], c[:, b], c[:, cc]], axis=1)
            tris.append(uv)
            owners.append(q)
    rest = idx[~quads]
    if len(rest):
        tri_geoms = shapely.constrained_delaunay_triangles(polys[rest])
        # every part is a triangle (a closed ring of 4 points, no hole): the coordinates of the
        # collections, in order, are those of their triangles' exterior rings
        coords, which = shapely.get_coordinates(tri_geoms, return_index=True)
        coords = coords.reshape(-1, 4, 2)
        tris.append(coords[:, :3])
        owners.append(rest[which[::4]])
    uv = np.concatenate(tris)
    owner = np.concatenate(owners).astype(np.int64)
    xyz = (
        surfaces.origin[owner][:, None, :]
        + uv[:, :, :1] * surfaces.u_axis[owner][:, None, :]
        + uv[:, :, 1:2] * surfaces.v_axis[owner][:, None, :]
    )
    # slivers of nearly collinear vertices (left by polygon clipping) carry no area
    area = 0.5 * np.linalg.norm(np.cross(xyz[:, 1] - xyz[:, 0], xyz[:, 2] - xyz[:, 0]), axis=1)
    keep = area > 1e-9
    return np.ascontiguousarray(xyz[keep]), owner[keep]


def _quads(polys: np.ndarray) -> np.ndarray:
    """True for convex polygons of 4 vertices without holes (two triangles, no Delaunay needed)."""
    n_int = shapely.get_num_interior_rings(polys)
    n_pts = shapely.get_num_coordinates(polys)
    cand = (n_int == 0) & (n_pts == 5) & (shapely.get_type_id(polys) == 3)
    out = np.zeros(len(polys), dtype=bool)
    if cand.any():
        ci = np.flatnonzero(cand)
        c = shapely.get_coordinates(shapely.get_exterior_ring(polys[ci])).reshape(len(ci), 5, 2)[:, :4]
        d1 = np.roll(c, -1, axis=1) - c
        d2 = np.roll(c, -2, axis=1) - np.roll(c, -1, axis=1)
        cross = d1[:, :, 0] * d2[:, :, 1] - d1[:, :, 1] * d2[:, :, 0]
        convex = (cross > 0).all(axis=1) | (cross < 0).all(axis=1)
        out[ci] = convex
    return out


def flat_rings(polys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rings of (Multi)Polygons as flat arrays for :func:`twin.kernels.solar_layout.points_in_polygons`:
    ring coordinates (closed), ring offsets, ring offsets per polygon (empty polygons: no ring)."""
    polys = np.asarray(polys, dtype=object)
    n = len(polys)
    parts, part_of = shapely.get_parts(polys, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, point_ring = shapely.get_coordinates(rings, return_index=True)
    ring_offsets = np.zeros(len(rings) + 1, dtype=np.int64)
    np.cumsum(np.bincount(point_ring, minlength=len(rings)), out=ring_offsets[1:])
    ring_poly = part_of[ring_part] if len(rings) else np.zeros(0, dtype=np.int64)
    poly_offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(ring_poly, minlength=n), out=poly_offsets[1:])
    return np.ascontiguousarray(coords[:, :2], dtype=np.float64), ring_offsets, poly_offsets


def contains_points(polys: np.ndarray, owner: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(n,) bool: point (x[i], y[i]) inside ``polys[owner[i]]`` (even-odd rule, Numba kernel)."""
    from twin.kernels.solar_layout import points_in_polygons

    out = np.zeros(len(x), dtype=bool)
    if len(x) == 0:
        return out
    ring_xy, ring_off, poly_off = flat_rings(polys)
    points_in_polygons(np.ascontiguousarray(x, dtype=np.float64), np.ascontiguousarray(y, dtype=np.float64),
                       np.ascontiguousarray(owner, dtype=np.int64), ring_xy, ring_off, poly_off, out)
    return out
