"""3-D surfaces of buildings known by their footprint, height and (maybe) roof shape.

Each footprint is extruded from ``ground_z_m`` to its roof. ``height_m`` is the top of the
building (the ridge of a pitched roof, as in :mod:`twin.ingest.attributes.form`).

Roof shape (the OSM ``roof:shape`` tag, scene column ``roof_kind``):

``flat`` (also ``''`` when ``roof_default`` is ``flat``; ``skillion_flat``)
    one horizontal roof at the top.
``gabled`` (``gambrel``, ``saltbox``)
    two planes rising from the long sides of the footprint's minimum rotated rectangle to a
    ridge along its long axis.
``hipped`` (``half-hipped``, ``mansard``)
    four planes of equal pitch rising from the four sides of that rectangle.
``pyramidal``
    four planes meeting at the centre of the rectangle.
``skillion``
    one plane across the short axis, its low side toward the side nearer to south (OSM's
    ``roof:direction`` is not in the scene).
anything else (``dome``, ``onion``, ``round``, ``cone`` ...)
    approximated as flat, with a note per building.

The ridge rises ``pitched_roof_height_m`` (default 3 m, the ingest default
``pitched_roof_height_m`` of ``twin/data/ingest_defaults.yaml``: "a 35-45 degree roof over a
6-8 m deep Brussels terraced house rises about 3 m") above the eaves, at most half the
building height. The roof of a footprint that is not a rectangle is the same lower envelope
of planes, cut by the footprint; walls rise to the roof along every footprint edge (courtyard
rings included), with vertices where the roof plane under them changes.

Bad input (reported per building in ``problems``, the building left out): a footprint with
no area, a building without a usable height (missing, zero, negative, not finite).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import shapely

from twin.option_names import SHAPES  # roof shapes built as such (there for the command line, kept here)
from twin.solar.surfaces import MIN_AREA_M2, Surfaces, empty_surfaces, plane_frame

ROOF_SYNONYMS: dict[str, str] = {
    "": "",
    "flat": "flat",
    "skillion_flat": "flat",
    "gabled": "gabled",
    "gambrel": "gabled",
    "saltbox": "gabled",
    "hipped": "hipped",
    "half-hipped": "hipped",
    "half_hipped": "hipped",
    "mansard": "hipped",
    "pyramidal": "pyramidal",
    "skillion": "skillion",
    "lean_to": "skillion",
}

DEFAULT_PITCHED_ROOF_HEIGHT_M = 3.0


def _normalised_kinds(roof_kind) -> np.ndarray:
    """The scene's roof kinds, stripped and lower-case, '' where none is given."""
    return pd.Series(np.asarray(roof_kind, dtype=object)).fillna("").astype(str).str.strip().str.lower().to_numpy()


def roof_shapes(roof_kind, roof_default: str = "flat") -> tuple[np.ndarray, np.ndarray]:
    """Shape used for each building and a note where the scene's kind was not used as given."""
    kinds = _normalised_kinds(roof_kind)
    shape = np.empty(len(kinds), dtype=object)
    note = np.full(len(kinds), "", dtype=object)
    for i, k in enumerate(kinds):
        s = ROOF_SYNONYMS.get(k)
        if s is None:
            shape[i] = "flat"
            note[i] = f"roof shape {k!r} approximated as flat"
        elif s == "":
            shape[i] = roof_default
        else:
            shape[i] = s
    return shape, note


def roof_shape_sources(roof_kind) -> dict[str, int]:
    """Where the roof shape of each building comes from, as counts of buildings.

    Returns
    -------
    dict
        ``data``: a kind of the scene (``roof_kind``, OSM ``roof:shape``) drawn as given (synonyms
        of :data:`ROOF_SYNONYMS` included); ``default``: no kind, drawn as ``roof_default``;
        ``approximated``: a kind with no drawing here (dome, onion ...), drawn flat.
    """
    shapes = [ROOF_SYNONYMS.get(k) for k in _normalised_kinds(roof_kind)]
    return {"data": sum(s not in (None, "") for s in shapes), "default": shapes.count(""), "approximated": shapes.count(None)}


