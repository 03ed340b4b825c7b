"""What GDAL passes over in a GeoJSON file without a word: features it skips, NaN it reads as no value.

GDAL's GeoJSON driver skips an entry of ``"features"`` that is not a ``Feature`` object (a
misspelt ``"type": "Featur"``, a missing ``"type"``, a bare geometry): 24 of 25 buildings were
read and nothing was listed as dropped. It also accepts a bare ``NaN`` as a property value, which
JSON does not allow (RFC 8259), and reads it as a missing value: a ``"height": NaN`` became a
defaulted height.

A full parse of the file would cost about half of GDAL's own read (0.11-0.19 s against 0.25 s on
the 2.4 MB ``stgilles_buildings_osm2013.geojson``), so the file is first scanned (0.02-0.03 s
there): the ``"type": "Feature"`` members and the ``"geometry"`` members (every Feature has one,
RFC 7946 section 3.2) are counted, and a bare ``NaN`` looked for. The entries of the
``"features"`` array are counted too, without a parse (:func:`_entry_count`, 0.015-0.025 s there):
an entry that is neither a Feature nor has a ``"geometry"`` member (a number, ``null``, a bare
geometry, ``{}``), which GDAL also skips, makes that count differ. Only when the counts differ or
a ``NaN`` may be present is the file parsed, and the parse decides.
"""

from __future__ import annotations

import json
import math
import mmap
import re
from pathlib import Path
from typing import Any

import numpy as np

from twin.errors import InputError, ParseError

_FEATURE = re.compile(rb'"type"[ \t\r\n]*:[ \t\r\n]*"Feature"')
_GEOMETRY = re.compile(rb'"geometry"')
_NAN = re.compile(rb':[ \t\r\n]*[nN][aA][nN]')
"""A Feature's ``type``; its ``geometry`` key; a member whose value may be a bare NaN (GDAL takes
it in any case). Three simple scans are faster than one alternation; a hit in a string costs only
the parse, which decides."""

_FEATURES_KEY = re.compile(rb'"features"[ \t\r\n]*:[ \t\r\n]*(?P<open>\[)(?P<empty>[ \t\r\n]*\])?')
_NOT_STRUCTURE = bytes(sorted(set(range(256)) - set(b'"[]{},')))
_STEP = np.zeros(256, dtype=np.int8)
_STEP[list(b"[{")], _STEP[list(b"]}")] = 1, -1
_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_CHUNK_BYTES = 1 << 22
"""The key of the features array (its '[', and ']' when it is empty); the bytes that are not
structure; the change of depth of each byte; an escape sequence in a string; the bytes read at a
time by :func:`_walk`."""


def check_geojson_features(path: Path) -> None:
    """Refuse a GeoJSON whose ``"features"`` hold an entry GDAL would skip, or a property that is NaN.

    Parameters
    ----------
    path
        The GeoJSON file (already known to be UTF-8 text).

    Raises
    ------
    InputError
        An entry of ``"features"`` that is not a ``Feature`` object (its index, its ``id`` or
        ``osm_id`` when it has one, field ``type``), or a property given as ``NaN`` (the feature and
        the property).
    ParseError
        The file needs a parse and is not valid JSON.
    """
    with open(path, "rb") as fh:
        try:
            data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:  # empty file: GDAL's error says it
            return
        with data:
            features = sum(1 for _ in _FEATURE.finditer(data))
            geometries = sum(1 for _ in _GEOMETRY.finditer(data))
            nan = _NAN.search(data) is not None
            entries = _entry_count(data) if features == geometries and not nan else None
    if features == geometries == entries and not nan:
        return
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except ValueError as exc:
        raise ParseError(f"not valid JSON: {exc}", path=path) from None
    entries = doc.get("features") if isinstance(doc, dict) and doc.get("type") == "FeatureCollection" else None
    if not isinstance(entries, list):
        return
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or entry.get("type") != "Feature":
            given = f"its \"type\" is {entry.get('type')!r}" if isinstance(entry, dict) else f"it is {_json_kind(entry)}"
            raise InputError(
                f"an entry of \"features\" is not a Feature ({given}), and GDAL would skip it without a word: "
                "correct its \"type\" to \"Feature\" or remove it", path=path, obj=_name(i, entry), field="type")
        props = entry.get("properties")
        for key, value in (props.items() if isinstance(props, dict) else ()):
            if isinstance(value, float) and math.isnan(value):
                raise InputError(
                    "NaN is not a JSON value (RFC 8259) and would be read as no value: give a number, or null for an unknown value",
                    path=path, obj=_name(i, entry), field=str(key))


