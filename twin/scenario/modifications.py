"""What-if operations on a copy of the scene.

Each operation takes a scene and returns nothing: it replaces the layers it changes on that
scene (which is a :meth:`~twin.scene.Scene.copy` of the baseline, so the baseline never
changes). Engines read the result from the scene alone: renovation measures and green roofs
become building columns, closures change link modes, de-sealing changes land cover, a
demand factor goes into ``scene.meta``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from twin.errors import ScenarioError
from twin.scenario import schema as S
from twin.scene.schema import ID_COLUMN


def select(frame: pd.DataFrame, selector: S.Selector, *, layer: str, rng: np.random.Generator, field: str) -> np.ndarray:
    """Boolean mask of the rows of ``frame`` the selector picks.

    Raises
    ------
    ScenarioError
        A ``where`` column the layer does not have (naming the key path ``field``).
    """
    mask = np.ones(len(frame), dtype=bool)
    if selector.ids is not None:
        mask &= frame[ID_COLUMN[layer]].isin(selector.ids).to_numpy()
    for column, cond in selector.where.items():
        if column not in frame.columns:
            raise ScenarioError(f"layer {layer!r} has no column {column!r}", field=f"{field}.where.{column}")
        values = frame[column]
        if isinstance(cond, S.Range):
            v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
            ok = np.ones(len(v), dtype=bool)
            if cond.min is not None:
                ok &= v >= cond.min
            if cond.max is not None:
                ok &= v <= cond.max
            mask &= ok
        elif isinstance(cond, list):
            mask &= values.isin(cond).to_numpy()
        else:
            mask &= (values == cond).to_numpy(dtype=bool)
    if selector.within is not None:
        if "geometry" not in frame:
            raise ScenarioError(f"layer {layer!r} has no geometry", field=f"{field}.within")
        mask &= shapely.intersects(np.asarray(frame.geometry.values), shapely.box(*selector.within))
    if selector.fraction is not None:
        picked = np.flatnonzero(mask)
        k = int(round(selector.fraction * len(picked)))
        keep = rng.choice(picked, size=k, replace=False) if k else np.array([], dtype=int)
        mask = np.zeros(len(frame), dtype=bool)
        mask[keep] = True
    return mask


def _append_csv(old: pd.Series, add: str) -> pd.Series:
    old = old.fillna("").astype(str)
    return old.where(old == "", old + ",") + add


def apply(scene, modification, *, index: int, rng: np.random.Generator, base_dir: Path, prefix: str = "modifications") -> dict:
    """Apply one modification to ``scene``; returns a short record of what it touched."""
    field = f"{prefix}.{index}"
    op = modification.op
    if op == "renovate":
        b = scene.buildings.copy()
        mask = select(b, modification.select, layer="buildings", rng=rng, field=f"{field}.select")
        col = "renovation_measures"
        if col not in b:
            b[col] = ""
        b.loc[mask, col] = _append_csv(b.loc[mask, col], ",".join(modification.measures)).values
        scene.set_layer("buildings", b)
        return {"op": op, "buildings": int(mask.sum())}
    if op in ("close_streets", "change_streets"):
        links = scene.links.copy()
        mask = select(links, modification.select, layer="links", rng=rng, field=f"{field}.select")
        if op == "close_streets":
            closed = set(modification.modes)
            links.loc[mask, "modes"] = [",".join(m for m in str(v).split(",") if m and m not in closed) for v in links.loc[mask, "modes"]]
        else:
            if modification.lanes is not None:
                old = links.loc[mask, "lanes"].clip(lower=1)
                links.loc[mask, "capacity_veh_h"] = links.loc[mask, "capacity_veh_h"] * modification.lanes / old
                links.loc[mask, "lanes"] = modification.lanes
            if modification.capacity_factor is not None:
                links.loc[mask, "capacity_veh_h"] = links.loc[mask, "capacity_veh_h"] * modification.capacity_factor
            if modification.free_speed_m_s is not None:
                links.loc[mask, "free_speed_m_s"] = modification.free_speed_m_s
        scene.set_layer("links", links)
        return {"op": op, "links": int(mask.sum())}
    if op == "scale_demand":
        scene.set_meta("demand_factor", float(scene.meta.get("demand_factor", 1.0)) * modification.factor)
        return {"op": op, "demand_factor": scene.meta["demand_factor"]}
    if op == "deseal":
        lc = scene.landcover.copy()
        mask = select(lc, modification.select, layer="landcover", rng=rng, field=f"{field}.select")
        lc.loc[mask, "sealed_fraction"] = modification.sealed_fraction
        lc.loc[mask, "sealed_defaulted"] = False
        if modification.cover_class is not None:
            lc.loc[mask, "cover_class"] = modification.cover_class
        scene.set_layer("landcover", lc)
        return {"op": op, "landcover": int(mask.sum()), "area_m2": float(lc.loc[mask].area.sum())}
    if op == "green_roofs":
        b = scene.buildings.copy()
        mask = select(b, modification.select, layer="buildings", rng=rng, field=f"{field}.select")
        if "green_roof_share" not in b:
            b["green_roof_share"] = 0.0
        b.loc[mask, "green_roof_share"] = modification.share
        scene.set_layer("buildings", b)
        return {"op": op, "buildings": int(mask.sum())}
    if op == "insert_building":
        return _insert_building(scene, modification, base_dir=base_dir, field=field)
    raise ScenarioError(f"unknown operation {op!r}", field=f"{field}.op")  # pragma: no cover - schema forbids


def _insert_building(scene, modification, *, base_dir: Path, field: str) -> dict:
    from twin.ingest import read

    path = (base_dir / modification.ifc).resolve()
    if not path.exists():
        raise ScenarioError("IFC file not found", path=path, field=f"{field}.ifc")
    crs = scene.crs.to_string()
    # the same file inserted again gets its own ids (ifc2:..., ifc3:...)
    earlier = int((scene.buildings["source"] == str(path)).sum()) if "source" in scene.buildings else 0
    prefix = "ifc" if earlier == 0 else f"ifc{earlier + 1}"
    result = read(path, origin=tuple(modification.origin_xy), crs=crs, scene_crs=crs,
                  rotation_deg=modification.rotation_deg, id_prefix=prefix)
    removed = 0
    new_buildings = result.layers.get("buildings")
    if modification.replace_within_m is not None and new_buildings is not None and len(new_buildings):
        footprint = shapely.union_all(np.asarray(new_buildings.to_crs(scene.crs).geometry.values))
        b = scene.buildings
        hit = shapely.dwithin(np.asarray(b.geometry.values), footprint, modification.replace_within_m)
        removed = int(hit.sum())
        if removed:
            gone = set(b.loc[hit, "building_id"])
            scene.set_layer("buildings", b.loc[~hit])
            for name in ("storeys", "spaces", "elements"):
                layer = scene.layers[name]
                if len(layer):
                    scene.set_layer(name, layer.loc[~layer["building_id"].isin(gone)])
    for name, frame in result.layers.items():
        if len(frame):
            scene.add(name, frame, source=str(path))
    return {"op": "insert_building", "buildings_added": 0 if new_buildings is None else len(new_buildings), "buildings_removed": removed}
