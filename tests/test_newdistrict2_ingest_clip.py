"""``twin ingest FILES --sites S --clip-to-sites``: a district cut from a region's OSM extract.

Before, ``twin ingest`` could only assign ``site_id`` (the whole region was written); the
scenario's ``inputs.clip_to_sites`` had no command-line twin. The hand-made OSM file and site of
tests/test_newdistrict_clip.py: the cut keeps building 100 and the street way 200.
"""

from __future__ import annotations

from tests.output_helpers import run_cli
from tests.test_newdistrict_clip import region  # noqa: F401  (fixture: the OSM file and its site)
from twin.scene.io import read_scene


def test_twin_ingest_clip_to_sites_writes_the_district_only(region, tmp_path):  # noqa: F811
    osm, site = region
    out = tmp_path / "district"
    done = run_cli("ingest", str(osm), "--sites", str(site), "--clip-to-sites", "-o", str(out), "-q")
    assert done.returncode == 0, done.stderr
    scene = read_scene(out)
    assert list(scene.buildings["building_id"]) == ["osm:way/100"]
    assert list(scene.buildings["site_id"]) == list(scene.sites["site_id"])  # the one building in the one site
    assert {i.split(":")[1].split("/")[-1] for i in scene.links["link_id"]} == {"200"}


def test_clip_to_sites_without_sites_or_osm_is_one_line(region, tmp_path):  # noqa: F811
    osm, site = region
    for args, says in (([str(osm)], "no --sites file is given"), ([str(site), "--sites", str(site)], "it would change nothing")):
        done = run_cli("ingest", *args, "--clip-to-sites", "-o", str(tmp_path / "out"), "-q")
        assert done.returncode == 2
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "--clip-to-sites" in lines[0] and says in lines[0], done.stderr
        assert not (tmp_path / "out").exists()


def test_help_names_the_option():
    done = run_cli("ingest", "--help")
    assert "--clip-to-sites" in done.stdout
