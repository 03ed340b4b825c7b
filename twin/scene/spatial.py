"""Spatial queries on the building layer: party walls, facades and horizon profiles.

The heavy loops run in :mod:`twin.kernels.geometry`; this module prepares arrays and shapes
the results as tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from twin.scene.footprints import FootprintArrays, edge_table, footprint_arrays

PARTY_WALL_TOLERANCE_M = 0.3
"""Two footprint edges closer than this (and parallel) are one shared wall, m."""

PARALLEL_MAX_ANGLE_DEG = 5.0
"""Largest angle between two edges counted as parallel, degrees."""


def candidate_pairs(tree: shapely.STRtree, geometries: np.ndarray, distance_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Unordered pairs (a < b) of geometries within ``distance_m`` of each other."""
    left, right = tree.query(geometries, predicate="dwithin", distance=distance_m)
    keep = left < right
    return left[keep].astype(np.int64), right[keep].astype(np.int64)


def envelope_pairs(tree: shapely.STRtree, geometries: np.ndarray, distance_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Unordered pairs (a < b) whose bounding boxes are within ``distance_m`` of each other.

    A superset of :func:`candidate_pairs` (every pair within ``distance_m`` has bounding boxes
    that close), found without computing distances: each query is a 2-point line spanning
    the expanded bounding box, whose envelope is all the tree looks at. It is several times
    faster than the ``dwithin`` predicate on large footprint layers.
    """
    b = shapely.bounds(geometries)
    ok = np.isfinite(b).all(axis=1)
    ends = np.stack([b[ok, :2] - distance_m, b[ok, 2:] + distance_m], axis=1)
    left, right = tree.query(shapely.linestrings(ends))
    left = np.flatnonzero(ok)[left]
    keep = left < right
    return left[keep].astype(np.int64), right[keep].astype(np.int64)


def shared_walls(
    fp: FootprintArrays,
    tree: shapely.STRtree,
    geometries: np.ndarray,
    *,
    tolerance_m: float = PARTY_WALL_TOLERANCE_M,
    max_angle_deg: float = PARALLEL_MAX_ANGLE_DEG,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shared footprint-boundary length of every adjacent pair of buildings.

    Returns
    -------
    a, b : int64 arrays of building indices (a < b) with a shared length > 0
    length_m : float64, shared boundary length of each pair, m
    edge_shared_m : float64 (n_points), shared length per edge start vertex, m
    """
    from twin.kernels.geometry import shared_edges

    # bounding-box candidates suffice: the kernel itself keeps only edges within tolerance_m
    pa, pb = envelope_pairs(tree, geometries, tolerance_m)
    pair_len = np.zeros(len(pa))
    edge_len = np.zeros(len(fp.coords))
    shared_edges(
        fp.coords, fp.ring_offsets, fp.building_ring_offsets, pa, pb,
        float(tolerance_m), float(np.sin(np.radians(max_angle_deg))), pair_len, edge_len,
    )
    keep = pair_len > 0
    return pa[keep], pb[keep], pair_len[keep], edge_len


def party_wall_table(buildings: pd.DataFrame, a, b, length_m) -> pd.DataFrame:
    """Party walls as a table: both ids, shared length and shared area from both heights.

    The shared area is ``length x min(height_a, height_b)``: above the lower roof the taller
    building's wall is exterior again.
    """
    ids = buildings["building_id"].to_numpy()
    h = buildings["height_m"].to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "building_id": ids[a],
            "neighbour_id": ids[b],
            "shared_length_m": length_m,
            "shared_area_m2": length_m * np.minimum(h[a], h[b]),
        }
    )


def facade_table(buildings: pd.DataFrame, fp: FootprintArrays, edge_shared_m: np.ndarray) -> pd.DataFrame:
    """One row per footprint edge with its exterior and party-wall areas.

    The party part of an edge is its shared length times the building's own height (the
    neighbour's height is not known per edge here; :func:`party_wall_table` gives the
    pair-wise area with both heights).
    """
    edges = edge_table(fp)
    h = buildings["height_m"].to_numpy(dtype=float)[edges["building_index"].to_numpy()]
    shared = np.minimum(edge_shared_m[edges["vertex_index"].to_numpy()], edges["length_m"].to_numpy())
    edges["building_id"] = buildings["building_id"].to_numpy()[edges["building_index"].to_numpy()]
    edges["shared_length_m"] = shared
    edges["height_m"] = h
    edges["exterior_area_m2"] = (edges["length_m"] - shared) * h
    edges["party_area_m2"] = shared * h
    return edges


def horizon_for_points(
    obs_xyz: np.ndarray,
    own_building: np.ndarray,
    fp: FootprintArrays,
    tree: shapely.STRtree,
    top_z: np.ndarray,
    *,
    n_sectors: int = 36,
    max_distance_m: float = 100.0,
) -> np.ndarray:
    """Obstruction elevation angle (degrees) per azimuth sector for observer points.

    Sector ``k`` is centred on azimuth ``k * 360 / n_sectors`` (clockwise from north).
    ``own_building[i]`` (or -1) is excluded from observer ``i``'s obstructions.
    """
    from twin.kernels.geometry import horizon_profiles

    points = shapely.points(obs_xyz[:, 0], obs_xyz[:, 1])
    obs, cand = tree.query(points, predicate="dwithin", distance=max_distance_m)
    keep = cand != own_building[obs]
    obs, cand = obs[keep], cand[keep]
    order = np.argsort(obs, kind="stable")
    obs, cand = obs[order], cand[order].astype(np.int64)
    offsets = np.zeros(len(obs_xyz) + 1, dtype=np.int64)
    np.cumsum(np.bincount(obs, minlength=len(obs_xyz)), out=offsets[1:])
    out = np.zeros((len(obs_xyz), n_sectors))
    horizon_profiles(
        np.ascontiguousarray(obs_xyz, dtype=np.float64), offsets, cand, fp.coords, fp.ring_offsets,
        fp.building_ring_offsets, np.asarray(top_z, dtype=np.float64), float(max_distance_m), out,
    )
    return out


__all__ = [
    "FootprintArrays",
    "candidate_pairs",
    "envelope_pairs",
    "facade_table",
    "footprint_arrays",
    "horizon_for_points",
    "party_wall_table",
    "shared_walls",
]
