"""Soil engine adapter (screening): design-storm runoff and retention on a raster of the district.

Until the Richards grid of issue 5 is wired in, this adapter uses the SCS Curve Number method
(:mod:`twin.soil.curve_number`) per raster cell:

1. Cells of ``soil.cell_size_m`` cover the scene's sites (or, without sites, the bounding box
   of buildings and land cover). Each cell centre takes the cover it falls on, in this order:
   a building footprint (roof: sealed; a green-roof share ``green_roof_share`` is unsealed), a
   street (links open to cars, buffered by 3.0 m per lane), a land-cover polygon (the
   smallest one holding the point: its ``sealed_fraction``), else the district default 0.5
   (an assumption for unmapped yards and pavements).
2. The sealed part has CN 98 (TR-55 impervious); the unsealed part CN 61 (open space in good
   condition, hydrologic soil group B: the loamy Brabant soils of Brussels; the scene's soil
   layer, where present, sets the group of each cell from its texture).
3. A block design storm of ``soil.storm_mm`` falls on every cell; runoff Q and retention
   P - Q (initial abstraction plus infiltration) follow per cell. The water balance
   P = Q + retention holds per cell by construction.

KPIs: runoff and retention volume (m3), mean runoff (mm), sealed share of the area (%).
Per-cell results are the objects (cell id, geometry, sealed fraction, runoff, retention).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from twin.scenario.runner import EngineResult

#: Scene layers the soil screening reads.
READS = frozenset({"buildings", "landcover", "links", "soil", "sites"})

DEFAULT_SEALED_FRACTION = 0.5
LANE_WIDTH_M = 3.0
PATH_WIDTH_M = 2.0
PATH_CLASSES = ("footway", "path", "steps", "pedestrian", "cycleway", "track", "bridleway")


def _extent(scene) -> shapely.Geometry:
    if len(scene.sites):
        return shapely.union_all(np.asarray(scene.sites.geometry.values))
    parts = [np.asarray(f.geometry.values) for f in (scene.buildings, scene.landcover) if len(f)]
    return shapely.box(*shapely.total_bounds(np.concatenate(parts)))


def _cells(extent, size: float):
    xmin, ymin, xmax, ymax = shapely.bounds(extent)
    xs = np.arange(xmin + size / 2, xmax, size)
    ys = np.arange(ymin + size / 2, ymax, size)
    gx, gy = np.meshgrid(xs, ys)
    points = shapely.points(gx.ravel(), gy.ravel())
    inside = shapely.contains(extent, points)
    return points[inside], gx.ravel()[inside], gy.ravel()[inside]


def _first_hit(points, geoms, choose_smallest=False):
    """Index of the geometry holding each point (-1 if none); the smallest one where several do."""
    hit = np.full(len(points), -1, dtype=np.int64)
    if len(geoms) == 0:
        return hit
    tree = shapely.STRtree(geoms)
    pi, gi = tree.query(points, predicate="within")
    if len(pi) == 0:
        return hit
    if choose_smallest:
        order = np.lexsort((shapely.area(geoms)[gi], pi))
        pi, gi = pi[order], gi[order]
    first = np.r_[True, pi[1:] != pi[:-1]]
    hit[pi[first]] = gi[first]
    return hit


def sealing_raster(scene, cell_size_m: float) -> pd.DataFrame:
    """Per cell: centre, cover kind and sealed fraction (see the module docstring)."""
    extent = _extent(scene)
    points, x, y = _cells(extent, cell_size_m)
    n = len(points)
    sealed = np.full(n, DEFAULT_SEALED_FRACTION)
    kind = np.full(n, "unmapped", dtype=object)
    lc = scene.landcover
    if len(lc):
        h = _first_hit(points, np.asarray(lc.geometry.values), choose_smallest=True)
        ok = h >= 0
        sealed[ok] = lc["sealed_fraction"].to_numpy(dtype=float)[h[ok]]
        kind[ok] = lc["cover_class"].astype(str).to_numpy()[h[ok]]
    links = scene.links
    if len(links):
        # pavement stays sealed whatever traffic it carries: every link counts, carriageways
        # by lanes, paths and footways at PATH_WIDTH_M (a closure to cars does not de-seal)
        # one surface per street segment: the two directions of a link share their geometry
        key = shapely.to_wkb(shapely.normalize(np.asarray(links.geometry.values)))
        road = links[~pd.Series(key).duplicated().to_numpy()]
        if len(road):
            path = road["road_class"].isin(PATH_CLASSES).to_numpy() if "road_class" in road else np.zeros(len(road), bool)
            width = np.where(path, PATH_WIDTH_M, np.maximum(road["lanes"].to_numpy(dtype=float), 1.0) * LANE_WIDTH_M)
            surfaces = shapely.buffer(np.asarray(road.geometry.values), width / 2.0, cap_style="flat")
            h = _first_hit(points, surfaces)
            ok = h >= 0
            sealed[ok] = 1.0
            kind[ok] = "street"
    b = scene.buildings
    if len(b):
        h = _first_hit(points, np.asarray(b.geometry.values))
        ok = h >= 0
        green = b["green_roof_share"].to_numpy(dtype=float) if "green_roof_share" in b else np.zeros(len(b))
        sealed[ok] = 1.0 - np.nan_to_num(green[h[ok]])
        kind[ok] = "roof"
    return pd.DataFrame({"x": x, "y": y, "cover": kind, "sealed_fraction": sealed})


def _hsg(scene, cells: pd.DataFrame) -> np.ndarray:
    from twin.soil.curve_number import hydrologic_group

    groups = np.full(len(cells), "B", dtype=object)
    soil = scene.soil
    if len(soil):
        points = shapely.points(cells["x"].to_numpy(), cells["y"].to_numpy())
        h = _first_hit(points, np.asarray(soil.geometry.values), choose_smallest=True)
        textures = soil["texture"].to_numpy()
        for i in np.flatnonzero(h >= 0):
            groups[i] = hydrologic_group(textures[h[i]])
    return groups


def run(scene, options, *, base_dir: Path) -> EngineResult:
    from twin.soil.curve_number import CN_IMPERVIOUS, CN_OPEN_SPACE_GOOD, runoff_mm

    size = float(options.cell_size_m)
    cells = sealing_raster(scene, size)
    p = float(options.storm_mm)
    hsg = _hsg(scene, cells)
    cn_open = np.array([CN_OPEN_SPACE_GOOD[g] for g in hsg])
    sealed = cells["sealed_fraction"].to_numpy()
    q = sealed * runoff_mm(p, CN_IMPERVIOUS) + (1.0 - sealed) * runoff_mm(p, cn_open)
    area = size * size
    cells["cell_id"] = [f"cell:{int(round(xi))}:{int(round(yi))}" for xi, yi in zip(cells["x"], cells["y"])]
    cells["runoff_mm"] = q
    cells["retention_mm"] = p - q
    cells["runoff_m3"] = q / 1000.0 * area
    half = size / 2.0
    geometry = shapely.box(cells["x"] - half, cells["y"] - half, cells["x"] + half, cells["y"] + half)
    import geopandas as gpd

    objects = gpd.GeoDataFrame(cells.drop(columns=["x", "y"]), geometry=geometry, crs=scene.crs)
    total_area = area * len(cells)
    kpis = {
        "storm_mm": p,
        "runoff_m3": float(cells["runoff_m3"].sum()),
        "retention_m3": float(((p - q) / 1000.0 * area).sum()),
        "mean_runoff_mm": float(q.mean()) if len(q) else float("nan"),
        "sealed_area_pct": float(100.0 * (sealed * area).sum() / total_area) if total_area else float("nan"),
        "water_balance_error_m3": float(abs(p / 1000.0 * total_area - cells["runoff_m3"].sum() - ((p - q) / 1000.0 * area).sum())),
    }
    notes = [
        f"screening: SCS Curve Number (TR-55) on {len(cells):,} cells of {size:g} m, block storm {p:g} mm; "
        "the Richards grid of the soil engine is not wired into the runner yet"
    ]
    return EngineResult(objects, "cell_id", kpis, None, notes)
