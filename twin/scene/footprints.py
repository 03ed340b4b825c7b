"""Footprints as flat arrays for the geometry kernels, and the facade table derived from them.

Rings are oriented counter-clockwise (exterior), so the outward normal of an edge with
direction (dx, dy) is (dy, -dx). Azimuths are degrees clockwise from north (+y of the
projected CRS; grid north, which in EPSG:31370 is within 1 degree of true north in Brussels).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely


@dataclass(frozen=True)
class FootprintArrays:
    """Exterior rings of n buildings as flat arrays (see :mod:`twin.kernels.geometry`)."""

    coords: np.ndarray  # float64 (n_points, 2)
    ring_offsets: np.ndarray  # int64 (n_rings + 1)
    building_ring_offsets: np.ndarray  # int64 (n_buildings + 1)
    point_building: np.ndarray  # int64 (n_points): building index of each vertex

    @property
    def n_buildings(self) -> int:
        return len(self.building_ring_offsets) - 1

    def edge_starts(self) -> np.ndarray:
        """Index in ``coords`` of the first vertex of every edge (closing vertices excluded)."""
        is_last = np.zeros(len(self.coords), dtype=bool)
        is_last[self.ring_offsets[1:] - 1] = True
        return np.flatnonzero(~is_last)


def footprint_arrays(geometries) -> FootprintArrays:
    """Flatten (Multi)Polygon footprints into exterior-ring arrays, rings counter-clockwise.

    Interior rings (courtyards) are ignored: they rarely separate two buildings.
    """
    geoms = np.asarray(geometries, dtype=object)
    n = len(geoms)
    parts, part_building = shapely.get_parts(geoms, return_index=True)
    parts = shapely.orient_polygons(parts, exterior_cw=False)
    rings = shapely.get_exterior_ring(parts)
    coords, point_ring = shapely.get_coordinates(rings, return_index=True)
    n_rings = len(rings)
    ring_counts = np.bincount(point_ring, minlength=n_rings)
    ring_offsets = np.zeros(n_rings + 1, dtype=np.int64)
    np.cumsum(ring_counts, out=ring_offsets[1:])
    building_counts = np.bincount(part_building, minlength=n)
    building_ring_offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(building_counts, out=building_ring_offsets[1:])
    point_building = part_building[point_ring].astype(np.int64)
    return FootprintArrays(np.ascontiguousarray(coords, dtype=np.float64), ring_offsets, building_ring_offsets, point_building)


def edge_table(fp: FootprintArrays) -> pd.DataFrame:
    """One row per footprint edge: building index, length, outward azimuth, midpoint."""
    starts = fp.edge_starts()
    p0 = fp.coords[starts]
    p1 = fp.coords[starts + 1]
    d = p1 - p0
    length = np.hypot(d[:, 0], d[:, 1])
    # outward normal of a counter-clockwise ring: (dy, -dx); azimuth clockwise from north
    azimuth = np.degrees(np.arctan2(d[:, 1], -d[:, 0])) % 360.0
    mid = 0.5 * (p0 + p1)
    return pd.DataFrame(
        {
            "building_index": fp.point_building[starts],
            "vertex_index": starts,
            "length_m": length,
            "azimuth_deg": azimuth,
            "mid_x": mid[:, 0],
            "mid_y": mid[:, 1],
        }
    )
