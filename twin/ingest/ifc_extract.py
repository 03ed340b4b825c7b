"""Read what an IFC file says about its buildings, with ifcopenshell, into plain JSON-able data.

This module runs in the child process started by :mod:`twin.ingest.ifc` (through
:mod:`twin.ingest.ifc_worker`): it is the only part of the IFC reader that touches
ifcopenshell, whose C++ core can crash on malformed input. It produces

* :func:`extract_semantics`: units, georeference (IfcMapConversion / IfcProjectedCRS, IfcSite
  latitude and longitude, true north), buildings, storeys, spaces and the envelope elements
  (walls, curtain walls, roofs, slabs, windows, doors) with their property sets, quantity sets,
  material layers and relationships (containment, openings, fillings); all lengths in metres.
* :func:`extract_meshes`: triangulated body geometry in world coordinates (metres) from
  ifcopenshell's geometry iterator, as flat arrays.

No analysis happens here (areas, normals and U-values are computed in the parent process from
these data), so the child stays small and its output is easy to check.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

#: Element classes read as envelope elements; subclasses (IfcWallStandardCase...) included.
ELEMENT_CLASSES = ("IfcWall", "IfcCurtainWall", "IfcRoof", "IfcSlab", "IfcWindow", "IfcDoor")

#: Building elements whose geometry is not computed: inside or below the envelope, they
#: change neither the footprint nor the height, and their booleans are slow.
SKIPPED_CLASSES = ("IfcStair", "IfcStairFlight", "IfcRamp", "IfcRampFlight", "IfcRailing", "IfcFooting", "IfcPile")

_LENGTH_WORDS = ("Length", "Width", "Height", "Depth", "Perimeter", "Thickness")


def _scales(model) -> dict[str, float]:
    """Factors from the project's units to metres, square metres and cubic metres."""
    import ifcopenshell.util.unit as uu

    length = float(uu.calculate_unit_scale(model, "LENGTHUNIT"))
    area = float(uu.calculate_unit_scale(model, "AREAUNIT")) if uu.get_project_unit(model, "AREAUNIT") else length**2
    volume = float(uu.calculate_unit_scale(model, "VOLUMEUNIT")) if uu.get_project_unit(model, "VOLUMEUNIT") else length**3
    return {"length": length, "area": area, "volume": volume}


def _plain(value: Any) -> Any:
    """A property value as a JSON-able scalar (entity references become their step id)."""
    if isinstance(value, bool | int | float | str) or value is None:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    try:
        return int(value.id())
    except Exception:  # noqa: BLE001 - anything else becomes its text
        return str(value)


def _psets(element) -> dict[str, dict[str, Any]]:
    import ifcopenshell.util.element as ue

    out: dict[str, dict[str, Any]] = {}
    for name, props in ue.get_psets(element).items():
        out[name] = {k: _plain(v) for k, v in props.items() if k != "id"}
    return out


def _quantities(psets: dict[str, dict[str, Any]], scales: dict[str, float]) -> dict[str, dict[str, float]]:
    """Quantity sets (Qto_*, BaseQuantities) converted to SI: m, m2, m3."""
    out: dict[str, dict[str, float]] = {}
    for name, props in psets.items():
        if not (name.startswith("Qto_") or name == "BaseQuantities"):
            continue
        conv: dict[str, float] = {}
        for key, value in props.items():
            if not isinstance(value, int | float) or isinstance(value, bool):
                continue
            if "Area" in key:
                conv[key] = value * scales["area"]
            elif "Volume" in key:
                conv[key] = value * scales["volume"]
            elif any(w in key for w in _LENGTH_WORDS):
                conv[key] = value * scales["length"]
        out[name] = conv
    return out


def _common(psets: dict[str, dict[str, Any]], key: str) -> Any:
    """Value of ``key`` from the standard ``Pset_*Common`` sets, else None."""
    for name, props in psets.items():
        if name.startswith("Pset_") and name.endswith("Common") and props.get(key) is not None:
            return props[key]
    return None


def _compound_angle(value) -> float | None:
    """IfcCompoundPlaneAngleMeasure (deg, min, s, millionth s) to decimal degrees."""
    if value is None:
        return None
    parts = [float(v) for v in value] + [0.0] * (4 - len(value))
    return parts[0] + parts[1] / 60.0 + (parts[2] + parts[3] / 1e6) / 3600.0


