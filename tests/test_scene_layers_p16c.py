"""Reading some layers of a written scene (``read_scene(..., layers=...)``), as ``twin energy run`` does."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from twin.errors import InputError
from twin.scene import Scene


def _scene() -> Scene:
    geoms = [box(0, 0, 10, 10), box(10, 0, 20, 10)]
    scene = Scene(name="t")
    scene.add("buildings", gpd.GeoDataFrame(
        {"building_id": ["b0", "b1"], "height_m": [6.0, 9.0], "n_storeys": [2, 3], "footprint_area_m2": [100.0, 100.0],
         "floor_area_m2": [200.0, 300.0]}, geometry=geoms, crs="EPSG:31370"))
    scene.add("elements", pd.DataFrame({"element_id": ["w1"], "building_id": ["b0"], "kind": ["wall"], "area_m2": [30.0],
                                        "azimuth_deg": [180.0], "tilt_deg": [90.0], "u_value_w_m2k": [0.3]}))
    scene.add("pois", gpd.GeoDataFrame({"poi_id": ["p0"], "category": ["shop"]}, geometry=[Point(5, 20)], crs="EPSG:31370"))
    scene.add("landcover", gpd.GeoDataFrame({"landcover_id": ["l0"], "kind": ["grass"], "sealed_fraction": [0.0]},
                                            geometry=[box(0, 20, 30, 40)], crs="EPSG:31370"))
    return scene


@pytest.mark.parametrize("suffix", ["", ".gpkg"])
def test_read_scene_reads_only_the_layers_asked_for(tmp_path, suffix):
    from twin.export import write_scene
    from twin.scene.io import read_scene

    scene = _scene()
    out = tmp_path / f"scene{suffix}"
    write_scene(scene, out)
    whole = read_scene(out)
    part = read_scene(out, layers=("elements",))  # the buildings always come along
    assert whole.counts()["pois"] == 1 and whole.counts()["landcover"] == 1
    assert part.counts() == {**whole.counts(), "pois": 0, "landcover": 0}
    pd.testing.assert_frame_equal(pd.DataFrame(part.buildings), pd.DataFrame(whole.buildings))
    pd.testing.assert_frame_equal(part.elements, whole.elements)
    # the layers left out are the schema's empty layers, in the scene's CRS
    assert list(part.pois.columns) == list(Scene(name="e").pois.columns)
    assert part.pois.crs.equals(whole.pois.crs)


def test_read_scene_unknown_layer_is_an_input_error(tmp_path):
    from twin.export import write_scene
    from twin.scene.io import read_scene

    write_scene(_scene(), tmp_path / "scene")
    with pytest.raises(InputError, match="unknown scene layers.*'streets'"):
        read_scene(tmp_path / "scene", layers=("buildings", "streets"))


def test_energy_run_scene_layers_are_scene_layers():
    from twin.energy.stock import SCENE_LAYERS
    from twin.scene.schema import LAYERS

    assert set(SCENE_LAYERS) <= set(LAYERS)
    assert "buildings" in SCENE_LAYERS and "elements" in SCENE_LAYERS and "spaces" in SCENE_LAYERS
