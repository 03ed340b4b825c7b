"""A misspelt key of the weather site in ``scene.json`` is told the key it most likely stands for
(:func:`twin.io.key_hints.closest_key`, the rule of every other unknown-key error): it was named
with the list of keys only.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli_harness import assert_one_line_error, run_twin
from tests.scenario_helpers import written_small_scene


@pytest.fixture(scope="module")
def scene_folder(tmp_path_factory) -> Path:
    """A small scene folder written by twin (about 30 footprints and the Uccle weather)."""
    return written_small_scene(tmp_path_factory.mktemp("scene_location_hint"), "scene")


def _with_location_key(scene_folder: Path, tmp_path: Path, wrong: str, right: str) -> Path:
    """A copy of the scene whose weather site has ``right`` written as ``wrong``."""
    scene = shutil.copytree(scene_folder, tmp_path / "scene")
    meta = json.loads((scene / "scene.json").read_text())
    location = meta["weather"]["location"]
    location[wrong] = location.pop(right)
    (scene / "scene.json").write_text(json.dumps(meta))
    return scene


def test_a_misspelt_location_key_is_one_line_with_a_hint(scene_folder: Path, tmp_path: Path) -> None:
    scene = _with_location_key(scene_folder, tmp_path, "latitude", "latitude_deg")
    line = assert_one_line_error(run_twin(["info", scene]), contains=("scene.json", "weather.location.latitude"))
    assert "unknown key 'latitude'; did you mean 'latitude_deg'? (keys: name, latitude_deg, " in line


@pytest.mark.parametrize(("wrong", "right"), [("longitud_deg", "longitude_deg"), ("tz_offset", "tz_offset_h"), ("Elevation_M", "elevation_m")])
def test_each_location_key_is_hinted(scene_folder: Path, tmp_path: Path, wrong: str, right: str) -> None:
    from twin.errors import ParseError
    from twin.scene.io import read_scene

    with pytest.raises(ParseError) as info:
        read_scene(_with_location_key(scene_folder, tmp_path, wrong, right))
    assert info.value.field == f"weather.location.{wrong}"
    assert f"unknown key {wrong!r}; did you mean {right!r}?" in info.value.message


def test_a_key_far_from_every_field_gets_no_hint(scene_folder: Path, tmp_path: Path) -> None:
    from twin.errors import ParseError
    from twin.scene.io import read_scene

    with pytest.raises(ParseError) as info:
        read_scene(_with_location_key(scene_folder, tmp_path, "altitude", "elevation_m"))
    assert "unknown key 'altitude' (keys: " in info.value.message and "did you mean" not in info.value.message
