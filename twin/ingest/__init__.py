"""Readers, one small module per format, each returning an :class:`IngestResult`.

:func:`read` picks the reader from the file name; :func:`ingest` reads many files into one
:class:`~twin.scene.Scene` (reprojecting every layer to the scene CRS).

=====================  ==========================================  ============================
extension              module                                      layers
=====================  ==========================================  ============================
``.ifc``               :mod:`twin.ingest.ifc`                      buildings, storeys, spaces, elements
``.city.json/.json``   :mod:`twin.ingest.cityjson`                 buildings, elements, landcover
``.geojson/.gpkg/      :mod:`twin.ingest.vector`                   buildings, links/nodes, landcover,
.parquet/.shp``                                                    pois (by geometry and attributes)
``.osm/.osm.pbf/       :mod:`twin.ingest.osm`                      buildings, nodes, links, landcover, pois
.osm.bz2``
``.epw``               :mod:`twin.ingest.epw`                      scene weather
=====================  ==========================================  ============================
"""

from __future__ import annotations

from twin.ingest.dispatch import detect_format, ingest, read
from twin.ingest.result import Dropped, IngestResult

__all__ = ["Dropped", "IngestResult", "detect_format", "ingest", "read"]
