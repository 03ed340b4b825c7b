"""A scene written by twin as a GeoPackage and damaged since is refused as damaged by every
command that reads it (helper scenegpkg).

Before, ``twin info`` and ``twin export`` quoted GDAL's first complaint about a cut file ("not a
readable GeoPackage: sqlite3_prepare_v2(...)"), read a scene with a zeroed spatial-index page
without a word, and ``twin energy run`` said a cut scene "has no weather".
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import yaml

from tests.cli_harness import assert_one_line_error, run_twin
from tests.scenario_helpers import EPW, written_small_scene


@pytest.fixture(scope="module")
def scene_gpkg(tmp_path_factory) -> Path:
    """A small scene GeoPackage written by twin (about 30 footprints and the Uccle weather)."""
    return written_small_scene(tmp_path_factory.mktemp("scene_gpkg"), "scene.gpkg")


def _cut(path: Path, out: Path) -> Path:
    data = path.read_bytes()
    out.write_bytes(data[: len(data) // 2])
    return out


def _zeroed_index_page(path: Path, out: Path) -> Path:
    """A copy of ``path`` with the root page of the buildings' spatial index zeroed (GDAL does not read it)."""
    con = sqlite3.connect(path)
    (page_size,) = con.execute("PRAGMA page_size").fetchone()
    (root,) = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'rtree_buildings_geom_node'").fetchone()
    con.close()
    data = path.read_bytes()
    start = (root - 1) * page_size
    out.write_bytes(data[:start] + b"\0" * page_size + data[start + page_size:])
    return out


DAMAGES = {"cut": _cut, "zeroed_index_page": _zeroed_index_page}


def _command(name: str, scene: Path, tmp: Path) -> list:
    if name == "info":
        return ["info", scene]
    if name == "export":
        return ["export", scene, "-o", tmp / "exported"]
    if name == "energy run":
        return ["energy", "run", scene, "-o", tmp / "energy"]
    scenario = {"name": "damaged-scene", "inputs": {"files": [str(scene)], "weather": str(EPW), "crs": "EPSG:31370"},
                "domains": ["energy"],
                "whatifs": [{"name": "walls", "modifications": [{"op": "renovate", "select": {"where": {"use": "residential"}}, "measures": ["wall_insulation"]}]}]}
    path = tmp / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario))
    return ["run", path, "-o", tmp / "results", "-q"]


@pytest.mark.parametrize("damage", sorted(DAMAGES))
@pytest.mark.parametrize("command", ["info", "export", "energy run", "run"])
def test_a_damaged_scene_geopackage_is_refused_as_damaged(scene_gpkg: Path, tmp_path: Path, command: str, damage: str) -> None:
    damaged = DAMAGES[damage](scene_gpkg, tmp_path / "damaged.gpkg")
    before = damaged.read_bytes()
    assert_one_line_error(run_twin(_command(command, damaged, tmp_path)),
                          contains=("damaged.gpkg", "the GeoPackage is damaged", "SQLite: "))
    assert damaged.read_bytes() == before
    assert not [n for n in ("exported", "energy", "results") if (tmp_path / n).exists()]  # no output (twin run records the failed run)


def test_an_intact_scene_geopackage_is_read(scene_gpkg: Path) -> None:
    from twin.scene.io import read_scene

    scene = read_scene(scene_gpkg)
    assert len(scene.buildings) > 10 and scene.weather is not None
