"""The data contract of the scene: every layer, every column, its type, unit and meaning.

One table, read by ingest (to produce layers), by the scene (to validate and merge them), by
domain models (to pull arrays) and by export. Units are in column names (``area_m2``), as in
City Energy Analyst's ``schemas.yml``.

Layers
------
sites        District / site polygons of the region (hierarchy Region -> District/Site).
buildings    One row per building: 2-D footprint in the scene CRS, heights, storeys, use, year.
storeys      One row per storey of a building (IFC; or generated from ``n_storeys``).
spaces       One row per space (room / thermal zone) of a storey (IFC).
elements     Building elements: wall, roof, floor, window, door, with area, orientation,
             U-value, construction layers and boundary kind.
nodes        Street-network nodes (intersections and ends).
links        Directed street-network links between nodes.
turn_restrictions  OSM ``type=restriction`` relations mapped to the street network (from way,
             via node, to way), and the ones that could not be mapped with the reason.
landcover    Land-cover polygons with a sealed fraction.
soil         Soil texture polygons.
pois         Points of interest / essential services (schools, parks, shops...).

Ids are strings, stable across re-ingests of the same file: ``<source>:<native id>`` (e.g.
``osm:way/13766097``, ``ifc:2idC0G3ezCdhA9WVjWemcy``, ``cityjson:NL.IMBAG.Pand.0503...``).
"""

from __future__ import annotations

from dataclasses import dataclass

ELEMENT_KINDS = ("wall", "roof", "floor", "window", "door")
BOUNDARY_KINDS = ("exterior", "party", "ground", "interior")
U_VALUE_SOURCES = ("layers", "property", "default", "typology", "user")
MODES = ("car", "bike", "walk", "bus", "truck")


@dataclass(frozen=True)
class Column:
    """One column of a layer."""

    name: str
    dtype: str  # numpy/pandas dtype name: "string", "float64", "int64", "bool", "object", "geometry"
    description: str
    required: bool = True
    default: object = None


def _c(name: str, dtype: str, description: str, required: bool = True, default: object = None) -> Column:
    return Column(name, dtype, description, required, default)


