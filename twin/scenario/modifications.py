"""What-if operations on a copy of the scene.

Each operation takes a scene and returns a short record of what it touched: it replaces the
layers it changes on that scene (which is a :meth:`~twin.scene.Scene.copy` of the baseline, so
the baseline never changes). Engines read the result from the scene alone: renovation measures
and green roofs become building columns, closures change link modes, de-sealing changes land
cover, a demand factor goes into ``scene.meta``.

No silent no-ops: a selection that matches nothing, or an operation that would change nothing
or the opposite of what its name says, is reported through
:func:`twin.scenario.checks.report_no_effect` (a :class:`~twin.errors.NoEffectError` by
default, a warning with ``no_effect="warn"``):

=================  ==========================================================================
operation          no effect / opposite effect
=================  ==========================================================================
every selector     matches nothing (with the reason); ``ids`` that are not in the scene
renovate           every selected building already has every measure (measures already on a
                   building are not applied twice)
close_streets      no selected link carries any of the modes
change_streets     no selected link changes (same lanes, factor 1, same free speed)
deseal             the new sealed fraction is above the current one of a selected polygon
                   (that seals); nothing changes (same fraction and cover class)
green_roofs        the share is below a selected building's current share (that removes green
                   roof); nothing changes
insert_building    the IFC file holds no building (an ``origin_xy`` outside the area of use of
                   the scene CRS is an error before the file is read)
remove_pois        (every selector rule above: a selection that matches no point of interest)
green_infrastructure  no land-cover polygon of the given classes has a sealed part to host it
=================  ==========================================================================

``green_infrastructure`` adds an entry to ``scene.meta['soil_green_infrastructure']`` (the soil
engine's year method adds it to ``soil.green_infrastructure``; :data:`GI_META_KEY`).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from twin.errors import ScenarioError, TwinWarning
from twin.scenario import schema as S
from twin.scenario.checks import report_no_effect
from twin.scenario.selection import Selection, explain_empty, noun, one_language_namesakes
from twin.scenario.selection import select as _select

__all__ = ["apply", "select", "GI_META_KEY"]

#: ``scene.meta`` key of the green infrastructure added by what-ifs (read by the soil engine).
GI_META_KEY = "soil_green_infrastructure"


def select(frame: pd.DataFrame, selector: S.Selector, *, layer: str, rng: np.random.Generator, field: str) -> np.ndarray:
    """Boolean mask of the rows of ``frame`` the selector picks (see :mod:`twin.scenario.selection`)."""
    return _select(frame, selector, layer=layer, rng=rng, field=field).mask


def _selected(frame: pd.DataFrame, selector: S.Selector, *, layer: str, rng, field: str, no_effect: str) -> np.ndarray:
    """The selection's mask; an empty selection or unknown ids are reported (no-effect policy)."""
    sel: Selection = _select(frame, selector, layer=layer, rng=rng, field=field)
    if sel.missing_ids:
        shown = ", ".join(repr(i) for i in sel.missing_ids[:3]) + (f" and {len(sel.missing_ids) - 3} more" if len(sel.missing_ids) > 3 else "")
        if sel.mask.any():
            report_no_effect(f"{len(sel.missing_ids)} of the {len(selector.ids)} ids are not {noun(layer)} of the scene: {shown}",
                             field=f"{field}.ids", no_effect=no_effect)
    if not sel.mask.any():
        report_no_effect(f"the selection matches no {noun(layer, 1)}: {explain_empty(frame, selector, layer=layer, selection=sel)}",
                         field=field, no_effect=no_effect)
    if layer == "links" and isinstance(selector.where.get("name"), (str, list)):
        _warn_one_language_namesakes(frame["name"], selector.where["name"], sel.mask, field=field)
    return sel.mask


def _warn_one_language_namesakes(names: pd.Series, cond, mask: np.ndarray, *, field: str) -> None:
    """Warn of the links named in one language only after a wanted bilingual name, left out
    (:func:`twin.scenario.selection.one_language_namesakes`): half of Place Flagey stayed open."""
    left = one_language_namesakes(names, cond if isinstance(cond, list) else [cond], mask)
    if left:
        n = int((names.map(lambda v: " ".join(str(v).split())).isin(left) & ~mask).sum())
        shown = ", ".join(repr(x) for x in left)
        warnings.warn(f"field '{field}': {n:,} street link(s) named {shown} only (one language of the name selected) are not "
                      f"selected; add {shown} to the names to select them too", TwinWarning, stacklevel=3)


def _measure_lists(values: pd.Series) -> list[list[str]]:
    return [[m for m in str(v).split(",") if m] if isinstance(v, str) else [] for v in values.fillna("").astype(str)]


