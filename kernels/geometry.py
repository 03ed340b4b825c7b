"""Geometry kernels for the scene graph: shared footprint edges and horizon profiles.

Footprints come in as flat arrays: ``coords`` (n_points, 2) holds the vertices of every
exterior ring, each ring closed (last vertex repeats the first); ``ring_offsets`` (n_rings + 1)
slices ``coords`` per ring; ``building_ring_offsets`` (n_buildings + 1) slices the rings per
building. Units are those of the coordinates (metres in a projected CRS).
"""

from __future__ import annotations

import math

import numpy as np

from twin.kernels.config import jit, jit_parallel, prange


@jit
def shared_edges(
    coords: np.ndarray,
    ring_offsets: np.ndarray,
    building_ring_offsets: np.ndarray,
    pair_a: np.ndarray,
    pair_b: np.ndarray,
    tolerance: float,
    max_angle_sin: float,
    pair_shared_length: np.ndarray,
    edge_shared_length: np.ndarray,
) -> None:
    """Length of footprint boundary shared by each candidate pair of buildings.

    Two edges are shared where they are parallel within ``max_angle_sin`` (sine of the angle),
    both end points of one lie within ``tolerance`` of the other's line, and their projections
    overlap. The overlap length is added to ``pair_shared_length[p]`` and to
    ``edge_shared_length`` at the index of each edge's start vertex in ``coords`` (for both
    buildings). Outputs are accumulated, so the caller zeroes them.

    Parameters
    ----------
    coords : float64 (n_points, 2)
    ring_offsets : int64 (n_rings + 1)
    building_ring_offsets : int64 (n_buildings + 1)
    pair_a, pair_b : int64 (n_pairs)
        Candidate pairs of building indices (a != b, each unordered pair once).
    tolerance : float
        Largest distance between two edges counted as one wall, coordinate units.
    max_angle_sin : float
        Largest sine of the angle between two edges counted as parallel.
    pair_shared_length : float64 (n_pairs), output
    edge_shared_length : float64 (n_points), output
    """
    for p in range(pair_a.shape[0]):
        a = pair_a[p]
        b = pair_b[p]
        total = 0.0
        for ra in range(building_ring_offsets[a], building_ring_offsets[a + 1]):
            for i in range(ring_offsets[ra], ring_offsets[ra + 1] - 1):
                ax0 = coords[i, 0]
                ay0 = coords[i, 1]
                dx = coords[i + 1, 0] - ax0
                dy = coords[i + 1, 1] - ay0
                la = math.sqrt(dx * dx + dy * dy)
                if la <= 0.0:
                    continue
                ux = dx / la
                uy = dy / la
                for rb in range(building_ring_offsets[b], building_ring_offsets[b + 1]):
                    for j in range(ring_offsets[rb], ring_offsets[rb + 1] - 1):
                        bx0 = coords[j, 0] - ax0
                        by0 = coords[j, 1] - ay0
                        bx1 = coords[j + 1, 0] - ax0
                        by1 = coords[j + 1, 1] - ay0
                        ex = bx1 - bx0
                        ey = by1 - by0
                        lb = math.sqrt(ex * ex + ey * ey)
                        if lb <= 0.0:
                            continue
                        if abs(ux * ey - uy * ex) / lb > max_angle_sin:
                            continue
                        # perpendicular distances of b's end points from a's line
                        if abs(ux * by0 - uy * bx0) > tolerance or abs(ux * by1 - uy * bx1) > tolerance:
                            continue
                        s0 = ux * bx0 + uy * by0
                        s1 = ux * bx1 + uy * by1
                        lo = min(s0, s1)
                        hi = max(s0, s1)
                        overlap = min(hi, la) - max(lo, 0.0)
                        if overlap > tolerance:
                            total += overlap
                            edge_shared_length[i] += overlap
                            edge_shared_length[j] += overlap
        pair_shared_length[p] = total


@jit_parallel
def horizon_profiles(
    obs_xyz: np.ndarray,
    cand_offsets: np.ndarray,
    cand_buildings: np.ndarray,
    coords: np.ndarray,
    ring_offsets: np.ndarray,
    building_ring_offsets: np.ndarray,
    top_z: np.ndarray,
    max_distance: float,
    out_elevation_deg: np.ndarray,
) -> None:
    """Obstruction (horizon) elevation angle per azimuth sector seen from observer points.

    For each observer ``o`` and each of ``n_sectors = out_elevation_deg.shape[1]`` sectors, a
    ray leaves at the sector's centre azimuth (sector ``k`` centred on ``k * 360 / n_sectors``
    degrees, clockwise from north = +y); the result is the largest elevation angle
    ``atan((top_z[b] - z_o) / d)`` over the footprint edges of the candidate buildings the ray
    crosses within ``max_distance``. Buildings lower than the observer give 0.

    Parameters
    ----------
    obs_xyz : float64 (n_obs, 3)
        Observer positions (x east, y north, z up), metres.
    cand_offsets : int64 (n_obs + 1)
    cand_buildings : int64
        Candidate obstructing buildings of observer ``o``:
        ``cand_buildings[cand_offsets[o]:cand_offsets[o + 1]]`` (exclude the observer's own).
    coords, ring_offsets, building_ring_offsets
        Footprints, as in :func:`shared_edges`.
    top_z : float64 (n_buildings)
        Absolute roof height of each building, metres.
    max_distance : float
        Rays stop here, metres.
    out_elevation_deg : float64 (n_obs, n_sectors), output
        Overwritten with the obstruction angles in degrees (0 = open horizon).
    """
    n_sectors = out_elevation_deg.shape[1]
    for o in prange(obs_xyz.shape[0]):
        ox = obs_xyz[o, 0]
        oy = obs_xyz[o, 1]
        oz = obs_xyz[o, 2]
        for k in range(n_sectors):
            out_elevation_deg[o, k] = 0.0
        for c in range(cand_offsets[o], cand_offsets[o + 1]):
            b = cand_buildings[c]
            rise = top_z[b] - oz
            if rise <= 0.0:
                continue
            for r in range(building_ring_offsets[b], building_ring_offsets[b + 1]):
                for i in range(ring_offsets[r], ring_offsets[r + 1] - 1):
                    x0 = coords[i, 0] - ox
                    y0 = coords[i, 1] - oy
                    x1 = coords[i + 1, 0] - ox
                    y1 = coords[i + 1, 1] - oy
                    # azimuths (clockwise from north) of the two end points, degrees
                    az0 = math.degrees(math.atan2(x0, y0)) % 360.0
                    az1 = math.degrees(math.atan2(x1, y1)) % 360.0
                    span = (az1 - az0) % 360.0
                    start = az0
                    if span > 180.0:
                        span = 360.0 - span
                        start = az1
                    width = 360.0 / n_sectors
                    k0 = int(math.ceil(start / width - 1e-12))
                    k1 = int(math.floor((start + span) / width + 1e-12))
                    ex = x1 - x0
                    ey = y1 - y0
                    for kk in range(k0, k1 + 1):
                        k = kk % n_sectors
                        theta = math.radians(k * width)
                        rx = math.sin(theta)
                        ry = math.cos(theta)
                        denom = rx * ey - ry * ex
                        if denom == 0.0:
                            continue
                        # ray o + t r meets segment p0 + s e: solve t r - s e = p0
                        t = (x0 * ey - y0 * ex) / denom
                        if t <= 0.0 or t > max_distance:
                            continue
                        elev = math.degrees(math.atan(rise / t))
                        if elev > out_elevation_deg[o, k]:
                            out_elevation_deg[o, k] = elev
