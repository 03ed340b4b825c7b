"""Whether a GeoPackage (an SQLite file) is damaged or was left mid-write, asked before GDAL reads it.

Used by :mod:`twin.ingest` (input GeoPackages) and by :func:`twin.scene.io.read_scene` (scenes
written by twin as a GeoPackage).

**Damage.** GDAL does not say that a GeoPackage is damaged when the damage falls where it does
not look: with the page of ``gpkg_spatial_ref_sys`` overwritten by zeros, the layers were read
without their CRS and the file was refused as one that "declares no CRS"; with a page of the
spatial index overwritten, the file was read without a word. SQLite's ``PRAGMA quick_check``
reads every page of the file once (4 ms on a 1.2 MB GeoPackage of the 3,991 Saint-Gilles
footprints and their streets, against 33 ms for GDAL's read of its two layers; 13-19 ms on the
3.5 MB Saint-Gilles scene GeoPackage, against 0.52-0.55 s for :func:`twin.scene.io.read_scene`),
so it is run on every SQLite file before GDAL opens it. The file is opened read-only and
immutable: nothing is written beside it.

**An unfinished write.** A rollback journal (``NAME-journal``) that starts with SQLite's journal
header, or a write-ahead log (``NAME-wal``) holding frames, beside the file means a write that
was interrupted or is still going on (a program that has the file open in WAL mode, as QGIS does
while editing). SQLite finishes such a file on the next read-write open: it rolls the journal
back, or copies the log into the file. twin never modifies an input, and the file alone is not
what its writer meant (the immutable open ignores the journal or log), so the GeoPackage is
refused naming the side file. GDAL's own read-only open did worse: it failed on a hot journal
with "attempt to write a readonly database", and it copied a write-ahead log into the input and
deleted the log (the user's file changed).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from twin.errors import InputError, ParseError

_SQLITE_HEADER = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite database file (https://www.sqlite.org/fileformat.html)."""

_JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")
"""The first 8 bytes of a rollback journal that still holds a transaction (a "hot" journal; SQLite
zeroes them when it keeps a finished journal, ``journal_mode=PERSIST``)."""

_WAL_HEADER_BYTES = 32
"""Size of a write-ahead log's header; a log longer than that holds frames not yet in the file."""


def unfinished_write(path: Path) -> Path | None:
    """The journal or write-ahead log beside the SQLite file ``path`` that holds an unfinished
    write (module docstring), or None."""
    journal = path.with_name(path.name + "-journal")
    try:
        with open(journal, "rb") as fh:
            if fh.read(len(_JOURNAL_MAGIC)) == _JOURNAL_MAGIC:
                return journal
    except OSError:  # none (or not a file we may read: SQLite could not use it either)
        pass
    wal = path.with_name(path.name + "-wal")
    try:
        if wal.stat().st_size > _WAL_HEADER_BYTES:
            return wal
    except OSError:
        pass
    return None


def check_geopackage_intact(path: Path) -> None:
    """Refuse an SQLite file (a GeoPackage) left mid-write or in which SQLite's ``quick_check`` finds damage.

    Parameters
    ----------
    path
        The file; a folder (GDAL reads a folder of shapefiles) or a file that does not start with
        the SQLite header is left to GDAL.

    Raises
    ------
    InputError
        A journal or write-ahead log of an unfinished write lies beside the file (it is named).
    ParseError
        The file is damaged (cut short, a page overwritten): SQLite's first complaint is quoted.

    Notes
    -----
    A file found intact is not read again while it is unchanged (same size, inode and
    modification and status-change times): a command that asks about a scene, then reads it,
    checks it once. The side files are looked at every time.
    """
    if not path.is_file():
        return
    with open(path, "rb") as fh:
        if fh.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
            return
    side = unfinished_write(path)
    if side is not None:
        raise InputError(
            f"the GeoPackage was not closed cleanly: {side.name} beside it holds an unfinished write (an interrupted "
            "program, or one that still has the file open); close that program or open the file once in it (SQLite "
            "then finishes or undoes the write), as twin does not modify its inputs", path=path)
    version = _file_version(path)
    if version in _FOUND_INTACT:  # checked already, unchanged since (a command asks, then reads)
        return
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        rows = [str(row[0]) for row in con.execute("PRAGMA quick_check(1)")]
    except sqlite3.DatabaseError as exc:
        rows = [str(exc)]
    finally:
        con.close()
    if rows != ["ok"]:
        reason = " ".join(line for line in "\n".join(rows).splitlines() if not line.startswith("*** in database"))
        raise ParseError(f"the GeoPackage is damaged, e.g. cut short or partly overwritten (SQLite: {reason})", path=path)
    _FOUND_INTACT.add(version)


_FOUND_INTACT: set[tuple] = set()
"""The :func:`_file_version` of each file :func:`check_geopackage_intact` found intact in this process."""


def _file_version(path: Path) -> tuple:
    """What tells this version of the file ``path`` from any other: its resolved path, device and
    inode, size, and modification and status-change times, ns (any write changes the times)."""
    st = path.stat()
    return (str(path.resolve()), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


__all__ = ["check_geopackage_intact", "unfinished_write"]