def _renovate(scene, mod: S.Renovate, *, field: str, rng, no_effect: str) -> dict:
    b = scene.buildings.copy()
    mask = _selected(b, mod.select, layer="buildings", rng=rng, field=f"{field}.select", no_effect=no_effect)
    col = "renovation_measures"
    if col not in b:
        b[col] = ""
    old = _measure_lists(b[col])
    new = []
    changed = np.zeros(len(b), dtype=bool)
    for i, have in enumerate(old):
        add = [m for m in mod.measures if m not in have] if mask[i] else []
        changed[i] = bool(add)
        new.append(",".join(have + add))
    if mask.any() and not changed.any():
        report_no_effect(f"every one of the {int(mask.sum()):,} selected buildings already has {', '.join(mod.measures)} "
                         "(from an earlier modification)", field=f"{field}.measures", no_effect=no_effect)
    b[col] = new
    scene.set_layer("buildings", b)
    return {"op": "renovate", "buildings": int(changed.sum()), **({"already_renovated": int((mask & ~changed).sum())} if (mask & ~changed).any() else {})}


def _close_streets(scene, mod: S.CloseStreets, *, field: str, rng, no_effect: str) -> dict:
    links = scene.links.copy()
    mask = _selected(links, mod.select, layer="links", rng=rng, field=f"{field}.select", no_effect=no_effect)
    closed = set(mod.modes)
    before = [[m for m in str(v).split(",") if m] for v in links.loc[mask, "modes"].fillna("")]
    after = [[m for m in have if m not in closed] for have in before]
    n_changed = sum(len(a) != len(b) for a, b in zip(after, before))
    if mask.any() and n_changed == 0:
        report_no_effect(f"none of the {int(mask.sum()):,} selected street links carries {', '.join(mod.modes)} "
                         f"(their modes: {', '.join(sorted({','.join(b) or '(none)' for b in before}))})",
                         field=f"{field}.modes", no_effect=no_effect)
    links.loc[mask, "modes"] = [",".join(a) for a in after]
    scene.set_layer("links", links)
    return {"op": "close_streets", "links": int(n_changed)}


def _differs(column: pd.Series, before: np.ndarray) -> np.ndarray:
    """Where ``column`` differs from ``before`` (two missing values are the same)."""
    after = column.to_numpy(dtype=float)
    return ~((after == before) | (np.isnan(after) & np.isnan(before)))


def _change_streets(scene, mod: S.ChangeStreets, *, field: str, rng, no_effect: str) -> dict:
    links = scene.links.copy()
    mask = _selected(links, mod.select, layer="links", rng=rng, field=f"{field}.select", no_effect=no_effect)
    cap0 = links["capacity_veh_h"].to_numpy(dtype=float).copy()
    lanes0 = links["lanes"].to_numpy(dtype=float).copy()
    speed0 = links["free_speed_m_s"].to_numpy(dtype=float).copy()
    if mod.lanes is not None:
        old = links.loc[mask, "lanes"].clip(lower=1)
        links.loc[mask, "capacity_veh_h"] = links.loc[mask, "capacity_veh_h"] * mod.lanes / old
        links.loc[mask, "lanes"] = mod.lanes
    if mod.capacity_factor is not None:
        links.loc[mask, "capacity_veh_h"] = links.loc[mask, "capacity_veh_h"] * mod.capacity_factor
    if mod.free_speed_m_s is not None:
        links.loc[mask, "free_speed_m_s"] = mod.free_speed_m_s
    differs = (_differs(links["capacity_veh_h"], cap0) | _differs(links["lanes"], lanes0)
               | _differs(links["free_speed_m_s"], speed0))
    # provenance of what the what-if set (twin.scene.provenance.SOURCES: "user"), where the links carry it
    for column, changed in (("lanes", _differs(links["lanes"], lanes0)), ("free_speed_m_s", _differs(links["free_speed_m_s"], speed0))):
        rows = changed & mask
        if f"{column}_source" in links and rows.any():
            links.loc[rows, f"{column}_source"] = "user"
            if f"{column}_rule" in links:
                links.loc[rows, f"{column}_rule"] = f"scenario: {field}"
    if mask.any() and not (differs & mask).any():
        report_no_effect(f"the {int(mask.sum()):,} selected street links already have these lanes, capacity and free speed",
                         field=field, no_effect=no_effect)
    scene.set_layer("links", links)
    return {"op": "change_streets", "links": int((differs & mask).sum())}


