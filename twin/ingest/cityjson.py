"""CityJSON 1.0 / 1.1 / 2.0 reader: buildings (with their parts), surface elements, land cover.

Plain ``json`` + NumPy + shapely; no cjio. One call reads a file into three scene layers:

``buildings``
    One row per ``Building`` (its ``BuildingPart`` descendants aggregated into it: footprint
    union, heights over all parts). Footprint: union of the 2-D projections of the
    ``GroundSurface`` faces; without them, of the downward-facing faces (tilt > 100 deg);
    without those, of the upward-facing faces (roof plan). Parts with a ground-level footprint
    (the first two cases) are preferred: roof-plan footprints of parts (dormers, superstructures)
    are only used when no part has a ground-level one. Heights from the geometry
    (``ground_z_m`` = lowest z, ``height_m`` = highest z - lowest z); for flat (LoD0)
    geometry from the attributes (``measuredHeight``, ``h_dak_max - h_maaiveld`` and the 3DBAG
    ``b3_`` variants), then from storeys x storey height, then a default (flagged). Each value
    carries its source (``height_m_source``: ``data`` from the geometry or an attribute,
    ``inferred`` from storeys, ``default``) and rule; a building whose attributes give no use
    goes through the name rules and the default of :mod:`twin.ingest.attributes` (inferred /
    default). A ``heating_system`` attribute (one of the heat generators of the energy accounts,
    case aside; a wrong one is an :class:`~twin.errors.InputError` naming the file, the building
    and the attribute, with the closest system) gives the columns ``heating_system``,
    ``heating_system_source`` ``data`` and ``heating_system_rule``; they exist only when some
    building has one.
``elements``
    One row per surface of the chosen LoD (>= 1) of a building or part: kind from the semantic
    surface (RoofSurface -> roof, WallSurface -> wall, GroundSurface -> floor on the ground, ...)
    or, without semantics, from the tilt of its normal (roof < 80 deg <= wall <= 100 deg <
    floor; a floor face within 0.5 m of the building's lowest z is on the ground). Area from
    the 3-D polygon (Newell's vector area, holes deducted); the outward normal from the ring
    order (CityJSON rings are counter-clockwise seen from outside), giving ``tilt_deg`` (0 up,
    90 vertical, 180 down) and ``azimuth_deg`` (clockwise from grid north, NaN within 0.5 deg of
    horizontal). U-values are left NaN with ``u_defaulted`` True: the energy typology fills them.
``landcover``
    ``Road``, ``TransportSquare``, ``LandUse``, ``PlantCover``, ``WaterBody``: 2-D union of the
    projections of their non-vertical faces, kind road/landuse/plantcover/water, ``cover_class``
    from the attributes and ``sealed_fraction`` from :data:`SEALED_BY_CLASS` /
    :data:`SEALED_BY_KIND` (always flagged ``sealed_defaulted``).

Every object that does not make it into the scene (unsupported type, no usable geometry,
degenerate geometry) is recorded with :meth:`IngestResult.drop`. Malformed input (invalid or
truncated JSON, missing ``vertices``, a vertex index out of range, a wrong type where the
specification asks for a list or an object) raises :class:`~twin.errors.ParseError` naming the
file and the JSON path; an unusable CRS raises :class:`~twin.errors.CRSError`.

References
----------
CityJSON specifications 1.1 and 2.0, https://www.cityjson.org/specs/ (geometry boundaries,
semantic surfaces, vertex transform, metadata.referenceSystem).
M. E. Newell's method for polygon normals: Sutherland, Sproull & Schumacker (1974), "A
characterization of ten hidden-surface algorithms", ACM Computing Surveys 6(1).
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from itertools import chain, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.errors import GEOSException

from twin.errors import InputError, ParseError
from twin.ingest.result import IngestResult
from twin.io.cityjson_document import document_crs as _file_crs
from twin.io.cityjson_document import document_vertices as _vertices
from twin.io.cityjson_document import expect as _expect
from twin.io.cityjson_document import horizontal_crs
from twin.io.cityjson_document import json_path_error as _perr
from twin.io.cityjson_document import load_document as _load
from twin.scene.limits import MIN_STOREY_HEIGHT_M
from twin.scene.provenance import derived_floor_area_source, storey_height_source

if TYPE_CHECKING:
    from twin.ingest.attributes.precedence import Given

SOURCE_FORMAT = "cityjson"
ID_PREFIX = "cityjson:"

BUILDING_TYPES = ("Building", "BuildingPart")
LANDCOVER_KIND: dict[str, str] = {
    "Road": "road",
    "TransportSquare": "road",
    "LandUse": "landuse",
    "PlantCover": "plantcover",
    "WaterBody": "water",
}
SURFACE_GEOMETRIES = ("MultiSurface", "CompositeSurface", "Solid", "MultiSolid", "CompositeSolid")

SEALED_BY_KIND: dict[str, float] = {"road": 1.0, "landuse": 0.5, "plantcover": 0.0, "water": 0.0}
"""Sealed fraction by land-cover kind when no class of :data:`SEALED_BY_CLASS` matches.

Roads and squares are paved (sealed, as in the EEA imperviousness layer); vegetation and water
are unsealed; a land-use area of unknown class is taken as half sealed (an assumption, flagged)."""

SEALED_BY_CLASS: dict[str, float] = {
    # English / CityGML-like class words
    "asphalt": 1.0, "concrete": 1.0, "paved": 1.0, "sealed": 1.0, "parking": 1.0,
    "unpaved": 0.0, "gravel": 0.0, "grass": 0.0, "garden": 0.0, "park": 0.0, "forest": 0.0,
    "meadow": 0.0, "agricultur": 0.0, "farm": 0.0, "water": 0.0, "sand": 0.0, "soil": 0.0,
    # Dutch BGT / IMGeo (fysiek voorkomen, surface material)
    "gesloten verharding": 1.0, "open verharding": 1.0, "half verhard": 0.5, "onverhard": 0.0,
    "erf": 0.5, "groenvoorziening": 0.0, "gras": 0.0, "heesters": 0.0, "bos": 0.0,
    "struiken": 0.0, "grasland": 0.0, "akker": 0.0, "zand": 0.0,  # "water" above
}
"""Sealed fraction by class word (matched as a substring of the lowered class, longest first).

Following the EEA imperviousness definition, any paving counts as sealed, including open
(jointed) paving; unpaved and vegetated classes are unsealed; a yard (Dutch *erf*) is taken as
half sealed (assumption)."""

ROOF_MAX_TILT_DEG = 80.0
FLOOR_MIN_TILT_DEG = 100.0
GROUND_TOLERANCE_M = 0.5
HORIZONTAL_TOL_DEG = 0.5
MIN_AREA_M2 = 1e-6

SEMANTIC_KIND: dict[str, tuple[str, str]] = {
    "RoofSurface": ("roof", "exterior"),
    "WallSurface": ("wall", "exterior"),
    "GroundSurface": ("floor", "ground"),
    "OuterCeilingSurface": ("floor", "exterior"),
    "OuterFloorSurface": ("floor", "exterior"),
    "Window": ("window", "exterior"),
    "Door": ("door", "exterior"),
    "InteriorWallSurface": ("wall", "interior"),
    "FloorSurface": ("floor", "interior"),
    "CeilingSurface": ("floor", "interior"),
}
VIRTUAL_SEMANTICS = ("ClosureSurface",)

USE_WORDS: tuple[tuple[str, str], ...] = (
    # (substring of the lowered function/usage text, use class); first match wins
    ("woonfunctie", "residential"), ("resid", "residential"), ("wohn", "residential"), ("woon", "residential"),
    ("dwelling", "residential"), ("apartment", "residential"), ("house", "residential"), ("logement", "residential"),
    ("habitation", "residential"),
    ("kantoor", "office"), ("office", "office"), ("büro", "office"), ("buero", "office"), ("bureau", "office"),
    ("winkel", "retail"), ("retail", "retail"), ("shop", "retail"), ("commerc", "retail"), ("laden", "retail"),
    ("onderwijs", "education"), ("school", "education"), ("educat", "education"), ("schul", "education"),
    ("gezondheid", "health"), ("health", "health"), ("hospital", "health"), ("spital", "health"),
    ("industrie", "industrial"), ("industr", "industrial"), ("factory", "industrial"),
    ("logies", "hotel"), ("hotel", "hotel"),
    ("sport", "sport"),
    ("bijeenkomst", "assembly"), ("assembly", "assembly"),
)



# --------------------------------------------------------------------------- small helpers
def _num(value: Any) -> float | None:
    """A finite float from a number, a numeric string or ``{"value": x}``; else None."""
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        out = float(value)
    elif isinstance(value, str):
        try:
            out = float(value.strip().replace(",", "."))
        except ValueError:
            return None
    else:
        return None
    return out if math.isfinite(out) else None


def _lod_key(value: Any) -> tuple[str, float] | None:
    """(normalised lod string, numeric rank) or None if not a valid LoD."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            return None
        text = str(int(value)) if float(value).is_integer() else repr(float(value))
        return text, float(value)
    if isinstance(value, str):
        try:
            rank = float(value)
        except ValueError:
            return None
        if not math.isfinite(rank):
            return None
        return value.strip(), rank
    return None


