"""Planar surfaces of the buildings of a CityJSON file (LoD1 blocks or LoD2 roofs), for the solar model.

The scene's ``elements`` layer keeps areas and orientations only; the solar model needs the
3-D polygons, so this module reads them from the file (the document checks and the vertex
transform of :mod:`twin.ingest.cityjson` are reused). Every ``Building`` and ``BuildingPart``
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
    from twin.ingest.cityjson import _file_crs, _load, _vertices
    from twin.io.paths import check_input_file

    path = check_input_file(path, suffixes=(".json", ".city.json", ".cityjson"), what="CityJSON file")
    doc = _load(Path(path))
    verts = _vertices(doc, Path(path))
    horizontal, _ = _file_crs(doc, Path(path), crs)
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
        for gi, g in enumerate(geoms):
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
    surfaces = _surfaces_from_rings(rows, ids, problems)
    return surfaces, np.asarray(ids, dtype=object), problems, horizontal


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
