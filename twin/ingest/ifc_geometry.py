"""Areas, orientations and outlines from triangle meshes (world coordinates, metres).

Plain NumPy and shapely on the meshes the IFC worker extracted (see
:func:`twin.ingest.ifc_extract.extract_meshes`); no ifcopenshell here.

Method
------
* A wall is a slab of material between two large parallel faces. Its vertical triangles
  (|n_z| < 0.25) are grouped by the direction of their normal; the dominant direction and its
  opposite give the two sides (:func:`wall_sides`). The iterator has already cut the openings,
  so the side areas are net of windows and doors.
* A roof or floor slab is read from its upward or downward faces (:func:`slab_faces`).
* A window or door is the silhouette of its mesh on the plane of its host wall
  (:func:`silhouette_area`), which is the area of the opening it fills (round windows
  included).
* A footprint is the union of the downward faces of an element projected to the ground
  (:func:`ground_outline`).
* Tilt is the angle of the outward normal from the zenith (0 = facing up, 90 = vertical,
  180 = facing down); azimuth is measured clockwise from north once the georeference rotation
  is applied (:mod:`twin.ingest.ifc_georef`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

VERTICAL_NZ = 0.25
"""|n_z| below which a triangle counts as vertical (about 75.5 to 104.5 degrees of tilt)."""

SIDE_COS = float(np.cos(np.radians(10.0)))
"""Triangles within 10 degrees of the dominant direction belong to the same wall side."""


@dataclass(frozen=True)
class Mesh:
    """A triangle mesh: ``verts`` (V, 3) float64 in metres, ``faces`` (F, 3) int indices."""

    verts: np.ndarray
    faces: np.ndarray

    def triangles(self) -> np.ndarray:
        """(F, 3, 3) corner coordinates."""
        return self.verts[self.faces]

    def normals_areas(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Unit normals (F, 3), areas (F,) in m2 and centroids (F, 3) of the triangles."""
        tri = self.triangles()
        cross = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
        norm = np.linalg.norm(cross, axis=1)
        area = 0.5 * norm
        with np.errstate(invalid="ignore", divide="ignore"):
            normals = np.where(norm[:, None] > 0, cross / norm[:, None], 0.0)
        return normals, area, tri.mean(axis=1)

    def oriented(self) -> Mesh:
        """The mesh with faces oriented consistently and outward (positive enclosed volume).

        Surface models from some exporters mix face orientations; see :func:`consistent_faces`.
        """
        faces = consistent_faces(self.faces)
        tri = self.verts[faces]
        if np.einsum("ij,ij->i", tri[:, 0], np.cross(tri[:, 1], tri[:, 2])).sum() < 0:
            faces = faces[:, ::-1]
        return Mesh(self.verts, np.ascontiguousarray(faces))

    def volume_m3(self) -> float:
        """Enclosed volume (divergence theorem on the oriented faces), for closed meshes."""
        tri = self.verts[consistent_faces(self.faces)]
        return float(abs(np.einsum("ij,ij->i", tri[:, 0], np.cross(tri[:, 1], tri[:, 2])).sum()) / 6.0)

    def floor_area_m2(self) -> float:
        """Area of the outward faces pointing down (n_z < -0.9) of the oriented mesh."""
        normals, areas, _ = self.oriented().normals_areas()
        return float(areas[normals[:, 2] < -0.9].sum())

    @property
    def zmin(self) -> float:
        return float(self.verts[:, 2].min())

    @property
    def zmax(self) -> float:
        return float(self.verts[:, 2].max())


def consistent_faces(faces: np.ndarray) -> np.ndarray:
    """Faces re-oriented so that neighbours traverse their shared edge in opposite directions.

    A closed, consistently oriented mesh uses every directed edge once; when that already
    holds the faces are returned as they are. Otherwise a breadth-first walk over the faces
    flips each neighbour that runs a shared edge the same way.
    """
    faces = np.asarray(faces)
    directed = np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    if len(np.unique(directed, axis=0)) == len(directed):
        return faces
    out = faces.copy()
    edges: dict[tuple[int, int], list[int]] = {}
    for f, (a, b, c) in enumerate(faces.tolist()):
        for u, v in ((a, b), (b, c), (c, a)):
            edges.setdefault((min(u, v), max(u, v)), []).append(f)
    done = np.zeros(len(faces), dtype=bool)
    for start in range(len(faces)):
        if done[start]:
            continue
        done[start] = True
        queue = [start]
        while queue:
            f = queue.pop()
            a, b, c = out[f].tolist()
            for u, v in ((a, b), (b, c), (c, a)):
                for g in edges[(min(u, v), max(u, v))]:
                    if done[g]:
                        continue
                    ga, gb, gc = out[g].tolist()
                    if (u, v) in ((ga, gb), (gb, gc), (gc, ga)):  # same direction: flip g
                        out[g] = (ga, gc, gb)
                    done[g] = True
                    queue.append(g)
    return out