def _lod_matches(lod_text: str, rank: float, wanted: str) -> bool:
    """``lod=2`` matches "2", "2.0", "2.2"...; ``lod="2.2"`` matches "2.2" only."""
    if lod_text == wanted:
        return True
    try:
        value = float(wanted)
    except ValueError:
        return False
    return int(rank) == int(value) if "." not in wanted else rank == value


# --------------------------------------------------------------------------- CRS
# --------------------------------------------------------------------------- surface collection
@dataclass
class _Surfaces:
    """Every surface gathered from the file, as flat lists (turned into arrays once)."""

    ring_idx: list[int] = field(default_factory=list)
    ring_len: list[int] = field(default_factory=list)
    surface_rings: list[int] = field(default_factory=list)  # rings per surface (exterior first)
    owner: list[int] = field(default_factory=list)  # index into the _Owner list
    geom_key: list[int] = field(default_factory=list)  # index into ``geoms``
    keys: list[tuple[int, ...]] = field(default_factory=list)  # position in the boundaries array
    sem_type: list[str] = field(default_factory=list)
    sem_index: list[int] = field(default_factory=list)
    sem_parent: list[int] = field(default_factory=list)
    geoms: list[tuple[str, int]] = field(default_factory=list)  # (object id, geometry index)
    degenerate_rings: int = 0

    def source_id(self, s: int) -> str:
        """Native id of surface ``s``: ``<object id>/geometry/<g>/boundaries/<i>/<j>...``."""
        oid, gi = self.geoms[self.geom_key[s]]
        return f"{oid}/geometry/{gi}/boundaries/" + "/".join(map(str, self.keys[s]))


@dataclass
class _Owner:
    """Something surfaces belong to: a member object of a building family, or a land-cover object."""

    object_id: str
    family: int  # building family index, or -1 for land cover
    landcover: int  # land-cover row index, or -1


def _semantics(geom: dict, path: Path, jpath: str) -> tuple[list[tuple[str, int]], Any]:
    sem = geom.get("semantics")
    if sem is None:
        return [], None
    _expect(sem, dict, path, jpath + "/semantics", "semantics")
    surfaces = _expect(sem.get("surfaces", []), list, path, jpath + "/semantics/surfaces", "semantic surfaces")
    out = []
    for i, s in enumerate(surfaces):
        _expect(s, dict, path, f"{jpath}/semantics/surfaces/{i}", "semantic surface")
        stype = s.get("type")
        _expect(stype, str, path, f"{jpath}/semantics/surfaces/{i}/type", "semantic surface type")
        parent = s.get("parent")
        out.append((stype, parent if isinstance(parent, int) and not isinstance(parent, bool) else -1))
    return out, sem.get("values")


def _sem_of(values: Any, keys: tuple[int, ...], table: list[tuple[str, int]], path: Path, jpath: str) -> tuple[str, int, int]:
    """Semantic (type, index, parent index) of the surface at ``keys`` in the values tree."""
    v = values
    for depth, k in enumerate(keys):
        if v is None:
            return "", -1, -1
        if not isinstance(v, list):
            raise _perr(path, jpath + "/semantics/values" + "".join(f"/{x}" for x in keys[:depth]), "semantic values must be arrays")
        if k >= len(v):
            return "", -1, -1
        v = v[k]
    if v is None:
        return "", -1, -1
    if type(v) is not int or not 0 <= v < len(table):
        where = jpath + "/semantics/values" + "".join(f"/{x}" for x in keys)
        raise _perr(path, where, f"semantic value {v!r} is not an index of semantics.surfaces")
    stype, parent = table[v]
    return stype, v, parent


def _boundary_surfaces(bnd: list, gtype: str, path: Path, jpath: str) -> list[tuple[tuple[int, ...], Any]]:
    """(position, surface) of every surface of the exterior shell(s); interior shells (voids) are skipped."""
    if gtype in ("MultiSurface", "CompositeSurface"):
        return [((si,), surf) for si, surf in enumerate(bnd)]
    if gtype == "Solid":
        shells = [((0,), bnd[0])] if bnd else []
    else:  # MultiSolid, CompositeSolid
        shells = []
        for soi, solid in enumerate(bnd):
            _expect(solid, list, path, f"{jpath}/boundaries/{soi}", "a solid")
            if solid:
                shells.append(((soi, 0), solid[0]))
    out = []
    for keys, shell in shells:
        _expect(shell, list, path, jpath + "/boundaries/" + "/".join(map(str, keys)), "a shell")
        out.extend(((*keys, si), surf) for si, surf in enumerate(shell))
    return out


def _walk_geometry(geom: dict, gtype: str, owner: int, object_id: str, gi: int, out: _Surfaces, path: Path) -> None:
    """Add the surfaces of one geometry to ``out`` (rings of fewer than 3 vertices are counted and skipped)."""
    jpath = f"/CityObjects/{object_id}/geometry/{gi}"
    bnd = _expect(geom.get("boundaries"), list, path, jpath + "/boundaries", "boundaries")
    table, values = _semantics(geom, path, jpath)
    geom_key = len(out.geoms)
    out.geoms.append((object_id, gi))
    no_sem = ("", -1, -1)
    pairs = _boundary_surfaces(bnd, gtype, path, jpath)
    surfs = [sf for _, sf in pairs]
    if all(type(sf) is list and sf for sf in surfs):
        rings = [r for sf in surfs for r in sf]
        if all(type(r) is list and len(r) >= 3 for r in rings):  # well-formed: add the geometry in bulk
            n_rings = [len(sf) for sf in surfs]
            out.ring_idx.extend(chain.from_iterable(rings))
            out.ring_len.extend(map(len, rings))
            out.surface_rings.extend(n_rings)
            out.owner.extend(repeat(owner, len(surfs)))
            out.geom_key.extend(repeat(geom_key, len(surfs)))
            out.keys.extend(k for k, _ in pairs)
            if table and values is not None:
                sems = [_sem_of(values, k, table, path, jpath) for k, _ in pairs]
                out.sem_type.extend(x[0] for x in sems)
                out.sem_index.extend(x[1] for x in sems)
                out.sem_parent.extend(x[2] for x in sems)
            else:
                out.sem_type.extend(repeat("", len(surfs)))
                out.sem_index.extend(repeat(-1, len(surfs)))
                out.sem_parent.extend(repeat(-1, len(surfs)))
            return
    for keys, surf in pairs:
        if type(surf) is not list:
            _expect(surf, list, path, jpath + "/boundaries/" + "/".join(map(str, keys)), "a surface")
        n_before = len(out.ring_len)
        for ri, ring in enumerate(surf):
            if type(ring) is not list:
                _expect(ring, list, path, jpath + "/boundaries/" + "/".join(map(str, (*keys, ri))), "a ring")
            if len(ring) < 3:
                out.degenerate_rings += 1
                if ri == 0:  # no usable exterior ring: skip the surface
                    break
                continue
            out.ring_idx.extend(ring)
            out.ring_len.append(len(ring))
        if len(out.ring_len) == n_before:  # degenerate exterior ring
            continue
        sem = _sem_of(values, keys, table, path, jpath) if table and values is not None else no_sem
        out.surface_rings.append(len(out.ring_len) - n_before)
        out.owner.append(owner)
        out.geom_key.append(geom_key)
        out.keys.append(keys)
        out.sem_type.append(sem[0])
        out.sem_index.append(sem[1])
        out.sem_parent.append(sem[2])


