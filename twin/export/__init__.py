"""Export scene layers: GeoParquet folders, GeoPackage files, and CityJSON buildings.

Every writer checks its output path before converting anything; commands that compute first
(``twin ingest``, ``twin export`` reading a scene) call :func:`check_scene_output` or
:func:`check_cityjson_output` before their work.
"""

from twin.export.cityjson import check_cityjson_output, write_cityjson
from twin.export.layers import check_scene_output, write_scene, write_scene_files

__all__ = ["check_cityjson_output", "check_scene_output", "write_cityjson", "write_scene", "write_scene_files"]
