"""2-D maps of scene layers with matplotlib."""

from __future__ import annotations

import numpy as np


def plot_scene(scene, *, column: str | None = "height_m", ax=None, legend: bool = True):
    """Map of buildings (coloured by ``column``), streets, land cover and points of interest.

    Returns the matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 9))
    if len(scene.landcover):
        scene.landcover.plot(ax=ax, color="#cde5c4", edgecolor="none", alpha=0.7)
    if len(scene.buildings):
        if column:
            scene.buildings.plot(ax=ax, column=column, cmap="viridis", legend=legend, legend_kwds={"label": column, "shrink": 0.6})
        else:
            scene.buildings.plot(ax=ax, color="#999999")
    if len(scene.links):
        scene.links.plot(ax=ax, color="#333333", linewidth=0.8)
    if len(scene.pois):
        scene.pois.plot(ax=ax, color="crimson", markersize=8)
    ax.set_title(scene.name)
    ax.set_xlabel(f"x, m ({scene.crs.to_string()})")
    ax.set_ylabel("y, m")
    ax.set_aspect("equal")
    return ax


def nice_length(span_m: float, fraction: float = 0.2) -> float:
    """A round length (1, 2 or 5 x 10^k m) close to ``fraction`` of ``span_m``, for a scale bar."""
    import math

    target = max(span_m * fraction, 1e-9)
    k = 10 ** math.floor(math.log10(target))
    return max((m * k for m in (1, 2, 5, 10) if m * k <= target), default=k)


def add_scale_bar(ax, *, fraction: float = 0.2) -> float:
    """Draw a scale bar (metres; the axes are in a projected CRS in metres, aspect equal) in the
    lower right corner; returns its length, m."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = nice_length(x1 - x0, fraction)
    pad_x, pad_y = 0.04 * (x1 - x0), 0.05 * (y1 - y0)
    xe, ys = x1 - pad_x, y0 + pad_y
    ax.plot([xe - length, xe], [ys, ys], color="#111", linewidth=3, solid_capstyle="butt", zorder=6)
    text = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.text(xe - length / 2, ys + 0.012 * (y1 - y0), text, ha="center", va="bottom", fontsize=8, zorder=6,
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
    ax.text(x1 - pad_x, y1 - pad_y, "N ↑", ha="right", va="top", fontsize=9, fontweight="bold", zorder=6)
    return length


def visible_streets(links, bounds) -> list[tuple[str, object]]:
    """(name, geometry inside ``bounds``) of each named street, its links merged, longest first."""
    import shapely

    if links is None or not len(links) or "name" not in links.columns:
        return []
    box = shapely.box(*bounds)
    out = []
    names = links["name"].fillna("").astype(str).to_numpy(dtype=object)
    geoms = np.asarray(links.geometry.values)
    named = np.flatnonzero(names != "")
    # each name's links in their order, names sorted (as a pandas groupby, without its frame per street)
    order = named[np.argsort(names[named], kind="stable")]
    streets, starts = np.unique(names[order], return_index=True)
    for name, grp in zip(streets, np.split(geoms[order], starts[1:])):
        merged = shapely.line_merge(shapely.union_all(grp))
        inside = shapely.intersection(merged, box)
        if not inside.is_empty:
            out.append((name, inside))
    out.sort(key=lambda t: -t[1].length)
    return out


def add_street_names(ax, links, *, max_labels: int = 14, min_length_frac: float = 0.12, draw: bool = True) -> list[str]:
    """Draw the streets of ``links`` (thin grey, when ``draw``) and write the names of the longest
    ones inside the view along them (the first part of a bilingual "Rue X - Xstraat" name).

    Returns the names written.
    """
    import math

    import shapely

    from twin.scene.names import first_half

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    streets = visible_streets(links, (x0, y0, x1, y1))
    if draw and links is not None and len(links):
        links.plot(ax=ax, color="#9aa3ad", linewidth=0.6, zorder=2)
    span = max(x1 - x0, y1 - y0)
    placed: list[tuple[float, float]] = []
    written = []
    for name, geom in streets:
        if len(written) >= max_labels:
            break
        parts = list(getattr(geom, "geoms", [geom]))
        part = max(parts, key=lambda g: g.length)
        if part.length < min_length_frac * span or part.geom_type != "LineString":
            continue
        mid = shapely.line_interpolate_point(part, 0.5, normalized=True)
        a = shapely.line_interpolate_point(part, 0.45, normalized=True)
        b = shapely.line_interpolate_point(part, 0.55, normalized=True)
        if any(math.hypot(mid.x - px, mid.y - py) < 0.12 * span for px, py in placed):
            continue
        edge = 0.07 * span  # a name at the edge would be cut
        if not (x0 + edge < mid.x < x1 - edge and y0 + edge < mid.y < y1 - edge):
            continue
        angle = math.degrees(math.atan2(b.y - a.y, b.x - a.x))
        angle = angle - 180 if angle > 90 else (angle + 180 if angle < -90 else angle)
        label = first_half(name)
        ax.text(mid.x, mid.y, label, rotation=angle, rotation_mode="anchor", ha="center", va="center", fontsize=6.5, style="italic",
                color="#24292f", zorder=5, clip_on=True, bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.7})
        placed.append((mid.x, mid.y))
        written.append(name)
    ax.set_xlabel("")  # geopandas labels the axes with the CRS's; the map has no axes to read
    ax.set_ylabel("")
    return written


