"""Inference from a building's surroundings, once every file is in the scene.

Run by :func:`twin.ingest.ingest` after all files (and sites) are read, so the buildings of
one file see the POIs and land-use polygons of another. Only values that are still defaults
are replaced (data, user and calibrated values are never touched), in this order:

``poi:<tag>`` (use, ground floor; inferred)
    POIs inside the footprint. A POI that fills a whole building (a tag in
    ``whole_building_tags``, or a category in ``whole_building_categories``: a place of worship,
    a school, a hotel, a supermarket) makes a building of default use that use, if its
    footprint is at least ``whole_building_min_footprint_m2`` (150 m2); any other POI with a
    use (a shop, a cafe, a doctor; or a school in a terraced house) makes the ground floor
    that use (``ground_floor_use``) of a building whose ground floor had no use of its own.
    Several POIs: the most frequent use (ties: the first in the layer). A POI's use comes from
    its tag (``pois.tag``, through ``use_from_tags``); a POI without a tag (a layer of
    categories only) from its category (``use_from_pois.categories``); a tag that names no
    use (``amenity=atm``, ``amenity=bicycle_rental``) is no evidence.
``landuse:<class>`` (use; inferred)
    The land-use polygon the building's representative point stands in (the smallest of the
    polygons whose class is in ``use_from_landuse``): a building in ``amenity=school`` grounds
    is a school building.
``neighbours`` (storeys, height, construction year; inferred)
    A building with neither height nor storeys known takes the median storeys (and the median
    measured height, where a neighbour as near has one) of its nearest party-wall neighbours
    that know them
    (``neighbours.max_hops`` walls away at most, walls of at least ``min_shared_length_m``).
    Evidence is a value from the neighbour's own data (or its storeys from its own measured
    height), never a value inferred from its neighbours, so nothing propagates along a row.
    A building without a construction year takes the median year of the nearest neighbours
    that have one from data.

Then height, storeys and storey height are resolved again (:func:`.form.resolve_form`) with
the new uses (a default band depends on the use) and the neighbours' values, and the floor
area follows. What a building's data says is kept (the "file wins over derived" of
:mod:`twin.ingest.attributes.precedence`): a height or storeys of source data, user or
calibrated (:data:`KNOWN`) stays; the storey height the reader took from them (an IFC model's
storey elevations) stays while the use it depends on is unchanged; a floor area the reader did
not derive as footprint x storeys (an IFC model's spaces) stays (:func:`keep_file_values`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import shapely

from twin.ingest.attributes import form
from twin.ingest.attributes.sources import KNOWN, is_known, put, set_legacy_flags
from twin.scene.provenance import derived_floor_area_source


# ----------------------------------------------------------------------------- POIs
def _poi_use(pois: pd.DataFrame, table: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per POI: use class (None if none), whole-building flag, rule text."""
    bt = table["buildings"]
    pt = bt.get("use_from_pois", {})
    classes = set(bt["use_classes"])
    cat_use = pt.get("categories", {})
    whole_cats = set(pt.get("whole_building_categories", []))
    whole_tags = bt.get("whole_building_tags", {})
    n = len(pois)
    use = np.full(n, None, dtype=object)
    whole = np.zeros(n, dtype=bool)
    rule = np.full(n, None, dtype=object)
    tag = pois["tag"].to_numpy(dtype=object) if "tag" in pois else np.full(n, None, dtype=object)
    cat = pois["category"].to_numpy(dtype=object) if "category" in pois else np.full(n, None, dtype=object)
    cache: dict[tuple, tuple] = {}
    for i in range(n):
        key = (tag[i], cat[i])
        if key not in cache:
            cache[key] = _one_poi(tag[i], cat[i], bt, classes, cat_use, whole_cats, whole_tags)
        use[i], whole[i], rule[i] = cache[key]
    return use, whole, rule


