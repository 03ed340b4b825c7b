"""Copies of an EPW file with some fields of some hours replaced (missing-value codes, bad values)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

#: Lines before the first hour of an EPW file (LOCATION ... DATA PERIODS).
EPW_HEADER_LINES = 8


def epw_with_field(source: Path, target: Path, rows: Iterable[int], field: int, value: str) -> Path:
    """Write ``source`` to ``target`` with field number ``field`` (0-based, as the EPW data
    dictionary counts from the year) set to ``value`` in the hours ``rows`` (0-based); return ``target``."""
    lines = Path(source).read_text().splitlines(keepends=True)
    for r in rows:
        parts = lines[EPW_HEADER_LINES + r].split(",")
        parts[field] = value
        lines[EPW_HEADER_LINES + r] = ",".join(parts)
    Path(target).write_text("".join(lines))
    return Path(target)