# --------------------------------------------------------------------------- vectorised geometry
@dataclass
class _Geometry:
    """Per-surface geometry computed in one pass over the flat ring arrays."""

    normal: np.ndarray  # (n, 3) unit outward normal (NaN for degenerate surfaces)
    area_m2: np.ndarray  # (n,) 3-D area, holes deducted
    area_xy_m2: np.ndarray  # (n,) area of the 2-D projection
    tilt_deg: np.ndarray
    azimuth_deg: np.ndarray
    zmin: np.ndarray
    zmax: np.ndarray
    ring_start: np.ndarray  # (n_rings,) start of each ring in idx
    ring_len: np.ndarray
    ring_surface: np.ndarray
    idx: np.ndarray


def _compute_geometry(verts: np.ndarray, idx: np.ndarray, s: _Surfaces) -> _Geometry:
    ring_len = np.asarray(s.ring_len, dtype=np.int64)
    n_surf = len(s.owner)
    ring_surface = np.repeat(np.arange(n_surf, dtype=np.int64), np.asarray(s.surface_rings, dtype=np.int64))
    n_rings = len(ring_len)
    ring_outer = np.ones(n_rings, dtype=bool)
    ring_outer[1:] = ring_surface[1:] != ring_surface[:-1]
    ring_start = np.zeros(n_rings, dtype=np.int64)
    if n_rings:
        np.cumsum(ring_len[:-1], out=ring_start[1:])
    pts = verts[idx]
    # Newell's vector area, with each ring moved to its first vertex for precision
    first = np.repeat(pts[ring_start], ring_len, axis=0)
    local = pts - first
    nxt = np.arange(len(idx), dtype=np.int64) + 1
    if n_rings:
        nxt[ring_start + ring_len - 1] = ring_start
    cross = np.cross(local, local[nxt]) if len(idx) else np.zeros((0, 3))
    ring_vec = np.add.reduceat(cross, ring_start, axis=0) * 0.5 if n_rings else np.zeros((0, 3))
    ring_area = np.linalg.norm(ring_vec, axis=1)
    outer_vec = np.zeros((n_surf, 3))
    outer_vec[ring_surface[ring_outer]] = ring_vec[ring_outer]
    area = np.zeros(n_surf)
    np.add.at(area, ring_surface, np.where(ring_outer, ring_area, -ring_area))
    area = np.maximum(area, 0.0)
    area_xy = np.zeros(n_surf)
    np.add.at(area_xy, ring_surface, np.where(ring_outer, np.abs(ring_vec[:, 2]), -np.abs(ring_vec[:, 2])))
    area_xy = np.maximum(area_xy, 0.0)
    norm = np.linalg.norm(outer_vec, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        normal = outer_vec / norm[:, None]
    normal[norm < 1e-12] = np.nan
    tilt = np.degrees(np.arccos(np.clip(normal[:, 2], -1.0, 1.0)))
    azimuth = np.degrees(np.arctan2(normal[:, 0], normal[:, 1])) % 360.0
    azimuth[(tilt < HORIZONTAL_TOL_DEG) | (tilt > 180.0 - HORIZONTAL_TOL_DEG) | np.isnan(tilt)] = np.nan
    z = pts[:, 2]
    zmin = np.full(n_surf, np.inf)
    zmax = np.full(n_surf, -np.inf)
    if n_rings:
        np.minimum.at(zmin, ring_surface, np.minimum.reduceat(z, ring_start))
        np.maximum.at(zmax, ring_surface, np.maximum.reduceat(z, ring_start))
    return _Geometry(normal, area, area_xy, tilt, azimuth, zmin, zmax, ring_start, ring_len, ring_surface, idx)


def _polygons_2d(verts: np.ndarray, g: _Geometry, surfaces: np.ndarray) -> np.ndarray:
    """Shapely polygons (2-D projection) of the given surface indices, repaired where invalid."""
    if len(surfaces) == 0:
        return np.empty(0, dtype=object)
    take = np.zeros(len(g.area_m2), dtype=bool)
    take[surfaces] = True
    rings = np.flatnonzero(take[g.ring_surface])  # rings of the chosen surfaces, in surface order
    order = np.argsort(g.ring_surface[rings], kind="stable")
    rings = rings[order]
    lens = g.ring_len[rings] + 1  # closed
    offsets = np.zeros(len(rings) + 1, dtype=np.int64)
    np.cumsum(lens, out=offsets[1:])
    local = np.arange(offsets[-1], dtype=np.int64) - np.repeat(offsets[:-1], lens)
    local[local == np.repeat(lens - 1, lens)] = 0
    pos = np.repeat(g.ring_start[rings], lens) + local
    coords = verts[g.idx[pos], :2]
    per_surface = np.bincount(g.ring_surface[rings], minlength=len(g.area_m2))[np.sort(surfaces)]
    poly_offsets = np.zeros(len(per_surface) + 1, dtype=np.int64)
    np.cumsum(per_surface, out=poly_offsets[1:])
    polys = shapely.from_ragged_array(shapely.GeometryType.POLYGON, coords, (offsets, poly_offsets))
    bad = ~shapely.is_valid(polys)
    if bad.any():
        polys[bad] = [_polygonal(shapely.make_valid(p)) for p in polys[bad]]
    # back to the caller's order
    out = np.empty(len(surfaces), dtype=object)
    out[np.argsort(surfaces, kind="stable")] = polys
    return out


def _polygonal(geom):
    """The polygonal part of ``geom`` (None if it has none)."""
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon") and not p.is_empty]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)


def _union(polys) -> Any:
    """Union of polygons as one Polygon or MultiPolygon (None if empty).

    Triangulated surfaces (BGT-style land cover) are first merged with GEOS coverage union,
    ten times faster than a general union; its result is only kept when it is valid and its
    area equals the sum of the parts (no overlaps), otherwise the general union is used.
    """
    arr = np.asarray([p for p in polys if p is not None], dtype=object)
    arr = arr[~shapely.is_empty(arr)] if len(arr) else arr
    if len(arr) == 0:
        return None
    if len(arr) == 1:
        geom = arr[0]
    else:
        geom = None
        try:
            cov = shapely.coverage_union_all(arr)
            total = float(shapely.area(arr).sum())
            if cov.is_valid and abs(cov.area - total) <= 1e-9 * max(1.0, total):
                geom = cov
        except GEOSException:
            pass
        if geom is None:
            geom = shapely.union_all(arr)
    geom = _polygonal(geom) if geom.geom_type not in ("Polygon", "MultiPolygon") else geom
    if geom is None or geom.is_empty or geom.area <= MIN_AREA_M2:
        return None
    return geom


def _merge_faces(verts: np.ndarray, g: _Geometry, surfaces: np.ndarray, group: np.ndarray) -> dict[int, Any]:
    """2-D union of the projected faces of each group: ``{group: Polygon/MultiPolygon or None}``.

    Fast path, vectorised over all groups: the outline of a group is the set of its projected
    edges used by one face only (edges keyed by x-y vertex identity); GEOS ``build_area`` turns
    it into a polygon with holes. It is kept when its area equals the summed projected face
    areas within 1e-6 (faces tile the area without overlap, and the outline was closed and
    noded). Other groups (overlapping faces, T-junctions, stacked levels) go through a general
    union of the face polygons (:func:`_union`).
    """
    out: dict[int, Any] = {}
    if len(surfaces) == 0:
        return out
    n_surf = len(g.area_m2)
    surf_group = np.full(n_surf, -1, dtype=np.int64)
    surf_group[surfaces] = group
    rings = np.flatnonzero(surf_group[g.ring_surface] >= 0)
    lens = g.ring_len[rings]
    starts = g.ring_start[rings]
    local = np.arange(lens.sum(), dtype=np.int64) - np.repeat(np.cumsum(lens) - lens, lens)
    pos = np.repeat(starts, lens) + local
    nxt = np.where(local == np.repeat(lens - 1, lens), np.repeat(starts, lens), pos + 1)
    _, xy_id = np.unique(verts[:, :2], axis=0, return_inverse=True)
    xy_id = np.asarray(xy_id).ravel()
    a, b = xy_id[g.idx[pos]], xy_id[g.idx[nxt]]
    grp = np.repeat(surf_group[g.ring_surface[rings]], lens)
    keep = a != b
    a, b, grp, pos, nxt = a[keep], b[keep], grp[keep], pos[keep], nxt[keep]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    order = np.lexsort((hi, lo, grp))
    key = np.column_stack([grp[order], lo[order], hi[order]])
    new = np.ones(len(order), dtype=bool)
    new[1:] = (key[1:] != key[:-1]).any(axis=1)
    run = np.cumsum(new) - 1
    single = (np.bincount(run) == 1)[run]
    edges = order[single]
    groups = np.unique(group)
    expected = np.bincount(surf_group[surfaces], weights=g.area_xy_m2[surfaces], minlength=int(groups.max()) + 1)
    fallback = set(groups.tolist())
    if len(edges):
        segs = np.stack([verts[g.idx[pos[edges]], :2], verts[g.idx[nxt[edges]], :2]], axis=1)
        lines = shapely.linestrings(segs)
        egrp = grp[edges]
        eorder = np.argsort(egrp, kind="stable")
        ugrp, first = np.unique(egrp[eorder], return_index=True)
        multi = shapely.multilinestrings(lines[eorder], indices=np.repeat(np.arange(len(ugrp)), np.diff(np.r_[first, len(eorder)])))
        try:
            areas_geom = shapely.build_area(multi)
        except GEOSException:
            areas_geom = np.full(len(ugrp), None, dtype=object)
        for gi, geom in zip(ugrp.tolist(), areas_geom):
            if geom is None or geom.is_empty or not geom.is_valid:
                continue
            if abs(geom.area - expected[gi]) <= 1e-6 * max(1.0, expected[gi]):
                out[gi] = geom if geom.geom_type in ("Polygon", "MultiPolygon") else _polygonal(geom)
                fallback.discard(gi)
    if fallback:
        slow = np.isin(group, list(fallback))
        polys = _polygons_2d(verts, g, surfaces[slow])
        collected: dict[int, list] = {}
        for gi, poly in zip(group[slow].tolist(), polys):
            collected.setdefault(gi, []).append(poly)
        for gi in fallback:
            try:
                out[gi] = _union(collected.get(gi, []))
            except GEOSException:  # topology failure on hostile geometry
                out[gi] = None
    return out


# --------------------------------------------------------------------------- attributes
def _first_text(attrs: dict, keys: tuple[str, ...]) -> str:
    for k in keys:
        v = attrs.get(k)
        if isinstance(v, list) and v:
            v = v[0]
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            v = str(v)
        if isinstance(v, str) and v.strip() and v.strip().lower() not in ("waardeonbekend", "unknown", "onbekend", "null", "none"):
            return v.strip()
    return ""


def _first_num(attrs: dict, keys: tuple[str, ...]) -> float | None:
    for k in keys:
        v = _num(attrs.get(k))
        if v is not None:
            return v
    return None


def building_use(attrs: dict) -> tuple[str, str]:
    """(use class or '', raw function text) from ``function`` / ``usage`` / BAG ``gebruiksdoel``."""
    raw = _first_text(attrs, ("function", "usage", "gebruiksdoel", "building_use", "Nutzung"))
    low = raw.lower()
    for word, use in USE_WORDS:
        if word in low:
            return use, raw
    return "", raw


def construction_year(attrs: dict) -> float | None:
    """Year from ``yearOfConstruction`` / ``bouwjaar`` / ``oorspronkelijkbouwjaar`` ... (1000..2100)."""
    for k in ("yearOfConstruction", "oorspronkelijkbouwjaar", "bouwjaar", "Baujahr", "year_built"):
        v = attrs.get(k)
        if isinstance(v, str):
            m = re.search(r"\b(1\d{3}|20\d{2})\b", v)
            v = float(m.group(1)) if m else None
        else:
            v = _num(v)
        if v is not None and 1000 <= v <= 2100:
            return float(int(v))
    return None


def attribute_height(attrs: dict) -> float | None:
    """Height above ground from ``measuredHeight`` or roof-minus-ground attributes (3DBAG names)."""
    h = _num(attrs.get("measuredHeight"))
    if h is not None and h > 0:
        return h
    for top, ground in (("h_dak_max", "h_maaiveld"), ("b3_h_dak_max", "b3_h_maaiveld"), ("b3_h_max", "b3_h_maaiveld")):
        t, g = _num(attrs.get(top)), _num(attrs.get(ground))
        if t is not None and g is not None and t > g:
            return t - g
    return None


#: Attribute names read as a building's heating system (one of
#: :func:`twin.ingest.attributes.overrides.heating_systems`, case aside). twin's own name: no
#: established CityJSON / CityGML name is a plain attribute (the CityGML Energy ADE models heat
#: generators as ``EnergyConversionSystem`` features, not as an attribute of the building).
HEATING_SYSTEM_ATTRIBUTES: tuple[str, ...] = ("heating_system",)

# key of a row dict holding the raw attribute until the file's values are checked together
HEATING_SYSTEM_KEY = "_heating_system_given"


def attribute_storeys(attrs: dict) -> int | None:
    v = _first_num(attrs, ("storeysAboveGround", "b3_bouwlagen", "bouwlagen", "storeys", "floors"))
    if v is None or v < 1 or v > 500:
        return None
    return int(round(v))


def sealed_fraction(kind: str, *classes: str) -> float:
    """Sealed fraction from the class words (first class that matches) or else the kind."""
    words = sorted(SEALED_BY_CLASS, key=len, reverse=True)
    for c in classes:
        low = c.lower()
        if not low:
            continue
        for w in words:
            if w in low:
                return SEALED_BY_CLASS[w]
    return SEALED_BY_KIND[kind]


# --------------------------------------------------------------------------- document
# --------------------------------------------------------------------------- reader
def read_cityjson(
    path: str | os.PathLike[str],
    *,
    crs: Any = None,
    source_crs: Any = None,
    lod: str | int | float | None = None,
    storey_height_m: float | None = None,
    default_height_m: float = 9.0,
    elements: bool = True,
    overrides: Any = None,
    **_other: Any,
) -> IngestResult:
    """Read a CityJSON file into ``buildings``, ``elements`` and ``landcover`` layers.

    Parameters
    ----------
    path
        A CityJSON 1.0, 1.1 or 2.0 file (``.city.json``, ``.json``).
    crs
        CRS of the coordinates when the file has no ``metadata.referenceSystem``; when given it
        overrides the file's declaration (recorded in ``meta['crs_declared']``).
    source_crs
        CRS of the coordinates when the file declares none (what :func:`twin.ingest.ingest`
        passes for ``--source-crs``; it does not override a declaration, ``crs`` does).
    lod
        Level of detail of buildings to use (``2`` matches ``"2"``, ``"2.2"``...; ``"2.2"``
        only itself). Default: the highest present per building (parts included).
    storey_height_m
        Storey height used to derive storeys from height (and height from storeys), m. Default
        (None): the storey height of each building's use in the defaults table
        (``buildings.storey_height_m``: 3.0 m for dwellings, 3.5 m for the uses it does not
        list, 5 m industrial ...), as the GIS and OSM readers derive them
        (:func:`twin.ingest.attributes.form.storey_height`), so that a building's derived
        storeys do not depend on its file's format.
    default_height_m
        Height of a building whose geometry is flat and whose attributes give no height, m.
    elements
        Also produce the ``elements`` layer (one row per surface).
    overrides
        Known values by building id (:func:`twin.ingest.attributes.overrides.read_overrides`:
        ``use``, ``height_m``, ``n_storeys``, ``construction_year``, ``heating_system``): each
        wins over the file's value with source ``user`` (rule ``override``), before what is
        derived from it (storeys from a given height, height from given storeys where the
        geometry gives none). A ``height_m`` for a building whose height comes from its LoD >= 1
        geometry is refused (:func:`_override_rows`). ``meta['overrides_applied']`` counts the
        buildings changed.
    **_other
        Options meant for other readers (``layer=``...) are ignored.

    Returns
    -------
    IngestResult
        Layers ``buildings`` and ``landcover`` (GeoDataFrames in the horizontal CRS of the
        file) and ``elements``; ``dropped`` lists every skipped object with its reason;
        ``meta`` has ``version``, ``crs``, ``lod`` per building count, ``types`` and counts of
        degenerate/virtual surfaces.

    Raises
    ------
    ParseError
        Invalid or truncated JSON, missing ``vertices``, bad indices, wrong JSON types.
    CRSError
        No reference system (and no ``crs=``), or one that is not projected in metres.
    """
    path = Path(path)
    result = IngestResult(path=str(path))
    given = _override_rows(overrides)
    doc = _load(path)
    verts = _vertices(doc, path)
    scene_crs, declared = _file_crs(doc, path, crs, source_crs)
    objects = _expect(doc.get("CityObjects"), dict, path, "/CityObjects", "CityObjects")
    wanted = None if lod is None else (_lod_key(lod) or (str(lod), float("nan")))[0]

    result.meta.update(
        {
            "format": SOURCE_FORMAT,
            "version": doc["version"],
            "crs": scene_crs.to_string(),
            "crs_declared": declared,
            "types": {},
        }
    )
    types: dict[str, int] = {}
    for oid, obj in objects.items():
        _expect(obj, dict, path, f"/CityObjects/{oid}", "a city object")
        otype = obj.get("type")
        _expect(otype, str, path, f"/CityObjects/{oid}/type", "object type")
        types[otype] = types.get(otype, 0) + 1
    result.meta["types"] = types

    families, members = _building_families(objects, path, result)

    # ---- choose geometries, gather surfaces
    surfaces = _Surfaces()
    owners: list[_Owner] = []
    fam_lod: list[tuple[str, float] | None] = [None] * len(families)
    family_has_geom = [False] * len(families)
    for fam, mids in enumerate(members):
        cands: dict[str, list[tuple[int, dict, str, tuple[str, float]]]] = {}
        for oid in mids:
            cands[oid] = _candidates(objects[oid], oid, path, result)
            family_has_geom[fam] |= bool(cands[oid])
        all_keys = [c[3] for cs in cands.values() for c in cs]
        if wanted is not None:
            all_keys = [k for k in all_keys if _lod_matches(k[0], k[1], wanted)]
        if not all_keys:
            continue
        best = max(all_keys, key=lambda k: k[1])
        fam_lod[fam] = best
        for oid in mids:
            pick = [c for c in cands[oid] if c[3][1] == best[1]]
            if not pick:
                continue
            gi, geom, gtype, key = pick[0]
            owners.append(_Owner(oid, fam, -1))
            _walk_geometry(geom, gtype, len(owners) - 1, oid, gi, surfaces, path)

    lc_rows: list[tuple[str, str, dict]] = []  # (object id, kind, attributes)
    for oid, obj in objects.items():
        otype = obj["type"]
        if otype in BUILDING_TYPES:
            continue
        if otype not in LANDCOVER_KIND:
            result.drop(f"{ID_PREFIX}{oid}", f"unsupported CityObject type {otype!r}")
            continue
        cands = _candidates(obj, oid, path, result)
        if not cands:
            result.drop(f"{ID_PREFIX}{oid}", f"{otype} without surface geometry")
            continue
        gi, geom, gtype, key = max(cands, key=lambda c: c[3][1])
        attrs = obj.get("attributes") if isinstance(obj.get("attributes"), dict) else {}
        lc_rows.append((oid, LANDCOVER_KIND[otype], attrs))
        owners.append(_Owner(oid, -1, len(lc_rows) - 1))
        _walk_geometry(geom, gtype, len(owners) - 1, oid, gi, surfaces, path)

    idx = _check_indices(surfaces, len(verts), path)
    g = _compute_geometry(verts, idx, surfaces)
    result.meta["degenerate_rings"] = surfaces.degenerate_rings

    owner_arr = np.asarray(surfaces.owner, dtype=np.int64)
    owner_family = np.asarray([o.family for o in owners], dtype=np.int64)
    owner_lc = np.asarray([o.landcover for o in owners], dtype=np.int64)
    surf_family = owner_family[owner_arr] if len(owner_arr) else np.zeros(0, dtype=np.int64)
    surf_lc = owner_lc[owner_arr] if len(owner_arr) else np.zeros(0, dtype=np.int64)
    sem_type = np.asarray(surfaces.sem_type, dtype=object)
    virtual = np.isin(sem_type, VIRTUAL_SEMANTICS)
    usable = (g.area_m2 > MIN_AREA_M2) & ~virtual
    result.meta["degenerate_surfaces"] = int(((g.area_m2 <= MIN_AREA_M2) & ~virtual).sum())
    result.meta["virtual_surfaces"] = int(virtual.sum())

    buildings = _building_rows(
        families, members, objects, fam_lod, family_has_geom, owners, owner_arr, surf_family, sem_type, usable, g, verts,
        path, result, FIRST_PASS_STOREY_HEIGHT_M if storey_height_m is None else storey_height_m, default_height_m, given,
    )
    _heating_systems(buildings, path, given)
    if overrides is not None:
        result.meta["overrides_applied"] = given.hits([b["building_id"] for b in buildings]) if given is not None else 0
    landcover = _landcover_rows(lc_rows, surf_lc, usable, g, verts, result)
    elem = _element_columns(surfaces, families, fam_lod, buildings, surf_family, sem_type, usable, g) if elements else []
    result.meta["lod"] = _count([b["lod"] for b in buildings])

    result.layers["buildings"] = _with_uses(_frame("buildings", buildings, scene_crs, path), by_use=storey_height_m is None)
    result.layers["elements"] = _frame("elements", elem, None, path)
    result.layers["landcover"] = _frame("landcover", landcover, scene_crs, path)
    return result


def _count(values: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


def _building_families(objects: dict, path: Path, result: IngestResult) -> tuple[list[str], list[list[str]]]:
    """Root ids of the buildings and the member ids of each (root first, then its parts).

    A BuildingPart belongs to the Building reached through ``parents`` links (or, where a file
    only gives the other direction, ``children`` links), across nested parts. A part that
    reaches no Building becomes a building of its own (listed in ``meta['orphan_parts']``).
    """
    parents_of: dict[str, list[str]] = {}
    for oid, obj in objects.items():
        for key in ("parents", "children"):
            links = obj.get(key, [])
            if not isinstance(links, list):
                raise _perr(path, f"/CityObjects/{oid}/{key}", f"{key} must be an array of object ids")
            for other in links:
                if isinstance(other, str) and other in objects:
                    child, parent = (oid, other) if key == "parents" else (other, oid)
                    parents_of.setdefault(child, []).append(parent)
    families = [oid for oid, obj in objects.items() if obj["type"] == "Building"]
    index = {oid: i for i, oid in enumerate(families)}
    members: list[list[str]] = [[oid] for oid in families]
    for oid, obj in objects.items():
        if obj["type"] != "BuildingPart":
            continue
        root = _root_building(oid, objects, parents_of)
        if root is None:  # orphan part: a building of its own
            index[oid] = len(families)
            families.append(oid)
            members.append([oid])
            result.meta.setdefault("orphan_parts", []).append(oid)
        else:
            members[index[root]].append(oid)
    return families, members


def _root_building(oid: str, objects: dict, parents_of: dict[str, list[str]]) -> str | None:
    """The Building a BuildingPart belongs to, or None (cycles and dangling links are ignored)."""
    seen = {oid}
    todo = [oid]
    while todo:
        for p in parents_of.get(todo.pop(), []):
            if p in seen:
                continue
            seen.add(p)
            ptype = objects[p]["type"]
            if ptype == "Building":
                return p
            if ptype == "BuildingPart":
                todo.append(p)
    return None


def _candidates(obj: dict, oid: str, path: Path, result: IngestResult) -> list[tuple[int, dict, str, tuple[str, float]]]:
    """Surface geometries of an object: (index, geometry, type, (lod, rank))."""
    geoms = obj.get("geometry", [])
    if geoms is None:
        return []
    _expect(geoms, list, path, f"/CityObjects/{oid}/geometry", "geometry")
    out = []
    for gi, geom in enumerate(geoms):
        jp = f"/CityObjects/{oid}/geometry/{gi}"
        _expect(geom, dict, path, jp, "a geometry")
        gtype = geom.get("type")
        _expect(gtype, str, path, jp + "/type", "geometry type")
        if gtype not in SURFACE_GEOMETRIES:
            result.meta.setdefault("skipped_geometries", {}).setdefault(gtype, 0)
            result.meta["skipped_geometries"][gtype] += 1
            continue
        key = _lod_key(geom.get("lod"))
        if key is None:
            raise _perr(path, jp + "/lod", f"geometry lod must be a number or numeric string, got {geom.get('lod')!r}")
        out.append((gi, geom, gtype, key))
    return out


def _check_indices(s: _Surfaces, n_vertices: int, path: Path) -> np.ndarray:
    """The ring indices as an int64 array, if all are integers in [0, n_vertices); else ParseError naming the JSON path."""
    try:
        idx = np.asarray(s.ring_idx)
        ok = idx.ndim == 1 and (len(idx) == 0 or idx.dtype.kind in "iu" and idx.min() >= 0 and idx.max() < n_vertices)
    except (ValueError, TypeError, OverflowError):
        ok = False
    if ok:
        return idx.astype(np.int64, copy=False)
    # slow path: find the first bad ring for the message
    pos = 0
    for r, length in enumerate(s.ring_len):
        ring = s.ring_idx[pos : pos + length]
        for k, i in enumerate(ring):
            if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < n_vertices:
                first_rings = np.cumsum([0, *s.surface_rings])
                surf = int(np.searchsorted(first_rings, r, side="right") - 1)
                ring_no = r - int(first_rings[surf])
                where = f"/CityObjects/{s.source_id(surf)}/{ring_no}/{k}"
                raise ParseError(f"vertex index {i!r} is not an integer in [0, {n_vertices})", path=path, obj=where)
        pos += length
    raise ParseError("bad vertex indices", path=path, obj="/CityObjects")


def _surface_kinds(sem_type: np.ndarray, tilt: np.ndarray, zmax: np.ndarray, ground_z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Element kind and boundary of each surface: from its semantic type, else from its tilt.

    Without (known) semantics: roof below 80 deg, wall up to 100 deg, floor beyond; a floor
    whose top lies within 0.5 m of the building's lowest z is on the ground.
    """
    kind = np.where(tilt < ROOF_MAX_TILT_DEG, "roof", np.where(tilt <= FLOOR_MIN_TILT_DEG, "wall", "floor")).astype(object)
    boundary = np.where((kind == "floor") & (zmax <= ground_z + GROUND_TOLERANCE_M), "ground", "exterior").astype(object)
    for stype, (k, b) in SEMANTIC_KIND.items():
        hit = sem_type == stype
        kind[hit] = k
        boundary[hit] = b
    return kind, boundary


def _building_rows(
    families, members, objects, fam_lod, family_has_geom, owners, owner_arr, surf_family, sem_type, usable, g, verts,
    path, result, storey_height_m, default_height_m, given=None,
) -> list[dict]:
    n_fam = len(families)
    fam_zmin = np.full(n_fam, np.inf)
    fam_zmax = np.full(n_fam, -np.inf)
    bsel = (surf_family >= 0) & usable
    if bsel.any():
        np.minimum.at(fam_zmin, surf_family[bsel], g.zmin[bsel])
        np.maximum.at(fam_zmax, surf_family[bsel], g.zmax[bsel])

    chosen = _footprint_faces(np.flatnonzero(bsel), owner_arr, sem_type, g)
    fam_owners: dict[int, list[int]] = {}
    for o, own in enumerate(owners):
        if own.family >= 0:
            fam_owners.setdefault(own.family, []).append(o)
    use_picks: dict[int, list[tuple[str, np.ndarray]]] = {}
    for fam in range(n_fam):
        picks = [chosen[o] for o in fam_owners.get(fam, []) if o in chosen]
        use_picks[fam] = [p for p in picks if p[0] != "roof_plan"] or picks  # ground-level parts win
    fp_faces = [sids for picks in use_picks.values() for _, sids in picks]
    fp_group = [np.full(len(sids), fam) for fam, picks in use_picks.items() for _, sids in picks]
    footprints = _merge_faces(
        verts, g, np.concatenate(fp_faces) if fp_faces else np.zeros(0, dtype=np.int64),
        np.concatenate(fp_group) if fp_group else np.zeros(0, dtype=np.int64),
    )

    # roof kind: share of roof area that is flat (LoD >= 2 only)
    roof = bsel & ((sem_type == "RoofSurface") | ((sem_type == "") & (g.tilt_deg < ROOF_MAX_TILT_DEG)))
    roof_area = np.zeros(n_fam)
    flat_area = np.zeros(n_fam)
    if roof.any():
        np.add.at(roof_area, surf_family[roof], g.area_m2[roof])
        flat = roof & (g.tilt_deg < 5.0)
        np.add.at(flat_area, surf_family[flat], g.area_m2[flat])

    rows: list[dict] = []
    file_values: list[tuple] = []  # per row: geometry height, attribute height, storeys, use, year
    for fam, root in enumerate(families):
        bid = ID_PREFIX + root
        if fam_lod[fam] is None:
            result.drop(bid, "no surface geometry at the requested LoD" if family_has_geom[fam] else "no surface geometry")
            continue
        footprint = footprints.get(fam)
        if footprint is None or footprint.is_empty or footprint.area <= MIN_AREA_M2:
            result.drop(bid, "degenerate geometry: no footprint area")
            continue
        attrs = _merged_attributes(root, members[fam], objects)
        zmin, zmax = float(fam_zmin[fam]), float(fam_zmax[fam])
        ground_z = zmin if math.isfinite(zmin) else 0.0
        geo_height = zmax - zmin if math.isfinite(zmin) else 0.0
        lod_text, lod_rank = fam_lod[fam]
        geo = geo_height if lod_rank >= 1 else 0.0
        if given is not None and "height_m" in given.rows.get(bid, {}) and geo > 0.01:
            from twin.ingest.attributes.precedence import refuse_geometry_height

            refuse_geometry_height(given, bid, height_m=given.rows[bid]["height_m"], geometry_height_m=geo, what=f"LoD {lod_text} geometry", source=path)
        use, raw_use = building_use(attrs)
        year = construction_year(attrs)
        h, st = attribute_height(attrs), attribute_storeys(attrs)
        file_values.append((geo, np.nan if h is None else h, np.nan if st is None else st, use or None, np.nan if year is None else year))
        area = float(footprint.area)
        if lod_rank >= 2 and roof_area[fam] > 0:
            roof_kind = "flat" if flat_area[fam] >= 0.9 * roof_area[fam] else "pitched"
        else:
            roof_kind = ""
        rows.append(
            {
                "building_id": bid,
                "source": str(path),
                "source_format": SOURCE_FORMAT,
                "name": _first_text(attrs, ("name", "naam", "Name")),
                **dict.fromkeys(_GIVEN_OR_FILE_COLUMNS[:-3]),  # filled by _given_or_file
                "ground_z_m": ground_z,
                "footprint_area_m2": area,
                "floor_area_m2": None,
                "floor_area_m2_source": None,
                "roof_kind": roof_kind,
                "roof_kind_source": "data" if roof_kind else "default",
                "geometry": footprint,
                "lod": lod_text,
                "n_parts": sum(1 for m in members[fam] if objects[m]["type"] == "BuildingPart"),
                "footprint_source": "+".join(sorted({p[0] for p in use_picks[fam]})),
                "height_source": None,
                "source_function": raw_use,
                HEATING_SYSTEM_KEY: _first_text(attrs, HEATING_SYSTEM_ATTRIBUTES) or None,
            }
        )
    _given_or_file(rows, file_values, given, path, storey_height_m, default_height_m)
    return rows


def _heating_systems(rows: list[dict], path: Path, given: Given | None) -> None:
    """Each row's ``heating_system``: a given one (source ``user``, rule ``override``), else the
    file's attribute (``data``, rule ``attribute:heating_system``), else ``''`` (``default``)
    (:func:`twin.ingest.attributes.precedence.prefer_given`). No column when neither the file nor
    the overrides give one (a file without systems makes the same layer as before).

    Raises
    ------
    InputError
        A file's value that is not a known heating system (case aside), naming ``path``, the
        building and the attribute, with the closest known system.
    """
    import pandas as pd

    from twin.ingest.attributes.overrides import check_heating_system
    from twin.ingest.attributes.precedence import prefer_given

    raw = [r.pop(HEATING_SYSTEM_KEY) for r in rows]
    ids = [r["building_id"] for r in rows]
    mine = given.column("heating_system", ids) if given is not None else np.full(len(rows), None, dtype=object)
    if all(v is None for v in raw) and pd.isna(mine).all():
        return
    system = check_heating_system(pd.Series(raw, index=ids, dtype=object), path, None, what="attribute").to_numpy(dtype=object)
    has = ~pd.isna(system)
    system, source, rule = prefer_given(mine, system, np.where(has, "data", "default"), np.where(has, "attribute:heating_system", "default"))
    for r, v, src, rul in zip(rows, system.tolist(), source.tolist(), rule.tolist()):
        r["heating_system"] = "" if v is None else v
        r["heating_system_source"], r["heating_system_rule"] = src, rul


def _override_rows(overrides) -> Given | None:
    """The overrides rows, checked (:func:`twin.ingest.attributes.overrides.read_overrides`,
    ``use`` among the default use classes), before the file is read; None without overrides.

    A ``height_m`` row is applied where the building's height is not its geometry's (a LoD 0
    footprint: from attributes, storeys or the default) and refused where it is (LoD >= 1
    surfaces span the height; a different ``height_m`` would disagree with the ``elements``
    layer, the solar surfaces and the export): :func:`_building_rows`.
    """
    if overrides is None:
        return None
    from twin.ingest.attributes.precedence import Given

    return Given.read(overrides)


def _footprint_faces(surf_ids, owner_arr, sem_type, g) -> dict[int, tuple[str, np.ndarray]]:
    """Per owner (member object) the faces its footprint comes from, with their label.

    GroundSurface faces (``ground_surface``), else downward faces (``floor_faces``), else
    upward faces (``roof_plan``).
    """
    is_ground = sem_type == "GroundSurface"
    down = (g.tilt_deg > FLOOR_MIN_TILT_DEG) & (g.area_xy_m2 > MIN_AREA_M2)
    up = (g.tilt_deg < 90.0 - 1e-9) & (g.area_xy_m2 > MIN_AREA_M2)
    owner_of = owner_arr[surf_ids]
    chosen: dict[int, tuple[str, np.ndarray]] = {}
    order = np.argsort(owner_of, kind="stable")
    bounds = np.flatnonzero(np.diff(owner_of[order])) + 1
    for grp in np.split(surf_ids[order], bounds) if len(order) else []:
        for label, mask in (("ground_surface", is_ground[grp]), ("floor_faces", down[grp]), ("roof_plan", up[grp])):
            if mask.any():
                chosen[int(owner_arr[grp[0]])] = (label, grp[mask])
                break
    return chosen


_GIVEN_OR_FILE_COLUMNS = (
    "use", "use_defaulted", "use_source", "use_rule", "construction_year", "year_defaulted", "construction_year_source",
    "construction_year_rule", "height_m_source", "height_m_rule", "n_storeys_source", "n_storeys_rule", "height_m",
    "height_defaulted", "n_storeys", "storeys_defaulted", "storey_height_m", "storey_height_m_source", "floor_area_m2",
    "floor_area_m2_source", "height_source",
)
"""Columns of a building row that :func:`_given_or_file` fills (the last three after the footprint)."""


def _given_or_file(rows: list[dict], file_values: list[tuple], given: Given | None, path: Path, storey_height_m: float,
                   default_height_m: float) -> None:
    """Fill :data:`_GIVEN_OR_FILE_COLUMNS` of ``rows`` in place: for ``use``, ``construction_year``,
    ``n_storeys`` and ``height_m`` the given value, else the file's, else derived
    (:func:`twin.ingest.attributes.precedence.prefer_given`, the order every reader shares).

    Height: the geometry's vertical extent (LoD >= 1, over 1 cm; a given height there was refused
    in :func:`_building_rows`), else a given ``height_m``, else the height attribute, else storeys x
    ``storey_height_m`` (inferred), else ``default_height_m`` (default). Storeys: given, else the
    attribute, else from the height (``max(1, round(height / storey_height_m))``, inferred; default
    where the height is). ``storey_height_m`` of a row is its height over its known storeys, else
    ``storey_height_m`` (its ``storey_height_m_source``: the weaker of the height's and the
    storeys' sources, :func:`twin.scene.provenance.storey_height_source`, else ``default``);
    ``floor_area_m2`` footprint x storeys (``inferred``, ``default`` where the storeys are).

    Raises
    ------
    InputError
        A given ``n_storeys`` that makes storeys lower than the least storey height in the
        building's height.
    """
    if not rows:
        return
    import pandas as pd

    from twin.ingest.attributes.precedence import prefer_given

    ids = np.asarray([r["building_id"] for r in rows], dtype=object)
    geo, attr_h, attr_s, use, year = (np.asarray(c, dtype=object if k == 3 else float) for k, c in enumerate(zip(*file_values)))

    def col(attribute: str) -> np.ndarray:
        if given is None:
            return np.full(len(rows), None if attribute == "use" else np.nan, dtype=object if attribute == "use" else float)
        return given.column(attribute, ids)

    def known(values: np.ndarray, source: str, rule) -> tuple[np.ndarray, np.ndarray]:
        has = ~pd.isna(values)
        return np.where(has, source, "default").astype(object), np.where(has, rule, "default").astype(object)

    raw_use = np.asarray([f"attribute:{r['source_function']}"[:80] for r in rows], dtype=object)
    use, use_src, use_rule = prefer_given(col("use"), use, *known(use, "data", raw_use))
    year, year_src, year_rule = prefer_given(col("construction_year"), year, *known(year, "data", "attribute:year"))
    given_s = col("n_storeys")
    storeys, s_src, s_rule = prefer_given(given_s, attr_s, *known(attr_s, "data", "attribute:storeys"))
    from_geo = geo > 0.01
    file_h = np.where(from_geo, geo, attr_h)
    height, h_src, h_rule = prefer_given(col("height_m"), file_h, *known(file_h, "data", np.where(from_geo, "geometry", "attribute:height")))
    height_from = np.where(from_geo, "geometry", np.where(h_src == "user", "override", "attribute")).astype(object)

    has_s = ~np.isnan(storeys)
    defaulted = np.isnan(height)
    from_s = defaulted & has_s
    height[from_s] = storeys[from_s] * storey_height_m
    h_src[from_s], h_rule[from_s], height_from[from_s] = "inferred", "height_from_storeys", "storeys"
    neither = defaulted & ~has_s
    height[neither] = default_height_m
    h_src[neither], h_rule[neither], height_from[neither] = "default", f"default:{default_height_m:g}m", "default"
    storeys[~has_s] = np.maximum(1.0, np.round(height[~has_s] / storey_height_m))
    s_src[neither], s_rule[neither] = "default", "default:from_default_height"
    only_h = ~has_s & ~defaulted
    s_src[only_h], s_rule[only_h] = "inferred", "storeys_from_height"
    with np.errstate(divide="ignore", invalid="ignore"):
        storey_h = np.where(has_s & ~defaulted, height / storeys, storey_height_m)
    # a height from the file over its storeysAboveGround: as good as the weaker of the two
    sh_src = np.where(has_s & ~defaulted, storey_height_source(h_src, s_src), "default").astype(object)
    area_src = derived_floor_area_source(s_src)
    low = np.flatnonzero(~np.isnan(given_s) & (storey_h < MIN_STOREY_HEIGHT_M))
    if len(low):
        k = int(low[0])
        raise InputError(f"override n_storeys {int(storeys[k])} for building {ids[k]!r} of {path} gives storeys of {storey_h[k]:.2g} m "
                         f"in its {height[k]:.2f} m height (from its {height_from[k]}), below {MIN_STOREY_HEIGHT_M:g} m",
                         path=given.path, obj=given.label(ids[k]), field="n_storeys")  # fmt: skip
    for k, r in enumerate(rows):
        has_use, has_year, n = not pd.isna(use[k]), not np.isnan(year[k]), int(storeys[k])
        r.update({
            "use": use[k] if has_use else "residential", "use_defaulted": not has_use, "use_source": use_src[k], "use_rule": use_rule[k],
            "construction_year": float(year[k]), "year_defaulted": not has_year, "construction_year_source": year_src[k],
            "construction_year_rule": year_rule[k], "height_m_source": h_src[k], "height_m_rule": h_rule[k],
            "n_storeys_source": s_src[k], "n_storeys_rule": s_rule[k], "height_m": float(height[k]),
            "height_defaulted": bool(defaulted[k]), "n_storeys": n, "storeys_defaulted": not has_s[k],
            "storey_height_m": float(storey_h[k]), "storey_height_m_source": sh_src[k], "floor_area_m2": r["footprint_area_m2"] * n,
            "floor_area_m2_source": area_src[k], "height_source": height_from[k],
        })  # fmt: skip


def _merged_attributes(root: str, mids: list[str], objects: dict) -> dict:
    """Attributes of the root building, completed by those of its parts (root wins)."""
    out: dict = {}
    for oid in [m for m in mids if m != root] + [root]:
        attrs = objects[oid].get("attributes")
        if isinstance(attrs, dict):
            out.update(attrs)
    return out


def _landcover_rows(lc_rows, surf_lc, usable, g, verts, result) -> list[dict]:
    sel = np.flatnonzero((surf_lc >= 0) & usable & (g.area_xy_m2 > MIN_AREA_M2))
    merged = _merge_faces(verts, g, sel, surf_lc[sel])
    rows = []
    for i, (oid, kind, attrs) in enumerate(lc_rows):
        lid = ID_PREFIX + oid
        geom = merged.get(i)
        if geom is None or geom.is_empty or geom.area <= MIN_AREA_M2:
            result.drop(lid, "degenerate geometry: no horizontal surface area")
            continue
        cover = _first_text(attrs, ("function", "class", "usage", "bgt_fysiekvoorkomen", "plus_fysiekvoorkomen", "bgt_type"))
        material = _first_text(attrs, ("surfacematerial", "surfaceMaterial", "plus_fysiekvoorkomenwegdeel", "bgt_fysiekvoorkomen", "plus_fysiekvoorkomen"))
        rows.append(
            {
                "landcover_id": lid,
                "kind": kind,
                "cover_class": cover,
                "sealed_fraction": sealed_fraction(kind, material, cover),
                "sealed_defaulted": True,
                "name": _first_text(attrs, ("name", "naam", "Name")),
                "geometry": geom,
            }
        )
    return rows


def _element_columns(surfaces, families, fam_lod, buildings, surf_family, sem_type, usable, g) -> dict[str, Any]:
    """Columns of the elements layer: one row per usable surface of a kept building of LoD >= 1."""
    ground_of = {b["building_id"]: b["ground_z_m"] for b in buildings}
    fam_ok = np.array([ID_PREFIX + f in ground_of and lod is not None and lod[1] >= 1 for f, lod in zip(families, fam_lod)], dtype=bool)
    fam_ground = np.array([ground_of.get(ID_PREFIX + f, 0.0) for f in families], dtype=float)
    sel = np.flatnonzero((surf_family >= 0) & usable)
    if len(sel) and len(families):
        sel = sel[fam_ok[surf_family[sel]]]
    else:
        sel = sel[:0]
    fam = surf_family[sel]
    kind, boundary = _surface_kinds(sem_type[sel], g.tilt_deg[sel], g.zmax[sel], fam_ground[fam] if len(sel) else np.zeros(0))
    source_id = [surfaces.source_id(s) for s in sel.tolist()]
    element_id = [ID_PREFIX + sid for sid in source_id]
    # windows and doors: host = first surface of the parent semantic object of the same geometry
    first_of_sem: dict[tuple[int, int], str] = {}
    for s, eid in zip(sel.tolist(), element_id):
        if surfaces.sem_index[s] >= 0:
            first_of_sem.setdefault((surfaces.geom_key[s], surfaces.sem_index[s]), eid)
    host_id = [
        first_of_sem.get((surfaces.geom_key[s], surfaces.sem_parent[s]), "") if k in ("window", "door") else ""
        for s, k in zip(sel.tolist(), kind)
    ]
    family_ids = np.array([ID_PREFIX + f for f in families], dtype=object)
    return {
        "element_id": element_id,
        "building_id": family_ids[fam] if len(sel) else [],
        "kind": kind,
        "ifc_class": sem_type[sel],
        "area_m2": g.area_m2[sel],
        "azimuth_deg": g.azimuth_deg[sel],
        "tilt_deg": g.tilt_deg[sel],
        "u_value_w_m2k": np.full(len(sel), np.nan),
        "u_value_source": np.full(len(sel), "default", dtype=object),
        "u_defaulted": np.ones(len(sel), dtype=bool),
        "boundary": boundary,
        "host_id": host_id,
        "source_id": source_id,
    }


FIRST_PASS_STOREY_HEIGHT_M = 3.0
"""Storey height (m) of the first derivation, before the uses are resolved; with the default
``storey_height_m=None`` :func:`_storeys_by_use` then derives again with the storey height of
each building's use."""


def _with_uses(frame, *, by_use: bool = False):
    """Buildings whose use no attribute gives: the name rules and the default of
    :func:`twin.ingest.attributes.complete.resolve_use` (a large footprint is not a dwelling);
    with ``by_use``, storeys and heights derived from each other again with the storey height of
    the resolved use (:func:`_storeys_by_use`)."""
    if len(frame) == 0:
        return frame
    from twin.ingest.attributes.complete import resolve_use
    from twin.ingest.attributes.sources import set_legacy_flags
    from twin.ingest.defaults import load_defaults

    table = load_defaults()
    uses = resolve_use(frame.reset_index(drop=True), table)
    for col in uses.columns:
        frame[col] = uses[col].to_numpy(dtype=object)
    if by_use:
        _storeys_by_use(frame, table)
    return set_legacy_flags(frame)


def _storeys_by_use(frame, table) -> None:
    """Storeys derived from a height (``storeys_from_height``, ``default:from_default_height``)
    or a height derived from storeys (``height_from_storeys``) again with the storey height of
    each building's use (:func:`twin.ingest.attributes.form.storey_height`), in place; the
    storey height and floor area follow. Given and measured values are kept."""
    from twin.ingest.attributes.form import storey_height

    sh = storey_height(frame["use"].to_numpy(dtype=object), table)
    s_rule = frame["n_storeys_rule"].to_numpy(dtype=object)
    from_h = (s_rule == "storeys_from_height") | (s_rule == "default:from_default_height")
    from_s = frame["height_m_rule"].to_numpy(dtype=object) == "height_from_storeys"
    if not (from_h.any() or from_s.any()):
        return
    height = frame["height_m"].to_numpy(dtype=float).copy()
    storeys = frame["n_storeys"].to_numpy(dtype=np.int64).copy()
    height[from_s] = storeys[from_s] * sh[from_s]
    storeys[from_h] = np.maximum(1, np.round(height[from_h] / sh[from_h])).astype(np.int64)
    storey_h = frame["storey_height_m"].to_numpy(dtype=float).copy()
    storey_h[from_h | from_s] = sh[from_h | from_s]
    frame["height_m"], frame["n_storeys"], frame["storey_height_m"] = height, storeys, storey_h
    frame["floor_area_m2"] = frame["footprint_area_m2"].to_numpy(dtype=float) * storeys


def _frame(layer: str, rows: list[dict] | dict[str, Any], crs, path: Path):
    """A conformed layer from row dicts or from columns."""
    import geopandas as gpd
    import pandas as pd

    from twin.scene.layers import conform, empty_layer

    if len(rows) == 0 or (isinstance(rows, dict) and len(next(iter(rows.values()))) == 0):
        return empty_layer(layer, crs=crs)
    frame = pd.DataFrame(rows)
    if "geometry" in frame:
        frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=crs)
    return conform(layer, frame, crs=crs, source=str(path))


__all__ = [
    "LANDCOVER_KIND",
    "SEALED_BY_CLASS",
    "SEALED_BY_KIND",
    "SEMANTIC_KIND",
    "attribute_height",
    "building_use",
    "construction_year",
    "horizontal_crs",
    "read_cityjson",
    "sealed_fraction",
]