def merge(meshes: list[Mesh]) -> Mesh:
    """One mesh from several (the parts of a curtain wall, a roof...)."""
    verts, faces, offset = [], [], 0
    for m in meshes:
        verts.append(m.verts)
        faces.append(m.faces + offset)
        offset += len(m.verts)
    return Mesh(np.concatenate(verts), np.concatenate(faces))


@dataclass(frozen=True)
class Sides:
    """The two large parallel faces of a wall-like element.

    ``normal`` is a unit vector (3,) pointing from side B to side A (horizontal for a
    vertical wall); ``area_a_m2``/``area_b_m2`` the areas of the faces facing +normal and
    -normal; ``centroid`` the area-weighted centre of both faces.
    """

    normal: np.ndarray
    area_a_m2: float
    area_b_m2: float
    centroid_a: np.ndarray
    centroid_b: np.ndarray

    @property
    def centroid(self) -> np.ndarray:
        return 0.5 * (self.centroid_a + self.centroid_b)


def _dominant_direction(normals: np.ndarray, areas: np.ndarray) -> np.ndarray:
    """Area-weighted dominant axis of a set of unit normals (sign folded), refined twice."""
    # fold opposite normals together: the principal axis of the area-weighted scatter matrix
    scatter = (normals * areas[:, None]).T @ normals
    _, v = np.linalg.eigh(scatter)
    axis = v[:, -1]
    for _ in range(2):
        dots = normals @ axis
        sel = np.abs(dots) >= SIDE_COS
        if not sel.any():
            break
        signed = normals[sel] * np.sign(dots[sel])[:, None]
        axis = (signed * areas[sel, None]).sum(axis=0)
        axis /= np.linalg.norm(axis)
    return axis


def wall_sides(mesh: Mesh) -> Sides | None:
    """The two sides of a wall (or of any plate-like element) from its vertical faces.

    Returns None when the mesh has no vertical faces.
    """
    normals, areas, centroids = mesh.normals_areas()
    vertical = (np.abs(normals[:, 2]) < VERTICAL_NZ) & (areas > 0)
    if not vertical.any():
        return None
    n, a, c = normals[vertical], areas[vertical], centroids[vertical]
    # dominant horizontal direction: the largest area-weighted bin of normal azimuths (folded
    # modulo 180 degrees), refined on the triangles near it
    theta = np.degrees(np.arctan2(n[:, 1], n[:, 0])) % 180.0
    hist = np.bincount(np.floor(theta).astype(int) % 180, weights=a, minlength=180)
    smooth = hist + np.roll(hist, 1) + np.roll(hist, -1)
    best = np.radians(float(np.argmax(smooth)) + 0.5)
    axis = np.array([np.cos(best), np.sin(best), 0.0])
    for _ in range(3):
        dots = n @ axis
        sel = np.abs(dots) >= SIDE_COS
        signed = n[sel] * np.sign(dots[sel])[:, None]
        axis = (signed * a[sel, None]).sum(axis=0)
        axis /= np.linalg.norm(axis)
    dots = n @ axis
    side_a = dots >= SIDE_COS
    side_b = dots <= -SIDE_COS
    area_a = float(a[side_a].sum())
    area_b = float(a[side_b].sum())
    cen_a = (c[side_a] * a[side_a, None]).sum(axis=0) / area_a if area_a > 0 else c.mean(axis=0)
    cen_b = (c[side_b] * a[side_b, None]).sum(axis=0) / area_b if area_b > 0 else c.mean(axis=0)
    return Sides(axis, area_a, area_b, cen_a, cen_b)


@dataclass(frozen=True)
class Face:
    """A group of nearly coplanar triangles: unit ``normal`` (3,), ``area_m2``, ``centroid``."""

    normal: np.ndarray
    area_m2: float
    centroid: np.ndarray


def slab_faces(mesh: Mesh, *, up: bool) -> tuple[Face | None, float]:
    """Largest planar face among the upward (``up=True``) or downward faces of a slab.

    Returns the largest face (None if there is none) and the total area of the upward
    (downward) planes at least 10 % as large as it, m2 (the narrow edges of a thick plate
    left out). Upward means n_z > 0.25 (a pitched roof up to about 75 degrees).
    """
    normals, areas, centroids = mesh.normals_areas()
    sel = (normals[:, 2] > VERTICAL_NZ) if up else (normals[:, 2] < -VERTICAL_NZ)
    sel &= areas > 0
    if not sel.any():
        return None, 0.0
    n, a, c = normals[sel], areas[sel], centroids[sel]
    faces: list[Face] = []
    remaining = np.ones(len(a), dtype=bool)
    for _ in range(24):  # planar clusters, largest first
        if not remaining.any():
            break
        axis = _dominant_direction(n[remaining], a[remaining])
        if (axis[2] > 0) != up:
            axis = -axis
        same = remaining & (n @ axis >= SIDE_COS)
        if not same.any():
            break
        area = float(a[same].sum())
        faces.append(Face(axis, area, (c[same] * a[same, None]).sum(axis=0) / area))
        remaining &= ~same
    faces.sort(key=lambda f: f.area_m2, reverse=True)
    # planes of at least 10 % of the largest: the edges (fascias) of a thick plate are left out
    total = sum(f.area_m2 for f in faces if f.area_m2 >= 0.1 * faces[0].area_m2)
    return faces[0], float(total)