def footprint_surfaces(
    buildings,
    *,
    roof_default: str = "flat",
    pitched_roof_height_m: float = DEFAULT_PITCHED_ROOF_HEIGHT_M,
    walls: bool = True,
    wall_triangles_only: bool = False,
):
    """Roof and wall surfaces of footprint buildings.

    Parameters
    ----------
    buildings : GeoDataFrame
        ``building_id``, ``geometry`` (footprints), ``height_m``; optional ``ground_z_m``
        (default 0) and ``roof_kind``.
    roof_default : str
        Shape of roofs whose kind is unknown (one of :data:`SHAPES`).
    pitched_roof_height_m : float
        Ridge height above the eaves of pitched shapes, m.
    walls : bool
        Also make the walls.
    wall_triangles_only : bool
        The walls of flat-roofed buildings come back as triangles only (two per footprint edge,
        no surface): faster when walls only obstruct.

    Returns
    -------
    surfaces : Surfaces (``building_index`` = row of ``buildings``)
    problems : list of (building_id, surface, problem)
    shape : object (n_b,) roof shape used per building ('' for left-out buildings)
    wall_tri, wall_building : with ``wall_triangles_only`` only: triangles (n, 3, 3) and building
        index of the flat-roofed buildings' walls
    """
    if roof_default not in SHAPES:
        from twin.errors import InputError

        raise InputError(f"unknown default roof shape {roof_default!r}; expected one of {', '.join(SHAPES)}", field="roof_default")
    ids = buildings["building_id"].astype(str).to_numpy()
    n = len(ids)
    geoms = np.asarray(buildings.geometry.values, dtype=object)
    height = pd.to_numeric(buildings["height_m"], errors="coerce").to_numpy(dtype=float)
    ground = pd.to_numeric(buildings["ground_z_m"], errors="coerce").to_numpy(dtype=float) if "ground_z_m" in buildings else np.zeros(n)
    ground = np.where(np.isfinite(ground), ground, 0.0)
    kinds = buildings["roof_kind"].to_numpy() if "roof_kind" in buildings else np.full(n, "", dtype=object)
    shape, note = roof_shapes(kinds, roof_default)
    problems: list[tuple[str, str, str]] = []

    missing = np.array([g is None for g in geoms])
    geoms = np.where(missing, shapely.Polygon(), geoms)
    bad_geom = shapely.is_empty(geoms) | ~np.isin(shapely.get_type_id(geoms), (3, 6))
    invalid = ~bad_geom & ~shapely.is_valid(geoms)
    if invalid.any():
        geoms[invalid] = shapely.make_valid(geoms[invalid])
        geoms[invalid] = [_polygonal(g) for g in geoms[invalid]]
    area = np.where(bad_geom, 0.0, shapely.area(geoms))
    zero = area <= MIN_AREA_M2
    no_height = ~np.isfinite(height) | (height <= 0)
    for i in np.flatnonzero(zero):
        problems.append((ids[i], "footprint", "footprint has zero area (or no polygon): building left out"))
    for i in np.flatnonzero(no_height & ~zero):
        problems.append((ids[i], "height_m", f"no usable height ({height[i]!r}): building left out"))
    for i in np.flatnonzero(note != ""):
        if not (zero[i] or no_height[i]):
            problems.append((ids[i], "roof_kind", str(note[i])))
    ok = ~zero & ~no_height
    shape = np.where(ok, shape, "")
    geoms = np.where(ok, geoms, None)
    geoms[ok] = shapely.orient_polygons(geoms[ok], exterior_cw=False)

    flat = ok & (shape == "flat")
    pitched = ok & (shape != "flat")
    # pitched roofs lower than the ridge allowance plus 1 m of wall become flat
    r = np.minimum(pitched_roof_height_m, 0.5 * np.where(np.isfinite(height), height, 0.0))
    parts = [_flat_surfaces(np.flatnonzero(flat), geoms, ground, height, walls and not wall_triangles_only)]
    for i in np.flatnonzero(pitched):
        parts.append(_pitched_surfaces(i, geoms[i], ground[i], height[i], r[i], str(shape[i]), walls))
    if wall_triangles_only:
        tri, owner = _flat_wall_triangles(np.flatnonzero(flat), geoms, ground, height) if walls else (np.zeros((0, 3, 3)), np.zeros(0, dtype=np.int64))
        return Surfaces.concat(parts), problems, shape, tri, owner
    return Surfaces.concat(parts), problems, shape


