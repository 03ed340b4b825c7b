"""A ``scene.json`` whose weather site lacks a field, has one twin does not know, or is no object
is refused naming ``scene.json`` and the field: it was reported against ``weather.parquet``
(field 'weather', Python's ``Location.__init__() missing 1 required positional argument``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.scenario_helpers import written_small_scene
from twin.errors import ParseError
from twin.scene.io import read_scene


@pytest.fixture(scope="module")
def scene_folder(tmp_path_factory) -> Path:
    """A small scene folder written by twin (about 30 footprints and the Uccle weather)."""
    return written_small_scene(tmp_path_factory.mktemp("scene_location"), "scene")


def _drop(key: str):
    return lambda location: {k: v for k, v in location.items() if k != key}


EDITS = {
    "no latitude": (_drop("latitude_deg"), "weather.location.latitude_deg", "has no latitude_deg"),
    "no elevation": (_drop("elevation_m"), "weather.location.elevation_m", "has no elevation_m"),
    "unknown key": (lambda location: {**location, "lat": 50.8}, "weather.location.lat", "unknown key 'lat'"),
    "not an object": (lambda location: [50.8, 4.35], "weather.location", "must be an object"),
    "no location": (None, "weather.location", "has no location"),
}


@pytest.mark.parametrize("case", list(EDITS))
def test_a_weather_site_field_missing_or_unknown_names_scene_json(scene_folder: Path, tmp_path: Path, case: str) -> None:
    edit, field, words = EDITS[case]
    scene = shutil.copytree(scene_folder, tmp_path / "scene")
    meta = json.loads((scene / "scene.json").read_text())
    if edit is None:
        del meta["weather"]["location"]
    else:
        meta["weather"]["location"] = edit(meta["weather"]["location"])
    (scene / "scene.json").write_text(json.dumps(meta))
    with pytest.raises(ParseError) as info:
        read_scene(scene)
    assert info.value.path is not None and Path(info.value.path).name == "scene.json"
    assert info.value.field == field and words in info.value.message
