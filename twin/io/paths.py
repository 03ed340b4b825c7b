"""Checks on input and output paths before any work is done.

An input must be a regular file (not a folder, a device, a pipe or a link to one), below a
size limit, and readable; an output must be writable where it is asked for. Both checks run
before reading or computing, so a bad path costs a second, not a run.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from twin.errors import InputError, OutputError, ParseError, ResourceLimitError, UnsafePathError
from twin.io.csv_separator import check_separator

#: Default size limit of one input file, bytes (override with ``TWIN_MAX_INPUT_BYTES``).
MAX_INPUT_BYTES = 4 * 1024**3

#: The message of a 0-byte input (``check_input_file(..., refuse_empty=True)``).
EMPTY_MESSAGE = "empty {what} (0 bytes)"

#: The longest file name most file systems accept, bytes.
MAX_NAME_BYTES = 255


def max_input_bytes() -> int:
    """The input size limit in bytes: ``TWIN_MAX_INPUT_BYTES`` if set, else :data:`MAX_INPUT_BYTES`."""
    raw = os.environ.get("TWIN_MAX_INPUT_BYTES")
    if raw is None or raw.strip() == "":
        return MAX_INPUT_BYTES
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"TWIN_MAX_INPUT_BYTES must be a whole number of bytes, not {raw!r}", field="TWIN_MAX_INPUT_BYTES") from None
    if value <= 0:
        raise InputError("TWIN_MAX_INPUT_BYTES must be positive", field="TWIN_MAX_INPUT_BYTES")
    return value


def check_input_file(
    path: str | os.PathLike[str],
    *,
    suffixes: tuple[str, ...] | None = None,
    max_bytes: int | None = None,
    field: str | None = None,
    what: str = "input file",
    refuse_empty: bool = False,
) -> Path:
    """Check that ``path`` is a readable regular file of an allowed type and size.

    Parameters
    ----------
    path
        The file.
    suffixes
        Allowed endings, lower case with the dot (``(".yaml", ".yml")``); None: any.
    max_bytes
        Size limit in bytes; default :func:`max_input_bytes`.
    field
        The key or option that named the file, for the message.
    what
        What the file is, for the message.
    refuse_empty
        Refuse a 0-byte file (``empty <what> (0 bytes)``), for the kinds where one is never valid
        (every table, spec and geodata file: a parser's own word for it names no file or says
        "not recognized"). Off by default while the callers that pass 0-byte placeholders are
        checked; :data:`EMPTY_MESSAGE` is the one wording.

    Returns
    -------
    Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    InputError
        The file does not exist or cannot be read.
    UnsafePathError
        It is a folder, a device, a pipe or a socket (reading one could hang).
    ResourceLimitError
        It is larger than the limit.
    ParseError
        An empty file (with ``refuse_empty``), or a ``.csv`` file whose header separates its columns with ``;``, tabs or ``|`` instead of
        commas (:func:`twin.io.csv_separator.check_separator`).
    """
    path = Path(path)
    try:
        info = path.stat()  # follows links: a link to /dev/zero is judged as /dev/zero
    except FileNotFoundError:
        raise InputError(f"{what} not found", path=path, field=field) from None
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror or exc}", path=path, field=field) from None
    if stat.S_ISDIR(info.st_mode):
        raise UnsafePathError(f"{what} is a folder, not a file", path=path, field=field)
    if not stat.S_ISREG(info.st_mode):
        raise UnsafePathError(f"{what} is not a regular file (a device, pipe or socket)", path=path, field=field)
    if suffixes is not None and not path.name.lower().endswith(tuple(suffixes)):
        raise InputError(f"{what} must end in {', '.join(suffixes)}", path=path, field=field)
    limit = max_input_bytes() if max_bytes is None else max_bytes
    if info.st_size > limit:
        raise ResourceLimitError(
            f"{what} is {info.st_size:,} bytes, above the limit of {limit:,} (set TWIN_MAX_INPUT_BYTES to raise it)",
            path=path, field=field,
        )
    if not os.access(path, os.R_OK):
        raise InputError(f"cannot read {what}: permission denied", path=path, field=field)
    if refuse_empty and info.st_size == 0:
        raise ParseError(EMPTY_MESSAGE.format(what=what), path=path, field=field)
    if path.name.lower().endswith(".csv"):  # a spreadsheet's ';' or tab table, named before a parser reads one column
        check_separator(path, what=what, field=field)
    return path


def check_output_path(path: str | os.PathLike[str], *, kind: str = "file", field: str | None = None) -> Path:
    """Check, before any work, that an output can be written at ``path``.

    Parameters
    ----------
    path
        The output file or folder (it may not exist yet; its nearest existing parent must be a
        writable folder).
    kind
        ``"file"`` or ``"folder"``: what will be written there. An existing folder where a file
        is expected (or a file where a folder is expected) is an error.
    field
        The option that named the path, for the message.

    Returns
    -------
    Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    OutputError
        The path cannot be written (read-only parent, a file in the way, a name too long).
    """
    path = Path(path)
    for part in path.parts:
        if len(os.fsencode(part)) > MAX_NAME_BYTES:
            raise OutputError(f"a name in the output path is longer than {MAX_NAME_BYTES} bytes", path=path, field=field)
    if path.exists():
        if kind == "file" and path.is_dir():
            raise OutputError("output is an existing folder, not a file", path=path, field=field)
        if kind == "folder" and not path.is_dir():
            raise OutputError("output is an existing file, not a folder", path=path, field=field)
    parent = path.parent if not (kind == "folder" and path.is_dir()) else path
    while not parent.exists():
        if parent == parent.parent:
            break
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(f"cannot write here: {parent} is a file, not a folder", path=path, field=field)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write here: folder {parent} is not writable", path=path, field=field)
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputError("cannot write here: the output exists and is read-only", path=path, field=field)
    return path
