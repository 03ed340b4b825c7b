"""Whether a scene with sites still holds the region around them: the advice of a zone limit.

A planner who gives a district's polygon as ``sites`` but does not cut the scene to it (a
scenario's ``inputs.clip_to_sites``, ``twin ingest --clip-to-sites``) keeps every building of
a region-scale OSM extract, and the traffic engine refuses the zones. The cut keeps the OSM
buildings whose centroid lies in a site (:func:`twin.ingest.osm.read_osm`'s ``clip``); this
module counts those it would drop, so the zone-limit errors can name the cut where it applies.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def osm_buildings_outside_sites(scene: Any) -> int:
    """The scene's OSM buildings whose centroid lies outside every site.

    Parameters
    ----------
    scene
        A :class:`twin.scene.Scene`.

    Returns
    -------
    int
        0 when the scene has no site or no OSM building: cutting to the sites would then drop
        nothing.
    """
    import shapely

    b, sites = scene.buildings, scene.sites
    if len(b) == 0 or len(sites) == 0 or "source_format" not in b.columns:
        return 0
    osm = b[b["source_format"].astype(str).to_numpy() == "osm"]
    if len(osm) == 0:
        return 0
    district = shapely.union_all(np.asarray(sites.geometry.values, dtype=object))
    shapely.prepare(district)
    inside = shapely.within(shapely.centroid(np.asarray(osm.geometry.values, dtype=object)), district)
    return int((~inside).sum())


def cut_advice(scene: Any, how: str) -> str:
    """``", or cut the scene to the district: <how> (N of the M buildings lie outside the
    sites)"``, or ``""`` when the scene has no OSM building outside its sites.

    Parameters
    ----------
    scene
        A :class:`twin.scene.Scene`.
    how
        How the planner cuts, e.g. ``"inputs.clip_to_sites: true"``.
    """
    n = osm_buildings_outside_sites(scene)
    if n == 0:
        return ""
    return f", or cut the scene to the district: {how} ({n:,} of its {len(scene.buildings):,} buildings lie outside the sites)"