LAYERS: dict[str, tuple[Column, ...]] = {
    "sites": (
        _c("site_id", "string", "Stable id"),
        _c("name", "string", "Name", False, ""),
        _c("kind", "string", "'district' or 'site'", False, "district"),
        _c("parent_id", "string", "Id of the enclosing site, empty for the region level", False, ""),
        _c("geometry", "geometry", "Polygon in the scene CRS"),
    ),
    "buildings": (
        _c("building_id", "string", "Stable id"),
        _c("site_id", "string", "Site or district the building belongs to", False, ""),
        _c("source", "string", "File the building came from", False, ""),
        _c("source_format", "string", "'ifc', 'cityjson', 'footprints', 'osm'", False, ""),
        _c("name", "string", "Name, if any", False, ""),
        _c("use", "string", "Use class: residential, office, retail, education, ...", False, "residential"),
        _c("use_defaulted", "bool", "True where the use is inferred or a default (not from the data or a user)", False, True),
        _c("use_source", "string", "Where use came from: one of SOURCES (twin.scene.provenance)", False, ""),
        _c("use_rule", "string", "The rule that set use (tag:amenity=school, name:church, poi:shop=bakery, landuse:school, default ...)", False, ""),
        _c("ground_floor_use", "string", "Use class of the ground floor (a shop under dwellings); the use where nothing says otherwise", False, ""),
        _c("ground_floor_use_source", "string", "Where ground_floor_use came from: one of SOURCES", False, ""),
        _c("ground_floor_use_rule", "string", "The rule that set ground_floor_use ('as_use': the building's use)", False, ""),
        _c("construction_year", "float64", "Year of construction (NaN unknown)", False, float("nan")),
        _c("year_defaulted", "bool", "True where the year is inferred or a default", False, True),
        _c("construction_year_source", "string", "Where construction_year came from: one of SOURCES", False, ""),
        _c("construction_year_rule", "string", "The rule that set construction_year (tag:start_date, neighbours, default)", False, ""),
        _c("height_m", "float64", "Height of the building above ground (top of the roof), m"),
        _c("height_defaulted", "bool", "True where the height is inferred or a default", False, False),
        _c("height_m_source", "string", "Where height_m came from: one of SOURCES", False, ""),
        _c("height_m_rule", "string", "The rule that set height_m (tag:height, height_from_storeys, neighbours ...)", False, ""),
        _c("n_storeys", "int64", "Number of full above-ground storeys (without roof levels and levels below min_level)"),
        _c("storeys_defaulted", "bool", "True where the storeys are inferred or a default", False, False),
        _c("n_storeys_source", "string", "Where n_storeys came from: one of SOURCES", False, ""),
        _c("n_storeys_rule", "string", "The rule that set n_storeys (tag:building:levels, storeys_from_height, neighbours, default:<band>)", False, ""),
        _c("storey_height_m", "float64", "Storey height, m", False, 3.0),
        _c("storey_height_m_source", "string", "Where storey_height_m came from: one of SOURCES (data: the file's storeys; default: by use)", False, ""),
        _c("roof_levels", "float64", "Storeys in the roof (OSM roof:levels), not counted in n_storeys or floor_area_m2", False, 0.0),
        _c("roof_levels_source", "string", "Where roof_levels came from: one of SOURCES", False, ""),
        _c("min_level", "float64", "Levels left out below the building (OSM building:min_level)", False, 0.0),
        _c("min_level_source", "string", "Where min_level came from: one of SOURCES", False, ""),
        _c("min_height_m", "float64", "Height of the underside above ground (OSM min_height), m", False, 0.0),
        _c("min_height_m_source", "string", "Where min_height_m came from: one of SOURCES", False, ""),
        _c("ground_z_m", "float64", "Ground elevation of the footprint, m", False, 0.0),
        _c("footprint_area_m2", "float64", "Footprint area in the scene CRS, m2"),
        _c("floor_area_m2", "float64", "Gross floor area = footprint x storeys unless known, m2"),
        _c("floor_area_m2_source", "string", "Where floor_area_m2 came from: one of SOURCES (data: an IFC model's spaces or slabs; inferred/default: footprint x storeys)", False, ""),
        _c("roof_kind", "string", "'flat', 'gabled', 'hipped', 'pitched', ... or ''", False, ""),
        _c("roof_kind_source", "string", "Where roof_kind came from: one of SOURCES", False, ""),
        _c("attribute_notes", "string", "Values of the source not used as given, with what was done ('' none)", False, ""),
        _c("geometry", "geometry", "2-D footprint (Polygon/MultiPolygon) in the scene CRS"),
    ),
    "storeys": (
        _c("storey_id", "string", "Stable id"),
        _c("building_id", "string", "Building"),
        _c("name", "string", "Name", False, ""),
        _c("elevation_m", "float64", "Elevation of the storey floor, m", False, float("nan")),
        _c("height_m", "float64", "Storey height, m", False, float("nan")),
    ),
    "spaces": (
        _c("space_id", "string", "Stable id"),
        _c("building_id", "string", "Building"),
        _c("storey_id", "string", "Storey", False, ""),
        _c("name", "string", "Name", False, ""),
        _c("floor_area_m2", "float64", "Net floor area, m2", False, float("nan")),
        _c("volume_m3", "float64", "Volume, m3", False, float("nan")),
    ),
    "elements": (
        _c("element_id", "string", "Stable id"),
        _c("building_id", "string", "Building"),
        _c("storey_id", "string", "Storey, if known", False, ""),
        _c("kind", "string", "One of ELEMENT_KINDS"),
        _c("ifc_class", "string", "Source class (IfcWall, RoofSurface, ...)", False, ""),
        _c("name", "string", "Name / type name", False, ""),
        _c("area_m2", "float64", "Net area (windows and doors deducted from walls), m2"),
        _c("azimuth_deg", "float64", "Outward normal azimuth, degrees clockwise from north (NaN horizontal)"),
        _c("tilt_deg", "float64", "Tilt from horizontal: 0 roof facing up, 90 wall, 180 floor facing down"),
        _c("u_value_w_m2k", "float64", "Thermal transmittance, W/(m2 K)"),
        _c("u_value_source", "string", "One of U_VALUE_SOURCES", False, "default"),
        _c("u_defaulted", "bool", "True where the U-value is a default by element type", False, True),
        _c("layers_json", "string", "Construction layers outside->inside, JSON list of {material, thickness_m, conductivity_w_mk}", False, "[]"),
        _c("boundary", "string", "One of BOUNDARY_KINDS", False, "exterior"),
        _c("neighbour_id", "string", "Building across a party wall", False, ""),
        _c("host_id", "string", "Wall that hosts a window or door", False, ""),
        _c("source_id", "string", "Native id (IFC GlobalId, CityJSON surface index)", False, ""),
    ),
    "nodes": (
        _c("node_id", "string", "Stable id"),
        _c("geometry", "geometry", "Point in the scene CRS"),
    ),
    "links": (
        _c("link_id", "string", "Stable id (direction-specific)"),
        _c("from_node", "string", "Tail node id"),
        _c("to_node", "string", "Head node id"),
        _c("length_m", "float64", "Length, m"),
        _c("lanes", "int64", "Lanes in this direction", False, 1),
        _c("free_speed_m_s", "float64", "Free-flow speed, m/s"),
        _c("capacity_veh_h", "float64", "Capacity in this direction, vehicles/h"),
        _c("free_speed_m_s_source", "string", "Where free_speed_m_s came from: one of SOURCES (twin.scene.provenance); '' not recorded", False, ""),
        _c("free_speed_m_s_rule", "string", "The rule that set free_speed_m_s (tag:maxspeed, default:<class> with an unusable tag's raw value, default:walk_speed_kmh ...)", False, ""),
        _c("lanes_source", "string", "Where lanes came from: one of SOURCES; capacity_veh_h is lanes x the class's capacity per lane", False, ""),
        _c("lanes_rule", "string", "The rule that set lanes (tag:lanes:forward, tag:lanes, tag:lanes/2, default:<class> ..., default:contraflow)", False, ""),
        _c("modes", "string", "Allowed modes, comma-separated subset of MODES"),
        _c("name", "string", "Street name", False, ""),
        _c("road_class", "string", "OSM highway class or equivalent", False, ""),
        _c("junction", "string", "OSM junction value of a roundabout's ring link: roundabout or circular ('' not a ring; scenes written before read '')", False, ""),
        _c("source_id", "string", "Native id of the street line", False, ""),
        _c("geometry", "geometry", "LineString in the scene CRS, from tail to head"),
    ),
    "turn_restrictions": (
        _c("restriction_id", "string", "Stable id of the relation (osm:relation/<id>)"),
        _c("kind", "string", "OSM restriction value: no_left_turn, only_straight_on, ... ('' unknown)", False, ""),
        _c("from_way", "string", "Source id of the from way (osm:way/<id>, the links' source_id; '' none)", False, ""),
        _c("via_node", "string", "Node of the nodes layer where the turn is made ('' not mapped)", False, ""),
        _c("to_way", "string", "Source id of the to way (osm:way/<id>; '' none)", False, ""),
        _c("via_osm", "string", "The relation's via member(s) in the file: osm:node/<id>, or osm:way/<id>,... ('' none)", False, ""),
        _c("vehicles", "string", "OSM vehicle the restriction is for (X of restriction:X, e.g. hgv); '' every vehicle", False, ""),
        _c("exempt", "string", "OSM except tag: vehicles not bound (e.g. bicycle;psv); '' none", False, ""),
        _c("reason", "string", "Why the restriction cannot be applied ('' usable)", False, ""),
    ),
    "landcover": (
        _c("landcover_id", "string", "Stable id"),
        _c("kind", "string", "road, landuse, plantcover, water, building, ..."),
        _c("cover_class", "string", "Finer class (residential, park, grass, asphalt...)", False, ""),
        _c("sealed_fraction", "float64", "Fraction of the area that is sealed, 0..1"),
        _c("sealed_defaulted", "bool", "True where the sealed fraction comes from the class table", False, True),
        _c("name", "string", "Name", False, ""),
        _c("geometry", "geometry", "Polygon in the scene CRS"),
    ),
    "soil": (
        _c("soil_id", "string", "Stable id"),
        _c("texture", "string", "USDA texture class (Carsel & Parrish names)"),
        _c("depth_m", "float64", "Depth of the soil profile, m", False, 1.0),
        _c("geometry", "geometry", "Polygon in the scene CRS"),
    ),
    "pois": (
        _c("poi_id", "string", "Stable id"),
        _c("category", "string", "Service category: school, park, shop, health, ..."),
        _c("name", "string", "Name", False, ""),
        _c("tag", "string", "The source tag that gave the category, key=value (amenity=cafe), '' unknown", False, ""),
        _c("geometry", "geometry", "Point (or polygon centroid) in the scene CRS"),
    ),
}

ID_COLUMN: dict[str, str] = {name: cols[0].name for name, cols in LAYERS.items()}
SCENE_FORMAT_VERSION = 1
"""Version of the files of a written scene (``twin_scene_format`` of its metadata): written by
:mod:`twin.export.layers`, checked by :func:`twin.scene.io.read_scene`."""

GEO_LAYERS: frozenset[str] = frozenset(n for n, cols in LAYERS.items() if any(c.dtype == "geometry" for c in cols))


def columns(layer: str) -> tuple[Column, ...]:
    """Columns of ``layer``; raises KeyError for an unknown layer."""
    return LAYERS[layer]
