"""Export scene layers: GeoParquet folders, GeoPackage files, and CityJSON buildings."""

from twin.export.cityjson import write_cityjson
from twin.export.layers import write_scene

__all__ = ["write_cityjson", "write_scene"]