def _one_poi(tag, cat, bt, classes, cat_use, whole_cats, whole_tags) -> tuple:
    if isinstance(tag, str) and "=" in tag:
        k, v = tag.split("=", 1)
        k, v = k.strip().lower(), v.strip().lower()
        mapping = bt["use_from_tags"].get(k, {})
        u = mapping.get(v, mapping.get("*"))
        if u in classes:
            listed = whole_tags.get(k, [])
            return u, ("*" in listed or v in listed), f"poi:{k}={v}"
        return None, False, None  # a tag that names no use (amenity=atm): no evidence
    if isinstance(cat, str) and cat_use.get(cat) in classes:
        return cat_use[cat], cat in whole_cats, f"poi:category={cat}"
    return None, False, None


def _most_frequent(building: np.ndarray, values: np.ndarray, rules: np.ndarray) -> dict[int, tuple[str, str]]:
    """Per building index the most frequent value (first seen on ties) with its rule."""
    out: dict[int, tuple[str, str]] = {}
    if len(building) == 0:
        return out
    frame = pd.DataFrame({"b": building, "v": values, "r": rules, "order": np.arange(len(building))})
    counts = frame.groupby(["b", "v"], sort=False).agg(n=("order", "size"), first=("order", "min"), r=("r", "first")).reset_index()
    counts = counts.sort_values(["b", "n", "first"], ascending=[True, False, True])
    top = counts.drop_duplicates("b")
    for b, v, r in zip(top["b"], top["v"], top["r"]):
        out[int(b)] = (v, r)
    return out


def pois_in_buildings(buildings: pd.DataFrame, pois: pd.DataFrame, table: dict[str, Any], tree: shapely.STRtree | None = None):
    """Whole-building and ground-floor uses found from the POIs inside each footprint.

    Returns
    -------
    whole, ground : dict building index -> (use, rule)
    """
    if len(buildings) == 0 or pois is None or len(pois) == 0:
        return {}, {}
    use, whole, rule = _poi_use(pois, table)
    has = ~pd.isna(use)
    if not has.any():
        return {}, {}
    points = np.asarray(pois.geometry.values, dtype=object)[has]
    tree = tree or shapely.STRtree(np.asarray(buildings.geometry.values, dtype=object))
    pi, bi = tree.query(points, predicate="within")
    if len(pi) == 0:
        return {}, {}
    use, whole, rule = use[has][pi], whole[has][pi], rule[has][pi]
    min_area = float(table["buildings"].get("use_from_pois", {}).get("whole_building_min_footprint_m2", 0.0))
    area = buildings["footprint_area_m2"].to_numpy(dtype=float)[bi]
    fills = whole & (area >= min_area)
    return _most_frequent(bi[fills], use[fills], rule[fills]), _most_frequent(bi[~fills], use[~fills], rule[~fills])


# ----------------------------------------------------------------------------- land use
def landuse_of_buildings(buildings: pd.DataFrame, landcover: pd.DataFrame, table: dict[str, Any]) -> dict[int, tuple[str, str]]:
    """Per building index the use of the smallest mapped land-use polygon holding its
    representative point, with the rule ``landuse:<class>``."""
    mapping = table["buildings"].get("use_from_landuse", {}) or {}
    if len(buildings) == 0 or landcover is None or len(landcover) == 0 or not mapping:
        return {}
    cls = landcover["cover_class"].astype(object).fillna("").astype(str).str.lower().to_numpy()
    mapped = np.isin(cls, list(mapping))
    if not mapped.any():
        return {}
    polys = np.asarray(landcover.geometry.values, dtype=object)[mapped]
    cls = cls[mapped]
    tree = shapely.STRtree(polys)
    points = shapely.point_on_surface(np.asarray(buildings.geometry.values, dtype=object))
    bi, li = tree.query(points, predicate="within")
    if len(bi) == 0:
        return {}
    area = shapely.area(polys)[li]
    order = np.lexsort((area, bi))
    bi, li = bi[order], li[order]
    first = np.r_[True, bi[1:] != bi[:-1]]
    return {int(b): (str(mapping[cls[lp]]), f"landuse:{cls[lp]}") for b, lp in zip(bi[first], li[first])}


