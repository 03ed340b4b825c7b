"""A district cut from a region's OSM extract: ``clip_to_sites`` (ingest and scenario ``inputs``).

A planner of another commune starts from the whole-region PBF; ``inputs.sites`` alone only
assigned ``site_id`` and the scene held the whole region (7,274 traffic zones: refused). The
clip keeps whole buildings whose centroid lies in a site, the street lines cut to the sites,
land-cover polygons and POIs touching one. A hand-made OSM file, a site box in longitude/latitude.
"""

from __future__ import annotations

import json

import pytest

from tests.geojson_builders import polygon_feature, rectangle_ring, write_geojson
from twin.errors import InputError, ScenarioError
from twin.ingest import ingest
from twin.scenario.runner import build_baseline
from twin.scenario.schema import load_scenario, parse_scenario

# nodes in the order of their ids (GDAL's OSM driver needs it); 0.001 degree of longitude ~ 70 m
OSM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="hand">
  <node id="1" lat="50.8300" lon="4.3500"/>
  <node id="2" lat="50.8300" lon="4.3502"/>
  <node id="3" lat="50.8301" lon="4.3502"/>
  <node id="4" lat="50.8301" lon="4.3500"/>
  <node id="5" lat="50.8300" lon="4.3600"/>
  <node id="6" lat="50.8300" lon="4.3602"/>
  <node id="7" lat="50.8301" lon="4.3602"/>
  <node id="8" lat="50.8301" lon="4.3600"/>
  <node id="9" lat="50.8300" lon="4.3518"/>
  <node id="10" lat="50.8300" lon="4.3530"/>
  <node id="11" lat="50.8301" lon="4.3530"/>
  <node id="12" lat="50.8301" lon="4.3518"/>
  <node id="20" lat="50.8298" lon="4.3497"/>
  <node id="21" lat="50.8298" lon="4.3540"/>
  <node id="22" lat="50.8290" lon="4.3600"/>
  <node id="23" lat="50.8290" lon="4.3610"/>
  <node id="30" lat="50.8305" lon="4.3505"><tag k="amenity" v="school"/></node>
  <node id="31" lat="50.8305" lon="4.3605"><tag k="amenity" v="school"/></node>
  <way id="100"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/><tag k="building" v="yes"/></way>
  <way id="101"><nd ref="5"/><nd ref="6"/><nd ref="7"/><nd ref="8"/><nd ref="5"/><tag k="building" v="yes"/></way>
  <way id="102"><nd ref="9"/><nd ref="10"/><nd ref="11"/><nd ref="12"/><nd ref="9"/><tag k="building" v="yes"/></way>
  <way id="200"><nd ref="20"/><nd ref="21"/><tag k="highway" v="residential"/><tag k="name" v="Rue du Bord"/></way>
  <way id="201"><nd ref="22"/><nd ref="23"/><tag k="highway" v="residential"/><tag k="name" v="Rue Loin"/></way>
</osm>
"""

#: lon 4.3495-4.3520, lat 50.8295-50.8310: holds building 100, the centroid of 102 lies outside
#: (4.3524), building 101, way 201 and school 31 lie far east; way 200 crosses the east edge.
SITE = polygon_feature(rectangle_ring(4.3495, 50.8295, 4.3520, 50.8310), name="district")


@pytest.fixture
def region(tmp_path):
    osm = tmp_path / "region.osm"
    osm.write_text(OSM_XML)
    site = tmp_path / "site.geojson"
    write_geojson(site, [SITE], crs=None)
    return osm, site


def _ways(links) -> set[str]:
    return {i.split(":")[1].split("/")[-1] for i in links["link_id"]}


def test_clip_to_sites_keeps_the_district_only(region):
    osm, site = region
    whole, _ = ingest([osm], sites=[site], progress=False)
    assert set(whole.buildings["building_id"]) == {"osm:way/100", "osm:way/101", "osm:way/102"}
    assert _ways(whole.links) == {"200", "201"}
    assert len(whole.pois) == 2

    cut, _ = ingest([osm], sites=[site], clip_to_sites=True, progress=False)
    assert set(cut.buildings["building_id"]) == {"osm:way/100"}  # 102 touches the site, its centroid does not
    assert _ways(cut.links) == {"200"}  # the way that crosses the edge, cut there:
    on_200 = whole.links[whole.links["link_id"].str.contains("/200:")]
    assert cut.links.length.sum() == pytest.approx(on_200.length.sum() * (4.3520 - 4.3497) / (4.3540 - 4.3497), rel=1e-3)
    assert cut.nodes.to_crs("EPSG:4326").geometry.x.max() == pytest.approx(4.3520, abs=1e-7)
    assert len(cut.pois) == 1
    assert (cut.buildings["site_id"].notna()).all()


def test_clip_to_sites_needs_sites(region):
    osm, _ = region
    with pytest.raises(InputError, match="no sites file is given"):
        ingest([osm], clip_to_sites=True, progress=False)


def test_scenario_clip_to_sites(region, tmp_path):
    osm, site = region
    doc = {"name": "cut", "inputs": {"files": [osm.name], "sites": [site.name], "clip_to_sites": True}, "domains": ["energy"],
           "uncertainty": {"samples": 0}}
    path = tmp_path / "cut.yaml"
    path.write_text(json.dumps(doc))
    scene = build_baseline(load_scenario(path), tmp_path, progress=False)
    assert set(scene.buildings["building_id"]) == {"osm:way/100"}
    del doc["inputs"]["sites"]
    with pytest.raises(ScenarioError, match="no sites file is given: add the district's polygon file to inputs.sites"):
        parse_scenario(doc)


def test_schema_says_what_sites_and_the_cut_do():
    """``twin scenario schema`` (for editors) described neither ``sites`` nor how to cut a district."""
    from twin.scenario.schema import Scenario

    props = Scenario.model_json_schema()["$defs"]["Inputs"]["properties"]
    assert "site_id" in props["sites"]["description"]
    assert "Cut the OSM files" in props["clip_to_sites"]["description"]
