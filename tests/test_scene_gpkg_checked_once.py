"""``twin energy run SCENE.gpkg`` checks the GeoPackage for damage once (SQLite's quick_check reads
every page, about 15 ms on the Saint-Gilles scene): it ran twice, once when the command asked
whether the scene holds weather and again when it read the scene. A file changed since its check
is checked again.
"""

from __future__ import annotations

import sqlite3

import pytest

import twin.io.geopackage_damage as damage
from tests.scenario_helpers import written_small_scene
from twin.errors import ParseError
from twin.scene.io import read_scene, scene_holds_weather
from twin.workflows.scene_loading import load_scene


@pytest.fixture
def count_checks(monkeypatch) -> list[str]:
    """The files SQLite opened for the damage check, one entry per check."""
    opened: list[str] = []
    original = sqlite3.connect

    def connect(database, *args, **kwargs):
        opened.append(database)
        return original(database, *args, **kwargs)

    monkeypatch.setattr(damage.sqlite3, "connect", connect)
    return opened


def test_an_energy_run_checks_its_scene_geopackage_once(tmp_path, count_checks):
    """What ``twin energy run`` reads of its scene (:func:`twin.energy.stock.run_command`): whether it
    holds weather, then the scene."""
    scene = written_small_scene(tmp_path, "scene.gpkg")
    count_checks.clear()
    assert scene_holds_weather([scene]) is True
    load_scene([scene])
    assert len(count_checks) == 1


def test_a_geopackage_changed_since_its_check_is_checked_again(tmp_path, count_checks):
    scene = written_small_scene(tmp_path, "scene.gpkg")
    read_scene(scene)
    data = scene.read_bytes()
    scene.write_bytes(data[: len(data) // 2])
    with pytest.raises(ParseError, match="damaged"):
        read_scene(scene)
