"""Small I/O helpers shared by ingest, export and the run store.

* :mod:`twin.io.atomic`: one file written to a temporary name and renamed;
* :mod:`twin.io.staged`: a whole folder staged beside its target and swapped in at once;
* :mod:`twin.io.output_checks`: output checks made before any work;
* :mod:`twin.io.run_record`: dependency versions and file manifests of result folders;
* :mod:`twin.io.stop`: what a signal stop removes, and what was already written whole;
* :mod:`twin.io.gdal_env`: GDAL reads that leave no side file (``.aux.xml``) beside an input;
* :mod:`twin.io.paths`, :mod:`twin.io.json_out`: input checks, strict JSON.
"""

from twin.io.atomic import atomic_path, atomic_write_bytes, atomic_write_text
from twin.io.staged import staged_dir

__all__ = ["atomic_path", "atomic_write_bytes", "atomic_write_text", "staged_dir"]