def _scale_demand(scene, mod: S.ScaleDemand, *, field: str) -> dict:
    factor = float(scene.meta.get("demand_factor", 1.0)) * mod.factor
    if not S.MIN_DEMAND_FACTOR <= factor <= S.MAX_DEMAND_FACTOR:
        raise ScenarioError(f"the demand factors multiply to {factor:g}, outside [{S.MIN_DEMAND_FACTOR:g}, {S.MAX_DEMAND_FACTOR:g}]",
                            field=f"{field}.factor")
    scene.set_meta("demand_factor", factor)
    return {"op": "scale_demand", "demand_factor": factor}


def _deseal(scene, mod: S.Deseal, *, field: str, rng, no_effect: str) -> dict:
    lc = scene.landcover.copy()
    mask = _selected(lc, mod.select, layer="landcover", rng=rng, field=f"{field}.select", no_effect=no_effect)
    current = pd.to_numeric(lc["sealed_fraction"], errors="coerce").to_numpy(dtype=float)
    target = float(mod.sealed_fraction)
    raises = mask & np.isfinite(current) & (current < target)
    if raises.any():
        cur = current[raises]
        report_no_effect(
            f"deseal to a sealed fraction of {target:g} would raise the sealing of {int(raises.sum()):,} of the "
            f"{int(mask.sum()):,} selected polygons (now {cur.min():g}{'-' + format(cur.max(), 'g') if cur.max() > cur.min() else ''}): "
            "the opposite of de-sealing", field=f"{field}.sealed_fraction", no_effect=no_effect)
    fraction_changes = mask & ~(np.isfinite(current) & (current == target))
    class_changes = np.zeros(len(lc), dtype=bool)
    if mod.cover_class is not None:
        class_changes = mask & (lc["cover_class"].astype(str).to_numpy() != mod.cover_class)
    if mask.any() and not (fraction_changes | class_changes).any():
        report_no_effect(f"the {int(mask.sum()):,} selected polygons already have a sealed fraction of {target:g}"
                         + (f" and cover class {mod.cover_class!r}" if mod.cover_class else ""),
                         field=f"{field}.sealed_fraction", no_effect=no_effect)
    lc.loc[mask, "sealed_fraction"] = target
    lc.loc[mask, "sealed_defaulted"] = False
    if mod.cover_class is not None:
        lc.loc[mask, "cover_class"] = mod.cover_class
    scene.set_layer("landcover", lc)
    return {"op": "deseal", "landcover": int(mask.sum()), "area_m2": float(lc.loc[mask].area.sum())}


