"""Small I/O helpers shared by ingest, export and the run store."""

from twin.io.atomic import atomic_path, atomic_write_bytes, atomic_write_text

__all__ = ["atomic_path", "atomic_write_bytes", "atomic_write_text"]