def _placement(element, scale: float) -> list[list[float]] | None:
    """4x4 world matrix of an object placement (translation in metres), None if unusable."""
    import ifcopenshell.util.placement as up

    placement = getattr(element, "ObjectPlacement", None)
    if placement is None:
        return None
    try:
        matrix = np.array(up.get_local_placement(placement), dtype=float)
    except (RecursionError, Exception):  # noqa: BLE001 - cyclic or broken placements
        return None
    if matrix.shape != (4, 4) or not np.all(np.isfinite(matrix)):
        return None
    matrix[:3, 3] *= scale
    return matrix.tolist()


def _unit_scale(unit) -> float | None:
    """Metres per unit of an IfcNamedUnit (SI with prefix, or conversion based), None if unknown."""
    import ifcopenshell.util.unit as uu

    try:
        if unit.is_a("IfcSIUnit"):
            return float(uu.get_prefix_multiplier(unit.Prefix)) if unit.Prefix else 1.0
        if unit.is_a("IfcConversionBasedUnit"):
            factor = unit.ConversionFactor
            inner = _unit_scale(factor.UnitComponent) or 1.0
            return float(factor.ValueComponent.wrappedValue) * inner
    except Exception:  # noqa: BLE001 - an odd unit is reported as unknown
        return None
    return None


def _georeference(model, scales: dict[str, float]) -> dict[str, Any]:
    """IfcMapConversion + IfcProjectedCRS (IFC4), IfcSite reference point, true north."""
    geo: dict[str, Any] = {"map_conversion": None, "site": None, "true_north": None}
    if model.schema != "IFC2X3":
        for conversion in model.by_type("IfcMapConversion"):
            crs = conversion.TargetCRS
            map_unit = None
            if crs is not None and getattr(crs, "MapUnit", None) is not None:
                map_unit = _unit_scale(crs.MapUnit)
            geo["map_conversion"] = {
                "eastings": float(conversion.Eastings),
                "northings": float(conversion.Northings),
                "orthogonal_height": float(conversion.OrthogonalHeight),
                "x_axis_abscissa": None if conversion.XAxisAbscissa is None else float(conversion.XAxisAbscissa),
                "x_axis_ordinate": None if conversion.XAxisOrdinate is None else float(conversion.XAxisOrdinate),
                "scale": None if conversion.Scale is None else float(conversion.Scale),
                "crs_name": None if crs is None else crs.Name,
                "crs_geodetic_datum": None if crs is None else getattr(crs, "GeodeticDatum", None),
                "map_unit_m": map_unit,
                "project_unit_m": scales["length"],
                "step_id": int(conversion.id()),
            }
            break
    for context in model.by_type("IfcGeometricRepresentationContext"):
        if context.is_a() == "IfcGeometricRepresentationContext" and context.TrueNorth is not None:
            ratios = [float(v) for v in context.TrueNorth.DirectionRatios]
            geo["true_north"] = ratios[:2]
            break
    sites = model.by_type("IfcSite")
    epset: dict[str, Any] = {}
    for holder in [*model.by_type("IfcProject"), *sites]:
        for name, props in _psets(holder).items():
            if name in ("ePSet_MapConversion", "ePSet_ProjectedCRS"):
                epset[name] = props
    geo["epset"] = epset or None
    for site in sites:
        lat = _compound_angle(site.RefLatitude)
        lon = _compound_angle(site.RefLongitude)
        if lat is None or lon is None:
            continue
        matrix = _placement(site, scales["length"])
        geo["site"] = {
            "global_id": site.GlobalId,
            "latitude_deg": lat,
            "longitude_deg": lon,
            "elevation_m": None if site.RefElevation is None else float(site.RefElevation) * scales["length"],
            "origin": None if matrix is None else [matrix[0][3], matrix[1][3], matrix[2][3]],
        }
        break
    return geo


def _material_layers(element, scales: dict[str, float]) -> dict[str, Any] | None:
    """Material layer set of an element (or of its type), with thicknesses in metres."""
    import ifcopenshell.util.element as ue

    material = ue.get_material(element, should_inherit=True)
    if material is None:
        return None
    usage = None
    if material.is_a("IfcMaterialLayerSetUsage"):
        usage = {
            "direction": str(material.LayerSetDirection),
            "sense": str(material.DirectionSense),
            "offset_m": float(material.OffsetFromReferenceLine or 0.0) * scales["length"],
        }
        material = material.ForLayerSet
    if not material.is_a("IfcMaterialLayerSet"):
        return None
    layers = []
    for layer in material.MaterialLayers or ():
        mat = layer.Material
        layers.append(
            {
                "material": "" if mat is None else (mat.Name or ""),
                "thickness_m": float(layer.LayerThickness or 0.0) * scales["length"],
                "conductivity_w_mk": None if mat is None else _conductivity(mat),
                "ventilated": None if getattr(layer, "IsVentilated", None) is None else str(layer.IsVentilated),
            }
        )
    return {"name": material.LayerSetName or "", "usage": usage, "layers": layers}