def _flat_wall_triangles(idx: np.ndarray, geoms: np.ndarray, ground: np.ndarray, height: np.ndarray):
    """Two triangles per footprint edge (every ring) from the ground to the flat roof."""
    if len(idx) == 0:
        return np.zeros((0, 3, 3)), np.zeros(0, dtype=np.int64)
    parts, part_b = shapely.get_parts(geoms[idx], return_index=True)  # MultiPolygons: get_rings needs polygons
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, point_ring = shapely.get_coordinates(rings, return_index=True)
    a = np.flatnonzero(point_ring[:-1] == point_ring[1:])
    b = idx[part_b[ring_part[point_ring[a]]]]
    p0, p1 = coords[a], coords[a + 1]
    z0 = ground[b]
    z1 = ground[b] + height[b]
    A = np.column_stack([p0, z0])
    B = np.column_stack([p1, z0])
    C = np.column_stack([p1, z1])
    D = np.column_stack([p0, z1])
    tri = np.concatenate([np.stack([A, B, C], axis=1), np.stack([A, C, D], axis=1)])
    return np.ascontiguousarray(tri), np.concatenate([b, b]).astype(np.int64)


def _polygonal(geom):
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    parts = [q for p in parts for q in shapely.get_parts(p)]
    return shapely.MultiPolygon(parts) if len(parts) > 1 else (parts[0] if parts else shapely.Polygon())


# ----------------------------------------------------------------------------- flat roofs
def _flat_surfaces(idx: np.ndarray, geoms: np.ndarray, ground: np.ndarray, height: np.ndarray, walls: bool) -> Surfaces:
    if len(idx) == 0:
        return empty_surfaces()
    polys, which = shapely.get_parts(geoms[idx], return_index=True)
    b = idx[which]
    keep = shapely.area(polys) > MIN_AREA_M2
    polys, b = polys[keep], b[keep]
    top = ground[b] + height[b]
    n = len(polys)
    roofs = Surfaces(
        b.astype(np.int64), np.full(n, "roof", dtype=object),
        np.column_stack([np.zeros(n), np.zeros(n), top]),
        np.tile([1.0, 0.0, 0.0], (n, 1)), np.tile([0.0, 1.0, 0.0], (n, 1)),
        polys.astype(object), np.full(n, "roof", dtype=object), None, polys.astype(object),
    )
    if not walls:
        return roofs
    rings, ring_poly = shapely.get_rings(polys, return_index=True)
    coords, point_ring = shapely.get_coordinates(rings, return_index=True)
    same = point_ring[:-1] == point_ring[1:]
    a = np.flatnonzero(same)
    p0, p1 = coords[a], coords[a + 1]
    ring_of = point_ring[a]
    wb = b[ring_poly[ring_of]]
    d = p1 - p0
    length = np.hypot(d[:, 0], d[:, 1])
    good = length > 1e-6
    a, p0, d, length, wb = a[good], p0[good], d[good], length[good], wb[good]
    z0 = ground[wb]
    h = height[wb]
    m = len(a)
    u = np.column_stack([d / length[:, None], np.zeros(m)])
    wall = Surfaces(
        wb.astype(np.int64), np.full(m, "wall", dtype=object),
        np.column_stack([p0, z0]), u, np.tile([0.0, 0.0, 1.0], (m, 1)),
        shapely.box(0.0, 0.0, length, h).astype(object),
        np.full(m, "wall", dtype=object),
    )
    return Surfaces.concat([roofs, wall])


