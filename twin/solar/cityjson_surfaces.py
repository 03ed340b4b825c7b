"""Planar surfaces of the buildings of a CityJSON file (LoD1 blocks or LoD2 roofs), for the solar model.

The scene's ``elements`` layer keeps areas and orientations only; the solar model needs the
3-D polygons, so this module reads them from the file (the document checks, the vertex
transform and the CRS of :mod:`twin.io.cityjson_document`, as the ingest reader does). Every ``Building`` and ``BuildingPart``
(its parts belong to the root building, id ``cityjson:<id>`` as in the scene) contributes the
surfaces of its highest LoD (or ``lod``). Surface kind from the semantic surface
(``RoofSurface`` roof, ``WallSurface`` wall, ``GroundSurface`` floor, closure and other
virtual surfaces left out), else from the tilt as the ingest does (roof below 80 degrees, wall
up to 100, floor beyond).

Bad input, reported per building and surface (the others are computed): a ring with fewer than
3 distinct vertices or no area (zero-area surface: left out); a surface whose vertices lie
more than :data:`~twin.solar.surfaces.PLANARITY_TOL_M` from their plane (non-planar: kept as an
obstruction, no sensors on it); a building without usable geometry.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import shapely

from twin.solar.surfaces import MIN_AREA_M2, PLANARITY_TOL_M, Surfaces, newell_normal, plane_frame

_KIND = {"RoofSurface": "roof", "WallSurface": "wall", "GroundSurface": "floor", "OuterCeilingSurface": "floor",
         "OuterFloorSurface": "roof", "FloorSurface": "floor", "Window": "wall", "Door": "wall"}
_VIRTUAL = {"ClosureSurface", "InteriorWallSurface", "CeilingSurface"}
ROOF_MAX_TILT_DEG = 80.0
FLOOR_MIN_TILT_DEG = 100.0


def _lod_rank(value) -> float:
    try:
        return float(str(value))
    except ValueError:
        return -1.0


def _walk(gtype: str, boundaries, values):
    """Yield (rings, semantic index or None) of every surface of a geometry."""
    if gtype in ("MultiSurface", "CompositeSurface"):
        for k, surf in enumerate(boundaries):
            yield surf, (values[k] if isinstance(values, list) and k < len(values) else None)
    elif gtype == "Solid":
        for s, shell in enumerate(boundaries):
            vs = values[s] if isinstance(values, list) and s < len(values) else None
            yield from _walk("MultiSurface", shell, vs)
    elif gtype in ("MultiSolid", "CompositeSolid"):
        for s, solid in enumerate(boundaries):
            vs = values[s] if isinstance(values, list) and s < len(values) else None
            yield from _walk("Solid", solid, vs)


def cityjson_surfaces(path: str | os.PathLike[str], *, crs=None, lod: str | None = None):
    """Surfaces of the buildings in a CityJSON file.

    Parameters
    ----------
    path : CityJSON file.
    crs : CRS overriding the file's ``metadata.referenceSystem``.
    lod : LoD to use (default: the highest of each object).

    Returns
    -------
    surfaces : Surfaces (``building_index`` into ``building_ids``)
    building_ids : object array of ``cityjson:<id>``
    problems : list of (building_id, surface, problem)
    crs : pyproj.CRS (horizontal)
    """
    from twin.io.cityjson_document import CITYJSON_SUFFIXES, document_crs, document_vertices, load_document
    from twin.io.paths import check_input_file

    path = check_input_file(path, suffixes=CITYJSON_SUFFIXES, what="CityJSON file")
    doc = load_document(Path(path))
    verts = document_vertices(doc, Path(path))
    horizontal, _ = document_crs(doc, Path(path), crs, option="--crs")  # the option of twin solar cadastre
    objects = doc.get("CityObjects") or {}
    parent_of: dict[str, str] = {}
    for oid, obj in objects.items():
        for child in obj.get("children", []) or []:
            parent_of[str(child)] = str(oid)

    def root(oid: str) -> str:
        seen = set()
        while oid in parent_of and oid not in seen:
            seen.add(oid)
            oid = parent_of[oid]
        return oid

    ids: list[str] = []
    index: dict[str, int] = {}
    problems: list[tuple[str, str, str]] = []
    rows = []  # (building index, kind, ring coordinate arrays, source id)
    has_geometry: dict[str, bool] = {}
    for oid, obj in objects.items():
        if obj.get("type") not in ("Building", "BuildingPart"):
            continue
        rid = root(str(oid))
        if objects.get(rid, {}).get("type") != "Building":
            rid = str(oid)
        bid = f"cityjson:{rid}"
        if bid not in index:
            index[bid] = len(ids)
            ids.append(bid)
            has_geometry[bid] = False
        geoms = [g for g in obj.get("geometry", []) or [] if isinstance(g, dict) and g.get("type") in
                 ("MultiSurface", "CompositeSurface", "Solid", "MultiSolid", "CompositeSolid")]
        if lod is not None:
            geoms = [g for g in geoms if str(g.get("lod")) == str(lod)]
        if not geoms:
            continue
        best = max(_lod_rank(g.get("lod")) for g in geoms)
        geoms = [g for g in geoms if _lod_rank(g.get("lod")) == best][:1]
        for _gi, g in enumerate(geoms):
            sem = g.get("semantics") or {}
            types = [str(s.get("type", "")) for s in sem.get("surfaces", []) if isinstance(s, dict)]
            for k, (surf, sv) in enumerate(_walk(g["type"], g.get("boundaries", []), sem.get("values"))):
                stype = types[sv] if isinstance(sv, int) and 0 <= sv < len(types) else ""
                if stype in _VIRTUAL:
                    continue
                try:
                    rings = [verts[np.asarray(r, dtype=np.int64)] for r in surf]
                except (IndexError, ValueError, TypeError):
                    problems.append((bid, f"{oid}/{k}", "surface with a vertex index out of range: left out"))
                    continue
                rows.append((index[bid], _KIND.get(stype, ""), rings, f"{oid}/{k}"))
                has_geometry[bid] = True
    for bid, ok in has_geometry.items():
        if not ok:
            problems.append((bid, "geometry", "no usable surface geometry: building left out"))
    surfaces = merge_coplanar(_surfaces_from_rings(rows, ids, problems))
    return surfaces, np.asarray(ids, dtype=object), problems, horizontal


def merge_coplanar(s: Surfaces) -> Surfaces:
    """Join the faces of one building, kind and plane (normal within 0.1 degree, plane within
    1 cm) that touch into one surface: a LoD1 roof stored as triangles becomes one roof, so
    sensors and module layouts see the whole roof."""
    if len(s) == 0:
        return s
    n = s.normal
    d = np.einsum("ij,ij->i", n, s.origin)
    key = np.column_stack([s.building_index, np.round(n * 500).astype(np.int64), np.round(d * 100).astype(np.int64)])
    kinds = {k: i for i, k in enumerate(sorted(set(s.kind)))}
    key = np.column_stack([key, [kinds[k] for k in s.kind], (s.planar_error_m > PLANARITY_TOL_M).astype(np.int64)])
    _, group = np.unique(key, axis=0, return_inverse=True)
    group = np.asarray(group).ravel()
    if len(np.unique(group)) == len(s):
        return s
    keep_rows = []
    new_polys, new_plans, new_src = [], [], []
    order = np.argsort(group, kind="stable")
    bounds = np.flatnonzero(np.diff(np.r_[-1, group[order]])) if len(order) else []
    starts = list(bounds) + [len(order)]
    for a, b in zip(starts[:-1], starts[1:]):
        members = order[a:b]
        first = members[0]
        if len(members) == 1:
            keep_rows.append(first)
            new_polys.append(s.poly_uv[first])
            new_plans.append(s.plan[first])
            new_src.append(s.source_id[first])
            continue
        o, u, v = s.origin[first], s.u_axis[first], s.v_axis[first]
        parts = []
        plans = []
        for m in members:
            def to_first(ring, m=m, o=o, u=u, v=v):
                xyz = s.origin[m] + ring[:, :1] * s.u_axis[m] + ring[:, 1:2] * s.v_axis[m] - o
                return np.column_stack([xyz @ u, xyz @ v])

            poly = s.poly_uv[m]
            parts.append(shapely.Polygon(to_first(np.asarray(poly.exterior.coords)), [to_first(np.asarray(r.coords)) for r in poly.interiors]))
            if s.plan[m] is not None:
                plans.append(s.plan[m])
        merged = shapely.union_all(shapely.make_valid(np.asarray(parts, dtype=object)), grid_size=1e-6)
        plan = shapely.union_all(np.asarray(plans, dtype=object), grid_size=1e-6) if plans else None
        for part in shapely.get_parts(merged):
            if part.geom_type != "Polygon" or part.area <= MIN_AREA_M2:
                continue
            keep_rows.append(first)
            new_polys.append(part)
            new_plans.append(None if plan is None else _plan_of(part, o, u, v))
            new_src.append(",".join(str(s.source_id[m]) for m in members))
    rows = np.asarray(keep_rows, dtype=np.int64)
    out = s.take(rows)
    out.poly_uv = np.asarray(new_polys, dtype=object)
    out.plan = np.asarray(new_plans, dtype=object)
    out.source_id = np.asarray(new_src, dtype=object)
    return out


def _plan_of(poly_uv, o, u, v):
    """Horizontal projection (x, y) of a polygon given in plane coordinates."""
    def xy(ring):
        r = np.asarray(ring.coords)
        p3 = o + r[:, :1] * u + r[:, 1:2] * v
        return p3[:, :2]

    return shapely.Polygon(xy(poly_uv.exterior), [xy(r) for r in poly_uv.interiors])


def _surfaces_from_rings(rows, ids, problems) -> Surfaces:
    b_idx, kinds, origins, us, vs, polys, srcs, errs, plans = [], [], [], [], [], [], [], [], []
    for bi, kind, rings, src in rows:
        ext = rings[0]
        if len(ext) and np.allclose(ext[0], ext[-1]):
            ext = ext[:-1]
        distinct = len(np.unique(np.round(ext, 6), axis=0)) if len(ext) else 0
        n = newell_normal(ext) if distinct >= 3 else np.zeros(3)
        if distinct < 3 or not n.any():
            problems.append((ids[bi], src, "surface has zero area (fewer than 3 distinct vertices or collinear): left out"))
            continue
        tilt = np.degrees(np.arccos(np.clip(n[2], -1, 1)))
        if kind == "":
            kind = "roof" if tilt < ROOF_MAX_TILT_DEG else ("wall" if tilt <= FLOOR_MIN_TILT_DEG else "floor")
        origin = ext.mean(axis=0)
        allpts = np.concatenate([ext, *rings[1:]]) if len(rings) > 1 else ext
        err = float(np.abs((allpts - origin) @ n).max())
        u, v = plane_frame(n[None, :])
        u, v = u[0], v[0]

        def uv(r, u=u, v=v, origin=origin):
            d = r - origin
            return np.column_stack([d @ u, d @ v])

        poly = shapely.Polygon(uv(ext), [uv(r) for r in rings[1:] if len(r) >= 3])
        if not poly.is_valid:
            poly = shapely.make_valid(poly)
            parts = [p for p in shapely.get_parts(poly) if p.geom_type == "Polygon"]
            poly = max(parts, key=lambda p: p.area) if parts else shapely.Polygon()
        if poly.is_empty or poly.area <= MIN_AREA_M2:
            problems.append((ids[bi], src, "surface has zero area: left out"))
            continue
        if err > PLANARITY_TOL_M and kind == "roof":
            problems.append((ids[bi], src, f"non-planar roof polygon ({err:.2f} m off its plane): kept as an obstruction, no sensors"))
        plan = shapely.Polygon(ext[:, :2]) if kind == "roof" else None
        b_idx.append(bi)
        kinds.append(kind)
        origins.append(origin)
        us.append(u)
        vs.append(v)
        polys.append(poly)
        srcs.append(src)
        errs.append(err)
        plans.append(plan)
    m = len(b_idx)
    return Surfaces(
        np.asarray(b_idx, dtype=np.int64), np.asarray(kinds, dtype=object),
        np.asarray(origins, dtype=float).reshape(m, 3), np.asarray(us, dtype=float).reshape(m, 3),
        np.asarray(vs, dtype=float).reshape(m, 3), np.asarray(polys, dtype=object).reshape(m),
        np.asarray(srcs, dtype=object).reshape(m), np.asarray(errs, dtype=float).reshape(m),
        np.asarray(plans, dtype=object).reshape(m),
    )
