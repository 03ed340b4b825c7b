"""The commands' one scene loader (twin.workflows.scene_loading): what a path is, one rule for every command."""

from __future__ import annotations

import pytest

from tests.scenario_helpers import BOX_100M, write_small_district
from twin.errors import InputError
from twin.workflows.scene_loading import is_written_scene, load_scene


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    """About 30 footprints of Saint-Gilles (GeoJSON, EPSG:31370 declared), a GeoPackage of the
    same footprints (source data, not written by twin) and the ingested scene written as a
    folder and as a twin GeoPackage."""
    import geopandas as gpd

    from twin.export import write_scene

    root = tmp_path_factory.mktemp("scene_loading")
    geojson = write_small_district(root / "src", BOX_100M)
    source_gpkg = root / "src" / "footprints.gpkg"
    gpd.read_file(geojson).to_file(source_gpkg, driver="GPKG")
    scene = load_scene([geojson])
    folder = write_scene(scene, root / "scene_folder")
    gpkg = write_scene(scene, root / "scene.gpkg")
    return {"geojson": geojson, "source_gpkg": source_gpkg, "folder": folder, "gpkg": gpkg, "n": len(scene.buildings)}


def test_no_path_and_missing_path_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="no scene given"):
        load_scene([])
    missing = tmp_path / "nope.geojson"
    with pytest.raises(InputError, match="file not found") as info:
        load_scene([missing])
    assert "nope.geojson" in str(info.value)


def test_a_folder_that_is_not_a_scene_is_named(tmp_path):
    with pytest.raises(InputError, match="no scene.json"):
        load_scene(tmp_path)


def test_written_scenes_are_read_as_written(district):
    assert district["n"] > 5
    for key in ("folder", "gpkg"):
        assert is_written_scene(district[key])
        scene = load_scene(district[key], scene_crs="EPSG:3857")  # a written scene keeps its CRS
        assert len(scene.buildings) == district["n"]
        assert scene.crs.to_epsg() == 31370


def test_a_source_geopackage_is_ingested_not_refused(district):
    # the energy command used to refuse it ("no twin_scene table"), the traffic commands ingested it
    assert not is_written_scene(district["source_gpkg"])
    scene = load_scene([district["source_gpkg"]])
    assert len(scene.buildings) == district["n"]


def test_files_are_ingested_in_the_scene_crs_with_the_source_crs(district):
    # --crs (files that declare none) and --scene-crs reach ingest as source_crs and crs
    scene = load_scene([district["geojson"]], scene_crs="EPSG:3812", source_crs="EPSG:31370")
    assert scene.crs.to_epsg() == 3812
    assert len(scene.buildings) == district["n"]


def test_traffic_commands_pass_crs_as_the_source_crs(district):
    # 'twin traffic simulate/access/mobility --crs X FILES' passed X as a second crs= to ingest (a TypeError)
    from twin.traffic.dynamic_commands import scene_from_files

    scene = scene_from_files([district["geojson"]], "EPSG:31370", "EPSG:3812")
    assert scene.crs.to_epsg() == 3812 and len(scene.buildings) == district["n"]
