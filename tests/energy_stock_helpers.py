"""Helpers for the energy-stock tests and benchmark: the Saint-Gilles scene from its footprints.

Until the vector reader (``twin.ingest.vector``) is available, the footprints are read with
GeoPandas and completed with the documented ingest defaults (``twin.ingest.defaults``) when
present, else with this module's own documented defaults: residential use, 3 storeys (R+2, the
typical Brussels terraced house; 1 storey under 30 m2 of footprint), 3.0 m per storey, year
unknown. OSM 2013 gives no height or levels for any building of the box (SOURCE.md).
"""

from __future__ import annotations

import numpy as np

#: Fallback defaults (used only when twin.ingest.defaults is missing).
STOREYS = 3
STOREY_HEIGHT_M = 3.0
SMALL_FOOTPRINT_M2 = 30.0


def scene_from_footprints(path, *, limit: int | None = None):
    """A :class:`twin.scene.Scene` with the buildings of a footprint GeoJSON (EPSG:4326 ok)."""
    import geopandas as gpd
    import pandas as pd

    from twin.scene import Scene

    try:  # the lead's reader, once it exists
        from twin.ingest import ingest
        from twin.ingest.vector import read_vector  # noqa: F401

        scene, _ = ingest([path])
        if limit is not None:
            scene.set_layer("buildings", scene.buildings.iloc[:limit])
        return scene
    except ImportError:
        pass
    g = gpd.read_file(path)
    if limit is not None:
        g = g.iloc[:limit]
    g = g.to_crs("EPSG:31370")
    ids = "osm:" + g["osm_type"].astype(str) + "/" + g["osm_id"].astype(str)
    frame = pd.DataFrame({"building_id": ids.to_numpy(), "footprint_area_m2": g.area.to_numpy()})
    frame["use"] = np.where(g["building"].astype(str).isin(["yes", "house", "residential", "apartments", "terrace"]), "residential", "public")
    frame["use_defaulted"] = g["building"].astype(str).eq("yes").to_numpy()
    try:
        from twin.ingest.defaults import complete_buildings

        frame = complete_buildings(frame)
    except ImportError:
        storeys = np.where(frame["footprint_area_m2"] < SMALL_FOOTPRINT_M2, 1, STOREYS)
        frame["n_storeys"] = storeys
        frame["height_m"] = storeys * STOREY_HEIGHT_M
        frame["storey_height_m"] = STOREY_HEIGHT_M
        frame["height_defaulted"] = True
        frame["storeys_defaulted"] = True
        frame["construction_year"] = np.nan
        frame["floor_area_m2"] = frame["footprint_area_m2"] * storeys
    frame["source_format"] = "footprints"
    frame["source"] = str(path)
    scene = Scene(name="saint-gilles")
    scene.add("buildings", gpd.GeoDataFrame(frame, geometry=g.geometry.to_numpy(), crs=g.crs), source=str(path))
    return scene
