"""``Scene.set_columns``: attribute columns of a layer replaced, cast and checked as ``add`` does,
only those columns; the caches of the layer's geometry kept, the others dropped; the columns that
decide the geometry refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.test_scene_graph import buildings_frame
from twin.errors import SchemaError
from twin.scene import Scene


@pytest.fixture()
def scene() -> Scene:
    sc = Scene()
    sc.add("buildings", buildings_frame([(0, 0, 10, 10), (20, 0, 30, 10)], [6.0, 9.0]))
    return sc


def test_the_columns_are_those_add_would_make(scene) -> None:
    sc = scene.copy()
    sc.set_columns("buildings", {"floor_area_m2": [1, 2], "use": np.array(["office", "residential"], dtype=object)})
    full = scene.copy()
    b = full.buildings.copy()
    b["floor_area_m2"] = [1, 2]
    b["use"] = ["office", "residential"]
    full.set_layer("buildings", b)
    pd.testing.assert_frame_equal(sc.buildings, full.buildings)
    assert "buildings" in sc.changed
    assert scene.buildings["floor_area_m2"].tolist() != [1.0, 2.0]  # the copy's source keeps its values


def test_geometry_caches_kept_attribute_caches_dropped(scene) -> None:
    scene._cache.update({"buildings:geom:points": 1, "buildings:residents": 2, "links:graph": 3})
    sc = scene.copy()
    sc.set_columns("buildings", {"use": ["office", "office"]})
    assert set(sc._cache) == {"buildings:geom:points", "links:graph"}


@pytest.mark.parametrize("column", ["building_id", "geometry", "height_m", "ground_z_m"])
def test_columns_of_the_geometry_are_refused(scene, column) -> None:
    with pytest.raises(SchemaError, match="set_layer") as err:
        scene.set_columns("buildings", {column: scene.buildings[column]})
    assert err.value.field == column


@pytest.mark.parametrize(("columns", "field"), [
    ({"floor_area_m2": ["a", "b"]}, "floor_area_m2"),  # not numbers
    ({"floor_area_m2": [1.0]}, "floor_area_m2"),  # one value for two buildings
    ({"no_such_column": [1, 2]}, "no_such_column"),
    ({"use_source": ["data", "guessed"]}, "use_source"),  # the layer's value check, on this column
])
def test_bad_columns_are_refused_and_the_scene_kept(scene, columns, field) -> None:
    before = scene.buildings.copy()
    with pytest.raises(SchemaError) as err:
        scene.set_columns("buildings", columns)
    assert err.value.field == field
    pd.testing.assert_frame_equal(scene.buildings, before)
