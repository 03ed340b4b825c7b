"""Small soil-block scenes shared by the 3-D block tests."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import box

from twin.scene import Scene
from twin.soil.grid import GridOptions, build_grid


def car_park_with_square_grid(square_sealed: float):
    """60 m x 60 m: a sealed car park with a 20 m square of ``square_sealed`` in its middle, on 5 m cells."""
    scene = Scene()
    scene.add("sites", gpd.GeoDataFrame({"site_id": ["d"]}, geometry=[box(0, 0, 60, 60)], crs="EPSG:31370"))
    parts = [("street", "parking", 1.0, box(0, 0, 60, 60)), ("square", "park", square_sealed, box(20, 20, 40, 40))]
    scene.add("landcover", gpd.GeoDataFrame(
        {"landcover_id": [p[0] for p in parts], "kind": ["landuse"] * 2, "cover_class": [p[1] for p in parts],
         "sealed_fraction": [p[2] for p in parts]}, geometry=[p[3] for p in parts], crs="EPSG:31370"))
    return build_grid(scene, GridOptions(cell_size_m=5.0))
