"""``scripts/cut_stgilles_transit.py --sites FILE --output FILE``: the transit layer of another district.

The script cut the Saint-Gilles box only, so a district from the region PBF (Flagey) ran
without public transport. With ``--sites`` it cuts the sites' box grown by 500 m. A hand-made
OSM file: a bus route relation from the site to 3.5 km east, a stop in the site and one far east.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.geojson_builders import polygon_feature, rectangle_ring, write_geojson

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "cut_stgilles_transit.py"

OSM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="hand">
  <node id="1" lat="50.8305" lon="4.3500"/>
  <node id="2" lat="50.8305" lon="4.4000"/>
  <node id="3" lat="50.8306" lon="4.3510"><tag k="highway" v="bus_stop"/><tag k="name" v="Near"/></node>
  <node id="4" lat="50.8306" lon="4.4000"><tag k="highway" v="bus_stop"/><tag k="name" v="Far"/></node>
  <way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="primary"/></way>
  <relation id="100"><member type="way" ref="10" role=""/><tag k="type" v="route"/><tag k="route" v="bus"/>
    <tag k="ref" v="71"/><tag k="name" v="Bus 71"/></relation>
</osm>
"""
SITE = polygon_feature(rectangle_ring(4.3500, 50.8300, 4.3520, 50.8310))


def _run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, timeout=120)


@pytest.fixture
def files(tmp_path):
    osm, site = tmp_path / "region.osm", tmp_path / "site.geojson"
    osm.write_text(OSM_XML)
    write_geojson(site, [SITE], crs=None)
    return osm, site


def test_sites_cut_their_own_box(files, tmp_path):
    osm, site = files
    out = tmp_path / "district_transit.geojson"
    done = _run(osm, "--sites", site, "--output", out)
    assert done.returncode == 0, done.stderr
    collection = json.loads(out.read_text(encoding="utf-8"))
    assert collection["name"] == "district_transit"
    stops = [f["properties"]["name"] for f in collection["features"] if f["properties"]["kind"] == "stop"]
    routes = [f for f in collection["features"] if f["properties"]["kind"] == "route"]
    assert stops == ["Near"]
    assert [r["properties"]["ref"] for r in routes] == ["71"]
    east = max(x for x, _ in routes[0]["geometry"]["coordinates"])
    assert 4.3520 < east < 4.3600  # cut 500 m east of the site (about 0.007 degree of longitude)


def test_sites_without_output_is_refused(files):
    osm, site = files
    done = _run(osm, "--sites", site)
    assert done.returncode == 2
    assert "--sites needs --output" in done.stderr