def _conductivity(material) -> float | None:
    """Thermal conductivity in W/(m K) stated in the file for a material, None if absent or <= 0.

    IFC4: IfcMaterialProperties 'Pset_MaterialThermal'.ThermalConductivity; IFC2X3:
    IfcThermalMaterialProperties.ThermalConductivity. Zero (a common exporter placeholder) is
    treated as unknown.
    """
    for props in getattr(material, "HasProperties", None) or ():
        if props.is_a("IfcThermalMaterialProperties"):
            value = props.ThermalConductivity
            if value is not None and float(value) > 0:
                return float(value)
        if props.is_a("IfcMaterialProperties"):
            for prop in props.Properties or ():
                if prop.Name == "ThermalConductivity" and getattr(prop, "NominalValue", None) is not None:
                    value = float(prop.NominalValue.wrappedValue)
                    if value > 0:
                        return value
    if hasattr(material, "HasProperties"):
        return None
    # IFC2X3: material properties point at the material, no inverse attribute
    for props in material.file.by_type("IfcThermalMaterialProperties"):
        if props.Material == material and props.ThermalConductivity is not None and float(props.ThermalConductivity) > 0:
            return float(props.ThermalConductivity)
    return None


def _container(element):
    import ifcopenshell.util.element as ue

    container = ue.get_container(element)
    parent = element
    while container is None:
        parent = ue.get_aggregate(parent)
        if parent is None:
            return None
        if parent.is_a("IfcSpatialStructureElement") or parent.is_a("IfcSpatialElement"):
            return parent
        container = ue.get_container(parent)
    return container


def _building_of(spatial):
    import ifcopenshell.util.element as ue

    node = spatial
    for _ in range(16):
        if node is None:
            return None
        if node.is_a("IfcBuilding"):
            return node
        node = ue.get_aggregate(node) or ue.get_container(node)
    return None


def _storey_of(spatial):
    import ifcopenshell.util.element as ue

    node = spatial
    for _ in range(16):
        if node is None or node.is_a("IfcBuilding") or node.is_a("IfcSite"):
            return None
        if node.is_a("IfcBuildingStorey"):
            return node
        node = ue.get_aggregate(node) or ue.get_container(node)
    return None


def _host(element) -> int | None:
    """Step id of the element whose opening this window/door fills."""
    for rel in getattr(element, "FillsVoids", None) or ():
        opening = rel.RelatingOpeningElement
        for void in getattr(opening, "VoidsElements", None) or ():
            return int(void.RelatingBuildingElement.id())
    return None


def _aggregate_parent(element) -> int | None:
    import ifcopenshell.util.element as ue

    parent = ue.get_aggregate(element)
    return None if parent is None else int(parent.id())


