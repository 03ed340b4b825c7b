"""OSM XML / bz2 / PBF ingest, checked object by object against an independent pyosmium read."""

from __future__ import annotations

import osmium
import pytest
import shapely

from tests.conftest import shared_path
from twin.errors import InputError, ParseError
from twin.ingest import read
from twin.ingest.defaults import load_defaults
from twin.ingest.osm import read_osm
from twin.scene import Scene

# GDAL's closed_ways_are_polygons keys: a closed way with one of these is an area, not a line
AREA_KEYS = {
    "aeroway", "amenity", "boundary", "building", "craft", "geological", "historic", "landuse", "leisure",
    "military", "natural", "office", "place", "shop", "sport", "tourism",
}


def _osmium_expectation(path) -> dict[str, set[str]]:
    """Buildings, street ways, POI nodes and traffic-signal nodes as pyosmium sees them.

    Ways with a node missing from the file (clipped extracts) have no geometry and are left
    out. Buildings: closed ``building=*`` ways (not ``no``) and multipolygon relations that are
    buildings (tagged ``building=*``, or untagged "old-style" relations whose outer way is a
    building), if all their member ways are in the file; a building way that is the outer
    ring of such a relation is the relation, not a building of its own.
    """
    ways: dict[int, tuple[bool, dict]] = {}
    relations = []
    poi_nodes = set()
    signal_nodes = set()
    poi_keys = set(load_defaults()["pois"]["categories"])
    categories = load_defaults()["pois"]["categories"]
    processor = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY | osmium.osm.RELATION).with_locations()
    for obj in processor:
        tags = dict(obj.tags)
        if obj.is_node():
            if "traffic_signals" in tags.get("highway", "").split(";"):
                signal_nodes.add(obj.id)
            for k in poi_keys & set(tags):
                if tags[k] in categories[k] or "*" in categories[k]:
                    poi_nodes.add(f"osm:node/{obj.id}")
                    break
        elif obj.is_way():
            if len(obj.nodes) < 2 or not all(n.location.valid() for n in obj.nodes):
                continue  # nodes missing from the extract: no geometry
            closed = len(obj.nodes) >= 4 and obj.nodes[0].ref == obj.nodes[-1].ref
            ways[obj.id] = (closed, tags)
        elif tags.get("type") == "multipolygon":
            relations.append((obj.id, tags, [(m.ref, m.role) for m in obj.members if m.type == "w"]))
    is_bway = {w for w, (closed, t) in ways.items() if closed and t.get("building", "no") != "no"}
    buildings = set()
    outer_used = set()
    for rid, tags, members in relations:
        if not members or any(w not in ways for w, _ in members):
            continue  # incomplete relation: no geometry
        outer = [w for w, role in members if role in ("outer", "")]
        own = tags.get("building", "no") != "no"
        old_style = not (set(tags) - {"type", "created_by"}) and any(w in is_bway for w in outer)
        if own or old_style:
            buildings.add(f"osm:relation/{rid}")
            outer_used.update(outer)
    buildings |= {f"osm:way/{w}" for w in is_bway - outer_used}
    streets = set()
    for w, (closed, t) in ways.items():
        if "highway" not in t:
            continue
        area = closed and (t.get("area") == "yes" or bool(AREA_KEYS & set(t)) or t["highway"] == "platform")
        if not area:
            streets.add(f"osm:way/{w}")
    return {"buildings": buildings, "streets": streets, "poi_nodes": poi_nodes, "signal_nodes": signal_nodes}


def _check_against_osmium(path, result) -> None:
    expect = _osmium_expectation(path)
    assert set(result.layers["buildings"]["building_id"]) == expect["buildings"]
    # restriction relations the streets could not use are reported too (twin.ingest.osm_restrictions),
    # and the traffic signals and priority signs not placed on a street node / approach
    not_street = ("turn restriction not used", "traffic signal not placed", "give-way/stop sign", "mini roundabout not placed")
    seen = set(result.layers["links"]["source_id"]) | {d.obj for d in result.dropped if not d.reason.startswith(not_street)}
    assert seen == expect["streets"]
    # every highway=traffic_signals node is on a street node (named in its signal_source) or dropped
    nodes = result.layers["nodes"]
    placed = set()
    if "signal_source" in nodes:
        for text in nodes["signal_source"]:
            placed |= {int(part.split()[2]) for part in text.split("; ") if part}
        assert int(nodes["signalised"].sum()) == int((nodes["signal_source"] != "").sum())
    dropped = {int(d.obj.rsplit("/", 1)[1]) for d in result.dropped if d.reason.startswith("traffic signal not placed")}
    assert not placed & dropped
    assert placed | dropped == expect["signal_nodes"]
    pois = result.layers["pois"]
    assert {p for p in pois["poi_id"] if p.startswith("osm:node/")} == expect["poi_nodes"]


