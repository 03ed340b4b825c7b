"""The cell of the walls' grid (``twin.solar.shading.WALL_GRID_CELL_M``) does not change the facade
horizons: each is the largest elevation over the same triangle cuts, whichever cells list the
triangles, so grids of any cell give the same profiles bit for bit."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
import shapely.affinity

from tests.test_energy_stock_shading import canyon_scene


def _irregular_scene(n: int = 60, seed: int = 3):
    """``n`` rotated rectangles of random size and height scattered over 150 x 150 m (some overlap)."""
    from twin.scene import Scene

    rng = np.random.default_rng(seed)
    geoms = []
    for _ in range(n):
        x, y = 150000.0 + rng.uniform(0, 150), 170000.0 + rng.uniform(0, 150)
        box = shapely.box(x, y, x + rng.uniform(4, 20), y + rng.uniform(4, 20))
        geoms.append(shapely.affinity.rotate(box, rng.uniform(0, 90), origin="centroid"))
    frame = gpd.GeoDataFrame(
        {"building_id": [f"b{i}" for i in range(n)], "height_m": rng.uniform(3, 30, n), "ground_z_m": rng.uniform(0, 4, n),
         "n_storeys": 3, "footprint_area_m2": 100.0, "floor_area_m2": 300.0, "source_format": "footprints"},
        geometry=geoms, crs="EPSG:31370")
    scene = Scene()
    scene.add("buildings", frame)
    return scene


def test_the_wall_grid_cell_does_not_change_the_horizons():
    from twin.scene.footprints import edge_table, facade_observer_xy
    from twin.solar.grid import SceneGrid
    from twin.solar.shading import WALL_GRID_CELL_M, wall_grid, wall_triangles

    for scene in (canyon_scene(street_m=8.0), _irregular_scene()):
        fac = scene.facades()
        b = scene.buildings
        bi = fac["building_index"].to_numpy().astype(np.int64)
        ground = b["ground_z_m"].to_numpy(dtype=float) if "ground_z_m" in b else np.zeros(len(b))
        obs = np.column_stack([facade_observer_xy(fac), ground[bi] + 0.5 * b["height_m"].to_numpy()[bi]])
        grid = wall_grid(scene)
        assert grid.cell == WALL_GRID_CELL_M
        used = grid.horizons(obs, exclude=bi)
        assert used.max() > 10.0  # neighbours rise above the facades
        tri, group = wall_triangles(scene, upper_only=True)
        points = facade_observer_xy(edge_table(scene.footprints()))
        for cell_m in (1.5, 4.0, 8.0, 16.0, 40.0):
            other = SceneGrid.build(tri, group, cell_m=cell_m, points=points, vertical_walls=True)
            np.testing.assert_array_equal(other.horizons(obs, exclude=bi), used)