def label_changed(ax, changed, links=None, *, names=None, max_labels: int = 8, join_m: float = 15.0,
                  noun: tuple[str, str] = ("object", "objects")) -> list[str]:
    """Label the changed objects on a map: groups of objects within ``join_m`` of each other get a
    letter (A, B, ...; the largest groups first) and a line of text for the caption: the objects'
    own name where they have one, else "near <nearest street>".

    ``changed``: a GeoSeries of the changed geometries; ``names``: their names (or None);
    ``noun``: what an object is, singular and plural (("cell", "cells")).
    Returns the caption lines ("A: 12 objects near Rue X").
    """
    import shapely

    geoms = np.asarray(changed.values if hasattr(changed, "values") else changed)
    if not len(geoms):
        return []
    groups = shapely.get_parts(shapely.union_all(shapely.buffer(geoms, join_m / 2)))
    tree = shapely.STRtree(geoms)
    order = np.argsort([-g.area for g in groups])
    street_tree, street_names = None, None
    if links is not None and len(links) and "name" in links.columns:
        named = links[links["name"].fillna("").astype(str) != ""]
        if len(named):
            street_tree, street_names = shapely.STRtree(np.asarray(named.geometry.values)), named["name"].astype(str).to_numpy()
    lines = []
    for k, gi in enumerate(order[:max_labels]):
        group = groups[gi]
        members = tree.query(group, predicate="intersects")
        letter = chr(ord("A") + k)
        p = shapely.point_on_surface(group)
        ax.annotate(letter, (p.x, p.y), xytext=(8, 8), textcoords="offset points", fontsize=9, fontweight="bold", color="#111", zorder=7,
                    bbox={"boxstyle": "circle,pad=0.2", "facecolor": "#fff8c5", "edgecolor": "#9a6700"},
                    arrowprops={"arrowstyle": "-", "color": "#9a6700", "linewidth": 0.8})
        own = ""
        if names is not None:
            vals = [str(names[i]) for i in members if str(names[i]) not in ("", "nan", "None")]
            own = vals[0] if vals else ""
        where = ""
        if street_tree is not None:
            where = "near " + street_names[street_tree.nearest(p)].split(" - ")[0]
        n = len(members)
        lines.append(f"{letter}: {n:,} {noun[0] if n == 1 else noun[1]}" + (f", {own}" if own else "") + (f", {where}" if where else ""))
    if len(order) > max_labels:
        lines.append(f"and {len(order) - max_labels:,} more groups")
    return lines


def ring_vertices(coords: np.ndarray, ring: np.ndarray) -> list[np.ndarray] | np.ndarray:
    """The vertices of each ring, for a matplotlib PolyCollection: ``coords`` (n, 2), m, and
    ``ring``, the ring of each coordinate (``shapely.get_coordinates(..., return_index=True)``).

    One (rings, vertices, 2) array when every ring has as many vertices (grid cells: matplotlib
    then makes the paths in one step, about 10 times faster than from a list, the same paths),
    else a list of (vertices, 2) arrays.
    """
    if not len(coords):
        return []
    starts = np.flatnonzero(np.diff(ring)) + 1
    counts = np.diff(np.concatenate(([0], starts, [len(coords)])))
    if (counts == counts[0]).all():
        return coords.reshape(len(counts), int(counts[0]), 2)
    return np.split(coords, starts)


