"""Checks on an output path made before any work: can it be written, and is it safe to replace?

:func:`twin.io.paths.check_output_path` judges the path itself (name length, a file where a
folder is expected, permissions). The checks here add what a whole-folder or atomic-file
output needs:

* the output does not overlap an input (the same path, inside an input folder, or holding an
  input that the replacement would delete);
* an existing folder is an earlier result of the same command (:func:`twin.io.staged.check_replaceable`),
  never the current folder or a folder of the user's;
* an existing file output is a regular file (never a device such as ``/dev/null``);
* the folder that will hold the temporary output accepts a new entry: a real probe (a
  temporary folder made and removed at once), because permission bits do not stop root and
  file systems such as ``/proc`` or a read-only mount refuse what ``os.access`` allows.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterable
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
    path = Path(os.path.abspath(path))
    where = _nearest_existing(path)
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


__all__ = ["check_no_overlap", "check_output_file", "check_output_folder", "probe_writable"]