def _entry_count(data: mmap.mmap) -> int | None:
    """The number of entries of the root object's ``"features"`` array, counted without a parse.

    None when the file holds no ``"features"`` array at depth 1 (or it is not closed): the caller
    parses.
    """
    inside, depth, pos = 0, 0, 0
    for key in _FEATURES_KEY.finditer(data):
        inside, depth, _, _ = _walk(data, pos, key.end("open"), inside, depth, count=False)
        pos = key.end("open")
        if not inside and depth == 2:  # the '[' of the root's "features"
            if key.group("empty"):
                return 0
            commas, closed = _walk(data, pos, len(data), inside, depth, count=True)[2:]
            return commas + 1 if closed else None
    return None


def _walk(data: mmap.mmap, lo: int, hi: int, inside: int, depth: int, *, count: bool) -> tuple[int, int, int, bool]:
    """A structural pass over ``data[lo:hi]`` from a state (1 inside a string, else 0; the depth of
    ``[``/``{``), about 4 MB at a time, on the quotes, brackets, braces and commas only
    (``bytes.translate`` drops the rest; escape sequences such as ``\\"`` first). Returns the state
    after it, the commas outside strings at depth 2 and whether the depth fell to 1 (with ``count``:
    the pass stops there; the state is then not updated)."""
    commas, start = 0, lo
    while start < hi:
        stop = min(start + _CHUNK_BYTES, hi)
        while stop < hi and data[stop - 1] == ord("\\"):  # no escape sequence across two pieces
            stop += 1
        piece = data[start:stop]
        start = stop
        if b"\\" in piece:
            piece = _ESCAPE.sub(b"", piece)
        s = np.frombuffer(piece.translate(None, _NOT_STRUCTURE), dtype=np.uint8)
        quote = s == ord('"')
        in_string = ((np.cumsum(quote, dtype=np.uint8) + inside) & 1).astype(bool)
        d = depth + np.cumsum(_STEP[s] * ~in_string, dtype=np.int32)  # the depth after each character
        if count:
            ends = np.flatnonzero(d == 1)
            n = int(ends[0]) if len(ends) else len(s)
            commas += int(np.count_nonzero((s[:n] == ord(",")) & ~in_string[:n] & (d[:n] == 2)))
            if len(ends):
                return inside, depth, commas, True
        inside = (inside + int(np.count_nonzero(quote))) & 1
        depth = int(d[-1]) if len(d) else depth
    return inside, depth, commas, False


def _json_kind(value: Any) -> str:
    """What a parsed JSON value is, in JSON's words: ``a number``, ``null``, ``an array``, ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {json.dumps(value)}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    return "a string" if isinstance(value, str) else "an array"


def _name(index: int, entry: Any) -> str:
    """``features[3]``, with the feature's ``id`` or ``osm_id`` when it has one."""
    name = f"features[{index}]"
    if isinstance(entry, dict):
        props = entry.get("properties") if isinstance(entry.get("properties"), dict) else {}
        for label, value in (("id", entry.get("id")), ("osm_id", props.get("osm_id"))):
            if value is not None:
                return f"{name} ({label} {value!r})"
    return name


__all__ = ["check_geojson_features"]
