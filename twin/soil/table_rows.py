"""Cells of the soil engine's CSV tables (vegetation, land-cover vegetation, sewer street classes).

One rule for the key of a row (not empty, optionally not given twice, the row named as
``line 3 (lawn)`` in errors) and for a number cell (``not a number: 'x'`` naming the line and the
column), so every table reports a bad cell alike.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from pathlib import Path

from twin.errors import InputError


def row_key(
    row: Mapping[str, str | None],
    column: str,
    line: int,
    *,
    path: Path,
    empty: str,
    noun: str = "",
    seen: Container[str] = (),
) -> tuple[str, str]:
    """The key of a table row (``column``, stripped) and the row's name in errors.

    Parameters
    ----------
    row
        The row (a :class:`csv.DictReader` row).
    column
        The key column.
    line
        The row's line in the file (the header is line 1).
    path
        The file (named in errors).
    empty
        The message for an empty key ("empty street class").
    noun
        What a key is, in the message for a key given twice ("vegetation" gives
        ``vegetation 'lawn' is given twice``).
    seen
        Keys already read; a key among them is an error.

    Returns
    -------
    key : str
        The key.
    obj : str
        ``line N (key)``, the object of the row's errors.

    Raises
    ------
    InputError
        An empty key, or one in ``seen``, naming the file, the line and ``column``.
    """
    key = (row.get(column) or "").strip()
    obj = f"line {line}" + (f" ({key})" if key else "")
    if not key:
        raise InputError(empty, path=path, obj=obj, field=column)
    if key in seen:
        raise InputError(f"{noun} {key!r} is given twice", path=path, obj=obj, field=column)
    return key, obj


def cell_number(row: Mapping[str, str | None], column: str, *, path: Path, obj: str) -> float:
    """The number in ``column`` of a table row (any float, including inf and nan, as ``float`` reads it).

    Raises
    ------
    InputError
        Text that is not a number (or nothing), naming the file, the row ``obj`` and ``column``.
    """
    text = (row.get(column) or "").strip()
    try:
        return float(text)
    except ValueError:
        raise InputError(f"not a number: {text!r}", path=path, obj=obj, field=column) from None
