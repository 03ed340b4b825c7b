"""A CSV table written with another separator than the comma.

A spreadsheet saved in a comma-decimal locale (Belgium, France, Germany...) separates the columns
with ``;``; pandas then reads one column named ``building_id;carrier;...`` and the readers said
"no id column" or "unknown column 'building_id;height_m'" of a header that names the columns.
:func:`twin.io.paths.check_input_file` applies the check to every ``.csv`` input it is given;
readers that do not go through it call :func:`check_separator` themselves.
"""

from __future__ import annotations

import os

from twin.errors import ParseError

#: Bytes read for the header line (a longer header is taken as far as it goes).
HEAD_BYTES = 65536

#: Separators recognised in a header without a comma, with their name in the message.
SEPARATORS: tuple[tuple[str, str], ...] = ((";", "';'"), ("\t", "tabs"), ("|", "'|'"))


def check_separator(path: str | os.PathLike[str], *, what: str = "table", field: str | None = None) -> None:
    """Refuse a CSV file whose header line has no comma but another separator, before it is parsed.

    Parameters
    ----------
    path
        The CSV file (its first non-blank line is read).
    what
        What the file is ("meter file", "overrides table"), named in the error.
    field
        The option or key the file was given with.

    Raises
    ------
    ParseError
        The header holds ``;``, a tab or ``|`` and no comma.
    """
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    raw = next((line for line in head.split(b"\n") if line.strip()), b"")
    try:
        header = raw.decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError:  # binary or another encoding: the parser names it
        return
    if "\x00" in header or "," in header:
        return
    for sep, name in SEPARATORS:
        if sep in header:
            raise ParseError(f"the columns are separated by {name} ({header[:60]!r}): the {what} is a comma-separated CSV with '.' "
                             "decimals (in a spreadsheet: save as 'CSV UTF-8 (comma delimited)')", path=path, field=field)


__all__ = ["HEAD_BYTES", "SEPARATORS", "check_separator"]