def _green_roofs(scene, mod: S.GreenRoofs, *, field: str, rng, no_effect: str) -> dict:
    b = scene.buildings.copy()
    mask = _selected(b, mod.select, layer="buildings", rng=rng, field=f"{field}.select", no_effect=no_effect)
    if "green_roof_share" not in b:
        b["green_roof_share"] = 0.0
    current = pd.to_numeric(b["green_roof_share"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    lowers = mask & (current > mod.share)
    if lowers.any():
        report_no_effect(f"a green-roof share of {mod.share:g} is below the current share of {int(lowers.sum()):,} selected buildings "
                         f"(up to {current[lowers].max():g}): that removes green roof", field=f"{field}.share", no_effect=no_effect)
    changes = mask & (current != mod.share)
    if mask.any() and not changes.any():
        report_no_effect(f"the {int(mask.sum()):,} selected building(s) already have a green-roof share of {mod.share:g}",
                         field=f"{field}.share", no_effect=no_effect)
    b["green_roof_share"] = current
    b.loc[mask, "green_roof_share"] = mod.share
    scene.set_layer("buildings", b)
    return {"op": "green_roofs", "buildings": int(changes.sum())}


def _green_infrastructure(scene, mod: S.AddGreenInfrastructure, *, field: str, no_effect: str) -> dict:
    lc = scene.landcover
    classes = lc["cover_class"].astype(str).to_numpy() if len(lc) else np.array([], dtype=str)
    sealed = pd.to_numeric(lc["sealed_fraction"], errors="coerce").fillna(0.0).to_numpy(dtype=float) if len(lc) else np.zeros(0)
    hosts = np.isin(classes, mod.landcover_classes) & (sealed > 0)
    if not hosts.any():
        have = sorted(set(classes[np.isin(classes, mod.landcover_classes)]))
        why = (f"the polygons of {', '.join(have)} have no sealed part" if have
               else f"the scene has no land-cover polygon of {', '.join(mod.landcover_classes)}")
        report_no_effect(f"{mod.kind} has nowhere to go: {why}", field=f"{field}.landcover_classes", no_effect=no_effect)
    entry = mod.model_dump(exclude={"op"})
    scene.set_meta(GI_META_KEY, tuple(scene.meta.get(GI_META_KEY, ())) + (entry,))
    area = float((lc.loc[hosts].area * sealed[hosts]).sum()) if hosts.any() else 0.0
    return {"op": "green_infrastructure", "kind": mod.kind, "landcover": int(hosts.sum()), "area_m2": area * mod.area_share}


def _remove_pois(scene, mod: S.RemovePois, *, field: str, rng, no_effect: str) -> dict:
    pois = scene.layer("pois")
    mask = _selected(pois, mod.select, layer="pois", rng=rng, field=f"{field}.select", no_effect=no_effect)
    removed = pois.loc[mask]
    scene.set_layer("pois", pois.loc[~mask])
    cats = removed["category"].astype(str).value_counts() if "category" in removed.columns else pd.Series(dtype=int)
    return {"op": "remove_pois", "pois": int(mask.sum()), **({"categories": ", ".join(f"{k} {v}" for k, v in cats.items())} if len(cats) else {})}


def apply(scene, modification, *, index: int, rng: np.random.Generator, base_dir: Path, prefix: str = "modifications",
          no_effect: str = "error", ifc_path: Path | None = None) -> dict:
    """Apply one modification to ``scene``; returns a short record of what it touched.

    Parameters
    ----------
    scene
        The scene to change (a copy of the baseline).
    modification
        One of the modification models of :mod:`twin.scenario.schema`.
    index, prefix
        Its position (``prefix.index`` is its key path in the scenario file).
    rng
        Random generator of the ``fraction`` selectors.
    base_dir
        Folder relative paths are relative to (the scenario file's).
    no_effect
        ``"error"`` or ``"warn"``: what a modification without effect does (module docstring).
    ifc_path
        For ``insert_building``: the IFC file already confined and checked by the runner
        (:mod:`twin.scenario.inputs`); default ``base_dir / ifc`` (checked as a file here).

    Raises
    ------
    NoEffectError
        With ``no_effect="error"``, see the module docstring.
    ScenarioError
        A ``where`` column the layer lacks; demand factors beyond the bounds.
    """
    field = f"{prefix}.{index}"
    op = modification.op
    if op == "renovate":
        return _renovate(scene, modification, field=field, rng=rng, no_effect=no_effect)
    if op == "close_streets":
        return _close_streets(scene, modification, field=field, rng=rng, no_effect=no_effect)
    if op == "change_streets":
        return _change_streets(scene, modification, field=field, rng=rng, no_effect=no_effect)
    if op == "scale_demand":
        return _scale_demand(scene, modification, field=field)
    if op == "deseal":
        return _deseal(scene, modification, field=field, rng=rng, no_effect=no_effect)
    if op == "green_roofs":
        return _green_roofs(scene, modification, field=field, rng=rng, no_effect=no_effect)
    if op == "green_infrastructure":
        return _green_infrastructure(scene, modification, field=field, no_effect=no_effect)
    if op == "remove_pois":
        return _remove_pois(scene, modification, field=field, rng=rng, no_effect=no_effect)
    if op == "insert_building":
        return _insert_building(scene, modification, base_dir=base_dir, field=field, no_effect=no_effect, ifc_path=ifc_path)
    raise ScenarioError(f"unknown operation {op!r}", field=f"{field}.op")  # pragma: no cover - schema forbids


def _insert_building(scene, modification, *, base_dir: Path, field: str, no_effect: str, ifc_path: Path | None) -> dict:
    from twin.ingest import read
    from twin.io.paths import check_input_file
    from twin.scenario.insert_checks import check_insert_origin

    path = ifc_path if ifc_path is not None else (Path(base_dir) / modification.ifc).resolve()
    check_input_file(path, suffixes=(".ifc",), field=f"{field}.ifc", what="IFC file")
    check_insert_origin(modification.origin_xy, scene.crs, field=field)
    crs = scene.crs.to_string()
    # the same file inserted again gets its own ids (ifc2:..., ifc3:...)
    earlier = int((scene.buildings["source"] == str(path)).sum()) if "source" in scene.buildings else 0
    prefix = "ifc" if earlier == 0 else f"ifc{earlier + 1}"
    result = read(path, origin=tuple(modification.origin_xy), crs=crs, scene_crs=crs,
                  rotation_deg=modification.rotation_deg, id_prefix=prefix)
    removed = 0
    new_buildings = result.layers.get("buildings")
    if new_buildings is None or len(new_buildings) == 0:
        report_no_effect("the IFC file holds no building to insert", field=f"{field}.ifc", no_effect=no_effect)
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
