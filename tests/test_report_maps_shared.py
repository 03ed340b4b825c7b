"""The report's maps share work that is the same for each of them, and draw what they drew.

:func:`twin.viz.maps.ring_vertices` hands matplotlib one array when every ring has as many
vertices (the soil grid's cells): its paths must be those of the list of rings.
:func:`twin.scenario.report_soil_heat.cell_map` computes the what-if's soil deltas once for the
map and its caption. :func:`twin.viz.maps.geopandas_polygon_paths` makes the paths geopandas draws
of polygons (the solar section's roofs) without a matplotlib patch each.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from tests.scenario_helpers import fake_scenario


def _paths(geoms) -> list[tuple[np.ndarray, np.ndarray]]:
    """(vertices, codes) of each path of the collection :func:`plot_polygons` draws of ``geoms``."""
    from matplotlib.figure import Figure

    from twin.viz.maps import plot_polygons

    coll = plot_polygons(Figure().subplots(), geoms, facecolor=np.linspace(0, 1, 4 * len(geoms)).reshape(-1, 4))
    return [(p.vertices, p.codes) for p in coll.get_paths()]


@pytest.mark.parametrize("kind", ["cells", "mixed"])
def test_polygons_drawn_from_one_array_are_the_paths_of_the_list_of_rings(kind):
    from matplotlib.path import Path

    from twin.viz.maps import ring_vertices

    geoms = [shapely.box(10.0 * i, 3.0 * i, 10.0 * i + 7.0, 3.0 * i + 5.0) for i in range(5)]
    if kind == "mixed":
        geoms[2] = shapely.Polygon([(0, 0), (4, 0), (4, 3), (2, 5), (0, 3)])
    coords, ring = shapely.get_coordinates(shapely.get_exterior_ring(np.asarray(geoms)), return_index=True)
    verts = ring_vertices(coords, ring)
    assert isinstance(verts, np.ndarray) is (kind == "cells")
    plain = np.split(coords, np.flatnonzero(np.diff(ring)) + 1)
    assert len(verts) == len(plain) and all(np.array_equal(v, p) for v, p in zip(verts, plain))
    drawn = _paths(geoms)
    expected = [Path._create_closed(p) for p in plain]  # the paths matplotlib makes of the list (the plain path)
    assert len(drawn) == len(expected)
    for (v, c), e in zip(drawn, expected):
        assert np.array_equal(v, e.vertices) and np.array_equal(c, e.codes)


def test_no_rings_no_vertices():
    from twin.viz.maps import ring_vertices

    assert ring_vertices(np.empty((0, 2)), np.empty(0, dtype=np.intp)) == []


def test_the_hot_days_map_computes_the_what_ifs_soil_deltas_once(monkeypatch):
    """The map and its caption (cells without ground) share one ``comparison.deltas``
    (~0.3 s each on Saint-Gilles' grid)."""
    import geopandas as gpd

    from twin.scenario.report_soil_heat import cell_map
    from twin.scenario.runner import Comparison, EngineResult

    cells = [shapely.box(0.0, 0.0, 10.0, 10.0), shapely.box(10.0, 0.0, 20.0, 10.0)]
    objects = gpd.GeoDataFrame({"cell_id": [0, 1], "runoff_mm": [5.0, 5.0]}, geometry=cells, crs="EPSG:31370")
    temp = pd.DataFrame({"cell_id": [0, 1], "surface_temp_midday_c_delta": [np.nan, -3.0]})
    kpis = pd.DataFrame({"whatif": ["w"], "domain": ["soil"], "kpi": ["runoff_m3"], "baseline": [1.0], "whatif_value": [1.0], "delta": [0.0]})
    comparison = Comparison(fake_scenario(domains=("soil",)), {"soil": EngineResult(objects, "cell_id", {})},
                            {"w": {"soil": EngineResult(objects, "cell_id", {}, object_deltas=temp)}}, {"w": []}, kpis, {})
    calls = []
    deltas = Comparison.deltas
    monkeypatch.setattr(Comparison, "deltas", lambda self, w, d: calls.append((w, d)) or deltas(self, w, d))
    figure = cell_map(comparison, "w")
    assert "<img" in figure and "or no ground left outside roofs" in figure  # the caption read the shared deltas
    assert calls == [("w", "soil")]


def test_the_roof_paths_are_those_geopandas_draws():
    """Holes, a multipolygon and rings as given (not normalised): the paths of the collection
    ``GeoSeries.plot`` adds, vertex for vertex and code for code."""
    import geopandas as gpd
    from matplotlib.figure import Figure

    from twin.viz.maps import geopandas_polygon_paths

    geoms = [shapely.Polygon([(0, 0), (0, 4), (5, 4), (5, 0)]),  # clockwise: normalising turns it
             shapely.box(10, 0, 40, 30).difference(shapely.box(20, 10, 30, 20)),
             shapely.MultiPolygon([shapely.box(50, 0, 60, 10), shapely.Polygon([(70, 0), (80, 0), (75, 9)])]),
             shapely.Polygon([(90, 0), (99, 1), (95, 8)])]
    ax = Figure().subplots()
    gpd.GeoSeries(geoms, crs="EPSG:31370").plot(ax=ax, color=["#f00", "#0f0", "#00f", "#000"])
    expected = ax.collections[0].get_paths()
    mine = geopandas_polygon_paths(gpd.GeoSeries(geoms))
    assert len(mine) == len(expected) == len(geoms)
    for m, e in zip(mine, expected):
        assert np.array_equal(m.vertices, e.vertices) and np.array_equal(m.codes, e.codes)


def test_the_visible_streets_are_each_names_links_merged_as_a_groupby_merges_them():
    """Names out of order, repeated, missing and empty: each name's links merged in their order
    (the pandas groupby the map drew from), longest first."""
    import geopandas as gpd

    from twin.viz.maps import visible_streets

    lines = [shapely.LineString([(0, 0), (50, 0)]), shapely.LineString([(0, 10), (30, 10)]), shapely.LineString([(50, 0), (90, 5)]),
             shapely.LineString([(0, 20), (5, 20)]), shapely.LineString([(0, 30), (60, 30)]), shapely.LineString([(90, 5), (95, 40)])]
    links = gpd.GeoDataFrame({"name": ["Rue B", "Rue A", "Rue B", None, "", "Rue B"]}, geometry=lines)
    bounds = (-1.0, -1.0, 92.0, 25.0)
    named = links[links["name"].fillna("").astype(str) != ""]
    box = shapely.box(*bounds)
    expected = [(name, shapely.intersection(shapely.line_merge(shapely.union_all(np.asarray(grp.geometry.values))), box))
                for name, grp in named.groupby(named["name"].astype(str))]
    expected = sorted((t for t in expected if not t[1].is_empty), key=lambda t: -t[1].length)
    got = visible_streets(links, bounds)
    assert [n for n, _ in got] == [n for n, _ in expected] == ["Rue B", "Rue A"]
    assert all(g.wkb == e.wkb for (_, g), (_, e) in zip(got, expected))