def extract_semantics(model) -> dict[str, Any]:
    """Everything but geometry, as JSON-able data (see the module docstring)."""
    scales = _scales(model)
    out: dict[str, Any] = {
        "schema": model.schema,
        "scales": scales,
        "georeference": _georeference(model, scales),
        "project": None,
        "buildings": [],
        "storeys": [],
        "spaces": [],
        "elements": [],
    }
    projects = model.by_type("IfcProject")
    if projects:
        out["project"] = {"global_id": projects[0].GlobalId, "name": projects[0].Name or ""}
    for building in model.by_type("IfcBuilding"):
        psets = _psets(building)
        out["buildings"].append(
            {
                "id": int(building.id()),
                "global_id": building.GlobalId,
                "name": building.Name or "",
                "long_name": getattr(building, "LongName", None) or "",
                "object_type": building.ObjectType or "",
                "year": _common(psets, "YearOfConstruction"),
                "occupancy": _common(psets, "OccupancyType"),
                "quantities": _quantities(psets, scales),
                "elevation_of_ref_height_m": None
                if getattr(building, "ElevationOfRefHeight", None) is None
                else float(building.ElevationOfRefHeight) * scales["length"],
                "elevation_of_terrain_m": None
                if getattr(building, "ElevationOfTerrain", None) is None
                else float(building.ElevationOfTerrain) * scales["length"],
                "placement": _placement(building, scales["length"]),
            }
        )
    for storey in model.by_type("IfcBuildingStorey"):
        building = _building_of(storey)
        psets = _psets(storey)
        matrix = _placement(storey, scales["length"])
        out["storeys"].append(
            {
                "id": int(storey.id()),
                "global_id": storey.GlobalId,
                "name": storey.Name or "",
                "building": None if building is None else int(building.id()),
                "elevation_m": None if storey.Elevation is None else float(storey.Elevation) * scales["length"],
                "placement_z_m": None if matrix is None else matrix[2][3],
                "quantities": _quantities(psets, scales),
            }
        )
    for space in model.by_type("IfcSpace"):
        container = _container(space)
        storey = _storey_of(container) if container is not None else None
        building = _building_of(container) if container is not None else None
        psets = _psets(space)
        out["spaces"].append(
            {
                "id": int(space.id()),
                "global_id": space.GlobalId,
                "name": space.Name or "",
                "long_name": space.LongName or "",
                "storey": None if storey is None else int(storey.id()),
                "building": None if building is None else int(building.id()),
                "quantities": _quantities(psets, scales),
            }
        )
    seen: set[int] = set()
    for cls in ELEMENT_CLASSES:
        for element in model.by_type(cls):
            if element.id() in seen:
                continue
            seen.add(element.id())
            out["elements"].append(_element_record(element, scales))
    out["others"] = []
    built = "IfcBuiltElement" if model.schema.startswith("IFC4X3") else "IfcBuildingElement"
    parts = {p for rec in out["elements"] for p in rec["parts"]}
    for element in model.by_type(built):
        if element.id() in seen or element.id() in parts or not has_body(element):
            continue
        if any(element.is_a(c) for c in SKIPPED_CLASSES):
            continue
        container = _container(element)
        building = _building_of(container) if container is not None else None
        out["others"].append(
            {"id": int(element.id()), "ifc_class": element.is_a(), "building": None if building is None else int(building.id())}
        )
    out["problems"] = _placement_problems(model)
    return out


def _placement_problems(model) -> list[str]:
    """Cyclic IfcLocalPlacement chains (they crash ifcopenshell's geometry iterator)."""
    problems = []
    for placement in model.by_type("IfcLocalPlacement"):
        seen = {placement.id()}
        node = placement.PlacementRelTo
        while node is not None:
            if node.id() in seen:
                problems.append(
                    f"cyclic placement: IfcLocalPlacement #{placement.id()} is placed relative to itself (via #{node.id()})"
                )
                break
            seen.add(node.id())
            node = getattr(node, "PlacementRelTo", None)
    return problems


_NOT_BODY = ("Curve2D", "Curve3D", "Curve", "GeometricCurveSet", "Point", "PointCloud", "Annotation2D", "BoundingBox")


def has_body(element) -> bool:
    """True when the product has a 3-D representation (not only an axis, a footprint curve or a box)."""
    shape = getattr(element, "Representation", None)
    for rep in getattr(shape, "Representations", None) or ():
        if (
            rep.RepresentationIdentifier in (None, "", "Body", "Facetation", "Body-FallBack")
            and rep.RepresentationType not in _NOT_BODY
        ):
            return True
    return False


def _element_record(element, scales: dict[str, float]) -> dict[str, Any]:
    psets = _psets(element)
    container = _container(element)
    storey = _storey_of(container) if container is not None else None
    building = _building_of(container) if container is not None else None
    is_external = _common(psets, "IsExternal")
    u_prop = _common(psets, "ThermalTransmittance")
    rec = {
        "id": int(element.id()),
        "global_id": element.GlobalId,
        "ifc_class": element.is_a(),
        "predefined_type": str(getattr(element, "PredefinedType", None) or ""),
        "name": element.Name or "",
        "object_type": getattr(element, "ObjectType", None) or "",
        "storey": None if storey is None else int(storey.id()),
        "building": None if building is None else int(building.id()),
        "is_external": None if is_external is None else bool(is_external),
        "thermal_transmittance": None if not isinstance(u_prop, int | float) else float(u_prop),
        "quantities": _quantities(psets, scales),
        "layers": _material_layers(element, scales),
        "placement": _placement(element, scales["length"]),
        "host": _host(element) if element.is_a("IfcWindow") or element.is_a("IfcDoor") else None,
        "aggregate": _aggregate_parent(element),
        "has_body": has_body(element),
        "parts": [],
        "slab_parts": [],
        "overall_m": None,
    }
    width, height = getattr(element, "OverallWidth", None), getattr(element, "OverallHeight", None)
    if width and height:
        rec["overall_m"] = [float(width) * scales["length"], float(height) * scales["length"]]
    # direct aggregation children (not the windows/openings nested deeper): the body of an
    # element that has none of its own (a curtain wall of plates, a wall of blocks as
    # IfcBuildingElementPart); the slabs of a roof are elements of their own
    children = [c for rel in getattr(element, "IsDecomposedBy", None) or () for c in rel.RelatedObjects]
    rec["slab_parts"] = [int(c.id()) for c in children if c.is_a("IfcSlab")]
    rec["parts"] = [
        int(c.id())
        for c in children
        if c.is_a("IfcElement")
        and has_body(c)
        and not (c.is_a("IfcSlab") or c.is_a("IfcOpeningElement") or c.is_a("IfcWindow") or c.is_a("IfcDoor"))
    ]
    return rec


