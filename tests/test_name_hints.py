""""Did you mean" for street names: compared on the part that tells them apart.

The selection's hint for a name (``where: {name: ...}``) used the key rule (difflib ratio of the
whole folded name >= 0.75). Names of one district share ``Rue de``, ``Avenue``, ``Chaussée de`` and
the Dutch ``straat``: on the default Saint-Gilles scene it hinted at 100 of 1,531 real Brussels
names the scene does not hold (``Rue de France`` -> ``Rue de Roumanie``), a street of another
type (``Square Théodore Verhaegen`` -> ``Rue Théodore Verhaegen``) and, for a Dutch half shared by
two streets (``Villalaan``), the first of them. :func:`twin.io.key_hints.closest_name` compares
the distinctive part, one slip per three letters and at most one, same street type
(``benchmarks/name_hint_cutoff.py``). Examples are the measured ones, on the scene's real names.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.cli_harness import REPO, assert_one_line_error, run_twin
from tests.test_bad_input_scenario import TIMEOUT_S, _select, corpus, write_case  # noqa: F401  (corpus: the fixture)
from twin.io.key_hints import closest_name, edit_distance, name_parts
from twin.scenario.selection import name_hint

STREETS = REPO / "data_samples" / "stgilles_streets_osm2013.geojson"


@pytest.fixture(scope="module")
def street_names() -> pd.Series:
    """The ``name`` column of the default scene's streets (one row per named street piece)."""
    features = json.loads(STREETS.read_text(encoding="utf-8"))["features"]
    return pd.Series([f["properties"].get("name") for f in features])


# the old rule hinted each of these at another street
UNRELATED = [
    "Rue de France",  # -> Rue de Roumanie
    "Rue de Londres",  # -> Rue de Pologne
    "Rue de Trèves",  # -> Rue de Rome
    "Rue de l'Église Sainte-Anne",  # -> Rue de l'Église Saint-Gilles
    "Square Théodore Verhaegen",  # -> Rue Théodore Verhaegen (another street, another type)
    "Sentier de Waterloo",  # -> Chaussée de Waterloo
    "Gillalaan",  # -> Avenue des Villas: Villalaan is also Rue des Villas
    "Avenue de Villegas",  # two slips from Avenue des Villas (hinted when two are allowed)
]


@pytest.mark.parametrize("written", UNRELATED)
def test_a_street_the_scene_does_not_hold_gets_no_hint(street_names: pd.Series, written: str) -> None:
    assert name_hint(street_names, [written]) == ""


SLIPS = [
    ("Rue de Roumanei", "Rue de Roumanie - Roemeniestraat"),  # swapped letters
    ("Rue de Lisbone", "Rue de Lisbonne - Lissabonstraat"),  # dropped letter
    ("Rue Capuoillet", "Rue Capouillet - Capouilletstraat"),  # swapped letters in a one-word name
    ("Rue de l'Eglise Saint-Gilles", "Rue de l'Église Saint-Gilles - Sint-Gilliskerkstraat"),  # accent left out
    ("rue du celeri", "Rue du Céleri -Selderijstraat"),  # case and accent
    ("Av. Brugmann", "Avenue Brugmann - Brugmannlaan"),  # abbreviated type
    ("Ch. de Waterlo", "Chaussée de Waterloo - Waterloosesteenweg"),  # abbreviated type and a dropped letter
    ("Roemenistraat", "Rue de Roumanie - Roemeniestraat"),  # Dutch half, dropped letter
    ("Rue de Rme", "Rue de Rome - Romestraat"),  # a short name: one slip from three letters
]


@pytest.mark.parametrize(("written", "meant"), SLIPS)
def test_a_slip_names_the_street(street_names: pd.Series, written: str, meant: str) -> None:
    assert name_hint(street_names, [written]) == f"; did you mean {meant!r}?"


def test_name_parts_sets_the_street_type_and_articles_aside() -> None:
    assert name_parts("Rue de l'Église Saint-Gilles") == ("rue", "eglise saint gilles")
    assert name_parts("Av. Brugmann") == ("avenue", "brugmann")
    assert name_parts("Roemeniestraat") == ("straat", "roemenie")
    assert name_parts("Sint-Gillis Voorplein") == ("voorplein", "sint gillis")
    assert name_parts("Le liberty's") == ("", "le liberty s")


def test_edit_distance_counts_a_swap_as_one() -> None:
    assert edit_distance("roumanie", "roumanei") == 1
    assert edit_distance("france", "roumanie") > 1
    assert edit_distance("france", "roumanie", limit=1) == 2


def test_slips_allowed_by_length_and_a_tie_no_hint() -> None:
    spellings = {"Rue de Rome": "Rome", "Rue de Rame": "Rame", "Rue de Parme": "Parme", "Rue Roi": "Roi"}
    assert closest_name("Rue de Prme", spellings) == "Parme"  # 4 letters: one slip
    assert closest_name("Rue de Pam", spellings) is None  # two slips
    assert closest_name("Rue Ro", spellings) is None  # 2 letters: no slip
    assert closest_name("Rue de Rxme", spellings) is None  # one slip from Rome and from Rame
    assert closest_name("Impasse de Parme", spellings) is None  # another street type, not of the same kind
    assert closest_name("Avenue de Prme", spellings) is None  # another street type of the same kind and a slip
    assert closest_name("Rue Haute", {"Rue Haute": "A", "RUE HAUTE": "B"}) is None  # two names equal but for case


def test_numbers_must_match_and_a_name_without_type_is_its_own_type() -> None:
    # real names of the region, hinted at each other before numbers and untyped names were told apart
    spellings = {"14ᵉ Chemin": "14", "14ᵉ Weg": "14", "Boulevard Léopold II": "II", "Leopold II-laan": "II",
                 "Chemin du Dorreveld": "Dorreveld", "Dorreveldweg": "Dorreveld"}
    assert closest_name("16ᵉ Chemin", spellings) is None
    assert closest_name("Boulevard Léopold III", spellings) is None
    assert closest_name("Dorreveld", spellings) is None
    assert closest_name("Boulevard Leopld II", spellings) == "II"


# ------------------------------------------------------------------------------ through the command line
CLI_CASES = [
    ("street-unrelated", "Rue de France", None),
    ("street-typo", "Rue de Roumanei", "Rue de Roumanie - Roemeniestraat"),
]


@pytest.mark.parametrize(("case_id", "written", "meant"), CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_scenario_validate_street_hint(corpus, case_id: str, written: str, meant: str | None) -> None:  # noqa: F811
    path = write_case(corpus["folder"], case_id, _select({"where": {"name": written}}, whatif=1), corpus)
    line = assert_one_line_error(run_twin(["scenario", "validate", path], timeout_s=TIMEOUT_S),
                                 contains=(str(path), "whatifs.1.modifications.0.select", f"no street named {written!r}"))
    if meant is None:
        assert "did you mean" not in line and "values present:" in line
    else:
        assert f"did you mean {meant!r}?" in line
