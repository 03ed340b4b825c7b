"""``twin traffic mobility --close NAME``: a bilingual Brussels street by either half, any case.

A new user's ``--close "Parvis de Saint-Gilles"`` was told ``no street named ... open to motor
traffic``: the sample's street is ``"Parvis Saint-Gilles - Sint-Gillis Voorplein"`` and only the
exact whole name matched. Now the whole name or either half matches (case ignored, the scenario
selector's rule otherwise), and a miss suggests the closest street name.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from twin.errors import InputError
from twin.scenario.selection import name_mask
from twin.traffic.mobility_commands import _closed_links

PARVIS = "Parvis Saint-Gilles - Sint-Gillis Voorplein"
LINKS = pd.DataFrame(
    {
        "link_id": ["p1", "p2", "p3", "b1", "e1", "w1"],
        "name": [PARVIS, PARVIS, PARVIS, "Barrière Saint-Gilles - Barrière van Sint-Gillis",
                 "Rue de l'Église Saint-Gilles - Sint-Gilliskerkstraat", "Parvis Saint-Gilles"],
        "modes": ["car,bike", "car", "walk", "car", "car,bus", "walk,bike"],
    }
)  # fmt: skip
SCENE = SimpleNamespace(links=LINKS)


@pytest.mark.parametrize("written", [PARVIS, "Parvis Saint-Gilles", "Sint-Gillis Voorplein", "parvis saint-gilles", "SINT-GILLIS  VOORPLEIN"])
def test_whole_name_or_either_half_any_case(written: str) -> None:
    assert _closed_links(SCENE, [written], []) == ["p1", "p2"]  # not p3 nor w1: no motor traffic


def test_a_miss_suggests_the_street() -> None:
    with pytest.raises(InputError) as err:
        _closed_links(SCENE, ["Parvis de Saint-Gilles"], [])
    assert str(err.value).endswith(f"no street named 'Parvis de Saint-Gilles' open to motor traffic; did you mean {PARVIS!r}?")
    assert err.value.field == "--close"


def test_a_miss_far_from_every_name_has_no_hint() -> None:
    with pytest.raises(InputError) as err:
        _closed_links(SCENE, ["Rue de France"], [])
    assert str(err.value).endswith("no street named 'Rue de France' open to motor traffic")


def test_scenario_selector_still_compares_case_exactly() -> None:
    names = LINKS["name"]
    assert not name_mask(names, ["parvis saint-gilles"]).any()
    assert np.array_equal(name_mask(names, ["Parvis Saint-Gilles"]), name_mask(names, ["parvis saint-gilles"], ignore_case=True))
    assert name_mask(names, [PARVIS]).tolist() == [True, True, True, False, False, False]