MAX_MESH_VERTICES = 20_000_000
"""Most triangle-mesh vertices one model may produce (480 MB of coordinates); a building model
has a few hundred thousand. More means a model that multiplies its geometry without bound."""


class MeshLimitError(RuntimeError):
    """The model's geometry is larger than :data:`MAX_MESH_VERTICES`."""


def extract_meshes(model, step_ids: Iterable[int], threads: int = 1, *, max_vertices: int = MAX_MESH_VERTICES) -> dict[str, np.ndarray]:
    """Triangle meshes of the given products from ifcopenshell's geometry iterator.

    Coordinates are world coordinates in metres (``use-world-coords``), openings subtracted
    from their hosts (the iterator's default). Returns ``ids`` (step id per mesh),
    ``vert_offsets``/``face_offsets`` (CSR-style, length n+1), ``verts`` (float64, (V, 3)) and
    ``faces`` (int32, (F, 3), indices local to each mesh).

    Raises
    ------
    MeshLimitError
        More than ``max_vertices`` vertices in all.
    """
    import ifcopenshell.geom

    products = [model.by_id(i) for i in step_ids]
    ids: list[int] = []
    verts: list[np.ndarray] = []
    faces: list[np.ndarray] = []
    n_vertices = 0
    if products:
        settings = ifcopenshell.geom.settings()
        settings.set("use-world-coords", True)
        iterator = ifcopenshell.geom.iterator(settings, model, max(1, int(threads)), include=products)
        if iterator.initialize():
            while True:
                shape = iterator.get()
                geometry = shape.geometry
                v = np.frombuffer(geometry.verts_buffer, dtype=np.float64).reshape(-1, 3)
                f = np.frombuffer(geometry.faces_buffer, dtype=np.int32).reshape(-1, 3)
                if len(f):
                    n_vertices += len(v)
                    if n_vertices > max_vertices:
                        raise MeshLimitError(
                            f"the model's geometry has more than {max_vertices:,} mesh vertices "
                            f"(reached at #{int(shape.id)}); a building has far fewer"
                        )
                    ids.append(int(shape.id))
                    verts.append(v.copy())
                    faces.append(f.copy())
                if not iterator.next():
                    break
    vert_offsets = np.zeros(len(ids) + 1, dtype=np.int64)
    face_offsets = np.zeros(len(ids) + 1, dtype=np.int64)
    if ids:
        vert_offsets[1:] = np.cumsum([len(v) for v in verts])
        face_offsets[1:] = np.cumsum([len(f) for f in faces])
    return {
        "ids": np.asarray(ids, dtype=np.int64),
        "vert_offsets": vert_offsets,
        "face_offsets": face_offsets,
        "verts": np.concatenate(verts) if verts else np.zeros((0, 3)),
        "faces": np.concatenate(faces) if faces else np.zeros((0, 3), dtype=np.int32),
    }


def geometry_ids(semantics: dict[str, Any]) -> list[int]:
    """Step ids whose body geometry the parent needs.

    The envelope elements (and the parts of curtain walls and roofs without a body of their
    own), the spaces, and the other building elements (columns, beams, members, proxies...;
    not those of SKIPPED_CLASSES), which count for the footprint and the height of the building.
    """
    ids: list[int] = []
    for rec in semantics["elements"]:
        if rec["has_body"]:
            ids.append(rec["id"])
        else:
            ids.extend(rec["parts"])
    ids.extend(s["id"] for s in semantics["spaces"])
    ids.extend(o["id"] for o in semantics.get("others", ()))
    return sorted(set(ids))