# ----------------------------------------------------------------------------- neighbours
def _edges(party_walls: pd.DataFrame, ids: np.ndarray, min_length_m: float) -> pd.DataFrame:
    """Party walls as directed edges between building indices (both directions)."""
    pw = party_walls[party_walls["shared_length_m"].to_numpy(dtype=float) >= min_length_m]
    index = pd.Index(ids)
    a = index.get_indexer(pw["building_id"].astype(str))
    b = index.get_indexer(pw["neighbour_id"].astype(str))
    ok = (a >= 0) & (b >= 0) & (a != b)
    a, b = a[ok], b[ok]
    return pd.DataFrame({"a": np.r_[a, b], "b": np.r_[b, a]}).drop_duplicates()


def neighbour_values(edges: pd.DataFrame, evidence: np.ndarray, values: np.ndarray, max_hops: int, *, with_hops: bool = False):
    """Per building the median of ``values`` over the nearest buildings (by party-wall hops,
    up to ``max_hops``) where ``evidence`` is True; NaN where none is near enough.

    A building's own value is never used (only buildings without evidence need one). With
    ``with_hops`` also returns the hop count of the buildings used (0 where none).
    """
    n = len(values)
    out = np.full(n, np.nan)
    hops = np.zeros(n, dtype=np.int64)
    if len(edges) == 0 or not evidence.any() or max_hops < 1:
        return (out, hops) if with_hops else out
    ev = np.flatnonzero(evidence)
    # frontier: (building, source evidence building) at the current hop
    reach = edges[edges["b"].isin(ev)].rename(columns={"b": "src"})[["a", "src"]]
    seen = pd.DataFrame({"a": ev, "src": ev})  # a source reaches itself at hop 0
    done = np.zeros(n, dtype=bool)
    for hop in range(1, max_hops + 1):
        reach = reach[reach["a"].to_numpy() != reach["src"].to_numpy()]
        reach = reach.merge(seen, on=["a", "src"], how="left", indicator=True)
        reach = reach[reach["_merge"] == "left_only"][["a", "src"]].drop_duplicates()
        if len(reach) == 0:
            break
        fresh = reach[~done[reach["a"].to_numpy()]]
        if len(fresh):
            med = pd.Series(values[fresh["src"].to_numpy()]).groupby(fresh["a"].to_numpy()).median()
            out[med.index.to_numpy()] = med.to_numpy()
            hops[med.index.to_numpy()] = hop
            done[med.index.to_numpy()] = True
        seen = pd.concat([seen, reach], ignore_index=True)
        reach = reach.rename(columns={"a": "m"}).merge(edges.rename(columns={"a": "m", "b": "a"}), on="m")[["a", "src"]]
    return (out, hops) if with_hops else out


