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


def horizon_reference(origin: np.ndarray, n_sectors: int, tri: np.ndarray, max_dist: float, f_min: float = 1e-6) -> np.ndarray:
    """Horizon elevation (degrees, >= 0) per sector from every triangle, no grid: for each
    sector the cut of every triangle with the vertical half-plane (its vertices on the plane and
    its edge crossings), clipped to ``[f_min, max_dist]``, and the largest (z - z0) / f."""
    out = np.zeros(n_sectors)
    rel = tri - origin[None, None, :]
    for k in range(n_sectors):
        az = np.radians(k * 360.0 / n_sectors)
        a = np.array([np.sin(az), np.cos(az)])
        s = rel[:, :, 0] * -a[1] + rel[:, :, 1] * a[0]  # signed distance from the plane (n_t, 3)
        f = rel[:, :, 0] * a[0] + rel[:, :, 1] * a[1]
        z = rel[:, :, 2]
        best = 0.0
        for i in range(len(tri)):
            pts = []
            for e in range(3):
                j = (e + 1) % 3
                if s[i, e] == 0:
                    pts.append((f[i, e], z[i, e]))
                elif s[i, e] * s[i, j] < 0:
                    lam = s[i, e] / (s[i, e] - s[i, j])
                    pts.append((f[i, e] + lam * (f[i, j] - f[i, e]), z[i, e] + lam * (z[i, j] - z[i, e])))
            if not pts:
                continue
            pts.sort()
            (fa, za), (fb, zb) = pts[0], pts[-1]
            cands = [(fq, zq) for fq, zq in pts if f_min <= fq <= max_dist]
            if fa < f_min or fb > max_dist:  # clip the segment
                if fb >= f_min and fa <= max_dist and fb > fa:
                    lo, hi = max(fa, f_min), min(fb, max_dist)
                    cands += [(q, za + (zb - za) * (q - fa) / (fb - fa)) for q in (lo, hi)]
            for fq, zq in cands:
                best = max(best, zq / fq)
        out[k] = np.degrees(np.arctan(best))
    return out
