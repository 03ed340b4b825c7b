"""Construction years from the free text of OSM ``start_date`` / ``construction_date`` and the like.

OSM asks for ISO dates but mappers write periods. Each form gives one representative year
(the middle of a period; the last or first year a bound allows):

=====================================  ========  =============================================
text                                   year      rule
=====================================  ========  =============================================
``1905``, ``1905-06-01``, ``1905-06``  1905      the year
``~1900``, ``ca. 1900``, ``circa       1900      an approximate year
1900``, ``c. 1900``, ``about 1900``
``1890s``                              1895      middle of the decade
``early 1890s`` / ``mid`` / ``late``   1892 /    early = +2, mid = +5, late = +8
                                       1895 /
                                       1898
``C19``, ``19th century``              1850      middle of the century
``early C19`` / ``mid`` / ``late``     1820 /    early = first quarter's middle ... (+20, +50,
                                       1850 /    +80)
                                       1880
``1890..1900``, ``1890-1900``,         1895      middle of the range
``1890/1900``
``before 1914``                        1913      the last year the text allows
``after 1950``                         1951      the first year the text allows
=====================================  ========  =============================================

Anything else (``unknown``, ``old``, a year outside 1000..2100) gives no year. Whether a year
lies in the future is judged by :mod:`twin.ingest.attributes.checks`, not here.
"""

from __future__ import annotations

import re

import numpy as np

_RANGE = re.compile(r"^\s*(?:~|ca\.?|c\.|circa|about)?\s*(\d{4})\s*(?:\.\.|/|-|–|to)\s*(\d{4})\s*$", re.I)
_ISO = re.compile(r"^\s*(\d{4})(?:-\d{2}(?:-\d{2})?)?(?:T.*)?\s*$")
_APPROX = re.compile(r"^\s*(?:~|ca\.?|c\.|circa|about|approx\.?|vers|rond)\s*(\d{4})\s*$", re.I)
_BOUND = re.compile(r"^\s*(before|until|pre|voor|avant|after|since|post|na|apres|après)\s*(\d{4})\s*$", re.I)
_DECADE = re.compile(r"^\s*(early|mid|late)?\s*-?\s*(\d{3})0s\s*$", re.I)
_CENTURY = re.compile(r"^\s*(early|mid|late)?\s*-?\s*(?:C\s*(\d{1,2})|(\d{1,2})\s*(?:st|nd|rd|th|e|de|ste)\s*(?:century|c\.?|siecle|siècle|eeuw))\s*$", re.I)
_ANY_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")

_DECADE_OFFSET = {None: 5.0, "early": 2.0, "mid": 5.0, "late": 8.0}
_CENTURY_OFFSET = {None: 50.0, "early": 20.0, "mid": 50.0, "late": 80.0}
_BEFORE = {"before", "until", "pre", "voor", "avant"}

MIN_YEAR, MAX_YEAR = 1000.0, 2100.0
"""Years outside this range are no year (as :mod:`twin.ingest.limits`)."""


def year_from_text(value: object) -> float:
    """One representative year (float) for a ``start_date``-like value; NaN when none.

    See the module docstring for the forms understood. A number is taken as the year itself.
    """
    if value is None:
        return np.nan
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        year = float(value)
        return year if MIN_YEAR <= year <= MAX_YEAR else np.nan
    text = str(value).strip().lower()
    if not text:
        return np.nan
    year = _parse(text)
    return year if MIN_YEAR <= year <= MAX_YEAR else np.nan


def _parse(text: str) -> float:
    m = _ISO.match(text) or _APPROX.match(text)
    if m:
        return float(m.group(1))
    m = _RANGE.match(text)
    if m:
        a, b = float(m.group(1)), float(m.group(2))
        return (a + b) / 2.0 if b >= a else np.nan
    m = _BOUND.match(text)
    if m:
        year = float(m.group(2))
        return year - 1.0 if m.group(1).lower() in _BEFORE else year + 1.0
    m = _DECADE.match(text)
    if m:
        return float(m.group(2)) * 10.0 + _DECADE_OFFSET[(m.group(1) or "").lower() or None]
    m = _CENTURY.match(text)
    if m:
        century = float(m.group(2) or m.group(3))
        return (century - 1.0) * 100.0 + _CENTURY_OFFSET[(m.group(1) or "").lower() or None]
    m = _ANY_YEAR.search(text)  # a year inside other words ("built 1905 by ...")
    return float(m.group(1)) if m else np.nan


__all__ = ["MAX_YEAR", "MIN_YEAR", "year_from_text"]