# ----------------------------------------------------------------------------- the pass
def refine_buildings(
    buildings: pd.DataFrame,
    *,
    table: dict[str, Any],
    pois: pd.DataFrame | None = None,
    landcover: pd.DataFrame | None = None,
    party_walls: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The buildings with the context rules of the module docstring applied.

    Parameters
    ----------
    buildings
        A buildings layer with source and rule columns (:func:`.complete.complete`), in the
        same metric CRS as ``pois`` and ``landcover``.
    table
        The defaults table.
    pois, landcover
        The scene's layers (``pois.tag`` = ``key=value`` of the POI's tag when known).
    party_walls
        :meth:`twin.scene.Scene.party_walls` of these buildings.

    Returns
    -------
    DataFrame
        A copy with changed values, sources and rules, ``floor_area_m2`` and the flags.
    """
    b = buildings.copy()
    n = len(b)
    if n == 0:
        return b
    use = b["use"].to_numpy(dtype=object).copy()
    use_src = b["use_source"].to_numpy(dtype=object).copy()
    use_rule = b["use_rule"].to_numpy(dtype=object).copy()
    gf = b["ground_floor_use"].to_numpy(dtype=object).copy()
    gf_src = b["ground_floor_use_source"].to_numpy(dtype=object).copy()
    gf_rule = b["ground_floor_use_rule"].to_numpy(dtype=object).copy()
    free_gf = gf_rule == "as_use"

    whole, ground = pois_in_buildings(b, pois, table)
    for i, (u, r) in whole.items():
        if use_src[i] == "default":
            use[i], use_src[i], use_rule[i] = u, "inferred", r
    for i, (u, r) in ground.items():
        if free_gf[i] and u != use[i]:
            gf[i], gf_src[i], gf_rule[i] = u, "inferred", r
            free_gf[i] = False
    for i, (u, r) in landuse_of_buildings(b, landcover, table).items():
        if use_src[i] == "default":
            use[i], use_src[i], use_rule[i] = u, "inferred", r
    gf = np.where(free_gf, use, gf).astype(object)
    gf_src = np.where(free_gf, use_src, gf_src).astype(object)

    bt = table["buildings"]
    nb_cfg = bt.get("neighbours", {}) or {}
    hops = int(nb_cfg.get("max_hops", 1))
    ids = b["building_id"].astype(str).to_numpy()
    h_src = b["height_m_source"].to_numpy(dtype=object)
    s_src = b["n_storeys_source"].to_numpy(dtype=object)
    s_rule = b["n_storeys_rule"].to_numpy(dtype=object)
    h_known = is_known(h_src)
    s_known = is_known(s_src)
    heights = b["height_m"].to_numpy(dtype=float)
    storeys = b["n_storeys"].to_numpy(dtype=float)
    nb_s = nb_h = None
    year = b["construction_year"].to_numpy(dtype=float).copy()
    y_src = b["construction_year_source"].to_numpy(dtype=object).copy()
    y_rule = b["construction_year_rule"].to_numpy(dtype=object).copy()
    if party_walls is not None and len(party_walls):
        edges = _edges(party_walls, ids, float(nb_cfg.get("min_shared_length_m", 0.0)))
        s_evidence = s_known | ((s_src == "inferred") & (s_rule == "storeys_from_height") & h_known)
        need = ~h_known & ~s_known
        if need.any() and s_evidence.any():
            nb_s, s_hops = neighbour_values(edges, s_evidence, storeys, hops, with_hops=True)
            nb_h, h_hops = neighbour_values(edges, h_known, heights, hops, with_hops=True)
            nb_s[~need] = np.nan
            # a measured height counts only from neighbours as near as those giving the storeys
            nb_h[~need | np.isnan(nb_s) | (h_hops > s_hops)] = np.nan
        y_known = is_known(y_src) & np.isfinite(year)
        y_need = ~y_known
        if y_need.any() and y_known.any():
            nb_y = neighbour_values(edges, y_known, year, hops)
            take = y_need & np.isfinite(nb_y)
            year[take] = np.round(nb_y[take])
            y_src[take], y_rule[take] = "inferred", "neighbours"

    shape = form.resolve_form(
        height_m=form.known(heights, h_src), height_source=h_src, height_rule=b["height_m_rule"].to_numpy(dtype=object),
        n_storeys=form.known(storeys, s_src), storeys_source=s_src, storeys_rule=s_rule,
        roof_levels=form.known(b["roof_levels"].to_numpy(dtype=float), b["roof_levels_source"].to_numpy(dtype=object)),
        roof_kind=b["roof_kind"].to_numpy(dtype=object),
        min_height_m=form.known(b["min_height_m"].to_numpy(dtype=float), b["min_height_m_source"].to_numpy(dtype=object)),
        use=use, use_source=use_src, footprint_area_m2=b["footprint_area_m2"].to_numpy(dtype=float), table=table,
        neighbour_storeys=nb_s, neighbour_height_m=nb_h,
    )
    columns = {
        "use": use, "use_source": use_src, "use_rule": use_rule,
        "ground_floor_use": gf, "ground_floor_use_source": gf_src, "ground_floor_use_rule": gf_rule,
        **shape,
        "construction_year": year, "construction_year_source": y_src, "construction_year_rule": y_rule,
    }
    before_storey_h = b["storey_height_m"].to_numpy(dtype=float) if "storey_height_m" in b else np.full(n, np.nan)
    before_sh_src = _sources(b, "storey_height_m_source", n)
    before_floor = b["floor_area_m2"].to_numpy(dtype=float) if "floor_area_m2" in b else np.full(n, np.nan)
    before_floor_src = _sources(b, "floor_area_m2_source", n)
    use_kept = (use_src == b["use_source"].to_numpy(dtype=object)) & (use == b["use"].to_numpy(dtype=object))
    # the reader's storey height rests on the building's own figures; it took the roof allowance
    # from its use's storey height, so a changed use derives it again
    keep_sh = is_known(before_sh_src) & use_kept & np.isfinite(before_storey_h)
    columns["storey_height_m"] = keep_file_values(before_storey_h, shape["storey_height_m"], keep_sh)
    columns["storey_height_m_source"] = np.where(keep_sh, before_sh_src, shape["storey_height_m_source"]).astype(object)
    for c, v in columns.items():
        put(b, c, v)
    keep_floor = is_known(before_floor_src) & np.isfinite(before_floor)
    derived_floor = b["footprint_area_m2"].to_numpy(dtype=float) * b["n_storeys"].to_numpy(dtype=float)
    put(b, "floor_area_m2", keep_file_values(before_floor, derived_floor, keep_floor))
    derived_src = derived_floor_area_source(b["n_storeys_source"].to_numpy(dtype=object))
    put(b, "floor_area_m2_source", np.where(keep_floor, before_floor_src, derived_src).astype(object))
    set_legacy_flags(b)
    return b


def _sources(b: pd.DataFrame, column: str, n: int) -> np.ndarray:
    """Column ``column`` of ``b`` as an object array ('' where absent or missing)."""
    if column not in b:
        return np.full(n, "", dtype=object)
    return b[column].astype(object).fillna("").to_numpy(dtype=object)


def keep_file_values(before: np.ndarray, derived: np.ndarray, from_file: np.ndarray) -> np.ndarray:
    """A derived attribute: the reader's value where it rests on evidence (``from_file`` and
    finite), else the refinement's ``derived`` value.

    The "file wins over derived" step of :mod:`twin.ingest.attributes.precedence`, for the
    attributes the readers derive from a file's values, chosen by their source columns:
    ``storey_height_m`` where ``storey_height_m_source`` is evidence (:data:`KNOWN`: an IFC
    storey's elevations, a CityJSON height over its ``storeysAboveGround``) and the use the
    reader took its roof allowance from is unchanged, and ``floor_area_m2`` where
    ``floor_area_m2_source`` is (an IFC model's spaces or slabs).

    Parameters
    ----------
    before
        The reader's values (NaN where it gave none).
    derived
        The values the refinement derives.
    from_file
        True where the reader's value rests on the file.

    Returns
    -------
    ndarray
        float values, same length.
    """
    before = np.asarray(before, dtype=float)
    keep = np.asarray(from_file, dtype=bool) & np.isfinite(before)
    return np.where(keep, before, np.asarray(derived, dtype=float))


def refine_scene(scene, *, table: dict[str, Any]) -> None:
    """Apply :func:`refine_buildings` to ``scene`` (its POIs, land cover and party walls), in place.

    Buildings without source columns (layers written by other tools) are left as they are.
    """
    b = scene.buildings
    needed = ("use_source", "use_rule", "ground_floor_use_rule", "height_m_rule", "n_storeys_rule", "construction_year_rule")
    if len(b) == 0 or any(c not in b for c in needed) or not (b[list(needed)].astype(str) != "").all().all():
        return
    walls = scene.party_walls()
    refined = refine_buildings(b, table=table, pois=scene.pois, landcover=scene.landcover, party_walls=walls)
    scene.set_layer("buildings", refined)


__all__ = ["KNOWN", "keep_file_values", "landuse_of_buildings", "neighbour_values", "pois_in_buildings", "refine_buildings", "refine_scene"]
