"""The solar cadastre records where each roof's shape came from, and the report says so.

The OSM footprints of Saint-Gilles give no roof shape (``roof_kind`` empty for all 3,991
buildings of the default run): every roof was drawn flat with south-facing racks and came out
excellent or good, and the report's solar section did not say that the shapes were assumed.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely


def test_roof_shape_sources_counts_data_default_and_approximated():
    from twin.solar.footprints import roof_shape_sources

    kinds = ["", None, np.nan, "gabled", " Hipped ", "mansard", "dome", "flat"]
    assert roof_shape_sources(kinds) == {"data": 4, "default": 3, "approximated": 1}
    assert roof_shape_sources([]) == {"data": 0, "default": 0, "approximated": 0}


def test_scene_mesh_carries_the_counts_and_buildings_without_a_kind_count_as_default():
    from twin.solar.cadastre import CadastreOptions, scene_mesh

    boxes = [shapely.box(20.0 * i, 0.0, 20.0 * i + 10.0, 8.0) for i in range(3)]
    frame = gpd.GeoDataFrame({"building_id": ["a", "b", "c"], "height_m": [10.0, 12.0, 9.0], "roof_kind": ["gabled", "", "onion"]},
                             geometry=boxes, crs="EPSG:31370")  # fmt: skip
    mesh, _ = scene_mesh(frame, CadastreOptions())
    assert mesh.roof_shape_sources == {"data": 1, "default": 1, "approximated": 1}
    mesh, _ = scene_mesh(frame.drop(columns="roof_kind"), CadastreOptions())  # no column: every shape a default
    assert mesh.roof_shape_sources == {"data": 0, "default": 3, "approximated": 0}


def test_the_report_says_which_roof_shapes_were_assumed():
    from twin.scenario.report_solar import roof_shape_words

    flat = roof_shape_words({"roof_shape_sources": {"data": 0, "default": 3991, "approximated": 0}, "roof_default": "flat", "n_buildings": 3991})
    assert flat.startswith("Roof shapes: 3,991 of the 3,991 buildings have no roof shape in the data")
    assert "drawn flat, with modules on rows tilted 10° toward the south" in flat
    assert "the suitable-roof area is an upper bound" in flat and "chimneys" in flat
    mixed = roof_shape_words({"roof_shape_sources": {"data": 10, "default": 5, "approximated": 2}, "roof_default": "gabled", "n_buildings": 17})
    assert "5 of the 17 buildings" in mixed and "drawn gabled (the cadastre's default shape)" in mixed
    assert "2 have a shape the cadastre does not draw" in mixed and "upper bound" not in mixed  # a gabled default has its own faces
    assert roof_shape_words({"roof_shape_sources": {"data": 17, "default": 0, "approximated": 0}, "n_buildings": 17}) == ""
    assert roof_shape_words({}) == ""  # a cadastre of an older run: nothing claimed


@pytest.mark.parametrize("kind", ["gabled", ""])
def test_the_cadastre_meta_records_the_roof_shapes(kind):
    from tests.scenario_helpers import EPW
    from twin.ingest.epw import read_epw
    from twin.solar.cadastre import CadastreOptions, solar_cadastre

    frame = gpd.GeoDataFrame({"building_id": ["a"], "height_m": [10.0], "roof_kind": [kind]}, geometry=[shapely.box(0, 0, 10, 8)], crs="EPSG:31370")
    meta = solar_cadastre(frame, read_epw(EPW), CadastreOptions()).meta
    assert meta["roof_default"] == "flat"
    assert meta["roof_shape_sources"] == ({"data": 1, "default": 0, "approximated": 0} if kind else {"data": 0, "default": 1, "approximated": 0})