@pytest.mark.parametrize(
    "parts",
    [("gis", "West-Oakland.osm.bz2"), ("gis", "osmnx_planet_10.068_48.135_10.071_48.137.osm")],
    ids=["bz2", "xml"],
)
def test_small_osm_files_match_pyosmium(parts):
    path = shared_path(*parts)
    result = read_osm(path)
    _check_against_osmium(path, result)
    assert result.meta["crs"] == "EPSG:4326"
    for name in ("buildings", "links", "nodes", "pois", "landcover"):
        assert result.layers[name].crs.to_epsg() == 4326


def test_dispatch_and_scene_take_osm(tmp_path):
    path = shared_path("gis", "West-Oakland.osm.bz2")
    result = read(path)
    scene = Scene(crs="EPSG:32610")  # UTM 10N for Oakland
    for name, frame in result.layers.items():
        scene.add(name, frame, source=result.path)
    b = scene.buildings
    assert len(b) == 23 and b.crs.to_epsg() == 32610
    assert (b["source_format"] == "osm").all() and b["building_id"].str.startswith("osm:").all()
    assert (b["footprint_area_m2"] > 0).all()
    assert scene.links["from_node"].isin(scene.nodes["node_id"]).all()
    assert scene.links["to_node"].isin(scene.nodes["node_id"]).all()
    # POIs and land cover
    assert set(scene.pois["category"]) >= {"school", "worship"}
    assert ((scene.landcover["sealed_fraction"] >= 0) & (scene.landcover["sealed_fraction"] <= 1)).all()


def test_layer_selection_and_errors(tmp_path):
    path = shared_path("gis", "osmnx_planet_10.068_48.135_10.071_48.137.osm")
    assert set(read_osm(path, layer="buildings").layers) == {"buildings"}
    assert set(read_osm(path, layers=("streets",)).layers) == {"nodes", "links", "turn_restrictions"}
    with pytest.raises(InputError, match="unknown target layer"):
        read_osm(path, layer="rivers")
    with pytest.raises(InputError, match="WGS84"):
        read_osm(path, crs="EPSG:31370")
    assert read_osm(path, crs="EPSG:4326").meta["crs"] == "EPSG:4326"
    bad = tmp_path / "broken.osm.bz2"
    bad.write_bytes(b"this is not bzip2")
    with pytest.raises(ParseError, match="broken.osm.bz2"):
        read_osm(bad)
    junk = tmp_path / "junk.osm.pbf"
    junk.write_bytes(b"\x00\x01 not a pbf")
    with pytest.raises(ParseError, match="junk.osm.pbf"):
        read_osm(junk)


def test_planet_file_private_driveways_are_dropped_with_their_tags():
    path = shared_path("gis", "osmnx_planet_10.068_48.135_10.071_48.137.osm")
    result = read_osm(path, layer="streets")
    reasons = {d.reason for d in result.dropped}
    assert reasons == {"no mode of transport allowed (highway=service, access=private)"}


@pytest.mark.slow
def test_brussels_region_matches_pyosmium():
    path = shared_path("brussels", "brussels_capital_region_2013-01-01.osm.pbf")
    result = read_osm(path)
    _check_against_osmium(path, result)
    b = result.layers["buildings"].set_index("building_id")
    assert 51_000 < len(b) < 51_100  # SOURCE.md: 51,051 with GDAL's default reading
    # the Hotel de Ville is the outer way of a tourism=attraction relation: still a building
    assert b.loc["osm:way/13494346", "use"] == "public"
    # a few buildings carry storeys or height (SOURCE.md: 36 of 51,051)
    known = (~b["storeys_defaulted"]) | (~b["height_defaulted"])
    assert 30 <= known.sum() <= 40
    assert shapely.is_valid(b.geometry.values).all()
