"""Export scene layers: GeoParquet folders, GeoPackage files, and CityJSON buildings."""

from twin.export.layers import write_scene

__all__ = ["write_scene"]
