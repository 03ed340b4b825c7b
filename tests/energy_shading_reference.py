"""Plain reference of the energy model's urban shading factors (the code path before the solar
kernels): horizons from :meth:`Scene.facade_horizons` (STRtree query of the footprint edges),
sky-view shares by NumPy quadrature and monthly factors by an hourly loop
(:func:`twin.energy.solar.horizon_shade_factors`). The product path
(:func:`twin.energy.stock.urban_shade_factors` -> :mod:`twin.solar.shading`) must agree with it.
"""

from __future__ import annotations

import numpy as np


def reference_facade_horizons(scene, keep: np.ndarray, n_sectors: int = 36) -> np.ndarray:
    """Horizon profiles (n_keep, n_sectors) of the facades selected by ``keep`` (same observers as
    :meth:`Scene.horizon_profile`: edge midpoint moved 0.1 m outward, half height, 100 m)."""
    return scene.facade_horizons(n_sectors=n_sectors, max_distance_m=100.0, height_fraction=0.5)[keep]


def reference_urban_shade_factors(scene, building_ids, weather, *, groups=None, n_sectors: int = 36) -> np.ndarray:
    """Monthly shading factors (n_b, n_groups, 12): exterior-area-weighted mean over each
    building's facades of one orientation, applied to that orientation's windows and walls."""
    from twin.energy.inputs import STANDARD_GROUPS
    from twin.energy.model import ORIENTATIONS, _edge_exterior_areas, orientation_of
    from twin.energy.solar import horizon_shade_factors

    groups = STANDARD_GROUPS if groups is None else tuple(groups)
    ids = np.asarray(building_ids).astype(str)
    out = np.ones((len(ids), len(groups), 12))
    if len(ids) == 0:
        return out
    ext = _edge_exterior_areas(scene)
    ext["building_id"] = scene.buildings["building_id"].astype(str).to_numpy()[ext["building_index"].to_numpy()]
    keep = (ext["exterior_area_m2"].to_numpy() > 1e-9) & ext["building_id"].isin(ids).to_numpy()
    if not keep.any():
        return out
    hz = reference_facade_horizons(scene, keep, n_sectors)
    orient = orientation_of(ext.loc[keep, "azimuth_deg"].to_numpy())
    factors = horizon_shade_factors(weather, hz, np.char.add("win_", orient.astype(str)), groups=groups)
    area = ext.loc[keep, "exterior_area_m2"].to_numpy()
    pos = {b: i for i, b in enumerate(ids)}
    bi = np.array([pos[b] for b in ext.loc[keep, "building_id"].to_numpy()])
    for o in ORIENTATIONS:
        m = orient == o
        if not m.any():
            continue
        num = np.zeros((len(ids), 12))
        den = np.zeros(len(ids))
        np.add.at(num, bi[m], factors[m] * area[m][:, None])
        np.add.at(den, bi[m], area[m])
        has = den > 0
        f_o = np.ones((len(ids), 12))
        f_o[has] = num[has] / den[has][:, None]
        for gname in (f"win_{o}", f"opq_{o}"):
            if gname in groups:
                out[:, groups.index(gname), :] = np.clip(f_o, 0.0, 1.0)
    return out
