"""A CRS given as a command option, checked before any work: one rule for every command."""

from __future__ import annotations


def check_crs_option(value: str | None, option: str, *, projected: bool = False) -> None:
    """Raise :class:`~twin.errors.CRSError` naming ``option`` if ``value`` is not a CRS pyproj knows
    (or, with ``projected``, not a projected one); None passes.

    Used by ``twin ingest`` and ``twin solar cadastre`` (``--crs``, ``--source-crs``,
    ``--ifc-crs``) and by the traffic commands (``--crs``, ``--scene-crs``), which check them also
    when the sources do not need them (a written scene keeps its CRS).
    """
    if value is None:
        return
    import pyproj

    from twin.errors import CRSError

    try:
        crs = pyproj.CRS.from_user_input(value)
    except pyproj.exceptions.CRSError:
        raise CRSError(f"{option} {value!r} is not a CRS pyproj knows; use e.g. EPSG:31370", field=option) from None
    if projected and not crs.is_projected:
        raise CRSError(f"{option} {value!r} is not a projected CRS in metres; use e.g. EPSG:31370", field=option)


__all__ = ["check_crs_option"]
