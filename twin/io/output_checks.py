"""Checks on an output path made before any work: can it be written, and is it safe to replace?

:func:`twin.io.paths.check_output_path` judges the path itself (name length, a file where a
folder is expected, permissions). The checks here add what a whole-folder or atomic-file
output needs:

* the output does not overlap an input (the same path, inside an input folder, or holding an
  input that the replacement would delete);
* an existing folder is an earlier result of the same command (:func:`twin.io.staged.check_replaceable`),
  never the current folder or a folder of the user's;
* an existing file output is a regular file (never a device such as ``/dev/null``);
* an existing file output is an earlier result of the same command (:func:`check_file_writer`):
  a file of the same kind (another ``.npz``, a readings CSV, a CityJSON of another command) is
  not taken for one;
* the folder that will hold the temporary output accepts a new entry: a real probe (a
  temporary folder made and removed at once), because permission bits do not stop root and
  file systems such as ``/proc`` or a read-only mount refuse what ``os.access`` allows.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from twin.errors import OutputError
from twin.io.paths import check_output_path


def _real(path: str | os.PathLike[str]) -> Path:
    return Path(os.path.realpath(os.path.abspath(path)))


def _nearest_existing(path: Path) -> Path:
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    return parent


def probe_writable(path: str | os.PathLike[str], *, field: str | None = None) -> None:
    """Make and remove a temporary folder where ``path`` (or its nearest existing parent) lives.

    Raises
    ------
    OutputError
        The file system refuses (read-only, ``/proc``, full, no permission).
    """
    from twin.io.stop import signals_held

    path = Path(os.path.abspath(path))
    where = _nearest_existing(path)
    with signals_held():  # made and removed together: a signal in between must not leave the probe behind
        try:
            probe = tempfile.mkdtemp(prefix=".twin-probe-", dir=where)
        except OSError as exc:
            reason = {errno.EROFS: "read-only file system", errno.ENOSPC: "no space left", errno.EACCES: "permission denied",
                      errno.EPERM: "operation not permitted"}.get(exc.errno, exc.strerror or str(exc))
            raise OutputError(f"cannot write in {where}: {reason}", path=path, field=field) from None
        os.rmdir(probe)


def check_no_overlap(out: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]], *, kind: str, field: str | None = None) -> None:
    """Refuse an output that is an input, lies inside an input, or (a folder) holds an input.

    Raises
    ------
    OutputError
        Naming the input concerned.
    """
    target = _real(out)
    for item in inputs:
        if item is None:
            continue
        src = _real(item)
        if target == src:
            raise OutputError(f"the output is also an input ({item}); write the result elsewhere", path=out, field=field)
        if src in target.parents:
            raise OutputError(f"the output is inside an input ({item}); write the result elsewhere", path=out, field=field)
        if kind == "folder" and target in src.parents:
            raise OutputError(f"the output folder holds an input ({item}) that replacing the folder would delete; "
                              "write the result elsewhere", path=out, field=field)


def check_output_folder(
    out: str | os.PathLike[str],
    *,
    inputs: Iterable[str | os.PathLike[str]] = (),
    owned: Iterable[str] | None = None,
    field: str | None = "--out",
) -> Path:
    """Every check a whole-folder output needs, before any work (see the module docstring).

    Parameters
    ----------
    out
        The output folder (replaced whole by :func:`twin.io.staged.staged_dir`).
    inputs
        Files and folders the command reads.
    owned
        Names that mark an existing folder as an earlier output of the command.
    field
        The option that named the folder, for messages.

    Returns
    -------
    Path
        ``out`` as a :class:`~pathlib.Path`.

    Raises
    ------
    OutputError
    """
    from twin.io.staged import check_replaceable

    out = Path(out)
    _check_parts(out, field)
    check_no_overlap(out, inputs, kind="folder", field=field)
    check_output_path(out, kind="folder", field=field)
    check_replaceable(out, owned, field=field)
    probe_writable(out, field=field)
    return out


def check_output_file(
    out: str | os.PathLike[str],
    *,
    inputs: Iterable[str | os.PathLike[str]] = (),
    field: str | None = "--out",
) -> Path:
    """Every check an atomically written output file needs, before any work.

    Raises
    ------
    OutputError
        The path cannot be written, is a folder or a device, or overlaps an input.
    """
    out = Path(out)
    _check_parts(out, field)
    check_no_overlap(out, inputs, kind="file", field=field)
    check_output_path(out, kind="file", field=field)
    if os.path.lexists(out):
        try:
            mode = os.stat(out).st_mode
        except OSError as exc:
            raise OutputError(f"cannot use the existing output: {exc.strerror or exc}", path=out, field=field) from None
        if not stat.S_ISREG(mode):
            raise OutputError("the output exists and is not a regular file (a device, pipe or socket); name a file", path=out, field=field)
    probe_writable(out, field=field)
    return out


#: What :func:`check_file_writer` asks of a file: the command that wrote it (as the file records it,
#: or as its content shows) or None, and what the file seems to be (for the message).
WriterOf = Callable[[Path], tuple[str | None, str]]


def check_file_writer(
    out: str | os.PathLike[str],
    written_by: str,
    writer_of: WriterOf,
    *,
    field: str | None = "--out",
    again: str = "another -o file",
) -> None:
    """Refuse to replace an existing file output that the command ``written_by`` did not write.

    The file rule, beside the folder rule of :func:`twin.io.staged.check_writer`: an existing,
    non-empty file is replaced only when ``writer_of`` finds that ``written_by`` wrote it (a
    writer tag inside the file: ``written_by`` in the ``meta`` of a sync state, ``twin_written_by``
    in the ``metadata`` of a CityJSON export; or, for a CSV, which holds no tag, exactly the header
    the command writes). Any other file, one that records another writer or none, is refused.
    A missing or empty file is always written.

    Parameters
    ----------
    out
        The output file.
    written_by
        The command writing (``"twin sync"``, ``"twin export"``...).
    writer_of
        ``writer_of(path) -> (writer or None, what the file seems to be)``; it must not raise
        on a file of another kind (unreadable: ``(None, "a file twin cannot read")``).
    field
        The option that named the file, for the message.
    again
        What to name instead, for the message.

    Raises
    ------
    OutputError
        One line naming the file, what it seems to be and what to do.
    """
    path = Path(out)
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return
    except OSError:  # a name the system refuses: the path checks say why
        return
    found, seems = writer_of(path)
    if found == written_by:
        return
    who = f"{seems} written by {found}" if found else seems
    raise OutputError(f"the output file exists and holds {who}, not an earlier result of {written_by}; it would be replaced: "
                      f"name {again}, or remove it", path=out, field=field)


def csv_header(path: str | os.PathLike[str], *, max_bytes: int = 64 * 1024) -> list[str] | None:
    """The column names of the first line of a CSV file (comma-separated, quotes removed), or
    None when the file cannot be read as text."""
    import csv

    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            first = fh.readline(max_bytes)
    except (OSError, UnicodeDecodeError):
        return None
    try:
        return next(csv.reader([first]), [])
    except csv.Error:
        return None


def csv_writer_of(columns: Iterable[str], written_by: str) -> WriterOf:
    """A ``writer_of`` for :func:`check_file_writer` of a CSV output: a CSV records no writer, so
    a file whose header is exactly ``columns`` is taken for an earlier result of ``written_by``;
    any other (a readings table, a meters table) is named by its first columns."""
    columns = list(columns)

    def writer_of(path: Path) -> tuple[str | None, str]:
        header = csv_header(path)
        if header == columns:
            return written_by, "a table"
        if not header:
            return None, "a file that is not a CSV table"
        shown = ",".join(header[:4]) + (",..." if len(header) > 4 else "")
        return None, f"a CSV table with other columns ({shown})"

    return writer_of


def _check_parts(out: Path, field: str | None) -> None:
    if str(out).strip() == "":
        raise OutputError("the output path is empty", field=field)
    if "\x00" in str(out):
        raise OutputError("the output path holds a NUL character", path=repr(str(out)), field=field)
    if len(os.fsencode(os.path.abspath(out))) >= 4096:
        raise OutputError("the output path is longer than 4096 bytes", path=str(out)[:80] + "...", field=field)
    if out.name in ("", ".", ".."):
        if Path(os.path.abspath(out)) == Path(os.path.abspath(out)).parent:
            raise OutputError("the output cannot be the root folder", path=out, field=field)


__all__ = ["WriterOf", "check_file_writer", "check_no_overlap", "check_output_file", "check_output_folder", "csv_header", "csv_writer_of",
           "probe_writable"]
