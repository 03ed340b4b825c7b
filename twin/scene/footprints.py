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

    Footprints of one ring (polygons without holes, and MultiPolygons of one such polygon:
    nearly all footprints; every building of an OSM ingest is a MultiPolygon) take a fast
    path: their coordinates are that ring, read with one ``get_coordinates`` call, and their
    orientation comes from the shoelace sum in NumPy. Only MultiPolygons of several parts and
    polygons with holes go through ``get_parts`` / ``get_exterior_ring`` (which create a
    geometry object per part: 0.2 s for the region's 51k buildings).
    """
    geoms = np.asarray(geometries, dtype=object)
    n = len(geoms)
    type_id = shapely.get_type_id(geoms)
    simple = (type_id == 3) & (shapely.get_num_interior_rings(geoms) == 0)
    simple[simple] = ~shapely.is_empty(geoms[simple])
    simple |= _one_ring_multipolygons(geoms, type_id)
    simple_idx = np.flatnonzero(simple)
    other_idx = np.flatnonzero(~simple & (type_id >= 0))
    coords_s, ring_s = shapely.get_coordinates(geoms[simple_idx], return_index=True)
    ring_building = simple_idx
    coords = coords_s
    point_ring = ring_s
    if len(other_idx):
        parts, part_b = shapely.get_parts(geoms[other_idx], return_index=True)
        keep = (shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)
        parts, part_b = parts[keep], part_b[keep]
        coords_o, ring_o = shapely.get_coordinates(shapely.get_exterior_ring(parts), return_index=True)
        coords = np.concatenate([coords_s, coords_o])
        point_ring = np.concatenate([ring_s, ring_o + len(simple_idx)])
        ring_building = np.concatenate([simple_idx, other_idx[part_b]])
    n_rings = len(ring_building)
    ring_len = np.bincount(point_ring, minlength=n_rings).astype(np.int64)
    old_start = np.zeros(n_rings, dtype=np.int64)
    np.cumsum(ring_len[:-1], out=old_start[1:])
    # rings in building order (stable: the parts of a MultiPolygon keep their order)
    order = np.argsort(ring_building, kind="stable") if len(other_idx) else np.arange(n_rings)
    ring_len = ring_len[order]
    ring_building = ring_building[order]
    ring_offsets = np.zeros(n_rings + 1, dtype=np.int64)
    np.cumsum(ring_len, out=ring_offsets[1:])
    new_ring = np.repeat(np.arange(n_rings), ring_len)
    pos = np.arange(len(coords)) - ring_offsets[new_ring]  # position of each point in its ring
    # exterior rings counter-clockwise: signed (shoelace) area relative to the first vertex
    src = old_start[order][new_ring] + pos
    xy = coords[src]
    rel = xy - xy[ring_offsets[new_ring]]
    cross = np.zeros(len(xy))
    cross[:-1] = rel[:-1, 0] * rel[1:, 1] - rel[1:, 0] * rel[:-1, 1]
    cross[ring_offsets[1:] - 1] = 0.0  # no edge from a ring's last vertex to the next ring
    area2 = np.bincount(new_ring, weights=cross, minlength=n_rings)
    cw = area2 < 0.0
    flip = cw[new_ring]
    src[flip] = (old_start[order][new_ring] + ring_len[new_ring] - 1 - pos)[flip]
    coords = np.ascontiguousarray(coords[src, :2], dtype=np.float64)
    building_counts = np.bincount(ring_building, minlength=n)
    building_ring_offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(building_counts, out=building_ring_offsets[1:])
    point_building = ring_building[new_ring].astype(np.int64)
    return FootprintArrays(coords, ring_offsets, building_ring_offsets, point_building)


def _one_ring_multipolygons(geoms: np.ndarray, type_id: np.ndarray) -> np.ndarray:
    """Boolean mask (n,): the MultiPolygons of one part whose polygon has one ring (no hole).

    Their ``get_coordinates`` is that ring. The part and ring counts are read from the headers
    of their WKB (little-endian, 2-D): byte order (1 byte), type (4), number of parts (4), then
    the polygon's byte order (1), type (4) and number of rings (4), without a geometry object
    per part.
    """
    out = np.zeros(len(geoms), dtype=bool)
    cand = np.flatnonzero((type_id == 6) & (shapely.get_num_geometries(geoms) == 1))
    if len(cand) == 0:
        return out
    wkb = shapely.to_wkb(geoms[cand], byte_order=1, output_dimension=2)
    size = np.fromiter(map(len, wkb), dtype=np.int64, count=len(wkb))
    start = np.zeros(len(wkb), dtype=np.int64)
    np.cumsum(size[:-1], out=start[1:])
    buf = np.frombuffer(b"".join(wkb), dtype=np.uint8)

    # one part: a 9-byte header and a polygon of at least 9 bytes
    ok = size >= 18
    cand, start = cand[ok], start[ok]

    def uint32_at(k: int) -> np.ndarray:
        b = buf[start[:, None] + k + np.arange(4)].astype(np.uint32)
        return b[:, 0] | b[:, 1] << 8 | b[:, 2] << 16 | b[:, 3] << 24

    out[cand] = (uint32_at(5) == 1) & (uint32_at(10) == 3) & (uint32_at(14) == 1)
    return out


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
    # every column is a new array of this function's: the table takes them as they are
    # (``copy=False``) instead of copying them into one block per dtype (10-25 ms of fresh
    # memory on the region's 302k edges in a fresh process)
    return pd.DataFrame(
        {
            "building_index": fp.point_building[starts],
            "vertex_index": starts,
            "length_m": length,
            "azimuth_deg": azimuth,
            "mid_x": np.ascontiguousarray(mid[:, 0]),
            "mid_y": np.ascontiguousarray(mid[:, 1]),
        },
        copy=False,
    )


#: Distance of a facade's observer in front of its edge's midpoint, m (off the wall, so that the
#: walk does not start on the facade's own triangles).
OBSERVER_OFFSET_M = 0.1


def facade_observer_xy(edges: pd.DataFrame) -> np.ndarray:
    """Plan position (n, 2) of each facade's observer: ``OBSERVER_OFFSET_M`` in front of the midpoint
    of its edge, along the outward normal (rows of :func:`edge_table` or ``Scene.facades()``)."""
    az = np.radians(edges["azimuth_deg"].to_numpy(dtype=float))
    return np.column_stack([edges["mid_x"].to_numpy() + OBSERVER_OFFSET_M * np.sin(az),
                            edges["mid_y"].to_numpy() + OBSERVER_OFFSET_M * np.cos(az)])
