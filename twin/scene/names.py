"""Bilingual street names: the halves of a Brussels ``"<French> - <Dutch>"`` name.

Street names in Brussels are bilingual, ``"<French> - <Dutch>"`` (``Parvis Saint-Gilles -
Sint-Gillis Voorplein``); a few OpenStreetMap names lack a space on one side of the dash
(``Rue du Céleri -Selderijstraat``). A dash with white space on at least one side separates the
halves; a dash inside a word (``Saint-Gilles``) does not. Selectors match either half
(:mod:`twin.scenario.selection`); maps and the report label a street by its first half
(:func:`first_half`).
"""

from __future__ import annotations

import re

#: A dash with white space on at least one side separates the halves of a bilingual name.
HALVES = re.compile(r"\s+-\s*|\s*-\s+")
#: The same separator for the report's JavaScript (``name.split(new RegExp(...))``).
HALVES_JS = r"\s+-\s*|\s*-\s+"


def halves(name: str) -> list[str]:
    """The non-empty halves of ``name`` (one element for a name without a separating dash)."""
    return [p.strip() for p in HALVES.split(str(name)) if p.strip()]


def first_half(name: str) -> str:
    """The first half of a bilingual name (the whole name when it has one part; ``""`` for none)."""
    parts = halves(name)
    return parts[0] if parts else ""
