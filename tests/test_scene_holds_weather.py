"""twin.scene.io.scene_holds_weather: what ``twin energy run`` asks of a scene before any kernel
(the scene's file format is known in twin.scene.io only; helper scenegpkg)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from tests.scenario_helpers import EPW


@pytest.fixture(scope="module")
def scenes(tmp_path_factory) -> dict[str, Path]:
    """Footprints, and the scene of them written as a folder and a GeoPackage, with and without weather."""
    from twin.export import write_scene
    from twin.ingest import ingest

    folder = tmp_path_factory.mktemp("weather_scenes")
    footprints = folder / "footprints.gpkg"
    squares = [shapely.box(148_000 + 20 * i, 168_000, 148_010 + 20 * i, 168_010) for i in range(5)]
    gpd.GeoDataFrame({"building": ["yes"] * 5}, geometry=squares, crs="EPSG:31370").to_file(footprints, layer="buildings", driver="GPKG")
    out = {"footprints": footprints}
    for weather, files in (("weather", [footprints, EPW]), ("no_weather", [footprints])):
        scene, _ = ingest(files)
        for kind, name in (("folder", f"scene_{weather}"), ("gpkg", f"scene_{weather}.gpkg")):
            write_scene(scene, folder / name)
            out[f"{kind}_{weather}"] = folder / name
    return out


@pytest.mark.parametrize(("key", "expected"), [("folder_weather", True), ("folder_no_weather", False),
                                               ("gpkg_weather", True), ("gpkg_no_weather", False)])
def test_a_written_scene_says_whether_it_holds_weather(scenes: dict[str, Path], key: str, expected: bool) -> None:
    from twin.scene.io import read_scene, scene_holds_weather

    assert scene_holds_weather([scenes[key]]) is expected
    assert (read_scene(scenes[key]).weather is not None) is expected  # what the reader finds


def test_input_files_hold_weather_when_an_epw_is_among_them(scenes: dict[str, Path]) -> None:
    from twin.scene.io import scene_holds_weather

    assert scene_holds_weather([scenes["footprints"], EPW]) is True
    assert scene_holds_weather([scenes["footprints"]]) is False  # a GeoPackage of source data


def test_what_cannot_be_told_is_none(scenes: dict[str, Path], tmp_path: Path) -> None:
    from twin.scene.io import scene_holds_weather

    assert scene_holds_weather([tmp_path / "missing.gpkg"]) is None
    assert scene_holds_weather([]) is None
    assert scene_holds_weather([scenes["footprints"], scenes["folder_weather"]]) is None  # a folder among input files
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "scene.json").write_text("{not json")
    assert scene_holds_weather([broken]) is None
    (broken / "scene.json").write_text("[1, 2]")
    assert scene_holds_weather([broken]) is None
