"""The GeoPackage damage check of ingest, which lives in :mod:`twin.io.geopackage_damage` (the
scene reader runs it too)."""

from twin.io.geopackage_damage import check_geopackage_intact

__all__ = ["check_geopackage_intact"]