# ----------------------------------------------------------------------------- pitched roofs
def _rectangle_frame(geom) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float]:
    """Centre, long-axis and short-axis unit vectors, length and width of the minimum rotated rectangle."""
    rect = shapely.oriented_envelope(geom)
    c = np.asarray(rect.exterior.coords)[:4] if rect.geom_type == "Polygon" else np.asarray(geom.envelope.exterior.coords)[:4]
    e1 = c[1] - c[0]
    e2 = c[2] - c[1]
    l1, l2 = float(np.hypot(*e1)), float(np.hypot(*e2))
    centre = c.mean(axis=0)
    if l1 >= l2:
        long_ax, length, width = e1 / max(l1, 1e-12), l1, l2
    else:
        long_ax, length, width = e2 / max(l2, 1e-12), l2, l1
    short_ax = np.array([-long_ax[1], long_ax[0]])
    return centre, long_ax, short_ax, length, width


def _planes(shape: str, centre, long_ax, short_ax, length: float, width: float, z_eave: float, rise: float) -> list[np.ndarray]:
    """Roof planes ``z = a x + b y + c`` as arrays (a, b, c); the roof is their lower envelope."""
    planes = []

    def rising_from(side_normal_inward: np.ndarray, half: float, slope_run: float) -> np.ndarray:
        # z = z_eave + rise * (distance inward from the side) / slope_run, the side at
        # ``centre - side_normal_inward * half``
        g = side_normal_inward * rise / slope_run
        base = centre - side_normal_inward * half
        return np.array([g[0], g[1], z_eave - g @ base])

    hw, hl = 0.5 * width, 0.5 * length
    if shape == "gabled":
        planes = [rising_from(short_ax, hw, hw), rising_from(-short_ax, hw, hw)]
    elif shape == "hipped":
        planes = [rising_from(short_ax, hw, hw), rising_from(-short_ax, hw, hw),
                  rising_from(long_ax, hl, hw), rising_from(-long_ax, hl, hw)]
    elif shape == "pyramidal":
        planes = [rising_from(short_ax, hw, hw), rising_from(-short_ax, hw, hw),
                  rising_from(long_ax, hl, hl), rising_from(-long_ax, hl, hl)]
    elif shape == "skillion":
        # low side toward the side nearer to south: the plane rises toward north
        up = short_ax if short_ax[1] >= 0 else -short_ax
        planes = [rising_from(up, hw, width)]
    return planes


