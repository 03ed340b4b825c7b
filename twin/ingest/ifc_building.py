"""Turn the extracted IFC data (semantics + meshes) into the scene layers of one file.

Layers produced (columns of :mod:`twin.scene.schema`): ``buildings`` (one row per
IfcBuilding), ``storeys``, ``spaces`` and ``elements`` (walls, roofs, floors, windows, doors).
See :mod:`twin.ingest.ifc` for the whole method and ``docs/ingest_ifc.md`` for the rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from twin.errors import InputError
from twin.ingest import ifc_geometry as geo
from twin.ingest.attributes.precedence import USER_SOURCE, Given, given_or_file, refuse_geometry_height
from twin.ingest.ifc_georef import Placement
from twin.ingest.ifc_uvalue import element_u
from twin.ingest.result import IngestResult
from twin.scene.limits import MIN_STOREY_HEIGHT_M
from twin.scene.provenance import derived_floor_area_source, storey_height_source

#: Other building elements whose outline counts for the footprint (besides walls).
FOOTPRINT_CLASSES = ("IfcColumn", "IfcBuildingElementProxy", "IfcCurtainWall")

#: Words that reveal the use of a building in its name, type or occupancy (en, de, nl, fr).
USE_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("office", ("office", "büro", "buero", "kantoor", "bureau")),
    ("education", ("school", "educat", "schule", "onderwijs", "école", "ecole", "universit", "kindergarten", "crèche")),
    ("retail", ("retail", "shop", "store", "laden", "winkel", "commerce", "magasin")),
    ("health", ("hospital", "clinic", "health", "kranken", "zieken", "hôpital")),
    ("industrial", ("industr", "factory", "warehouse", "fabrik", "lager", "entrepôt")),
    ("residential", ("resid", "wohn", "dwelling", "house", "haus", "woning", "logement", "apartment", "duplex", "maison")),
)

ROOF_KINDS = {"FLAT_ROOF": "flat", "GABLE_ROOF": "gabled", "HIP_ROOF": "hipped", "SHED_ROOF": "shed", "MANSARD_ROOF": "mansard"}

GROUND_TOL_M = 0.5
"""A floor slab whose top lies within this of the ground level (or below) can be a ground floor."""


def meshes_from_npz(data: dict[str, np.ndarray]) -> dict[int, geo.Mesh]:
    """Meshes by step id from the arrays of :func:`twin.ingest.ifc_extract.extract_meshes`."""
    out = {}
    vo, fo = data["vert_offsets"], data["face_offsets"]
    for k, step in enumerate(data["ids"]):
        out[int(step)] = geo.Mesh(data["verts"][vo[k] : vo[k + 1]], data["faces"][fo[k] : fo[k + 1]].astype(np.int64))
    return out


@dataclass
class _Elem:
    rec: dict[str, Any]
    kind: str
    mesh: geo.Mesh | None
    area_m2: float = float("nan")
    area_source: str = "geometry"
    normal: np.ndarray | None = None  # outward unit normal (model coordinates)
    center: np.ndarray | None = None
    sides: geo.Sides | None = None
    boundary: str = "interior"
    host_eid: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class _Ids:
    """Stable, unique ids ``<prefix>:<GlobalId>`` (a repeated GlobalId gets ``#<step id>``)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.by_step: dict[int, str] = {}
        self.used: set[str] = set()

    def __call__(self, step: int, global_id: str | None) -> str:
        if step in self.by_step:
            return self.by_step[step]
        ident = f"{self.prefix}:{global_id or f'#{step}'}"
        if ident in self.used:
            ident = f"{ident}#{step}"
        self.used.add(ident)
        self.by_step[step] = ident
        return ident


def _classify(rec: dict[str, Any], parents: dict[int, str], mesh: geo.Mesh | None) -> tuple[str | None, str]:
    """Element kind (or None and the reason to drop it)."""
    cls, ptype = rec["ifc_class"], rec["predefined_type"].upper()
    if cls.startswith("IfcWall"):
        return "wall", ""
    if cls == "IfcCurtainWall":
        return "window", ""
    if cls == "IfcWindow":
        return "window", ""
    if cls == "IfcDoor":
        return "door", ""
    if cls == "IfcRoof":
        return "roof", ""
    if cls == "IfcSlab":
        parent = parents.get(rec.get("aggregate") or -1)
        if ptype == "ROOF" or (parent is not None and parent["ifc_class"] == "IfcRoof"):
            return "roof", ""
        if ptype in ("FLOOR", "BASESLAB"):
            return "floor", ""
        if ptype == "LANDING":
            return None, "stair landing (IfcSlab LANDING): not part of the envelope"
        if mesh is not None:
            face, _ = geo.slab_faces(mesh, up=True)
            if face is not None and geo.tilt_deg(face.normal) > 10.0:
                return "roof", ""
        return "floor", ""
    return None, f"{cls} is not an envelope element"


def _quantity(rec: dict[str, Any], *keys: str) -> float | None:
    for qset in rec.get("quantities", {}).values():
        for key in keys:
            value = qset.get(key)
            if isinstance(value, int | float) and value > 0:
                return float(value)
    return None


def _classify_use(text: str) -> str | None:
    text = text.lower()
    for use, words in USE_KEYWORDS:
        if any(w in text for w in words):
            return use
    return None


def _use(b: dict[str, Any], spaces: list[dict[str, Any]]) -> tuple[str, bool]:
    """Use class from the building's occupancy, type and names; else the use of most of the
    space area (by space names); else 'residential', flagged as defaulted."""
    found = _classify_use(" ".join(str(b.get(k) or "") for k in ("occupancy", "object_type", "long_name", "name")))
    if found:
        return found, False
    votes: dict[str, float] = {}
    for s in spaces:
        use = _classify_use(f"{s.get('name') or ''} {s.get('long_name') or ''}")
        if use:
            votes[use] = votes.get(use, 0.0) + (_quantity(s, "NetFloorArea", "GrossFloorArea") or 1.0)
    if votes:
        return max(votes, key=votes.get), False  # type: ignore[arg-type]
    return "residential", True


def _year(b: dict[str, Any]) -> float:
    value = b.get("year")
    try:
        year = float(str(value).strip()[:4]) if value is not None else float("nan")
    except ValueError:
        return float("nan")
    return year if 1000 <= year <= 2200 else float("nan")


def _storey_z(s: dict[str, Any]) -> float | None:
    if s.get("placement_z_m") is not None:
        return float(s["placement_z_m"])
    if s.get("elevation_m") is not None:
        return float(s["elevation_m"])
    return None


def _ground_level(storeys: list[dict[str, Any]], meshes: list[geo.Mesh]) -> float:
    """Ground level (model z): the lowest storey at or above the model datum 0, else the highest
    storey below it; without storeys the lowest point of the geometry."""
    levels = [z for z in (_storey_z(s) for s in storeys) if z is not None]
    if levels:
        above = [z for z in levels if z >= -0.01]
        return min(above) if above else max(levels)
    if meshes:
        return min(m.zmin for m in meshes)
    return 0.0


def _wall_outline(mesh: geo.Mesh):
    """Ground outline of a wall: convex hull of its vertices (uncut by door openings)."""
    return shapely.MultiPoint(mesh.verts[:, :2]).convex_hull


def _probe_outward(center_xy: np.ndarray, n_xy: np.ndarray, reach: float, fp, fp_centroid: np.ndarray) -> tuple[float, bool]:
    """Sign (+1/-1) that makes ``n_xy`` point out of the footprint, and whether one side is outside."""
    norm = float(np.hypot(*n_xy))
    if norm < 1e-9 or fp.is_empty:
        return 1.0, False
    d = n_xy / norm
    plus_out = not fp.contains(shapely.Point(*(center_xy + reach * d)))
    minus_out = not fp.contains(shapely.Point(*(center_xy - reach * d)))
    if plus_out and not minus_out:
        return 1.0, True
    if minus_out and not plus_out:
        return -1.0, True
    sign = 1.0 if float(np.dot(center_xy - fp_centroid, d)) >= 0 else -1.0
    return sign, plus_out and minus_out


def _order_layers(rec: dict[str, Any], outward: np.ndarray | None) -> list[dict[str, Any]] | None:
    """Material layers of an element ordered outside -> inside.

    IfcMaterialLayerSetUsage stacks the layers from the reference line along ``DirectionSense``
    x (local Y axis for AXIS2, Z for AXIS3, X for AXIS1); when that direction points outward the
    first layer is the innermost and the list is reversed. Without a usage (or orientation) the
    file's order is kept (Revit and most tools list the exterior layer first).
    """
    layerset = rec.get("layers")
    if not layerset or not layerset.get("layers"):
        return None
    layers = [dict(x) for x in layerset["layers"]]
    usage = layerset.get("usage")
    matrix = rec.get("placement")
    if usage and matrix is not None and outward is not None:
        axis_index = {"AXIS1": 0, "AXIS2": 1, "AXIS3": 2}.get(usage["direction"], 1)
        axis = np.array(matrix)[:3, axis_index]
        sense = -1.0 if usage["sense"] == "NEGATIVE" else 1.0
        if float(np.dot(sense * axis, outward)) > 0:
            layers.reverse()
    return layers


def build_layers(
    semantics: dict[str, Any],
    meshes: dict[int, geo.Mesh],
    placement: Placement,
    *,
    path: str,
    id_prefix: str,
    result: IngestResult,
    given: Given | None = None,
) -> dict[str, pd.DataFrame]:
    """The buildings, storeys, spaces and elements layers of one IFC file.

    ``given``: the overrides rows (:class:`twin.ingest.attributes.precedence.Given`). A given
    ``use``, ``construction_year``, ``n_storeys`` or ``heating_system`` wins over the file's value
    (source ``user``, rule ``override``; :func:`~twin.ingest.attributes.precedence.given_or_file`)
    before what is derived from it: the elements' default U-values follow the year, the storey
    height (height / storeys) and the fall-back floor area (footprint x storeys) the storeys. A
    ``height_m`` is refused: the height of an IFC building is its geometry's (every building kept
    has body geometry), so its surfaces would not match; ``n_storeys`` can be given.
    """
    buildings = semantics["buildings"]
    if not buildings:
        raise InputError("the IFC file contains no IfcBuilding", path=path, obj="IfcBuilding")
    single = buildings[0]["id"] if len(buildings) == 1 else None
    ids = _Ids(id_prefix)
    parents = {e["id"]: e for e in semantics["elements"]}

    def owner(rec: dict[str, Any]) -> int | None:
        return rec.get("building") if rec.get("building") is not None else single

    rows: dict[str, list[dict[str, Any]]] = {"buildings": [], "storeys": [], "spaces": [], "elements": []}
    footprints = []
    for b in buildings:
        bid = ids(b["id"], b["global_id"])
        storeys = [s for s in semantics["storeys"] if owner(s) == b["id"]]
        spaces = [s for s in semantics["spaces"] if owner(s) == b["id"]]
        elements = [e for e in semantics["elements"] if owner(e) == b["id"]]
        others = [o for o in semantics.get("others", []) if owner(o) == b["id"]]
        elems = _analyse_elements(elements, parents, meshes, result, ids)
        building_meshes = [e.mesh for e in elems if e.mesh is not None] + [meshes[o["id"]] for o in others if o["id"] in meshes]
        if not building_meshes:
            result.drop(bid, "building without any body geometry")
            continue
        ground = _ground_level(storeys, building_meshes)
        top = max(m.zmax for m in building_meshes)
        fp_model = _footprint(elems, others, meshes, building_meshes)
        fp_centroid = np.array(fp_model.centroid.coords[0]) if not fp_model.is_empty else np.zeros(2)
        elems = _floor_roles(elems, fp_model, result, ids)
        _orient(elems, fp_model, fp_centroid, ground)
        year = _year(b)
        year, year_src, year_rule = given_or_file(given, "construction_year", bid, year, *(("data", "ifc:year") if math.isfinite(year) else ("default", "default")))
        use, use_defaulted = _use(b, spaces)
        use, use_src, use_rule = given_or_file(given, "use", bid, use, *(("default", "default") if use_defaulted else ("data", "ifc:occupancy_type_names_or_spaces")))
        storey_rows, n_storeys, storey_height = _storeys(storeys, ground, top, bid, ids)
        # the median of the storeys' own heights, else 3 m (no storey with a height)
        storey_height_src = "data" if storey_height[1] else "default"
        storey_height = storey_height[0]
        height = max(top - ground, 0.0)
        if given is not None and "height_m" in given.rows.get(bid, {}):
            refuse_geometry_height(given, bid, height_m=given.rows[bid]["height_m"], geometry_height_m=height, what="IFC geometry", source=path)
        n, s_src, s_rule = given_or_file(given, "n_storeys", bid, float(n_storeys[0]), *(("inferred", "storeys_from_height") if n_storeys[1] else ("data", "ifc:storeys")))
        if s_src == USER_SOURCE:
            n_storeys, storey_height = (int(n), False), height / n
            storey_height_src = storey_height_source(["data"], [s_src])[0]
            if storey_height < MIN_STOREY_HEIGHT_M:
                raise InputError(f"override n_storeys {int(n)} for building {bid!r} of {path} gives storeys of {storey_height:.2g} m in its "
                                 f"{height:.2f} m height (from its IFC geometry), below {MIN_STOREY_HEIGHT_M:g} m",
                                 path=given.path, obj=given.label(bid), field="n_storeys")  # fmt: skip
        system = given_or_file(given, "heating_system", bid, None, "default", "default")
        space_rows = _spaces(spaces, meshes, bid, ids)
        element_rows = _element_rows(elems, bid, ids, placement, year)
        footprint = placement.transform_geometry(fp_model)
        footprint_area = float(footprint.area)
        floor_area, floor_area_src = _floor_area(space_rows, elems, storeys, footprint_area, n_storeys, s_src)
        rows["buildings"].append(
            {
                "building_id": bid,
                "source": str(path),
                "source_format": "ifc",
                "name": b.get("name") or b.get("long_name") or "",
                "use": use,
                "use_defaulted": use_src == "default",
                "use_source": use_src,
                "use_rule": use_rule,
                "construction_year": year,
                "year_defaulted": not math.isfinite(year),
                "construction_year_source": year_src,
                "construction_year_rule": year_rule,
                "height_m": height,
                "height_defaulted": False,
                "height_m_source": "data",
                "height_m_rule": "ifc:geometry",
                "n_storeys": n_storeys[0],
                "storeys_defaulted": n_storeys[1],
                "n_storeys_source": s_src,
                "n_storeys_rule": s_rule,
                "storey_height_m": storey_height,
                "storey_height_m_source": storey_height_src,
                "ground_z_m": placement.z_offset_m + ground,
                "footprint_area_m2": footprint_area,
                "floor_area_m2": floor_area,
                "floor_area_m2_source": floor_area_src,
                "roof_kind": _roof_kind(elems),
                "roof_kind_source": "data" if _roof_kind(elems) else "default",
                "ifc_global_id": b["global_id"],
                "heating_system": system[0] or "",
                "heating_system_source": system[1],
                "heating_system_rule": system[2],
            }
        )
        footprints.append(footprint)
        rows["storeys"].extend(storey_rows)
        rows["spaces"].extend(space_rows)
        rows["elements"].extend(element_rows)
    for rec in semantics["elements"]:
        if owner(rec) is None:
            result.drop(
                ids(rec["id"], rec["global_id"]), f"{rec['ifc_class']} belongs to no IfcBuilding (several buildings in the file)"
            )
    if not rows["buildings"]:
        raise InputError("no IfcBuilding with body geometry in the file", path=path, obj="IfcBuilding")
    if all(r["heating_system_source"] != USER_SOURCE for r in rows["buildings"]):  # a file gives none: no column, as before
        for r in rows["buildings"]:
            for c in ("heating_system", "heating_system_source", "heating_system_rule"):
                del r[c]
    layers: dict[str, pd.DataFrame] = {
        "buildings": gpd.GeoDataFrame(pd.DataFrame(rows["buildings"]), geometry=footprints, crs=placement.crs),
        "storeys": pd.DataFrame(rows["storeys"], columns=["storey_id", "building_id", "name", "elevation_m", "height_m"]),
        "spaces": pd.DataFrame(
            rows["spaces"], columns=["space_id", "building_id", "storey_id", "name", "floor_area_m2", "volume_m3", "area_source"]
        ),
        "elements": pd.DataFrame(rows["elements"]),
    }
    return layers


def _analyse_elements(elements, parents, meshes, result: IngestResult, ids: _Ids) -> list[_Elem]:
    out: list[_Elem] = []
    for rec in elements:
        eid = ids(rec["id"], rec["global_id"])
        parts = [meshes[p] for p in rec.get("parts", []) if p in meshes]
        mesh = meshes.get(rec["id"])
        if mesh is None and parts:
            mesh = geo.merge(parts)
        kind, reason = _classify(rec, parents, mesh)
        if kind is None:
            result.drop(eid, reason)
            continue
        if rec["ifc_class"] == "IfcRoof" and (mesh is None or rec.get("slab_parts")):
            result.drop(eid, "IfcRoof made of slabs: its slabs are read as the roof elements")
            continue
        parent = parents.get(rec.get("aggregate") or -1)
        if parent is not None:  # a slab of a roof, a plate of a curtain wall: inherit what it lacks
            rec = dict(rec)
            for key in ("layers", "thermal_transmittance", "is_external"):
                if rec.get(key) is None and parent.get(key) is not None:
                    rec[key] = parent[key]
        e = _Elem(rec, kind, mesh)
        if mesh is not None:
            _measure(e)
        out.append(e)
    # windows and doors: in the plane of the host wall, area of the silhouette
    by_step = {e.rec["id"]: e for e in out}
    for e in out:
        if e.kind in ("window", "door") and e.rec["ifc_class"] != "IfcCurtainWall":
            host = _host(e, by_step, parents)
            if host is not None:
                e.host_eid = ids(host.rec["id"], host.rec["global_id"])
                e.extra["host"] = host
            if e.mesh is None:
                if e.rec.get("placement") is not None:
                    e.center = np.array(e.rec["placement"])[:3, 3]
                    wall = host if host is not None else _nearest_wall(e.center, out)
                    if wall is not None and wall.normal is not None:
                        e.normal = wall.normal.copy()
                        e.extra["host"] = wall
                continue
            e.normal = host.normal.copy() if host is not None and host.normal is not None else geo.thin_axis(e.mesh)
            e.area_m2 = geo.silhouette_area(e.mesh, e.normal)
            e.center = e.mesh.verts.mean(axis=0)
    kept = []
    for e in out:
        if not (math.isfinite(e.area_m2) and e.area_m2 > 0):
            q = _quantity(e.rec, "NetSideArea", "NetArea", "Area", "GrossSideArea", "GrossArea")
            if q is not None:
                e.area_m2, e.area_source = q, "quantity"
            elif e.rec.get("overall_m"):
                e.area_m2, e.area_source = float(np.prod(e.rec["overall_m"])), "overall width x height"
            else:
                result.drop(ids(e.rec["id"], e.rec["global_id"]), "no usable body geometry and no area in its quantity sets")
                continue
        kept.append(e)
    return kept


def _nearest_wall(point: np.ndarray, elems: list[_Elem], tol_m: float = 0.1) -> _Elem | None:
    """The wall whose body contains ``point`` (within ``tol_m``): the host of a window without relations."""
    best, best_d = None, float("inf")
    for w in elems:
        if w.kind != "wall" or w.sides is None or w.mesh is None:
            continue
        lo, hi = w.mesh.verts.min(axis=0) - tol_m, w.mesh.verts.max(axis=0) + tol_m
        if np.any(point < lo) or np.any(point > hi):
            continue
        d = abs(float(np.dot(point - w.sides.centroid, w.sides.normal)))
        if d <= 0.5 * w.extra.get("thickness_m", 0.0) + tol_m and d < best_d:
            best, best_d = w, d
    return best


def _host(e: _Elem, by_step: dict[int, _Elem], parents: dict[int, dict[str, Any]]) -> _Elem | None:
    """The element hosting a window/door; an opening in a roof made of slabs goes to the nearest slab."""
    step = e.rec.get("host")
    if step is None:
        return None
    if step in by_step:
        return by_step[step]
    roof = parents.get(step)
    if roof is None or e.mesh is None:
        return None
    slabs = [by_step[i] for i in roof.get("slab_parts", []) if i in by_step and by_step[i].mesh is not None]
    if not slabs:
        return None
    center = e.mesh.verts.mean(axis=0)
    return min(slabs, key=lambda h: float(np.linalg.norm(h.mesh.verts.mean(axis=0) - center)))  # type: ignore[union-attr]


def _measure(e: _Elem) -> None:
    mesh = e.mesh
    assert mesh is not None
    if e.kind == "wall" or e.rec["ifc_class"] == "IfcCurtainWall":
        sides = geo.wall_sides(mesh)
        if sides is None:
            return
        e.sides = sides
        e.area_m2 = 0.5 * (sides.area_a_m2 + sides.area_b_m2)
        e.normal = sides.normal.copy()
        e.center = sides.centroid
        e.extra["thickness_m"] = abs(float(np.dot(sides.centroid_a - sides.centroid_b, sides.normal)))
    elif e.kind == "roof":
        face, total = geo.slab_faces(mesh, up=True)
        if face is None:
            return
        e.area_m2, e.normal, e.center = total, face.normal, face.centroid
    elif e.kind == "floor":
        face, total = geo.slab_faces(mesh, up=False)
        if face is None:
            return
        e.area_m2, e.normal, e.center = total, np.array([0.0, 0.0, -1.0]), face.centroid


def _footprint(elems: list[_Elem], others, meshes, building_meshes):
    outlines = [_wall_outline(e.mesh) for e in elems if e.kind == "wall" and e.mesh is not None]
    outlines += [geo.ground_outline(e.mesh) for e in elems if e.rec["ifc_class"] == "IfcCurtainWall" and e.mesh is not None]
    outlines += [geo.ground_outline(meshes[o["id"]]) for o in others if o["ifc_class"] in FOOTPRINT_CLASSES and o["id"] in meshes]
    fp = geo.footprint(outlines)
    if outlines and not fp.is_empty and fp.area < 1.5 * shapely.union_all(outlines).area:
        # the walls enclose (almost) nothing: a partial model (e.g. one trade's walls); the
        # convex hull of the walls is the better guess of the footprint
        fp = shapely.union_all(outlines).convex_hull
    if fp.is_empty:
        fp = geo.footprint([geo.ground_outline(e.mesh) for e in elems if e.kind == "floor" and e.mesh is not None])
    if fp.is_empty:
        fp = geo.footprint([geo.ground_outline(m) for m in building_meshes])
    return fp


def _floor_roles(elems: list[_Elem], fp, result: IngestResult, ids: _Ids) -> list[_Elem]:
    """Drop floor slabs outside the footprint (terraces), flag finish layers stacked on a slab.

    A floor slab whose bottom lies within 5 cm of the top of another floor slab covering at
    least 90 % of its outline is a finish layer (Revit's "Finish Floor"): ``extra['stacked']``.
    """
    floors = [e for e in elems if e.kind == "floor" and e.mesh is not None]
    outlines = {id(e): geo.ground_outline(e.mesh) for e in floors}  # type: ignore[arg-type]
    kept = []
    for e in elems:
        if e.kind == "floor" and e.mesh is not None and not fp.is_empty:
            outline = outlines[id(e)]
            if outline.area > 0 and outline.intersection(fp).area < 0.1 * outline.area:
                result.drop(
                    ids(e.rec["id"], e.rec["global_id"]),
                    "floor slab outside the building footprint (terrace, patio): not part of the envelope",
                )
                continue
            for other in floors:
                if other is e or abs(e.mesh.zmin - other.mesh.zmax) > 0.05:  # type: ignore[union-attr]
                    continue
                if outline.area > 0 and outline.intersection(outlines[id(other)]).area >= 0.9 * outline.area:
                    e.extra["stacked"] = True
                    break
        kept.append(e)
    return kept


def _orient(elems: list[_Elem], fp, fp_centroid: np.ndarray, ground: float) -> None:
    """Outward normals and boundary kinds."""
    floors = [e for e in elems if e.kind == "floor" and e.mesh is not None and not e.extra.get("stacked")]
    lowest = min((e.mesh.zmin for e in floors), default=None)  # type: ignore[union-attr]
    for e in elems:
        ext = e.rec.get("is_external")
        if e.kind == "wall" or e.rec["ifc_class"] == "IfcCurtainWall":
            if e.normal is None:
                e.boundary = "exterior" if ext else "interior"
                continue
            reach = 0.5 * e.extra.get("thickness_m", 0.2) + 0.3
            sign, one_side_out = _probe_outward(e.center[:2], e.normal[:2], reach, fp, fp_centroid)
            e.normal = sign * e.normal
            on_outline = _on_outline(e, fp)
            exterior = bool(ext) if ext is not None else (one_side_out or on_outline)
            e.boundary = "exterior" if exterior else "interior"
            if exterior and e.mesh is not None and e.mesh.zmax <= ground + 0.05:
                e.boundary = "ground"
        elif e.kind == "roof":
            e.boundary = "exterior"
        elif e.kind == "floor":
            ptype = e.rec["predefined_type"].upper()
            is_lowest = (
                e.mesh is not None and lowest is not None and e.mesh.zmin <= lowest + 0.3 and e.mesh.zmax <= ground + GROUND_TOL_M
            )
            if e.extra.get("stacked"):
                e.boundary = "interior"
            elif ptype == "BASESLAB" or is_lowest:
                e.boundary = "ground"
            elif ext:
                e.boundary = "exterior"
            else:
                e.boundary = "interior"
    for e in elems:
        if e.kind not in ("window", "door") or e.rec["ifc_class"] == "IfcCurtainWall":
            continue
        host = e.extra.get("host")
        if host is not None and host.normal is not None:
            e.normal = host.normal.copy()
        elif e.normal is not None and abs(e.normal[2]) > 0.5:
            e.normal = e.normal if e.normal[2] > 0 else -e.normal  # a skylight faces up
        elif e.normal is not None and e.center is not None:
            sign, _ = _probe_outward(e.center[:2], e.normal[:2], 0.5, fp, fp_centroid)
            e.normal = sign * e.normal
        ext = e.rec.get("is_external")
        if host is not None and host.boundary != "interior":
            # an opening in an exterior wall or a roof leads outside, whatever IsExternal says
            # (Revit writes IsExternal FALSE on skylights)
            e.boundary = "exterior"
        elif ext is not None:
            e.boundary = "exterior" if ext else "interior"
        elif host is not None:
            e.boundary = "interior"
        elif e.kind == "window":
            e.boundary = "exterior"  # an interior window without any hint is rare
        elif e.center is not None and not fp.is_empty:
            near_outline = fp.boundary.distance(shapely.Point(*e.center[:2])) < 0.5
            e.boundary = "exterior" if near_outline else "interior"


def _on_outline(e: _Elem, fp) -> bool:
    if e.sides is None or fp.is_empty:
        return False
    boundary = fp.boundary
    da = boundary.distance(shapely.Point(*e.sides.centroid_a[:2]))
    db = boundary.distance(shapely.Point(*e.sides.centroid_b[:2]))
    return min(da, db) < 0.15


def _storeys(storeys, ground: float, top: float, bid: str, ids: _Ids):
    """Storey rows, (n_storeys, defaulted) and the typical storey height."""
    ordered = sorted(storeys, key=lambda s: _storey_z(s) if _storey_z(s) is not None else 0.0)
    levels = [_storey_z(s) for s in ordered]
    rows = []
    heights_above = []
    counted = 0
    for i, s in enumerate(ordered):
        z = levels[i]
        nxt = next(
            (levels[j] for j in range(i + 1, len(ordered)) if levels[j] is not None and z is not None and levels[j] > z + 0.01),
            None,
        )
        q = _quantity(s, "GrossHeight", "Height")
        if z is None:
            height = q if q is not None else float("nan")
        elif nxt is not None:
            height = nxt - z
        else:
            height = q if q is not None else max(top - z, 0.0)
        rows.append(
            {
                "storey_id": ids(s["id"], s["global_id"]),
                "building_id": bid,
                "name": s.get("name", ""),
                "elevation_m": z if z is not None else float("nan"),
                "height_m": height,
            }
        )
        # a storey counts when it is at or above ground and leaves room for a floor below the top
        if z is not None and z >= ground - 0.01 and top - z >= 1.8:
            counted += 1
            if math.isfinite(height) and height > 0:
                heights_above.append(height if nxt is not None else min(height, 4.0))
    if counted:
        n = (counted, False)
    else:
        n = (max(1, round((top - ground) / 3.0)), True)
    storey_height = (float(np.median(heights_above)), True) if heights_above else (3.0, False)
    return rows, n, storey_height


def _spaces(spaces, meshes, bid: str, ids: _Ids):
    rows = []
    for s in spaces:
        area = _quantity(s, "NetFloorArea", "GrossFloorArea")
        volume = _quantity(s, "NetVolume", "GrossVolume")
        source = "quantity"
        mesh = meshes.get(s["id"])
        if (area is None or volume is None) and mesh is not None:
            if area is None:
                area = mesh.floor_area_m2()
            if volume is None:
                volume = mesh.volume_m3()
            source = "geometry" if _quantity(s, "NetFloorArea", "GrossFloorArea") is None else "quantity+geometry"
        rows.append(
            {
                "space_id": ids(s["id"], s["global_id"]),
                "building_id": bid,
                "storey_id": ids(s["storey"], None) if s.get("storey") in ids.by_step else "",
                "name": " ".join(x for x in (s.get("name"), s.get("long_name")) if x),
                "floor_area_m2": float("nan") if area is None else area,
                "volume_m3": float("nan") if volume is None else volume,
                "area_source": source if (area is not None or volume is not None) else "none",
            }
        )
    return rows


def _element_rows(elems: list[_Elem], bid: str, ids: _Ids, placement: Placement, year: float):
    rows = []
    for e in elems:
        rec = e.rec
        normal = e.normal
        if normal is not None:
            tilt = geo.tilt_deg(normal)
            azimuth = placement.azimuth_deg(normal) if 1.0 < tilt < 179.0 else float("nan")
        else:
            tilt = {"wall": 90.0, "window": 90.0, "door": 90.0, "roof": 0.0, "floor": 180.0}[e.kind]
            azimuth = float("nan")
        outward = None if normal is None else normal / np.linalg.norm(normal)
        layers = _order_layers(rec, outward)
        u = element_u(
            kind=e.kind,
            boundary=e.boundary,
            tilt_deg=tilt,
            layers=layers,
            thermal_transmittance=rec.get("thermal_transmittance"),
            year=year,
        )
        rows.append(
            {
                "element_id": ids(rec["id"], rec["global_id"]),
                "building_id": bid,
                "storey_id": ids(rec["storey"], None) if rec.get("storey") in ids.by_step else "",
                "kind": e.kind,
                "ifc_class": rec["ifc_class"],
                "name": rec.get("name") or rec.get("object_type") or "",
                "area_m2": float(e.area_m2),
                "azimuth_deg": azimuth,
                "tilt_deg": tilt,
                "u_value_w_m2k": u.u_value_w_m2k,
                "u_value_source": u.source,
                "u_defaulted": u.defaulted,
                "layers_json": u.layers_json,
                "boundary": e.boundary,
                "neighbour_id": "",
                "host_id": e.host_eid,
                "source_id": rec["global_id"],
                "area_source": e.area_source,
                "u_value_note": u.note,
                "predefined_type": rec["predefined_type"],
            }
        )
    return rows


def _floor_area(space_rows, elems: list[_Elem], storeys, footprint_area: float, n_storeys, storeys_source: str) -> tuple[float, str]:
    """Net floor area of the spaces; else the union of floor slabs per storey (both ``data``);
    else footprint x storeys (:func:`twin.scene.provenance.derived_floor_area_source`)."""
    areas = [r["floor_area_m2"] for r in space_rows if math.isfinite(r["floor_area_m2"])]
    if areas:
        return float(sum(areas)), "data"
    floors = [e for e in elems if e.kind == "floor" and e.mesh is not None]
    if floors:
        total = 0.0
        for key in {e.rec.get("storey") for e in floors}:
            outlines = [geo.ground_outline(e.mesh) for e in floors if e.rec.get("storey") == key]  # type: ignore[arg-type]
            total += float(shapely.union_all(outlines).area)
        if total > 0:
            return total, "data"
    return footprint_area * n_storeys[0], str(derived_floor_area_source([storeys_source])[0])


def _roof_kind(elems: list[_Elem]) -> str:
    for e in elems:
        if e.rec["ifc_class"] == "IfcRoof" and e.rec["predefined_type"].upper() in ROOF_KINDS:
            return ROOF_KINDS[e.rec["predefined_type"].upper()]
    roofs = [e for e in elems if e.kind == "roof" and e.normal is not None]
    if not roofs:
        return ""
    tilts = [geo.tilt_deg(e.normal) for e in roofs]
    if max(tilts) < 5.0:
        return "flat"
    pitched = [e for e, t in zip(roofs, tilts, strict=True) if t >= 5.0]
    directions = {round(math.degrees(math.atan2(e.normal[0], e.normal[1])) / 45.0) % 8 for e in pitched}
    if len(directions) == 1:
        return "shed"
    if len(directions) == 2:
        return "gabled"
    return "hipped"
