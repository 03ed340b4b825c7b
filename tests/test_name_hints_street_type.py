""""Did you mean" for a slip in the street-type word, or the wrong street type.

:func:`twin.io.key_hints.closest_name` compared a name with the names of its own street type only,
so a typo in the type word (``Ruee de Rome``: no known type) or another type (``Avenue de Rome``
for ``Rue de Rome``) got no hint. A type word one slip from a French street type is now read as
that type (the slip counts: the rest must be exact), and a type of the same kind
(:data:`twin.io.key_hints.STREET_TYPE_KINDS`: streets, squares) is named when no name of the
written type is near and the distinctive part is the one written. Real names of the default
Saint-Gilles scene; the absent names are real Brussels streets the scene does not hold, each
sharing its distinctive part with a scene street of another kind (``benchmarks/name_hint_cutoff.py``).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.cli_harness import REPO, assert_one_line_error, run_twin
from tests.test_bad_input_scenario import TIMEOUT_S, _select, corpus, write_case  # noqa: F401  (corpus: the fixture)
from twin.io.key_hints import closest_name, type_word_slip
from twin.scenario.selection import name_hint

STREETS = REPO / "data_samples" / "stgilles_streets_osm2013.geojson"


@pytest.fixture(scope="module")
def street_names() -> pd.Series:
    """The ``name`` column of the default scene's streets (one row per named street piece)."""
    features = json.loads(STREETS.read_text(encoding="utf-8"))["features"]
    return pd.Series([f["properties"].get("name") for f in features])


# no hint before: the type word was not read as a type, or the type differed
TYPE_SLIPS = [
    ("Ruee de Rome", "Rue de Rome - Romestraat"),  # doubled letter in the type word
    ("Avneue Brugmann", "Avenue Brugmann - Brugmannlaan"),  # swapped letters in the type word
    ("Ru de Lausanne", "Rue de Lausanne - Lausannestraat"),  # dropped letter: two letters left
    ("Chausée de Charleroi", "Chaussée de Charleroi - Charleroisesteenweg"),  # dropped letter, accent kept
    ("Plaec Loix", "Place Loix - Loixplein"),
    ("Avenue de Rome", "Rue de Rome - Romestraat"),  # another type of street
    ("Rue Brugmann", "Avenue Brugmann - Brugmannlaan"),
    ("Boulevard de Waterloo", "Chaussée de Waterloo - Waterloosesteenweg"),
    ("Square Loix", "Place Loix - Loixplein"),  # another type of square
    ("Parvis Hermann Dumont", "Place Hermann Dumont - Hermann Dumontplein"),
    ("Romelaan", "Rue de Rome - Romestraat"),  # the Dutch half with another type
]


@pytest.mark.parametrize(("written", "meant"), TYPE_SLIPS)
def test_a_slip_in_the_street_type_names_the_street(street_names: pd.Series, written: str, meant: str) -> None:
    assert name_hint(street_names, [written]) == f"; did you mean {meant!r}?"


# real streets elsewhere in Brussels: each shares its distinctive part with a scene street of another kind
ABSENT = [
    "Impasse de Savoie",  # Rue de Savoie
    "Square Théodore Verhaegen",  # Rue Théodore Verhaegen: a square is no street
    "Chemin de la Source",  # Rue de la Source
    "Sentier de Waterloo",  # Chaussée de Waterloo
    "Cité Jourdan",  # Rue Jourdan
    "Waterloopad",  # Waterloosesteenweg
    "Boulevard des Villas",  # Avenue des Villas and Rue des Villas: a tie
    "Avenue de Rme",  # another type and a slip: two slips
    "Ruee de Rme",  # a slip in the type word and one in the name
]


@pytest.mark.parametrize("written", ABSENT)
def test_a_street_of_another_kind_or_two_slips_gets_no_hint(street_names: pd.Series, written: str) -> None:
    assert name_hint(street_names, [written]) == ""


def test_a_type_word_one_slip_from_two_types_is_not_read() -> None:
    assert type_word_slip("ruee") == "rue"
    assert type_word_slip("avneue") == "avenue"
    assert type_word_slip("rue") is None  # a type already
    assert type_word_slip("de") is None  # an article
    assert type_word_slip("alleee") is None  # one slip from allee and from allees
    spellings = {"Rue de Parme": "Parme", "Avenue de Parme": "Avenue Parme"}
    assert closest_name("Ruee de Parme", spellings) == "Parme"
    assert closest_name("Boulevard de Parme", spellings) is None  # a street of either type: a tie
    assert closest_name("Avenue de Parme", {"Rue de Parme": "Parme", "Avenue de Pame": "Pame"}) == "Pame"  # its own type first


CLI_CASES = [
    ("street-type-typo", "Ruee de Rome", "Rue de Rome - Romestraat"),
    ("street-other-type", "Avenue de Rome", "Rue de Rome - Romestraat"),
]


@pytest.mark.parametrize(("case_id", "written", "meant"), CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_scenario_validate_hints_the_street_of_the_written_type_word(corpus, case_id: str, written: str, meant: str) -> None:  # noqa: F811
    path = write_case(corpus["folder"], case_id, _select({"where": {"name": written}}, whatif=1), corpus)
    line = assert_one_line_error(run_twin(["scenario", "validate", path], timeout_s=TIMEOUT_S),
                                 contains=(str(path), "whatifs.1.modifications.0.select", f"no street named {written!r}"))
    assert f"did you mean {meant!r}?" in line