def _half_plane(a: float, b: float, c: float, bounds) -> shapely.Polygon:
    """Polygon of the points of the box ``bounds`` (grown) where ``a x + b y + c <= 0``."""
    x0, y0, x1, y1 = bounds
    pad = 10.0 + max(x1 - x0, y1 - y0)
    box = shapely.box(x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    if a == 0.0 and b == 0.0:
        return box if c <= 0 else shapely.Polygon()
    # clip the box polygon by the half-plane (Sutherland-Hodgman on 4 vertices)
    pts = np.asarray(box.exterior.coords)[:4]
    out = []
    for k in range(4):
        p, q = pts[k], pts[(k + 1) % 4]
        fp, fq = a * p[0] + b * p[1] + c, a * q[0] + b * q[1] + c
        if fp <= 0:
            out.append(p)
        if (fp < 0 < fq) or (fq < 0 < fp):
            t = fp / (fp - fq)
            out.append(p + t * (q - p))
    return shapely.Polygon(out) if len(out) >= 3 else shapely.Polygon()


def _pitched_surfaces(i: int, geom, z0: float, height: float, rise: float, shape: str, walls: bool) -> Surfaces:
    centre, long_ax, short_ax, length, width = _rectangle_frame(geom)
    top = z0 + height
    z_eave = top - rise
    planes = _planes(shape, centre, long_ax, short_ax, length, width, z_eave, rise)
    bounds = geom.bounds
    rows = []
    for k, pk in enumerate(planes):
        region = geom
        for j, pj in enumerate(planes):
            if j == k:
                continue
            d = pk - pj  # plane k is the lower one where d . (x, y, 1) <= 0
            region = shapely.intersection(region, _half_plane(d[0], d[1], d[2], bounds))
        for part in shapely.get_parts(region):
            if part.geom_type != "Polygon" or part.area <= MIN_AREA_M2:
                continue
            rows.append((pk, part))
    n_plane = np.array([[-p[0], -p[1], 1.0] for p, _ in rows]).reshape(-1, 3)
    n_plane /= np.linalg.norm(n_plane, axis=1, keepdims=True) if len(rows) else 1.0
    u, v = plane_frame(n_plane)
    origins, polys, plans = [], [], []
    for (pk, part), uk, vk in zip(rows, u, v):
        xy = np.asarray(part.exterior.coords)
        o = np.array([xy[0, 0], xy[0, 1], pk[0] * xy[0, 0] + pk[1] * xy[0, 1] + pk[2]])

        def to_uv(ring_xy, uk=uk, vk=vk, o=o, pk=pk):
            p3 = np.column_stack([ring_xy[:, 0], ring_xy[:, 1], pk[0] * ring_xy[:, 0] + pk[1] * ring_xy[:, 1] + pk[2]]) - o
            return np.column_stack([p3 @ uk, p3 @ vk])

        poly_uv = shapely.Polygon(to_uv(xy), [to_uv(np.asarray(r.coords)) for r in part.interiors])
        origins.append(o)
        polys.append(poly_uv)
        plans.append(part)
    m = len(rows)
    roof = Surfaces(
        np.full(m, i, dtype=np.int64), np.full(m, "roof", dtype=object),
        np.asarray(origins).reshape(-1, 3), u, v, np.asarray(polys, dtype=object).reshape(-1),
        np.full(m, f"roof:{shape}", dtype=object), None, np.asarray(plans, dtype=object).reshape(-1),
    )
    if not walls:
        return roof
    return Surfaces.concat([roof, _walls_under(i, geom, z0, planes)])


def _walls_under(i: int, geom, z0: float, planes: list[np.ndarray]) -> Surfaces:
    """Walls from the ground to the roof (lower envelope of ``planes``) along every ring edge."""
    P = np.asarray(planes)

    def roof_z(xy: np.ndarray) -> np.ndarray:
        return (xy @ P[:, :2].T + P[:, 2]).min(axis=1)

    origins, us, polys = [], [], []
    for poly in shapely.get_parts(geom):
        for ring in [poly.exterior, *poly.interiors]:
            c = np.asarray(ring.coords)
            for a, b in zip(c[:-1], c[1:]):
                d = b - a
                length = math.hypot(d[0], d[1])
                if length <= 1e-6:
                    continue
                ts = [0.0, 1.0]
                for p in range(len(P)):
                    for q in range(p + 1, len(P)):
                        dp = P[p] - P[q]
                        fa = dp[0] * a[0] + dp[1] * a[1] + dp[2]
                        fb = dp[0] * b[0] + dp[1] * b[1] + dp[2]
                        if (fa < 0 < fb) or (fb < 0 < fa):
                            ts.append(fa / (fa - fb))
                ts = np.unique(np.clip(ts, 0.0, 1.0))
                pts = a + ts[:, None] * d
                zt = roof_z(pts) - z0
                outline = [(0.0, 0.0), (length, 0.0)] + [(t * length, z) for t, z in zip(ts[::-1], zt[::-1])]
                wall = shapely.Polygon(outline)
                if not wall.is_valid or wall.area <= MIN_AREA_M2:
                    continue
                origins.append([a[0], a[1], z0])
                us.append([d[0] / length, d[1] / length, 0.0])
                polys.append(wall)
    m = len(polys)
    return Surfaces(
        np.full(m, i, dtype=np.int64), np.full(m, "wall", dtype=object),
        np.asarray(origins, dtype=float).reshape(-1, 3), np.asarray(us, dtype=float).reshape(-1, 3),
        np.tile([0.0, 0.0, 1.0], (m, 1)), np.asarray(polys, dtype=object).reshape(-1), np.full(m, "wall", dtype=object),
    )