def plane_basis(normal: np.ndarray) -> np.ndarray:
    """(2, 3) orthonormal in-plane axes for a plane with unit ``normal``."""
    helper = np.array([0.0, 0.0, 1.0]) if abs(normal[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
    u = np.cross(helper, normal)
    u /= np.linalg.norm(u)
    v = np.cross(normal, u)
    return np.stack([u, v])


def silhouette(mesh: Mesh, normal: np.ndarray):
    """Shadow of the mesh on the plane with unit ``normal`` (shapely geometry, plane coords)."""
    basis = plane_basis(np.asarray(normal, dtype=float))
    tri2 = mesh.triangles() @ basis.T  # (F, 3, 2)
    cross = (tri2[:, 1, 0] - tri2[:, 0, 0]) * (tri2[:, 2, 1] - tri2[:, 0, 1]) - (tri2[:, 1, 1] - tri2[:, 0, 1]) * (
        tri2[:, 2, 0] - tri2[:, 0, 0]
    )
    keep = np.abs(cross) > 1e-10
    if not keep.any():
        return shapely.Polygon()
    rings = np.concatenate([tri2[keep], tri2[keep][:, :1]], axis=1)
    polys = shapely.polygons(rings)
    return shapely.union_all(shapely.make_valid(polys), grid_size=1e-6)


def silhouette_area(mesh: Mesh, normal: np.ndarray) -> float:
    """Area (m2) of the shadow of the mesh on the plane with unit ``normal``."""
    return float(silhouette(mesh, normal).area)


def thin_axis(mesh: Mesh) -> np.ndarray:
    """Unit direction in which the mesh's vertices spread least (normal of a window's plane)."""
    pts = mesh.verts - mesh.verts.mean(axis=0)
    _, _, vt = np.linalg.svd(pts, full_matrices=False)
    return vt[-1] / np.linalg.norm(vt[-1])


def ground_outline(mesh: Mesh):
    """2-D outline of an element projected to the ground (shapely Polygon/MultiPolygon).

    The union of its downward-facing triangles; an element without any (an open shell) gives
    the convex hull of its vertices.
    """
    normals, areas, _ = mesh.normals_areas()
    down = (normals[:, 2] < -VERTICAL_NZ) & (areas > 1e-9)
    if down.any():
        tri = mesh.triangles()[down][:, :, :2]
        rings = np.concatenate([tri, tri[:, :1]], axis=1)
        polys = shapely.polygons(rings)
        return shapely.union_all(shapely.make_valid(polys), grid_size=1e-6)
    return shapely.MultiPoint(mesh.verts[:, :2]).convex_hull


def fill_holes(geom):
    """The geometry with every interior ring removed."""
    if geom.is_empty:
        return geom
    parts = getattr(geom, "geoms", [geom])
    polys = [shapely.Polygon(p.exterior) for p in parts if isinstance(p, shapely.Polygon) and not p.is_empty]
    if not polys:
        return shapely.Polygon()
    return shapely.union_all(polys)


def footprint(outlines: list, *, close_gaps_m: float = 0.05):
    """Building footprint from element outlines: union, gaps below ``2*close_gaps_m`` closed,
    holes filled (a courtyard enclosed by the building is not kept), slivers dropped."""
    geoms = [g for g in outlines if g is not None and not g.is_empty and g.area > 0]
    if not geoms:
        return shapely.Polygon()
    union = shapely.union_all(geoms)
    closed = union.buffer(close_gaps_m, join_style="mitre").buffer(-close_gaps_m, join_style="mitre")
    filled = fill_holes(closed)
    parts = [p.simplify(0.001) for p in getattr(filled, "geoms", [filled]) if p.area > 0.5]
    if not parts:
        return filled
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def tilt_deg(normal: np.ndarray) -> float:
    """Tilt of a surface from its outward unit normal: 0 facing up, 90 vertical, 180 facing down."""
    return float(np.degrees(np.arccos(np.clip(normal[2] / np.linalg.norm(normal), -1.0, 1.0))))
