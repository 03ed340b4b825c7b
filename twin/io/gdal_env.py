"""GDAL settings for twin's reads of files through pyogrio: nothing is written beside an input.

GDAL keeps dataset metadata that a format cannot store itself in a side file ``X.aux.xml``
(its "persistent auxiliary metadata", PAM). GDAL 3.12 does so for a GeoPackage's dataset
metadata items (``ogr2ogr -mo KEY=VALUE``, or any writer setting dataset metadata): a read of
such a GeoPackage, opened read-only, wrote ``X.gpkg.aux.xml`` beside it, in the user's data
folder (and warned "Unable to save auxiliary information" where that folder is read-only).

:func:`gdal_reads` turns PAM off (``GDAL_PAM_ENABLED=NO``) for the reads made within it and
restores the earlier setting after, so twin used as a library leaves its host's GDAL settings
as they were. The metadata GDAL keeps inside the file (a GeoPackage's ``gpkg_metadata`` table,
where twin's own outputs carry their tag) is still read.

GDAL's configuration options are process-wide: while twin reads, other threads of the host
that open GDAL files also run without PAM (they read the same data; they do not write side
files). Nested and concurrent uses are counted: the setting is restored when the last one ends.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["PAM_OPTION", "gdal_reads"]

#: GDAL's configuration option that turns the ``.aux.xml`` side files on and off.
PAM_OPTION = "GDAL_PAM_ENABLED"

_lock = threading.Lock()
_depth = 0
_saved: object = None


def _from_environment(value: object) -> bool:
    """True if ``value`` (as :func:`pyogrio.get_gdal_config_option` gives it: ``'ON'``/``'OFF'``
    as True/False, digits as int) is what the environment variable alone would give."""
    env = os.environ.get(PAM_OPTION)
    if env is None:
        return value is None
    normal = {"ON": True, "OFF": False}.get(env.upper(), int(env) if env.isdigit() else env)
    return value == normal and type(value) is type(normal)


@contextmanager
def gdal_reads() -> Iterator[None]:
    """Within the block, GDAL (through pyogrio) writes no ``.aux.xml`` side file beside the files
    it opens; the earlier value of ``GDAL_PAM_ENABLED`` is restored after the block.

    Yields
    ------
    None
        Nothing: the block's reads run with ``GDAL_PAM_ENABLED=NO``.

    Examples
    --------
    >>> import pyogrio
    >>> with gdal_reads():
    ...     pyogrio.get_gdal_config_option("GDAL_PAM_ENABLED")
    'NO'
    """
    import pyogrio

    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = pyogrio.get_gdal_config_option(PAM_OPTION)
            pyogrio.set_gdal_config_options({PAM_OPTION: "NO"})
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                # a value that came from the environment only is restored by clearing the option
                # (GDAL then reads the environment again); any other value is set back as it was
                pyogrio.set_gdal_config_options({PAM_OPTION: None if _from_environment(_saved) else _saved})
                _saved = None
