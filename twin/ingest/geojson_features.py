"""What GDAL passes over in a GeoJSON file without a word: features it skips, NaN it reads as no value.

GDAL's GeoJSON driver skips an entry of ``"features"`` that is not a ``Feature`` object (a
misspelt ``"type": "Featur"``, a missing ``"type"``, a bare geometry): 24 of 25 buildings were
read and nothing was listed as dropped. It also accepts a bare ``NaN`` as a property value, which
JSON does not allow (RFC 8259), and reads it as a missing value: a ``"height": NaN`` became a
defaulted height.

A full parse of the file would cost about half of GDAL's own read (0.11-0.19 s against 0.25 s on
the 2.4 MB ``stgilles_buildings_osm2013.geojson``), so the file is first scanned (0.02-0.03 s
there): the ``"type": "Feature"`` members and the ``"geometry"`` members (every Feature has one,
RFC 7946 section 3.2) are counted, and a bare ``NaN`` looked for. Only when the counts differ or a
``NaN`` may be present is the file parsed, and the parse decides. What the scan cannot see: an
entry of ``"features"`` that is neither a Feature nor has a ``"geometry"`` member (a number,
``null``, a bare geometry), which GDAL also skips.
"""

from __future__ import annotations

import json
import math
import mmap
import re
from pathlib import Path
from typing import Any

from twin.errors import InputError, ParseError

_FEATURE = re.compile(rb'"type"[ \t\r\n]*:[ \t\r\n]*"Feature"')
_GEOMETRY = re.compile(rb'"geometry"')
_NAN = re.compile(rb':[ \t\r\n]*[nN][aA][nN]')
"""A Feature's ``type``; its ``geometry`` key; a member whose value may be a bare NaN (GDAL takes
it in any case). Three simple scans are faster than one alternation; a hit in a string costs only
the parse, which decides."""


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
    if features == geometries and not nan:
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
            given = entry.get("type") if isinstance(entry, dict) else type(entry).__name__
            raise InputError(
                f"an entry of \"features\" is not a Feature (its \"type\" is {given!r}), and GDAL would skip it without a word: "
                "correct its \"type\" to \"Feature\" or remove it", path=path, obj=_name(i, entry), field="type")
        props = entry.get("properties")
        for key, value in (props.items() if isinstance(props, dict) else ()):
            if isinstance(value, float) and math.isnan(value):
                raise InputError(
                    "NaN is not a JSON value (RFC 8259) and would be read as no value: give a number, or null for an unknown value",
                    path=path, obj=_name(i, entry), field=str(key))


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