def plot_polygons(ax, geoms, *, facecolor="#d8dee4", edgecolor="none", linewidth: float = 0.2, zorder: float = 1.0):
    """Draw (multi)polygons as one matplotlib PolyCollection (much faster than a patch each, as
    geopandas draws them: 40,000 grid cells in about a second instead of 15-30 s).

    Polygons with holes are drawn as compound paths, the holes wound against the exterior (so
    they stay empty). ``facecolor``: one
    colour or one per geometry. Returns the collection.
    """
    import shapely
    from matplotlib.collections import PathCollection, PolyCollection
    from matplotlib.path import Path

    geoms = np.asarray(getattr(geoms, "values", geoms), dtype=object)
    n = len(geoms)
    colours = np.asarray(facecolor, dtype=object) if not isinstance(facecolor, str) and np.ndim(facecolor) > 1 else None
    parts, owner = shapely.get_parts(geoms, return_index=True)
    holes = shapely.get_num_interior_rings(parts) > 0
    simple = np.flatnonzero(~holes)
    coords, ring = shapely.get_coordinates(shapely.get_exterior_ring(parts[simple]), return_index=True)
    verts = ring_vertices(coords, ring)
    kw = {"edgecolors": edgecolor, "linewidths": linewidth, "zorder": zorder}
    fc = [tuple(colours[i]) for i in owner[simple]] if colours is not None else facecolor
    coll = PolyCollection(verts, facecolors=fc, **kw)
    ax.add_collection(coll)
    if holes.any():  # exterior and interior rings as one path; holes wound the other way (matplotlib fills by non-zero winding)
        from shapely.geometry.polygon import orient

        paths = []
        for p in (orient(q, 1.0) for q in parts[holes]):
            rings = [np.asarray(p.exterior.coords)[:, :2]] + [np.asarray(r.coords)[:, :2] for r in p.interiors]
            codes = np.concatenate([[Path.MOVETO] + [Path.LINETO] * (len(r) - 2) + [Path.CLOSEPOLY] for r in rings])
            paths.append(Path(np.concatenate(rings), codes))
        fc = [tuple(colours[i]) for i in owner[holes]] if colours is not None else facecolor
        ax.add_collection(PathCollection(paths, facecolors=fc, **kw))
    b = shapely.bounds(geoms)
    if n and np.isfinite(b).any():
        ax.update_datalim([[np.nanmin(b[:, 0]), np.nanmin(b[:, 1])], [np.nanmax(b[:, 2]), np.nanmax(b[:, 3])]])
        ax.autoscale_view()
    return coll


def geopandas_polygon_paths(geoms) -> list:
    """The matplotlib paths ``GeoSeries.plot`` draws of (multi)polygons, one per geometry, made
    from shapely's coordinate arrays instead of a matplotlib patch each (geopandas 1.x,
    ``geopandas.plotting._PolygonPatch``: the geometry normalised, each ring of each part a closed
    sub-path, exterior then holes). The same vertices and codes, so the same picture; the patches
    were most of the time of the solar section's map of ~4,000 roofs.

    ``geoms``: non-empty Polygons and MultiPolygons.
    """
    import shapely
    from matplotlib.path import Path

    geoms = shapely.normalize(np.asarray(getattr(geoms, "values", geoms), dtype=object))
    parts, owner = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    if not len(coords):
        return []
    codes = np.full(len(coords), Path.LINETO, dtype=Path.code_type)
    first = np.concatenate(([True], np.diff(coord_ring) != 0))
    codes[first] = Path.MOVETO
    codes[np.concatenate((first[1:], [True]))] = Path.CLOSEPOLY
    starts = np.flatnonzero(np.diff(owner[ring_part[coord_ring]])) + 1
    return [Path(v, c) for v, c in zip(np.split(coords, starts), np.split(codes, starts))]
