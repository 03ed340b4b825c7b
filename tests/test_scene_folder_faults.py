"""A saved scene folder with an edited ``scene.json`` (helper scenegpkg's walk of scene-folder faults).

Before, a scene of an unknown format version (``"twin_scene_format": 99``) was read as if it were
this twin's, and a weather site at latitude 500 degrees was read and simulated without a word.
(A cut, overwritten or missing layer file, a missing, empty or non-JSON ``scene.json``, a
``crs`` that is no text, a ``weather`` or ``meta`` that is no object were already one line
naming the file.)
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
    return written_small_scene(tmp_path_factory.mktemp("scene_folder"), "scene")


def _set(meta: dict, key: str, value) -> None:
    *parents, last = key.split(".")
    for part in parents:
        meta = meta[part]
    meta[last] = value


FAULTS = [
    ("twin_scene_format", 99, "scene format 99 is not the one this twin reads (1)"),
    ("twin_scene_format", "one", "scene format 'one' is not the one this twin reads (1)"),
    ("twin_scene_format", True, "scene format True is not the one this twin reads (1)"),
    ("weather.location.latitude_deg", 500, "latitude_deg must be a number in [-90, 90], got 500"),
    ("weather.location.longitude_deg", "east", "longitude_deg must be a number in [-180, 180], got 'east'"),
    ("weather.location.tz_offset_h", float("nan"), "tz_offset_h must be a number in [-12, 14], got nan"),
]


@pytest.mark.parametrize(("key", "value", "message"), FAULTS, ids=[f"{k}={v!r}" for k, v, _ in FAULTS])
def test_an_edited_scene_json_is_refused_naming_the_field(scene_folder: Path, tmp_path: Path, key: str, value, message: str) -> None:
    from twin.errors import ParseError
    from twin.scene.io import read_scene

    scene = shutil.copytree(scene_folder, tmp_path / "scene")
    meta = json.loads((scene / "scene.json").read_text())
    _set(meta, key, value)
    (scene / "scene.json").write_text(json.dumps(meta))
    with pytest.raises(ParseError, match="scene.json") as info:
        read_scene(scene)
    assert message in str(info.value) and f"field '{key.split('.', 1)[0] if key.startswith('twin') else key}'" in str(info.value)


@pytest.mark.parametrize("command", ["info", "energy run"])
def test_the_commands_refuse_an_edited_scene_json_in_one_line(scene_folder: Path, tmp_path: Path, command: str) -> None:
    scene = shutil.copytree(scene_folder, tmp_path / "scene")
    meta = json.loads((scene / "scene.json").read_text())
    meta["weather"]["location"]["latitude_deg"] = 500
    (scene / "scene.json").write_text(json.dumps(meta))
    args = ["info", scene] if command == "info" else ["energy", "run", scene, "-o", tmp_path / "energy", "-q"]
    assert_one_line_error(run_twin(args), contains=("scene.json", "weather.location.latitude_deg", "got 500"))
    assert not (tmp_path / "energy").exists()


def test_a_scene_of_before_the_format_number_is_read(scene_folder: Path, tmp_path: Path) -> None:
    from twin.scene.io import read_scene

    scene = shutil.copytree(scene_folder, tmp_path / "scene")
    meta = json.loads((scene / "scene.json").read_text())
    del meta["twin_scene_format"]
    (scene / "scene.json").write_text(json.dumps(meta))
    assert len(read_scene(scene).buildings) > 10


def test_a_layer_row_without_geometry_is_refused_naming_file_object_and_field(scene_folder: Path, tmp_path: Path) -> None:
    """A hand-edited layer file with a null geometry was read without a word (and simulated)."""
    import geopandas as gpd

    from twin.errors import SchemaError
    from twin.scene.io import read_scene
    from twin.scene.layers import ID_COLUMN

    layer = "buildings"
    scene = shutil.copytree(scene_folder, tmp_path / "scene")
    path = scene / f"{layer}.parquet"
    frame = gpd.read_parquet(path)
    frame.loc[frame.index[1], "geometry"] = None
    frame.to_parquet(path)
    with pytest.raises(SchemaError, match="no geometry") as info:
        read_scene(scene)
    text = str(info.value)
    assert f"{layer}.parquet" in text and f"object {frame[ID_COLUMN[layer]].iloc[1]};" in text and "field 'geometry'" in text
