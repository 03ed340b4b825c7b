"""Plain-NumPy references for the solar kernels: every sensor, every hour, every triangle.

Slow and obviously correct: no grid, no early exit, no Numba. The tests compare the kernels
of :mod:`twin.kernels.solar_grid` and :mod:`twin.kernels.solar_sky` with these.
"""

from __future__ import annotations

import numpy as np


def ray_hits_any(origin: np.ndarray, dirs: np.ndarray, tri: np.ndarray, t_min: float) -> np.ndarray:
    """(n_dirs,) bool: the ray ``origin + t d`` (t > t_min) hits any triangle (Moeller-Trumbore on all)."""
    a = tri[:, 0, :]
    e1 = tri[:, 1, :] - a
    e2 = tri[:, 2, :] - a
    d = dirs[:, None, :]  # (n_d, 1, 3)
    p = np.cross(d, e2[None, :, :])  # (n_d, n_t, 3)
    det = np.einsum("ijk,jk->ij", p, e1)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = 1.0 / det
        s = origin[None, :] - a  # (n_t, 3)
        u = np.einsum("ijk,jk->ij", p, s) * inv
        q = np.cross(s, e1)  # (n_t, 3)
        v = np.einsum("ik,jk->ij", dirs, q) * inv
        t = np.einsum("jk,jk->j", e2, q)[None, :] * inv
    hit = (det != 0) & (u >= 0) & (u <= 1) & (v >= 0) & (u + v <= 1) & (t > t_min)
    return hit.any(axis=1)


def direct_hourly_reference(origins, normals, sun, dni, tri, t_min=1e-6) -> np.ndarray:
    """Direct irradiance (n_s, n_h), W/m2: ``dni cos(aoi)`` unless any triangle blocks the sun."""
    out = np.zeros((len(origins), len(sun)))
    for s in range(len(origins)):
        c = sun @ normals[s]
        on = (dni > 0) & (sun[:, 2] > 0) & (c > 0)
        idx = np.flatnonzero(on)
        if len(idx) == 0:
            continue
        blocked = ray_hits_any(origins[s], sun[idx], tri, t_min)
        out[s, idx] = np.where(blocked, 0.0, dni[idx] * c[idx])
    return out


def sky_view_reference(horizon_deg: np.ndarray, normal: np.ndarray, n_el: int = 2000, n_sub: int = 64) -> float:
    """Isotropic sky-view share by brute-force quadrature over the hemisphere (midpoint rule)."""
    n_s = len(horizon_deg)
    width = 2 * np.pi / n_s
    phi = (np.arange(n_s * n_sub) + 0.5) / n_sub * width - width / 2
    sec = np.arange(n_s * n_sub) // n_sub
    de = (np.pi / 2) / n_el
    e = (np.arange(n_el) + 0.5) * de
    E, P = np.meshgrid(e, phi, indexing="ij")
    d = np.stack([np.cos(E) * np.sin(P), np.cos(E) * np.cos(P), np.sin(E)], axis=-1)
    w = np.maximum(d @ normal, 0) * np.cos(E)
    blocked = E < np.radians(horizon_deg[sec])[None, :]
    return 1.0 - (w * blocked).sum() / w.sum()
