"""The exceptions by which the parsing libraries say "this file cannot be read".

Shared by the readers of :mod:`twin.ingest` and by :func:`twin.scene.io.read_scene`, which turn
them into one :class:`~twin.errors.ParseError` naming the file. Imports nothing else of twin.
"""

from __future__ import annotations

import json


def library_errors() -> tuple[type[BaseException], ...]:
    """Exceptions of the parsing libraries that mean "this file cannot be read".

    Unicode and JSON decoding errors, and those of shapely, pyarrow and pyogrio when they are
    installed (each is imported here, not at the import of this module).
    """
    errors: list[type[BaseException]] = [UnicodeError, json.JSONDecodeError]
    try:
        from shapely.errors import ShapelyError

        errors.append(ShapelyError)
    except ImportError:  # pragma: no cover
        pass
    try:
        import pyarrow

        errors.append(pyarrow.ArrowException)
    except ImportError:  # pragma: no cover
        pass
    try:
        from pyogrio import errors as ogr

        errors += [ogr.DataSourceError, ogr.DataLayerError, ogr.FieldError, ogr.FeatureError, ogr.GeometryError]
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


__all__ = ["library_errors"]
