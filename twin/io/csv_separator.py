"""A CSV table written with another separator than the comma.

A spreadsheet saved in a comma-decimal locale (Belgium, France, Germany...) separates the columns
with ``;``; pandas then reads one column named ``building_id;carrier;...`` and the readers said
"no id column" or "unknown column 'building_id;height_m'" of a header that names the columns.
"""

from __future__ import annotations

import os

import pandas as pd

from twin.errors import ParseError

#: Separators recognised in a one-column header, with their name in the message.
SEPARATORS: tuple[tuple[str, str], ...] = ((";", "';'"), ("\t", "tabs"), ("|", "'|'"))


def check_separator(frame: pd.DataFrame, path: str | os.PathLike[str] | None, *, what: str = "table",
                    field: str | None = None) -> None:
    """Refuse a CSV read as one column whose name holds another separator.

    Parameters
    ----------
    frame
        The table as read with ``pandas.read_csv`` (comma separator).
    path
        The file, named in the error.
    what
        What the file is ("meter file", "overrides table"), named in the error.
    field
        The option or key the file was given with.

    Raises
    ------
    ParseError
        The one column's name holds ``;``, a tab or ``|``.
    """
    if len(frame.columns) != 1:
        return
    header = str(frame.columns[0])
    for sep, name in SEPARATORS:
        if sep in header:
            raise ParseError(f"the columns are separated by {name} ({header[:60]!r}): the {what} is a comma-separated CSV with '.' "
                             "decimals (in a spreadsheet: save as 'CSV UTF-8 (comma delimited)')", path=path, field=field)


__all__ = ["SEPARATORS", "check_separator"]
