"""The water table: depth per cell (from a map or a documented default), the column it bounds.

A soil column ends at the water table when the table lies within ``max_column_depth_m`` of the
surface: its bottom node holds the hydrostatic head there (``h = z_bottom - depth_to_water``,
0 when the column ends on the table), so water drains to the table (recharge) or rises from it
(capillary rise) as the Richards equation decides. A deeper table is out of reach of the roots and
of capillary rise in the soils of Brussels within a year; the column then ends at
``max_column_depth_m`` with free drainage (unit gradient), and what drains is recharge.

Depth to water per cell: the polygons of a water-table map (a GeoDataFrame, or a GeoJSON /
GeoPackage file, field ``water_table_depth_m``, metres below the surface, the smallest polygon
holding the cell centre) and ``default_depth_m`` elsewhere. Depths are rounded to
``depth_step_m`` so that cells share their columns (a 10 cm step moves a table by at most 5 cm).

Default depth
-------------
No groundwater map is shipped with twin. ``default_depth_m`` = 3 m stands for the lower,
Senne-valley side of Saint-Gilles where the Brussels Sands / Quaternary aquifer comes within a few
metres of the surface; on the plateau side the table lies deeper than 10 m and the columns drain
freely at 5 m. Give a map (e.g. from Bruxelles Environnement's piezometric maps) for real studies.

A depth at or above the surface (<= 0) is an :class:`~twin.errors.InputError` naming the file,
the feature and the field: twin models soil under unsaturated conditions at the surface, not
ponds or wetlands.
"""

from __future__ import annotations

import os

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from twin.errors import InputError

MAP_FIELD = "water_table_depth_m"
MIN_COLUMN_DEPTH_M = 0.3
"""Shallowest soil column, m: a table shallower than this puts a positive head on the bottom node."""
MAP_MAX_BYTES = 256 * 1024**2


class WaterTableOptions(BaseModel):
    """Where the water table lies and how deep the columns go (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    default_depth_m: float = Field(3.0, description="depth to water below the surface where no map says otherwise, m")
    max_column_depth_m: float = Field(5.0, gt=MIN_COLUMN_DEPTH_M, le=100.0, description="deepest column, m; a deeper table: free drainage there")
    depth_step_m: float = Field(0.1, gt=0, le=5.0, description="depths are rounded to this step, m")

    def checked(self, *, path=None) -> WaterTableOptions:
        """Raise InputError for a default depth at or above the surface."""
        _check_depth(self.default_depth_m, path=path, obj=None, field="water_table.default_depth_m")
        return self


def _check_depth(depth: float, *, path, obj, field: str) -> None:
    if not np.isfinite(depth):
        raise InputError(f"the depth to the water table must be a finite number of metres, got {depth!r}", path=path, obj=obj, field=field)
    if depth <= 0.0:
        raise InputError(
            f"the water table lies at or above the surface (depth {depth:g} m); give its depth below the surface (> 0 m)",
            path=path, obj=obj, field=field,
        )


def read_water_table_map(source, *, crs=None):
    """A water-table map as a GeoDataFrame (in ``crs`` when given), checked feature by feature.

    Parameters
    ----------
    source
        A GeoDataFrame, or a path to a GeoJSON / GeoPackage file, with polygons and the field
        :data:`MAP_FIELD` (metres below the surface).

    Raises
    ------
    InputError
        Unreadable file, no such field, a missing or non-positive depth (the feature named).
    """
    from twin.soil.grid import read_polygon_layer

    gdf, path = read_polygon_layer(source, what="water-table map", max_bytes=MAP_MAX_BYTES)
    if MAP_FIELD not in gdf.columns:
        raise InputError("the water-table map has no such field", path=path, field=MAP_FIELD)
    if gdf.crs is None:
        raise InputError("the water-table map has no coordinate reference system", path=path, field="crs")
    depths = gdf[MAP_FIELD].to_numpy(dtype=float)
    for i, d in enumerate(depths):
        obj = f"feature {gdf.index[i]}"
        _check_depth(float(d), path=path, obj=obj, field=MAP_FIELD)
    if crs is not None and gdf.crs != crs:
        gdf = gdf.to_crs(crs)
    return gdf


def cell_water_table_depth(grid, options: WaterTableOptions | None = None, water_table_map=None, *, path=None) -> np.ndarray:
    """Depth to the water table under each cell centre, m, rounded to ``depth_step_m``, (ny, nx)."""
    import shapely

    from twin.soil.grid import _smallest_hit, check_map_covers_grid

    options = (options or WaterTableOptions()).checked(path=path)
    ny, nx = grid.shape
    depth = np.full(ny * nx, options.default_depth_m)
    if water_table_map is not None:
        gdf = read_water_table_map(water_table_map, crs=grid.crs)
        gx, gy = np.meshgrid(grid.x, grid.y)
        hit = _smallest_hit(shapely.points(gx.ravel(), gy.ravel()), np.asarray(gdf.geometry.values))
        check_map_covers_grid(hit, gdf.geometry.values, grid, what="water-table map",
                              path=water_table_map if isinstance(water_table_map, (str, os.PathLike)) else path, field="water_table_map")
        vals = gdf[MAP_FIELD].to_numpy(dtype=float)
        depth[hit >= 0] = vals[hit[hit >= 0]]
    step = options.depth_step_m
    depth = np.maximum(np.round(depth / step) * step, step)
    return depth.reshape(ny, nx)


def column_bottom(depth_to_water_m: np.ndarray, options: WaterTableOptions | None = None, *, min_depth_m: float = MIN_COLUMN_DEPTH_M):
    """For depths to water: (column depth m, bottom kind 'fixed_head'/'free_drainage' as 1/0, bottom head m).

    A table within ``max_column_depth_m`` ends the column (at least ``min_depth_m`` deep) with
    the hydrostatic head at its bottom node; a deeper one leaves free drainage at
    ``max_column_depth_m``.
    """
    options = options or WaterTableOptions()
    d = np.asarray(depth_to_water_m, dtype=float)
    reach = d <= options.max_column_depth_m
    col_depth = np.where(reach, np.maximum(d, min_depth_m), options.max_column_depth_m)
    head = np.where(reach, col_depth - d, 0.0)
    return col_depth, reach.astype(np.int64), head


def hydrostatic_heads(z_m: np.ndarray, depth_to_water_m: float, *, h_min_m: float = -100.0) -> np.ndarray:
    """Heads in equilibrium with a water table at ``depth_to_water_m``: ``h = z - d`` (m), not below ``h_min_m``."""
    return np.maximum(np.asarray(z_m, dtype=float) - depth_to_water_m, h_min_m)
