"""Bilingual Brussels street names (twin.scene.names): the halves and the label of a street."""

from __future__ import annotations

import json

import pytest

from twin.scene.names import HALVES, HALVES_JS, first_half, halves


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Parvis Saint-Gilles - Sint-Gillis Voorplein", ["Parvis Saint-Gilles", "Sint-Gillis Voorplein"]),
        ("Rue du Céleri -Selderijstraat", ["Rue du Céleri", "Selderijstraat"]),  # no space after the dash (OSM 2013)
        ("Rue X-  Xstraat", ["Rue X", "Xstraat"]),
        ("Saint-Gilles", ["Saint-Gilles"]),  # a dash inside a word does not split
        ("", []),
    ],
)
def test_halves_and_first_half(name, expected):
    assert halves(name) == expected
    assert first_half(name) == (expected[0] if expected else "")


def test_the_report_script_gets_the_same_separator():
    # the drill-down's JavaScript splits with new RegExp(HALVES_JS): the same pattern, and it survives JSON
    assert HALVES.pattern == HALVES_JS
    assert json.loads(json.dumps({"halves": HALVES_JS}))["halves"] == HALVES_JS
